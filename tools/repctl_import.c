/*
 * repctl_import.c - "repctl import": a plain list (rbldnsd dataset or CIDR
 * list, parsed by plainlist.c, the parser repsync's plain-list partners
 * share) becomes a publisher's slot. The file is parsed whole before the
 * store is touched, and applied in one commit, so that a bad or cut-off
 * file changes nothing.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plainlist.h"
#include "repctl.h"

#define IMPORT_WARN_MAX 10 /* bad lines reported one by one (--skip-bad) */

struct import_opts {
	enum plainlist_format format;
	const char *publisher;
	const char *file;
	int merge, skip_bad;
	int category;
	long confidence;
	int64_t ttl;
};

/* One parsed entry, compact: a million of them must fit easily.
 * Domain names live in the import's name arena. */
struct import_entry {
	uint8_t kind, plen, scope;
	uint8_t addr[16];
	uint32_t name; /* offset in the arena (domains) */
};

struct import {
	const struct repctl *ctx;
	struct import_opts o;
	FILE *fp;
	unsigned long lineno;
	size_t skipped;
	struct import_entry *v;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	size_t len; /* of the line read; PLAINLIST_LINE_MAX + 1: longer */
	char line[PLAINLIST_LINE_MAX];
	struct plainlist_line parsed;
};

/* grow - make room for `more` elements of `size` bytes; amortised, so
 * the import allocates a few dozen times, not once a line */
