/*
 * rs_publish.c - `repsync publish`: our first-hand slot as signed feeds.
 *
 * What is published is a view of the local slot at `now`: a subject whose
 * decayed spam count and spam share pass the thresholds is listed (and,
 * when publish_allow is on, a clean subject with enough ham is vouched
 * for). Partner slots are never read here, so nothing learned from a
 * partner is published again; an operator's allow keeps a subject out.
 *
 * The memory of what partners were told is a state file in state_dir
 * (`published`): per subject a 64-bit hash, the sequence number it was
 * last published under and a fingerprint of the assertion. A subject
 * whose assertion did not change keeps its sequence number; a changed or
 * new one gets the next; one published before and no longer listed
 * becomes a delist. Those changes are the new delta. A snapshot (the
 * whole view) is written when none is listed, when the last is older
 * than publish_snapshot, or when the deltas since it hold more than half
 * as many records; in between, the manifest lists the snapshot and the
 * chain of deltas after it. The state file is replaced after the
 * manifest; a state that does not match the manifest (a crash between
 * the two, a lost state_dir) starts a new epoch, so partners resync.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "manifest.h"
#include "minisign.h"
#include "repsync.h"

/* One published assertion, compact: a million of them fit in ~80 MB. */
struct pub_ent {
	uint8_t kind, plen, scope, op, category, confidence;
	uint16_t reason;
	uint32_t name; /* offset into the name arena, for names */
	uint32_t hits;
	uint8_t addr[16];
	int64_t first_seen, last_seen, expires;
	uint64_t seq; /* 0 until assigned */
};

struct pub_list {
	struct pub_ent *e;
	size_t n, cap;
	char *names; /* arena of NUL-terminated names */
	size_t nlen, ncap;
};

/* list_add - append one record */
static int list_add(struct pub_list *l, const struct feed_record *r)
{
	struct pub_ent *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		struct pub_ent *t = realloc(l->e, cap * sizeof *t);
		if (t == NULL)
			return -1;
		l->e = t;
		l->cap = cap;
	}
	e = &l->e[l->n];
	memset(e, 0, sizeof *e);
	e->kind = r->subject.kind;
	e->plen = r->subject.plen;
	e->scope = r->subject.scope;
	memcpy(e->addr, r->subject.addr, sizeof e->addr);
	if (r->subject.kind == REP_KIND_DOMAIN ||
	        r->subject.kind == REP_KIND_AUTH) {
		size_t len = strlen(r->subject.name) + 1;

		if (l->nlen + len > l->ncap) {
			size_t cap = l->ncap ? l->ncap * 2 : 65536;
			char *t;

			while (cap < l->nlen + len)
				cap *= 2;
			if (cap > UINT32_MAX ||
			        (t = realloc(l->names, cap)) == NULL)
				return -1;
			l->names = t;
			l->ncap = cap;
		}
		e->name = (uint32_t)l->nlen;
		memcpy(l->names + l->nlen, r->subject.name, len);
		l->nlen += len;
	}
	e->op = r->op;
	e->category = r->category;
	e->confidence = r->confidence;
	e->reason = r->reason;
	e->hits = r->hits;
	e->first_seen = r->first_seen;
	e->last_seen = r->last_seen;
	e->expires = r->expires;
	e->seq = r->seq;
	l->n++;
	return 0;
}

/* list_get - entry i as a feed record */
static void list_get(const struct pub_list *l, size_t i, struct feed_record *r)
{
	const struct pub_ent *e = &l->e[i];

	memset(r, 0, sizeof *r);
	r->subject.kind = e->kind;
	r->subject.plen = e->plen;
	r->subject.scope = e->scope;
	memcpy(r->subject.addr, e->addr, sizeof e->addr);
	if (e->kind == REP_KIND_DOMAIN || e->kind == REP_KIND_AUTH)
		(void)rs_fmt(r->subject.name, sizeof r->subject.name, "%s",
		        l->names + e->name);
	r->op = e->op;
	r->category = e->category;
	r->confidence = e->confidence;
	r->reason = e->reason;
	r->hits = e->hits;
	r->first_seen = e->first_seen;
	r->last_seen = e->last_seen;
	r->expires = e->expires;
	r->seq = e->seq;
}

