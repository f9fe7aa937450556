/*
 * test_trust.c - the trust rules (tools/trust.h): every drop reason with
 * a record that is dropped and one that passes, bogons of both families,
 * public suffixes, the never-list in both directions checked against
 * rep_subject_covers, sentinels, delists; every branch of the quarantine
 * heuristics; and the time trust_check takes on a million records.
 *
 * Addresses that must pass are real, routed ones: they are data only,
 * nothing is contacted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trust.h"
#include "trusttest.h"

/* subj - a subject from its text form */
static struct rep_subject subj(const char *text)
{
	struct rep_subject s;

	if (rep_subject_parse(text, &s) != REP_OK)
		fail_msg("bad test subject %s", text);
	return s;
}

/* rec - a record of `op` and `cat` about a subject */
static struct feed_record rec(const char *text, int op, int cat)
{
	struct feed_record r;

	memset(&r, 0, sizeof r);
	r.subject = subj(text);
	r.op = (uint8_t)op;
	r.category = (uint8_t)cat;
	r.confidence = 90;
	r.first_seen = r.last_seen = 1700000000;
	r.hits = 1;
	r.seq = 1;
	return r;
}

/* verdict - trust_check of a spam listing of `text` */
static int verdict(const struct trust *t, const char *text)
{
	struct feed_record r = rec(text, REP_OP_LIST, REP_CAT_SPAM);

	return trust_check(t, &r);
}

/* expect - every subject of a NULL-terminated list gets verdict `v` */
static void expect(const struct trust *t, int v, const char *const *list)
{
	for (; *list != NULL; list++)
		if (verdict(t, *list) != v)
			fail_msg("%s: %s, expected %s", *list,
			        trust_verdict_name(verdict(t, *list)),
			        trust_verdict_name(v));
}

/* fresh - default rules */
static struct trust *fresh(void)
{
	struct trust *t = NULL;

	assert_int_equal(trust_new(&t), TRUST_OK);
	assert_non_null(t);
	return t;
}

/* never - add a never-list entry */
static void never(struct trust *t, const char *text)
{
	struct rep_subject s = subj(text);

	assert_int_equal(trust_add_never(t, &s), TRUST_OK);
}

/* sentinel - add a sentinel */
static void sentinel(struct trust *t, const char *text)
{
	struct rep_subject s = subj(text);

	assert_int_equal(trust_add_sentinel(t, &s), TRUST_OK);
}

/* ---- what passes ---- */

static void test_clean_records_pass_default_rules(void **state)
{
	static const char *const ok[] = {"1.2.3.4", "81.2.69.0/24",
	        "81.2.69.128/25", "2a00:1450:4001::/48", "2a00:1450::1",
	        "example.com", ".example.co.uk", "*.example.org",
	        "auth:example.net", "mail.example.com", NULL};
	struct trust *t = fresh();

	(void)state;
	expect(t, TRUST_OK, ok);
	trust_free(t);
}

static void test_allow_records_pass_and_are_judged_too(void **state)
{
	struct trust *t = fresh();
	struct feed_record ok = rec("81.2.69.7", REP_OP_ALLOW, REP_CAT_SPAM);
	struct feed_record bogon = rec("10.1.2.3", REP_OP_ALLOW, REP_CAT_SPAM);
	struct feed_record suffix = rec(".com", REP_OP_ALLOW, REP_CAT_SPAM);

	(void)state;
	assert_int_equal(trust_check(t, &ok), TRUST_OK);
	assert_int_equal(trust_check(t, &bogon), TRUST_DROP_BOGON);
	assert_int_equal(trust_check(t, &suffix), TRUST_DROP_SUFFIX);
	trust_free(t);
}

