/*
 * score.c - the score of a subject, computed from its record and the
 * records of the subjects covering it (DESIGN.md section 2). Pure: no I/O,
 * no allocation, no global state; rep_score_add runs inside rep_lookup's
 * read transaction on the mail path, so it stays cheap.
 *
 * SEMANTICS (tests/unit/test_score.c holds this code to each line)
 *
 * Decay. rep_decay(v, age, hl) = v * 2^(-age/hl). An age <= 0 leaves v
 * as it is, and so does a half-life <= 0: no decay.
 *
 * Local counts are decayed from their stamp to `now`. A count that is not
 * a finite number >= 0 can only come from a corrupt record and reads as 0,
 * so that it cannot poison a score.
 *
 * Local term. h and s are the decayed ham and spam counts summed over
 * every covering record with a local slot (an address and its prefixes add
 * up; one term is computed at finish):
 *	value = local_weight * (s - h) / (s + h + local_prior)
 * which lies within +-local_weight. The term's subject is the most
 * specific one with a local slot. No local slot anywhere: no term.
 *
 * Override. Records arrive most specific first; the first unexpired
 * override seen decides (expires == 0: never; expired once now >= expires).
 * Then score = deny_score or allow_score, overridden = the action, and a
 * REP_TERM_OVERRIDE term carries that score. Every other term is still
 * listed, so that an operator sees what was overridden. An expired
 * override is listed with expired = 1 and value 0. An unexpired override
 * shadowed by a more specific one is not listed (it explains nothing), nor
 * is one with an action we do not know (never guess).
 *
 * Partner slot. freshness f = 2^(-(now - last_seen)/fresh_half_life), 1 if
 * last_seen >= now; c = confidence/100 (a corrupt confidence above 100
 * reads as 100).
 *	LIST	min(cap_p, weight_p * c * category_weight[category] * f)
 *	ALLOW	-min(allow_cap, weight_p * c * f)
 *	DELIST	0, listed so that the operator sees the tombstone
 * An expired slot (expires != 0 && now >= expires) is listed with value 0
 * and expired = 1. An unknown category (0 or > REP_CAT_MAX) weighs 0 and an
 * unknown op counts 0: never guess. weight_p and cap_p are the policy's
 * weight[id] and cap[id] when id < REP_PUBLISHERS_MAX and the value is a
 * finite number >= 0 (NaN means "default"), else partner_weight and
 * partner_cap.
 *
 * Each partner counts once: over the covering subjects the term with the
 * largest |value| is kept, the more specific (first seen) one on a tie;
 * the others are not listed.
 *
 * Partners' total. The positive partner terms add up to at most
 * partners_cap, the negative ones (allows) to at least -allow_cap. When a
 * bound cuts the sum, a REP_TERM_PARTNERS_CAP term (last in the list)
 * carries the correction, so that the listed terms add up to the score.
 *
 * Score. local + partners' total, equal to the sum of the listed terms'
 * values; when overridden, the override's score.
 *
 * Room. The term array holds REP_TERMS_MAX terms. One place each is kept
 * for the local term, the deciding override and the cap term; the other
 * REP_TERMS_MAX - 3 hold partner terms and expired overrides. Covering
 * records may name more partners than that: then the weakest term (the
 * smallest |value|, zeros first) gives up its place to a stronger one and
 * no longer counts. The score is then that of the strongest partners and
 * still equals the sum of the listed terms; with so many partners the
 * partners' cap has long been reached anyway.
 *
 * Terms are listed in the order their records arrived (most specific
 * first), the cap term last.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "internal.h"

/* places kept out of the pool: local, deciding override, partners' cap */
#define SCORE_RESERVED 3
#define SCORE_POOL (REP_TERMS_MAX - SCORE_RESERVED)

/* far above any honest count, and low enough that a sum over every
 * covering record (at most 129 prefixes) stays finite */
#define SCORE_COUNT_MAX 1e300

/* rep_decay - value decayed over `age` seconds with `half_life` */
double rep_decay(double value, double age, double half_life)
{
	/* written so that NaN ages and half-lives also mean "no decay" */
	if (!(age > 0) || !(half_life > 0) || half_life > DBL_MAX)
		return value;
	return value * exp2(-age / half_life);
}

