/*
 * repctl_list.c - "repctl list": the subjects with the highest scores,
 * each record scored alone, optionally only those of one publisher or
 * category.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repctl.h"

#define LIST_LIMIT_MAX 100000

struct list_item {
	struct rep_subject subject;
	double score;
};

/* The scan keeps the best `limit` items in a min-heap: the root is the
 * worst of them, the one a better record replaces. */
struct list {
	const struct repctl *ctx;
	long limit;
	int kind;               /* enum rep_kind, 0: all */
	int publisher;          /* id, -1: any */
	int category;           /* enum rep_category, 0: any */
	struct list_item *heap; /* limit items */
	size_t n;
	struct repctl_names names;
};

/* better - does a rank above b? Higher score first, then store order, so
 * that the output does not depend on the scan */
static int better(const struct list_item *a, const struct list_item *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return rep_subject_cmp(&a->subject, &b->subject) < 0;
}

/* rank_cmp - qsort order: best first */
static int rank_cmp(const void *a, const void *b)
{
	return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

/* heap_down - restore the heap below slot i */
static void heap_down(struct list *l, size_t i)
{
	struct list_item tmp;
	size_t c;

	while ((c = 2 * i + 1) < l->n) {
		if (c + 1 < l->n && better(&l->heap[c], &l->heap[c + 1]))
			c++;
		if (!better(&l->heap[i], &l->heap[c]))
			break;
		tmp = l->heap[i];
		l->heap[i] = l->heap[c];
		l->heap[c] = tmp;
		i = c;
	}
}

/* heap_up - restore the heap above slot i */
static void heap_up(struct list *l, size_t i)
{
	struct list_item tmp;

	while (i > 0 && better(&l->heap[(i - 1) / 2], &l->heap[i])) {
		tmp = l->heap[i];
		l->heap[i] = l->heap[(i - 1) / 2];
		l->heap[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

/* list_wanted - does the record pass the --publisher and --category
 * filters? */
static int list_wanted(const struct list *l, const struct rep_record *r)
{
	const struct rep_partner *p;
	unsigned i;

	if (l->publisher < 0 && l->category == 0)
		return 1;
	for (i = 0; i < r->npartners && i < REP_PARTNERS_MAX; i++) {
		p = &r->partner[i];
		if (l->publisher >= 0 && p->publisher != l->publisher)
			continue;
		if (l->category != 0 &&
		        (p->category != l->category || p->op == REP_OP_DELIST))
			continue;
		return 1;
	}
	return 0;
}

/* list_visit - rep_scan visitor: score the record alone, keep it if it
 * ranks among the best */
static int list_visit(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	struct list *l = arg;
	struct list_item it;
	struct rep_score sc;

	if (!list_wanted(l, r))
		return 0;
	rep_score_init(&sc);
	rep_score_add(&sc, repctl_policy(), s, r, l->ctx->now);
	rep_score_finish(&sc, repctl_policy());
	it.subject = *s;
	it.score = sc.score;
	if (l->n < (size_t)l->limit) {
		l->heap[l->n++] = it;
		heap_up(l, l->n - 1);
	} else if (better(&it, &l->heap[0])) {
		l->heap[0] = it;
		heap_down(l, 0);
	}
	return 0;
}

/* summary_text - the record's slots in a few words */
static void summary_text(const struct list *l, const struct rep_record *r)
{
	const struct rep_partner *p;
	const char *sep = "  ";
	double ham, spam;
	char buf[16];
	unsigned i;

	if (r->flags & REP_HAS_OVERRIDE) {
		printf("%soverride %s", sep,
		        repctl_action_name(r->override.action));
		sep = ", ";
	}
	if (r->flags & REP_HAS_LOCAL) {
		rep_local_decayed(&r->local, repctl_policy()->half_life,
		        l->ctx->now, &ham, &spam);
		printf("%slocal ham %.2f spam %.2f", sep, ham, spam);
		sep = ", ";
	}
	for (i = 0; i < r->npartners && i < REP_PARTNERS_MAX; i++) {
		p = &r->partner[i];
		printf("%s%s %s %s", sep,
		        repctl_names_get(
		                &l->names, p->publisher, buf, sizeof(buf)),
		        rep_op_name(p->op), rep_category_name(p->category));
		sep = ", ";
	}
}

/* summary_json - the record's slots, structured */
static void summary_json(
        const struct list *l, struct repctl_json *j, const struct rep_record *r)
{
	const struct rep_partner *p;
	double ham, spam;
	char buf[16];
	unsigned i;

	if (r->flags & REP_HAS_LOCAL) {
		rep_local_decayed(&r->local, repctl_policy()->half_life,
		        l->ctx->now, &ham, &spam);
		repctl_json_key(j, "local");
		repctl_json_begin(j, '{');
		repctl_json_kv_num(j, "ham", ham);
		repctl_json_kv_num(j, "spam", spam);
		repctl_json_end(j);
	} else {
		repctl_json_kv_null(j, "local");
	}
	repctl_json_key(j, "partners");
	repctl_json_begin(j, '[');
	for (i = 0; i < r->npartners && i < REP_PARTNERS_MAX; i++) {
		p = &r->partner[i];
		repctl_json_begin(j, '{');
		repctl_json_kv_str(j, "publisher",
		        repctl_names_get(
		                &l->names, p->publisher, buf, sizeof(buf)));
		repctl_json_kv_str(j, "op", rep_op_name(p->op));
		repctl_json_kv_str(
		        j, "category", rep_category_name(p->category));
		repctl_json_kv_int(j, "confidence", p->confidence);
		repctl_json_end(j);
	}
	repctl_json_end(j);
}

/* item_json - one ranked subject as a JSON object */
static void item_json(const struct list *l, struct repctl_json *j, size_t rank,
        const struct list_item *it, const struct rep_record *r)
{
	char subj[REP_SUBJECT_TEXT_MAX];

	rep_subject_format(&it->subject, subj, sizeof(subj));
	repctl_json_begin(j, '{');
	repctl_json_kv_int(j, "rank", (int64_t)rank);
	repctl_json_kv_str(j, "subject", subj);
	repctl_json_kv_str(j, "kind", repctl_kind_name(it->subject.kind));
	repctl_json_kv_num(j, "score", it->score);
	if (r->flags & REP_HAS_OVERRIDE)
		repctl_json_kv_str(
		        j, "override", repctl_action_name(r->override.action));
	else
		repctl_json_kv_null(j, "override");
	summary_json(l, j, r);
	repctl_json_end(j);
}

/* item_text - one ranked subject as a line */
static void item_text(const struct list *l, size_t rank,
        const struct list_item *it, const struct rep_record *r)
{
	char subj[REP_SUBJECT_TEXT_MAX];

	rep_subject_format(&it->subject, subj, sizeof(subj));
	printf("%4zu %8.2f  %s", rank, it->score, subj);
	summary_text(l, r);
	putchar('\n');
}

/* list_print - the kept items, best first; each record is read again
 * for its summary (a point read per line costs nothing next to keeping
 * whole records for every candidate) */
static int list_print(struct list *l, struct rep_store *st)
{
	struct repctl_json j;
	struct rep_record rec;
	size_t i;
	int err;

	qsort(l->heap, l->n, sizeof(*l->heap), rank_cmp);
	repctl_json_init(&j, stdout);
	if (l->ctx->json)
		repctl_json_begin(&j, '[');
	for (i = 0; i < l->n; i++) {
		err = rep_get(st, &l->heap[i].subject, &rec);
		if (err == REP_E_NOTFOUND) /* purged since the scan */
			memset(&rec, 0, sizeof(rec));
		else if (err != REP_OK)
			return repctl_store_error(l->ctx, err);
		if (l->ctx->json)
			item_json(l, &j, i + 1, &l->heap[i], &rec);
		else
			item_text(l, i + 1, &l->heap[i], &rec);
	}
	if (l->ctx->json)
		repctl_json_end(&j);
	return repctl_flush();
}

/* list_run - resolve the publisher filter, scan, print */
static int list_run(struct list *l, struct rep_store *st, const char *pub)
{
	struct rep_publisher p;
	int err, rc;

	if (pub != NULL) {
		if ((rc = repctl_publisher(l->ctx, st, pub, &p)) != 0)
			return rc;
		l->publisher = p.id;
	}
	if ((l->heap = calloc((size_t)l->limit, sizeof(*l->heap))) == NULL) {
		repctl_error("out of memory");
		return REPCTL_STORE;
	}
	if ((err = repctl_names_load(st, &l->names)) != REP_OK ||
	        (err = rep_scan(st, l->kind, list_visit, l)) != REP_OK)
		return repctl_store_error(l->ctx, err);
	return list_print(l, st);
}

/* list_opt - one option of list */
static int list_opt(struct repctl *ctx, struct list *l, const char **pub, int c,
        char **argv)
{
	switch (c) {
	case 'n':
		return repctl_number(
		        "--limit", optarg, 1, LIST_LIMIT_MAX, &l->limit);
	case 'p':
		*pub = optarg;
		return 0;
	case 'c':
		if ((l->category = rep_category_parse(optarg)) < 0)
			return repctl_usage(
			        "list: unknown category '%s'", optarg);
		return 0;
	case 'k':
		if ((l->kind = repctl_kind_parse(optarg)) == 0)
			return repctl_usage("list: --kind is ip4, ip6, domain "
			                    "or auth, not '%s'",
			        optarg);
		return 0;
	default:
		return repctl_opt(ctx, c, argv);
	}
}

/* repctl_cmd_list - list [--limit N] [--publisher NAME] [--category C] */
int repctl_cmd_list(struct repctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        REPCTL_COMMON_OPTS,
	        {"limit", required_argument, NULL, 'n'},
	        {"publisher", required_argument, NULL, 'p'},
	        {"category", required_argument, NULL, 'c'},
	        {"kind", required_argument, NULL, 'k'},
	        {NULL, 0, NULL, 0},
	};
	struct rep_store *st = NULL;
	const char *pub = NULL;
	struct list *l;
	int c, rc = 0;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		repctl_error("out of memory");
		return REPCTL_STORE;
	}
	l->ctx = ctx;
	l->limit = 20;
	l->publisher = -1;
	while (rc == 0 && (c = getopt_long(argc, argv, REPCTL_COMMON_SHORT,
	                           opts, NULL)) != -1)
		rc = list_opt(ctx, l, &pub, c, argv);
	if (rc == 0 && (rc = repctl_args(ctx, argc, argv, 0, "")) == 0 &&
	        (rc = repctl_open(ctx, REPCTL_READ, &st)) == 0)
		rc = list_run(l, st, pub);
	rep_close(st);
	free(l->heap);
	free(l);
	return rc;
}