static void list_free(struct pub_list *l)
{
	free(l->e);
	free(l->names);
	memset(l, 0, sizeof *l);
}

/* What was published, per subject (the state file's entries). */
struct pub_state_ent {
	uint64_t hash; /* rs_subject_hash */
	uint64_t seq;
	uint32_t fp;  /* assertion_fp */
	uint32_t pad; /* zero: the entry is 24 bytes on disk */
};

#define STATE_MAGIC "RSPUB001"
#define STATE_NAME "published"

struct pub_state {
	uint64_t epoch, seq_hi, serial;
	size_t n;
	struct pub_state_ent *e; /* sorted by hash */
};

struct view {
	const struct rs_conf *c;
	int64_t now;
	struct pub_state *old;
	struct pub_list cur;       /* the whole view, in store order */
	struct pub_list gone;      /* delists, in store order */
	struct pub_state_ent *ent; /* hash and fingerprint of each cur
	                              entry, made once by the scan */
	size_t entcap;
	size_t changed; /* cur entries with seq 0: new or changed */
	size_t skipped; /* records the feed cannot carry (bad times) */
	int failed;
};

/* assertion_fp - what partners would notice changing: op, category,
 * confidence in steps of 10, first seen, last seen to the hour */
static uint32_t assertion_fp(const struct feed_record *r)
{
	uint64_t h = 1469598103934665603ull;
	const uint64_t v[5] = {r->op, r->category, r->confidence / 10u,
	        (uint64_t)r->first_seen, (uint64_t)(r->last_seen / 3600)};

	for (size_t i = 0; i < 5; i++)
		h = (h ^ v[i]) * 1099511628211ull;
	return (uint32_t)(h ^ (h >> 32));
}

/* state_find - the entry of a hash, or NULL. The hashes are uniform,
 * so the entry lies near hash / 2^64 * n: search a small window there
 * first (a million lookups would otherwise be twenty cache misses each) */