/* score_count - a stored count, or 0 if it cannot be one (corrupt) */
static double score_count(double v)
{
	return v >= 0 && v <= DBL_MAX ? v : 0;
}

/* rep_local_decayed - ham and spam counts decayed to `now` */
void rep_local_decayed(const struct rep_local *l, double half_life, int64_t now,
        double *ham, double *spam)
{
	double age;

	if (ham == NULL || spam == NULL)
		return;
	if (l == NULL) {
		*ham = *spam = 0;
		return;
	}
	/* in double: a corrupt stamp must not overflow an int64 */
	age = (double)now - (double)l->stamp;
	*ham = rep_decay(score_count(l->ham), age, half_life);
	*spam = rep_decay(score_count(l->spam), age, half_life);
}

/* rep_policy_init - sane defaults, no per-publisher weights */
void rep_policy_init(struct rep_policy *p)
{
	/* a category added to the header later weighs 0 until configured */
	static const double category[REP_CAT_MAX + 1] = {
	        [REP_CAT_SPAM] = 1.0,
	        [REP_CAT_BOT] = 1.0,
	        [REP_CAT_BOTNET_CC] = 1.2,
	        [REP_CAT_PHISH] = 1.0,
	        [REP_CAT_MALWARE] = 1.0,
	        [REP_CAT_SNOWSHOE] = 0.8,
	        [REP_CAT_ABUSE] = 0.6,
	        [REP_CAT_OTHER] = 0.5,
	};
	size_t i;

	if (p == NULL)
		return;
	p->half_life = REP_HALF_LIFE_DEFAULT;
	p->local_weight = 5.0;
	p->local_prior = 2.0;
	p->fresh_half_life = 30.0 * 86400.0;
	p->partner_weight = 4.0;
	p->partner_cap = 5.0;
	p->partners_cap = 8.0;
	p->allow_cap = 3.0;
	p->deny_score = 100.0;
	p->allow_score = -100.0;
	memcpy(p->category_weight, category, sizeof p->category_weight);
	for (i = 0; i < REP_PUBLISHERS_MAX; i++)
		p->weight[i] = p->cap[i] = NAN;
}

/* score_factor_ok - a usable weight or cap: finite and >= 0 */
static int score_factor_ok(double v)
{
	return v >= 0 && v <= DBL_MAX;
}

/* rep_policy_set_partner - weight and cap for a publisher, by name */
int rep_policy_set_partner(struct rep_policy *p, struct rep_store *st,
        const char *name, double weight, double cap)
{
	uint16_t id;
	int err;

	/* everything is checked before the store creates the publisher */
	if (p == NULL || st == NULL || name == NULL ||
	        !rep_publisher_valid_name(name))
		return REP_E_INVAL;
	if (!score_factor_ok(weight) || !score_factor_ok(cap))
		return REP_E_INVAL;
	err = rep_publisher_ensure(st, name, &id);
	if (err != REP_OK)
		return err;
	if (id >= REP_PUBLISHERS_MAX)
		return REP_E_LIMIT;
	p->weight[id] = weight;
	p->cap[id] = cap;
	return REP_OK;
}

struct policy_load {
	struct rep_policy *p;
	int64_t now;
};

/* policy_take - one publisher's stored weight and cap, faded when it has
 * been silent too long */
static int policy_take(const struct rep_publisher *pb, void *arg)
{
	struct policy_load *pl = arg;
	struct rep_policy *p = pl->p;
	double w = pb->weight, silent;

	if (pb->id >= REP_PUBLISHERS_MAX)
		return 0;
	silent = (double)pl->now - (double)pb->updated;
	if (!isnan(pb->stale_after) && pb->updated > 0 &&
	        silent > pb->stale_after) {
		if (isnan(w))
			w = p->partner_weight;
		w *= exp2(-(silent - pb->stale_after) / pb->stale_after);
	}
	p->weight[pb->id] = w;
	p->cap[pb->id] = pb->cap;
	return 0;
}

