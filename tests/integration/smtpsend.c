/*
 * smtpsend.c - a small SMTP client for the integration tests: it sends
 * messages to an SMTP server on loopback, optionally setting the client's
 * address with XCLIENT first, and prints the final reply of each message.
 *
 * Unlike Postfix's smtp-source it speaks XCLIENT, so one test can pose as
 * many clients, and it reports rejections per message instead of stopping.
 * Every read has a timeout; the exit status is 0 when every message got a
 * final reply (accepted or not), 1 on a protocol error, a timeout or a
 * lost connection, 2 on bad usage.
 *
 * No library beyond libc. By default single-threaded; connections are made
 * one after the other.
 *
 * For load (tests/bench/run-postfix-bench.sh): -L sends a list of message
 * files, each with its own client address, HELO, sender and recipients;
 * -C N keeps N sessions going at once (N worker processes, forked once,
 * taking messages from a shared counter); -U stamps each line with the
 * times the MAIL command went out and the final reply came in. In that
 * mode an error ends its session, not the program: the message's line
 * says ERR and the worker goes on (it gives up after ten in a row).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <search.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smtpsend.h"

struct opts opt;
char *file_data; /* the -m file, read once */
size_t file_len;
struct envelope *list_env; /* -L: one per line */
unsigned list_len;

/* slurp - a whole file, malloc'ed; its size in *len */
char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	char *data;

	if (fp == NULL || fstat(fileno(fp), &st) < 0)
		fail("%s: %s", path, strerror(errno));
	if (opt.list && st.st_size > SEND_FILE_MAX)
		fail("%s: larger than %d bytes", path, SEND_FILE_MAX);
	*len = (size_t)st.st_size;
	data = malloc(*len + 1);
	if (data == NULL)
		fail("out of memory");
	if (fread(data, 1, *len, fp) != *len)
		fail("%s: short read", path);
	fclose(fp);
	return data;
}

/* With -C, a worker's fail() jumps back to its loop with the reason. */
jmp_buf fail_jmp;
int fail_armed;
char fail_msg[512];

/* fail - report a protocol or system error and exit 1 (with -C, in a
 * worker: end the message with the reason in fail_msg instead) */
void fail(const char *fmt, ...)
{
	va_list ap;

	if (fail_armed) {
		va_start(ap, fmt);
		vsnprintf(fail_msg, sizeof(fail_msg), fmt, ap);
		va_end(ap);
		fail_armed = 0;
		longjmp(fail_jmp, 1);
	}
	fflush(stdout);
	fputs("smtpsend: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* now_ms - a monotonic clock in milliseconds */
long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* now_us - the same clock in microseconds (shared by the workers) */
long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* wait_fd - wait until fd is readable or writable; fail on timeout */
static void wait_fd(int fd, short events, const char *what)
{
	struct pollfd p = {.fd = fd, .events = events};
	int n;

	do
		n = poll(&p, 1, opt.timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		fail("poll: %s", strerror(errno));
	if (n == 0)
		fail("timeout after %d ms waiting for %s", opt.timeout_ms,
		        what);
}

/* conn_open - connect to the server, bounded by the timeout */
static void conn_open(struct conn *c)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int err = 0, one = 1;
	socklen_t elen = sizeof(err);

	sin.sin_port = htons(opt.port);
	if (inet_pton(AF_INET, opt.host, &sin.sin_addr) != 1)
		fail("bad address %s", opt.host);
	c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		fail("socket: %s", strerror(errno));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		if (errno != EINPROGRESS)
			fail("connect %s:%u: %s", opt.host, opt.port,
			        strerror(errno));
		wait_fd(c->fd, POLLOUT, "connect");
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (err != 0)
			fail("connect %s:%u: %s", opt.host, opt.port,
			        strerror(err));
	}
}

/* conn_close - close the socket; a closed conn has fd -1 */
void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* conn_write - write all of buf, waiting at most the timeout each time */
static void conn_write(struct conn *c, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			wait_fd(c->fd, POLLOUT, "the server to read");
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("write: %s", strerror(errno));
		buf += n;
		len -= (size_t)n;
	}
}

