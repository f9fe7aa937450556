/*
 * repctl_show.c - "repctl show SUBJECT": the score of a subject and every
 * term and slot behind it, so that an operator can always see why.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repctl.h"

struct show_rec {
	struct rep_subject subject;
	struct rep_record rec;
};

/* What show gathers before printing: the records (most specific first),
 * the score and the publisher names. */
struct show {
	const struct repctl *ctx;
	struct rep_store *st;
	struct rep_subject subject;
	struct show_rec *v;
	size_t n, cap;
	struct rep_score score;
	struct repctl_names names;
};

/* show_collect - rep_lookup visitor: copy the borrowed record */
static int show_collect(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	struct show *sh = arg;
	struct show_rec *v;

	if (sh->n == sh->cap) {
		size_t cap = sh->cap ? sh->cap * 2 : 8;

		if ((v = realloc(sh->v, cap * sizeof(*v))) == NULL)
			return REP_E_NOMEM;
		sh->v = v;
		sh->cap = cap;
	}
	sh->v[sh->n].subject = *s;
	sh->v[sh->n].rec = *r;
	sh->n++;
	return 0;
}

/* show_gather - the records, the score and the names */
static int show_gather(struct show *sh)
{
	const struct rep_policy *p = repctl_policy();
	size_t i;
	int err;

	err = rep_lookup(sh->st, &sh->subject, show_collect, sh);
	if (err != REP_OK && err != REP_E_NOTFOUND)
		return err;
	rep_score_init(&sh->score);
	for (i = 0; i < sh->n; i++)
		rep_score_add(&sh->score, p, &sh->v[i].subject, &sh->v[i].rec,
		        sh->ctx->now);
	rep_score_finish(&sh->score, p);
	return repctl_names_load(sh->st, &sh->names);
}

static const char *const term_names[] = {
        NULL, "local", "override", "partner", "partners-cap"};

/* term_name - "local", "override", "partner", "partners-cap" */
static const char *term_name(unsigned kind)
{
	if (kind >= REP_TERM_LOCAL && kind <= REP_TERM_PARTNERS_CAP)
		return term_names[kind];
	return "unknown";
}

/* partner_weight, partner_cap - what the score gave a publisher: the
 * store's figures (repsync writes them; faded for a silent partner), or
 * the policy's defaults */
static double partner_weight(uint16_t id)
{
	const struct rep_policy *p = repctl_policy();

	return id < REP_PUBLISHERS_MAX && !isnan(p->weight[id])
	               ? p->weight[id]
	               : p->partner_weight;
}

static double partner_cap(uint16_t id)
{
	const struct rep_policy *p = repctl_policy();

	return id < REP_PUBLISHERS_MAX && !isnan(p->cap[id]) ? p->cap[id]
	                                                     : p->partner_cap;
}

/*
 * Text output.
 */

/* text_term - one term of the score */
static void text_term(const struct show *sh, const struct rep_term *t)
{
	char subj[REP_SUBJECT_TEXT_MAX], label[96], buf[16];

	snprintf(label, sizeof(label), "%s", term_name(t->kind));
	if (t->kind == REP_TERM_PARTNER)
		snprintf(label, sizeof(label), "partner %s",
		        repctl_names_get(
		                &sh->names, t->publisher, buf, sizeof(buf)));
	rep_subject_format(&t->subject, subj, sizeof(subj));
	printf("  %-24s %+9.2f", label, t->value);
	if (t->kind != REP_TERM_PARTNERS_CAP)
		printf("  from %s", subj);
	if (t->kind == REP_TERM_LOCAL)
		printf(" (ham %.2f, spam %.2f)", t->ham, t->spam);
	if (t->kind == REP_TERM_PARTNER)
		printf(" (weight %.2f, cap %.2f, freshness %.2f%s)",
		        partner_weight(t->publisher), partner_cap(t->publisher),
		        t->freshness, t->capped ? ", capped" : "");
	if (t->expired)
		fputs(" expired", stdout);
	putchar('\n');
}

