/* check_auth.c - SPF, DKIM, DMARC and Authentication-Results of a message */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "check_auth.h"
#include "check_dkim.h"
#include "check_dmarc.h"
#include "check_spf.h"
#include "dmarc.h"
#include "log.h"
#include "spf_dns.h"
#include "weights.h"

struct check_auth {
	struct engine *e;
	struct gen *g;
	int checks; /* see struct check_auth_client */
	struct check_spf_outcome spf;
	int spf_ran;
	char mail_from[256];
	char helo[256];
	struct check_dkim_msg *dkim;
	const struct check_dkim_results *dkim_res;
	char from[1024]; /* the first From field's value */
	unsigned nfrom;
	struct check_dmarc dmarc;
	struct dmarc_dns_batch dmarc_dns;
	int dmarc_started;
	struct dmarc_result dmarc_res;
	int dmarc_ran;
	unsigned nar; /* Authentication-Results seen */
	unsigned strip[CHECK_AUTH_STRIP_MAX];
	unsigned nstrip;
};

/* run_spf - HELO and MAIL FROM, now, bounded by the message deadline */
static void run_spf(struct check_auth *a, const struct check_auth_client *c)
{
	struct check_spf_request req = {
	        .family = c->family,
	        .addr = c->addr,
	        .helo = c->helo,
	        .mail_from = c->mail_from,
	        .receiver = a->g->authserv_id,
	        .deadline_ms = c->deadline_ms,
	};
	int rc = check_spf_run(&spf_dns_resolver_ops, a->g->dns, &req, &a->spf);

	if (rc != 0)
		log_msg(LOG_ERR, "spf: %s; SPF not evaluated",
		        check_spf_strerror(rc));
	a->spf_ran = rc == 0;
}

/* check_auth_new - the state, and SPF */
struct check_auth *check_auth_new(
        struct engine *e, struct gen *g, const struct check_auth_client *c)
{
	struct check_auth *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->e = e;
	a->g = g;
	a->checks = c->checks;
	snprintf(a->mail_from, sizeof(a->mail_from), "%s", c->mail_from);
	snprintf(a->helo, sizeof(a->helo), "%s", c->helo ? c->helo : "");
	dmarc_dns_batch_init(&a->dmarc_dns, g->dns);
	if (!c->checks)
		return a;
	if (g->cfg->dkim && g->dkim != NULL &&
	        check_dkim_msg_new(g->dkim, &a->dkim) != 0)
		a->dkim = NULL;
	if (g->cfg->spf && c->family != 0)
		run_spf(a, c);
	return a;
}

/* check_auth_header - DKIM, the From field, and forged A-R headers */
void check_auth_header(
        struct check_auth *a, const char *name, const char *value)
{
	if (a->dkim != NULL &&
	        check_dkim_msg_header(a->dkim, name, value) != 0) {
		check_dkim_msg_free(
		        a->dkim); /* out of memory: DKIM not checked */
		a->dkim = NULL;
	}
	if (strcasecmp(name, "From") == 0 && a->nfrom++ == 0)
		snprintf(a->from, sizeof(a->from), "%s", value);
	if (strcasecmp(name, AUTHRES_HEADER) != 0)
		return;
	a->nar++;
	if (authres_is_ours(value, a->g->authserv_id) &&
	        a->nstrip < CHECK_AUTH_STRIP_MAX)
		a->strip[a->nstrip++] = a->nar;
}

/* check_auth_eoh - DKIM keys and the DMARC record are asked for now */
void check_auth_eoh(struct check_auth *a)
{
	char dom[DMARC_DOMAIN_LEN];
	const char *from = NULL;

	if (a->dkim != NULL && check_dkim_msg_eoh(a->dkim) != 0) {
		check_dkim_msg_free(a->dkim);
		a->dkim = NULL;
	}
	if (!a->checks || !a->g->cfg->dmarc)
		return;
	/* one From field with one domain, else DMARC cannot be evaluated */
	if (a->nfrom == 1 && dmarc_from_domain(a->from, dom, sizeof(dom)) == 0)
		from = dom;
	check_dmarc_start(&a->dmarc, engine_orgdom(a->e), &dmarc_dns_batch_ops,
	        &a->dmarc_dns, from);
	a->dmarc_started = 1;
}

