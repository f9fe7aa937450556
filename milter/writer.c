/* writer.c - bounded observation queue and the thread that commits it */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"
#include "writer.h"

/* One queued observation. Addresses are kept inline and names on the
 * heap, so that a queue of 65,536 costs about 2 MB, not the 18 MB that
 * whole struct rep_subject copies would. */
struct obs {
	uint8_t kind, plen, scope, spam;
	int64_t when;
	uint8_t addr[16];
	char *name;
};

struct writer {
	struct rep_store *st;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	struct obs *ring;
	unsigned cap, head, count;
	unsigned batch, interval_ms;
	int stopping;
	struct writer_stats stats;
	int64_t last_fail_log; /* rate limit for the failure log line */
};

/* obs_to_subject - rebuild the subject of an observation */
static void obs_to_subject(const struct obs *o, struct rep_subject *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = o->kind;
	s->plen = o->plen;
	s->scope = o->scope;
	memcpy(s->addr, o->addr, sizeof(s->addr));
	if (o->name != NULL)
		strcpy(s->name, o->name);
}

/* writer_push - append, pushing out the oldest entry when full */
void writer_push(
        struct writer *w, const struct rep_subject *s, int spam, int64_t when)
{
	struct obs o = {s->kind, s->plen, s->scope, spam != 0, when, {0}, NULL};

	if (s->kind == REP_KIND_IP4 || s->kind == REP_KIND_IP6)
		memcpy(o.addr, s->addr, sizeof(o.addr));
	else if ((o.name = strdup(s->name)) == NULL)
		return; /* out of memory: mail flows, the observation is lost */
	pthread_mutex_lock(&w->lock);
	if (w->count == w->cap) {
		free(w->ring[w->head].name);
		w->head = (w->head + 1) % w->cap;
		w->count--;
		w->stats.dropped++;
	}
	w->ring[(w->head + w->count) % w->cap] = o;
	w->count++;
	w->stats.queued++;
	if (w->count >= w->batch)
		pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

/* take - move up to `max` queued observations into `out` (lock held) */
static unsigned take(struct writer *w, struct obs *out, unsigned max)
{
	unsigned n = w->count < max ? w->count : max;

	for (unsigned i = 0; i < n; i++)
		out[i] = w->ring[(w->head + i) % w->cap];
	w->head = (w->head + n) % w->cap;
	w->count -= n;
	return n;
}

/* commit - write `n` observations in one transaction; returns 0 or the
 * rep_* error */
static int commit(
        struct writer *w, struct rep_batch *b, struct obs *o, unsigned n)
{
	struct rep_subject s;
	int err = 0;

	rep_batch_clear(b);
	for (unsigned i = 0; i < n && err == 0; i++) {
		obs_to_subject(&o[i], &s);
		err = rep_batch_observe(
		        b, &s, o[i].spam ? 0 : 1, o[i].spam ? 1 : 0, o[i].when);
	}
	if (err == 0)
		err = rep_commit(w->st, b, (int64_t)time(NULL), NULL);
	for (unsigned i = 0; i < n; i++) {
		free(o[i].name);
		o[i].name = NULL;
	}
	return err;
}

/* account - count a commit's outcome; log failures at most once a minute */
static void account(struct writer *w, unsigned n, int err)
{
	int64_t now = (int64_t)time(NULL);

	pthread_mutex_lock(&w->lock);
	w->stats.commits++;
	if (err == 0)
		w->stats.written += n;
	else
		w->stats.failed += n;
	pthread_mutex_unlock(&w->lock);
	if (err != 0 && now - w->last_fail_log >= 60) {
		w->last_fail_log = now;
		log_msg(LOG_ERR,
		        "store write failed: %s; %u observations dropped",
		        rep_strerror(err), n);
	}
}

/* wait_for_work - sleep until a batch is full, the interval passes or we
 * stop (lock held) */
static void wait_for_work(struct writer *w)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += w->interval_ms / 1000;
	until.tv_nsec += (long)(w->interval_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!w->stopping && w->count < w->batch)
		if (pthread_cond_timedwait(&w->wake, &w->lock, &until) ==
		        ETIMEDOUT)
			break;
}

/* writer_main - the thread: take, commit, repeat; drain on stop */
static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct rep_batch *b = NULL;
	struct obs *buf = calloc(w->batch, sizeof(*buf));
	int stop = 0;

	if (buf == NULL || rep_batch_new(&b) != 0)
		log_msg(LOG_ERR, "observation writer: out of memory");
	while (!stop) {
		unsigned n;

		pthread_mutex_lock(&w->lock);
		wait_for_work(w);
		n = buf != NULL && b != NULL ? take(w, buf, w->batch) : 0;
		stop = w->stopping && (w->count == 0 || n == 0);
		pthread_mutex_unlock(&w->lock);
		if (n > 0)
			account(w, n, commit(w, b, buf, n));
	}
	rep_batch_free(b);
	free(buf);
	return NULL;
}

/* writer_new - allocate the ring and start the thread */
int writer_new(struct rep_store *st, unsigned queue_len, unsigned batch,
        unsigned interval_ms, struct writer **out)
{
	struct writer *w = calloc(1, sizeof(*w));
	int err;

	if (w == NULL || queue_len == 0 || batch == 0)
		goto fail;
	w->st = st;
	w->cap = queue_len;
	w->batch = batch;
	w->interval_ms = interval_ms > 0 ? interval_ms : 1000;
	if ((w->ring = calloc(queue_len, sizeof(*w->ring))) == NULL)
		goto fail;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if ((err = pthread_create(&w->thread, NULL, writer_main, w)) != 0) {
		errno = err;
		goto fail;
	}
	*out = w;
	return 0;
fail:
	if (w != NULL)
		free(w->ring);
	free(w);
	if (errno == 0)
		errno = EINVAL;
	return -1;
}

/* writer_stats - copy the counters */
void writer_stats(struct writer *w, struct writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	out->pending = w->count;
	pthread_mutex_unlock(&w->lock);
}

/* writer_free - stop the thread after it has committed the queue */
void writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	log_msg(LOG_INFO,
	        "observation writer stopped: queued=%llu written=%llu "
	        "dropped=%llu failed=%llu",
	        (unsigned long long)w->stats.queued,
	        (unsigned long long)w->stats.written,
	        (unsigned long long)w->stats.dropped,
	        (unsigned long long)w->stats.failed);
	for (unsigned i = 0; i < w->count; i++)
		free(w->ring[(w->head + i) % w->cap].name);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w->ring);
	free(w);
}