static int grow(void **v, size_t *cap, size_t used, size_t more, size_t size)
{
	size_t n = *cap ? *cap : 1024;
	void *p;

	while (n - used < more)
		n *= 2;
	if (n == *cap)
		return 0;
	if ((p = realloc(*v, n * size)) == NULL)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

/* import_keep - add the subjects of one line to the entries */
static int import_keep(struct import *im)
{
	const struct plainlist_line *l = &im->parsed;
	struct import_entry *e;
	size_t len;
	unsigned i;

	if (grow((void **)&im->v, &im->cap, im->n, l->n, sizeof(*im->v)) != 0)
		return -1;
	for (i = 0; i < l->n; i++) {
		e = &im->v[im->n++];
		e->kind = l->s[i].kind;
		e->plen = l->s[i].plen;
		e->scope = l->s[i].scope;
		memcpy(e->addr, l->s[i].addr, sizeof(e->addr));
		e->name = 0;
		if (e->kind != REP_KIND_DOMAIN)
			continue;
		len = strlen(l->s[i].name) + 1;
		if (grow((void **)&im->names, &im->names_cap, im->names_len,
		            len, 1) != 0)
			return -1;
		e->name = (uint32_t)im->names_len;
		memcpy(im->names + im->names_len, l->s[i].name, len);
		im->names_len += len;
	}
	return 0;
}

/* import_subject - an entry back as a subject */
static void import_subject(const struct import *im,
        const struct import_entry *e, struct rep_subject *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = e->kind;
	s->plen = e->plen;
	s->scope = e->scope;
	memcpy(s->addr, e->addr, sizeof(s->addr));
	if (e->kind == REP_KIND_DOMAIN)
		snprintf(s->name, sizeof(s->name), "%s", im->names + e->name);
}

/* read_line - the next line into im->line, without its newline; of an
 * overlong line only the start is kept (plainlist_parse_line refuses it
 * by its length); returns 1 for a line, 0 at the end, -1 on a read
 * error */
static int read_line(struct import *im)
{
	size_t len = 0;
	int c;

	while ((c = getc_unlocked(im->fp)) != EOF && c != '\n') {
		if (len < PLAINLIST_LINE_MAX)
			im->line[len] = (char)c;
		if (len <= PLAINLIST_LINE_MAX)
			len++;
	}
	if (c == EOF && ferror(im->fp))
		return -1;
	if (c == EOF && len == 0)
		return 0;
	im->lineno++;
	im->len = len;
	return 1;
}

/* report_bad - "FILE:LINE: TOKEN: MESSAGE" */
static void report_bad(const struct import *im, const char *suffix)
{
	const struct plainlist_line *l = &im->parsed;

	if (l->token[0] != '\0')
		repctl_error("%s:%lu: %s: %s%s", im->o.file, im->lineno,
		        l->token, l->error, suffix);
	else
		repctl_error("%s:%lu: %s%s", im->o.file, im->lineno, l->error,
		        suffix);
}

/* import_bad - a bad line: the end of the import, or one more line
 * skipped with --skip-bad */
static int import_bad(struct import *im)
{
	if (!im->o.skip_bad) {
		report_bad(im, "; nothing imported");
		return REPCTL_USAGE;
	}
	if (im->skipped < IMPORT_WARN_MAX)
		report_bad(im, " (skipped)");
	else if (im->skipped == IMPORT_WARN_MAX)
		repctl_error(
		        "%s: more bad lines skipped, not shown", im->o.file);
	im->skipped++;
	return 0;
}

/* import_read - parse the whole file into entries */
static int import_read(struct import *im)
{
	int r, rc;

	while ((r = read_line(im)) == 1) {
		if (plainlist_parse_line(im->o.format, im->line, im->len,
		            &im->parsed) != 0) {
			if ((rc = import_bad(im)) != 0)
				return rc;
			continue;
		}
		if (import_keep(im) != 0) {
			repctl_error("%s: out of memory", im->o.file);
			return REPCTL_STORE;
		}
	}
	if (r < 0) {
		repctl_error("%s: %s", im->o.file, strerror(errno));
		return REPCTL_USAGE;
	}
	return 0;
}

/* feed_name - "import:" and the file's base name, to tell imports apart
 * in "repctl show" */
static void feed_name(const char *file, char *buf, size_t len)
{
	const char *base = strrchr(file, '/');

	if (strcmp(file, "-") == 0)
		base = "stdin";
	else
		base = base ? base + 1 : file;
	snprintf(buf, len, "import:%s", base);
}

/* import_batch - the publisher's new slot: every entry at the next
 * sequence number, the old entries delisted unless --merge */
static int import_batch(struct import *im, struct rep_batch *b,
        const struct rep_publisher *pub, uint64_t seq)
{
	char name[REP_FEED_NAME_MAX];
	struct rep_partner p;
	struct rep_subject s;
	size_t i;
	int err;

	feed_name(im->o.file, name, sizeof(name));
	if ((err = rep_batch_feed(b, pub->id, 0, name)) != REP_OK)
		return err;
	memset(&p, 0, sizeof(p));
	p.publisher = pub->id;
	p.op = REP_OP_LIST;
	p.category = (uint8_t)im->o.category;
	p.confidence = (uint8_t)im->o.confidence; /* 0-100, checked */
	p.first_seen = p.last_seen = im->ctx->now;
	p.expires = im->o.ttl ? im->ctx->now + im->o.ttl : 0;
	p.hits = 1;
	p.seq = seq;
	p.feed = REP_FEED_THIS;
	for (i = 0; i < im->n; i++) {
		import_subject(im, &im->v[i], &s);
		if ((err = rep_batch_partner(b, &s, &p)) != REP_OK)
			return err;
	}
	if (!im->o.merge && (err = rep_batch_snapshot(b, pub->id, seq)) != 0)
		return err;
	/* keep a partner's epoch and serial: an import moves only seq */
	return rep_batch_watermark(b, pub->id, pub->epoch, seq, pub->serial);
}

/* import_apply - one commit into the publisher's slot */
static int import_apply(struct import *im, struct rep_store *st)
{
	struct rep_commit_stats cs;
	struct rep_publisher pub;
	struct rep_batch *b = NULL;
	uint16_t id;
	int err;

	memset(&cs, 0, sizeof(cs));
	if ((err = rep_publisher_ensure(st, im->o.publisher, &id)) != 0 ||
	        (err = rep_publisher_by_id(st, id, &pub)) != REP_OK ||
	        (err = rep_batch_new(&b)) != REP_OK ||
	        (err = import_batch(im, b, &pub, pub.seq + 1)) != REP_OK ||
	        (err = rep_commit(st, b, im->ctx->now, &cs)) != REP_OK)
		goto fail;
	rep_batch_free(b);
	printf("imported %zu entries from %s into %s (seq %llu): %zu applied, "
	       "%zu delisted, %zu bad lines skipped\n",
	        im->n, im->o.file, im->o.publisher,
	        (unsigned long long)pub.seq + 1, cs.applied, cs.delisted,
	        im->skipped);
	return repctl_flush();
fail:
	rep_batch_free(b);
	return repctl_store_error(im->ctx, err);
}

/* import_format - "rbldnsd" or "cidr" */
static int import_format(const char *name, enum plainlist_format *out)
{
	int fmt = plainlist_format_parse(name);

	if (fmt < 0)
		return repctl_usage("import: --format is rbldnsd or cidr, "
		                    "not '%s'",
		        name);
	*out = (enum plainlist_format)fmt;
	return 0;
}

/* import_opt - one option of import */
static int import_opt(
        struct repctl *ctx, struct import_opts *o, int c, char **argv)
{
	switch (c) {
	case 'f':
		return import_format(optarg, &o->format);
	case 'p':
		o->publisher = optarg;
		return 0;
	case 'm':
		o->merge = 1;
		return 0;
	case 's':
		o->skip_bad = 1;
		return 0;
	case 'c':
		if ((o->category = rep_category_parse(optarg)) < 0)
			return repctl_usage(
			        "import: unknown category '%s'", optarg);
		return 0;
	case 'C':
		return repctl_number(
		        "--confidence", optarg, 0, 100, &o->confidence);
	case 'e':
		return repctl_duration("--expires", optarg, &o->ttl);
	default:
		return repctl_opt(ctx, c, argv);
	}
}

/* import_opts - parse and check the options and the FILE operand */
static int import_opts(
        struct repctl *ctx, struct import_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
	        REPCTL_COMMON_OPTS,
	        {"format", required_argument, NULL, 'f'},
	        {"publisher", required_argument, NULL, 'p'},
	        {"merge", no_argument, NULL, 'm'},
	        {"skip-bad", no_argument, NULL, 's'},
	        {"category", required_argument, NULL, 'c'},
	        {"confidence", required_argument, NULL, 'C'},
	        {"expires", required_argument, NULL, 'e'},
	        {NULL, 0, NULL, 0},
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, REPCTL_COMMON_SHORT, opts, NULL)) !=
	        -1)
		if ((rc = import_opt(ctx, o, c, argv)) != 0)
			return rc;
	if ((rc = repctl_args(ctx, argc, argv, 1, "FILE")) != 0)
		return rc;
	o->file = argv[optind];
	if (o->format == 0)
		return repctl_usage("import: --format is required");
	if (o->publisher == NULL)
		return repctl_usage("import: --publisher is required");
	if (!rep_publisher_valid_name(o->publisher))
		return repctl_usage(
		        "import: bad publisher name '%s'", o->publisher);
	return 0;
}