/* conn_printf - format and send one command line, CRLF added */
static void conn_printf(struct conn *c, const char *fmt, ...)
{
	char line[SEND_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 2)
		fail("command too long");
	if (opt.verbose)
		fprintf(stderr, ">>> %s\n", line);
	memcpy(line + n, "\r\n", 2);
	conn_write(c, line, (size_t)n + 2);
}

/* conn_getline - one line without its CRLF into line; fails on EOF */
static void conn_getline(struct conn *c, char *line, size_t size)
{
	char *nl;
	ssize_t n;
	size_t ll;

	while ((nl = memchr(c->buf, '\n', c->len)) == NULL) {
		if (c->len == sizeof(c->buf))
			fail("reply line too long");
		wait_fd(c->fd, POLLIN, "a reply");
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			fail("read: %s", strerror(errno));
		if (n == 0)
			fail("connection closed by the server");
		c->len += (size_t)n;
	}
	ll = (size_t)(nl - c->buf);
	if (ll > 0 && c->buf[ll - 1] == '\r')
		ll--;
	if (ll >= size)
		fail("reply line too long");
	memcpy(line, c->buf, ll);
	line[ll] = '\0';
	c->len -= (size_t)(nl + 1 - c->buf);
	memmove(c->buf, nl + 1, c->len);
}

/* conn_reply - read a whole (perhaps multi-line) reply */
static void conn_reply(struct conn *c, struct reply *r)
{
	char line[SEND_LINE_MAX];
	size_t used = 0;
	int more;

	r->text[0] = '\0';
	do {
		conn_getline(c, line, sizeof(line));
		if (opt.verbose)
			fprintf(stderr, "<<< %s\n", line);
		if (strlen(line) < 3 || line[0] < '2' || line[0] > '5' ||
		        line[1] < '0' || line[1] > '9' || line[2] < '0' ||
		        line[2] > '9' ||
		        (line[3] != '\0' && line[3] != ' ' && line[3] != '-'))
			fail("malformed reply line: %s", line);
		r->code = atoi(line);
		more = line[3] == '-';
		used += (size_t)snprintf(r->text + used, sizeof(r->text) - used,
		        "%s%s", used ? " " : "", line[3] ? line + 4 : "");
		if (used >= sizeof(r->text))
			fail("reply too long");
	} while (more);
}

/* command - send a command and read its reply */
static void command(struct conn *c, struct reply *r, const char *fmt, ...)
{
	char line[SEND_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		fail("command too long");
	conn_printf(c, "%s", line);
	conn_reply(c, r);
}

/* xtext - RFC 3461 xtext encoding of s, as XCLIENT wants its values */
static const char *xtext(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (o + 4 >= size)
			fail("XCLIENT value too long");
		if (ch < '!' || ch > '~' || ch == '+' || ch == '=')
			o += (size_t)snprintf(out + o, size - o, "+%02X", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
	return out;
}

/* ehlo - EHLO name; fails unless accepted. Returns 1 when XCLIENT is
 * offered */
static int ehlo(struct conn *c, const char *name)
{
	struct reply r;

	command(c, &r, "EHLO %s", name);
	if (r.code != 250)
		fail("EHLO refused: %d %s", r.code, r.text);
	return strstr(r.text, "XCLIENT") != NULL;
}

/* xclient - send XCLIENT for e's client; r gets the new greeting */
static void xclient(struct conn *c, const struct envelope *e, struct reply *r)
{
	char cmd[SEND_LINE_MAX] = "XCLIENT", v[1024];
	size_t n = strlen(cmd);

	if (e->xaddr)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " ADDR=%s",
		        xtext(e->xaddr, v, sizeof(v)));
	if (e->xname)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " NAME=%s",
		        xtext(e->xname, v, sizeof(v)));
	if (e->xhelo)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " HELO=%s",
		        xtext(e->xhelo, v, sizeof(v)));
	command(c, r, "%s", cmd);
}

