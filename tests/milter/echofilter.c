/*
 * echofilter.c - a libmilter filter for the milter client's tests. It
 * registers every callback and says at end of message what it was told.
 *
 *   echofilter -s SPEC [-m plain|noreply|skip] [-n]
 *
 * At end of message it adds
 *   X-Echo: <client address> <envelope sender without <>>
 *   X-Echo-Stats: headers=N body=BYTES chunks=K rcpts=R
 *   X-Echo-Macros: j=.. daemon_name=.. daemon_addr=.. i=.. auth=..
 *                  mail_addr=.. rcpt_addr=..   ("-" when not set)
 * unless the local part of the sender says otherwise:
 *   reject      550 5.7.1 echo reject       (at end of message)
 *   tempfail    451 4.7.1 echo tempfail     (at end of message)
 *   discard     discard                     (at end of message)
 *   rejectmail  550 5.7.1 echo reject at mail (at MAIL)
 *   modify      inserts X-Echo-First at 0, changes Subject, adds and
 *               deletes a recipient, changes the sender, quarantines
 * A recipient with local part "refuse" gets 550 5.1.1 echo refuse.
 *
 * -m chooses the negotiation: plain asks for nothing but a macro list for
 * connect ("j {daemon_name} _"); noreply asks for SMFIP_NR_* on every step
 * and SMFIP_NOHELO; skip answers SMFIS_SKIP to the first body chunk.
 * -n sets TCP_NODELAY on an inet listening socket. Built for tests only.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "nodelay.h"

#define ECHO_FLAGS                                                             \
	(SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT |       \
	        SMFIF_CHGFROM | SMFIF_QUARANTINE | SMFIF_SETSYMLIST)
#define ECHO_NR_FLAGS                                                          \
	(SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT |       \
	        SMFIP_NR_DATA | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY |  \
	        SMFIP_NR_UNKN | SMFIP_NOHELO)
#define ECHO_CONNECT_MACROS "j {daemon_name} _"

enum echo_mode { ECHO_PLAIN, ECHO_NOREPLY, ECHO_SKIP };

/* Per connection, through smfi_setpriv. */
struct echo {
	char addr[INET6_ADDRSTRLEN];
	char from[256];
	unsigned headers, rcpts;
	unsigned long body, chunks;
};

/* set once in main, read by the callbacks */
static enum echo_mode echo_mode;

/* ok - the "carry on" answer: none at all when it was negotiated away */
static sfsistat ok(void)
{
	return echo_mode == ECHO_NOREPLY ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* local_is - whether the local part of addr ("<x@y>" or "x@y") is want */
static int local_is(const char *addr, const char *want)
{
	size_t n = strlen(want);

	if (addr[0] == '<')
		addr++;
	return strncasecmp(addr, want, n) == 0 &&
	       (addr[n] == '@' || addr[n] == '>' || addr[n] == '\0');
}

/* msg_reset - forget the message, keep the connection */
static void msg_reset(struct echo *e)
{
	e->from[0] = '\0';
	e->headers = e->rcpts = 0;
	e->body = e->chunks = 0;
}

/* echo_negotiate - the options of -m; the macro list in every mode */
static sfsistat echo_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
        unsigned long f2, unsigned long f3, unsigned long *pf0,
        unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	*pf0 = f0 & ECHO_FLAGS;
	*pf1 = 0;
	*pf2 = *pf3 = 0;
	if (echo_mode == ECHO_NOREPLY)
		*pf1 = f1 & ECHO_NR_FLAGS;
	if (echo_mode == ECHO_SKIP)
		*pf1 = f1 & SMFIP_SKIP;
	if (smfi_setsymlist(ctx, SMFIM_CONNECT, ECHO_CONNECT_MACROS) !=
	        MI_SUCCESS)
		return SMFIS_REJECT;
	return SMFIS_CONTINUE;
}

