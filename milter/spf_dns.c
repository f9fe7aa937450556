/* spf_dns.c - the DNS layer of one SPF evaluation (see spf_dns.h) */
#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <spf2/spf.h>

#include "spf_dns.h"
#include "spf_macro.h"
#include "spf_parse.h"

#define NAME_LEN 253
#define EXP_MAX_FETCHES 20 /* explanations asked in one evaluation */
#define EXP_TEXT_MAX 1024

struct spf_dns {
	SPF_dns_server_t server; /* server.hook points back here */
	const struct spf_dns_ops *ops;
	void *session;
	int family;
	unsigned char addr[16];
	int64_t deadline;
	SPF_request_t *req; /* borrowed from libspf2 at the first fetch */
	int started;        /* the top-level record was fetched */
	int in_exp;         /* building an explanation: nothing counts */
	unsigned exps;
	struct spf_dns_report rep;
	/* follow-up names from the last MX or PTR answer, in order */
	unsigned npending, next;
	char pending[SPF_DNS_MAX_MX][NAME_LEN + 1];
};

static const struct dns_answer error_answer = {.status = DNS_ERROR};

/* stop - the first limit or deadline decides the result */
static void stop(struct spf_dns *l, enum spf_dns_verdict v, const char *why)
{
	if (l->rep.abort == SPF_DNS_GOING) {
		l->rep.abort = v;
		l->rep.reason = why;
	}
}

/* note - remember why, if nothing more important was said */
static void note(struct spf_dns *l, const char *why)
{
	if (l->rep.reason[0] == '\0')
		l->rep.reason = why;
}

/* normalize - drop one trailing dot, cut left labels past 253 octets
 * (7.3), refuse empty or long labels; 0 or -1 */
