/*
 * test_record.c - the record encodings (version 2 written, version 1 still
 * read), the decoder's refusal of anything malformed, and the merge and
 * decay rules of partner and local slots (DESIGN.md section 2).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "reputation.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define HOUR 3600
#define DAY (24 * HOUR)

/* partner - a partner slot with every field set from a few values */
static struct rep_partner partner(uint16_t pub, uint8_t op, uint64_t seq,
        uint32_t hits, int64_t first, int64_t last)
{
	struct rep_partner p;

	memset(&p, 0, sizeof p);
	p.publisher = pub;
	p.op = op;
	p.category = REP_CAT_BOT;
	p.confidence = 75;
	p.reason = 12;
	p.first_seen = first;
	p.last_seen = last;
	p.expires = last + 30 * DAY;
	p.hits = hits;
	p.seq = seq;
	p.feed = 1000 + (uint32_t)seq;
	return p;
}

/* full_record - a record with a local slot, an override and n partners */
static void full_record(struct rep_record *r, unsigned n)
{
	rep_record_init(r);
	r->flags = REP_HAS_LOCAL | REP_HAS_OVERRIDE;
	r->local.ham = 3.25;
	r->local.spam = 1234.5;
	r->local.stamp = 1700000500;
	r->local.first_seen = 1690000000;
	r->local.last_seen = 1700000400;
	r->override.action = REP_OVERRIDE_DENY;
	r->override.when = 1700000000;
	r->override.expires = 1800000000;
	snprintf(r->override.who, sizeof r->override.who, "postmaster");
	snprintf(r->override.reason, sizeof r->override.reason,
	        "ticket 4711: snowshoe range");
	r->npartners = n;
	for (unsigned i = 0; i < n; i++) {
		r->partner[i] = partner((uint16_t)(3 * i + 1),
		        (uint8_t)(REP_OP_LIST + i % 3), 100 + i, 7 * i,
		        1690000000 + i, 1700000000 + 10 * i);
		r->partner[i].category = (uint8_t)(1 + i % REP_CAT_MAX);
		r->partner[i].confidence = (uint8_t)(i * 3 % 101);
	}
}

/* as_f32 - a count as version 2 stores it (beyond the float range: the
 * largest float) */
static double as_f32(double v)
{
	return v > FLT_MAX ? FLT_MAX : (double)(float)v;
}

/* partners_equal - every field of two slots (padding aside) */
static int partners_equal(
        const struct rep_partner *w, const struct rep_partner *g)
{
	return w->publisher == g->publisher && w->op == g->op &&
	       w->category == g->category && w->confidence == g->confidence &&
	       w->reason == g->reason && w->first_seen == g->first_seen &&
	       w->last_seen == g->last_seen && w->expires == g->expires &&
	       w->hits == g->hits && w->seq == g->seq && w->feed == g->feed;
}

#define assert_records_equal(a, b, f32)                                        \
	records_equal_at(a, b, f32, __FILE__, __LINE__)

/* records_equal_at - two records hold the same content; with f32 the
 * counts of `want` are compared after rounding to float32 */
static void records_equal_at(const struct rep_record *want,
        const struct rep_record *got, int f32, const char *file, int line)
{
	if (want->flags != got->flags || want->npartners != got->npartners)
		fail_msg("%s:%d: flags %u/%u npartners %u/%u", file, line,
		        want->flags, got->flags, want->npartners,
		        got->npartners);
	if (want->flags & REP_HAS_LOCAL) {
		const struct rep_local *w = &want->local, *g = &got->local;
		double wh = f32 ? as_f32(w->ham) : w->ham;
		double ws = f32 ? as_f32(w->spam) : w->spam;
		if (wh != g->ham || ws != g->spam || w->stamp != g->stamp ||
		        w->first_seen != g->first_seen ||
		        w->last_seen != g->last_seen)
			fail_msg("%s:%d: local slot differs", file, line);
	}
	if (want->flags & REP_HAS_OVERRIDE) {
		const struct rep_override *w = &want->override,
		                          *g = &got->override;
		if (w->action != g->action || w->when != g->when ||
		        w->expires != g->expires ||
		        strcmp(w->who, g->who) != 0 ||
		        strcmp(w->reason, g->reason) != 0)
			fail_msg("%s:%d: override differs", file, line);
	}
	for (unsigned i = 0; i < want->npartners; i++) {
		if (!partners_equal(&want->partner[i], &got->partner[i]))
			fail_msg("%s:%d: partner slot %u differs", file, line,
			        i);
	}
}

/* round_trip - encode in version 2 and decode; the content survives */
static void round_trip(const struct rep_record *r)
{
	uint8_t buf[REP_RECORD_MAX];
	struct rep_record out;
	size_t n = rep_record_encode(r, buf, sizeof buf);

	assert_true(n > 0);
	assert_int_equal(rep_record_decode(buf, n, &out), REP_OK);
	assert_int_equal(out.version, REP_FORMAT_VERSION);
	assert_records_equal(r, &out, 1);
}

/* decode_copy - decode from a heap copy of exactly n bytes, so that the
 * sanitizer sees any read past the end */
static int decode_copy(const uint8_t *buf, size_t n, struct rep_record *out)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	assert_non_null(copy);
	if (n)
		memcpy(copy, buf, n);
	rc = rep_record_decode(copy, n, out);
	free(copy);
	return rc;
}

