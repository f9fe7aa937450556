/*
 * fakedns.c - a scripted DNS server on 127.0.0.1 (fakedns.h): one thread
 * polls a stop pipe, a UDP socket, a TCP listener and its connections;
 * replies are built from the row that matches the question, and delayed
 * UDP replies wait in a small table until they are due.
 */
#include "config.h"

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

#include "fakedns.h"

#define FAKEDNS_CONN_MAX 8
#define FAKEDNS_DELAYED_MAX 128

struct delayed {
	int64_t due;
	struct sockaddr_in to;
	size_t len;
	unsigned char *msg;
};

struct fakedns {
	const struct fakedns_row *zone;
	size_t nzone;
	atomic_uint *asked; /* per row */
	int udp, tcp, stop[2];
	int conn[FAKEDNS_CONN_MAX];
	pthread_t thread;
	char servers[32];
	struct delayed delayed[FAKEDNS_DELAYED_MAX];
};

struct pkt {
	unsigned char b[65536];
	size_t n;
};

/* now_ms - a monotonic clock in milliseconds */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

/* add_soa - a SOA in the authority section when the row asks for one;
 * its owner is the question's last label */
static unsigned add_soa(
        struct pkt *p, const struct fakedns_row *z, const char *qname)
{
	const char *tld = strrchr(qname, '.');
	size_t at;

	if (z->soa_min == 0)
		return 0;
	at = rr_begin(p, tld != NULL ? tld + 1 : qname, 6, z->ttl);
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
static unsigned add_addrs(struct pkt *p, const struct fakedns_row *z, int af)
{
	char buf[1024], *save = NULL, *tok;
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
static unsigned add_txt(struct pkt *p, const struct fakedns_row *z)
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
static unsigned add_mx(struct pkt *p, const struct fakedns_row *z)
{
	char buf[1024], *save = NULL, *line, host[256];
	unsigned pref, n = 0;
	size_t at;

	snprintf(buf, sizeof buf, "%s", z->data);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	        line = strtok_r(NULL, "\n", &save), n++) {
		if (sscanf(line, "%u %255s", &pref, host) != 2)
			abort();
		at = rr_begin(p, NULL, 15, z->ttl);
		put16(p, pref);
		put_name(p, host);
		rr_end(p, at);
	}
	return n;
}

/* add_hostile - the malformed replies; returns the answer count to claim */
static unsigned add_hostile(struct pkt *p, const struct fakedns_row *z)
{
	static const unsigned char addr[4] = {192, 0, 2, 66};
	size_t at;

	switch (z->kind) {
	case FAKEDNS_TRUNC:
		add_a(p, NULL, z->ttl, addr);
		p->n -= 2;
		return 1;
	case FAKEDNS_RDLEN_LIE:
		add_a(p, NULL, z->ttl, addr);
		p->b[p->n - 6] = 0;
		p->b[p->n - 5] = 200;
		return 1;
	case FAKEDNS_WRONG_NAME:
		add_a(p, "evil.example", z->ttl, addr);
		return 1;
	case FAKEDNS_PTR_LOOP:
		at = rr_begin(p, NULL, 12, z->ttl);
		put16(p, 0xc000 | (unsigned)(at + 2));
		rr_end(p, at);
		return 1;
	default:
		abort();
	}
}

/* add_many - 500 A records 10.1.i/256.i%256, in order */
static unsigned add_many(struct pkt *p, const struct fakedns_row *z)
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
static unsigned add_answers(struct pkt *p, const struct fakedns_row *z,
        const char *qname, unsigned *rcode)
{
	unsigned n;
	unsigned char a[4] = {10, 0, 0, 0};

	switch (z->kind) {
	case FAKEDNS_A:
		return add_addrs(p, z, AF_INET);
	case FAKEDNS_AAAA:
		return add_addrs(p, z, AF_INET6);
	case FAKEDNS_TXT:
		return add_txt(p, z);
	case FAKEDNS_MX:
		return add_mx(p, z);
	case FAKEDNS_PTR: {
		size_t at = rr_begin(p, NULL, 12, z->ttl);
		put_name(p, z->data);
		rr_end(p, at);
		return 1;
	}
	case FAKEDNS_CNAME: {
		size_t at = rr_begin(p, NULL, 5, z->ttl);
		static const unsigned char t[4] = {192, 0, 2, 9};
		put_name(p, z->data);
		rr_end(p, at);
		add_a(p, z->data, 300, t);
		return 2;
	}
	case FAKEDNS_ECHO:
		n = (unsigned)atoi(qname);
		a[2] = (unsigned char)(n >> 8);
		a[3] = (unsigned char)n;
		add_a(p, NULL, z->ttl, a);
		return 1;
	case FAKEDNS_NXDOMAIN:
		*rcode = 3;
		return 0;
	case FAKEDNS_NODATA:
		return 0;
	case FAKEDNS_SERVFAIL:
		*rcode = 2;
		return 0;
	case FAKEDNS_REFUSED:
		*rcode = 5;
		return 0;
	case FAKEDNS_MANY_A:
		return add_many(p, z);
	default:
		return add_hostile(p, z);
	}
}

/* name_matches - whether a row's owner covers `name` */
static int name_matches(const char *zn, const char *name)
{
	size_t len = strlen(name), zl = strlen(zn);

	if (strcmp(zn, name) == 0)
		return 1;
	return zn[0] == '*' && len > zl - 1 &&
	       strcmp(name + len - (zl - 1), zn + 1) == 0;
}

/* zone_find - the row for a name and type, or NULL; *named: the first row
 * of that name whatever its type, or NULL */
static const struct fakedns_row *zone_find(const struct fakedns *s,
        const char *name, unsigned type, const struct fakedns_row **named)
{
	size_t i;

	*named = NULL;
	for (i = 0; i < s->nzone; i++) {
		const struct fakedns_row *z = &s->zone[i];

		if (!name_matches(z->name, name))
			continue;
		if (*named == NULL)
			*named = z;
		if (z->type == 0 || z->type == type)
			return z;
	}
	return NULL;
}

/* query_name - the question's name, lower case; its wire end in *end,
 * its type in *type when type is not NULL */
static int query_name(const unsigned char *q, size_t len, char *out,
        size_t *end, unsigned *type)
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
	if (*end > len)
		return -1;
	if (type != NULL)
		*type = (unsigned)q[pos + 1] << 8 | q[pos + 2];
	return 0;
}

