# tests/conformance/dmarc - the dmarc test vectors and the programs that run them.
# dmarc_vectors: the PSL, alignment and record-parse vectors (TAP, one line
# each; expected-failures.tsv lists the ones we do not meet, as # TODO).
# test_dmarc: the record parser, From extraction, orgdom and alignment.
# test_check_dmarc: the whole check over a fake DNS backend (a linked-in
# table of functions). test_dmarc_dns: the dns.h backend on a loopback server
# (tests/lib/libfakedns.a).
DMARC_CONFORMANCE_TESTS = \
	%reldir%/dmarc_vectors \
	%reldir%/test_dmarc \
	%reldir%/test_check_dmarc \
	%reldir%/test_dmarc_dns
check_PROGRAMS += $(DMARC_CONFORMANCE_TESTS)
TESTS += $(DMARC_CONFORMANCE_TESTS)
DMARC_TEST_CPPFLAGS = $(MILTER_UNIT_CPPFLAGS) \
	-DDMARC_VECTOR_DIR='"$(abs_top_srcdir)/%reldir%"'
DMARC_TEST_LDADD = $(MILTER_CORE_LIBS) $(CMOCKA_LIBS)
%canon_reldir%_dmarc_vectors_CPPFLAGS = $(DMARC_TEST_CPPFLAGS)
%canon_reldir%_dmarc_vectors_LDADD = $(DMARC_TEST_LDADD)
%canon_reldir%_test_dmarc_CPPFLAGS = $(DMARC_TEST_CPPFLAGS)
%canon_reldir%_test_dmarc_LDADD = $(DMARC_TEST_LDADD)
%canon_reldir%_test_check_dmarc_CPPFLAGS = $(DMARC_TEST_CPPFLAGS)
%canon_reldir%_test_check_dmarc_LDADD = $(DMARC_TEST_LDADD)
%canon_reldir%_test_dmarc_dns_CPPFLAGS = $(DMARC_TEST_CPPFLAGS) $(FAKEDNS_CPPFLAGS)
%canon_reldir%_test_dmarc_dns_LDADD = $(FAKEDNS_LIBS) $(DMARC_TEST_LDADD)
EXTRA_DIST += \
	%reldir%/SOURCE.md %reldir%/OpenDMARC-LICENSE \
	%reldir%/expected-failures.tsv \
	%reldir%/opendmarc-alignment.tsv \
	%reldir%/opendmarc-record-parse.tsv \
	%reldir%/psl/psl-tests.tsv %reldir%/psl/test_psl.txt
