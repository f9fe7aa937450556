# tests/repsync - unit tests of the repsync modules (tools/librepsync.a):
# the feed format and minisign signatures. test_minisign also checks
# interoperation with Debian's minisign binary, and skips those cases
# when it is not installed.
REPSYNC_TESTS = \
	%reldir%/test_feed \
	%reldir%/test_minisign
check_PROGRAMS += $(REPSYNC_TESTS)
TESTS += $(REPSYNC_TESTS)
REPSYNC_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) $(SODIUM_CFLAGS) \
	$(ZSTD_CFLAGS) -I$(top_srcdir)/tools
REPSYNC_TEST_LDADD = $(REPSYNC_LIBS) $(CMOCKA_LIBS)
%canon_reldir%_test_feed_SOURCES = %reldir%/test_feed.c \
	%reldir%/test_feed_text.c %reldir%/feedtest.h
%canon_reldir%_test_feed_CPPFLAGS = $(REPSYNC_TEST_CPPFLAGS)
%canon_reldir%_test_feed_LDADD = $(REPSYNC_TEST_LDADD)
%canon_reldir%_test_minisign_SOURCES = %reldir%/test_minisign.c \
	%reldir%/test_minisign_interop.c %reldir%/msigntest.h
%canon_reldir%_test_minisign_CPPFLAGS = $(REPSYNC_TEST_CPPFLAGS)
%canon_reldir%_test_minisign_LDADD = $(REPSYNC_TEST_LDADD)
include %reldir%/fetch.mk
include %reldir%/manifest.mk
include %reldir%/trust.mk