/* check_decoded - a record the decoder accepted keeps its promises */
static void check_decoded(const struct rep_record *r)
{
	uint8_t buf[REP_RECORD_MAX];
	struct rep_record again;
	size_t n;

	assert_true(r->version == 1 || r->version == 2);
	assert_true(r->npartners <= REP_PARTNERS_MAX);
	assert_int_equal(
	        r->flags & ~(unsigned)(REP_HAS_LOCAL | REP_HAS_OVERRIDE), 0);
	if (r->flags & REP_HAS_LOCAL) {
		assert_true(isfinite(r->local.ham) && r->local.ham >= 0);
		assert_true(isfinite(r->local.spam) && r->local.spam >= 0);
	}
	for (unsigned i = 0; i < r->npartners; i++) {
		assert_true(r->partner[i].publisher != 0);
		assert_true(r->partner[i].confidence <= 100);
		if (i > 0)
			assert_true(r->partner[i - 1].publisher <
			            r->partner[i].publisher);
	}
	/* whatever was accepted can be written again and reads the same */
	n = rep_record_encode(r, buf, sizeof buf);
	assert_true(n > 0);
	assert_int_equal(rep_record_decode(buf, n, &again), REP_OK);
	assert_records_equal(r, &again, 1);
}

static void test_empty_record_round_trips(void **state)
{
	struct rep_record r;

	(void)state;
	rep_record_init(&r);
	assert_true(rep_record_empty(&r));
	round_trip(&r);
}

static void test_record_with_every_slot_type_round_trips(void **state)
{
	struct rep_record r, only;

	(void)state;
	full_record(&r, 3); /* list, delist and allow slots */
	assert_int_equal(r.partner[0].op, REP_OP_LIST);
	assert_int_equal(r.partner[1].op, REP_OP_DELIST);
	assert_int_equal(r.partner[2].op, REP_OP_ALLOW);
	round_trip(&r);

	/* each slot on its own */
	only = r;
	only.flags = REP_HAS_LOCAL;
	only.npartners = 0;
	round_trip(&only);
	only = r;
	only.flags = REP_HAS_OVERRIDE;
	only.npartners = 0;
	round_trip(&only);
	only = r;
	only.flags = 0;
	round_trip(&only);
}

static void test_record_with_32_partner_slots_round_trips(void **state)
{
	struct rep_record r;

	(void)state;
	full_record(&r, REP_PARTNERS_MAX);
	round_trip(&r);
}

static void test_record_boundary_values_round_trip(void **state)
{
	static const int64_t times[] = {
	        INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX};
	struct rep_record r;

	(void)state;
	full_record(&r, REP_PARTNERS_MAX);
	memset(r.override.who, 'w', sizeof r.override.who - 1);
	r.override.who[sizeof r.override.who - 1] = '\0';
	memset(r.override.reason, 'r', sizeof r.override.reason - 1);
	r.override.reason[sizeof r.override.reason - 1] = '\0';
	r.override.action = REP_OVERRIDE_ALLOW;
	r.local.ham = 0;
	r.local.spam = FLT_MAX;
	r.partner[REP_PARTNERS_MAX - 1].publisher = UINT16_MAX;
	for (unsigned i = 0; i < r.npartners; i++) {
		r.partner[i].hits = UINT32_MAX;
		r.partner[i].seq = UINT64_MAX - (i & 1);
		r.partner[i].feed = UINT32_MAX;
		r.partner[i].reason = UINT16_MAX;
		r.partner[i].confidence = 100;
		r.partner[i].category = UINT8_MAX;
	}
	/* every pair of extreme times, in every time field */
	for (size_t a = 0; a < NELEM(times); a++) {
		for (size_t b = 0; b < NELEM(times); b++) {
			r.local.first_seen = times[a];
			r.local.last_seen = times[b];
			r.local.stamp = times[(a + b) % NELEM(times)];
			r.override.when = times[a];
			r.override.expires = times[b];
			for (unsigned i = 0; i < r.npartners; i++) {
				r.partner[i].first_seen = times[b];
				r.partner[i].last_seen = times[a];
				r.partner[i].expires =
				        times[(a + i) % NELEM(times)];
			}
			round_trip(&r);
		}
	}
}

static void test_version1_record_decodes_to_same_content(void **state)
{
	uint8_t v1[REP_RECORD_MAX], v2[REP_RECORD_MAX];
	struct rep_record r, from1, from2;
	size_t n1, n2;

	(void)state;
	full_record(&r, REP_PARTNERS_MAX);
	r.local.ham = 0.1; /* not exact in float32 */
	r.local.spam = 1e10 / 3;
	n1 = rep_record_encode_v1(&r, v1, sizeof v1);
	n2 = rep_record_encode(&r, v2, sizeof v2);
	assert_true(n1 > 0 && n2 > 0);
	assert_int_equal(v1[0], 1);
	assert_int_equal(rep_record_decode(v1, n1, &from1), REP_OK);
	assert_int_equal(from1.version, 1);
	assert_records_equal(&r, &from1, 0); /* v1 keeps doubles exactly */
	assert_int_equal(rep_record_decode(v2, n2, &from2), REP_OK);
	assert_int_equal(from2.version, 2);
	/* the two versions agree but for float32 rounding of the counts */
	assert_records_equal(&from1, &from2, 1);
	assert_true(from1.local.ham != from2.local.ham);

	/* and a version 1 record with no slot, and with partners only */
	rep_record_init(&r);
	n1 = rep_record_encode_v1(&r, v1, sizeof v1);
	assert_int_equal(rep_record_decode(v1, n1, &from1), REP_OK);
	assert_true(rep_record_empty(&from1));
	full_record(&r, 5);
	r.flags = 0;
	n1 = rep_record_encode_v1(&r, v1, sizeof v1);
	assert_int_equal(rep_record_decode(v1, n1, &from1), REP_OK);
	assert_records_equal(&r, &from1, 0);
}

