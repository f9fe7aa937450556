# tests/repsync/manifest.mk - tests of tools/manifest.c: format and parse,
# every rejection, signing and verifying (with Debian's minisign when it
# is installed), the plan.
check_PROGRAMS += %reldir%/test_manifest
TESTS += %reldir%/test_manifest
%canon_reldir%_test_manifest_SOURCES = %reldir%/test_manifest.c \
	%reldir%/test_manifest_plan.c %reldir%/manifesttest.h \
	%reldir%/msigntest.h
%canon_reldir%_test_manifest_CPPFLAGS = $(REPSYNC_TEST_CPPFLAGS)
%canon_reldir%_test_manifest_LDADD = $(REPSYNC_TEST_LDADD)