static struct pub_state_ent *state_find(
        const struct pub_state *st, uint64_t hash)
{
	size_t lo = 0, hi = st->n, guess;

	if (st->n == 0)
		return NULL;
	guess = (size_t)(((unsigned __int128)hash * st->n) >> 64);
	if (guess >= 64 && st->e[guess - 64].hash < hash)
		lo = guess - 64;
	if (guess + 64 < st->n && st->e[guess + 64].hash >= hash)
		hi = guess + 65;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->e[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < st->n && st->e[lo].hash == hash ? &st->e[lo] : NULL;
}

/* state_load - the state file, or an empty state when there is none or
 * it is unreadable (said so: the caller starts a new epoch) */
static void state_load(struct rs_ctx *x, struct pub_state *st)
{
	char path[4096], *buf = NULL;
	size_t len, n;

	memset(st, 0, sizeof *st);
	if (rs_fmt(path, sizeof path, "%s/%s", x->conf->state_dir,
	            STATE_NAME) != 0 ||
	        afile_read(path, (size_t)1 << 31, &buf, &len) != 0) {
		if (errno != ENOENT)
			rs_err("%s: %s", path, strerror(errno));
		return;
	}
	n = len >= 40 ? (len - 40) / sizeof *st->e : 0;
	if (len < 40 || memcmp(buf, STATE_MAGIC, 8) != 0 ||
	        len != 40 + n * sizeof *st->e) {
		rs_err("%s: not a publish state; starting a new epoch", path);
		free(buf);
		return;
	}
	memcpy(&st->epoch, buf + 8, 8);
	memcpy(&st->seq_hi, buf + 16, 8);
	memcpy(&st->serial, buf + 24, 8);
	if ((st->e = malloc(n ? n * sizeof *st->e : 1)) == NULL) {
		free(buf);
		memset(st, 0, sizeof *st);
		return;
	}
	memcpy(st->e, buf + 40, n * sizeof *st->e);
	st->n = n;
	free(buf);
}

static int ent_cmp(const void *a, const void *b)
{
	const struct pub_state_ent *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* state_save - what this run published: the view's entries */
static int state_save(struct rs_ctx *x, const struct view *v, uint64_t epoch,
        uint64_t seq_hi, uint64_t serial)
{
	size_t n = v->cur.n, len = 40 + n * sizeof(struct pub_state_ent);
	char path[4096], *buf = malloc(len);
	struct pub_state_ent *e = (struct pub_state_ent *)(buf + 40);
	int rc;

	if (buf == NULL)
		return -1;
	memcpy(buf, STATE_MAGIC, 8);
	memcpy(buf + 8, &epoch, 8);
	memcpy(buf + 16, &seq_hi, 8);
	memcpy(buf + 24, &serial, 8);
	memcpy(buf + 32, &n, 8);
	for (size_t i = 0; i < n; i++) {
		struct pub_state_ent t = v->ent[i];

		t.seq = v->cur.e[i].seq;
		memcpy(&e[i], &t, sizeof t);
	}
	qsort(e, n, sizeof *e, ent_cmp);
	if (rs_fmt(path, sizeof path, "%s/%s", x->conf->state_dir,
	            STATE_NAME) != 0 ||
	        rs_mkdirs(x->conf->state_dir, 0750) != 0) {
		free(buf);
		return -1;
	}
	rc = afile_put(path, buf, len, 0640, 1);
	free(buf);
	return rc;
}

/* view_of - what we tell partners about a subject, from its local slot:
 * 1 and *out filled, or 0 for nothing */
static int view_of(const struct view *v, const struct rep_subject *s,
        const struct rep_record *rec, struct feed_record *out)
{
	const struct rs_conf *c = v->c;
	double ham, spam, total, ratio, conf;

	if (!(rec->flags & REP_HAS_LOCAL))
		return 0;
	if ((rec->flags & REP_HAS_OVERRIDE) &&
	        rec->override.action == REP_OVERRIDE_ALLOW &&
	        (rec->override.expires == 0 || rec->override.expires > v->now))
		return 0;
	rep_local_decayed(
	        &rec->local, REP_HALF_LIFE_DEFAULT, v->now, &ham, &spam);
	total = ham + spam;
	if (total <= 0)
		return 0;
	ratio = spam / total;
	memset(out, 0, sizeof *out);
	out->subject = *s;
	if (spam >= c->publish_min_spam && ratio >= c->publish_min_ratio) {
		out->op = REP_OP_LIST;
		out->reason = RS_REASON_LOCAL_SPAM;
		conf = 100.0 * ratio * spam / (spam + c->publish_min_spam);
		out->hits = spam >= UINT32_MAX ? UINT32_MAX
		                               : (uint32_t)lround(spam);
	} else if (c->publish_allow && ham >= c->publish_allow_min_ham &&
	           ratio <= 0.01) {
		out->op = REP_OP_ALLOW;
		out->reason = RS_REASON_LOCAL_HAM;
		conf = 100.0 * (1.0 - ratio) * ham /
		       (ham + c->publish_allow_min_ham);
		out->hits =
		        ham >= UINT32_MAX ? UINT32_MAX : (uint32_t)lround(ham);
	} else {
		return 0;
	}
	/* in steps of 5, so that decay alone does not change it nightly */
	out->confidence = (uint8_t)(5 * lround(conf / 5.0));
	if (out->confidence > 100)
		out->confidence = 100;
	out->category = REP_CAT_SPAM;
	out->first_seen = rec->local.first_seen;
	out->last_seen = rec->local.last_seen;
	out->expires = out->last_seen + (int64_t)c->publish_ttl;
	if (out->expires <= v->now)
		return 0;
	return 1;
}

/* times_ok - times the feed can carry (feed.h, VALIDATION); the rest of
 * a record from our own store is canonical by construction, and
 * feed_write checks it all again */
static int times_ok(const struct feed_record *r, int64_t now)
{
	return r->first_seen >= FEED_TIME_MIN &&
	       r->first_seen <= r->last_seen &&
	       r->last_seen <= now + FEED_CLOCK_SKEW &&
	       (r->expires == 0 || (r->expires > r->last_seen &&
	                                   r->expires <= FEED_TIME_MAX));
}

/* view_visit - rep_scan's visitor: the view, and what changed since
 * the state */
static int view_visit(
        const struct rep_subject *s, const struct rep_record *rec, void *arg)
{
	struct view *v = arg;
	uint64_t hash = rs_subject_hash(s);
	const struct pub_state_ent *was = state_find(v->old, hash);
	struct feed_record r;
	uint32_t fp;

	if (!view_of(v, s, rec, &r)) {
		if (was == NULL)
			return 0;
		/* told before, not any more: a delist */
		memset(&r, 0, sizeof r);
		r.subject = *s;
		r.op = REP_OP_DELIST;
		r.category = REP_CAT_SPAM;
		r.reason = RS_REASON_LOCAL_HAM;
		r.first_seen = r.last_seen = v->now;
		if (rec->flags & REP_HAS_LOCAL) {
			r.first_seen = rec->local.first_seen;
			r.last_seen = rec->local.last_seen;
		}
		if (!times_ok(&r, v->now))
			r.first_seen = r.last_seen = v->now;
		if (list_add(&v->gone, &r) != 0)
			goto nomem;
		return 0;
	}
	if (!times_ok(&r, v->now)) {
		v->skipped++;
		return 0;
	}
	fp = assertion_fp(&r);
	r.seq = was != NULL && was->fp == fp ? was->seq : 0;
	if (r.seq == 0)
		v->changed++;
	if (list_add(&v->cur, &r) != 0)
		goto nomem;
	if (v->cur.n > v->entcap) {
		size_t cap = v->entcap ? v->entcap * 2 : 4096;
		struct pub_state_ent *t = realloc(v->ent, cap * sizeof *t);

		if (t == NULL)
			goto nomem;
		v->ent = t;
		v->entcap = cap;
	}
	v->ent[v->cur.n - 1] = (struct pub_state_ent){.hash = hash, .fp = fp};
	return 0;
nomem:
	v->failed = REP_E_NOMEM;
	return 1;
}

struct prev {
	struct manifest m;
	int have;        /* a manifest of ours was found */
	uint64_t seq_hi; /* highest sequence number published */
	const struct manifest_file *snap;
};

/* prev_load - the manifest already in publish_dir, if it is ours */
static int prev_load(struct rs_ctx *x, struct prev *p)
{
	char path[4096], *text = NULL;
	size_t len;
	int rc;

	memset(p, 0, sizeof *p);
	(void)rs_fmt(path, sizeof path, "%s/%s", x->conf->publish_dir,
	        MANIFEST_NAME);
	if (afile_read(path, MANIFEST_BYTES_MAX, &text, &len) != 0) {
		if (errno == ENOENT)
			return 0;
		rs_err("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = manifest_parse(text, len, &p->m, NULL);
	free(text);
	if (rc != MANIFEST_OK) {
		rs_err("%s: %s; starting a new epoch", path,
		        manifest_strerror(rc));
		return 0;
	}
	if (strcmp(p->m.publisher, x->conf->publisher) != 0) {
		rs_err("%s: published as %s, now %s; starting a new epoch",
		        path, p->m.publisher, x->conf->publisher);
		manifest_free(&p->m);
		return 0;
	}
	p->have = 1;
	for (unsigned i = 0; i < p->m.nfiles; i++) {
		const struct manifest_file *f = &p->m.file[i];

		if (f->seq_hi > p->seq_hi)
			p->seq_hi = f->seq_hi;
		if (f->kind == FEED_SNAPSHOT)
			p->snap = f;
	}
	return 0;
}

/* write_feed - one feed file from the entries of a and b with a sequence
 * number in [lo, hi], in store order; signed. */
static int write_feed(struct rs_ctx *x, const struct feed_header *h,
        const struct msign_seckey *sk, const struct pub_list *a,
        const struct pub_list *b, struct manifest_file *out)
{
	struct feed_writer *w;
	struct feed_file ff;
	struct feed_record r;
	size_t i = 0, j = 0;
	char path[4096];
	int rc;

	if ((rc = feed_writer_open(x->conf->publish_dir, h, NULL, &w)) !=
	        FEED_OK) {
		rs_err("%s: %s: %s", x->conf->publish_dir, feed_strerror(rc),
		        strerror(errno));
		return -1;
	}
	while (i < a->n || (b != NULL && j < b->n)) {
		struct feed_record rb;
		int take_a;

		if (i < a->n)
			list_get(a, i, &r);
		if (b != NULL && j < b->n)
			list_get(b, j, &rb);
		take_a = i < a->n &&
		         (b == NULL || j >= b->n ||
		                 rep_subject_cmp(&r.subject, &rb.subject) < 0);
		if (take_a)
			i++;
		else
			r = rb, j++;
		if (r.seq < h->seq_lo || r.seq > h->seq_hi)
			continue;
		rc = feed_write(w, &r);
		if (rc == FEED_E_IO || rc == FEED_E_COMPRESS ||
		        rc == FEED_E_NOMEM || rc == FEED_E_INVAL)
			break;
		if (rc != FEED_OK) { /* this record only: left out, said */
			char text[REP_SUBJECT_TEXT_MAX];

			rep_subject_format(&r.subject, text, sizeof text);
			rs_err("%s left out of the %s: %s", text,
			        feed_kind_name(h->kind), feed_strerror(rc));
			rc = FEED_OK;
		}
	}
	if (rc == FEED_OK)
		rc = feed_writer_finish(w, &ff);
	feed_writer_free(w);
	if (rc != FEED_OK) {
		rs_err("writing a %s: %s", feed_kind_name(h->kind),
		        feed_strerror(rc));
		return -1;
	}
	(void)rs_fmt(path, sizeof path, "%s/%s", x->conf->publish_dir, ff.name);
	if ((rc = msign_sign_file(sk, path, NULL, NULL)) != MSIGN_OK) {
		rs_err("%s: signing: %s", path, msign_strerror(rc));
		return -1;
	}
	memset(out, 0, sizeof *out);
	out->kind = h->kind;
	(void)rs_fmt(out->name, sizeof out->name, "%s", ff.name);
	(void)rs_fmt(out->sha256, sizeof out->sha256, "%s", ff.sha256);
	out->size = ff.size;
	out->seq_lo = h->seq_lo;
	out->seq_hi = h->seq_hi;
	out->records = ff.records;
	rs_info(x, "wrote %s %s: %llu records, %llu bytes",
	        feed_kind_name(h->kind), ff.name,
	        (unsigned long long)ff.records, (unsigned long long)ff.size);
	return 0;
}

/* file_age - seconds since the file at dir/name was modified, or -1 */
static int64_t file_age(const struct rs_ctx *x, const char *name)
{
	char path[4096];
	struct stat sb;

	(void)rs_fmt(path, sizeof path, "%s/%s", x->conf->publish_dir, name);
	if (stat(path, &sb) != 0)
		return -1;
	return x->now - (int64_t)sb.st_mtime;
}

/* listed - is name (a feed file or its signature) in the manifest? */
static int listed(const struct manifest *m, const char *name)
{
	for (unsigned i = 0; i < m->nfiles; i++) {
		size_t n = strlen(m->file[i].name);

		if (strncmp(name, m->file[i].name, n) == 0 &&
		        (name[n] == '\0' ||
		                strcmp(name + n, MSIGN_SUFFIX) == 0))
			return 1;
	}
	return 0;
}

/* prune - remove feed files older than publish_keep that m no longer
 * lists (a partner in the middle of a pull still finds the rest) */
static void prune(struct rs_ctx *x, const struct manifest *m)
{
	DIR *d = opendir(x->conf->publish_dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name, *suf = strstr(n, FEED_SUFFIX);
		char path[4096];

		if (suf == NULL || suf - n != FEED_HASH_HEX - 1 ||
		        listed(m, n) ||
		        file_age(x, n) < (int64_t)x->conf->publish_keep)
			continue;
		(void)rs_fmt(
		        path, sizeof path, "%s/%s", x->conf->publish_dir, n);
		if (unlink(path) == 0)
			rs_debug(x, "removed %s", n);
	}
	closedir(d);
}

/* keep_deltas - the previous manifest's deltas that go on being listed:
 * every one after the snapshot listed (the chain from it), and older ones
 * while younger than publish_keep (receivers in the middle of them) */
static int keep_deltas(struct rs_ctx *x, const struct prev *p, uint64_t snap_hi,
        struct manifest *m, uint64_t *since)
{
	*since = 0;
	if (!p->have)
		return 0;
	for (unsigned i = 0; i < p->m.nfiles; i++) {
		const struct manifest_file *f = &p->m.file[i];
		int64_t age = file_age(x, f->name);

		if (f->kind != FEED_DELTA || age < 0)
			continue;
		if (f->seq_lo > snap_hi)
			*since += f->records;
		else if (age >= (int64_t)x->conf->publish_keep)
			continue;
		if (manifest_add(m, f) != MANIFEST_OK)
			return -1;
	}
	return 0;
}

/* snapshot_due - write a snapshot this time? */
static int snapshot_due(struct rs_ctx *x, const struct prev *p, uint64_t since)
{
	int64_t age;

	if (!p->have || p->snap == NULL)
		return 1;
	age = file_age(x, p->snap->name);
	return age < 0 || age >= (int64_t)x->conf->publish_snapshot ||
	       (since >= 1000 && since > p->snap->records / 2);
}

int cmd_publish(struct rs_ctx *x, int argc, char **argv)
{
	const struct rs_conf *c = x->conf;
	struct pub_state old;
	struct view v = {.c = c, .now = x->now, .old = &old};
	struct msign_seckey *sk = NULL;
	struct manifest m = {0};
	struct manifest_file snapf, deltaf;
	struct prev p;
	uint64_t seq, hi, since = 0, last_serial, last_epoch;
	size_t changes;
	int rc, status = RS_EXIT_FAIL, snap;

	(void)argv;
	if (argc > 1) {
		rs_err("publish takes no arguments");
		return RS_EXIT_USAGE;
	}
	if (c->publisher[0] == '\0') {
		rs_err("%s: publisher is not set: name us before publishing",
		        c->path ? c->path : "configuration");
		return RS_EXIT_CONFIG;
	}
	if ((rc = msign_seckey_load(c->secret_key, &sk)) != MSIGN_OK) {
		rs_err("%s: %s%s", c->secret_key, msign_strerror(rc),
		        rc == MSIGN_E_IO ? " (repsync keygen makes one)" : "");
		return RS_EXIT_FAIL;
	}
	memset(&old, 0, sizeof old);
	memset(&p, 0, sizeof p);
	if (rs_lock(x) != 0)
		goto out;
	if (rs_mkdirs(c->publish_dir, 0755) != 0) {
		rs_err("%s: %s", c->publish_dir, strerror(errno));
		goto out;
	}
	if (rs_store(x, 1) != 0 || prev_load(x, &p) != 0)
		goto out;
	state_load(x, &old);
	last_serial = p.have ? p.m.serial : 0;
	last_epoch = p.have ? p.m.epoch : 0;
	if (old.serial > last_serial)
		last_serial = old.serial;
	if (p.have && (old.epoch != p.m.epoch || old.seq_hi != p.seq_hi ||
	                      old.serial != p.m.serial)) {
		rs_err("%s/%s does not match the manifest; starting a new "
		       "epoch (partners take the new snapshot)",
		        c->state_dir, STATE_NAME);
		manifest_free(&p.m);
		memset(&p, 0, sizeof p);
	}
	if (!p.have) {
		free(old.e);
		memset(&old, 0, sizeof old);
	}
	if ((rc = rep_scan(x->st, 0, view_visit, &v)) != REP_OK || v.failed) {
		rs_err("%s: reading the store: %s", c->store,
		        rep_strerror(v.failed ? v.failed : rc));
		goto out;
	}
	if (v.skipped > 0)
		rs_info(x, "%zu subjects left out: times the feed cannot carry",
		        v.skipped);
	/* sequence numbers: the changes in store order, then the delists */
	seq = p.have ? p.seq_hi : 0;
	for (size_t i = 0; i < v.cur.n; i++)
		if (v.cur.e[i].seq == 0)
			v.cur.e[i].seq = ++seq;
	for (size_t i = 0; i < v.gone.n; i++)
		v.gone.e[i].seq = ++seq;
	hi = seq > 0 ? seq : 1;
	changes = v.changed + v.gone.n;

	m.version = MANIFEST_VERSION;
	(void)rs_fmt(m.publisher, sizeof m.publisher, "%s", c->publisher);
	m.epoch = p.have ? p.m.epoch : (uint64_t)x->now;
	if (!p.have && m.epoch <= last_epoch)
		m.epoch = last_epoch + 1;
	/* a serial grows across epochs and lost directories alike */
	m.serial = last_serial + 1 > (uint64_t)x->now ? last_serial + 1
	                                              : (uint64_t)x->now;
	m.generated = x->now;
	m.valid_until = x->now + (int64_t)c->publish_valid;
	if (keep_deltas(x, &p, p.snap ? p.snap->seq_hi : 0, &m, &since) != 0)
		goto nomem;
	if (changes > 0 && p.have) {
		struct feed_header h = {.kind = FEED_DELTA,
		        .epoch = m.epoch,
		        .seq_lo = p.seq_hi + 1,
		        .seq_hi = hi,
		        .generated = x->now};

		(void)rs_fmt(
		        h.publisher, sizeof h.publisher, "%s", c->publisher);
		if (write_feed(x, &h, sk, &v.cur, &v.gone, &deltaf) != 0)
			goto out;
		if (manifest_add(&m, &deltaf) != MANIFEST_OK)
			goto nomem;
		since += deltaf.records;
	}
	snap = snapshot_due(x, &p, since);
	if (snap) {
		struct feed_header h = {.kind = FEED_SNAPSHOT,
		        .epoch = m.epoch,
		        .seq_lo = 1,
		        .seq_hi = hi,
		        .generated = x->now};
		struct manifest young = {0};

		(void)rs_fmt(
		        h.publisher, sizeof h.publisher, "%s", c->publisher);
		if (write_feed(x, &h, sk, &v.cur, NULL, &snapf) != 0)
			goto out;
		/* the chain before the new snapshot: young deltas only */
		for (unsigned i = 0; i < m.nfiles; i++)
			if (file_age(x, m.file[i].name) <
			                (int64_t)c->publish_keep &&
			        manifest_add(&young, &m.file[i]) != MANIFEST_OK)
				goto nomem;
		young.version = m.version;
		memcpy(young.publisher, m.publisher, sizeof m.publisher);
		young.epoch = m.epoch;
		young.serial = m.serial;
		young.generated = m.generated;
		young.valid_until = m.valid_until;
		manifest_free(&m);
		m = young;
		if (manifest_add(&m, &snapf) != MANIFEST_OK)
			goto nomem;
	} else if (manifest_add(&m, p.snap) != MANIFEST_OK) {
		goto nomem;
	}
	if ((rc = manifest_write(c->publish_dir, &m, sk)) != MANIFEST_OK) {
		rs_err("%s: writing the manifest: %s", c->publish_dir,
		        manifest_strerror(rc));
		goto out;
	}
	if (state_save(x, &v, m.epoch, hi, m.serial) != 0) {
		rs_err("%s/%s: %s (the next publish starts a new epoch)",
		        c->state_dir, STATE_NAME, strerror(errno));
		goto out;
	}
	rs_info(x,
	        "published %s epoch %llu serial %llu: %zu records, %zu "
	        "changed (%zu delisted), sequence %llu%s",
	        c->publisher, (unsigned long long)m.epoch,
	        (unsigned long long)m.serial, v.cur.n, changes, v.gone.n,
	        (unsigned long long)hi, snap ? "" : ", snapshot kept");
	prune(x, &m);
	status = RS_EXIT_OK;
	goto out;
nomem:
	rs_err("out of memory");
out:
	manifest_free(&m);
	manifest_free(&p.m);
	free(old.e);
	free(v.ent);
	list_free(&v.cur);
	list_free(&v.gone);
	msign_seckey_free(sk);
	return status;
}
