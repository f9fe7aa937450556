/* test_authres.c - the Authentication-Results writer and authserv-id
 * reader (milter/authres.c), read back with the test parser (arparse.c) */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arparse.h"
#include "authres.h"

#define ID "mx.example.org"
#define PREFIX_LEN                                                             \
	(sizeof AUTHRES_HEADER + 1) /* "Authentication-Results: "              \
	                             */
#define OUT_MAX 65536
#define WORDS_LONG 400

/* A value given to the writer and what must come back out of the header
 * (NULL: the property is left out), with and without ascii_only. */
struct sample {
	const char *raw;
	const char *utf8;
	const char *ascii;
};

static char long300[301], long400[401], list600[601], list_cut[400];

static const struct sample samples[] = {
        {"example.com", "example.com", "example.com"},
        {"user@example.com", "user@example.com", "user@example.com"},
        {"@example.com", "@example.com", "@example.com"},
        {"sel-1", "sel-1", "sel-1"},
        {"evil.com; dkim=pass header.d=paypal.com",
                "evil.com; dkim=pass header.d=paypal.com",
                "evil.com; dkim=pass header.d=paypal.com"},
        {"a\"b\\c", "a\"b\\c", "a\"b\\c"},
        {"line\r\nX-Injected: yes", "line??X-Injected: yes",
                "line??X-Injected: yes"},
        {"(comment", "(comment", "(comment"},
        {"x) (y", "x) (y", "x) (y"},
        {"b\xc3\xbc"
         "cher.example",
                "b\xc3\xbc"
                "cher.example",
                "b?cher.example"},
        {"\xff\xfe.example", "??.example", "??.example"},
        {"\xc0\xaf\xed\xa0\x80", "?????", "?????"},
        {"\xe0\x80\xaf|\xf4\x90\x80\x80|\xe2\x82", "???|????|??",
                "???|????|??"},
        {"\xe2\x82\xac\xf0\x9f\x93\xa7", "\xe2\x82\xac\xf0\x9f\x93\xa7", "??"},
        {"tab\there", "tab?here", "tab?here"},
        {"", NULL, NULL},
        {NULL, NULL, NULL},
        {long300, long300, long300},
        {long400, NULL, NULL},
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

/* A tiny deterministic generator: the same combinations every run. */
static uint32_t rng_state = 12345;

/* rng - the next pseudo-random number below n */
static unsigned rng(unsigned n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 16) % n;
}

/* setup_samples - the long samples */
static int setup_samples(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < 300; i++)
		long300[i] = "abcdefghij"[i % 10];
	long300[296] = '.';
	memcpy(long400, long300, 300);
	memcpy(long400 + 300, long300, 100);
	for (i = 0; i < 75; i++)
		snprintf(list600 + i * 8, 9, "SYM_%03zu,", i);
	list600[599] = '\0';
	memcpy(list_cut, list600, 319);
	list_cut[319] = '\0';
	return 0;
}

/* format - authres_format into a static buffer, which must fit */
static const char *format(const struct authres *ar)
{
	static char out[OUT_MAX];
	int n = authres_format(ar, out, sizeof out);

	assert_true(n >= 0);
	assert_true((size_t)n < sizeof out);
	assert_int_equal(strlen(out), (size_t)n);
	return out;
}

/* parse - the strict reading of a header, which must succeed */
static struct arp_header *parse(const char *value)
{
	static struct arp_header *h;

	if (h == NULL)
		h = arp_header_new();
	assert_non_null(h);
	if (arp_parse(value, ARP_STRICT, h) != 0)
		fail_msg("strict parse failed at %zu (%s): %s", h->error_at,
		        h->error, value);
	return h;
}

/* words_in - how many space-separated words a line holds, spaces inside
 * quoted-strings not counting */
static int words_in(const char *s, size_t n)
{
	int words = 0, quoted = 0, in_word = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (quoted && s[i] == '\\')
			i++;
		else if (s[i] == '"')
			quoted = !quoted;
		if (!quoted && (s[i] == ' ' || s[i] == '\t'))
			in_word = 0;
		else if (!in_word) {
			words++;
			in_word = 1;
		}
	}
	return words;
}