/* rep_policy_load - the store's publisher weights into the policy */
int rep_policy_load(struct rep_policy *p, struct rep_store *st, int64_t now)
{
	struct policy_load pl = {p, now};

	if (p == NULL || st == NULL)
		return REP_E_INVAL;
	return rep_publisher_list(st, policy_take, &pl);
}

/* rep_score_init - an empty score, ready for rep_score_add */
void rep_score_init(struct rep_score *sc)
{
	/* the terms are written when listed: no 11 KB memset per lookup */
	if (sc == NULL)
		return;
	sc->score = 0;
	sc->overridden = 0;
	sc->nterms = 0;
	sc->nrecords = 0;
}

/* score_term_init - a term of `kind` for `subject` (NULL: none), all 0 */
static void score_term_init(
        struct rep_term *t, unsigned kind, const struct rep_subject *subject)
{
	t->kind = (uint8_t)kind;
	t->capped = 0;
	t->expired = 0;
	t->publisher = 0;
	t->value = 0;
	t->ham = 0;
	t->spam = 0;
	t->freshness = 0;
	if (subject != NULL)
		t->subject = *subject;
	else
		memset(&t->subject, 0, sizeof t->subject);
}

/* score_term_copy - the numbers of `src` with `subject` into `dst` */
static void score_term_copy(struct rep_term *dst, const struct rep_term *src,
        const struct rep_subject *subject)
{
	score_term_init(dst, src->kind, subject);
	dst->capped = src->capped;
	dst->expired = src->expired;
	dst->publisher = src->publisher;
	dst->value = src->value;
	dst->freshness = src->freshness;
}

/* score_find - index of the first term of `kind` (and publisher, for
 * partner terms), or -1 */
static int score_find(
        const struct rep_score *sc, unsigned kind, uint16_t publisher)
{
	unsigned i;

	for (i = 0; i < sc->nterms; i++)
		if (sc->term[i].kind == kind &&
		        (kind != REP_TERM_PARTNER ||
		                sc->term[i].publisher == publisher))
			return (int)i;
	return -1;
}

/* score_in_pool - may this term give up its place to a stronger one? */
static int score_in_pool(const struct rep_term *t)
{
	return t->kind == REP_TERM_PARTNER ||
	       (t->kind == REP_TERM_OVERRIDE && t->expired);
}

/* score_weakest - index of the pool term with the smallest |value|, the
 * least specific on a tie; -1 if the pool is not full yet */
static int score_weakest(const struct rep_score *sc)
{
	unsigned i, used = 0;
	int weakest = -1;

	for (i = 0; i < sc->nterms; i++) {
		if (!score_in_pool(&sc->term[i]))
			continue;
		used++;
		if (weakest < 0 || fabs(sc->term[i].value) <=
		                           fabs(sc->term[weakest].value))
			weakest = (int)i;
	}
	return used < SCORE_POOL ? -1 : weakest;
}

/* score_pool_put - list a partner term or expired override, taking the
 * weakest one's place when the pool is full */
static void score_pool_put(struct rep_score *sc, const struct rep_term *t,
        const struct rep_subject *subject)
{
	int weakest;

	/* the common case never scans: a short list has room */
	if (sc->nterms < SCORE_POOL) {
		score_term_copy(&sc->term[sc->nterms++], t, subject);
		return;
	}
	weakest = score_weakest(sc);
	if (weakest < 0) {
		if (sc->nterms < REP_TERMS_MAX)
			score_term_copy(&sc->term[sc->nterms++], t, subject);
		return;
	}
	if (fabs(t->value) > fabs(sc->term[weakest].value))
		score_term_copy(&sc->term[weakest], t, subject);
}

