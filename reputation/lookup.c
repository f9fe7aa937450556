/*
 * lookup.c - the read paths: the exact get, the covering lookup of an
 * address or name (with its score), and the scan of the whole store.
 * Each runs in one short pooled read transaction (store.c).
 */
#include "config.h"

#include <string.h>

#include "store.h"

#define SCAN_CHUNK 4096

/* store_get_record - read and decode the record under a key */
int store_get_record(struct rep_store *st, MDB_txn *txn, const uint8_t *key,
        size_t klen, struct rep_record *out)
{
	MDB_val k = {klen, (void *)key}, v;
	int rc = mdb_get(txn, st->subj, &k, &v);

	if (rc != MDB_SUCCESS)
		return store_err(rc);
	return rep_record_decode(v.mv_data, v.mv_size, out);
}

/* rep_get - the record stored under exactly this subject */
int rep_get(struct rep_store *st, const struct rep_subject *subject,
        struct rep_record *out)
{
	uint8_t key[REP_KEY_MAX];
	size_t klen = rep_key_encode(subject, key, sizeof key);
	struct rep_reader *rd;
	int rc;

	if (klen == 0)
		return REP_E_INVAL;
	if ((rc = store_read_begin(st, &rd)) != REP_OK)
		return rc;
	rc = store_get_record(st, rd->txn, key, klen, out);
	store_read_end(st, rd);
	return rc;
}

/* Per-lookup state: the visitor, the reader's subj cursor and a record
 * buffer. */
struct lookup {
	struct rep_store *st;
	struct rep_reader *rd;
	MDB_cursor *subj;
	rep_visit_fn fn;
	void *arg;
	struct rep_record rec;
};

/* visit_record - visit the record under a key as subject s, if there is
 * one; a record that does not decode is an error, never silently skipped.
 * One cursor serves every read of a lookup: a covering prefix often sits
 * on the leaf page of the address, and LMDB then skips the descent. */
static int visit_record(struct lookup *lk, const struct rep_subject *s,
        const uint8_t *key, size_t klen)
{
	MDB_val k = {klen, (void *)key}, v;
	int rc = mdb_cursor_get(lk->subj, &k, &v, MDB_SET);

	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != MDB_SUCCESS)
		return store_err(rc);
	if ((rc = rep_record_decode(v.mv_data, v.mv_size, &lk->rec)) != REP_OK)
		return rc;
	return lk->fn(s, &lk->rec, lk->arg);
}

/* visit_key - visit the record under a key, with the subject decoded
 * from the key */
static int visit_key(struct lookup *lk, const uint8_t *key, size_t klen)
{
	struct rep_subject s;
	int rc = rep_key_decode(key, klen, &s);

	return rc != REP_OK ? rc : visit_record(lk, &s, key, klen);
}

/* common_bits - how many leading bits the addresses a and b share */
static unsigned common_bits(const uint8_t *a, const uint8_t *b, unsigned alen)
{
	unsigned i = 0;

	while (i < alen && a[i] == b[i])
		i++;
	if (i == alen)
		return alen * 8;
	return i * 8 + (unsigned)__builtin_clz((unsigned)(a[i] ^ b[i])) - 24;
}

/* keep_below - the bits of lengths 0 .. n-1 of src, the others clear */
static void keep_below(uint8_t *dst, const uint8_t *src, unsigned n)
{
	memset(dst, 0, REP_PFX_BITMAP);
	memcpy(dst, src, n / 8);
	if (n % 8)
		dst[n / 8] = src[n / 8] & (uint8_t)((1u << (n % 8)) - 1);
}

/* store_covering - the lengths (< plen) of stored prefixes covering
 * addr/plen, from the covering index. The entry found covers with its
 * length l, and with each length of its set, exactly when addr shares
 * its first l bits: one mask, no loop over lengths. */
int store_covering(MDB_cursor *cur, unsigned kind, const uint8_t *addr,
        unsigned plen, uint8_t *bits)
{
	unsigned alen = kind == REP_KIND_IP4 ? 4 : 16, n;
	uint8_t key[18];
	MDB_val k = {alen + 2, key}, v;
	int rc;

	memset(bits, 0, REP_PFX_BITMAP);
	key[0] = kind == REP_KIND_IP4 ? REP_KEY_IP4 : REP_KEY_IP6;
	memcpy(key + 1, addr, alen);
	key[alen + 1] = (uint8_t)plen;
	/* the last index entry sorting before (addr, plen) */
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	rc = mdb_cursor_get(
	        cur, &k, &v, rc == MDB_SUCCESS ? MDB_PREV : MDB_LAST);
	if (rc == MDB_SUCCESS && k.mv_size == alen + 2u &&
	        ((uint8_t *)k.mv_data)[0] == key[0] &&
	        v.mv_size == REP_PFX_BITMAP) {
		n = common_bits(addr, (uint8_t *)k.mv_data + 1, alen) + 1;
		keep_below(bits, v.mv_data, n < plen ? n : plen);
		rc = MDB_SUCCESS;
	}
	return rc == MDB_NOTFOUND ? REP_OK : store_err(rc);
}

