/* spf_dns_resolver.c - the SPF DNS layer's backend on dns.c (spf_dns.h) */
#include "config.h"

#include <stdlib.h>

#include "dns.h"
#include "spf_dns.h"

/* The dns.c backend: one batch at a time, renewed when it is full. */
struct res_session {
	struct dns_resolver *r;
	struct dns_batch *b;
};

/* res_open - a session on a shared resolver */
static void *res_open(void *impl)
{
	struct res_session *s;

	if (impl == NULL || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->r = impl;
	return s;
}

/* res_add - start the query, on a fresh batch when this one is full */
static int res_add(struct res_session *s, const char *name, enum dns_type type,
        unsigned *idx)
{
	int rc = s->b != NULL ? dns_batch_add(s->b, name, type, idx)
	                      : DNS_E_FULL;

	if (rc != DNS_E_FULL)
		return rc;
	dns_batch_free(s->b); /* its answers were borrowed until now */
	s->b = NULL;
	if (dns_batch_new(s->r, &s->b) != 0)
		return DNS_E_NOMEM;
	return dns_batch_add(s->b, name, type, idx);
}

/* res_query - a name dns.c refuses cannot exist: NXDOMAIN */
static const struct dns_answer *res_query(void *session, const char *name,
        enum dns_type type, int64_t deadline_ms)
{
	static const struct dns_answer nxdomain = {.status = DNS_NXDOMAIN};
	struct res_session *s = session;
	unsigned idx;
	int rc = res_add(s, name, type, &idx);

	if (rc == DNS_E_INVAL)
		return &nxdomain;
	if (rc != 0)
		return NULL;
	dns_batch_wait_one(s->b, idx, deadline_ms);
	return dns_batch_answer(s->b, idx);
}

/* res_close - abandon what is in flight, free */
static void res_close(void *session)
{
	struct res_session *s = session;

	if (s == NULL)
		return;
	dns_batch_free(s->b);
	free(s);
}

const struct spf_dns_ops spf_dns_resolver_ops = {
        .open = res_open,
        .query = res_query,
        .close = res_close,
};
