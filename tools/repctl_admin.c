/*
 * repctl_admin.c - store maintenance: "repctl stats" (what the store holds
 * and how full it is), "repctl purge" (drop what has expired) and "repctl
 * compact" (give free pages back to the file system).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "repctl.h"

/* Slots by publisher and op, counted by a scan (rep_stats gives totals
 * only), and the publishers themselves. */
struct stats {
	const struct repctl *ctx;
	struct rep_stats s;
	size_t slots[REP_PUBLISHERS_MAX][4]; /* by enum rep_op; 0: other */
	struct rep_publisher *pub;
	size_t npub, cap;
};

/* stats_visit - rep_scan visitor: count partner slots by publisher */
static int stats_visit(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	struct stats *sc = arg;
	const struct rep_partner *p;
	unsigned i;

	for (i = 0; i < r->npartners && i < REP_PARTNERS_MAX; i++) {
		p = &r->partner[i];
		if (p->publisher < REP_PUBLISHERS_MAX)
			sc->slots[p->publisher]
			         [p->op <= REP_OP_ALLOW ? p->op : 0]++;
	}
	return 0;
}

/* stats_pub - rep_publisher_list visitor: keep a copy */
static int stats_pub(const struct rep_publisher *p, void *arg)
{
	struct stats *sc = arg;
	struct rep_publisher *v;

	if (sc->npub == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 16;
		if ((v = realloc(sc->pub, sc->cap * sizeof(*v))) == NULL)
			return REP_E_NOMEM;
		sc->pub = v;
	}
	sc->pub[sc->npub++] = *p;
	return 0;
}

/* pub_slots - a publisher's slot counts */
static const size_t *pub_slots(
        const struct stats *sc, const struct rep_publisher *p)
{
	static const size_t none[4];

	return p->id < REP_PUBLISHERS_MAX ? sc->slots[p->id] : none;
}

/* stats_text - the figures as lines of text */
static void stats_text(const struct stats *sc)
{
	const struct rep_stats *s = &sc->s;
	const size_t *n;
	char t[REPCTL_TIME_MAX];
	size_t i;

	printf("store: %s\n"
	       "records: ip4 %zu, ip6 %zu, domain %zu, auth %zu\n"
	       "slots: local %zu, override %zu, partner %zu, tombstones %zu\n"
	       "publishers: %zu, feeds: %zu\n",
	        sc->ctx->db, s->records[REP_KIND_IP4], s->records[REP_KIND_IP6],
	        s->records[REP_KIND_DOMAIN], s->records[REP_KIND_AUTH],
	        s->with_local, s->with_override, s->partner_slots,
	        s->tombstones, s->publishers, s->feeds);
	for (i = 0; i < sc->npub; i++) {
		n = pub_slots(sc, &sc->pub[i]);
		printf("  publisher %s: list %zu, delist %zu, allow %zu; "
		       "seq %llu, updated %s\n",
		        sc->pub[i].name, n[REP_OP_LIST], n[REP_OP_DELIST],
		        n[REP_OP_ALLOW], (unsigned long long)sc->pub[i].seq,
		        repctl_time(sc->pub[i].updated, "never", t, sizeof(t)));
	}
	printf("file size: %llu bytes\n"
	       "map: %llu of %llu bytes used (%.1f%%), %llu free\n"
	       "readers: %u of %u\n",
	        (unsigned long long)s->file_size,
	        (unsigned long long)s->map_used,
	        (unsigned long long)s->map_size,
	        s->map_size ? 100.0 * (double)s->map_used / (double)s->map_size
	                    : 0.0,
	        (unsigned long long)s->map_free, s->readers_used,
	        s->readers_max);
}

/* stats_json_pubs - the publishers and their slots */
static void stats_json_pubs(const struct stats *sc, struct repctl_json *j)
{
	const size_t *n;
	size_t i;

	repctl_json_key(j, "publishers");
	repctl_json_begin(j, '[');
	for (i = 0; i < sc->npub; i++) {
		n = pub_slots(sc, &sc->pub[i]);
		repctl_json_begin(j, '{');
		repctl_json_kv_str(j, "name", sc->pub[i].name);
		repctl_json_kv_int(j, "id", sc->pub[i].id);
		repctl_json_kv_int(j, "list", (int64_t)n[REP_OP_LIST]);
		repctl_json_kv_int(j, "delist", (int64_t)n[REP_OP_DELIST]);
		repctl_json_kv_int(j, "allow", (int64_t)n[REP_OP_ALLOW]);
		repctl_json_kv_int(j, "epoch", (int64_t)sc->pub[i].epoch);
		repctl_json_kv_int(j, "seq", (int64_t)sc->pub[i].seq);
		repctl_json_kv_int(j, "serial", (int64_t)sc->pub[i].serial);
		repctl_json_kv_time(j, "updated", sc->pub[i].updated);
		repctl_json_end(j);
	}
	repctl_json_end(j);
}

