/*
 * test_dns.c - the resolver against a scripted DNS server on 127.0.0.1.
 *
 * Each test starts its own responder: a thread with a UDP socket and a TCP
 * listener on one loopback port, answering from the zone table below
 * (records with given TTLs, NXDOMAIN and NODATA with or without a SOA,
 * SERVFAIL, REFUSED, silence, delays, and hostile replies). Answers longer
 * than 512 octets go the way real servers send them: a truncated UDP reply,
 * then the full one over TCP. The responder counts the questions it gets
 * for each zone row, which is how a test tells a cache hit from a query.
 * Nothing here talks to anything outside 127.0.0.0/8.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"

#define RESP_CONN_MAX 8
#define RESP_DELAYED_MAX 128
#define WAIT_MS                                                                \
	5000 /* far beyond any answer: a test that waits this long             \
	        has failed anyway */

enum kind {
	K_A,        /* data: addresses separated by blanks */
	K_AAAA,     /* data: one address */
	K_TXT,      /* data: records separated by \n, strings by | */
	K_MX,       /* data: "pref host" lines */
	K_PTR,      /* data: a host name */
	K_CNAME,    /* data: the target, which gets A 192.0.2.9 */
	K_ECHO,     /* A 10.0.N/256.N%256 for a name "N.<anything>" */
	K_NXDOMAIN, /* SOA TTL `ttl`, MINIMUM `soa_min`; no SOA if 0 */
	K_NODATA,   /* the same, with NOERROR */
	K_SERVFAIL,
	K_REFUSED,
	K_DROP,       /* never answers */
	K_TRUNC,      /* an A reply cut short inside its record */
	K_RDLEN_LIE,  /* an A record whose RDLENGTH says 200 */
	K_WRONG_NAME, /* an A record for another name */
	K_MANY_A,     /* 500 A records (over TCP) */
	K_PTR_LOOP,   /* a PTR whose name is a compression pointer to itself */
};

struct zone {
	const char *name; /* "*.x" matches every name ending in ".x" */
	enum kind kind;
	uint32_t ttl;
	uint32_t soa_min;
	unsigned delay_ms;
	const char *data;
};

static const struct zone zone[] = {
        {"a.test", K_A, 300, 0, 0, "192.0.2.1 192.0.2.2"},
        {"aaaa.test", K_AAAA, 120, 0, 0, "2001:db8::1"},
        {"txt.test", K_TXT, 300, 0, 0,
                "v=spf1 |ip4:192.0.2.0/24 |-all\nsecond record"},
        {"mx.test", K_MX, 300, 0, 0, "10 mx1.test\n20 mx2.test"},
        {"1.2.0.192.in-addr.arpa", K_PTR, 300, 0, 0, "host.test"},
        {"alias.test", K_CNAME, 50, 0, 0, "target.test"},
        {"nx.test", K_NXDOMAIN, 3600, 1, 0, NULL},
        {"nxnosoa.test", K_NXDOMAIN, 0, 0, 0, NULL},
        {"nodata.test", K_NODATA, 3600, 600, 0, NULL},
        {"servfail.test", K_SERVFAIL, 0, 0, 0, NULL},
        {"refused.test", K_REFUSED, 0, 0, 0, NULL},
        {"drop.test", K_DROP, 0, 0, 0, NULL},
        {"ttl0.test", K_A, 0, 0, 0, "192.0.2.3"},
        {"ttlhigh.test", K_A, 3600, 0, 0, "192.0.2.4"},
        {"slow.test", K_A, 300, 0, 600, "192.0.2.5"},
        {"*.delay.test", K_ECHO, 300, 0, 200, NULL},
        {"*.echo.test", K_ECHO, 300, 0, 0, NULL},
        {"trunc.test", K_TRUNC, 300, 0, 0, NULL},
        {"rdlen.test", K_RDLEN_LIE, 300, 0, 0, NULL},
        {"wrongname.test", K_WRONG_NAME, 300, 0, 0, NULL},
        {"txtfora.test", K_TXT, 300, 0, 0, "abc"}, /* 4 octets, as an A */
        {"loop.test", K_PTR_LOOP, 300, 0, 0, NULL},
        {"many.test", K_MANY_A, 300, 0, 0, NULL},
};
#define NZONE (sizeof zone / sizeof zone[0])

struct delayed {
	int64_t due;
	struct sockaddr_in to;
	size_t len;
	unsigned char *msg;
};

struct responder {
	int udp, tcp, stop[2];
	int conn[RESP_CONN_MAX];
	pthread_t thread;
	char servers[32];
	struct delayed delayed[RESP_DELAYED_MAX];
	atomic_uint asked[NZONE];
};

struct pkt {
	unsigned char b[65536];
	size_t n;
};

/* put16 - append a 16-bit value */
static void put16(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (unsigned char)(v >> 8);
	p->b[p->n++] = (unsigned char)v;
}

