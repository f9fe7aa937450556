# tools/ - repctl (operator CLI) and repsync (partner exchange).
bin_PROGRAMS += %reldir%/repctl
%canon_reldir%_repctl_SOURCES = %reldir%/repctl.c %reldir%/repctl.h \
	%reldir%/repctl_out.c %reldir%/repctl_show.c \
	%reldir%/repctl_list.c %reldir%/repctl_write.c \
	%reldir%/plainlist.c %reldir%/plainlist.h %reldir%/repctl_import.c \
	%reldir%/repctl_export.c %reldir%/repctl_admin.c
%canon_reldir%_repctl_LDADD = $(REP_LIBS) $(COMMON_LIBS)
dist_man_MANS += %reldir%/repctl.1
EXTRA_DIST += %reldir%/install-deps.sh %reldir%/quickstart.sh

# repsync: its feed and signature modules (librepsync.a; the program comes next).
include %reldir%/repsync.mk