static void test_newer_version_is_refused_as_version(void **state)
{
	uint8_t buf[REP_RECORD_MAX];
	struct rep_record r, out;
	size_t n;

	(void)state;
	full_record(&r, 2);
	n = rep_record_encode(&r, buf, sizeof buf);
	for (unsigned v = REP_FORMAT_VERSION + 1; v <= 255; v++) {
		buf[0] = (uint8_t)v;
		assert_int_equal(decode_copy(buf, n, &out), REP_E_VERSION);
		assert_int_equal(decode_copy(buf, 1, &out), REP_E_VERSION);
	}
	buf[0] = 0; /* version 0 never existed */
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
}

/* check_truncations - every proper prefix of enc is corrupt */
static void check_truncations(const uint8_t *enc, size_t n)
{
	struct rep_record out;

	for (size_t len = 0; len < n; len++)
		if (decode_copy(enc, len, &out) != REP_E_CORRUPT)
			fail_msg("truncation to %zu of %zu bytes decoded", len,
			        n);
	assert_int_equal(decode_copy(enc, n, &out), REP_OK);
}

static void test_every_truncation_is_corrupt(void **state)
{
	uint8_t buf[REP_RECORD_MAX];
	struct rep_record r;
	unsigned sizes[] = {0, 1, 2, REP_PARTNERS_MAX};

	(void)state;
	for (size_t i = 0; i < NELEM(sizes); i++) {
		full_record(&r, sizes[i]);
		check_truncations(buf, rep_record_encode(&r, buf, sizeof buf));
		check_truncations(
		        buf, rep_record_encode_v1(&r, buf, sizeof buf));
		r.flags = REP_HAS_OVERRIDE;
		check_truncations(buf, rep_record_encode(&r, buf, sizeof buf));
		r.flags = REP_HAS_LOCAL;
		check_truncations(buf, rep_record_encode(&r, buf, sizeof buf));
	}
}

static void test_trailing_bytes_are_corrupt(void **state)
{
	uint8_t buf[REP_RECORD_MAX + 1];
	struct rep_record r, out;
	size_t n;

	(void)state;
	full_record(&r, 4);
	n = rep_record_encode(&r, buf, sizeof buf);
	buf[n] = 0;
	assert_int_equal(decode_copy(buf, n + 1, &out), REP_E_CORRUPT);
	n = rep_record_encode_v1(&r, buf, sizeof buf);
	buf[n] = 0;
	assert_int_equal(decode_copy(buf, n + 1, &out), REP_E_CORRUPT);
	rep_record_init(&r);
	n = rep_record_encode(&r, buf, sizeof buf);
	buf[n] = 0;
	assert_int_equal(decode_copy(buf, n + 1, &out), REP_E_CORRUPT);
}

/* with_count - a v2 local-only record whose ham is the float `f` */
static size_t with_count(uint8_t *buf, size_t len, float f, int spam)
{
	struct rep_record r;
	size_t n;

	rep_record_init(&r);
	r.flags = REP_HAS_LOCAL;
	r.local.ham = r.local.spam = 1;
	n = rep_record_encode(&r, buf, len);
	/* version, flags, npartners (one byte), then ham and spam f32 LE */
	memcpy(buf + 3 + (spam ? 4 : 0), &f, 4);
	return n;
}

