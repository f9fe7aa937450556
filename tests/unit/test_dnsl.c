/*
 * test_dnsl.c - DNS list rules (milter/dnsl.c): postscreen syntax and the
 * bitmask form, canonical printing, query names (RFC 5782 sections 2.1 and
 * 2.4), answer classification with error codes, and probes (section 5).
 *
 * The cases are written here from RFC 5782, postconf(5) and the Spamhaus
 * return codes; nothing is read at run time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsl.h"

#define EPS 1e-12

/* assert_near - |a - b| <= eps in double precision (cmocka 1.1's float
 * assert compares floats and lets NaN pass) */
#define assert_near(a, b)                                                      \
	do {                                                                   \
		double a_ = (a), b_ = (b);                                     \
		if (!(a_ - b_ <= EPS && b_ - a_ <= EPS))                       \
			fail_msg("%s is %.17g, expected %.17g", #a, a_, b_);   \
	} while (0)

/* parse_ok - parse text that must be valid */
static struct dnsl_set *parse_ok(const char *text, enum dnsl_kind kind)
{
	struct dnsl_set *set = NULL;
	char err[256];
	int rc = dnsl_parse(text, kind, &set, err, sizeof err);

	if (rc != DNSL_OK)
		fail_msg("\"%s\" rejected: %s", text, err);
	return set;
}

/* parse_fails - parse text that must fail with `code`; the message must
 * name the problem, and *out must stay untouched */
static void parse_fails(const char *text, int code)
{
	struct dnsl_set *sentinel = (struct dnsl_set *)&sentinel,
	                *set = sentinel;
	char err[256] = "unset";
	int rc = dnsl_parse(text, DNSL_KIND_IP, &set, err, sizeof err);

	if (rc != code)
		fail_msg("\"%s\": got %d (%s), expected %d", text, rc, err,
		        code);
	assert_ptr_equal(set, sentinel);
	assert_true(strlen(err) > 0);
	assert_non_null(strstr(err, "DNS list"));
}

/* a4 - an IPv4 address from text */
static struct in_addr a4(const char *text)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return a;
}

/* verdict - classify one record of zone 0 */
static enum dnsl_verdict verdict(
        const struct dnsl_set *set, const char *answer, double *weight)
{
	struct in_addr a = a4(answer);

	return dnsl_classify(set, 0, &a, weight);
}

/* answer - score a multi-record answer for zone 0 */
static enum dnsl_verdict answer(const struct dnsl_set *set, double *weight,
        unsigned n, const char *const *records)
{
	struct in_addr a[16];
	unsigned i;

	for (i = 0; i < n; i++)
		a[i] = a4(records[i]);
	return dnsl_score_answer(set, 0, a, n, weight);
}

/* formatted - dnsl_format into a static buffer */
static const char *formatted(const struct dnsl_set *set)
{
	static char buf[8192];
	size_t need = dnsl_format(set, buf, sizeof buf);

	assert_true(need < sizeof buf);
	assert_int_equal(need, strlen(buf));
	return buf;
}

/* --- syntax ------------------------------------------------------------ */

static void test_bare_zone_lists_any_127_answer_with_weight_one(void **state)
{
	struct dnsl_set *set = parse_ok("zen.spamhaus.org", DNSL_KIND_IP);
	double w = 0;

	assert_int_equal(dnsl_zone_count(set), 1);
	assert_string_equal(dnsl_zone_name(set, 0), "zen.spamhaus.org");
	assert_string_equal(dnsl_zone_symbol(set, 0), "RBL_ZEN_SPAMHAUS_ORG");
	assert_int_equal(verdict(set, "127.0.0.2", &w), DNSL_LISTED);
	assert_near(w, 1.0);
	assert_int_equal(verdict(set, "127.1.2.3", &w), DNSL_LISTED);
	assert_false(dnsl_zone_is_allowlist(set, 0));
	dnsl_set_free(set);
}

static void test_weights_are_decimals_of_either_sign(void **state)
{
	static const struct {
		const char *text;
		double weight;
	} cases[] = {
	        {"z.example.org*3", 3},
	        {"z.example.org*-5", -5},
	        {"z.example.org*+2", 2},
	        {"z.example.org*0.5", 0.5},
	        {"z.example.org*.25", 0.25},
	        {"z.example.org*1000", 1000},
	        {"z.example.org*-1000", -1000},
	        {"z.example.org*0.000001", 0.000001},
	        {"z.example.org*007.100", 7.1},
	};
	unsigned i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct dnsl_set *set = parse_ok(cases[i].text, DNSL_KIND_IP);
		double w = 0;

		assert_int_equal(verdict(set, "127.0.0.2", &w), DNSL_LISTED);
		assert_true(w == cases[i].weight);
		dnsl_set_free(set);
	}
}

static void test_zone_is_folded_to_lower_case_without_trailing_dot(void **state)
{
	struct dnsl_set *set = parse_ok("ZEN.Spamhaus.ORG.*2", DNSL_KIND_IP);

	assert_string_equal(dnsl_zone_name(set, 0), "zen.spamhaus.org");
	assert_string_equal(formatted(set), "zen.spamhaus.org*2");
	dnsl_set_free(set);
}

static void test_commas_and_white_space_both_separate_rules(void **state)
{
	struct dnsl_set *set = parse_ok(" ,a.example.org,b.example.org\tc."
	                                "example.org ,\r\n d.example.org,,",
	        DNSL_KIND_IP);

	assert_int_equal(dnsl_zone_count(set), 4);
	assert_string_equal(dnsl_zone_name(set, 3), "d.example.org");
	dnsl_set_free(set);
}

static void test_empty_text_gives_an_empty_set(void **state)
{
	struct dnsl_set *set = parse_ok("", DNSL_KIND_IP);

	assert_int_equal(dnsl_zone_count(set), 0);
	assert_string_equal(formatted(set), "");
	dnsl_set_free(set);
	set = parse_ok(" , \n\t,", DNSL_KIND_IP);
	assert_int_equal(dnsl_zone_count(set), 0);
	dnsl_set_free(set);
}