/* check_auth_body - DKIM hashes the body */
void check_auth_body(struct check_auth *a, const void *chunk, size_t len)
{
	if (a->dkim != NULL && check_dkim_msg_body(a->dkim, chunk, len) != 0) {
		check_dkim_msg_free(a->dkim);
		a->dkim = NULL;
	}
}

/* check_auth_body_done - DKIM is the only check that reads the body */
int check_auth_body_done(const struct check_auth *a)
{
	return a->dkim == NULL || check_dkim_msg_body_done(a->dkim);
}

/* add_id - an authenticated domain for the store */
static void add_id(struct check_auth_out *out, const char *domain)
{
	struct rep_subject s;

	if (out->nids == CHECK_AUTH_IDS_MAX || domain[0] == '\0' ||
	        rep_subject_domain(REP_KIND_AUTH, domain, &s) != 0)
		return;
	for (unsigned i = 0; i < out->nids; i++)
		if (rep_subject_cmp(&out->ids[i], &s) == 0)
			return;
	out->ids[out->nids++] = s;
}

/* dkim_symbols - one DKIM symbol; each passing d= is an identity */
static void dkim_symbols(struct check_auth *a, int64_t deadline_ms,
        struct policy_evidence *ev, struct check_auth_out *out)
{
	const struct check_dkim_results *r;
	const char *sym;
	double w;

	if (a->dkim == NULL ||
	        check_dkim_msg_eom(a->dkim, deadline_ms, &r) != 0)
		return;
	a->dkim_res = r;
	sym = check_dkim_symbol(r, &w);
	if (sym != NULL && sym[0] != '\0')
		policy_add(ev, sym, weights_get(a->g->cfg->weights, sym, w),
		        r->n > 0 ? r->sig[0].domain : NULL);
	if (r->timed_out)
		policy_note_timeout(ev, "dkim");
	for (unsigned i = 0; i < r->n; i++)
		if (r->sig[i].result == CHECK_DKIM_PASS)
			add_id(out, r->sig[i].domain);
}

/* spf_auth - SPF's result as DMARC sees it: only pass counts */
static enum dmarc_auth spf_auth(const struct check_auth *a)
{
	if (!a->spf_ran)
		return DMARC_AUTH_NONE;
	if (a->spf.mfrom.result == CHECK_SPF_PASS)
		return DMARC_AUTH_PASS;
	if (a->spf.mfrom.result == CHECK_SPF_TEMPERROR)
		return DMARC_AUTH_TEMPERROR;
	return DMARC_AUTH_FAIL;
}

/* dmarc_symbols - DMARC from both results; the policy if enforced */
static void dmarc_symbols(struct check_auth *a, int64_t deadline_ms,
        struct policy_evidence *ev, struct check_auth_out *out)
{
	struct dmarc_dkim d[CHECK_DKIM_SIGS_MAX];
	struct dmarc_input in = {.spf = spf_auth(a),
	        .spf_domain = a->spf.mfrom.domain,
	        .sample = arc4random_uniform(100)};
	const struct check_dkim_results *r = a->dkim_res;

	for (unsigned i = 0; r != NULL && i < r->n; i++) {
		d[i].domain = r->sig[i].domain;
		d[i].result = r->sig[i].result == CHECK_DKIM_PASS
		                      ? DMARC_AUTH_PASS
		              : r->sig[i].result == CHECK_DKIM_TEMPERROR
		                      ? DMARC_AUTH_TEMPERROR
		                      : DMARC_AUTH_FAIL;
		in.ndkim++;
	}
	in.dkim = d;
	check_dmarc_finish(&a->dmarc, &in, deadline_ms, &a->dmarc_res);
	a->dmarc_ran = 1;
	check_dmarc_collect(&a->dmarc_res, a->g->cfg->weights, ev);
	if (!a->g->cfg->dmarc_enforce ||
	        a->dmarc_res.status != DMARC_RESULT_FAIL)
		return;
	out->dmarc_reject = a->dmarc_res.applied == DMARC_POLICY_REJECT;
	out->dmarc_quarantine = a->dmarc_res.applied == DMARC_POLICY_QUARANTINE;
}

