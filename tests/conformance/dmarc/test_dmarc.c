/*
 * test_dmarc.c - the pure parts of DMARC: the policy record parser (good
 * and hostile records), the From domain, canonical names, the
 * organisational domain and alignment (milter/dmarc.h, milter/orgdom.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "orgdom.h"

static struct orgdom *psl;

/* parse - dmarc_record_parse on a C string */
static int parse(const char *txt, struct dmarc_record *rec)
{
	return dmarc_record_parse(txt, strlen(txt), rec);
}

/* from - dmarc_from_domain into a static buffer ("" on error) */
static int from(const char *value, const char **domain)
{
	static char buf[DMARC_DOMAIN_LEN];
	int rc;

	strcpy(buf, "");
	rc = dmarc_from_domain(value, buf, sizeof(buf));
	*domain = buf;
	return rc;
}

static void test_record_minimal_reject_defaults(void **state)
{
	struct dmarc_record r;

	assert_int_equal(parse("v=DMARC1; p=reject", &r), DMARC_OK);
	assert_int_equal(r.p, DMARC_POLICY_REJECT);
	assert_int_equal(r.sp, DMARC_POLICY_REJECT);
	assert_int_equal(r.pct, 100);
	assert_int_equal(r.adkim_strict, 0);
	assert_int_equal(r.aspf_strict, 0);
	assert_int_equal(r.has_sp, 0);
	assert_int_equal(r.p_assumed, 0);
}

static void test_record_all_tags(void **state)
{
	struct dmarc_record r;

	assert_int_equal(parse("v=DMARC1; p=quarantine; sp=none; adkim=s; "
	                       "aspf=s; pct=25; rua=mailto:a@example.com; "
	                       "ruf=mailto:f@example.com; fo=1; rf=afrf; "
	                       "ri=86400",
	                         &r),
	        DMARC_OK);
	assert_int_equal(r.p, DMARC_POLICY_QUARANTINE);
	assert_int_equal(r.sp, DMARC_POLICY_NONE);
	assert_int_equal(r.has_sp, 1);
	assert_int_equal(r.adkim_strict, 1);
	assert_int_equal(r.aspf_strict, 1);
	assert_int_equal(r.pct, 25);
	assert_int_equal(r.rua_valid, 1);
}

static void test_record_tag_names_and_keywords_ignore_case(void **state)
{
	struct dmarc_record r;

	assert_int_equal(
	        parse(" V = DMARC1 ;\tP = Reject ; SP=NONE;ADKIM=S;\r\n "
	              "Aspf=R;PCT = 50 ;",
	                &r),
	        DMARC_OK);
	assert_int_equal(r.p, DMARC_POLICY_REJECT);
	assert_int_equal(r.sp, DMARC_POLICY_NONE);
	assert_int_equal(r.adkim_strict, 1);
	assert_int_equal(r.aspf_strict, 0);
	assert_int_equal(r.pct, 50);
}

static void test_record_not_dmarc_is_discarded(void **state)
{
	static const char *const not_dmarc[] = {"", "   ", "v=spf1 -all",
	        "v=dmarc1; p=reject", "v=DMARC10; p=none", "v=DMARC1p=none",
	        "p=reject; v=DMARC1", "; v=DMARC1; p=none", "v=DMARC2; p=none",
	        "v; p=none", "=DMARC1; p=none", "x=DMARC1; p=none"};
	struct dmarc_record r;

	for (size_t i = 0; i < sizeof(not_dmarc) / sizeof(*not_dmarc); i++)
		assert_int_equal(parse(not_dmarc[i], &r), DMARC_E_NOTDMARC);
}

static void test_record_missing_or_bad_policy(void **state)
{
	struct dmarc_record r;

	assert_int_equal(parse("v=DMARC1", &r), DMARC_E_NOPOLICY);
	assert_int_equal(parse("v=DMARC1; pct=100", &r), DMARC_E_NOPOLICY);
	assert_int_equal(parse("v=DMARC1; p=rejected", &r), DMARC_E_NOPOLICY);
	assert_int_equal(parse("v=DMARC1; p=", &r), DMARC_E_NOPOLICY);
	assert_int_equal(
	        parse("v=DMARC1; p=reject; sp=maybe", &r), DMARC_E_NOPOLICY);
	assert_int_equal(parse("v=DMARC1; p=none; rua=notauri", &r), DMARC_OK);
	assert_int_equal(parse("v=DMARC1; rua=notauri", &r), DMARC_E_NOPOLICY);
}