static void test_postconf_example_parses_with_allowlist_zones(void **state)
{
	/* the postscreen_dnsbl_sites example of Postfix's documentation */
	struct dnsl_set *set =
	        parse_ok("zen.spamhaus.org*3\n"
	                 "b.barracudacentral.org*2\n"
	                 "bl.spameatingmonkey.net*2\n"
	                 "bl.spamcop.net\n"
	                 "dnsbl.sorbs.net\n"
	                 "swl.spamhaus.org*-4,\n"
	                 "list.dnswl.org=127.[0..255].[0..255].0*-2,\n"
	                 "list.dnswl.org=127.[0..255].[0..255].1*-4,\n"
	                 "list.dnswl.org=127.[0..255].[0..255].[2..3]*-6",
	                DNSL_KIND_IP);
	double w = 0;
	struct in_addr a = a4("127.0.10.1");

	assert_int_equal(dnsl_zone_count(set), 7);
	assert_string_equal(dnsl_zone_symbol(set, 5), "RWL_SWL_SPAMHAUS_ORG");
	assert_string_equal(dnsl_zone_symbol(set, 6), "RWL_LIST_DNSWL_ORG");
	assert_true(dnsl_zone_is_allowlist(set, 6));
	assert_int_equal(dnsl_classify(set, 6, &a, &w), DNSL_LISTED);
	assert_near(w, -4);
	dnsl_set_free(set);
}

static void test_filter_must_equal_the_answer(void **state)
{
	struct dnsl_set *set =
	        parse_ok("zen.spamhaus.org=127.0.0.2*3", DNSL_KIND_IP);
	double w = 1;

	assert_int_equal(verdict(set, "127.0.0.2", &w), DNSL_LISTED);
	assert_near(w, 3);
	assert_int_equal(verdict(set, "127.0.0.3", &w), DNSL_NOT_LISTED);
	assert_near(w, 0);
	dnsl_set_free(set);
}

static void test_octet_ranges_and_sets_match_per_octet(void **state)
{
	struct dnsl_set *set = parse_ok(
	        "wl.example.org=127.0.[0..255].[2;4;9]*-5", DNSL_KIND_IP);
	double w = 0;

	assert_string_equal(dnsl_zone_symbol(set, 0), "RWL_WL_EXAMPLE_ORG");
	assert_int_equal(verdict(set, "127.0.7.4", &w), DNSL_LISTED);
	assert_near(w, -5);
	assert_int_equal(verdict(set, "127.0.255.9", &w), DNSL_LISTED);
	assert_int_equal(verdict(set, "127.0.7.5", &w), DNSL_NOT_LISTED);
	assert_int_equal(verdict(set, "127.1.7.4", &w), DNSL_NOT_LISTED);
	dnsl_set_free(set);
}

static void test_a_set_may_hold_ranges(void **state)
{
	struct dnsl_set *set =
	        parse_ok("z.example.org=127.0.0.[1;5..9;200]", DNSL_KIND_IP);
	unsigned v;

	for (v = 2; v < 256; v++) {
		char text[32];

		snprintf(text, sizeof text, "127.0.0.%u", v);
		assert_int_equal(verdict(set, text, NULL),
		        (v >= 5 && v <= 9) || v == 200 ? DNSL_LISTED
		                                       : DNSL_NOT_LISTED);
	}
	dnsl_set_free(set);
}

static void test_bitmask_forms_are_equivalent(void **state)
{
	static const char *const forms[] = {
	        "z.example.org&0x04*2",
	        "z.example.org&0X4*2",
	        "z.example.org&4*2",
	        "z.example.org&0.0.0.4*2",
	};
	unsigned i;

	for (i = 0; i < 4; i++) {
		struct dnsl_set *set = parse_ok(forms[i], DNSL_KIND_IP);
		double w = 0;

		assert_string_equal(formatted(set), "z.example.org&0x4*2");
		assert_int_equal(verdict(set, "127.0.0.4", &w), DNSL_LISTED);
		assert_near(w, 2);
		assert_int_equal(verdict(set, "127.0.0.6", NULL), DNSL_LISTED);
		assert_int_equal(verdict(set, "127.0.0.12", NULL), DNSL_LISTED);
		assert_int_equal(
		        verdict(set, "127.0.0.2", &w), DNSL_NOT_LISTED);
		assert_near(w, 0);
		assert_int_equal(
		        verdict(set, "127.0.0.8", NULL), DNSL_NOT_LISTED);
		dnsl_set_free(set);
	}
}

static void test_bitmask_rules_add_each_matching_bit(void **state)
{
	/* a multi-list in the style of SURBL: one bit per sub-list */
	struct dnsl_set *set = parse_ok("multi.example.org&2*1 "
	                                "multi.example.org&4*2 "
	                                "multi.example.org&8*4",
	        DNSL_KIND_DOMAIN);
	double w = 0;

	assert_int_equal(dnsl_zone_count(set), 1);
	assert_int_equal(verdict(set, "127.0.0.14", &w), DNSL_LISTED);
	assert_near(w, 7);
	assert_int_equal(verdict(set, "127.0.0.10", &w), DNSL_LISTED);
	assert_near(w, 5);
	assert_int_equal(verdict(set, "127.0.0.1", &w), DNSL_ERROR_CODE);
	dnsl_set_free(set);
}

static void test_rules_of_one_zone_share_it_and_add_up(void **state)
{
	struct dnsl_set *set = parse_ok("z.example.org=127.0.0.2*2, "
	                                "other.example.org, "
	                                "z.example.org=127.0.0.[2..3]*1.5 "
	                                "z.example.org",
	        DNSL_KIND_IP);
	double w = 0;

	assert_int_equal(dnsl_zone_count(set), 2);
	assert_string_equal(dnsl_zone_name(set, 1), "other.example.org");
	assert_int_equal(verdict(set, "127.0.0.2", &w), DNSL_LISTED);
	assert_near(w, 4.5);
	assert_int_equal(verdict(set, "127.0.0.3", &w), DNSL_LISTED);
	assert_near(w, 2.5);
	dnsl_set_free(set);
}