/* ip_copy - a clean IP subject with the kind, address and length of s
 * (the caller's struct may hold anything in its unused bytes) */
static void ip_copy(struct rep_subject *p, const struct rep_subject *s)
{
	memset(p, 0, sizeof *p);
	p->kind = s->kind;
	p->plen = s->plen;
	memcpy(p->addr, s->addr, sizeof p->addr);
}

/* lookup_ip - the address or prefix itself, then covering prefixes,
 * longest first */
static int lookup_ip(struct lookup *lk, const struct rep_subject *s)
{
	uint8_t key[REP_KEY_MAX], bits[REP_PFX_BITMAP];
	size_t klen = rep_key_encode(s, key, sizeof key);
	unsigned max = rep_ip_maxlen(s->kind);
	struct rep_subject p;
	MDB_cursor *pfx;
	int rc;

	if (klen == 0)
		return REP_E_INVAL;
	ip_copy(&p, s);
	if ((rc = visit_record(lk, &p, key, klen)) != 0)
		return rc;
	rc = store_cursor(lk->rd, STORE_CUR_PFX, lk->st->pfx, &pfx);
	if (rc == REP_OK)
		rc = store_covering(pfx, s->kind, s->addr, s->plen, bits);
	if (rc != REP_OK)
		return rc;
	for (unsigned l = s->plen; l-- > 0;) {
		if (bits[l >> 3] == 0) {
			l &= ~7u; /* no covering length in this byte */
			continue;
		}
		if (!bit_isset(bits, l))
			continue;
		memcpy(p.addr, s->addr, sizeof p.addr);
		rep_ip_mask(p.addr, max, l);
		p.plen = (uint8_t)l;
		klen = rep_key_encode(&p, key, sizeof key);
		if ((rc = visit_record(lk, &p, key, klen)) != 0)
			return rc;
	}
	return 0;
}

/* visit_name - visit the record of name/scope if stored */
static int visit_name(struct lookup *lk, const struct rep_subject *base,
        const char *name, unsigned scope)
{
	struct rep_subject s = *base;
	uint8_t key[REP_KEY_MAX];
	size_t klen;

	memmove(s.name, name, strlen(name) + 1);
	s.scope = (uint8_t)scope;
	klen = rep_key_encode(&s, key, sizeof key);
	return klen ? visit_key(lk, key, klen) : REP_E_INVAL;
}

/* lookup_domain - the name itself, its other scopes, then each parent's
 * subtree entries, nearest parent first */
static int lookup_domain(struct lookup *lk, const struct rep_subject *s)
{
	const char *n = s->name;
	int rc;

	if ((rc = visit_name(lk, s, n, s->scope)) != 0)
		return rc;
	if (s->kind == REP_KIND_AUTH)
		return 0;
	if (s->scope == REP_SCOPE_EXACT || s->scope == REP_SCOPE_SUBS)
		if ((rc = visit_name(lk, s, n, REP_SCOPE_TREE)) != 0)
			return rc;
	while ((n = strchr(n, '.')) != NULL) {
		n++;
		if ((rc = visit_name(lk, s, n, REP_SCOPE_TREE)) != 0 ||
		        (rc = visit_name(lk, s, n, REP_SCOPE_SUBS)) != 0)
			return rc;
	}
	return 0;
}

/* lookup_any - the lookup of one subject, by kind */
static int lookup_any(struct lookup *lk, const struct rep_subject *subject)
{
	int rc = store_cursor(lk->rd, STORE_CUR_SUBJ, lk->st->subj, &lk->subj);

	if (rc != REP_OK)
		return rc;
	if (rep_ip_maxlen(subject->kind))
		return lookup_ip(lk, subject);
	if (subject->kind == REP_KIND_DOMAIN || subject->kind == REP_KIND_AUTH)
		return lookup_domain(lk, subject);
	return REP_E_INVAL;
}

