/*
 * bench_feed.c - the feed format's cost (tools/feed.h): writes a snapshot
 * of --records records (default 1,000,000) and a delta of --delta records
 * (default 50,000), reads both back, checks every record, and prints
 * seconds, compressed and raw bytes, and the process's peak RSS after
 * each phase.
 *
 * Records look like a store's first-hand slot, in the order a publisher
 * writes them (rep_scan's store order, checked once before the timed
 * phases): IPv4 addresses ascending with /24 prefixes among them, then
 * IPv6 addresses, then domains in key order; times over the last 90
 * days, sequence numbers spread over the publisher's history. Nothing
 * is kept in memory: the reader checks against the same generator, so
 * the RSS figures are the feed's own. Results: RESULTS.md, feed.
 *
 *	bench_feed [--records N] [--delta N] [--level L] [--dir D]
 *	           [--seed S] [--keep]
 */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench_util.h"
#include "feed.h"
#include "reputation.h"

#define NOW 1700000000
#define DAY 86400

struct opts {
	unsigned long records, delta, seed;
	int level, keep;
	const char *dir;
};

/* A generator of records in store order. */
struct gen {
	uint64_t rng;
	uint32_t ip4; /* the last IPv4 address handed out */
	unsigned long n, i;
	uint64_t seq_lo, seq_hi;
};

/* usage - the arguments, then exit */
static void usage(void)
{
	fprintf(stderr, "usage: bench_feed [--records N] [--delta N] "
	                "[--level L] [--dir D] [--seed S] [--keep]\n");
	exit(2);
}

/* parse_args - options into o */
static void parse_args(int argc, char **argv, struct opts *o)
{
	int i;

	*o = (struct opts){1000000, 50000, 1, 0, 0, NULL};
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--keep") == 0) {
			o->keep = 1;
			continue;
		}
		if (v == NULL)
			usage();
		if (strcmp(a, "--records") == 0)
			o->records = strtoul(v, NULL, 10);
		else if (strcmp(a, "--delta") == 0)
			o->delta = strtoul(v, NULL, 10);
		else if (strcmp(a, "--seed") == 0)
			o->seed = strtoul(v, NULL, 10);
		else if (strcmp(a, "--level") == 0)
			o->level = atoi(v);
		else if (strcmp(a, "--dir") == 0)
			o->dir = v;
		else
			usage();
		i++;
	}
}

/* ip4_step - the gap to the next IPv4 address: half in clusters (a
 * spammer's range), half spread out; spread less for feeds of more
 * than 1,000,000 records, so that the addresses stay within 2^32 */
static uint32_t ip4_step(const struct gen *g, uint64_t r)
{
	uint64_t spread = g->n > 1000000 ? 6000000000ull / g->n : 6000;

	return 1 + (uint32_t)(r % 2 ? (r >> 1) % 16 : (r >> 1) % spread);
}

/* subject_text - the i-th subject of n, in store order (rep_scan's, as
 * a publisher writes them): IPv4 addresses ascending (90%) with /24
 * prefixes among them (3%; a prefix sorts before the addresses it
 * holds), then IPv6 addresses (4%), then domains (3%) in key order:
 * by zone, then host label, zero-padded so that text order is key
 * order */
static void subject_text(struct gen *g, uint64_t r, char *text, size_t len)
{
	unsigned long part = g->i * 100 / g->n;
	struct in_addr a;
	struct in6_addr a6;

	if (part < 93 && (r >> 33) % 93 < 3) {
		g->ip4 = ((g->ip4 >> 8) + 1) << 8;
		a.s_addr = htonl(g->ip4);
		inet_ntop(AF_INET, &a, text, (socklen_t)len);
		strcat(text, "/24");
	} else if (part < 93) {
		g->ip4 += ip4_step(g, r);
		a.s_addr = htonl(g->ip4);
		inet_ntop(AF_INET, &a, text, (socklen_t)len);
	} else if (part < 97) {
		memset(&a6, 0, sizeof a6);
		a6.s6_addr[0] = 0x20;
		a6.s6_addr[1] = 0x01;
		memcpy(a6.s6_addr + 8, &r, 8);
		a6.s6_addr[4] = (uint8_t)(g->i >> 24);
		a6.s6_addr[5] = (uint8_t)(g->i >> 16);
		a6.s6_addr[6] = (uint8_t)(g->i >> 8);
		a6.s6_addr[7] = (uint8_t)g->i;
		inet_ntop(AF_INET6, &a6, text, (socklen_t)len);
	} else {
		unsigned long d0 = g->n * 97 / 100 + (g->n * 97 % 100 != 0);
		unsigned long zone = (g->i - d0) * 5000 / (g->n - d0);
		snprintf(text, len, "%sh%07lu.example-%04lu.net",
		        r % 3 == 0 ? "." : "", g->i, zone);
	}
}

