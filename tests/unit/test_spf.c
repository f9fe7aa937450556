/*
 * test_spf.c - the SPF check (milter/check_spf.c, spf_dns.c, spf_parse.c,
 * spf_macro.c) through check_spf_run, the call the milter makes, over the
 * fake zone backend (tests/conformance/spf/spf_zone.c): hostile macro
 * records (CVE-2023-42118) refused before libspf2, the processing limits
 * across include:, follow-up lookups, deadlines, the identities, the
 * loopback and IPv4-mapped clients, the grammar and the macro expander,
 * symbols, and concurrent calls. Runs under ASan/UBSan in CI.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check_spf.h"
#include "dns.h"
#include "policy.h"
#include "spf_dns.h"
#include "spf_macro.h"
#include "spf_parse.h"
#include "spf_zone.h"

/* One record of a test zone; TXT data is a C string here. */
struct rec {
	const char *name, *type, *data;
};

/* zone_of - a zone from a table ending in a NULL name */
static struct spf_zone *zone_of(const struct rec *r)
{
	struct spf_zone *z = spf_zone_new();

	assert_non_null(z);
	for (; r->name != NULL; r++)
		assert_int_equal(spf_zone_add(z, r->name, r->type, r->data,
		                         strlen(r->data)),
		        0);
	return z;
}

/* run - check_spf_run for client `ip`, HELO and sender */
static struct check_spf_outcome run(
        struct spf_zone *z, const char *ip, const char *helo, const char *from)
{
	struct check_spf_outcome o;
	unsigned char addr[16];
	int v6 = strchr(ip, ':') != NULL;
	struct check_spf_request req = {.family = v6 ? AF_INET6 : AF_INET,
	        .addr = addr,
	        .helo = helo,
	        .mail_from = from,
	        .receiver = "mx.receiver.example",
	        .deadline_ms = dns_now_ms() + 10000};

	assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, ip, addr), 1);
	assert_int_equal(check_spf_run(&spf_zone_ops, z, &req, &o), 0);
	return o;
}