/* text_local - the local slot: stored and decayed counts */
static void text_local(const struct show *sh, const struct rep_local *l)
{
	char t1[REPCTL_TIME_MAX], t2[REPCTL_TIME_MAX], t3[REPCTL_TIME_MAX];
	double ham, spam;

	rep_local_decayed(
	        l, repctl_policy()->half_life, sh->ctx->now, &ham, &spam);
	printf("  local: ham %.2f spam %.2f as of %s; now ham %.2f spam %.2f\n"
	       "    first seen %s, last seen %s\n",
	        l->ham, l->spam, repctl_time(l->stamp, "-", t1, sizeof(t1)),
	        ham, spam, repctl_time(l->first_seen, "-", t2, sizeof(t2)),
	        repctl_time(l->last_seen, "-", t3, sizeof(t3)));
}

/* text_override - the operator's override */
static void text_override(const struct show *sh, const struct rep_override *o)
{
	char t1[REPCTL_TIME_MAX], t2[REPCTL_TIME_MAX];

	printf("  override: %s by %s at %s, expires %s%s\n    reason ",
	        repctl_action_name(o->action), o->who,
	        repctl_time(o->when, "-", t1, sizeof(t1)),
	        repctl_time(o->expires, "never", t2, sizeof(t2)),
	        repctl_expired(o->expires, sh->ctx->now) ? " (expired)" : "");
	json_escape(stdout, o->reason);
	putchar('\n');
}

/* text_feed - where a partner slot came from */
static void text_feed(const struct show *sh, uint32_t id)
{
	char t[REPCTL_TIME_MAX];
	struct rep_feed f;

	if (id == 0 || rep_feed_get(sh->st, id, &f) != REP_OK) {
		printf("    feed %u (unknown)\n", (unsigned)id);
		return;
	}
	printf("    feed %u %s, serial %llu, applied %s\n", (unsigned)id,
	        f.name, (unsigned long long)f.serial,
	        repctl_time(f.applied, "-", t, sizeof(t)));
}

/* text_partner - one partner's slot */
static void text_partner(const struct show *sh, const struct rep_partner *p)
{
	char t1[REPCTL_TIME_MAX], t2[REPCTL_TIME_MAX], t3[REPCTL_TIME_MAX];
	char buf[16];

	printf("  partner %s: %s, category %s, confidence %u, hits %lu, "
	       "seq %llu, reason %u\n"
	       "    first seen %s, last seen %s, expires %s%s\n",
	        repctl_names_get(&sh->names, p->publisher, buf, sizeof(buf)),
	        rep_op_name(p->op), rep_category_name(p->category),
	        (unsigned)p->confidence, (unsigned long)p->hits,
	        (unsigned long long)p->seq, (unsigned)p->reason,
	        repctl_time(p->first_seen, "-", t1, sizeof(t1)),
	        repctl_time(p->last_seen, "-", t2, sizeof(t2)),
	        repctl_time(p->expires, "never", t3, sizeof(t3)),
	        repctl_expired(p->expires, sh->ctx->now) ? " (expired)" : "");
	text_feed(sh, p->feed);
}

/* text_record - every slot of one record */
static void text_record(const struct show *sh, const struct show_rec *r)
{
	char subj[REP_SUBJECT_TEXT_MAX];
	unsigned i;

	rep_subject_format(&r->subject, subj, sizeof(subj));
	printf("record %s (format %u):\n", subj, r->rec.version);
	if (r->rec.flags & REP_HAS_LOCAL)
		text_local(sh, &r->rec.local);
	if (r->rec.flags & REP_HAS_OVERRIDE)
		text_override(sh, &r->rec.override);
	for (i = 0; i < r->rec.npartners && i < REP_PARTNERS_MAX; i++)
		text_partner(sh, &r->rec.partner[i]);
}

/* show_text - the whole answer as text */
static void show_text(const struct show *sh)
{
	char subj[REP_SUBJECT_TEXT_MAX];
	unsigned i;

	rep_subject_format(&sh->subject, subj, sizeof(subj));
	printf("subject: %s\nscore: %.2f", subj, sh->score.score);
	if (sh->score.overridden)
		printf(" (override %s)",
		        repctl_action_name(sh->score.overridden));
	putchar('\n');
	if (sh->n == 0) {
		puts("no record");
		return;
	}
	puts(sh->score.overridden ? "terms (the override decides, the others "
	                            "do not count):"
	                          : "terms:");
	for (i = 0; i < sh->score.nterms && i < REP_TERMS_MAX; i++)
		text_term(sh, &sh->score.term[i]);
	for (i = 0; i < sh->n; i++)
		text_record(sh, &sh->v[i]);
}