/* check_lines - every line is folded with "\n\t", none passes 78
 * characters unless it holds one word, none reaches 998 octets */
static void check_lines(const char *v)
{
	size_t col = PREFIX_LEN;
	const char *line = v;

	assert_null(strchr(v, '\r'));
	for (;;) {
		size_t n = strcspn(line, "\n");

		if (col + n > 78 && words_in(line, n) > 1)
			fail_msg("line over 78 with several words: %.*s",
			        (int)n, line);
		assert_true(col + n < 998);
		if (line[n] == '\0')
			return;
		assert_int_equal(line[n + 1], '\t');
		line += n + 1;
		col = 0;
	}
}

/* expect_prop - the resinfo's property has the expected value, or is
 * absent when want is NULL */
static void expect_prop(
        const struct arp_resinfo *ri, const char *key, const char *want)
{
	const struct arp_prop *p = arp_find(ri, key);

	if (want == NULL) {
		assert_null(p);
		return;
	}
	if (p == NULL)
		fail_msg("%s=%s missing from %s", key, want, ri->method);
	assert_string_equal(p->value, want);
}

/* want - what a sample gives in the header */
static const char *want(const struct sample *s, int ascii)
{
	return ascii ? s->ascii : s->utf8;
}

static void test_no_check_writes_none(void **state)
{
	struct authres ar;

	(void)state;
	authres_init(&ar, ID);
	assert_string_equal(format(&ar), ID "; none");
	assert_int_equal(parse(format(&ar))->none, 1);
}

static void test_documented_example_is_what_is_written(void **state)
{
	struct authres_dkim d = {
	        AUTHRES_PASS, "example.com", "sel", NULL, "AbCdEfGhIjKl"};
	struct authres ar;

	(void)state;
	authres_init(&ar, ID);
	ar.iprev = (struct authres_iprev){AUTHRES_PASS, "192.0.2.1"};
	ar.spf = (struct authres_spf){
	        AUTHRES_PASS, "a@example.com", "mail.example.com"};
	ar.dkim = &d;
	ar.ndkim = 1;
	ar.dmarc = (struct authres_dmarc){AUTHRES_PASS, "example.com"};
	ar.dnsl = (struct authres_dnsl){AUTHRES_FAIL, "RBL_EXAMPLE"};
	ar.rep = (struct authres_rep){AUTHRES_NEUTRAL, 0.8};
	ar.verdict = (struct authres_verdict){
	        AUTHRES_FAIL, 7.5, 5.0, "RBL_EXAMPLE,REP_IP_BAD", NULL};
	assert_string_equal(format(&ar),
	        ID ";\n"
	           "\tiprev=pass policy.iprev=192.0.2.1;\n"
	           "\tspf=pass smtp.mailfrom=a@example.com "
	           "smtp.helo=mail.example.com;\n"
	           "\tdkim=pass header.d=example.com header.s=sel "
	           "header.b=AbCdEfGh;\n"
	           "\tdmarc=pass header.from=example.com;\n"
	           "\tx-dnsbl=fail policy.listed=RBL_EXAMPLE;\n"
	           "\tx-reputation=neutral policy.score=0.8;\n"
	           "\tx-repmilter=fail policy.score=7.5 policy.required=5.0\n"
	           "\tpolicy.tests=\"RBL_EXAMPLE,REP_IP_BAD\"");
	check_lines(format(&ar));
}

static void test_ipv6_and_base64_values_are_quoted(void **state)
{
	struct authres_dkim d = {
	        AUTHRES_FAIL, "example.com", "s", NULL, "a/b+c=d/efgh"};
	struct authres ar;

	(void)state;
	authres_init(&ar, ID);
	ar.iprev = (struct authres_iprev){AUTHRES_TEMPERROR, "2001:db8::1"};
	ar.dkim = &d;
	ar.ndkim = 1;
	assert_string_equal(format(&ar),
	        ID ";\n\tiprev=temperror policy.iprev=\"2001:db8::1\";\n"
	           "\tdkim=fail header.d=example.com header.s=s "
	           "header.b=\"a/b+c=d/\"");
	parse(format(&ar));
}

