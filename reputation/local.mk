# reputation/ - libreputation, the only code that includes <lmdb.h>.
noinst_LIBRARIES += %reldir%/libreputation.a
%canon_reldir%_libreputation_a_SOURCES = \
	%reldir%/reputation.h %reldir%/internal.h \
	%reldir%/subject.c %reldir%/names.c %reldir%/record.c \
	%reldir%/store.h %reldir%/store.c %reldir%/lookup.c %reldir%/batch.c \
	%reldir%/publisher.c %reldir%/maint.c %reldir%/score.c
%canon_reldir%_libreputation_a_CPPFLAGS = $(AM_CPPFLAGS) $(LMDB_CFLAGS) $(IDN2_CFLAGS)

REP_LIBS = $(top_builddir)/reputation/libreputation.a $(LMDB_LIBS) $(IDN2_LIBS) -lm