/* log_line - "spf=pass dkim=pass(example.com) dmarc=pass" */
static void log_line(const struct check_auth *a, struct check_auth_out *out)
{
	size_t n = 0, len = sizeof(out->log);

	out->log[0] = '\0';
	if (a->spf_ran)
		n += (size_t)snprintf(out->log + n, len - n, "spf=%s",
		        check_spf_result_name(a->spf.mfrom.result));
	for (unsigned i = 0; a->dkim_res && i < a->dkim_res->n && n < len; i++)
		n += (size_t)snprintf(out->log + n, len - n, "%sdkim=%s(%.60s)",
		        n ? " " : "",
		        check_dkim_result_name(a->dkim_res->sig[i].result),
		        a->dkim_res->sig[i].domain);
	if (a->dmarc_ran && n < len)
		snprintf(out->log + n, len - n, "%sdmarc=%s(%s)", n ? " " : "",
		        check_dmarc_status_name(a->dmarc_res.status),
		        a->dmarc_res.from[0] ? a->dmarc_res.from : "-");
}

/* check_auth_eom - every result, as symbols and identities */
void check_auth_eom(struct check_auth *a, int64_t deadline_ms,
        struct policy_evidence *ev, struct check_auth_out *out)
{
	memset(out, 0, sizeof(*out));
	if (a->spf_ran) {
		check_spf_collect(&a->spf, &a->g->spf_weights, ev);
		/* a timeout is a check without its answer; SERVFAIL is not */
		if (a->spf.mfrom.timed_out || a->spf.helo.timed_out)
			policy_note_timeout(ev, "spf");
		out->tempfail = a->g->cfg->spf_temperror_tempfail &&
		                a->spf.mfrom.result == CHECK_SPF_TEMPERROR;
		if (a->spf.mfrom.result == CHECK_SPF_PASS)
			add_id(out, a->spf.mfrom.domain);
	}
	dkim_symbols(a, deadline_ms, ev, out);
	if (a->dmarc_started)
		dmarc_symbols(a, deadline_ms, ev, out);
	for (unsigned i = 0; i < a->nstrip; i++)
		out->strip[i] = a->strip[a->nstrip - 1 - i];
	out->nstrip = a->nstrip;
	log_line(a, out);
}

/* check_auth_free - DKIM lookups in flight are abandoned */
void check_auth_free(struct check_auth *a)
{
	if (a == NULL)
		return;
	check_dkim_msg_free(a->dkim);
	dmarc_dns_batch_reset(&a->dmarc_dns);
	free(a);
}

/* ar_result - our results in the registry's words */
static enum authres_result ar_spf(enum check_spf_result r)
{
	static const enum authres_result map[CHECK_SPF_RESULTS] = {
	        [CHECK_SPF_NONE] = AUTHRES_NONE,
	        [CHECK_SPF_NEUTRAL] = AUTHRES_NEUTRAL,
	        [CHECK_SPF_PASS] = AUTHRES_PASS,
	        [CHECK_SPF_FAIL] = AUTHRES_FAIL,
	        [CHECK_SPF_SOFTFAIL] = AUTHRES_SOFTFAIL,
	        [CHECK_SPF_TEMPERROR] = AUTHRES_TEMPERROR,
	        [CHECK_SPF_PERMERROR] = AUTHRES_PERMERROR,
	};

	return (unsigned)r < CHECK_SPF_RESULTS ? map[r] : AUTHRES_PERMERROR;
}

/* ar_dkim - a signature's result in the registry's words */
static enum authres_result ar_dkim(enum check_dkim_result r)
{
	switch (r) {
	case CHECK_DKIM_PASS:
		return AUTHRES_PASS;
	case CHECK_DKIM_FAIL:
		return AUTHRES_FAIL;
	case CHECK_DKIM_POLICY:
		return AUTHRES_POLICY;
	case CHECK_DKIM_TEMPERROR:
		return AUTHRES_TEMPERROR;
	case CHECK_DKIM_PERMERROR:
		return AUTHRES_PERMERROR;
	default:
		return AUTHRES_NONE;
	}
}

/* ar_dmarc - DMARC's result in the registry's words */
static enum authres_result ar_dmarc(enum dmarc_status s)
{
	switch (s) {
	case DMARC_RESULT_PASS:
		return AUTHRES_PASS;
	case DMARC_RESULT_FAIL:
		return AUTHRES_FAIL;
	case DMARC_RESULT_TEMPERROR:
		return AUTHRES_TEMPERROR;
	case DMARC_RESULT_PERMERROR:
		return AUTHRES_PERMERROR;
	default:
		return AUTHRES_NONE;
	}
}

/* join - symbols whose name starts with one of `prefixes` ("" for all),
 * comma-separated; the sum of their weights into *sum */
