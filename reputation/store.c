/*
 * store.c - the LMDB environment: opening, transactions and their pool,
 * map growth, key order and copies. The read paths are in lookup.c.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

#ifndef REP_DEFAULT_STORE
#define REP_DEFAULT_STORE "/var/lib/repmilter/reputation.mdb"
#endif

#define MAP_SIZE_DEFAULT ((size_t)64 << 20)
#define MAP_MAX_DEFAULT ((size_t)1 << 40)
#define READERS_DEFAULT 1022

/* rep_default_path - the compiled-in store path */
const char *rep_default_path(void)
{
	return REP_DEFAULT_STORE;
}

/* store_err - map an LMDB return code to a REP_E_* code */
int store_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return REP_OK;
	case MDB_NOTFOUND:
		return REP_E_NOTFOUND;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
	case MDB_INCOMPATIBLE:
		return REP_E_CORRUPT;
	case MDB_MAP_FULL:
		return REP_E_FULL;
	case ENOMEM:
		return REP_E_NOMEM;
	case EACCES:
	case EROFS:
		return REP_E_READONLY;
	default:
		return REP_E_STORE;
	}
}

/* my_stripe - the lock stripe of the calling thread, fixed at its first
 * use so that begin and end of a transaction meet the same stripe */
static struct rep_stripe *my_stripe(struct rep_store *st)
{
	static unsigned next;
	static __thread int idx = -1;

	if (idx < 0)
		idx = (int)(__atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) %
		            REP_STRIPES);
	return &st->stripe[idx];
}

/* hold_all, release_all - exclude every transaction of this process */
static void hold_all(struct rep_store *st)
{
	for (int i = 0; i < REP_STRIPES; i++)
		pthread_rwlock_wrlock(&st->stripe[i].resize);
}

static void release_all(struct rep_store *st)
{
	for (int i = REP_STRIPES; i-- > 0;)
		pthread_rwlock_unlock(&st->stripe[i].resize);
}

/* adopt_map_size - another process grew the map: take its size */
static int adopt_map_size(struct rep_store *st)
{
	int rc;

	hold_all(st);
	rc = mdb_env_set_mapsize(st->env, 0);
	release_all(st);
	return rc;
}

/* txn_begin - begin a transaction, holding the thread's stripe shared
 * until it ends */
static int txn_begin(struct rep_store *st, unsigned flags, MDB_txn **txn)
{
	struct rep_stripe *sp = my_stripe(st);

	for (int tries = 0; tries < 8; tries++) {
		int rc;
		pthread_rwlock_rdlock(&sp->resize);
		rc = mdb_txn_begin(st->env, NULL, flags, txn);
		if (rc == MDB_SUCCESS)
			return REP_OK;
		pthread_rwlock_unlock(&sp->resize);
		if (rc != MDB_MAP_RESIZED)
			return store_err(rc);
		if ((rc = adopt_map_size(st)) != MDB_SUCCESS)
			return store_err(rc);
	}
	return REP_E_STORE;
}

/* txn_end_shared - release the thread's stripe after a transaction */
static void txn_end_shared(struct rep_store *st)
{
	pthread_rwlock_unlock(&my_stripe(st)->resize);
}

/* reader_free - close a reader's cursors and end its transaction */
static void reader_free(struct rep_reader *rd)
{
	if (rd == NULL)
		return;
	for (int i = 0; i < STORE_NCUR; i++)
		if (rd->cur[i] != NULL)
			mdb_cursor_close(rd->cur[i]);
	if (rd->txn != NULL)
		mdb_txn_abort(rd->txn);
	free(rd);
}

/* pool_take - an idle reader from the stripe's pool, or NULL */
static struct rep_reader *pool_take(struct rep_stripe *sp)
{
	for (int i = 0; i < REP_TXN_POOL; i++) {
		struct rep_reader *rd;
		/* a plain load first: an empty slot costs no bus lock */
		if (__atomic_load_n(&sp->pool[i], __ATOMIC_RELAXED) == NULL)
			continue;
		rd = __atomic_exchange_n(&sp->pool[i], NULL, __ATOMIC_ACQUIRE);
		if (rd != NULL)
			return rd;
	}
	return NULL;
}

