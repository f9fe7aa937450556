/*
 * test_manifest_plan.c - the manifest's plan (manifest_plan): which files
 * a receiver with a given watermark applies, in order. Run by
 * test_manifest.c.
 */
#include "manifesttest.h"

/* ---- the plan ---- */

/* plan_is - the plan for (epoch, seq) holds exactly these files
 * (indexes into m->file, -1 ends the list) */
static void plan_is(const struct manifest *m, uint64_t epoch, uint64_t seq,
        int snapshot, const int *want)
{
	struct manifest_plan p;
	unsigned n = 0;

	memset(&p, 0xff, sizeof p);
	assert_int_equal(manifest_plan(m, epoch, seq, &p), 0);
	while (want[n] >= 0)
		n++;
	assert_int_equal(p.n, n);
	assert_int_equal(p.snapshot, snapshot);
	while (n-- > 0)
		assert_int_equal(p.idx[n], want[n]);
}

static const int NONE[] = {-1};

void test_plan_nothing_to_do(void **state)
{
	struct manifest m;

	(void)state;
	sample(&m); /* snapshot 1-300, deltas 101-200, 201-300, epoch 3 */
	plan_is(&m, 3, 300, 0, NONE);
	plan_is(&m, 3, 1000, 0, NONE);
	manifest_free(&m);
	mheader(&m, 3); /* nothing listed */
	plan_is(&m, 0, 0, 0, NONE);
}

void test_plan_deltas_continue_the_watermark(void **state)
{
	struct manifest m;

	(void)state;
	sample(&m);
	plan_is(&m, 3, 100, 0, (const int[]){1, 2, -1});
	manifest_free(&m);
	/* Listing order does not matter. */
	mheader(&m, 3);
	add(&m, FEED_DELTA, 1, 201, 300);
	add(&m, FEED_SNAPSHOT, 2, 1, 300);
	add(&m, FEED_DELTA, 3, 101, 200);
	plan_is(&m, 3, 100, 0, (const int[]){2, 0, -1});
	manifest_free(&m);
}

void test_plan_skips_deltas_already_applied(void **state)
{
	struct manifest m;

	(void)state;
	sample(&m);
	plan_is(&m, 3, 200, 0, (const int[]){2, -1});
	plan_is(&m, 3, 150, 0, (const int[]){1, 2, -1});
	plan_is(&m, 3, 250, 0, (const int[]){2, -1});
	manifest_free(&m);
}

void test_plan_takes_fewest_overlapping_deltas(void **state)
{
	struct manifest m;

	(void)state;
	mheader(&m, 3);
	add(&m, FEED_DELTA, 1, 101, 200);
	add(&m, FEED_DELTA, 2, 150, 300);
	add(&m, FEED_DELTA, 3, 250, 400);
	add(&m, FEED_DELTA, 4, 120, 180);
	plan_is(&m, 3, 100, 0, (const int[]){0, 1, 2, -1});
	plan_is(&m, 3, 180, 0, (const int[]){1, 2, -1});
	plan_is(&m, 3, 320, 0, (const int[]){2, -1});
	manifest_free(&m);
}

void test_plan_gap_takes_the_snapshot(void **state)
{
	struct manifest m;

	(void)state;
	mheader(&m, 3);
	add(&m, FEED_SNAPSHOT, 1, 1, 300);
	add(&m, FEED_DELTA, 2, 202, 300); /* 201 missing */
	add(&m, FEED_DELTA, 3, 101, 200);
	plan_is(&m, 3, 100, 1, (const int[]){0, -1});
	plan_is(&m, 3, 200, 1, (const int[]){0, -1});
	plan_is(&m, 3, 201, 0, (const int[]){1, -1});
	manifest_free(&m);
}

void test_plan_new_epoch_takes_the_snapshot(void **state)
{
	struct manifest m;

	(void)state;
	mheader(&m, 4);
	add(&m, FEED_DELTA, 1, 1, 50);
	add(&m, FEED_SNAPSHOT, 2, 1, 100);
	add(&m, FEED_DELTA, 3, 101, 150);
	/* Same seq numbers, other epoch: a restart from zero. */
	plan_is(&m, 3, 50, 1, (const int[]){1, 2, -1});
	plan_is(&m, 3, 150, 1, (const int[]){1, 2, -1});
	plan_is(&m, 5, 1000, 1, (const int[]){1, 2, -1});
	manifest_free(&m);
}

void test_plan_from_nothing_is_snapshot_then_deltas(void **state)
{
	struct manifest m;

	(void)state;
	mheader(&m, 1);
	add(&m, FEED_DELTA, 1, 101, 200); /* inside the snapshot: skipped */
	add(&m, FEED_SNAPSHOT, 2, 1, 200);
	add(&m, FEED_DELTA, 3, 301, 400);
	add(&m, FEED_DELTA, 4, 201, 300);
	plan_is(&m, 0, 0, 1, (const int[]){1, 3, 2, -1});
	manifest_free(&m);
}

void test_plan_gap_without_snapshot_fails(void **state)
{
	struct manifest m;
	struct manifest_plan p;

	(void)state;
	mheader(&m, 3);
	add(&m, FEED_DELTA, 1, 101, 200);
	add(&m, FEED_DELTA, 2, 202, 300);
	p.n = 77;
	assert_int_equal(manifest_plan(&m, 3, 100, &p), MANIFEST_E_GAP);
	assert_int_equal(manifest_plan(&m, 2, 300, &p), MANIFEST_E_GAP);
	assert_int_equal(manifest_plan(&m, 0, 0, &p), MANIFEST_E_GAP);
	assert_int_equal(p.n, 77);
	/* After the gap, the chain holds. */
	plan_is(&m, 3, 201, 0, (const int[]){1, -1});
	/* A snapshot followed by a gap cannot reach the target either. */
	add(&m, FEED_SNAPSHOT, 3, 1, 150);
	assert_int_equal(manifest_plan(&m, 0, 0, &p), MANIFEST_E_GAP);
	assert_int_equal(manifest_plan(NULL, 0, 0, &p), MANIFEST_E_INVAL);
	assert_int_equal(p.n, 77);
	manifest_free(&m);
}

void test_plan_of_largest_manifest(void **state)
{
	struct manifest m;
	struct manifest_plan p;
	unsigned i;

	(void)state;
	big(&m, MANIFEST_FILES_MAX); /* snapshot 1-1, deltas i+1-i+1 */
	assert_int_equal(manifest_plan(&m, 0, 0, &p), 0);
	assert_int_equal(p.n, MANIFEST_FILES_MAX);
	for (i = 0; i < p.n; i++)
		assert_int_equal(p.idx[i], i);
	manifest_free(&m);
}