/* put32 - append a 32-bit value */
static void put32(struct pkt *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

/* put_name - append a dotted name in wire form, uncompressed */
static void put_name(struct pkt *p, const char *name)
{
	while (*name != '\0') {
		size_t len = strcspn(name, ".");

		p->b[p->n++] = (unsigned char)len;
		memcpy(p->b + p->n, name, len);
		p->n += len;
		name += len + (name[len] == '.');
	}
	p->b[p->n++] = 0;
}

/* rr_begin - a record header; owner NULL points at the question name.
 * Returns where RDLENGTH goes, for rr_end. */
static size_t rr_begin(
        struct pkt *p, const char *owner, unsigned type, uint32_t ttl)
{
	size_t at;

	if (owner == NULL)
		put16(p, 0xc00c);
	else
		put_name(p, owner);
	put16(p, type);
	put16(p, 1);
	put32(p, ttl);
	at = p->n;
	put16(p, 0);
	return at;
}

/* rr_end - fill in RDLENGTH */
static void rr_end(struct pkt *p, size_t at)
{
	size_t len = p->n - at - 2;

	p->b[at] = (unsigned char)(len >> 8);
	p->b[at + 1] = (unsigned char)len;
}

/* add_soa - a SOA in the authority section when the row asks for one */
static unsigned add_soa(struct pkt *p, const struct zone *z)
{
	size_t at;

	if (z->soa_min == 0)
		return 0;
	at = rr_begin(p, "test", 6, z->ttl);
	put_name(p, "ns.test");
	put_name(p, "hostmaster.test");
	put32(p, 1);
	put32(p, 3600);
	put32(p, 600);
	put32(p, 86400);
	put32(p, z->soa_min);
	rr_end(p, at);
	return 1;
}

/* add_a - an A record */
static void add_a(struct pkt *p, const char *owner, uint32_t ttl,
        const unsigned char a[4])
{
	size_t at = rr_begin(p, owner, 1, ttl);

	memcpy(p->b + p->n, a, 4);
	p->n += 4;
	rr_end(p, at);
}

/* add_addrs - A or AAAA records from the row's text */
static unsigned add_addrs(struct pkt *p, const struct zone *z, int af)
{
	char buf[256], *save = NULL, *tok;
	unsigned char a[16];
	unsigned n = 0;
	size_t at;

	snprintf(buf, sizeof buf, "%s", z->data);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	        tok = strtok_r(NULL, " ", &save), n++) {
		if (inet_pton(af, tok, a) != 1)
			abort();
		at = rr_begin(p, NULL, af == AF_INET ? 1 : 28, z->ttl);
		memcpy(p->b + p->n, a, af == AF_INET ? 4 : 16);
		p->n += af == AF_INET ? 4 : 16;
		rr_end(p, at);
	}
	return n;
}

/* add_txt - TXT records, one per line, strings split at '|' */
static unsigned add_txt(struct pkt *p, const struct zone *z)
{
	const char *s = z->data;
	unsigned n = 0;

	while (*s != '\0') {
		size_t at = rr_begin(p, NULL, 16, z->ttl);

		for (;;) {
			size_t len = strcspn(s, "|\n");

			p->b[p->n++] = (unsigned char)len;
			memcpy(p->b + p->n, s, len);
			p->n += len;
			s += len;
			if (*s != '|')
				break;
			s++;
		}
		rr_end(p, at);
		n++;
		s += *s == '\n';
	}
	return n;
}

/* add_mx - MX records from "pref host" lines */
static unsigned add_mx(struct pkt *p, const struct zone *z)
{
	char buf[256], *save = NULL, *line, host[64];
	unsigned pref, n = 0;
	size_t at;

	snprintf(buf, sizeof buf, "%s", z->data);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	        line = strtok_r(NULL, "\n", &save), n++) {
		if (sscanf(line, "%u %63s", &pref, host) != 2)
			abort();
		at = rr_begin(p, NULL, 15, z->ttl);
		put16(p, pref);
		put_name(p, host);
		rr_end(p, at);
	}
	return n;
}

/* add_hostile - the malformed replies; returns the answer count to claim */
static unsigned add_hostile(struct pkt *p, const struct zone *z)
{
	static const unsigned char addr[4] = {192, 0, 2, 66};
	size_t at;

	switch (z->kind) {
	case K_TRUNC:
		add_a(p, NULL, z->ttl, addr);
		p->n -= 2;
		return 1;
	case K_RDLEN_LIE:
		add_a(p, NULL, z->ttl, addr);
		p->b[p->n - 6] = 0;
		p->b[p->n - 5] = 200;
		return 1;
	case K_WRONG_NAME:
		add_a(p, "evil.example", z->ttl, addr);
		return 1;
	case K_PTR_LOOP:
		at = rr_begin(p, NULL, 12, z->ttl);
		put16(p, 0xc000 | (unsigned)(at + 2));
		rr_end(p, at);
		return 1;
	default:
		abort();
	}
}

/* add_many - 500 A records 10.1.i/256.i%256, in order */
static unsigned add_many(struct pkt *p, const struct zone *z)
{
	unsigned i;

	for (i = 0; i < 500; i++) {
		unsigned char a[4] = {
		        10, 1, (unsigned char)(i >> 8), (unsigned char)i};
		add_a(p, NULL, z->ttl, a);
	}
	return 500;
}

/* add_answers - the answer section for a row; *rcode and *ns as needed */
static unsigned add_answers(
        struct pkt *p, const struct zone *z, const char *qname, unsigned *rcode)
{
	unsigned n;
	unsigned char a[4] = {10, 0, 0, 0};

	switch (z->kind) {
	case K_A:
		return add_addrs(p, z, AF_INET);
	case K_AAAA:
		return add_addrs(p, z, AF_INET6);
	case K_TXT:
		return add_txt(p, z);
	case K_MX:
		return add_mx(p, z);
	case K_PTR: {
		size_t at = rr_begin(p, NULL, 12, z->ttl);
		put_name(p, z->data);
		rr_end(p, at);
		return 1;
	}
	case K_CNAME: {
		size_t at = rr_begin(p, NULL, 5, z->ttl);
		static const unsigned char t[4] = {192, 0, 2, 9};
		put_name(p, z->data);
		rr_end(p, at);
		add_a(p, z->data, 300, t);
		return 2;
	}
	case K_ECHO:
		n = (unsigned)atoi(qname);
		a[2] = (unsigned char)(n >> 8);
		a[3] = (unsigned char)n;
		add_a(p, NULL, z->ttl, a);
		return 1;
	case K_NXDOMAIN:
		*rcode = 3;
		return 0;
	case K_NODATA:
		return 0;
	case K_SERVFAIL:
		*rcode = 2;
		return 0;
	case K_REFUSED:
		*rcode = 5;
		return 0;
	case K_MANY_A:
		return add_many(p, z);
	default:
		return add_hostile(p, z);
	}
}