/* score_add_override - the deciding override, or an expired one to list */
static void score_add_override(struct rep_score *sc, const struct rep_policy *p,
        const struct rep_subject *subject, const struct rep_override *ov,
        int64_t now)
{
	struct rep_term expired, *t;

	if (ov->action != REP_OVERRIDE_ALLOW && ov->action != REP_OVERRIDE_DENY)
		return;
	if (ov->expires != 0 && now >= ov->expires) {
		score_term_init(&expired, REP_TERM_OVERRIDE, NULL);
		expired.expired = 1;
		score_pool_put(sc, &expired, subject);
		return;
	}
	/* a more specific override already decided */
	if (sc->overridden != 0)
		return;
	sc->overridden = ov->action;
	/* a place is kept for this term; the check only guards misuse */
	if (sc->nterms >= REP_TERMS_MAX)
		return;
	t = &sc->term[sc->nterms++];
	score_term_init(t, REP_TERM_OVERRIDE, subject);
	t->value = ov->action == REP_OVERRIDE_DENY ? p->deny_score
	                                           : p->allow_score;
}

/* score_add_local - add a local slot's decayed counts to the local term */
static void score_add_local(struct rep_score *sc, const struct rep_policy *p,
        const struct rep_subject *subject, const struct rep_local *l,
        int64_t now)
{
	struct rep_term *t;
	double ham, spam;
	int i;

	rep_local_decayed(l, p->half_life, now, &ham, &spam);
	i = score_find(sc, REP_TERM_LOCAL, 0);
	if (i < 0) {
		if (sc->nterms >= REP_TERMS_MAX)
			return;
		i = (int)sc->nterms++;
		/* the first local slot seen is the most specific one */
		score_term_init(&sc->term[i], REP_TERM_LOCAL, subject);
	}
	t = &sc->term[i];
	t->ham += ham < SCORE_COUNT_MAX ? ham : SCORE_COUNT_MAX;
	t->spam += spam < SCORE_COUNT_MAX ? spam : SCORE_COUNT_MAX;
}

/* score_weight - a publisher's weight or cap from `table`, else `def` */
static double score_weight(const double *table, uint16_t id, double def)
{
	if (id >= REP_PUBLISHERS_MAX || !score_factor_ok(table[id]))
		return def;
	return table[id];
}

/* score_category - a category's weight; 0 for one we do not know */
static double score_category(const struct rep_policy *p, unsigned cat)
{
	if (cat == 0 || cat > REP_CAT_MAX)
		return 0;
	return p->category_weight[cat];
}

/* score_partner_term - the term of one partner slot (subject not set) */
static void score_partner_term(const struct rep_policy *p,
        const struct rep_partner *pa, int64_t now, struct rep_term *t)
{
	double c = (pa->confidence > 100 ? 100 : pa->confidence) / 100.0;
	double v, cap;

	score_term_init(t, REP_TERM_PARTNER, NULL);
	t->publisher = pa->publisher;
	t->freshness = rep_decay(
	        1.0, (double)now - (double)pa->last_seen, p->fresh_half_life);
	if (pa->expires != 0 && now >= pa->expires) {
		t->expired = 1;
		return;
	}
	v = score_weight(p->weight, pa->publisher, p->partner_weight) * c *
	    t->freshness;
	if (pa->op == REP_OP_LIST) {
		v *= score_category(p, pa->category);
		cap = score_weight(p->cap, pa->publisher, p->partner_cap);
	} else if (pa->op == REP_OP_ALLOW) {
		cap = p->allow_cap;
	} else {
		return; /* a delist, or an op we do not know: 0 */
	}
	if (v > cap) {
		v = cap;
		t->capped = 1;
	}
	/* a policy with NaN or infinite factors must not poison the sum */
	if (!(v >= -DBL_MAX && v <= DBL_MAX))
		v = 0;
	t->value = pa->op == REP_OP_ALLOW ? 0.0 - v : v;
}

/* score_add_partner - list a partner slot unless the same partner already
 * has a term at least as strong */
static void score_add_partner(struct rep_score *sc, const struct rep_policy *p,
        const struct rep_subject *subject, const struct rep_partner *pa,
        int64_t now)
{
	struct rep_term t;
	int i;

	score_partner_term(p, pa, now, &t);
	i = score_find(sc, REP_TERM_PARTNER, pa->publisher);
	if (i < 0)
		score_pool_put(sc, &t, subject);
	else if (fabs(t.value) > fabs(sc->term[i].value))
		score_term_copy(&sc->term[i], &t, subject);
}