/*
 * session_start - connect, greet and pose as the XCLIENT client. Returns 0
 * when the session is ready for MAIL; otherwise the server refused the
 * session with a 4xx/5xx reply (left in r) and the connection is closed.
 */
int session_start(struct conn *c, const struct envelope *e, struct reply *r)
{
	conn_open(c);
	conn_reply(c, r);
	if (r->code != 220)
		goto refused;
	if (e->xaddr || e->xname || e->xhelo) {
		if (!ehlo(c, opt.ehlo))
			fail("the server does not offer XCLIENT to us");
		xclient(c, e, r);
		/* XCLIENT starts a new session: a new greeting, then EHLO.
		 * Anything but that or 421 means we may not use it. */
		if (r->code != 220 && r->code != 421)
			fail("XCLIENT refused: %d %s", r->code, r->text);
		if (r->code != 220)
			goto refused;
	}
	/* after XCLIENT we speak for the client: its HELO name, if set */
	ehlo(c, e->xhelo ? e->xhelo : opt.ehlo);
	return 0;
refused:
	if (r->code < 400)
		fail("unexpected greeting: %d %s", r->code, r->text);
	conn_close(c);
	return -1;
}

/* token - the unique token of message i (counting from 1) */
void token(unsigned i, char *out, size_t size)
{
	snprintf(out, size, "%s.%u", opt.tag ? opt.tag : "smtpsend", i);
}

/* out_put - n bytes of p into the buffer out (o used of SEND_OUT_SIZE),
 * written to c when full; a span larger than the buffer goes directly */
static void out_put(
        struct conn *c, char *out, size_t *o, const char *p, size_t n)
{
	if (*o + n > SEND_OUT_SIZE) {
		conn_write(c, out, *o);
		*o = 0;
	}
	if (n > SEND_OUT_SIZE) {
		conn_write(c, p, n);
		return;
	}
	memcpy(out + *o, p, n);
	*o += n;
}

/* send_text - send text as message content: LF becomes CRLF and lines
 * starting with a dot get another (RFC 5321 4.5.2); a last line without
 * LF is ended. Line by line, so that a 40 KB message costs a few copies,
 * not a loop over each byte. */
static void send_text(struct conn *c, const char *s, size_t len)
{
	static char out[SEND_OUT_SIZE];
	const char *nl;
	size_t o = 0, i = 0, n;

	while (i < len) {
		nl = memchr(s + i, '\n', len - i);
		n = nl ? (size_t)(nl - (s + i)) : len - i;
		if (s[i] == '.')
			out_put(c, out, &o, ".", 1);
		if (nl && n > 0 && s[i + n - 1] == '\r') {
			out_put(c, out, &o, s + i, n + 1); /* CRLF already */
		} else {
			out_put(c, out, &o, s + i, n);
			out_put(c, out, &o, "\r\n", 2);
		}
		i += nl ? n + 1 : n;
	}
	conn_write(c, out, o);
}

/* send_generated - a small RFC 5322 message carrying the token */
static void send_generated(
        struct conn *c, const struct envelope *e, const char *tok)
{
	char hdr[SEND_LINE_MAX], date[64], line[80];
	time_t t = time(NULL);
	unsigned done;
	int n;

	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", gmtime(&t));
	n = snprintf(hdr, sizeof(hdr),
	        "From: <%s>\nTo: <%s>\nSubject: %s %s\nDate: %s\n"
	        "Message-ID: <%s@smtpsend.invalid>\nMIME-Version: 1.0\n"
	        "Content-Type: text/plain; charset=us-ascii\n\n"
	        "Test message %s.\n",
	        e->from, e->rcpt[0], opt.subject, tok, date, tok, tok);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		fail("headers too long");
	send_text(c, hdr, (size_t)n);
	for (done = 0; done < opt.body_bytes; done += 72) {
		n = snprintf(line, sizeof(line), "%.71s\n",
		        "The quick brown fox jumps over the lazy dog, "
		        "again and again and again.");
		send_text(c, line, (size_t)n);
	}
}

