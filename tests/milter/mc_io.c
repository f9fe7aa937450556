/*
 * mc_io.c - the socket and packet layer of the milter client: parse a
 * socket specification, connect with a timeout, buffer outgoing packets,
 * read reply packets with a timeout on every wait.
 *
 * A packet is a 32-bit length in network order (command letter plus
 * payload), the command letter, the payload.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfdef.h>

#include "mc_internal.h"

#define MC_SPEC_MAX 512

/* A parsed socket specification. */
struct mc_spec {
	int family; /* AF_UNIX, AF_INET, AF_INET6 or AF_UNSPEC */
	char host[MC_SPEC_MAX];
	char port[16];
};

/* mc_xmalloc - malloc that cannot fail */
void *mc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

/* mc_xrealloc - realloc that cannot fail */
void *mc_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

/* mc_xstrdup - strdup that cannot fail */
char *mc_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(mc_xmalloc(n), s, n);
}

/* mc_fail - record an error; every error but a bad argument breaks the
 * connection, since the stream may be out of step */
int mc_fail(struct mc_conn *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	if (err != MC_EINVAL && c->broken == 0)
		c->broken = err;
	return err;
}

/* now_ms - the monotonic clock in milliseconds */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* wait_fd - wait until fd is ready for events or the deadline passes */
static int wait_fd(
        struct mc_conn *c, short events, int64_t deadline, const char *what)
{
	struct pollfd p = {.fd = c->fd, .events = events};

	for (;;) {
		int64_t left = deadline - now_ms();
		int n;

		if (left <= 0)
			return mc_fail(c, MC_ETIMEOUT, "timeout %s", what);
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return MC_OK;
		if (n < 0 && errno != EINTR)
			return mc_fail(c, MC_ESYS, "poll: %s", strerror(errno));
	}
}

/* spec_hostport - split "PORT@HOST", "HOST:PORT" (inet only) or "PORT";
 * an empty host is the loopback address */
static int spec_hostport(const char *rest, struct mc_spec *s)
{
	const char *at = strchr(rest, '@'), *colon = strrchr(rest, ':');
	const char *port = rest, *host = "";
	size_t plen = strlen(rest), hlen = 0;

	if (at != NULL) {
		plen = (size_t)(at - rest);
		host = at + 1;
		hlen = strlen(host);
	} else if (colon != NULL && s->family == AF_INET) {
		host = rest;
		hlen = (size_t)(colon - rest);
		port = colon + 1;
		plen = strlen(port);
	}
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host++;
		hlen -= 2;
	}
	if (plen == 0 || plen >= sizeof s->port || hlen >= sizeof s->host ||
	        strspn(port, "0123456789") < plen)
		return MC_ESPEC;
	memcpy(s->port, port, plen);
	memcpy(s->host, host, hlen);
	if (hlen == 0)
		strcpy(s->host, s->family == AF_INET6 ? "::1" : "127.0.0.1");
	return MC_OK;
}

/* spec_parse - unix:PATH, local:PATH, /PATH, inet:PORT@HOST,
 * inet6:PORT@HOST, inet:HOST:PORT */
static int spec_parse(const char *spec, struct mc_spec *s)
{
	memset(s, 0, sizeof *s);
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0 ||
	        spec[0] == '/') {
		const char *path =
		        spec[0] == '/' ? spec : strchr(spec, ':') + 1;

		s->family = AF_UNIX;
		if (path[0] == '\0' ||
		        strlen(path) >=
		                sizeof(((struct sockaddr_un *)0)->sun_path))
			return MC_ESPEC;
		snprintf(s->host, sizeof s->host, "%s", path);
		return MC_OK;
	}
	if (strncmp(spec, "inet:", 5) == 0) {
		s->family = AF_INET;
		return spec_hostport(spec + 5, s);
	}
	if (strncmp(spec, "inet6:", 6) == 0) {
		s->family = AF_INET6;
		return spec_hostport(spec + 6, s);
	}
	return MC_ESPEC;
}

/* sock_connect - a non-blocking connect bounded by the connect timeout;
 * a full unix-socket backlog (EAGAIN) is retried until then */
