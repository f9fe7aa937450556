# tests/repsync/trust.mk - tests of tools/trust.c and tools/plainlist.c.
check_PROGRAMS += %reldir%/test_trust %reldir%/test_plainlist
TESTS += %reldir%/test_trust %reldir%/test_plainlist
%canon_reldir%_test_trust_SOURCES = %reldir%/test_trust.c \
	%reldir%/test_trust_judge.c %reldir%/trusttest.h
%canon_reldir%_test_trust_CPPFLAGS = $(REPSYNC_TEST_CPPFLAGS)
%canon_reldir%_test_trust_LDADD = $(REPSYNC_TEST_LDADD)
%canon_reldir%_test_plainlist_SOURCES = %reldir%/test_plainlist.c
%canon_reldir%_test_plainlist_CPPFLAGS = $(REPSYNC_TEST_CPPFLAGS)
%canon_reldir%_test_plainlist_LDADD = $(REPSYNC_TEST_LDADD)