/* send_content - the message after DATA's 354, then the final dot; a
 * -m file gets the token header first, a -L file is sent as it is */
static void send_content(
        struct conn *c, const struct envelope *e, const char *tok)
{
	char hdr[SEND_LINE_MAX];
	int n;

	if (e->data) {
		if (opt.tag && !opt.list) {
			n = snprintf(hdr, sizeof(hdr), "X-Smtpsend-Token: %s\n",
			        tok);
			send_text(c, hdr, (size_t)n);
		}
		send_text(c, e->data, e->len);
	} else {
		send_generated(c, e, tok);
	}
	conn_write(c, ".\r\n", 3);
	if (opt.verbose)
		fprintf(stderr, ">>> (message %s)\n>>> .\n", tok);
}

/*
 * transaction - MAIL, RCPT, DATA for one message; r gets its final reply
 * and *t_mail the time (now_us) the MAIL command went out. A refusal
 * before the content ends the transaction with RSET.
 */
void transaction(struct conn *c, const struct envelope *e, const char *tok,
        struct reply *r, long long *t_mail)
{
	struct reply rr;
	unsigned i, accepted = 0;

	*t_mail = now_us();
	command(c, r, "MAIL FROM:<%s>", e->from);
	if (r->code != 250)
		goto refused;
	for (i = 0; i < e->nrcpt; i++) {
		command(c, &rr, "RCPT TO:<%s>", e->rcpt[i]);
		if (rr.code == 250 || rr.code == 251)
			accepted++;
		else
			*r = rr;
		if (rr.code == 421)
			goto refused;
	}
	if (accepted == 0)
		goto refused;
	command(c, r, "DATA");
	if (r->code != 354)
		goto refused;
	send_content(c, e, tok);
	conn_reply(c, r);
	return;
refused:
	if (r->code < 400)
		fail("unexpected reply: %d %s", r->code, r->text);
	if (r->code != 421)
		command(c, &rr, "RSET");
}

/* report - the line for one message; with -U, t_mail and t_end (now_us)
 * are put on it */
void report(const char *tok, long long ms, const struct reply *r,
        long long t_mail, long long t_end)
{
	if (opt.tag)
		printf("%s ", tok);
	if (opt.timing)
		printf("ms=%lld ", ms);
	if (opt.stamps)
		printf("mail=%lld end=%lld ", t_mail, t_end);
	printf("%d %s\n", r->code, r->text);
	fflush(stdout);
}

/* quit - QUIT and close; a server that already hung up is fine */
void quit(struct conn *c)
{
	struct reply r;

	if (c->fd < 0)
		return;
	command(c, &r, "QUIT");
	if (r.code != 221)
		fail("QUIT: %d %s", r.code, r.text);
	conn_close(c);
}

/* envelope_of - message i's (from 1): its line of the list, or the
 * options' */
const struct envelope *envelope_of(unsigned i, struct envelope *base)
{
	if (list_env != NULL)
		return &list_env[(i - 1) % list_len];
	return base;
}

/* envelope_base - the envelope the options describe */
void envelope_base(struct envelope *e)
{
	*e = (struct envelope){.xaddr = opt.xaddr,
	        .xname = opt.xname,
	        .xhelo = opt.xhelo,
	        .from = opt.from,
	        .nrcpt = opt.nrcpt,
	        .data = file_data,
	        .len = file_len};
	memcpy(e->rcpt, opt.rcpt, sizeof(e->rcpt));
}

/* send_all - the messages, spread over the connections in blocks; a
 * connection the server closes (421) is made again for the next message */
