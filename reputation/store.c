/*
 * store.c - the LMDB environment: opening, transactions, map growth, and
 * the read paths (exact get, covering lookup, scan, publishers, feeds).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"

#ifndef REP_DEFAULT_STORE
#define REP_DEFAULT_STORE "/var/lib/repmilter/reputation.mdb"
#endif

#define MAP_SIZE_DEFAULT ((size_t)64 << 20)
#define MAP_MAX_DEFAULT ((size_t)1 << 40)
#define READERS_DEFAULT 1022
#define SCAN_CHUNK 4096

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

/* pool_take - a reset read transaction from the stripe's pool, or NULL */
static MDB_txn *pool_take(struct rep_stripe *sp)
{
	MDB_txn *txn = NULL;

	pthread_mutex_lock(&sp->pool_lock);
	if (sp->npool > 0)
		txn = sp->pool[--sp->npool];
	pthread_mutex_unlock(&sp->pool_lock);
	return txn;
}

/* store_read_begin - a short read transaction, renewed from the pool when
 * one is there */
int store_read_begin(struct rep_store *st, MDB_txn **txn)
{
	struct rep_stripe *sp = my_stripe(st);
	MDB_txn *t = pool_take(sp);

	if (t != NULL) {
		pthread_rwlock_rdlock(&sp->resize);
		if (mdb_txn_renew(t) == MDB_SUCCESS) {
			*txn = t;
			return REP_OK;
		}
		pthread_rwlock_unlock(&sp->resize);
		mdb_txn_abort(t); /* e.g. MDB_MAP_RESIZED: start afresh */
	}
	return txn_begin(st, MDB_RDONLY, txn);
}

