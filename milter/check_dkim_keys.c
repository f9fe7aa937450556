/*
 * check_dkim_keys.c - key lookups of a message: libopendkim's DNS hooks
 * served from a key source (check_dkim.h), and the key source over the
 * milter's DNS layer.
 *
 * How libopendkim (2.11, dkim-keys.c) drives the hooks, per signature, in
 * dkim_eom: query_start(service, T_TXT, name, buf, buflen, &handle), then
 * one query_waitreply (we set no DNS callback), then always query_cancel,
 * after success too. It parses `buf` as a complete DNS reply itself:
 * NXDOMAIN in the header or no answer records mean "no key", several TXT
 * records "multiple replies", and EXPIRED or ERROR from waitreply a
 * temporary key failure. NOREPLY is not handled (the empty buffer would be
 * parsed), so waitreply never returns it.
 *
 * The service handle is the message (check_dkim.c makes a library handle
 * per message). The lookups themselves were started at end-of-headers by
 * ckd_key_ask; query_start only finds them by name, and waitreply waits
 * until the message's deadline, not libopendkim's timeout: the milter's
 * time budget is the message's. The answer, parsed by our DNS layer, is
 * written back in wire form: a header, the question, and at most two TXT
 * records (libopendkim only tells one from several).
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "check_dkim_impl.h"

#define CKD_T_TXT 16
#define CKD_C_IN 1
#define CKD_RCODE_NXDOMAIN 3

/* A bounded writer for one reply. */
struct wire {
	unsigned char *p;
	size_t len, cap;
	int full; /* something did not fit */
};

/* put - append n bytes, or mark the reply too large */
static void put(struct wire *w, const void *b, size_t n)
{
	if (w->full || n > w->cap - w->len) {
		w->full = 1;
		return;
	}
	memcpy(w->p + w->len, b, n);
	w->len += n;
}

/* put16 - a 16-bit value in network order */
static void put16(struct wire *w, unsigned v)
{
	unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};

	put(w, b, 2);
}

/* put32 - a 32-bit value in network order */
static void put32(struct wire *w, uint32_t v)
{
	put16(w, (unsigned)(v >> 16));
	put16(w, (unsigned)(v & 0xffff));
}

/* put_name - a dotted name as labels; -1 for an empty or long label */
static int put_name(struct wire *w, const char *name)
{
	while (*name != '\0') {
		size_t n = strcspn(name, ".");
		unsigned char len = (unsigned char)n;

		if (n == 0 || n > 63)
			return -1;
		put(w, &len, 1);
		put(w, name, n);
		name += n;
		if (*name == '.')
			name++;
	}
	put(w, "", 1);
	return 0;
}

/* put_txt - one TXT record: a pointer to the question's name, then its
 * text cut into character-strings of at most 255 octets */
static void put_txt(struct wire *w, const struct dns_rr *rr)
{
	size_t len = rr->u.txt.len, nstr = len == 0 ? 1 : (len + 254) / 255;

	if (len + nstr > 0xffff) {
		w->full = 1;
		return;
	}
	put16(w, 0xc00c);
	put16(w, CKD_T_TXT);
	put16(w, CKD_C_IN);
	put32(w, rr->ttl);
	put16(w, (unsigned)(len + nstr));
	for (size_t off = 0, i = 0; i < nstr; i++) {
		size_t n = len - off > 255 ? 255 : len - off;
		unsigned char b = (unsigned char)n;

		put(w, &b, 1);
		put(w, rr->u.txt.data + off, n);
		off += n;
	}
}

/* wire_reply - the answer to `name` as a DNS server would have sent it;
 * its length, or -1 when it does not fit libopendkim's buffer */
static long wire_reply(const char *name, const struct dns_answer *a,
        unsigned char *buf, size_t buflen)
{
	struct wire w = {buf, 0, buflen, 0};
	unsigned n = a->status == DNS_ANSWER ? a->nrr : 0;

	if (n > 2)
		n = 2;
	put16(&w, 0); /* id */
	put16(&w, 0x8180 | (a->status == DNS_NXDOMAIN ? CKD_RCODE_NXDOMAIN
	                                              : 0)); /* QR RD RA */
	put16(&w, 1);                                        /* one question */
	put16(&w, n);
	put32(&w, 0); /* no authority, no additional */
	if (put_name(&w, name) != 0)
		return -1;
	put16(&w, CKD_T_TXT);
	put16(&w, CKD_C_IN);
	for (unsigned i = 0; i < n; i++)
		put_txt(&w, &a->rr[i]);
	return w.full ? -1 : (long)w.len;
}

/* valid_labels - s is a non-empty dotted run of 1..63 octet labels of
 * visible ASCII (the DNS layer would take anything; a space or a control
 * byte in s= or d= is a malformed signature, not a question to ask) */
static int valid_labels(const char *s)
{
	size_t run = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (run == 0)
				return 0;
			run = 0;
		} else if (*s <= ' ' || *s >= 0x7f || ++run > 63) {
			return 0;
		}
	}
	return run > 0;
}