static void test_record_bad_policy_with_rua_means_none(void **state)
{
	struct dmarc_record r;

	assert_int_equal(
	        parse("v=DMARC1; rua=mailto:d@example.com", &r), DMARC_OK);
	assert_int_equal(r.p, DMARC_POLICY_NONE);
	assert_int_equal(r.p_assumed, 1);
	/* an invalid sp voids p too: "as if v=DMARC1; p=none" */
	assert_int_equal(parse("v=DMARC1; p=reject; sp=bogus; "
	                       "rua=mailto:d@example.com",
	                         &r),
	        DMARC_OK);
	assert_int_equal(r.p, DMARC_POLICY_NONE);
	assert_int_equal(r.sp, DMARC_POLICY_NONE);
	assert_int_equal(r.p_assumed, 1);
}

static void test_record_bad_values(void **state)
{
	static const char *const bad[] = {"v=DMARC1; p=none; adkim=x",
	        "v=DMARC1; p=none; aspf=relaxed", "v=DMARC1; p=none; pct=101",
	        "v=DMARC1; p=none; pct=-1", "v=DMARC1; p=none; pct=0100",
	        "v=DMARC1; p=none; pct=", "v=DMARC1; p=none; pct=5 0",
	        "v=DMARC1; p=none; adkim="};
	struct dmarc_record r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(parse(bad[i], &r), DMARC_E_BADVALUE);
}

static void test_record_pct_bounds(void **state)
{
	struct dmarc_record r;

	assert_int_equal(parse("v=DMARC1; p=reject; pct=0", &r), DMARC_OK);
	assert_int_equal(r.pct, 0);
	assert_int_equal(parse("v=DMARC1; p=reject; pct=100", &r), DMARC_OK);
	assert_int_equal(r.pct, 100);
	assert_int_equal(parse("v=DMARC1; p=reject; pct=007", &r), DMARC_OK);
	assert_int_equal(r.pct, 7);
}

static void test_record_syntax_errors(void **state)
{
	static const char *const bad[] = {"v=DMARC1; p=none; p=reject",
	        "v=DMARC1; v=DMARC1; p=none", "v=DMARC1; p=none; junk",
	        "v=DMARC1; p=none; =x", "v=DMARC1; p=none; 1x=y",
	        "v=DMARC1; p=none; x-y=1", "v=DMARC1; p=none; x=\x01",
	        "v=DMARC1; p=none; x=caf\xc3\xa9", "v=DMARC1; p=none; rua"};
	struct dmarc_record r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(parse(bad[i], &r), DMARC_E_SYNTAX);
}

static void test_record_unknown_and_reporting_tags_are_ignored(void **state)
{
	static const char *const good[] = {
	        "v=DMARC1; p=reject; np=none; psd=y; t=y; x_y=1",
	        "v=DMARC1; p=reject; ri=bob; rf=???; fo=zz; ruf=nothing",
	        "v=DMARC1;;; p=reject;;", "v=DMARC1; p=reject; x=a b  c"};
	struct dmarc_record r;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		assert_int_equal(parse(good[i], &r), DMARC_OK);
		assert_int_equal(r.p, DMARC_POLICY_REJECT);
	}
}

static void test_record_rua_validity(void **state)
{
	static const struct {
		const char *rua;
		int valid;
	} c[] = {{"mailto:a@example.com", 1}, {"ftp://abuse.example", 1},
	        {"mailto:a@example.com!10m", 1}, {" , mailto:a@example.com", 1},
	        {"notauri", 0}, {"mailto:", 0}, {"1x:y", 0}, {":x", 0},
	        {"mail to:x", 0}, {"", 0}};
	char txt[128];
	struct dmarc_record r;

	for (size_t i = 0; i < sizeof(c) / sizeof(*c); i++) {
		snprintf(txt, sizeof(txt), "v=DMARC1; rua=%s", c[i].rua);
		assert_int_equal(parse(txt, &r),
		        c[i].valid ? DMARC_OK : DMARC_E_NOPOLICY);
	}
}

