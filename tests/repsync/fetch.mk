# tests/repsync/fetch.mk - tests of tools/fetch.c. fetchtool is
# fetch_to_file as a command; test_fetch.sh drives it against nginx on
# loopback (tests/lib/nginx.sh: a test CA, client certificates) and
# skips when nginx or openssl is missing.
check_PROGRAMS += %reldir%/fetchtool
%canon_reldir%_fetchtool_SOURCES = %reldir%/fetchtool.c
%canon_reldir%_fetchtool_CPPFLAGS = $(REPSYNC_TEST_CPPFLAGS)
%canon_reldir%_fetchtool_LDADD = $(REPSYNC_TEST_LDADD)
TESTS += %reldir%/test_fetch.sh
dist_check_SCRIPTS += %reldir%/test_fetch.sh
# Shared with the later two-ISP test; tests/lib/local.mk is not ours.
EXTRA_DIST += tests/lib/nginx.sh