static void test_mixed_weights_make_a_blocklist(void **state)
{
	struct dnsl_set *set =
	        parse_ok("m.example.org=127.0.0.2*3 m.example.org=127.0.0.3*-1",
	                DNSL_KIND_IP);

	assert_false(dnsl_zone_is_allowlist(set, 0));
	assert_string_equal(dnsl_zone_symbol(set, 0), "RBL_M_EXAMPLE_ORG");
	dnsl_set_free(set);
}

static void test_domain_lists_get_dbl_symbols(void **state)
{
	struct dnsl_set *set = parse_ok(
	        "dbl.spamhaus.org=127.0.1.[2..99]*5 white.example-dwl.org*-2",
	        DNSL_KIND_DOMAIN);

	assert_string_equal(dnsl_zone_symbol(set, 0), "DBL_DBL_SPAMHAUS_ORG");
	assert_string_equal(
	        dnsl_zone_symbol(set, 1), "DBL_WHITE_EXAMPLE_DWL_ORG");
	assert_true(dnsl_zone_is_allowlist(set, 1));
	dnsl_set_free(set);
}

static void test_thirty_two_zones_fit_and_the_next_does_not(void **state)
{
	char text[4096] = "";
	struct dnsl_set *set;
	unsigned i;

	for (i = 0; i < DNSL_ZONES_MAX; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text),
		        "z%u.example.org ", i);
	set = parse_ok(text, DNSL_KIND_IP);
	assert_int_equal(dnsl_zone_count(set), DNSL_ZONES_MAX);
	dnsl_set_free(set);
	strcat(text, "one-more.example.org");
	parse_fails(text, DNSL_E_TOOMANY);
}

static void test_too_many_rules_are_refused(void **state)
{
	size_t len = 300 * 32;
	char *text = malloc(len);
	unsigned i;

	text[0] = '\0';
	for (i = 0; i < 300; i++)
		snprintf(text + strlen(text), len - strlen(text),
		        "z.example.org=127.0.0.%u ", i % 250 + 2);
	parse_fails(text, DNSL_E_TOOMANY);
	free(text);
}

static void test_bad_weights_are_refused(void **state)
{
	static const char *const bad[] = {
	        "z.example.org*0",
	        "z.example.org*-0",
	        "z.example.org*0.000",
	        "z.example.org*nan",
	        "z.example.org*inf",
	        "z.example.org*-inf",
	        "z.example.org*1e3",
	        "z.example.org*0x10",
	        "z.example.org*1001",
	        "z.example.org*-1000.5",
	        "z.example.org*",
	        "z.example.org*-",
	        "z.example.org*1.",
	        "z.example.org*1.2.3",
	        "z.example.org*0.0000001",
	        "z.example.org*1234567890123456",
	        "z.example.org*3*4",
	        "z.example.org**3",
	};
	unsigned i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		parse_fails(bad[i], DNSL_E_WEIGHT);
}

static void test_bad_zones_are_refused(void **state)
{
	static const char *const bad[] = {
	        "localhost",
	        "-bad.example.org",
	        "bad-.example.org",
	        "a..example.org",
	        ".example.org",
	        "example.org..",
	        "exa_mple.org",
	        "192.0.2.1",
	        "127.0.0.2",
	        "zone.example.123",
	        "=127.0.0.2",
	        "*3",
	        "&4",
	        "\xc3\xbcnicode.example",
	        "xn--nicode-2ya.example\xe2\x80\x8b",
	        "zone\x01.example.org",
	        "zone/x.example.org",
	};
	unsigned i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		parse_fails(bad[i], DNSL_E_ZONE);
}

static void test_zone_length_limits_hold(void **state)
{
	char label[100], zone[400];
	struct dnsl_set *set;

	memset(label, 'a', 63);
	strcpy(label + 63, ".example.org");
	set = parse_ok(label, DNSL_KIND_IP); /* 63-octet label: fine */
	dnsl_set_free(set);
	memset(label, 'a', 64);
	strcpy(label + 64, ".example.org");
	parse_fails(label, DNSL_E_ZONE);
	/* 189 octets is the longest zone, 190 too long */
	snprintf(zone, sizeof zone, "%.63s.%.63s.%.57s.org", label, label,
	        label);
	assert_int_equal(strlen(zone), 189);
	set = parse_ok(zone, DNSL_KIND_IP);
	dnsl_set_free(set);
	snprintf(zone, sizeof zone, "%.63s.%.63s.%.58s.org", label, label,
	        label);
	parse_fails(zone, DNSL_E_ZONE);
}

static void test_bad_filters_are_refused(void **state)
{
	static const char *const bad[] = {
	        "z.example.org=127.0.0.256",
	        "z.example.org=127.0.0",
	        "z.example.org=127.0.0.",
	        "z.example.org=",
	        "z.example.org=127.0.0.[3..2]",
	        "z.example.org=127.0.0.[]",
	        "z.example.org=127.0.0.[1;]",
	        "z.example.org=127.0.0.[1",
	        "z.example.org=127.0.0.[1..]",
	        "z.example.org=127.0.0.[1...3]",
	        "z.example.org=127.0.0.[1,2]",
	        "z.example.org=127.0.0.-1",
	        "z.example.org=127.0.0.0002",
	        "z.example.org=10.0.0.2",
	        "z.example.org=[0..126].0.0.2",
	        "z.example.org&0",
	        "z.example.org&0x0",
	        "z.example.org&0xff000000",
	        "z.example.org&127.0.0.0",
	        "z.example.org&0x",
	        "z.example.org&0x123456789",
	        "z.example.org&4294967296",
	        "z.example.org&1.2.3",
	        "z.example.org&0.0.0.256",
	        "z.example.org&",
	        "z.example.org&-4",
	        "z.example.org&x4",
	};
	unsigned i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		parse_fails(bad[i], DNSL_E_FILTER);
}

