# tests/bench/bench_feed.mk - the feed format benchmark (included from
# tests/bench/local.mk): built by make check, never run by it.
#	tests/bench/bench_feed [--records N] [--delta N] [--level L]
# `make bench-feed` builds and runs it (BENCH_FLAGS="--level 6" etc.);
# results in RESULTS.md, feed section.
check_PROGRAMS += %reldir%/bench_feed
%canon_reldir%_bench_feed_SOURCES = %reldir%/bench_feed.c \
	%reldir%/bench_util.c %reldir%/bench_util.h
%canon_reldir%_bench_feed_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools
%canon_reldir%_bench_feed_LDADD = $(top_builddir)/tools/librepsync.a \
	$(REP_LIBS) $(SODIUM_LIBS) $(ZSTD_LIBS)

bench-feed: %reldir%/bench_feed$(EXEEXT)
	%reldir%/bench_feed$(EXEEXT) $(BENCH_FLAGS)
.PHONY: bench-feed
