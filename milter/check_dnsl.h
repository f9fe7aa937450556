/*
 * check_dnsl.h - the DNS-list check: start the queries of a connection or
 * a message, then turn the answers that arrived into symbols.
 *
 * A struct check_dnsl is a value owned by the session; its queries run in
 * one dns_batch. Not thread-safe: one session, one thread at a time.
 */
#ifndef REPMILTER_CHECK_DNSL_H
#define REPMILTER_CHECK_DNSL_H

#include <stdint.h>

#include "dns.h"
#include "dnsl.h"
#include "engine.h"
#include "policy.h"

enum check_dnsl_what {
	CHECK_DNSL_CLIENT = 0, /* the client address */
	CHECK_DNSL_HELO = 1,   /* the HELO name, on domain lists */
	CHECK_DNSL_FROM = 2,   /* the envelope sender's domain */
};

struct check_dnsl_query {
	const struct dnsl_set *set;
	uint8_t zone, what;
	unsigned index; /* in the batch */
};

struct check_dnsl {
	struct dns_batch *batch; /* NULL until the first query */
	unsigned n;
	struct check_dnsl_query q[DNS_BATCH_MAX];
};

/* check_dnsl_client - ask every enabled address list about the client */
void check_dnsl_client(
        struct check_dnsl *c, struct gen *g, int family, const uint8_t *addr);

/* check_dnsl_domain - ask every enabled domain list about `name` */
void check_dnsl_domain(struct check_dnsl *c, struct gen *g, const char *name,
        enum check_dnsl_what what);

/* check_dnsl_wait - wait for the answers until `deadline_ms` */
void check_dnsl_wait(struct check_dnsl *c, int64_t deadline_ms);

/* check_dnsl_collect - symbols for the listings, timeouts noted, errors
 * logged (with `qid`) and counted */
void check_dnsl_collect(struct check_dnsl *c, struct policy_evidence *e,
        struct engine_counters *n, const char *qid);

/* check_dnsl_reset - abandon the queries and free the batch */
void check_dnsl_reset(struct check_dnsl *c);

#endif /* REPMILTER_CHECK_DNSL_H */
