# tests/conformance/authres - the authres test vectors and the programs that run them.
# authres_vectors: the 46 vectors of ar-vectors.tsv (vendored from the
# shared conformance material, see SOURCE.md and CHOICES.md) through the
# test parser and authres_authserv_id. test_authres: the writer, read back
# (cmocka); test_authres_id: the authserv-id reader. arparse.c is a
# test-only parser that shares no code with the milter.
AUTHRES_TESTS = %reldir%/authres_vectors %reldir%/test_authres \
	%reldir%/test_authres_id
check_PROGRAMS += $(AUTHRES_TESTS)
TESTS += $(AUTHRES_TESTS)
AUTHRES_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/milter
AUTHRES_TEST_LDADD = $(MILTER_CORE_LIBS) $(CMOCKA_LIBS)
%canon_reldir%_authres_vectors_SOURCES = %reldir%/authres_vectors.c \
	%reldir%/arparse.c %reldir%/arparse.h
%canon_reldir%_authres_vectors_CPPFLAGS = $(AUTHRES_TEST_CPPFLAGS)
%canon_reldir%_authres_vectors_LDADD = $(AUTHRES_TEST_LDADD)
%canon_reldir%_test_authres_SOURCES = %reldir%/test_authres.c \
	%reldir%/arparse.c %reldir%/arparse.h
%canon_reldir%_test_authres_CPPFLAGS = $(AUTHRES_TEST_CPPFLAGS)
%canon_reldir%_test_authres_LDADD = $(AUTHRES_TEST_LDADD)
%canon_reldir%_test_authres_id_CPPFLAGS = $(AUTHRES_TEST_CPPFLAGS)
%canon_reldir%_test_authres_id_LDADD = $(AUTHRES_TEST_LDADD)
EXTRA_DIST += %reldir%/ar-vectors.tsv %reldir%/SOURCE.md \
	%reldir%/expected-failures.tsv %reldir%/CHOICES.md