static void send_all(void)
{
	struct conn c = {.fd = -1};
	struct envelope base;
	const struct envelope *e;
	struct reply r;
	char tok[256];
	unsigned i, per = (opt.count + opt.conns - 1) / opt.conns;
	long long t0, t_mail;

	envelope_base(&base);
	for (i = 1; i <= opt.count; i++) {
		if (c.fd >= 0 && (i - 1) % per == 0)
			quit(&c);
		token(i, tok, sizeof(tok));
		e = envelope_of(i, &base);
		t0 = now_ms();
		t_mail = now_us();
		if (c.fd < 0 && session_start(&c, e, &r) < 0) {
			report(tok, now_ms() - t0, &r, t_mail, now_us());
			continue;
		}
		transaction(&c, e, tok, &r, &t_mail);
		report(tok, now_ms() - t0, &r, t_mail, now_us());
		if (r.code == 421)
			conn_close(&c);
	}
	quit(&c);
}

/*
 * Concurrent mode (-C): workers, each a process with its own sessions.
 */

static const char usage_text[] =
        "usage: smtpsend -p PORT [-H HOST] [-e EHLO] [-x ADDR] [-N NAME]\n"
        "                [-E XHELO] [-f FROM] [-r RCPT]... [-m FILE]\n"
        "                [-s SUBJECT] [-i TAG] [-b BYTES] [-n COUNT]\n"
        "                [-c CONNS] [-t SECONDS] [-T] [-v]\n"
        "       smtpsend -p PORT -L LIST [-C SESSIONS] [-k PER] [-D SECONDS]\n"
        "                [-U] [-n COUNT] [-i TAG] [-t SECONDS] [-T] [-v]\n"
        "       smtpsend -P COUNT\n"
        "\n"
        "  -p PORT     the server's port; -H its IPv4 address (127.0.0.1)\n"
        "  -e EHLO     our EHLO name (smtpsend.invalid)\n"
        "  -x ADDR     XCLIENT ADDR=ADDR; -N NAME and -E XHELO add NAME= and\n"
        "              HELO= (any of the three sends XCLIENT); the EHLO after\n"
        "              XCLIENT says XHELO when given\n"
        "  -f FROM     envelope sender (sender@smtpsend.invalid)\n"
        "  -r RCPT     envelope recipient, repeatable (at least one)\n"
        "  -m FILE     send FILE as the message (with -i, an X-Smtpsend-Token\n"
        "              header is put first); default: a generated message\n"
        "              whose Subject and Message-ID carry the token TAG.N\n"
        "  -s SUBJECT  the generated message's subject (test message)\n"
        "  -i TAG      tokens are TAG.1, TAG.2, ... and start each line\n"
        "  -b BYTES    generated body size, about (0)\n"
        "  -n COUNT    messages to send (1), over -c CONNS connections (1)\n"
        "  -t SECONDS  timeout of every connect and read (10)\n"
        "  -T          put ms=N (time from start to final reply) on each line\n"
        "  -v          the dialogue on stderr\n"
        "  -P COUNT    print COUNT free loopback ports (TCP and UDP), exit\n"
        "\n"
        "  -L LIST     send the messages of LIST, one a line: FILE ADDR NAME\n"
        "              HELO FROM RCPT... (blank-separated; FILE relative to\n"
        "              LIST's folder and sent as it is; ADDR, NAME and HELO\n"
        "              are XCLIENT's, \"-\" for none; FROM <> is the null\n"
        "              sender). -n COUNT cycles through it (default: once)\n"
        "  -C SESSIONS that many sessions at once, each in a worker process;\n"
        "              a message that fails prints ERR and the reason, and\n"
        "              ends its session only. Last line: \"# smtpsend:\"\n"
        "              with the workers' CPU time (cpu_us=)\n"
        "  -k PER      with -C, messages per session (1); a session poses\n"
        "              as the client of its first message\n"
        "  -D SECONDS  with -C, claim no new message after SECONDS\n"
        "  -U          put mail=US end=US on each line: the monotonic clock\n"
        "              in microseconds when MAIL went out (the session's\n"
        "              start for a refused session) and at the final reply\n"
        "\n"
        "Prints one line per message: [TAG.N] [ms=N] [mail=US end=US] CODE\n"
        "TEXT, the final reply (the one after the content, or the refusal\n"
        "that ended the transaction). Exit 0 when every message got one, 1\n"
        "on a protocol error, timeout or lost connection, 2 on bad usage.\n";

