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

#define SEND_LINE_MAX 4096 /* longest reply line we accept */
#define SEND_RCPT_MAX 16
#define SEND_LIST_MAX 1000000  /* lines of a -L list */
#define SEND_FILES_MAX 200000  /* distinct files it names */
#define SEND_WORKERS_MAX 1000  /* -C */
#define SEND_FAILS_MAX 10      /* a worker gives up after this many in a row */
#define SEND_FILE_MAX 67108864 /* bytes of one -L message file */
#define SEND_OUT_SIZE 65536    /* send_text's buffer */

/* What the command line asked for. */
struct opts {
	const char *host;
	unsigned port;
	const char *ehlo;
	const char *xaddr; /* XCLIENT ADDR=; NULL: no XCLIENT */
	const char *xname; /* XCLIENT NAME= */
	const char *xhelo; /* XCLIENT HELO= */
	const char *from;
	const char *rcpt[SEND_RCPT_MAX];
	unsigned nrcpt;
	const char *file; /* message file; NULL: generate one */
	const char *subject;
	const char *tag;     /* token prefix; NULL: none printed */
	unsigned count;      /* messages in all */
	int count_set;       /* -n given */
	unsigned conns;      /* connections they are spread over */
	unsigned body_bytes; /* generated body size, about */
	int timeout_ms;
	int timing;
	int verbose;
	const char *list;  /* -L: the message list; NULL: none */
	unsigned workers;  /* -C: sessions at once; 0: the sequential mode */
	unsigned per_conn; /* -k: messages per session with -C */
	unsigned duration; /* -D: seconds after which -C claims no more */
	int stamps;        /* -U */
};

/*
 * What one message goes with: the client to pose as (XCLIENT), the
 * envelope and the content. The sequential mode has one, from the options;
 * -L has one per line of the list.
 */
struct envelope {
	const char *xaddr; /* XCLIENT ADDR=; all three NULL: no XCLIENT */
	const char *xname; /* XCLIENT NAME= */
	const char *xhelo; /* XCLIENT HELO= */
	const char *from;
	const char *rcpt[SEND_RCPT_MAX];
	unsigned nrcpt;
	const char *data; /* the content; NULL: generate one */
	size_t len;
};

/* What the workers of -C share (an anonymous shared mapping). */
struct shared {
	atomic_uint next; /* messages claimed so far */
};

/* One connection: the socket and its read buffer. */
struct conn {
	int fd;
	char buf[SEND_LINE_MAX * 2];
	size_t len;
};

/* A reply: code, and the text of every line joined by spaces. */
struct reply {
	int code;
	char text[SEND_LINE_MAX * 2];
};

static struct opts opt;
static char *file_data; /* the -m file, read once */
static size_t file_len;
static struct envelope *list_env; /* -L: one per line */
static unsigned list_len;

static void fail(const char *fmt, ...);

/* slurp - a whole file, malloc'ed; its size in *len */
static char *slurp(const char *path, size_t *len)
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
static jmp_buf fail_jmp;
static int fail_armed;
static char fail_msg[512];

/* fail - report a protocol or system error and exit 1 (with -C, in a
 * worker: end the message with the reason in fail_msg instead) */
