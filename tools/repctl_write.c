/*
 * repctl_write.c - the commands that change one subject: allow, deny and
 * unset (the operator override) and observe (local counts).
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repctl.h"

/* commit_one - apply a batch of one write; returns 0 or the exit code */
static int commit_one(
        const struct repctl *ctx, struct rep_store *st, struct rep_batch *b)
{
	struct rep_commit_stats cs;
	int err;

	if ((err = rep_commit(st, b, ctx->now, &cs)) != REP_OK)
		return repctl_store_error(ctx, err);
	return 0;
}

/* override_who - who sets the override: the user behind sudo if any, so
 * that "root" does not hide which operator it was */
static void override_who(char *buf, size_t len)
{
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw;

	if (sudo != NULL && *sudo != '\0')
		snprintf(buf, len, "%s", sudo);
	else if ((pw = getpwuid(geteuid())) != NULL)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "uid %lu", (unsigned long)geteuid());
}

/* override_apply - write the override (NULL: remove it) */
static int override_apply(const struct repctl *ctx, struct rep_store *st,
        const struct rep_subject *s, const struct rep_override *ov)
{
	struct rep_batch *b = NULL;
	int err, rc;

	if ((err = rep_batch_new(&b)) != REP_OK ||
	        (err = rep_batch_override(b, s, ov)) != REP_OK)
		rc = repctl_store_error(ctx, err);
	else
		rc = commit_one(ctx, st, b);
	rep_batch_free(b);
	return rc;
}

/* override_print - confirm what was set */
static void override_print(
        const struct rep_subject *s, const struct rep_override *ov)
{
	char subj[REP_SUBJECT_TEXT_MAX], t[REPCTL_TIME_MAX];

	rep_subject_format(s, subj, sizeof(subj));
	printf("%s %s by %s, expires %s, reason ",
	        repctl_action_name(ov->action), subj, ov->who,
	        repctl_time(ov->expires, "never", t, sizeof(t)));
	json_escape(stdout, ov->reason);
	putchar('\n');
}

/* override_opts - the options of allow, deny and unset */
static int override_opts(struct repctl *ctx, int argc, char **argv,
        const char **reason, int64_t *ttl)
{
	static const struct option opts[] = {
	        REPCTL_COMMON_OPTS,
	        {"reason", required_argument, NULL, 'r'},
	        {"expires", required_argument, NULL, 'e'},
	        {NULL, 0, NULL, 0},
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, REPCTL_COMMON_SHORT, opts, NULL)) !=
	        -1) {
		rc = 0;
		if (c == 'r')
			*reason = optarg;
		else if (c == 'e')
			rc = repctl_duration("--expires", optarg, ttl);
		else
			rc = repctl_opt(ctx, c, argv);
		if (rc != 0)
			return rc;
	}
	if (*reason != NULL && strlen(*reason) >= REP_REASON_MAX)
		return repctl_usage("%s: --reason is longer than %d bytes",
		        ctx->name, REP_REASON_MAX - 1);
	return repctl_args(ctx, argc, argv, 1, "SUBJECT");
}

/* override_set - allow or deny SUBJECT --reason TEXT [--expires D] */
static int override_set(struct repctl *ctx, int argc, char **argv, int action)
{
	struct rep_store *st = NULL;
	struct rep_override ov;
	struct rep_subject s;
	const char *reason = NULL;
	int64_t ttl = 0;
	int rc;

	if ((rc = override_opts(ctx, argc, argv, &reason, &ttl)) != 0)
		return rc;
	if (reason == NULL || *reason == '\0')
		return repctl_usage("%s: --reason is required", ctx->name);
	if ((rc = repctl_subject(argv[optind], &s)) != 0)
		return rc;
	memset(&ov, 0, sizeof(ov));
	ov.action = (uint8_t)action;
	ov.when = ctx->now;
	ov.expires = ttl ? ctx->now + ttl : 0;
	override_who(ov.who, sizeof(ov.who));
	snprintf(ov.reason, sizeof(ov.reason), "%s", reason);
	if ((rc = repctl_open(ctx, REPCTL_WRITE, &st)) != 0)
		return rc;
	rc = override_apply(ctx, st, &s, &ov);
	rep_close(st);
	if (rc != 0)
		return rc;
	override_print(&s, &ov);
	return repctl_flush();
}

