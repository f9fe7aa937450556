/* session.c - per-connection and per-message state, and the verdict */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>

#include "check_dnsl.h"
#include "check_rep.h"
#include "log.h"
#include "session.h"

const char *const session_header_name[SESSION_HDR_COUNT] = {
        "X-Spam-Score", "X-Spam-Status", "X-Spam-Flag"};

struct session_msg {
	char from[256];            /* as given, for the log */
	struct rep_subject domain; /* sender domain; kind 0 when none */
	int authenticated;
	int64_t start_ms;
	struct check_dnsl dnsl;  /* sender-domain queries */
	struct check_auth *auth; /* SPF, DKIM, DMARC; NULL if not checked */
	unsigned strip[SESSION_HDR_COUNT];
};

struct session {
	struct engine *engine;
	struct gen *gen;
	int family; /* 0: no usable address */
	uint8_t addr[16];
	struct rep_subject ip; /* the address as a store subject */
	int has_ip;
	char addr_text[INET6_ADDRSTRLEN];
	char hostname[256];
	char helo[256];
	int internal;
	struct check_dnsl dnsl; /* client and HELO queries */
	struct session_msg msg;
};

/* session_new - allocate and pin the current generation */
struct session *session_new(struct engine *e)
{
	struct session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->engine = e;
	s->gen = engine_acquire(e);
	strcpy(s->addr_text, "unknown");
	strcpy(s->hostname, "unknown");
	return s;
}

/* session_abort - drop the message's queries and state */
void session_abort(struct session *s)
{
	check_auth_free(s->msg.auth);
	check_dnsl_reset(&s->msg.dnsl);
	memset(&s->msg, 0, sizeof(s->msg));
}

/* session_free - the connection closed */
void session_free(struct session *s)
{
	if (s == NULL)
		return;
	session_abort(s);
	check_dnsl_reset(&s->dnsl);
	gen_release(s->gen);
	free(s);
}

/* copy_printable - keep a peer-supplied string printable for the log */
static void copy_printable(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	for (; src != NULL && src[i] != '\0' && i + 1 < len; i++)
		dst[i] = (src[i] > ' ' && src[i] < 127) ? src[i] : '?';
	dst[i] = '\0';
}

/* session_connect - remember the client and start its list queries */
void session_connect(struct session *s, const char *hostname, int family,
        const uint8_t *addr)
{
	copy_printable(s->hostname, sizeof(s->hostname),
	        hostname != NULL ? hostname : "unknown");
	if (family != AF_INET && family != AF_INET6)
		return;
	s->family = family;
	memcpy(s->addr, addr, family == AF_INET ? 4 : 16);
	inet_ntop(family, addr, s->addr_text, sizeof(s->addr_text));
	s->has_ip = rep_subject_ip(family, addr, &s->ip) == 0;
	s->internal = conf_is_internal(s->gen->cfg, family, addr);
	if (!s->internal)
		check_dnsl_client(&s->dnsl, s->gen, family, s->addr);
}

/* session_helo - remember the name; ask the domain lists about it once */
void session_helo(struct session *s, const char *helo)
{
	int first = s->helo[0] == '\0';

	copy_printable(s->helo, sizeof(s->helo), helo);
	if (first && !s->internal && s->helo[0] != '\0')
		check_dnsl_domain(&s->dnsl, s->gen, s->helo, CHECK_DNSL_HELO);
}

/* sender_domain - the domain of an envelope sender, NULL for <> */
static const char *sender_domain(const char *from, char *buf, size_t len)
{
	const char *at = strrchr(from, '@');
	size_t n;

	if (at == NULL)
		return NULL;
	n = strcspn(at + 1, ">");
	if (n == 0 || n >= len)
		return NULL;
	memcpy(buf, at + 1, n);
	buf[n] = '\0';
	return buf;
}

/* start_auth - SPF now; DKIM and DMARC get the headers as they come.
 * For clients that are not scored (`checks` 0) only forged
 * Authentication-Results are looked for: they are removed whoever
 * sends them (RFC 8601 section 5). */
static void start_auth(struct session *s, int checks)
{
	struct check_auth_client c = {
	        .family = s->family,
	        .addr = s->addr,
	        .helo = s->helo,
	        .mail_from = s->msg.from,
	        .deadline_ms =
	                s->msg.start_ms + s->gen->cfg->message_deadline_ms,
	        .checks = checks,
	};

	s->msg.auth = check_auth_new(s->engine, s->gen, &c);
}