static void test_delists_pass_every_rule(void **state)
{
	static const char *const subjects[] = {"10.0.0.0/8", "81.0.0.0/8",
	        "com", ".co.uk", "81.2.69.10", "example.net", "8.8.8.8",
	        "2001:db8::/32", NULL};
	const char *const *s;
	struct trust *t = fresh();
	struct feed_record r;

	(void)state;
	assert_int_equal(trust_set_categories(t, 1u << REP_CAT_BOT), 0);
	never(t, "81.2.69.10");
	never(t, "example.net");
	sentinel(t, "8.8.8.8");
	for (s = subjects; *s != NULL; s++) {
		r = rec(*s, REP_OP_DELIST, REP_CAT_SPAM);
		assert_int_equal(trust_check(t, &r), TRUST_OK);
		r.op = REP_OP_LIST;
		assert_int_not_equal(trust_check(t, &r), TRUST_OK);
	}
	trust_free(t);
}

/* ---- category ---- */

static void test_category_outside_mask_is_dropped(void **state)
{
	struct trust *t = fresh();
	struct feed_record spam = rec("1.2.3.4", REP_OP_LIST, REP_CAT_SPAM);
	struct feed_record bot = rec("1.2.3.4", REP_OP_LIST, REP_CAT_BOT);
	struct feed_record odd = rec("1.2.3.4", REP_OP_LIST, REP_CAT_SPAM);
	int cat;

	(void)state;
	for (cat = 1; cat <= REP_CAT_MAX; cat++) {
		bot.category = (uint8_t)cat;
		assert_int_equal(trust_check(t, &bot), TRUST_OK);
	}
	bot.category = REP_CAT_BOT;
	assert_int_equal(trust_set_categories(
	                         t, 1u << REP_CAT_SPAM | 1u << REP_CAT_PHISH),
	        TRUST_OK);
	assert_int_equal(trust_check(t, &spam), TRUST_OK);
	assert_int_equal(trust_check(t, &bot), TRUST_DROP_CATEGORY);
	odd.category = 0;
	assert_int_equal(trust_check(t, &odd), TRUST_DROP_CATEGORY);
	odd.category = REP_CAT_MAX + 1;
	assert_int_equal(trust_check(t, &odd), TRUST_DROP_CATEGORY);
	assert_int_equal(trust_set_categories(t, 0), TRUST_OK);
	assert_int_equal(trust_check(t, &spam), TRUST_DROP_CATEGORY);
	trust_free(t);
}

static void test_category_mask_with_unknown_bits_is_refused(void **state)
{
	struct trust *t = fresh();
	struct feed_record bot = rec("1.2.3.4", REP_OP_LIST, REP_CAT_BOT);

	(void)state;
	assert_int_equal(trust_set_categories(t, 1u), TRUST_E_INVAL);
	assert_int_equal(
	        trust_set_categories(t, 2u << REP_CAT_MAX), TRUST_E_INVAL);
	assert_int_equal(trust_check(t, &bot), TRUST_OK); /* unchanged */
	trust_free(t);
}

/* ---- prefix ---- */

static void test_prefix_wider_than_allowed_is_dropped(void **state)
{
	static const char *const wide[] = {"81.0.0.0/8", "81.2.68.0/23",
	        "2a00:1450::/32", "2a00:1450:4000::/47", NULL};
	static const char *const narrow[] = {"81.2.69.0/24", "81.2.69.7",
	        "2a00:1450:4001::/48", "2a00:1450:4001:1::/64", NULL};
	struct trust *t = fresh();

	(void)state;
	expect(t, TRUST_DROP_PREFIX, wide);
	expect(t, TRUST_OK, narrow);
	assert_int_equal(trust_set_max_prefix(t, 8, 32), TRUST_OK);
	expect(t, TRUST_OK, wide);
	assert_int_equal(verdict(t, "80.0.0.0/7"), TRUST_DROP_PREFIX);
	assert_int_equal(verdict(t, "2a00::/31"), TRUST_DROP_PREFIX);
	assert_int_equal(trust_set_max_prefix(t, 32, 128), TRUST_OK);
	assert_int_equal(verdict(t, "81.2.69.0/31"), TRUST_DROP_PREFIX);
	assert_int_equal(verdict(t, "81.2.69.7"), TRUST_OK);
	assert_int_equal(verdict(t, "2a00:1450::1"), TRUST_OK);
	trust_free(t);
}