static void test_record_hostile_bytes_and_lengths(void **state)
{
	static const char nul[] = "v=DMARC1; p=reject\0; p=none";
	struct dmarc_record r;
	size_t big = 1 << 16;
	char *exact, *txt = malloc(big);

	/* a NUL inside the record is a byte like any other: invalid */
	assert_int_equal(
	        dmarc_record_parse(nul, sizeof(nul) - 1, &r), DMARC_E_SYNTAX);
	/* the parser reads `len` bytes and not one more (ASan checks) */
	exact = malloc(18);
	memcpy(exact, "v=DMARC1; p=reject", 18);
	assert_int_equal(dmarc_record_parse(exact, 18, &r), DMARC_OK);
	assert_int_equal(dmarc_record_parse(exact, 8, &r), DMARC_E_NOPOLICY);
	free(exact);
	/* 64 KiB of unknown tags, then a bad one at the very end */
	assert_non_null(txt);
	strcpy(txt, "v=DMARC1; p=reject");
	for (size_t n = strlen(txt); n + 8 < big; n += 6)
		memcpy(txt + n, "; a=b ", 7);
	assert_int_equal(parse(txt, &r), DMARC_OK);
	memcpy(txt + strlen(txt) - 6, "; =b ", 5); /* the last name empty */
	assert_int_equal(parse(txt, &r), DMARC_E_SYNTAX);
	free(txt);
	assert_int_equal(dmarc_record_parse(NULL, 0, &r), DMARC_E_INVAL);
}

static void test_record_error_leaves_output_untouched(void **state)
{
	struct dmarc_record r, before;

	memset(&r, 0x5a, sizeof(r));
	before = r;
	assert_int_equal(
	        parse("v=DMARC1; p=reject; pct=200", &r), DMARC_E_BADVALUE);
	assert_memory_equal(&r, &before, sizeof(r));
}

static void test_from_plain_and_display_names(void **state)
{
	static const char *const v[] = {"user@Example.COM",
	        " Joe Q. Public <john.q.public@example.com>",
	        "\"Joe <joe@evil.test>\" <joe@example.com>",
	        "joe@example.com (Joe <x@evil.test>)",
	        "(a (nested <x@evil.test>) comment) joe@example.com",
	        "joe@ (comment) example.com", "joe@example . com",
	        "=?utf-8?q?J=C3=B6rg?= <j@example.com>",
	        "Joe\r\n <joe@example.com>", "joe@example.com.",
	        "\"quoted local\"@example.com", "J\xc3\xb6rg <j@example.com>",
	        "<@relay.test,@other.test:joe@example.com>", "joe@example.com,",
	        "\"a\\\"b\" <joe@example.com>"};
	const char *d;

	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		assert_int_equal(from(v[i], &d), DMARC_OK);
		assert_string_equal(d, "example.com");
	}
}

static void test_from_several_addresses(void **state)
{
	const char *d;

	assert_int_equal(from("a@x.example, B <b@X.EXAMPLE>", &d), DMARC_OK);
	assert_string_equal(d, "x.example");
	assert_int_equal(
	        from("a@x.example, b@y.example", &d), DMARC_E_FROM_MULTI);
	assert_int_equal(
	        from("a@x.example, b@sub.x.example", &d), DMARC_E_FROM_MULTI);
}

static void test_from_groups(void **state)
{
	const char *d;

	assert_int_equal(
	        from("Friends: a@x.example, b@x.example;", &d), DMARC_OK);
	assert_string_equal(d, "x.example");
	assert_int_equal(
	        from("undisclosed-recipients:;", &d), DMARC_E_FROM_NONE);
	assert_int_equal(from("g: a@x.example;, c@x.example", &d), DMARC_OK);
	assert_int_equal(from("g: a@x.example", &d), DMARC_E_FROM_SYNTAX);
	assert_int_equal(from("g: h: a@x.example;;", &d), DMARC_E_FROM_SYNTAX);
}

