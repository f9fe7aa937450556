/*
 * bench_milter.c - load for a milter: N concurrent connections, each an
 * SMTP session as Postfix would drive it (OPTNEG, CONNECT with a client
 * address, HELO, then messages), sending a corpus of realistic messages
 * (tests/milter/mailcorpus.h). Prints, per concurrency level, messages per
 * second, the latency of each message from MAIL to the EOM reply (p50, p99,
 * max), and with --pid the filter's CPU time per message and peak RSS.
 *
 * A program that prints, not a test: make check builds it and never runs
 * it; tests/bench/run-milter-bench.sh drives it. Every level is bounded in
 * messages (--messages) and in time (--duration-max). Client addresses
 * come from --clients-file (or 198.18.0.0/15, generated) and, for a
 * --listed-fraction of the sessions, from --listed-file: the addresses the
 * benchmark's DNS lists and store hold. Everything is seeded: two runs with
 * the same options send the same bytes.
 *
 * With --sender-domains the messages come from those domains (the ones
 * the benchmark's DNS serves SPF, DMARC and DKIM key records for), and
 * with --dkim-keys shares of them (--sign-shares, default 40% rsa-sha256,
 * 20% ed25519-sha256, 10% signed then changed, the rest unsigned) carry
 * real signatures, made once at start with libopendkim (bench_corpus.h).
 * The bytes then depend on the keys too. --dump-corpus DIR writes the
 * corpus out and exits, without a filter. --write-corpus DIR does the same
 * for an MTA to be loaded with (tests/bench/run-postfix-bench.sh): the
 * corpus files, and DIR/manifest with one line for each of --messages
 * messages (message i is corpus message i modulo --corpus, as in the
 * load), in the form tests/integration/smtpsend -L reads: the file, the
 * client address (drawn as the load draws a session's client, seeded),
 * the client's name and HELO (the message's HELO name, what the load
 * passes at CONNECT and HELO), the envelope sender and the recipients.
 *
 * Output: one comment line about the corpus, a header line, then one
 * whitespace-separated row per level ("-" where a figure is not known):
 * label, concurrency, messages done, seconds, messages/s, latency p50, p99
 * and max in ms, the filter's CPU µs per message (/proc/PID/stat utime +
 * stime, clock ticks: resolution 10 ms over the level), this program's own
 * CPU µs per message (the MTA side), the filter's VmHWM in kB, the final
 * verdicts (accept, reject, tempfail, other) and errors. The exit status is
 * 1 when any message failed.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_corpus.h"
#include "mailcorpus.h"
#include "milterclient.h"

#define BENCH_LEVELS_MAX 16
#define BENCH_CONC_MAX 1000
#define BENCH_MESSAGES_MAX 10000000
#define BENCH_FAILS_MAX 10 /* a worker stops after this many in a row */
#define BENCH_ADDRS_MAX 2000000
#define BENCH_STACK (256 * 1024)

struct opts {
	const char *socket;
	const char *label;
	unsigned levels[BENCH_LEVELS_MAX];
	size_t nlevels;
	size_t messages;     /* per level */
	double duration_max; /* seconds per level */
	unsigned per_conn;   /* messages per connection */
	const char *listed_file, *clients_file;
	double listed_fraction;
	size_t corpus;
	uint64_t seed;
	const char *domains_file, *dkim_keys, *dkim_selectors, *dump_dir;
	const char *write_dir;
	unsigned shares[3]; /* % rsa, ed25519, tampered */
	long pid;           /* the filter's, for CPU and RSS; 0: none */
	unsigned timeout_ms;
	size_t warmup;
};

/* An address list: text forms, ready for mc_connect. */
struct addrs {
	char (*a)[48];
	size_t n;
};

/* What one level counts. */
struct level {
	unsigned conc;
	size_t max;
	double deadline;
	atomic_size_t next;
	double *lat; /* per claimed message, seconds; NAN: not sent */
};

