# tests/cli - repctl driven as an operator would, against temporary stores.
CLI_TESTS = %reldir%/test_repctl.sh %reldir%/test_rbldnsd.sh \
	%reldir%/test_repsync.sh
TESTS += $(CLI_TESTS)
dist_check_SCRIPTS += $(CLI_TESTS) %reldir%/tap.sh