static void test_trailing_text_is_a_syntax_error(void **state)
{
	parse_fails("z.example.org=127.0.0.2.5", DNSL_E_SYNTAX);
	parse_fails("z.example.org=127.0.0.1..5", DNSL_E_SYNTAX);
	parse_fails("z.example.org=127.0.0.2&4", DNSL_E_SYNTAX);
	parse_fails("z.example.org&4=127.0.0.2", DNSL_E_SYNTAX);
	parse_fails("z.example.org&4x", DNSL_E_SYNTAX);
}

static void test_error_names_the_rule_and_the_problem(void **state)
{
	struct dnsl_set *set = NULL;
	char err[256];

	assert_int_equal(dnsl_parse("ok.example.org bad.example.org*0 "
	                            "other.example.org",
	                         DNSL_KIND_IP, &set, err, sizeof err),
	        DNSL_E_WEIGHT);
	assert_null(set);
	assert_non_null(strstr(err, "\"bad.example.org*0\""));
	assert_non_null(strstr(err, "non-zero"));
	assert_int_equal(dnsl_parse("z.example.org=127.0.0.[3..2]",
	                         DNSL_KIND_IP, &set, err, sizeof err),
	        DNSL_E_FILTER);
	assert_non_null(strstr(err, "range"));
}

static void test_hostile_rule_is_cut_and_cleaned_in_the_message(void **state)
{
	size_t len = 100000;
	char *text = malloc(len + 1), err[512];
	struct dnsl_set *set = NULL;
	size_t i;

	memset(text, 'a', len);
	text[len] = '\0';
	text[1] = '\x1b';
	text[5] = '\x7f';
	assert_int_equal(dnsl_parse(text, DNSL_KIND_IP, &set, err, sizeof err),
	        DNSL_E_ZONE);
	for (i = 0; err[i] != '\0'; i++)
		assert_true(err[i] >= 0x20 && err[i] < 0x7f);
	assert_true(strlen(err) < 200);
	assert_non_null(strstr(err, "..."));
	free(text);
}

static void test_error_buffer_may_be_small_or_absent(void **state)
{
	struct dnsl_set *set = NULL;
	char err[8];

	memset(err, 'x', sizeof err);
	assert_int_equal(dnsl_parse("bad", DNSL_KIND_IP, &set, err, sizeof err),
	        DNSL_E_ZONE);
	assert_int_equal(strlen(err), sizeof err - 1);
	assert_int_equal(
	        dnsl_parse("bad", DNSL_KIND_IP, &set, NULL, 0), DNSL_E_ZONE);
	assert_int_equal(
	        dnsl_parse("bad", DNSL_KIND_IP, &set, err, 0), DNSL_E_ZONE);
}

static void test_missing_arguments_are_refused(void **state)
{
	struct dnsl_set *set = NULL;

	assert_int_equal(
	        dnsl_parse(NULL, DNSL_KIND_IP, &set, NULL, 0), DNSL_E_SYNTAX);
	assert_int_equal(
	        dnsl_parse("z.example.org", DNSL_KIND_IP, NULL, NULL, 0),
	        DNSL_E_SYNTAX);
	assert_int_equal(
	        dnsl_parse("z.example.org", (enum dnsl_kind)7, &set, NULL, 0),
	        DNSL_E_SYNTAX);
	assert_null(set);
	dnsl_set_free(NULL);
}

static void test_zones_with_one_symbol_are_refused(void **state)
{
	struct dnsl_set *set = NULL;
	char err[256];

	assert_int_equal(dnsl_parse("a-b.example.org a.b.example.org",
	                         DNSL_KIND_IP, &set, err, sizeof err),
	        DNSL_E_ZONE);
	assert_non_null(strstr(err, "RBL_A_B_EXAMPLE_ORG"));
}