/* Per worker thread. */
struct worker {
	struct bench *b;
	unsigned id;
	uint64_t rng;
	size_t verdicts[4]; /* accept, reject, tempfail, other */
	size_t errors;
	char err[300];
	pthread_t t;
};

struct bench {
	struct opts o;
	struct mailcorpus *corpus;
	struct addrs clients, listed;
	struct level lv;
};

static volatile sig_atomic_t bench_stop;

/* on_signal - end every loop at its next message */
static void on_signal(int sig)
{
	(void)sig;
	bench_stop = 1;
}

/* now - monotonic seconds */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* rnd - splitmix64 */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* die - a message and exit 2 (bad arguments or files) */
__attribute__((noreturn, format(printf, 1, 2))) static void die(
        const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_milter: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* addrs_add - one address, checked */
static void addrs_add(struct addrs *l, const char *text, size_t *cap)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, text, buf) != 1 &&
	        inet_pton(AF_INET6, text, buf) != 1)
		die("not an address: %s", text);
	if (l->n == BENCH_ADDRS_MAX)
		die("more than %d addresses", BENCH_ADDRS_MAX);
	if (l->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		l->a = realloc(l->a, *cap * sizeof *l->a);
		if (l->a == NULL)
			abort();
	}
	snprintf(l->a[l->n++], sizeof *l->a, "%s", text);
}

/* addrs_load - one address a line; blank lines and # comments skipped */
static void addrs_load(struct addrs *l, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[256];
	size_t cap = 0;

	if (fp == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, fp) != NULL) {
		char *p = line + strspn(line, " \t");

		p[strcspn(p, " \t\r\n#")] = '\0';
		if (*p)
			addrs_add(l, p, &cap);
	}
	fclose(fp);
	if (l->n == 0)
		die("%s: no addresses", path);
}

/* addrs_generate - n addresses of 198.18.0.0/15 (RFC 2544, benchmarks) */
static void addrs_generate(struct addrs *l, size_t n, uint64_t seed)
{
	size_t cap = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t r = rnd(&seed);
		char text[32];

		snprintf(text, sizeof text, "198.%u.%u.%u",
		        18 + (unsigned)(r & 1), (unsigned)(r >> 8) & 255,
		        1 + (unsigned)((r >> 16) % 254));
		addrs_add(l, text, &cap);
	}
}

/* client_pick - a session's client address: from the listed ones for a
 * --listed-fraction of the draws, else from the clients */
static const char *client_pick(const struct bench *b, uint64_t *rng)
{
	const struct addrs *l = &b->clients;

	if (b->listed.n > 0 &&
	        (double)(rnd(rng) % 1000000) < b->o.listed_fraction * 1e6)
		l = &b->listed;
	return l->a[rnd(rng) % l->n];
}

/* session_open - connect, CONNECT from a client of the lists, HELO */
static int session_open(struct worker *w, size_t msg, struct mc_conn **out)
{
	const struct bench *b = w->b;
	struct mc_options mo = {.timeout_ms = b->o.timeout_ms};
	const struct mailcorpus_msg *m = mailcorpus_get(b->corpus, msg);
	const char *client = client_pick(b, &w->rng);
	int rc;

	rc = mc_open(b->o.socket, &mo, out, w->err, sizeof w->err);
	if (rc != MC_OK)
		return rc;
	rc = mc_connect(*out, m->helo, client, 25000, NULL);
	if (rc == MC_OK)
		rc = mc_helo(*out, m->helo, NULL);
	if (rc != MC_OK) {
		snprintf(w->err, sizeof w->err, "%s", mc_error(*out));
		mc_close(*out);
		*out = NULL;
	}
	return rc;
}

/* count_verdict - tally the final reply */
static void count_verdict(struct worker *w, int v)
{
	if (v == MC_ACCEPT || v == MC_CONTINUE)
		w->verdicts[0]++;
	else if (v == MC_REJECT)
		w->verdicts[1]++;
	else if (v == MC_TEMPFAIL)
		w->verdicts[2]++;
	else
		w->verdicts[3]++;
}

