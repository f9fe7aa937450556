# tests/conformance/spf - the spf test vectors and the programs that run them.
# spf_suite: the RFC 7208 and RFC 4408 suites (pyspf's YAML, flattened into
# the committed .tsv by yaml2tsv.py, which the build never runs) through
# check_spf_run over a fake DNS backend; TAP, one line per case, listed
# failures as # TODO. tests/unit/test_spf (registered here, next to the
# fake zone backend it shares with spf_suite): unit tests of the grammar,
# the limits, the hostile records of CVE-2023-42118 and the result
# mapping (cmocka).
# test_spf_dns: the milter's own backend (dns.c) on a loopback DNS server
# (tests/lib/libfakedns.a).
SPF_CONFORMANCE_TESTS = %reldir%/spf_suite %reldir%/test_spf_dns \
	tests/unit/test_spf
check_PROGRAMS += $(SPF_CONFORMANCE_TESTS)
TESTS += $(SPF_CONFORMANCE_TESTS)
SPF_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/milter
SPF_TEST_LDADD = $(MILTER_CORE_LIBS) $(CMOCKA_LIBS)
%canon_reldir%_spf_suite_SOURCES = %reldir%/spf_suite.c \
	%reldir%/spf_zone.c %reldir%/spf_zone.h
%canon_reldir%_spf_suite_CPPFLAGS = $(SPF_TEST_CPPFLAGS)
%canon_reldir%_spf_suite_LDADD = $(SPF_TEST_LDADD)
%canon_reldir%_test_spf_dns_CPPFLAGS = $(SPF_TEST_CPPFLAGS) $(FAKEDNS_CPPFLAGS)
%canon_reldir%_test_spf_dns_LDADD = $(FAKEDNS_LIBS) $(SPF_TEST_LDADD)
tests_unit_test_spf_SOURCES = tests/unit/test_spf.c \
	%reldir%/spf_zone.c %reldir%/spf_zone.h
tests_unit_test_spf_CPPFLAGS = $(SPF_TEST_CPPFLAGS) -I$(top_srcdir)/%reldir%
tests_unit_test_spf_LDADD = $(SPF_TEST_LDADD)
EXTRA_DIST += \
	%reldir%/rfc7208-tests.yml %reldir%/rfc7208-tests.tsv \
	%reldir%/rfc7208-tests.LICENSE %reldir%/rfc7208-tests.CHANGES \
	%reldir%/rfc4408-tests.yml %reldir%/rfc4408-tests.tsv \
	%reldir%/rfc4408-tests.LICENSE \
	%reldir%/SOURCE.md %reldir%/expected-failures.tsv \
	%reldir%/yaml2tsv.py