/* import_open - the list file, or standard input for "-"; a file that
 * cannot be read is a usage error, not a store error */
static int import_open(struct import *im)
{
	if (strcmp(im->o.file, "-") == 0) {
		im->fp = stdin;
		return 0;
	}
	if ((im->fp = fopen(im->o.file, "r")) == NULL) {
		repctl_error("%s: %s", im->o.file, strerror(errno));
		return REPCTL_USAGE;
	}
	return 0;
}

/* import_not_empty - refuse a list with no entry unless --merge: as the
 * publisher's whole list it would delist everything, and an empty file is
 * far more often a failed download than an intended wipe */
static int import_not_empty(const struct import *im)
{
	if (im->n > 0 || im->o.merge)
		return 0;
	repctl_error("%s: no entries; refusing to delist all of %s "
	             "(use --merge to import nothing)",
	        im->o.file, im->o.publisher);
	return REPCTL_USAGE;
}

/* repctl_cmd_import - import --format F --publisher NAME FILE */
int repctl_cmd_import(struct repctl *ctx, int argc, char **argv)
{
	struct rep_store *st = NULL;
	struct import *im;
	int rc;

	if ((im = calloc(1, sizeof(*im))) == NULL) {
		repctl_error("out of memory");
		return REPCTL_STORE;
	}
	im->ctx = ctx;
	im->o.category = REP_CAT_SPAM;
	im->o.confidence = 100;
	if ((rc = import_opts(ctx, &im->o, argc, argv)) == 0 &&
	        (rc = import_open(im)) == 0 && (rc = import_read(im)) == 0 &&
	        (rc = import_not_empty(im)) == 0 &&
	        (rc = repctl_open(ctx, REPCTL_WRITE, &st)) == 0)
		rc = import_apply(im, st);
	rep_close(st);
	if (im->fp != NULL && im->fp != stdin)
		fclose(im->fp);
	free(im->v);
	free(im->names);
	free(im);
	return rc;
}