static void test_max_prefix_out_of_range_is_refused(void **state)
{
	struct trust *t = fresh();

	(void)state;
	assert_int_equal(trust_set_max_prefix(t, 33, 48), TRUST_E_INVAL);
	assert_int_equal(trust_set_max_prefix(t, 24, 129), TRUST_E_INVAL);
	assert_int_equal(verdict(t, "81.2.68.0/23"), TRUST_DROP_PREFIX);
	trust_free(t);
}

/* ---- bogons ---- */

static void test_ipv4_bogons_are_dropped(void **state)
{
	static const char *const bogon[] = {"0.0.0.0", "0.1.2.3", "10.0.0.0/8",
	        "10.1.2.3", "10.255.255.255", "100.64.0.0", "100.127.255.255",
	        "127.0.0.1", "127.255.255.255", "169.254.1.1", "172.16.0.0/12",
	        "172.31.255.255", "192.0.0.9", "192.0.2.1", "192.88.99.1",
	        "192.168.0.0/16", "192.168.1.0/24", "198.18.0.1",
	        "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.5",
	        "239.255.255.255", "240.0.0.1", "255.255.255.255", NULL};
	static const char *const ok[] = {"1.0.0.1", "9.255.255.255", "11.0.0.1",
	        "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.1",
	        "169.253.255.255", "172.15.255.255", "172.32.0.1",
	        "192.0.1.255", "192.0.3.0", "192.167.255.255", "192.169.0.0",
	        "198.17.255.255", "198.20.0.0", "223.255.255.255", NULL};
	struct trust *t = fresh();

	(void)state;
	assert_int_equal(trust_set_max_prefix(t, 0, 0), TRUST_OK);
	expect(t, TRUST_DROP_BOGON, bogon);
	expect(t, TRUST_OK, ok);
	trust_free(t);
}

static void test_ipv6_bogons_are_dropped(void **state)
{
	static const char *const bogon[] = {"::1", "::", "::/128",
	        "2001:db8::1", "2001:db8:1::/48", "fc00::1", "fd12:3456::/48",
	        "fe80::1", "fe80::/10", "ff02::1", "64:ff9b::102:304", "100::1",
	        "3fff::1", "2001:2::1", "2001:10::1", "2001:20::1", "4000::1",
	        "8000::1", "1fff:ffff::1", NULL};
	static const char *const ok[] = {"2a00:1450::1", "2001:db9::1",
	        "2001:db7:ffff::1", "2600::1", "2001:4860:4860::8888",
	        "2000::1", "3ffe:ffff::1", "2001:30::1", NULL};
	struct trust *t = fresh();

	(void)state;
	assert_int_equal(trust_set_max_prefix(t, 0, 0), TRUST_OK);
	expect(t, TRUST_DROP_BOGON, bogon);
	expect(t, TRUST_OK, ok);
	trust_free(t);
}

static void test_prefix_overlapping_a_bogon_is_dropped(void **state)
{
	/* 8.0.0.0/5 is 8.0.0.0-15.255.255.255 and holds 10/8; 96/3 holds
	 * 100.64/10 and 127/8; 2000::/3 holds 2001:db8::/32 */
	static const char *const bogon[] = {"8.0.0.0/5", "0.0.0.0/0",
	        "96.0.0.0/3", "192.0.0.0/8", "2000::/3", "2001:d00::/24",
	        "::/0", NULL};
	static const char *const ok[] = {"12.0.0.0/6", "16.0.0.0/4",
	        "64.0.0.0/3", "2400::/6", "2001:e00::/24", NULL};
	struct trust *t = fresh();

	(void)state;
	assert_int_equal(trust_set_max_prefix(t, 0, 0), TRUST_OK);
	expect(t, TRUST_DROP_BOGON, bogon);
	expect(t, TRUST_OK, ok);
	trust_free(t);
}