/* key_find - the index of the lookup of `name`, or -1 */
static int key_find(const struct check_dkim_msg *m, const char *name)
{
	for (unsigned i = 0; i < m->nkeys; i++)
		if (strcasecmp(m->key[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* key_add - a new lookup of `name`, asked now; -1 when the table is full.
 * A refusal by the key source is kept (asked = 0): it becomes a temporary
 * key failure, the way a DNS error would. */
static int key_add(struct check_dkim_msg *m, const char *name)
{
	const struct check_dkim *v = m->v;
	struct ckd_key *k;

	if (m->nkeys == CHECK_DKIM_SIGS_MAX)
		return -1;
	k = &m->key[m->nkeys];
	memset(k, 0, sizeof(*k));
	strcpy(k->name, name); /* callers check the length */
	k->status = DNS_PENDING;
	if (m->keyq == NULL && v->o.keys->open(v->o.keys_ctx, &m->keyq) != 0)
		m->keyq = NULL;
	if (m->keyq != NULL && v->o.keys->ask(m->keyq, name, &k->id) == 0)
		k->asked = 1;
	return (int)m->nkeys++;
}

/* ckd_key_ask - start or share the lookup of s._domainkey.d */
int ckd_key_ask(
        struct check_dkim_msg *m, const char *selector, const char *domain)
{
	char name[CKD_QNAME_LEN];
	int i;

	if (!valid_labels(selector) || !valid_labels(domain) ||
	        strlen(selector) + strlen(domain) + 12 >= sizeof(name))
		return -1;
	strcpy(name, selector);
	strcat(name, "._domainkey.");
	strcat(name, domain);
	i = key_find(m, name);
	return i >= 0 ? i : key_add(m, name);
}

/* ckd_keys_close - abandon the lookups; the answers go with them */
void ckd_keys_close(struct check_dkim_msg *m)
{
	if (m->keyq != NULL)
		m->v->o.keys->close(m->keyq);
	m->keyq = NULL;
}

/* hook_start - find the lookup started at end-of-headers (or start it,
 * should libopendkim ask for a name we did not foresee) */
static int hook_start(void *srv, int type, unsigned char *query,
        unsigned char *buf, size_t buflen, void **qh)
{
	struct check_dkim_msg *m = srv;
	const char *name = (const char *)query;
	int i;

	if (m == NULL || type != CKD_T_TXT || name == NULL || buf == NULL ||
	        strlen(name) >= CKD_QNAME_LEN)
		return DKIM_DNS_ERROR;
	i = key_find(m, name);
	if (i < 0 && valid_labels(name))
		i = key_add(m, name);
	if (i < 0 || !m->key[i].asked)
		return DKIM_DNS_ERROR;
	m->key[i].buf = buf;
	m->key[i].buflen = buflen;
	*qh = &m->key[i];
	return DKIM_DNS_SUCCESS;
}

/* hook_wait - wait for the answer until the message's deadline (the
 * library's own timeout is ignored) and write it as a DNS reply */
static int hook_wait(void *srv, void *qh, struct timeval *timeout,
        size_t *bytes, int *error, int *dnssec)
{
	struct check_dkim_msg *m = srv;
	struct ckd_key *k = qh;
	const struct dns_answer *a;
	long n;

	if (dnssec != NULL)
		*dnssec = DKIM_DNSSEC_UNKNOWN;
	if (error != NULL)
		*error = 0;
	if (m == NULL || k == NULL || k->buf == NULL || bytes == NULL)
		return DKIM_DNS_ERROR;
	a = m->v->o.keys->wait(m->keyq, k->id, m->deadline_ms);
	k->status = a != NULL ? a->status : DNS_ERROR;
	switch (k->status) {
	case DNS_ANSWER:
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		n = wire_reply(k->name, a, k->buf, k->buflen);
		if (n < 0) {
			k->oversize = 1;
			return DKIM_DNS_ERROR;
		}
		*bytes = (size_t)n;
		return DKIM_DNS_SUCCESS;
	case DNS_PENDING:
		m->res.timed_out = 1;
		return DKIM_DNS_EXPIRED;
	case DNS_TIMEOUT:
		return DKIM_DNS_EXPIRED;
	default:
		return DKIM_DNS_ERROR;
	}
}

/* hook_cancel - called after every wait; the lookup lives on with the
 * message (another signature may share it), only the buffer is let go */
static int hook_cancel(void *srv, void *qh)
{
	struct ckd_key *k = qh;

	if (k != NULL)
		k->buf = NULL;
	return DKIM_DNS_SUCCESS;
}

/* hook_init - refuse: libopendkim must never set up its own resolver */
static int hook_init(void **srv)
{
	return -1;
}

/* hook_close - nothing: the service is the message, freed by its owner */
static void hook_close(void *srv)
{
}

/* ckd_hooks_install - the message becomes the library's DNS service */
void ckd_hooks_install(DKIM_LIB *lib, struct check_dkim_msg *m)
{
	dkim_dns_set_query_start(lib, hook_start);
	dkim_dns_set_query_waitreply(lib, hook_wait);
	dkim_dns_set_query_cancel(lib, hook_cancel);
	dkim_dns_set_init(lib, hook_init);
	dkim_dns_set_close(lib, hook_close);
	(void)dkim_dns_set_query_service(lib, m);
}

/* dns_open - a batch for the message's key lookups */
static int dns_open(void *ctx, void **q)
{
	struct dns_batch *b = NULL;

	if (ctx == NULL || dns_batch_new(ctx, &b) != 0)
		return -1;
	*q = b;
	return 0;
}

/* dns_ask - one TXT question in the batch */
static int dns_ask(void *q, const char *name, unsigned *id)
{
	return dns_batch_add(q, name, DNS_T_TXT, id) == 0 ? 0 : -1;
}

/* dns_wait - the answer as it stands at the deadline */
static const struct dns_answer *dns_wait(
        void *q, unsigned id, int64_t deadline_ms)
{
	(void)dns_batch_wait_one(q, id, deadline_ms);
	return dns_batch_answer(q, id);
}

/* dns_close - free the batch; lookups in flight are dropped */
static void dns_close(void *q)
{
	dns_batch_free(q);
}

const struct check_dkim_keys check_dkim_keys_dns = {
        dns_open, dns_ask, dns_wait, dns_close};
