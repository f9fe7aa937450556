/* dmarc_dns.c - the DMARC check's DNS backend on milter/dns.h */
#include "config.h"

#include <string.h>

#include "check_dmarc.h"
#include "dns.h"

/* batch_query - one TXT question in the message's batch, made on first
 * use so a message without a From domain costs nothing */
static int batch_query(void *ctx, const char *name, unsigned *id)
{
	struct dmarc_dns_batch *b = ctx;
	int rc;

	if (b->batch == NULL && dns_batch_new(b->resolver, &b->batch) != 0)
		return DNS_E_NOMEM;
	rc = dns_batch_add(b->batch, name, DNS_T_TXT, id);
	/* dns.h refuses a name over 253 octets with DNS_E_INVAL */
	return rc == DNS_E_INVAL ? CHECK_DMARC_E_NAME : rc;
}

/* map_status - dns.h's status in the check's terms */
static enum dmarc_dns_status map_status(enum dns_status st)
{
	switch (st) {
	case DNS_ANSWER:
		return DMARC_DNS_FOUND;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		return DMARC_DNS_NONE;
	case DNS_PENDING:
		return DMARC_DNS_LATE;
	default:
		return DMARC_DNS_TEMP; /* timeout, SERVFAIL, bad answer */
	}
}

/* batch_answer - wait for this one question only: when the From
 * domain's record is there, the org domain's answer is not awaited */
static void batch_answer(void *ctx, unsigned id, int64_t deadline_ms,
        struct dmarc_txt_answer *out)
{
	struct dmarc_dns_batch *b = ctx;
	const struct dns_answer *a;

	out->status = DMARC_DNS_TEMP;
	out->n = 0;
	if (b->batch == NULL)
		return;
	dns_batch_wait_one(b->batch, id, deadline_ms);
	a = dns_batch_answer(b->batch, id);
	if (a == NULL)
		return;
	out->status = map_status(a->status);
	if (out->status != DMARC_DNS_FOUND)
		return;
	for (unsigned i = 0; i < a->nrr && out->n < DMARC_TXT_MAX; i++) {
		out->rr[out->n].data = a->rr[i].u.txt.data;
		out->rr[out->n].len = a->rr[i].u.txt.len;
		out->n++;
	}
}

const struct dmarc_dns_ops dmarc_dns_batch_ops = {
        .query = batch_query,
        .answer = batch_answer,
};

/* dmarc_dns_batch_init - no batch until the first question */
void dmarc_dns_batch_init(struct dmarc_dns_batch *b, struct dns_resolver *r)
{
	b->resolver = r;
	b->batch = NULL;
}

/* dmarc_dns_batch_reset - the batch and its answers go */
void dmarc_dns_batch_reset(struct dmarc_dns_batch *b)
{
	dns_batch_free(b->batch);
	b->batch = NULL;
}
