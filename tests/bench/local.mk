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