/* set_header - flags and section counts of a reply */
static void set_header(struct pkt *p, const unsigned char *q, unsigned rcode,
        unsigned an, unsigned ns)
{
	p->b[2] = (unsigned char)(0x80 | (q[2] & 0x01)); /* QR, RD copied */
	p->b[3] = (unsigned char)(0x80 | rcode);         /* RA */
	p->b[6] = (unsigned char)(an >> 8);
	p->b[7] = (unsigned char)an;
	p->b[8] = 0;
	p->b[9] = (unsigned char)ns;
	p->b[10] = p->b[11] = 0;
}

/* make_reply - the reply to one query; -1: stay silent. *delay_ms set. */
static int make_reply(struct fakedns *s, const unsigned char *q, size_t len,
        struct pkt *p, unsigned *delay_ms)
{
	char name[256];
	size_t qend;
	unsigned type, rcode = 0, an = 0, ns = 0;
	const struct fakedns_row *z, *named;

	if (len < 12 || query_name(q, len, name, &qend, &type) < 0)
		return -1;
	z = zone_find(s, name, type, &named);
	if (named != NULL)
		atomic_fetch_add(
		        &s->asked[(z != NULL ? z : named) - s->zone], 1);
	if (z != NULL && z->kind == FAKEDNS_DROP)
		return -1;
	*delay_ms = z != NULL ? z->delay_ms : 0;
	memcpy(p->b, q, qend);
	p->n = qend;
	if (named == NULL)
		rcode = 3; /* no such name; with a name, no such type: NODATA */
	else if (z != NULL)
		an = add_answers(p, z, name, &rcode);
	if (z != NULL &&
	        (z->kind == FAKEDNS_NXDOMAIN || z->kind == FAKEDNS_NODATA))
		ns = add_soa(p, z, name);
	set_header(p, q, rcode, an, ns);
	return 0;
}

/* udp_query - answer one datagram: at once, later, or truncated */
static void udp_query(struct fakedns *s, struct pkt *p)
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
		query_name(q, (size_t)n, name, &qend, NULL);
		p->n = qend;
		p->b[2] |= 0x02;
		memset(p->b + 6, 0, 6);
	}
	if (delay == 0) {
		sendto(s->udp, p->b, p->n, 0, (void *)&from, fl);
		return;
	}
	for (i = 0; i < FAKEDNS_DELAYED_MAX && s->delayed[i].msg != NULL; i++)
		;
	if (i == FAKEDNS_DELAYED_MAX)
		abort();
	s->delayed[i].due = now_ms() + delay;
	s->delayed[i].to = from;
	s->delayed[i].len = p->n;
	s->delayed[i].msg = malloc(p->n);
	memcpy(s->delayed[i].msg, p->b, p->n);
}

