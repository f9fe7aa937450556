/*
 * dns.h - asynchronous DNS for repmilter: one resolver thread, one cache.
 *
 * PURPOSE
 *	Every DNS question repmilter asks goes through this module; dns.c is the
 *	only file that includes <ares.h>. c-ares 1.18 channels are not
 *	thread-safe, so one resolver thread owns the channel and takes requests
 *	from a queue; milter worker threads start queries and later wait for
 *	them. Queries of one message are grouped in a struct dns_batch, so they
 *	run in parallel and are awaited together, bounded by a deadline.
 *
 *	Answers are cached, shared by all threads, keyed by (name, type), for
 *	their TTL clamped to [cache_min_ttl, cache_max_ttl]. Negative answers
 *	(NXDOMAIN, NODATA) are cached for the SOA minimum (clamped the same
 *	way); temporary failures (timeout, SERVFAIL, refused) are never cached.
 *	A cache hit is answered in the calling thread without waking the
 *	resolver thread.
 *
 * OWNERSHIP
 *	dns_resolver_new/dns_resolver_free, dns_batch_new/dns_batch_free. A
 *	struct dns_answer returned by dns_batch_answer is borrowed from the
 *	batch and lives until dns_batch_free. Freeing a batch with queries
 *	still in flight is allowed: the resolver drops their answers.
 *
 * THREADS
 *	A resolver is shared by all threads. A batch belongs to one message and
 *	is used by one thread at a time (it may move between libmilter worker
 *	threads between callbacks).
 *
 * ERRORS
 *	Functions return 0 or a negative DNS_E_* code; dns_strerror() names it.
 *	A DNS failure is not an error of the call: it is the status of the
 *	answer (DNS_TIMEOUT, DNS_SERVFAIL, ...).
 *
 * CAVEATS
 *	- The resolver thread never blocks on a caller; a batch waits on a
 *	  condition variable until its last query finishes or its deadline.
 *	- Names are passed without a trailing dot, at most 253 octets.
 *	- Hostile answers (truncated, wrong type, a name that does not match the
 *	  question, oversize records) yield DNS_EBADANSWER, never a crash. An
 *	  answer keeps at most 64 records and 64 KiB of strings: records past
 *	  either cap are dropped, the first ones kept.
 *	- Free the batches before their resolver. A batch that outlives its
 *	  resolver gets DNS_ERROR for the queries that were in flight; it may
 *	  then be waited on, read and freed, but not added to.
 *	- c-ares 1.18 doubles the timeout on each new round of tries: with one
 *	  server, tries=2 waits up to 3 x timeout_ms, tries=3 up to 7 x.
 *	- A reply longer than 512 octets is fetched again over TCP (no EDNS).
 */
#ifndef REPMILTER_DNS_H
#define REPMILTER_DNS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define DNS_MUST_CHECK __attribute__((warn_unused_result))
#else
#define DNS_MUST_CHECK
#endif

enum {
	DNS_OK = 0,
	DNS_E_INVAL = -1,   /* bad argument (name too long, unknown type) */
	DNS_E_NOMEM = -2,
	DNS_E_SERVERS = -3, /* dns_servers could not be parsed or set */
	DNS_E_INIT = -4,    /* c-ares or the thread could not start */
	DNS_E_FULL = -5,    /* the batch already holds DNS_BATCH_MAX queries */
};

/* Query types (the wire values). */
enum dns_type {
	DNS_T_A = 1,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
};

/* Status of one answer. */
enum dns_status {
	DNS_PENDING = 0,   /* not answered yet (deadline passed, or not waited) */
	DNS_ANSWER = 1,    /* one or more records of the asked type */
	DNS_NXDOMAIN = 2,  /* the name does not exist */
	DNS_NODATA = 3,    /* the name exists, no record of that type */
	DNS_SERVFAIL = 4,  /* server failure or refusal */
	DNS_TIMEOUT = 5,   /* every try timed out */
	DNS_EBADANSWER = 6, /* malformed or inconsistent reply */
	DNS_ERROR = 7,     /* any other resolver failure */
};

