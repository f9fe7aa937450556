/*
 * test_trust_judge.c - the quarantine heuristics (trust_judge): each
 * reason a whole file is set aside, at its exact threshold. Run by
 * test_trust.c.
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

/* ---- quarantine heuristics ---- */

static const struct trust_limits lim = {
        .max_seq_jump = 5000000,
        .max_drop_share = 0.5,
        .max_change_share = 0.5,
        .min_records = 1000,
        .max_records = 5000000,
};

/* judged - trust_judge's text with a buffer ("" when it passes) */
static const char *judged(
        const struct trust_limits *l, const struct trust_feed_stats *st)
{
	static char why[128];
	const char *r = trust_judge(l, st, why, sizeof why);

	if (r != NULL)
		assert_ptr_equal(r, why);
	return r == NULL ? "" : r;
}

void test_judge_passes_an_ordinary_delta(void **state)
{
	struct trust_feed_stats st = {.wm_seq = 1000,
	        .seq_hi = 2000,
	        .held = 10000,
	        .records = 1000,
	        .added = 300,
	        .changed = 200};

	(void)state;
	assert_null(trust_judge(&lim, &st, NULL, 0));
	assert_string_equal(judged(&lim, &st), "");
}

void test_judge_sentinel(void **state)
{
	struct trust_feed_stats st = {.wm_seq = 1,
	        .seq_hi = 2,
	        .held = 10,
	        .records = 1,
	        .sentinels = 1};

	(void)state;
	assert_string_equal(trust_judge(&lim, &st, NULL, 0), "sentinel listed");
	assert_string_equal(judged(&lim, &st), "sentinel listed (1 records)");
	st.sentinels = 0;
	assert_null(trust_judge(&lim, &st, NULL, 0));
}

void test_judge_sequence_jump(void **state)
{
	struct trust_feed_stats st = {.wm_seq = 100, .seq_hi = 5000101};

	(void)state;
	assert_string_equal(judged(&lim, &st), "sequence jumps by 5000001");
	assert_string_equal(
	        trust_judge(&lim, &st, NULL, 0), "sequence jumps too far");
	st.seq_hi = 5000100; /* exactly the limit */
	assert_null(trust_judge(&lim, &st, NULL, 0));
	st.seq_hi = 9000000000u;
	st.wm_seq = 0; /* a first sync cannot jump */
	assert_null(trust_judge(&lim, &st, NULL, 0));
	st.wm_seq = 9000000001u; /* going back is no jump */
	assert_null(trust_judge(&lim, &st, NULL, 0));
}

void test_judge_record_budget(void **state)
{
	struct trust_feed_stats snap = {
	        .snapshot = 1, .seq_hi = 9, .records = 5000001};
	struct trust_feed_stats delta = {.wm_seq = 1,
	        .seq_hi = 9,
	        .held = 4999990,
	        .records = 11,
	        .added = 11};

	(void)state;
	assert_string_equal(
	        judged(&lim, &snap), "over the record budget (5000000)");
	assert_string_equal(
	        trust_judge(&lim, &snap, NULL, 0), "over the record budget");
	snap.records = 5000000;
	assert_null(trust_judge(&lim, &snap, NULL, 0));
	assert_string_equal(
	        judged(&lim, &delta), "over the record budget (5000000)");
	delta.added = 10;
	assert_null(trust_judge(&lim, &delta, NULL, 0));
	delta.held = UINT64_MAX; /* no overflow */
	assert_non_null(trust_judge(&lim, &delta, NULL, 0));
}

void test_judge_snapshot_drop_share(void **state)
{
	struct trust_feed_stats st = {.snapshot = 1,
	        .wm_seq = 10,
	        .seq_hi = 20,
	        .held = 1000,
	        .records = 270,
	        .removed = 730};

	(void)state;
	assert_string_equal(
	        judged(&lim, &st), "snapshot removes 73% of the slot");
	assert_string_equal(trust_judge(&lim, &st, NULL, 0),
	        "snapshot removes too much of the slot");
	st.removed = 500; /* exactly the share */
	assert_null(trust_judge(&lim, &st, NULL, 0));
	st.removed = 730;
	st.snapshot = 0; /* a delta removes nothing this way */
	assert_null(trust_judge(&lim, &st, NULL, 0));
}

void test_judge_change_share(void **state)
{
	struct trust_feed_stats st = {.wm_seq = 10,
	        .seq_hi = 20,
	        .held = 1000,
	        .records = 800,
	        .added = 300,
	        .changed = 500};

	(void)state;
	assert_string_equal(judged(&lim, &st), "changes 80% of the slot");
	assert_string_equal(trust_judge(&lim, &st, NULL, 0),
	        "changes too much of the slot");
	st.added = 0;
	assert_null(trust_judge(&lim, &st, NULL, 0));
	st.snapshot = 1; /* snapshots are held to it too */
	st.changed = 501;
	assert_string_equal(judged(&lim, &st), "changes 50% of the slot");
}

void test_judge_shares_wait_for_min_records(void **state)
{
	struct trust_feed_stats st = {.snapshot = 1,
	        .wm_seq = 10,
	        .seq_hi = 20,
	        .held = 999,
	        .records = 1,
	        .removed = 998,
	        .changed = 999};

	(void)state;
	assert_null(trust_judge(&lim, &st, NULL, 0));
	st.held = 1000;
	assert_non_null(trust_judge(&lim, &st, NULL, 0));
	st.held = 0; /* nothing held: no share */
	assert_null(trust_judge(&lim, &st, NULL, 0));
}

void test_judge_zero_limits_are_off(void **state)
{
	struct trust_limits off = {0};
	struct trust_feed_stats st = {.snapshot = 1,
	        .wm_seq = 1,
	        .seq_hi = UINT64_MAX,
	        .held = 10,
	        .records = UINT64_MAX,
	        .added = 100,
	        .changed = 100,
	        .removed = 10};

	(void)state;
	assert_null(trust_judge(&off, &st, NULL, 0));
	st.sentinels = 2; /* a sentinel has no limit to switch off */
	assert_string_equal(judged(&off, &st), "sentinel listed (2 records)");
	assert_non_null(trust_judge(NULL, &st, NULL, 0));
	assert_non_null(trust_judge(&off, NULL, NULL, 0));
}

void test_judge_truncates_into_a_small_buffer(void **state)
{
	struct trust_feed_stats st = {.wm_seq = 100, .seq_hi = 5000101};
	char why[9];

	(void)state;
	assert_ptr_equal(trust_judge(&lim, &st, why, sizeof why), why);
	assert_string_equal(why, "sequence");
}
