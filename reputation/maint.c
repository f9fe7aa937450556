/*
 * maint.c - maintenance: purging expired data, reporting the store's
 * contents and health, and compaction.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
		rep_local_decayed(
		        &r->local, pg->half_life, pg->now, &ham, &spam);
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
		if (rep_record_decode(v.mv_data, v.mv_size, &pg->rec) !=
		                REP_OK ||
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
static int count_record(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
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

/* free_pages - the pages a compact copy would leave out, in the reader's
 * snapshot: those on LMDB's free list (each record of database 0 is a
 * list of page numbers headed by its length) and those holding the list */
static int free_pages(struct rep_reader *rd, uint64_t *out)
{
	uint64_t n = 0;
	MDB_cursor *cur;
	MDB_stat ms;
	MDB_val k, v;
	int rc;

	*out = 0;
	if ((rc = mdb_stat(rd->txn, 0, &ms)) != MDB_SUCCESS ||
	        (rc = mdb_cursor_open(rd->txn, 0, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	n = ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages;
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		size_t len;
		if (v.mv_size < sizeof len) {
			rc = MDB_CORRUPTED;
			break;
		}
		memcpy(&len, v.mv_data, sizeof len);
		n += len;
	}
	mdb_cursor_close(cur);
	*out = n;
	return rc == MDB_NOTFOUND ? REP_OK : store_err(rc);
}

/* page_figures - map size, pages in use and free, readers. The free list
 * is read in the reader's snapshot and the page count right after it, so
 * a commit in between skews them by its own pages at most. */
static int page_figures(
        struct rep_store *st, struct rep_reader *rd, struct rep_stats *out)
{
	MDB_envinfo info;
	MDB_stat ms;
	uint64_t pages, nfree;
	int rc;

	if ((rc = mdb_env_info(st->env, &info)) != MDB_SUCCESS ||
	        (rc = mdb_env_stat(st->env, &ms)) != MDB_SUCCESS)
		return store_err(rc);
	if ((rc = free_pages(rd, &nfree)) != REP_OK)
		return rc;
	pages = (uint64_t)info.me_last_pgno + 1;
	nfree = nfree < pages ? nfree : pages;
	out->map_size = info.me_mapsize;
	out->map_used = (pages - nfree) * ms.ms_psize;
	out->map_free = nfree * ms.ms_psize;
	out->readers_used = info.me_numreaders;
	out->readers_max = info.me_maxreaders;
	return REP_OK;
}

/* env_figures - sizes, readers and table counts */
static int env_figures(struct rep_store *st, struct rep_stats *out)
{
	MDB_stat ms;
	struct rep_reader *rd;
	const char *path;
	struct stat sb;
	int rc;

	if (mdb_env_get_path(st->env, &path) == MDB_SUCCESS &&
	        stat(path, &sb) == 0)
		out->file_size = (uint64_t)sb.st_size;
	if ((rc = store_read_begin(st, &rd)) != REP_OK)
		return rc;
	rc = page_figures(st, rd, out);
	if (rc == REP_OK)
		rc = store_err(mdb_stat(rd->txn, st->pub, &ms));
	if (rc == REP_OK)
		out->publishers = ms.ms_entries;
	if (rc == REP_OK)
		rc = store_err(mdb_stat(rd->txn, st->feed, &ms));
	if (rc == REP_OK)
		out->feeds = ms.ms_entries;
	store_read_end(st, rd);
	return rc;
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

/* sync_path - flush a file or directory to disk; 0 or -1 */
static int sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -1;
	if (fsync(fd) != 0)
		rc = -1;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

/* sync_dir - flush the directory holding path, so that a name just made
 * in it survives a crash; 0 or -1 */
static int sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	size_t n;

	if (slash == NULL)
		return sync_path(".", O_RDONLY | O_DIRECTORY);
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof dir)
		return -1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return sync_path(dir, O_RDONLY | O_DIRECTORY);
}

/* rep_compact - a compacted copy of the store in a new file */
int rep_compact(struct rep_store *st, const char *path_out)
{
	struct stat sb;
	int rc;

	if (st == NULL || path_out == NULL || *path_out == '\0')
		return REP_E_INVAL;
	/* never touch what is there, not even a dangling link */
	if (lstat(path_out, &sb) == 0)
		return REP_E_INVAL;
	rc = store_copy(st, path_out);
	if (rc == REP_E_INVAL)
		return rc; /* made by someone else meanwhile: not ours */
	if (rc == REP_OK &&
	        (sync_path(path_out, O_RDONLY) != 0 || sync_dir(path_out) != 0))
		rc = REP_E_STORE;
	if (rc != REP_OK)
		unlink(path_out);
	return rc;
}

/* store_busy - has another process the store at path open? LMDB holds a
 * shared lock on the first byte of its lock file while an environment is
 * open, and F_GETLK ignores this process's own locks. Closing the file
 * drops every lock this process holds on it, LMDB's included, so this
 * runs only while the store is closed here. */
static int store_busy(const char *path)
{
	struct flock fl = {.l_type = F_WRLCK,
	        .l_whence = SEEK_SET,
	        .l_start = 0,
	        .l_len = 1};
	char lock[PATH_MAX];
	int fd, n, rc = REP_OK;

	n = snprintf(lock, sizeof lock, "%s-lock", path);
	if (n < 0 || (size_t)n >= sizeof lock)
		return REP_E_INVAL;
	if ((fd = open(lock, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? REP_OK : REP_E_STORE;
	if (fcntl(fd, F_GETLK, &fl) != 0)
		rc = REP_E_STORE;
	else if (fl.l_type != F_UNLCK)
		rc = REP_E_BUSY;
	close(fd);
	return rc;
}

/* keep_owner - give the copy the owner and mode of the file it replaces,
 * so that repmilter's user can still open it */
static int keep_owner(const char *path, const struct stat *was)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return REP_E_STORE;
	if ((sb.st_uid != was->st_uid || sb.st_gid != was->st_gid) &&
	        chown(path, was->st_uid, was->st_gid) != 0)
		return REP_E_STORE;
	return chmod(path, was->st_mode & 07777) == 0 ? REP_OK : REP_E_STORE;
}

/* swap_in - move the compacted copy over the store, if still nobody else
 * has it open */
static int swap_in(const char *tmp, const char *path, const struct stat *was)
{
	int rc = keep_owner(tmp, was);

	if (rc == REP_OK)
		rc = store_busy(path);
	if (rc == REP_OK && rename(tmp, path) != 0)
		rc = REP_E_STORE;
	if (rc != REP_OK) {
		unlink(tmp);
		return rc;
	}
	return sync_dir(path) == 0 ? REP_OK : REP_E_STORE;
}

/* rep_compact_in_place - compact the store file at path */
int rep_compact_in_place(const char *path)
{
	static const struct rep_open_opts ro = {.readonly = 1};
	struct rep_store *st;
	char tmp[PATH_MAX];
	struct stat was;
	int n, rc;

	if (path == NULL || *path == '\0')
		return REP_E_INVAL;
	n = snprintf(tmp, sizeof tmp, "%s.compact.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof tmp)
		return REP_E_INVAL;
	if (stat(path, &was) != 0)
		return REP_E_NOSTORE;
	if ((rc = store_busy(path)) != REP_OK)
		return rc;
	if ((rc = rep_open(path, &ro, &st)) != REP_OK)
		return rc;
	rc = rep_compact(st, tmp);
	rep_close(st);
	return rc == REP_OK ? swap_in(tmp, path, &was) : rc;
}