/* store_read_end - end a read transaction, keeping it for reuse */
void store_read_end(struct rep_store *st, MDB_txn *txn)
{
	struct rep_stripe *sp = my_stripe(st);

	mdb_txn_reset(txn);
	pthread_mutex_lock(&sp->pool_lock);
	if (sp->npool < REP_TXN_POOL) {
		sp->pool[sp->npool++] = txn;
		txn = NULL;
	}
	pthread_mutex_unlock(&sp->pool_lock);
	if (txn != NULL)
		mdb_txn_abort(txn);
	pthread_rwlock_unlock(&sp->resize);
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

/* open_dbs - open (or create) the named databases */
static int open_dbs(struct rep_store *st, MDB_txn *txn)
{
	static const char *names[] = {"subj", "pfx", "pub", "pubid", "feed",
		"meta"};
	MDB_dbi *dbis[] = {&st->subj, &st->pfx, &st->pub, &st->pubid,
		&st->feed, &st->meta};
	unsigned flags = st->readonly ? 0 : MDB_CREATE;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int rc = mdb_dbi_open(txn, names[i], flags, dbis[i]);
		if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
			return REP_E_CORRUPT; /* not a reputation store */
		if (rc != MDB_SUCCESS)
			return store_err(rc);
	}
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
static int open_env(struct rep_store *st, const char *path,
	const struct rep_open_opts *o)
{
	unsigned flags = MDB_NOSUBDIR | MDB_NOTLS;
	int rc;

	if ((rc = mdb_env_create(&st->env)) != MDB_SUCCESS)
		return store_err(rc);
	mdb_env_set_maxdbs(st->env, 8);
	mdb_env_set_maxreaders(st->env,
		o->max_readers ? o->max_readers : READERS_DEFAULT);
	mdb_env_set_mapsize(st->env, o->map_size ? o->map_size
						: MAP_SIZE_DEFAULT);
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
	pthread_rwlockattr_setkind_np(&attr,
		PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	for (int i = 0; i < REP_STRIPES; i++) {
		pthread_rwlock_init(&st->stripe[i].resize, &attr);
		pthread_mutex_init(&st->stripe[i].pool_lock, NULL);
	}
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
	for (int i = 0; i < REP_STRIPES; i++) {
		struct rep_stripe *sp = &st->stripe[i];
		while (sp->npool > 0)
			mdb_txn_abort(sp->pool[--sp->npool]);
	}
	if (st->env)
		mdb_env_close(st->env);
	for (int i = 0; i < REP_STRIPES; i++) {
		pthread_mutex_destroy(&st->stripe[i].pool_lock);
		pthread_rwlock_destroy(&st->stripe[i].resize);
	}
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
	MDB_txn *txn;
	int rc;

	if (klen == 0)
		return REP_E_INVAL;
	if ((rc = store_read_begin(st, &txn)) != REP_OK)
		return rc;
	rc = store_get_record(st, txn, key, klen, out);
	store_read_end(st, txn);
	return rc;
}

/* Per-lookup state: the visitor and a record buffer. */
struct lookup {
	struct rep_store *st;
	MDB_txn *txn;
	rep_visit_fn fn;
	void *arg;
	struct rep_record rec;
};

/* visit_key - visit the record under a key, if there is one; a record that
 * does not decode is an error, never silently skipped */
static int visit_key(struct lookup *lk, const uint8_t *key, size_t klen)
{
	struct rep_subject s;
	int rc = store_get_record(lk->st, lk->txn, key, klen, &lk->rec);

	if (rc == REP_E_NOTFOUND)
		return 0;
	if (rc != REP_OK)
		return rc;
	if ((rc = rep_key_decode(key, klen, &s)) != REP_OK)
		return rc;
	return lk->fn(&s, &lk->rec, lk->arg);
}

/* store_covering - the lengths (< plen) of stored prefixes covering
 * addr/plen, from the covering index */
int store_covering(struct rep_store *st, MDB_txn *txn, unsigned kind,
	const uint8_t *addr, unsigned plen, uint8_t *bits)
{
	unsigned alen = kind == REP_KIND_IP4 ? 4 : 16;
	uint8_t key[18], xb[REP_PFX_BITMAP];
	MDB_val k = {alen + 2, key}, v;
	MDB_cursor *cur;
	int rc;

	memset(bits, 0, REP_PFX_BITMAP);
	key[0] = kind == REP_KIND_IP4 ? REP_KEY_IP4 : REP_KEY_IP6;
	memcpy(key + 1, addr, alen);
	key[alen + 1] = (uint8_t)plen;
	if ((rc = mdb_cursor_open(txn, st->pfx, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	/* the last index entry sorting before (addr, plen) */
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	rc = mdb_cursor_get(cur, &k, &v, rc == MDB_SUCCESS ? MDB_PREV : MDB_LAST);
	if (rc == MDB_SUCCESS && k.mv_size == alen + 2u &&
		((uint8_t *)k.mv_data)[0] == key[0] &&
		v.mv_size == REP_PFX_BITMAP) {
		const uint8_t *xaddr = (uint8_t *)k.mv_data + 1;
		memcpy(xb, v.mv_data, sizeof xb);
		for (unsigned l = 0; l < plen; l++)
			if (bit_isset(xb, l) && same_prefix(addr, xaddr, l))
				bits[l >> 3] |= (uint8_t)(1u << (l & 7));
		rc = MDB_SUCCESS;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? REP_OK : store_err(rc);
}

/* lookup_ip - the address or prefix itself, then covering prefixes,
 * longest first */
static int lookup_ip(struct lookup *lk, const struct rep_subject *s)
{
	uint8_t key[REP_KEY_MAX], bits[REP_PFX_BITMAP];
	size_t klen = rep_key_encode(s, key, sizeof key);
	unsigned max = rep_ip_maxlen(s->kind);
	struct rep_subject p = *s;
	int rc;

	if (klen == 0)
		return REP_E_INVAL;
	if ((rc = visit_key(lk, key, klen)) != 0)
		return rc;
	rc = store_covering(lk->st, lk->txn, s->kind, s->addr, s->plen, bits);
	if (rc != REP_OK)
		return rc;
	for (unsigned l = s->plen; l-- > 0;) {
		if (!bit_isset(bits, l))
			continue;
		memcpy(p.addr, s->addr, sizeof p.addr);
		rep_ip_mask(p.addr, max, l);
		p.plen = (uint8_t)l;
		klen = rep_key_encode(&p, key, sizeof key);
		if ((rc = visit_key(lk, key, klen)) != 0)
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

/* rep_lookup - visit the subject's record and every covering one */
int rep_lookup(struct rep_store *st, const struct rep_subject *subject,
	rep_visit_fn fn, void *arg)
{
	struct lookup lk = {.st = st, .fn = fn, .arg = arg};
	int rc;

	if (st == NULL || subject == NULL || fn == NULL)
		return REP_E_INVAL;
	if ((rc = store_read_begin(st, &lk.txn)) != REP_OK)
		return rc;
	if (rep_ip_maxlen(subject->kind))
		rc = lookup_ip(&lk, subject);
	else if (subject->kind == REP_KIND_DOMAIN ||
		 subject->kind == REP_KIND_AUTH)
		rc = lookup_domain(&lk, subject);
	else
		rc = REP_E_INVAL;
	store_read_end(st, lk.txn);
	return rc;
}

/* Score accumulation as a lookup visitor. */
struct check {
	const struct rep_policy *p;
	struct rep_score *sc;
	int64_t now;
};

/* check_visit - add one record to the score */
static int check_visit(const struct rep_subject *s, const struct rep_record *r,
	void *arg)
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

	if ((rc = store_read_begin(st, &lk.txn)) != REP_OK)
		return rc;
	if ((rc = mdb_cursor_open(lk.txn, st->subj, &cur)) != MDB_SUCCESS) {
		store_read_end(st, lk.txn);
		return store_err(rc);
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
	mdb_cursor_close(cur);
	store_read_end(st, lk.txn);
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
int rep_scan(struct rep_store *st, enum rep_kind kind, rep_visit_fn fn,
	void *arg)
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
