/* test_writer.c - the observation queue and its writer thread */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"
#include "writer.h"

#define NOW 1700000000

/* open_store - a fresh store in a temporary directory */
static struct rep_store *open_store(struct testdir *t, int readonly)
{
	struct rep_open_opts o = {
	        .create = !readonly, .nosync = 1, .readonly = readonly};
	struct rep_store *st = NULL;

	assert_int_equal(rep_open(t->path, &o, &st), 0);
	return st;
}

/* counts - the local slot of a subject */
static void counts(
        struct rep_store *st, const char *text, double *ham, double *spam)
{
	struct rep_subject s = subj(text);
	struct rep_record rec;

	*ham = *spam = -1;
	if (rep_get(st, &s, &rec) != 0)
		return;
	rep_local_decayed(&rec.local, REP_HALF_LIFE_DEFAULT, NOW, ham, spam);
}

static void test_freeing_the_writer_commits_what_is_queued(void **state)
{
	struct testdir t;
	struct rep_store *st;
	struct writer *w;
	struct writer_stats ws;
	double ham, spam;

	(void)state;
	testdir_make(&t);
	st = open_store(&t, 0);
	/* a batch and an interval that never fire: only the flush commits */
	assert_int_equal(writer_new(st, 100, 1000, 60000, &w), 0);
	for (int i = 0; i < 3; i++) {
		struct rep_subject s = subj("192.0.2.1");
		writer_push(w, &s, 1, NOW);
	}
	{
		struct rep_subject s = subj("192.0.2.1");
		writer_push(w, &s, 0, NOW);
	}
	writer_stats(w, &ws);
	assert_int_equal(ws.queued, 4);
	writer_free(w);
	counts(st, "192.0.2.1", &ham, &spam);
	assert_true(ham > 0.99 && ham < 1.01);
	assert_true(spam > 2.99 && spam < 3.01);
	rep_close(st);
	testdir_remove(&t);
}

static void test_full_queue_drops_the_oldest(void **state)
{
	struct testdir t;
	struct rep_store *st;
	struct writer *w;
	struct writer_stats ws;
	char text[32];
	double ham, spam;

	(void)state;
	testdir_make(&t);
	st = open_store(&t, 0);
	assert_int_equal(writer_new(st, 4, 1000, 60000, &w), 0);
	for (int i = 1; i <= 10; i++) {
		struct rep_subject s;

		snprintf(text, sizeof(text), "192.0.2.%d", i);
		s = subj(text);
		writer_push(w, &s, 1, NOW);
	}
	writer_stats(w, &ws);
	assert_int_equal(ws.dropped, 6);
	assert_int_equal(ws.pending, 4);
	writer_free(w);
	counts(st, "192.0.2.6", &ham, &spam);
	assert_true(spam < 0); /* dropped: never stored */
	counts(st, "192.0.2.7", &ham, &spam);
	assert_true(spam > 0.99);
	counts(st, "192.0.2.10", &ham, &spam);
	assert_true(spam > 0.99);
	rep_close(st);
	testdir_remove(&t);
}

static void test_a_full_batch_is_committed_without_waiting(void **state)
{
	struct testdir t;
	struct rep_store *st;
	struct writer *w;
	struct writer_stats ws = {0};

	(void)state;
	testdir_make(&t);
	st = open_store(&t, 0);
	assert_int_equal(writer_new(st, 1000, 10, 60000, &w), 0);
	for (int i = 0; i < 25; i++) {
		struct rep_subject s = subj("2001:db8::1");
		writer_push(w, &s, i % 2, NOW);
	}
	/* two batches of 10 go at once; the last 5 wait for the interval */
	for (int i = 0; i < 500 && ws.written < 20; i++) {
		usleep(10000);
		writer_stats(w, &ws);
	}
	assert_int_equal(ws.written, 20);
	assert_int_equal(ws.pending, 5);
	writer_free(w);
	rep_close(st);
	testdir_remove(&t);
}

static void test_the_interval_commits_a_partial_batch(void **state)
{
	struct testdir t;
	struct rep_store *st;
	struct writer *w;
	struct writer_stats ws = {0};

	(void)state;
	testdir_make(&t);
	st = open_store(&t, 0);
	assert_int_equal(writer_new(st, 1000, 1000, 50, &w), 0);
	{
		struct rep_subject s = subj("example.com");
		writer_push(w, &s, 1, NOW);
	}
	for (int i = 0; i < 500 && ws.written < 1; i++) {
		usleep(10000);
		writer_stats(w, &ws);
	}
	assert_int_equal(ws.written, 1);
	writer_free(w);
	rep_close(st);
	testdir_remove(&t);
}

static void test_failed_commit_is_counted_not_fatal(void **state)
{
	struct testdir t;
	struct rep_store *st;
	struct writer *w;
	struct writer_stats ws = {0};

	(void)state;
	testdir_make(&t);
	rep_close(open_store(&t, 0));
	st = open_store(&t, 1); /* read-only: every commit fails */
	assert_int_equal(writer_new(st, 100, 2, 60000, &w), 0);
	for (int i = 0; i < 4; i++) {
		struct rep_subject s = subj("198.51.100.0/24");
		writer_push(w, &s, 1, NOW);
	}
	for (int i = 0; i < 500 && ws.failed < 4; i++) {
		usleep(10000);
		writer_stats(w, &ws);
	}
	assert_int_equal(ws.failed, 4);
	assert_int_equal(ws.written, 0);
	writer_free(w);
	rep_close(st);
	testdir_remove(&t);
}

struct pusher {
	struct writer *w;
	int base;
};

/* push_many - one thread's share of observations */
static void *push_many(void *arg)
{
	struct pusher *p = arg;
	char text[32];

	for (int i = 0; i < 500; i++) {
		struct rep_subject s;

		snprintf(text, sizeof(text), "10.%d.%d.%d", p->base, i / 250,
		        i % 250);
		s = subj(text);
		writer_push(p->w, &s, i % 3 == 0, NOW);
	}
	return NULL;
}

static void test_many_threads_push_without_loss(void **state)
{
	struct testdir t;
	struct rep_store *st;
	struct writer *w;
	pthread_t th[8];
	struct pusher p[8];

	(void)state;
	testdir_make(&t);
	st = open_store(&t, 0);
	assert_int_equal(writer_new(st, 10000, 300, 20, &w), 0);
	for (int i = 0; i < 8; i++) {
		p[i] = (struct pusher){w, i};
		assert_int_equal(
		        pthread_create(&th[i], NULL, push_many, &p[i]), 0);
	}
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	writer_free(w);
	{
		struct rep_stats rs;

		assert_int_equal(rep_stats(st, &rs), 0);
		assert_int_equal(rs.records[REP_KIND_IP4], 4000);
	}
	rep_close(st);
	testdir_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_freeing_the_writer_commits_what_is_queued),
	        cmocka_unit_test(test_full_queue_drops_the_oldest),
	        cmocka_unit_test(
	                test_a_full_batch_is_committed_without_waiting),
	        cmocka_unit_test(test_the_interval_commits_a_partial_batch),
	        cmocka_unit_test(test_failed_commit_is_counted_not_fatal),
	        cmocka_unit_test(test_many_threads_push_without_loss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
