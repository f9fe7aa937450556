# common/ - small helpers shared by the programs; depends on libc alone.
noinst_LIBRARIES += %reldir%/libcommon.a
%canon_reldir%_libcommon_a_SOURCES = %reldir%/log.c %reldir%/log.h \
	%reldir%/cfgfile.c %reldir%/cfgfile.h \
	%reldir%/json.c %reldir%/json.h

COMMON_LIBS = $(top_builddir)/common/libcommon.a
