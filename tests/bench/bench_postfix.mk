# tests/bench/bench_postfix.mk - the milter benchmark through Postfix
# (included from tests/bench/local.mk): run-postfix-bench.sh sends
# bench_milter's signed corpus (--write-corpus) with smtpsend (-L -C, over
# XCLIENT) through a private Debian Postfix on loopback, with no milter,
# with nullfilter and with repmilter, in the DNS and store environment it
# shares with run-milter-bench.sh (bench-env.sh). Needs root. Never run by
# make check; `make bench-postfix` runs it on this build directory
# (BENCH_FLAGS=--quick for a smoke run; results in RESULTS.md).
EXTRA_DIST += %reldir%/run-postfix-bench.sh %reldir%/bench-env.sh

bench-postfix: %reldir%/bench_milter$(EXEEXT) %reldir%/nullfilter$(EXEEXT) \
		tests/integration/smtpsend$(EXEEXT) tools/repctl$(EXEEXT) \
		milter/repmilter$(EXEEXT)
	$(SHELL) $(top_srcdir)/%reldir%/run-postfix-bench.sh $(BENCH_FLAGS) .
.PHONY: bench-postfix
