/*
 * test_policy.c - the verdict (milter/policy.c): rule order, thresholds at
 * their exact boundaries, dry run, the allowlist threshold, stable sums,
 * truncated symbol lists, the X-Spam-* header values and SMTP replies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "reputation.h"

/* assert_same - two doubles with the same value (NaN fails) */
#define assert_same(a, b)                                                      \
	do {                                                                   \
		double a_ = (a), b_ = (b);                                     \
		if (!(a_ == b_))                                               \
			fail_msg("%s is %.17g, expected %.17g", #a, a_, b_);   \
	} while (0)

/* verdict_of - decide on evidence with one symbol per weight */
static struct policy_verdict verdict_of(
        const struct policy *p, unsigned n, const double *w)
{
	struct policy_evidence e;
	struct policy_verdict v;
	unsigned i;

	policy_evidence_init(&e);
	for (i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof name, "SYM_%u", i);
		policy_add(&e, name, w[i], "");
	}
	policy_decide(p, &e, &v);
	return v;
}

/* action_at - the action for a single symbol of weight w */
static enum policy_action action_at(const struct policy *p, double w)
{
	return verdict_of(p, 1, &w).action;
}

/* status - X-Spam-Status into a static buffer */
static const char *status(
        const struct policy_verdict *v, const struct policy_evidence *e)
{
	static char buf[8192];
	int n = policy_format_status(v, e, buf, sizeof buf);

	assert_true(n >= 0 && (size_t)n < sizeof buf);
	assert_int_equal((size_t)n, strlen(buf));
	return buf;
}

/* --- defaults and symbols ---------------------------------------------- */

static void test_defaults_are_documented_values(void **state)
{
	struct policy p;

	policy_init(&p);
	assert_same(p.add_header_score, 5.0);
	assert_true(isnan(p.tempfail_score));
	assert_same(p.reject_score, 15.0);
	assert_true(p.allowlist_threshold >= 0);
	assert_false(p.dry_run);
	assert_string_equal(p.reject.code, "550");
	assert_string_equal(p.reject.xcode, "5.7.1");
	assert_string_equal(p.tempfail.code, "451");
	assert_string_equal(p.tempfail.xcode, "4.7.1");
	assert_string_equal(p.deny.code, "550");
	assert_string_equal(p.deny.xcode, "5.7.1");
	assert_true(strlen(p.reject.text) > 0);
}

static void test_default_replies_pass_the_reply_parser(void **state)
{
	struct policy p;
	struct policy_reply r;
	char line[400];

	policy_init(&p);
	snprintf(line, sizeof line, "%s %s %s", p.reject.code, p.reject.xcode,
	        p.reject.text);
	assert_int_equal(policy_reply_parse(line, &r), 0);
	snprintf(line, sizeof line, "%s %s %s", p.tempfail.code,
	        p.tempfail.xcode, p.tempfail.text);
	assert_int_equal(policy_reply_parse(line, &r), 0);
	snprintf(line, sizeof line, "%s %s %s", p.deny.code, p.deny.xcode,
	        p.deny.text);
	assert_int_equal(policy_reply_parse(line, &r), 0);
}

static void test_symbol_names_are_made_header_safe(void **state)
{
	struct policy_evidence e;

	policy_evidence_init(&e);
	policy_add(&e, "RBL zen.spamhaus.org\r\nX-Evil: 1", 1, NULL);
	policy_add(&e, "\xc3\x9c", 1, NULL);
	policy_add(&e, "", 1, NULL);
	policy_add(&e, NULL, 1, NULL);
	policy_add(&e, "Ok_Name_09", 1, NULL);
	assert_string_equal(
	        e.symbol[0].name, "RBL_zen_spamhaus_org__X_Evil__1");
	assert_string_equal(e.symbol[1].name, "__");
	assert_string_equal(e.symbol[2].name, "UNNAMED");
	assert_string_equal(e.symbol[3].name, "UNNAMED");
	assert_string_equal(e.symbol[4].name, "Ok_Name_09");
	assert_string_equal(e.symbol[0].detail, "");
}