static void test_prefix_rule_comes_before_bogon_rule(void **state)
{
	struct trust *t = fresh();

	(void)state;
	assert_int_equal(verdict(t, "10.0.0.0/8"), TRUST_DROP_PREFIX);
	assert_int_equal(verdict(t, "10.0.0.0/24"), TRUST_DROP_BOGON);
	trust_free(t);
}

/* ---- public suffixes ---- */

static void test_public_suffixes_are_dropped(void **state)
{
	static const char *const suffix[] = {"com", "co.uk", "uk", ".com",
	        "*.com", ".co.uk", "*.co.uk", "auth:com", "auth:co.uk",
	        "github.io", ".github.io", "localhost", NULL};
	static const char *const ok[] = {"example.com", ".example.com",
	        "*.example.com", "example.co.uk", ".example.co.uk",
	        "auth:example.com", "foo.github.io", "mail.example.com", NULL};
	struct trust *t = fresh();

	(void)state;
	expect(t, TRUST_DROP_SUFFIX, suffix);
	expect(t, TRUST_OK, ok);
	trust_free(t);
}

/* ---- never-list ---- */

static void test_never_list_addresses_both_directions(void **state)
{
	static const char *const hit[] = {
	        "81.2.69.0/24",        /* a listing covering our MX */
	        "81.2.69.10",          /* our MX itself */
	        "81.2.70.5",           /* an address inside our net */
	        "81.2.70.128/25",      /* a prefix inside our net */
	        "2a00:1450:4001:1::1", /* inside our IPv6 net */
	        "2a00:1450::/32",      /* covering our IPv6 net */
	        NULL};
	static const char *const ok[] = {"81.2.69.11", "81.2.68.0/24",
	        "81.2.71.0/24", "2a00:1451::/32", "2a00:1450:4002::1", NULL};
	struct trust *t = fresh();

	(void)state;
	assert_int_equal(trust_set_max_prefix(t, 24, 32), TRUST_OK);
	never(t, "81.2.69.10");
	never(t, "81.2.70.0/24");
	never(t, "2a00:1450:4001::/48");
	expect(t, TRUST_DROP_NEVER, hit);
	expect(t, TRUST_OK, ok);
	trust_free(t);
}

static void test_never_list_names_both_directions(void **state)
{
	static const char *const hit[] = {"example.net", "mail.example.net",
	        ".example.net", "*.example.net", "auth:example.net",
	        "auth:mx.example.net",
	        ".partner.org", /* a tree above a partner's MX */
	        "*.partner.org", "mx.partner.org", "auth:mx.partner.org",
	        "www.example.biz", /* under our "*.example.biz" */
	        ".example.biz", "*.example.biz", NULL};
	static const char *const ok[] = {"partner.org", "other.partner.org",
	        "auth:partner.org", "example.biz", "auth:example.biz",
	        "example.org", "notexample.net", "*.mx.partner.org", NULL};
	struct trust *t = fresh();

	(void)state;
	never(t, ".example.net");
	never(t, "mx.partner.org");
	never(t, "*.example.biz");
	expect(t, TRUST_DROP_NEVER, hit);
	expect(t, TRUST_OK, ok);
	trust_free(t);
}

/* overlap - what the never-list means, by the library's own covers */
static int overlap(const struct rep_subject *a, const struct rep_subject *b)
{
	struct rep_subject x = *a, y = *b;

	if (x.kind == REP_KIND_AUTH)
		x.kind = REP_KIND_DOMAIN;
	if (y.kind == REP_KIND_AUTH)
		y.kind = REP_KIND_DOMAIN;
	return rep_subject_covers(&x, &y) || rep_subject_covers(&y, &x);
}

