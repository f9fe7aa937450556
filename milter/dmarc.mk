# milter/dmarc.mk - the dmarc check's sources in libmiltercore.a (see milter/local.mk).
# orgdom.c is the only file that includes <libpsl.h>; PSL_CFLAGS is already
# on the library's CPPFLAGS and PSL_LIBS in MILTER_CORE_LIBS. orgdom.c also
# uses libidn2, which MILTER_CORE_LIBS links through REP_LIBS.
%canon_reldir%_libmiltercore_a_SOURCES += \
	%reldir%/check_dmarc.c %reldir%/check_dmarc.h \
	%reldir%/dmarc.h %reldir%/dmarc_record.c %reldir%/dmarc_from.c \
	%reldir%/dmarc_dns.c \
	%reldir%/orgdom.c %reldir%/orgdom.h
%canon_reldir%_libmiltercore_a_CPPFLAGS += $(IDN2_CFLAGS)