static void test_long_symbols_are_cut_but_stay_distinct(void **state)
{
	char a[256], b[256], text[600];
	struct dnsl_set *set;

	snprintf(a, sizeof a, "%s.%s.one.example.org",
	        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	snprintf(b, sizeof b, "%s.%s.two.example.org",
	        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	snprintf(text, sizeof text, "%s %s", a, b);
	set = parse_ok(text, DNSL_KIND_DOMAIN);
	/* with "_HELO" a symbol still fits a policy name of 63 octets */
	assert_true(strlen(dnsl_zone_symbol(set, 0)) + 5 <= 63);
	assert_true(strlen(dnsl_zone_symbol(set, 1)) + 5 <= 63);
	assert_string_not_equal(
	        dnsl_zone_symbol(set, 0), dnsl_zone_symbol(set, 1));
	assert_memory_equal(dnsl_zone_symbol(set, 0), "DBL_AAAA", 8);
	dnsl_set_free(set);
}

/* --- canonical form ---------------------------------------------------- */

static void test_format_prints_the_canonical_form(void **state)
{
	struct dnsl_set *set = parse_ok(
	        "ZEN.spamhaus.org*3 , wl.example.org=127.0.[0..255].[9;2;4]*-5"
	        "  wl.example.org=127.0.0.[5..9;1]*-0.500 "
	        "m.example.org&0.0.0.12*+0.5"
	        " m.example.org=127.0.0.[2;3]  m.example.org=127.0.0.[7]*1000",
	        DNSL_KIND_IP);

	assert_string_equal(formatted(set),
	        "zen.spamhaus.org*3, wl.example.org=127.0.[0..255].[2;4;9]*-5, "
	        "wl.example.org=127.0.0.[1;5..9]*-0.5, m.example.org&0xc*0.5, "
	        "m.example.org=127.0.0.[2..3]*1, m.example.org=127.0.0.7*1000");
	dnsl_set_free(set);
}

/* round_trip - format, parse the result, format again: the same text */
static void round_trip(const char *text, enum dnsl_kind kind)
{
	struct dnsl_set *one = parse_ok(text, kind), *two;
	char first[8192];

	snprintf(first, sizeof first, "%s", formatted(one));
	two = parse_ok(first, kind);
	assert_string_equal(formatted(two), first);
	assert_int_equal(dnsl_zone_count(one), dnsl_zone_count(two));
	dnsl_set_free(one);
	dnsl_set_free(two);
}

static void test_format_reads_back_to_an_equal_set(void **state)
{
	round_trip("zen.spamhaus.org*3 bl.spamcop.net "
	           "list.dnswl.org=127.[0..255].[0..255].[2..3]*-6 "
	           "m.example.org&0xffffff*0.000001 x.example.org*-999.999999",
	        DNSL_KIND_IP);
	round_trip("dbl.spamhaus.org=127.0.1.[2..6;102..106]*4.25",
	        DNSL_KIND_DOMAIN);
	round_trip("", DNSL_KIND_IP);
}

/* rnd - xorshift64*, seeded, so a failure can be replayed */
static uint64_t rnd(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ull;

	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return s * 0x2545f4914f6cdd1dull;
}

/* random_octet - N or a bracketed pattern of numbers and ranges */
static void random_octet(char *p, size_t len, int first)
{
	unsigned n = (unsigned)(rnd() % 4), i;
	size_t used;

	if (first || n == 0) {
		snprintf(p, len, "%u", first ? 127 : (unsigned)(rnd() % 256));
		return;
	}
	snprintf(p, len, "[");
	for (i = 0; i < n; i++) {
		unsigned lo = (unsigned)(rnd() % 256);
		unsigned hi = lo + (unsigned)(rnd() % (256 - lo));

		used = strlen(p);
		snprintf(p + used, len - used,
		        i + 1 < n ? "%u..%u;" : "%u..%u]", lo, hi);
	}
}

/* random_rule - a valid rule of any form */
static void random_rule(char *p, size_t len)
{
	unsigned form = (unsigned)(rnd() % 3), i;
	double w = (double)((int64_t)(rnd() % 2000001) - 1000000) / 1000.0;

	snprintf(p, len, "z%u.example.org", (unsigned)(rnd() % 5));
	if (form == 1) {
		for (i = 0; i < 4; i++) {
			strcat(p, i ? "." : "=");
			random_octet(p + strlen(p), len - strlen(p), i == 0);
		}
	} else if (form == 2) {
		snprintf(p + strlen(p), len - strlen(p), "&%u",
		        (unsigned)(rnd() % 0xffffff) + 1);
	}
	if (w != 0)
		snprintf(p + strlen(p), len - strlen(p), "*%.3f", w);
}

static void test_random_rules_round_trip(void **state)
{
	unsigned t, r;

	for (t = 0; t < 300; t++) {
		char text[4096] = "", rule[512];
		unsigned n = (unsigned)(rnd() % 8) + 1;

		for (r = 0; r < n; r++) {
			random_rule(rule, sizeof rule);
			strcat(text, rule);
			strcat(text, rnd() % 2 ? ", " : " ");
		}
		round_trip(text, DNSL_KIND_IP);
	}
}

static void test_format_measures_like_snprintf(void **state)
{
	struct dnsl_set *set =
	        parse_ok("a.example.org*2 b.example.org&4*3", DNSL_KIND_IP);
	char small[10];
	size_t need = dnsl_format(set, NULL, 0);

	assert_int_equal(need, strlen("a.example.org*2, b.example.org&0x4*3"));
	assert_int_equal(dnsl_format(set, small, sizeof small), need);
	assert_string_equal(small, "a.example");
	assert_int_equal(dnsl_format(NULL, small, sizeof small), 0);
	assert_string_equal(small, "");
	dnsl_set_free(set);
}

/* --- query names ------------------------------------------------------- */

static void test_ipv4_octets_are_reversed(void **state)
{
	char buf[DNSL_QNAME_MAX];
	struct in_addr a = a4("192.0.2.99");

	assert_int_equal(
	        dnsl_qname_ip4(&a, "zen.spamhaus.org", buf, sizeof buf),
	        DNSL_OK);
	assert_string_equal(buf, "99.2.0.192.zen.spamhaus.org");
	a = a4("127.0.0.2");
	assert_int_equal(
	        dnsl_qname_ip4(&a, "bl.example", buf, sizeof buf), DNSL_OK);
	assert_string_equal(buf, "2.0.0.127.bl.example");
	a = a4("255.254.0.1");
	assert_int_equal(
	        dnsl_qname_ip4(&a, "bl.example", buf, sizeof buf), DNSL_OK);
	assert_string_equal(buf, "1.0.254.255.bl.example");
}

/* ip6_name - the query name of an IPv6 address on zone "z.example" */
static const char *ip6_name(const char *text)
{
	static char buf[DNSL_QNAME_MAX];
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, text, &a), 1);
	assert_int_equal(
	        dnsl_qname_ip6(&a, "z.example", buf, sizeof buf), DNSL_OK);
	return buf;
}

static void test_ipv6_nibbles_come_lowest_first(void **state)
{
	assert_string_equal(ip6_name("::1"), "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	                                     "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	                                     "z.example");
	/* RFC 5782 section 2.4 */
	assert_string_equal(ip6_name("2001:db8::567:89ab"),
	        "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0."
	        "2."
	        "z.example");
	assert_string_equal(ip6_name("2001:DB8:1:2:3:4:567:89AB"),
	        "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0."
	        "2."
	        "z.example");
	/* the RFC 5782 section 5 test entries */
	assert_string_equal(ip6_name("::ffff:7f00:2"),
	        "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	        "0."
	        "z.example");
	assert_string_equal(ip6_name("::FFFF:7F00:1"),
	        "1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	        "0."
	        "z.example");
	assert_string_equal(ip6_name("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
	        "f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f."
	        "f."
	        "z.example");
	assert_string_equal(ip6_name("::"), "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	                                    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	                                    "z.example");
}

static void test_longest_zone_still_fits_an_ipv6_name(void **state)
{
	char label[64], zone[200], buf[DNSL_QNAME_MAX];
	struct dnsl_set *set;
	struct in6_addr a;

	memset(label, 'q', 63);
	label[63] = '\0';
	snprintf(zone, sizeof zone, "%s.%s.%.57s.org", label, label, label);
	set = parse_ok(zone, DNSL_KIND_IP);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &a), 1);
	assert_int_equal(
	        dnsl_qname_ip6(&a, dnsl_zone_name(set, 0), buf, sizeof buf),
	        DNSL_OK);
	assert_int_equal(strlen(buf), 253);
	dnsl_set_free(set);
}

