/*
 * bench_store.c - figures for the reputation store: address lookups (one
 * and several threads), batched durable observations, the import of a large
 * rbldnsd list through repctl, and bytes of store per entry: after the
 * fill, after the observations (many small commits, as in production) and
 * in a compacted copy.
 *
 * A program that prints, not a test: make check builds it and never runs
 * it; `make bench` builds and runs it. Every figure is one line
 * `name: value unit`. Every loop is bounded in count and in time. The store
 * lives in a temporary directory that is removed at the end.
 *
 * The fill uses nosync commits (an unflushed commit costs the same CPU but
 * not the disk's flush), flushed before the observations, which use
 * durable commits as repmilter's writer thread does. Addresses come from a
 * seeded generator, so two runs with the same options do the same work.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "reputation.h"
#include "bench_util.h"

#define BENCH_FILL_BATCH 100000
#define BENCH_FILL_MAX_SECONDS 600.0   /* a fill slower than this is news */
#define BENCH_IMPORT_MAX_SECONDS 600.0 /* repctl is killed after this */
#define BENCH_THREADS_MAX 64
#define BENCH_PUBLISHER "fill"

struct opts {
	unsigned long entries;      /* /32 partner slots to fill */
	unsigned long prefixes;     /* shorter prefixes to fill */
	double seconds;             /* time bound of each measured phase */
	unsigned long threads;      /* lookups run on 1, then on this many */
	unsigned long lookups;      /* count bound per thread */
	unsigned long observations; /* count bound per batch size */
	unsigned long import_lines; /* lines of the rbldnsd list */
	unsigned long seed;
	const char *dir;    /* parent of the temporary directory */
	const char *repctl; /* path of repctl, or NULL: look for it */
	int keep;           /* keep the temporary directory */
};

/* The state every phase shares. */
struct bench {
	struct opts o;
	char dir[PATH_MAX];   /* temporary directory */
	char store[PATH_MAX]; /* store file inside it */
	uint32_t *addrs;      /* filled addresses, host order */
	size_t naddrs;
	int64_t now;
	uint64_t rng;
};

/* subject_v4 - the subject of an address given in host order */
static int subject_v4(uint32_t host, struct rep_subject *s)
{
	uint32_t net = htonl(host);
	return rep_subject_ip(AF_INET, &net, s);
}

/* open_store - open the bench store, durable or not */
static int open_store(struct bench *b, int nosync, struct rep_store **st)
{
	struct rep_open_opts oo;
	int err;

	memset(&oo, 0, sizeof oo);
	oo.create = 1;
	oo.nosync = nosync;
	err = rep_open(b->store, &oo, st);
	return err ? fail_rep("rep_open", err) : 0;
}

/*
 * FILL
 */

/* partner_slot - the slot every filled subject gets */
static void partner_slot(struct rep_partner *p, uint16_t pub, uint64_t seq,
        int64_t now, uint64_t r)
{
	memset(p, 0, sizeof *p);
	p->publisher = pub;
	p->op = REP_OP_LIST;
	p->category = (r & 3) ? REP_CAT_SPAM : REP_CAT_BOT;
	p->confidence = (uint8_t)(50 + (r >> 8) % 51);
	p->reason = 1;
	p->first_seen = now - (int64_t)((r >> 16) % 86400);
	p->last_seen = now;
	p->hits = 1 + (uint32_t)((r >> 40) % 20);
	p->seq = seq;
	p->feed = REP_FEED_THIS;
}

/* commit_batch - apply a batch and empty it */
static int commit_batch(
        struct rep_store *st, struct rep_batch *batch, int64_t now)
{
	struct rep_commit_stats cs;
	int err = rep_commit(st, batch, now, &cs);

	rep_batch_clear(batch);
	return err ? fail_rep("rep_commit", err) : 0;
}

/* start_batch - an empty batch that names the fill's feed */
static int start_batch(struct rep_batch *batch, uint16_t pub)
{
	int err;

	rep_batch_clear(batch);
	err = rep_batch_feed(batch, pub, 0, "bench-fill");
	return err ? fail_rep("rep_batch_feed", err) : 0;
}

/* prefix_len - a prefix length with a mix like a real blocklist's:
 * mostly /16../24, some longer, few shorter */