/* gen_name - a subject below "t.example.com", from a seed */
static void gen_name(unsigned v, char *buf, size_t len)
{
	static const char *const label[] = {"a", "b", "c"};
	static const char *const pre[] = {"", ".", "*.", "auth:"};
	char name[64] = "t.example.com";
	char tmp[64];
	unsigned depth = v % 4, i;

	v /= 4;
	for (i = 0; i < depth; i++, v /= 3) {
		snprintf(tmp, sizeof tmp, "%s.%s", label[v % 3], name);
		memcpy(name, tmp, sizeof name);
	}
	snprintf(buf, len, "%s%s", pre[v % 4], name);
}

static void test_never_list_names_agree_with_covers(void **state)
{
	struct rep_subject nv[6], s;
	struct feed_record r;
	char text[80];
	unsigned i, j, k, seed = 12345;
	struct trust *t;
	int want, hits = 0;

	(void)state;
	for (k = 0; k < 200; k++) {
		t = fresh();
		for (j = 0; j < 1 + k % 6; j++) {
			seed = seed * 1103515245u + 12345u;
			gen_name(seed >> 8, text, sizeof text);
			nv[j] = subj(text);
			assert_int_equal(trust_add_never(t, &nv[j]), 0);
		}
		for (i = 0; i < 4 * 82; i++) {
			gen_name(i, text, sizeof text);
			s = subj(text);
			r = rec(text, REP_OP_LIST, REP_CAT_SPAM);
			for (want = 0, j = 0; j < 1 + k % 6; j++)
				want |= overlap(&s, &nv[j]);
			hits += want;
			if (trust_check(t, &r) !=
			        (want ? TRUST_DROP_NEVER : TRUST_OK))
				fail_msg("%s: %s", text,
				        trust_verdict_name(trust_check(t, &r)));
		}
		trust_free(t);
	}
	assert_true(hits > 1000);
}

static void test_never_list_addresses_agree_with_covers(void **state)
{
	struct rep_subject nv[8], s;
	struct feed_record r;
	char text[64];
	unsigned i, j, seed = 777, n = 8;
	struct trust *t = fresh();
	uint32_t a;
	int want, hits = 0;

	(void)state;
	assert_int_equal(trust_set_max_prefix(t, 0, 0), TRUST_OK);
	for (j = 0; j < n; j++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(text, sizeof text, "81.%u.0.0/%u", seed >> 28,
		        12 + (seed >> 8) % 5);
		if (rep_subject_parse(text, &nv[j]) != REP_OK)
			snprintf(text, sizeof text, "81.%u.0.0/16", seed >> 28);
		nv[j] = subj(text);
		assert_int_equal(trust_add_never(t, &nv[j]), 0);
	}
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(text, sizeof text, "81.%u.%u.0/24", (seed >> 20) % 16,
		        (seed >> 8) % 256);
		s = subj(text);
		s.plen = (uint8_t)(8 + (seed >> 4) % 25);
		a = (uint32_t)s.addr[1] << 16 | (uint32_t)s.addr[2] << 8;
		a &= 0xffffffffu << (32 - s.plen); /* canonical: no host bits */
		s.addr[1] = (uint8_t)(a >> 16);
		s.addr[2] = (uint8_t)(a >> 8);
		r = rec("1.2.3.4", REP_OP_LIST, REP_CAT_SPAM);
		r.subject = s;
		for (want = 0, j = 0; j < n; j++)
			want |= overlap(&s, &nv[j]);
		hits += want;
		assert_int_equal(
		        trust_check(t, &r), want ? TRUST_DROP_NEVER : TRUST_OK);
	}
	assert_true(hits > 100 && hits < 19900);
	trust_free(t);
}

/* ---- sentinels ---- */

