# tests/unit - one cmocka program per module.
UNIT_TESTS = \
	%reldir%/test_subject \
	%reldir%/test_record \
	%reldir%/test_store \
	%reldir%/test_score \
	%reldir%/test_concurrency \
	%reldir%/test_converge \
	%reldir%/test_log \
	%reldir%/test_json
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
UNIT_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
UNIT_LDADD = $(REP_LIBS) $(CMOCKA_LIBS)
%canon_reldir%_test_subject_CPPFLAGS = $(UNIT_CPPFLAGS)
%canon_reldir%_test_subject_LDADD = $(UNIT_LDADD)
%canon_reldir%_test_record_CPPFLAGS = $(UNIT_CPPFLAGS)
%canon_reldir%_test_record_LDADD = $(UNIT_LDADD)
%canon_reldir%_test_store_CPPFLAGS = $(UNIT_CPPFLAGS)
%canon_reldir%_test_store_LDADD = $(UNIT_LDADD)
%canon_reldir%_test_score_CPPFLAGS = $(UNIT_CPPFLAGS)
%canon_reldir%_test_score_LDADD = $(UNIT_LDADD)
%canon_reldir%_test_concurrency_CPPFLAGS = $(UNIT_CPPFLAGS)
%canon_reldir%_test_concurrency_LDADD = $(UNIT_LDADD)
%canon_reldir%_test_converge_CPPFLAGS = $(UNIT_CPPFLAGS)
%canon_reldir%_test_converge_LDADD = $(UNIT_LDADD)
%canon_reldir%_test_log_CPPFLAGS = $(UNIT_CPPFLAGS)
%canon_reldir%_test_log_LDADD = $(COMMON_LIBS) $(CMOCKA_LIBS)
%canon_reldir%_test_json_CPPFLAGS = $(UNIT_CPPFLAGS)
%canon_reldir%_test_json_LDADD = $(COMMON_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += %reldir%/testutil.h

# milter/ modules
MILTER_UNIT_TESTS = \
	%reldir%/test_dns \
	%reldir%/test_dnsl \
	%reldir%/test_policy \
	%reldir%/test_conf \
	%reldir%/test_writer \
	%reldir%/test_dkim_keycache
check_PROGRAMS += $(MILTER_UNIT_TESTS)
TESTS += $(MILTER_UNIT_TESTS)
MILTER_UNIT_CPPFLAGS = $(UNIT_CPPFLAGS) -I$(top_srcdir)/milter
MILTER_UNIT_LDADD = $(MILTER_CORE_LIBS) $(CMOCKA_LIBS)
%canon_reldir%_test_dns_SOURCES = %reldir%/test_dns.c %reldir%/test_dns_cache.c \
	%reldir%/dnstest.h
%canon_reldir%_test_dns_CPPFLAGS = $(MILTER_UNIT_CPPFLAGS) $(FAKEDNS_CPPFLAGS)
%canon_reldir%_test_dns_LDADD = $(FAKEDNS_LIBS) $(MILTER_UNIT_LDADD)
%canon_reldir%_test_dnsl_CPPFLAGS = $(MILTER_UNIT_CPPFLAGS)
%canon_reldir%_test_dnsl_LDADD = $(MILTER_UNIT_LDADD)
%canon_reldir%_test_policy_CPPFLAGS = $(MILTER_UNIT_CPPFLAGS)
%canon_reldir%_test_policy_LDADD = $(MILTER_UNIT_LDADD)
%canon_reldir%_test_conf_CPPFLAGS = $(MILTER_UNIT_CPPFLAGS)
%canon_reldir%_test_conf_LDADD = $(MILTER_UNIT_LDADD)
%canon_reldir%_test_writer_CPPFLAGS = $(MILTER_UNIT_CPPFLAGS)
%canon_reldir%_test_writer_LDADD = $(MILTER_UNIT_LDADD)
%canon_reldir%_test_dkim_keycache_CPPFLAGS = $(MILTER_UNIT_CPPFLAGS) \
	$(CRYPTO_CFLAGS)
%canon_reldir%_test_dkim_keycache_LDADD = $(MILTER_UNIT_LDADD)