static int sock_connect(
        struct mc_conn *c, const struct sockaddr *sa, socklen_t len)
{
	int64_t deadline = now_ms() + c->o.connect_timeout_ms;
	int soerr = 0;
	socklen_t sl = sizeof soerr;

	for (;;) {
		if (connect(c->fd, sa, len) == 0)
			return MC_OK;
		if (errno == EINPROGRESS || errno == EINTR)
			break;
		if (errno != EAGAIN)
			return mc_fail(
			        c, MC_ESYS, "connect: %s", strerror(errno));
		if (now_ms() >= deadline)
			return mc_fail(c, MC_ETIMEOUT, "timeout connecting");
		usleep(2000);
	}
	if (wait_fd(c, POLLOUT, deadline, "connecting") != MC_OK)
		return c->broken;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		soerr = errno;
	if (soerr != 0)
		return mc_fail(c, MC_ESYS, "connect: %s", strerror(soerr));
	return MC_OK;
}

/* sock_new - a non-blocking socket for family */
static int sock_new(struct mc_conn *c, int family)
{
	int one = 1;

	c->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return mc_fail(c, MC_ESYS, "socket: %s", strerror(errno));
	c->inet = family != AF_UNIX;
	/* without it, a packet written while an earlier one is unacknowledged
	 * waits for the peer's delayed ACK: 40 ms on Linux */
	if (c->inet && setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
	                       sizeof one) != 0)
		return mc_fail(c, MC_ESYS, "TCP_NODELAY: %s", strerror(errno));
	return MC_OK;
}

/* sock_open_unix - connect to a unix socket path */
static int sock_open_unix(struct mc_conn *c, const char *path)
{
	struct sockaddr_un sun;
	int rc;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	rc = sock_new(c, AF_UNIX);
	if (rc == MC_OK)
		rc = sock_connect(c, (struct sockaddr *)&sun, sizeof sun);
	return rc;
}

/* sock_open_inet - resolve host and port and connect to the first
 * address (numeric hosts resolve without DNS) */
static int sock_open_inet(struct mc_conn *c, const struct mc_spec *s)
{
	struct addrinfo hints, *ai = NULL;
	int rc, gai;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = s->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	gai = getaddrinfo(s->host, s->port, &hints, &ai);
	if (gai != 0)
		return mc_fail(
		        c, MC_ESPEC, "%s: %s", s->host, gai_strerror(gai));
	rc = sock_new(c, ai->ai_family);
	if (rc == MC_OK)
		rc = sock_connect(c, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return rc;
}

/* mc_sock_open - connect to spec with the connect timeout */
int mc_sock_open(struct mc_conn *c, const char *spec)
{
	struct mc_spec s;

	if (spec_parse(spec, &s) != MC_OK)
		return mc_fail(c, MC_ESPEC,
		        "bad socket \"%s\" (unix:PATH or inet:PORT@HOST)",
		        spec);
	if (s.family == AF_UNIX)
		return sock_open_unix(c, s.host);
	return sock_open_inet(c, &s);
}

/* obuf_reserve - room for n more bytes of output */
static void obuf_reserve(struct mc_conn *c, size_t n)
{
	if (c->olen + n <= c->ocap)
		return;
	while (c->olen + n > c->ocap)
		c->ocap = c->ocap ? c->ocap * 2 : 16384;
	c->obuf = mc_xrealloc(c->obuf, c->ocap);
}

/* mc_put - append bytes to the packet being built */
void mc_put(struct mc_conn *c, const void *p, size_t n)
{
	obuf_reserve(c, n);
	memcpy(c->obuf + c->olen, p, n);
	c->olen += n;
}

/* mc_put_str - append a string and its NUL */
void mc_put_str(struct mc_conn *c, const char *s)
{
	mc_put(c, s, strlen(s) + 1);
}

/* mc_put_u32 - append a 32-bit integer in network order */
void mc_put_u32(struct mc_conn *c, uint32_t v)
{
	uint32_t n = htonl(v);

	mc_put(c, &n, sizeof n);
}

/* mc_put_begin - a length placeholder and the command letter */
size_t mc_put_begin(struct mc_conn *c, char cmd)
{
	size_t off = c->olen;

	mc_put_u32(c, 0);
	mc_put(c, &cmd, 1);
	return off;
}

/* mc_put_end - fill in the length; a payload libmilter would refuse
 * (more than MILTER_MAX_DATA_SIZE) is taken back out */
int mc_put_end(struct mc_conn *c, size_t off)
{
	size_t len = c->olen - off - MILTER_LEN_BYTES;
	uint32_t n = htonl((uint32_t)len);

	if (len - 1 > MILTER_MAX_DATA_SIZE) {
		c->olen = off;
		return mc_fail(c, MC_EINVAL, "packet payload %zu > %d bytes",
		        len - 1, MILTER_MAX_DATA_SIZE);
	}
	memcpy(c->obuf + off, &n, sizeof n);
	if (c->olen >= MC_OBUF_FLUSH)
		return mc_flush(c);
	return MC_OK;
}

/* mc_flush - write the buffered output; the timeout restarts whenever
 * the filter takes some */
int mc_flush(struct mc_conn *c)
{
	size_t off = 0;

	if (c->broken)
		return c->broken;
	while (off < c->olen) {
		ssize_t n =
		        send(c->fd, c->obuf + off, c->olen - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(c, POLLOUT, now_ms() + c->o.timeout_ms,
			            "writing to the filter") != MC_OK)
				return c->broken;
		} else if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
			return mc_fail(c, MC_ECLOSED,
			        "the filter closed the connection");
		} else {
			return mc_fail(c, MC_ESYS, "send: %s", strerror(errno));
		}
	}
	c->olen = 0;
	return MC_OK;
}