/* zone_find - the row for a name, or NULL */
static const struct zone *zone_find(const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < NZONE; i++) {
		const char *zn = zone[i].name;
		size_t zl = strlen(zn);

		if (strcmp(zn, name) == 0)
			return &zone[i];
		if (zn[0] == '*' && len > zl - 1 &&
		        strcmp(name + len - (zl - 1), zn + 1) == 0)
			return &zone[i];
	}
	return NULL;
}

/* query_name - the question's name, lower case; its wire end in *end */
static int query_name(
        const unsigned char *q, size_t len, char *out, size_t *end)
{
	size_t pos = 12, o = 0;

	while (pos < len && q[pos] != 0) {
		size_t l = q[pos];

		if (pos + 1 + l >= len || o + l + 2 > 256)
			return -1;
		if (o > 0)
			out[o++] = '.';
		for (size_t i = 0; i < l; i++)
			out[o++] = (char)tolower(q[pos + 1 + i]);
		pos += l + 1;
	}
	out[o] = '\0';
	*end = pos + 5; /* root label, type, class */
	return *end <= len ? 0 : -1;
}

/* make_reply - the reply to one query; -1: stay silent. *delay_ms set. */
static int make_reply(struct responder *s, const unsigned char *q, size_t len,
        struct pkt *p, unsigned *delay_ms)
{
	char name[256];
	size_t qend;
	unsigned rcode = 0, an = 0, ns = 0;
	const struct zone *z;

	if (len < 12 || query_name(q, len, name, &qend) < 0)
		return -1;
	z = zone_find(name);
	if (z != NULL)
		atomic_fetch_add(&s->asked[z - zone], 1);
	if (z != NULL && z->kind == K_DROP)
		return -1;
	*delay_ms = z != NULL ? z->delay_ms : 0;
	memcpy(p->b, q, qend);
	p->n = qend;
	if (z == NULL)
		rcode = 3;
	else
		an = add_answers(p, z, name, &rcode);
	if (z != NULL && (z->kind == K_NXDOMAIN || z->kind == K_NODATA))
		ns = add_soa(p, z);
	p->b[2] = (unsigned char)(0x80 | (q[2] & 0x01)); /* QR, RD copied */
	p->b[3] = (unsigned char)(0x80 | rcode);         /* RA */
	p->b[6] = (unsigned char)(an >> 8);
	p->b[7] = (unsigned char)an;
	p->b[8] = 0;
	p->b[9] = (unsigned char)ns;
	p->b[10] = p->b[11] = 0;
	return 0;
}

/* udp_query - answer one datagram: at once, later, or truncated */
static void udp_query(struct responder *s, struct pkt *p)
{
	unsigned char q[512];
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	ssize_t n = recvfrom(s->udp, q, sizeof q, 0, (void *)&from, &fl);
	unsigned delay = 0;
	size_t i;

	if (n <= 0 || make_reply(s, q, (size_t)n, p, &delay) < 0)
		return;
	if (p->n > 512) { /* TC: header and question only */
		size_t qend;
		char name[256];
		query_name(q, (size_t)n, name, &qend);
		p->n = qend;
		p->b[2] |= 0x02;
		memset(p->b + 6, 0, 6);
	}
	if (delay == 0) {
		sendto(s->udp, p->b, p->n, 0, (void *)&from, fl);
		return;
	}
	for (i = 0; i < RESP_DELAYED_MAX && s->delayed[i].msg != NULL; i++)
		;
	if (i == RESP_DELAYED_MAX)
		abort();
	s->delayed[i].due = dns_now_ms() + delay;
	s->delayed[i].to = from;
	s->delayed[i].len = p->n;
	s->delayed[i].msg = malloc(p->n);
	memcpy(s->delayed[i].msg, p->b, p->n);
}

/* send_due - send the delayed replies that are due; ms to the next one */
static int send_due(struct responder *s)
{
	int64_t now = dns_now_ms(), next = -1;
	size_t i;

	for (i = 0; i < RESP_DELAYED_MAX; i++) {
		struct delayed *d = &s->delayed[i];

		if (d->msg == NULL)
			continue;
		if (d->due <= now) {
			sendto(s->udp, d->msg, d->len, 0, (void *)&d->to,
			        sizeof d->to);
			free(d->msg);
			d->msg = NULL;
		} else if (next < 0 || d->due - now < next) {
			next = d->due - now;
		}
	}
	return (int)next;
}

/* tcp_query - answer one length-prefixed query; -1 when the peer left */
static int tcp_query(struct responder *s, int fd, struct pkt *p)
{
	unsigned char q[514];
	unsigned char l[2];
	unsigned delay;
	size_t len;

	if (recv(fd, q, 2, MSG_WAITALL) != 2)
		return -1;
	len = (size_t)q[0] << 8 | q[1];
	if (len > 512 || recv(fd, q, len, MSG_WAITALL) != (ssize_t)len)
		return -1;
	if (make_reply(s, q, len, p, &delay) < 0)
		return 0;
	l[0] = (unsigned char)(p->n >> 8);
	l[1] = (unsigned char)p->n;
	if (send(fd, l, 2, MSG_NOSIGNAL) != 2 ||
	        send(fd, p->b, p->n, MSG_NOSIGNAL) != (ssize_t)p->n)
		return -1;
	return 0;
}