/* send_due - send the delayed replies that are due; ms to the next one */
static int send_due(struct fakedns *s)
{
	int64_t now = now_ms(), next = -1;
	size_t i;

	for (i = 0; i < FAKEDNS_DELAYED_MAX; i++) {
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
static int tcp_query(struct fakedns *s, int fd, struct pkt *p)
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
static void tcp_events(struct fakedns *s, struct pollfd *pfd, struct pkt *p)
{
	int i, fd;

	if (pfd[2].revents & POLLIN) {
		fd = accept(s->tcp, NULL, NULL);
		for (i = 0; fd >= 0 && i < FAKEDNS_CONN_MAX; i++)
			if (s->conn[i] < 0) {
				s->conn[i] = fd;
				fd = -1;
			}
		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < FAKEDNS_CONN_MAX; i++)
		if (s->conn[i] >= 0 && pfd[3 + i].revents != 0 &&
		        tcp_query(s, s->conn[i], p) < 0) {
			close(s->conn[i]);
			s->conn[i] = -1;
		}
}

/* serve - the server loop, until the stop pipe is readable */
static void *serve(void *arg)
{
	struct fakedns *s = arg;
	struct pollfd pfd[3 + FAKEDNS_CONN_MAX];
	struct pkt *p = malloc(sizeof *p);
	int i;

	for (;;) {
		int wait = send_due(s);

		pfd[0] = (struct pollfd){.fd = s->stop[0], .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = s->udp, .events = POLLIN};
		pfd[2] = (struct pollfd){.fd = s->tcp, .events = POLLIN};
		for (i = 0; i < FAKEDNS_CONN_MAX; i++)
			pfd[3 + i] = (struct pollfd){
			        .fd = s->conn[i], .events = POLLIN};
		if (poll(pfd, 3 + FAKEDNS_CONN_MAX, wait) < 0 && errno != EINTR)
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
static int bind_pair(struct fakedns *s)
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
	s->tcp = s->udp = -1;
	return -1;
}

/* fakedns_free - close what is open and free; the thread is not running */
static void fakedns_free(struct fakedns *s)
{
	int i;

	for (i = 0; i < FAKEDNS_DELAYED_MAX; i++)
		free(s->delayed[i].msg);
	for (i = 0; i < FAKEDNS_CONN_MAX; i++)
		if (s->conn[i] >= 0)
			close(s->conn[i]);
	for (i = 0; i < 2; i++)
		if (s->stop[i] >= 0)
			close(s->stop[i]);
	if (s->udp >= 0)
		close(s->udp);
	if (s->tcp >= 0)
		close(s->tcp);
	free(s->asked);
	free(s);
}

/* fakedns_start - sockets, stop pipe, thread */
struct fakedns *fakedns_start(const struct fakedns_row *zone, size_t n)
{
	struct fakedns *s = calloc(1, sizeof *s);
	int port, i;

	if (s == NULL)
		return NULL;
	s->zone = zone;
	s->nzone = n;
	s->udp = s->tcp = s->stop[0] = s->stop[1] = -1;
	for (i = 0; i < FAKEDNS_CONN_MAX; i++)
		s->conn[i] = -1;
	s->asked = calloc(n > 0 ? n : 1, sizeof *s->asked);
	if (s->asked == NULL || (port = bind_pair(s)) < 0 ||
	        pipe(s->stop) != 0 ||
	        pthread_create(&s->thread, NULL, serve, s) != 0) {
		fakedns_free(s);
		return NULL;
	}
	snprintf(s->servers, sizeof s->servers, "127.0.0.1:%d", port);
	return s;
}

/* fakedns_servers - where it listens */
const char *fakedns_servers(const struct fakedns *d)
{
	return d->servers;
}

/* fakedns_asked - the sum over the rows that match the name */
unsigned fakedns_asked(struct fakedns *d, const char *name)
{
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < d->nzone; i++)
		if (name_matches(d->zone[i].name, name))
			sum += atomic_load(&d->asked[i]);
	return sum;
}

/* fakedns_stop - wake the thread, join, close */
void fakedns_stop(struct fakedns *d)
{
	ssize_t w;

	if (d == NULL)
		return;
	w = write(d->stop[1], "x", 1);
	(void)w; /* the pipe is empty: a one-byte write cannot fail */
	pthread_join(d->thread, NULL);
	fakedns_free(d);
}
