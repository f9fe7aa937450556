/*
 * batch.c - writes: a batch collects them, rep_commit applies them in one
 * write transaction, keeping the covering index in step with the records.
 *
 * A batch is a byte buffer of encoded operations rather than an array of
 * structs, so that a million imported addresses cost tens of megabytes,
 * not hundreds. Operations are applied at commit, not when queued: if the
 * map fills, the transaction is thrown away, the map grows and the same
 * operations run again, so nothing is lost.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

enum { OP_OBSERVE = 1, OP_OVERRIDE, OP_UNSET, OP_PARTNER };

/* An operation starts with its type and its key's length in two bytes,
 * big-endian: the key of a 253-character domain name is 256 bytes. */
#define OP_HEAD 3

#define WATERMARKS_MAX 16

struct watermark {
	uint16_t pub;
	uint64_t epoch, seq, serial;
};

struct rep_batch {
	uint8_t *buf;
	size_t len, cap, count;
	int has_feed;
	uint16_t feed_pub;
	uint64_t feed_serial;
	char feed_name[REP_FEED_NAME_MAX];
	unsigned nwm;
	struct watermark wm[WATERMARKS_MAX];
	int has_snapshot;
	uint16_t snap_pub;
	uint64_t snap_seq;
};

struct observe {
	double ham, spam;
	int64_t when;
};

/* rep_batch_new - an empty batch */
int rep_batch_new(struct rep_batch **out)
{
	struct rep_batch *b = calloc(1, sizeof *b);

	if (b == NULL)
		return REP_E_NOMEM;
	*out = b;
	return REP_OK;
}

/* rep_batch_free - free a batch; NULL is a no-op */
void rep_batch_free(struct rep_batch *b)
{
	if (b == NULL)
		return;
	free(b->buf);
	free(b);
}

/* rep_batch_clear - empty the batch for reuse, keeping its buffer */
void rep_batch_clear(struct rep_batch *b)
{
	uint8_t *buf = b->buf;
	size_t cap = b->cap;

	memset(b, 0, sizeof *b);
	b->buf = buf;
	b->cap = cap;
}

/* rep_batch_count - number of writes queued */
size_t rep_batch_count(const struct rep_batch *b)
{
	return b->count;
}

/* op_payload - the payload size of an operation type */
static size_t op_payload(uint8_t type)
{
	switch (type) {
	case OP_OBSERVE:
		return sizeof(struct observe);
	case OP_OVERRIDE:
		return sizeof(struct rep_override);
	case OP_PARTNER:
		return sizeof(struct rep_partner);
	default:
		return 0;
	}
}

/* op_klen - the key length of the operation at p */
static size_t op_klen(const uint8_t *p)
{
	return (size_t)p[1] << 8 | p[2];
}

/* op_size - the whole size of the operation at p */
static size_t op_size(const uint8_t *p)
{
	return OP_HEAD + op_klen(p) + op_payload(p[0]);
}

/* batch_add - append one operation: type, key length, key, payload */
static int batch_add(struct rep_batch *b, uint8_t type,
        const struct rep_subject *s, const void *payload, size_t plen)
{
	uint8_t key[REP_KEY_MAX];
	size_t klen = rep_key_encode(s, key, sizeof key);
	size_t need = OP_HEAD + klen + plen;

	if (klen == 0)
		return REP_E_INVAL;
	if (b->cap - b->len < need) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		uint8_t *nb;
		while (cap - b->len < need)
			cap *= 2;
		if ((nb = realloc(b->buf, cap)) == NULL)
			return REP_E_NOMEM;
		b->buf = nb;
		b->cap = cap;
	}
	b->buf[b->len] = type;
	b->buf[b->len + 1] = (uint8_t)(klen >> 8);
	b->buf[b->len + 2] = (uint8_t)klen;
	memcpy(b->buf + b->len + OP_HEAD, key, klen);
	if (plen)
		memcpy(b->buf + b->len + OP_HEAD + klen, payload, plen);
	b->len += need;
	b->count++;
	return REP_OK;
}

/* rep_batch_observe - queue local ham and spam counts */
int rep_batch_observe(struct rep_batch *b, const struct rep_subject *s,
        double ham, double spam, int64_t when)
{
	struct observe o = {ham, spam, when};

	if (!isfinite(ham) || !isfinite(spam) || ham < 0 || spam < 0 ||
	        ham + spam <= 0)
		return REP_E_RANGE;
	return batch_add(b, OP_OBSERVE, s, &o, sizeof o);
}