static int join(const struct policy_evidence *ev, const char *const *prefixes,
        char *buf, size_t len, double *sum)
{
	size_t n = 0;
	int count = 0;

	buf[0] = '\0';
	*sum = 0;
	for (unsigned i = 0; i < ev->nsymbols && i < POLICY_SYMBOLS_MAX; i++) {
		const char *name = ev->symbol[i].name;
		int hit = 0;

		for (const char *const *p = prefixes; *p != NULL && !hit; p++)
			hit = strncmp(name, *p, strlen(*p)) == 0;
		if (!hit || n + strlen(name) + 2 >= len)
			continue;
		n += (size_t)snprintf(
		        buf + n, len - n, "%s%s", n ? "," : "", name);
		*sum += ev->symbol[i].weight;
		count++;
	}
	return count;
}

/* ar_ours - x-dnsbl, x-reputation and x-repmilter from the evidence */
static void ar_ours(struct check_auth *a, struct authres *ar,
        const struct policy_verdict *v, const struct policy_evidence *ev,
        char *listed, char *tests, size_t len)
{
	static const char *const lists[] = {"RBL_", "DBL_", "RWL_", NULL};
	static const char *const rep[] = {"REP_", NULL};
	static const char *const all[] = {"", NULL};
	char scratch[64];
	double sum;
	const struct conf *c = a->g->cfg;

	if (join(ev, lists, listed, len, &sum) > 0) {
		ar->dnsl.result = sum > 0 ? AUTHRES_FAIL : AUTHRES_PASS;
		ar->dnsl.listed = listed;
	} else if (c->ip_lists != NULL || c->domain_lists != NULL)
		ar->dnsl.result =
		        ev->timed_out[0] ? AUTHRES_TEMPERROR : AUTHRES_PASS;
	if (join(ev, rep, scratch, sizeof(scratch), &sum) > 0) {
		ar->rep.result = sum > 0   ? AUTHRES_FAIL
		                 : sum < 0 ? AUTHRES_PASS
		                           : AUTHRES_NEUTRAL;
		ar->rep.score = sum;
	} else
		ar->rep.result = AUTHRES_NONE;
	join(ev, all, tests, len, &sum);
	ar->verdict.result = v->skipped ? AUTHRES_NONE
	                     : v->spam  ? AUTHRES_FAIL
	                                : AUTHRES_PASS;
	ar->verdict.skipped = v->skipped ? policy_skip_name(v->skipped) : NULL;
	ar->verdict.score = v->skipped ? NAN : v->score;
	ar->verdict.required = v->skipped ? NAN : v->required;
	ar->verdict.tests = tests[0] ? tests : NULL;
}

/* check_auth_authres - the header value, or "" when it cannot be made */
void check_auth_authres(struct check_auth *a, const struct policy_verdict *v,
        const struct policy_evidence *ev, struct check_auth_out *out)
{
	struct authres ar;
	struct authres_dkim d[CHECK_DKIM_SIGS_MAX];
	char listed[512], tests[1024], mfrom[300];
	const struct check_dkim_results *r = a->dkim_res;

	authres_init(&ar, a->g->authserv_id);
	ar.ascii_only = 1;
	if (a->spf_ran) {
		ar.spf.result = ar_spf(a->spf.mfrom.result);
		snprintf(mfrom, sizeof(mfrom), "%s", a->mail_from);
		ar.spf.mailfrom = a->spf.null_sender ? NULL : mfrom;
		ar.spf.helo = a->helo[0] ? a->helo : NULL;
	}
	for (unsigned i = 0; r != NULL && i < r->n; i++)
		d[i] = (struct authres_dkim){ar_dkim(r->sig[i].result),
		        r->sig[i].domain, r->sig[i].selector,
		        r->sig[i].identity[0] ? r->sig[i].identity : NULL,
		        r->sig[i].b[0] ? r->sig[i].b : NULL};
	ar.dkim = d;
	ar.ndkim = r != NULL ? r->n : 0;
	if (a->dmarc_ran) {
		ar.dmarc.result = ar_dmarc(a->dmarc_res.status);
		ar.dmarc.from = a->dmarc_res.from[0] ? a->dmarc_res.from : NULL;
	}
	ar_ours(a, &ar, v, ev, listed, tests, sizeof(listed));
	int n = authres_format(&ar, out->authres, sizeof(out->authres));

	if (n < 0 || (size_t)n >= sizeof(out->authres))
		out->authres[0] = '\0'; /* never a cut header: none at all */
}
