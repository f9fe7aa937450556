/*
 * rs_pull.h - what the parts of `repsync pull` share: one partner's pull
 * in progress (struct puller) and the steps rs_pull.c (signed feeds),
 * rs_plain.c (plain lists) and rs_quarantine.c (files set aside) take
 * with it. Internal to the repsync program.
 *
 * ERRORS
 *	Steps return 0 or -1; the first failure's text is kept in
 *	puller.why (pl_fail) for the status file, the audit log and stderr.
 */
#ifndef REPSYNC_RS_PULL_H
#define REPSYNC_RS_PULL_H

#include <limits.h>
#include <stdint.h>

#include "fetch.h"
#include "manifest.h"
#include "minisign.h"
#include "repsync.h"
#include "trust.h"

#define SIG_MAX MSIGN_SIG_FILE_MAX

struct puller {
	struct rs_ctx *x;
	const struct rs_partner *p;
	struct msign_pubkey keys[MSIGN_PINNED_MAX];
	size_t nkeys;
	struct trust *trust;
	struct fetch_opts fo;
	char dir[PATH_MAX]; /* STATE_DIR/partner/NAME */
	struct rep_publisher pb;
	char why[512]; /* the failure, for status and the exit message */
	int64_t held;  /* live entries of the slot, -1: unknown */
};

/* A set of subject hashes: the partner's slot as it stands. */
struct hset {
	uint64_t *v;
	size_t cap, n;
	uint16_t pub;
	int failed;
};

/* Records of one file, judged and queued. */
struct load {
	struct rep_batch *b;
	struct feed_header h;
	uint64_t records, dropped, drop[TRUST_VERDICTS];
	struct hset seen; /* hashes of the kept subjects (snapshots) */
	char sha256[FEED_HASH_HEX];
};

/* pl_fail - remember why the partner failed (the first reason wins) */
int pl_fail(struct puller *pl, const char *fmt, ...) RS_PRINTF(2, 3);

/* puller_init - keys, trust rules, transport and directory of a partner */
int puller_init(
        struct puller *pl, struct rs_ctx *x, const struct rs_partner *p);
void puller_free(struct puller *pl);

/* pl_get_url - fetch url into the partner's directory as NAME; `fresh`
 * drops a partial download first (mutable files: a manifest, a list) */
int pl_get_url(struct puller *pl, const char *url, const char *name,
        uint64_t max, uint64_t expect, int fresh, char *path, size_t plen);

/* pl_get - fetch NAME from the partner's URL (a directory) */
int pl_get(struct puller *pl, const char *name, uint64_t max, uint64_t expect,
        int fresh, char *path, size_t plen);

/* pl_queue - a record through the trust rules into the batch */
int pl_queue(struct puller *pl, struct load *ld, const struct feed_record *r,
        int want_hashes);

/* pl_judge - the quarantine heuristics on a parsed file: NULL to apply,
 * else why (in why[len]); heuristics 0 (a release) skips them */
const char *pl_judge(struct puller *pl, const struct manifest_file *f,
        struct load *ld, int heuristics, char *why, size_t len);

/* pl_apply - verify, parse, judge and apply one downloaded feed file */
int pl_apply(struct puller *pl, const struct manifest *m,
        const struct manifest_file *f, const char *path, int heuristics);

/* pl_quarantine - set a file aside for the operator with its reason */
int pl_quarantine(struct puller *pl, const struct manifest *m,
        const struct manifest_file *f, const char *why);

/* pull_plain - a partner that serves a plain list */
int pull_plain(struct puller *pl, int apply);

#endif /* REPSYNC_RS_PULL_H */
