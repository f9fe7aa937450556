/*
 * test_score.c - the score of a subject (reputation/score.c): decay, the
 * local term, overrides, partner slots, caps and the term breakdown.
 *
 * Records and subjects are built by hand, so these tests depend on nothing
 * but score.c (and the store, for rep_policy_set_partner only).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <float.h>
#include <math.h>

#include "internal.h"
#include "testutil.h"

#define NOW INT64_C(1700000000)
#define DAY 86400.0
#define EPS 1e-9

/* assert_near - |a - b| <= eps, in double precision: cmocka 1.1.5's
 * assert_float_equal compares floats and lets a NaN pass */
#define assert_near(a, b, eps)                                                 \
	near_or_fail((a), (b), (eps), #a, __FILE__, __LINE__)

/* near_or_fail - the body of assert_near */
static void near_or_fail(double a, double b, double eps, const char *expr,
        const char *file, int line)
{
	if (fabs(a - b) <= eps)
		return;
	print_error(
	        "%s is %.17g, expected %.17g (within %g)\n", expr, a, b, eps);
	_fail(file, line);
}

/* ip - an address or prefix subject filled in by hand (no parser) */
static struct rep_subject ip(const char *addr, unsigned plen)
{
	struct rep_subject s;

	memset(&s, 0, sizeof s);
	if (inet_pton(AF_INET, addr, s.addr) == 1)
		s.kind = REP_KIND_IP4;
	else if (inet_pton(AF_INET6, addr, s.addr) == 1)
		s.kind = REP_KIND_IP6;
	else
		fail_msg("bad test address %s", addr);
	s.plen = (uint8_t)plen;
	return s;
}

/* rec_empty - a record with no slot */
static void rec_empty(struct rep_record *r)
{
	memset(r, 0, sizeof *r);
	r->version = REP_FORMAT_VERSION;
}

/* rec_local - give the record a local slot stamped at `stamp` */
static void rec_local(
        struct rep_record *r, double ham, double spam, int64_t stamp)
{
	r->flags |= REP_HAS_LOCAL;
	r->local.ham = ham;
	r->local.spam = spam;
	r->local.stamp = stamp;
	r->local.first_seen = r->local.last_seen = stamp;
}

/* rec_override - give the record an operator override */
static void rec_override(struct rep_record *r, int action, int64_t expires)
{
	r->flags |= REP_HAS_OVERRIDE;
	r->override.action = (uint8_t)action;
	r->override.when = NOW - 1000;
	r->override.expires = expires;
	strcpy(r->override.who, "test");
	strcpy(r->override.reason, "unit test");
}

/* rec_partner - append a partner slot seen last at `last_seen` */
static struct rep_partner *rec_partner(struct rep_record *r, unsigned pub,
        int op, int cat, int conf, int64_t last_seen)
{
	struct rep_partner *pa = &r->partner[r->npartners++];

	memset(pa, 0, sizeof *pa);
	pa->publisher = (uint16_t)pub;
	pa->op = (uint8_t)op;
	pa->category = (uint8_t)cat;
	pa->confidence = (uint8_t)conf;
	pa->first_seen = pa->last_seen = last_seen;
	pa->hits = 1;
	pa->seq = 1;
	return pa;
}

/* score_records - score n records, most specific first */
static void score_records(struct rep_score *sc, const struct rep_policy *p,
        const struct rep_subject *s, const struct rep_record *r, size_t n,
        int64_t now)
{
	size_t i;

	rep_score_init(sc);
	for (i = 0; i < n; i++)
		rep_score_add(sc, p, &s[i], &r[i], now);
	rep_score_finish(sc, p);
}

/* term_find - the first term of `kind` (and publisher for partners) */
static const struct rep_term *term_find(
        const struct rep_score *sc, unsigned kind, unsigned pub)
{
	unsigned i;

	for (i = 0; i < sc->nterms; i++)
		if (sc->term[i].kind == kind &&
		        (kind != REP_TERM_PARTNER ||
		                sc->term[i].publisher == pub))
			return &sc->term[i];
	return NULL;
}

/* term_count - how many terms of `kind` are listed */
static unsigned term_count(const struct rep_score *sc, unsigned kind)
{
	unsigned i, n = 0;

	for (i = 0; i < sc->nterms; i++)
		n += sc->term[i].kind == kind;
	return n;
}

/* term_sum - the sum of the listed terms' values */
static double term_sum(const struct rep_score *sc)
{
	double sum = 0;
	unsigned i;

	for (i = 0; i < sc->nterms; i++)
		sum += sc->term[i].value;
	return sum;
}

/* same_subject - do two subjects hold the same address and length? */
static int same_subject(
        const struct rep_subject *a, const struct rep_subject *b)
{
	return a->kind == b->kind && a->plen == b->plen &&
	       memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

static void test_decay_halves_value_after_one_half_life(void **state)
{
	(void)state;
	assert_near(rep_decay(8.0, 10.0, 10.0), 4.0, EPS);
	assert_near(rep_decay(8.0, 30.0, 10.0), 1.0, EPS);
	assert_near(rep_decay(8.0, 5.0, 10.0), 8.0 / sqrt(2.0), EPS);
}

static void test_decay_skips_nonpositive_age_or_half_life(void **state)
{
	(void)state;
	assert_near(rep_decay(8.0, 0.0, 10.0), 8.0, 0);
	assert_near(rep_decay(8.0, -50.0, 10.0), 8.0, 0);
	assert_near(rep_decay(8.0, 50.0, 0.0), 8.0, 0);
	assert_near(rep_decay(8.0, 50.0, -1.0), 8.0, 0);
	assert_near(rep_decay(8.0, NAN, 10.0), 8.0, 0);
	assert_near(rep_decay(8.0, 50.0, NAN), 8.0, 0);
	assert_near(rep_decay(8.0, 50.0, INFINITY), 8.0, 0);
}

static void test_local_counts_halve_after_one_half_life(void **state)
{
	struct rep_local l = {.ham = 10, .spam = 4, .stamp = NOW - 7 * 86400};
	double ham, spam;

	(void)state;
	rep_local_decayed(&l, 7 * DAY, NOW, &ham, &spam);
	assert_near(ham, 5.0, EPS);
	assert_near(spam, 2.0, EPS);
	rep_local_decayed(&l, 7 * DAY, NOW + 7 * 86400, &ham, &spam);
	assert_near(ham, 2.5, EPS);
	assert_near(spam, 1.0, EPS);
}

static void test_local_counts_stamped_in_future_do_not_grow(void **state)
{
	struct rep_local l = {.ham = 10, .spam = 4, .stamp = NOW + 86400};
	double ham, spam;

	(void)state;
	rep_local_decayed(&l, 7 * DAY, NOW, &ham, &spam);
	assert_near(ham, 10.0, 0);
	assert_near(spam, 4.0, 0);
}

static void test_local_corrupt_counts_read_as_zero(void **state)
{
	struct rep_local l = {.ham = NAN, .spam = INFINITY, .stamp = NOW};
	double ham, spam;

	(void)state;
	rep_local_decayed(&l, 7 * DAY, NOW, &ham, &spam);
	assert_near(ham, 0.0, 0);
	assert_near(spam, 0.0, 0);
	l.ham = -3;
	l.spam = -INFINITY;
	l.stamp = INT64_MIN; /* a corrupt stamp must not overflow either */
	rep_local_decayed(&l, 7 * DAY, NOW, &ham, &spam);
	assert_near(ham, 0.0, 0);
	assert_near(spam, 0.0, 0);
}

static void test_policy_defaults_match_design(void **state)
{
	struct rep_policy p;
	size_t i;

	(void)state;
	rep_policy_init(&p);
	assert_near(p.half_life, 7 * DAY, 0);
	assert_near(p.local_weight, 5.0, 0);
	assert_near(p.local_prior, 2.0, 0);
	assert_near(p.fresh_half_life, 30 * DAY, 0);
	assert_near(p.partner_weight, 4.0, 0);
	assert_near(p.partner_cap, 5.0, 0);
	assert_near(p.partners_cap, 8.0, 0);
	assert_near(p.allow_cap, 3.0, 0);
	assert_near(p.deny_score, 100.0, 0);
	assert_near(p.allow_score, -100.0, 0);
	assert_near(p.category_weight[0], 0.0, 0);
	assert_near(p.category_weight[REP_CAT_SPAM], 1.0, 0);
	assert_near(p.category_weight[REP_CAT_BOT], 1.0, 0);
	assert_near(p.category_weight[REP_CAT_BOTNET_CC], 1.2, 0);
	assert_near(p.category_weight[REP_CAT_PHISH], 1.0, 0);
	assert_near(p.category_weight[REP_CAT_MALWARE], 1.0, 0);
	assert_near(p.category_weight[REP_CAT_SNOWSHOE], 0.8, 0);
	assert_near(p.category_weight[REP_CAT_ABUSE], 0.6, 0);
	assert_near(p.category_weight[REP_CAT_OTHER], 0.5, 0);
	for (i = 0; i < REP_PUBLISHERS_MAX; i++) {
		assert_true(isnan(p.weight[i]));
		assert_true(isnan(p.cap[i]));
	}
}

static void test_subject_without_records_scores_zero(void **state)
{
	struct rep_policy p;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	score_records(&sc, &p, NULL, NULL, 0, NOW);
	assert_near(sc.score, 0.0, 0);
	assert_int_equal(sc.overridden, 0);
	assert_int_equal(sc.nterms, 0);
	assert_int_equal(sc.nrecords, 0);
}

static void test_local_spam_raises_score_within_local_weight(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;
	const struct rep_term *t;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_local(&r, 0, 8, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	/* 5 * (8 - 0) / (8 + 0 + 2) */
	assert_near(sc.score, 4.0, EPS);
	assert_int_equal(sc.nterms, 1);
	t = term_find(&sc, REP_TERM_LOCAL, 0);
	assert_non_null(t);
	assert_near(t->value, 4.0, EPS);
	assert_near(t->spam, 8.0, EPS);
	assert_near(t->ham, 0.0, EPS);
	assert_true(same_subject(&t->subject, &s));

	rec_local(&r, 0, 1e12, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_true(sc.score < 5.0);
	assert_true(sc.score > 4.99);
}

static void test_local_ham_lowers_score(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_local(&r, 8, 0, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_near(sc.score, -4.0, EPS);
}

static void test_local_counts_decay_before_scoring(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_local(&r, 0, 8, NOW - 7 * 86400);
	score_records(&sc, &p, &s, &r, 1, NOW);
	/* 8 spam a half-life ago are 4 now: 5 * 4 / 6 */
	assert_near(sc.score, 5.0 * 4.0 / 6.0, EPS);
	assert_near(sc.term[0].spam, 4.0, EPS);
}

static void test_local_counts_add_up_over_covering_prefixes(void **state)
{
	struct rep_subject s[2] = {ip("192.0.2.1", 32), ip("192.0.2.0", 24)};
	struct rep_policy p;
	struct rep_record r[2];
	struct rep_score sc;
	const struct rep_term *t;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r[0]);
	rec_local(&r[0], 0, 2, NOW);
	rec_empty(&r[1]);
	rec_local(&r[1], 2, 4, NOW);
	score_records(&sc, &p, s, r, 2, NOW);
	/* one term from h = 2, s = 6: 5 * 4 / 10 */
	assert_int_equal(term_count(&sc, REP_TERM_LOCAL), 1);
	t = term_find(&sc, REP_TERM_LOCAL, 0);
	assert_near(t->ham, 2.0, EPS);
	assert_near(t->spam, 6.0, EPS);
	assert_near(t->value, 2.0, EPS);
	assert_near(sc.score, 2.0, EPS);
	assert_true(same_subject(&t->subject, &s[0]));
}

static void test_local_term_names_most_specific_local_subject(void **state)
{
	struct rep_subject s[3] = {
	        ip("192.0.2.1", 32), ip("192.0.2.0", 24), ip("192.0.0.0", 16)};
	struct rep_policy p;
	struct rep_record r[3];
	struct rep_score sc;
	const struct rep_term *t;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r[0]);
	rec_partner(&r[0], 1, REP_OP_LIST, REP_CAT_SPAM, 10, NOW);
	rec_empty(&r[1]);
	rec_local(&r[1], 1, 1, NOW);
	rec_empty(&r[2]);
	rec_local(&r[2], 1, 1, NOW);
	score_records(&sc, &p, s, r, 3, NOW);
	t = term_find(&sc, REP_TERM_LOCAL, 0);
	assert_non_null(t);
	assert_true(same_subject(&t->subject, &s[1]));
}

static void test_local_term_omitted_without_local_slot(void **state)
{
	struct rep_subject s = ip("2001:db8::1", 128);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_partner(&r, 1, REP_OP_LIST, REP_CAT_SPAM, 50, NOW);
	r.local.spam = 1000; /* no REP_HAS_LOCAL: not a slot */
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_null(term_find(&sc, REP_TERM_LOCAL, 0));
	assert_int_equal(sc.nterms, 1);
	assert_near(sc.score, 2.0, EPS);
}

static void test_nan_count_does_not_poison_score(void **state)
{
	struct rep_subject s[2] = {ip("192.0.2.1", 32), ip("192.0.2.0", 24)};
	struct rep_policy p;
	struct rep_record r[2];
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r[0]);
	rec_local(&r[0], NAN, 8, NOW);
	rec_empty(&r[1]);
	rec_local(&r[1], INFINITY, NAN, NOW);
	score_records(&sc, &p, s, r, 2, NOW);
	assert_true(isfinite(sc.score));
	assert_near(sc.score, 4.0, EPS);
	assert_near(sc.term[0].ham, 0.0, 0);
}

static void test_huge_counts_keep_score_finite(void **state)
{
	struct rep_subject s[3] = {
	        ip("192.0.2.1", 32), ip("192.0.2.0", 24), ip("192.0.0.0", 16)};
	struct rep_policy p;
	struct rep_record r[3];
	struct rep_score sc;
	size_t i;

	(void)state;
	rep_policy_init(&p);
	for (i = 0; i < 3; i++) {
		rec_empty(&r[i]);
		rec_local(&r[i], DBL_MAX, DBL_MAX, NOW);
	}
	score_records(&sc, &p, s, r, 3, NOW);
	assert_true(isfinite(sc.score));
	assert_true(fabs(sc.score) <= 5.0);
	/* ham alone, however huge, still pulls towards -local_weight */
	for (i = 0; i < 3; i++)
		r[i].local.spam = 0;
	score_records(&sc, &p, s, r, 3, NOW);
	assert_near(sc.score, -5.0, EPS);
	for (i = 0; i < 3; i++) {
		r[i].local.spam = DBL_MAX;
		r[i].local.ham = 0;
	}
	score_records(&sc, &p, s, r, 3, NOW);
	assert_near(sc.score, 5.0, EPS);
}

static void test_override_deny_beats_partner_allow(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;
	const struct rep_term *t;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_override(&r, REP_OVERRIDE_DENY, 0);
	rec_partner(&r, 3, REP_OP_ALLOW, 0, 100, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_int_equal(sc.overridden, REP_OVERRIDE_DENY);
	assert_near(sc.score, 100.0, 0);
	t = term_find(&sc, REP_TERM_OVERRIDE, 0);
	assert_non_null(t);
	assert_near(t->value, 100.0, 0);
	assert_int_equal(t->expired, 0);
	/* the overridden allow is still shown, with what it would have done */
	t = term_find(&sc, REP_TERM_PARTNER, 3);
	assert_non_null(t);
	assert_near(t->value, -3.0, EPS);
}

static void test_override_allow_beats_local_spam(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_local(&r, 0, 1000, NOW);
	rec_partner(&r, 1, REP_OP_LIST, REP_CAT_BOTNET_CC, 100, NOW);
	rec_override(&r, REP_OVERRIDE_ALLOW, NOW + 86400);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_int_equal(sc.overridden, REP_OVERRIDE_ALLOW);
	assert_near(sc.score, -100.0, 0);
}

static void test_overridden_score_still_lists_every_other_term(void **state)
{
	struct rep_subject s[2] = {ip("192.0.2.1", 32), ip("192.0.2.0", 24)};
	struct rep_policy p;
	struct rep_record r[2];
	struct rep_score sc;
	unsigned pub;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r[0]);
	rec_local(&r[0], 0, 8, NOW);
	rec_override(&r[0], REP_OVERRIDE_DENY, 0);
	rec_empty(&r[1]);
	for (pub = 1; pub <= 3; pub++)
		rec_partner(&r[1], pub, REP_OP_LIST, REP_CAT_SPAM, 100, NOW);
	score_records(&sc, &p, s, r, 2, NOW);
	assert_near(sc.score, 100.0, 0);
	assert_int_equal(term_count(&sc, REP_TERM_OVERRIDE), 1);
	assert_near(term_find(&sc, REP_TERM_LOCAL, 0)->value, 4.0, EPS);
	assert_int_equal(term_count(&sc, REP_TERM_PARTNER), 3);
	/* 3 x 4 = 12 capped at 8: the cut is shown as if not overridden */
	assert_near(term_find(&sc, REP_TERM_PARTNERS_CAP, 0)->value, -4.0, EPS);
	assert_int_equal(sc.nterms, 6);
}

static void test_most_specific_override_wins(void **state)
{
	struct rep_subject s[2] = {ip("192.0.2.1", 32), ip("192.0.2.0", 24)};
	struct rep_policy p;
	struct rep_record r[2];
	struct rep_score sc;
	const struct rep_term *t;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r[0]);
	rec_override(&r[0], REP_OVERRIDE_ALLOW, 0);
	rec_empty(&r[1]);
	rec_override(&r[1], REP_OVERRIDE_DENY, 0);
	score_records(&sc, &p, s, r, 2, NOW);
	assert_int_equal(sc.overridden, REP_OVERRIDE_ALLOW);
	assert_near(sc.score, -100.0, 0);
	/* the shadowed /24 deny explains nothing and is not listed */
	assert_int_equal(term_count(&sc, REP_TERM_OVERRIDE), 1);
	t = term_find(&sc, REP_TERM_OVERRIDE, 0);
	assert_true(same_subject(&t->subject, &s[0]));
	assert_int_equal(sc.nrecords, 2);
}

static void test_expired_override_is_listed_but_does_not_decide(void **state)
{
	struct rep_subject s[2] = {ip("192.0.2.1", 32), ip("192.0.2.0", 24)};
	struct rep_policy p;
	struct rep_record r[2];
	struct rep_score sc;
	const struct rep_term *t;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r[0]);
	rec_override(&r[0], REP_OVERRIDE_ALLOW, NOW - 1);
	rec_local(&r[0], 0, 8, NOW);
	score_records(&sc, &p, s, r, 1, NOW);
	assert_int_equal(sc.overridden, 0);
	assert_near(sc.score, 4.0, EPS);
	t = term_find(&sc, REP_TERM_OVERRIDE, 0);
	assert_non_null(t);
	assert_int_equal(t->expired, 1);
	assert_near(t->value, 0.0, 0);
	assert_near(term_sum(&sc), sc.score, EPS);

	/* the less specific unexpired deny decides in its place */
	rec_empty(&r[1]);
	rec_override(&r[1], REP_OVERRIDE_DENY, NOW + 1);
	score_records(&sc, &p, s, r, 2, NOW);
	assert_int_equal(sc.overridden, REP_OVERRIDE_DENY);
	assert_near(sc.score, 100.0, 0);
	assert_int_equal(term_count(&sc, REP_TERM_OVERRIDE), 2);
}

