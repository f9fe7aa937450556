/*
 * rsconf.c - repsync's configuration (rsconf.h). Global keys are rows of
 * one table; `partner.NAME.KEY` lines go to the partner NAME through a
 * second table, so both kinds get the same typed parsing and errors.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cfgfile.h"
#include "minisign.h"
#include "rsconf.h"

#ifndef REP_LOCALSTATEDIR
#define REP_LOCALSTATEDIR "/var"
#endif

#define BLANKS " \t,"
#define DAY 86400.0

/* check_path - an absolute path */
static int check_path(const char *v, char *why, size_t len)
{
	if (v[0] != '/') {
		snprintf(why, len, "\"%.200s\" is not an absolute path", v);
		return -1;
	}
	return 0;
}

/* check_path_or_empty - an absolute path, or nothing */
static int check_path_or_empty(const char *v, char *why, size_t len)
{
	return v[0] == '\0' ? 0 : check_path(v, why, len);
}

/* check_publisher - empty (not publishing) or a publisher name */
static int check_publisher(const char *v, char *why, size_t len)
{
	if (v[0] == '\0' || rep_publisher_valid_name(v))
		return 0;
	snprintf(why, len,
	        "\"%.80s\" is not a publisher name (1-63 of a-z 0-9 . _ -, "
	        "starting with a letter or digit)",
	        v);
	return -1;
}

/* next_token - the next blank- or comma-separated token of *p */
static size_t next_token(const char **p, const char **tok)
{
	size_t n;

	*p += strspn(*p, BLANKS);
	*tok = *p;
	n = strcspn(*p, BLANKS);
	*p += n;
	return n;
}

/* parse_subjects - every token a subject in canonical form; out may be
 * NULL (checking only) */
static int parse_subjects(
        const char *v, struct rs_subjects *out, char *why, size_t len)
{
	struct rep_subject *s = NULL;
	const char *p = v, *tok;
	unsigned n = 0;
	size_t tl;

	while ((tl = next_token(&p, &tok)) > 0) {
		char buf[REP_SUBJECT_TEXT_MAX];
		struct rep_subject sub;
		int rc;

		if (tl >= sizeof buf) {
			snprintf(why, len, "\"%.40s...\" is too long", tok);
			goto fail;
		}
		memcpy(buf, tok, tl);
		buf[tl] = '\0';
		if ((rc = rep_subject_parse(buf, &sub)) != REP_OK) {
			snprintf(why, len, "\"%s\": %s", buf, rep_strerror(rc));
			goto fail;
		}
		if (n == RS_SUBJECTS_MAX) {
			snprintf(why, len, "more than %d entries",
			        RS_SUBJECTS_MAX);
			goto fail;
		}
		if (out != NULL) {
			struct rep_subject *t = realloc(s, (n + 1) * sizeof *s);
			if (t == NULL) {
				snprintf(why, len, "out of memory");
				goto fail;
			}
			s = t;
			s[n] = sub;
		}
		n++;
	}
	if (out != NULL) {
		out->s = s;
		out->n = n;
	}
	return 0;
fail:
	free(s);
	return -1;
}

/* check_subjects - a list of subjects */
static int check_subjects(const char *v, char *why, size_t len)
{
	return parse_subjects(v, NULL, why, len);
}

/* parse_categories - a mask of category names; empty or "all": every one */
static int parse_categories(
        const char *v, unsigned *mask, char *why, size_t len)
{
	const char *p = v, *tok;
	unsigned m = 0;
	size_t tl;

	while ((tl = next_token(&p, &tok)) > 0) {
		char buf[32];
		int cat;

		if (tl == 3 && strncmp(tok, "all", 3) == 0) {
			m |= ((1u << (REP_CAT_MAX + 1)) - 2);
			continue;
		}
		if (tl >= sizeof buf ||
		        (memcpy(buf, tok, tl), buf[tl] = '\0',
		                (cat = rep_category_parse(buf)) < 0)) {
			snprintf(why, len,
			        "\"%.*s\" is not a category (spam, bot, "
			        "botnet-cc, phish, malware, snowshoe, abuse, "
			        "other, all)",
			        (int)(tl > 40 ? 40 : tl), tok);
			return -1;
		}
		m |= 1u << cat;
	}
	if (mask != NULL)
		*mask = m != 0 ? m : ((1u << (REP_CAT_MAX + 1)) - 2);
	return 0;
}