/* results of one method, UNSET first */
static const enum authres_result spf_r[] = {AUTHRES_UNSET, AUTHRES_NONE,
        AUTHRES_PASS, AUTHRES_FAIL, AUTHRES_SOFTFAIL, AUTHRES_NEUTRAL,
        AUTHRES_POLICY, AUTHRES_TEMPERROR, AUTHRES_PERMERROR};
static const enum authres_result dkim_r[] = {AUTHRES_NONE, AUTHRES_PASS,
        AUTHRES_FAIL, AUTHRES_NEUTRAL, AUTHRES_POLICY, AUTHRES_TEMPERROR,
        AUTHRES_PERMERROR};
static const enum authres_result dmarc_r[] = {AUTHRES_UNSET, AUTHRES_NONE,
        AUTHRES_PASS, AUTHRES_FAIL, AUTHRES_TEMPERROR, AUTHRES_PERMERROR};
static const enum authres_result iprev_r[] = {AUTHRES_UNSET, AUTHRES_PASS,
        AUTHRES_FAIL, AUTHRES_TEMPERROR, AUTHRES_PERMERROR};
static const enum authres_result dnsl_r[] = {AUTHRES_UNSET, AUTHRES_NONE,
        AUTHRES_PASS, AUTHRES_FAIL, AUTHRES_TEMPERROR};
static const enum authres_result rep_r[] = {AUTHRES_UNSET, AUTHRES_NONE,
        AUTHRES_PASS, AUTHRES_FAIL, AUTHRES_NEUTRAL, AUTHRES_TEMPERROR};
static const enum authres_result verdict_r[] = {
        AUTHRES_UNSET, AUTHRES_NONE, AUTHRES_PASS, AUTHRES_FAIL};
#define PICK(a) (a[rng(sizeof a / sizeof a[0])])

/* Scores and what they show as (NULL: left out). */
static const struct {
	double v;
	const char *text;
} scores[] = {{0.8, "0.8"}, {-2.5, "-2.5"}, {1e300, "1000000.0"},
        {-INFINITY, NULL}, {0.0, "0.0"}};

/* One random combination and what the header must say. */
struct combo {
	struct authres ar;
	struct authres_dkim dkim[5];
	const struct sample *s[8];
	const struct sample *dk[5][3];
	unsigned score[3];
	const char *listed, *tests, *listed_want, *tests_want;
};

/* pick_sample - a random sample */
static const struct sample *pick_sample(void)
{
	return &samples[rng(NSAMPLES)];
}

/* pick_list - a random list value and what it shows as */
static void pick_list(const char **v, const char **shown)
{
	switch (rng(4)) {
	case 0:
		*v = *shown = NULL;
		break;
	case 1:
		*v = *shown = "RBL_X";
		break;
	case 2:
		*v = *shown = "RBL_X,DBL_Y";
		break;
	default:
		*v = list600;
		*shown = list_cut;
	}
}