/* tcp_events - accept connections and serve the readable ones */
static void tcp_events(struct responder *s, struct pollfd *pfd, struct pkt *p)
{
	int i, fd;

	if (pfd[2].revents & POLLIN) {
		fd = accept(s->tcp, NULL, NULL);
		for (i = 0; fd >= 0 && i < RESP_CONN_MAX; i++)
			if (s->conn[i] < 0) {
				s->conn[i] = fd;
				fd = -1;
			}
		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < RESP_CONN_MAX; i++)
		if (s->conn[i] >= 0 && pfd[3 + i].revents != 0 &&
		        tcp_query(s, s->conn[i], p) < 0) {
			close(s->conn[i]);
			s->conn[i] = -1;
		}
}

/* responder_main - the server loop, until the stop pipe is readable */
static void *responder_main(void *arg)
{
	struct responder *s = arg;
	struct pollfd pfd[3 + RESP_CONN_MAX];
	struct pkt *p = malloc(sizeof *p);
	int i;

	for (;;) {
		int wait = send_due(s);

		pfd[0] = (struct pollfd){.fd = s->stop[0], .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = s->udp, .events = POLLIN};
		pfd[2] = (struct pollfd){.fd = s->tcp, .events = POLLIN};
		for (i = 0; i < RESP_CONN_MAX; i++)
			pfd[3 + i] = (struct pollfd){
			        .fd = s->conn[i], .events = POLLIN};
		if (poll(pfd, 3 + RESP_CONN_MAX, wait) < 0 && errno != EINTR)
			abort();
		if (pfd[0].revents != 0)
			break;
		if (pfd[1].revents & POLLIN)
			udp_query(s, p);
		tcp_events(s, pfd, p);
	}
	free(p);
	return NULL;
}

/* bind_pair - a TCP listener and a UDP socket on one free loopback port */
static int bind_pair(struct responder *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof a;
	int tries, one = 1;

	for (tries = 0; tries < 50; tries++) {
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = 0;
		s->tcp = socket(AF_INET, SOCK_STREAM, 0);
		s->udp = socket(AF_INET, SOCK_DGRAM, 0);
		setsockopt(s->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(s->tcp, (void *)&a, sizeof a) == 0 &&
		        getsockname(s->tcp, (void *)&a, &al) == 0 &&
		        bind(s->udp, (void *)&a, sizeof a) == 0 &&
		        listen(s->tcp, 16) == 0)
			return ntohs(a.sin_port);
		close(s->tcp);
		close(s->udp);
	}
	return -1;
}

/* setup - start this test's responder */
static int setup(void **state)
{
	struct responder *s = calloc(1, sizeof *s);
	int port, i;

	if (s == NULL || (port = bind_pair(s)) < 0 || pipe(s->stop) != 0)
		return -1;
	for (i = 0; i < RESP_CONN_MAX; i++)
		s->conn[i] = -1;
	snprintf(s->servers, sizeof s->servers, "127.0.0.1:%d", port);
	if (pthread_create(&s->thread, NULL, responder_main, s) != 0)
		return -1;
	*state = s;
	return 0;
}

/* teardown - stop the responder and free what it held */
static int teardown(void **state)
{
	struct responder *s = *state;
	int i;

	if (write(s->stop[1], "x", 1) != 1)
		return -1;
	pthread_join(s->thread, NULL);
	for (i = 0; i < RESP_DELAYED_MAX; i++)
		free(s->delayed[i].msg);
	for (i = 0; i < RESP_CONN_MAX; i++)
		if (s->conn[i] >= 0)
			close(s->conn[i]);
	close(s->udp);
	close(s->tcp);
	close(s->stop[0]);
	close(s->stop[1]);
	free(s);
	return 0;
}

/* asked - how many questions the responder got for a zone row */
static unsigned asked(struct responder *s, const char *name)
{
	const struct zone *z = zone_find(name);

	assert_non_null(z);
	return atomic_load(&s->asked[z - zone]);
}

/* resolver - a resolver on the test's responder */
static struct dns_resolver *resolver(
        struct responder *s, size_t entries, unsigned min_ttl, unsigned max_ttl)
{
	struct dns_opts o = {.servers = s->servers,
	        .timeout_ms = 1000,
	        .tries = 1,
	        .cache_min_ttl = min_ttl,
	        .cache_max_ttl = max_ttl,
	        .cache_entries = entries};
	struct dns_resolver *r = NULL;

	assert_int_equal(dns_resolver_new(&o, &r), DNS_OK);
	return r;
}

/* ask - one question in a batch of its own, waited for; the answer is at
 * index 0 of the returned batch */
static struct dns_batch *ask(
        struct dns_resolver *r, const char *name, enum dns_type t)
{
	struct dns_batch *b = NULL;
	unsigned i;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, name, t, &i), DNS_OK);
	assert_int_equal(i, 0);
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + WAIT_MS), 0);
	return b;
}

/* ask_status - the status of one question, asked and freed */
static enum dns_status ask_status(struct dns_resolver *r, const char *name,
        enum dns_type t, unsigned *cached)
{
	struct dns_batch *b = ask(r, name, t);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	enum dns_status st = a->status;

	if (cached != NULL)
		*cached = a->cached;
	dns_batch_free(b);
	return st;
}

/* ipv4 - an A record's address as text */
static const char *ipv4(const struct dns_rr *rr, char *buf)
{
	return inet_ntop(AF_INET, &rr->u.a, buf, INET_ADDRSTRLEN);
}

/* wait_cache_size - wait until the cache holds at least n entries */
static void wait_cache_size(struct dns_resolver *r, size_t n)
{
	int64_t deadline = dns_now_ms() + WAIT_MS;
	struct dns_stats st;

	for (;;) {
		dns_resolver_stats(r, &st);
		if (st.cache_size >= n)
			return;
		assert_true(dns_now_ms() < deadline);
		usleep(10 * 1000);
	}
}

