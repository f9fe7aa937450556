/*
 * repctl.h - the operator CLI's internal interfaces, shared by its files:
 * the command context, exit codes, argument helpers (repctl.c), output
 * helpers (repctl_out.c). Import parses plain lists with plainlist.h.
 * Not a library: everything here may print and returns exit codes.
 */
#ifndef REPCTL_H
#define REPCTL_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "reputation.h"

/* Exit codes; part of the interface (repctl(1), EXIT STATUS). */
enum {
	REPCTL_OK = 0,
	REPCTL_NOTFOUND = 1, /* no such subject, override or publisher */
	REPCTL_USAGE = 2,    /* bad arguments or rejected input data */
	REPCTL_STORE = 3,    /* the store cannot be opened, read or written */
};

/* What every command gets: the global options, resolved. */
struct repctl {
	const char *db;   /* store path: --db or the compiled-in default */
	int json;         /* --json */
	int64_t now;      /* time(NULL), or $REPCTL_NOW */
	const char *name; /* command name, for messages */
};

/* Store open modes. */
enum repctl_mode {
	REPCTL_READ = 0,  /* read-only; a missing store is an error */
	REPCTL_WRITE = 1, /* read-write; created if missing */
};

/* The long options every command accepts, besides its own. */
#define REPCTL_COMMON_OPTS                                                     \
	{"db", required_argument, NULL, 'd'},                                  \
	        {"json", no_argument, NULL, 'j'},                              \
	{                                                                      \
		"help", no_argument, NULL, 'h'                                 \
	}
#define REPCTL_COMMON_SHORT ":d:jh"

/*
 * repctl.c: arguments, messages and the store.
 */

/* repctl_usage - print "repctl: MESSAGE" and the --help hint; returns
 * REPCTL_USAGE */
int repctl_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* repctl_error - print "repctl: MESSAGE" on stderr */
void repctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* repctl_opt - handle a global option met among a command's options, or
 * a getopt error; returns 0 if handled, else the exit code */
int repctl_opt(struct repctl *ctx, int c, char **argv);

/* repctl_args - check that exactly `n` operands remain after the
 * options; returns 0 or REPCTL_USAGE */
int repctl_args(const struct repctl *ctx, int argc, char **argv, int n,
        const char *what);

/* repctl_open - open the store for reading or writing; returns 0 or the
 * exit code after printing the error */
int repctl_open(
        const struct repctl *ctx, enum repctl_mode mode, struct rep_store **st);

/* repctl_store_error - report a library error about the store; returns
 * the exit code that fits it */
int repctl_store_error(const struct repctl *ctx, int err);

/* repctl_subject - parse a subject operand; returns 0 or REPCTL_USAGE */
int repctl_subject(const char *text, struct rep_subject *s);

/* repctl_duration - parse "30d", "12h", "90m", "45s", "2w" or plain
 * seconds; returns 0 or REPCTL_USAGE */
int repctl_duration(const char *opt, const char *text, int64_t *out);

/* repctl_number - parse an integer in [min, max]; returns 0 or
 * REPCTL_USAGE */
int repctl_number(
        const char *opt, const char *text, long min, long max, long *out);

/* repctl_publisher - look a publisher up by name; returns 0 or the exit
 * code (REPCTL_USAGE for a bad name, REPCTL_NOTFOUND for an unknown one) */
int repctl_publisher(const struct repctl *ctx, struct rep_store *st,
        const char *name, struct rep_publisher *out);

/* repctl_policy - the scoring policy repctl uses: defaults, and the
 * publishers' weights and caps the store keeps once it is open */
const struct rep_policy *repctl_policy(void);

/*
 * Commands: each takes its own argv (argv[0] is the command name) and
 * returns the exit code.
 */
int repctl_cmd_show(struct repctl *ctx, int argc, char **argv);
int repctl_cmd_list(struct repctl *ctx, int argc, char **argv);
int repctl_cmd_allow(struct repctl *ctx, int argc, char **argv);
int repctl_cmd_deny(struct repctl *ctx, int argc, char **argv);
int repctl_cmd_unset(struct repctl *ctx, int argc, char **argv);
int repctl_cmd_observe(struct repctl *ctx, int argc, char **argv);
int repctl_cmd_import(struct repctl *ctx, int argc, char **argv);
int repctl_cmd_export(struct repctl *ctx, int argc, char **argv);
int repctl_cmd_stats(struct repctl *ctx, int argc, char **argv);
int repctl_cmd_purge(struct repctl *ctx, int argc, char **argv);
int repctl_cmd_compact(struct repctl *ctx, int argc, char **argv);

/*
 * repctl_out.c: text and JSON output.
 */
#define REPCTL_TIME_MAX 32

/* repctl_time - ISO 8601 UTC ("2024-05-01T12:00:00Z"), or `never` for 0 */
const char *repctl_time(int64_t t, const char *never, char *buf, size_t len);

/* repctl_kind_name - "ip4", "ip6", "domain", "auth" */
const char *repctl_kind_name(int kind);

/* repctl_expired - has a slot expiring at `expires` (0: never) expired? */
int repctl_expired(int64_t expires, int64_t now);

/* repctl_action_name - "allow" or "deny" (enum rep_override_action) */
const char *repctl_action_name(int action);

/* repctl_kind_parse - the enum rep_kind of a name, or 0 */
int repctl_kind_parse(const char *name);

/* Publisher names by id, loaded before a scan (a visitor may not call
 * back into the store). */
struct repctl_names {
	char name[REP_PUBLISHERS_MAX][REP_PUBLISHER_MAX + 1];
};

/* repctl_names_load - fill the table from the store */
int repctl_names_load(struct rep_store *st, struct repctl_names *n);

/* repctl_names_get - a publisher's name, or "#ID" if unknown */
const char *repctl_names_get(
        const struct repctl_names *n, uint16_t id, char *buf, size_t len);

/* A streaming JSON writer: commas and nesting are its business. */
#define REPCTL_JSON_DEPTH 8
struct repctl_json {
	FILE *fp;
	int depth;
	int count[REPCTL_JSON_DEPTH]; /* values written at each depth */
	int array[REPCTL_JSON_DEPTH]; /* the container is an array */
	int after_key;                /* a key was written, its value not */
};

void repctl_json_init(struct repctl_json *j, FILE *fp);
/* repctl_json_begin, repctl_json_end - '{' or '[' and its closing pair */
void repctl_json_begin(struct repctl_json *j, int brace);
void repctl_json_end(struct repctl_json *j);
void repctl_json_key(struct repctl_json *j, const char *key);
void repctl_json_str(struct repctl_json *j, const char *s);
void repctl_json_int(struct repctl_json *j, int64_t v);
void repctl_json_num(struct repctl_json *j, double v);
void repctl_json_bool(struct repctl_json *j, int v);
void repctl_json_null(struct repctl_json *j);
void repctl_json_time(struct repctl_json *j, int64_t t);
/* repctl_json_kv_* - a key and its value */
void repctl_json_kv_str(struct repctl_json *j, const char *k, const char *v);
void repctl_json_kv_int(struct repctl_json *j, const char *k, int64_t v);
void repctl_json_kv_num(struct repctl_json *j, const char *k, double v);
void repctl_json_kv_bool(struct repctl_json *j, const char *k, int v);
void repctl_json_kv_time(struct repctl_json *j, const char *k, int64_t t);
void repctl_json_kv_null(struct repctl_json *j, const char *k);


/* repctl_flush - flush stdout; a failed write (full disk, closed pipe) is
 * an error, reported once; returns 0 or REPCTL_STORE */
int repctl_flush(void);

#endif /* REPCTL_H */
