/*
 * test_converge.c - partner feeds converge: receivers that apply the same
 * publisher's records in different orders, in batches of different sizes
 * and with duplicates, hold the same slot; a snapshot afterwards leaves
 * every receiver equal to one that applied the history in order. This is
 * what makes repsync's retries, replays and crashes harmless (DESIGN.md
 * section 2: the higher sequence number wins, counters merge by maximum).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#define SUBJECTS 40
#define HISTORY 400
#define RECEIVERS 5
#define T0 1800000000

struct assertion {
	unsigned subject;
	struct rep_partner p;
};

static struct rep_subject subjects[SUBJECTS];
static struct assertion history[HISTORY];
static uint64_t conv_rng = 88172645463325252ull;

/* rnd - xorshift64, seeded: the same history every run */
static uint64_t rnd(void)
{
	conv_rng ^= conv_rng << 13;
	conv_rng ^= conv_rng >> 7;
	conv_rng ^= conv_rng << 17;
	return conv_rng;
}

/* make_history - HISTORY assertions, sequence numbers 1..HISTORY */
static void make_history(void)
{
	for (unsigned i = 0; i < SUBJECTS; i++) {
		char text[64];

		if (i % 4 == 3)
			snprintf(text, sizeof text, "host%u.example.net", i);
		else if (i % 4 == 2)
			snprintf(text, sizeof text, "81.2.%u.0/24", i);
		else
			snprintf(text, sizeof text, "1.2.3.%u", i);
		subjects[i] = subj(text);
	}
	for (unsigned i = 0; i < HISTORY; i++) {
		struct rep_partner *p = &history[i].p;
		uint64_t r = rnd();

		history[i].subject = (unsigned)(r % SUBJECTS);
		memset(p, 0, sizeof *p);
		p->op = (uint8_t)(r >> 8) % 5 == 0   ? REP_OP_DELIST
		        : (uint8_t)(r >> 8) % 5 == 1 ? REP_OP_ALLOW
		                                     : REP_OP_LIST;
		p->category = (uint8_t)(1 + (r >> 16) % REP_CAT_MAX);
		p->confidence = (uint8_t)((r >> 24) % 101);
		p->reason = (uint16_t)((r >> 32) % 7);
		p->first_seen = T0 + (int64_t)i;
		p->last_seen = p->first_seen + (int64_t)((r >> 40) % 1000);
		p->expires = p->last_seen + 30 * 86400;
		p->hits = (uint32_t)((r >> 48) % 100);
		p->seq = i + 1;
	}
}

/* open_store - a fresh store in d, with the publisher created */
static struct rep_store *open_store(struct testdir *d, uint16_t *pub)
{
	struct rep_open_opts o = {.create = 1, .nosync = 1};
	struct rep_store *st;

	testdir_make(d);
	assert_int_equal(rep_open(d->path, &o, &st), REP_OK);
	assert_int_equal(rep_publisher_ensure(st, "isp-a", pub), REP_OK);
	return st;
}

/* apply - assertions [lo, hi) of order[] as one feed */
static void apply(struct rep_store *st, uint16_t pub, const unsigned *order,
        unsigned lo, unsigned hi)
{
	struct rep_batch *b;

	assert_int_equal(rep_batch_new(&b), REP_OK);
	assert_int_equal(rep_batch_feed(b, pub, 1, "feed"), REP_OK);
	for (unsigned i = lo; i < hi; i++) {
		struct rep_partner p = history[order[i]].p;

		p.publisher = pub;
		p.feed = REP_FEED_THIS;
		assert_int_equal(
		        rep_batch_partner(
		                b, &subjects[history[order[i]].subject], &p),
		        REP_OK);
	}
	assert_int_equal(rep_commit(st, b, T0 + HISTORY, NULL), REP_OK);
	rep_batch_free(b);
}

/* apply_snapshot - the publisher's latest assertion per subject, as a
 * snapshot at the end of the history */
