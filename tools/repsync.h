/*
 * repsync.h - what the parts of the repsync program share: the run's
 * context, messages, the audit log, partner status files and the
 * commands. Not a library: these live in the program only.
 *
 * ERRORS
 *	Commands return the program's exit status (RS_EXIT_*). Messages go
 *	to stderr prefixed "repsync: "; rs_info is silenced by -q.
 */
#ifndef REPSYNC_REPSYNC_H
#define REPSYNC_REPSYNC_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "feed.h"
#include "reputation.h"
#include "rsconf.h"

enum {
	RS_EXIT_OK = 0,
	RS_EXIT_FAIL = 1, /* a partner failed, a feed was refused */
	RS_EXIT_USAGE = 2,
	RS_EXIT_CONFIG = 78, /* EX_CONFIG */
};

#define RS_REASON_LOCAL_SPAM 1 /* our own observations: spam */
#define RS_REASON_LOCAL_HAM 2  /* our own observations: clean */
#define RS_REASON_PLAIN_LIST 3 /* imported from a partner's plain list */

struct rs_ctx {
	struct rs_conf *conf;
	struct rep_store *st; /* opened by rs_store */
	int verbose, quiet;
	int64_t now;
	FILE *audit; /* opened by rs_audit_open */
	int lock;    /* STATE_DIR/lock, held by rs_lock; -1: not held */
};

#if defined(__GNUC__)
#define RS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RS_PRINTF(a, b)
#endif

void rs_err(const char *fmt, ...) RS_PRINTF(1, 2);
void rs_info(const struct rs_ctx *x, const char *fmt, ...) RS_PRINTF(2, 3);
void rs_debug(const struct rs_ctx *x, const char *fmt, ...) RS_PRINTF(2, 3);

/* rs_fmt - snprintf that says whether the text fit: 0, or -1 when it was
 * cut (paths built from configured directories) */
int rs_fmt(char *buf, size_t len, const char *fmt, ...) RS_PRINTF(3, 4);

/* rs_lock - take STATE_DIR/lock for a run that writes state (publish,
 * pull, quarantine release and discard), so that a manual run and the
 * timer's never interleave; held until the process ends. 0, or -1 with
 * the reason said (another run holds it). */
int rs_lock(struct rs_ctx *x);

/* rs_store - open the store (created if missing, unless readonly) */
int rs_store(struct rs_ctx *x, int readonly);

/* rs_mkdirs - make a directory (mode, when new) and its parents (0755) */
int rs_mkdirs(const char *path, mode_t mode);

/* One audit line: what happened to one file. */
struct rs_audit {
	const char *partner, *file, *kind, *result, *reason;
	uint64_t serial, seq_lo, seq_hi;
	uint64_t records, added, changed, stale, delisted, dropped;
	uint64_t drop[8]; /* by trust verdict, index = verdict */
};

/* rs_audit - append one JSON line to the audit log (opened on first use) */
void rs_audit(struct rs_ctx *x, const struct rs_audit *a);

/* Per partner status, kept in STATE_DIR/partner/NAME.status. */
struct rs_status {
	int64_t last_success, last_failure, last_attempt;
	unsigned failures; /* consecutive */
	char last_error[256];
	char last_hash[FEED_HASH_HEX]; /* plain lists: last applied body */
	int64_t held; /* live entries of the slot after the last apply;
	                 -1: unknown (count them) */
};

int rs_status_load(
        const struct rs_ctx *x, const char *partner, struct rs_status *out);
int rs_status_save(
        const struct rs_ctx *x, const char *partner, const struct rs_status *s);

/* rs_time_text - a time as 2026-11-21T23:00:00Z (UTC), "never" for 0 */
#define RS_TIME_TEXT 32
const char *rs_time_text(int64_t t, char buf[RS_TIME_TEXT]);

/* rs_sha256_hex - the SHA-256 of len bytes, in hex */
void rs_sha256_hex(const void *buf, size_t len, char out[FEED_HASH_HEX]);

/* rs_subject_hash - a 64-bit hash of a subject (sets of subjects) */
uint64_t rs_subject_hash(const struct rep_subject *s);

int cmd_keygen(struct rs_ctx *x, int argc, char **argv);
int cmd_publish(struct rs_ctx *x, int argc, char **argv);
int cmd_pull(struct rs_ctx *x, int argc, char **argv);
int cmd_check(struct rs_ctx *x, int argc, char **argv);
int cmd_status(struct rs_ctx *x, int argc, char **argv);
int cmd_quarantine(struct rs_ctx *x, int argc, char **argv);

#endif /* REPSYNC_REPSYNC_H */