static void test_long_names_and_details_are_truncated(void **state)
{
	struct policy_evidence e;
	char name[200], detail[300];

	memset(name, 'N', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	memset(detail, 'd', sizeof detail - 1);
	detail[sizeof detail - 1] = '\0';
	policy_evidence_init(&e);
	policy_add(&e, name, 1, detail);
	assert_int_equal(strlen(e.symbol[0].name), POLICY_SYMBOL_LEN - 1);
	assert_int_equal(strlen(e.symbol[0].detail), POLICY_DETAIL_LEN - 1);
}

static void test_details_keep_only_printable_ascii(void **state)
{
	struct policy_evidence e;

	policy_evidence_init(&e);
	policy_add(&e, "X", 1, "127.0.0.2\n\x1b[31m caf\xc3\xa9");
	assert_string_equal(e.symbol[0].detail, "127.0.0.2??[31m caf??");
}

static void test_symbols_past_the_limit_fold_into_one_kept_last(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;
	unsigned i;

	policy_init(&p);
	policy_evidence_init(&e);
	for (i = 0; i < POLICY_SYMBOLS_MAX; i++)
		policy_add(&e, "S", 0.25, "x");
	assert_int_equal(e.nsymbols, POLICY_SYMBOLS_MAX);
	assert_int_equal(e.dropped, 0);
	assert_string_equal(e.symbol[POLICY_SYMBOLS_MAX - 1].name, "S");
	policy_add(&e, "LATE", 1, "y");
	assert_int_equal(e.nsymbols, POLICY_SYMBOLS_MAX);
	assert_int_equal(e.dropped, 2); /* the 64th moved in with the 65th */
	assert_string_equal(
	        e.symbol[POLICY_SYMBOLS_MAX - 1].name, "SYMBOLS_DROPPED");
	assert_same(e.symbol[POLICY_SYMBOLS_MAX - 1].weight, 1.25);
	for (i = 0; i < 10; i++)
		policy_add(&e, "MORE", 2, NULL);
	assert_int_equal(e.dropped, 12);
	policy_decide(&p, &e, &v);
	/* 63 x 0.25 + 0.25 + 1 + 10 x 2: nothing lost */
	assert_same(v.score, 16 + 1 + 20);
	assert_int_equal(v.action, POLICY_REJECT);
	assert_non_null(strstr(status(&v, &e), "SYMBOLS_DROPPED"));
}

static void test_broken_weights_cannot_poison_the_sum(void **state)
{
	struct policy p;
	double w[3] = {NAN, 2, 3};
	double inf = INFINITY;

	policy_init(&p);
	assert_same(verdict_of(&p, 3, w).score, 5);
	assert_int_equal(action_at(&p, inf), POLICY_REJECT);
	assert_int_equal(action_at(&p, -inf), POLICY_ACCEPT);
	assert_true(isfinite(verdict_of(&p, 1, &inf).score));
}

/* --- thresholds -------------------------------------------------------- */

static void test_thresholds_fire_at_their_exact_value(void **state)
{
	struct policy p;

	policy_init(&p);
	p.tempfail_score = 10;
	assert_int_equal(action_at(&p, 4.999999999), POLICY_ACCEPT);
	assert_int_equal(action_at(&p, 5.0), POLICY_ADD_HEADER);
	assert_int_equal(action_at(&p, nextafter(10.0, 0)), POLICY_ADD_HEADER);
	assert_int_equal(action_at(&p, 10.0), POLICY_TEMPFAIL);
	assert_int_equal(action_at(&p, nextafter(15.0, 0)), POLICY_TEMPFAIL);
	assert_int_equal(action_at(&p, 15.0), POLICY_REJECT);
	assert_int_equal(action_at(&p, -100), POLICY_ACCEPT);
}

static void test_replies_follow_the_action(void **state)
{
	struct policy p;
	struct policy_verdict v;
	double w;

	policy_init(&p);
	p.tempfail_score = 10;
	w = 3;
	v = verdict_of(&p, 1, &w);
	assert_null(v.reply);
	assert_false(v.spam);
	w = 6;
	v = verdict_of(&p, 1, &w);
	assert_null(v.reply);
	assert_true(v.spam);
	w = 11;
	v = verdict_of(&p, 1, &w);
	assert_ptr_equal(v.reply, &p.tempfail);
	w = 16;
	v = verdict_of(&p, 1, &w);
	assert_ptr_equal(v.reply, &p.reject);
	assert_int_equal(v.act, POLICY_REJECT);
	assert_int_equal(v.skipped, POLICY_SKIP_NONE);
}

/* partner_verdict - a local symbol of `local` and partners' listings
 * (publisher ids and values) summed into one reputation symbol */
static struct policy_verdict partner_verdict(const struct policy *p,
        double local, unsigned n, const unsigned *pub, const double *val)
{
	struct policy_evidence e;
	struct policy_verdict v;
	double sum = 0;

	policy_evidence_init(&e);
	policy_add(&e, "RBL_LOCAL", local, NULL);
	for (unsigned i = 0; i < n; i++) {
		policy_add_partner(&e, pub[i], val[i]);
		sum += val[i];
	}
	policy_add(&e, "REP_IP_BAD", sum, NULL);
	policy_decide(p, &e, &v);
	return v;
}

static void test_reject_on_one_partner_alone_is_held_back(void **state)
{
	const unsigned one[2] = {7, 7}, two[2] = {7, 9};
	const double val[2] = {6, 6};
	struct policy p;
	struct policy_verdict v;

	(void)state;
	policy_init(&p); /* add header 5, tempfail off, reject 15 */
	/* local 4 + one partner's 12 (two listings): held back, add-header */
	v = partner_verdict(&p, 4, 2, one, val);
	assert_true(v.score >= p.reject_score);
	assert_int_equal(v.action, POLICY_ADD_HEADER);
	assert_true(v.held_back);
	assert_null(v.reply);
	/* with tempfail on: deferred instead */
	p.tempfail_score = 10;
	v = partner_verdict(&p, 4, 2, one, val);
	assert_int_equal(v.action, POLICY_TEMPFAIL);
	assert_ptr_equal(v.reply, &p.tempfail);
	/* two partners: rejected */
	v = partner_verdict(&p, 4, 2, two, val);
	assert_int_equal(v.action, POLICY_REJECT);
	assert_false(v.held_back);
	/* the local evidence alone reaches reject: one partner changes
	 * nothing */
	v = partner_verdict(&p, 15, 2, one, val);
	assert_int_equal(v.action, POLICY_REJECT);
	assert_false(v.held_back);
	/* held back to what the rest reaches, when that is more */
	p.tempfail_score = NAN;
	p.add_header_score = 30;
	v = partner_verdict(&p, 4, 2, one, val);
	assert_int_equal(v.action, POLICY_ACCEPT);
	assert_true(v.held_back);
}

static void test_nan_thresholds_never_fire(void **state)
{
	struct policy p;

	policy_init(&p);
	p.add_header_score = NAN;
	p.reject_score = NAN;
	assert_int_equal(action_at(&p, 1e6), POLICY_ACCEPT);
	p.tempfail_score = 8;
	assert_int_equal(action_at(&p, 1e6), POLICY_TEMPFAIL);
	assert_int_equal(action_at(&p, 7.9), POLICY_ACCEPT);
}

static void test_required_is_the_lowest_enabled_threshold(void **state)
{
	struct policy p;
	double w = 1;

	policy_init(&p);
	assert_same(verdict_of(&p, 1, &w).required, 5.0);
	p.add_header_score = NAN;
	assert_same(verdict_of(&p, 1, &w).required, 15.0);
	p.tempfail_score = 9;
	assert_same(verdict_of(&p, 1, &w).required, 9.0);
	p.tempfail_score = NAN;
	p.reject_score = NAN;
	assert_true(isnan(verdict_of(&p, 1, &w).required));
}

static void test_sum_does_not_depend_on_arrival_order(void **state)
{
	static const unsigned perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
	        {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	const double base[3] = {0.1, 0.2, 0.3};
	struct policy p;
	double first = 0;
	unsigned i, j;

	policy_init(&p);
	p.add_header_score = 0.6;
	for (i = 0; i < 6; i++) {
		double w[3];
		struct policy_verdict v;

		for (j = 0; j < 3; j++)
			w[j] = base[perm[i][j]];
		v = verdict_of(&p, 3, w);
		if (i == 0)
			first = v.score;
		assert_same(v.score, first);
		assert_int_equal(v.action, verdict_of(&p, 3, base).action);
	}
}

static void test_sum_survives_cancellation(void **state)
{
	struct policy p;
	const double w[3] = {1e6, 0.1, -1e6};

	policy_init(&p);
	/* left to right this is 0.10000000009313226 */
	assert_same(verdict_of(&p, 3, w).score, 0.1);
}

static void test_fifty_tenths_reach_five(void **state)
{
	struct policy p;
	double w[50];
	unsigned i;

	policy_init(&p);
	for (i = 0; i < 50; i++)
		w[i] = 0.1;
	assert_int_equal(verdict_of(&p, 50, w).action, POLICY_ADD_HEADER);
}

/* --- rule order -------------------------------------------------------- */

/* spammy - evidence worth 30 with an operator override and flags */
static void spammy(
        struct policy_evidence *e, int auth, int internal, int override)
{
	policy_evidence_init(e);
	policy_add(e, "RBL_A", 20, "127.0.0.2");
	policy_add(e, "REP_IP_BAD", 10, NULL);
	e->authenticated = auth;
	e->internal = internal;
	e->override = override;
}

static void test_authenticated_clients_are_not_scored(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;

	policy_init(&p);
	spammy(&e, 1, 1, REP_OVERRIDE_DENY);
	policy_decide(&p, &e, &v);
	assert_int_equal(v.action, POLICY_ACCEPT);
	assert_int_equal(v.act, POLICY_ACCEPT);
	assert_int_equal(v.skipped, POLICY_SKIP_AUTH);
	assert_same(v.score, 0);
	assert_false(v.spam);
	assert_null(v.reply);
	assert_string_equal(
	        status(&v, &e), "No, score=0.0 required=5.0 tests=none");
	assert_string_equal(policy_skip_name(v.skipped), "authenticated");
}

static void test_internal_clients_are_not_scored(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;

	policy_init(&p);
	spammy(&e, 0, 1, REP_OVERRIDE_DENY);
	policy_decide(&p, &e, &v);
	assert_int_equal(v.action, POLICY_ACCEPT);
	assert_int_equal(v.skipped, POLICY_SKIP_INTERNAL);
	assert_same(v.score, 0);
	assert_string_equal(policy_skip_name(v.skipped), "internal");
}

static void test_operator_deny_rejects_whatever_the_score(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;

	policy_init(&p);
	p.allowlist_threshold = -1;
	policy_evidence_init(&e);
	policy_add_allowlist(&e, "RWL_X", -50, NULL);
	e.override = REP_OVERRIDE_DENY;
	policy_decide(&p, &e, &v);
	assert_int_equal(v.action, POLICY_REJECT);
	assert_int_equal(v.act, POLICY_REJECT);
	assert_ptr_equal(v.reply, &p.deny);
	assert_same(v.score, -50);
	assert_int_equal(v.skipped, POLICY_SKIP_NONE);
	assert_true(v.spam);
}

static void test_operator_allow_accepts_unscored(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;

	policy_init(&p);
	spammy(&e, 0, 0, REP_OVERRIDE_ALLOW);
	policy_decide(&p, &e, &v);
	assert_int_equal(v.action, POLICY_ACCEPT);
	assert_int_equal(v.skipped, POLICY_SKIP_ALLOW);
	assert_same(v.score, 0);
	assert_null(v.reply);
	assert_string_equal(policy_skip_name(v.skipped), "allow");
}

static void test_allowlist_threshold_accepts_at_or_below_it(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;

	policy_init(&p);
	p.allowlist_threshold = -5;
	spammy(&e, 0, 0, 0);
	policy_add_allowlist(&e, "RWL_A", -3, NULL);
	policy_add(&e, "RWL_B", -2, NULL);
	policy_mark_allowlist(&e, "RWL_B");
	policy_decide(&p, &e, &v);
	assert_int_equal(v.action, POLICY_ACCEPT);
	assert_int_equal(v.skipped, POLICY_SKIP_ALLOWLIST);
	assert_same(v.score, -5); /* the blocklist symbols are skipped */
	assert_false(v.spam);
	assert_null(v.reply);
	assert_string_equal(policy_skip_name(v.skipped), "allowlist");
	/* -4.9 is above the threshold: the score decides */
	e.symbol[3].weight = -1.9;
	policy_decide(&p, &e, &v);
	assert_int_equal(v.skipped, POLICY_SKIP_NONE);
	assert_int_equal(v.action, POLICY_REJECT);
}

static void test_allowlisted_status_lists_only_the_allowlists(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;
	char buf[512];

	policy_init(&p);
	p.allowlist_threshold = -5;
	spammy(&e, 0, 0, 0);
	policy_add_allowlist(&e, "RWL_A", -10, "127.0.0.2");
	policy_decide(&p, &e, &v);
	policy_format_status(&v, &e, buf, sizeof buf);
	assert_string_equal(buf, "No, score=-10.0 required=5.0 tests=RWL_A");
}

static void test_allowlist_threshold_off_when_not_negative(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;
	const double off[3] = {0, 3, NAN};
	unsigned i;

	policy_init(&p);
	for (i = 0; i < 3; i++) {
		p.allowlist_threshold = off[i];
		spammy(&e, 0, 0, 0);
		policy_add_allowlist(&e, "RWL_A", -100, NULL);
		policy_decide(&p, &e, &v);
		assert_int_equal(v.skipped, POLICY_SKIP_NONE);
		assert_int_equal(v.action, POLICY_ACCEPT); /* 30 - 100 */
	}
	/* without an allowlist symbol the threshold cannot fire */
	p.allowlist_threshold = -1;
	policy_evidence_init(&e);
	policy_add(&e, "HAM", -10, NULL);
	policy_decide(&p, &e, &v);
	assert_int_equal(v.skipped, POLICY_SKIP_NONE);
}

static void test_only_named_symbols_are_marked_allowlist(void **state)
{
	struct policy_evidence e;

	policy_evidence_init(&e);
	policy_add(&e, "RWL_A", -1, NULL);
	policy_add(&e, "RBL_B", 1, NULL);
	policy_add(&e, "RWL_A", -2, NULL);
	policy_mark_allowlist(&e, "RWL_A");
	assert_true(e.symbol[0].allowlist);
	assert_false(e.symbol[1].allowlist);
	assert_true(e.symbol[2].allowlist);
}

static void test_dry_run_accepts_but_reports_the_verdict(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;

	policy_init(&p);
	p.dry_run = 1;
	spammy(&e, 0, 0, 0);
	policy_decide(&p, &e, &v);
	assert_int_equal(v.action, POLICY_REJECT);
	assert_int_equal(v.act, POLICY_ACCEPT);
	assert_ptr_equal(v.reply, &p.reject);
	assert_true(v.spam);
	e.override = REP_OVERRIDE_DENY;
	policy_decide(&p, &e, &v);
	assert_int_equal(v.action, POLICY_REJECT);
	assert_int_equal(v.act, POLICY_ACCEPT);
	assert_ptr_equal(v.reply, &p.deny);
}

/* --- headers and log ---------------------------------------------------- */

static void test_status_lists_tests_sorted_by_name(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;

	policy_init(&p);
	policy_evidence_init(&e);
	policy_add(&e, "REP_IP_BAD", 4.5, NULL);
	policy_add(&e, "RBL_X", 3, "127.0.0.2");
	policy_add(&e, "DBL_Y_FROM", 0, NULL);
	policy_decide(&p, &e, &v);
	assert_string_equal(status(&v, &e),
	        "Yes, score=7.5 required=5.0 "
	        "tests=DBL_Y_FROM,RBL_X,REP_IP_BAD");
	policy_evidence_init(&e);
	policy_decide(&p, &e, &v);
	assert_string_equal(
	        status(&v, &e), "No, score=0.0 required=5.0 tests=none");
}

static void test_status_lists_a_repeated_symbol_once(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;

	policy_init(&p);
	policy_evidence_init(&e);
	policy_add(&e, "B", 1, NULL);
	policy_add(&e, "A", 1, NULL);
	policy_add(&e, "B", 1, NULL);
	policy_decide(&p, &e, &v);
	assert_string_equal(
	        status(&v, &e), "No, score=3.0 required=5.0 tests=A,B");
}

static void test_shown_score_agrees_with_the_decision(void **state)
{
	static const struct {
		double w;
		const char *shown;
		int spam;
	} cases[] = {
	        {4.95, "4.9", 0},
	        {4.96, "4.9", 0},
	        {4.9999999, "4.9", 0},
	        {4.94, "4.9", 0},
	        {5.0, "5.0", 1},
	        {5.04, "5.0", 1},
	        {5.06, "5.1", 1},
	        {7.25, "7.3", 1},
	        {0, "0.0", 0},
	        {-0.04, "0.0", 0},
	        {-3.26, "-3.3", 0},
	        {123.45, "123.5", 1},
	};
	struct policy p;
	unsigned i;

	policy_init(&p);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct policy_verdict v = verdict_of(&p, 1, &cases[i].w);
		char buf[32], want[64];
		struct policy_evidence e;

		policy_evidence_init(&e);
		assert_int_equal(v.spam, cases[i].spam);
		policy_format_score(&v, buf, sizeof buf);
		assert_string_equal(buf, cases[i].shown);
		snprintf(want, sizeof want,
		        "%s, score=%s required=5.0 tests=none",
		        cases[i].spam ? "Yes" : "No", cases[i].shown);
		assert_string_equal(status(&v, &e), want);
	}
}

static void test_required_off_shows_as_off(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;

	policy_init(&p);
	p.add_header_score = p.tempfail_score = p.reject_score = NAN;
	policy_evidence_init(&e);
	policy_add(&e, "X", 99, NULL);
	policy_decide(&p, &e, &v);
	assert_string_equal(
	        status(&v, &e), "No, score=99.0 required=off tests=X");
}

/* check_folding - every line within 78 columns (the first counting
 * "X-Spam-Status: "), folds are "\n\t", and unfolding gives `flat` */
static void check_folding(const char *s, const char *flat)
{
	size_t col = strlen("X-Spam-Status: ");
	char unfolded[8192];
	size_t u = 0;
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\n') {
			assert_true(col <= 78);
			assert_int_equal(p[1], '\t');
			assert_true(p > s && p[-1] != ' ');
			col = 0;
			continue;
		}
		col++;
		/* a fold at a space replaced it; after a comma it is added */
		if (*p == '\t' && p[-1] == '\n' && p[-2] != ',')
			unfolded[u++] = ' ';
		else if (!(*p == '\t' && p[-1] == '\n'))
			unfolded[u++] = *p;
	}
	assert_true(col <= 78);
	unfolded[u] = '\0';
	assert_string_equal(unfolded, flat);
}