static void test_system_resolver_can_be_created(void **state)
{
	struct dns_opts o = {.servers = ""};
	struct dns_resolver *r = NULL;
	struct dns_stats st;

	assert_int_equal(dns_resolver_new(NULL, &r), DNS_OK);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.queries, 0);
	dns_resolver_free(r);
	assert_int_equal(dns_resolver_new(&o, &r), DNS_OK);
	dns_resolver_free(r);
	dns_resolver_free(NULL);
}

static void test_bad_server_lists_are_refused(void **state)
{
	static const char *const bad[] = {"bogus", ",", "127.0.0.1:99999",
	        "127.0.0.1:0", "127.0.0.1:53x", "[::1]:", "1.2.3.4:53 junk"};
	struct dns_resolver *r = NULL;
	struct dns_opts o = {0};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o.servers = bad[i];
		assert_int_equal(dns_resolver_new(&o, &r), DNS_E_SERVERS);
		assert_null(r);
	}
	o.servers = "127.0.0.1:5353,[::1]:5353";
	assert_int_equal(dns_resolver_new(&o, &r), DNS_OK);
	dns_resolver_free(r);
	o.servers = NULL;
	o.cache_min_ttl = 10;
	o.cache_max_ttl = 5;
	assert_int_equal(dns_resolver_new(&o, &r), DNS_E_INVAL);
}

static void test_bad_names_and_types_are_refused(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	char longname[300], label[70];
	struct dns_batch *b = NULL;
	unsigned i = 99;

	memset(longname, 'a', 254); /* 63 + 63 + 63 + 62 octets and 3 dots */
	longname[63] = longname[127] = longname[191] = '.';
	longname[254] = '\0';
	memset(label, 'b', 64);
	memcpy(label + 64, ".test", 6);
	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, "a..test", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, ".a.test", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, "a.test.", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(
	        dns_batch_add(b, "a b.test", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(
	        dns_batch_add(b, "a\\.test", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, label, DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, longname, DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, "a.test", 2, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, NULL, DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(i, 99);
	assert_null(dns_batch_answer(b, 0));
	assert_int_equal(dns_batch_wait_one(b, 0, 0), DNS_ERROR);
	assert_int_equal(dns_batch_wait(b, 0), 0);
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_a_records_come_in_order_with_ttl(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "a.test", DNS_T_A);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	char buf[INET_ADDRSTRLEN];

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->type, DNS_T_A);
	assert_int_equal(a->cached, 0);
	assert_int_equal(a->ttl, 300);
	assert_int_equal(a->nrr, 2);
	assert_string_equal(ipv4(&a->rr[0], buf), "192.0.2.1");
	assert_string_equal(ipv4(&a->rr[1], buf), "192.0.2.2");
	assert_int_equal(a->rr[1].ttl, 300);
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_aaaa_record_is_decoded(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "aaaa.test", DNS_T_AAAA);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 1);
	assert_int_equal(a->ttl, 120);
	inet_ntop(AF_INET6, &a->rr[0].u.aaaa, buf, sizeof buf);
	assert_string_equal(buf, "2001:db8::1");
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_txt_strings_of_one_record_are_concatenated(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "txt.test", DNS_T_TXT);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	const char *spf = "v=spf1 ip4:192.0.2.0/24 -all";

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 2);
	assert_string_equal(a->rr[0].u.txt.data, spf);
	assert_int_equal(a->rr[0].u.txt.len, strlen(spf));
	assert_string_equal(a->rr[1].u.txt.data, "second record");
	assert_int_equal(a->rr[1].u.txt.len, 13);
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_mx_records_carry_preference_and_host(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "mx.test", DNS_T_MX);
	const struct dns_answer *a = dns_batch_answer(b, 0);

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 2);
	assert_int_equal(a->rr[0].u.mx.preference, 10);
	assert_string_equal(a->rr[0].u.mx.host, "mx1.test");
	assert_int_equal(a->rr[1].u.mx.preference, 20);
	assert_string_equal(a->rr[1].u.mx.host, "mx2.test");
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_ptr_record_is_decoded(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "1.2.0.192.in-addr.arpa", DNS_T_PTR);
	const struct dns_answer *a = dns_batch_answer(b, 0);

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 1);
	assert_string_equal(a->rr[0].u.ptr, "host.test");
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_cname_chain_is_followed_and_bounds_ttl(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "alias.test", DNS_T_A);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	char buf[INET_ADDRSTRLEN];

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 1);
	assert_string_equal(ipv4(&a->rr[0], buf), "192.0.2.9");
	assert_int_equal(a->rr[0].ttl, 300);
	assert_int_equal(a->ttl, 50); /* the CNAME's */
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_answer_is_cached_and_served_without_query(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b;
	const struct dns_answer *a;
	struct dns_stats st;
	char buf[INET_ADDRSTRLEN];
	unsigned i;

	dns_batch_free(ask(r, "a.test", DNS_T_A));
	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "A.Test", DNS_T_A, &i), DNS_OK);
	/* a hit is there at once, before any wait */
	a = dns_batch_answer(b, i);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->cached, 1);
	assert_int_equal(a->nrr, 2);
	assert_string_equal(ipv4(&a->rr[1], buf), "192.0.2.2");
	assert_int_equal(dns_batch_wait(b, 0), 0);
	dns_batch_free(b);
	assert_int_equal(asked(s, "a.test"), 1);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.queries, 1);
	assert_int_equal(st.cache_hits, 1);
	assert_int_equal(st.cache_size, 1);
	dns_resolver_free(r);
}

static void test_fresh_query_asks_the_server_despite_the_cache(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b;
	const struct dns_answer *a;
	unsigned i;

	dns_batch_free(ask(r, "a.test", DNS_T_A));
	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add_fresh(b, "a.test", DNS_T_A, &i), DNS_OK);
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + 2000), 0);
	a = dns_batch_answer(b, i);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->cached, 0);
	dns_batch_free(b);
	assert_int_equal(asked(s, "a.test"), 2);
	dns_resolver_free(r);
}