static int normalize(const char *in, char *out)
{
	size_t n = strlen(in);
	const char *p = in;

	if (n > 0 && in[n - 1] == '.')
		n--;
	while (n > NAME_LEN) {
		const char *dot = memchr(p, '.', n);

		if (dot == NULL)
			return -1;
		n -= (size_t)(dot + 1 - p);
		p = dot + 1;
	}
	if (n == 0)
		return -1;
	for (size_t i = 0, label = 0; i <= n; i++) {
		if (i < n && p[i] != '.') {
			label++;
			continue;
		}
		if (label == 0 || label > 63)
			return -1;
		label = 0;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* ask - one query on the backend, bounded by the deadline */
static const struct dns_answer *ask(
        struct spf_dns *l, const char *name, enum dns_type type)
{
	const struct dns_answer *a;

	if (dns_now_ms() >= l->deadline) {
		if (!l->in_exp) {
			l->rep.timed_out = 1;
			stop(l, SPF_DNS_TEMPERROR, "deadline passed");
		}
		return &error_answer;
	}
	a = l->ops->query(l->session, name, type, l->deadline);
	if (a == NULL)
		return &error_answer;
	if (l->in_exp)
		return a;
	if (a->status == DNS_PENDING || a->status == DNS_TIMEOUT)
		l->rep.timed_out = 1;
	if (a->status == DNS_PENDING)
		stop(l, SPF_DNS_TEMPERROR, "deadline passed");
	if (++l->rep.queries > SPF_DNS_MAX_QUERIES)
		stop(l, SPF_DNS_PERMERROR, "too many DNS queries");
	return a;
}

/* is_void - an NXDOMAIN or NODATA answer (4.6.4) */
static int is_void(const struct dns_answer *a)
{
	return a->status == DNS_NXDOMAIN || a->status == DNS_NODATA ||
	       (a->status == DNS_ANSWER && a->nrr == 0);
}

/* count_term - one more DNS-querying term; -1 past the limit */
static int count_term(struct spf_dns *l)
{
	if (++l->rep.terms <= SPF_DNS_MAX_TERMS)
		return 0;
	stop(l, SPF_DNS_PERMERROR, "more than 10 DNS-querying terms");
	return -1;
}

/* count_void - -1 past the void lookup limit */
static int count_void(struct spf_dns *l, const struct dns_answer *a)
{
	if (!is_void(a) || ++l->rep.voids <= SPF_DNS_MAX_VOID)
		return 0;
	stop(l, SPF_DNS_PERMERROR, "more than 2 void lookups");
	return -1;
}

/* is_term - everything but the address lookups that follow an MX or PTR
 * answer, in its order (see spf_dns.h) */
static int is_term(struct spf_dns *l, const char *name, enum dns_type type)
{
	if ((type == DNS_T_A || type == DNS_T_AAAA) && l->next < l->npending &&
	        strcasecmp(name, l->pending[l->next]) == 0) {
		l->next++;
		return 0;
	}
	l->npending = l->next = 0;
	return 1;
}

/* remember_followups - the names libspf2 will look up next: those it
 * was just given in an MX or PTR answer, in that order */
static void remember_followups(struct spf_dns *l, const SPF_dns_rr_t *rr)
{
	l->npending = l->next = 0;
	for (int i = 0; rr != NULL && rr->herrno == NETDB_SUCCESS &&
	                i < rr->num_rr && l->npending < SPF_DNS_MAX_MX;
	        i++) {
		/* mx and ptr share their place in SPF_dns_rr_data_t */
		if (normalize(rr->rr[i]->ptr, l->pending[l->npending]) != 0)
			l->pending[l->npending][0] = '\0';
		l->npending++;
	}
}

/* herrno_of - libspf2's view of an answer's status */
static int herrno_of(const struct dns_answer *a)
{
	switch (a->status) {
	case DNS_ANSWER:
		return NETDB_SUCCESS;
	case DNS_NXDOMAIN:
		return HOST_NOT_FOUND;
	case DNS_NODATA:
		return NO_DATA;
	default:
		return TRY_AGAIN;
	}
}

/* rr_empty - an answer without records; libspf2 aborts on NULL, so an
 * allocation failure here is fatal inside libspf2 anyway */
static SPF_dns_rr_t *rr_empty(
        struct spf_dns *l, const char *domain, ns_type type, int herrno)
{
	return SPF_dns_rr_new_init(&l->server, domain, type, 0, herrno);
}

/* rr_put - record k of an answer as record i of libspf2's */
static int rr_put(
        SPF_dns_rr_t *rr, int i, const struct dns_answer *a, unsigned k)
{
	const struct dns_rr *r = &a->rr[k];
	const char *s = a->type == DNS_T_MX ? r->u.mx.host : r->u.ptr;
	size_t len = (a->type == DNS_T_A || a->type == DNS_T_AAAA)
	                     ? sizeof(struct in6_addr)
	                     : strlen(s != NULL ? s : "") + 1;

	if (SPF_dns_rr_buf_realloc(rr, i, len) != SPF_E_SUCCESS)
		return -1;
	if (a->type == DNS_T_A)
		rr->rr[i]->a = r->u.a;
	else if (a->type == DNS_T_AAAA)
		rr->rr[i]->aaaa = r->u.aaaa;
	else
		memcpy(rr->rr[i]->ptr, s != NULL ? s : "", len);
	return 0;
}

/* under - `name` is `domain` or below it (no case, no trailing dot) */
static int under(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (d > 0 && domain[d - 1] == '.')
		d--;
	if (d == 0 || n < d || strncasecmp(name + n - d, domain, d) != 0)
		return 0;
	return n == d || name[n - d - 1] == '.';
}

/* ptr_order - which PTR names libspf2 gets, in which order: the first
 * 10 (4.6.4); for %{p}, names at or under `prefer` first (7.3: such a
 * name SHOULD be used when it validates) */
static unsigned ptr_order(
        const struct dns_answer *a, const char *prefer, unsigned *order)
{
	unsigned n = 0;

	for (int pass = prefer != NULL ? 0 : 1; pass < 2; pass++)
		for (unsigned i = 0; i < a->nrr && n < SPF_DNS_MAX_PTR; i++) {
			const char *name = a->rr[i].u.ptr;
			int first = prefer != NULL && name != NULL &&
			            under(name, prefer);

			if ((pass == 0) == first)
				order[n++] = i;
		}
	return n;
}

/* rr_from - convert a backend answer; PTR names as ptr_order says */
static SPF_dns_rr_t *rr_from(struct spf_dns *l, const char *domain,
        ns_type type, const struct dns_answer *a, const char *prefer)
{
	SPF_dns_rr_t *rr = rr_empty(l, domain, type, herrno_of(a));
	unsigned order[64], n = a->status == DNS_ANSWER ? a->nrr : 0;

	if (rr == NULL)
		return NULL;
	if (a->type != (enum dns_type)type || type == ns_t_txt)
		n = 0; /* TXT reaches libspf2 only through fetch_record */
	if (n > 0 && type == ns_t_ptr)
		n = ptr_order(a, prefer, order);
	for (unsigned i = 0; i < n; i++) {
		unsigned k = type == ns_t_ptr ? order[i] : i;

		if (rr_put(rr, (int)i, a, k) != 0)
			break;
		rr->num_rr = (int)i + 1;
	}
	return rr;
}

/* rr_client - a one-record answer holding the client's own address:
 * how a synthetic "any address" name matches (see spf_parse.h) */
static SPF_dns_rr_t *rr_client(
        struct spf_dns *l, const char *domain, ns_type type)
{
	SPF_dns_rr_t *rr = rr_empty(l, domain, type, NETDB_SUCCESS);

	if (rr == NULL || SPF_dns_rr_buf_realloc(rr, 0,
	                          sizeof(struct in6_addr)) != SPF_E_SUCCESS)
		return rr;
	memcpy(type == ns_t_a ? (void *)&rr->rr[0]->a : &rr->rr[0]->aaaa,
	        l->addr, type == ns_t_a ? 4 : 16);
	rr->num_rr = 1;
	return rr;
}

/* family_type - the address record type of the client's family */
static enum dns_type family_type(const struct spf_dns *l)
{
	return l->family == AF_INET6 ? DNS_T_AAAA : DNS_T_A;
}

/* any_mx_hosts - the MX names of `target` (copied: answers are borrowed
 * only until the next query); the count, or -1 with *herrno set */
static int any_mx_hosts(struct spf_dns *l, const char *target,
        char hosts[][NAME_LEN + 1], unsigned *total, int *herrno)
{
	const struct dns_answer *a = ask(l, target, DNS_T_MX);
	unsigned n = 0;

	*herrno = herrno_of(a);
	if (count_void(l, a) != 0)
		*herrno = TRY_AGAIN;
	if (*herrno != NETDB_SUCCESS)
		return -1;
	*total = a->nrr;
	for (unsigned i = 0; i < a->nrr && n < SPF_DNS_MAX_MX; i++)
		if (normalize(a->rr[i].u.mx.host ? a->rr[i].u.mx.host : "",
		            hosts[n]) == 0)
			n++;
	return (int)n;
}

/* any_mx - "mx/0": does any of the first 10 MX hosts have an address of
 * the client's family? More than 10 hosts without one is permerror */
static int any_mx(struct spf_dns *l, const char *target)
{
	char hosts[SPF_DNS_MAX_MX][NAME_LEN + 1];
	unsigned total = 0;
	int herrno, n = any_mx_hosts(l, target, hosts, &total, &herrno);

	for (int i = 0; i < n; i++) {
		const struct dns_answer *h = ask(l, hosts[i], family_type(l));

		if (herrno_of(h) == TRY_AGAIN)
			return TRY_AGAIN;
		if (h->status == DNS_ANSWER && h->nrr > 0)
			return NETDB_SUCCESS;
	}
	if (n >= 0 && total > SPF_DNS_MAX_MX) {
		stop(l, SPF_DNS_PERMERROR, "more than 10 MX records");
		return TRY_AGAIN;
	}
	return n < 0 ? herrno : NO_DATA;
}

/* any_target - the real name inside a synthetic one; 1 for "mx/0",
 * 0 for "a/0", -1 if it is not usable */
static int any_target(const char *name, char *target)
{
	size_t n = strlen(name), la = strlen(SPF_PARSE_ANY_A);
	size_t lm = strlen(SPF_PARSE_ANY_MX), cut;
	char raw[1024];
	int mx;

	if (n > la && strcasecmp(name + n - la, SPF_PARSE_ANY_A) == 0)
		mx = 0, cut = la;
	else if (n > lm && strcasecmp(name + n - lm, SPF_PARSE_ANY_MX) == 0)
		mx = 1, cut = lm;
	else
		return -1;
	if (n - cut >= sizeof(raw))
		return -1;
	memcpy(raw, name, n - cut);
	raw[n - cut] = '\0';
	return normalize(raw, target) == 0 ? mx : -1;
}

/* any_a - "a/0": does the target have an address of the client's family */
static int any_a(struct spf_dns *l, const char *target)
{
	const struct dns_answer *a = ask(l, target, family_type(l));

	if (count_void(l, a) != 0)
		return TRY_AGAIN;
	if (a->status == DNS_ANSWER && a->nrr == 0)
		return NO_DATA;
	return herrno_of(a);
}

/* any_lookup - a synthetic name made by spf_parse_canonical for a/0 or
 * mx/0: one term on the real target */
static SPF_dns_rr_t *any_lookup(
        struct spf_dns *l, const char *domain, ns_type type)
{
	char target[NAME_LEN + 1];
	int mx = any_target(domain, target), herrno = HOST_NOT_FOUND;

	l->npending = l->next = 0;
	if (count_term(l) != 0)
		return rr_empty(l, domain, type, TRY_AGAIN);
	if (mx == 1)
		herrno = any_mx(l, target);
	else if (mx == 0)
		herrno = any_a(l, target);
	if (herrno == NETDB_SUCCESS)
		return rr_client(l, domain, type);
	return rr_empty(l, domain, type, herrno);
}

/* is_synthetic - a name under SPF_PARSE_ANY_SUFFIX */
static int is_synthetic(const char *name)
{
	size_t n = strlen(name), s = strlen(SPF_PARSE_ANY_SUFFIX);

	return n > s && strcasecmp(name + n - s, SPF_PARSE_ANY_SUFFIX) == 0;
}

/* p_macro_domain - for the PTR query of %{p}, the current domain whose
 * subdomains are preferred; NULL otherwise. libspf2 1.2.10 asks that PTR
 * with should_cache 0 and the "ptr" mechanism's with 1. */
static const char *p_macro_domain(
        const struct spf_dns *l, ns_type type, int should_cache)
{
	if (type != ns_t_ptr || should_cache || l->req == NULL)
		return NULL;
	return l->req->cur_dom;
}

/* layer_lookup - libspf2's lookup: A, AAAA, MX and PTR */
static SPF_dns_rr_t *layer_lookup(SPF_dns_server_t *srv, const char *domain,
        ns_type type, int should_cache)
{
	static const struct dns_answer nxdomain = {.status = DNS_NXDOMAIN};
	struct spf_dns *l = srv->hook;
	const struct dns_answer *a = &nxdomain;
	char name[NAME_LEN + 1];
	SPF_dns_rr_t *rr;
	int valid, term;

	if (l->rep.abort != SPF_DNS_GOING && !l->in_exp)
		return rr_empty(l, domain, type, TRY_AGAIN);
	if (type != ns_t_a && type != ns_t_aaaa && type != ns_t_mx &&
	        type != ns_t_ptr)
		return rr_empty(l, domain, type, HOST_NOT_FOUND);
	if (!l->in_exp && is_synthetic(domain))
		return any_lookup(l, domain, type);
	valid = normalize(domain, name) == 0;
	term = !l->in_exp && is_term(l, valid ? name : "", (enum dns_type)type);
	if (term && count_term(l) != 0)
		return rr_empty(l, domain, type, TRY_AGAIN);
	if (valid)
		a = ask(l, name, (enum dns_type)type);
	if (term && count_void(l, a) != 0)
		return rr_empty(l, domain, type, TRY_AGAIN);
	rr = rr_from(l, domain, type, a, p_macro_domain(l, type, should_cache));
	if (!l->in_exp && (type == ns_t_mx || type == ns_t_ptr))
		remember_followups(l, rr);
	return rr;
}

/* pick_record - the one "v=spf1" TXT record, copied into `text`;
 * 0, 1 none, -1 several (permerror) */
static int pick_record(
        const struct dns_answer *a, char *text, size_t cap, size_t *len)
{
	int found = 0;

	for (unsigned i = 0; a->status == DNS_ANSWER && i < a->nrr; i++) {
		const struct dns_rr *r = &a->rr[i];

		if (!spf_parse_is_spf1(r->u.txt.data, r->u.txt.len))
			continue;
		if (found++)
			return -1;
		*len = r->u.txt.len < cap ? r->u.txt.len : cap;
		memcpy(text, r->u.txt.data, *len);
	}
	return found ? 0 : 1;
}

/* fetch_record - the record text of `domain`; SPF_E_SUCCESS, or the
 * error libspf2 turns into the result (DNS error: temperror, else
 * permerror; at the top, `top` says none/permerror/temperror) */
static SPF_errcode_t fetch_record(
        struct spf_dns *l, const char *domain, char *text, size_t *len, int top)
{
	char name[NAME_LEN + 1];
	const struct dns_answer *a;
	int rc;

	if (normalize(domain, name) != 0 || !spf_parse_domain_ok(name)) {
		l->rep.top = top ? SPF_DNS_NONE : l->rep.top;
		note(l, "no valid domain for a record");
		return SPF_E_NOT_SPF;
	}
	a = ask(l, name, DNS_T_TXT);
	if ((!top && count_void(l, a) != 0) || herrno_of(a) == TRY_AGAIN) {
		l->rep.top = top ? SPF_DNS_TEMPERROR : l->rep.top;
		note(l, "DNS error fetching the record");
		return SPF_E_DNS_ERROR;
	}
	rc = pick_record(a, text, SPF_PARSE_MAX_LEN + 1, len);
	if (rc != 0) {
		l->rep.top = top ? (rc > 0 ? SPF_DNS_NONE : SPF_DNS_PERMERROR)
		                 : l->rep.top;
		note(l, rc > 0 ? "no SPF record" : "several SPF records");
		return rc > 0 ? SPF_E_NOT_SPF : SPF_E_MULTIPLE_RECORDS;
	}
	return SPF_E_SUCCESS;
}

/* compile_record - check the record, give libspf2 its canonical form */
static SPF_errcode_t compile_record(struct spf_dns *l, SPF_server_t *srv,
        SPF_response_t *resp, SPF_record_t **recp, const char *text, size_t len,
        int top)
{
	struct spf_record_info info;
	char canon[SPF_PARSE_MAX_LEN * 2];
	const char *why = "record refused by libspf2";
	SPF_errcode_t err = SPF_E_SYNTAX;

	if (spf_parse_record(text, len, &info, &why) == 0 &&
	        spf_parse_canonical(&info, l->family, canon, sizeof(canon)) ==
	                0)
		err = SPF_record_compile(srv, resp, recp, canon);
	if (err != SPF_E_SUCCESS) {
		l->rep.top = top ? SPF_DNS_PERMERROR : l->rep.top;
		note(l, why);
		if (*recp != NULL)
			SPF_record_free(*recp);
		*recp = NULL;
		return err == SPF_E_DNS_ERROR ? SPF_E_SYNTAX : err;
	}
	return SPF_E_SUCCESS;
}

/* layer_get_spf - libspf2's record fetch: top level, include, redirect */
static SPF_errcode_t layer_get_spf(SPF_server_t *srv, SPF_request_t *req,
        SPF_response_t *resp, SPF_record_t **recp)
{
	struct spf_dns *l = srv->resolver->hook;
	char text[SPF_PARSE_MAX_LEN + 1];
	size_t len = 0;
	int top = !l->started;
	SPF_errcode_t err;

	*recp = NULL;
	l->req = req;
	l->started = 1;
	l->npending = l->next = 0;
	if (l->rep.abort != SPF_DNS_GOING || (!top && count_term(l) != 0))
		return SPF_E_DNS_ERROR;
	err = fetch_record(l, req->cur_dom, text, &len, top);
	if (err == SPF_E_SUCCESS)
		err = compile_record(l, srv, resp, recp, text, len, top);
	return err;
}

/* client_texts - %{c} and %{i}: IPv6 "i" is dotted upper-case nibbles */
static void client_texts(
        const struct spf_dns *l, char *i, size_t ilen, char *c, size_t clen)
{
	static const char hex[] = "0123456789ABCDEF";

	inet_ntop(l->family, l->addr, c, (socklen_t)clen);
	if (l->family == AF_INET || ilen < 64) {
		snprintf(i, ilen, "%s", c);
		return;
	}
	for (int k = 0; k < 16; k++) {
		i[k * 4] = hex[l->addr[k] >> 4];
		i[k * 4 + 1] = '.';
		i[k * 4 + 2] = hex[l->addr[k] & 15];
		i[k * 4 + 3] = '.';
	}
	i[63] = '\0';
}

/* exp_expand - expand explanation text with the request's values; the
 * %{p} lookups it may need are made now, uncounted (in_exp) */
static void exp_expand(struct spf_dns *l, const char *txt, size_t len,
        char *out, size_t outlen)
{
	SPF_request_t *req = l->req;
	struct spf_macro_vars v;
	char ibuf[72], cbuf[INET6_ADDRSTRLEN], tbuf[24];

	memset(&v, 0, sizeof(v));
	client_texts(l, ibuf, sizeof(ibuf), cbuf, sizeof(cbuf));
	snprintf(tbuf, sizeof(tbuf), "%lld", (long long)time(NULL));
	v.s = req->env_from;
	v.l = req->env_from_lp;
	v.o = req->env_from_dp;
	v.d = req->cur_dom;
	v.h = req->helo_dom;
	v.i = ibuf;
	v.c = cbuf;
	v.v = l->family == AF_INET6 ? "ip6" : "in-addr";
	v.r = SPF_request_get_rec_dom(req);
	v.t = tbuf;
	if (spf_macro_uses(txt, len, 'p'))
		v.p = SPF_request_get_client_dom(req);
	if (spf_macro_expand(txt, len, &v, out, outlen) != 0)
		out[0] = '\0';
}

/* exp_text - exactly one TXT record of valid explain-string, expanded;
 * anything else leaves `out` empty (6.2: ignore the exp=) */
static void exp_text(
        struct spf_dns *l, const char *name, char *out, size_t outlen)
{
	const struct dns_answer *a = ask(l, name, DNS_T_TXT);
	char raw[EXP_TEXT_MAX];
	size_t n;

	if (a->status != DNS_ANSWER || a->nrr != 1)
		return;
	n = a->rr[0].u.txt.len;
	if (n >= sizeof(raw) || spf_macro_check(a->rr[0].u.txt.data, n,
	                                SPF_MACRO_EXPLAIN, NULL) != 0)
		return;
	memcpy(raw, a->rr[0].u.txt.data, n); /* the answer is borrowed */
	exp_expand(l, raw, n, out, outlen);
}

/* layer_get_exp - libspf2 asks for the text behind an exp= name (its
 * `domain` points into *buf, so it is copied first) */
static SPF_errcode_t layer_get_exp(
        SPF_server_t *srv, const char *domain, char **buf, size_t *buflen)
{
	struct spf_dns *l = srv->resolver->hook;
	char name[NAME_LEN + 1], text[EXP_TEXT_MAX];
	size_t need;

	text[0] = '\0';
	if (l->req != NULL && l->rep.abort == SPF_DNS_GOING &&
	        l->exps++ < EXP_MAX_FETCHES && normalize(domain, name) == 0) {
		l->in_exp = 1;
		exp_text(l, name, text, sizeof(text));
		l->in_exp = 0;
	}
	need = strlen(text) + 1;
	if (*buf == NULL || *buflen < need) {
		char *nb = realloc(*buf, need);

		if (nb == NULL)
			return SPF_E_NO_MEMORY;
		*buf = nb;
		*buflen = need;
	}
	memcpy(*buf, text, need);
	return SPF_E_SUCCESS;
}

/* spf_dns_new - a layer with its backend session open */
int spf_dns_new(const struct spf_dns_ops *ops, void *impl, int family,
        const void *addr, int64_t deadline_ms, struct spf_dns **out)
{
	struct spf_dns *l;

	if (ops == NULL || ops->query == NULL || addr == NULL || out == NULL ||
	        (family != AF_INET && family != AF_INET6))
		return SPF_DNS_E_INVAL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return SPF_DNS_E_NOMEM;
	l->session = ops->open != NULL ? ops->open(impl) : impl;
	if (l->session == NULL) {
		free(l);
		return SPF_DNS_E_NOMEM;
	}
	l->ops = ops;
	l->family = family;
	memcpy(l->addr, addr, family == AF_INET ? 4 : 16);
	l->deadline = deadline_ms;
	l->rep.reason = "";
	l->server.lookup = layer_lookup;
	l->server.get_spf = layer_get_spf;
	l->server.get_exp = layer_get_exp;
	l->server.name = "repmilter";
	l->server.hook = l;
	*out = l;
	return 0;
}

/* spf_dns_server - the libspf2 view of the layer */
SPF_dns_server_t *spf_dns_server(struct spf_dns *l)
{
	return &l->server;
}

/* spf_dns_report - copy the counters and verdicts */
void spf_dns_report(const struct spf_dns *l, struct spf_dns_report *out)
{
	*out = l->rep;
}

/* spf_dns_free - close the session first: it may hold a batch */
void spf_dns_free(struct spf_dns *l)
{
	if (l == NULL)
		return;
	if (l->ops->open != NULL && l->ops->close != NULL)
		l->ops->close(l->session);
	free(l);
}
