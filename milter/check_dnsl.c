/* check_dnsl.c - DNS block- and allowlists for one connection or message */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "check_dnsl.h"
#include "log.h"

static const char *const what_name[] = {"client", "helo", "from"};

/* add - start one query; a full batch or a bad name only loses that one */
static void add(struct check_dnsl *c, struct gen *g, const struct dnsl_set *set,
        unsigned zone, unsigned what, const char *qname)
{
	struct check_dnsl_query *q;

	if (c->batch == NULL && dns_batch_new(g->dns, &c->batch) != 0)
		return;
	if (c->n == DNS_BATCH_MAX)
		return;
	q = &c->q[c->n];
	if (dns_batch_add(c->batch, qname, DNS_T_A, &q->index) != 0)
		return;
	q->set = set;
	q->zone = (uint8_t)zone;
	q->what = (uint8_t)what;
	c->n++;
}

/* check_dnsl_client - reversed octets or nibbles, then each zone */
void check_dnsl_client(
        struct check_dnsl *c, struct gen *g, int family, const uint8_t *addr)
{
	const struct dnsl_set *set = g->cfg->ip_lists;
	char qname[DNSL_QNAME_MAX];

	for (unsigned z = 0; set != NULL && z < dnsl_zone_count(set); z++) {
		const char *zone = dnsl_zone_name(set, z);
		int rc;

		if (!dnsl_zone_enabled(set, z))
			continue;
		if (family == AF_INET)
			rc = dnsl_qname_ip4((const struct in_addr *)addr, zone,
			        qname, sizeof(qname));
		else
			rc = dnsl_qname_ip6((const struct in6_addr *)addr, zone,
			        qname, sizeof(qname));
		if (rc == 0)
			add(c, g, set, z, CHECK_DNSL_CLIENT, qname);
	}
}

/* check_dnsl_domain - "name.zone" on each enabled domain list */
void check_dnsl_domain(struct check_dnsl *c, struct gen *g, const char *name,
        enum check_dnsl_what what)
{
	const struct dnsl_set *set = g->cfg->domain_lists;
	char qname[DNSL_QNAME_MAX];

	for (unsigned z = 0; set != NULL && z < dnsl_zone_count(set); z++)
		if (dnsl_zone_enabled(set, z) &&
		        dnsl_qname_domain(name, dnsl_zone_name(set, z), qname,
		                sizeof(qname)) == 0)
			add(c, g, set, z, what, qname);
}

/* check_dnsl_wait - bounded by the message deadline */
void check_dnsl_wait(struct check_dnsl *c, int64_t deadline_ms)
{
	if (c->batch != NULL)
		dns_batch_wait(c->batch, deadline_ms);
}

/* symbol - the zone's symbol, with _HELO or _FROM for domain lists */
static void symbol(const struct check_dnsl_query *q, char *buf, size_t len)
{
	const char *base = dnsl_zone_symbol(q->set, q->zone);

	if (q->what == CHECK_DNSL_CLIENT)
		snprintf(buf, len, "%s", base);
	else
		snprintf(buf, len, "%s_%s", base,
		        q->what == CHECK_DNSL_HELO ? "HELO" : "FROM");
}

/* answers - the A records of an answer and their text, "127.0.0.2,..." */
static unsigned answers(const struct dns_answer *a, struct in_addr *rr,
        unsigned max, char *text, size_t len)
{
	unsigned n = 0;
	size_t used = 0;

	text[0] = '\0';
	for (; n < a->nrr && n < max; n++) {
		char one[INET_ADDRSTRLEN];

		rr[n] = a->rr[n].u.a;
		inet_ntop(AF_INET, &rr[n], one, sizeof(one));
		if (used < len)
			used += (size_t)snprintf(text + used, len - used,
			        "%s%s", n > 0 ? "," : "", one);
	}
	return n;
}

/* judge - one answer: a symbol when listed, a log line when in error */
static void judge(const struct check_dnsl_query *q, const struct dns_answer *a,
        struct policy_evidence *e, struct engine_counters *n, const char *qid)
{
	struct in_addr rr[32];
	char text[POLICY_DETAIL_LEN], name[POLICY_SYMBOL_LEN];
	double weight = 0;
	unsigned nrr = answers(a, rr, 32, text, sizeof(text));
	enum dnsl_verdict v =
	        dnsl_score_answer(q->set, q->zone, rr, nrr, &weight);

	if (v == DNSL_LISTED) {
		symbol(q, name, sizeof(name));
		if (dnsl_zone_is_allowlist(q->set, q->zone))
			policy_add_allowlist(e, name, weight, text);
		else
			policy_add(e, name, weight, text);
	} else if (v == DNSL_ERROR_CODE || v == DNSL_OUTSIDE) {
		atomic_fetch_add(&n->dnsl_errors, 1);
		log_msg(LOG_WARNING,
		        "%s: dnsl zone=%s query=%s answer=%s: %s, not a "
		        "listing",
		        qid, dnsl_zone_name(q->set, q->zone),
		        what_name[q->what], text,
		        v == DNSL_OUTSIDE ? "outside 127.0.0.0/8"
		                          : "error code");
	}
}

/* check_dnsl_collect - every query: listed, clean, late or failed */
void check_dnsl_collect(struct check_dnsl *c, struct policy_evidence *e,
        struct engine_counters *n, const char *qid)
{
	for (unsigned i = 0; i < c->n; i++) {
		const struct check_dnsl_query *q = &c->q[i];
		const struct dns_answer *a =
		        dns_batch_answer(c->batch, q->index);

		switch (a->status) {
		case DNS_ANSWER:
			judge(q, a, e, n, qid);
			break;
		case DNS_NXDOMAIN:
		case DNS_NODATA:
			break;
		case DNS_PENDING:
		case DNS_TIMEOUT:
			atomic_fetch_add(&n->dnsl_timeouts, 1);
			policy_note_timeout(e, dnsl_zone_name(q->set, q->zone));
			break;
		default:
			atomic_fetch_add(&n->dnsl_errors, 1);
			log_msg(LOG_WARNING,
			        "%s: dnsl zone=%s query=%s failed: %s; the "
			        "list scores nothing",
			        qid, dnsl_zone_name(q->set, q->zone),
			        what_name[q->what], dns_status_name(a->status));
		}
	}
}

/* check_dnsl_reset - free the batch; its queries may still be in flight */
void check_dnsl_reset(struct check_dnsl *c)
{
	dns_batch_free(c->batch);
	c->batch = NULL;
	c->n = 0;
}