static void test_override_expires_at_its_expiry_time(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_override(&r, REP_OVERRIDE_DENY, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW - 1);
	assert_int_equal(sc.overridden, REP_OVERRIDE_DENY);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_int_equal(sc.overridden, 0);
	assert_near(sc.score, 0.0, 0);
}

static void test_override_with_zero_expiry_never_expires(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_override(&r, REP_OVERRIDE_DENY, 0);
	score_records(&sc, &p, &s, &r, 1, INT64_MAX);
	assert_int_equal(sc.overridden, REP_OVERRIDE_DENY);
}

static void test_override_with_unknown_action_is_ignored(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_override(&r, 7, 0);
	rec_local(&r, 8, 0, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_int_equal(sc.overridden, 0);
	assert_int_equal(term_count(&sc, REP_TERM_OVERRIDE), 0);
	assert_near(sc.score, -4.0, EPS);
}

static void test_partner_list_weighs_confidence_category_freshness(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;
	const struct rep_term *t;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_partner(&r, 9, REP_OP_LIST, REP_CAT_SNOWSHOE, 50, NOW - 30 * 86400);
	score_records(&sc, &p, &s, &r, 1, NOW);
	/* 4 x 0.5 x 0.8 x 0.5 */
	t = term_find(&sc, REP_TERM_PARTNER, 9);
	assert_non_null(t);
	assert_near(t->value, 0.8, EPS);
	assert_near(t->freshness, 0.5, EPS);
	assert_int_equal(t->capped, 0);
	assert_int_equal(t->expired, 0);
	assert_true(same_subject(&t->subject, &s));
	assert_near(sc.score, 0.8, EPS);
}

static void test_partner_seen_in_future_is_fully_fresh(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_partner(&r, 1, REP_OP_LIST, REP_CAT_SPAM, 50, NOW + 3600);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_near(sc.term[0].freshness, 1.0, 0);
	assert_near(sc.score, 2.0, EPS);
}

static void test_partner_list_is_capped_per_partner(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	p.partner_weight = 10;
	rec_empty(&r);
	rec_partner(&r, 1, REP_OP_LIST, REP_CAT_SPAM, 100, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_near(sc.term[0].value, 5.0, 0);
	assert_int_equal(sc.term[0].capped, 1);
	assert_near(sc.score, 5.0, 0);
}

static void test_partner_allow_lowers_by_at_most_allow_cap(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_partner(&r, 1, REP_OP_ALLOW, 0, 100, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	/* min(3, 4 x 1 x 1); an allow has no category to weigh */
	assert_near(sc.term[0].value, -3.0, 0);
	assert_int_equal(sc.term[0].capped, 1);
	assert_near(sc.score, -3.0, 0);

	r.partner[0].confidence = 50;
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_near(sc.term[0].value, -2.0, EPS);
	assert_int_equal(sc.term[0].capped, 0);
}

static void test_partner_delist_is_listed_with_zero_value(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_partner(&r, 4, REP_OP_DELIST, REP_CAT_SPAM, 100, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_int_equal(sc.nterms, 1);
	assert_int_equal(sc.term[0].kind, REP_TERM_PARTNER);
	assert_int_equal(sc.term[0].publisher, 4);
	assert_near(sc.term[0].value, 0.0, 0);
	assert_near(sc.score, 0.0, 0);
}

static void test_partner_unknown_op_counts_zero(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_partner(&r, 4, 0, REP_CAT_SPAM, 100, NOW);
	rec_partner(&r, 5, 99, REP_CAT_SPAM, 100, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_near(sc.score, 0.0, 0);
	assert_near(term_sum(&sc), 0.0, 0);
}

static void test_expired_partner_slot_contributes_zero(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_partner(&r, 1, REP_OP_LIST, REP_CAT_SPAM, 100, NOW)->expires = NOW;
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_int_equal(sc.nterms, 1);
	assert_int_equal(sc.term[0].expired, 1);
	assert_near(sc.term[0].value, 0.0, 0);
	assert_near(sc.score, 0.0, 0);

	r.partner[0].expires = NOW + 1;
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_int_equal(sc.term[0].expired, 0);
	assert_near(sc.score, 4.0, EPS);
}

static void test_unknown_category_weighs_zero(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	p.category_weight[0] =
	        1.0; /* index 0 is no category, whatever it holds */
	rec_empty(&r);
	rec_partner(&r, 1, REP_OP_LIST, 0, 100, NOW);
	rec_partner(&r, 2, REP_OP_LIST, REP_CAT_MAX + 1, 100, NOW);
	rec_partner(&r, 3, REP_OP_LIST, 255, 100, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_int_equal(sc.nterms, 3);
	assert_near(sc.score, 0.0, 0);
}

static void test_confidence_above_hundred_reads_as_hundred(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_partner(&r, 1, REP_OP_LIST, REP_CAT_ABUSE, 250, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_near(sc.score, 4.0 * 0.6, EPS);
}

static void test_nonfinite_policy_factors_do_not_poison_score(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	p.category_weight[REP_CAT_PHISH] = NAN;
	p.partner_weight = INFINITY;
	rec_empty(&r);
	rec_partner(&r, 1, REP_OP_LIST, REP_CAT_PHISH, 100, NOW);
	rec_partner(&r, 2, REP_OP_LIST, REP_CAT_SPAM, 0, NOW);
	rec_partner(&r, 3, REP_OP_ALLOW, 0, 0, NOW);
	rec_partner(&r, 4, REP_OP_LIST, REP_CAT_SPAM, 1, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	/* NaN x anything and inf x 0 count nothing; inf x 0.01 hits the cap */
	assert_near(term_find(&sc, REP_TERM_PARTNER, 1)->value, 0.0, 0);
	assert_near(term_find(&sc, REP_TERM_PARTNER, 2)->value, 0.0, 0);
	assert_near(term_find(&sc, REP_TERM_PARTNER, 3)->value, 0.0, 0);
	assert_near(term_find(&sc, REP_TERM_PARTNER, 4)->value, 5.0, 0);
	assert_near(sc.score, 5.0, 0);
}

static void test_allow_without_confidence_shows_plain_zero(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_partner(&r, 1, REP_OP_ALLOW, 0, 0, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	/* not -0, which repctl would print as "-0" */
	assert_near(sc.term[0].value, 0.0, 0);
	assert_false(signbit(sc.term[0].value));
}

static void test_partner_counts_once_with_its_strongest_slot(void **state)
{
	struct rep_subject s[3] = {
	        ip("192.0.2.1", 32), ip("192.0.2.0", 24), ip("192.0.0.0", 16)};
	struct rep_policy p;
	struct rep_record r[3];
	struct rep_score sc;
	const struct rep_term *t;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r[0]);
	rec_partner(&r[0], 6, REP_OP_LIST, REP_CAT_SPAM, 20, NOW);
	rec_empty(&r[1]);
	rec_partner(&r[1], 6, REP_OP_LIST, REP_CAT_SPAM, 90, NOW);
	rec_empty(&r[2]);
	rec_partner(&r[2], 6, REP_OP_LIST, REP_CAT_SPAM, 50, NOW);
	score_records(&sc, &p, s, r, 3, NOW);
	assert_int_equal(sc.nterms, 1);
	t = term_find(&sc, REP_TERM_PARTNER, 6);
	assert_near(t->value, 3.6, EPS);
	assert_true(same_subject(&t->subject, &s[1]));
	assert_near(sc.score, 3.6, EPS);
	assert_int_equal(sc.nrecords, 3);
}

static void test_partner_equal_slots_keep_most_specific(void **state)
{
	struct rep_subject s[2] = {ip("192.0.2.1", 32), ip("192.0.2.0", 24)};
	struct rep_policy p;
	struct rep_record r[2];
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r[0]);
	rec_partner(&r[0], 6, REP_OP_LIST, REP_CAT_SPAM, 50, NOW);
	rec_empty(&r[1]);
	rec_partner(&r[1], 6, REP_OP_LIST, REP_CAT_SPAM, 50, NOW);
	score_records(&sc, &p, s, r, 2, NOW);
	assert_int_equal(sc.nterms, 1);
	assert_true(same_subject(&sc.term[0].subject, &s[0]));
	assert_near(sc.score, 2.0, EPS);
}

static void test_partner_stronger_allow_outweighs_own_weaker_list(void **state)
{
	struct rep_subject s[2] = {ip("192.0.2.1", 32), ip("192.0.2.0", 24)};
	struct rep_policy p;
	struct rep_record r[2];
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r[0]);
	rec_partner(&r[0], 6, REP_OP_LIST, REP_CAT_SPAM, 10, NOW);
	rec_empty(&r[1]);
	rec_partner(&r[1], 6, REP_OP_ALLOW, 0, 100, NOW);
	score_records(&sc, &p, s, r, 2, NOW);
	/* |-3| beats |0.4|: the partner counts once, with its allow */
	assert_int_equal(sc.nterms, 1);
	assert_near(sc.score, -3.0, EPS);
	assert_true(same_subject(&sc.term[0].subject, &s[1]));
}

static void test_partner_weight_and_cap_come_from_policy(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	p.weight[7] = 2.0;
	p.cap[7] = 1.5;
	p.weight[9] = 1.0;   /* cap[9] stays NaN: the default cap */
	p.weight[10] = -1.0; /* not a weight: the default */
	rec_empty(&r);
	rec_partner(&r, 7, REP_OP_LIST, REP_CAT_SPAM, 100, NOW);
	rec_partner(&r, 8, REP_OP_LIST, REP_CAT_SPAM, 25, NOW);
	rec_partner(&r, 9, REP_OP_LIST, REP_CAT_SPAM, 100, NOW);
	rec_partner(&r, 10, REP_OP_LIST, REP_CAT_SPAM, 25, NOW);
	rec_partner(&r, 5000, REP_OP_LIST, REP_CAT_SPAM, 25, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_near(term_find(&sc, REP_TERM_PARTNER, 7)->value, 1.5, 0);
	assert_int_equal(term_find(&sc, REP_TERM_PARTNER, 7)->capped, 1);
	assert_near(term_find(&sc, REP_TERM_PARTNER, 8)->value, 1.0, EPS);
	assert_near(term_find(&sc, REP_TERM_PARTNER, 9)->value, 1.0, EPS);
	assert_near(term_find(&sc, REP_TERM_PARTNER, 10)->value, 1.0, EPS);
	/* an id past the policy's table gets the defaults */
	assert_near(term_find(&sc, REP_TERM_PARTNER, 5000)->value, 1.0, EPS);
	assert_near(sc.score, 5.5, EPS);
}

static void test_partners_sum_is_capped_with_correction_term(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;
	const struct rep_term *t;
	unsigned pub;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_local(&r, 0, 8, NOW);
	for (pub = 1; pub <= 3; pub++)
		rec_partner(&r, pub, REP_OP_LIST, REP_CAT_SPAM, 100, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	/* local 4 + min(8, 12) */
	assert_near(sc.score, 12.0, EPS);
	t = term_find(&sc, REP_TERM_PARTNERS_CAP, 0);
	assert_non_null(t);
	assert_near(t->value, -4.0, EPS);
	assert_ptr_equal(t, &sc.term[sc.nterms - 1]);
	assert_near(term_sum(&sc), sc.score, EPS);
}

static void test_partner_allows_sum_is_capped_with_correction_term(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;
	unsigned pub;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	for (pub = 1; pub <= 3; pub++)
		rec_partner(&r, pub, REP_OP_ALLOW, 0, 100, NOW);
	rec_partner(&r, 4, REP_OP_LIST, REP_CAT_SPAM, 50, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	/* 2 + max(-3, -9) */
	assert_near(sc.score, -1.0, EPS);
	assert_near(term_find(&sc, REP_TERM_PARTNERS_CAP, 0)->value, 6.0, EPS);
	assert_near(term_sum(&sc), sc.score, EPS);
}

static void test_no_cap_term_when_partners_within_caps(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_partner(&r, 1, REP_OP_LIST, REP_CAT_SPAM, 100, NOW);
	rec_partner(&r, 2, REP_OP_LIST, REP_CAT_SPAM, 100, NOW);
	rec_partner(&r, 3, REP_OP_ALLOW, 0, 50, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_null(term_find(&sc, REP_TERM_PARTNERS_CAP, 0));
	assert_near(sc.score, 6.0, EPS);
}

static void test_finishing_twice_gives_same_score(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;
	unsigned pub, n;
	double score;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	rec_local(&r, 1, 5, NOW);
	for (pub = 1; pub <= 4; pub++)
		rec_partner(&r, pub, REP_OP_LIST, REP_CAT_SPAM, 100, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	score = sc.score;
	n = sc.nterms;
	rep_score_finish(&sc, &p);
	assert_near(sc.score, score, 0);
	assert_int_equal(sc.nterms, n);
	assert_int_equal(term_count(&sc, REP_TERM_PARTNERS_CAP), 1);
	/* finished again under a wider cap, the stale cut goes away */
	p.partners_cap = 100;
	rep_score_finish(&sc, &p);
	assert_int_equal(term_count(&sc, REP_TERM_PARTNERS_CAP), 0);
	assert_int_equal(sc.nterms, n - 1);
	assert_near(sc.score, 16.0 + 5.0 * 4.0 / 8.0, EPS);
	assert_near(term_sum(&sc), sc.score, EPS);
}

static void test_nrecords_counts_records_added(void **state)
{
	struct rep_subject s[3] = {
	        ip("192.0.2.1", 32), ip("192.0.2.0", 24), ip("192.0.0.0", 16)};
	struct rep_policy p;
	struct rep_record r[3];
	struct rep_score sc;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r[0]);
	rec_empty(&r[1]);
	rec_override(&r[1], REP_OVERRIDE_DENY, 0);
	rec_empty(&r[2]);
	rec_local(&r[2], 1, 1, NOW);
	score_records(&sc, &p, s, r, 3, NOW);
	assert_int_equal(sc.nrecords, 3);
}

static void test_corrupt_partner_count_is_bounded(void **state)
{
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;
	unsigned i;

	(void)state;
	rep_policy_init(&p);
	rec_empty(&r);
	for (i = 0; i < REP_PARTNERS_MAX; i++)
		rec_partner(&r, i + 1, REP_OP_LIST, REP_CAT_SPAM, 1, NOW);
	r.npartners = 100000;
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_int_equal(term_count(&sc, REP_TERM_PARTNER), REP_PARTNERS_MAX);
	assert_near(term_sum(&sc), sc.score, EPS);
}

/* score_many_partners - 64 partners with distinct values 0.04 .. 2.56
 * over two prefixes, weakest or strongest first; the pool must end up
 * holding the strongest REP_TERMS_MAX - 3 of them either way */
static void score_many_partners(int strongest_first)
{
	struct rep_subject s[3] = {
	        ip("192.0.2.1", 32), ip("192.0.2.0", 24), ip("192.0.0.0", 16)};
	struct rep_policy p;
	struct rep_record r[3];
	struct rep_score sc;
	unsigned i, k, pub, pool = REP_TERMS_MAX - 3;

	rep_policy_init(&p);
	p.partners_cap = 1000; /* so that the sum shows who counts */
	rec_empty(&r[0]);
	rec_local(&r[0], 0, 8, NOW);
	rec_override(&r[0], REP_OVERRIDE_DENY, NOW - 1);
	rec_empty(&r[1]);
	rec_empty(&r[2]);
	rec_override(&r[2], REP_OVERRIDE_ALLOW, 0);
	for (k = 1; k <= 2 * REP_PARTNERS_MAX; k++) {
		pub = strongest_first ? 2 * REP_PARTNERS_MAX + 1 - k : k;
		rec_partner(&r[k <= REP_PARTNERS_MAX ? 1 : 2], pub, REP_OP_LIST,
		        REP_CAT_SPAM, (int)pub, NOW);
	}
	score_records(&sc, &p, s, r, 3, NOW);
	assert_true(sc.nterms <= REP_TERMS_MAX);
	assert_int_equal(term_count(&sc, REP_TERM_LOCAL), 1);
	assert_int_equal(sc.overridden, REP_OVERRIDE_ALLOW);
	/* every place of the pool went to the strongest partners, so the
	 * expired override (value 0) gave its place up too */
	assert_int_equal(term_count(&sc, REP_TERM_PARTNER), pool);
	for (i = 0; i < pool; i++) {
		pub = 2 * REP_PARTNERS_MAX - i;
		assert_non_null(term_find(&sc, REP_TERM_PARTNER, pub));
	}
	for (i = 0; i < sc.nterms; i++)
		assert_false(sc.term[i].kind == REP_TERM_OVERRIDE &&
		             sc.term[i].expired);
	/* without the override the listed terms still make the score */
	r[2].flags &= ~(unsigned)REP_HAS_OVERRIDE;
	score_records(&sc, &p, s, r, 3, NOW);
	assert_near(term_sum(&sc), sc.score, EPS);
	assert_true(sc.nterms <= REP_TERMS_MAX);
}

static void test_strongest_partners_kept_when_terms_run_out(void **state)
{
	(void)state;
	score_many_partners(0);
	score_many_partners(1);
}

static void test_least_specific_of_equal_weakest_is_evicted(void **state)
{
	struct rep_subject s[3] = {
	        ip("192.0.2.1", 32), ip("192.0.2.0", 24), ip("192.0.0.0", 16)};
	struct rep_policy p;
	struct rep_record r[3];
	struct rep_score sc;
	unsigned pub, pool = REP_TERMS_MAX - 3;

	(void)state;
	rep_policy_init(&p);
	/* tombstones fill the pool exactly; a listing arrives last */
	rec_empty(&r[0]);
	rec_empty(&r[1]);
	for (pub = 1; pub <= pool; pub++)
		rec_partner(&r[pub <= REP_PARTNERS_MAX ? 0 : 1], pub,
		        REP_OP_DELIST, REP_CAT_SPAM, 100, NOW);
	rec_empty(&r[2]);
	rec_partner(&r[2], 100, REP_OP_LIST, REP_CAT_SPAM, 100, NOW);
	score_records(&sc, &p, s, r, 3, NOW);
	assert_int_equal(term_count(&sc, REP_TERM_PARTNER), pool);
	assert_non_null(term_find(&sc, REP_TERM_PARTNER, 100));
	assert_non_null(term_find(&sc, REP_TERM_PARTNER, 1));
	assert_null(term_find(&sc, REP_TERM_PARTNER, pool));
	assert_near(sc.score, 4.0, EPS);

	/* a slot no stronger than the weakest gets no place */
	r[2].partner[0].op = REP_OP_DELIST;
	score_records(&sc, &p, s, r, 3, NOW);
	assert_null(term_find(&sc, REP_TERM_PARTNER, 100));
	assert_non_null(term_find(&sc, REP_TERM_PARTNER, pool));
}

/*
 * A reference written straight from DESIGN.md and score.c's header, with
 * none of score.c's code, for the random tests.
 */
struct ref_partner_best {
	int seen;
	double value;
};

/* ref_partner - one slot's value per the formulas */
static double ref_partner(
        const struct rep_policy *p, const struct rep_partner *pa, int64_t now)
{
	double w = p->partner_weight, cap = p->partner_cap, f = 1, c, cw = 0;

	if (pa->publisher < REP_PUBLISHERS_MAX &&
	        isfinite(p->weight[pa->publisher]) &&
	        p->weight[pa->publisher] >= 0)
		w = p->weight[pa->publisher];
	if (pa->publisher < REP_PUBLISHERS_MAX &&
	        isfinite(p->cap[pa->publisher]) && p->cap[pa->publisher] >= 0)
		cap = p->cap[pa->publisher];
	if (pa->expires != 0 && now >= pa->expires)
		return 0;
	if (pa->last_seen < now)
		f = pow(2.0,
		        -(double)(now - pa->last_seen) / p->fresh_half_life);
	c = fmin(pa->confidence, 100) / 100.0;
	if (pa->category >= 1 && pa->category <= REP_CAT_MAX)
		cw = p->category_weight[pa->category];
	if (pa->op == REP_OP_LIST)
		return fmin(cap, w * c * cw * f);
	if (pa->op == REP_OP_ALLOW)
		return -fmin(p->allow_cap, w * c * f);
	return 0;
}

/* ref_score - the expected score of n records, most specific first */
static double ref_score(const struct rep_policy *p, const struct rep_record *r,
        size_t n, int64_t now, int *overridden)
{
	static struct ref_partner_best best[REP_PUBLISHERS_MAX];
	double h = 0, s = 0, pos = 0, neg = 0, local = 0;
	int any_local = 0;
	size_t i, j;

	memset(best, 0, sizeof best);
	*overridden = 0;
	for (i = 0; i < n; i++) {
		const struct rep_override *ov = &r[i].override;

		if ((r[i].flags & REP_HAS_OVERRIDE) && *overridden == 0 &&
		        (ov->action == 1 || ov->action == 2) &&
		        (ov->expires == 0 || now < ov->expires))
			*overridden = ov->action;
		if (r[i].flags & REP_HAS_LOCAL) {
			double age = (double)(now - r[i].local.stamp);
			double k = age > 0 ? pow(2.0, -age / p->half_life) : 1;

			any_local = 1;
			if (isfinite(r[i].local.ham) && r[i].local.ham >= 0)
				h += r[i].local.ham * k;
			if (isfinite(r[i].local.spam) && r[i].local.spam >= 0)
				s += r[i].local.spam * k;
		}
		for (j = 0; j < r[i].npartners; j++) {
			const struct rep_partner *pa = &r[i].partner[j];
			double v = ref_partner(p, pa, now);

			if (!best[pa->publisher].seen ||
			        fabs(v) > fabs(best[pa->publisher].value)) {
				best[pa->publisher].seen = 1;
				best[pa->publisher].value = v;
			}
		}
	}
	for (i = 0; i < REP_PUBLISHERS_MAX; i++) {
		if (best[i].value > 0)
			pos += best[i].value;
		else
			neg += best[i].value;
	}
	if (any_local)
		local = p->local_weight * (s - h) / (s + h + p->local_prior);
	if (*overridden == REP_OVERRIDE_DENY)
		return p->deny_score;
	if (*overridden == REP_OVERRIDE_ALLOW)
		return p->allow_score;
	return local + fmin(pos, p->partners_cap) + fmax(neg, -p->allow_cap);
}

/* rnd - xorshift64*: the same sequence on every libc */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * UINT64_C(2685821657736338717);
}

/* rnd_below - a number in [0, n) */
static unsigned rnd_below(uint64_t *x, unsigned n)
{
	return (unsigned)(rnd(x) >> 33) % n;
}

/* rnd_time - a time within `span` seconds of NOW, sometimes 0 */
static int64_t rnd_time(uint64_t *x, unsigned span)
{
	if (rnd_below(x, 8) == 0)
		return 0;
	return NOW - (int64_t)span + (int64_t)rnd_below(x, 2 * span);
}

/* rnd_count - a count, now and then a corrupt one */
static double rnd_count(uint64_t *x)
{
	static const double odd[] = {NAN, INFINITY, -1.0, 0.0, 1e30};
	unsigned k = rnd_below(x, 40);

	if (k < 5)
		return odd[k];
	return rnd_below(x, 100000) / 100.0;
}

/* rnd_record - a random record naming publishers 1..npub */
static void rnd_record(uint64_t *x, struct rep_record *r, unsigned npub)
{
	unsigned i, n = rnd_below(x, REP_PARTNERS_MAX + 1);

	rec_empty(r);
	if (rnd_below(x, 2))
		rec_local(r, rnd_count(x), rnd_count(x),
		        NOW - 60 * 86400 + rnd_below(x, 61 * 86400));
	if (rnd_below(x, 6) == 0)
		rec_override(r, 1 + (int)rnd_below(x, 3), rnd_time(x, 86400));
	for (i = 0; i < n; i++) {
		struct rep_partner *pa = rec_partner(r, 1 + rnd_below(x, npub),
		        1 + (int)rnd_below(x, 4), (int)rnd_below(x, 11),
		        (int)rnd_below(x, 120),
		        NOW - 90 * 86400 + rnd_below(x, 91 * 86400));

		pa->expires = rnd_time(x, 30 * 86400);
	}
}

/* check_shape - what must hold of any finished score */
static void check_shape(const struct rep_score *sc, const struct rep_policy *p)
{
	double partners = 0;
	unsigned i, j;

	assert_true(sc->nterms <= REP_TERMS_MAX);
	assert_true(isfinite(sc->score));
	assert_true(term_count(sc, REP_TERM_LOCAL) <= 1);
	assert_true(term_count(sc, REP_TERM_PARTNERS_CAP) <= 1);
	for (i = 0; i < sc->nterms; i++) {
		const struct rep_term *t = &sc->term[i];

		assert_true(isfinite(t->value));
		if (t->kind == REP_TERM_OVERRIDE && !t->expired)
			assert_int_not_equal(sc->overridden, 0);
		if (t->expired)
			assert_near(t->value, 0.0, 0);
		if (t->kind != REP_TERM_PARTNER)
			continue;
		partners += t->value;
		for (j = i + 1; j < sc->nterms; j++)
			assert_false(sc->term[j].kind == REP_TERM_PARTNER &&
			             sc->term[j].publisher == t->publisher);
	}
	if (term_find(sc, REP_TERM_PARTNERS_CAP, 0) != NULL)
		partners += term_find(sc, REP_TERM_PARTNERS_CAP, 0)->value;
	assert_true(partners <= p->partners_cap + EPS);
	assert_true(partners >= -p->allow_cap - EPS);
	if (!sc->overridden)
		assert_near(term_sum(sc), sc->score, EPS);
}

/* rnd_policy - defaults with a few publishers weighted their own way */
static void rnd_policy(uint64_t *x, struct rep_policy *p)
{
	unsigned i;

	rep_policy_init(p);
	for (i = 0; i < 6; i++) {
		unsigned pub = 1 + rnd_below(x, 12);

		p->weight[pub] = rnd_below(x, 800) / 100.0;
		if (rnd_below(x, 2))
			p->cap[pub] = rnd_below(x, 600) / 100.0;
	}
}

static void test_score_equals_sum_of_terms_on_random_records(void **state)
{
	struct rep_subject s[5];
	struct rep_record r[5];
	struct rep_policy p;
	struct rep_score sc;
	uint64_t x = UINT64_C(0x9E3779B97F4A7C15);
	unsigned iter, i, n, overridden_seen = 0;

	(void)state;
	for (i = 0; i < 5; i++)
		s[i] = ip("192.0.2.0", 32 - 4 * i);
	for (iter = 0; iter < 20000; iter++) {
		double want;
		int overridden;

		rnd_policy(&x, &p);
		n = rnd_below(&x, 6);
		for (i = 0; i < n; i++)
			rnd_record(&x, &r[i], 12);
		score_records(&sc, &p, s, r, n, NOW);
		check_shape(&sc, &p);
		assert_int_equal(sc.nrecords, n);
		/* 12 publishers always fit: the reference must agree */
		want = ref_score(&p, r, n, NOW, &overridden);
		assert_int_equal(sc.overridden, overridden);
		assert_near(sc.score, want, EPS);
		overridden_seen += overridden != 0;
	}
	/* the generator exercised both ways */
	assert_true(overridden_seen > 100);
	assert_true(overridden_seen < 19000);
}

static void test_terms_stay_bounded_with_many_random_partners(void **state)
{
	struct rep_subject s[5];
	struct rep_record r[5];
	struct rep_policy p;
	struct rep_score sc;
	uint64_t x = UINT64_C(0xD1B54A32D192ED03);
	unsigned iter, i, n;

	(void)state;
	for (i = 0; i < 5; i++)
		s[i] = ip("2001:db8::", 128 - 16 * i);
	for (iter = 0; iter < 5000; iter++) {
		rnd_policy(&x, &p);
		n = 1 + rnd_below(&x, 5);
		for (i = 0; i < n; i++)
			rnd_record(&x, &r[i], 200);
		score_records(&sc, &p, s, r, n, NOW);
		check_shape(&sc, &p);
	}
}

static void test_policy_set_partner_rejects_bad_input(void **state)
{
	struct rep_open_opts opts = {.create = 1, .nosync = 1};
	struct rep_store *st = NULL;
	struct rep_policy p;
	struct testdir td;
	size_t i;

	(void)state;
	testdir_make(&td);
	assert_int_equal(rep_open(td.path, &opts, &st), REP_OK);
	rep_policy_init(&p);
	assert_int_equal(
	        rep_policy_set_partner(&p, st, "Bad Name", 1, 1), REP_E_INVAL);
	assert_int_equal(rep_policy_set_partner(&p, st, "", 1, 1), REP_E_INVAL);
	assert_int_equal(
	        rep_policy_set_partner(&p, st, NULL, 1, 1), REP_E_INVAL);
	assert_int_equal(
	        rep_policy_set_partner(&p, NULL, "ok", 1, 1), REP_E_INVAL);
	assert_int_equal(
	        rep_policy_set_partner(NULL, st, "ok", 1, 1), REP_E_INVAL);
	assert_int_equal(
	        rep_policy_set_partner(&p, st, "ok", NAN, 1), REP_E_INVAL);
	assert_int_equal(
	        rep_policy_set_partner(&p, st, "ok", INFINITY, 1), REP_E_INVAL);
	assert_int_equal(
	        rep_policy_set_partner(&p, st, "ok", -1, 1), REP_E_INVAL);
	assert_int_equal(
	        rep_policy_set_partner(&p, st, "ok", 1, NAN), REP_E_INVAL);
	assert_int_equal(
	        rep_policy_set_partner(&p, st, "ok", 1, -0.5), REP_E_INVAL);
	for (i = 0; i < REP_PUBLISHERS_MAX; i++) {
		assert_true(isnan(p.weight[i]));
		assert_true(isnan(p.cap[i]));
	}
	rep_close(st);
	testdir_remove(&td);
}

static void test_policy_set_partner_weighs_publisher_by_its_id(void **state)
{
	struct rep_open_opts opts = {.create = 1, .nosync = 1};
	struct rep_subject s = ip("192.0.2.1", 32);
	struct rep_store *st = NULL;
	struct rep_publisher pub;
	struct rep_policy p;
	struct rep_record r;
	struct rep_score sc;
	struct testdir td;

	(void)state;
	testdir_make(&td);
	assert_int_equal(rep_open(td.path, &opts, &st), REP_OK);
	rep_policy_init(&p);
	assert_int_equal(
	        rep_policy_set_partner(&p, st, "partner-a", 2.5, 1.0), REP_OK);
	assert_int_equal(rep_publisher_get(st, "partner-a", &pub), REP_OK);
	assert_near(p.weight[pub.id], 2.5, 0);
	assert_near(p.cap[pub.id], 1.0, 0);
	/* setting it again finds the same publisher */
	assert_int_equal(
	        rep_policy_set_partner(&p, st, "partner-a", 0, 0.5), REP_OK);
	assert_near(p.weight[pub.id], 0.0, 0);
	assert_near(p.cap[pub.id], 0.5, 0);

	rec_empty(&r);
	rec_partner(&r, pub.id, REP_OP_LIST, REP_CAT_SPAM, 100, NOW);
	score_records(&sc, &p, &s, &r, 1, NOW);
	assert_near(sc.score, 0.0, 0);
	rep_close(st);
	testdir_remove(&td);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_decay_halves_value_after_one_half_life),
	        cmocka_unit_test(test_decay_skips_nonpositive_age_or_half_life),
	        cmocka_unit_test(test_local_counts_halve_after_one_half_life),
	        cmocka_unit_test(
	                test_local_counts_stamped_in_future_do_not_grow),
	        cmocka_unit_test(test_local_corrupt_counts_read_as_zero),
	        cmocka_unit_test(test_policy_defaults_match_design),
	        cmocka_unit_test(test_subject_without_records_scores_zero),
	        cmocka_unit_test(
	                test_local_spam_raises_score_within_local_weight),
	        cmocka_unit_test(test_local_ham_lowers_score),
	        cmocka_unit_test(test_local_counts_decay_before_scoring),
	        cmocka_unit_test(
	                test_local_counts_add_up_over_covering_prefixes),
	        cmocka_unit_test(
	                test_local_term_names_most_specific_local_subject),
	        cmocka_unit_test(test_local_term_omitted_without_local_slot),
	        cmocka_unit_test(test_nan_count_does_not_poison_score),
	        cmocka_unit_test(test_huge_counts_keep_score_finite),
	        cmocka_unit_test(test_override_deny_beats_partner_allow),
	        cmocka_unit_test(test_override_allow_beats_local_spam),
	        cmocka_unit_test(
	                test_overridden_score_still_lists_every_other_term),
	        cmocka_unit_test(test_most_specific_override_wins),
	        cmocka_unit_test(
	                test_expired_override_is_listed_but_does_not_decide),
	        cmocka_unit_test(test_override_expires_at_its_expiry_time),
	        cmocka_unit_test(test_override_with_zero_expiry_never_expires),
	        cmocka_unit_test(test_override_with_unknown_action_is_ignored),
	        cmocka_unit_test(
	                test_partner_list_weighs_confidence_category_freshness),
	        cmocka_unit_test(test_partner_seen_in_future_is_fully_fresh),
	        cmocka_unit_test(test_partner_list_is_capped_per_partner),
	        cmocka_unit_test(
	                test_partner_allow_lowers_by_at_most_allow_cap),
	        cmocka_unit_test(test_partner_delist_is_listed_with_zero_value),
	        cmocka_unit_test(test_partner_unknown_op_counts_zero),
	        cmocka_unit_test(test_expired_partner_slot_contributes_zero),
	        cmocka_unit_test(test_unknown_category_weighs_zero),
	        cmocka_unit_test(
	                test_confidence_above_hundred_reads_as_hundred),
	        cmocka_unit_test(
	                test_nonfinite_policy_factors_do_not_poison_score),
	        cmocka_unit_test(
	                test_allow_without_confidence_shows_plain_zero),
	        cmocka_unit_test(
	                test_partner_counts_once_with_its_strongest_slot),
	        cmocka_unit_test(test_partner_equal_slots_keep_most_specific),
	        cmocka_unit_test(
	                test_partner_stronger_allow_outweighs_own_weaker_list),
	        cmocka_unit_test(test_partner_weight_and_cap_come_from_policy),
	        cmocka_unit_test(
	                test_partners_sum_is_capped_with_correction_term),
	        cmocka_unit_test(
	                test_partner_allows_sum_is_capped_with_correction_term),
	        cmocka_unit_test(test_no_cap_term_when_partners_within_caps),
	        cmocka_unit_test(test_finishing_twice_gives_same_score),
	        cmocka_unit_test(test_nrecords_counts_records_added),
	        cmocka_unit_test(test_corrupt_partner_count_is_bounded),
	        cmocka_unit_test(
	                test_strongest_partners_kept_when_terms_run_out),
	        cmocka_unit_test(
	                test_least_specific_of_equal_weakest_is_evicted),
	        cmocka_unit_test(
	                test_score_equals_sum_of_terms_on_random_records),
	        cmocka_unit_test(
	                test_terms_stay_bounded_with_many_random_partners),
	        cmocka_unit_test(test_policy_set_partner_rejects_bad_input),
	        cmocka_unit_test(
	                test_policy_set_partner_weighs_publisher_by_its_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