static void test_sentinel_listing_condemns_the_file(void **state)
{
	static const char *const hit[] = {"8.8.8.8", "8.8.8.0/24",
	        "2001:4860:4860::8888", "2001:4860:4860::/48", "google.com",
	        ".google.com", "auth:google.com", NULL};
	static const char *const ok[] = {"8.8.4.4", "8.8.9.0/24",
	        "2001:4860:4861::1", "mail.google.com", "*.google.com",
	        "google.org", NULL};
	struct trust *t = fresh();
	struct feed_record r;

	(void)state;
	sentinel(t, "8.8.8.8");
	sentinel(t, "2001:4860:4860::8888");
	sentinel(t, "google.com");
	expect(t, TRUST_SENTINEL, hit);
	expect(t, TRUST_OK, ok);
	/* a sentinel wins over every drop reason */
	assert_int_equal(trust_set_categories(t, 1u << REP_CAT_BOT), 0);
	assert_int_equal(trust_set_max_prefix(t, 32, 128), 0);
	never(t, "8.8.8.0/24");
	assert_int_equal(verdict(t, "8.8.8.0/24"), TRUST_SENTINEL);
	/* only a listing: allow and delist pass it */
	r = rec("8.8.8.8", REP_OP_ALLOW, REP_CAT_BOT);
	assert_int_equal(trust_check(t, &r), TRUST_DROP_NEVER);
	r = rec("2001:4860:4860::8888", REP_OP_ALLOW, REP_CAT_BOT);
	assert_int_equal(trust_check(t, &r), TRUST_OK);
	r.op = REP_OP_DELIST;
	assert_int_equal(trust_check(t, &r), TRUST_OK);
	trust_free(t);
}

/* ---- set-up errors and names ---- */

static void test_set_up_refuses_bad_arguments(void **state)
{
	struct trust *t = fresh();
	struct rep_subject s = subj("1.2.3.4");
	struct feed_record r = rec("1.2.3.4", REP_OP_LIST, REP_CAT_SPAM);

	(void)state;
	assert_int_equal(trust_new(NULL), TRUST_E_INVAL);
	assert_int_equal(trust_add_never(NULL, &s), TRUST_E_INVAL);
	assert_int_equal(trust_add_never(t, NULL), TRUST_E_INVAL);
	assert_int_equal(trust_add_sentinel(t, NULL), TRUST_E_INVAL);
	assert_int_equal(trust_set_categories(NULL, 2), TRUST_E_INVAL);
	assert_int_equal(trust_set_max_prefix(NULL, 24, 48), TRUST_E_INVAL);
	s.kind = 9;
	assert_int_equal(trust_add_never(t, &s), TRUST_E_INVAL);
	r.subject.kind = 9;
	assert_int_equal(trust_check(t, &r), TRUST_DROP_BOGON);
	assert_int_equal(trust_check(t, NULL), TRUST_DROP_BOGON);
	trust_free(t);
	trust_free(NULL);
}

static void test_never_list_is_bounded(void **state)
{
	struct trust *t = fresh();
	struct rep_subject s = subj("81.0.0.0/32");
	unsigned i;

	(void)state;
	for (i = 0; i < TRUST_SUBJECTS_MAX; i++) {
		s.addr[1] = (uint8_t)(i >> 8);
		s.addr[2] = (uint8_t)i;
		assert_int_equal(trust_add_never(t, &s), TRUST_OK);
	}
	s.addr[3] = 1;
	assert_int_equal(trust_add_never(t, &s), TRUST_E_LIMIT);
	assert_int_equal(verdict(t, "81.15.255.0"), TRUST_DROP_NEVER);
	assert_int_equal(verdict(t, "81.15.255.1"), TRUST_OK);
	assert_int_equal(verdict(t, "81.16.0.0"), TRUST_OK);
	trust_free(t);
}

