# milter/dkim.mk - the dkim check's sources in libmiltercore.a (see milter/local.mk).
%canon_reldir%_libmiltercore_a_SOURCES += \
	%reldir%/check_dkim.c %reldir%/check_dkim.h \
	%reldir%/check_dkim_keys.c %reldir%/check_dkim_result.c \
	%reldir%/check_dkim_impl.h \
	%reldir%/dkim_keycache.c %reldir%/dkim_keycache.h