/* pool_give - keep an idle reader; 0 if the pool is full */
static int pool_give(struct rep_stripe *sp, struct rep_reader *rd)
{
	for (int i = 0; i < REP_TXN_POOL; i++) {
		struct rep_reader *none = NULL;
		if (__atomic_compare_exchange_n(&sp->pool[i], &none, rd, 0,
		            __ATOMIC_RELEASE, __ATOMIC_RELAXED))
			return 1;
	}
	return 0;
}

/* store_read_begin - a short read transaction, renewed from the pool when
 * a reader is there */
int store_read_begin(struct rep_store *st, struct rep_reader **out)
{
	struct rep_stripe *sp = my_stripe(st);
	struct rep_reader *rd = pool_take(sp);
	int rc;

	if (rd != NULL) {
		pthread_rwlock_rdlock(&sp->resize);
		if (mdb_txn_renew(rd->txn) == MDB_SUCCESS) {
			rd->bound = 0;
			*out = rd;
			return REP_OK;
		}
		pthread_rwlock_unlock(&sp->resize);
		reader_free(rd); /* e.g. MDB_MAP_RESIZED: start afresh */
	}
	/* a cache line of its own: two threads' readers side by side in
	 * the heap would share one line, written on every lookup */
	if (posix_memalign((void **)&rd, 64, sizeof *rd) != 0)
		return REP_E_NOMEM;
	memset(rd, 0, sizeof *rd);
	if ((rc = txn_begin(st, MDB_RDONLY, &rd->txn)) != REP_OK) {
		free(rd);
		return rc;
	}
	*out = rd;
	return REP_OK;
}

/* store_read_end - end a read transaction, keeping the reader for reuse */
void store_read_end(struct rep_store *st, struct rep_reader *rd)
{
	struct rep_stripe *sp = my_stripe(st);

	mdb_txn_reset(rd->txn);
	if (!pool_give(sp, rd))
		reader_free(rd);
	pthread_rwlock_unlock(&sp->resize);
}

/* store_cursor - the reader's cursor on dbi, bound to its transaction */
int store_cursor(
        struct rep_reader *rd, unsigned which, MDB_dbi dbi, MDB_cursor **cur)
{
	int rc;

	if (!(rd->bound & (1u << which))) {
		if (rd->cur[which] == NULL)
			rc = mdb_cursor_open(rd->txn, dbi, &rd->cur[which]);
		else
			rc = mdb_cursor_renew(rd->txn, rd->cur[which]);
		if (rc != MDB_SUCCESS)
			return store_err(rc);
		rd->bound |= 1u << which;
	}
	*cur = rd->cur[which];
	return REP_OK;
}

/* grow_map - double the map size, up to map_max */
static int grow_map(struct rep_store *st)
{
	MDB_envinfo info;
	size_t size;
	int rc;

	hold_all(st);
	mdb_env_info(st->env, &info);
	size = info.me_mapsize;
	if (size >= st->map_max) {
		release_all(st);
		return REP_E_FULL;
	}
	size = size > st->map_max / 2 ? st->map_max : size * 2;
	rc = mdb_env_set_mapsize(st->env, size);
	release_all(st);
	return store_err(rc);
}

/* store_write - run fn in a write transaction, growing the map as needed */
int store_write(struct rep_store *st,
        int (*fn)(struct rep_store *st, MDB_txn *txn, void *arg), void *arg)
{
	if (st->readonly)
		return REP_E_READONLY;
	for (;;) {
		MDB_txn *txn;
		int rc = txn_begin(st, 0, &txn);
		if (rc != REP_OK)
			return rc;
		rc = fn(st, txn, arg);
		if (rc == REP_OK)
			rc = store_err(mdb_txn_commit(txn));
		else
			mdb_txn_abort(txn);
		txn_end_shared(st);
		if (rc != REP_E_FULL)
			return rc;
		if ((rc = grow_map(st)) != REP_OK)
			return rc;
	}
}

/* load_be64 - eight bytes as a big-endian number */
static inline uint64_t load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return __builtin_bswap64(v);
}

/* load_be32 - four bytes as a big-endian number */
static inline uint32_t load_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return __builtin_bswap32(v);
}