/* mfrom_of - the MAIL FROM result for a sender at one record */
static enum check_spf_result mfrom_of(const char *record, const char *ip)
{
	const struct rec recs[] = {{"example.org", "TXT", record},
	        {"ok.example.org", "A", "192.0.2.10"}, {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);
	struct check_spf_outcome o =
	        run(z, ip, "mail.example.org", "user@example.org");

	spf_zone_free(z);
	return o.mfrom.result;
}

/* Records that reach SPF_c_parse_var's integer arithmetic in libspf2
 * 1.2.10 in odd ways: each must be permerror, decided before libspf2. */
static const char *const hostile[] = {
        "v=spf1 exists:%{l-1}.example.org -all",
        "v=spf1 exists:%{d0r.}.example.org -all",
        "v=spf1 exists:%{d0}.example.org -all",
        "v=spf1 exists:%{ -all",
        "v=spf1 exists:%{",
        "v=spf1 a:%{d99999999999999999999}.example.org -all",
        "v=spf1 a:%{d4294967297}.example.org -all",
        "v=spf1 a:%{d129}.example.org -all",
        "v=spf1 a:%{d0000001}.example.org -all",
        "v=spf1 a:%{lrr}.example.org -all",
        "v=spf1 a:%{l|}.example.org -all",
        "v=spf1 a:%{l,}.example.org -all",
        "v=spf1 a:%{l/}.example.org -all",
        "v=spf1 a:%{l.........}.example.org -all",
        "v=spf1 a:%{x}.example.org -all",
        "v=spf1 a:%{}.example.org -all",
        "v=spf1 a:%{{l}}.example.org -all",
        "v=spf1 a:%{l%}.example.org -all",
        "v=spf1 a:example.org%",
        "v=spf1 a:%a.example.org -all",
        "v=spf1 a:%{c}.example.org -all",
        "v=spf1 a:%{r}.example.org -all",
        "v=spf1 a:%{t}.example.org -all",
        "v=spf1 redirect=%{l-1}.example.org",
        "v=spf1 -all exp=%{d0}.example.org",
        "v=spf1 -all unknown=%{l-1}",
        "v=spf1 -all unknown=%{",
        "v=spf1 -all unknown=%",
        NULL,
};

/* test_hostile_macros_are_permerror_before_libspf2 - each record gives
 * permerror and no DNS query beyond the record itself: libspf2 never
 * compiled it */
static void test_hostile_macros_are_permerror_before_libspf2(void **state)
{
	(void)state;
	for (const char *const *h = hostile; *h != NULL; h++) {
		const struct rec recs[] = {
		        {"example.org", "TXT", *h}, {NULL, NULL, NULL}};
		struct spf_zone *z = zone_of(recs);
		struct check_spf_outcome o =
		        run(z, "192.0.2.1", "", "u@example.org");

		if (o.mfrom.result != CHECK_SPF_PERMERROR)
			fail_msg("%s: %s (%s)", *h,
			        check_spf_result_name(o.mfrom.result),
			        o.mfrom.reason);
		assert_int_equal(o.mfrom.queries, 1);
		spf_zone_free(z);
	}
}

/* test_long_macro_chains_are_refused - a domain-spec built to fill
 * libspf2's 511-byte compile buffer is refused as too complex */
static void test_long_macro_chains_are_refused(void **state)
{
	char rec[400] = "v=spf1 exists:";
	const char *why = NULL;
	struct spf_record_info info;

	(void)state;
	while (strlen(rec) < 250)
		strcat(rec, "x%{l}");
	strcat(rec, ".org");
	assert_int_equal(spf_parse_record(rec, strlen(rec), &info, &why), -1);
	assert_string_equal(why, "domain-spec too complex");
	assert_int_equal(mfrom_of(rec, "192.0.2.1"), CHECK_SPF_PERMERROR);
}

/* test_hostile_explanation_text_is_ignored - exp= text with broken or
 * hostile macros: the result stands, the explanation is "" */
static void test_hostile_explanation_text_is_ignored(void **state)
{
	static const char *const texts[] = {"%{l-1}", "%{d0r.} x", "%{",
	        "bad %{d99999999999} macro", "%{lrr}", "%", "%{x}", NULL};

	(void)state;
	for (const char *const *t = texts; *t != NULL; t++) {
		const struct rec recs[] = {
		        {"example.org", "TXT",
		                "v=spf1 -all exp=why.example.org"},
		        {"why.example.org", "TXT", *t}, {NULL, NULL, NULL}};
		struct spf_zone *z = zone_of(recs);
		struct check_spf_outcome o =
		        run(z, "192.0.2.1", "", "u@example.org");

		assert_int_equal(o.mfrom.result, CHECK_SPF_FAIL);
		assert_string_equal(o.mfrom.explanation, "");
		spf_zone_free(z);
	}
}

/* test_macro_checker_accepts_the_grammar - valid macro-strings, and the
 * context rules (c, r, t only in explanations; SP only there too) */
static void test_macro_checker_accepts_the_grammar(void **state)
{
	static const char *const good[] = {"%{ir}.%{v}._spf.%{d2}",
	        "%{lr-}.lp._spf.%{d2}", "%{l1r+-=_.}", "%%%_%-", "%{D128}",
	        "plain.example", NULL};

	(void)state;
	for (const char *const *g = good; *g != NULL; g++)
		assert_int_equal(
		        spf_macro_check(*g, strlen(*g), SPF_MACRO_DOMAIN, NULL),
		        0);
	assert_int_equal(
	        spf_macro_check("%{c}", 4, SPF_MACRO_DOMAIN, NULL), -1);
	assert_int_equal(
	        spf_macro_check("%{c} x", 6, SPF_MACRO_EXPLAIN, NULL), 0);
	assert_int_equal(spf_macro_check("a b", 3, SPF_MACRO_DOMAIN, NULL), -1);
	assert_int_equal(
	        spf_macro_check("a\0b", 3, SPF_MACRO_EXPLAIN, NULL), -1);
	assert_int_equal(
	        spf_macro_check("%{l,}", 5, SPF_MACRO_EXPLAIN, NULL), 0);
}

/* expand - spf_macro_expand with the RFC 7208 7.4 example values */
static const char *expand(const char *s)
{
	static char out[512];
	const struct spf_macro_vars v = {.s = "strong-bad@email.example.com",
	        .l = "strong-bad",
	        .o = "email.example.com",
	        .d = "email.example.com",
	        .i = "192.0.2.3",
	        .p = "unknown",
	        .v = "in-addr",
	        .h = "mx.example.org",
	        .c = "192.0.2.3",
	        .r = "mx.receiver.example",
	        .t = "1"};

	assert_int_equal(
	        spf_macro_expand(s, strlen(s), &v, out, sizeof(out)), 0);
	return out;
}

/* test_macro_expansion_follows_rfc_examples - RFC 7208 section 7.4 */
static void test_macro_expansion_follows_rfc_examples(void **state)
{
	(void)state;
	assert_string_equal(expand("%{s}"), "strong-bad@email.example.com");
	assert_string_equal(expand("%{d4}"), "email.example.com");
	assert_string_equal(expand("%{d2}"), "example.com");
	assert_string_equal(expand("%{d1}"), "com");
	assert_string_equal(expand("%{dr}"), "com.example.email");
	assert_string_equal(expand("%{d2r}"), "example.email");
	assert_string_equal(expand("%{l-}"), "strong.bad");
	assert_string_equal(expand("%{lr-}"), "bad.strong");
	assert_string_equal(expand("%{l1r-}"), "strong");
	assert_string_equal(expand("%{ir}.%{v}._spf.%{d2}"),
	        "3.2.0.192.in-addr._spf.example.com");
	assert_string_equal(expand("%{S}"), "strong-bad%40email.example.com");
	assert_string_equal(expand("a%%b%_c%-d"), "a%b c%20d");
}

/* test_expansion_that_does_not_fit_fails - no truncated text */
static void test_expansion_that_does_not_fit_fails(void **state)
{
	const struct spf_macro_vars v = {.d = "a.very.long.example.com"};
	char out[8];

	(void)state;
	assert_int_equal(spf_macro_expand("%{d}", 4, &v, out, sizeof(out)), -1);
}

/* canonical - the form libspf2 gets for a client of `family` */
static const char *canonical(const char *rec, int family)
{
	static char out[1024];
	struct spf_record_info info;
	const char *why = NULL;

	if (spf_parse_record(rec, strlen(rec), &info, &why) != 0)
		fail_msg("%s: %s", rec, why);
	assert_int_equal(
	        spf_parse_canonical(&info, family, out, sizeof(out)), 0);
	return out;
}

/* test_canonical_form_suits_libspf2 - see spf_parse.h */
static void test_canonical_form_suits_libspf2(void **state)
{
	(void)state;
	assert_string_equal(
	        canonical("v=spf1 redirect=r.example ip4:192.0.2.0/24 "
	                  "ip6:2001:DB8::/32 foo.bar=x -all",
	                AF_INET),
	        "v=spf1 +ip4:192.0.2.0/24 -all");
	assert_string_equal(
	        canonical("v=spf1 redirect=r.example ip4:192.0.2.0/24 "
	                  "ip6:2001:DB8::/32",
	                AF_INET6),
	        "v=spf1 +ip6:2001:db8::/32 redirect=r.example");
	assert_string_equal(canonical("v=spf1 ~ip4:1.2.3.4/0", AF_INET),
	        "v=spf1 ~ip4:0.0.0.0/1 ~ip4:128.0.0.0/1");
	assert_string_equal(
	        canonical("v=spf1 a//0 -mx:m.example./24//0", AF_INET6),
	        "v=spf1 +a:%{d}._any-a.repmilter-spf.invalid "
	        "-a:m.example._any-mx.repmilter-spf.invalid");
	assert_string_equal(canonical("v=spf1 a/0 a//0", AF_INET6),
	        "v=spf1 +a +a:%{d}._any-a.repmilter-spf.invalid");
	assert_string_equal(
	        canonical("v=spf1 a/24//64 mx//0 exp=e.example", AF_INET),
	        "v=spf1 +a/24 +mx exp=e.example");
}

/* test_grammar_errors_are_permerror - a sample of 4.6 and 7.1 */
static void test_grammar_errors_are_permerror(void **state)
{
	static const char *const bad[] = {"v=spf1 a:foo-bar -all",
	        "v=spf1 a:example.com:8080", "v=spf1 a:abc.123",
	        "v=spf1 ip4:1.2.3.4/032", "v=spf1 ip4:01.2.3.4", "v=spf1 ptr/0",
	        "v=spf1 exists:x.example/24", "v=spf1 -exp=x.example",
	        "v=spf1 exp=a.example exp=b.example",
	        "v=spf1 redirect=", "v=spf1 1up=foo", "v=spf1 a:x.example\tptr",
	        "v=spf1 \x80"
	        "a",
	        "v=spf1 all.", "v=spf1 include", "v=spf1 a/24/64", NULL};

	(void)state;
	for (const char *const *b = bad; *b != NULL; b++)
		if (mfrom_of(*b, "192.0.2.1") != CHECK_SPF_PERMERROR)
			fail_msg("not permerror: %s", *b);
}

/* test_record_limits_are_permerror - length and term count */
static void test_record_limits_are_permerror(void **state)
{
	char rec[SPF_PARSE_MAX_LEN + 64] = "v=spf1";

	(void)state;
	for (int i = 0; i <= SPF_PARSE_MAX_TERMS; i++)
		strcat(rec, " ?all");
	assert_int_equal(mfrom_of(rec, "192.0.2.1"), CHECK_SPF_PERMERROR);
	strcpy(rec, "v=spf1 -all unknown=");
	while (strlen(rec) <= SPF_PARSE_MAX_LEN)
		strcat(rec, "xxxxxxxxxxxxxxxx");
	assert_int_equal(mfrom_of(rec, "192.0.2.1"), CHECK_SPF_PERMERROR);
}

/* test_ten_terms_across_includes_pass_eleven_fail - 4.6.4 counts the
 * whole evaluation, include: terms and the included records' terms */
static void test_ten_terms_across_includes_pass_eleven_fail(void **state)
{
	const struct rec recs[] = {
	        {"at.example", "TXT", "v=spf1 include:i.example a -all"},
	        {"over.example", "TXT", "v=spf1 include:i.example a a a -all"},
	        {"i.example", "TXT", "v=spf1 a a a a a a a ?ip4:192.0.2.99"},
	        {"i.example", "A", "198.51.100.1"},
	        {"at.example", "A", "192.0.2.1"},
	        {"over.example", "A", "198.51.100.2"}, {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);
	struct check_spf_outcome o;

	(void)state;
	o = run(z, "192.0.2.1", "", "u@at.example");
	assert_int_equal(o.mfrom.result, CHECK_SPF_PASS);
	assert_int_equal(o.mfrom.terms, 9);
	o = run(z, "192.0.2.1", "", "u@over.example");
	assert_int_equal(o.mfrom.result, CHECK_SPF_PERMERROR);
	assert_string_equal(o.mfrom.reason, "more than 10 DNS-querying terms");
	spf_zone_free(z);
}

/* test_mx_and_ptr_follow_ups_are_not_terms - ten mx terms with three
 * hosts each stay within the limit; the hosts' NODATA are not voids */
static void test_mx_and_ptr_follow_ups_are_not_terms(void **state)
{
	const struct rec recs[] = {
	        {"m.example", "TXT",
	                "v=spf1 mx mx mx mx mx mx mx mx mx mx ip6:2001:db8::1"},
	        {"m.example", "MX", "10 h1.example"},
	        {"m.example", "MX", "20 h2.example"},
	        {"m.example", "MX", "30 h3.example"},
	        {"h1.example", "A", "198.51.100.1"},
	        {"h2.example", "A", "198.51.100.2"},
	        {"h3.example", "A", "198.51.100.3"}, {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);
	struct check_spf_outcome o = run(z, "2001:db8::1", "", "u@m.example");

	(void)state;
	assert_int_equal(o.mfrom.result, CHECK_SPF_PASS);
	assert_int_equal(o.mfrom.terms, 10);
	assert_int_equal(o.mfrom.voids, 0);
	assert_int_equal(o.mfrom.queries, 41);
	spf_zone_free(z);
}

/* test_third_void_lookup_is_permerror - 4.6.4: at most two */
static void test_third_void_lookup_is_permerror(void **state)
{
	(void)state;
	assert_int_equal(mfrom_of("v=spf1 a:n1.example.org a:n2.example.org "
	                          "a:ok.example.org -all",
	                         "192.0.2.10"),
	        CHECK_SPF_PASS);
	assert_int_equal(mfrom_of("v=spf1 a:n1.example.org a:n2.example.org "
	                          "a:n3.example.org a:ok.example.org -all",
	                         "192.0.2.10"),
	        CHECK_SPF_PERMERROR);
}

/* test_ptr_names_past_ten_are_ignored - the 11th PTR name validates but
 * is not looked at: neutral, where libspf2 alone says permerror */
static void test_ptr_names_past_ten_are_ignored(void **state)
{
	struct rec recs[16] = {{"p.example", "TXT", "v=spf1 ptr ?all"},
	        {"11.100.51.198.in-addr.arpa", "PTR", "p.example"}};
	struct spf_zone *z;
	struct check_spf_outcome o;

	(void)state;
	for (int i = 0; i < 11; i++)
		recs[i + 1] = (struct rec){"11.100.51.198.in-addr.arpa", "PTR",
		        i < 10 ? "other.example" : "h.p.example"};
	recs[12] = (struct rec){"h.p.example", "A", "198.51.100.11"};
	z = zone_of(recs);
	o = run(z, "198.51.100.11", "", "u@p.example");
	assert_int_equal(o.mfrom.result, CHECK_SPF_NEUTRAL);
	spf_zone_free(z);
}

/* test_passed_deadline_is_temperror - the backend says DNS_PENDING */
static void test_passed_deadline_is_temperror(void **state)
{
	const struct rec recs[] = {
	        {"example.org", "TXT", "v=spf1 a:slow.example.org -all"},
	        {"slow.example.org", "PENDING", ""}, {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);
	struct check_spf_outcome o = run(z, "192.0.2.1", "", "u@example.org");

	(void)state;
	assert_int_equal(o.mfrom.result, CHECK_SPF_TEMPERROR);
	assert_string_equal(o.mfrom.reason, "deadline passed");
	spf_zone_free(z);
}

/* test_deadline_in_the_past_asks_nothing - temperror, no query */
static void test_deadline_in_the_past_asks_nothing(void **state)
{
	const struct rec recs[] = {
	        {"example.org", "TXT", "v=spf1 +all"}, {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);
	unsigned char addr[4] = {192, 0, 2, 1};
	struct check_spf_request req = {.family = AF_INET,
	        .addr = addr,
	        .helo = "example.org",
	        .mail_from = "u@example.org",
	        .deadline_ms = dns_now_ms() - 1};
	struct check_spf_outcome o;

	(void)state;
	assert_int_equal(check_spf_run(&spf_zone_ops, z, &req, &o), 0);
	assert_int_equal(o.mfrom.result, CHECK_SPF_TEMPERROR);
	assert_int_equal(o.helo.result, CHECK_SPF_TEMPERROR);
	assert_int_equal(spf_zone_queries(z), 0);
	spf_zone_free(z);
}

/* test_loopback_client_gets_no_free_pass - libspf2's "localhost is
 * always allowed" is never used */
static void test_loopback_client_gets_no_free_pass(void **state)
{
	(void)state;
	assert_int_equal(mfrom_of("v=spf1 -all", "127.0.0.1"), CHECK_SPF_FAIL);
	assert_int_equal(mfrom_of("v=spf1 -all", "::1"), CHECK_SPF_FAIL);
	assert_int_equal(mfrom_of("v=spf1 ip4:127.0.0.1 -all", "127.0.0.1"),
	        CHECK_SPF_PASS);
}

/* test_ipv4_mapped_client_is_ipv4 - ::ffff:a.b.c.d matches ip4 */
static void test_ipv4_mapped_client_is_ipv4(void **state)
{
	(void)state;
	assert_int_equal(
	        mfrom_of("v=spf1 ip4:192.0.2.1 -all", "::ffff:192.0.2.1"),
	        CHECK_SPF_PASS);
	assert_int_equal(mfrom_of("v=spf1 ip6:::ffff:192.0.2.1 -all",
	                         "::ffff:192.0.2.1"),
	        CHECK_SPF_FAIL);
}

/* test_helo_and_mail_from_are_separate - two domains, two results */
static void test_helo_and_mail_from_are_separate(void **state)
{
	const struct rec recs[] = {{"helo.example", "TXT", "v=spf1 -all"},
	        {"from.example", "TXT", "v=spf1 +all"}, {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);
	struct check_spf_outcome o =
	        run(z, "192.0.2.1", "helo.example", "u@from.example");
	struct policy_evidence e;
	struct check_spf_weights w;

	(void)state;
	assert_int_equal(o.helo.result, CHECK_SPF_FAIL);
	assert_string_equal(o.helo.domain, "helo.example");
	assert_int_equal(o.mfrom.result, CHECK_SPF_PASS);
	assert_string_equal(o.mfrom.domain, "from.example");
	check_spf_weights_default(&w);
	policy_evidence_init(&e);
	check_spf_collect(&o, &w, &e);
	assert_int_equal(e.nsymbols, 2);
	assert_string_equal(e.symbol[0].name, "SPF_PASS");
	assert_true(e.symbol[0].weight == CHECK_SPF_W_PASS);
	assert_string_equal(e.symbol[0].detail, "from.example");
	assert_string_equal(e.symbol[1].name, "SPF_HELO_FAIL");
	spf_zone_free(z);
}

/* test_mail_from_is_checked_before_helo - a HELO domain that runs out
 * the clock does not cost the sender its result; HELO may be skipped */
static void test_mail_from_is_checked_before_helo(void **state)
{
	const struct rec recs[] = {{"helo.example", "PENDING", ""},
	        {"from.example", "TXT", "v=spf1 +all"}, {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);
	unsigned char addr[4] = {192, 0, 2, 1};
	struct check_spf_request req = {.family = AF_INET,
	        .addr = addr,
	        .helo = "helo.example",
	        .mail_from = "u@from.example",
	        .deadline_ms = dns_now_ms() + 10000,
	        .skip_helo = 1};
	struct check_spf_outcome o =
	        run(z, "192.0.2.1", "helo.example", "u@from.example");

	(void)state;
	assert_int_equal(o.mfrom.result, CHECK_SPF_PASS);
	assert_int_equal(o.helo.result, CHECK_SPF_TEMPERROR);
	spf_zone_clear(z);
	assert_int_equal(
	        spf_zone_add(z, "from.example", "TXT", "v=spf1 -all", 11), 0);
	assert_int_equal(check_spf_run(&spf_zone_ops, z, &req, &o), 0);
	assert_int_equal(o.mfrom.result, CHECK_SPF_FAIL);
	assert_false(o.helo.evaluated);
	assert_int_equal(spf_zone_queries(z), 1);
	spf_zone_free(z);
}

/* test_null_sender_is_postmaster_at_helo - 2.4: one evaluation, one
 * symbol, %{l} is postmaster */
static void test_null_sender_is_postmaster_at_helo(void **state)
{
	const struct rec recs[] = {
	        {"helo.example", "TXT", "v=spf1 -all exp=why.helo.example"},
	        {"why.helo.example", "TXT", "%{l} at %{o} from %{i}"},
	        {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);
	struct check_spf_outcome o = run(z, "192.0.2.1", "helo.example", "");
	struct policy_evidence e;
	struct check_spf_weights w;

	(void)state;
	assert_true(o.null_sender);
	assert_int_equal(o.mfrom.result, CHECK_SPF_FAIL);
	assert_string_equal(o.mfrom.explanation,
	        "postmaster at helo.example from 192.0.2.1");
	assert_int_equal(spf_zone_queries(z), 2);
	check_spf_weights_default(&w);
	policy_evidence_init(&e);
	check_spf_collect(&o, &w, &e);
	assert_int_equal(e.nsymbols, 1);
	assert_string_equal(e.symbol[0].name, "SPF_FAIL");
	spf_zone_free(z);
}

/* test_invalid_domains_are_none_without_queries - 4.3 */
static void test_invalid_domains_are_none_without_queries(void **state)
{
	static const char *const bad[] = {"[192.0.2.1]", "localhost",
	        "a..example.org", "192.0.2.1", "", NULL};
	struct spf_zone *z = spf_zone_new();

	(void)state;
	for (const char *const *b = bad; *b != NULL; b++) {
		struct check_spf_outcome o = run(z, "192.0.2.1", *b, "");

		assert_int_equal(o.helo.result, CHECK_SPF_NONE);
		assert_false(o.helo.evaluated);
	}
	assert_int_equal(spf_zone_queries(z), 0);
	spf_zone_free(z);
}

/* test_explanation_is_printable - a hostile local part cannot put
 * control characters into the text the MTA may show */
static void test_explanation_is_printable(void **state)
{
	const struct rec recs[] = {
	        {"example.org", "TXT", "v=spf1 -all exp=why.example.org"},
	        {"why.example.org", "TXT", "bad %{l}"}, {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);
	struct check_spf_outcome o =
	        run(z, "192.0.2.1", "", "a\r\nb\x7f@example.org");

	(void)state;
	assert_string_equal(o.mfrom.explanation, "bad a??b?");
	spf_zone_free(z);
}

/* test_prefix_zero_matches_any_address - a/0, mx/0, ip4/0, ip6/0 */
static void test_prefix_zero_matches_any_address(void **state)
{
	const struct rec recs[] = {{"a.example", "TXT", "v=spf1 a/0 -all"},
	        {"a.example", "A", "198.51.100.1"},
	        {"mx.example", "TXT", "v=spf1 mx//0 -all"},
	        {"mx.example", "MX", "10 h.example"},
	        {"h.example", "AAAA", "2001:db8:ffff::1"},
	        {"ip.example", "TXT", "v=spf1 -ip4:203.0.113.0/0 +ip6:::/0"},
	        {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);

	(void)state;
	assert_int_equal(run(z, "192.0.2.1", "", "u@a.example").mfrom.result,
	        CHECK_SPF_PASS);
	assert_int_equal(run(z, "2001:db8::1", "", "u@a.example").mfrom.result,
	        CHECK_SPF_FAIL);
	assert_int_equal(run(z, "2001:db8::1", "", "u@mx.example").mfrom.result,
	        CHECK_SPF_PASS);
	assert_int_equal(run(z, "192.0.2.1", "", "u@mx.example").mfrom.result,
	        CHECK_SPF_FAIL);
	assert_int_equal(run(z, "192.0.2.1", "", "u@ip.example").mfrom.result,
	        CHECK_SPF_FAIL);
	assert_int_equal(run(z, "2001:db8::1", "", "u@ip.example").mfrom.result,
	        CHECK_SPF_PASS);
	spf_zone_free(z);
}

/* test_dns_errors_are_temperror - TIMEOUT at the record and at a term */
static void test_dns_errors_are_temperror(void **state)
{
	const struct rec recs[] = {{"t.example", "TIMEOUT", ""},
	        {"example.org", "TXT", "v=spf1 include:t.example -all"},
	        {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);

	(void)state;
	assert_int_equal(run(z, "192.0.2.1", "", "u@t.example").mfrom.result,
	        CHECK_SPF_TEMPERROR);
	assert_int_equal(run(z, "192.0.2.1", "", "u@example.org").mfrom.result,
	        CHECK_SPF_TEMPERROR);
	spf_zone_free(z);
}

/* test_bad_arguments_are_refused - and the outcome is untouched */
static void test_bad_arguments_are_refused(void **state)
{
	struct check_spf_request req = {0};
	struct check_spf_outcome o;

	(void)state;
	memset(&o, 0x5a, sizeof(o));
	assert_int_equal(
	        check_spf_run(NULL, NULL, &req, &o), CHECK_SPF_E_INVAL);
	assert_int_equal(((unsigned char *)&o)[0], 0x5a);
	assert_int_equal(check_spf_run(&spf_zone_ops, NULL, &req, &o), 0);
	assert_int_equal(o.mfrom.result, CHECK_SPF_NONE);
	assert_string_equal(o.mfrom.reason, "no client address");
	assert_string_equal(
	        check_spf_strerror(CHECK_SPF_E_NOMEM), "out of memory");
}

/* test_names_and_symbols_are_stable - A-R names and policy symbols */
static void test_names_and_symbols_are_stable(void **state)
{
	(void)state;
	assert_string_equal(
	        check_spf_result_name(CHECK_SPF_SOFTFAIL), "softfail");
	assert_string_equal(
	        check_spf_result_name(CHECK_SPF_TEMPERROR), "temperror");
	assert_string_equal(
	        check_spf_symbol(CHECK_SPF_PERMERROR, 0), "SPF_PERMERROR");
	assert_string_equal(
	        check_spf_symbol(CHECK_SPF_NONE, 1), "SPF_HELO_NONE");
}

/* worker - many evaluations on a zone of its own */
static void *worker(void *arg)
{
	const struct rec recs[] = {
	        {"example.org", "TXT", "v=spf1 include:i.example.org -all"},
	        {"i.example.org", "TXT", "v=spf1 a:h.example.org ~all"},
	        {"h.example.org", "A", "192.0.2.7"}, {NULL, NULL, NULL}};
	struct spf_zone *z = zone_of(recs);
	long bad = 0;

	for (int i = 0; i < 300; i++) {
		const char *ip =
		        (i + (long)arg) % 2 ? "192.0.2.7" : "192.0.2.8";
		struct check_spf_outcome o = run(z, ip, "", "u@example.org");

		bad += o.mfrom.result !=
		       ((i + (long)arg) % 2 ? CHECK_SPF_PASS : CHECK_SPF_FAIL);
	}
	spf_zone_free(z);
	return (void *)bad;
}

/* test_concurrent_calls_are_independent - libmilter calls from several
 * worker threads at once */
static void test_concurrent_calls_are_independent(void **state)
{
	pthread_t t[6];
	void *bad;

	(void)state;
	for (long i = 0; i < 6; i++)
		assert_int_equal(
		        pthread_create(&t[i], NULL, worker, (void *)i), 0);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_hostile_macros_are_permerror_before_libspf2),
	        cmocka_unit_test(test_long_macro_chains_are_refused),
	        cmocka_unit_test(test_hostile_explanation_text_is_ignored),
	        cmocka_unit_test(test_macro_checker_accepts_the_grammar),
	        cmocka_unit_test(test_macro_expansion_follows_rfc_examples),
	        cmocka_unit_test(test_expansion_that_does_not_fit_fails),
	        cmocka_unit_test(test_canonical_form_suits_libspf2),
	        cmocka_unit_test(test_grammar_errors_are_permerror),
	        cmocka_unit_test(test_record_limits_are_permerror),
	        cmocka_unit_test(
	                test_ten_terms_across_includes_pass_eleven_fail),
	        cmocka_unit_test(test_mx_and_ptr_follow_ups_are_not_terms),
	        cmocka_unit_test(test_third_void_lookup_is_permerror),
	        cmocka_unit_test(test_ptr_names_past_ten_are_ignored),
	        cmocka_unit_test(test_passed_deadline_is_temperror),
	        cmocka_unit_test(test_deadline_in_the_past_asks_nothing),
	        cmocka_unit_test(test_loopback_client_gets_no_free_pass),
	        cmocka_unit_test(test_ipv4_mapped_client_is_ipv4),
	        cmocka_unit_test(test_helo_and_mail_from_are_separate),
	        cmocka_unit_test(test_mail_from_is_checked_before_helo),
	        cmocka_unit_test(test_null_sender_is_postmaster_at_helo),
	        cmocka_unit_test(test_invalid_domains_are_none_without_queries),
	        cmocka_unit_test(test_explanation_is_printable),
	        cmocka_unit_test(test_prefix_zero_matches_any_address),
	        cmocka_unit_test(test_dns_errors_are_temperror),
	        cmocka_unit_test(test_bad_arguments_are_refused),
	        cmocka_unit_test(test_names_and_symbols_are_stable),
	        cmocka_unit_test(test_concurrent_calls_are_independent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