/* rep_lookup - visit the subject's record and every covering one */
int rep_lookup(struct rep_store *st, const struct rep_subject *subject,
        rep_visit_fn fn, void *arg)
{
	struct lookup lk; /* not zeroed: its record buffer is 2 KB */
	int rc;

	if (st == NULL || subject == NULL || fn == NULL)
		return REP_E_INVAL;
	lk.st = st;
	lk.fn = fn;
	lk.arg = arg;
	if ((rc = store_read_begin(st, &lk.rd)) != REP_OK)
		return rc;
	rc = lookup_any(&lk, subject);
	store_read_end(st, lk.rd);
	return rc;
}

/* Score accumulation as a lookup visitor. */
struct check {
	const struct rep_policy *p;
	struct rep_score *sc;
	int64_t now;
};

/* check_visit - add one record to the score */
static int check_visit(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	struct check *c = arg;

	rep_score_add(c->sc, c->p, s, r, c->now);
	return 0;
}

/* rep_check - rep_lookup and score in one call */
int rep_check(struct rep_store *st, const struct rep_policy *p,
        const struct rep_subject *subject, int64_t now, struct rep_score *out)
{
	struct check c = {p, out, now};
	int rc;

	rep_score_init(out);
	rc = rep_lookup(st, subject, check_visit, &c);
	rep_score_finish(out, p);
	return rc;
}

/* scan_chunk - visit up to SCAN_CHUNK records after `last` in one read
 * transaction; sets *done at the end of the store or kind. Returns the
 * visitor's non-zero value if it stopped the scan. */
static int scan_chunk(struct rep_store *st, uint8_t kind, uint8_t *last,
        size_t *llen, rep_visit_fn fn, void *arg, int *done)
{
	struct lookup lk = {.st = st};
	MDB_val k = {*llen, last}, v;
	MDB_cursor *cur;
	struct rep_subject s;
	int rc, vrc = 0, n = 0;

	if ((rc = store_read_begin(st, &lk.rd)) != REP_OK)
		return rc;
	if ((rc = store_cursor(lk.rd, STORE_CUR_SUBJ, st->subj, &cur)) !=
	        REP_OK) {
		store_read_end(st, lk.rd);
		return rc;
	}
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	if (rc == MDB_SUCCESS && *llen > 1 && k.mv_size == *llen &&
	        memcmp(k.mv_data, last, *llen) == 0)
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	for (; rc == MDB_SUCCESS && vrc == 0 && n < SCAN_CHUNK;
	        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), n++) {
		if (kind && ((uint8_t *)k.mv_data)[0] != kind) {
			rc = MDB_NOTFOUND;
			break;
		}
		if (k.mv_size > REP_KEY_MAX) {
			vrc = REP_E_CORRUPT;
			break;
		}
		memcpy(last, k.mv_data, k.mv_size);
		*llen = k.mv_size;
		vrc = rep_key_decode(last, *llen, &s);
		if (vrc == REP_OK)
			vrc = rep_record_decode(v.mv_data, v.mv_size, &lk.rec);
		if (vrc == REP_OK)
			vrc = fn(&s, &lk.rec, arg);
	}
	store_read_end(st, lk.rd);
	*done = rc == MDB_NOTFOUND;
	if (vrc != 0)
		return vrc;
	return rc == MDB_NOTFOUND ? REP_OK : store_err(rc);
}

/* kind_byte - the first key byte of a kind, 0 for all */
static uint8_t kind_byte(enum rep_kind kind)
{
	switch (kind) {
	case REP_KIND_IP4:
		return REP_KEY_IP4;
	case REP_KIND_IP6:
		return REP_KEY_IP6;
	case REP_KIND_AUTH:
		return REP_KEY_AUTH;
	case REP_KIND_DOMAIN:
		return REP_KEY_DOMAIN;
	default:
		return 0;
	}
}

/* rep_scan - visit every record in store order */
int rep_scan(
        struct rep_store *st, enum rep_kind kind, rep_visit_fn fn, void *arg)
{
	uint8_t last[REP_KEY_MAX] = {0}, kb = kind_byte(kind);
	size_t llen = 1;
	int done = 0, rc = REP_OK;

	if (st == NULL || fn == NULL || (kind != 0 && kb == 0))
		return REP_E_INVAL;
	last[0] = kb;
	while (!done && rc == REP_OK)
		rc = scan_chunk(st, kb, last, &llen, fn, arg, &done);
	return rc;
}
