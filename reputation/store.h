/*
 * store.h - the LMDB side of libreputation, private to the files of
 * reputation/.
 *
 * Databases in the one environment:
 *	subj	subject key -> record (record.c)
 *	pfx	IP prefix key -> 17-byte bitmap of the lengths of stored
 *		prefixes that cover it, its own included (the covering index)
 *	pub	publisher name -> id and watermark
 *	pubid	2-byte big-endian id -> publisher name
 *	feed	4-byte big-endian id -> feed description
 *	meta	"format" -> store format version
 *
 * The covering index answers "which stored prefixes cover address A" with
 * one cursor step: the last prefix at or before A in key order is either a
 * covering prefix or a prefix whose own covering set contains every prefix
 * that covers A (CIDR prefixes nest or are disjoint). So an address costs
 * one point read for itself, one cursor read, and one read per covering
 * record that exists.
 *
 * Map growth: mdb_env_set_mapsize may only run while no transaction of
 * this process is open, so every transaction holds its thread's stripe
 * of `resize` shared and growth takes all stripes exclusively. Pooled
 * read transactions are reset, which LMDB counts as not open.
 */
#ifndef REP_STORE_H
#define REP_STORE_H

#include <lmdb.h>
#include <pthread.h>
#include <string.h>

#include "internal.h"

#define REP_PFX_BITMAP 17 /* bits 0..128 */
#define REP_STORE_FORMAT 1

#define REP_STRIPES 16
#define REP_TXN_POOL 4

/* Which cursor of a reader. */
enum { STORE_CUR_SUBJ, STORE_CUR_PFX, STORE_NCUR };

/* A read transaction kept for reuse, with its cursors: renewing them costs
 * no allocation and no reader-table lock (the env is MDB_NOTLS). */
struct rep_reader {
	MDB_txn *txn;
	MDB_cursor *cur[STORE_NCUR]; /* opened on first use */
	unsigned bound;              /* bit i: cur[i] renewed for this use */
} __attribute__((aligned(64)));

/* One stripe of the locks a transaction takes. Each thread keeps to one
 * stripe, so threads on different cores do not bounce a shared cache line
 * on every lookup; growing the map takes every stripe. */
struct rep_stripe {
	pthread_rwlock_t resize;
	/* idle readers, each taken and given back with one atomic
	 * exchange, no lock */
	struct rep_reader *pool[REP_TXN_POOL];
} __attribute__((aligned(64)));

struct rep_store {
	MDB_env *env;
	MDB_dbi subj, pfx, pub, pubid, feed, meta;
	struct rep_stripe stripe[REP_STRIPES];
	size_t map_max;
	double half_life;
	int readonly;
};

/* store_err - map an LMDB return code to a REP_E_* code */
int store_err(int rc);

/* store_read_begin, store_read_end - a short read transaction, in
 * (*rd)->txn */
int store_read_begin(struct rep_store *st, struct rep_reader **rd);
void store_read_end(struct rep_store *st, struct rep_reader *rd);

/* store_cursor - the reader's cursor `which` (STORE_CUR_*) on dbi, bound
 * to its current transaction; valid until store_read_end */
int store_cursor(
        struct rep_reader *rd, unsigned which, MDB_dbi dbi, MDB_cursor **cur);

/* store_write - run fn in a write transaction; on MDB_MAP_FULL the
 * transaction is aborted, the map grows and fn runs again from scratch */
int store_write(struct rep_store *st,
        int (*fn)(struct rep_store *st, MDB_txn *txn, void *arg), void *arg);

/* store_copy - a compacted copy of the environment to a new file */
int store_copy(struct rep_store *st, const char *path);

/* store_get_record - read and decode the record under a key;
 * REP_E_NOTFOUND if none */
int store_get_record(struct rep_store *st, MDB_txn *txn, const uint8_t *key,
        size_t klen, struct rep_record *out);

/* store_put_record - encode and store a record, or delete the key when
 * the record is empty; keeps the covering index in step */
int store_put_record(struct rep_store *st, MDB_txn *txn, const uint8_t *key,
        size_t klen, const struct rep_record *rec, int existed);

/* store_watermark - move a publisher's watermark */
int store_watermark(struct rep_store *st, MDB_txn *txn, uint16_t pub,
        uint64_t epoch, uint64_t seq, uint64_t serial, int64_t now);

/* A list of length-prefixed keys, collected during a cursor walk and
 * acted on after it, so the walk never sees its own changes. */
struct keylist {
	uint8_t *buf;
	size_t len, cap;
};

/* keylist_add - append a key */
int keylist_add(struct keylist *kl, const uint8_t *key, size_t klen);

/* store_covering - the lengths (< plen) of stored prefixes covering
 * addr/plen, as a bitmap, from the covering index; cur is a cursor on pfx */
int store_covering(MDB_cursor *cur, unsigned kind, const uint8_t *addr,
        unsigned plen, uint8_t *bits);

/* bit_isset - bit n of a covering bitmap */
static inline int bit_isset(const uint8_t *bits, unsigned n)
{
	return (bits[n >> 3] >> (n & 7)) & 1;
}

/* same_prefix - do a and b agree on their first plen bits? */
static inline int same_prefix(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	unsigned bytes = plen >> 3, rest = plen & 7;

	if (memcmp(a, b, bytes) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff00 >> rest)) == 0;
}

/* be16, be32 - big-endian id keys, so ids sort numerically */
static inline void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif /* REP_STORE_H */