static void fail(const char *fmt, ...)
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
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* now_us - the same clock in microseconds (shared by the workers) */
static long long now_us(void)
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
static void conn_close(struct conn *c)
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
static int session_start(
        struct conn *c, const struct envelope *e, struct reply *r)
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
static void token(unsigned i, char *out, size_t size)
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
static void transaction(struct conn *c, const struct envelope *e,
        const char *tok, struct reply *r, long long *t_mail)
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
static void report(const char *tok, long long ms, const struct reply *r,
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
static void quit(struct conn *c)
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
static const struct envelope *envelope_of(unsigned i, struct envelope *base)
{
	if (list_env != NULL)
		return &list_env[(i - 1) % list_len];
	return base;
}

/* envelope_base - the envelope the options describe */
static void envelope_base(struct envelope *e)
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

static volatile sig_atomic_t got_signal;

/* on_signal - remember a signal; the parent passes it on to the workers,
 * a worker stops at its next message */
static void on_signal(int sig)
{
	got_signal = sig;
}

/* A worker's session and current message: static, so that nothing a
 * longjmp from fail() returns to lives in a register (one thread per
 * worker process). */
static struct {
	struct conn c;
	const struct envelope *e;
	char tok[256];
	long long t0, t_mail;
	struct reply r;
} job = {.c = {.fd = -1}};

/* job_error - the line of a message that failed, the connection closed */
static void job_error(void)
{
	conn_close(&job.c);
	if (opt.tag)
		printf("%s ", job.tok);
	if (opt.timing)
		printf("ms=%lld ", now_ms() - job.t0);
	if (opt.stamps)
		printf("mail=%lld end=%lld ", job.t_mail, now_us());
	printf("ERR %s\n", fail_msg);
	fflush(stdout);
}

/*
 * job_send - the current message on job.c (a session is opened when there
 * is none): its line, with ERR and the reason when something failed (then
 * the connection is closed). Returns 0, or -1 on such a failure. A
 * session takes the client of its first message.
 */
static int job_send(void)
{
	if (setjmp(fail_jmp) != 0) {
		job_error();
		return -1;
	}
	fail_armed = 1;
	if (job.c.fd < 0 && session_start(&job.c, job.e, &job.r) < 0) {
		fail_armed = 0;
		report(job.tok, now_ms() - job.t0, &job.r, job.t_mail,
		        now_us());
		return 0;
	}
	transaction(&job.c, job.e, job.tok, &job.r, &job.t_mail);
	fail_armed = 0;
	report(job.tok, now_ms() - job.t0, &job.r, job.t_mail, now_us());
	if (job.r.code == 421)
		conn_close(&job.c);
	return 0;
}

/* job_quit - QUIT the session if there is one; a failure only closes it
 * (every message of it has its line already) */
static void job_quit(void)
{
	if (job.c.fd < 0)
		return;
	if (setjmp(fail_jmp) != 0) {
		conn_close(&job.c);
		return;
	}
	fail_armed = 1;
	quit(&job.c);
	fail_armed = 0;
}

/* worker_run - claim messages until there are none, the -D deadline has
 * passed or a signal came; per_conn messages a session. Exits 0, or 1
 * when any message failed. */
static void worker_run(struct shared *sh, long long deadline_ms)
{
	struct envelope base;
	unsigned i, on_conn = 0, fails = 0, failed = 0;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART; /* a signal stops the loop, not a read */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	envelope_base(&base);
	while (!got_signal && fails < SEND_FAILS_MAX) {
		if (deadline_ms && now_ms() >= deadline_ms)
			break;
		i = atomic_fetch_add(&sh->next, 1) + 1;
		if (i > opt.count)
			break;
		job.e = envelope_of(i, &base);
		token(i, job.tok, sizeof(job.tok));
		job.t0 = now_ms();
		job.t_mail = now_us();
		if (job_send() < 0) {
			fails++;
			failed++;
			on_conn = 0;
			continue;
		}
		fails = 0;
		if (job.c.fd < 0)
			on_conn = 0;
		else if (++on_conn >= opt.per_conn) {
			job_quit();
			on_conn = 0;
		}
	}
	job_quit();
	exit(failed ? 1 : 0);
}

/* workers_wait - reap the workers; a signal to us is passed on to them.
 * Returns how many did not exit 0. */
static unsigned workers_wait(const pid_t *pids, unsigned n)
{
	unsigned left = n, bad = 0, k;
	int forwarded = 0, st;
	pid_t p;

	while (left > 0) {
		p = waitpid(-1, &st, 0);
		if (p < 0 && errno == EINTR) {
			if (got_signal && !forwarded) {
				for (k = 0; k < n; k++)
					kill(pids[k], SIGTERM);
				forwarded = 1;
			}
			continue;
		}
		if (p < 0)
			break;
		for (k = 0; k < n && pids[k] != p; k++)
			;
		if (k == n)
			continue;
		left--;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	return bad;
}

/*
 * send_concurrent - -C: fork the workers, wait for them, then a comment
 * line with their CPU time. Exits 0 when every worker got a final reply
 * for each of its messages, 1 otherwise.
 */
static void send_concurrent(void)
{
	struct sigaction sa;
	struct rusage ru;
	struct shared *sh;
	pid_t *pids;
	long long deadline_ms = 0, t0 = now_ms();
	unsigned k, bad, claimed;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pids = calloc(opt.workers, sizeof(*pids));
	if (sh == MAP_FAILED || pids == NULL)
		fail("out of memory");
	atomic_init(&sh->next, 0);
	if (opt.duration)
		deadline_ms = t0 + (long long)opt.duration * 1000;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: waitpid sees EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fflush(stdout);
	for (k = 0; k < opt.workers; k++) {
		pids[k] = fork();
		if (pids[k] < 0) {
			got_signal = SIGTERM;
			fprintf(stderr, "smtpsend: fork: %s\n",
			        strerror(errno));
			break;
		}
		if (pids[k] == 0) {
			free(pids);
			worker_run(sh, deadline_ms);
		}
	}
	if (k < opt.workers)
		for (unsigned j = 0; j < k; j++)
			kill(pids[j], SIGTERM);
	bad = workers_wait(pids, k) + (k < opt.workers);
	getrusage(RUSAGE_CHILDREN, &ru);
	claimed = atomic_load(&sh->next);
	printf("# smtpsend: workers=%u claimed=%u secs=%.3f cpu_us=%lld "
	       "failed_workers=%u\n",
	        opt.workers, claimed < opt.count ? claimed : opt.count,
	        (double)(now_ms() - t0) / 1000,
	        (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	                ru.ru_utime.tv_usec + ru.ru_stime.tv_usec,
	        bad);
	fflush(stdout);
	free(pids);
	munmap(sh, sizeof(*sh));
	if (bad)
		exit(1);
}

/* read_file - the whole message file into file_data */
static void read_file(const char *path)
{
	file_data = slurp(path, &file_len);
}

/* A message file of the list, read once however many lines name it. */
struct list_file {
	char *data;
	size_t len;
};

/* list_field - "-" is no value (NULL); "<>" the null sender (from only) */
static const char *list_field(const char *s, int is_from)
{
	char *d;

	if (strcmp(s, "-") == 0)
		return NULL;
	if (is_from && strcmp(s, "<>") == 0)
		return "";
	if ((d = strdup(s)) == NULL)
		fail("out of memory");
	return d;
}

/* list_content - the file a line names (relative to the list's folder),
 * read the first time only */
static void list_content(
        struct envelope *e, const char *name, const char *dir, size_t dirlen)
{
	char path[4096];
	ENTRY key, *hit;
	struct list_file *f;

	if (name[0] == '/' || dirlen == 0)
		snprintf(path, sizeof(path), "%s", name);
	else if ((size_t)snprintf(path, sizeof(path), "%.*s/%s", (int)dirlen,
	                 dir, name) >= sizeof(path))
		fail("%s: path too long", name);
	key.key = path;
	key.data = NULL;
	if ((hit = hsearch(key, FIND)) == NULL) {
		if ((f = malloc(sizeof(*f))) == NULL ||
		        (key.key = strdup(path)) == NULL)
			fail("out of memory");
		f->data = slurp(path, &f->len);
		key.data = f;
		if ((hit = hsearch(key, ENTER)) == NULL)
			fail("too many message files");
	}
	f = hit->data;
	e->data = f->data;
	e->len = f->len;
}

/* list_line - one line of the list into e: FILE ADDR NAME HELO FROM
 * RCPT... (blank-separated, "-" where there is no value) */
static void list_line(struct envelope *e, char *line, unsigned lineno,
        const char *dir, size_t dirlen)
{
	char *f[5 + SEND_RCPT_MAX], *save = NULL, *t;
	unsigned n = 0;

	for (t = strtok_r(line, " \t\r\n", &save); t != NULL;
	        t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 5 + SEND_RCPT_MAX)
			fail("%s:%u: more than %d recipients", opt.list, lineno,
			        SEND_RCPT_MAX);
		f[n++] = t;
	}
	if (n < 6)
		fail("%s:%u: want FILE ADDR NAME HELO FROM RCPT...", opt.list,
		        lineno);
	memset(e, 0, sizeof(*e));
	list_content(e, f[0], dir, dirlen);
	e->xaddr = list_field(f[1], 0);
	e->xname = list_field(f[2], 0);
	e->xhelo = list_field(f[3], 0);
	if ((e->from = list_field(f[4], 1)) == NULL)
		fail("%s:%u: no sender (the null sender is <>)", opt.list,
		        lineno);
	for (unsigned k = 5; k < n; k++)
		e->rcpt[e->nrcpt++] = list_field(f[k], 0);
}

/* read_list - the -L list: every line's envelope, every file read once.
 * Blank lines and lines starting with # are skipped. */
static void read_list(const char *path)
{
	FILE *fp = fopen(path, "r");
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + (slash == path) : 0;
	char line[SEND_LINE_MAX];
	unsigned cap = 0, lineno = 0;

	if (fp == NULL)
		fail("%s: %s", path, strerror(errno));
	if (hcreate(SEND_FILES_MAX) == 0)
		fail("out of memory");
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp))
			fail("%s:%u: line too long", path, lineno);
		if (line[strspn(line, " \t\r\n")] == '\0' || line[0] == '#')
			continue;
		if (list_len == SEND_LIST_MAX)
			fail("%s: more than %d messages", path, SEND_LIST_MAX);
		if (list_len == cap) {
			cap = cap ? cap * 2 : 1024;
			list_env = realloc(list_env, cap * sizeof(*list_env));
			if (list_env == NULL)
				fail("out of memory");
		}
		list_line(&list_env[list_len++], line, lineno, path, dirlen);
	}
	fclose(fp);
	if (list_len == 0)
		fail("%s: no messages", path);
}

