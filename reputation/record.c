/*
 * record.c - encoding, decoding and merging of reputation records.
 *
 * A record is the value stored under a subject's key. Version 2 packs
 * integers as LEB128 varints (times as zigzag varints, so any int64 round
 * trips) because a store of millions of addresses is mostly partner slots
 * whose fields are small numbers; that keeps an entry well under 120 bytes.
 * Version 1 used fixed widths; it is still decoded so an older store keeps
 * working after an upgrade.
 *
 * Decoding treats the bytes as untrusted: every length is bounded, partner
 * slots must be sorted by publisher, counts must be finite and not
 * negative, and no byte may be left over. Anything else is REP_E_CORRUPT,
 * never a guessed record.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "internal.h"

/* A cursor over a byte buffer; `bad` latches any overrun. */
struct rd {
	const uint8_t *p, *end;
	int bad;
};

struct wr {
	uint8_t *p, *end;
	int bad;
};

/* time_sub, time_add - a - b and a + b modulo 2^64: time fields are
 * stored as differences, and any int64 (even a corrupt one) must round
 * trip without signed overflow */
static int64_t time_sub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static int64_t time_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* put_byte - append one byte */
static void put_byte(struct wr *w, uint8_t v)
{
	if (w->p >= w->end) {
		w->bad = 1;
		return;
	}
	*w->p++ = v;
}

/* put_uvar - append an unsigned LEB128 varint */
static void put_uvar(struct wr *w, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_byte(w, (uint8_t)v);
}

