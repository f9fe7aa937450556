/*
 * repctl_export.c - "repctl export": the listings of the store, of one
 * publisher's slot or of the local slot, as an rbldnsd dataset (so that
 * DNS can carry the reputation to any number of hosts), CSV or JSON.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repctl.h"

enum export_format { EXPORT_RBLDNSD = 1, EXPORT_CSV, EXPORT_JSON };
enum export_source { EXPORT_ALL = 0, EXPORT_PUBLISHER, EXPORT_LOCAL };

/* An operator override, kept for the whole-store export: the most
 * specific one covering a subject decides it, as in scoring. */
struct export_override {
	struct rep_subject subject;
	int action;
};

struct export_job {
	const struct repctl *ctx;
	enum export_format format;
	enum export_source source;
	const char *publisher;      /* --publisher NAME */
	uint16_t pub;               /* its id */
	int kind;                   /* enum rep_kind, 0: all */
	size_t count;               /* lines or rows written */
	struct export_override *ov; /* unexpired overrides (whole store) */
	size_t nov, cap;
	struct repctl_json json;
	struct repctl_names names;
};

/* The row of one slot, for CSV and JSON. */
struct export_row {
	const char *subject, *slot, *publisher, *op, *category;
	int kind;       /* enum rep_kind */
	int confidence; /* -1: none */
	double score;
	int64_t first_seen, last_seen, expires;
};

static const char csv_header[] = "subject,kind,slot,publisher,op,category,"
                                 "confidence,score,first_seen,last_seen,"
                                 "expires\n";

/* local_listed - the local slot counts as a listing when its decayed
 * spam outweighs its decayed ham */
static int local_listed(const struct export_job *ex, const struct rep_record *r)
{
	double ham, spam;

	if (!(r->flags & REP_HAS_LOCAL))
		return 0;
	rep_local_decayed(&r->local, repctl_policy()->half_life, ex->ctx->now,
	        &ham, &spam);
	return spam > ham;
}

/* partner_listed - a partner slot that lists, unexpired, of the chosen
 * publisher if one was chosen */
static int partner_listed(
        const struct export_job *ex, const struct rep_partner *p)
{
	if (ex->source == EXPORT_PUBLISHER && p->publisher != ex->pub)
		return 0;
	return p->op == REP_OP_LIST &&
	       !repctl_expired(p->expires, ex->ctx->now);
}

/* override_of - the unexpired override's action, or 0 */
static int override_of(const struct export_job *ex, const struct rep_record *r)
{
	if (!(r->flags & REP_HAS_OVERRIDE) ||
	        repctl_expired(r->override.expires, ex->ctx->now))
		return 0;
	return r->override.action;
}

/* covered_by_allow - is the most specific override covering the subject
 * an allow? Then the operator allowed it, whatever its slots say */
static int covered_by_allow(
        const struct export_job *ex, const struct rep_subject *s)
{
	const struct export_override *best = NULL;
	size_t i;

	for (i = 0; i < ex->nov; i++)
		if (rep_subject_covers(&ex->ov[i].subject, s) &&
		        (best == NULL || rep_subject_covers(&best->subject,
		                                 &ex->ov[i].subject)))
			best = &ex->ov[i];
	return best != NULL && best->action == REP_OVERRIDE_ALLOW;
}

/* slots_listed - does a partner slot (of the chosen publisher) or, in a
 * whole-store export, the local slot list the record? */
static int slots_listed(const struct export_job *ex, const struct rep_record *r)
{
	unsigned i;

	for (i = 0; i < r->npartners && i < REP_PARTNERS_MAX; i++)
		if (partner_listed(ex, &r->partner[i]))
			return 1;
	return ex->source == EXPORT_ALL && local_listed(ex, r);
}

/* record_state - 1: listed, -1: allowed by its own override (an
 * exclusion in a whole-store rbldnsd export), 0: neither */
static int record_state(const struct export_job *ex,
        const struct rep_subject *s, const struct rep_record *r)
{
	int ov;

	if (ex->source == EXPORT_LOCAL)
		return local_listed(ex, r);
	if (ex->source == EXPORT_PUBLISHER)
		return slots_listed(ex, r);
	if ((ov = override_of(ex, r)) != 0)
		return ov == REP_OVERRIDE_DENY ? 1 : -1;
	return slots_listed(ex, r) && !covered_by_allow(ex, s);
}