/* override_valid - the override's fields are in range */
static int override_valid(const struct rep_override *ov)
{
	return (ov->action == REP_OVERRIDE_ALLOW ||
	               ov->action == REP_OVERRIDE_DENY) &&
	       memchr(ov->who, 0, sizeof ov->who) != NULL &&
	       memchr(ov->reason, 0, sizeof ov->reason) != NULL &&
	       ov->expires >= 0;
}

/* rep_batch_override - queue an override, or its removal (ov NULL) */
int rep_batch_override(struct rep_batch *b, const struct rep_subject *s,
        const struct rep_override *ov)
{
	if (ov == NULL)
		return batch_add(b, OP_UNSET, s, NULL, 0);
	if (!override_valid(ov))
		return REP_E_RANGE;
	return batch_add(b, OP_OVERRIDE, s, ov, sizeof *ov);
}

/* rep_batch_partner - queue a partner slot merge */
int rep_batch_partner(struct rep_batch *b, const struct rep_subject *s,
        const struct rep_partner *p)
{
	if (p->publisher == 0 || p->op < REP_OP_LIST || p->op > REP_OP_ALLOW ||
	        p->confidence > 100 || p->category > REP_CAT_MAX)
		return REP_E_RANGE;
	if (p->feed == REP_FEED_THIS && !b->has_feed)
		return REP_E_INVAL;
	return batch_add(b, OP_PARTNER, s, p, sizeof *p);
}

/* rep_batch_feed - describe the feed this batch applies */
int rep_batch_feed(struct rep_batch *b, uint16_t publisher, uint64_t serial,
        const char *name)
{
	if (publisher == 0 || name == NULL ||
	        strlen(name) >= sizeof b->feed_name)
		return REP_E_INVAL;
	b->has_feed = 1;
	b->feed_pub = publisher;
	b->feed_serial = serial;
	strcpy(b->feed_name, name);
	return REP_OK;
}

/* rep_batch_watermark - move a publisher's watermark in the same commit */
int rep_batch_watermark(struct rep_batch *b, uint16_t publisher, uint64_t epoch,
        uint64_t seq, uint64_t serial)
{
	if (publisher == 0)
		return REP_E_INVAL;
	if (b->nwm == WATERMARKS_MAX)
		return REP_E_LIMIT;
	b->wm[b->nwm++] = (struct watermark){publisher, epoch, seq, serial};
	return REP_OK;
}

/* rep_batch_snapshot - the batch holds the publisher's whole slot */
int rep_batch_snapshot(struct rep_batch *b, uint16_t publisher, uint64_t seq)
{
	if (publisher == 0)
		return REP_E_INVAL;
	b->has_snapshot = 1;
	b->snap_pub = publisher;
	b->snap_seq = seq;
	return REP_OK;
}

/* pfx_key - the covering-index key of a prefix */
static size_t pfx_key(
        unsigned kind, const uint8_t *addr, unsigned plen, uint8_t *key)
{
	unsigned alen = kind == REP_KIND_IP4 ? 4 : 16;

	key[0] = kind == REP_KIND_IP4 ? REP_KEY_IP4 : REP_KEY_IP6;
	memcpy(key + 1, addr, alen);
	key[alen + 1] = (uint8_t)plen;
	return alen + 2;
}

/* pfx_mark_below - set or clear bit `plen` in the index entries of every
 * stored prefix inside addr/plen */