/* put_svar - append a zigzag-encoded signed varint */
static void put_svar(struct wr *w, int64_t v)
{
	put_uvar(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* put_bytes - append raw bytes */
static void put_bytes(struct wr *w, const void *src, size_t n)
{
	if ((size_t)(w->end - w->p) < n) {
		w->bad = 1;
		return;
	}
	memcpy(w->p, src, n);
	w->p += n;
}

/* put_le - append an n-byte little-endian integer */
static void put_le(struct wr *w, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put_byte(w, (uint8_t)(v >> (8 * i)));
}

/* put_f32 - append a float in little-endian IEEE 754; a count beyond the
 * float range is stored as FLT_MAX, not as an infinity the decoder would
 * refuse */
static void put_f32(struct wr *w, double d)
{
	float f = d > FLT_MAX ? FLT_MAX : (float)d;
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	put_le(w, u, 4);
}

/* put_str - append a length-prefixed string */
static void put_str(struct wr *w, const char *s)
{
	size_t n = strlen(s);

	put_uvar(w, n);
	put_bytes(w, s, n);
}

/* get_byte - read one byte */
static uint8_t get_byte(struct rd *r)
{
	if (r->p >= r->end) {
		r->bad = 1;
		return 0;
	}
	return *r->p++;
}

/* get_uvar_long - read an unsigned varint of 2 to 10 bytes; the bytes are
 * counted once, not each on its own (times take five) */
static uint64_t get_uvar_long(struct rd *r)
{
	size_t left = (size_t)(r->end - r->p);
	const uint8_t *p = r->p;
	uint64_t v = 0;

	for (unsigned i = 0; i < 10 && i < left; i++) {
		uint8_t b = p[i];
		if (i == 9 && b > 1)
			break; /* past 64 bits */
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			r->p = p + i + 1;
			return v;
		}
	}
	r->bad = 1;
	return 0;
}

/* get_uvar - read an unsigned varint of at most 10 bytes; most fields
 * are small numbers of one byte, read without the loop (lookups decode a
 * record each) */
static inline uint64_t get_uvar(struct rd *r)
{
	if (r->p < r->end && *r->p < 0x80)
		return *r->p++;
	return get_uvar_long(r);
}

/* get_svar - read a zigzag-encoded signed varint */
static int64_t get_svar(struct rd *r)
{
	uint64_t u = get_uvar(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* get_le - read an n-byte little-endian integer */
static uint64_t get_le(struct rd *r, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)get_byte(r) << (8 * i);
	return v;
}

/* get_f32 - read a float */
static double get_f32(struct rd *r)
{
	uint32_t u = (uint32_t)get_le(r, 4);
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

/* get_f64 - read a double */
static double get_f64(struct rd *r)
{
	uint64_t u = get_le(r, 8);
	double d;

	memcpy(&d, &u, sizeof d);
	return d;
}

/* get_str - read a string of length-width `lw` (0: varint) into dst */
static void get_str(struct rd *r, char *dst, size_t cap, unsigned lw)
{
	uint64_t n = lw ? get_le(r, lw) : get_uvar(r);

	if (r->bad || n >= cap || n > (uint64_t)(r->end - r->p) ||
	        memchr(r->p, 0, (size_t)n) != NULL) {
		r->bad = 1;
		return;
	}
	memcpy(dst, r->p, (size_t)n);
	dst[n] = '\0';
	r->p += n;
}

/* rep_record_init - an empty record of the current version */
void rep_record_init(struct rep_record *r)
{
	r->version = REP_FORMAT_VERSION;
	r->flags = 0;
	r->npartners = 0;
	memset(&r->local, 0, sizeof r->local);
	memset(&r->override, 0, sizeof r->override);
}

/* rep_record_empty - no slot left */
int rep_record_empty(const struct rep_record *r)
{
	return r->flags == 0 && r->npartners == 0;
}

/* encode_partner_v2 - one partner slot */
static void encode_partner_v2(struct wr *w, const struct rep_partner *p)
{
	put_uvar(w, p->publisher);
	put_byte(w, p->op);
	put_byte(w, p->category);
	put_byte(w, p->confidence);
	put_uvar(w, p->reason);
	put_svar(w, p->last_seen);
	put_svar(w, time_sub(p->last_seen, p->first_seen));
	put_svar(w, p->expires);
	put_uvar(w, p->hits);
	put_uvar(w, p->seq);
	put_uvar(w, p->feed);
}

/* rep_record_encode - encode in the current version */
size_t rep_record_encode(const struct rep_record *r, uint8_t *buf, size_t len)
{
	struct wr w = {buf, buf + len, 0};

	if (r->npartners > REP_PARTNERS_MAX)
		return 0;
	put_byte(&w, REP_FORMAT_VERSION);
	put_byte(&w, (uint8_t)(r->flags & (REP_HAS_LOCAL | REP_HAS_OVERRIDE)));
	put_uvar(&w, r->npartners);
	if (r->flags & REP_HAS_LOCAL) {
		const struct rep_local *l = &r->local;
		put_f32(&w, l->ham);
		put_f32(&w, l->spam);
		put_svar(&w, l->last_seen);
		put_svar(&w, time_sub(l->last_seen, l->first_seen));
		put_svar(&w, time_sub(l->stamp, l->last_seen));
	}
	if (r->flags & REP_HAS_OVERRIDE) {
		const struct rep_override *o = &r->override;
		put_byte(&w, o->action);
		put_svar(&w, o->when);
		put_svar(&w, o->expires);
		put_str(&w, o->who);
		put_str(&w, o->reason);
	}
	for (unsigned i = 0; i < r->npartners; i++)
		encode_partner_v2(&w, &r->partner[i]);
	return w.bad ? 0 : (size_t)(w.p - buf);
}

/* rep_record_encode_v1 - encode in format version 1 (fixed widths) */
size_t rep_record_encode_v1(
        const struct rep_record *r, uint8_t *buf, size_t len)
{
	struct wr w = {buf, buf + len, 0};

	if (r->npartners > REP_PARTNERS_MAX)
		return 0;
	put_byte(&w, 1);
	put_byte(&w, (uint8_t)r->flags);
	put_byte(&w, (uint8_t)r->npartners);
	if (r->flags & REP_HAS_LOCAL) {
		uint64_t u;
		memcpy(&u, &r->local.ham, 8);
		put_le(&w, u, 8);
		memcpy(&u, &r->local.spam, 8);
		put_le(&w, u, 8);
		put_le(&w, (uint64_t)r->local.stamp, 8);
		put_le(&w, (uint64_t)r->local.first_seen, 8);
		put_le(&w, (uint64_t)r->local.last_seen, 8);
	}
	if (r->flags & REP_HAS_OVERRIDE) {
		put_byte(&w, r->override.action);
		put_le(&w, (uint64_t)r->override.when, 8);
		put_le(&w, (uint64_t)r->override.expires, 8);
		put_le(&w, strlen(r->override.who), 1);
		put_bytes(&w, r->override.who, strlen(r->override.who));
		put_le(&w, strlen(r->override.reason), 2);
		put_bytes(&w, r->override.reason, strlen(r->override.reason));
	}
	for (unsigned i = 0; i < r->npartners; i++) {
		const struct rep_partner *p = &r->partner[i];
		put_le(&w, p->publisher, 2);
		put_byte(&w, p->op);
		put_byte(&w, p->category);
		put_byte(&w, p->confidence);
		put_le(&w, p->reason, 2);
		put_le(&w, (uint64_t)p->first_seen, 8);
		put_le(&w, (uint64_t)p->last_seen, 8);
		put_le(&w, (uint64_t)p->expires, 8);
		put_le(&w, p->hits, 4);
		put_le(&w, p->seq, 8);
		put_le(&w, p->feed, 4);
	}
	return w.bad ? 0 : (size_t)(w.p - buf);
}

/* decode_partner_v2 - one partner slot */
static void decode_partner_v2(struct rd *r, struct rep_partner *p)
{
	uint64_t pub = get_uvar(r), reason, hits, feed;

	p->op = get_byte(r);
	p->category = get_byte(r);
	p->confidence = get_byte(r);
	reason = get_uvar(r);
	p->last_seen = get_svar(r);
	p->first_seen = time_sub(p->last_seen, get_svar(r));
	p->expires = get_svar(r);
	hits = get_uvar(r);
	p->seq = get_uvar(r);
	feed = get_uvar(r);
	if (pub > UINT16_MAX || reason > UINT16_MAX || hits > UINT32_MAX ||
	        feed > UINT32_MAX)
		r->bad = 1;
	p->publisher = (uint16_t)pub;
	p->reason = (uint16_t)reason;
	p->hits = (uint32_t)hits;
	p->feed = (uint32_t)feed;
}

/* decode_partner_v1 - one fixed-width partner slot */
static void decode_partner_v1(struct rd *r, struct rep_partner *p)
{
	p->publisher = (uint16_t)get_le(r, 2);
	p->op = get_byte(r);
	p->category = get_byte(r);
	p->confidence = get_byte(r);
	p->reason = (uint16_t)get_le(r, 2);
	p->first_seen = (int64_t)get_le(r, 8);
	p->last_seen = (int64_t)get_le(r, 8);
	p->expires = (int64_t)get_le(r, 8);
	p->hits = (uint32_t)get_le(r, 4);
	p->seq = get_le(r, 8);
	p->feed = (uint32_t)get_le(r, 4);
}

/* decode_v2 - the body of a version 2 record */
static void decode_v2(struct rd *r, struct rep_record *out)
{
	uint64_t n;

	out->flags = get_byte(r);
	n = get_uvar(r);
	if (n > REP_PARTNERS_MAX || (out->flags & ~3u)) {
		r->bad = 1;
		return;
	}
	out->npartners = (unsigned)n;
	if (out->flags & REP_HAS_LOCAL) {
		struct rep_local *l = &out->local;
		l->ham = get_f32(r);
		l->spam = get_f32(r);
		l->last_seen = get_svar(r);
		l->first_seen = time_sub(l->last_seen, get_svar(r));
		l->stamp = time_add(l->last_seen, get_svar(r));
	}
	if (out->flags & REP_HAS_OVERRIDE) {
		struct rep_override *o = &out->override;
		o->action = get_byte(r);
		o->when = get_svar(r);
		o->expires = get_svar(r);
		get_str(r, o->who, sizeof o->who, 0);
		get_str(r, o->reason, sizeof o->reason, 0);
	}
	for (unsigned i = 0; i < out->npartners && !r->bad; i++)
		decode_partner_v2(r, &out->partner[i]);
}

/* decode_v1 - the body of a version 1 record */
static void decode_v1(struct rd *r, struct rep_record *out)
{
	out->flags = get_byte(r);
	out->npartners = get_byte(r);
	if (out->npartners > REP_PARTNERS_MAX || (out->flags & ~3u)) {
		r->bad = 1;
		return;
	}
	if (out->flags & REP_HAS_LOCAL) {
		struct rep_local *l = &out->local;
		l->ham = get_f64(r);
		l->spam = get_f64(r);
		l->stamp = (int64_t)get_le(r, 8);
		l->first_seen = (int64_t)get_le(r, 8);
		l->last_seen = (int64_t)get_le(r, 8);
	}
	if (out->flags & REP_HAS_OVERRIDE) {
		struct rep_override *o = &out->override;
		o->action = get_byte(r);
		o->when = (int64_t)get_le(r, 8);
		o->expires = (int64_t)get_le(r, 8);
		get_str(r, o->who, sizeof o->who, 1);
		get_str(r, o->reason, sizeof o->reason, 2);
	}
	for (unsigned i = 0; i < out->npartners && !r->bad; i++)
		decode_partner_v1(r, &out->partner[i]);
}

/* record_sane - the decoded values are in their ranges */
static int record_sane(const struct rep_record *rec)
{
	if (rec->flags & REP_HAS_LOCAL) {
		const struct rep_local *l = &rec->local;
		if (!isfinite(l->ham) || !isfinite(l->spam) || l->ham < 0 ||
		        l->spam < 0)
			return 0;
	}
	if ((rec->flags & REP_HAS_OVERRIDE) &&
	        rec->override.action != REP_OVERRIDE_ALLOW &&
	        rec->override.action != REP_OVERRIDE_DENY)
		return 0;
	for (unsigned i = 0; i < rec->npartners; i++) {
		const struct rep_partner *p = &rec->partner[i];
		if (p->op < REP_OP_LIST || p->op > REP_OP_ALLOW ||
		        p->confidence > 100 || p->publisher == 0)
			return 0;
		if (i > 0 && rec->partner[i - 1].publisher >= p->publisher)
			return 0;
	}
	return 1;
}

/* rep_record_decode - decode any known version */
int rep_record_decode(const uint8_t *buf, size_t len, struct rep_record *out)
{
	struct rd r = {buf, buf + len, 0};
	struct rep_record rec;
	unsigned version = get_byte(&r);

	if (r.bad)
		return REP_E_CORRUPT;
	if (version > REP_FORMAT_VERSION)
		return REP_E_VERSION;
	rep_record_init(&rec);
	if (version == 2)
		decode_v2(&r, &rec);
	else if (version == 1)
		decode_v1(&r, &rec);
	else
		return REP_E_CORRUPT;
	if (r.bad || r.p != r.end || !record_sane(&rec))
		return REP_E_CORRUPT;
	rec.version = version;
	memcpy(out, &rec,
	        offsetof(struct rep_record, partner) +
	                rec.npartners * sizeof rec.partner[0]);
	return REP_OK;
}

/* rep_record_partner - the slot of a publisher, or NULL */
struct rep_partner *rep_record_partner(struct rep_record *r, uint16_t pub)
{
	for (unsigned i = 0; i < r->npartners; i++)
		if (r->partner[i].publisher == pub)
			return &r->partner[i];
	return NULL;
}

/* winner_cmp - order two assertions of one sequence number, so that equal
 * sequence numbers resolve the same way whatever order they arrive in */
static int winner_cmp(const struct rep_partner *a, const struct rep_partner *b)
{
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	if (a->category != b->category)
		return a->category < b->category ? -1 : 1;
	if (a->confidence != b->confidence)
		return a->confidence < b->confidence ? -1 : 1;
	if (a->reason != b->reason)
		return a->reason < b->reason ? -1 : 1;
	if (a->expires != b->expires)
		return a->expires < b->expires ? -1 : 1;
	return 0;
}

/* insert_partner - add a new slot, keeping publishers sorted */
static int insert_partner(struct rep_record *r, const struct rep_partner *p)
{
	unsigned i = r->npartners;

	if (r->npartners >= REP_PARTNERS_MAX)
		return REP_E_LIMIT;
	while (i > 0 && r->partner[i - 1].publisher > p->publisher) {
		r->partner[i] = r->partner[i - 1];
		i--;
	}
	r->partner[i] = *p;
	r->npartners++;
	return 1;
}

/*
 * rep_record_merge_partner - merge one slot. The assertion with the higher
 * sequence number wins (ties broken by winner_cmp); hits merge by maximum
 * and the seen-times widen, also from a stale assertion. Every part is a
 * join, so replays, duplicates and any order of arrival end in one state.
 */
int rep_record_merge_partner(struct rep_record *r, const struct rep_partner *p)
{
	struct rep_partner *q = rep_record_partner(r, p->publisher);
	struct rep_partner m;

	if (q == NULL)
		return insert_partner(r, p);
	m = winner_cmp(p, q) > 0 ? *p : *q;
	/* same assertion again: keep its origin, the earliest feed (ids
	 * grow; 0, no feed, counts as latest), so that the order of
	 * arrival does not matter */
	if (winner_cmp(p, q) == 0 && p->feed - 1u < q->feed - 1u)
		m.feed = p->feed;
	m.hits = p->hits > q->hits ? p->hits : q->hits;
	m.first_seen =
	        p->first_seen < q->first_seen ? p->first_seen : q->first_seen;
	m.last_seen = p->last_seen > q->last_seen ? p->last_seen : q->last_seen;
	if (winner_cmp(&m, q) == 0 && m.feed == q->feed && m.hits == q->hits &&
	        m.first_seen == q->first_seen && m.last_seen == q->last_seen)
		return 0;
	*q = m;
	return 1;
}

/* rep_record_observe - decay the local counts to `when` and add to them */
void rep_record_observe(struct rep_record *r, double ham, double spam,
        int64_t when, double half_life)
{
	struct rep_local *l = &r->local;

	if (!(r->flags & REP_HAS_LOCAL)) {
		r->flags |= REP_HAS_LOCAL;
		l->ham = ham;
		l->spam = spam;
		l->stamp = l->first_seen = l->last_seen = when;
		return;
	}
	if (when >= l->stamp) {
		/* in double: far-apart times must not overflow an int64 */
		double age = (double)when - (double)l->stamp;
		l->ham = rep_decay(l->ham, age, half_life) + ham;
		l->spam = rep_decay(l->spam, age, half_life) + spam;
		l->stamp = when;
	} else {
		/* a late observation counts as already decayed */
		double age = (double)l->stamp - (double)when;
		l->ham += rep_decay(ham, age, half_life);
		l->spam += rep_decay(spam, age, half_life);
	}
	if (when < l->first_seen)
		l->first_seen = when;
	if (when > l->last_seen)
		l->last_seen = when;
}