/* make_combo - fill a random combination */
static void make_combo(struct combo *c)
{
	size_t i;

	memset(c, 0, sizeof *c);
	authres_init(&c->ar, ID);
	c->ar.ascii_only = (int)rng(2);
	for (i = 0; i < 8; i++)
		c->s[i] = pick_sample();
	for (i = 0; i < 3; i++)
		c->score[i] = rng(sizeof scores / sizeof scores[0]);
	c->ar.iprev = (struct authres_iprev){PICK(iprev_r), c->s[0]->raw};
	c->ar.spf =
	        (struct authres_spf){PICK(spf_r), c->s[1]->raw, c->s[2]->raw};
	c->ar.dmarc = (struct authres_dmarc){PICK(dmarc_r), c->s[3]->raw};
	pick_list(&c->listed, &c->listed_want);
	pick_list(&c->tests, &c->tests_want);
	c->ar.dnsl = (struct authres_dnsl){PICK(dnsl_r), c->listed};
	c->ar.rep = (struct authres_rep){PICK(rep_r), scores[c->score[0]].v};
	c->ar.verdict =
	        (struct authres_verdict){PICK(verdict_r), scores[c->score[1]].v,
	                scores[c->score[2]].v, c->tests, c->s[4]->raw};
	c->ar.ndkim = rng(6);
	c->ar.dkim = c->dkim;
	for (i = 0; i < c->ar.ndkim; i++) {
		c->dk[i][0] = pick_sample();
		c->dk[i][1] = pick_sample();
		c->dk[i][2] = pick_sample();
		c->dkim[i] =
		        (struct authres_dkim){PICK(dkim_r), c->dk[i][0]->raw,
		                c->dk[i][1]->raw, c->dk[i][2]->raw, NULL};
	}
}

/* next_ri - the next resinfo, which must be `method` with result r */
static const struct arp_resinfo *next_ri(const struct arp_header *h, size_t *i,
        const char *method, enum authres_result r)
{
	const struct arp_resinfo *ri;

	assert_true(*i < h->nresinfo);
	ri = &h->ri[(*i)++];
	assert_string_equal(ri->method, method);
	assert_string_equal(ri->result, authres_result_name(r));
	return ri;
}

/* check_dkim - the dkim resinfos of a combination */
static void check_dkim(
        const struct combo *c, const struct arp_header *h, size_t *i)
{
	int a = c->ar.ascii_only;
	size_t k;

	for (k = 0; k < c->ar.ndkim; k++) {
		const struct arp_resinfo *ri =
		        next_ri(h, i, "dkim", c->dkim[k].result);

		expect_prop(ri, "header.d", want(c->dk[k][0], a));
		expect_prop(ri, "header.s", want(c->dk[k][1], a));
		expect_prop(ri, "header.i", want(c->dk[k][2], a));
		expect_prop(ri, "header.b", NULL);
	}
}

/* check_ours - the x- resinfos of a combination */
static void check_ours(
        const struct combo *c, const struct arp_header *h, size_t *i)
{
	const struct arp_resinfo *ri;

	if (c->ar.dnsl.result != AUTHRES_UNSET) {
		ri = next_ri(h, i, "x-dnsbl", c->ar.dnsl.result);
		expect_prop(ri, "policy.listed", c->listed_want);
	}
	if (c->ar.rep.result != AUTHRES_UNSET) {
		ri = next_ri(h, i, "x-reputation", c->ar.rep.result);
		expect_prop(ri, "policy.score", scores[c->score[0]].text);
	}
	if (c->ar.verdict.result != AUTHRES_UNSET) {
		ri = next_ri(h, i, "x-repmilter", c->ar.verdict.result);
		expect_prop(ri, "policy.score", scores[c->score[1]].text);
		expect_prop(ri, "policy.required", scores[c->score[2]].text);
		expect_prop(ri, "policy.tests", c->tests_want);
		expect_prop(
		        ri, "policy.skipped", want(c->s[4], c->ar.ascii_only));
	}
}

/* check_combo - the header of a combination reads back as it was given */
static void check_combo(const struct combo *c, const char *v)
{
	const struct arp_header *h = parse(v);
	const struct arp_resinfo *ri;
	int a = c->ar.ascii_only;
	size_t i = 0;

	assert_string_equal(h->authserv_id, ID);
	if (c->ar.iprev.result != AUTHRES_UNSET) {
		ri = next_ri(h, &i, "iprev", c->ar.iprev.result);
		expect_prop(ri, "policy.iprev", want(c->s[0], a));
	}
	if (c->ar.spf.result != AUTHRES_UNSET) {
		ri = next_ri(h, &i, "spf", c->ar.spf.result);
		expect_prop(ri, "smtp.mailfrom", want(c->s[1], a));
		expect_prop(ri, "smtp.helo", want(c->s[2], a));
	}
	check_dkim(c, h, &i);
	if (c->ar.dmarc.result != AUTHRES_UNSET) {
		ri = next_ri(h, &i, "dmarc", c->ar.dmarc.result);
		expect_prop(ri, "header.from", want(c->s[3], a));
	}
	check_ours(c, h, &i);
	assert_int_equal(i, h->nresinfo);
	assert_int_equal(h->none, i == 0);
}