/* subject_at - the generator's next subject */
static void subject_at(struct gen *g, struct rep_subject *s)
{
	char text[REP_SUBJECT_TEXT_MAX];

	subject_text(g, rnd_next(&g->rng), text, sizeof text);
	if (rep_subject_parse(text, s) != 0) {
		fprintf(stderr, "bench_feed: bad subject %s\n", text);
		exit(1);
	}
}

/* hits_of - a heavy-tailed hit count: most sources are seen a few
 * times, a few very often */
static uint32_t hits_of(uint64_t x)
{
	double u = (double)((x >> 11) | 1) / 9007199254740992.0; /* (0, 1] */
	double h = 1.0 / u;

	return h > 100000.0 ? 100000u : (uint32_t)h;
}

/* next_record - the generator's next record. Distributions, chosen to
 * look like a spam-trap listing rather than noise: first seen over the
 * last 90 days, 40% seen once (last = first), others for up to 10 more
 * days; expiry a fixed time after last seen (7 days for a listing, 30
 * for a delist); a few confidence levels and categories; sequence
 * numbers growing with last_seen (changes are made as things are seen),
 * plus noise. */
static void next_record(struct gen *g, struct feed_record *r)
{
	static const uint8_t conf[] = {50, 60, 75, 90, 95, 100};
	static const uint8_t cat[] = {1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 6, 7};
	uint64_t x = rnd_next(&g->rng), y = rnd_next(&g->rng);
	int64_t t0 = NOW - 90 * DAY;

	memset(r, 0, sizeof *r);
	subject_at(g, &r->subject);
	r->op = x % 10 == 0 ? REP_OP_DELIST : REP_OP_LIST;
	r->category = cat[(x >> 8) % sizeof cat];
	r->confidence = conf[(x >> 16) % sizeof conf];
	r->first_seen = t0 + (int64_t)((x >> 24) % (90 * DAY));
	r->last_seen =
	        y % 10 < 4 ? r->first_seen
	                   : r->first_seen +
	                             (int64_t)((y >> 8) %
	                                       (uint64_t)(NOW - r->first_seen +
	                                                  1) %
	                                       (10 * DAY));
	r->expires = r->last_seen + (r->op == REP_OP_LIST ? 7 : 30) * DAY;
	r->hits = hits_of(y);
	r->reason = (uint16_t)((x >> 56) % 12);
	r->seq = g->seq_lo + (uint64_t)(r->last_seen - t0) *
	                             (g->seq_hi - g->seq_lo) / (90 * DAY + 1);
	r->seq += (y >> 40) % 64;
	if (r->seq > g->seq_hi)
		r->seq = g->seq_hi;
	g->i++;
}

/* gen_init - a generator of n records with seq in [lo, hi] */
static void gen_init(struct gen *g, unsigned long seed, unsigned long n,
        uint64_t lo, uint64_t hi)
{
	*g = (struct gen){seed, 0x01000000u, n, 0, lo, hi};
}

/* check_order - does the generator give n subjects in strictly
 * ascending store order (rep_subject_cmp), as rep_scan would? Run once
 * before the timed phases; the records are made again for each. */
static int check_order(unsigned long seed, unsigned long n)
{
	struct feed_record prev, cur;
	struct gen g;
	unsigned long i;

	gen_init(&g, seed, n, 1, 5000000);
	for (i = 0; i < n; i++) {
		next_record(&g, &cur);
		if (i > 0 &&
		        rep_subject_cmp(&prev.subject, &cur.subject) >= 0) {
			fprintf(stderr,
			        "bench_feed: record %lu out of store "
			        "order\n",
			        i);
			return -1;
		}
		prev = cur;
	}
	return 0;
}

/* peak_rss_mb - the process's peak resident set so far */
static double peak_rss_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

/* write_phase - write a feed of g->n records into dir */
static int write_phase(const char *dir, const struct feed_header *h,
        struct gen *g, int level, struct feed_file *f)
{
	struct feed_write_opts o = {level, 0};
	struct feed_writer *w = NULL;
	struct feed_record r;
	unsigned long i;
	int err;