/* overrides_collect - rep_scan visitor: keep the unexpired overrides */
static int overrides_collect(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	struct export_job *ex = arg;
	struct export_override *v;
	int action = override_of(ex, r);

	if (action == 0)
		return 0;
	if (ex->nov == ex->cap) {
		ex->cap = ex->cap ? ex->cap * 2 : 64;
		if ((v = realloc(ex->ov, ex->cap * sizeof(*v))) == NULL)
			return REP_E_NOMEM;
		ex->ov = v;
	}
	ex->ov[ex->nov].subject = *s;
	ex->ov[ex->nov].action = action;
	ex->nov++;
	return 0;
}

/* record_score - the record's own score, as "repctl list" shows it */
static double record_score(const struct export_job *ex,
        const struct rep_subject *s, const struct rep_record *r)
{
	struct rep_score sc;

	rep_score_init(&sc);
	rep_score_add(&sc, repctl_policy(), s, r, ex->ctx->now);
	rep_score_finish(&sc, repctl_policy());
	return sc.score;
}

/* row_csv - one CSV row; no field can hold a comma or a quote (subjects
 * and publisher names are restricted), so nothing needs quoting */
static void row_csv(struct export_job *ex, const struct export_row *w)
{
	char t1[REPCTL_TIME_MAX], t2[REPCTL_TIME_MAX], t3[REPCTL_TIME_MAX];
	char conf[16] = "";

	if (w->confidence >= 0)
		snprintf(conf, sizeof(conf), "%d", w->confidence);
	printf("%s,%s,%s,%s,%s,%s,%s,%.2f,%s,%s,%s\n", w->subject,
	        repctl_kind_name(w->kind), w->slot, w->publisher, w->op,
	        w->category, conf, w->score,
	        repctl_time(w->first_seen, "", t1, sizeof(t1)),
	        repctl_time(w->last_seen, "", t2, sizeof(t2)),
	        repctl_time(w->expires, "", t3, sizeof(t3)));
}

/* kv_opt - a string, or null when empty */
static void kv_opt(struct repctl_json *j, const char *k, const char *v)
{
	if (*v == '\0')
		repctl_json_kv_null(j, k);
	else
		repctl_json_kv_str(j, k, v);
}

/* row_json - one object of the JSON array */
static void row_json(struct export_job *ex, const struct export_row *w)
{
	struct repctl_json *j = &ex->json;

	repctl_json_begin(j, '{');
	repctl_json_kv_str(j, "subject", w->subject);
	repctl_json_kv_str(j, "kind", repctl_kind_name(w->kind));
	repctl_json_kv_str(j, "slot", w->slot);
	kv_opt(j, "publisher", w->publisher);
	repctl_json_kv_str(j, "op", w->op);
	kv_opt(j, "category", w->category);
	if (w->confidence >= 0)
		repctl_json_kv_int(j, "confidence", w->confidence);
	else
		repctl_json_kv_null(j, "confidence");
	repctl_json_kv_num(j, "score", w->score);
	repctl_json_kv_time(j, "first_seen", w->first_seen);
	repctl_json_kv_time(j, "last_seen", w->last_seen);
	repctl_json_kv_time(j, "expires", w->expires);
	repctl_json_end(j);
}

/* row_put - write a row in the chosen format */
static void row_put(struct export_job *ex, const struct export_row *w)
{
	if (ex->format == EXPORT_CSV)
		row_csv(ex, w);
	else
		row_json(ex, w);
	ex->count++;
}

/* rows_partners - a row for each listing partner slot */
static void rows_partners(
        struct export_job *ex, struct export_row *w, const struct rep_record *r)
{
	const struct rep_partner *p;
	char buf[16];
	unsigned i;

