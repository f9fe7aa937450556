# tests/integration - Debian Postfix and DNS servers on loopback with repmilter.
# smtpsend is the SMTP client (with XCLIENT) the scripts drive Postfix with;
# harness.sh is what the scripts share (sourced, not run).
check_PROGRAMS += %reldir%/smtpsend
%canon_reldir%_smtpsend_SOURCES = %reldir%/smtpsend.c \
	%reldir%/smtpsend_load.c %reldir%/smtpsend.h

INTEGRATION_TESTS = %reldir%/test_postfix.sh %reldir%/test_postfix_auth.sh \
	%reldir%/test_repsync.sh
TESTS += $(INTEGRATION_TESTS)
dist_check_SCRIPTS += $(INTEGRATION_TESTS) %reldir%/harness.sh