static void test_nxdomain_is_cached_for_soa_minimum(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b = ask(r, "nx.test", DNS_T_A);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	unsigned cached;

	assert_int_equal(a->status, DNS_NXDOMAIN);
	assert_int_equal(a->nrr, 0);
	assert_int_equal(a->ttl, 1); /* min(SOA TTL 3600, MINIMUM 1) */
	dns_batch_free(b);
	assert_int_equal(
	        ask_status(r, "nx.test", DNS_T_A, &cached), DNS_NXDOMAIN);
	assert_int_equal(cached, 1);
	assert_int_equal(asked(s, "nx.test"), 1);
	usleep(1200 * 1000);
	assert_int_equal(
	        ask_status(r, "nx.test", DNS_T_A, &cached), DNS_NXDOMAIN);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "nx.test"), 2);
	dns_resolver_free(r);
}

static void test_nodata_is_cached_for_soa_minimum(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b = ask(r, "nodata.test", DNS_T_TXT);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	unsigned cached;

	assert_int_equal(a->status, DNS_NODATA);
	assert_int_equal(a->ttl, 600);
	dns_batch_free(b);
	assert_int_equal(
	        ask_status(r, "nodata.test", DNS_T_TXT, &cached), DNS_NODATA);
	assert_int_equal(cached, 1);
	assert_int_equal(asked(s, "nodata.test"), 1);
	dns_resolver_free(r);
}

static void test_negative_answer_without_soa_uses_min_ttl(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	unsigned cached;

	/* min 0: nothing to cache it for */
	assert_int_equal(
	        ask_status(r, "nxnosoa.test", DNS_T_A, NULL), DNS_NXDOMAIN);
	assert_int_equal(
	        ask_status(r, "nxnosoa.test", DNS_T_A, &cached), DNS_NXDOMAIN);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "nxnosoa.test"), 2);
	dns_resolver_free(r);
	r = resolver(s, 100, 60, 0);
	assert_int_equal(
	        ask_status(r, "nxnosoa.test", DNS_T_A, NULL), DNS_NXDOMAIN);
	assert_int_equal(
	        ask_status(r, "nxnosoa.test", DNS_T_A, &cached), DNS_NXDOMAIN);
	assert_int_equal(cached, 1);
	assert_int_equal(asked(s, "nxnosoa.test"), 3);
	dns_resolver_free(r);
}

static void test_servfail_is_not_cached(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 60, 0);
	struct dns_stats st;
	unsigned cached;

	assert_int_equal(
	        ask_status(r, "servfail.test", DNS_T_A, NULL), DNS_SERVFAIL);
	assert_int_equal(
	        ask_status(r, "servfail.test", DNS_T_A, &cached), DNS_SERVFAIL);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "servfail.test"), 2);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.servfails, 2);
	assert_int_equal(st.cache_size, 0);
	dns_resolver_free(r);
}

static void test_refused_counts_as_servfail(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 60, 0);

	assert_int_equal(
	        ask_status(r, "refused.test", DNS_T_A, NULL), DNS_SERVFAIL);
	assert_int_equal(
	        ask_status(r, "refused.test", DNS_T_A, NULL), DNS_SERVFAIL);
	assert_int_equal(asked(s, "refused.test"), 2);
	dns_resolver_free(r);
}

static void test_unanswered_query_times_out_and_is_not_cached(void **state)
{
	struct responder *s = *state;
	struct dns_opts o = {.servers = s->servers,
	        .timeout_ms = 200,
	        .tries = 1,
	        .cache_min_ttl = 60,
	        .cache_entries = 100};
	struct dns_resolver *r = NULL;
	struct dns_stats st;
	int64_t t0 = dns_now_ms();

	assert_int_equal(dns_resolver_new(&o, &r), DNS_OK);
	assert_int_equal(
	        ask_status(r, "drop.test", DNS_T_A, NULL), DNS_TIMEOUT);
	assert_true(dns_now_ms() - t0 >= 150);
	assert_int_equal(
	        ask_status(r, "drop.test", DNS_T_A, NULL), DNS_TIMEOUT);
	assert_int_equal(asked(s, "drop.test"), 2);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.timeouts, 2);
	assert_int_equal(st.cache_size, 0);
	dns_resolver_free(r);
}