	for (i = 0; i < r->npartners && i < REP_PARTNERS_MAX; i++) {
		p = &r->partner[i];
		if (!partner_listed(ex, p))
			continue;
		w->slot = "partner";
		w->publisher = repctl_names_get(
		        &ex->names, p->publisher, buf, sizeof(buf));
		w->op = rep_op_name(p->op);
		w->category = rep_category_name(p->category);
		w->confidence = p->confidence;
		w->first_seen = p->first_seen;
		w->last_seen = p->last_seen;
		w->expires = p->expires;
		row_put(ex, w);
	}
}

/* rows_record - the rows of one record: its override (an allow is shown
 * too, so that a reader sees why the record is not listed), then its
 * listing slots */
static void rows_record(struct export_job *ex, struct export_row *w,
        const struct rep_record *r, int state)
{
	int ov = ex->source == EXPORT_ALL ? override_of(ex, r) : 0;

	w->publisher = w->category = "";
	w->confidence = -1;
	if (ov != 0) {
		w->slot = "override";
		w->op = repctl_action_name(ov);
		w->first_seen = w->last_seen = r->override.when;
		w->expires = r->override.expires;
		row_put(ex, w);
	}
	if (state < 0)
		return;
	if (ex->source != EXPORT_LOCAL)
		rows_partners(ex, w, r);
	if (ex->source != EXPORT_PUBLISHER && local_listed(ex, r)) {
		w->slot = "local";
		w->publisher = "";
		w->op = "list";
		w->category = "spam";
		w->confidence = -1;
		w->first_seen = r->local.first_seen;
		w->last_seen = r->local.last_seen;
		w->expires = 0;
		row_put(ex, w);
	}
}

/* export_visit - rep_scan visitor. It writes as it goes: rep_scan renews
 * its read transaction every few thousand records, so a slow reader of
 * our output pins little */
static int export_visit(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	struct export_job *ex = arg;
	char subj[REP_SUBJECT_TEXT_MAX];
	struct export_row w;
	int state = record_state(ex, s, r);

	if (state == 0)
		return 0;
	rep_subject_format(s, subj, sizeof(subj));
	if (ex->format == EXPORT_RBLDNSD) {
		printf("%s%s\n", state < 0 ? "!" : "", subj);
		ex->count += state > 0;
		return 0;
	}
	memset(&w, 0, sizeof(w));
	w.subject = subj;
	w.kind = s->kind;
	w.score = record_score(ex, s, r);
	rows_record(ex, &w, r, state);
	return 0;
}

static const char *const rbldnsd_types[] = {
        NULL, "ip4trie", "ip6trie", "dnset"};

/* export_head - what a file starts with */
static void export_head(struct export_job *ex)
{
	char t[REPCTL_TIME_MAX];

	if (ex->format == EXPORT_CSV)
		fputs(csv_header, stdout);
	if (ex->format == EXPORT_JSON)
		repctl_json_begin(&ex->json, '[');
	if (ex->format != EXPORT_RBLDNSD)
		return;
	printf("# rbldnsd %s dataset exported by repctl %s at %s\n"
	       "# source: %s%s\n"
	       ":127.0.0.2:Listed by repmilter\n",
	        rbldnsd_types[ex->kind], PACKAGE_VERSION,
	        repctl_time(ex->ctx->now, "-", t, sizeof(t)),
	        ex->source == EXPORT_ALL     ? "the whole store"
	        : ex->source == EXPORT_LOCAL ? "the local slot"
	                                     : "the slot of publisher ",
	        ex->source == EXPORT_PUBLISHER ? ex->publisher : "");
}

/* export_tail - what a file ends with; the rbldnsd trailer tells a
 * complete file from a cut-off one */
static void export_tail(struct export_job *ex)
{
	if (ex->format == EXPORT_JSON)
		repctl_json_end(&ex->json);
	if (ex->format == EXPORT_RBLDNSD)
		printf("# end: %zu entries\n", ex->count);
}

