/*
 * manifesttest.h - what the manifest's tests share (test_manifest.c,
 * test_manifest_plan.c): entries and manifests built through the API,
 * and the plan tests test_manifest.c runs.
 */
#ifndef REPSYNC_MANIFESTTEST_H
#define REPSYNC_MANIFESTTEST_H

#include "msigntest.h"

#include "manifest.h"

/* Three hashes: one with every hex letter, for the case tests. */
#define HS "1111111111111111111111111111111111111111111111111111111111111111"
#define HD1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HD1U "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
#define HD2 "2222222222222222222222222222222222222222222222222222222222222222"
#define HX "4444444444444444444444444444444444444444444444444444444444444444"

#define HEADER                                                                 \
	"#repmanifest\tversion=1\tpublisher=isp-a\tepoch=3\tserial=42"         \
	"\tgenerated=1700000000\tvalid_until=1700259200\n"
#define LINE_S "snapshot\t" HS ".tsv.zst\t5000\t" HS "\t1-300\t250\n"
#define LINE_D1 "delta\t" HD1 ".tsv.zst\t700\t" HD1 "\t101-200\t80\n"
#define LINE_D2 "delta\t" HD2 ".tsv.zst\t900\t" HD2 "\t201-300\t95\n"
#define GOOD HEADER LINE_S LINE_D1 LINE_D2 "#end\tfiles=3\n"

/* mfile - a file entry whose hash is made from n */
static inline struct manifest_file mfile(
        int kind, unsigned n, uint64_t lo, uint64_t hi)
{
	struct manifest_file f;

	memset(&f, 0, sizeof f);
	f.kind = (uint8_t)kind;
	snprintf(f.sha256, sizeof f.sha256, "%064x", n);
	snprintf(f.name, sizeof f.name, "%s%s", f.sha256, FEED_SUFFIX);
	f.size = 1000 + n;
	f.seq_lo = lo;
	f.seq_hi = hi;
	f.records = hi - lo + 1;
	return f;
}

/* mheader - an empty manifest with a valid header */
static inline void mheader(struct manifest *m, uint64_t epoch)
{
	memset(m, 0, sizeof *m);
	m->version = MANIFEST_VERSION;
	strcpy(m->publisher, "isp-a");
	m->epoch = epoch;
	m->serial = 42;
	m->generated = 1700000000;
	m->valid_until = 1700259200;
}

/* add - append a file, which must be accepted */
static inline void add(
        struct manifest *m, int kind, unsigned n, uint64_t lo, uint64_t hi)
{
	struct manifest_file f = mfile(kind, n, lo, hi);

	assert_int_equal(manifest_add(m, &f), 0);
}

/* big - a valid manifest of n files */
static inline void big(struct manifest *m, unsigned n)
{
	unsigned i;

	mheader(m, 1);
	for (i = 0; i < n; i++)
		add(m, i == 0 ? FEED_SNAPSHOT : FEED_DELTA, i, i + 1, i + 1);
}

/* sample - the manifest GOOD describes, built through the API */
static inline void sample(struct manifest *m)
{
	struct manifest_file f;

	mheader(m, 3);
	memset(&f, 0, sizeof f);
	f.kind = FEED_SNAPSHOT;
	strcpy(f.sha256, HS);
	strcpy(f.name, HS FEED_SUFFIX);
	f.size = 5000, f.seq_lo = 1, f.seq_hi = 300, f.records = 250;
	assert_int_equal(manifest_add(m, &f), 0);
	f.kind = FEED_DELTA;
	strcpy(f.sha256, HD1);
	strcpy(f.name, HD1 FEED_SUFFIX);
	f.size = 700, f.seq_lo = 101, f.seq_hi = 200, f.records = 80;
	assert_int_equal(manifest_add(m, &f), 0);
	strcpy(f.sha256, HD2);
	strcpy(f.name, HD2 FEED_SUFFIX);
	f.size = 900, f.seq_lo = 201, f.seq_hi = 300, f.records = 95;
	assert_int_equal(manifest_add(m, &f), 0);
}

void test_plan_nothing_to_do(void **state);
void test_plan_deltas_continue_the_watermark(void **state);
void test_plan_skips_deltas_already_applied(void **state);
void test_plan_takes_fewest_overlapping_deltas(void **state);
void test_plan_gap_takes_the_snapshot(void **state);
void test_plan_new_epoch_takes_the_snapshot(void **state);
void test_plan_from_nothing_is_snapshot_then_deltas(void **state);
void test_plan_gap_without_snapshot_fails(void **state);
void test_plan_of_largest_manifest(void **state);

#endif /* REPSYNC_MANIFESTTEST_H */