static int pfx_mark_below(struct rep_store *st, MDB_txn *txn, unsigned kind,
        const uint8_t *addr, unsigned plen, int set)
{
	uint8_t key[18], bits[REP_PFX_BITMAP];
	MDB_val k = {pfx_key(kind, addr, plen + 1, key), key}, v;
	MDB_cursor *cur;
	int rc = mdb_cursor_open(txn, st->pfx, &cur);

	if (rc != MDB_SUCCESS)
		return store_err(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS;
	        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *kb = k.mv_data;
		if (k.mv_size != (size_t)(key[0] == REP_KEY_IP4 ? 6 : 18) ||
		        kb[0] != key[0] || !same_prefix(kb + 1, addr, plen))
			break;
		if (v.mv_size != REP_PFX_BITMAP) {
			rc = MDB_CORRUPTED;
			break;
		}
		memcpy(bits, v.mv_data, sizeof bits);
		if (set)
			bits[plen >> 3] |= (uint8_t)(1u << (plen & 7));
		else
			bits[plen >> 3] &= (uint8_t) ~(1u << (plen & 7));
		v.mv_data = bits;
		if ((rc = mdb_cursor_put(cur, &k, &v, MDB_CURRENT)) !=
		        MDB_SUCCESS)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? REP_OK : store_err(rc);
}

/* pfx_insert - index a new prefix: its covering set, and its bit in the
 * entries of the prefixes inside it */
static int pfx_insert(
        struct rep_store *st, MDB_txn *txn, const struct rep_subject *s)
{
	uint8_t key[18], bits[REP_PFX_BITMAP];
	MDB_val k = {pfx_key(s->kind, s->addr, s->plen, key), key},
	        v = {sizeof bits, bits};
	MDB_cursor *cur;
	int rc = mdb_cursor_open(txn, st->pfx, &cur);

	if (rc != MDB_SUCCESS)
		return store_err(rc);
	rc = store_covering(cur, s->kind, s->addr, s->plen, bits);
	mdb_cursor_close(cur);
	if (rc != REP_OK)
		return rc;
	bits[s->plen >> 3] |= (uint8_t)(1u << (s->plen & 7));
	if ((rc = mdb_put(txn, st->pfx, &k, &v, 0)) != MDB_SUCCESS)
		return store_err(rc);
	return pfx_mark_below(st, txn, s->kind, s->addr, s->plen, 1);
}

/* pfx_remove - drop a prefix from the index */
static int pfx_remove(
        struct rep_store *st, MDB_txn *txn, const struct rep_subject *s)
{
	uint8_t key[18];
	MDB_val k = {pfx_key(s->kind, s->addr, s->plen, key), key};
	int rc = mdb_del(txn, st->pfx, &k, NULL);

	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		return store_err(rc);
	return pfx_mark_below(st, txn, s->kind, s->addr, s->plen, 0);
}

/* is_prefix_key - an IP key shorter than a host */
static int is_prefix_key(const uint8_t *key, size_t klen)
{
	return (key[0] == REP_KEY_IP4 && klen == 6 && key[5] < 32) ||
	       (key[0] == REP_KEY_IP6 && klen == 18 && key[17] < 128);
}

/* put_record - store a record, or delete it when empty. With a cursor on
 * subj (cur not NULL) positioned on the key when it existed, the write
 * reuses the cursor's place: no second descent of the tree. */
static int put_record(struct rep_store *st, MDB_txn *txn, MDB_cursor *cur,
        const uint8_t *key, size_t klen, const struct rep_record *rec,
        int existed)
{
	uint8_t val[REP_RECORD_MAX];
	MDB_val k = {klen, (void *)key}, v = {0, val};
	struct rep_subject s;
	int rc, prefix = is_prefix_key(key, klen);

	if (prefix && (rc = rep_key_decode(key, klen, &s)) != REP_OK)
		return rc;
	if (rep_record_empty(rec)) {
		if (!existed)
			return REP_OK;
		rc = cur ? mdb_cursor_del(cur, 0)
		         : mdb_del(txn, st->subj, &k, NULL);
		if (rc != MDB_SUCCESS)
			return store_err(rc);
		return prefix ? pfx_remove(st, txn, &s) : REP_OK;
	}
	if ((v.mv_size = rep_record_encode(rec, val, sizeof val)) == 0)
		return REP_E_RANGE;
	if (cur == NULL)
		rc = mdb_put(txn, st->subj, &k, &v, 0);
	else
		rc = mdb_cursor_put(cur, &k, &v, existed ? MDB_CURRENT : 0);
	if (rc != MDB_SUCCESS)
		return store_err(rc);
	return prefix && !existed ? pfx_insert(st, txn, &s) : REP_OK;
}

/* store_put_record - store a record, or delete it when empty */
int store_put_record(struct rep_store *st, MDB_txn *txn, const uint8_t *key,
        size_t klen, const struct rep_record *rec, int existed)
{
	return put_record(st, txn, NULL, key, klen, rec, existed);
}

/* An operation's place in the batch, with the first eight bytes of its
 * key as a big-endian number: that decides nearly every comparison of the
 * sort without touching the batch (an IPv4 key is six bytes). */
struct opref {
	uint64_t head;
	size_t off;
};

/* Commit state, rebuilt on every attempt. */
struct commit {
	struct rep_batch *b;
	size_t attempts;     /* each attempt after the first follows a growth */
	struct opref *order; /* operations in key order */
	size_t norder;
	int64_t now;
	struct rep_commit_stats stats;
	struct rep_record rec;
};

/* apply_op - apply one operation to the record in c->rec; returns 1 if it
 * changed the record, 0 if not, or an error */
static int apply_op(struct rep_store *st, struct commit *c, const uint8_t *p)
{
	const uint8_t *payload = p + OP_HEAD + op_klen(p);

	switch (p[0]) {
	case OP_OBSERVE: {
		struct observe o;
		memcpy(&o, payload, sizeof o);
		rep_record_observe(
		        &c->rec, o.ham, o.spam, o.when, st->half_life);
		return 1;
	}
	case OP_OVERRIDE:
		memcpy(&c->rec.override, payload, sizeof c->rec.override);
		c->rec.flags |= REP_HAS_OVERRIDE;
		return 1;
	case OP_UNSET: {
		int had = (c->rec.flags & REP_HAS_OVERRIDE) != 0;
		c->rec.flags &= ~(unsigned)REP_HAS_OVERRIDE;
		return had;
	}
	case OP_PARTNER: {
		struct rep_partner pt;
		const struct rep_partner *old;
		int rc, was, now;
		memcpy(&pt, payload, sizeof pt);
		if (pt.feed == REP_FEED_THIS)
			pt.feed = c->stats.feed;
		old = rep_record_partner(&c->rec, pt.publisher);
		if (old != NULL && pt.seq < old->seq)
			c->stats.stale++;
		was = old == NULL ? 0 : old->op;
		if ((rc = rep_record_merge_partner(&c->rec, &pt)) == 1) {
			now = rep_record_partner(&c->rec, pt.publisher)->op;
			if ((was == 0 || was == REP_OP_DELIST) &&
			        now != REP_OP_DELIST)
				c->stats.added++;
			else if (was != 0 && was != REP_OP_DELIST &&
			         now == REP_OP_DELIST)
				c->stats.withdrawn++;
		}
		return rc;
	}
	default:
		return REP_E_CORRUPT;
	}
}

/* same_key - do the operations at offsets a and b name the same key? */
static int same_key(const uint8_t *buf, size_t a, size_t b)
{
	size_t la = op_klen(buf + a);

	return la == op_klen(buf + b) &&
	       memcmp(buf + a + OP_HEAD, buf + b + OP_HEAD, la) == 0;
}

/* apply_key - apply the operations order[*i] onwards that share one key
 * (they are adjacent and in batch order), advancing *i past them: the
 * record is read once and written once, whatever their number */
static int apply_key(
        struct rep_store *st, MDB_cursor *cur, struct commit *c, size_t *i)
{
	const uint8_t *buf = c->b->buf, *p = buf + c->order[*i].off;
	MDB_val k = {op_klen(p), (void *)(p + OP_HEAD)}, v;
	int rc = mdb_cursor_get(cur, &k, &v, MDB_SET), existed, changed = 0;

	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		return store_err(rc);
	existed = rc == MDB_SUCCESS;
	if (!existed)
		rep_record_init(&c->rec);
	else if ((rc = rep_record_decode(v.mv_data, v.mv_size, &c->rec)) !=
	         REP_OK)
		return rc;
	do {
		if ((rc = apply_op(st, c, buf + c->order[*i].off)) < 0)
			return rc;
		c->stats.applied += (size_t)rc;
		changed |= rc;
		++*i;
	} while (*i < c->norder &&
	         same_key(buf, c->order[*i - 1].off, c->order[*i].off));
	if (!changed)
		return REP_OK;
	return put_record(st, mdb_cursor_txn(cur), cur, p + OP_HEAD, op_klen(p),
	        &c->rec, existed);
}

/* put_feed - record the batch's feed under the next free id */
static int put_feed(struct rep_store *st, MDB_txn *txn, struct commit *c)
{
	struct rep_batch *b = c->b;
	uint8_t key[4], val[2 + 8 + 8 + REP_FEED_NAME_MAX];
	size_t nlen = strlen(b->feed_name);
	MDB_val k, v;
	MDB_cursor *cur;
	uint32_t id = 1;
	int rc = mdb_cursor_open(txn, st->feed, &cur);

	if (rc != MDB_SUCCESS)
		return store_err(rc);
	if (mdb_cursor_get(cur, &k, &v, MDB_LAST) == MDB_SUCCESS &&
	        k.mv_size == 4) {
		const uint8_t *kb = k.mv_data;
		id = ((uint32_t)kb[0] << 24 | (uint32_t)kb[1] << 16 |
		             (uint32_t)kb[2] << 8 | kb[3]) +
		     1;
	}
	mdb_cursor_close(cur);
	if (id == REP_FEED_THIS || id == 0)
		return REP_E_LIMIT;
	be32(key, id);
	be16(val, b->feed_pub);
	memcpy(val + 2, &b->feed_serial, 8);
	memcpy(val + 10, &c->now, 8);
	memcpy(val + 18, b->feed_name, nlen);
	k = (MDB_val){4, key};
	v = (MDB_val){18 + nlen, val};
	c->stats.feed = id;
	return store_err(mdb_put(txn, st->feed, &k, &v, 0));
}

/* opref_cmp - order operations by key, then by their place in the batch,
 * so that the operations on one key keep their order */
static int opref_cmp(const void *a, const void *b, void *arg)
{
	const struct opref *ra = a, *rb = b;
	const uint8_t *buf = arg, *ka, *kb;
	size_t la, lb;
	int c;

	if (ra->head != rb->head)
		return ra->head < rb->head ? -1 : 1;
	ka = buf + ra->off;
	kb = buf + rb->off;
	la = op_klen(ka);
	lb = op_klen(kb);
	c = memcmp(ka + OP_HEAD, kb + OP_HEAD, la < lb ? la : lb);
	if (c == 0)
		c = (la > lb) - (la < lb);
	return c ? c : (ra->off > rb->off) - (ra->off < rb->off);
}

/* key_head - the first eight bytes of the key of the operation at p, as a
 * big-endian number (shorter keys padded with zeros) */
static uint64_t key_head(const uint8_t *p)
{
	size_t klen = op_klen(p);
	uint64_t h = 0;

	for (size_t i = 0; i < 8; i++)
		h = h << 8 | (i < klen ? p[OP_HEAD + i] : 0);
	return h;
}

/* batch_order - the batch's operations in key order: LMDB fills its pages
 * densely and touches each once when keys arrive sorted, where random
 * order leaves pages half full */
static struct opref *batch_order(const struct rep_batch *b, size_t *n)
{
	struct opref *refs = malloc((b->count ? b->count : 1) * sizeof *refs);
	size_t off = 0;

	*n = 0;
	if (refs == NULL)
		return NULL;
	while (off < b->len) {
		refs[*n].head = key_head(b->buf + off);
		refs[(*n)++].off = off;
		off += op_size(b->buf + off);
	}
	qsort_r(refs, *n, sizeof *refs, opref_cmp, b->buf);
	return refs;
}

/* snapshot_keys - the key-ordered offsets of the batch's partner
 * operations for the snapshot's publisher */
static size_t *snapshot_keys(const struct commit *c, size_t *n)
{
	size_t *offs = malloc((c->norder ? c->norder : 1) * sizeof *offs);
	struct rep_partner pt;

	*n = 0;
	if (offs == NULL)
		return NULL;
	for (size_t i = 0; i < c->norder; i++) {
		const uint8_t *p = c->b->buf + c->order[i].off;
		if (p[0] != OP_PARTNER)
			continue;
		memcpy(&pt, p + OP_HEAD + op_klen(p), sizeof pt);
		if (pt.publisher == c->b->snap_pub)
			offs[(*n)++] = c->order[i].off;
	}
	return offs;
}

/* in_snapshot - is this key among the snapshot's? (binary search) */
static int in_snapshot(const struct rep_batch *b, const size_t *offs, size_t n,
        const uint8_t *key, size_t klen)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const uint8_t *k = b->buf + offs[mid];
		size_t ml = op_klen(k);
		int c = memcmp(k + OP_HEAD, key, ml < klen ? ml : klen);
		if (c == 0)
			c = (ml > klen) - (ml < klen);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* find_gone - keys whose slot of the publisher is live but absent from the
 * snapshot */
static int find_gone(struct rep_store *st, MDB_txn *txn, struct commit *c,
        const size_t *offs, size_t n, struct keylist *gone)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, st->subj, &cur);

	if (rc != MDB_SUCCESS)
		return store_err(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
	        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const struct rep_partner *p = NULL;
		int err = rep_record_decode(v.mv_data, v.mv_size, &c->rec);
		if (err == REP_OK)
			p = rep_record_partner(&c->rec, c->b->snap_pub);
		if (err != REP_OK || p == NULL || p->op == REP_OP_DELIST ||
		        in_snapshot(c->b, offs, n, k.mv_data, k.mv_size))
			continue;
		if ((err = keylist_add(gone, k.mv_data, k.mv_size)) != REP_OK) {
			mdb_cursor_close(cur);
			return err;
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? REP_OK : store_err(rc);
}

/* tombstone - turn the publisher's slot under key into a delist */
static int tombstone(struct rep_store *st, MDB_txn *txn, struct commit *c,
        const uint8_t *key, size_t klen)
{
	struct rep_partner *p, t;
	int rc = store_get_record(st, txn, key, klen, &c->rec);

	if (rc != REP_OK)
		return rc;
	if ((p = rep_record_partner(&c->rec, c->b->snap_pub)) == NULL)
		return REP_OK;
	/* a snapshot older than the slot has nothing to say about it */
	if (p->seq > c->b->snap_seq)
		return REP_OK;
	t = *p;
	t.op = REP_OP_DELIST;
	t.seq = c->b->snap_seq;
	t.last_seen = c->now;
	t.expires = 0;
	t.feed = c->stats.feed;
	if ((rc = rep_record_merge_partner(&c->rec, &t)) <= 0)
		return rc;
	/* an allow of the same sequence number outranks the delist */
	if (rep_record_partner(&c->rec, c->b->snap_pub)->op == REP_OP_DELIST)
		c->stats.delisted++;
	return store_put_record(st, txn, key, klen, &c->rec, 1);
}

/* apply_snapshot - delist what the publisher's snapshot no longer holds */
static int apply_snapshot(struct rep_store *st, MDB_txn *txn, struct commit *c)
{
	struct keylist gone = {0};
	size_t n, off = 0, *offs = snapshot_keys(c, &n);
	int rc;

	if (offs == NULL)
		return REP_E_NOMEM;
	rc = find_gone(st, txn, c, offs, n, &gone);
	while (rc == REP_OK && off < gone.len) {
		size_t klen = (size_t)gone.buf[off] << 8 | gone.buf[off + 1];
		rc = tombstone(st, txn, c, gone.buf + off + 2, klen);
		off += 2 + klen;
	}
	free(gone.buf);
	free(offs);
	return rc;
}

/* apply_ops - every operation, in key order, through one cursor */
static int apply_ops(struct rep_store *st, MDB_txn *txn, struct commit *c)
{
	MDB_cursor *cur;
	size_t i = 0;
	int rc = mdb_cursor_open(txn, st->subj, &cur);

	if (rc != MDB_SUCCESS)
		return store_err(rc);
	while (i < c->norder && rc == REP_OK)
		rc = apply_key(st, cur, c, &i);
	mdb_cursor_close(cur);
	return rc;
}

/* apply_batch - every operation, then snapshot and watermarks */
static int apply_batch(struct rep_store *st, MDB_txn *txn, void *arg)
{
	struct commit *c = arg;
	struct rep_batch *b = c->b;
	int rc = REP_OK;

	memset(&c->stats, 0, sizeof c->stats);
	/* store_write runs this again only after the map grew */
	c->stats.grown = c->attempts++;
	if (b->has_feed && (rc = put_feed(st, txn, c)) != REP_OK)
		return rc;
	rc = apply_ops(st, txn, c);
	if (rc == REP_OK && b->has_snapshot)
		rc = apply_snapshot(st, txn, c);
	for (unsigned i = 0; i < b->nwm && rc == REP_OK; i++)
		rc = store_watermark(st, txn, b->wm[i].pub, b->wm[i].epoch,
		        b->wm[i].seq, b->wm[i].serial, c->now);
	return rc;
}

/* rep_commit - apply the batch in one transaction */
int rep_commit(struct rep_store *st, struct rep_batch *b, int64_t now,
        struct rep_commit_stats *stats)
{
	struct commit *c;
	int rc;

	if (st == NULL || b == NULL)
		return REP_E_INVAL;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return REP_E_NOMEM;
	c->b = b;
	c->now = now;
	if ((c->order = batch_order(b, &c->norder)) == NULL) {
		free(c);
		return REP_E_NOMEM;
	}
	rc = store_write(st, apply_batch, c);
	if (rc == REP_OK && stats)
		*stats = c->stats;
	free(c->order);
	free(c);
	return rc;
}