/* check_readers - the lenient reading and the milter's reader agree */
static void check_readers(const char *v, size_t nresinfo)
{
	struct arp_header *h = arp_header_new();
	char id[AUTHRES_ID_MAX + 1];

	assert_non_null(h);
	assert_int_equal(arp_parse(v, ARP_LENIENT, h), 0);
	assert_int_equal(h->nresinfo, nresinfo);
	free(h);
	assert_int_equal(authres_authserv_id(v, id, sizeof id), 0);
	assert_string_equal(id, ID);
	assert_true(authres_is_ours(v, ID));
}

static void test_random_combinations_read_back_as_given(void **state)
{
	static struct combo c;
	int round;

	(void)state;
	for (round = 0; round < 3000; round++) {
		const char *v;

		make_combo(&c);
		v = format(&c.ar);
		check_combo(&c, v);
		check_lines(v);
		check_readers(v, parse(v)->nresinfo);
	}
}

/* random_bytes - a string of up to max - 1 random non-NUL bytes */
static void random_bytes(char *b, size_t max)
{
	size_t n = rng((unsigned)max), k;

	for (k = 0; k < n; k++)
		b[k] = (char)(1 + rng(255));
	b[n] = '\0';
}

static void test_random_bytes_never_break_the_header(void **state)
{
	static char v[6][AUTHRES_VALUE_MAX + 40];
	struct authres_dkim d[2];
	struct authres ar;
	int round, k;

	(void)state;
	for (round = 0; round < 3000; round++) {
		for (k = 0; k < 6; k++)
			random_bytes(v[k], k < 2 ? 80 : sizeof v[k]);
		authres_init(&ar, ID);
		ar.ascii_only = (int)rng(2);
		ar.spf = (struct authres_spf){AUTHRES_NEUTRAL, v[0], v[1]};
		d[0] = (struct authres_dkim){
		        AUTHRES_PASS, v[2], v[3], v[4], v[5]};
		d[1] = (struct authres_dkim){
		        AUTHRES_FAIL, v[5], v[4], v[3], v[2]};
		ar.dkim = d;
		ar.ndkim = 2;
		ar.verdict = (struct authres_verdict){
		        AUTHRES_FAIL, 9.0, 5.0, v[1], v[0]};
		assert_int_equal(parse(format(&ar))->nresinfo, 4);
		check_lines(format(&ar));
		assert_true(authres_is_ours(format(&ar), ID));
	}
}

static void test_hostile_value_stays_inside_its_property(void **state)
{
	const char *evil = "x.com; dkim=pass header.d=paypal.com (\r\n\tX: y";
	struct authres_dkim d = {AUTHRES_FAIL, evil, evil, evil, evil};
	struct authres ar;
	const struct arp_header *h;

	(void)state;
	authres_init(&ar, ID);
	ar.spf = (struct authres_spf){AUTHRES_FAIL, evil, evil};
	ar.dkim = &d;
	ar.ndkim = 1;
	ar.dmarc = (struct authres_dmarc){AUTHRES_FAIL, evil};
	h = parse(format(&ar));
	assert_int_equal(h->nresinfo, 3);
	assert_string_equal(h->ri[1].method, "dkim");
	assert_string_equal(h->ri[1].result, "fail");
	expect_prop(&h->ri[1], "header.d",
	        "x.com; dkim=pass header.d=paypal.com (???X: y");
	assert_null(strchr(format(&ar), '\r'));
	assert_null(strstr(format(&ar), "\n\tX"));
}