/* stats_json - the figures as one JSON object */
static void stats_json(const struct stats *sc)
{
	const struct rep_stats *s = &sc->s;
	struct repctl_json j;
	int k;

	repctl_json_init(&j, stdout);
	repctl_json_begin(&j, '{');
	repctl_json_kv_str(&j, "store", sc->ctx->db);
	repctl_json_key(&j, "records");
	repctl_json_begin(&j, '{');
	for (k = REP_KIND_IP4; k <= REP_KIND_AUTH; k++)
		repctl_json_kv_int(
		        &j, repctl_kind_name(k), (int64_t)s->records[k]);
	repctl_json_end(&j);
	repctl_json_kv_int(&j, "local", (int64_t)s->with_local);
	repctl_json_kv_int(&j, "override", (int64_t)s->with_override);
	repctl_json_kv_int(&j, "partner", (int64_t)s->partner_slots);
	repctl_json_kv_int(&j, "tombstones", (int64_t)s->tombstones);
	repctl_json_kv_int(&j, "feeds", (int64_t)s->feeds);
	stats_json_pubs(sc, &j);
	repctl_json_kv_int(&j, "file_size", (int64_t)s->file_size);
	repctl_json_kv_int(&j, "map_size", (int64_t)s->map_size);
	repctl_json_kv_int(&j, "map_used", (int64_t)s->map_used);
	repctl_json_kv_int(&j, "map_free", (int64_t)s->map_free);
	repctl_json_kv_int(&j, "readers_used", s->readers_used);
	repctl_json_kv_int(&j, "readers_max", s->readers_max);
	repctl_json_end(&j);
}

/* stats_run - gather and print */
static int stats_run(struct stats *sc, struct rep_store *st)
{
	int err;

	if ((err = rep_stats(st, &sc->s)) != REP_OK ||
	        (err = rep_publisher_list(st, stats_pub, sc)) != REP_OK ||
	        (err = rep_scan(st, 0, stats_visit, sc)) != REP_OK)
		return repctl_store_error(sc->ctx, err);
	if (sc->ctx->json)
		stats_json(sc);
	else
		stats_text(sc);
	return repctl_flush();
}

/* no_options - the options of a command that has only the global ones */
static int no_options(struct repctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        REPCTL_COMMON_OPTS,
	        {NULL, 0, NULL, 0},
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, REPCTL_COMMON_SHORT, opts, NULL)) !=
	        -1)
		if ((rc = repctl_opt(ctx, c, argv)) != 0)
			return rc;
	return repctl_args(ctx, argc, argv, 0, "");
}

/* repctl_cmd_stats - stats */
int repctl_cmd_stats(struct repctl *ctx, int argc, char **argv)
{
	struct rep_store *st = NULL;
	struct stats *sc;
	int rc;

	if ((rc = no_options(ctx, argc, argv)) != 0)
		return rc;
	if ((sc = calloc(1, sizeof(*sc))) == NULL) {
		repctl_error("out of memory");
		return REPCTL_STORE;
	}
	sc->ctx = ctx;
	if ((rc = repctl_open(ctx, REPCTL_READ, &st)) == 0)
		rc = stats_run(sc, st);
	rep_close(st);
	free(sc->pub);
	free(sc);
	return rc;
}

/* purge_print - what purge dropped */
static void purge_print(
        const struct repctl *ctx, const struct rep_purge_stats *ps)
{
	struct repctl_json j;

	if (!ctx->json) {
		printf("purged: %zu overrides, %zu partner slots, "
		       "%zu tombstones, %zu local slots, %zu records\n",
		        ps->overrides, ps->partners, ps->tombstones, ps->locals,
		        ps->records);
		return;
	}
	repctl_json_init(&j, stdout);
	repctl_json_begin(&j, '{');
	repctl_json_kv_int(&j, "overrides", (int64_t)ps->overrides);
	repctl_json_kv_int(&j, "partners", (int64_t)ps->partners);
	repctl_json_kv_int(&j, "tombstones", (int64_t)ps->tombstones);
	repctl_json_kv_int(&j, "locals", (int64_t)ps->locals);
	repctl_json_kv_int(&j, "records", (int64_t)ps->records);
	repctl_json_end(&j);
}