/* echo_connect - keep the client address */
static sfsistat echo_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	struct echo *e = calloc(1, sizeof *e);

	if (e == NULL)
		return SMFIS_TEMPFAIL;
	snprintf(e->addr, sizeof e->addr, "unknown");
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr,
		        e->addr, sizeof e->addr);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr,
		        e->addr, sizeof e->addr);
	smfi_setpriv(ctx, e);
	return ok();
}

/* echo_helo - nothing to do */
static sfsistat echo_helo(SMFICTX *ctx, char *helo)
{
	return ok();
}

/* echo_envfrom - keep the sender; "rejectmail" is refused here */
static sfsistat echo_envfrom(SMFICTX *ctx, char **argv)
{
	struct echo *e = smfi_getpriv(ctx);
	const char *a = argv[0][0] == '<' ? argv[0] + 1 : argv[0];

	if (e == NULL)
		return SMFIS_TEMPFAIL;
	msg_reset(e);
	snprintf(e->from, sizeof e->from, "%.*s", (int)strcspn(a, ">"), a);
	if (local_is(e->from, "rejectmail")) {
		smfi_setreply(ctx, "550", "5.7.1", "echo reject at mail");
		return SMFIS_REJECT;
	}
	return ok();
}

/* echo_envrcpt - count; "refuse" is refused */
static sfsistat echo_envrcpt(SMFICTX *ctx, char **argv)
{
	struct echo *e = smfi_getpriv(ctx);

	if (e == NULL)
		return SMFIS_TEMPFAIL;
	if (local_is(argv[0], "refuse")) {
		smfi_setreply(ctx, "550", "5.1.1", "echo refuse");
		return SMFIS_REJECT;
	}
	e->rcpts++;
	return ok();
}

/* echo_data - nothing to do */
static sfsistat echo_data(SMFICTX *ctx)
{
	return ok();
}

/* echo_header - count */
static sfsistat echo_header(SMFICTX *ctx, char *name, char *value)
{
	struct echo *e = smfi_getpriv(ctx);

	if (e != NULL)
		e->headers++;
	return ok();
}

/* echo_eoh - nothing to do */
static sfsistat echo_eoh(SMFICTX *ctx)
{
	return ok();
}

/* echo_body - count bytes and chunks; in skip mode, one chunk is enough */
static sfsistat echo_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct echo *e = smfi_getpriv(ctx);

	if (e != NULL) {
		e->body += len;
		e->chunks++;
	}
	return echo_mode == ECHO_SKIP ? SMFIS_SKIP : ok();
}

/* macro - a macro's value, "-" when the MTA did not send it */
static const char *macro(SMFICTX *ctx, const char *name)
{
	const char *v = smfi_getsymval(ctx, (char *)name);

	return v ? v : "-";
}