static void test_quote_and_backslash_are_escaped(void **state)
{
	struct authres ar;

	(void)state;
	authres_init(&ar, ID);
	ar.dmarc = (struct authres_dmarc){AUTHRES_NONE, "a\"b\\c"};
	assert_string_equal(
	        format(&ar), ID ";\n\tdmarc=none header.from=\"a\\\"b\\\\c\"");
}

static void test_utf8_is_kept_unless_ascii_only(void **state)
{
	struct authres ar;

	(void)state;
	authres_init(&ar, ID);
	ar.dmarc = (struct authres_dmarc){AUTHRES_PASS, "b\xc3\xbc"
	                                                "cher.de"};
	assert_string_equal(format(&ar),
	        ID ";\n\tdmarc=pass header.from=\"b\xc3\xbc"
	           "cher.de\"");
	ar.ascii_only = 1;
	assert_string_equal(
	        format(&ar), ID ";\n\tdmarc=pass header.from=\"b?cher.de\"");
}

static void test_value_over_the_limit_is_left_out(void **state)
{
	char v[AUTHRES_VALUE_MAX + 2];
	struct authres ar;

	(void)state;
	memset(v, 'a', sizeof v - 1);
	v[sizeof v - 1] = '\0';
	authres_init(&ar, ID);
	ar.dmarc = (struct authres_dmarc){AUTHRES_FAIL, v};
	assert_string_equal(format(&ar), ID ";\n\tdmarc=fail");
	v[AUTHRES_VALUE_MAX] = '\0';
	expect_prop(&parse(format(&ar))->ri[0], "header.from", v);
	check_lines(format(&ar));
}

static void test_folding_keeps_words_whole(void **state)
{
	struct authres_dkim d[2] = {
	        {AUTHRES_PASS, "a-rather-long-signing-domain.example.com",
	                "selector-2024-01", "@mail.a-rather-long.example.com",
	                "0123456789abcdefghijklmnopqrstuvwxyz"},
	        {AUTHRES_PASS, "b.example", "s", NULL,
	                "0123456789abcdefghijklmnopqrstuvwxyZ"}};
	struct authres ar;
	const char *v;

	(void)state;
	authres_init(&ar, "a-quite-long-authserv-id.mail.example.org");
	ar.dkim = d;
	ar.ndkim = 2;
	ar.spf = (struct authres_spf){AUTHRES_SOFTFAIL, long300, long300};
	v = format(&ar);
	check_lines(v);
	assert_int_equal(parse(v)->nresinfo, 3);
	expect_prop(&parse(v)->ri[0], "smtp.mailfrom", long300);
	expect_prop(&parse(v)->ri[1], "header.i",
	        "@mail.a-rather-long.example.com");
}

static void test_header_b_tells_signatures_apart(void **state)
{
	struct authres_dkim d[4] = {
	        {AUTHRES_PASS, "a.example", "s", NULL, "AAAABBBBCCCCx1"},
	        {AUTHRES_PASS, "a.example", "s", NULL, "AAAABBBB CCCC\r\n\tx2"},
	        {AUTHRES_FAIL, "b.example", "s", NULL, "ZZZZYYYYXXXX"},
	        {AUTHRES_PASS, "c.example", "s", NULL, "short"}};
	struct authres ar;
	const struct arp_header *h;

	(void)state;
	authres_init(&ar, ID);
	ar.dkim = d;
	ar.ndkim = 4;
	h = parse(format(&ar));
	expect_prop(&h->ri[0], "header.b", "AAAABBBBCCCCx1");
	expect_prop(&h->ri[1], "header.b", "AAAABBBBCCCCx2");
	expect_prop(&h->ri[2], "header.b", "ZZZZYYYY");
	expect_prop(&h->ri[3], "header.b", "short");
}

