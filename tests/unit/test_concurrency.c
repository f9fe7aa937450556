/*
 * test_concurrency.c - one store shared by threads and by processes:
 * readers against a committing writer while the map grows, two processes
 * writing and reading one file, a map grown by another process
 * (MDB_MAP_RESIZED), and the reader slot of a killed process.
 *
 * Writers only ever write records whose ham equals their spam and partner
 * slots whose hits equal their sequence number, so a reader can tell a
 * torn or mixed-up record from a good one. Every loop is bounded in time.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reputation.h"
#include "testutil.h"

#define T0 ((int64_t)1700000000)
#define NREADERS 8
#define SMALL_MAP ((size_t)256 << 10)
#define PUB 1

/* now_ms - a monotonic clock in milliseconds */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xorshift64*, one state per thread */
static uint64_t rng_r(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* open_store - open or create a store; 0 on success */
static int open_store(const char *path, size_t map_size, struct rep_store **st)
{
	struct rep_open_opts o;

	memset(&o, 0, sizeof o);
	o.create = 1;
	o.nosync = 1;
	o.map_size = map_size;
	return rep_open(path, &o, st);
}

/* ip4 - the subject 10.a.b.c/plen (host bits cleared) */
static struct rep_subject ip4(unsigned a, unsigned b, unsigned c, unsigned plen)
{
	uint8_t addr[4] = {10, (uint8_t)a, (uint8_t)b, (uint8_t)c};
	struct rep_subject s;
	char text[32];

	if (plen == 32) {
		if (rep_subject_ip(AF_INET, addr, &s) != REP_OK)
			abort();
		return s;
	}
	/* clear the host bits by hand, then parse the canonical text */
	for (unsigned i = 0; i < 4; i++) {
		unsigned keep = plen > 8 * i ? plen - 8 * i : 0;
		if (keep < 8)
			addr[i] &= (uint8_t)(0xff00 >> keep);
	}
	snprintf(text, sizeof text, "%u.%u.%u.%u/%u", addr[0], addr[1], addr[2],
	        addr[3], plen);
	return subj(text);
}

/* Consistency of what a reader sees. */
struct check {
	struct rep_subject q; /* the subject looked up */
	unsigned n, last_plen;
	int bad;
};

/* record_consistent - ham == spam, partner hits == seq */
static int record_consistent(const struct rep_record *r)
{
	if ((r->flags & REP_HAS_LOCAL) &&
	        (r->local.ham != r->local.spam || r->local.ham <= 0))
		return 0;
	for (unsigned i = 0; i < r->npartners; i++)
		if (r->partner[i].hits != r->partner[i].seq)
			return 0;
	return r->npartners <= REP_PARTNERS_MAX;
}

/* check_visit - a consistent record of a subject covering the query,
 * more specific ones first */
static int check_visit(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	struct check *c = arg;

	if (!record_consistent(r) || !rep_subject_covers(s, &c->q) ||
	        (c->n > 0 && s->plen >= c->last_plen))
		c->bad = 1;
	c->last_plen = s->plen;
	c->n++;
	return 0;
}

/* Scanning visitor: consistency of every record, stop after a while. */
static int scan_visit(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	struct check *c = arg;

	(void)s;
	if (!record_consistent(r))
		c->bad = 1;
	return ++c->n >= 3000 ? 1 : 0;
}

/* lookup_ok - look up a random address in 10.<net>.0.0/16; 0 if fine */
static int lookup_ok(
        struct rep_store *st, unsigned net, uint64_t *seed, unsigned *visits)
{
	uint64_t r = rng_r(seed);
	struct check c;
	int rc;

	memset(&c, 0, sizeof c);
	c.q = ip4(net, (unsigned)(r >> 8) & 0xff, (unsigned)r & 0xff, 32);
	rc = rep_lookup(st, &c.q, check_visit, &c);
	if (visits)
		*visits += c.n;
	return rc == REP_OK && !c.bad ? 0 : -1;
}

/*
 * THREADS
 */

struct shared {
	struct rep_store *st;
	int64_t deadline;
	atomic_int stop;
	atomic_long reads, visits, read_errors, commits, commit_errors, grown;
	atomic_int first_error;
};

/* note_error - count an error, keeping the first code */
static void note_error(struct shared *sh, atomic_long *counter, int rc)
{
	int zero = 0;

	atomic_fetch_add(counter, 1);
	atomic_compare_exchange_strong(&sh->first_error, &zero, rc ? rc : -999);
}

/* writer - batches of observations (ham == spam) on addresses and
 * prefixes of 10.0.0.0/16, and partner slots (hits == seq) */
static void *writer(void *arg)
{
	struct shared *sh = arg;
	struct rep_batch *b = NULL;
	uint64_t seed = 12345, seq = 1;
	int64_t when = T0;

	if (rep_batch_new(&b) != REP_OK) {
		note_error(sh, &sh->commit_errors, REP_E_NOMEM);
		return NULL;
	}
	while (now_ms() < sh->deadline) {
		struct rep_commit_stats cs;
		int rc = REP_OK;
		for (int i = 0; i < 300 && rc == REP_OK; i++) {
			uint64_t r = rng_r(&seed);
			static const unsigned plens[] = {
			        32, 32, 32, 32, 28, 24, 24, 20, 16};
			unsigned plen = plens[(r >> 40) % 9];
			struct rep_subject s = ip4(0, (unsigned)(r >> 8) & 0xff,
			        (unsigned)r & 0xff, plen);
			double k = (double)(1 + (r >> 32) % 4);
			rc = rep_batch_observe(b, &s, k, k, when);
			if (rc == REP_OK && i % 10 == 0) {
				struct rep_partner p;
				memset(&p, 0, sizeof p);
				p.publisher = PUB;
				p.op = REP_OP_LIST;
				p.category = REP_CAT_SPAM;
				p.confidence = 50;
				p.first_seen = p.last_seen = when;
				p.seq = seq;
				p.hits = (uint32_t)seq;
				seq++;
				rc = rep_batch_partner(b, &s, &p);
			}
		}
		if (rc == REP_OK)
			rc = rep_commit(sh->st, b, when, &cs);
		if (rc != REP_OK) {
			note_error(sh, &sh->commit_errors, rc);
			break;
		}
		atomic_fetch_add(&sh->commits, 1);
		atomic_fetch_add(&sh->grown, (long)cs.grown);
		rep_batch_clear(b);
		when++;
	}
	rep_batch_free(b);
	atomic_store(&sh->stop, 1);
	return NULL;
}

/* Each reader thread's own state. */
struct reader_arg {
	struct shared *sh;
	unsigned id;
};

/* reader - lookups and gets until told to stop; reader 0 also scans */
static void *reader(void *arg)
{
	struct reader_arg *ra = arg;
	struct shared *sh = ra->sh;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (ra->id + 1);
	unsigned n = 0, visits = 0;

	while (!atomic_load(&sh->stop)) {
		struct rep_record rec;
		struct rep_subject s;
		uint64_t r = rng_r(&seed);
		int rc;

		if (lookup_ok(sh->st, 0, &seed, &visits) != 0)
			note_error(sh, &sh->read_errors, -1);
		s = ip4(0, (unsigned)(r >> 8) & 0xff, 0, 24);
		rc = rep_get(sh->st, &s, &rec);
		if ((rc != REP_OK && rc != REP_E_NOTFOUND) ||
		        (rc == REP_OK && !record_consistent(&rec)))
			note_error(sh, &sh->read_errors, rc);
		if (ra->id == 0 && n % 64 == 0) {
			struct check c;
			memset(&c, 0, sizeof c);
			rc = rep_scan(sh->st, REP_KIND_IP4, scan_visit, &c);
			if ((rc != REP_OK && rc != 1) || c.bad)
				note_error(sh, &sh->read_errors, rc);
		}
		n++;
	}
	atomic_fetch_add(&sh->reads, (long)n);
	atomic_fetch_add(&sh->visits, (long)visits);
	return NULL;
}

static void test_readers_see_consistent_records_while_map_grows(void **state)
{
	struct testdir d;
	struct shared sh;
	struct reader_arg ra[NREADERS];
	pthread_t w, rd[NREADERS];
	struct rep_stats stats;
	struct check c;
	uint16_t id;

	(void)state;
	testdir_make(&d);
	memset(&sh, 0, sizeof sh);
	assert_int_equal(open_store(d.path, SMALL_MAP, &sh.st), REP_OK);
	assert_int_equal(rep_publisher_ensure(sh.st, "partner", &id), REP_OK);
	assert_int_equal(id, PUB);
	sh.deadline = now_ms() + 1500;
	for (unsigned i = 0; i < NREADERS; i++) {
		ra[i].sh = &sh;
		ra[i].id = i;
		assert_int_equal(
		        pthread_create(&rd[i], NULL, reader, &ra[i]), 0);
	}
	assert_int_equal(pthread_create(&w, NULL, writer, &sh), 0);
	assert_int_equal(pthread_join(w, NULL), 0);
	for (unsigned i = 0; i < NREADERS; i++)
		assert_int_equal(pthread_join(rd[i], NULL), 0);
	print_message("%ld commits, map grew %ld times, %ld reads seeing %ld "
	              "records\n",
	        atomic_load(&sh.commits), atomic_load(&sh.grown),
	        atomic_load(&sh.reads), atomic_load(&sh.visits));
	if (atomic_load(&sh.first_error) != 0)
		print_error("first error: %d (%s)\n",
		        atomic_load(&sh.first_error),
		        rep_strerror(atomic_load(&sh.first_error)));
	assert_int_equal(atomic_load(&sh.commit_errors), 0);
	assert_int_equal(atomic_load(&sh.read_errors), 0);
	assert_true(atomic_load(&sh.commits) > 10);
	assert_true(atomic_load(&sh.reads) > 100);
	assert_true(atomic_load(&sh.visits) > 0);
	/* the map grew while the readers ran */
	assert_true(atomic_load(&sh.grown) > 0);
	assert_int_equal(rep_stats(sh.st, &stats), REP_OK);
	assert_true(stats.map_size > SMALL_MAP);
	assert_true(stats.records[REP_KIND_IP4] > 1000);
	assert_true(stats.partner_slots > 0);
	/* and everything still reads consistently afterwards */
	memset(&c, 0, sizeof c);
	assert_int_equal(rep_scan(sh.st, 0, scan_visit, &c), 1);
	assert_false(c.bad);
	rep_close(sh.st);
	testdir_remove(&d);
}

/*
 * PROCESSES
 * A child never returns into cmocka: it reports through its exit status.
 */

/* child_write - n batches of 100 observations on 10.<net>.<i>.<j> and
 * the /24s, ham == spam == 1 at one time (no decay); 0 on success */
static int child_write(
        struct rep_store *st, unsigned net, unsigned batches, unsigned rounds)
{
	struct rep_batch *b = NULL;
	int rc = rep_batch_new(&b);

	for (unsigned round = 0; round < rounds && rc == REP_OK; round++) {
		for (unsigned i = 0; i < batches && rc == REP_OK; i++) {
			struct rep_subject s = ip4(net, i, 0, 24);
			rc = rep_batch_observe(b, &s, 1, 1, T0);
			for (unsigned j = 0; j < 100 && rc == REP_OK; j++) {
				s = ip4(net, i, j, 32);
				rc = rep_batch_observe(b, &s, 1, 1, T0);
			}
			if (rc == REP_OK)
				rc = rep_commit(st, b, T0, NULL);
			rep_batch_clear(b);
		}
	}
	rep_batch_free(b);
	return rc;
}

/* verify_written - every observation of child_write is there, each
 * counted `times`, and its /24 covers it; 0 if so */
static int verify_written(
        struct rep_store *st, unsigned net, unsigned batches, double times)
{
	for (unsigned i = 0; i < batches; i++) {
		struct rep_record r;
		struct rep_subject s = ip4(net, i, 0, 24);
		struct check c;
		if (rep_get(st, &s, &r) != REP_OK || r.local.ham != times ||
		        r.local.spam != times)
			return -1;
		for (unsigned j = 0; j < 100; j++) {
			s = ip4(net, i, j, 32);
			if (rep_get(st, &s, &r) != REP_OK ||
			        r.local.ham != times || r.local.spam != times)
				return -1;
			memset(&c, 0, sizeof c);
			c.q = s;
			if (rep_lookup(st, &s, check_visit, &c) != REP_OK ||
			        c.bad || c.n != 2)
				return -1;
		}
	}
	return 0;
}

/* wait_child - the exit status of a child, or -1 */
static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define BATCHES 60

static void test_child_writes_while_parent_reads(void **state)
{
	struct testdir d;
	struct rep_store *st;
	uint64_t seed = 99;
	unsigned reads = 0, errors = 0;
	int status = -1, reaped = 0;
	int64_t deadline;
	pid_t pid;

	(void)state;
	testdir_make(&d);
	assert_int_equal(open_store(d.path, SMALL_MAP, &st), REP_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rep_store *cst;
		int rc = open_store(d.path, SMALL_MAP, &cst);
		if (rc == REP_OK)
			rc = child_write(cst, 1, BATCHES, 1);
		if (rc == REP_OK)
			rc = verify_written(cst, 1, BATCHES, 1);
		rep_close(cst);
		_exit(rc == REP_OK ? 0 : 1);
	}
	/* read (the child's records grow the map under us) until it ends */
	deadline = now_ms() + 5000;
	while (!reaped && now_ms() < deadline) {
		reaped = waitpid(pid, &status, WNOHANG) == pid;
		errors += lookup_ok(st, 1, &seed, NULL) != 0;
		reads++;
	}
	if (!reaped) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	assert_true(reaped && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(errors, 0);
	assert_true(reads > 0);
	assert_int_equal(verify_written(st, 1, BATCHES, 1), 0);
	rep_close(st);
	testdir_remove(&d);
}

static void test_parent_writes_while_child_reads(void **state)
{
	struct testdir d;
	struct rep_store *st;
	struct rep_subject done = subj("done.example");
	struct rep_batch *b;
	pid_t pid;

	(void)state;
	testdir_make(&d);
	assert_int_equal(open_store(d.path, SMALL_MAP, &st), REP_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* read until the parent marks the end, then check it all */
		struct rep_store *cst;
		struct rep_record r;
		uint64_t seed = 7;
		int64_t deadline = now_ms() + 5000;
		int rc = open_store(d.path, SMALL_MAP, &cst), bad = 0;
		while (rc == REP_OK && now_ms() < deadline) {
			bad |= lookup_ok(cst, 2, &seed, NULL);
			if (rep_get(cst, &done, &r) == REP_OK)
				break;
		}
		if (rc == REP_OK && (bad || now_ms() >= deadline ||
		                            verify_written(cst, 2, BATCHES, 1)))
			rc = -1;
		rep_close(cst);
		_exit(rc == REP_OK ? 0 : 1);
	}
	assert_int_equal(child_write(st, 2, BATCHES, 1), REP_OK);
	assert_int_equal(rep_batch_new(&b), REP_OK);
	assert_int_equal(rep_batch_observe(b, &done, 1, 1, T0), REP_OK);
	assert_int_equal(rep_commit(st, b, T0, NULL), REP_OK);
	rep_batch_free(b);
	assert_int_equal(wait_child(pid), 0);
	assert_int_equal(verify_written(st, 2, BATCHES, 1), 0);
	rep_close(st);
	testdir_remove(&d);
}

static void test_two_processes_writing_one_store_lose_nothing(void **state)
{
	struct testdir d;
	struct rep_store *st;
	pid_t pid;

	(void)state;
	testdir_make(&d);
	assert_int_equal(open_store(d.path, SMALL_MAP, &st), REP_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rep_store *cst;
		int rc = open_store(d.path, SMALL_MAP, &cst);
		if (rc == REP_OK)
			rc = child_write(cst, 3, 20, 3);
		rep_close(cst);
		_exit(rc == REP_OK ? 0 : 1);
	}
	/* the same subjects, as many times: the counts add up */
	assert_int_equal(child_write(st, 3, 20, 3), REP_OK);
	assert_int_equal(wait_child(pid), 0);
	assert_int_equal(verify_written(st, 3, 20, 6), 0);
	rep_close(st);
	testdir_remove(&d);
}

/* count_visit - count records */
static int count_visit(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	(void)s;
	(void)r;
	(*(size_t *)arg)++;
	return 0;
}

static void test_map_grown_by_another_process_is_adopted(void **state)
{
	struct testdir d;
	struct rep_store *st;
	struct rep_stats before, after;
	struct rep_commit_stats cs;
	struct rep_batch *b;
	size_t n = 0;
	pid_t pid;

	(void)state;
	testdir_make(&d);
	assert_int_equal(open_store(d.path, SMALL_MAP, &st), REP_OK);
	/* a read transaction now sits reset in the pool, on the small map */
	assert_true(lookup_ok(st, 4, &(uint64_t){1}, NULL) == 0);
	assert_int_equal(rep_stats(st, &before), REP_OK);
	assert_int_equal(before.map_size, SMALL_MAP);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* 200 batches of 101: about 20,000 records, megabytes */
		struct rep_store *cst;
		int rc = open_store(d.path, SMALL_MAP, &cst);
		if (rc == REP_OK)
			rc = child_write(cst, 4, 200, 1);
		rep_close(cst);
		_exit(rc == REP_OK ? 0 : 1);
	}
	assert_int_equal(wait_child(pid), 0);
	/* reads: the data now lies past our map (MDB_MAP_RESIZED) */
	assert_int_equal(verify_written(st, 4, 200, 1), 0);
	assert_int_equal(rep_stats(st, &after), REP_OK);
	assert_true(after.map_size > SMALL_MAP);
	assert_true(after.map_size >= after.map_used);
	assert_int_equal(rep_scan(st, 0, count_visit, &n), REP_OK);
	assert_int_equal(n, 200 * 101);
	/* writes too */
	assert_int_equal(rep_batch_new(&b), REP_OK);
	for (unsigned i = 0; i < 2000; i++) {
		struct rep_subject s = ip4(5, i >> 8, i & 0xff, 32);
		assert_int_equal(rep_batch_observe(b, &s, 2, 2, T0), REP_OK);
	}
	assert_int_equal(rep_commit(st, b, T0, &cs), REP_OK);
	assert_int_equal(cs.applied, 2000);
	rep_batch_free(b);
	{
		struct rep_record r;
		struct rep_subject s = ip4(5, 7, 207, 32);
		assert_int_equal(rep_get(st, &s, &r), REP_OK);
		assert_true(r.local.ham == 2);
	}
	rep_close(st);
	testdir_remove(&d);
}

static void test_reader_check_clears_slot_of_killed_process(void **state)
{
	struct testdir d;
	struct rep_store *st;
	int fds[2], cleared = -1;
	char c;
	pid_t pid;

	(void)state;
	testdir_make(&d);
	assert_int_equal(open_store(d.path, SMALL_MAP, &st), REP_OK);
	assert_int_equal(child_write(st, 6, 1, 1), REP_OK);
	assert_int_equal(rep_reader_check(st, &cleared), REP_OK);
	assert_int_equal(cleared, 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* take a reader slot with a lookup, say so, wait to die */
		struct rep_store *cst;
		uint64_t seed = 5;
		if (open_store(d.path, SMALL_MAP, &cst) != REP_OK ||
		        lookup_ok(cst, 6, &seed, NULL) != 0)
			_exit(1);
		if (write(fds[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(rep_reader_check(st, &cleared), REP_OK);
	assert_int_equal(cleared, 1);
	assert_int_equal(rep_reader_check(st, &cleared), REP_OK);
	assert_int_equal(cleared, 0);
	/* the store works on */
	assert_int_equal(verify_written(st, 6, 1, 1), 0);
	rep_close(st);
	testdir_remove(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_readers_see_consistent_records_while_map_grows),
	        cmocka_unit_test(test_child_writes_while_parent_reads),
	        cmocka_unit_test(test_parent_writes_while_child_reads),
	        cmocka_unit_test(
	                test_two_processes_writing_one_store_lose_nothing),
	        cmocka_unit_test(test_map_grown_by_another_process_is_adopted),
	        cmocka_unit_test(
	                test_reader_check_clears_slot_of_killed_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