	if ((err = feed_writer_open(dir, h, &o, &w)) != 0)
		goto fail;
	for (i = 0; i < g->n && !bench_stop; i++) {
		next_record(g, &r);
		if ((err = feed_write(w, &r)) != 0)
			goto fail;
	}
	err = feed_writer_finish(w, f);
fail:
	feed_writer_free(w);
	if (err != 0)
		fprintf(stderr, "bench_feed: write: %s\n", feed_strerror(err));
	return err;
}

/* same - the fields the generator made, read back */
static int same(const struct feed_record *a, const struct feed_record *b)
{
	return rep_subject_cmp(&a->subject, &b->subject) == 0 &&
	       a->op == b->op && a->category == b->category &&
	       a->confidence == b->confidence && a->reason == b->reason &&
	       a->first_seen == b->first_seen && a->last_seen == b->last_seen &&
	       a->expires == b->expires && a->hits == b->hits &&
	       a->seq == b->seq;
}

/* read_phase - read the feed back, checking each record */
static int read_phase(const char *path, struct gen *g)
{
	struct feed_reader *r = NULL;
	struct feed_record got, want;
	unsigned long n = 0;
	uint64_t line = 0;
	int rc;

	if ((rc = feed_reader_open(path, NULL, &r)) != 0)
		goto out;
	while ((rc = feed_reader_next(r, &got)) == 1) {
		next_record(g, &want);
		if (!same(&got, &want)) {
			fprintf(stderr, "bench_feed: record %lu differs\n", n);
			rc = -1;
			break;
		}
		n++;
	}
	feed_reader_where(r, &line, NULL);
	if (rc == 0 && n != g->n)
		rc = -1;
out:
	if (rc != 0)
		fprintf(stderr, "bench_feed: read: %s at line %llu\n",
		        feed_strerror(rc), (unsigned long long)line);
	feed_reader_close(r);
	return rc;
}

/* phase - write then read one feed and print its figures */
static int phase(const char *dir, const char *what, int kind, unsigned long n,
        uint64_t lo, uint64_t hi, const struct opts *o)
{
	struct feed_header h = {
	        FEED_VERSION, (uint8_t)kind, "bench", 1, lo, hi, NOW};
	struct feed_file f;
	struct gen g;
	char path[4096];
	double t0, tw, tr;

	gen_init(&g, o->seed, n, lo, hi);
	t0 = now_sec();
	if (write_phase(dir, &h, &g, o->level, &f) != 0)
		return -1;
	tw = now_sec() - t0;
	printf("%-8s write %9lu records  %7.3f s  %11llu bytes (%.1f MB, "
	       "%.1f B/record, raw %.1f MB)  peak RSS %.1f MB\n",
	        what, n, tw, (unsigned long long)f.size, f.size / 1e6,
	        n ? (double)f.size / n : 0.0, f.raw_bytes / 1e6, peak_rss_mb());
	path_join(path, sizeof path, dir, f.name);
	gen_init(&g, o->seed, n, lo, hi);
	t0 = now_sec();
	if (read_phase(path, &g) != 0)
		return -1;
	tr = now_sec() - t0;
	printf("%-8s read  %9lu records  %7.3f s  (%.0f records/s)  "
	       "peak RSS %.1f MB\n",
	        what, n, tr, rate((double)n, tr), peak_rss_mb());
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	char dir[4096];
	int rc = 1;

	parse_args(argc, argv, &o);
	bench_signals();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (make_tempdir(o.dir, dir, sizeof dir) != 0)
		return 1;
	printf("bench_feed: feed format, snapshot of %lu, delta of %lu, "
	       "zstd level %d\n",
	        o.records, o.delta, o.level ? o.level : FEED_LEVEL_DEFAULT);
	print_machine(dir, o.seed);
	if (check_order(o.seed, o.records) != 0 ||
	        check_order(o.seed, o.delta) != 0)
		goto out;
	printf("order: subjects in store order (checked)\n");
	printf("start    peak RSS %.1f MB\n", peak_rss_mb());
	if (phase(dir, "snapshot", FEED_SNAPSHOT, o.records, 1, 5000000, &o) ==
	                0 &&
	        phase(dir, "delta", FEED_DELTA, o.delta, 5000001, 5100000,
	                &o) == 0)
		rc = 0;
out:
	if (o.keep)
		printf("kept: %s\n", dir);
	else if (remove_tree(dir) != 0)
		fprintf(stderr, "bench_feed: could not remove %s\n", dir);
	return bench_stop ? 1 : rc;
}