static void test_queries_of_a_batch_run_in_parallel(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b;
	char name[32], buf[INET_ADDRSTRLEN], want[INET_ADDRSTRLEN];
	int64_t t0 = dns_now_ms();
	unsigned i, idx;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "%u.delay.test", i);
		assert_int_equal(dns_batch_add(b, name, DNS_T_A, &idx), DNS_OK);
		assert_int_equal(idx, i);
	}
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + WAIT_MS), 0);
	/* each answer is delayed 200 ms: one after the other would be 2 s */
	assert_true(dns_now_ms() - t0 < 1000);
	for (i = 0; i < 10; i++) {
		const struct dns_answer *a = dns_batch_answer(b, i);

		snprintf(want, sizeof want, "10.0.0.%u", i);
		assert_int_equal(a->status, DNS_ANSWER);
		assert_string_equal(ipv4(&a->rr[0], buf), want);
	}
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_deadline_returns_pending(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b;
	unsigned fast, slow;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "a.test", DNS_T_A, &fast), DNS_OK);
	assert_int_equal(dns_batch_add(b, "slow.test", DNS_T_A, &slow), DNS_OK);
	assert_int_equal(dns_batch_wait_one(b, fast, dns_now_ms() + WAIT_MS),
	        DNS_ANSWER);
	/* slow.test answers after 600 ms; this deadline is long before */
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + 50), 1);
	assert_int_equal(dns_batch_answer(b, slow)->status, DNS_PENDING);
	assert_int_equal(dns_batch_answer(b, slow)->type, DNS_T_A);
	assert_int_equal(dns_batch_answer(b, fast)->status, DNS_ANSWER);
	assert_int_equal(dns_batch_wait_one(b, slow, dns_now_ms() + WAIT_MS),
	        DNS_ANSWER);
	assert_int_equal(dns_batch_wait(b, 0), 0);
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_freeing_a_batch_in_flight_is_safe(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b;
	unsigned i;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "slow.test", DNS_T_A, &i), DNS_OK);
	assert_int_equal(dns_batch_add(b, "1.delay.test", DNS_T_A, &i), DNS_OK);
	assert_int_equal(dns_batch_add(b, "a.test", DNS_T_A, &i), DNS_OK);
	assert_int_equal(
	        dns_batch_wait_one(b, i, dns_now_ms() + WAIT_MS), DNS_ANSWER);
	dns_batch_free(b);
	/* also one freed before the resolver thread could start it */
	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "refused.test", DNS_T_A, &i), DNS_OK);
	dns_batch_free(b);
	/* the late answers arrive, are dropped, and still reach the cache:
	 * a.test, 1.delay.test, slow.test (a refusal is not cached) */
	wait_cache_size(r, 3);
	assert_int_equal(
	        ask_status(r, "ttlhigh.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(ask_status(r, "slow.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(asked(s, "slow.test"), 1);
	dns_resolver_free(r);
}

static void test_resolver_freed_before_its_batch_fails_queries(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b;
	unsigned i;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "slow.test", DNS_T_A, &i), DNS_OK);
	assert_int_equal(dns_batch_add(b, "3.delay.test", DNS_T_A, &i), DNS_OK);
	dns_resolver_free(r); /* against the documented order, yet safe */
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + WAIT_MS), 0);
	assert_int_equal(dns_batch_answer(b, 0)->status, DNS_ERROR);
	assert_int_equal(dns_batch_answer(b, 1)->status, DNS_ERROR);
	dns_batch_free(b);
}