static int check_categories(const char *v, char *why, size_t len)
{
	return parse_categories(v, NULL, why, len);
}

/* check_category - one category name */
static int check_category(const char *v, char *why, size_t len)
{
	if (rep_category_parse(v) >= 0)
		return 0;
	snprintf(why, len, "\"%.40s\" is not a category", v);
	return -1;
}

/* format_parse - the name of a partner's format */
static int format_parse(const char *v)
{
	if (strcmp(v, "repfeed") == 0)
		return RS_FORMAT_REPFEED;
	if (strcmp(v, "rbldnsd") == 0)
		return RS_FORMAT_RBLDNSD;
	if (strcmp(v, "cidr") == 0)
		return RS_FORMAT_CIDR;
	return -1;
}

static int check_format(const char *v, char *why, size_t len)
{
	if (format_parse(v) > 0)
		return 0;
	snprintf(why, len, "\"%.40s\" is not repfeed, rbldnsd or cidr", v);
	return -1;
}

const char *rsconf_format_name(int format)
{
	switch (format) {
	case RS_FORMAT_REPFEED:
		return "repfeed";
	case RS_FORMAT_RBLDNSD:
		return "rbldnsd";
	case RS_FORMAT_CIDR:
		return "cidr";
	default:
		return "unknown";
	}
}

/* check_keys - one or two absolute paths */
static int check_keys(const char *v, char *why, size_t len)
{
	const char *p = v, *tok;
	unsigned n = 0;
	size_t tl;

	while ((tl = next_token(&p, &tok)) > 0) {
		if (++n > MSIGN_PINNED_MAX) {
			snprintf(why, len,
			        "at most two keys (the current one and the "
			        "next, during a rotation)");
			return -1;
		}
		if (tok[0] != '/') {
			snprintf(why, len, "\"%.*s\" is not an absolute path",
			        (int)(tl > 200 ? 200 : tl), tok);
			return -1;
		}
	}
	return 0;
}

/* check_url - https:// or file://, with something after it */
static int check_url(const char *v, char *why, size_t len)
{
	if (v[0] == '\0' ||
	        (strncmp(v, "https://", 8) == 0 && v[8] != '\0' &&
	                v[8] != '/') ||
	        (strncmp(v, "file:///", 8) == 0))
		return 0;
	snprintf(why, len,
	        "\"%.200s\" is neither https://HOST/PATH nor file:///PATH", v);
	return -1;
}

#define OFF(f) offsetof(struct rs_conf, f)
#define POFF(f) offsetof(struct rs_partner, f)
#define ROW_STR(n, d, off, chk)                                                \
	{                                                                      \
		.name = n, .type = CFGFILE_STRING, .def = d, .offset = off,    \
		.check = chk                                                   \
	}
#define ROW_NUM(n, t, d, lo, hi, off)                                          \
	{                                                                      \
		.name = n, .type = t, .def = d, .min = lo, .max = hi,          \
		.offset = off                                                  \
	}
#define SEC CFGFILE_SECONDS
#define MS CFGFILE_MILLIS

/* The global options, in the order -n prints them; repsync(8) argues the
 * defaults. */