/* export_run - head, a scan of the store, tail */
static int export_run(struct export_job *ex, struct rep_store *st)
{
	struct rep_publisher pub;
	int err, rc;

	if (ex->source == EXPORT_PUBLISHER) {
		if ((rc = repctl_publisher(ex->ctx, st, ex->publisher, &pub)))
			return rc;
		ex->pub = pub.id;
	}
	if ((err = repctl_names_load(st, &ex->names)) != REP_OK)
		return repctl_store_error(ex->ctx, err);
	/* a first pass for the overrides: a listing inside an allowed
	 * prefix or domain is not listed */
	if (ex->source == EXPORT_ALL &&
	        (err = rep_scan(st, ex->kind, overrides_collect, ex)) != REP_OK)
		return repctl_store_error(ex->ctx, err);
	export_head(ex);
	if ((err = rep_scan(st, ex->kind, export_visit, ex)) != REP_OK)
		return repctl_store_error(ex->ctx, err);
	export_tail(ex);
	return repctl_flush();
}

/* export_format - "rbldnsd", "csv" or "json" */
static int export_format(const char *name, enum export_format *out)
{
	if (strcmp(name, "rbldnsd") == 0)
		*out = EXPORT_RBLDNSD;
	else if (strcmp(name, "csv") == 0)
		*out = EXPORT_CSV;
	else if (strcmp(name, "json") == 0)
		*out = EXPORT_JSON;
	else
		return repctl_usage("export: --format is rbldnsd, csv or json, "
		                    "not '%s'",
		        name);
	return 0;
}

/* export_opt - one option of export */
static int export_opt(
        struct repctl *ctx, struct export_job *ex, int c, char **argv)
{
	switch (c) {
	case 'f':
		return export_format(optarg, &ex->format);
	case 'p':
		ex->publisher = optarg;
		return 0;
	case 'l':
		ex->source = EXPORT_LOCAL;
		return 0;
	case 'k':
		if ((ex->kind = repctl_kind_parse(optarg)) == 0)
			return repctl_usage("export: --kind is ip4, ip6, "
			                    "domain or auth, not '%s'",
			        optarg);
		return 0;
	default:
		return repctl_opt(ctx, c, argv);
	}
}

/* export_check - options that only make sense together; rbldnsd takes
 * one dataset type a file, IPv4 unless told otherwise */
static int export_check(const struct repctl *ctx, struct export_job *ex)
{
	if (ex->format == 0 && ctx->json)
		ex->format = EXPORT_JSON;
	if (ex->format == 0)
		return repctl_usage("export: --format is required");
	if (ex->publisher != NULL && ex->source == EXPORT_LOCAL)
		return repctl_usage("export: --publisher and --local exclude "
		                    "each other");
	if (ex->publisher != NULL)
		ex->source = EXPORT_PUBLISHER;
	if (ex->format != EXPORT_RBLDNSD)
		return 0;
	if (ex->kind == 0)
		ex->kind = REP_KIND_IP4;
	if (ex->kind == REP_KIND_AUTH)
		return repctl_usage("export: rbldnsd has no dataset for "
		                    "authenticated domains");
	return 0;
}

/* repctl_cmd_export - export --format F [--publisher NAME | --local] */
int repctl_cmd_export(struct repctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        REPCTL_COMMON_OPTS,
	        {"format", required_argument, NULL, 'f'},
	        {"publisher", required_argument, NULL, 'p'},
	        {"local", no_argument, NULL, 'l'},
	        {"kind", required_argument, NULL, 'k'},
	        {NULL, 0, NULL, 0},
	};
	struct rep_store *st = NULL;
	struct export_job *ex;
	int c, rc = 0;

	/* the names table is too big for the stack */
	if ((ex = calloc(1, sizeof(*ex))) == NULL) {
		repctl_error("out of memory");
		return REPCTL_STORE;
	}
	ex->ctx = ctx;
	repctl_json_init(&ex->json, stdout);
	while (rc == 0 && (c = getopt_long(argc, argv, REPCTL_COMMON_SHORT,
	                           opts, NULL)) != -1)
		rc = export_opt(ctx, ex, c, argv);
	if (rc == 0 && (rc = repctl_args(ctx, argc, argv, 0, "")) == 0 &&
	        (rc = export_check(ctx, ex)) == 0 &&
	        (rc = repctl_open(ctx, REPCTL_READ, &st)) == 0)
		rc = export_run(ex, st);
	rep_close(st);
	free(ex->ov);
	free(ex);
	return rc;
}