/* repctl_cmd_allow - allow SUBJECT --reason TEXT [--expires DURATION] */
int repctl_cmd_allow(struct repctl *ctx, int argc, char **argv)
{
	return override_set(ctx, argc, argv, REP_OVERRIDE_ALLOW);
}

/* repctl_cmd_deny - deny SUBJECT --reason TEXT [--expires DURATION] */
int repctl_cmd_deny(struct repctl *ctx, int argc, char **argv)
{
	return override_set(ctx, argc, argv, REP_OVERRIDE_DENY);
}

/* unset_apply - remove the subject's own override, if it has one */
static int unset_apply(const struct repctl *ctx, struct rep_store *st,
        const struct rep_subject *s, const char *text)
{
	struct rep_record rec;
	int err;

	err = rep_get(st, s, &rec);
	if (err != REP_OK && err != REP_E_NOTFOUND)
		return repctl_store_error(ctx, err);
	if (err == REP_E_NOTFOUND || !(rec.flags & REP_HAS_OVERRIDE)) {
		repctl_error("no override on %s", text);
		return REPCTL_NOTFOUND;
	}
	return override_apply(ctx, st, s, NULL);
}

/* repctl_cmd_unset - unset SUBJECT [--reason TEXT]: the reason is only
 * echoed, since a removed override leaves nothing to keep it in */
int repctl_cmd_unset(struct repctl *ctx, int argc, char **argv)
{
	struct rep_store *st = NULL;
	struct rep_subject s;
	const char *reason = NULL;
	int64_t ttl = 0;
	int rc;

	if ((rc = override_opts(ctx, argc, argv, &reason, &ttl)) != 0)
		return rc;
	if (ttl != 0)
		return repctl_usage("unset: --expires is for allow and deny");
	if ((rc = repctl_subject(argv[optind], &s)) != 0 ||
	        (rc = repctl_open(ctx, REPCTL_WRITE, &st)) != 0)
		return rc;
	rc = unset_apply(ctx, st, &s, argv[optind]);
	rep_close(st);
	if (rc != 0)
		return rc;
	printf("unset %s", argv[optind]);
	if (reason != NULL) {
		fputs(", reason ", stdout);
		json_escape(stdout, reason);
	}
	putchar('\n');
	return repctl_flush();
}

/* observe_opts - the options of observe */
static int observe_opts(struct repctl *ctx, int argc, char **argv, long *count)
{
	static const struct option opts[] = {
	        REPCTL_COMMON_OPTS,
	        {"count", required_argument, NULL, 'c'},
	        {NULL, 0, NULL, 0},
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, REPCTL_COMMON_SHORT, opts, NULL)) !=
	        -1) {
		if (c == 'c')
			rc = repctl_number(
			        "--count", optarg, 1, 1000000, count);
		else
			rc = repctl_opt(ctx, c, argv);
		if (rc != 0)
			return rc;
	}
	return repctl_args(ctx, argc, argv, 2, "SUBJECT and ham|spam");
}

/* repctl_cmd_observe - observe SUBJECT ham|spam [--count N] */
int repctl_cmd_observe(struct repctl *ctx, int argc, char **argv)
{
	struct rep_store *st = NULL;
	struct rep_batch *b = NULL;
	struct rep_subject s;
	const char *what;
	long count = 1;
	int spam, err, rc;

	if ((rc = observe_opts(ctx, argc, argv, &count)) != 0)
		return rc;
	what = argv[optind + 1];
	if (strcmp(what, "ham") != 0 && strcmp(what, "spam") != 0)
		return repctl_usage(
		        "observe: '%s' is neither ham nor spam", what);
	spam = strcmp(what, "spam") == 0;
	if ((rc = repctl_subject(argv[optind], &s)) != 0)
		return rc;
	if ((rc = repctl_open(ctx, REPCTL_WRITE, &st)) != 0)
		return rc;
	if ((err = rep_batch_new(&b)) != REP_OK ||
	        (err = rep_batch_observe(b, &s, spam ? 0 : count,
	                 spam ? count : 0, ctx->now)) != REP_OK)
		rc = repctl_store_error(ctx, err);
	else
		rc = commit_one(ctx, st, b);
	rep_batch_free(b);
	rep_close(st);
	if (rc == 0) {
		printf("observed %s: %s +%ld\n", argv[optind], what, count);
		rc = repctl_flush();
	}
	return rc;
}