static const struct cfgfile_option global_table[] = {
        ROW_STR("store", REP_DEFAULT_STORE, OFF(store), check_path),
        ROW_STR("publisher", "", OFF(publisher), check_publisher),
        ROW_STR("secret_key", REP_SYSCONFDIR "/repsync.key", OFF(secret_key),
                check_path),
        ROW_STR("public_key", REP_SYSCONFDIR "/repsync.pub", OFF(public_key),
                check_path),
        ROW_STR("publish_dir", REP_LOCALSTATEDIR "/lib/repmilter/feed",
                OFF(publish_dir), check_path),
        ROW_STR("state_dir", REP_LOCALSTATEDIR "/lib/repmilter/repsync",
                OFF(state_dir), check_path),
        ROW_STR("audit_log", "", OFF(audit_log), check_path_or_empty),
        ROW_NUM("publish_min_spam", CFGFILE_DOUBLE, "5", 0.001, 1e9,
                OFF(publish_min_spam)),
        ROW_NUM("publish_min_ratio", CFGFILE_DOUBLE, "0.8", 0, 1,
                OFF(publish_min_ratio)),
        ROW_NUM("publish_allow", CFGFILE_BOOL, "no", 0, 1, OFF(publish_allow)),
        ROW_NUM("publish_allow_min_ham", CFGFILE_DOUBLE, "50", 1, 1e9,
                OFF(publish_allow_min_ham)),
        ROW_NUM("publish_ttl", SEC, "7d", 3600, 365 * DAY, OFF(publish_ttl)),
        ROW_NUM("publish_valid", SEC, "3d", 3600, 90 * DAY, OFF(publish_valid)),
        ROW_NUM("publish_keep", SEC, "14d", 3600, 365 * DAY, OFF(publish_keep)),
        ROW_NUM("publish_snapshot", SEC, "20h", 0, 365 * DAY,
                OFF(publish_snapshot)),
        ROW_NUM("max_clock_skew", SEC, "1h", 0, 7 * DAY, OFF(max_clock_skew)),
        ROW_NUM("max_seq_jump", CFGFILE_UINT, "5000000", 1, 4e9,
                OFF(max_seq_jump)),
        ROW_NUM("max_drop_share", CFGFILE_DOUBLE, "0.5", 0, 1,
                OFF(max_drop_share)),
        ROW_NUM("max_change_share", CFGFILE_DOUBLE, "0.5", 0, 1,
                OFF(max_change_share)),
        ROW_NUM("quarantine_min_records", CFGFILE_UINT, "1000", 0, 4e9,
                OFF(quarantine_min_records)),
        ROW_NUM("stale_after", SEC, "7d", 3600, 365 * DAY, OFF(stale_after)),
        ROW_STR("never", "", OFF(never_text), check_subjects),
        ROW_STR("sentinels", "", OFF(sentinels_text), check_subjects),
        ROW_NUM("connect_timeout", MS, "10s", 100, 600000,
                OFF(connect_timeout_ms)),
        ROW_NUM("timeout", MS, "5m", 1000, 86400000, OFF(timeout_ms)),
        ROW_NUM("retries", CFGFILE_UINT, "2", 0, 10, OFF(retries)),
        ROW_NUM("max_feed_mb", CFGFILE_UINT, "1024", 1, 65536,
                OFF(max_feed_mb)),
        ROW_NUM("backoff", MS, "2s", 1, 600000, OFF(backoff_ms)),
};
#define GLOBAL_N (sizeof global_table / sizeof global_table[0])

/* partner.NAME.KEY, KEY being a row of this table */
static const struct cfgfile_option partner_table[] = {
        ROW_STR("url", "", POFF(url), check_url),
        ROW_STR("public_key", "", POFF(public_key_text), check_keys),
        ROW_NUM("weight", CFGFILE_DOUBLE, "1", 0, 100, POFF(weight)),
        ROW_NUM("cap", CFGFILE_DOUBLE, "5", 0, 1000, POFF(cap)),
        ROW_STR("categories", "all", POFF(categories_text), check_categories),
        ROW_NUM("max_prefix4", CFGFILE_UINT, "24", 8, 32, POFF(max_prefix4)),
        ROW_NUM("max_prefix6", CFGFILE_UINT, "48", 16, 128, POFF(max_prefix6)),
        ROW_NUM("max_records", CFGFILE_UINT, "5000000", 1, 4e9,
                POFF(max_records)),
        ROW_STR("tls_cert", "", POFF(tls_cert), check_path_or_empty),
        ROW_STR("tls_key", "", POFF(tls_key), check_path_or_empty),
        ROW_STR("tls_ca", "", POFF(tls_ca), check_path_or_empty),
        ROW_STR("mail_servers", "", POFF(mail_servers_text), check_subjects),
        ROW_STR("format", "repfeed", POFF(format_text), check_format),
        ROW_STR("category", "spam", POFF(category_text), check_category),
        ROW_NUM("confidence", CFGFILE_UINT, "50", 0, 100, POFF(confidence)),
        ROW_NUM("enabled", CFGFILE_BOOL, "yes", 0, 1, POFF(enabled)),
};
#define PARTNER_N (sizeof partner_table / sizeof partner_table[0])