static void test_many_never_names_are_all_found(void **state)
{
	struct trust *t = fresh();
	char text[64];
	unsigned i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		snprintf(text, sizeof text, "%sh%u.n%u.example.com",
		        i % 2 ? "." : "", i, i % 97);
		never(t, text);
	}
	for (i = 0; i < 3000; i++) {
		snprintf(text, sizeof text, "h%u.n%u.example.com", i, i % 97);
		assert_int_equal(verdict(t, text), TRUST_DROP_NEVER);
		snprintf(text, sizeof text, "x.h%u.n%u.example.com", i, i % 97);
		assert_int_equal(
		        verdict(t, text), i % 2 ? TRUST_DROP_NEVER : TRUST_OK);
		snprintf(text, sizeof text, "h%u.n%u.example.com", i,
		        (i + 1) % 97);
		assert_int_equal(verdict(t, text), TRUST_OK);
	}
	for (i = 0; i < 97; i++) {
		snprintf(text, sizeof text, "*.n%u.example.com", i);
		assert_int_equal(verdict(t, text), TRUST_DROP_NEVER);
		snprintf(text, sizeof text, "n%u.example.com", i);
		assert_int_equal(verdict(t, text), TRUST_OK);
	}
	assert_int_equal(verdict(t, ".example.com"), TRUST_DROP_NEVER);
	assert_int_equal(verdict(t, ".example.org"), TRUST_OK);
	trust_free(t);
}

static void test_verdicts_and_errors_have_names(void **state)
{
	static const char *const names[] = {"ok", "category", "prefix", "bogon",
	        "suffix", "never", "sentinel"};
	int v;

	(void)state;
	assert_int_equal(TRUST_VERDICTS, 7);
	for (v = 0; v < TRUST_VERDICTS; v++)
		assert_string_equal(trust_verdict_name(v), names[v]);
	assert_string_equal(trust_verdict_name(-1), "unknown");
	assert_string_equal(trust_verdict_name(TRUST_VERDICTS), "unknown");
	for (v = TRUST_E_LIMIT; v <= 0; v++)
		assert_null(strstr(trust_strerror(v), "unknown"));
	assert_non_null(strstr(trust_strerror(-99), "unknown"));
}

/* ---- speed ---- */

/* seconds - a monotonic clock */
static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* time_records - trust_check over n records made by `make`, with the
 * verdicts counted; prints the time */
static void time_records(const struct trust *t, const char *what, size_t n,
        void (*make)(struct feed_record *, size_t))
{
	struct feed_record *v = calloc(n, sizeof(*v));
	size_t i, count[TRUST_VERDICTS] = {0};
	double t0, t1;

	assert_non_null(v);
	for (i = 0; i < n; i++)
		make(&v[i], i);
	t0 = seconds();
	for (i = 0; i < n; i++)
		count[trust_check(t, &v[i])]++;
	t1 = seconds();
	print_message("# trust_check: %zu %s in %.3f s (%.0f ns each); ok %zu "
	              "prefix %zu bogon %zu suffix %zu never %zu\n",
	        n, what, t1 - t0, (t1 - t0) * 1e9 / (double)n, count[TRUST_OK],
	        count[TRUST_DROP_PREFIX], count[TRUST_DROP_BOGON],
	        count[TRUST_DROP_SUFFIX], count[TRUST_DROP_NEVER]);
	assert_true(count[TRUST_OK] > n / 4);
	free(v);
}

/* make_ip - a list record of a pseudo-random address or prefix, one in
 * four IPv6 */
static void make_ip(struct feed_record *r, size_t i)
{
	uint32_t x = (uint32_t)(i * 2654435761u);

	memset(r, 0, sizeof(*r));
	r->op = REP_OP_LIST;
	r->category = REP_CAT_SPAM;
	if (i % 4 == 3) {
		r->subject.kind = REP_KIND_IP6;
		r->subject.plen = 128;
		r->subject.addr[0] = 0x2a;
		memcpy(r->subject.addr + 4, &x, 4);
		return;
	}
	r->subject.kind = REP_KIND_IP4;
	r->subject.plen = i % 8 == 0 ? 24 : 32;
	r->subject.addr[0] = (uint8_t)(x >> 24);
	r->subject.addr[1] = (uint8_t)(x >> 16);
	r->subject.addr[2] = (uint8_t)(x >> 8);
	r->subject.addr[3] = r->subject.plen == 24 ? 0 : (uint8_t)x;
}

