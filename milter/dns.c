/*
 * dns.c - asynchronous DNS: one resolver thread owns the c-ares channel, a
 * shared cache answers repeated questions in the calling thread.
 *
 * Worker threads put requests on a queue and wake the resolver thread
 * through an eventfd. The thread starts every queued request on the
 * channel at once (so the queries of a batch run in parallel), polls the
 * channel's sockets, and delivers each answer to its batch under the
 * batch's lock. A batch counts references (its owner plus each request in
 * flight), so it may be freed while the resolver still works for it.
 *
 * This is the only file of the module, and of the program, that includes
 * <ares.h>. c-ares hands us the raw reply, which dns_wire.c decodes (see
 * dns_wire.h for why we do not use c-ares's parsers); the cache is
 * dns_cache.c.
 */
#include "config.h"

#include <ares.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "dns_cache.h"
#include "dns_wire.h"

#define DNS_NAME_MAX 253 /* a query name, without trailing dot */

/* One question on its way to the resolver thread and back. */
struct dns_req {
	struct dns_req *next;
	struct dns_resolver *r;
	struct dns_batch *batch; /* holds a reference */
	unsigned index;
	enum dns_type type;
	char name[DNS_NAME_MAX + 1]; /* lower case: also the cache key */
};

struct dns_resolver {
	ares_channel channel; /* the resolver thread's alone once started */
	pthread_t thread;
	int wakefd;
	pthread_mutex_t lock; /* head, tail, stop */
	struct dns_req *head, *tail;
	int stop;
	struct dns_cache *cache;
	struct dns_wire_build *build; /* the resolver thread's scratch */
	_Atomic uint64_t queries, cache_hits, timeouts, servfails, bad_answers;
};

struct dns_batch {
	struct dns_resolver *r;
	pthread_mutex_t lock; /* everything below but n and ans */
	pthread_cond_t cond;
	unsigned waiting; /* sent and not yet delivered */
	unsigned refs;    /* the owner and each request in flight */
	int abandoned;    /* dns_batch_free was called: drop deliveries */
	unsigned n;       /* queries added; the owner's */
	unsigned char ready[DNS_BATCH_MAX]; /* done[i] holds a delivery */
	struct dns_answer done[DNS_BATCH_MAX];
	struct dns_answer ans[DNS_BATCH_MAX]; /* the owner's view */
};

/* dns_now_ms - CLOCK_MONOTONIC in milliseconds */
int64_t dns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* dns_strerror - a static text for a DNS_E_* code */
const char *dns_strerror(int err)
{
	static const char *const texts[] = {"success", "invalid argument",
	        "out of memory", "DNS server list could not be parsed or set",
	        "resolver could not start", "batch is full"};

	if (err > 0 || -err >= (int)(sizeof texts / sizeof texts[0]))
		return "unknown DNS error";
	return texts[-err];
}

/* dns_status_name - "answer", "nxdomain", "timeout", ... (static) */
const char *dns_status_name(enum dns_status st)
{
	static const char *const names[] = {"pending", "answer", "nxdomain",
	        "nodata", "servfail", "timeout", "badanswer", "error"};

	if ((unsigned)st >= sizeof names / sizeof names[0])
		return "unknown";
	return names[st];
}

/* name_lower - check a query name and copy it in lower case; -1 if bad.
 * Backslashes and blanks are refused because c-ares reads escapes. */
static int name_lower(const char *name, char *out)
{
	size_t i, label = 0;

	for (i = 0; name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];

		if (i == DNS_NAME_MAX || c <= ' ' || c >= 0x7f || c == '\\')
			return -1;
		if (c != '.')
			label++;
		else if (label == 0)
			return -1;
		else
			label = 0;
		if (label > 63)
			return -1;
		out[i] = dns_wire_lower((char)c);
	}
	out[i] = '\0';
	return label == 0 ? -1 : 0; /* empty name or trailing dot */
}

