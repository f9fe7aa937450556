/*
 * rs_pull.c - `repsync pull` and `check`: partners' feeds
 * fetched, verified, judged and applied.
 *
 * Per partner: the manifest and its signature are fetched and verified
 * against the pinned keys; its serial may not go back (replay), its
 * valid_until may not have passed (a frozen feed) and its generation
 * time may not lie ahead of our clock by more than max_clock_skew. The
 * manifest's plan (manifest_plan) says which files continue our
 * watermark. Each file is fetched, its signature, size and hash checked,
 * parsed whole, every record run through the trust rules, the whole file
 * judged by the quarantine heuristics, and only then applied with its
 * watermark in one commit. A failure anywhere leaves the watermark where
 * it was and is written to the audit log; the next file is not tried
 * (it would not continue the watermark), the next partner is.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "rs_pull.h"

/* pl_fail - remember why the partner failed (the first reason wins) */
int pl_fail(struct puller *pl, const char *fmt, ...)
{
	va_list ap;

	if (pl->why[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(pl->why, sizeof pl->why, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* puller_init - keys, trust rules, transport and directory of a partner */
int puller_init(struct puller *pl, struct rs_ctx *x, const struct rs_partner *p)
{
	const struct rs_conf *c = x->conf;
	int rc;

	memset(pl, 0, sizeof *pl);
	pl->held = -1;
	pl->x = x;
	pl->p = p;
	for (unsigned i = 0; i < p->nkeys; i++) {
		if ((rc = msign_pubkey_load(p->key_path[i], &pl->keys[i])) !=
		        MSIGN_OK)
			return pl_fail(pl, "%s: %s", p->key_path[i],
			        msign_strerror(rc));
		pl->nkeys++;
	}
	if (trust_new(&pl->trust) != 0 ||
	        trust_set_categories(pl->trust, p->categories) != 0 ||
	        trust_set_max_prefix(
	                pl->trust, p->max_prefix4, p->max_prefix6) != 0)
		return pl_fail(pl, "setting up the trust rules");
	for (unsigned i = 0; i < c->never.n; i++)
		if (trust_add_never(pl->trust, &c->never.s[i]) != 0)
			return pl_fail(pl, "out of memory");
	for (unsigned k = 0; k < c->npartners; k++)
		for (unsigned i = 0; i < c->partner[k].mail_servers.n; i++)
			if (trust_add_never(pl->trust,
			            &c->partner[k].mail_servers.s[i]) != 0)
				return pl_fail(pl, "out of memory");
	for (unsigned i = 0; i < c->sentinels.n; i++)
		if (trust_add_sentinel(pl->trust, &c->sentinels.s[i]) != 0)
			return pl_fail(pl, "out of memory");
	pl->fo.tls_cert = p->tls_cert[0] ? p->tls_cert : NULL;
	pl->fo.tls_key = p->tls_key[0] ? p->tls_key : NULL;
	pl->fo.tls_ca = p->tls_ca[0] ? p->tls_ca : NULL;
	pl->fo.connect_timeout_ms = c->connect_timeout_ms;
	pl->fo.timeout_ms = c->timeout_ms;
	pl->fo.retries = c->retries;
	pl->fo.backoff_ms = c->backoff_ms;
	(void)rs_fmt(pl->dir, sizeof pl->dir, "%s/partner/%s", c->state_dir,
	        p->name);
	if (rs_mkdirs(pl->dir, 0750) != 0)
		return pl_fail(pl, "%s: %s", pl->dir, strerror(errno));
	return 0;
}

void puller_free(struct puller *pl)
{
	trust_free(pl->trust);
	pl->trust = NULL;
}

/* pl_get_url - fetch url into the partner's directory as NAME; `fresh`
 * drops a partial download first (mutable files: a manifest, a list) */
int pl_get_url(struct puller *pl, const char *url, const char *name,
        uint64_t max, uint64_t expect, int fresh, char *path, size_t plen)
{
	struct fetch_result res;
	char part[PATH_MAX + 8];
	int rc;

	if (rs_fmt(path, plen, "%s/%s", pl->dir, name) != 0)
		return pl_fail(pl, "%s: path too long", name);
	if (fresh) {
		(void)rs_fmt(part, sizeof part, "%s.part", path);
		(void)unlink(part);
	}
	rc = fetch_to_file(url, path, max, expect, &pl->fo, &res);
	if (rc != FETCH_OK)
		return pl_fail(
		        pl, "%s", res.why[0] ? res.why : fetch_strerror(rc));
	rs_debug(pl->x, "%s: fetched %s (%llu bytes%s)", pl->p->name, name,
	        (unsigned long long)res.bytes, res.resumed ? ", resumed" : "");
	return 0;
}

/* pl_get - fetch NAME from the partner's URL (a directory) */
int pl_get(struct puller *pl, const char *name, uint64_t max, uint64_t expect,
        int fresh, char *path, size_t plen)
{
	char url[4096];

	if (fetch_url_join(pl->p->url, name, url, sizeof url) != 0)
		return pl_fail(pl, "%s: URL too long", name);
	return pl_get_url(pl, url, name, max, expect, fresh, path, plen);
}

/* get_manifest - fetch, verify and parse the partner's manifest */
static int get_manifest(struct puller *pl, struct manifest *m)
{
	char mpath[PATH_MAX], spath[PATH_MAX], *text = NULL, *sig = NULL;
	size_t tlen, slen;
	unsigned line = 0;
	int rc;

	if (pl_get(pl, MANIFEST_NAME, MANIFEST_BYTES_MAX, 0, 1, mpath,
	            sizeof mpath) != 0 ||
	        pl_get(pl, MANIFEST_NAME MSIGN_SUFFIX, SIG_MAX, 0, 1, spath,
	                sizeof spath) != 0)
		return -1;
	if (afile_read(mpath, MANIFEST_BYTES_MAX, &text, &tlen) != 0 ||
	        afile_read(spath, SIG_MAX, &sig, &slen) != 0) {
		free(text);
		return pl_fail(pl, "reading the manifest: %s", strerror(errno));
	}
	rc = manifest_verify_parse(
	        text, tlen, sig, slen, pl->keys, pl->nkeys, m, &line);
	free(text);
	free(sig);
	if (rc != MANIFEST_OK) {
		if (line > 0)
			return pl_fail(pl, "manifest line %u: %s", line,
			        manifest_strerror(rc));
		return pl_fail(pl, "manifest: %s", manifest_strerror(rc));
	}
	return 0;
}

/* judge_manifest - publisher, replay, expiry and clock checks */
static int judge_manifest(struct puller *pl, const struct manifest *m)
{
	const struct rs_conf *c = pl->x->conf;
	int64_t now = pl->x->now;

	if (strcmp(m->publisher, pl->p->name) != 0)
		return pl_fail(pl, "the manifest is %s's, not %s's",
		        m->publisher, pl->p->name);
	if (m->serial < pl->pb.serial)
		return pl_fail(pl,
		        "manifest serial %llu is below %llu, the last seen: a "
		        "replayed manifest",
		        (unsigned long long)m->serial,
		        (unsigned long long)pl->pb.serial);
	if (m->valid_until < now)
		return pl_fail(pl,
		        "manifest serial %llu expired %lld s ago: the feed is "
		        "frozen",
		        (unsigned long long)m->serial,
		        (long long)(now - m->valid_until));
	if (m->generated > now + (int64_t)c->max_clock_skew)
		return pl_fail(pl,
		        "manifest generated %lld s in our future (the "
		        "tolerance is %u s): check both clocks",
		        (long long)(m->generated - now), c->max_clock_skew);
	return 0;
}

static int hset_add(struct hset *h, uint64_t k)
{
	if (k == 0)
		k = 1;
	if ((h->n + 1) * 2 > h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		uint64_t *v = calloc(cap, sizeof *v);

		if (v == NULL)
			return -1;
		for (size_t i = 0; i < h->cap; i++) {
			size_t j;

			if (h->v[i] == 0)
				continue;
			for (j = h->v[i] & (cap - 1); v[j] != 0;
			        j = (j + 1) & (cap - 1))
				;
			v[j] = h->v[i];
		}
		free(h->v);
		h->v = v;
		h->cap = cap;
	}
	for (size_t j = k & (h->cap - 1);; j = (j + 1) & (h->cap - 1)) {
		if (h->v[j] == k)
			return 0;
		if (h->v[j] == 0) {
			h->v[j] = k;
			h->n++;
			return 0;
		}
	}
}

static int hset_has(const struct hset *h, uint64_t k)
{
	if (k == 0)
		k = 1;
	if (h->cap == 0)
		return 0;
	for (size_t j = k & (h->cap - 1);; j = (j + 1) & (h->cap - 1)) {
		if (h->v[j] == k)
			return 1;
		if (h->v[j] == 0)
			return 0;
	}
}

/* slot_visit - collect the subjects the partner's slot lists or allows */
static int slot_visit(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	struct hset *h = arg;

	for (unsigned i = 0; i < r->npartners; i++)
		if (r->partner[i].publisher == h->pub &&
		        r->partner[i].op != REP_OP_DELIST &&
		        hset_add(h, rs_subject_hash(s)) != 0) {
			h->failed = 1;
			return 1;
		}
	return 0;
}

/* pl_queue - a judged record into the batch */
int pl_queue(struct puller *pl, struct load *ld, const struct feed_record *r,
        int want_hashes)
{
	struct rep_partner p = {0};
	enum trust_verdict v = trust_check(pl->trust, r);

	ld->records++;
	if (v != TRUST_OK) {
		ld->drop[v]++;
		if (v != TRUST_SENTINEL)
			ld->dropped++;
		return 0;
	}
	p.publisher = pl->pb.id;
	p.op = r->op;
	p.category = r->category;
	p.confidence = r->confidence;
	p.reason = r->reason;
	p.first_seen = r->first_seen;
	p.last_seen = r->last_seen;
	p.expires = r->expires;
	p.hits = r->hits;
	p.seq = r->seq;
	p.feed = REP_FEED_THIS;
	if (rep_batch_partner(ld->b, &r->subject, &p) != REP_OK)
		return -1;
	if (want_hashes && r->op != REP_OP_DELIST &&
	        hset_add(&ld->seen, rs_subject_hash(&r->subject)) != 0)
		return -1;
	return 0;
}

/* read_feed - parse a downloaded feed whole into ld; checks the header
 * against the manifest's entry */
static int read_feed(struct puller *pl, const char *path,
        const struct manifest *m, const struct manifest_file *f,
        struct load *ld)
{
	struct feed_limits lim = {.max_records = pl->p->max_records + 1ull};
	struct feed_reader *r;
	struct feed_record rec;
	uint64_t line;
	unsigned field;
	int rc;

	if (feed_reader_open(path, &lim, &r) != FEED_OK)
		return pl_fail(pl, "%s: %s", f->name, strerror(errno));
	if ((rc = feed_reader_header(r, &ld->h)) != FEED_OK)
		goto bad;
	if (ld->h.kind != f->kind || ld->h.epoch != m->epoch ||
	        ld->h.seq_lo != f->seq_lo || ld->h.seq_hi != f->seq_hi ||
	        strcmp(ld->h.publisher, m->publisher) != 0) {
		feed_reader_close(r);
		return pl_fail(pl,
		        "%s: its header does not match the manifest (kind, "
		        "publisher, epoch or sequence range)",
		        f->name);
	}
	while ((rc = feed_reader_next(r, &rec)) == 1)
		if (pl_queue(pl, ld, &rec, f->kind == FEED_SNAPSHOT) != 0) {
			feed_reader_close(r);
			return pl_fail(pl, "out of memory");
		}
	if (rc != 0)
		goto bad;
	feed_reader_sha256(r, ld->sha256);
	feed_reader_close(r);
	if (strcmp(ld->sha256, f->sha256) != 0)
		return pl_fail(pl, "%s: hash %s differs from the manifest's",
		        f->name, ld->sha256);
	if (ld->records != f->records)
		return pl_fail(pl, "%s: %llu records, the manifest says %llu",
		        f->name, (unsigned long long)ld->records,
		        (unsigned long long)f->records);
	return 0;
bad:
	feed_reader_where(r, &line, &field);
	feed_reader_close(r);
	if (rc == FEED_E_LIMIT)
		return pl_fail(pl, "%s: more than the %u records allowed",
		        f->name, pl->p->max_records);
	return pl_fail(pl, "%s: line %llu field %u: %s", f->name,
	        (unsigned long long)line, field, feed_strerror(rc));
}

/* pl_judge - the quarantine heuristics on a parsed file; NULL to apply */
const char *pl_judge(struct puller *pl, const struct manifest_file *f,
        struct load *ld, int heuristics, char *why, size_t len)
{
	const struct rs_conf *c = pl->x->conf;
	/* a publisher's sequence grows with time: the jump allowed is per
	 * day since our watermark last moved */
	int64_t days = pl->pb.updated > 0
	                       ? (pl->x->now - pl->pb.updated + 86399) / 86400
	                       : 1;
	struct trust_limits lim = {
	        .max_seq_jump =
	                c->max_seq_jump * (uint64_t)(days > 1 ? days : 1),
	        .max_drop_share = c->max_drop_share,
	        .max_change_share = c->max_change_share,
	        .min_records = c->quarantine_min_records,
	        .max_records = pl->p->max_records};
	struct trust_feed_stats fs = {.snapshot = f->kind == FEED_SNAPSHOT,
	        .wm_seq = pl->pb.epoch == ld->h.epoch ? pl->pb.seq : 0,
	        .seq_hi = f->seq_hi,
	        .records = ld->records - ld->dropped,
	        .added = ld->records - ld->dropped,
	        .sentinels = (unsigned)ld->drop[TRUST_SENTINEL]};
	struct hset held = {.pub = pl->pb.id};
	const char *r;

	if (ld->drop[TRUST_SENTINEL] > 0) {
		(void)rs_fmt(why, len, "lists %llu sentinel subject%s",
		        (unsigned long long)ld->drop[TRUST_SENTINEL],
		        ld->drop[TRUST_SENTINEL] == 1 ? "" : "s");
		return why;
	}
	if (!heuristics)
		return NULL;
	/* the slot as it stands: needed for the shares, once a slot is big
	 * enough for them to apply (a first sync cannot drop anything) */
	if (!fs.snapshot && pl->held >= 0) {
		/* a delta: the count kept since the last apply will do */
		fs.held = (uint64_t)pl->held;
	} else if (pl->pb.seq > 0 || pl->pb.epoch > 0) {
		if (rep_scan(pl->x->st, 0, slot_visit, &held) != REP_OK ||
		        held.failed) {
			free(held.v);
			(void)rs_fmt(
			        why, len, "cannot read our store to judge it");
			return why;
		}
		fs.held = held.n;
		pl->held = (int64_t)held.n;
		if (fs.snapshot) {
			uint64_t kept = 0, fresh = 0;

			for (size_t i = 0; i < ld->seen.cap; i++) {
				if (ld->seen.v[i] == 0)
					continue;
				if (hset_has(&held, ld->seen.v[i]))
					kept++;
				else
					fresh++;
			}
			fs.removed = held.n - kept;
			fs.added = fresh;
		}
	}
	free(held.v);
	r = trust_judge(&lim, &fs, why, len);
	return r;
}

/* pl_apply - one verified, parsed, judged file into the store */
int pl_apply(struct puller *pl, const struct manifest *m,
        const struct manifest_file *f, const char *path, int heuristics)
{
	struct rs_audit a = {.partner = pl->p->name,
	        .file = f->name,
	        .kind = feed_kind_name(f->kind),
	        .serial = m->serial,
	        .seq_lo = f->seq_lo,
	        .seq_hi = f->seq_hi};
	struct rep_commit_stats cs = {0};
	struct load ld = {0};
	char why[256], spath[PATH_MAX];
	const char *verdict;
	int rc, status = -1;

	(void)rs_fmt(spath, sizeof spath, "%s%s", path, MSIGN_SUFFIX);
	if ((rc = msign_verify_file_any(
	             pl->keys, pl->nkeys, path, spath, NULL)) != MSIGN_OK) {
		pl_fail(pl, "%s: signature: %s", f->name, msign_strerror(rc));
		goto audit;
	}
	if (rep_batch_new(&ld.b) != REP_OK ||
	        rep_batch_feed(ld.b, pl->pb.id, m->serial, f->name) != REP_OK) {
		pl_fail(pl, "out of memory");
		goto audit;
	}
	if (read_feed(pl, path, m, f, &ld) != 0)
		goto audit;
	if ((verdict = pl_judge(pl, f, &ld, heuristics, why, sizeof why)) !=
	        NULL) {
		a.result = "quarantined";
		a.reason = verdict;
		if (pl_quarantine(pl, m, f, verdict) == 0)
			pl_fail(pl, "%s quarantined: %s", f->name, verdict);
		goto audit_counts;
	}
	if ((f->kind == FEED_SNAPSHOT &&
	            rep_batch_snapshot(ld.b, pl->pb.id, f->seq_hi) != REP_OK) ||
	        rep_batch_watermark(ld.b, pl->pb.id, m->epoch, f->seq_hi,
	                m->serial) != REP_OK) {
		pl_fail(pl, "out of memory");
		goto audit_counts;
	}
	if ((rc = rep_commit(pl->x->st, ld.b, pl->x->now, &cs)) != REP_OK) {
		pl_fail(pl, "%s: applying: %s", f->name, rep_strerror(rc));
		goto audit_counts;
	}
	pl->pb.epoch = m->epoch;
	pl->pb.seq = f->seq_hi;
	pl->pb.serial = m->serial;
	if (f->kind == FEED_SNAPSHOT)
		pl->held = (int64_t)ld.seen.n;
	else if (pl->held >= 0)
		pl->held += (int64_t)cs.added - (int64_t)cs.withdrawn;
	a.result = "applied";
	status = 0;
	rs_info(pl->x,
	        "%s: applied %s %s (sequence %llu-%llu): %llu records, %zu "
	        "added, %zu changed, %zu delisted, %zu stale, %llu dropped",
	        pl->p->name, feed_kind_name(f->kind), f->name,
	        (unsigned long long)f->seq_lo, (unsigned long long)f->seq_hi,
	        (unsigned long long)ld.records, cs.added,
	        cs.applied - cs.added - cs.withdrawn,
	        cs.delisted + cs.withdrawn, cs.stale,
	        (unsigned long long)ld.dropped);
	(void)unlink(path);
	(void)unlink(spath);
audit_counts:
	a.records = ld.records;
	a.added = cs.added;
	a.changed = cs.applied - cs.added - cs.withdrawn;
	a.stale = cs.stale;
	a.delisted = cs.delisted + cs.withdrawn;
	a.dropped = ld.dropped;
	for (unsigned i = 0; i < TRUST_VERDICTS && i < 8; i++)
		a.drop[i] = ld.drop[i];
audit:
	if (a.result == NULL) {
		a.result = "refused";
		a.reason = pl->why;
	}
	rs_audit(pl->x, &a);
	rep_batch_free(ld.b);
	free(ld.seen.v);
	return status;
}

/* pull_repfeed - one partner that publishes signed feeds */
static int pull_repfeed(struct puller *pl, int apply)
{
	struct manifest m = {0};
	struct manifest_plan *plan = NULL;
	int rc, status = -1;

	if (get_manifest(pl, &m) != 0)
		goto audit_manifest;
	if (judge_manifest(pl, &m) != 0)
		goto audit_manifest;
	if (!apply) {
		rs_info(pl->x,
		        "%s: manifest serial %llu verified, %u files, valid "
		        "for "
		        "%lld s more",
		        pl->p->name, (unsigned long long)m.serial, m.nfiles,
		        (long long)(m.valid_until - pl->x->now));
		status = 0;
		goto out;
	}
	if ((plan = malloc(sizeof *plan)) == NULL) {
		pl_fail(pl, "out of memory");
		goto out;
	}
	if ((rc = manifest_plan(&m, pl->pb.epoch, pl->pb.seq, plan)) !=
	        MANIFEST_OK) {
		pl_fail(pl, "the manifest offers no way from sequence %llu: %s",
		        (unsigned long long)pl->pb.seq, manifest_strerror(rc));
		goto audit_manifest;
	}
	for (unsigned i = 0; i < plan->n; i++) {
		const struct manifest_file *f = &m.file[plan->idx[i]];
		char path[PATH_MAX], spath[PATH_MAX], sname[FEED_NAME_MAX + 8];

		(void)rs_fmt(
		        sname, sizeof sname, "%s%s", f->name, MSIGN_SUFFIX);
		if (f->size > (uint64_t)pl->x->conf->max_feed_mb << 20)
			pl_fail(pl,
			        "%s: %llu bytes, more than max_feed_mb (%u MB)",
			        f->name, (unsigned long long)f->size,
			        pl->x->conf->max_feed_mb);
		if (pl->why[0] != '\0' ||
		        pl_get(pl, f->name, f->size, f->size, 0, path,
		                sizeof path) != 0 ||
		        pl_get(pl, sname, SIG_MAX, 0, 1, spath, sizeof spath) !=
		                0) {
			struct rs_audit a = {.partner = pl->p->name,
			        .file = f->name,
			        .kind = feed_kind_name(f->kind),
			        .serial = m.serial,
			        .seq_lo = f->seq_lo,
			        .seq_hi = f->seq_hi,
			        .result = "refused",
			        .reason = pl->why};
			rs_audit(pl->x, &a);
			goto out;
		}
		if (pl_apply(pl, &m, f, path, 1) != 0)
			goto out;
	}
	if (plan->n == 0 && m.serial != pl->pb.serial) {
		/* nothing new, but remember the serial against replays */
		struct rep_batch *b = NULL;

		if (rep_batch_new(&b) != REP_OK ||
		        rep_batch_watermark(b, pl->pb.id, pl->pb.epoch,
		                pl->pb.seq, m.serial) != REP_OK ||
		        rep_commit(pl->x->st, b, pl->x->now, NULL) != REP_OK) {
			rep_batch_free(b);
			pl_fail(pl, "recording manifest serial %llu failed",
			        (unsigned long long)m.serial);
			goto out;
		}
		rep_batch_free(b);
	}
	if (plan->n == 0)
		rs_info(pl->x, "%s: up to date (serial %llu, sequence %llu)",
		        pl->p->name, (unsigned long long)m.serial,
		        (unsigned long long)pl->pb.seq);
	status = 0;
	goto out;
audit_manifest : {
	struct rs_audit a = {.partner = pl->p->name,
	        .file = MANIFEST_NAME,
	        .kind = "manifest",
	        .serial = m.serial,
	        .result = "refused",
	        .reason = pl->why};
	rs_audit(pl->x, &a);
}
out:
	free(plan);
	manifest_free(&m);
	return status;
}

/* pull_one - one partner, start to end, with its status file */
static int pull_one(struct rs_ctx *x, const struct rs_partner *p, int apply)
{
	struct puller pl;
	struct rs_status st;
	uint16_t id;
	int rc = -1;

	(void)rs_status_load(x, p->name, &st);
	st.last_attempt = x->now;
	if (puller_init(&pl, x, p) == 0) {
		pl.held = st.held;
		if ((rc = rep_publisher_ensure(x->st, p->name, &id)) !=
		                REP_OK ||
		        (rc = rep_publisher_weigh(x->st, p->name, p->weight,
		                 p->cap, (double)x->conf->stale_after)) !=
		                REP_OK ||
		        (rc = rep_publisher_by_id(x->st, id, &pl.pb)) !=
		                REP_OK) {
			pl_fail(&pl, "%s: %s", x->conf->store,
			        rep_strerror(rc));
			rc = -1;
		} else {
			rc = p->format == RS_FORMAT_REPFEED
			             ? pull_repfeed(&pl, apply)
			             : pull_plain(&pl, apply);
		}
	}
	(void)rs_status_load(x, p->name, &st); /* pull_plain may save */
	st.last_attempt = x->now;
	st.held = pl.held;
	if (rc == 0) {
		st.last_success = x->now;
		st.failures = 0;
	} else {
		st.last_failure = x->now;
		st.failures++;
		(void)rs_fmt(st.last_error, sizeof st.last_error, "%s", pl.why);
		rs_err("%s: %s", p->name, pl.why);
	}
	if (apply && rs_status_save(x, p->name, &st) != 0)
		rs_err("%s: saving its status: %s", p->name, strerror(errno));
	puller_free(&pl);
	return rc;
}

/* pull_all - the named partners (all enabled ones when none is named) */
static int pull_all(struct rs_ctx *x, int argc, char **argv, int apply)
{
	const struct rs_conf *c = x->conf;
	int failed = 0, done = 0;

	for (int i = 1; i < argc; i++)
		if (rsconf_partner(c, argv[i]) == NULL) {
			rs_err("no partner %s in %s", argv[i],
			        c->path ? c->path : "the configuration");
			return RS_EXIT_USAGE;
		}
	if ((apply && rs_lock(x) != 0) || rs_store(x, 0) != 0)
		return RS_EXIT_FAIL;
	for (unsigned i = 0; i < c->npartners; i++) {
		const struct rs_partner *p = &c->partner[i];
		int wanted = argc <= 1 && p->enabled;

		for (int k = 1; k < argc; k++)
			wanted |= strcmp(argv[k], p->name) == 0;
		if (!wanted)
			continue;
		done++;
		if (pull_one(x, p, apply) != 0)
			failed++;
	}
	if (done == 0)
		rs_info(x, "no partners to pull");
	return failed ? RS_EXIT_FAIL : RS_EXIT_OK;
}

int cmd_pull(struct rs_ctx *x, int argc, char **argv)
{
	return pull_all(x, argc, argv, 1);
}

int cmd_check(struct rs_ctx *x, int argc, char **argv)
{
	return pull_all(x, argc, argv, 0);
}