static void test_nan_infinite_or_negative_counts_are_corrupt(void **state)
{
	const float bad[] = {NAN, -NAN, INFINITY, -INFINITY, -1.0f, -FLT_MIN};
	uint8_t buf[64];
	struct rep_record r, out;
	size_t n;

	(void)state;
	for (size_t i = 0; i < NELEM(bad); i++) {
		for (int spam = 0; spam <= 1; spam++) {
			n = with_count(buf, sizeof buf, bad[i], spam);
			assert_int_equal(
			        decode_copy(buf, n, &out), REP_E_CORRUPT);
		}
	}
	/* zero and the largest float are fine */
	n = with_count(buf, sizeof buf, 0.0f, 0);
	assert_int_equal(decode_copy(buf, n, &out), REP_OK);
	n = with_count(buf, sizeof buf, FLT_MAX, 1);
	assert_int_equal(decode_copy(buf, n, &out), REP_OK);

	/* version 1 stores doubles: the same checks apply */
	rep_record_init(&r);
	r.flags = REP_HAS_LOCAL;
	r.local.ham = NAN;
	n = rep_record_encode_v1(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
	r.local.ham = 1;
	r.local.spam = -0.5;
	n = rep_record_encode_v1(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
	r.local.spam = INFINITY;
	n = rep_record_encode_v1(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
}

static void test_unsorted_or_duplicate_publishers_are_corrupt(void **state)
{
	uint8_t buf[REP_RECORD_MAX];
	struct rep_record r, out;
	size_t n;

	(void)state;
	full_record(&r, 3);
	r.partner[1].publisher = 100; /* 1, 100, 7 */
	n = rep_record_encode(&r, buf, sizeof buf);
	assert_true(n > 0);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
	n = rep_record_encode_v1(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);

	full_record(&r, 3);
	r.partner[2].publisher = r.partner[1].publisher; /* duplicate */
	n = rep_record_encode(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
	n = rep_record_encode_v1(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
}

static void test_out_of_range_fields_are_corrupt(void **state)
{
	uint8_t buf[REP_RECORD_MAX];
	struct rep_record r, out;
	size_t n;

	(void)state;
	full_record(&r, 2);
	r.partner[0].publisher = 0; /* ids start at 1 */
	n = rep_record_encode(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);

	full_record(&r, 2);
	r.partner[1].op = 0;
	n = rep_record_encode(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
	r.partner[1].op = REP_OP_ALLOW + 1;
	n = rep_record_encode(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);

	full_record(&r, 2);
	r.partner[1].confidence = 101;
	n = rep_record_encode(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);

	full_record(&r, 0);
	r.override.action = 0;
	n = rep_record_encode(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
	r.override.action = REP_OVERRIDE_DENY + 1;
	n = rep_record_encode(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);

	/* unknown flag bits */
	rep_record_init(&r);
	n = rep_record_encode(&r, buf, sizeof buf);
	buf[1] = 4;
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
	r.flags = 8;
	n = rep_record_encode_v1(&r, buf, sizeof buf);
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);

	/* a NUL inside the override's who */
	full_record(&r, 0);
	r.flags = REP_HAS_OVERRIDE;
	n = rep_record_encode(&r, buf, sizeof buf);
	{
		uint8_t *who = memmem(buf, n, "postmaster", 10);
		assert_non_null(who);
		who[3] = '\0';
	}
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
}

static void test_more_than_32_partners_is_corrupt(void **state)
{
	uint8_t buf[REP_RECORD_MAX], one[256], big[REP_RECORD_MAX + 256];
	struct rep_record r, out;
	size_t n, n1;

	(void)state;
	/* a 32-slot record, its count bumped to 33 and one more slot added */
	full_record(&r, REP_PARTNERS_MAX);
	r.flags = 0;
	n = rep_record_encode(&r, buf, sizeof buf);
	assert_int_equal(buf[2], REP_PARTNERS_MAX);
	memcpy(big, buf, n);
	rep_record_init(&r);
	r.npartners = 1;
	r.partner[0] = partner(60000, REP_OP_LIST, 1, 1, 1, 2);
	n1 = rep_record_encode(&r, one, sizeof one);
	memcpy(big + n, one + 3, n1 - 3);
	big[2] = REP_PARTNERS_MAX + 1;
	assert_int_equal(decode_copy(big, n + n1 - 3, &out), REP_E_CORRUPT);
	/* a huge count with nothing behind it */
	big[2] = 0xff;
	big[3] = 0xff;
	big[4] = 0x03;
	assert_int_equal(decode_copy(big, 5, &out), REP_E_CORRUPT);

	/* version 1: the count is one byte */
	full_record(&r, REP_PARTNERS_MAX);
	r.flags = 0;
	n = rep_record_encode_v1(&r, buf, sizeof buf);
	assert_int_equal(buf[2], REP_PARTNERS_MAX);
	buf[2] = REP_PARTNERS_MAX + 1;
	assert_int_equal(decode_copy(buf, n, &out), REP_E_CORRUPT);
}

static void test_encode_refuses_too_many_partners(void **state)
{
	uint8_t buf[REP_RECORD_MAX];
	struct rep_record r;

	(void)state;
	full_record(&r, REP_PARTNERS_MAX);
	r.npartners = REP_PARTNERS_MAX + 1;
	assert_int_equal(rep_record_encode(&r, buf, sizeof buf), 0);
	assert_int_equal(rep_record_encode_v1(&r, buf, sizeof buf), 0);
}

static void test_encode_into_short_buffer_fails_without_overrun(void **state)
{
	uint8_t full[REP_RECORD_MAX];
	struct rep_record r;
	size_t n, n1;

	(void)state;
	full_record(&r, REP_PARTNERS_MAX);
	n = rep_record_encode(&r, full, sizeof full);
	n1 = rep_record_encode_v1(&r, full, sizeof full);
	for (size_t len = 0; len < n1; len++) {
		uint8_t *buf = malloc(len ? len : 1);
		assert_non_null(buf);
		if (len < n)
			assert_int_equal(rep_record_encode(&r, buf, len), 0);
		else
			assert_int_equal(rep_record_encode(&r, buf, len), n);
		assert_int_equal(rep_record_encode_v1(&r, buf, len), 0);
		free(buf);
	}
}

static void test_failed_decode_leaves_output_untouched(void **state)
{
	uint8_t buf[REP_RECORD_MAX];
	struct rep_record r, out, before;
	size_t n;

	(void)state;
	full_record(&r, 4);
	n = rep_record_encode(&r, buf, sizeof buf);
	memset(&out, 0x5a, sizeof out);
	before = out;
	assert_int_equal(decode_copy(buf, n - 1, &out), REP_E_CORRUPT);
	assert_memory_equal(&out, &before, sizeof out);
	buf[0] = REP_FORMAT_VERSION + 1;
	assert_int_equal(decode_copy(buf, n, &out), REP_E_VERSION);
	assert_memory_equal(&out, &before, sizeof out);
}

static void test_counts_beyond_float_range_stay_decodable(void **state)
{
	uint8_t buf[REP_RECORD_MAX];
	struct rep_record r, out;
	size_t n;

	(void)state;
	rep_record_init(&r);
	r.flags = REP_HAS_LOCAL;
	r.local.ham = 1e39; /* finite as a double, infinite as a float */
	r.local.spam = DBL_MAX;
	n = rep_record_encode(&r, buf, sizeof buf);
	assert_true(n > 0);
	assert_int_equal(decode_copy(buf, n, &out), REP_OK);
	assert_true(out.local.ham == FLT_MAX);
	assert_true(out.local.spam == FLT_MAX);
}

/* random_decode - decode n bytes; the answer is one of the three allowed
 * and an accepted record keeps the decoder's promises */
static void random_decode(const uint8_t *buf, size_t n, size_t *ok)
{
	struct rep_record out;
	int rc = decode_copy(buf, n, &out);

	if (rc == REP_OK) {
		check_decoded(&out);
		(*ok)++;
	} else if (rc != REP_E_CORRUPT && rc != REP_E_VERSION) {
		fail_msg("decode returned %d", rc);
	}
}

static void test_random_bytes_never_crash_the_decoder(void **state)
{
	uint8_t buf[512];
	size_t ok = 0;

	(void)state;
	rng_seed(20240601);
	for (int i = 0; i < 50000; i++) {
		size_t n = (size_t)rng_below(i % 10 == 0 ? sizeof buf : 48);
		for (size_t j = 0; j < n; j++)
			buf[j] = (uint8_t)rng();
		if (n > 0 && i % 4 != 0)
			buf[0] = (uint8_t)(1 + rng_below(2)); /* a version */
		if (n > 1 && i % 3 != 0)
			buf[1] = (uint8_t)rng_below(4); /* valid flags */
		if (n > 2 && i % 2 != 0)
			buf[2] = (uint8_t)rng_below(3); /* few partners */
		random_decode(buf, n, &ok);
	}
	/* some random inputs do parse; they were checked above */
	print_message("random: %zu of 50000 decoded\n", ok);
}

static void test_mutated_records_never_crash_the_decoder(void **state)
{
	uint8_t enc[4][REP_RECORD_MAX], buf[REP_RECORD_MAX + 16];
	size_t len[4], ok = 0;
	struct rep_record r;

	(void)state;
	full_record(&r, 3);
	len[0] = rep_record_encode(&r, enc[0], sizeof enc[0]);
	len[1] = rep_record_encode_v1(&r, enc[1], sizeof enc[1]);
	full_record(&r, REP_PARTNERS_MAX);
	len[2] = rep_record_encode(&r, enc[2], sizeof enc[2]);
	r.flags = REP_HAS_LOCAL;
	r.npartners = 1;
	len[3] = rep_record_encode(&r, enc[3], sizeof enc[3]);
	rng_seed(7);
	for (int i = 0; i < 40000; i++) {
		unsigned which = (unsigned)rng_below(4), edits;
		size_t n = len[which];
		memcpy(buf, enc[which], n);
		edits = 1 + (unsigned)rng_below(4);
		for (unsigned e = 0; e < edits && n > 0; e++) {
			size_t at = (size_t)rng_below(n);
			switch (rng_below(4)) {
			case 0: /* flip a bit */
				buf[at] ^= (uint8_t)(1u << rng_below(8));
				break;
			case 1: /* replace a byte */
				buf[at] = (uint8_t)rng();
				break;
			case 2: /* delete a byte */
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
				break;
			default: /* insert a byte */
				if (n < sizeof buf) {
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = (uint8_t)rng();
					n++;
				}
			}
		}
		random_decode(buf, n, &ok);
	}
	print_message("mutated: %zu of 40000 decoded\n", ok);
}

/*
 * MERGE
 */

static void test_merge_into_empty_record_adds_the_slot(void **state)
{
	struct rep_record r;
	struct rep_partner p = partner(9, REP_OP_LIST, 5, 3, 100, 200);

	(void)state;
	rep_record_init(&r);
	assert_int_equal(rep_record_merge_partner(&r, &p), 1);
	assert_int_equal(r.npartners, 1);
	assert_non_null(rep_record_partner(&r, 9));
	assert_null(rep_record_partner(&r, 8));
	assert_true(partners_equal(&r.partner[0], &p));
}

static void test_merge_keeps_publishers_sorted(void **state)
{
	struct rep_record r;
	uint16_t pubs[REP_PARTNERS_MAX];

	(void)state;
	rep_record_init(&r);
	for (unsigned i = 0; i < REP_PARTNERS_MAX; i++)
		pubs[i] = (uint16_t)(1 + i * 37 % 1000);
	rng_seed(3);
	for (unsigned i = REP_PARTNERS_MAX - 1; i > 0; i--) {
		unsigned j = (unsigned)rng_below(i + 1);
		uint16_t t = pubs[i];
		pubs[i] = pubs[j];
		pubs[j] = t;
	}
	for (unsigned i = 0; i < REP_PARTNERS_MAX; i++) {
		struct rep_partner p =
		        partner(pubs[i], REP_OP_LIST, 1, 1, 1, 2);
		assert_int_equal(rep_record_merge_partner(&r, &p), 1);
	}
	assert_int_equal(r.npartners, REP_PARTNERS_MAX);
	for (unsigned i = 1; i < r.npartners; i++)
		assert_true(
		        r.partner[i - 1].publisher < r.partner[i].publisher);
	round_trip(&r);
}

static void test_merge_higher_seq_wins(void **state)
{
	struct rep_record r;
	struct rep_partner a = partner(4, REP_OP_LIST, 5, 10, 100, 200);
	struct rep_partner b = partner(4, REP_OP_ALLOW, 6, 1, 150, 300);
	const struct rep_partner *q;

	(void)state;
	rep_record_init(&r);
	b.confidence = 20;
	b.category = REP_CAT_OTHER;
	b.expires = 0;
	assert_int_equal(rep_record_merge_partner(&r, &a), 1);
	assert_int_equal(rep_record_merge_partner(&r, &b), 1);
	assert_int_equal(r.npartners, 1);
	q = rep_record_partner(&r, 4);
	assert_int_equal(q->op, REP_OP_ALLOW);
	assert_int_equal(q->seq, 6);
	assert_int_equal(q->confidence, 20);
	assert_int_equal(q->category, REP_CAT_OTHER);
	assert_int_equal(q->expires, 0);
	assert_int_equal(q->feed, b.feed);
	/* counters merge by maximum, seen-times widen */
	assert_int_equal(q->hits, 10);
	assert_int_equal(q->first_seen, 100);
	assert_int_equal(q->last_seen, 300);
}

static void test_merge_older_seq_is_ignored_but_widens_counters(void **state)
{
	struct rep_record r;
	struct rep_partner cur = partner(4, REP_OP_LIST, 9, 5, 100, 200);
	struct rep_partner old = partner(4, REP_OP_ALLOW, 3, 50, 10, 500);
	const struct rep_partner *q;

	(void)state;
	rep_record_init(&r);
	assert_int_equal(rep_record_merge_partner(&r, &cur), 1);
	old.confidence = 1;
	assert_int_equal(rep_record_merge_partner(&r, &old), 1);
	q = rep_record_partner(&r, 4);
	assert_int_equal(q->op, REP_OP_LIST);
	assert_int_equal(q->seq, 9);
	assert_int_equal(q->confidence, cur.confidence);
	assert_int_equal(q->expires, cur.expires);
	assert_int_equal(q->feed, cur.feed);
	assert_int_equal(q->hits, 50);
	assert_int_equal(q->first_seen, 10);
	assert_int_equal(q->last_seen, 500);

	/* an older assertion that widens nothing changes nothing */
	old.hits = 1;
	old.first_seen = 150;
	old.last_seen = 160;
	assert_int_equal(rep_record_merge_partner(&r, &old), 0);
}

static void test_merge_of_duplicate_or_replay_is_unchanged(void **state)
{
	struct rep_record r, before;
	struct rep_partner a = partner(4, REP_OP_LIST, 5, 10, 100, 200);
	struct rep_partner b = partner(4, REP_OP_LIST, 7, 12, 110, 220);

	(void)state;
	rep_record_init(&r);
	assert_int_equal(rep_record_merge_partner(&r, &a), 1);
	assert_int_equal(rep_record_merge_partner(&r, &a), 0);
	assert_int_equal(rep_record_merge_partner(&r, &b), 1);
	before = r;
	/* replays of everything already seen, in any order */
	assert_int_equal(rep_record_merge_partner(&r, &b), 0);
	assert_int_equal(rep_record_merge_partner(&r, &a), 0);
	assert_int_equal(rep_record_merge_partner(&r, &b), 0);
	assert_true(partners_equal(&r.partner[0], &before.partner[0]));
	/* the seq UINT64_MAX is a valid sequence number like any other */
	b.seq = UINT64_MAX;
	assert_int_equal(rep_record_merge_partner(&r, &b), 1);
	a.seq = UINT64_MAX - 1;
	assert_int_equal(rep_record_merge_partner(&r, &a), 0);
	assert_int_equal(rep_record_partner(&r, 4)->seq, UINT64_MAX);
}

/* merge_all - merge the assertions in the order given by idx */
static struct rep_partner merge_all(const struct rep_partner *as,
        const unsigned *idx, unsigned n, int twice)
{
	struct rep_record r;

	rep_record_init(&r);
	for (int round = 0; round <= twice; round++)
		for (unsigned i = 0; i < n; i++)
			assert_true(
			        rep_record_merge_partner(&r, &as[idx[i]]) >= 0);
	assert_int_equal(r.npartners, 1);
	return r.partner[0];
}

/* next_perm - the next permutation in lexicographic order, 0 at the end */
static int next_perm(unsigned *a, unsigned n)
{
	unsigned i = n - 1, j = n - 1;

	while (i > 0 && a[i - 1] >= a[i])
		i--;
	if (i == 0)
		return 0;
	while (a[j] <= a[i - 1])
		j--;
	unsigned t = a[i - 1];
	a[i - 1] = a[j];
	a[j] = t;
	for (j = n - 1; i < j; i++, j--) {
		t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
	return 1;
}

/* check_all_orders - every order of the assertions ends in one slot */
static struct rep_partner check_all_orders(
        const struct rep_partner *as, unsigned n)
{
	unsigned idx[8];
	struct rep_partner want, got;
	int perms = 0;

	for (unsigned i = 0; i < n; i++)
		idx[i] = i;
	want = merge_all(as, idx, n, 0);
	do {
		got = merge_all(as, idx, n, perms & 1);
		if (!partners_equal(&got, &want))
			fail_msg(
			        "order %d gives another slot (feed %u, not %u)",
			        perms, got.feed, want.feed);
		perms++;
	} while (next_perm(idx, n));
	assert_int_equal(perms, n == 4 ? 24 : perms);
	return want;
}

static void test_merge_result_is_independent_of_arrival_order(void **state)
{
	struct rep_partner as[4], want;

	(void)state;
	as[0] = partner(4, REP_OP_LIST, 3, 10, 100, 200);
	as[1] = partner(4, REP_OP_LIST, 5, 4, 150, 300);
	as[2] = partner(4, REP_OP_DELIST, 5, 1, 50, 250);
	as[3] = partner(4, REP_OP_ALLOW, 4, 20, 120, 220);
	as[1].feed = 11;
	as[2].feed = 12;
	want = check_all_orders(as, 4);
	/* seq 5 wins; of the two seq 5 assertions the tie is broken the
	 * same way whatever came first */
	assert_int_equal(want.seq, 5);
	assert_int_equal(want.op, REP_OP_DELIST);
	assert_int_equal(want.feed, 12);
	assert_int_equal(want.hits, 20);
	assert_int_equal(want.first_seen, 50);
	assert_int_equal(want.last_seen, 300);
}

static void test_merge_of_same_assertion_from_two_feeds_is_order_free(
        void **state)
{
	struct rep_partner as[4], want;

	(void)state;
	/* the same assertion delivered by several feeds (a snapshot
	 * republished): the slot keeps the earliest feed, in any order */
	for (unsigned i = 0; i < 4; i++) {
		as[i] = partner(4, REP_OP_LIST, 5, 3 + i, 100 - i, 200 + i);
		as[i].expires = 5000;
		as[i].feed = 40 - 10 * i;
	}
	want = check_all_orders(as, 4);
	assert_int_equal(want.feed, 10);
	assert_int_equal(want.hits, 6);
	assert_int_equal(want.first_seen, 97);
	assert_int_equal(want.last_seen, 203);
}

static void test_tombstone_is_not_undone_by_older_listing(void **state)
{
	struct rep_record r;
	struct rep_partner del = partner(4, REP_OP_DELIST, 5, 1, 100, 500);
	struct rep_partner list = partner(4, REP_OP_LIST, 3, 9, 100, 300);

	(void)state;
	rep_record_init(&r);
	assert_int_equal(rep_record_merge_partner(&r, &del), 1);
	assert_true(rep_record_merge_partner(&r, &list) >= 0);
	assert_int_equal(rep_record_partner(&r, 4)->op, REP_OP_DELIST);
	assert_int_equal(rep_record_partner(&r, 4)->seq, 5);
	/* and in the other order */
	rep_record_init(&r);
	assert_int_equal(rep_record_merge_partner(&r, &list), 1);
	assert_int_equal(rep_record_merge_partner(&r, &del), 1);
	assert_int_equal(rep_record_partner(&r, 4)->op, REP_OP_DELIST);
	/* a newer listing does bring it back */
	list.seq = 6;
	assert_int_equal(rep_record_merge_partner(&r, &list), 1);
	assert_int_equal(rep_record_partner(&r, 4)->op, REP_OP_LIST);
}

static void test_merge_of_33rd_publisher_is_limit(void **state)
{
	struct rep_record r, before;
	struct rep_partner p;

	(void)state;
	rep_record_init(&r);
	for (unsigned i = 0; i < REP_PARTNERS_MAX; i++) {
		p = partner((uint16_t)(2 * i + 2), REP_OP_LIST, 1, 1, 1, 2);
		assert_int_equal(rep_record_merge_partner(&r, &p), 1);
	}
	before = r;
	p = partner(1, REP_OP_LIST, 1, 1, 1, 2);
	assert_int_equal(rep_record_merge_partner(&r, &p), REP_E_LIMIT);
	p.publisher = 999;
	assert_int_equal(rep_record_merge_partner(&r, &p), REP_E_LIMIT);
	assert_int_equal(r.npartners, REP_PARTNERS_MAX);
	for (unsigned i = 0; i < REP_PARTNERS_MAX; i++)
		assert_true(partners_equal(&r.partner[i], &before.partner[i]));
	/* a publisher already present still merges */
	p = partner(10, REP_OP_DELIST, 2, 1, 1, 2);
	assert_int_equal(rep_record_merge_partner(&r, &p), 1);
	assert_int_equal(rep_record_partner(&r, 10)->op, REP_OP_DELIST);
}

/*
 * LOCAL OBSERVATIONS
 */

static void test_first_observation_sets_counts_and_times(void **state)
{
	struct rep_record r;

	(void)state;
	rep_record_init(&r);
	rep_record_observe(&r, 1, 2, 1000, DAY);
	assert_int_equal(r.flags, REP_HAS_LOCAL);
	assert_true(r.local.ham == 1 && r.local.spam == 2);
	assert_int_equal(r.local.stamp, 1000);
	assert_int_equal(r.local.first_seen, 1000);
	assert_int_equal(r.local.last_seen, 1000);
}

static void test_observation_one_half_life_later_halves_counts(void **state)
{
	struct rep_record r;
	double ham, spam;

	(void)state;
	rep_record_init(&r);
	rep_record_observe(&r, 4, 8, 1000, DAY);
	rep_record_observe(&r, 0, 1, 1000 + DAY, DAY);
	assert_true(fabs(r.local.ham - 2) < 1e-9);
	assert_true(fabs(r.local.spam - 5) < 1e-9);
	assert_int_equal(r.local.stamp, 1000 + DAY);
	assert_int_equal(r.local.first_seen, 1000);
	assert_int_equal(r.local.last_seen, 1000 + DAY);
	/* reading two half-lives later quarters them */
	rep_local_decayed(&r.local, DAY, 1000 + 3 * DAY, &ham, &spam);
	assert_true(fabs(ham - 0.5) < 1e-9);
	assert_true(fabs(spam - 1.25) < 1e-9);
}

static void test_late_observation_counts_as_already_decayed(void **state)
{
	struct rep_record r;

	(void)state;
	rep_record_init(&r);
	rep_record_observe(&r, 0, 1, 1000 + 2 * DAY, DAY);
	rep_record_observe(&r, 4, 8, 1000, DAY); /* two half-lives late */
	assert_true(fabs(r.local.ham - 1) < 1e-9);
	assert_true(fabs(r.local.spam - 3) < 1e-9);
	assert_int_equal(r.local.stamp, 1000 + 2 * DAY); /* not moved back */
	assert_int_equal(r.local.first_seen, 1000);
	assert_int_equal(r.local.last_seen, 1000 + 2 * DAY);
}

static void test_observations_at_extreme_times_do_not_overflow(void **state)
{
	struct rep_record r;

	(void)state;
	rep_record_init(&r);
	rep_record_observe(&r, 1, 1, INT64_MIN, DAY);
	rep_record_observe(&r, 1, 1, INT64_MAX, DAY);
	assert_true(r.local.ham >= 1 && r.local.ham < 1.5);
	rep_record_observe(&r, 1, 1, INT64_MIN, DAY);
	assert_true(isfinite(r.local.ham) && isfinite(r.local.spam));
	assert_int_equal(r.local.first_seen, INT64_MIN);
	assert_int_equal(r.local.last_seen, INT64_MAX);
	assert_int_equal(r.local.stamp, INT64_MAX);
	round_trip(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_empty_record_round_trips),
	        cmocka_unit_test(test_record_with_every_slot_type_round_trips),
	        cmocka_unit_test(test_record_with_32_partner_slots_round_trips),
	        cmocka_unit_test(test_record_boundary_values_round_trip),
	        cmocka_unit_test(test_version1_record_decodes_to_same_content),
	        cmocka_unit_test(test_newer_version_is_refused_as_version),
	        cmocka_unit_test(test_every_truncation_is_corrupt),
	        cmocka_unit_test(test_trailing_bytes_are_corrupt),
	        cmocka_unit_test(
	                test_nan_infinite_or_negative_counts_are_corrupt),
	        cmocka_unit_test(
	                test_unsorted_or_duplicate_publishers_are_corrupt),
	        cmocka_unit_test(test_out_of_range_fields_are_corrupt),
	        cmocka_unit_test(test_more_than_32_partners_is_corrupt),
	        cmocka_unit_test(test_encode_refuses_too_many_partners),
	        cmocka_unit_test(
	                test_encode_into_short_buffer_fails_without_overrun),
	        cmocka_unit_test(test_failed_decode_leaves_output_untouched),
	        cmocka_unit_test(test_counts_beyond_float_range_stay_decodable),
	        cmocka_unit_test(test_random_bytes_never_crash_the_decoder),
	        cmocka_unit_test(test_mutated_records_never_crash_the_decoder),
	        cmocka_unit_test(test_merge_into_empty_record_adds_the_slot),
	        cmocka_unit_test(test_merge_keeps_publishers_sorted),
	        cmocka_unit_test(test_merge_higher_seq_wins),
	        cmocka_unit_test(
	                test_merge_older_seq_is_ignored_but_widens_counters),
	        cmocka_unit_test(
	                test_merge_of_duplicate_or_replay_is_unchanged),
	        cmocka_unit_test(
	                test_merge_result_is_independent_of_arrival_order),
	        cmocka_unit_test(
	                test_merge_of_same_assertion_from_two_feeds_is_order_free),
	        cmocka_unit_test(test_tombstone_is_not_undone_by_older_listing),
	        cmocka_unit_test(test_merge_of_33rd_publisher_is_limit),
	        cmocka_unit_test(test_first_observation_sets_counts_and_times),
	        cmocka_unit_test(
	                test_observation_one_half_life_later_halves_counts),
	        cmocka_unit_test(
	                test_late_observation_counts_as_already_decayed),
	        cmocka_unit_test(
	                test_observations_at_extreme_times_do_not_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