/* usage - the usage text, exit 2 */
static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

/* number - a positive integer option value, or usage */
static unsigned number(const char *s, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v > max || *s == '-')
		usage();
	return (unsigned)v;
}

/* parse_load - the options of -L and -C mode, or usage */
static void parse_load(int ch)
{
	switch (ch) {
	case 'L':
		opt.list = optarg;
		break;
	case 'C':
		opt.workers = number(optarg, SEND_WORKERS_MAX);
		if (opt.workers == 0)
			usage();
		break;
	case 'k':
		opt.per_conn = number(optarg, 1000000);
		break;
	case 'D':
		opt.duration = number(optarg, 86400);
		break;
	case 'U':
		opt.stamps = 1;
		break;
	default:
		usage();
	}
}

/* parse_args - fill opt from argv */
static void parse_args(int argc, char **argv)
{
	int ch;

	opt = (struct opts){.host = "127.0.0.1",
	        .ehlo = "smtpsend.invalid",
	        .from = "sender@smtpsend.invalid",
	        .subject = "test message",
	        .count = 1,
	        .conns = 1,
	        .per_conn = 1,
	        .timeout_ms = 10000};
	while ((ch = getopt(argc, argv,
	                "p:H:e:x:N:E:f:r:m:s:i:b:n:c:t:TvP:L:C:k:D:U")) != -1) {
		switch (ch) {
		case 'p':
			opt.port = number(optarg, 65535);
			break;
		case 'H':
			opt.host = optarg;
			break;
		case 'e':
			opt.ehlo = optarg;
			break;
		case 'x':
			opt.xaddr = optarg;
			break;
		case 'N':
			opt.xname = optarg;
			break;
		case 'E':
			opt.xhelo = optarg;
			break;
		case 'f':
			opt.from = optarg;
			break;
		case 'r':
			if (opt.nrcpt == SEND_RCPT_MAX)
				usage();
			opt.rcpt[opt.nrcpt++] = optarg;
			break;
		case 'm':
			opt.file = optarg;
			break;
		case 's':
			opt.subject = optarg;
			break;
		case 'i':
			opt.tag = optarg;
			break;
		case 'b':
			opt.body_bytes = number(optarg, 100000000);
			break;
		case 'n':
			opt.count = number(optarg, 1000000);
			opt.count_set = 1;
			break;
		case 'c':
			opt.conns = number(optarg, 1000000);
			break;
		case 't':
			opt.timeout_ms = (int)number(optarg, 86400) * 1000;
			break;
		case 'T':
			opt.timing = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'P':
			free_ports(number(optarg, 64));
			exit(0);
		default:
			parse_load(ch);
		}
	}
	if (optind != argc || opt.port == 0 ||
	        (opt.nrcpt == 0 && opt.list == NULL) || opt.count == 0 ||
	        opt.conns == 0 || opt.timeout_ms == 0 || opt.per_conn == 0)
		usage();
	/* a list brings its own clients, envelopes and contents */
	if (opt.list != NULL &&
	        (opt.file || opt.xaddr || opt.xname || opt.xhelo || opt.nrcpt))
		usage();
	if (opt.conns > opt.count)
		opt.conns = opt.count;
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	if (opt.file)
		read_file(opt.file);
	if (opt.list) {
		read_list(opt.list);
		if (!opt.count_set)
			opt.count = list_len;
	}
	if (opt.workers)
		send_concurrent();
	else
		send_all();
	free(file_data);
	return 0;
}