static void test_from_idn_becomes_a_labels(void **state)
{
	const char *d;

	assert_int_equal(from("user@b\xc3\xbc"
	                      "cher.example",
	                         &d),
	        DMARC_OK);
	assert_string_equal(d, "xn--bcher-kva.example");
	assert_int_equal(from("user@B\xc3\x9c"
	                      "CHER.Example",
	                         &d),
	        DMARC_OK);
	assert_string_equal(d, "xn--bcher-kva.example");
	assert_int_equal(from("user@xn--bcher-kva.example", &d), DMARC_OK);
	assert_string_equal(d, "xn--bcher-kva.example");
	assert_int_equal(
	        from("user@\xff\xfe.example", &d), DMARC_E_FROM_DOMAIN);
}

static void test_from_unusable_values(void **state)
{
	static const struct {
		const char *v;
		int rc;
	} c[] = {{"", DMARC_E_FROM_NONE},
	        {"  (just a comment) ", DMARC_E_FROM_NONE},
	        {"Joe", DMARC_E_FROM_SYNTAX}, {"<>", DMARC_E_FROM_SYNTAX},
	        {"\"Joe <a@b.example>", DMARC_E_FROM_SYNTAX},
	        {"(Joe a@b.example", DMARC_E_FROM_SYNTAX},
	        {"Joe <a@b.example", DMARC_E_FROM_SYNTAX},
	        {"a@evil.test <b@good.test>", DMARC_E_FROM_SYNTAX},
	        {"a@b@c.example", DMARC_E_FROM_SYNTAX},
	        {"<a@b.example> junk", DMARC_E_FROM_SYNTAX},
	        {"a@exa mple.com", DMARC_E_FROM_SYNTAX},
	        {"a@", DMARC_E_FROM_SYNTAX},
	        {"a\\b@c.example", DMARC_E_FROM_SYNTAX},
	        {"a@\"c.example\"", DMARC_E_FROM_SYNTAX},
	        {"joe@[192.0.2.1]", DMARC_E_FROM_DOMAIN},
	        {"joe@192.0.2.1", DMARC_E_FROM_DOMAIN},
	        {"joe@.example.com", DMARC_E_FROM_DOMAIN},
	        {"joe@a..example", DMARC_E_FROM_DOMAIN},
	        {"a@x.example, joe@[192.0.2.1]", DMARC_E_FROM_DOMAIN}};
	const char *d;

	for (size_t i = 0; i < sizeof(c) / sizeof(*c); i++) {
		int rc = from(c[i].v, &d);

		if (rc != c[i].rc)
			fail_msg("'%s': %s, expected %s", c[i].v,
			        dmarc_strerror(rc), dmarc_strerror(c[i].rc));
	}
}

static void test_from_long_values_and_small_buffers(void **state)
{
	size_t big = 1 << 17;
	char *v = malloc(big), small[8];

	assert_non_null(v);
	v[0] = '\0';
	while (strlen(v) + 20 < big)
		strcat(v, "a@x.example, ");
	strcat(v, "z@x.example");
	assert_int_equal(
	        dmarc_from_domain(v, small, sizeof(small)), DMARC_E_NOSPACE);
	memset(v, '(', big - 1); /* 128 Ki nested comments, never closed */
	v[big - 1] = '\0';
	assert_int_equal(dmarc_from_domain(v, small, sizeof(small)),
	        DMARC_E_FROM_SYNTAX);
	memset(v, 'a', big - 1); /* a 128 KiB domain */
	v[1] = '@';
	assert_int_equal(dmarc_from_domain(v, small, sizeof(small)),
	        DMARC_E_FROM_DOMAIN);
	free(v);
	assert_int_equal(dmarc_from_domain(NULL, small, 8), DMARC_E_INVAL);
}