/* session_mail - a new message: its sender domain's queries start */
void session_mail(struct session *s, const char *from, const char *auth)
{
	char dom[256];
	const char *d;

	session_abort(s);
	s->msg.start_ms = dns_now_ms();
	/* the log and the domain want the address without its <> */
	if (from[0] == '<')
		from++;
	copy_printable(s->msg.from, sizeof(s->msg.from), from);
	s->msg.from[strcspn(s->msg.from, ">")] = '\0';
	s->msg.authenticated = auth != NULL && auth[0] != '\0' &&
	                       s->gen->cfg->skip_authenticated;
	d = sender_domain(s->msg.from, dom, sizeof(dom));
	if (d == NULL ||
	        rep_subject_domain(REP_KIND_DOMAIN, d, &s->msg.domain) != 0)
		s->msg.domain.kind = 0;
	if (s->internal || s->msg.authenticated) {
		start_auth(s, 0);
		return;
	}
	if (s->msg.domain.kind != 0)
		check_dnsl_domain(&s->msg.dnsl, s->gen, s->msg.domain.name,
		        CHECK_DNSL_FROM);
	start_auth(s, 1);
}

/* session_header - to the checks; count copies of our own headers */
void session_header(struct session *s, const char *name, const char *value)
{
	for (int i = 0; i < SESSION_HDR_COUNT; i++)
		if (strcasecmp(name, session_header_name[i]) == 0)
			s->msg.strip[i]++;
	if (s->msg.auth != NULL)
		check_auth_header(s->msg.auth, name, value);
}

/* session_eoh - DKIM key and DMARC record lookups start */
void session_eoh(struct session *s)
{
	if (s->msg.auth != NULL)
		check_auth_eoh(s->msg.auth);
}

/* session_body - DKIM hashes the body; 1 when it needs no more */
int session_body(struct session *s, const void *chunk, size_t len)
{
	if (s->msg.auth == NULL)
		return 1;
	check_auth_body(s->msg.auth, chunk, len);
	return check_auth_body_done(s->msg.auth);
}

/* session_wants_body - only DKIM reads bodies */
int session_wants_body(const struct session *s)
{
	return s->gen->cfg->dkim;
}

/* gather - every check's evidence, waiting at most until the deadline */
static void gather(struct session *s, struct policy_evidence *ev,
        struct check_auth_out *ao, const char *qid, int64_t now)
{
	const struct conf *c = s->gen->cfg;
	struct engine_counters *n = engine_counters(s->engine);
	int64_t deadline = s->msg.start_ms + c->message_deadline_ms;

	check_dnsl_wait(&s->dnsl, deadline);
	check_dnsl_wait(&s->msg.dnsl, deadline);
	check_dnsl_collect(&s->dnsl, ev, n, qid);
	check_dnsl_collect(&s->msg.dnsl, ev, n, qid);
	if (s->msg.auth != NULL)
		check_auth_eom(s->msg.auth, deadline, ev, ao);
	if (s->has_ip)
		check_rep(s->engine, s->gen, &s->ip, "REP_IP",
		        c->reputation_weight, now, ev, qid);
	if (s->msg.domain.kind != 0)
		check_rep(s->engine, s->gen, &s->msg.domain, "REP_FROM",
		        c->reputation_domain_weight, now, ev, qid);
}

/* fill - the verdict for the glue: action, reply, header values */
static void fill(struct session *s, const struct policy_verdict *v,
        const struct policy_evidence *ev, struct session_verdict *out)
{
	memset(out, 0, sizeof(*out));
	out->act = v->act;
	if (v->reply != NULL &&
	        (v->act == POLICY_TEMPFAIL || v->act == POLICY_REJECT))
		out->reply = *v->reply;
	out->add_headers = v->skipped != POLICY_SKIP_AUTH &&
	                   v->skipped != POLICY_SKIP_INTERNAL;
	policy_format_score(v, out->score, sizeof(out->score));
	policy_format_status(v, ev, out->status, sizeof(out->status));
	out->flag = v->spam;
	memcpy(out->strip, s->msg.strip, sizeof(out->strip));
}

/* auth_actions - what sender authentication may demand beyond the
 * score: DMARC p=reject (dmarc_enforce) rejects, p=quarantine flags as
 * spam, an SPF temperror defers (spf_temperror_action = tempfail).
 * Never below the score's own action, never in dry-run mode. */