/* rbuf_fill - read what the socket has into the read-ahead buffer */
static int rbuf_fill(struct mc_conn *c, int64_t deadline)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->rbuf, sizeof c->rbuf, 0);

		if (n > 0) {
			c->rpos = 0;
			c->rlen = (size_t)n;
			return MC_OK;
		}
		if (n == 0)
			return mc_fail(c, MC_ECLOSED,
			        "the filter closed the connection");
		if (errno == ECONNRESET)
			return mc_fail(c, MC_ECLOSED,
			        "the filter reset the connection");
		if (errno != EAGAIN && errno != EINTR)
			return mc_fail(c, MC_ESYS, "recv: %s", strerror(errno));
		if (wait_fd(c, POLLIN, deadline, "waiting for the filter") !=
		        MC_OK)
			return c->broken;
	}
}

/* read_full - n bytes into p, bounded by the deadline */
static int read_full(struct mc_conn *c, void *p, size_t n, int64_t deadline)
{
	unsigned char *dst = p;

	while (n > 0) {
		size_t k;

		if (c->rpos == c->rlen && rbuf_fill(c, deadline) != MC_OK)
			return c->broken;
		k = c->rlen - c->rpos < n ? c->rlen - c->rpos : n;
		memcpy(dst, c->rbuf + c->rpos, k);
		c->rpos += k;
		dst += k;
		n -= k;
	}
	return MC_OK;
}

/* mc_read_packet - flush, then one packet; the payload is NUL-terminated
 * one byte past pktlen so that string parsing cannot run off its end */
int mc_read_packet(struct mc_conn *c, char *cmd)
{
	int64_t deadline;
	uint32_t len;

	if (mc_flush(c) != MC_OK)
		return c->broken;
	deadline = now_ms() + c->o.timeout_ms;
	if (read_full(c, &len, sizeof len, deadline) != MC_OK)
		return c->broken;
	len = ntohl(len);
	if (len == 0 || len > MC_PACKET_MAX)
		return mc_fail(c, MC_EPROTO, "bad packet length %lu",
		        (unsigned long)len);
	if (read_full(c, cmd, 1, deadline) != MC_OK)
		return c->broken;
	if (c->pktcap < len) {
		c->pktcap = len;
		c->pkt = mc_xrealloc(c->pkt, c->pktcap);
	}
	c->pktlen = len - 1;
	if (read_full(c, c->pkt, c->pktlen, deadline) != MC_OK)
		return c->broken;
	c->pkt[c->pktlen] = '\0';
	return MC_OK;
}
