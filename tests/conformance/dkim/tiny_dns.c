/* tiny_dns.c - a scripted UDP DNS server on 127.0.0.1 (tiny_dns.h) */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tiny_dns.h"

struct tiny_dns {
	const struct tiny_dns_zone *zone;
	size_t nzone;
	int fd;
	int stop[2]; /* a byte on stop[1] ends the thread */
	pthread_t thread;
	char servers[32];
};

/* question - the dotted name and the end of the question; 0 or -1 */
static int question(
        const unsigned char *q, size_t n, char *name, size_t len, size_t *end)
{
	size_t p = 12, o = 0;

	while (p < n && q[p] != 0) {
		size_t l = q[p++];

		if (l > 63 || p + l > n || o + l + 2 > len)
			return -1;
		if (o > 0)
			name[o++] = '.';
		memcpy(name + o, q + p, l);
		o += l;
		p += l;
	}
	name[o] = '\0';
	*end = p + 5; /* the root label, QTYPE, QCLASS */
	return *end <= n ? 0 : -1;
}

/* find - the zone row of a name, NULL when unknown */
static const struct tiny_dns_zone *find(
        const struct tiny_dns *d, const char *name)
{
	for (size_t i = 0; i < d->nzone; i++)
		if (strcasecmp(d->zone[i].name, name) == 0)
			return &d->zone[i];
	return NULL;
}

/* answer - the reply to query q[0..qend) in r; its length */
static size_t answer(const struct tiny_dns_zone *z, const unsigned char *q,
        size_t qend, unsigned char *r)
{
	size_t n = qend, tl;
	int rcode = z == NULL ? 3 : z->rcode;
	int an = z != NULL && rcode == 0 && z->txt != NULL;

	memcpy(r, q, qend);
	r[2] = (unsigned char)(0x80 | (q[2] & 0x01)); /* QR, RD copied */
	r[3] = (unsigned char)(0x80 | rcode);         /* RA, rcode */
	r[6] = 0;
	r[7] = (unsigned char)an;
	memset(r + 8, 0, 4);
	if (!an)
		return n;
	tl = strlen(z->txt);
	memcpy(r + n, "\xc0\x0c\x00\x10\x00\x01\x00\x00\x00\x3c", 10);
	n += 10;
	r[n++] = (unsigned char)((tl + 1) >> 8);
	r[n++] = (unsigned char)(tl + 1);
	r[n++] = (unsigned char)tl;
	memcpy(r + n, z->txt, tl);
	return n + tl;
}

/* serve - one question, one reply (or none) */
static void serve(struct tiny_dns *d)
{
	unsigned char q[512], r[1024];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	char name[256];
	size_t qend;
	ssize_t n = recvfrom(
	        d->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
	const struct tiny_dns_zone *z;

	if (n < 12 || question(q, (size_t)n, name, sizeof(name), &qend) != 0)
		return;
	z = find(d, name);
	if (z != NULL && (z->silent || (z->txt && strlen(z->txt) > 255)))
		return;
	(void)sendto(d->fd, r, answer(z, q, qend, r), 0,
	        (struct sockaddr *)&from, flen);
}

/* loop - serve until told to stop */
static void *loop(void *arg)
{
	struct tiny_dns *d = arg;
	struct pollfd p[2] = {{d->fd, POLLIN, 0}, {d->stop[0], POLLIN, 0}};

	while (poll(p, 2, -1) >= 0 && !(p[1].revents & POLLIN))
		if (p[0].revents & POLLIN)
			serve(d);
	return NULL;
}

/* bind_loopback - a UDP socket on 127.0.0.1, any port; its port or -1 */
static int bind_loopback(struct tiny_dns *d)
{
	struct sockaddr_in a = {0};
	socklen_t len = sizeof(a);

	d->fd = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (d->fd < 0 || bind(d->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	        getsockname(d->fd, (struct sockaddr *)&a, &len) != 0)
		return -1;
	return ntohs(a.sin_port);
}

/* tiny_dns_start - socket, stop pipe, thread */
struct tiny_dns *tiny_dns_start(const struct tiny_dns_zone *zone, size_t n)
{
	struct tiny_dns *d = calloc(1, sizeof(*d));
	int port;

	if (d == NULL)
		return NULL;
	d->zone = zone;
	d->nzone = n;
	d->stop[0] = d->stop[1] = -1;
	port = bind_loopback(d);
	if (port < 0 || pipe(d->stop) != 0 ||
	        pthread_create(&d->thread, NULL, loop, d) != 0) {
		if (d->fd >= 0)
			close(d->fd);
		if (d->stop[0] >= 0) {
			close(d->stop[0]);
			close(d->stop[1]);
		}
		free(d);
		return NULL;
	}
	snprintf(d->servers, sizeof(d->servers), "127.0.0.1:%d", port);
	return d;
}

/* tiny_dns_servers - where it listens */
const char *tiny_dns_servers(const struct tiny_dns *d)
{
	return d->servers;
}

/* tiny_dns_stop - wake the thread, join, close */
void tiny_dns_stop(struct tiny_dns *d)
{
	ssize_t w;

	if (d == NULL)
		return;
	w = write(d->stop[1], "x", 1);

	(void)w; /* the pipe is empty: a one-byte write cannot fail */
	pthread_join(d->thread, NULL);
	close(d->fd);
	close(d->stop[0]);
	close(d->stop[1]);
	free(d);
}
