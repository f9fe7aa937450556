/*
 * repctl_out.c - output helpers for repctl: times, names and a small
 * streaming JSON writer with its own string escaper (no JSON library is
 * worth a dependency for writing alone).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "repctl.h"

/* repctl_time - ISO 8601 UTC, or `never` for 0 */
const char *repctl_time(int64_t t, const char *never, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0)
		return never;
	if (gmtime_r(&tt, &tm) == NULL ||
	        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
	return buf;
}

static const char *const kind_names[] = {NULL, "ip4", "ip6", "domain", "auth"};

/* repctl_kind_name - the name of a subject kind */
const char *repctl_kind_name(int kind)
{
	if (kind >= REP_KIND_IP4 && kind <= REP_KIND_AUTH)
		return kind_names[kind];
	return "unknown";
}

/* repctl_kind_parse - the kind of a name, or 0 */
int repctl_kind_parse(const char *name)
{
	int k;

	for (k = REP_KIND_IP4; k <= REP_KIND_AUTH; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return 0;
}

/* repctl_expired - has a slot expiring at `expires` (0: never) expired? */
int repctl_expired(int64_t expires, int64_t now)
{
	return expires != 0 && expires <= now;
}

/* repctl_action_name - "allow" or "deny" */
const char *repctl_action_name(int action)
{
	if (action == REP_OVERRIDE_ALLOW)
		return "allow";
	return action == REP_OVERRIDE_DENY ? "deny" : "unknown";
}

/* names_add - rep_publisher_list visitor */
static int names_add(const struct rep_publisher *p, void *arg)
{
	struct repctl_names *n = arg;

	if (p->id < REP_PUBLISHERS_MAX)
		snprintf(n->name[p->id], sizeof(n->name[p->id]), "%s", p->name);
	return 0;
}

/* repctl_names_load - every publisher's name by id */
int repctl_names_load(struct rep_store *st, struct repctl_names *n)
{
	memset(n, 0, sizeof(*n));
	return rep_publisher_list(st, names_add, n);
}

/* repctl_names_get - a name, or "#ID" for an id the table lacks */
const char *repctl_names_get(
        const struct repctl_names *n, uint16_t id, char *buf, size_t len)
{
	if (id < REP_PUBLISHERS_MAX && n->name[id][0] != '\0')
		return n->name[id];
	snprintf(buf, len, "#%u", (unsigned)id);
	return buf;
}

/* repctl_flush - flush stdout and report a failed write once */
int repctl_flush(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		repctl_error("standard output: %s", strerror(errno));
		return REPCTL_STORE;
	}
	return 0;
}

/* repctl_json_init - a writer on fp */
void repctl_json_init(struct repctl_json *j, FILE *fp)
{
	memset(j, 0, sizeof(*j));
	j->fp = fp;
}

/* value_sep - the comma (and, in a top-level array, the newline) before
 * a value */
static void value_sep(struct repctl_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth == 0)
		return;
	if (j->count[j->depth]++ > 0)
		putc(',', j->fp);
	if (j->depth == 1 && j->array[1])
		putc('\n', j->fp);
}

/* value_end - a complete top-level value ends its line */
static void value_end(struct repctl_json *j)
{
	if (j->depth == 0)
		putc('\n', j->fp);
}

/* repctl_json_begin - open an object ('{') or array ('[') */
void repctl_json_begin(struct repctl_json *j, int brace)
{
	value_sep(j);
	putc(brace, j->fp);
	if (j->depth + 1 < REPCTL_JSON_DEPTH) {
		j->depth++;
		j->count[j->depth] = 0;
		j->array[j->depth] = brace == '[';
	}
}

/* repctl_json_end - close the innermost object or array */
void repctl_json_end(struct repctl_json *j)
{
	int array = j->array[j->depth];

	if (array && j->depth == 1 && j->count[1] > 0)
		putc('\n', j->fp);
	putc(array ? ']' : '}', j->fp);
	if (j->depth > 0)
		j->depth--;
	value_end(j);
}

/* repctl_json_key - an object key; its value comes next */
void repctl_json_key(struct repctl_json *j, const char *key)
{
	value_sep(j);
	json_escape(j->fp, key);
	putc(':', j->fp);
	j->after_key = 1;
}

/* repctl_json_str - a string value */
void repctl_json_str(struct repctl_json *j, const char *s)
{
	value_sep(j);
	json_escape(j->fp, s);
	value_end(j);
}

/* repctl_json_int - an integer value */
void repctl_json_int(struct repctl_json *j, int64_t v)
{
	value_sep(j);
	fprintf(j->fp, "%lld", (long long)v);
	value_end(j);
}

/* repctl_json_num - a number; JSON has no NaN or infinity */
void repctl_json_num(struct repctl_json *j, double v)
{
	value_sep(j);
	if (isfinite(v))
		fprintf(j->fp, "%.6g", v);
	else
		fputs("null", j->fp);
	value_end(j);
}

/* repctl_json_bool - true or false */
void repctl_json_bool(struct repctl_json *j, int v)
{
	value_sep(j);
	fputs(v ? "true" : "false", j->fp);
	value_end(j);
}

/* repctl_json_null - null */
void repctl_json_null(struct repctl_json *j)
{
	value_sep(j);
	fputs("null", j->fp);
	value_end(j);
}

/* repctl_json_time - ISO 8601 UTC, or null for 0 (never) */
void repctl_json_time(struct repctl_json *j, int64_t t)
{
	char buf[REPCTL_TIME_MAX];

	if (t == 0)
		repctl_json_null(j);
	else
		repctl_json_str(j, repctl_time(t, "", buf, sizeof(buf)));
}

/* repctl_json_kv_* - a key and its value, for the common cases */
void repctl_json_kv_str(struct repctl_json *j, const char *k, const char *v)
{
	repctl_json_key(j, k);
	repctl_json_str(j, v);
}

void repctl_json_kv_int(struct repctl_json *j, const char *k, int64_t v)
{
	repctl_json_key(j, k);
	repctl_json_int(j, v);
}

void repctl_json_kv_num(struct repctl_json *j, const char *k, double v)
{
	repctl_json_key(j, k);
	repctl_json_num(j, v);
}

void repctl_json_kv_bool(struct repctl_json *j, const char *k, int v)
{
	repctl_json_key(j, k);
	repctl_json_bool(j, v);
}

void repctl_json_kv_time(struct repctl_json *j, const char *k, int64_t t)
{
	repctl_json_key(j, k);
	repctl_json_time(j, t);
}

void repctl_json_kv_null(struct repctl_json *j, const char *k)
{
	repctl_json_key(j, k);
	repctl_json_null(j);
}
