# tests/bench - benchmarks: programs that print figures; make check builds
# them but never runs them. `make bench` builds and runs the store
# benchmark (BENCH_FLAGS=--quick for a smoke run); see RESULTS.md.
check_PROGRAMS += %reldir%/bench_store
%canon_reldir%_bench_store_SOURCES = %reldir%/bench_store.c %reldir%/bench_util.c %reldir%/bench_util.h
%canon_reldir%_bench_store_LDADD = $(REP_LIBS)
EXTRA_DIST += %reldir%/RESULTS.md

BENCH_FLAGS =
bench: %reldir%/bench_store$(EXEEXT) tools/repctl$(EXEEXT)
	%reldir%/bench_store$(EXEEXT) --repctl tools/repctl$(EXEEXT) $(BENCH_FLAGS)
.PHONY: bench

# The milter benchmark: bench_milter (load generator over the milter
# protocol; it signs its corpus with libopendkim, see dkimsign.h),
# nullfilter (the do-nothing baseline) and the driver script.
# `make bench-milter` runs the script on this build directory
# (BENCH_FLAGS=--quick for a smoke run).
check_PROGRAMS += %reldir%/bench_milter %reldir%/nullfilter
%canon_reldir%_bench_milter_SOURCES = %reldir%/bench_milter.c \
	%reldir%/bench_corpus.c %reldir%/bench_corpus.h \
	%reldir%/dkimsign.c %reldir%/dkimsign.h
%canon_reldir%_bench_milter_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/milter $(OPENDKIM_CFLAGS)
%canon_reldir%_bench_milter_LDADD = $(MILTERTEST_LIBS) $(OPENDKIM_LIBS)
%canon_reldir%_nullfilter_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/milter
%canon_reldir%_nullfilter_LDADD = $(MILTERTEST_LIBS) $(MILTER_LIBS)
EXTRA_DIST += %reldir%/run-milter-bench.sh %reldir%/milter-bench-summary.awk

# repmilter is built if it can be: a daemon that does not build yet only
# drops its half of the figures.
bench-milter: %reldir%/bench_milter$(EXEEXT) %reldir%/nullfilter$(EXEEXT) \
		tools/repctl$(EXEEXT)
	-$(MAKE) $(AM_MAKEFLAGS) milter/repmilter$(EXEEXT)
	$(SHELL) $(top_srcdir)/%reldir%/run-milter-bench.sh $(BENCH_FLAGS) .
.PHONY: bench-milter
include %reldir%/bench_feed.mk
include %reldir%/bench_repsync.mk
include %reldir%/bench_postfix.mk
