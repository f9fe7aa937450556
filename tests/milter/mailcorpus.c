/*
 * mailcorpus.c - realistic messages from a seeded generator (see
 * mailcorpus.h). Each message draws from its own generator state, seeded
 * from the corpus seed and its index, so that message i does not depend on
 * how the others came out.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailcorpus.h"

#define CORPUS_MAX 100000
#define CORPUS_EPOCH 1700000000 /* the first message's Date */

/* A growing string. */
struct sb {
	char *p;
	size_t len, cap;
};

struct mailcorpus {
	struct mailcorpus_msg *msgs;
	char **bufs; /* per message: the data, then the envelope strings */
	size_t n, bytes;
	const struct mailcorpus_opts *o; /* while the messages are made */
};

static const char *const words[] = {"account", "update", "offer", "team",
        "meeting", "report", "invoice", "delivery", "weekly", "news", "your",
        "the", "and", "with", "for", "this", "that", "we", "have", "new",
        "please", "review", "attached", "project", "schedule", "customer",
        "service", "order", "shipping", "today", "tomorrow", "thanks",
        "regards", "price", "discount", "limited", "time", "free", "member",
        "security", "notice", "password", "login", "payment", "received",
        "confirm", "details", "below", "information", "support", "question",
        "answer", "community", "event", "ticket", "travel", "hotel", "flight",
        "summer", "winter", "product", "launch", "feature", "release"};
static const char *const domains[] = {"example.com", "example.net",
        "example.org", "news.example.com", "mail.example.net", "shop.example",
        "bank.example", "travel.example", "lists.example.org",
        "corp.example.com", "mailer.example.net", "promo.example",
        "social.example", "forum.example.org", "billing.example.com",
        "alerts.example.net"};
static const char *const names[] = {"Alice", "Bob", "Carol", "Dave", "Erin",
        "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia",
        "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter"};
static const char b64chars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#define NELEM(a) (sizeof(a) / sizeof *(a))

/* rnd - splitmix64 */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* below - a number in [0, n) */
static size_t below(uint64_t *s, size_t n)
{
	return n ? (size_t)(rnd(s) % n) : 0;
}

/* pick - one element of a string table */
#define pick(s, table) ((table)[below((s), NELEM(table))])

