/*
 * rs_plain.c - partners that do not run repmilter: a plain list (rbldnsd
 * zone body or CIDR list, plainlist.h) fetched from its URL, verified
 * against LIST.minisig when keys are pinned, run through the same trust
 * rules and quarantine heuristics, and applied as the partner's whole
 * slot (a snapshot) with one sequence number more each time it changes.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"
#include "plainlist.h"
#include "rs_pull.h"

/* plain_visit - one subject of a plain list as a listing */
struct plain {
	struct puller *pl;
	struct load *ld;
	uint64_t seq;
	int failed;
};

static int plain_visit(const struct rep_subject *s, void *arg)
{
	struct plain *pp = arg;
	const struct rs_partner *p = pp->pl->p;
	struct feed_record r = {.subject = *s,
	        .op = REP_OP_LIST,
	        .category = (uint8_t)p->category,
	        .confidence = (uint8_t)p->confidence,
	        .reason = RS_REASON_PLAIN_LIST,
	        .first_seen = pp->pl->x->now,
	        .last_seen = pp->pl->x->now,
	        .hits = 1,
	        .seq = pp->seq};

	if (pp->ld->records >= p->max_records) {
		pp->failed = 2;
		return 1;
	}
	if (pl_queue(pp->pl, pp->ld, &r, 1) != 0) {
		pp->failed = 1;
		return 1;
	}
	return 0;
}

/* pull_plain - a partner that serves a plain list (rbldnsd, CIDR): the
 * whole list is a snapshot each time, under the same trust rules */
int pull_plain(struct puller *pl, int apply)
{
	const struct rs_partner *p = pl->p;
	struct rs_audit a = {
	        .partner = p->name, .kind = "snapshot", .result = "refused"};
	struct rep_commit_stats cs = {0};
	struct manifest_file f = {.kind = FEED_SNAPSHOT};
	struct rs_status st;
	struct load ld = {0};
	struct plain pp = {.pl = pl, .ld = &ld};
	struct plainlist_error perr = {0};
	char path[PATH_MAX], spath[PATH_MAX], hash[FEED_HASH_HEX];
	char *text = NULL, *sig = NULL, *base;
	size_t len, slen;
	int status = -1;

	/* the URL names the list itself; its signature, if pinned keys
	 * are configured, is the URL with MSIGN_SUFFIX */
	base = strrchr(p->url, '/');
	base = base != NULL && base[1] != '\0' ? base + 1 : "list";
	if (pl_get_url(pl, p->url, "list", (size_t)1 << 30, 0, 1, path,
	            sizeof path) != 0)
		goto audit;
	if (afile_read(path, (size_t)1 << 30, &text, &len) != 0) {
		pl_fail(pl, "%s: %s", path, strerror(errno));
		goto audit;
	}
	if (pl->nkeys > 0) {
		char sname[4096];

		if (rs_fmt(sname, sizeof sname, "%s%s", p->url, MSIGN_SUFFIX) !=
		                0 ||
		        pl_get_url(pl, sname, "list" MSIGN_SUFFIX, SIG_MAX, 0,
		                1, spath, sizeof spath) != 0)
			goto audit;
		if (afile_read(spath, SIG_MAX, &sig, &slen) != 0 ||
		        msign_verify_buf(pl->keys, pl->nkeys, text, len, sig,
		                slen, NULL) != MSIGN_OK) {
			pl_fail(pl, "%s: the signature does not verify", base);
			goto audit;
		}
	}
	rs_sha256_hex(text, len, hash);
	a.file = hash;
	(void)rs_status_load(pl->x, p->name, &st);
	if (strcmp(st.last_hash, hash) == 0 && pl->pb.seq > 0) {
		rs_info(pl->x, "%s: list unchanged", p->name);
		status = 0;
		goto out;
	}
	if (!apply) {
		rs_info(pl->x, "%s: list fetched, %zu bytes", p->name, len);
		status = 0;
		goto out;
	}
	pp.seq = pl->pb.seq + 1;
	f.seq_lo = 1;
	f.seq_hi = pp.seq;
	a.seq_lo = 1;
	a.seq_hi = pp.seq;
	ld.h.epoch = 1;
	ld.h.kind = FEED_SNAPSHOT;
	if (rep_batch_new(&ld.b) != REP_OK ||
	        rep_batch_feed(ld.b, pl->pb.id, 0, p->url) != REP_OK) {
		pl_fail(pl, "out of memory");
		goto audit;
	}
	if (plainlist_parse(text, len,
	            p->format == RS_FORMAT_RBLDNSD ? PLAINLIST_RBLDNSD
	                                           : PLAINLIST_CIDR,
	            NULL, plain_visit, &pp, &perr) != 0 ||
	        pp.failed) {
		if (pp.failed)
			pl_fail(pl, "%s: %s", base,
			        pp.failed == 2
			                ? "over the partner's record budget"
			                : "out of memory");
		else
			pl_fail(pl, "%s line %lu: %s%s%s", base, perr.line,
			        perr.error ? perr.error : "bad line",
			        perr.token[0] ? ": " : "", perr.token);
		goto audit;
	}
	f.records = ld.records;
	{
		const char *verdict;
		char why[256];

		if ((verdict = pl_judge(pl, &f, &ld, 1, why, sizeof why)) !=
		        NULL) {
			/* a plain list has no signed manifest to keep beside
			 * it: it is refused, and judged again next time */
			pl_fail(pl,
			        "%s: not applied: %s (a plain list is not kept "
			        "in quarantine; the next pull judges it again)",
			        base, verdict);
			goto audit;
		}
	}
	if (rep_batch_snapshot(ld.b, pl->pb.id, pp.seq) != REP_OK ||
	        rep_batch_watermark(ld.b, pl->pb.id, 1, pp.seq, 0) != REP_OK ||
	        rep_commit(pl->x->st, ld.b, pl->x->now, &cs) != REP_OK) {
		pl_fail(pl, "%s: applying failed", base);
		goto audit;
	}
	(void)rs_fmt(st.last_hash, sizeof st.last_hash, "%s", hash);
	pl->held = (int64_t)ld.seen.n;
	(void)rs_status_save(pl->x, p->name, &st);
	rs_info(pl->x,
	        "%s: applied list %s: %llu entries, %zu added, %zu "
	        "delisted, %llu dropped",
	        p->name, base, (unsigned long long)ld.records, cs.added,
	        cs.delisted + cs.withdrawn, (unsigned long long)ld.dropped);
	a.result = "applied";
	status = 0;
audit:
	a.reason = status == 0 ? "" : pl->why;
	a.records = ld.records;
	a.added = cs.added;
	a.changed = cs.applied - cs.added - cs.withdrawn;
	a.delisted = cs.delisted + cs.withdrawn;
	a.dropped = ld.dropped;
	for (unsigned i = 0; i < TRUST_VERDICTS && i < 8; i++)
		a.drop[i] = ld.drop[i];
	rs_audit(pl->x, &a);
out:
	rep_batch_free(ld.b);
	free(ld.seen.v);
	free(text);
	free(sig);
	return status;
}