static void test_canon_forms(void **state)
{
	char out[ORGDOM_NAME_LEN], label[80];

	assert_int_equal(
	        orgdom_canon("EXAMPLE.com.", 12, out, sizeof(out)), ORGDOM_OK);
	assert_string_equal(out, "example.com");
	assert_int_equal(
	        orgdom_canon("_x.example", 10, out, sizeof(out)), ORGDOM_OK);
	assert_int_equal(
	        orgdom_canon("a..b", 4, out, sizeof(out)), ORGDOM_E_INVAL);
	assert_int_equal(
	        orgdom_canon("a.b\0c", 5, out, sizeof(out)), ORGDOM_E_INVAL);
	assert_int_equal(
	        orgdom_canon(".", 1, out, sizeof(out)), ORGDOM_E_INVAL);
	assert_int_equal(
	        orgdom_canon("a.b/c", 5, out, sizeof(out)), ORGDOM_E_INVAL);
	memset(label, 'a', 64);
	memcpy(label + 64, ".com", 5);
	assert_int_equal(
	        orgdom_canon(label, 68, out, sizeof(out)), ORGDOM_E_INVAL);
	assert_int_equal(
	        orgdom_canon(label + 1, 67, out, sizeof(out)), ORGDOM_OK);
	assert_int_equal(
	        orgdom_canon("example.com", 11, out, 11), ORGDOM_E_NOSPACE);
}

static void test_canon_length_limit(void **state)
{
	char name[300], out[ORGDOM_NAME_LEN];

	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 octets: the longest name */
	memset(name, 'a', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	assert_int_equal(orgdom_canon(name, 253, out, sizeof(out)), ORGDOM_OK);
	assert_int_equal(strlen(out), 253);
	name[253] = '.';
	assert_int_equal(orgdom_canon(name, 254, out, sizeof(out)), ORGDOM_OK);
	assert_int_equal(
	        orgdom_canon(name, 255, out, sizeof(out)), ORGDOM_E_INVAL);
}

static void test_orgdom_open_and_source(void **state)
{
	struct orgdom *o = NULL;
	char out[ORGDOM_NAME_LEN];

	assert_int_equal(
	        orgdom_open("/nonexistent/list.dat", &o), ORGDOM_E_LOAD);
	assert_null(o);
	assert_int_equal(orgdom_open("/usr/share/publicsuffix/"
	                             "public_suffix_list.dat",
	                         &o),
	        ORGDOM_OK);
	assert_string_equal(orgdom_source(o),
	        "/usr/share/publicsuffix/public_suffix_list.dat");
	assert_int_equal(orgdom_find(o, "a.b.example.co.uk", out, sizeof(out)),
	        ORGDOM_OK);
	assert_string_equal(out, "example.co.uk");
	orgdom_close(o);
	orgdom_close(NULL);
	assert_true(strlen(orgdom_source(psl)) > 0);
}

static void test_orgdom_public_suffix_is_its_own_org(void **state)
{
	char out[ORGDOM_NAME_LEN];

	assert_int_equal(orgdom_registrable(psl, "co.uk", out, sizeof(out)),
	        ORGDOM_E_NONE);
	assert_int_equal(
	        orgdom_find(psl, "CO.UK.", out, sizeof(out)), ORGDOM_OK);
	assert_string_equal(out, "co.uk");
	assert_int_equal(orgdom_find(psl, "Mail.Example.COM", out, sizeof(out)),
	        ORGDOM_OK);
	assert_string_equal(out, "example.com");
	assert_int_equal(
	        orgdom_find(psl, "a..b", out, sizeof(out)), ORGDOM_E_INVAL);
	assert_int_equal(orgdom_find(psl, "mail.example.com", out, 11),
	        ORGDOM_E_NOSPACE);
}

/* lookups - what each thread does with the shared list */
static void *lookups(void *arg)
{
	char out[ORGDOM_NAME_LEN];
	intptr_t bad = 0;

	for (int i = 0; i < 2000; i++) {
		if (orgdom_find(psl, "www.test.k12.ak.us", out, sizeof(out)) ||
		        strcmp(out, "test.k12.ak.us") != 0)
			bad++;
		if (orgdom_find(psl,
		            "b\xc3\xbc"
		            "cher.co.uk",
		            out, sizeof(out)) ||
		        strcmp(out, "xn--bcher-kva.co.uk") != 0)
			bad++;
	}
	return (void *)bad;
}

static void test_orgdom_shared_by_threads(void **state)
{
	pthread_t t[4];
	void *bad;

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, lookups, NULL), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
}