static void test_cache_ttl_clamped_to_min_and_max(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 1, 1);
	unsigned cached;

	assert_int_equal(ask_status(r, "ttl0.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(
	        ask_status(r, "ttlhigh.test", DNS_T_A, NULL), DNS_ANSWER);
	/* TTL 0 is kept for the 1 s minimum */
	assert_int_equal(
	        ask_status(r, "ttl0.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 1);
	assert_int_equal(
	        ask_status(r, "ttlhigh.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 1);
	usleep(1200 * 1000);
	/* TTL 3600 is kept for the 1 s maximum only */
	assert_int_equal(
	        ask_status(r, "ttlhigh.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 0);
	assert_int_equal(
	        ask_status(r, "ttl0.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "ttl0.test"), 2);
	assert_int_equal(asked(s, "ttlhigh.test"), 2);
	dns_resolver_free(r);
}

static void test_no_cache_when_entries_is_zero(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 0, 60, 0);
	struct dns_stats st;

	assert_int_equal(ask_status(r, "a.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(ask_status(r, "a.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(asked(s, "a.test"), 2);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.cache_size, 0);
	assert_int_equal(st.cache_hits, 0);
	dns_resolver_free(r);
}

static void test_full_cache_evicts_least_recently_used(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 2, 0, 0);
	struct dns_stats st;
	unsigned cached;

	assert_int_equal(ask_status(r, "a.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(ask_status(r, "mx.test", DNS_T_MX, NULL), DNS_ANSWER);
	assert_int_equal(ask_status(r, "a.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 1); /* a.test is now the newer */
	assert_int_equal(
	        ask_status(r, "txt.test", DNS_T_TXT, NULL), DNS_ANSWER);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.cache_size, 2);
	assert_int_equal(ask_status(r, "a.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 1);
	assert_int_equal(
	        ask_status(r, "mx.test", DNS_T_MX, &cached), DNS_ANSWER);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "mx.test"), 2);
	dns_resolver_free(r);
}

static void test_same_name_other_type_is_another_key(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	unsigned cached;

	assert_int_equal(
	        ask_status(r, "nodata.test", DNS_T_A, NULL), DNS_NODATA);
	assert_int_equal(
	        ask_status(r, "nodata.test", DNS_T_TXT, &cached), DNS_NODATA);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "nodata.test"), 2);
	dns_resolver_free(r);
}

static void test_hostile_replies_are_bad_answers(void **state)
{
	static const struct {
		const char *name;
		enum dns_type type;
	} cases[] = {
	        {"trunc.test", DNS_T_A}, {"rdlen.test", DNS_T_A},
	        {"wrongname.test", DNS_T_A}, {"txtfora.test", DNS_T_A},
	        {"loop.test", DNS_T_PTR},
	        {"a.test", DNS_T_TXT}, /* A records for a TXT question */
	};
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 60, 0);
	struct dns_stats st;
	size_t i, n = sizeof cases / sizeof cases[0];

	for (i = 0; i < n; i++) {
		struct dns_batch *b = ask(r, cases[i].name, cases[i].type);
		const struct dns_answer *a = dns_batch_answer(b, 0);

		if (a->status != DNS_EBADANSWER)
			fail_msg("%s: %s", cases[i].name,
			        dns_status_name(a->status));
		assert_int_equal(a->nrr, 0);
		assert_null(a->rr);
		dns_batch_free(b);
		/* never cached: the next question goes out again */
		assert_int_equal(
		        ask_status(r, cases[i].name, cases[i].type, NULL),
		        DNS_EBADANSWER);
	}
	assert_int_equal(asked(s, "trunc.test"), 2);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.bad_answers, 2 * n);
	assert_int_equal(st.cache_size, 0);
	dns_resolver_free(r);
}

static void test_oversize_answer_is_capped(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b = ask(r, "many.test", DNS_T_A);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	char buf[INET_ADDRSTRLEN];

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 64);
	assert_string_equal(ipv4(&a->rr[0], buf), "10.1.0.0");
	assert_string_equal(ipv4(&a->rr[63], buf), "10.1.0.63");
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_batch_holds_at_most_batch_max(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b;
	char name[32];
	unsigned i, idx;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	for (i = 0; i < DNS_BATCH_MAX; i++) {
		snprintf(name, sizeof name, "%u.echo.test", i % 8);
		assert_int_equal(dns_batch_add(b, name, DNS_T_A, &idx), DNS_OK);
	}
	assert_int_equal(dns_batch_add(b, "a.test", DNS_T_A, &idx), DNS_E_FULL);
	assert_int_equal(idx, DNS_BATCH_MAX - 1);
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + WAIT_MS), 0);
	for (i = 0; i < DNS_BATCH_MAX; i++)
		assert_int_equal(dns_batch_answer(b, i)->status, DNS_ANSWER);
	dns_batch_free(b);
	dns_resolver_free(r);
}

struct worker {
	struct dns_resolver *r;
	uint64_t seed;
	unsigned adds, bad;
};

/* worker_main - batches of 8 questions on a pool of 40 names, each answer
 * checked against the name it was asked for */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[32], want[INET_ADDRSTRLEN], got[INET_ADDRSTRLEN];
	unsigned round, i, idx, num[8];

	for (round = 0; round < 25; round++) {
		struct dns_batch *b = NULL;

		if (dns_batch_new(w->r, &b) != DNS_OK)
			return (void *)1;
		for (i = 0; i < 8; i++, w->adds++) {
			w->seed ^= w->seed << 13;
			w->seed ^= w->seed >> 7;
			w->seed ^= w->seed << 17;
			num[i] = (unsigned)(w->seed % 40);
			snprintf(name, sizeof name, "%u.echo.test", num[i]);
			if (dns_batch_add(b, name, DNS_T_A, &idx) != DNS_OK)
				w->bad++;
		}
		w->bad += dns_batch_wait(b, dns_now_ms() + WAIT_MS);
		for (i = 0; i < 8; i++) {
			const struct dns_answer *a = dns_batch_answer(b, i);

			snprintf(want, sizeof want, "10.0.0.%u", num[i]);
			if (a->status != DNS_ANSWER || a->nrr != 1 ||
			        strcmp(ipv4(&a->rr[0], got), want) != 0)
				w->bad++;
		}
		dns_batch_free(b);
	}
	return NULL;
}

static void test_many_threads_share_the_resolver(void **state)
{
	struct responder *s = *state;
	struct dns_resolver *r = resolver(s, 1000, 0, 0);
	pthread_t t[8];
	struct worker w[8];
	struct dns_stats st;
	unsigned i, adds = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (struct worker){
		        .r = r, .seed = 0x9e3779b97f4a7c15ull + i};
		assert_int_equal(
		        pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		void *rv;

		assert_int_equal(pthread_join(t[i], &rv), 0);
		assert_null(rv);
		assert_int_equal(w[i].bad, 0);
		adds += w[i].adds;
	}
	dns_resolver_stats(r, &st);
	/* every question was either a hit or sent */
	assert_int_equal(st.queries + st.cache_hits, adds);
	assert_true(st.cache_hits > 0);
	assert_true(st.cache_size <= 40);
	dns_resolver_free(r);
}

static void test_names_are_static_texts(void **state)
{
	assert_string_equal(dns_status_name(DNS_ANSWER), "answer");
	assert_string_equal(dns_status_name(DNS_NXDOMAIN), "nxdomain");
	assert_string_equal(dns_status_name(DNS_TIMEOUT), "timeout");
	assert_string_equal(dns_status_name((enum dns_status)42), "unknown");
	assert_string_equal(dns_strerror(DNS_OK), "success");
	assert_string_not_equal(
	        dns_strerror(DNS_E_SERVERS), dns_strerror(DNS_E_INIT));
	assert_string_equal(dns_strerror(-99), "unknown DNS error");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_system_resolver_can_be_created),
	        cmocka_unit_test(test_bad_server_lists_are_refused),
	        cmocka_unit_test(test_names_are_static_texts),
	        T(test_bad_names_and_types_are_refused),
	        T(test_a_records_come_in_order_with_ttl),
	        T(test_aaaa_record_is_decoded),
	        T(test_txt_strings_of_one_record_are_concatenated),
	        T(test_mx_records_carry_preference_and_host),
	        T(test_ptr_record_is_decoded),
	        T(test_cname_chain_is_followed_and_bounds_ttl),
	        T(test_answer_is_cached_and_served_without_query),
	        T(test_fresh_query_asks_the_server_despite_the_cache),
	        T(test_nxdomain_is_cached_for_soa_minimum),
	        T(test_nodata_is_cached_for_soa_minimum),
	        T(test_negative_answer_without_soa_uses_min_ttl),
	        T(test_servfail_is_not_cached),
	        T(test_refused_counts_as_servfail),
	        T(test_unanswered_query_times_out_and_is_not_cached),
	        T(test_queries_of_a_batch_run_in_parallel),
	        T(test_deadline_returns_pending),
	        T(test_freeing_a_batch_in_flight_is_safe),
	        T(test_resolver_freed_before_its_batch_fails_queries),
	        T(test_cache_ttl_clamped_to_min_and_max),
	        T(test_no_cache_when_entries_is_zero),
	        T(test_full_cache_evicts_least_recently_used),
	        T(test_same_name_other_type_is_another_key),
	        T(test_hostile_replies_are_bad_answers),
	        T(test_oversize_answer_is_capped),
	        T(test_batch_holds_at_most_batch_max),
	        T(test_many_threads_share_the_resolver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