/* type_ok - one of the query types we can decode */
static int type_ok(enum dns_type t)
{
	return t == DNS_T_A || t == DNS_T_AAAA || t == DNS_T_TXT ||
	       t == DNS_T_MX || t == DNS_T_PTR;
}

/* ares_status - the answer status of a query that brought no reply */
static enum dns_status ares_status(int status)
{
	switch (status) {
	case ARES_ETIMEOUT:
		return DNS_TIMEOUT;
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
		return DNS_SERVFAIL;
	case ARES_EBADRESP:
		return DNS_EBADANSWER;
	default:
		return DNS_ERROR;
	}
}

/* reply_answer - the answer of a finished query, from the raw reply when
 * there is one (its rcode says more than c-ares's status) */
static void reply_answer(struct dns_wire_build *bd, const struct dns_req *q,
        int status, const unsigned char *abuf, int alen, struct dns_answer *a)
{
	if (abuf != NULL && alen > 0) {
		dns_wire_decode(bd, abuf, (size_t)alen, q->name, q->type, a);
		return;
	}
	memset(a, 0, sizeof *a);
	a->type = q->type;
	a->status = ares_status(status);
}

/* batch_destroy - free a batch nobody refers to any more */
static void batch_destroy(struct dns_batch *b)
{
	unsigned i;

	for (i = 0; i < DNS_BATCH_MAX; i++) {
		dns_wire_answer_free(&b->ans[i]);
		dns_wire_answer_free(&b->done[i]);
	}
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* batch_deliver - hand an answer to its batch (or drop it if the batch
 * was abandoned) and release the request's reference */
static void batch_deliver(struct dns_batch *b, unsigned i, struct dns_answer *a)
{
	int last;

	pthread_mutex_lock(&b->lock);
	if (!b->abandoned) {
		b->done[i] = *a;
		a->rr = NULL; /* moved */
		b->ready[i] = 1;
		b->waiting--;
		pthread_cond_broadcast(&b->cond);
	}
	last = --b->refs == 0;
	pthread_mutex_unlock(&b->lock);
	dns_wire_answer_free(a);
	if (last)
		batch_destroy(b);
}

/* batch_collect - move delivered answers into the owner's view (lock
 * held); the owner reads ans[] without the lock, the resolver never */
static void batch_collect(struct dns_batch *b)
{
	unsigned i;

	for (i = 0; i < b->n; i++)
		if (b->ready[i]) {
			b->ans[i] = b->done[i];
			b->done[i].rr = NULL;
			b->ready[i] = 0;
		}
}

/* batch_sleep - wait for a delivery or the deadline; 0 once it passed */
static int batch_sleep(struct dns_batch *b, int64_t deadline_ms)
{
	struct timespec ts;

	if (dns_now_ms() >= deadline_ms)
		return 0;
	ts.tv_sec = (time_t)(deadline_ms / 1000);
	ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000;
	return pthread_cond_timedwait(&b->cond, &b->lock, &ts) != ETIMEDOUT;
}

/* dns_batch_new - an empty batch of queries on resolver `r` */
int dns_batch_new(struct dns_resolver *r, struct dns_batch **out)
{
	pthread_condattr_t ca;
	struct dns_batch *b;
	int rc;

	if (r == NULL || out == NULL)
		return DNS_E_INVAL;
	if ((b = calloc(1, sizeof *b)) == NULL)
		return DNS_E_NOMEM;
	if (pthread_condattr_init(&ca) != 0)
		goto fail;
	/* deadlines are CLOCK_MONOTONIC: a clock step must not move them */
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = rc == 0 ? pthread_cond_init(&b->cond, &ca) : rc;
	pthread_condattr_destroy(&ca);
	if (rc != 0)
		goto fail;
	if (pthread_mutex_init(&b->lock, NULL) != 0) {
		pthread_cond_destroy(&b->cond);
		goto fail;
	}
	b->r = r;
	b->refs = 1;
	*out = b;
	return DNS_OK;
fail:
	free(b);
	return DNS_E_NOMEM;
}

/* dns_batch_free - drop the owner's reference; requests in flight keep
 * the batch alive until the resolver has dropped their answers */
void dns_batch_free(struct dns_batch *b)
{
	int last;

	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	b->abandoned = 1;
	last = --b->refs == 0;
	pthread_mutex_unlock(&b->lock);
	if (last)
		batch_destroy(b);
}

/* resolver_wake - make the resolver thread look at its queue */
static void resolver_wake(struct dns_resolver *r)
{
	uint64_t one = 1;

	if (write(r->wakefd, &one, sizeof one) < 0) {
		/* EAGAIN: the counter is saturated, the thread awake */
	}
}

/* resolver_submit - queue a request and wake the thread; -1 if stopping */
static int resolver_submit(struct dns_resolver *r, struct dns_req *q)
{
	pthread_mutex_lock(&r->lock);
	if (r->stop) {
		pthread_mutex_unlock(&r->lock);
		return -1;
	}
	if (r->tail != NULL)
		r->tail->next = q;
	else
		r->head = q;
	r->tail = q;
	pthread_mutex_unlock(&r->lock);
	resolver_wake(r);
	return 0;
}

/* batch_send - hand a cache miss to the resolver thread */
static int batch_send(struct dns_batch *b, const char *name, enum dns_type t)
{
	struct dns_req *q = calloc(1, sizeof *q);

	if (q == NULL)
		return DNS_E_NOMEM;
	q->r = b->r;
	q->batch = b;
	q->index = b->n;
	q->type = t;
	memcpy(q->name, name, strlen(name) + 1);
	pthread_mutex_lock(&b->lock);
	b->refs++;
	b->waiting++;
	pthread_mutex_unlock(&b->lock);
	if (resolver_submit(b->r, q) == 0)
		return DNS_OK;
	pthread_mutex_lock(&b->lock);
	b->refs--;
	b->waiting--;
	pthread_mutex_unlock(&b->lock);
	free(q);
	return DNS_E_INIT;
}

static int batch_add(struct dns_batch *b, const char *name, enum dns_type type,
        unsigned *index, int cached);

/* dns_batch_add - answer from the cache at once, or start a query */
int dns_batch_add(struct dns_batch *b, const char *name, enum dns_type type,
        unsigned *index)
{
	return batch_add(b, name, type, index, 1);
}

/* dns_batch_add_fresh - ask the server even when the cache has it */
int dns_batch_add_fresh(struct dns_batch *b, const char *name,
        enum dns_type type, unsigned *index)
{
	return batch_add(b, name, type, index, 0);
}

/* batch_add - a query of the batch, from the cache when `cached` allows */
static int batch_add(struct dns_batch *b, const char *name, enum dns_type type,
        unsigned *index, int cached)
{
	char key[DNS_NAME_MAX + 1];
	struct dns_resolver *r;
	int rc;

	if (b == NULL || name == NULL || index == NULL || !type_ok(type) ||
	        name_lower(name, key) < 0)
		return DNS_E_INVAL;
	if (b->n == DNS_BATCH_MAX)
		return DNS_E_FULL;
	r = b->r;
	if (cached && dns_cache_get(r->cache, key, type, &b->ans[b->n])) {
		atomic_fetch_add(&r->cache_hits, 1);
	} else if ((rc = batch_send(b, key, type)) != DNS_OK) {
		return rc;
	}
	b->ans[b->n].type = type;
	*index = b->n++;
	return DNS_OK;
}

/* dns_batch_wait - wait for all answers or the deadline; count pending */
unsigned dns_batch_wait(struct dns_batch *b, int64_t deadline_ms)
{
	unsigned left;

	if (b == NULL)
		return 0;
	pthread_mutex_lock(&b->lock);
	while (b->waiting > 0 && batch_sleep(b, deadline_ms))
		;
	batch_collect(b);
	left = b->waiting;
	pthread_mutex_unlock(&b->lock);
	return left;
}

/* dns_batch_wait_one - wait for one answer; DNS_ERROR for a bad index */
enum dns_status dns_batch_wait_one(
        struct dns_batch *b, unsigned index, int64_t deadline_ms)
{
	enum dns_status st;

	if (b == NULL || index >= b->n)
		return DNS_ERROR;
	pthread_mutex_lock(&b->lock);
	while (b->ans[index].status == DNS_PENDING && !b->ready[index] &&
	        batch_sleep(b, deadline_ms))
		;
	batch_collect(b);
	st = b->ans[index].status;
	pthread_mutex_unlock(&b->lock);
	return st;
}

/* dns_batch_answer - the answer as it stands now; NULL for a bad index */
const struct dns_answer *dns_batch_answer(struct dns_batch *b, unsigned index)
{
	if (b == NULL || index >= b->n)
		return NULL;
	pthread_mutex_lock(&b->lock);
	batch_collect(b);
	pthread_mutex_unlock(&b->lock);
	return &b->ans[index];
}

/* resolver_count - the failure counters of the stats */
static void resolver_count(struct dns_resolver *r, enum dns_status st)
{
	if (st == DNS_TIMEOUT)
		atomic_fetch_add(&r->timeouts, 1);
	else if (st == DNS_SERVFAIL)
		atomic_fetch_add(&r->servfails, 1);
	else if (st == DNS_EBADANSWER)
		atomic_fetch_add(&r->bad_answers, 1);
}

/* query_done - c-ares callback (resolver thread): decode, count, cache
 * what may be cached (never temporary failures), deliver */
static void query_done(
        void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_req *q = arg;
	struct dns_resolver *r = q->r;
	struct dns_answer a;

	reply_answer(r->build, q, status, abuf, alen, &a);
	resolver_count(r, a.status);
	if (a.status == DNS_ANSWER || a.status == DNS_NXDOMAIN ||
	        a.status == DNS_NODATA)
		dns_cache_put(r->cache, q->name, &a);
	batch_deliver(q->batch, q->index, &a);
	free(q);
}

/* req_start - put a request on the channel, unless its batch is gone */
static void req_start(struct dns_resolver *r, struct dns_req *q)
{
	struct dns_batch *b = q->batch;
	int abandoned;

	pthread_mutex_lock(&b->lock);
	abandoned = b->abandoned;
	pthread_mutex_unlock(&b->lock);
	if (abandoned) { /* nobody would read it: spare the server */
		batch_deliver(b, q->index, &(struct dns_answer){0});
		free(q);
		return;
	}
	atomic_fetch_add(&r->queries, 1);
	ares_query(
	        r->channel, q->name, DNS_WIRE_IN, (int)q->type, query_done, q);
}

/* resolver_drain - start (or, when stopping, fail) what is queued;
 * returns 1 when the thread must stop */
static int resolver_drain(struct dns_resolver *r)
{
	struct dns_req *q, *next;
	int stop;

	pthread_mutex_lock(&r->lock);
	q = r->head;
	r->head = r->tail = NULL;
	stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	for (; q != NULL; q = next) {
		next = q->next;
		if (stop)
			query_done(q, ARES_EDESTRUCTION, 0, NULL, 0);
		else
			req_start(r, q);
	}
	return stop;
}

/* resolver_timeout - milliseconds until c-ares's next timeout, -1: none */
static int resolver_timeout(struct dns_resolver *r)
{
	struct timeval tv, *tp = ares_timeout(r->channel, NULL, &tv);

	if (tp == NULL)
		return -1;
	if (tp->tv_sec >= 60)
		return 60000;
	/* rounded up, or the loop would spin until the timeout is due */
	return (int)(tp->tv_sec * 1000 + (tp->tv_usec + 999) / 1000);
}

/* resolver_poll - sleep until the wake fd, a socket or a timeout, then
 * let c-ares read, write and expire what is due */
static void resolver_poll(struct dns_resolver *r)
{
	struct pollfd pfd[1 + ARES_GETSOCK_MAXNUM];
	ares_socket_t s[ARES_GETSOCK_MAXNUM];
	int bits = ares_getsock(r->channel, s, ARES_GETSOCK_MAXNUM), i, n = 1;
	uint64_t v;

	pfd[0] = (struct pollfd){.fd = r->wakefd, .events = POLLIN};
	for (i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
		short ev =
		        (short)((ARES_GETSOCK_READABLE(bits, i) ? POLLIN : 0) |
		                (ARES_GETSOCK_WRITABLE(bits, i) ? POLLOUT : 0));

		if (ev == 0)
			break;
		pfd[n++] = (struct pollfd){.fd = s[i], .events = ev};
	}
	if (poll(pfd, (nfds_t)n, resolver_timeout(r)) > 0 &&
	        (pfd[0].revents & POLLIN) &&
	        read(r->wakefd, &v, sizeof v) < 0) {
		/* EAGAIN: nothing to drain after all */
	}
	for (i = 1; i < n; i++) {
		short re = pfd[i].revents;

		if (re == 0 || (re & POLLNVAL))
			continue;
		ares_process_fd(r->channel,
		        re & (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd
		                                          : ARES_SOCKET_BAD,
		        re & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
	}
	ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

/* resolver_main - the resolver thread: the only user of the channel */
static void *resolver_main(void *arg)
{
	struct dns_resolver *r = arg;

	while (resolver_drain(r) == 0)
		resolver_poll(r);
	/* fails what is in flight with ARES_EDESTRUCTION, so every batch
	 * gets an answer and drops its reference */
	ares_destroy(r->channel);
	r->channel = NULL;
	return NULL;
}

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_status;

/* lib_init - c-ares's global initialisation, which is not thread-safe */
static void lib_init(void)
{
	lib_status = ares_library_init(ARES_LIB_INIT_ALL);
}

/* port_ok - decimal digits naming a port in 1..65535 */
static int port_ok(const char *p, const char *end)
{
	unsigned long v = 0;

	if (p == end || end - p > 5)
		return 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	return v >= 1 && v <= 65535;
}

/* servers_ports_ok - check every ":PORT" of the list ourselves: c-ares
 * 1.18 takes 99999 for 34463 without a word */
static int servers_ports_ok(const char *s)
{
	const char *end, *p, *c;

	for (;; s = end + 1) {
		end = s + strcspn(s, ",");
		p = NULL;
		if (*s == '[') {
			c = memchr(s, ']', (size_t)(end - s));
			p = c != NULL && c + 1 < end && c[1] == ':' ? c + 2
			                                            : NULL;
		} else if ((c = memchr(s, ':', (size_t)(end - s))) != NULL &&
		           memchr(c + 1, ':', (size_t)(end - c - 1)) == NULL) {
			p = c + 1; /* one colon: IPv4 with a port */
		}
		if (p != NULL && !port_ok(p, end))
			return 0;
		if (*end == '\0')
			return 1;
	}
}

/* channel_servers - install an explicit server list; it must name one */
static int channel_servers(ares_channel ch, const char *servers)
{
	struct ares_addr_port_node *list = NULL;
	int ok;

	if (!servers_ports_ok(servers) ||
	        ares_set_servers_ports_csv(ch, servers) != ARES_SUCCESS)
		return DNS_E_SERVERS;
	ok = ares_get_servers_ports(ch, &list) == ARES_SUCCESS && list != NULL;
	ares_free_data(list);
	return ok ? DNS_OK : DNS_E_SERVERS;
}

/* channel_open - the channel with our timeouts, no search domains, and
 * SERVFAIL passed through to us instead of being retried as "refused" */
static int channel_open(struct dns_resolver *r, const struct dns_opts *o)
{
	struct ares_options ao;
	int rc;

	memset(&ao, 0, sizeof ao);
	ao.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH |
	           ARES_FLAG_NOALIASES;
	ao.timeout = (int)o->timeout_ms;
	ao.tries = (int)o->tries;
	pthread_once(&lib_once, lib_init);
	if (lib_status != ARES_SUCCESS)
		return DNS_E_INIT;
	rc = ares_init_options(&r->channel, &ao,
	        ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	                ARES_OPT_DOMAINS);
	if (rc != ARES_SUCCESS) {
		r->channel = NULL;
		return rc == ARES_ENOMEM ? DNS_E_NOMEM : DNS_E_INIT;
	}
	if (o->servers == NULL || o->servers[0] == '\0')
		return DNS_OK; /* resolv.conf */
	return channel_servers(r->channel, o->servers);
}

/* thread_start - the resolver thread, with every signal blocked so that
 * the daemon's handlers run in its main thread */
static int thread_start(struct dns_resolver *r)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, resolver_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0 ? DNS_OK : DNS_E_INIT;
}

/* resolver_destroy - free a resolver whose thread is not running */
static void resolver_destroy(struct dns_resolver *r)
{
	if (r->channel != NULL)
		ares_destroy(r->channel);
	dns_cache_free(r->cache);
	pthread_mutex_destroy(&r->lock);
	if (r->wakefd >= 0)
		close(r->wakefd);
	dns_wire_build_free(r->build);
	free(r);
}

/* opts_fill - options with their defaults; -1 if out of bounds */
static int opts_fill(const struct dns_opts *in, struct dns_opts *o)
{
	memset(o, 0, sizeof *o);
	if (in != NULL)
		*o = *in;
	o->timeout_ms = o->timeout_ms ? o->timeout_ms : 2000;
	o->tries = o->tries ? o->tries : 2;
	o->cache_max_ttl = o->cache_max_ttl ? o->cache_max_ttl : 86400;
	if (o->timeout_ms > INT_MAX || o->tries > 100 ||
	        o->cache_min_ttl > o->cache_max_ttl)
		return -1;
	return 0;
}

/* dns_resolver_new - start the resolver thread with these options */
int dns_resolver_new(const struct dns_opts *opts, struct dns_resolver **out)
{
	struct dns_resolver *r;
	struct dns_opts o;
	int rc = DNS_E_NOMEM;

	if (out == NULL || opts_fill(opts, &o) < 0)
		return DNS_E_INVAL;
	if ((r = calloc(1, sizeof *r)) == NULL)
		return DNS_E_NOMEM;
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r); /* glibc's default mutexes cannot fail to start */
		return DNS_E_NOMEM;
	}
	r->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->build = dns_wire_build_new();
	r->cache = dns_cache_new(&o);
	if (r->wakefd < 0 || r->build == NULL || r->cache == NULL)
		goto fail;
	if ((rc = channel_open(r, &o)) != DNS_OK ||
	        (rc = thread_start(r)) != DNS_OK)
		goto fail;
	*out = r;
	return DNS_OK;
fail:
	resolver_destroy(r);
	return rc;
}

/* dns_resolver_free - stop the thread (which fails what is queued or in
 * flight) and free everything; batches still alive stay freeable */
void dns_resolver_free(struct dns_resolver *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_mutex_unlock(&r->lock);
	resolver_wake(r);
	pthread_join(r->thread, NULL);
	resolver_destroy(r);
}

/* dns_resolver_stats - counters since start (copied) */
void dns_resolver_stats(struct dns_resolver *r, struct dns_stats *out)
{
	if (out == NULL)
		return;
	memset(out, 0, sizeof *out);
	if (r == NULL)
		return;
	out->queries = atomic_load(&r->queries);
	out->cache_hits = atomic_load(&r->cache_hits);
	out->timeouts = atomic_load(&r->timeouts);
	out->servfails = atomic_load(&r->servfails);
	out->bad_answers = atomic_load(&r->bad_answers);
	out->cache_size = dns_cache_size(r->cache);
}