static void test_alignment_modes(void **state)
{
	assert_true(dmarc_aligned(psl, "example.com", "EXAMPLE.COM.", 1));
	assert_false(dmarc_aligned(psl, "example.com", "mail.example.com", 1));
	assert_true(dmarc_aligned(psl, "example.com", "mail.example.com", 0));
	assert_true(dmarc_aligned(psl, "a.example.com", "b.example.com", 0));
	assert_false(dmarc_aligned(psl, "example.com", "example.net", 0));
	assert_false(dmarc_aligned(psl, "example.com", "xexample.com", 0));
	/* the org of a.co.uk is a.co.uk: no alignment through the suffix */
	assert_false(dmarc_aligned(psl, "a.co.uk", "b.co.uk", 0));
	assert_false(dmarc_aligned(psl, "co.uk", "a.co.uk", 0));
	assert_true(dmarc_aligned(psl, "co.uk", "co.uk", 0));
	assert_true(dmarc_aligned(psl,
	        "b\xc3\xbc"
	        "cher.example",
	        "mail.xn--bcher-kva.example", 0));
	assert_false(dmarc_aligned(psl, "example.com", "", 0));
	assert_false(dmarc_aligned(psl, NULL, "example.com", 0));
	assert_false(dmarc_aligned(psl, "example.com", NULL, 1));
}

static void test_names_are_static_texts(void **state)
{
	assert_string_equal(
	        dmarc_policy_name(DMARC_POLICY_QUARANTINE), "quarantine");
	assert_string_equal(dmarc_strerror(DMARC_E_FROM_MULTI),
	        "From addresses in different domains");
	assert_string_equal(dmarc_strerror(-99), "unknown error");
	assert_string_equal(dmarc_strerror(1), "unknown error");
	assert_string_equal(orgdom_strerror(ORGDOM_E_NONE), "a public suffix");
}

/* setup - the list the milter would load, shared by every test */
static int setup(void **state)
{
	return orgdom_open(NULL, &psl);
}

static int teardown(void **state)
{
	orgdom_close(psl);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_record_minimal_reject_defaults),
	        cmocka_unit_test(test_record_all_tags),
	        cmocka_unit_test(
	                test_record_tag_names_and_keywords_ignore_case),
	        cmocka_unit_test(test_record_not_dmarc_is_discarded),
	        cmocka_unit_test(test_record_missing_or_bad_policy),
	        cmocka_unit_test(test_record_bad_policy_with_rua_means_none),
	        cmocka_unit_test(test_record_bad_values),
	        cmocka_unit_test(test_record_pct_bounds),
	        cmocka_unit_test(test_record_syntax_errors),
	        cmocka_unit_test(
	                test_record_unknown_and_reporting_tags_are_ignored),
	        cmocka_unit_test(test_record_rua_validity),
	        cmocka_unit_test(test_record_hostile_bytes_and_lengths),
	        cmocka_unit_test(test_record_error_leaves_output_untouched),
	        cmocka_unit_test(test_from_plain_and_display_names),
	        cmocka_unit_test(test_from_several_addresses),
	        cmocka_unit_test(test_from_groups),
	        cmocka_unit_test(test_from_idn_becomes_a_labels),
	        cmocka_unit_test(test_from_unusable_values),
	        cmocka_unit_test(test_from_long_values_and_small_buffers),
	        cmocka_unit_test(test_canon_forms),
	        cmocka_unit_test(test_canon_length_limit),
	        cmocka_unit_test(test_orgdom_open_and_source),
	        cmocka_unit_test(test_orgdom_public_suffix_is_its_own_org),
	        cmocka_unit_test(test_orgdom_shared_by_threads),
	        cmocka_unit_test(test_alignment_modes),
	        cmocka_unit_test(test_names_are_static_texts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