static void test_signatures_past_the_max_are_not_written(void **state)
{
	struct authres_dkim d[AUTHRES_DKIM_MAX + 4];
	struct authres ar;
	size_t i;

	(void)state;
	for (i = 0; i < AUTHRES_DKIM_MAX + 4; i++)
		d[i] = (struct authres_dkim){
		        AUTHRES_PASS, "example.com", "s", NULL, NULL};
	authres_init(&ar, ID);
	ar.dkim = d;
	ar.ndkim = AUTHRES_DKIM_MAX + 4;
	assert_int_equal(parse(format(&ar))->nresinfo, AUTHRES_DKIM_MAX);
}

/* fill_ordinary - every value 63 token characters, all checks set */
static void fill_ordinary(
        struct authres *ar, struct authres_dkim *d, const char *v)
{
	size_t i;

	authres_init(ar, v);
	for (i = 0; i < AUTHRES_DKIM_MAX; i++)
		d[i] = (struct authres_dkim){AUTHRES_PERMERROR, v, v, v, v};
	ar->dkim = d;
	ar->ndkim = AUTHRES_DKIM_MAX;
	ar->iprev = (struct authres_iprev){AUTHRES_TEMPERROR, v};
	ar->spf = (struct authres_spf){AUTHRES_TEMPERROR, v, v};
	ar->dmarc = (struct authres_dmarc){AUTHRES_TEMPERROR, v};
	ar->dnsl = (struct authres_dnsl){AUTHRES_TEMPERROR, v};
	ar->rep = (struct authres_rep){AUTHRES_TEMPERROR, -1e6};
	ar->verdict = (struct authres_verdict){AUTHRES_PASS, -1e6, -1e6, v, v};
}

static void test_ordinary_inputs_fit_the_suggested_size(void **state)
{
	struct authres_dkim d[AUTHRES_DKIM_MAX];
	struct authres ar;
	char v[64], buf[AUTHRES_HEADER_SIZE];

	(void)state;
	memset(v, 'x', 63);
	v[63] = '\0';
	fill_ordinary(&ar, d, v);
	assert_in_range(authres_format(&ar, buf, sizeof buf), 1,
	        AUTHRES_HEADER_SIZE - 1);
}

static void test_short_buffer_is_left_untouched(void **state)
{
	struct authres ar;
	char buf[16];
	int n;

	(void)state;
	authres_init(&ar, ID);
	ar.dmarc = (struct authres_dmarc){AUTHRES_PASS, "example.com"};
	n = authres_format(&ar, NULL, 0);
	assert_int_equal(
	        n, (int)strlen(ID ";\n\tdmarc=pass header.from=example.com"));
	memset(buf, 'X', sizeof buf);
	assert_int_equal(authres_format(&ar, buf, sizeof buf), n);
	assert_int_equal(buf[0], 'X');
	assert_int_equal(buf[sizeof buf - 1], 'X');
}

static void test_result_a_method_does_not_take_is_einval(void **state)
{
	struct authres_dkim d = {AUTHRES_SOFTFAIL, "a", "s", NULL, NULL};
	struct authres ar;
	char buf[256];

	(void)state;
	memset(buf, 'X', sizeof buf);
	authres_init(&ar, ID);
	ar.dkim = &d;
	ar.ndkim = 1;
	assert_int_equal(authres_format(&ar, buf, sizeof buf), AUTHRES_EINVAL);
	assert_int_equal(buf[0], 'X');
	d.result = AUTHRES_UNSET;
	assert_int_equal(authres_format(&ar, buf, sizeof buf), AUTHRES_EINVAL);
	ar.ndkim = 0;
	ar.iprev.result = AUTHRES_NONE;
	assert_int_equal(authres_format(&ar, buf, sizeof buf), AUTHRES_EINVAL);
	ar.iprev.result = AUTHRES_UNSET;
	ar.dmarc.result = AUTHRES_NEUTRAL;
	assert_int_equal(authres_format(&ar, buf, sizeof buf), AUTHRES_EINVAL);
	ar.dmarc.result = AUTHRES_UNSET;
	ar.verdict.result = AUTHRES_TEMPERROR;
	assert_int_equal(authres_format(&ar, buf, sizeof buf), AUTHRES_EINVAL);
	ar.verdict.result = (enum authres_result)99;
	assert_int_equal(authres_format(&ar, buf, sizeof buf), AUTHRES_EINVAL);
}