/* One resource record of the asked type. Strings are NUL-terminated and
 * owned by the answer. A TXT record's character-strings are concatenated
 * (RFC 7208 3.3); `len` is its length (a TXT record may contain NULs). */
struct dns_rr {
	uint32_t ttl;
	union {
		struct in_addr a;
		struct in6_addr aaaa;
		struct {
			uint16_t preference;
			char *host;
		} mx;
		struct {
			char *data;
			size_t len;
		} txt;
		char *ptr;
	} u;
};

struct dns_answer {
	enum dns_status status;
	enum dns_type type;
	uint32_t ttl;          /* smallest record TTL as received (unclamped) */
	unsigned cached;       /* 1: served from the cache */
	unsigned nrr;
	struct dns_rr *rr;     /* nrr records, in the order received */
};

struct dns_opts {
	const char *servers;   /* "ADDR:PORT,[ADDR6]:PORT"; NULL or "": system */
	unsigned timeout_ms;   /* per try; 0: 2000 */
	unsigned tries;        /* 0: 2 */
	unsigned cache_min_ttl; /* seconds */
	unsigned cache_max_ttl; /* seconds; 0: 86400 */
	size_t cache_entries;  /* 0: no cache */
};

struct dns_stats {
	uint64_t queries;      /* sent to a server */
	uint64_t cache_hits;
	uint64_t timeouts;
	uint64_t servfails;
	uint64_t bad_answers;
	size_t cache_size;     /* entries now */
};

struct dns_resolver;
struct dns_batch;

#define DNS_BATCH_MAX 64

/* dns_strerror - a static text for a DNS_E_* code */
const char *dns_strerror(int err);

/* dns_status_name - "answer", "nxdomain", "timeout", ... (static) */
const char *dns_status_name(enum dns_status st);

/* dns_resolver_new - start the resolver thread with these options */
int dns_resolver_new(const struct dns_opts *opts,
	struct dns_resolver **out) DNS_MUST_CHECK;

/* dns_resolver_free - cancel what is in flight, join the thread, free */
void dns_resolver_free(struct dns_resolver *r);

/* dns_resolver_stats - counters since start (copied) */
void dns_resolver_stats(struct dns_resolver *r, struct dns_stats *out);

/* dns_batch_new - an empty batch of queries on resolver `r` */
int dns_batch_new(struct dns_resolver *r, struct dns_batch **out) DNS_MUST_CHECK;

/* dns_batch_free - free the batch; queries still in flight are abandoned */
void dns_batch_free(struct dns_batch *b);

/* dns_batch_add - start a query now; *index identifies it in the batch */
int dns_batch_add(struct dns_batch *b, const char *name, enum dns_type type,
	unsigned *index) DNS_MUST_CHECK;

/* dns_batch_add_fresh - dns_batch_add that always asks a server (the
 * answer still refreshes the cache): for probes, which must see the list
 * as it is now, not as it was when a negative answer was cached */
int dns_batch_add_fresh(struct dns_batch *b, const char *name,
	enum dns_type type, unsigned *index) DNS_MUST_CHECK;

/* dns_batch_wait - wait until every query of the batch has an answer or
 * until `deadline_ms` (CLOCK_MONOTONIC milliseconds, dns_now_ms); returns
 * the number of queries still pending (0: all answered) */
unsigned dns_batch_wait(struct dns_batch *b, int64_t deadline_ms);

/* dns_batch_wait_one - the same for one query of the batch; DNS_ERROR
 * for an index that was never returned by dns_batch_add */
enum dns_status dns_batch_wait_one(struct dns_batch *b, unsigned index,
	int64_t deadline_ms);

/* dns_batch_answer - the answer of query `index` as it stands now; its
 * status is DNS_PENDING while unanswered. Borrowed from the batch. NULL
 * for an index that was never returned by dns_batch_add. */
const struct dns_answer *dns_batch_answer(struct dns_batch *b, unsigned index);

/* dns_now_ms - CLOCK_MONOTONIC in milliseconds */
int64_t dns_now_ms(void);

#endif /* REPMILTER_DNS_H */