/* send_one - message i of the level on c; its latency into the level */
static int send_one(struct worker *w, struct mc_conn *c, size_t i)
{
	const struct mailcorpus_msg *cm = mailcorpus_get(w->b->corpus, i);
	struct mc_message m = {
	        cm->sender, cm->rcpts, cm->nrcpts, cm->data, cm->len};
	struct mc_eom e;
	double t0 = now();
	int rc = mc_send(c, &m, &e);

	if (rc != MC_OK) {
		snprintf(w->err, sizeof w->err, "%s", mc_error(c));
		return rc;
	}
	if (w->b->lv.lat != NULL)
		w->b->lv.lat[i] = now() - t0;
	count_verdict(w, e.reply.verdict);
	return MC_OK;
}

/* worker_run - claim messages until the level's count or time is up */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct level *lv = &w->b->lv;
	struct mc_conn *c = NULL;
	unsigned on_conn = 0, fails = 0;

	while (!bench_stop && fails < BENCH_FAILS_MAX) {
		size_t i = atomic_fetch_add(&lv->next, 1);
		int rc;

		if (i >= lv->max || now() >= lv->deadline)
			break;
		rc = c ? MC_OK : session_open(w, i, &c);
		if (rc == MC_OK)
			rc = send_one(w, c, i);
		if (rc != MC_OK) {
			w->errors++;
			fails++;
			mc_close(c);
			c = NULL;
			on_conn = 0;
			continue;
		}
		fails = 0;
		if (++on_conn >= w->b->o.per_conn) {
			mc_close(c);
			c = NULL;
			on_conn = 0;
		}
	}
	mc_close(c);
	return NULL;
}