static void test_query_name_needs_room_and_a_zone(void **state)
{
	char buf[DNSL_QNAME_MAX];
	struct in_addr a = a4("192.0.2.99");

	/* "99.2.0.192.bl.example" is 21 octets: 22 with the NUL */
	assert_int_equal(dnsl_qname_ip4(&a, "bl.example", buf, 22), DNSL_OK);
	assert_int_equal(
	        dnsl_qname_ip4(&a, "bl.example", buf, 21), DNSL_E_NAME);
	assert_int_equal(dnsl_qname_ip4(&a, "", buf, sizeof buf), DNSL_E_NAME);
	assert_int_equal(
	        dnsl_qname_ip4(&a, NULL, buf, sizeof buf), DNSL_E_NAME);
	assert_int_equal(dnsl_qname_ip4(NULL, "bl.example", buf, sizeof buf),
	        DNSL_E_NAME);
	assert_int_equal(
	        dnsl_qname_ip4(&a, "bad..zone", buf, sizeof buf), DNSL_E_NAME);
}

static void test_domain_names_are_folded_and_checked(void **state)
{
	char buf[DNSL_QNAME_MAX], a63[64], longname[300];
	const char *zone = "dbl.example.org";

	assert_int_equal(
	        dnsl_qname_domain("Mail.Example.COM.", zone, buf, sizeof buf),
	        DNSL_OK);
	assert_string_equal(buf, "mail.example.com.dbl.example.org");
	assert_int_equal(
	        dnsl_qname_domain("host_1.example.com", zone, buf, sizeof buf),
	        DNSL_OK);
	assert_int_equal(
	        dnsl_qname_domain("localhost", zone, buf, sizeof buf), DNSL_OK);
	assert_string_equal(buf, "localhost.dbl.example.org");
	assert_int_equal(
	        dnsl_qname_domain("[192.0.2.1]", zone, buf, sizeof buf),
	        DNSL_E_NAME);
	assert_int_equal(dnsl_qname_domain("192.0.2.1", zone, buf, sizeof buf),
	        DNSL_E_NAME);
	assert_int_equal(
	        dnsl_qname_domain("", zone, buf, sizeof buf), DNSL_E_NAME);
	assert_int_equal(
	        dnsl_qname_domain(".", zone, buf, sizeof buf), DNSL_E_NAME);
	assert_int_equal(
	        dnsl_qname_domain("a..b", zone, buf, sizeof buf), DNSL_E_NAME);
	assert_int_equal(dnsl_qname_domain("b\xc3\xbc"
	                                   "cher.example",
	                         zone, buf, sizeof buf),
	        DNSL_E_NAME);
	assert_int_equal(dnsl_qname_domain(
	                         "evil.example\r\nX: y", zone, buf, sizeof buf),
	        DNSL_E_NAME);
	assert_int_equal(
	        dnsl_qname_domain(NULL, zone, buf, sizeof buf), DNSL_E_NAME);
	/* 246 octets: a name, but too long with the zone in front */
	memset(a63, 'a', 63);
	a63[63] = '\0';
	snprintf(longname, sizeof longname, "%s.%s.%s.%.50s.com", a63, a63, a63,
	        a63);
	assert_int_equal(strlen(longname), 246);
	assert_int_equal(dnsl_qname_domain(longname, zone, buf, sizeof buf),
	        DNSL_E_NAME);
}

/* --- answers ----------------------------------------------------------- */

static void test_answers_outside_127_are_never_listings(void **state)
{
	struct dnsl_set *set = parse_ok("bl.example.org*5", DNSL_KIND_IP);
	static const char *const outside[] = {"10.0.0.2", "128.0.0.2",
	        "126.255.255.255", "0.0.0.0", "255.255.255.255", "192.0.2.1"};
	unsigned i;

	for (i = 0; i < 6; i++) {
		double w = 9;

		assert_int_equal(verdict(set, outside[i], &w), DNSL_OUTSIDE);
		assert_near(w, 0);
	}
	dnsl_set_free(set);
}

static void test_known_error_codes_are_not_listings(void **state)
{
	struct dnsl_set *ip = parse_ok("zen.spamhaus.org*5", DNSL_KIND_IP);
	struct dnsl_set *dom = parse_ok("dbl.spamhaus.org*5", DNSL_KIND_DOMAIN);
	static const char *const codes[] = {"127.255.255.254",
	        "127.255.255.255", "127.255.255.0", "127.255.255.1",
	        "127.0.0.1"};
	unsigned i;
	double w = 9;

	for (i = 0; i < 5; i++) {
		assert_int_equal(verdict(ip, codes[i], &w), DNSL_ERROR_CODE);
		assert_near(w, 0);
		assert_int_equal(verdict(dom, codes[i], NULL), DNSL_ERROR_CODE);
	}
	/* "IP query against a domain list" is an error only on a domain list */
	assert_int_equal(verdict(dom, "127.0.1.255", &w), DNSL_ERROR_CODE);
	assert_int_equal(verdict(ip, "127.0.1.255", &w), DNSL_LISTED);
	assert_int_equal(verdict(ip, "127.255.254.255", &w), DNSL_LISTED);
	dnsl_set_free(ip);
	dnsl_set_free(dom);
}

static void test_spamhaus_sublists_add_once_each(void **state)
{
	struct dnsl_set *set = parse_ok("zen.spamhaus.org=127.0.0.[2..3]*3 "
	                                "zen.spamhaus.org=127.0.0.[4..7]*2 "
	                                "zen.spamhaus.org=127.0.0.[10..11]*1",
	        DNSL_KIND_IP);
	static const char *const all[] = {
	        "127.0.0.2", "127.0.0.4", "127.0.0.10"};
	static const char *const sbl_twice[] = {"127.0.0.2", "127.0.0.3"};
	static const char *const css_and_pbl[] = {
	        "127.0.0.3", "127.0.0.11", "127.0.0.10"};
	double w = 0;

	assert_int_equal(answer(set, &w, 3, all), DNSL_LISTED);
	assert_near(w, 6);
	assert_int_equal(answer(set, &w, 2, sbl_twice), DNSL_LISTED);
	assert_near(w, 3);
	assert_int_equal(answer(set, &w, 3, css_and_pbl), DNSL_LISTED);
	assert_near(w, 4);
	dnsl_set_free(set);
}

