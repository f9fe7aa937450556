# The repsync benchmark: mkstore fills a store's local slots, runrss
# times a command and reports its peak RSS, bench_repsync.sh publishes a
# 1,000,000-entry snapshot and a 50,000-entry delta and pulls each through
# nginx with client certificates. `make bench-repsync` runs it
# (BENCH_FLAGS=--quick: 100,000 and 5,000 entries).
check_PROGRAMS += %reldir%/mkstore %reldir%/runrss
%canon_reldir%_mkstore_LDADD = $(REP_LIBS)
EXTRA_DIST += %reldir%/bench_repsync.sh

bench-repsync: %reldir%/mkstore$(EXEEXT) %reldir%/runrss$(EXEEXT) \
		tools/repsync$(EXEEXT) tools/repctl$(EXEEXT)
	$(SHELL) $(top_srcdir)/%reldir%/bench_repsync.sh $(BENCH_FLAGS) .
.PHONY: bench-repsync