static void test_invalid_authserv_id_is_einval(void **state)
{
	static const char *const bad[] = {
	        "", "mx example", "mx;evil", "mx(c)", "\"mx\"", "m\xc3\xa9"};
	char id[AUTHRES_ID_MAX + 2], buf[64];
	struct authres ar;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		authres_init(&ar, bad[i]);
		assert_int_equal(
		        authres_format(&ar, buf, sizeof buf), AUTHRES_EINVAL);
	}
	authres_init(&ar, NULL);
	assert_int_equal(authres_format(&ar, buf, sizeof buf), AUTHRES_EINVAL);
	memset(id, 'a', sizeof id - 1);
	id[sizeof id - 1] = '\0';
	assert_false(authres_id_valid(id));
	id[AUTHRES_ID_MAX] = '\0';
	assert_true(authres_id_valid(id));
}

static void test_names_and_errors_have_text(void **state)
{
	(void)state;
	assert_string_equal(authres_result_name(AUTHRES_SOFTFAIL), "softfail");
	assert_string_equal(authres_result_name(AUTHRES_UNSET), "");
	assert_string_equal(authres_result_name((enum authres_result)42), "");
	assert_string_not_equal(authres_strerror(AUTHRES_EINVAL), "");
	assert_string_not_equal(authres_strerror(AUTHRES_ESYNTAX),
	        authres_strerror(AUTHRES_ENOSPC));
	assert_string_not_equal(authres_strerror(-99), "");
}

static void test_rfc_comment_heavy_example_parses_strictly(void **state)
{
	/* RFC 8601 appendix B.7's header, folded as a header is */
	const char *v = " foo.example.net (foobar) 1 (baz);\r\n"
	                "    dkim (Because I like it) / 1 (One yay) = (wait "
	                "for it) fail\r\n"
	                "      policy (A dot can go here) . (like that) "
	                "expired\r\n"
	                "      (this surprised me) = (as I wasn't expecting "
	                "it) 1362471462";
	const struct arp_header *h = parse(v);

	(void)state;
	assert_string_equal(h->authserv_id, "foo.example.net");
	assert_int_equal(h->version, 1);
	assert_int_equal(h->ri[0].version, 1);
	expect_prop(&h->ri[0], "policy.expired", "1362471462");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_no_check_writes_none),
	        cmocka_unit_test(test_documented_example_is_what_is_written),
	        cmocka_unit_test(test_ipv6_and_base64_values_are_quoted),
	        cmocka_unit_test(test_random_combinations_read_back_as_given),
	        cmocka_unit_test(test_random_bytes_never_break_the_header),
	        cmocka_unit_test(test_hostile_value_stays_inside_its_property),
	        cmocka_unit_test(test_quote_and_backslash_are_escaped),
	        cmocka_unit_test(test_utf8_is_kept_unless_ascii_only),
	        cmocka_unit_test(test_value_over_the_limit_is_left_out),
	        cmocka_unit_test(test_folding_keeps_words_whole),
	        cmocka_unit_test(test_header_b_tells_signatures_apart),
	        cmocka_unit_test(test_signatures_past_the_max_are_not_written),
	        cmocka_unit_test(test_ordinary_inputs_fit_the_suggested_size),
	        cmocka_unit_test(test_short_buffer_is_left_untouched),
	        cmocka_unit_test(test_result_a_method_does_not_take_is_einval),
	        cmocka_unit_test(test_invalid_authserv_id_is_einval),
	        cmocka_unit_test(test_names_and_errors_have_text),
	        cmocka_unit_test(
	                test_rfc_comment_heavy_example_parses_strictly),
	};

	return cmocka_run_group_tests(tests, setup_samples, NULL);
}