static void test_an_error_record_spoils_the_whole_answer(void **state)
{
	struct dnsl_set *set = parse_ok("zen.spamhaus.org*3", DNSL_KIND_IP);
	static const char *const listed_and_error[] = {
	        "127.0.0.2", "127.255.255.254"};
	static const char *const listed_and_outside[] = {
	        "127.0.0.2", "10.0.0.1"};
	static const char *const outside_and_error[] = {
	        "10.0.0.1", "127.255.255.255"};
	double w = 9;

	assert_int_equal(answer(set, &w, 2, listed_and_error), DNSL_ERROR_CODE);
	assert_near(w, 0);
	w = 9;
	assert_int_equal(answer(set, &w, 2, listed_and_outside), DNSL_OUTSIDE);
	assert_near(w, 0);
	assert_int_equal(
	        answer(set, &w, 2, outside_and_error), DNSL_ERROR_CODE);
	dnsl_set_free(set);
}

static void test_unmatched_and_empty_answers_are_not_listed(void **state)
{
	struct dnsl_set *set =
	        parse_ok("z.example.org=127.0.0.4*3", DNSL_KIND_IP);
	static const char *const other[] = {"127.0.0.2", "127.0.0.3"};
	double w = 9;

	assert_int_equal(answer(set, &w, 2, other), DNSL_NOT_LISTED);
	assert_near(w, 0);
	w = 9;
	assert_int_equal(answer(set, &w, 0, other), DNSL_NOT_LISTED);
	assert_near(w, 0);
	assert_int_equal(answer(set, NULL, 2, other), DNSL_NOT_LISTED);
	dnsl_set_free(set);
}

static void test_a_bad_zone_index_lists_nothing(void **state)
{
	struct dnsl_set *set = parse_ok("z.example.org", DNSL_KIND_IP);
	struct in_addr a = a4("127.0.0.2");
	double w = 9;

	assert_int_equal(dnsl_classify(set, 1, &a, &w), DNSL_NOT_LISTED);
	assert_near(w, 0);
	assert_int_equal(dnsl_score_answer(set, 5, &a, 1, &w), DNSL_NOT_LISTED);
	assert_int_equal(dnsl_classify(NULL, 0, &a, &w), DNSL_NOT_LISTED);
	assert_string_equal(dnsl_zone_name(set, 1), "");
	assert_string_equal(dnsl_zone_symbol(set, 1), "");
	assert_false(dnsl_zone_is_allowlist(set, 1));
	assert_int_equal(dnsl_zone_count(NULL), 0);
	dnsl_set_free(set);
}

/* --- probes ------------------------------------------------------------ */

static void test_probe_names_follow_rfc5782(void **state)
{
	struct dnsl_set *ip = parse_ok("zen.spamhaus.org", DNSL_KIND_IP);
	struct dnsl_set *dom = parse_ok("dbl.spamhaus.org", DNSL_KIND_DOMAIN);
	char pos[DNSL_QNAME_MAX], neg[DNSL_QNAME_MAX];

	assert_int_equal(dnsl_probe_names(ip, 0, pos, neg), DNSL_OK);
	assert_string_equal(pos, "2.0.0.127.zen.spamhaus.org");
	assert_string_equal(neg, "1.0.0.127.zen.spamhaus.org");
	assert_int_equal(dnsl_probe_names(dom, 0, pos, neg), DNSL_OK);
	assert_string_equal(pos, "test.dbl.spamhaus.org");
	assert_string_equal(neg, "invalid.dbl.spamhaus.org");
	assert_int_equal(dnsl_probe_names(dom, 1, pos, neg), DNSL_E_NAME);
	assert_int_equal(dnsl_probe_names(NULL, 0, pos, neg), DNSL_E_NAME);
	dnsl_set_free(ip);
	dnsl_set_free(dom);
}

static void test_probe_judge_covers_every_pair(void **state)
{
	static const struct {
		int pos, neg;
		enum dnsl_probe_result r;
	} cases[] = {
	        {1, 0, DNSL_PROBE_PASS},
	        {0, 0, DNSL_PROBE_NOT_LISTING},
	        {0, -1, DNSL_PROBE_NOT_LISTING},
	        {1, 1, DNSL_PROBE_LISTS_ALL},
	        {0, 1, DNSL_PROBE_LISTS_ALL},
	        {-1, 1, DNSL_PROBE_LISTS_ALL},
	        {-1, 0, DNSL_PROBE_NO_ANSWER},
	        {1, -1, DNSL_PROBE_NO_ANSWER},
	        {-1, -1, DNSL_PROBE_NO_ANSWER},
	        {7, 0, DNSL_PROBE_NO_ANSWER},
	        {1, 7, DNSL_PROBE_NO_ANSWER},
	};
	unsigned i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(dnsl_probe_judge(cases[i].pos, cases[i].neg),
		        cases[i].r);
}

static void test_probe_result_names_are_stable(void **state)
{
	assert_string_equal(dnsl_probe_result_name(DNSL_PROBE_PASS), "pass");
	assert_string_equal(
	        dnsl_probe_result_name(DNSL_PROBE_NOT_LISTING), "not-listing");
	assert_string_equal(
	        dnsl_probe_result_name(DNSL_PROBE_LISTS_ALL), "lists-all");
	assert_string_equal(
	        dnsl_probe_result_name(DNSL_PROBE_NO_ANSWER), "no-answer");
	assert_string_equal(
	        dnsl_probe_result_name((enum dnsl_probe_result)9), "unknown");
}

