# tools/repsync.mk - librepsync.a: feed format and minisign signatures (repsync).
# The repsync program links this library, and so do its tests
# (tests/repsync) and the feed benchmark (tests/bench/bench_feed).
noinst_LIBRARIES += %reldir%/librepsync.a
%canon_reldir%_librepsync_a_SOURCES = \
	%reldir%/afile.c %reldir%/afile.h \
	%reldir%/feed.h %reldir%/feed_int.h \
	%reldir%/feed_text.c %reldir%/feed_write.c %reldir%/feed_read.c \
	%reldir%/minisign.h %reldir%/minisign_int.h \
	%reldir%/minisign.c %reldir%/minisign_key.c
%canon_reldir%_librepsync_a_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS) $(ZSTD_CFLAGS) \
	$(CURL_CFLAGS) $(PSL_CFLAGS)
include %reldir%/fetch.mk
include %reldir%/manifest.mk
include %reldir%/trust.mk

# What a program linking librepsync.a adds to its LDADD.
REPSYNC_LIBS = $(top_builddir)/%reldir%/librepsync.a $(REP_LIBS) \
	$(SODIUM_LIBS) $(ZSTD_LIBS) $(CURL_LIBS) $(PSL_LIBS)

# The program.
sbin_PROGRAMS += %reldir%/repsync
dist_man_MANS += %reldir%/repsync.8
%canon_reldir%_repsync_SOURCES = %reldir%/repsync.c %reldir%/repsync.h \
	%reldir%/rsconf.c %reldir%/rsconf.h %reldir%/rs_publish.c \
	%reldir%/rs_pull.c %reldir%/rs_pull.h %reldir%/rs_plain.c \
	%reldir%/rs_quarantine.c %reldir%/rs_status.c
%canon_reldir%_repsync_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS) \
	$(ZSTD_CFLAGS) $(CURL_CFLAGS) \
	-DREP_LOCALSTATEDIR='"$(localstatedir)"'
%canon_reldir%_repsync_LDADD = $(REPSYNC_LIBS) $(top_builddir)/common/libcommon.a