static unsigned prefix_len(uint64_t r)
{
	unsigned pick = (unsigned)(r % 100);

	if (pick < 2)
		return 8 + (unsigned)((r >> 8) % 8); /* /8../15 */
	if (pick < 90)
		return 16 + (unsigned)((r >> 8) % 9); /* /16../24 */
	return 25 + (unsigned)((r >> 8) % 7);         /* /25../31 */
}

/* prefix_subject - a random prefix of a random length */
static int prefix_subject(uint64_t *rng, struct rep_subject *s)
{
	unsigned len = prefix_len(rnd_next(rng));
	uint32_t a = rnd_unicast(rng) & (0xffffffffu << (32 - len));
	char text[32];

	snprintf(text, sizeof text, "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 255,
	        (a >> 8) & 255, a & 255, len);
	return rep_subject_parse(text, s);
}

/* fill_one - queue the partner slot of the i-th subject */
static int fill_one(
        struct bench *b, struct rep_batch *batch, uint16_t pub, size_t i)
{
	struct rep_subject s;
	struct rep_partner p;
	int err;

	if (i < b->o.entries) {
		b->addrs[b->naddrs] = rnd_unicast(&b->rng);
		err = subject_v4(b->addrs[b->naddrs++], &s);
	} else {
		err = prefix_subject(&b->rng, &s);
	}
	if (err)
		return fail_rep("subject", err);
	partner_slot(&p, pub, i + 1, b->now, rnd_next(&b->rng));
	err = rep_batch_partner(batch, &s, &p);
	return err ? fail_rep("rep_batch_partner", err) : 0;
}

/* fill - the addresses then the prefixes, as one publisher's slots */
static int fill(struct bench *b, struct rep_store *st)
{
	size_t total = b->o.entries + b->o.prefixes, i;
	struct rep_batch *batch;
	uint16_t pub;
	double t0 = now_sec(), t;
	int err, rc = -1;

	err = rep_publisher_ensure(st, BENCH_PUBLISHER, &pub);
	if (err)
		return fail_rep("rep_publisher_ensure", err);
	if ((err = rep_batch_new(&batch)) != 0)
		return fail_rep("rep_batch_new", err);
	if (start_batch(batch, pub) != 0)
		goto fail;
	for (i = 0; i < total && !bench_stop; i++) {
		if (fill_one(b, batch, pub, i) != 0)
			goto fail;
		if (rep_batch_count(batch) < BENCH_FILL_BATCH && i + 1 < total)
			continue;
		if (commit_batch(st, batch, b->now) != 0 ||
		        start_batch(batch, pub) != 0)
			goto fail;
		if (now_sec() - t0 > BENCH_FILL_MAX_SECONDS) {
			printf("fill_stopped: %zu entries (over %.0f s)\n",
			        i + 1, BENCH_FILL_MAX_SECONDS);
			i++;
			break;
		}
	}
	t = now_sec() - t0;
	printf("fill: %.0f entries/s (%zu subjects, nosync commits of %d)\n",
	        rate((double)i, t), i, BENCH_FILL_BATCH);
	rc = bench_stop ? -1 : 0;
fail:
	rep_batch_free(batch);
	return rc;
}

/*
 * SIZE
 */

/* print_size - bytes per entry: of the file, of the pages holding data
 * and of the free pages LMDB keeps for later commits; `when` names the
 * moment ("" after the fill) */
static int print_size(struct bench *b, struct rep_store *st, const char *when)
{
	struct rep_stats rs;
	double n = 0;
	int k, err;

	if ((err = rep_stats(st, &rs)) != 0)
		return fail_rep("rep_stats", err);
	for (k = 1; k <= 4; k++)
		n += (double)rs.records[k];
	if (n == 0) {
		fprintf(stderr, "bench_store: empty store\n");
		return -1;
	}
	if (*when == '\0')
		printf("entries: %.0f records (%zu partner slots)\n", n,
		        rs.partner_slots);
	printf("file_size%s: %llu bytes (%.0f records)\n", when,
	        (unsigned long long)file_bytes(b->store), n);
	printf("bytes_per_entry%s: %.1f bytes (file size / records)\n", when,
	        (double)file_bytes(b->store) / n);
	printf("used_per_entry%s: %.1f bytes (map_used / records: pages "
	       "holding data)\n",
	        when, (double)rs.map_used / n);
	printf("free_per_entry%s: %.1f bytes (map_free / records: free pages "
	       "that later commits reuse)\n",
	        when, (double)rs.map_free / n);
	fflush(stdout);
	return 0;
}