static void test_probe_answer_ignores_the_filters(void **state)
{
	struct dnsl_set *set =
	        parse_ok("zen.spamhaus.org=127.0.0.[10..11]", DNSL_KIND_IP);
	struct in_addr rr[2] = {a4("127.0.0.2"), a4("127.255.255.254")};
	struct in_addr out = a4("192.0.2.1");

	assert_int_equal(dnsl_probe_listed(set, 0, rr, 1), 1);
	assert_int_equal(dnsl_probe_listed(set, 0, rr, 0), 0);
	assert_int_equal(dnsl_probe_listed(set, 0, rr, 2), -1);
	assert_int_equal(dnsl_probe_listed(set, 0, &out, 1), -1);
	assert_int_equal(dnsl_probe_listed(set, 3, rr, 1), -1);
	assert_int_equal(dnsl_probe_judge(dnsl_probe_listed(set, 0, rr, 1),
	                         dnsl_probe_listed(set, 0, rr, 0)),
	        DNSL_PROBE_PASS);
	dnsl_set_free(set);
}

static void test_zones_start_enabled_and_follow_the_prober(void **state)
{
	struct dnsl_set *set =
	        parse_ok("a.example.org b.example.org", DNSL_KIND_IP);

	assert_true(dnsl_zone_enabled(set, 0));
	assert_true(dnsl_zone_enabled(set, 1));
	dnsl_zone_set_enabled(set, 1, 0);
	assert_true(dnsl_zone_enabled(set, 0));
	assert_false(dnsl_zone_enabled(set, 1));
	dnsl_zone_set_enabled(set, 1, 42);
	assert_int_equal(dnsl_zone_enabled(set, 1), 1);
	dnsl_zone_set_enabled(set, 2, 0); /* a bad index is ignored */
	assert_false(dnsl_zone_enabled(set, 2));
	dnsl_set_free(set);
}

static void test_strerror_names_every_code(void **state)
{
	int e;

	for (e = DNSL_OK; e >= DNSL_E_TOOMANY; e--)
		assert_true(strlen(dnsl_strerror(e)) > 0);
	assert_string_not_equal(
	        dnsl_strerror(DNSL_E_ZONE), dnsl_strerror(DNSL_E_WEIGHT));
	assert_string_equal(dnsl_strerror(-99), "unknown DNS list error");
	assert_string_equal(dnsl_strerror(3), "unknown DNS list error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_bare_zone_lists_any_127_answer_with_weight_one),
	        cmocka_unit_test(test_weights_are_decimals_of_either_sign),
	        cmocka_unit_test(
	                test_zone_is_folded_to_lower_case_without_trailing_dot),
	        cmocka_unit_test(
	                test_commas_and_white_space_both_separate_rules),
	        cmocka_unit_test(test_empty_text_gives_an_empty_set),
	        cmocka_unit_test(
	                test_postconf_example_parses_with_allowlist_zones),
	        cmocka_unit_test(test_filter_must_equal_the_answer),
	        cmocka_unit_test(test_octet_ranges_and_sets_match_per_octet),
	        cmocka_unit_test(test_a_set_may_hold_ranges),
	        cmocka_unit_test(test_bitmask_forms_are_equivalent),
	        cmocka_unit_test(test_bitmask_rules_add_each_matching_bit),
	        cmocka_unit_test(test_rules_of_one_zone_share_it_and_add_up),
	        cmocka_unit_test(test_mixed_weights_make_a_blocklist),
	        cmocka_unit_test(test_domain_lists_get_dbl_symbols),
	        cmocka_unit_test(
	                test_thirty_two_zones_fit_and_the_next_does_not),
	        cmocka_unit_test(test_too_many_rules_are_refused),
	        cmocka_unit_test(test_bad_weights_are_refused),
	        cmocka_unit_test(test_bad_zones_are_refused),
	        cmocka_unit_test(test_zone_length_limits_hold),
	        cmocka_unit_test(test_bad_filters_are_refused),
	        cmocka_unit_test(test_trailing_text_is_a_syntax_error),
	        cmocka_unit_test(test_error_names_the_rule_and_the_problem),
	        cmocka_unit_test(
	                test_hostile_rule_is_cut_and_cleaned_in_the_message),
	        cmocka_unit_test(test_error_buffer_may_be_small_or_absent),
	        cmocka_unit_test(test_missing_arguments_are_refused),
	        cmocka_unit_test(test_zones_with_one_symbol_are_refused),
	        cmocka_unit_test(test_long_symbols_are_cut_but_stay_distinct),
	        cmocka_unit_test(test_format_prints_the_canonical_form),
	        cmocka_unit_test(test_format_reads_back_to_an_equal_set),
	        cmocka_unit_test(test_random_rules_round_trip),
	        cmocka_unit_test(test_format_measures_like_snprintf),
	        cmocka_unit_test(test_ipv4_octets_are_reversed),
	        cmocka_unit_test(test_ipv6_nibbles_come_lowest_first),
	        cmocka_unit_test(test_longest_zone_still_fits_an_ipv6_name),
	        cmocka_unit_test(test_query_name_needs_room_and_a_zone),
	        cmocka_unit_test(test_domain_names_are_folded_and_checked),
	        cmocka_unit_test(test_answers_outside_127_are_never_listings),
	        cmocka_unit_test(test_known_error_codes_are_not_listings),
	        cmocka_unit_test(test_spamhaus_sublists_add_once_each),
	        cmocka_unit_test(test_an_error_record_spoils_the_whole_answer),
	        cmocka_unit_test(
	                test_unmatched_and_empty_answers_are_not_listed),
	        cmocka_unit_test(test_a_bad_zone_index_lists_nothing),
	        cmocka_unit_test(test_probe_names_follow_rfc5782),
	        cmocka_unit_test(test_probe_judge_covers_every_pair),
	        cmocka_unit_test(test_probe_result_names_are_stable),
	        cmocka_unit_test(test_probe_answer_ignores_the_filters),
	        cmocka_unit_test(
	                test_zones_start_enabled_and_follow_the_prober),
	        cmocka_unit_test(test_strerror_names_every_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
