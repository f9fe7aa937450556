/* check_spf.c - SPF for the HELO and MAIL FROM identities (see check_spf.h) */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <spf2/spf.h>

#include "check_spf.h"
#include "spf_dns.h"
#include "spf_parse.h"

/* The client, IPv4-mapped addresses unmapped. */
struct client {
	int family;
	unsigned char addr[16];
};

/* What one evaluation needs. */
struct eval {
	const struct spf_dns_ops *ops;
	void *impl;
	const struct client *client;
	const char *helo;
	const char *receiver;
	int64_t deadline;
};

/* libspf2 objects of one evaluation. */
struct spf_run {
	struct spf_dns *layer;
	SPF_server_t *server;
	SPF_request_t *req;
	SPF_response_t *resp;
	SPF_errcode_t err;
};

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

/* quiet - libspf2's default handlers print to stdout/stderr */
static void quiet(const char *file, int line, const char *msg)
{
	(void)file;
	(void)line;
	(void)msg;
}

/* silence_libspf2 - once per process (the handlers are globals) */
static void silence_libspf2(void)
{
	SPF_warning_handler = quiet;
	SPF_info_handler = quiet;
	SPF_debug_handler = quiet;
}

/* copy_printable - bounded copy; bytes outside 0x20-0x7e become '?' */
static void copy_printable(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	for (; src != NULL && src[i] != '\0' && i + 1 < len; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

/* client_of - the request's address; ::ffff:a.b.c.d is IPv4 (5 of the
 * RFC: "ip4" must match it) */
static int client_of(const struct check_spf_request *r, struct client *c)
{
	static const unsigned char mapped[12] = {
	        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const unsigned char *a = r->addr;

	if (a == NULL || (r->family != AF_INET && r->family != AF_INET6))
		return -1;
	if (r->family == AF_INET6 && memcmp(a, mapped, 12) == 0) {
		c->family = AF_INET;
		memcpy(c->addr, a + 12, 4);
	} else {
		c->family = r->family;
		memcpy(c->addr, a, r->family == AF_INET ? 4 : 16);
	}
	return 0;
}

/* run_free - free what run_new made, in reverse */
static void run_free(struct spf_run *r)
{
	if (r->resp != NULL)
		SPF_response_free(r->resp);
	if (r->req != NULL)
		SPF_request_free(r->req);
	if (r->server != NULL)
		SPF_server_free(r->server); /* the layer has no destructor */
	spf_dns_free(r->layer);
}

/* server_new - a server on our layer: no default explanation (the
 * caller has its own), our name for %{r} */
static SPF_server_t *server_new(struct spf_dns *layer, const char *receiver)
{
	SPF_server_t *s = SPF_server_new_dns(spf_dns_server(layer), 0);
	SPF_response_t *resp = NULL;

	if (s == NULL)
		return NULL;
	if (SPF_server_set_explanation(s, "", &resp) != SPF_E_SUCCESS ||
	        SPF_server_set_rec_dom(s, receiver) != SPF_E_SUCCESS) {
		SPF_response_free(resp);
		SPF_server_free(s);
		return NULL;
	}
	SPF_response_free(resp);
	return s;
}

/* request_new - client, HELO (first: libspf2 reads it for an empty
 * sender) and sender `lp`@`domain` */
static SPF_request_t *request_new(SPF_server_t *s, const struct eval *ev,
        const char *lp, const char *domain)
{
	SPF_request_t *req = SPF_request_new(s);
	char sender[1024];
	struct in_addr a4;
	struct in6_addr a6;

	if (req == NULL)
		return NULL;
	if (ev->client->family == AF_INET) {
		memcpy(&a4, ev->client->addr, 4);
		SPF_request_set_ipv4(req, a4);
	} else {
		memcpy(&a6, ev->client->addr, 16);
		SPF_request_set_ipv6(req, a6);
	}
	snprintf(sender, sizeof(sender), "%s@%s", lp[0] ? lp : "postmaster",
	        domain);
	if (SPF_request_set_helo_dom(req, ev->helo) != SPF_E_SUCCESS ||
	        SPF_request_set_env_from(req, sender) != SPF_E_SUCCESS) {
		SPF_request_free(req);
		return NULL;
	}
	return req;
}

/* run_new - layer, server, request and response; -1 on no memory */
static int run_new(const struct eval *ev, const char *lp, const char *domain,
        struct spf_run *r)
{
	memset(r, 0, sizeof(*r));
	if (spf_dns_new(ev->ops, ev->impl, ev->client->family, ev->client->addr,
	            ev->deadline, &r->layer) != 0)
		return -1;
	r->server = server_new(r->layer, ev->receiver);
	if (r->server != NULL)
		r->req = request_new(r->server, ev, lp, domain);
	if (r->req != NULL)
		r->resp = SPF_response_new(r->req);
	if (r->resp == NULL) {
		run_free(r);
		return -1;
	}
	r->req->cur_dom = r->req->env_from_dp;
	return 0;
}

/* interpret - SPF_request_query_mailfrom without its "localhost" pass:
 * fetch the record through our layer, then let libspf2 evaluate it */
static void interpret(struct spf_run *r)
{
	SPF_record_t *rec = NULL;

	r->err = SPF_server_get_record(r->server, r->req, r->resp, &rec);
	if (r->err != SPF_E_SUCCESS) {
		if (rec != NULL)
			SPF_record_free(rec);
		return;
	}
	r->resp->spf_record_exp = rec;
	r->err = SPF_record_interpret(rec, r->req, r->resp, 0);
	SPF_record_free(rec);
}

/* from_layer - a verdict of the layer as a result */
static enum check_spf_result from_layer(enum spf_dns_verdict v)
{
	return v == SPF_DNS_NONE        ? CHECK_SPF_NONE
	       : v == SPF_DNS_TEMPERROR ? CHECK_SPF_TEMPERROR
	                                : CHECK_SPF_PERMERROR;
}

/* from_libspf2 - libspf2's result; INVALID ("no result") is temperror
 * after a DNS error, else permerror */
static enum check_spf_result from_libspf2(const struct spf_run *r)
{
	switch (SPF_response_result(r->resp)) {
	case SPF_RESULT_PASS:
		return CHECK_SPF_PASS;
	case SPF_RESULT_FAIL:
		return CHECK_SPF_FAIL;
	case SPF_RESULT_SOFTFAIL:
		return CHECK_SPF_SOFTFAIL;
	case SPF_RESULT_NEUTRAL:
		return CHECK_SPF_NEUTRAL;
	case SPF_RESULT_NONE:
		return CHECK_SPF_NONE;
	case SPF_RESULT_TEMPERROR:
		return CHECK_SPF_TEMPERROR;
	case SPF_RESULT_PERMERROR:
		return CHECK_SPF_PERMERROR;
	default:
		return r->err == SPF_E_DNS_ERROR ? CHECK_SPF_TEMPERROR
		                                 : CHECK_SPF_PERMERROR;
	}
}

/* default_reason - a reason when the layer gave none */
static const char *default_reason(
        const struct spf_run *r, enum check_spf_result res)
{
	if (res == CHECK_SPF_PASS || res == CHECK_SPF_FAIL ||
	        res == CHECK_SPF_SOFTFAIL || res == CHECK_SPF_NEUTRAL)
		return SPF_response_reason(r->resp) == SPF_REASON_MECH
		               ? "mechanism matched"
		               : "no mechanism matched";
	if (res == CHECK_SPF_TEMPERROR)
		return "DNS error";
	if (r->err != SPF_E_SUCCESS)
		return SPF_strerror(r->err);
	return SPF_strerror(SPF_response_errcode(r->resp));
}

/* judge - the identity's result from the layer and libspf2 */
static void judge(const struct spf_run *r, struct check_spf_identity *id)
{
	struct spf_dns_report rep;
	const char *exp;

	spf_dns_report(r->layer, &rep);
	if (rep.abort != SPF_DNS_GOING)
		id->result = from_layer(rep.abort);
	else if (rep.top != SPF_DNS_GOING)
		id->result = from_layer(rep.top);
	else
		id->result = from_libspf2(r);
	copy_printable(id->reason, sizeof(id->reason),
	        rep.reason[0] ? rep.reason : default_reason(r, id->result));
	exp = SPF_response_get_explanation(r->resp);
	if (id->result == CHECK_SPF_FAIL && exp != NULL)
		copy_printable(id->explanation, sizeof(id->explanation), exp);
	id->terms = rep.terms;
	id->voids = rep.voids;
	id->queries = rep.queries;
	id->timed_out = rep.timed_out;
}

/* evaluate - check_host(client, domain, lp@domain); -1 on no memory */
static int evaluate(const struct eval *ev, const char *lp, const char *domain,
        struct check_spf_identity *id)
{
	struct spf_run r;

	copy_printable(id->domain, sizeof(id->domain), domain);
	if (!spf_parse_domain_ok(domain)) {
		id->result = CHECK_SPF_NONE;
		copy_printable(id->reason, sizeof(id->reason),
		        "not a valid domain name");
		return 0;
	}
	if (run_new(ev, lp, domain, &r) != 0)
		return -1;
	id->evaluated = 1;
	interpret(&r);
	judge(&r, id);
	run_free(&r);
	return 0;
}

/* split_sender - local part and domain at the last '@' ("" local part:
 * postmaster; no '@': all domain) */
static void split_sender(
        const char *from, char *lp, size_t lplen, char *dom, size_t domlen)
{
	const char *at = strrchr(from, '@');
	size_t n = at != NULL ? (size_t)(at - from) : 0;

	if (n >= lplen)
		n = lplen - 1;
	memcpy(lp, from, n);
	lp[n] = '\0';
	snprintf(dom, domlen, "%s", at != NULL ? at + 1 : from);
}

/* run_identities - MAIL FROM first (it matters more, and a slow HELO
 * domain must not eat its time), then HELO; for <> one evaluation */
static int run_identities(const struct eval *ev, const char *mail_from,
        int skip_helo, struct check_spf_outcome *o)
{
	char lp[512], dom[512];

	if (mail_from == NULL || mail_from[0] == '\0') {
		o->null_sender = 1;
		if (evaluate(ev, "postmaster", ev->helo, &o->helo) != 0)
			return -1;
		o->mfrom = o->helo;
		return 0;
	}
	split_sender(mail_from, lp, sizeof(lp), dom, sizeof(dom));
	if (evaluate(ev, lp, dom, &o->mfrom) != 0)
		return -1;
	if (skip_helo) {
		strcpy(o->helo.reason, "HELO not checked");
		return 0;
	}
	return evaluate(ev, "postmaster", ev->helo, &o->helo);
}

/* no_client - without an address there is nothing to check */
static void no_client(struct check_spf_outcome *o)
{
	strcpy(o->helo.reason, "no client address");
	o->mfrom = o->helo;
}

/* check_spf_run - see check_spf.h */
int check_spf_run(const struct spf_dns_ops *ops, void *impl,
        const struct check_spf_request *req, struct check_spf_outcome *out)
{
	struct check_spf_outcome o;
	struct client c;
	struct eval ev;

	if (ops == NULL || req == NULL || out == NULL)
		return CHECK_SPF_E_INVAL;
	pthread_once(&quiet_once, silence_libspf2);
	memset(&o, 0, sizeof(o));
	if (client_of(req, &c) != 0) {
		no_client(&o);
		*out = o;
		return 0;
	}
	ev = (struct eval){ops, impl, &c, req->helo ? req->helo : "",
	        req->receiver ? req->receiver : "unknown", req->deadline_ms};
	if (run_identities(&ev, req->mail_from, req->skip_helo, &o) != 0)
		return CHECK_SPF_E_NOMEM;
	*out = o;
	return 0;
}

/* check_spf_result_name - RFC 8601 result names */
const char *check_spf_result_name(enum check_spf_result r)
{
	static const char *const names[CHECK_SPF_RESULTS] = {"none", "neutral",
	        "pass", "fail", "softfail", "temperror", "permerror"};

	return (unsigned)r < CHECK_SPF_RESULTS ? names[r] : "permerror";
}

/* check_spf_symbol - policy symbol names */
const char *check_spf_symbol(enum check_spf_result r, int helo)
{
	static const char *const mfrom[CHECK_SPF_RESULTS] = {"SPF_NONE",
	        "SPF_NEUTRAL", "SPF_PASS", "SPF_FAIL", "SPF_SOFTFAIL",
	        "SPF_TEMPERROR", "SPF_PERMERROR"};
	static const char *const helos[CHECK_SPF_RESULTS] = {"SPF_HELO_NONE",
	        "SPF_HELO_NEUTRAL", "SPF_HELO_PASS", "SPF_HELO_FAIL",
	        "SPF_HELO_SOFTFAIL", "SPF_HELO_TEMPERROR",
	        "SPF_HELO_PERMERROR"};

	if ((unsigned)r >= CHECK_SPF_RESULTS)
		r = CHECK_SPF_PERMERROR;
	return helo ? helos[r] : mfrom[r];
}

/* check_spf_weights_default - CHECK_SPF_W_* */
void check_spf_weights_default(struct check_spf_weights *w)
{
	memset(w, 0, sizeof(*w));
	w->mfrom[CHECK_SPF_PASS] = CHECK_SPF_W_PASS;
	w->mfrom[CHECK_SPF_FAIL] = CHECK_SPF_W_FAIL;
	w->mfrom[CHECK_SPF_SOFTFAIL] = CHECK_SPF_W_SOFTFAIL;
	w->mfrom[CHECK_SPF_NEUTRAL] = CHECK_SPF_W_NEUTRAL;
	w->mfrom[CHECK_SPF_NONE] = CHECK_SPF_W_NONE;
	w->mfrom[CHECK_SPF_TEMPERROR] = CHECK_SPF_W_TEMPERROR;
	w->mfrom[CHECK_SPF_PERMERROR] = CHECK_SPF_W_PERMERROR;
	w->helo[CHECK_SPF_PASS] = CHECK_SPF_W_HELO_PASS;
	w->helo[CHECK_SPF_FAIL] = CHECK_SPF_W_HELO_FAIL;
	w->helo[CHECK_SPF_SOFTFAIL] = CHECK_SPF_W_HELO_SOFTFAIL;
}

/* check_spf_collect - one symbol per identity that counts */
void check_spf_collect(const struct check_spf_outcome *o,
        const struct check_spf_weights *w, struct policy_evidence *e)
{
	enum check_spf_result m = o->mfrom.result, h = o->helo.result;

	if ((unsigned)m < CHECK_SPF_RESULTS)
		policy_add(e, check_spf_symbol(m, 0), w->mfrom[m],
		        o->mfrom.domain);
	if (!o->null_sender && o->helo.evaluated &&
	        (unsigned)h < CHECK_SPF_RESULTS)
		policy_add(
		        e, check_spf_symbol(h, 1), w->helo[h], o->helo.domain);
}

/* check_spf_strerror - CHECK_SPF_E_* texts */
const char *check_spf_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case CHECK_SPF_E_INVAL:
		return "invalid argument";
	case CHECK_SPF_E_NOMEM:
		return "out of memory";
	default:
		return "unknown error";
	}
}