/* port_free - 1 when TCP and UDP port p can both be bound on 127.0.0.1 */
static int port_free(unsigned p)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int types[2] = {SOCK_STREAM, SOCK_DGRAM}, ok = 1, fd, i;

	sin.sin_port = htons(p);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 2 && ok; i++) {
		fd = socket(AF_INET, types[i] | SOCK_CLOEXEC, 0);
		if (fd < 0)
			fail("socket: %s", strerror(errno));
		ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
		close(fd);
	}
	return ok;
}

/*
 * free_ports - print n distinct ports free on 127.0.0.1 for TCP and UDP,
 * picked at random below the kernel's ephemeral range (where our own
 * outgoing connections could take them). Racy by nature: the caller
 * starts its servers right away.
 */
static void free_ports(unsigned n)
{
	unsigned got[64], ngot = 0, tries, p, i;

	if (n == 0 || n > 64)
		fail("-P wants 1 to 64 ports");
	srandom((unsigned)(getpid() ^ now_ms()));
	for (tries = 0; ngot < n && tries < 10000; tries++) {
		p = 20000 + (unsigned)(random() % 12000);
		for (i = 0; i < ngot && got[i] != p; i++)
			;
		if (i == ngot && port_free(p))
			got[ngot++] = p;
	}
	if (ngot < n)
		fail("no free ports found");
	for (i = 0; i < n; i++)
		printf("%u\n", got[i]);
}

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