static void test_status_folds_before_78_columns(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;
	char flat[8192] = "Yes, score=64.0 required=5.0 tests=";
	const char *s;
	unsigned i;

	policy_init(&p);
	policy_evidence_init(&e);
	for (i = 0; i < 40; i++) {
		char name[40];

		snprintf(name, sizeof name, "RBL_LIST_NUMBER_%02u_EXAMPLE", i);
		policy_add(&e, name, 1.6, NULL);
		snprintf(flat + strlen(flat), sizeof flat - strlen(flat),
		        "%s%s", i ? "," : "", name);
	}
	policy_decide(&p, &e, &v);
	s = status(&v, &e);
	assert_non_null(strchr(s, '\n'));
	check_folding(s, flat);
	assert_memory_equal(
	        s, "Yes, score=64.0 required=5.0 tests=RBL_LIST_", 44);
}

/* status_of_two - the status of two zero-weight symbols: `alen` 'A's and
 * "B" */
static const char *status_of_two(size_t alen)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;
	char a[POLICY_SYMBOL_LEN];

	policy_init(&p);
	policy_evidence_init(&e);
	memset(a, 'A', alen);
	a[alen] = '\0';
	policy_add(&e, "B", 0, NULL);
	policy_add(&e, a, 0, NULL);
	policy_decide(&p, &e, &v);
	return status(&v, &e);
}

