/*
 * maint.c - maintenance: purging expired data and reporting the store's
 * contents and health.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"

struct purge {
	int64_t now, retention;
	double half_life, min_count;
	struct rep_purge_stats stats;
	struct rep_record rec;
};

/* partner_gone - the slot is expired, or a tombstone past retention */
static int partner_gone(const struct purge *pg, const struct rep_partner *p)
{
	if (p->expires != 0 && pg->now >= p->expires)
		return 1;
	/* in double: a slot's last_seen may be any int64 */
	return p->op == REP_OP_DELIST &&
	       (double)pg->now - (double)p->last_seen >= (double)pg->retention;
}

/* purge_record - drop what has expired from one record; returns whether
 * anything changed, counting what went */
static int purge_record(struct purge *pg, struct rep_record *r)
{
	unsigned kept = 0, before = r->npartners;
	int changed = 0;

	if ((r->flags & REP_HAS_OVERRIDE) && r->override.expires != 0 &&
		pg->now >= r->override.expires) {
		r->flags &= ~(unsigned)REP_HAS_OVERRIDE;
		pg->stats.overrides++;
		changed = 1;
	}
	if (r->flags & REP_HAS_LOCAL) {
		double ham, spam;
		rep_local_decayed(&r->local, pg->half_life, pg->now, &ham, &spam);
		if (ham + spam < pg->min_count) {
			r->flags &= ~(unsigned)REP_HAS_LOCAL;
			pg->stats.locals++;
			changed = 1;
		}
	}
	for (unsigned i = 0; i < before; i++) {
		if (!partner_gone(pg, &r->partner[i])) {
			r->partner[kept++] = r->partner[i];
			continue;
		}
		if (r->partner[i].op == REP_OP_DELIST)
			pg->stats.tombstones++;
		else
			pg->stats.partners++;
	}
	r->npartners = kept;
	return changed || kept != before;
}

/* purge_txn - find the records to change, then change them */
static int purge_txn(struct rep_store *st, MDB_txn *txn, void *arg)
{
	struct purge *pg = arg;
	struct keylist kl = {0};
	MDB_cursor *cur;
	MDB_val k, v;
	size_t off = 0;
	int rc;

	memset(&pg->stats, 0, sizeof pg->stats);
	if ((rc = mdb_cursor_open(txn, st->subj, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (rep_record_decode(v.mv_data, v.mv_size, &pg->rec) != REP_OK ||
			!purge_record(pg, &pg->rec))
			continue;
		if (keylist_add(&kl, k.mv_data, k.mv_size) != REP_OK) {
			rc = ENOMEM;
			break;
		}
	}
	mdb_cursor_close(cur);
	rc = rc == MDB_NOTFOUND ? REP_OK : store_err(rc);
	memset(&pg->stats, 0, sizeof pg->stats);
	while (rc == REP_OK && off < kl.len) {
		const uint8_t *key = kl.buf + off + 2;
		size_t klen = (size_t)kl.buf[off] << 8 | kl.buf[off + 1];
		rc = store_get_record(st, txn, key, klen, &pg->rec);
		if (rc == REP_OK && purge_record(pg, &pg->rec)) {
			pg->stats.records += rep_record_empty(&pg->rec);
			rc = store_put_record(st, txn, key, klen, &pg->rec, 1);
		}
		off += 2 + klen;
	}
	free(kl.buf);
	return rc;
}

/* rep_purge - drop expired data and records left empty */
int rep_purge(struct rep_store *st, int64_t now, int64_t retention,
	double half_life, double min_count, struct rep_purge_stats *stats)
{
	struct purge *pg;
	int rc;

	if (st == NULL || retention < 0 || min_count < 0)
		return REP_E_INVAL;
	if ((pg = calloc(1, sizeof *pg)) == NULL)
		return REP_E_NOMEM;
	pg->now = now;
	pg->retention = retention;
	pg->half_life = half_life;
	pg->min_count = min_count;
	rc = store_write(st, purge_txn, pg);
	if (rc == REP_OK && stats)
		*stats = pg->stats;
	free(pg);
	return rc;
}

/* count_record - tally one record into the stats */
static int count_record(const struct rep_subject *s, const struct rep_record *r,
	void *arg)
{
	struct rep_stats *out = arg;

	if (s->kind < sizeof out->records / sizeof out->records[0])
		out->records[s->kind]++;
	out->with_local += (r->flags & REP_HAS_LOCAL) != 0;
	out->with_override += (r->flags & REP_HAS_OVERRIDE) != 0;
	for (unsigned i = 0; i < r->npartners; i++) {
		if (r->partner[i].op == REP_OP_DELIST)
			out->tombstones++;
		else
			out->partner_slots++;
	}
	return 0;
}

/* env_figures - sizes, readers and table counts */
static int env_figures(struct rep_store *st, struct rep_stats *out)
{
	MDB_envinfo info;
	MDB_stat ms;
	MDB_txn *txn;
	const char *path;
	struct stat sb;
	int rc;

	if ((rc = mdb_env_info(st->env, &info)) != MDB_SUCCESS ||
		(rc = mdb_env_stat(st->env, &ms)) != MDB_SUCCESS)
		return store_err(rc);
	out->map_size = info.me_mapsize;
	out->map_used = (uint64_t)(info.me_last_pgno + 1) * ms.ms_psize;
	out->readers_used = info.me_numreaders;
	out->readers_max = info.me_maxreaders;
	if (mdb_env_get_path(st->env, &path) == MDB_SUCCESS &&
		stat(path, &sb) == 0)
		out->file_size = (uint64_t)sb.st_size;
	if ((rc = store_read_begin(st, &txn)) != REP_OK)
		return rc;
	if ((rc = mdb_stat(txn, st->pub, &ms)) == MDB_SUCCESS)
		out->publishers = ms.ms_entries;
	if (rc == MDB_SUCCESS && (rc = mdb_stat(txn, st->feed, &ms)) == MDB_SUCCESS)
		out->feeds = ms.ms_entries;
	store_read_end(st, txn);
	return store_err(rc);
}

/* rep_stats - counts by kind and slot, sizes, readers */
int rep_stats(struct rep_store *st, struct rep_stats *out)
{
	struct rep_stats s;
	int rc;

	if (st == NULL || out == NULL)
		return REP_E_INVAL;
	memset(&s, 0, sizeof s);
	if ((rc = rep_scan(st, 0, count_record, &s)) != REP_OK)
		return rc;
	if ((rc = env_figures(st, &s)) != REP_OK)
		return rc;
	*out = s;
	return REP_OK;
}