static void apply_snapshot(struct rep_store *st, uint16_t pub)
{
	unsigned latest[SUBJECTS];
	struct rep_batch *b;

	for (unsigned s = 0; s < SUBJECTS; s++)
		latest[s] = HISTORY;
	for (unsigned i = 0; i < HISTORY; i++)
		latest[history[i].subject] = i;
	assert_int_equal(rep_batch_new(&b), REP_OK);
	assert_int_equal(rep_batch_feed(b, pub, 2, "snapshot"), REP_OK);
	for (unsigned s = 0; s < SUBJECTS; s++) {
		struct rep_partner p;

		if (latest[s] == HISTORY ||
		        history[latest[s]].p.op == REP_OP_DELIST)
			continue;
		p = history[latest[s]].p;
		p.publisher = pub;
		p.feed = REP_FEED_THIS;
		assert_int_equal(
		        rep_batch_partner(b, &subjects[s], &p), REP_OK);
	}
	assert_int_equal(rep_batch_snapshot(b, pub, HISTORY), REP_OK);
	assert_int_equal(rep_commit(st, b, T0 + HISTORY, NULL), REP_OK);
	rep_batch_free(b);
}

/* dump - the publisher's slots as text, feed ids left out (they number
 * the feeds in the order each receiver applied them) */
struct dump {
	uint16_t pub;
	char text[SUBJECTS * 160];
	size_t len;
};

static int dump_visit(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	struct dump *d = arg;
	char name[REP_SUBJECT_TEXT_MAX];

	rep_subject_format(s, name, sizeof name);
	for (unsigned i = 0; i < r->npartners; i++) {
		const struct rep_partner *p = &r->partner[i];

		if (p->publisher != d->pub)
			continue;
		d->len += (size_t)snprintf(d->text + d->len,
		        sizeof d->text - d->len,
		        "%s %u %u %u %u %lld %lld %lld %u %llu\n", name, p->op,
		        p->category, p->confidence, p->reason,
		        (long long)p->first_seen, (long long)p->last_seen,
		        (long long)p->expires, p->hits,
		        (unsigned long long)p->seq);
	}
	return 0;
}

static void dump(struct rep_store *st, uint16_t pub, struct dump *d)
{
	memset(d, 0, sizeof *d);
	d->pub = pub;
	assert_int_equal(rep_scan(st, 0, dump_visit, d), REP_OK);
}

static void test_any_order_with_duplicates_then_snapshot_converges(void **state)
{
	static struct dump ref_deltas, ref_final, got;
	unsigned in_order[HISTORY];
	struct testdir dref;
	struct rep_store *ref;
	uint16_t pub;

	(void)state;
	make_history();
	for (unsigned i = 0; i < HISTORY; i++)
		in_order[i] = i;
	ref = open_store(&dref, &pub);
	for (unsigned i = 0; i < HISTORY; i += 50)
		apply(ref, pub, in_order, i, i + 50);
	dump(ref, pub, &ref_deltas);
	apply_snapshot(ref, pub);
	dump(ref, pub, &ref_final);
	assert_true(ref_final.len > 0);

	for (unsigned r = 0; r < RECEIVERS; r++) {
		unsigned order[HISTORY * 2], n = 0;
		struct testdir d;
		struct rep_store *st = open_store(&d, &pub);

		/* every assertion at least once, a third of them twice */
		for (unsigned i = 0; i < HISTORY; i++) {
			order[n++] = i;
			if (rnd() % 3 == 0)
				order[n++] = i;
		}
		for (unsigned i = n - 1; i > 0; i--) { /* shuffle */
			unsigned j = (unsigned)(rnd() % (i + 1)), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (unsigned i = 0; i < n;) { /* feeds of 1 to 60 */
			unsigned len = 1 + (unsigned)(rnd() % 60);

			if (i + len > n)
				len = n - i;
			apply(st, pub, order, i, i + len);
			i += len;
		}
		dump(st, pub, &got);
		assert_string_equal(got.text, ref_deltas.text);
		apply_snapshot(st, pub);
		dump(st, pub, &got);
		assert_string_equal(got.text, ref_final.text);
		/* the snapshot again, and an old feed replayed: no change */
		apply_snapshot(st, pub);
		apply(st, pub, order, 0, n / 2);
		dump(st, pub, &got);
		assert_string_equal(got.text, ref_final.text);
		rep_close(st);
		testdir_remove(&d);
	}
	rep_close(ref);
	testdir_remove(&dref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_any_order_with_duplicates_then_snapshot_converges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