/* add_echo - the three headers that say what the filter saw */
static sfsistat add_echo(SMFICTX *ctx, const struct echo *e)
{
	char buf[1024];

	snprintf(buf, sizeof buf, "%s %s", e->addr, e->from);
	if (smfi_addheader(ctx, "X-Echo", buf) != MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	snprintf(buf, sizeof buf, "headers=%u body=%lu chunks=%lu rcpts=%u",
	        e->headers, e->body, e->chunks, e->rcpts);
	if (smfi_addheader(ctx, "X-Echo-Stats", buf) != MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	snprintf(buf, sizeof buf,
	        "j=%s daemon_name=%s daemon_addr=%s i=%s auth=%s "
	        "mail_addr=%s rcpt_addr=%s",
	        macro(ctx, "j"), macro(ctx, "{daemon_name}"),
	        macro(ctx, "{daemon_addr}"), macro(ctx, "i"),
	        macro(ctx, "{auth_authen}"), macro(ctx, "{mail_addr}"),
	        macro(ctx, "{rcpt_addr}"));
	if (smfi_addheader(ctx, "X-Echo-Macros", buf) != MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	return SMFIS_ACCEPT;
}

/* modify - every modification but the body */
static sfsistat modify(SMFICTX *ctx)
{
	if (smfi_insheader(ctx, 0, "X-Echo-First", "1") != MI_SUCCESS ||
	        smfi_chgheader(ctx, "Subject", 1, "changed") != MI_SUCCESS ||
	        smfi_addrcpt(ctx, "<added@example.org>") != MI_SUCCESS ||
	        smfi_delrcpt(ctx, "<deleted@example.org>") != MI_SUCCESS ||
	        smfi_chgfrom(ctx, "<changed@example.org>", NULL) !=
	                MI_SUCCESS ||
	        smfi_quarantine(ctx, "echo quarantine") != MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	return SMFIS_ACCEPT;
}

/* echo_eom - the verdict the sender asked for */
static sfsistat echo_eom(SMFICTX *ctx)
{
	struct echo *e = smfi_getpriv(ctx);

	if (e == NULL)
		return SMFIS_TEMPFAIL;
	if (local_is(e->from, "reject")) {
		smfi_setreply(ctx, "550", "5.7.1", "echo reject");
		return SMFIS_REJECT;
	}
	if (local_is(e->from, "tempfail")) {
		smfi_setreply(ctx, "451", "4.7.1", "echo tempfail");
		return SMFIS_TEMPFAIL;
	}
	if (local_is(e->from, "discard"))
		return SMFIS_DISCARD;
	if (local_is(e->from, "modify"))
		return modify(ctx);
	return add_echo(ctx, e);
}

/* echo_abort - the message is over; the connection goes on */
static sfsistat echo_abort(SMFICTX *ctx)
{
	struct echo *e = smfi_getpriv(ctx);

	if (e != NULL)
		msg_reset(e);
	return SMFIS_CONTINUE;
}

/* echo_close - free the connection state (it may never have existed) */
static sfsistat echo_close(SMFICTX *ctx)
{
	free(smfi_getpriv(ctx));
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

/* echo_unknown - nothing to do */
static sfsistat echo_unknown(SMFICTX *ctx, const char *cmd)
{
	return ok();
}

static struct smfiDesc echo_desc = {
        .xxfi_name = "echofilter",
        .xxfi_version = SMFI_VERSION,
        .xxfi_flags = ECHO_FLAGS,
        .xxfi_connect = echo_connect,
        .xxfi_helo = echo_helo,
        .xxfi_envfrom = echo_envfrom,
        .xxfi_envrcpt = echo_envrcpt,
        .xxfi_header = echo_header,
        .xxfi_eoh = echo_eoh,
        .xxfi_body = echo_body,
        .xxfi_eom = echo_eom,
        .xxfi_abort = echo_abort,
        .xxfi_close = echo_close,
        .xxfi_unknown = echo_unknown,
        .xxfi_data = echo_data,
        .xxfi_negotiate = echo_negotiate,
};

/* usage - the synopsis, exit 2 */
static void usage(void)
{
	fprintf(stderr,
	        "usage: echofilter -s SPEC [-m plain|noreply|skip] [-n]\n");
	exit(2);
}

/* main - options, socket, smfi_main */
int main(int argc, char **argv)
{
	const char *spec = NULL;
	int ch, nodelay = 0;

	while ((ch = getopt(argc, argv, "s:m:n")) != -1) {
		if (ch == 's')
			spec = optarg;
		else if (ch == 'n')
			nodelay = 1;
		else if (ch == 'm' && strcmp(optarg, "plain") == 0)
			echo_mode = ECHO_PLAIN;
		else if (ch == 'm' && strcmp(optarg, "noreply") == 0)
			echo_mode = ECHO_NOREPLY;
		else if (ch == 'm' && strcmp(optarg, "skip") == 0)
			echo_mode = ECHO_SKIP;
		else
			usage();
	}
	if (spec == NULL || optind != argc)
		usage();
	if (smfi_setconn((char *)spec) != MI_SUCCESS ||
	        smfi_register(echo_desc) != MI_SUCCESS ||
	        smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "echofilter: cannot listen on %s: %s\n", spec,
		        strerror(errno));
		return 1;
	}
	if (nodelay && strncmp(spec, "inet", 4) == 0 &&
	        nodelay_listeners() < 1) {
		fprintf(stderr, "echofilter: cannot set TCP_NODELAY\n");
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