/* rep_score_add - add the record of one covering subject; records come
 * most specific first */
void rep_score_add(struct rep_score *sc, const struct rep_policy *p,
        const struct rep_subject *subject, const struct rep_record *rec,
        int64_t now)
{
	unsigned i, n;

	if (sc == NULL || p == NULL || rec == NULL)
		return;
	sc->nrecords++;
	if (rec->flags & REP_HAS_OVERRIDE)
		score_add_override(sc, p, subject, &rec->override, now);
	if (rec->flags & REP_HAS_LOCAL)
		score_add_local(sc, p, subject, &rec->local, now);
	/* a corrupt count must not walk past the array */
	n = rec->npartners < REP_PARTNERS_MAX ? rec->npartners
	                                      : REP_PARTNERS_MAX;
	for (i = 0; i < n; i++)
		score_add_partner(sc, p, subject, &rec->partner[i], now);
}

/* score_local_value - the local term from summed decayed counts */
static double score_local_value(
        const struct rep_policy *p, double ham, double spam)
{
	/* a negative prior could divide by ~0 and break the +-weight bound */
	double prior = p->local_prior > 0 ? p->local_prior : 0;
	double d = spam + ham + prior;
	double v;

	if (!(d > 0))
		return 0;
	v = p->local_weight * (spam - ham) / d;
	return v >= -DBL_MAX && v <= DBL_MAX ? v : 0;
}

/* score_set_cut - list the partners' cap correction, or drop a stale one
 * (finishing twice gives the same result) */
static void score_set_cut(struct rep_score *sc, int cut, double correction)
{
	int i = score_find(sc, REP_TERM_PARTNERS_CAP, 0);

	if (!cut) {
		if (i >= 0) {
			memmove(&sc->term[i], &sc->term[i + 1],
			        (sc->nterms - (unsigned)i - 1) *
			                sizeof sc->term[0]);
			sc->nterms--;
		}
		return;
	}
	if (i < 0) {
		if (sc->nterms >= REP_TERMS_MAX)
			return;
		i = (int)sc->nterms++;
	}
	score_term_init(&sc->term[i], REP_TERM_PARTNERS_CAP, NULL);
	sc->term[i].capped = 1;
	sc->term[i].value = correction;
}

/* score_cap_partners - the partners' total within its bounds; lists the
 * correction when a bound cut it */
static double score_cap_partners(
        struct rep_score *sc, const struct rep_policy *p)
{
	double pos = 0, neg = 0, cpos, cneg;
	unsigned i;
	int cut;

	for (i = 0; i < sc->nterms; i++) {
		if (sc->term[i].kind != REP_TERM_PARTNER)
			continue;
		if (sc->term[i].value > 0)
			pos += sc->term[i].value;
		else
			neg += sc->term[i].value;
	}
	/* written so that a NaN or negative bound cuts nothing */
	cpos = pos;
	if (p->partners_cap >= 0 && pos > p->partners_cap)
		cpos = p->partners_cap;
	cneg = neg;
	if (p->allow_cap >= 0 && neg < -p->allow_cap)
		cneg = -p->allow_cap;
	cut = cpos != pos || cneg != neg;
	score_set_cut(sc, cut, (cpos - pos) + (cneg - neg));
	return cpos + cneg;
}

/* rep_score_finish - compute the local term, cap the partners, set the
 * score */
void rep_score_finish(struct rep_score *sc, const struct rep_policy *p)
{
	double local = 0, partners;
	unsigned i;

	if (sc == NULL || p == NULL)
		return;
	for (i = 0; i < sc->nterms; i++) {
		struct rep_term *t = &sc->term[i];

		if (t->kind != REP_TERM_LOCAL)
			continue;
		t->value = score_local_value(p, t->ham, t->spam);
		local = t->value;
	}
	partners = score_cap_partners(sc, p);
	if (sc->overridden == REP_OVERRIDE_DENY)
		sc->score = p->deny_score;
	else if (sc->overridden == REP_OVERRIDE_ALLOW)
		sc->score = p->allow_score;
	else
		sc->score = local + partners;
}