struct load_state {
	struct rs_conf *c;
	struct cfgfile_errors *e;
	unsigned glines[GLOBAL_N];
	unsigned plines[RS_PARTNERS_MAX][PARTNER_N];
};

/* partner_get - the partner NAME (n bytes), created with defaults */
static struct rs_partner *partner_get(
        struct load_state *st, const char *name, size_t n, unsigned line)
{
	struct rs_conf *c = st->c;
	struct rs_partner *p;

	for (unsigned i = 0; i < c->npartners; i++)
		if (strlen(c->partner[i].name) == n &&
		        memcmp(c->partner[i].name, name, n) == 0)
			return &c->partner[i];
	if (n > REP_PUBLISHER_MAX) {
		cfgfile_error(st->e, line, "partner name longer than %d bytes",
		        REP_PUBLISHER_MAX);
		return NULL;
	}
	if (c->npartners == RS_PARTNERS_MAX) {
		cfgfile_error(
		        st->e, line, "more than %d partners", RS_PARTNERS_MAX);
		return NULL;
	}
	p = &c->partner[c->npartners];
	memset(p, 0, sizeof *p);
	memcpy(p->name, name, n);
	p->name[n] = '\0';
	if (!rep_publisher_valid_name(p->name)) {
		cfgfile_error(st->e, line,
		        "\"%s\" is not a partner name (1-63 of a-z 0-9 . _ -, "
		        "starting with a letter or digit)",
		        p->name);
		return NULL;
	}
	if (cfgfile_defaults(partner_table, PARTNER_N, p, st->e) != 0)
		return NULL;
	p->line = line;
	c->npartners++;
	return p;
}

/* load_pair - one `key = value`: a global row or a partner's row */
static void load_pair(
        void *arg, const char *key, const char *value, unsigned line)
{
	struct load_state *st = arg;
	const struct cfgfile_option *table = global_table;
	unsigned n = GLOBAL_N, *lines = st->glines;
	char why[CFGFILE_WHY_MAX];
	void *obj = st->c;
	int i;

	if (strncmp(key, "partner.", 8) == 0) {
		const char *name = key + 8, *dot = strrchr(name, '.');
		struct rs_partner *p;

		if (dot == NULL || dot == name) {
			cfgfile_error(st->e, line,
			        "%.80s: partner options are partner.NAME.KEY",
			        key);
			return;
		}
		if ((p = partner_get(st, name, (size_t)(dot - name), line)) ==
		        NULL)
			return;
		table = partner_table;
		n = PARTNER_N;
		lines = st->plines[p - st->c->partner];
		obj = p;
		key = dot + 1;
	}
	if ((i = cfgfile_find(table, n, key)) < 0) {
		cfgfile_error(st->e, line, "unknown key %.80s%s", key,
		        table == partner_table ? " (of a partner)" : "");
		return;
	}
	if (lines[i] != 0) {
		cfgfile_error(st->e, line, "%s repeated (first set on line %u)",
		        key, lines[i]);
		return;
	}
	lines[i] = line;
	if (cfgfile_set(&table[i], obj, value, why, sizeof why) < 0)
		cfgfile_error(st->e, line, "%s: %s", key, why);
}

/* finish_partner - what one line cannot judge, and the parsed lists */
static void finish_partner(
        struct rs_partner *p, const unsigned *lines, struct cfgfile_errors *e)
{
	char why[CFGFILE_WHY_MAX];
	const char *q, *tok;
	size_t tl;

	p->format = format_parse(p->format_text);
	p->category = rep_category_parse(p->category_text);
	/* a value refused on its line is not reported again as missing */
	if (p->url[0] == '\0' && lines[0] == 0)
		cfgfile_error(e, p->line, "partner %s has no url", p->name);
	q = p->public_key_text;
	while ((tl = next_token(&q, &tok)) > 0 && p->nkeys < MSIGN_PINNED_MAX) {
		if ((p->key_path[p->nkeys] = strndup(tok, tl)) == NULL) {
			cfgfile_error(e, p->line, "out of memory");
			return;
		}
		p->nkeys++;
	}
	if (p->format == RS_FORMAT_REPFEED && p->nkeys == 0 && lines[1] == 0)
		cfgfile_error(e, p->line,
		        "partner %s has no public_key: its feeds cannot be "
		        "verified",
		        p->name);
	if ((p->tls_cert[0] == '\0') != (p->tls_key[0] == '\0'))
		cfgfile_error(e, p->line,
		        "partner %s: tls_cert and tls_key go together",
		        p->name);
	if (parse_categories(
	            p->categories_text, &p->categories, why, sizeof why) != 0 ||
	        parse_subjects(p->mail_servers_text, &p->mail_servers, why,
	                sizeof why) != 0)
		cfgfile_error(e, p->line, "partner %s: %s", p->name, why);
}

