/*
 * repctl.c - the operator's command line tool for the reputation store:
 * global options, command dispatch and the helpers every command shares
 * (argument parsing, messages, opening the store).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "repctl.h"

/* The scoring policy: defaults, then the store's publisher weights. */
static struct rep_policy policy;

struct repctl_command {
	const char *name;
	int (*fn)(struct repctl *, int, char **);
};

static const struct repctl_command commands[] = {
        {"show", repctl_cmd_show},
        {"list", repctl_cmd_list},
        {"allow", repctl_cmd_allow},
        {"deny", repctl_cmd_deny},
        {"unset", repctl_cmd_unset},
        {"observe", repctl_cmd_observe},
        {"import", repctl_cmd_import},
        {"export", repctl_cmd_export},
        {"stats", repctl_cmd_stats},
        {"purge", repctl_cmd_purge},
        {"compact", repctl_cmd_compact},
};

static const char usage_text[] =
        "usage: repctl [--db PATH] [--json] COMMAND [ARGS]\n"
        "\n"
        "commands:\n"
        "  show SUBJECT                 the score and every term behind it\n"
        "  list [--limit N] [--publisher NAME] [--category NAME]\n"
        "                               subjects by score, highest first\n"
        "  allow SUBJECT --reason TEXT [--expires DURATION]\n"
        "  deny SUBJECT --reason TEXT [--expires DURATION]\n"
        "  unset SUBJECT [--reason TEXT] remove the operator override\n"
        "  observe SUBJECT ham|spam [--count N]\n"
        "  import --format rbldnsd|cidr --publisher NAME [--merge] "
        "[--skip-bad]\n"
        "         [--category NAME] [--confidence N] [--expires DURATION] "
        "FILE\n"
        "  export --format rbldnsd|csv|json [--publisher NAME | --local]\n"
        "         [--kind ip4|ip6|domain|auth]\n"
        "  stats                        entries, file and map use, readers\n"
        "  purge [--retention DURATION] drop expired data\n"
        "  compact [--output PATH]      give free pages back to the file\n"
        "                               system (in place: only while no\n"
        "                               other process has the store open)\n"
        "\n"
        "subjects: 192.0.2.1 192.0.2.0/24 2001:db8::/32 example.com\n"
        "          .example.com (and subdomains) *.example.com (subdomains)\n"
        "          auth:example.com (authenticated domain)\n"
        "durations: N[s|m|h|d|w]\n"
        "exit status: 0 ok, 1 not found, 2 usage or bad input, 3 store "
        "error\n";

/* usage - the help text, with the compiled-in store path */
static void usage(FILE *fp)
{
	fputs(usage_text, fp);
	fprintf(fp, "default store: %s\n", rep_default_path());
}

/* repctl_error - print "repctl: MESSAGE" on stderr */
void repctl_error(const char *fmt, ...)
{
	va_list ap;

	fputs("repctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* repctl_usage - a usage error: the message and where to find help */
int repctl_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("repctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'repctl --help'.\n", stderr);
	return REPCTL_USAGE;
}

/* getopt_error - describe what getopt refused. For a long option
 * optopt holds its short value, so the text comes from argv[optind - 1],
 * the argument getopt was looking at */
static int getopt_error(int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	int len = (int)strcspn(arg, "=");

	if (strncmp(arg, "--", 2) != 0) {
		if (c == ':')
			return repctl_usage(
			        "option '-%c' needs an argument", optopt);
		return repctl_usage("unknown option '-%c'", optopt);
	}
	if (c == ':')
		return repctl_usage("option '%s' needs an argument", arg);
	if (arg[len] == '=' && optopt != 0)
		return repctl_usage(
		        "option '%.*s' takes no argument", len, arg);
	return repctl_usage("unknown option '%s'", arg);
}

/* repctl_opt - a global option among a command's options, or an error */
int repctl_opt(struct repctl *ctx, int c, char **argv)
{
	switch (c) {
	case 'd':
		ctx->db = optarg;
		return 0;
	case 'j':
		ctx->json = 1;
		return 0;
	case 'h':
		usage(stdout);
		exit(REPCTL_OK);
	default:
		return getopt_error(c, argv);
	}
}

/* repctl_args - exactly n operands left after the options */
int repctl_args(const struct repctl *ctx, int argc, char **argv, int n,
        const char *what)
{
	if (argc - optind < n)
		return repctl_usage("%s: missing %s", ctx->name, what);
	if (argc - optind > n)
		return repctl_usage("%s: unexpected argument '%s'", ctx->name,
		        argv[optind + n]);
	return 0;
}

/* repctl_store_error - report a store error; a missing record or
 * publisher is "not found", everything else a store error */
int repctl_store_error(const struct repctl *ctx, int err)
{
	if (err == REP_E_NOSTORE) {
		repctl_error("no store at %s", ctx->db);
		return REPCTL_STORE;
	}
	repctl_error("%s: %s", ctx->db, rep_strerror(err));
	return err == REP_E_NOTFOUND ? REPCTL_NOTFOUND : REPCTL_STORE;
}

/* repctl_open - open the store; read commands never create one, so a
 * wrong --db is reported instead of leaving an empty file behind */
int repctl_open(
        const struct repctl *ctx, enum repctl_mode mode, struct rep_store **st)
{
	struct rep_open_opts opts;
	int err;

	memset(&opts, 0, sizeof(opts));
	opts.readonly = mode == REPCTL_READ;
	opts.create = mode == REPCTL_WRITE;
	opts.half_life = repctl_policy()->half_life;
	err = rep_open(ctx->db, &opts, st);
	if (err == REP_OK)
		err = rep_policy_load(&policy, *st, ctx->now);
	if (err != REP_OK) {
		rep_close(*st);
		*st = NULL;
		return repctl_store_error(ctx, err);
	}
	return 0;
}

/* repctl_subject - parse a subject operand */
int repctl_subject(const char *text, struct rep_subject *s)
{
	int err = rep_subject_parse(text, s);

	if (err != REP_OK)
		return repctl_usage("%s: %s", text, rep_strerror(err));
	return 0;
}

/* duration_unit - seconds in a duration unit, or 0 */
static int64_t duration_unit(const char *p)
{
	if (p[0] == '\0')
		return 1;
	if (p[1] != '\0')
		return 0;
	switch (p[0]) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return 7 * 86400;
	default:
		return 0;
	}
}