/* sb_grow - room for n more bytes and a NUL */
static void sb_grow(struct sb *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	while (b->len + n + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 4096;
	b->p = realloc(b->p, b->cap);
	if (b->p == NULL)
		abort();
}

/* sb_put - append n bytes */
static void sb_put(struct sb *b, const char *s, size_t n)
{
	sb_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* sb_printf - append formatted text */
__attribute__((format(printf, 2, 3))) static void sb_printf(
        struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sb_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* sb_b64 - n random bytes as base64, in lines of width (0: one line) */
static void sb_b64(
        struct sb *b, uint64_t *s, size_t n, size_t width, const char *eol)
{
	size_t total = (n + 2) / 3 * 4, pad = (3 - n % 3) % 3, col = 0;

	for (size_t i = 0; i < total; i++) {
		char ch = i >= total - pad ? '=' : b64chars[below(s, 64)];

		sb_put(b, &ch, 1);
		if (width && ++col == width && i + 1 < total) {
			sb_put(b, eol, strlen(eol));
			col = 0;
		}
	}
}

/* sb_text - about n bytes of words, wrapped at 72 columns, each line
 * begun with pre and ended with post and CRLF */
static void sb_text(
        struct sb *b, uint64_t *s, size_t n, const char *pre, const char *post)
{
	size_t start = b->len, col = 0;

	sb_put(b, pre, strlen(pre));
	while (b->len - start < n) {
		const char *w = pick(s, words);

		if (col + strlen(w) > 72) {
			sb_printf(b, "%s\r\n%s", post, pre);
			col = 0;
		}
		sb_printf(b, "%s%s", col ? " " : "", w);
		col += strlen(w) + 1;
	}
	sb_printf(b, "%s\r\n", post);
}

/* date - an RFC 5322 date t seconds after the epoch of the corpus */
static void date(char *buf, size_t len, long t)
{
	time_t when = CORPUS_EPOCH + t;
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

/* The envelope and names of one message, chosen first. */
struct env {
	const char *sdomain, *rdomain, *name;
	char sender[96], rcpt[MAILCORPUS_RCPTS_MAX][96], helo[96];
	size_t nrcpts;
	long t;
	char boundary[2][48];
};

/* sender_domain - one of the caller's domains, or of the built-in ones
 * (one draw either way) */
static const char *sender_domain(const struct mailcorpus_opts *o, uint64_t *s)
{
	if (o->domains == NULL)
		return pick(s, domains);
	return o->domains[below(s, o->ndomains)];
}

/* env_make - who sends to whom, when, with which boundaries */
static void env_make(
        struct env *e, uint64_t *s, size_t i, const struct mailcorpus_opts *o)
{
	e->sdomain = sender_domain(o, s);
	e->rdomain = pick(s, domains);
	e->name = pick(s, names);
	snprintf(e->sender, sizeof e->sender, "%s.%zu@%s", pick(s, words),
	        below(s, 1000), e->sdomain);
	e->nrcpts = 1 + below(s, 10) / 7; /* mostly one */
	for (size_t r = 0; r < e->nrcpts; r++)
		snprintf(e->rcpt[r], sizeof e->rcpt[r], "%s%zu@%s",
		        pick(s, names), below(s, 100000), e->rdomain);
	snprintf(e->helo, sizeof e->helo, "mail-out%zu.%s", below(s, 40),
	        e->sdomain);
	e->t = (long)i * 37 + (long)below(s, 30);
	for (int k = 0; k < 2; k++)
		snprintf(e->boundary[k], sizeof e->boundary[k],
		        "----=_Part_%zu_%08zx", i, below(s, 1u << 31));
}

/* hop_host - the host of hop h of the chain: our MX, the sending host,
 * then the sender's inner relays */
static void hop_host(char *buf, size_t len, const struct env *e, unsigned h)
{
	if (h == 0)
		snprintf(buf, len, "mx.%s", e->rdomain);
	else if (h == 1)
		snprintf(buf, len, "%s", e->helo);
	else
		snprintf(buf, len, "relay%u.%s", h - 1, e->sdomain);
}

/* received_chain - 2 to 5 Received fields, newest (our MX's) first */
static unsigned received_chain(struct sb *b, uint64_t *s, const struct env *e)
{
	unsigned hops = 2 + (unsigned)below(s, 4);
	char d[64], by[128], from[128];

	for (unsigned h = 0; h < hops; h++) {
		date(d, sizeof d, e->t - (long)h * 2);
		hop_host(by, sizeof by, e, h);
		hop_host(from, sizeof from, e, h + 1);
		if (h == 0)
			sb_printf(b,
			        "Received: from %s (%s [203.0.113.%zu])\r\n"
			        "\tby %s (Postfix) with ESMTPS id "
			        "4Z%08zX\r\n\tfor <%s>; %s\r\n",
			        from, from, 1 + below(s, 254), by,
			        below(s, 1u << 31), e->rcpt[0], d);
		else
			sb_printf(b,
			        "Received: from %s ([10.%zu.%zu.%zu])\r\n"
			        "\tby %s with ESMTP id %08zx; %s\r\n",
			        from, below(s, 256), below(s, 256),
			        1 + below(s, 254), by, below(s, 1u << 31), d);
	}
	return hops;
}

/* dkim_signature - a well-formed rsa-sha256 signature header */
static void dkim_signature(struct sb *b, uint64_t *s, const struct env *e)
{
	sb_printf(b,
	        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "
	        "d=%s;\r\n"
	        "\ts=sel%zu; t=%ld;\r\n"
	        "\th=from:to:subject:date:message-id:mime-version:"
	        "content-type;\r\n\tbh=",
	        e->sdomain, 2020 + below(s, 6), CORPUS_EPOCH + e->t);
	sb_b64(b, s, 32, 0, "");
	sb_put(b, ";\r\n\tb=", 7);
	sb_b64(b, s, 256, 70, "\r\n\t ");
	sb_put(b, "\r\n", 2);
}

#define OPTIONAL_FIELDS 11 /* optional_field's pool */
#define OPTIONAL_DOUBLE(k) ((k) == 4 || (k) == 6 || (k) == 7)

/* optional_field - optional header field k of the pool (some are two) */
static void optional_field(
        struct sb *b, uint64_t *s, const struct env *e, int k)
{
	size_t x = below(s, 100), y = below(s, 100000);

	switch (k) {
	case 0:
		sb_printf(b, "X-Mailer: Mailer %zu.%zu\r\n", x, y);
		break;
	case 1:
		sb_printf(b, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
		             "\r\n");
		break;
	case 2:
		sb_printf(
		        b, "List-Id: <weekly-%zu.lists.%s>\r\n", x, e->sdomain);
		break;
	case 3:
		sb_printf(b, "Feedback-ID: %zu:%zu:campaign:%s\r\n", x, y,
		        e->sdomain);
		break;
	case 4:
		sb_printf(b, "Precedence: bulk\r\nX-Campaign-ID: %zu-%zu\r\n",
		        x, y);
		break;
	case 5:
		sb_printf(b, "X-Originating-IP: [198.51.100.%zu]\r\n", x + 1);
		break;
	case 6:
		sb_printf(b,
		        "Content-Language: en-US\r\nThread-Topic: %s %s\r\n",
		        pick(s, words), pick(s, words));
		break;
	case 7:
		sb_printf(b, "X-Priority: 3\r\nImportance: normal\r\n");
		break;
	case 8:
		sb_printf(b, "Auto-Submitted: auto-generated\r\n");
		break;
	case 9:
		sb_printf(b, "X-Entity-Ref-ID: %zx-%zx\r\n", x, y);
		break;
	default:
		sb_printf(b, "Organization: %s\r\n", e->sdomain);
	}
}

/* header_block - every header field; returns how many. A fake signature
 * goes after Reply-To, and *sig_at is where a real one will go */
static unsigned header_block(struct sb *b, uint64_t *s, const struct env *e,
        int fake, int mixed, size_t *sig_at)
{
	unsigned n = received_chain(b, s, e) + 1,
	         target = 15 + (unsigned)below(s, 16);
	char d[64];

	sb_printf(b, "Reply-To: <noreply@%s>\r\n", e->sdomain);
	*sig_at = b->len;
	if (fake) {
		dkim_signature(b, s, e);
		n++;
	}
	date(d, sizeof d, e->t - 4);
	sb_printf(b,
	        "From: \"%s\" <%s>\r\nTo: <%s>\r\nSubject: %s %s %s\r\n"
	        "Date: %s\r\nMessage-ID: <%zx.%zx@%s>\r\nMIME-Version: 1.0\r\n"
	        "Content-Type: multipart/%s;\r\n\tboundary=\"%s\"\r\n",
	        e->name, e->sender, e->rcpt[0], pick(s, words), pick(s, words),
	        pick(s, words), d, below(s, 1u << 31), below(s, 1u << 31),
	        e->sdomain, mixed ? "mixed" : "alternative", e->boundary[0]);
	n += 7;
	if (e->nrcpts > 1 && n < target) {
		sb_printf(b, "Cc: <%s>\r\n", e->rcpt[1]);
		n++;
	}
	if (n < target) {
		sb_printf(b,
		        "List-Unsubscribe: <https://%s/u/%zx>, "
		        "<mailto:unsub-%zx@%s>\r\n",
		        e->sdomain, below(s, 1u << 31), below(s, 1u << 31),
		        e->sdomain);
		n++;
	}
	for (int k = 0; k < OPTIONAL_FIELDS && n < target; k++) {
		if (OPTIONAL_DOUBLE(k) && n + 2 > target)
			continue;
		optional_field(b, s, e, k);
		n += OPTIONAL_DOUBLE(k) ? 2 : 1;
	}
	sb_put(b, "\r\n", 2);
	return n;
}

/* alternative - text and HTML parts under boundary */
static void alternative(struct sb *b, uint64_t *s, const char *boundary)
{
	size_t text = 3000 + below(s, 16000);

	sb_printf(b,
	        "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	        "Content-Transfer-Encoding: 7bit\r\n\r\n",
	        boundary);
	for (size_t done = 0; done < text; done += 400)
		sb_text(b, s, 300 + below(s, 200), "", "");
	sb_printf(b,
	        "\r\n--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
	        "Content-Transfer-Encoding: 7bit\r\n\r\n"
	        "<html><head><meta charset=\"utf-8\"></head>\r\n"
	        "<body style=\"font-family: sans-serif\">\r\n",
	        boundary);
	for (size_t done = 0; done < text; done += 400)
		sb_text(b, s, 300 + below(s, 200), "<p>", "</p>");
	sb_printf(b, "</body></html>\r\n\r\n--%s--\r\n", boundary);
}

/* body - the MIME body: alternative, or mixed with an attachment */
static void body(struct sb *b, uint64_t *s, const struct env *e, int mixed)
{
	sb_printf(b, "This is a multi-part message in MIME format.\r\n\r\n");
	if (!mixed) {
		alternative(b, s, e->boundary[0]);
		return;
	}
	sb_printf(b,
	        "--%s\r\nContent-Type: multipart/alternative;\r\n"
	        "\tboundary=\"%s\"\r\n\r\n",
	        e->boundary[0], e->boundary[1]);
	alternative(b, s, e->boundary[1]);
	sb_printf(b,
	        "\r\n--%s\r\nContent-Type: application/pdf; "
	        "name=\"document-%zu.pdf\"\r\n"
	        "Content-Disposition: attachment; "
	        "filename=\"document-%zu.pdf\"\r\n"
	        "Content-Transfer-Encoding: base64\r\n\r\n",
	        e->boundary[0], below(s, 1000), below(s, 1000));
	sb_b64(b, s, 8000 + below(s, 40000), 76, "\r\n");
	sb_printf(b, "\r\n--%s--\r\n", e->boundary[0]);
}

/* sig_kind - how message i is signed: by bucket i*37 mod 100 (exact
 * shares over each hundred) when there is a signer, else fake or none */
static enum mailcorpus_sig sig_kind(
        const struct mailcorpus_opts *o, size_t i, int fake)
{
	unsigned k = (unsigned)(i * 37 % 100);

	if (o->sign == NULL)
		return fake ? MAILCORPUS_SIG_FAKE : MAILCORPUS_SIG_NONE;
	if (k < o->rsa_pct)
		return MAILCORPUS_SIG_RSA;
	if (k < o->rsa_pct + o->ed25519_pct)
		return MAILCORPUS_SIG_ED25519;
	if (k < o->rsa_pct + o->ed25519_pct + o->tampered_pct)
		return MAILCORPUS_SIG_TAMPERED;
	return MAILCORPUS_SIG_NONE;
}

/* tamper - change one letter of the body, past its middle: what a
 * mailing list footer or a broken relay does to a signed message */
static void tamper(struct sb *b)
{
	char *body = strstr(b->p, "\r\n\r\n");
	size_t at;

	if (body == NULL)
		return;
	at = (size_t)(body - b->p) + (b->len - (size_t)(body - b->p)) / 2;
	while (at < b->len && !(b->p[at] >= 'a' && b->p[at] < 'z'))
		at++;
	if (at < b->len)
		b->p[at]++;
}

/* sign_msg - the signer's field, spliced in at sig_at; tampered after */
static int sign_msg(const struct mailcorpus_opts *o, struct mailcorpus_msg *m,
        size_t i, struct sb *b, size_t sig_at)
{
	enum mailcorpus_sig alg = m->sig;
	char *field;
	size_t n;

	if (alg == MAILCORPUS_SIG_TAMPERED)
		alg = i % 2 ? MAILCORPUS_SIG_ED25519 : MAILCORPUS_SIG_RSA;
	field = o->sign(o->sign_ctx, alg, m->domain, i, b->p, b->len);
	if (field == NULL)
		return -1;
	n = strlen(field);
	sb_grow(b, n);
	memmove(b->p + sig_at + n, b->p + sig_at, b->len - sig_at + 1);
	memcpy(b->p + sig_at, field, n);
	b->len += n;
	free(field);
	m->nheaders++;
	if (m->sig == MAILCORPUS_SIG_TAMPERED)
		tamper(b);
	return 0;
}

/* envelope_put - after the data and a NUL: HELO, sender, recipients and
 * the domain, each NUL-terminated; the message points into the buffer */
static void envelope_put(struct mailcorpus_msg *m, struct sb *b,
        const struct env *e, const char *domain)
{
	size_t off[3 + MAILCORPUS_RCPTS_MAX];

	m->len = b->len;
	off[0] = b->len + 1;
	sb_put(b, "", 1);
	sb_put(b, e->helo, strlen(e->helo) + 1);
	off[1] = b->len;
	sb_put(b, e->sender, strlen(e->sender) + 1);
	off[2] = b->len;
	sb_put(b, domain, strlen(domain) + 1);
	for (size_t r = 0; r < e->nrcpts; r++) {
		off[3 + r] = b->len;
		sb_put(b, e->rcpt[r], strlen(e->rcpt[r]) + 1);
	}
	m->data = b->p;
	m->helo = b->p + off[0];
	m->sender = b->p + off[1];
	m->domain = b->p + off[2];
	m->nrcpts = e->nrcpts;
	for (size_t r = 0; r < e->nrcpts; r++)
		m->rcpts[r] = b->p + off[3 + r];
}

/* msg_make - message i: the data, then the envelope strings, in one
 * buffer that the corpus keeps; -1 when the signer failed */
static int msg_make(struct mailcorpus *mc, size_t i, uint64_t seed)
{
	struct mailcorpus_msg *m = &mc->msgs[i];
	uint64_t s = seed ^ (i * 0x9e3779b97f4a7c15ull);
	struct sb b = {0};
	struct env e;
	size_t sig_at;
	int fake;

	env_make(&e, &s, i, mc->o);
	fake = below(&s, 10) < 6; /* drawn always: same bytes as before */
	m->sig = sig_kind(mc->o, i, fake);
	m->dkim = m->sig != MAILCORPUS_SIG_NONE;
	m->attachment = below(&s, 10) < 3;
	m->nheaders = header_block(&b, &s, &e, m->sig == MAILCORPUS_SIG_FAKE,
	        m->attachment, &sig_at);
	body(&b, &s, &e, m->attachment);
	m->domain = e.sdomain; /* until envelope_put copies it */
	if (m->dkim && m->sig != MAILCORPUS_SIG_FAKE &&
	        sign_msg(mc->o, m, i, &b, sig_at) != 0) {
		free(b.p);
		return -1;
	}
	envelope_put(m, &b, &e, e.sdomain);
	mc->bufs[i] = b.p;
	mc->bytes += m->len;
	return 0;
}

/* opts_ok - shares within 100, a domain list that is not empty */
static int opts_ok(const struct mailcorpus_opts *o)
{
	if (o->domains != NULL && o->ndomains == 0)
		return 0;
	return o->sign == NULL ||
	       o->rsa_pct + o->ed25519_pct + o->tampered_pct <= 100;
}

/* mailcorpus_new_opts - make n messages */
int mailcorpus_new_opts(size_t n, uint64_t seed,
        const struct mailcorpus_opts *o, struct mailcorpus **out)
{
	static const struct mailcorpus_opts defaults;
	struct mailcorpus *mc;

	o = o != NULL ? o : &defaults;
	if (n == 0 || n > CORPUS_MAX || !opts_ok(o))
		return -1;
	mc = calloc(1, sizeof *mc);
	if (mc == NULL || (mc->msgs = calloc(n, sizeof *mc->msgs)) == NULL ||
	        (mc->bufs = calloc(n, sizeof *mc->bufs)) == NULL)
		abort();
	mc->n = n;
	mc->o = o;
	for (size_t i = 0; i < n; i++) {
		if (msg_make(mc, i, seed) != 0) {
			mailcorpus_free(mc);
			return -1;
		}
	}
	mc->o = NULL;
	*out = mc;
	return 0;
}

/* mailcorpus_new - make n messages with the defaults */
int mailcorpus_new(size_t n, uint64_t seed, struct mailcorpus **out)
{
	return mailcorpus_new_opts(n, seed, NULL, out);
}

/* mailcorpus_free - free everything */
void mailcorpus_free(struct mailcorpus *mc)
{
	if (mc == NULL)
		return;
	for (size_t i = 0; i < mc->n; i++)
		free(mc->bufs[i]);
	free(mc->bufs);
	free(mc->msgs);
	free(mc);
}

/* mailcorpus_count - the number of messages */
size_t mailcorpus_count(const struct mailcorpus *mc)
{
	return mc->n;
}

/* mailcorpus_get - message i modulo the count */
const struct mailcorpus_msg *mailcorpus_get(
        const struct mailcorpus *mc, size_t i)
{
	return &mc->msgs[i % mc->n];
}

/* mailcorpus_bytes - the size of all messages */
size_t mailcorpus_bytes(const struct mailcorpus *mc)
{
	return mc->bytes;
}