/*
 * JSON output: the same content, one object.
 */

/* json_subject - a subject as "key": "text" */
static void json_subject(
        struct repctl_json *j, const char *key, const struct rep_subject *s)
{
	char subj[REP_SUBJECT_TEXT_MAX];

	rep_subject_format(s, subj, sizeof(subj));
	repctl_json_kv_str(j, key, subj);
}

/* json_term - one term of the score */
static void json_term(
        const struct show *sh, struct repctl_json *j, const struct rep_term *t)
{
	char buf[16];

	repctl_json_begin(j, '{');
	repctl_json_kv_str(j, "kind", term_name(t->kind));
	repctl_json_kv_num(j, "value", t->value);
	if (t->kind != REP_TERM_PARTNERS_CAP)
		json_subject(j, "from", &t->subject);
	if (t->kind == REP_TERM_LOCAL) {
		repctl_json_kv_num(j, "ham", t->ham);
		repctl_json_kv_num(j, "spam", t->spam);
	}
	if (t->kind == REP_TERM_PARTNER) {
		repctl_json_kv_str(j, "publisher",
		        repctl_names_get(
		                &sh->names, t->publisher, buf, sizeof(buf)));
		repctl_json_kv_num(j, "weight", partner_weight(t->publisher));
		repctl_json_kv_num(j, "cap", partner_cap(t->publisher));
		repctl_json_kv_num(j, "freshness", t->freshness);
		repctl_json_kv_bool(j, "capped", t->capped);
	}
	repctl_json_kv_bool(j, "expired", t->expired);
	repctl_json_end(j);
}

/* json_local - the local slot */
static void json_local(
        const struct show *sh, struct repctl_json *j, const struct rep_local *l)
{
	double ham, spam;

	rep_local_decayed(
	        l, repctl_policy()->half_life, sh->ctx->now, &ham, &spam);
	repctl_json_key(j, "local");
	repctl_json_begin(j, '{');
	repctl_json_kv_num(j, "ham", l->ham);
	repctl_json_kv_num(j, "spam", l->spam);
	repctl_json_kv_time(j, "stamp", l->stamp);
	repctl_json_kv_num(j, "ham_now", ham);
	repctl_json_kv_num(j, "spam_now", spam);
	repctl_json_kv_time(j, "first_seen", l->first_seen);
	repctl_json_kv_time(j, "last_seen", l->last_seen);
	repctl_json_end(j);
}

/* json_override - the operator's override */
static void json_override(const struct show *sh, struct repctl_json *j,
        const struct rep_override *o)
{
	repctl_json_key(j, "override");
	repctl_json_begin(j, '{');
	repctl_json_kv_str(j, "action", repctl_action_name(o->action));
	repctl_json_kv_str(j, "reason", o->reason);
	repctl_json_kv_str(j, "who", o->who);
	repctl_json_kv_time(j, "when", o->when);
	repctl_json_kv_time(j, "expires", o->expires);
	repctl_json_kv_bool(
	        j, "expired", repctl_expired(o->expires, sh->ctx->now));
	repctl_json_end(j);
}

/* json_feed - where a partner slot came from; null if unknown */
static void json_feed(const struct show *sh, struct repctl_json *j, uint32_t id)
{
	struct rep_feed f;

	repctl_json_key(j, "feed");
	if (id == 0 || rep_feed_get(sh->st, id, &f) != REP_OK) {
		repctl_json_null(j);
		return;
	}
	repctl_json_begin(j, '{');
	repctl_json_kv_int(j, "id", id);
	repctl_json_kv_str(j, "name", f.name);
	repctl_json_kv_int(j, "serial", (int64_t)f.serial);
	repctl_json_kv_time(j, "applied", f.applied);
	repctl_json_end(j);
}

/* json_partner - one partner's slot */
static void json_partner(const struct show *sh, struct repctl_json *j,
        const struct rep_partner *p)
{
	char buf[16];

	repctl_json_begin(j, '{');
	repctl_json_kv_str(j, "publisher",
	        repctl_names_get(&sh->names, p->publisher, buf, sizeof(buf)));
	repctl_json_kv_str(j, "op", rep_op_name(p->op));
	repctl_json_kv_str(j, "category", rep_category_name(p->category));
	repctl_json_kv_int(j, "confidence", p->confidence);
	repctl_json_kv_int(j, "hits", p->hits);
	repctl_json_kv_time(j, "first_seen", p->first_seen);
	repctl_json_kv_time(j, "last_seen", p->last_seen);
	repctl_json_kv_time(j, "expires", p->expires);
	repctl_json_kv_bool(
	        j, "expired", repctl_expired(p->expires, sh->ctx->now));
	repctl_json_kv_int(j, "seq", (int64_t)p->seq);
	repctl_json_kv_int(j, "reason", p->reason);
	json_feed(sh, j, p->feed);
	repctl_json_end(j);
}