/* compact - time rep_compact of the store into a new file; bytes per
 * entry of the copy */
static int compact(struct bench *b, struct rep_store *st)
{
	char out[PATH_MAX];
	struct rep_stats rs;
	double t0, t, n = 0;
	int k, err;

	if (path_join(out, sizeof out, b->dir, "compact.mdb") != 0)
		return -1;
	if ((err = rep_stats(st, &rs)) != 0)
		return fail_rep("rep_stats", err);
	for (k = 1; k <= 4; k++)
		n += (double)rs.records[k];
	t0 = now_sec();
	if ((err = rep_compact(st, out)) != 0)
		return fail_rep("rep_compact", err);
	t = now_sec() - t0;
	printf("compact: %.2f s (rep_compact to a new file, %.0f records)\n", t,
	        n);
	printf("bytes_per_entry_compacted: %.1f bytes (compacted file / "
	       "records)\n",
	        n > 0 ? (double)file_bytes(out) / n : 0.0);
	fflush(stdout);
	return 0;
}

/*
 * LOOKUPS
 */

struct lookup_job {
	struct rep_store *st;
	const struct rep_policy *pol; /* NULL: rep_lookup, else rep_check */
	const uint32_t *addrs;
	size_t naddrs;
	unsigned long max;
	double seconds;
	int64_t now;
	uint64_t rng;
	pthread_barrier_t *start;
	unsigned long done, records; /* out */
	int err;                     /* out */
};

/* count_visit - the trivial visitor: count the records seen */
static int count_visit(
        const struct rep_subject *s, const struct rep_record *rec, void *arg)
{
	(void)s;
	(void)rec;
	++*(unsigned long *)arg;
	return 0;
}

/* lookup_subject - half filled addresses, half random ones (mostly
 * absent, some under a filled prefix) */
static int lookup_subject(struct lookup_job *j, struct rep_subject *s)
{
	uint64_t r = rnd_next(&j->rng);
	uint32_t a;

	if ((r & 1) && j->naddrs > 0)
		a = j->addrs[(r >> 1) % j->naddrs];
	else
		a = rnd_unicast(&j->rng);
	return subject_v4(a, s);
}

/* lookup_one - one lookup or check; adds the records it saw */
static int lookup_one(
        struct lookup_job *j, const struct rep_subject *s, struct rep_score *sc)
{
	unsigned long n = 0;
	int err;

	if (j->pol == NULL) {
		err = rep_lookup(j->st, s, count_visit, &n);
	} else {
		err = rep_check(j->st, j->pol, s, j->now, sc);
		n = sc->nrecords;
	}
	if (err == REP_E_NOTFOUND)
		err = 0;
	j->records += n;
	return err;
}

/* lookup_thread - look up until the count or the time bound */
static void *lookup_thread(void *arg)
{
	struct lookup_job *j = arg;
	struct rep_score *sc = malloc(sizeof *sc);
	struct rep_subject s;
	double t0;

	pthread_barrier_wait(j->start);
	t0 = now_sec();
	for (j->done = 0; j->done < j->max && sc != NULL; j->done++) {
		if ((j->done & 1023) == 1023 &&
		        (bench_stop || now_sec() - t0 >= j->seconds))
			break;
		j->err = lookup_subject(j, &s);
		if (j->err == 0)
			j->err = lookup_one(j, &s, sc);
		if (j->err != 0)
			break;
	}
	if (sc == NULL)
		j->err = REP_E_NOMEM;
	free(sc);
	return NULL;
}