/* Local counts decayed below this are noise, not evidence. */
#define PURGE_MIN_COUNT 0.01

/* repctl_cmd_purge - purge [--retention DURATION] */
int repctl_cmd_purge(struct repctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        REPCTL_COMMON_OPTS,
	        {"retention", required_argument, NULL, 'r'},
	        {NULL, 0, NULL, 0},
	};
	struct rep_purge_stats ps;
	struct rep_store *st = NULL;
	int64_t retention = 30 * 86400;
	int c, err, rc;

	while ((c = getopt_long(argc, argv, REPCTL_COMMON_SHORT, opts, NULL)) !=
	        -1) {
		rc = c == 'r' ? repctl_duration(
		                        "--retention", optarg, &retention)
		              : repctl_opt(ctx, c, argv);
		if (rc != 0)
			return rc;
	}
	if ((rc = repctl_args(ctx, argc, argv, 0, "")) != 0 ||
	        (rc = repctl_open(ctx, REPCTL_WRITE, &st)) != 0)
		return rc;
	memset(&ps, 0, sizeof(ps));
	err = rep_purge(st, ctx->now, retention, repctl_policy()->half_life,
	        PURGE_MIN_COUNT, &ps);
	rep_close(st);
	if (err != REP_OK)
		return repctl_store_error(ctx, err);
	purge_print(ctx, &ps);
	return repctl_flush();
}

/* file_size - a file's size in bytes, or -1 */
static int64_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : -1;
}

/* compact_print - the sizes before and after */
static void compact_print(const struct repctl *ctx, const char *out,
        int64_t before, int64_t after)
{
	struct repctl_json j;

	if (!ctx->json) {
		printf("compacted: %lld -> %lld bytes (%s)\n",
		        (long long)before, (long long)after, out);
		return;
	}
	repctl_json_init(&j, stdout);
	repctl_json_begin(&j, '{');
	repctl_json_kv_str(&j, "store", ctx->db);
	repctl_json_kv_str(&j, "output", out);
	repctl_json_kv_int(&j, "before", before);
	repctl_json_kv_int(&j, "after", after);
	repctl_json_end(&j);
}

/* compact_to - a compacted copy in a new file; the store stays in use */
static int compact_to(struct repctl *ctx, const char *out)
{
	struct rep_store *st = NULL;
	int err, rc;

	if (file_size(out) >= 0) {
		repctl_error("%s exists: give a new file", out);
		return REPCTL_USAGE;
	}
	if ((rc = repctl_open(ctx, REPCTL_READ, &st)) != 0)
		return rc;
	err = rep_compact(st, out);
	rep_close(st);
	if (err != REP_OK) {
		repctl_error("%s: %s", out, rep_strerror(err));
		return REPCTL_STORE;
	}
	return 0;
}

/* compact_here - compact the store file itself */
static int compact_here(struct repctl *ctx)
{
	int err = rep_compact_in_place(ctx->db);

	if (err == REP_E_BUSY) {
		repctl_error("%s: %s: stop repmilter and repsync first, or "
		             "use --output",
		        ctx->db, rep_strerror(err));
		return REPCTL_STORE;
	}
	return err == REP_OK ? 0 : repctl_store_error(ctx, err);
}

/* repctl_cmd_compact - compact [--output PATH] */
int repctl_cmd_compact(struct repctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        REPCTL_COMMON_OPTS,
	        {"output", required_argument, NULL, 'o'},
	        {NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	int64_t before;
	int c, rc;

	while ((c = getopt_long(argc, argv, REPCTL_COMMON_SHORT "o:", opts,
	                NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if ((rc = repctl_opt(ctx, c, argv)) != 0)
			return rc;
	}
	if ((rc = repctl_args(ctx, argc, argv, 0, "")) != 0)
		return rc;
	before = file_size(ctx->db);
	rc = out ? compact_to(ctx, out) : compact_here(ctx);
	if (rc != 0)
		return rc;
	compact_print(ctx, out ? out : ctx->db, before,
	        file_size(out ? out : ctx->db));
	return repctl_flush();
}