/* json_record - every slot of one record; absent slots are null */
static void json_record(
        const struct show *sh, struct repctl_json *j, const struct show_rec *r)
{
	unsigned i;

	repctl_json_begin(j, '{');
	json_subject(j, "subject", &r->subject);
	repctl_json_kv_int(j, "version", r->rec.version);
	if (r->rec.flags & REP_HAS_LOCAL)
		json_local(sh, j, &r->rec.local);
	else
		repctl_json_kv_null(j, "local");
	if (r->rec.flags & REP_HAS_OVERRIDE)
		json_override(sh, j, &r->rec.override);
	else
		repctl_json_kv_null(j, "override");
	repctl_json_key(j, "partners");
	repctl_json_begin(j, '[');
	for (i = 0; i < r->rec.npartners && i < REP_PARTNERS_MAX; i++)
		json_partner(sh, j, &r->rec.partner[i]);
	repctl_json_end(j);
	repctl_json_end(j);
}

/* show_json - the whole answer as one JSON object */
static void show_json(const struct show *sh)
{
	struct repctl_json j;
	unsigned i;

	repctl_json_init(&j, stdout);
	repctl_json_begin(&j, '{');
	json_subject(&j, "subject", &sh->subject);
	repctl_json_kv_str(&j, "kind", repctl_kind_name(sh->subject.kind));
	repctl_json_kv_time(&j, "now", sh->ctx->now);
	repctl_json_kv_num(&j, "score", sh->score.score);
	repctl_json_key(&j, "override");
	if (sh->score.overridden)
		repctl_json_str(&j, repctl_action_name(sh->score.overridden));
	else
		repctl_json_null(&j);
	repctl_json_kv_bool(&j, "found", sh->n > 0);
	repctl_json_key(&j, "terms");
	repctl_json_begin(&j, '[');
	for (i = 0; i < sh->score.nterms && i < REP_TERMS_MAX; i++)
		json_term(sh, &j, &sh->score.term[i]);
	repctl_json_end(&j);
	repctl_json_key(&j, "records");
	repctl_json_begin(&j, '[');
	for (i = 0; i < sh->n; i++)
		json_record(sh, &j, &sh->v[i]);
	repctl_json_end(&j);
	repctl_json_end(&j);
}

/* show_run - gather and print; the store is open */
static int show_run(struct show *sh)
{
	int err, rc;

	if ((err = show_gather(sh)) != REP_OK)
		return repctl_store_error(sh->ctx, err);
	if (sh->ctx->json)
		show_json(sh);
	else
		show_text(sh);
	if ((rc = repctl_flush()) != 0)
		return rc;
	return sh->n > 0 ? REPCTL_OK : REPCTL_NOTFOUND;
}

/* repctl_cmd_show - show SUBJECT */
int repctl_cmd_show(struct repctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        REPCTL_COMMON_OPTS,
	        {NULL, 0, NULL, 0},
	};
	struct show *sh;
	int c, rc;

	while ((c = getopt_long(argc, argv, REPCTL_COMMON_SHORT, opts, NULL)) !=
	        -1)
		if ((rc = repctl_opt(ctx, c, argv)) != 0)
			return rc;
	if ((rc = repctl_args(ctx, argc, argv, 1, "SUBJECT")) != 0)
		return rc;
	/* struct rep_score and the names table are too big for the stack */
	if ((sh = calloc(1, sizeof(*sh))) == NULL) {
		repctl_error("out of memory");
		return REPCTL_STORE;
	}
	sh->ctx = ctx;
	if ((rc = repctl_subject(argv[optind], &sh->subject)) == 0 &&
	        (rc = repctl_open(ctx, REPCTL_READ, &sh->st)) == 0)
		rc = show_run(sh);
	rep_close(sh->st);
	free(sh->v);
	free(sh);
	return rc;
}