static void auth_actions(const struct conf *c, const struct check_auth_out *ao,
        struct policy_verdict *v)
{
	if (v->skipped != POLICY_SKIP_NONE)
		return;
	if (ao->dmarc_reject && v->action < POLICY_REJECT) {
		v->action = POLICY_REJECT;
		v->reply = &c->policy.reject;
	} else if (ao->tempfail && v->action < POLICY_TEMPFAIL) {
		v->action = POLICY_TEMPFAIL;
		v->reply = &c->spf_temperror_reply;
	} else if (ao->dmarc_quarantine && v->action < POLICY_ADD_HEADER)
		v->action = POLICY_ADD_HEADER;
	if (ao->dmarc_reject || ao->dmarc_quarantine)
		v->spam = 1;
	v->act = c->policy.dry_run ? POLICY_ACCEPT : v->action;
}

/* log_verdict - the one line per message */
static void log_verdict(struct session *s, const char *qid,
        const struct policy_verdict *v, const struct policy_evidence *ev,
        const char *auth, int64_t ms)
{
	char syms[2048];

	policy_format_symbols(ev, syms, sizeof(syms));
	log_msg(LOG_INFO,
	        "%s: client=%s[%s] helo=%s from=<%s> score=%.2f required=%.1f "
	        "action=%s%s%s%s%s%s%s%s%s symbols=%s timeouts=%s "
	        "time_ms=%lld",
	        qid, s->hostname, s->addr_text, s->helo[0] ? s->helo : "-",
	        s->msg.from, v->score, v->required,
	        policy_action_name(v->action),
	        v->held_back ? " held_back=one-partner" : "",
	        v->act != v->action ? " dry_run=yes" : "",
	        v->skipped ? " skipped=" : "", policy_skip_name(v->skipped),
	        ev->override ? " override=" : "", ev->override_reason,
	        auth[0] ? " " : "", auth, syms[0] ? syms : "-",
	        ev->timed_out[0] ? ev->timed_out : "-", (long long)ms);
}

/* observe - our own verdict becomes the client's local reputation */
static void observe(
        struct session *s, const struct policy_verdict *v, int64_t now)
{
	struct writer *w = engine_writer(s->engine);

	if (w != NULL && v->skipped == POLICY_SKIP_NONE && s->has_ip)
		writer_push(w, &s->ip, v->spam, now);
}

/* observe_ids - the verdict also counts for the domains that proved
 * themselves (DKIM d=, SPF-passed): their reputation follows their mail */
static void observe_ids(struct session *s, const struct policy_verdict *v,
        const struct check_auth_out *ao, int64_t now)
{
	struct writer *w = engine_writer(s->engine);

	for (unsigned i = 0; w != NULL && !v->skipped && i < ao->nids; i++)
		writer_push(w, &ao->ids[i], v->spam, now);
}

/* Evidence and authentication results of one message: too big for the
 * stack of a libmilter worker, so allocated per message. */
struct eom_work {
	struct policy_evidence ev;
	struct check_auth_out ao;
};

/* session_eom - gather, decide, log, observe, answer */
void session_eom(
        struct session *s, const char *qid, struct session_verdict *out)
{
	struct eom_work *w = calloc(1, sizeof(*w));
	struct policy_verdict v;
	int64_t now = (int64_t)time(NULL);

	if (qid == NULL || qid[0] == '\0')
		qid = "NOQUEUE";
	if (w == NULL) {
		/* DESIGN section 4: mail flows; say so */
		log_msg(LOG_ERR, "%s: out of memory: accepted unscored", qid);
		memset(out, 0, sizeof(*out));
		session_abort(s);
		return;
	}
	policy_evidence_init(&w->ev);
	w->ev.authenticated = s->msg.authenticated;
	w->ev.internal = s->internal;
	if (!w->ev.authenticated && !w->ev.internal)
		gather(s, &w->ev, &w->ao, qid, now);
	policy_decide(&s->gen->cfg->policy, &w->ev, &v);
	auth_actions(s->gen->cfg, &w->ao, &v);
	fill(s, &v, &w->ev, out);
	if (s->msg.auth != NULL) {
		if (w->ev.authenticated || w->ev.internal)
			check_auth_eom(s->msg.auth, 0, &w->ev, &w->ao);
		else
			check_auth_authres(s->msg.auth, &v, &w->ev, &w->ao);
		memcpy(out->authres, w->ao.authres, sizeof(out->authres));
		memcpy(out->ar_strip, w->ao.strip, sizeof(out->ar_strip));
		out->nar_strip = w->ao.nstrip;
	}
	log_verdict(
	        s, qid, &v, &w->ev, w->ao.log, dns_now_ms() - s->msg.start_ms);
	observe(s, &v, now);
	observe_ids(s, &v, &w->ao, now);
	atomic_fetch_add(&engine_counters(s->engine)->messages, 1);
	free(w);
	session_abort(s);
}