/* repctl_duration - a positive duration; the cap keeps now + duration
 * far from overflowing and catches typos (a year of seconds in hours) */
int repctl_duration(const char *opt, const char *text, int64_t *out)
{
	const int64_t cap = (int64_t)1000 * 366 * 86400;
	const char *p = text;
	int64_t v = 0, unit;

	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > cap)
			goto bad;
		v = v * 10 + (*p - '0');
	}
	unit = duration_unit(p);
	if (unit == 0 || v == 0 || v > cap / unit)
		goto bad;
	*out = v * unit;
	return 0;
bad:
	return repctl_usage("%s: bad duration '%s' (N[s|m|h|d|w], "
	                    "positive, at most 1000 years)",
	        opt, text);
}

/* repctl_number - a decimal integer in [min, max] */
int repctl_number(
        const char *opt, const char *text, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno != 0 || v < min || v > max ||
	        text[0] == ' ' || text[0] == '+')
		return repctl_usage("%s: '%s' is not a number from %ld to %ld",
		        opt, text, min, max);
	*out = v;
	return 0;
}

/* repctl_publisher - a publisher by name */
int repctl_publisher(const struct repctl *ctx, struct rep_store *st,
        const char *name, struct rep_publisher *out)
{
	int err;

	if (!rep_publisher_valid_name(name))
		return repctl_usage("%s: bad publisher name (1-63 of a-z, "
		                    "0-9, '.', '_', '-', starting with a "
		                    "letter or digit)",
		        name);
	err = rep_publisher_get(st, name, out);
	if (err == REP_E_NOTFOUND) {
		repctl_error("no publisher %s", name);
		return REPCTL_NOTFOUND;
	}
	if (err != REP_OK)
		return repctl_store_error(ctx, err);
	return 0;
}

/* repctl_policy - the default policy, with the publishers' weights and
 * caps the store keeps (repsync writes them) once a store is open */
const struct rep_policy *repctl_policy(void)
{
	return &policy;
}

/* now_init - the current time, or $REPCTL_NOW so that tests can move the
 * clock for decay and expiry */
static int now_init(struct repctl *ctx)
{
	const char *env = getenv("REPCTL_NOW");
	char *end;
	long long v;

	ctx->now = (int64_t)time(NULL);
	if (env == NULL || *env == '\0')
		return 0;
	errno = 0;
	v = strtoll(env, &end, 10);
	if (*end != '\0' || errno != 0 || v < 0)
		return repctl_usage("REPCTL_NOW: '%s' is not seconds since "
		                    "the epoch",
		        env);
	ctx->now = (int64_t)v;
	return 0;
}

/* find_command - the command of that name, or NULL */
static const struct repctl_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* global_options - the options before the command; "+" stops at the
 * command name so that its own options are left to it */
static int global_options(struct repctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        REPCTL_COMMON_OPTS,
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+" REPCTL_COMMON_SHORT "V", opts,
	                NULL)) != -1) {
		if (c == 'V') {
			printf("repctl (%s) %s\n", PACKAGE_NAME,
			        PACKAGE_VERSION);
			exit(REPCTL_OK);
		}
		if ((rc = repctl_opt(ctx, c, argv)) != 0)
			return rc;
	}
	return 0;
}

/* main - global options, then the command */
int main(int argc, char **argv)
{
	struct repctl ctx;
	const struct repctl_command *cmd;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	rep_policy_init(&policy);
	ctx.db = rep_default_path();
	if ((rc = global_options(&ctx, argc, argv)) != 0)
		return rc;
	if (optind >= argc)
		return repctl_usage("no command given");
	if (strcmp(argv[optind], "help") == 0) {
		usage(stdout);
		return REPCTL_OK;
	}
	if ((cmd = find_command(argv[optind])) == NULL)
		return repctl_usage("unknown command '%s'", argv[optind]);
	if ((rc = now_init(&ctx)) != 0)
		return rc;
	ctx.name = cmd->name;
	argc -= optind;
	argv += optind;
	optind = 0; /* GNU getopt: start afresh on the command's argv */
	return cmd->fn(&ctx, argc, argv);
}