/* proc_cpu_us - utime + stime of pid in µs, or -1 */
static double proc_cpu_us(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* the command name may hold blanks and parentheses: skip past the
	 * last ')' to field 3 */
	if ((p = strrchr(buf, ')')) == NULL ||
	        sscanf(p + 1,
	                " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	                &ut, &st) != 2)
		return -1;
	return (double)(ut + st) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

/* proc_hwm_kb - VmHWM of pid in kB, or -1 */
static long proc_hwm_kb(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *fp;

	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, fp) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

/* self_cpu_us - this process's CPU time in µs */
static double self_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* cmp_double - for qsort */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The figures of one level. */
struct result {
	size_t done, verdicts[4], errors;
	double secs, p50, p99, max, cpu_us, self_us;
	long hwm_kb;
	char err[300];
};

/* percentiles - sort the latencies of the messages sent */
static void percentiles(
        const struct level *lv, size_t claimed, struct result *r)
{
	size_t n = 0;

	for (size_t i = 0; i < claimed && i < lv->max; i++)
		if (!isnan(lv->lat[i]))
			lv->lat[n++] = lv->lat[i];
	r->done = n;
	r->p50 = r->p99 = r->max = NAN;
	if (n == 0)
		return;
	qsort(lv->lat, n, sizeof *lv->lat, cmp_double);
	r->p50 = lv->lat[(n - 1) / 2];
	r->p99 = lv->lat[(size_t)((double)(n - 1) * 0.99)];
	r->max = lv->lat[n - 1];
}

/* workers_run - conc threads over the level, joined */
static void workers_run(struct bench *b, unsigned conc, struct worker *w)
{
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, BENCH_STACK);
	for (unsigned k = 0; k < conc; k++) {
		w[k] = (struct worker){.b = b, .id = k};
		w[k].rng = b->o.seed * 1000003u + conc * 1009u + k;
		if (pthread_create(&w[k].t, &attr, worker_run, &w[k]) != 0)
			die("cannot start thread %u", k);
	}
	for (unsigned k = 0; k < conc; k++)
		pthread_join(w[k].t, NULL);
	pthread_attr_destroy(&attr);
}

/* level_run - one level: conc workers, at most max messages */
static void level_run(
        struct bench *b, unsigned conc, size_t max, struct result *r)
{
	struct worker *w = calloc(conc, sizeof *w);
	double t0, cpu0 = b->o.pid ? proc_cpu_us(b->o.pid) : -1;
	double self0 = self_cpu_us();

	if (w == NULL)
		abort();
	memset(r, 0, sizeof *r);
	for (size_t i = 0; b->lv.lat != NULL && i < max; i++)
		b->lv.lat[i] = NAN;
	b->lv.conc = conc;
	b->lv.max = max;
	atomic_store(&b->lv.next, 0);
	t0 = now();
	b->lv.deadline = t0 + b->o.duration_max;
	workers_run(b, conc, w);
	r->secs = now() - t0;
	r->self_us = self_cpu_us() - self0;
	r->cpu_us = cpu0 >= 0 ? proc_cpu_us(b->o.pid) - cpu0 : -1;
	r->hwm_kb = b->o.pid ? proc_hwm_kb(b->o.pid) : -1;
	for (unsigned k = 0; k < conc; k++) {
		for (int v = 0; v < 4; v++)
			r->verdicts[v] += w[k].verdicts[v];
		r->errors += w[k].errors;
		if (w[k].errors && !r->err[0])
			memcpy(r->err, w[k].err, sizeof r->err);
	}
	if (b->lv.lat != NULL)
		percentiles(&b->lv, atomic_load(&b->lv.next), r);
	free(w);
}

/* print_header - the corpus line and the column names */
static void print_header(const struct bench *b)
{
	const struct mailcorpus *mc = b->corpus;
	size_t n = mailcorpus_count(mc), dkim = 0, att = 0;
	unsigned hmin = 999, hmax = 0;
	char sig[128];

	for (size_t i = 0; i < n; i++) {
		const struct mailcorpus_msg *m = mailcorpus_get(mc, i);

		dkim += m->dkim;
		att += m->attachment;
		hmin = m->nheaders < hmin ? m->nheaders : hmin;
		hmax = m->nheaders > hmax ? m->nheaders : hmax;
	}
	bench_corpus_shares(mc, sig, sizeof sig);
	printf("# bench_milter: socket=%s corpus=%zu mean=%.1fKB dkim=%zu%% "
	       "sig=%s attachments=%zu%% headers=%u-%u listed=%.0f%% "
	       "clients=%zu listed_addrs=%zu per_conn=%u\n",
	        b->o.socket, n, (double)mailcorpus_bytes(mc) / n / 1024,
	        dkim * 100 / n, sig, att * 100 / n, hmin, hmax,
	        b->listed.n ? b->o.listed_fraction * 100 : 0.0, b->clients.n,
	        b->listed.n, b->o.per_conn);
	printf("%-20s %5s %7s %7s %9s %8s %8s %8s %9s %9s %8s %7s %7s %7s %6s "
	       "%6s\n",
	        "label", "conc", "msgs", "secs", "msg/s", "p50_ms", "p99_ms",
	        "max_ms", "cpu_us", "mta_us", "rss_kb", "accept", "reject",
	        "tempf", "other", "errors");
}

/* fig - a figure, or "-" when unknown */
static const char *fig(char *buf, size_t len, int decimals, double v)
{
	if (isnan(v) || v < 0)
		return "-";
	snprintf(buf, len, "%.*f", decimals, v);
	return buf;
}

/* print_row - one level */
static void print_row(
        const struct bench *b, unsigned conc, const struct result *r)
{
	char f[6][32];
	double per = r->done ? (double)r->done : NAN;

	printf("%-20s %5u %7zu %7.2f %9.1f %8s %8s %8s %9s %9s %8s %7zu %7zu "
	       "%7zu %6zu %6zu\n",
	        b->o.label, conc, r->done, r->secs,
	        r->secs > 0 ? (double)r->done / r->secs : 0.0,
	        fig(f[0], 32, 3, r->p50 * 1e3), fig(f[1], 32, 3, r->p99 * 1e3),
	        fig(f[2], 32, 3, r->max * 1e3),
	        fig(f[3], 32, 1, r->cpu_us / per),
	        fig(f[4], 32, 1, r->self_us / per),
	        fig(f[5], 32, 0, (double)r->hwm_kb), r->verdicts[0],
	        r->verdicts[1], r->verdicts[2], r->verdicts[3], r->errors);
	if (r->errors)
		printf("# %s c=%u: first error: %s\n", b->o.label, conc,
		        r->err);
	fflush(stdout);
}

/* usage - the options, exit 2 */
static void usage(void)
{
	fprintf(stderr,
	        "usage: bench_milter --socket SPEC [--concurrency 1,20,100]\n"
	        "  [--messages M] [--duration-max S] [--per-conn K]\n"
	        "  [--listed-file FILE] [--listed-fraction F] [--clients-file "
	        "FILE]\n"
	        "  [--corpus N] [--seed S] [--pid PID] [--timeout-ms MS]\n"
	        "  [--warmup N] [--label TEXT] [--sender-domains FILE]\n"
	        "  [--dkim-keys RSA.pem,ED.pem] [--dkim-selectors RSA,ED]\n"
	        "  [--sign-shares RSA,ED,TAMPERED] [--dump-corpus DIR]\n"
	        "  [--write-corpus DIR]\n");
	exit(2);
}

/* num - a number option within bounds */
static double num(const char *name, const char *text, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || *end || !(v >= lo && v <= hi))
		die("--%s %s: want a number from %g to %g", name, text, lo, hi);
	return v;
}

/* levels_parse - "1,20,100" */
static void levels_parse(struct opts *o, const char *text)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof buf, "%s", text);
	o->nlevels = 0;
	for (char *t = strtok_r(buf, ",", &save); t != NULL;
	        t = strtok_r(NULL, ",", &save)) {
		if (o->nlevels == BENCH_LEVELS_MAX)
			die("at most %d concurrency levels", BENCH_LEVELS_MAX);
		o->levels[o->nlevels++] =
		        (unsigned)num("concurrency", t, 1, BENCH_CONC_MAX);
	}
	if (o->nlevels == 0)
		usage();
}