static void test_status_folds_exactly_past_column_78(void **state)
{
	/* "X-Spam-Status: No, score=0.0 required=5.0 tests=" is 48 columns:
	 * 29 'A's and the comma end the line at exactly 78 */
	assert_string_equal(status_of_two(29),
	        "No, score=0.0 required=5.0 "
	        "tests=AAAAAAAAAAAAAAAAAAAAAAAAAAAAA,"
	        "\n\tB");
	assert_string_equal(status_of_two(30),
	        "No, score=0.0 required=5.0\n"
	        "\ttests=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,B");
}

static void test_longest_names_still_fold_within_the_limit(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;
	char name[POLICY_SYMBOL_LEN], flat[8192] = "";
	unsigned i;

	policy_init(&p);
	policy_evidence_init(&e);
	memset(name, 'Z', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	for (i = 0; i < POLICY_SYMBOLS_MAX; i++) {
		name[0] = (char)('A' + i % 26);
		name[1] = (char)('A' + i / 26);
		policy_add(&e, name, -0.5, NULL);
	}
	policy_decide(&p, &e, &v);
	snprintf(flat, sizeof flat, "%s", status(&v, &e));
	for (i = 0; flat[i] != '\0'; i++)
		assert_true(flat[i] != ' ' || flat[i + 1] != '\0');
	/* every line, first included, is within the limit */
	{
		const char *line = flat;
		size_t prefix = strlen("X-Spam-Status: ");

		for (;;) {
			const char *nl = strchr(line, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);

			assert_true(len + prefix <= 78);
			prefix = 0;
			if (nl == NULL)
				break;
			line = nl + 1;
		}
	}
}

static void test_status_measures_like_snprintf(void **state)
{
	struct policy p;
	struct policy_evidence e;
	struct policy_verdict v;
	char small[12];
	int need;

	policy_init(&p);
	policy_evidence_init(&e);
	policy_add(&e, "RBL_X", 1, NULL);
	policy_decide(&p, &e, &v);
	need = policy_format_status(&v, &e, small, sizeof small);
	assert_int_equal(
	        need, strlen("No, score=1.0 required=5.0 tests=RBL_X"));
	assert_string_equal(small, "No, score=1");
	assert_int_equal(policy_format_status(&v, &e, NULL, 0), need);
}

static void test_log_form_shows_weights_and_details(void **state)
{
	struct policy_evidence e;
	char buf[256];
	int n;

	policy_evidence_init(&e);
	policy_add(&e, "RBL_X", 3, "127.0.0.2");
	policy_add(&e, "REP_IP", 1.2, NULL);
	policy_add(&e, "RWL_Y", -0.125, "127.0.10.1,127.0.10.2");
	n = policy_format_symbols(&e, buf, sizeof buf);
	assert_string_equal(buf, "RBL_X=3.0(127.0.0.2) REP_IP=1.2 "
	                         "RWL_Y=-0.125(127.0.10.1,127.0.10.2)");
	assert_int_equal(n, strlen(buf));
	assert_int_equal(policy_format_symbols(&e, buf, 5), n);
	assert_string_equal(buf, "RBL_");
	policy_evidence_init(&e);
	assert_int_equal(policy_format_symbols(&e, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
}

static void test_score_header_has_one_decimal(void **state)
{
	struct policy p;
	double w[2] = {3, 4.5};
	struct policy_verdict v;
	char buf[16];

	policy_init(&p);
	v = verdict_of(&p, 2, w);
	assert_int_equal(policy_format_score(&v, buf, sizeof buf), 3);
	assert_string_equal(buf, "7.5");
}

static void test_timeouts_are_listed_and_bounded(void **state)
{
	struct policy_evidence e;
	unsigned i;

	policy_evidence_init(&e);
	policy_note_timeout(&e, "zen.spamhaus.org");
	policy_note_timeout(&e, "rep\nstore");
	assert_string_equal(e.timed_out, "zen.spamhaus.org,rep_store");
	for (i = 0; i < 100; i++)
		policy_note_timeout(&e, "some.long.zone.example.org");
	assert_true(strlen(e.timed_out) < POLICY_TEXT_LEN);
	assert_string_equal(e.timed_out + strlen(e.timed_out) - 4, ",...");
}

static void test_action_names_are_stable(void **state)
{
	assert_string_equal(policy_action_name(POLICY_ACCEPT), "accept");
	assert_string_equal(
	        policy_action_name(POLICY_ADD_HEADER), "add-header");
	assert_string_equal(policy_action_name(POLICY_TEMPFAIL), "tempfail");
	assert_string_equal(policy_action_name(POLICY_REJECT), "reject");
	assert_string_equal(policy_skip_name(POLICY_SKIP_NONE), "");
}

/* --- replies ----------------------------------------------------------- */

static void test_good_replies_parse_into_their_parts(void **state)
{
	struct policy_reply r;

	assert_int_equal(
	        policy_reply_parse("550 5.7.1 Message rejected", &r), 0);
	assert_string_equal(r.code, "550");
	assert_string_equal(r.xcode, "5.7.1");
	assert_string_equal(r.text, "Message rejected");
	assert_int_equal(policy_reply_parse("451  4.7.1   try later", &r), 0);
	assert_string_equal(r.code, "451");
	assert_string_equal(r.text, "try later");
	assert_int_equal(policy_reply_parse("554 5.999.999 x", &r), 0);
	assert_string_equal(r.xcode, "5.999.999");
	assert_int_equal(
	        policy_reply_parse("421 4.0.0 ~!\"#$&'()*+,-./", &r), 0);
}

static void test_percent_must_be_doubled_for_libmilter(void **state)
{
	struct policy_reply r;

	assert_int_equal(policy_reply_parse("550 5.7.1 100%% spam", &r), 0);
	assert_string_equal(r.text, "100%% spam");
	assert_int_equal(policy_reply_parse("550 5.7.1 100% spam", &r), -1);
	assert_int_equal(policy_reply_parse("550 5.7.1 trailing%", &r), -1);
	assert_int_equal(policy_reply_parse("550 5.7.1 %s%n", &r), -1);
	assert_int_equal(policy_reply_parse("550 5.7.1 %%%", &r), -1);
}

static void test_bad_replies_are_refused_and_leave_the_output(void **state)
{
	static const char *const bad[] = {
	        "",
	        "550",
	        "550 5.7.1",
	        "550 5.7.1 ",
	        "550 4.7.1 class mismatch",
	        "450 5.7.1 class mismatch",
	        "250 2.0.0 not an error",
	        "650 6.0.0 no such class",
	        "55 5.7.1 short",
	        "5500 5.7.1 long",
	        "5x0 5.7.1 letter",
	        "550 5.1000.1 subject too big",
	        "550 5.1.1000 detail too big",
	        "550 5.7 two parts",
	        "550 5..1 empty subject",
	        "550 5.7.1.2 four parts",
	        "550 5.7.1x glued",
	        "550\t5.7.1 tab",
	        "550 5.7.1 line\r\nbreak",
	        "550 5.7.1 tab\there",
	        "550 5.7.1 caf\xc3\xa9",
	        "550 5.7.1 del\x7f",
	        " 550 5.7.1 leading space",
	        "550-5.7.1 continuation",
	};
	struct policy_reply r, before;
	unsigned i;

	memset(&r, 'q', sizeof r);
	before = r;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (policy_reply_parse(bad[i], &r) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_memory_equal(&r, &before, sizeof r);
	}
	assert_int_equal(policy_reply_parse(NULL, &r), -1);
	assert_int_equal(policy_reply_parse("550 5.7.1 x", NULL), -1);
}

static void test_reply_text_length_is_bounded(void **state)
{
	char line[POLICY_TEXT_LEN + 20];
	struct policy_reply r;

	strcpy(line, "550 5.7.1 ");
	memset(line + 10, 'x', POLICY_TEXT_LEN - 1);
	line[10 + POLICY_TEXT_LEN - 1] = '\0';
	assert_int_equal(policy_reply_parse(line, &r), 0);
	assert_int_equal(strlen(r.text), POLICY_TEXT_LEN - 1);
	strcat(line, "x");
	assert_int_equal(policy_reply_parse(line, &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_defaults_are_documented_values),
	        cmocka_unit_test(test_default_replies_pass_the_reply_parser),
	        cmocka_unit_test(test_symbol_names_are_made_header_safe),
	        cmocka_unit_test(test_long_names_and_details_are_truncated),
	        cmocka_unit_test(test_details_keep_only_printable_ascii),
	        cmocka_unit_test(
	                test_symbols_past_the_limit_fold_into_one_kept_last),
	        cmocka_unit_test(test_broken_weights_cannot_poison_the_sum),
	        cmocka_unit_test(test_thresholds_fire_at_their_exact_value),
	        cmocka_unit_test(test_replies_follow_the_action),
	        cmocka_unit_test(test_reject_on_one_partner_alone_is_held_back),
	        cmocka_unit_test(test_nan_thresholds_never_fire),
	        cmocka_unit_test(test_required_is_the_lowest_enabled_threshold),
	        cmocka_unit_test(test_sum_does_not_depend_on_arrival_order),
	        cmocka_unit_test(test_sum_survives_cancellation),
	        cmocka_unit_test(test_fifty_tenths_reach_five),
	        cmocka_unit_test(test_authenticated_clients_are_not_scored),
	        cmocka_unit_test(test_internal_clients_are_not_scored),
	        cmocka_unit_test(test_operator_deny_rejects_whatever_the_score),
	        cmocka_unit_test(test_operator_allow_accepts_unscored),
	        cmocka_unit_test(
	                test_allowlist_threshold_accepts_at_or_below_it),
	        cmocka_unit_test(
	                test_allowlist_threshold_off_when_not_negative),
	        cmocka_unit_test(
	                test_allowlisted_status_lists_only_the_allowlists),
	        cmocka_unit_test(test_only_named_symbols_are_marked_allowlist),
	        cmocka_unit_test(test_dry_run_accepts_but_reports_the_verdict),
	        cmocka_unit_test(test_status_lists_tests_sorted_by_name),
	        cmocka_unit_test(test_status_lists_a_repeated_symbol_once),
	        cmocka_unit_test(test_shown_score_agrees_with_the_decision),
	        cmocka_unit_test(test_required_off_shows_as_off),
	        cmocka_unit_test(test_status_folds_before_78_columns),
	        cmocka_unit_test(
	                test_longest_names_still_fold_within_the_limit),
	        cmocka_unit_test(test_status_folds_exactly_past_column_78),
	        cmocka_unit_test(test_status_measures_like_snprintf),
	        cmocka_unit_test(test_log_form_shows_weights_and_details),
	        cmocka_unit_test(test_score_header_has_one_decimal),
	        cmocka_unit_test(test_timeouts_are_listed_and_bounded),
	        cmocka_unit_test(test_action_names_are_stable),
	        cmocka_unit_test(test_good_replies_parse_into_their_parts),
	        cmocka_unit_test(test_percent_must_be_doubled_for_libmilter),
	        cmocka_unit_test(
	                test_bad_replies_are_refused_and_leave_the_output),
	        cmocka_unit_test(test_reply_text_length_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