/* lookup_run - n threads at once; prints the aggregate rate */
static int lookup_run(struct bench *b, struct rep_store *st,
        const struct rep_policy *pol, unsigned n, const char *name)
{
	struct lookup_job job[BENCH_THREADS_MAX];
	pthread_t tid[BENCH_THREADS_MAX];
	pthread_barrier_t start;
	unsigned long done = 0, records = 0;
	unsigned i, started = 0;
	double t0, t;
	int err = 0;

	pthread_barrier_init(&start, NULL, n + 1);
	for (i = 0; i < n; i++) {
		job[i] = (struct lookup_job){.st = st,
		        .pol = pol,
		        .addrs = b->addrs,
		        .naddrs = b->naddrs,
		        .max = b->o.lookups,
		        .seconds = b->o.seconds,
		        .now = b->now,
		        .rng = rnd_next(&b->rng),
		        .start = &start};
		if (pthread_create(&tid[i], NULL, lookup_thread, &job[i]) != 0)
			break;
		started++;
	}
	if (started < n) {
		/* The barrier would never open: fail loudly instead. */
		fprintf(stderr, "bench_store: pthread_create failed\n");
		abort();
	}
	pthread_barrier_wait(&start);
	t0 = now_sec();
	for (i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		done += job[i].done;
		records += job[i].records;
		if (job[i].err != 0)
			err = job[i].err;
	}
	t = now_sec() - t0;
	pthread_barrier_destroy(&start);
	if (err != 0)
		return fail_rep(name, err);
	printf("%s: %.0f lookups/s (%u thread%s, %lu lookups, "
	       "%.2f records/lookup, %.0f/s per thread)\n",
	        name, rate((double)done, t), n, n == 1 ? "" : "s", done,
	        done ? (double)records / (double)done : 0.0,
	        rate((double)done, t) / n);
	fflush(stdout);
	return 0;
}

/* lookups - rep_lookup and rep_check, on one thread then on several */
static int lookups(struct bench *b, struct rep_store *st)
{
	struct rep_policy *pol = malloc(sizeof *pol);
	char name[64];
	int rc = -1;

	if (pol == NULL)
		return fail_rep("policy", REP_E_NOMEM);
	rep_policy_init(pol);
	if (lookup_run(b, st, NULL, 1, "lookup_1t") != 0 ||
	        lookup_run(b, st, pol, 1, "check_1t") != 0)
		goto fail;
	if (b->o.threads > 1) {
		snprintf(name, sizeof name, "lookup_%lut", b->o.threads);
		if (lookup_run(b, st, NULL, (unsigned)b->o.threads, name) != 0)
			goto fail;
		snprintf(name, sizeof name, "check_%lut", b->o.threads);
		if (lookup_run(b, st, pol, (unsigned)b->o.threads, name) != 0)
			goto fail;
	}
	rc = 0;
fail:
	free(pol);
	return rc;
}

/*
 * OBSERVATIONS
 */

/* observe_addr - the address of one observation: half filled addresses,
 * half new ones, so that nearly every observation touches its own page of a
 * large store (the worst case for a commit) */
static uint32_t observe_addr(struct bench *b, uint64_t r)
{
	if ((r & 1) && b->naddrs > 0)
		return b->addrs[(r >> 1) % b->naddrs];
	return rnd_unicast(&b->rng);
}

/* observe_fill_batch - queue n observations; one in four is ham */
static int observe_fill_batch(
        struct bench *b, struct rep_batch *batch, unsigned long n)
{
	struct rep_subject s;
	unsigned long i;
	int err;

	for (i = 0; i < n; i++) {
		uint64_t r = rnd_next(&b->rng);
		int ham = ((r >> 40) & 3) == 0;

		if ((err = subject_v4(observe_addr(b, r), &s)) != 0)
			return fail_rep("subject", err);
		err = rep_batch_observe(batch, &s, ham, !ham, b->now);
		if (err)
			return fail_rep("rep_batch_observe", err);
	}
	return 0;
}

/* observe_run - durable commits of `size` observations each, until the
 * count or the time bound */
static int observe_run(
        struct bench *b, struct rep_store *st, unsigned long size)
{
	struct rep_batch *batch;
	unsigned long done = 0, commits = 0;
	double t0, t;
	int err, rc = -1;

	if ((err = rep_batch_new(&batch)) != 0)
		return fail_rep("rep_batch_new", err);
	t0 = now_sec();
	while (done < b->o.observations && !bench_stop &&
	        now_sec() - t0 < b->o.seconds) {
		if (observe_fill_batch(b, batch, size) != 0 ||
		        commit_batch(st, batch, b->now) != 0)
			goto fail;
		done += size;
		commits++;
	}
	t = now_sec() - t0;
	printf("observe_batch%lu: %.0f observations/s (durable, %lu commits, "
	       "%.1f ms/commit)\n",
	        size, rate((double)done, t), commits,
	        commits ? t * 1000.0 / (double)commits : 0.0);
	fflush(stdout);
	rc = bench_stop ? -1 : 0;
fail:
	rep_batch_free(batch);
	return rc;
}

