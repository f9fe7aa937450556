/*
 * rsconf.h - repsync's configuration: the global options and one block
 * of partner.NAME.* options per partner, read from the `key = value`
 * format every program of the project uses (common/cfgfile.h).
 *
 * PURPOSE
 *	rsconf_load fills a struct rs_conf from defaults and a file, and
 *	checks what needs more than one line to judge (a partner without
 *	url, two keys at most, prefixes in range). Lists (never, sentinels,
 *	mail servers, categories, keys) are checked token by token on the
 *	line that holds them and parsed into arrays once the file is read.
 *
 * OWNERSHIP
 *	rsconf_load allocates; rsconf_free releases everything and leaves a
 *	zeroed struct. Nothing else allocates.
 *
 * ERRORS
 *	rsconf_load returns 0, or -1 with every error of the file written to
 *	the caller's buffer as "FILE:LINE: message" lines.
 */
#ifndef REPSYNC_RSCONF_H
#define REPSYNC_RSCONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reputation.h"

#define RS_PARTNERS_MAX 64
#define RS_SUBJECTS_MAX 4096 /* entries of never, sentinels, mail servers */

enum rs_format {
	RS_FORMAT_REPFEED = 1, /* signed feeds with a manifest */
	RS_FORMAT_RBLDNSD = 2, /* an rbldnsd ip4set / ip6tset zone body */
	RS_FORMAT_CIDR = 3,    /* one address or prefix per line */
};

/* A list of subjects parsed from a configuration value. */
struct rs_subjects {
	unsigned n;
	struct rep_subject *s; /* malloc'd */
};

struct rs_partner {
	char name[REP_PUBLISHER_MAX + 1];
	unsigned line; /* first line naming it */
	char *url;
	char *public_key_text; /* one or two paths, as written */
	char *key_path[2];     /* split from public_key_text */
	unsigned nkeys;
	double weight, cap;
	char *categories_text;
	unsigned categories; /* bit 1 << enum rep_category */
	unsigned max_prefix4, max_prefix6;
	unsigned max_records;
	char *tls_cert, *tls_key, *tls_ca;
	char *mail_servers_text;
	struct rs_subjects mail_servers;
	char *format_text;
	int format; /* enum rs_format */
	char *category_text;
	int category; /* plain lists: what their entries are */
	unsigned confidence;
	int enabled;
};

struct rs_conf {
	char *path; /* the file read, or NULL for none */
	char *store, *publisher, *secret_key, *public_key;
	char *publish_dir, *state_dir, *audit_log;
	double publish_min_spam, publish_min_ratio;
	int publish_allow;
	double publish_allow_min_ham;
	unsigned publish_ttl, publish_valid, publish_keep; /* seconds */
	unsigned publish_snapshot; /* a new snapshot once the last is older */
	unsigned max_clock_skew, stale_after; /* seconds */
	unsigned max_seq_jump, quarantine_min_records;
	double max_drop_share, max_change_share;
	char *never_text, *sentinels_text;
	struct rs_subjects never, sentinels;
	unsigned connect_timeout_ms, timeout_ms, retries, backoff_ms;
	unsigned max_feed_mb; /* largest feed file fetched, MB */
	unsigned npartners;
	struct rs_partner partner[RS_PARTNERS_MAX];
};

/* rsconf_load - defaults, then `path` (NULL: none). A missing file is
 * an error unless `optional`. */
int rsconf_load(struct rs_conf *c, const char *path, int optional, char *err,
        size_t errlen);

/* rsconf_free - release what rsconf_load allocated */
void rsconf_free(struct rs_conf *c);

/* rsconf_partner - a partner by name, or NULL */
const struct rs_partner *rsconf_partner(
        const struct rs_conf *c, const char *name);

/* rsconf_print - every option as it would read back (repsync -n) */
void rsconf_print(const struct rs_conf *c, FILE *fp);

/* rsconf_format_name - "repfeed", "rbldnsd", "cidr" */
const char *rsconf_format_name(int format);

#endif /* REPSYNC_RSCONF_H */