int rsconf_load(struct rs_conf *c, const char *path, int optional, char *err,
        size_t errlen)
{
	struct cfgfile_errors e;
	struct load_state *st;
	char why[CFGFILE_WHY_MAX];

	memset(c, 0, sizeof *c);
	cfgfile_errors_init(&e, path ? path : "repsync", err, errlen);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((st = calloc(1, sizeof *st)) == NULL) {
		cfgfile_error(&e, 0, "out of memory");
		return -1;
	}
	st->c = c;
	st->e = &e;
	if (cfgfile_defaults(global_table, GLOBAL_N, c, &e) != 0)
		goto out;
	if (path != NULL) {
		FILE *fp = fopen(path, "r");

		if (fp == NULL && errno == ENOENT && optional) {
			path = NULL;
		} else {
			if (fp != NULL)
				fclose(fp);
			if ((c->path = strdup(path)) == NULL) {
				cfgfile_error(&e, 0, "out of memory");
				goto out;
			}
			(void)cfgfile_read(path, load_pair, st, &e);
		}
	}
	if (e.count == 0 && c->audit_log[0] == '\0') {
		size_t n = strlen(c->state_dir) + sizeof "/audit.log";
		char *a = malloc(n);

		if (a == NULL) {
			cfgfile_error(&e, 0, "out of memory");
			goto out;
		}
		snprintf(a, n, "%s/audit.log", c->state_dir);
		free(c->audit_log);
		c->audit_log = a;
	}
	if (parse_subjects(c->never_text, &c->never, why, sizeof why) != 0 ||
	        parse_subjects(
	                c->sentinels_text, &c->sentinels, why, sizeof why) != 0)
		cfgfile_error(&e, st->glines[0], "%s", why);
	for (unsigned i = 0; i < c->npartners; i++)
		finish_partner(&c->partner[i], st->plines[i], &e);
out:
	free(st);
	if (e.count != 0) {
		rsconf_free(c);
		return -1;
	}
	return 0;
}

void rsconf_free(struct rs_conf *c)
{
	if (c == NULL)
		return;
	for (unsigned i = 0; i < c->npartners; i++) {
		struct rs_partner *p = &c->partner[i];

		cfgfile_release(partner_table, PARTNER_N, p);
		for (unsigned k = 0; k < p->nkeys; k++)
			free(p->key_path[k]);
		free(p->mail_servers.s);
	}
	cfgfile_release(global_table, GLOBAL_N, c);
	free(c->never.s);
	free(c->sentinels.s);
	free(c->path);
	memset(c, 0, sizeof *c);
}

const struct rs_partner *rsconf_partner(
        const struct rs_conf *c, const char *name)
{
	for (unsigned i = 0; i < c->npartners; i++)
		if (strcmp(c->partner[i].name, name) == 0)
			return &c->partner[i];
	return NULL;
}

void rsconf_print(const struct rs_conf *c, FILE *fp)
{
	cfgfile_print(global_table, GLOBAL_N, c, fp);
	for (unsigned i = 0; i < c->npartners; i++) {
		const struct rs_partner *p = &c->partner[i];
		char buf[CFGFILE_LINE_MAX];

		fprintf(fp, "\n");
		for (unsigned k = 0; k < PARTNER_N; k++) {
			if (cfgfile_format(
			            &partner_table[k], p, buf, sizeof buf) != 0)
				continue;
			fprintf(fp, "partner.%s.%s = %s%s%s\n", p->name,
			        partner_table[k].name,
			        strpbrk(buf, " #\"") ? "\"" : "", buf,
			        strpbrk(buf, " #\"") ? "\"" : "");
		}
	}
}