/* make_name - a list record of a pseudo-random name */
static void make_name(struct feed_record *r, size_t i)
{
	static const char *const tld[] = {"com", "net", "co.uk", "de", "org"};
	static const char *const pre[] = {"", "mail.", "a.b."};

	memset(r, 0, sizeof(*r));
	r->op = REP_OP_LIST;
	r->category = REP_CAT_SPAM;
	r->subject.kind = i % 10 == 0 ? REP_KIND_AUTH : REP_KIND_DOMAIN;
	snprintf(r->subject.name, sizeof(r->subject.name), "%sx%zu.%s",
	        pre[i % 3], (size_t)(i * 2654435761u % 100000), tld[i % 5]);
}

static void test_trust_check_speed_on_a_million_records(void **state)
{
	struct trust *t = fresh();
	struct rep_subject s;
	char text[64];
	unsigned i;

	(void)state;
	/* a realistic never-list: 1000 servers, 100 networks, 100 names */
	for (i = 0; i < 1000; i++) {
		snprintf(text, sizeof text, "81.%u.%u.%u", i % 7, i % 251,
		        i % 253);
		s = subj(text);
		assert_int_equal(trust_add_never(t, &s), 0);
	}
	for (i = 0; i < 100; i++) {
		snprintf(text, sizeof text, "2a02:%x::/32", i);
		s = subj(text);
		assert_int_equal(trust_add_never(t, &s), 0);
		snprintf(text, sizeof text, ".x%u.net", i);
		s = subj(text);
		assert_int_equal(trust_add_never(t, &s), 0);
		snprintf(text, sizeof text, "9.%u.0.0/16", i);
		s = subj(text);
		assert_int_equal(trust_add_sentinel(t, &s), 0);
	}
	time_records(t, "address records", 1000000, make_ip);
	time_records(t, "name records", 1000000, make_name);
	trust_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_clean_records_pass_default_rules),
	        cmocka_unit_test(test_allow_records_pass_and_are_judged_too),
	        cmocka_unit_test(test_delists_pass_every_rule),
	        cmocka_unit_test(test_category_outside_mask_is_dropped),
	        cmocka_unit_test(
	                test_category_mask_with_unknown_bits_is_refused),
	        cmocka_unit_test(test_prefix_wider_than_allowed_is_dropped),
	        cmocka_unit_test(test_max_prefix_out_of_range_is_refused),
	        cmocka_unit_test(test_ipv4_bogons_are_dropped),
	        cmocka_unit_test(test_ipv6_bogons_are_dropped),
	        cmocka_unit_test(test_prefix_overlapping_a_bogon_is_dropped),
	        cmocka_unit_test(test_prefix_rule_comes_before_bogon_rule),
	        cmocka_unit_test(test_public_suffixes_are_dropped),
	        cmocka_unit_test(test_never_list_addresses_both_directions),
	        cmocka_unit_test(test_never_list_names_both_directions),
	        cmocka_unit_test(test_never_list_names_agree_with_covers),
	        cmocka_unit_test(test_never_list_addresses_agree_with_covers),
	        cmocka_unit_test(test_sentinel_listing_condemns_the_file),
	        cmocka_unit_test(test_set_up_refuses_bad_arguments),
	        cmocka_unit_test(test_never_list_is_bounded),
	        cmocka_unit_test(test_many_never_names_are_all_found),
	        cmocka_unit_test(test_verdicts_and_errors_have_names),
	        cmocka_unit_test(test_judge_passes_an_ordinary_delta),
	        cmocka_unit_test(test_judge_sentinel),
	        cmocka_unit_test(test_judge_sequence_jump),
	        cmocka_unit_test(test_judge_record_budget),
	        cmocka_unit_test(test_judge_snapshot_drop_share),
	        cmocka_unit_test(test_judge_change_share),
	        cmocka_unit_test(test_judge_shares_wait_for_min_records),
	        cmocka_unit_test(test_judge_zero_limits_are_off),
	        cmocka_unit_test(test_judge_truncates_into_a_small_buffer),
	        cmocka_unit_test(test_trust_check_speed_on_a_million_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