/* key_cmp - LMDB's default order (bytes, then length) for subj and pfx,
 * inline: LMDB's own compares through two calls, and a lookup makes about
 * forty comparisons. The order is the same, so LMDB's tools still read
 * the store. */
static int key_cmp(const MDB_val *a, const MDB_val *b)
{
	const uint8_t *p = a->mv_data, *q = b->mv_data;
	size_t n = a->mv_size < b->mv_size ? a->mv_size : b->mv_size, i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x = load_be64(p + i), y = load_be64(q + i);
		if (x != y)
			return x < y ? -1 : 1;
	}
	if (i + 4 <= n) {
		/* an IPv4 key (six bytes) mostly differs in its first four */
		uint32_t x = load_be32(p + i), y = load_be32(q + i);
		if (x != y)
			return x < y ? -1 : 1;
		i += 4;
	}
	for (; i < n; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return (a->mv_size > b->mv_size) - (a->mv_size < b->mv_size);
}

/* store_copy - a compacted copy of the environment to a new file. LMDB
 * begins a read transaction of its own for it, so the thread's stripe is
 * held, as for any transaction, to keep the map size steady. */
int store_copy(struct rep_store *st, const char *path)
{
	struct rep_stripe *sp = my_stripe(st);
	int rc;

	for (int tries = 0; tries < 8; tries++) {
		pthread_rwlock_rdlock(&sp->resize);
		rc = mdb_env_copy2(st->env, path, MDB_CP_COMPACT);
		pthread_rwlock_unlock(&sp->resize);
		if (rc != MDB_MAP_RESIZED)
			break;
		/* the copy had created its file before its transaction
		 * found the map grown by another process */
		unlink(path);
		if ((rc = adopt_map_size(st)) != MDB_SUCCESS)
			break;
		rc = MDB_MAP_RESIZED;
	}
	return rc == EEXIST ? REP_E_INVAL : store_err(rc);
}

/* open_dbs - open (or create) the named databases */
static int open_dbs(struct rep_store *st, MDB_txn *txn)
{
	static const char *names[] = {
	        "subj", "pfx", "pub", "pubid", "feed", "meta"};
	MDB_dbi *dbis[] = {&st->subj, &st->pfx, &st->pub, &st->pubid, &st->feed,
	        &st->meta};
	unsigned flags = st->readonly ? 0 : MDB_CREATE;
	int rc;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		rc = mdb_dbi_open(txn, names[i], flags, dbis[i]);
		if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
			return REP_E_CORRUPT; /* not a reputation store */
		if (rc != MDB_SUCCESS)
			return store_err(rc);
	}
	if ((rc = mdb_set_compare(txn, st->subj, key_cmp)) != MDB_SUCCESS ||
	        (rc = mdb_set_compare(txn, st->pfx, key_cmp)) != MDB_SUCCESS)
		return store_err(rc);
	return REP_OK;
}

/* check_format - stamp a new store, refuse one from a newer program */
static int check_format(struct rep_store *st, MDB_txn *txn)
{
	MDB_val k = {6, (void *)"format"}, v;
	uint8_t buf[4] = {REP_STORE_FORMAT, 0, 0, 0};
	int rc = mdb_get(txn, st->meta, &k, &v);

	if (rc == MDB_NOTFOUND && !st->readonly) {
		v.mv_size = sizeof buf;
		v.mv_data = buf;
		return store_err(mdb_put(txn, st->meta, &k, &v, 0));
	}
	if (rc != MDB_SUCCESS)
		return rc == MDB_NOTFOUND ? REP_E_CORRUPT : store_err(rc);
	if (v.mv_size != 4)
		return REP_E_CORRUPT;
	memcpy(buf, v.mv_data, 4);
	return buf[0] > REP_STORE_FORMAT ? REP_E_VERSION : REP_OK;
}

/* open_env - create and open the LMDB environment */
static int open_env(
        struct rep_store *st, const char *path, const struct rep_open_opts *o)
{
	unsigned flags = MDB_NOSUBDIR | MDB_NOTLS;
	int rc;