static const struct option longopts[] = {
        {"socket", required_argument, NULL, 's'},
        {"concurrency", required_argument, NULL, 'c'},
        {"messages", required_argument, NULL, 'm'},
        {"duration-max", required_argument, NULL, 'd'},
        {"per-conn", required_argument, NULL, 'k'},
        {"listed-file", required_argument, NULL, 'L'},
        {"listed-fraction", required_argument, NULL, 'f'},
        {"clients-file", required_argument, NULL, 'C'},
        {"corpus", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 'S'},
        {"pid", required_argument, NULL, 'p'},
        {"timeout-ms", required_argument, NULL, 't'},
        {"warmup", required_argument, NULL, 'w'},
        {"label", required_argument, NULL, 'l'},
        {"sender-domains", required_argument, NULL, 'D'},
        {"dkim-keys", required_argument, NULL, 'K'},
        {"dkim-selectors", required_argument, NULL, 'E'},
        {"sign-shares", required_argument, NULL, 'G'},
        {"dump-corpus", required_argument, NULL, 'O'},
        {"write-corpus", required_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* opts_number - the numeric options */
static void opts_number(struct opts *o, int ch, const char *arg)
{
	if (ch == 'm')
		o->messages =
		        (size_t)num("messages", arg, 1, BENCH_MESSAGES_MAX);
	else if (ch == 'd')
		o->duration_max = num("duration-max", arg, 0.1, 86400);
	else if (ch == 'k')
		o->per_conn = (unsigned)num("per-conn", arg, 1, 1000000);
	else if (ch == 'f')
		o->listed_fraction = num("listed-fraction", arg, 0, 1);
	else if (ch == 'n')
		o->corpus = (size_t)num("corpus", arg, 1, 100000);
	else if (ch == 'S')
		o->seed = (uint64_t)num("seed", arg, 0, 1e15);
	else if (ch == 'p')
		o->pid = (long)num("pid", arg, 1, 1e9);
	else if (ch == 't')
		o->timeout_ms = (unsigned)num("timeout-ms", arg, 1, 3600000);
	else if (ch == 'w')
		o->warmup = (size_t)num("warmup", arg, 0, 100000);
	else
		usage();
}

/* shares_parse - "40,20,10": % signed with RSA, with Ed25519, tampered */
static void shares_parse(struct opts *o, const char *text)
{
	char buf[64], *save = NULL, *t;
	unsigned sum = 0;

	snprintf(buf, sizeof buf, "%s", text);
	t = strtok_r(buf, ",", &save);
	for (int k = 0; k < 3; k++, t = strtok_r(NULL, ",", &save)) {
		if (t == NULL)
			die("--sign-shares %s: want three numbers", text);
		o->shares[k] = (unsigned)num("sign-shares", t, 0, 100);
		sum += o->shares[k];
	}
	if (t != NULL || sum > 100)
		die("--sign-shares %s: three shares, at most 100 together",
		        text);
}

/* opts_string - the options that take a string; 0 if ch is not one */
static int opts_string(struct opts *o, int ch, const char *arg)
{
	if (ch == 's')
		o->socket = arg;
	else if (ch == 'c')
		levels_parse(o, arg);
	else if (ch == 'L')
		o->listed_file = arg;
	else if (ch == 'C')
		o->clients_file = arg;
	else if (ch == 'l')
		o->label = arg;
	else if (ch == 'D')
		o->domains_file = arg;
	else if (ch == 'K')
		o->dkim_keys = arg;
	else if (ch == 'E')
		o->dkim_selectors = arg;
	else if (ch == 'G')
		shares_parse(o, arg);
	else if (ch == 'O')
		o->dump_dir = arg;
	else if (ch == 'W')
		o->write_dir = arg;
	else
		return 0;
	return 1;
}

/* opts_parse - the command line, with defaults */
static void opts_parse(int argc, char **argv, struct opts *o)
{
	int ch;

	*o = (struct opts){.label = "milter",
	        .messages = 2000,
	        .duration_max = 60,
	        .per_conn = 1,
	        .listed_fraction = 0.1,
	        .corpus = 200,
	        .seed = 1,
	        .timeout_ms = 10000,
	        .warmup = 50,
	        .dkim_selectors = "rsa2048,ed25519",
	        .shares = {40, 20, 10}};
	levels_parse(o, "1,20,100");
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (!opts_string(o, ch, optarg))
			opts_number(o, ch, optarg);
	if ((o->socket == NULL && o->dump_dir == NULL &&
	            o->write_dir == NULL) ||
	        optind != argc)
		usage();
	if (o->warmup > o->messages)
		o->warmup = o->messages;
}

/* signals_set - SIGINT and SIGTERM end the loops; SIGPIPE is an error
 * return, not a death */
static void signals_set(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* corpus_make - the corpus of the options (signed with --dkim-keys) */
static void corpus_make(struct bench *b)
{
	struct bench_corpus_opts co = {.n = b->o.corpus,
	        .seed = b->o.seed,
	        .domains_file = b->o.domains_file,
	        .keys = b->o.dkim_keys,
	        .selectors = b->o.dkim_selectors};
	char err[512];

	memcpy(co.shares, b->o.shares, sizeof co.shares);
	if (bench_corpus_make(&co, &b->corpus, err, sizeof err) != 0)
		die("%s", err);
}

/* addrs_init - the client addresses of the options */
static void addrs_init(struct bench *b)
{
	if (b->o.clients_file != NULL)
		addrs_load(&b->clients, b->o.clients_file);
	else
		addrs_generate(&b->clients, 1000, b->o.seed);
	if (b->o.listed_file != NULL)
		addrs_load(&b->listed, b->o.listed_file);
}

/* manifest_line - message i's line of the manifest */
static int manifest_line(
        FILE *fp, const struct bench *b, size_t i, uint64_t *rng)
{
	const struct mailcorpus_msg *m = mailcorpus_get(b->corpus, i);
	char name[64];

	bench_corpus_name(b->corpus, i, name, sizeof name);
	fprintf(fp, "%s %s %s %s %s", name, client_pick(b, rng), m->helo,
	        m->helo, m->sender[0] ? m->sender : "<>");
	for (size_t r = 0; r < m->nrcpts; r++)
		fprintf(fp, " %s", m->rcpts[r]);
	return fputc('\n', fp) == EOF ? -1 : 0;
}

/* corpus_write - --write-corpus: the corpus files and the manifest */
static void corpus_write(struct bench *b)
{
	const char *dir = b->o.write_dir;
	uint64_t rng = b->o.seed * 1000003u + 7;
	char err[512], path[4096], sig[128];
	FILE *fp;
	int bad = 0;

	addrs_init(b);
	corpus_make(b);
	if (bench_corpus_dump(b->corpus, dir, err, sizeof err))
		die("%s", err);
	snprintf(path, sizeof path, "%s/manifest", dir);
	if ((fp = fopen(path, "w")) == NULL)
		die("%s: %s", path, strerror(errno));
	for (size_t i = 0; i < b->o.messages && !bad; i++)
		bad = manifest_line(fp, b, i, &rng);
	if (fclose(fp) != 0 || bad)
		die("%s: write error", path);
	bench_corpus_shares(b->corpus, sig, sizeof sig);
	printf("# bench_milter: wrote %zu files (mean %.1fKB, sig=%s) and "
	       "%zu messages to %s\n",
	        mailcorpus_count(b->corpus),
	        (double)mailcorpus_bytes(b->corpus) /
	                mailcorpus_count(b->corpus) / 1024,
	        sig, b->o.messages, path);
}

/* bench_init - addresses, corpus, latency array */
static void bench_init(struct bench *b)
{
	addrs_init(b);
	corpus_make(b);
	b->lv.lat = calloc(b->o.messages, sizeof *b->lv.lat);
	if (b->lv.lat == NULL)
		abort();
}

/* warm_up - a few unmeasured messages, so that the filter has started
 * its threads; a filter that answers none of them stops the run */
static void warm_up(struct bench *b)
{
	struct result r;

	if (b->o.warmup == 0)
		return;
	level_run(b, 1, b->o.warmup, &r);
	if (r.errors > 0 && r.done == 0)
		die("%s: %s", b->o.socket, r.err);
}

/* main - options, corpus, warm-up, then each level */
int main(int argc, char **argv)
{
	struct bench b;
	size_t errors = 0;

	memset(&b, 0, sizeof b);
	opts_parse(argc, argv, &b.o);
	if (b.o.dump_dir != NULL) {
		char err[512];

		corpus_make(&b);
		if (bench_corpus_dump(b.corpus, b.o.dump_dir, err, sizeof err))
			die("%s", err);
		mailcorpus_free(b.corpus);
		return 0;
	}
	if (b.o.write_dir != NULL) {
		corpus_write(&b);
		mailcorpus_free(b.corpus);
		free(b.clients.a);
		free(b.listed.a);
		return 0;
	}
	signals_set();
	bench_init(&b);
	print_header(&b);
	warm_up(&b);
	for (size_t i = 0; i < b.o.nlevels && !bench_stop; i++) {
		struct result r;

		level_run(&b, b.o.levels[i], b.o.messages, &r);
		print_row(&b, b.o.levels[i], &r);
		errors += r.errors;
	}
	mailcorpus_free(b.corpus);
	free(b.lv.lat);
	free(b.clients.a);
	free(b.listed.a);
	return errors || bench_stop ? 1 : 0;
}