/*
 * IMPORT
 */

/* write_list - an rbldnsd ip4set zone of `lines` entries: addresses, and
 * one /24 in a hundred */
static int write_list(struct bench *b, const char *path, unsigned long lines)
{
	FILE *f = fopen(path, "w");
	unsigned long i;

	if (f == NULL) {
		fprintf(stderr, "bench_store: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "# bench_store: generated rbldnsd ip4set list\n");
	for (i = 0; i < lines; i++) {
		uint32_t a = rnd_unicast(&b->rng);
		if (i % 100 == 99)
			fprintf(f, "%u.%u.%u.0/24\n", a >> 24, (a >> 16) & 255,
			        (a >> 8) & 255);
		else
			fprintf(f, "%u.%u.%u.%u\n", a >> 24, (a >> 16) & 255,
			        (a >> 8) & 255, a & 255);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "bench_store: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

/* import - time repctl importing a generated list into a fresh store */
static int import(struct bench *b)
{
	char repctl[PATH_MAX], list[PATH_MAX], db[PATH_MAX];
	unsigned long lines = b->o.import_lines;
	double t0, t;
	int rc;

	if (find_repctl(b->o.repctl, repctl, sizeof repctl) != 0) {
		printf("import: skipped (repctl not found)\n");
		return 0;
	}
	if (path_join(list, sizeof list, b->dir, "list.rbldnsd") != 0 ||
	        path_join(db, sizeof db, b->dir, "import.mdb") != 0 ||
	        write_list(b, list, lines) != 0)
		return -1;
	{
		char *argv[] = {repctl, "--db", db, "import", "--format",
		        "rbldnsd", "--publisher", "bench", list, NULL};
		t0 = now_sec();
		rc = run_bounded(argv, BENCH_IMPORT_MAX_SECONDS);
		t = now_sec() - t0;
	}
	if (rc != 0) {
		fprintf(stderr, "bench_store: %s import failed (status %d)\n",
		        repctl, rc);
		return -1;
	}
	printf("import: %.2f s (%lu-line rbldnsd list, fresh store, "
	       "repctl)\n",
	        t, lines);
	printf("import_rate: %.0f lines/s\n", rate((double)lines, t));
	return 0;
}

/*
 * SETUP
 */

/* usage_exit - print the usage (to stderr unless asked for) and exit */
static void usage_exit(int code)
{
	fputs("usage: bench_store [--quick] [--entries N] [--prefixes N]\n"
	      "  [--seconds S] [--threads N] [--lookups N] [--observations N]\n"
	      "  [--import-lines N] [--seed N] [--dir DIR] [--repctl PATH] "
	      "[--keep]\n",
	        code ? stderr : stdout);
	exit(code);
}

/* parse_num - a non-negative number, or exit with usage */
static double parse_num(const char *arg, const char *name)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || v < 0 || v > 1e12) {
		fprintf(stderr, "bench_store: bad %s: %s\n", name, arg);
		usage_exit(2);
	}
	return v;
}

/* quick - small sizes for a smoke run */
static void quick(struct opts *o)
{
	o->entries = 20000;
	o->prefixes = 500;
	o->seconds = 0.5;
	o->lookups = 50000;
	o->observations = 20000;
	o->import_lines = 20000;
}

/* parse_args - defaults, then the options given */
static void parse_args(int argc, char **argv, struct opts *o)
{
	/* The numeric options first: their index is their place in num[]. */
	static const struct option lo[] = {{"entries", 1, NULL, 0},
	        {"prefixes", 1, NULL, 0}, {"lookups", 1, NULL, 0},
	        {"observations", 1, NULL, 0}, {"import-lines", 1, NULL, 0},
	        {"seed", 1, NULL, 0}, {"threads", 1, NULL, 0},
	        {"seconds", 1, NULL, 's'}, {"dir", 1, NULL, 'd'},
	        {"repctl", 1, NULL, 'r'}, {"quick", 0, NULL, 'q'},
	        {"keep", 0, NULL, 'k'}, {"help", 0, NULL, 'h'},
	        {NULL, 0, NULL, 0}};
	unsigned long *num[] = {&o->entries, &o->prefixes, &o->lookups,
	        &o->observations, &o->import_lines, &o->seed, &o->threads};
	int c, i;

	*o = (struct opts){.entries = 1000000,
	        .prefixes = 10000,
	        .seconds = 5.0,
	        .threads = 2,
	        .lookups = 2000000,
	        .observations = 1000000,
	        .import_lines = 1000000,
	        .seed = 20240601};
	while ((c = getopt_long(argc, argv, "", lo, &i)) != -1) {
		if (c == 0)
			*num[i] = (unsigned long)parse_num(optarg, lo[i].name);
		else if (c == 's')
			o->seconds = parse_num(optarg, "seconds");
		else if (c == 'd' || c == 'r')
			*(c == 'd' ? &o->dir : &o->repctl) = optarg;
		else if (c == 'q')
			quick(o);
		else if (c == 'k')
			o->keep = 1;
		else
			usage_exit(c == 'h' ? 0 : 2);
	}
	if (optind != argc || o->entries == 0 || o->threads < 1 ||
	        o->threads > BENCH_THREADS_MAX)
		usage_exit(2);
}

/* flush_fill - write the fill's unflushed commits out, so that the first
 * durable commit timed does not pay for them */
static int flush_fill(struct bench *b)
{
	double t0 = now_sec();

	if (sync_file(b->store) != 0) {
		fprintf(stderr, "bench_store: fsync %s failed\n", b->store);
		return -1;
	}
	printf("flush: %.2f s (the fill's nosync commits, before durable "
	       "commits are timed)\n",
	        now_sec() - t0);
	return 0;
}

/* observe_runs - durable observations in batches of 10,000, 1,000 and
 * 100,000 (how far larger batches amortise a commit) */
static int observe_runs(struct bench *b, struct rep_store *st)
{
	if (observe_run(b, st, 10000) != 0 || observe_run(b, st, 1000) != 0 ||
	        observe_run(b, st, 100000) != 0)
		return -1;
	return 0;
}

/* run_store_phases - fill, size, lookups, observations, size again and
 * compaction on one store */
static int run_store_phases(struct bench *b)
{
	struct rep_store *st = NULL;
	int rc = -1;

	if (open_store(b, 1, &st) != 0)
		return -1;
	if (fill(b, st) != 0 || print_size(b, st, "") != 0)
		goto fail;
	/* Reopen durable: observations must pay for the flush. */
	rep_close(st);
	st = NULL;
	if (flush_fill(b) != 0 || open_store(b, 0, &st) != 0)
		goto fail;
	if (lookups(b, st) != 0 || observe_runs(b, st) != 0 ||
	        print_size(b, st, "_observed") != 0 || compact(b, st) != 0)
		goto fail;
	rc = 0;
fail:
	rep_close(st);
	return rc;
}

int main(int argc, char **argv)
{
	struct bench b;
	int rc = 1;

	memset(&b, 0, sizeof b);
	parse_args(argc, argv, &b.o);
	bench_signals();
	setvbuf(stdout, NULL, _IOLBF, 0);

	b.rng = b.o.seed;
	b.now = (int64_t)time(NULL);
	b.addrs = calloc(b.o.entries, sizeof *b.addrs);
	if (b.addrs == NULL ||
	        make_tempdir(b.o.dir, b.dir, sizeof b.dir) != 0 ||
	        path_join(b.store, sizeof b.store, b.dir, "reputation.mdb") !=
	                0) {
		free(b.addrs);
		return 1;
	}
	printf("bench_store: reputation store, %lu addresses + %lu prefixes\n",
	        b.o.entries, b.o.prefixes);
	print_machine(b.dir, b.o.seed);
	if (run_store_phases(&b) == 0 && import(&b) == 0)
		rc = 0;
	if (b.o.keep)
		printf("kept: %s\n", b.dir);
	else if (remove_tree(b.dir) != 0)
		fprintf(stderr, "bench_store: could not remove %s\n", b.dir);
	free(b.addrs);
	if (bench_stop)
		fprintf(stderr, "bench_store: interrupted\n");
	return rc;
}