	if ((rc = mdb_env_create(&st->env)) != MDB_SUCCESS)
		return store_err(rc);
	mdb_env_set_maxdbs(st->env, 8);
	mdb_env_set_maxreaders(
	        st->env, o->max_readers ? o->max_readers : READERS_DEFAULT);
	mdb_env_set_mapsize(
	        st->env, o->map_size ? o->map_size : MAP_SIZE_DEFAULT);
	if (o->readonly)
		flags |= MDB_RDONLY;
	if (o->nosync)
		flags |= MDB_NOSYNC;
	rc = mdb_env_open(st->env, path, flags, 0640);
	if (rc == ENOENT)
		return REP_E_NOSTORE;
	return store_err(rc);
}

/* init_store - open the databases and check the format in one txn */
static int init_store(struct rep_store *st)
{
	MDB_txn *txn;
	int rc = txn_begin(st, st->readonly ? MDB_RDONLY : 0, &txn);

	if (rc != REP_OK)
		return rc;
	rc = open_dbs(st, txn);
	if (rc == REP_OK)
		rc = check_format(st, txn);
	/* commit even a read-only transaction: aborting it would close the
	 * database handles it opened */
	if (rc == REP_OK)
		rc = store_err(mdb_txn_commit(txn));
	else
		mdb_txn_abort(txn);
	txn_end_shared(st);
	return rc;
}

/* rep_open - open (or create) the store at `path` */
int rep_open(const char *path, const struct rep_open_opts *opts,
        struct rep_store **out)
{
	static const struct rep_open_opts defaults;
	const struct rep_open_opts *o = opts ? opts : &defaults;
	pthread_rwlockattr_t attr;
	struct rep_store *st;
	struct stat sb;
	int rc;

	if (path == NULL || *path == '\0' || out == NULL)
		return REP_E_INVAL;
	if (!o->create && stat(path, &sb) != 0)
		return REP_E_NOSTORE;
	/* the lock stripes are cache-line aligned */
	if (posix_memalign((void **)&st, 64, sizeof *st) != 0)
		return REP_E_NOMEM;
	memset(st, 0, sizeof *st);
	st->readonly = o->readonly;
	st->map_max = o->map_max ? o->map_max : MAP_MAX_DEFAULT;
	st->half_life = o->half_life > 0 ? o->half_life : REP_HALF_LIFE_DEFAULT;
	/* prefer the grower, so a stream of readers cannot starve it */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(
	        &attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	for (int i = 0; i < REP_STRIPES; i++)
		pthread_rwlock_init(&st->stripe[i].resize, &attr);
	pthread_rwlockattr_destroy(&attr);
	rc = open_env(st, path, o);
	if (rc == REP_OK)
		rc = store_err(mdb_reader_check(st->env, NULL));
	if (rc == REP_OK)
		rc = init_store(st);
	if (rc != REP_OK) {
		rep_close(st);
		return rc;
	}
	*out = st;
	return REP_OK;
}

/* rep_close - close the store */
void rep_close(struct rep_store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < REP_STRIPES; i++)
		for (int j = 0; j < REP_TXN_POOL; j++)
			reader_free(st->stripe[i].pool[j]);
	if (st->env)
		mdb_env_close(st->env);
	for (int i = 0; i < REP_STRIPES; i++)
		pthread_rwlock_destroy(&st->stripe[i].resize);
	free(st);
}

/* rep_reader_check - clear reader slots of dead processes or threads */
int rep_reader_check(struct rep_store *st, int *cleared)
{
	int dead = 0;
	int rc = mdb_reader_check(st->env, &dead);

	if (rc != MDB_SUCCESS)
		return store_err(rc);
	if (cleared)
		*cleared = dead;
	return REP_OK;
}

/* keylist_add - append a key with its length in two bytes, big-endian
 * (a domain key may be 256 bytes long) */
int keylist_add(struct keylist *kl, const uint8_t *key, size_t klen)
{
	if (kl->cap - kl->len < klen + 2) {
		size_t cap = kl->cap ? kl->cap * 2 : 4096;
		uint8_t *nb = realloc(kl->buf, cap);
		if (nb == NULL)
			return REP_E_NOMEM;
		kl->buf = nb;
		kl->cap = cap;
	}
	kl->buf[kl->len++] = (uint8_t)(klen >> 8);
	kl->buf[kl->len++] = (uint8_t)klen;
	memcpy(kl->buf + kl->len, key, klen);
	kl->len += klen;
	return REP_OK;
}
