/*
 * miltersend.c - send messages to a milter as an MTA would, and print what
 * it decided: one line per fact, for shell tests and the quick start.
 *
 *   miltersend -s SOCKET [-c ADDR] [-n NAME] [-H HELO] [-f FROM]
 *              [-r RCPT]... [-a AUTHUSER] [-q QUEUEID] [-k COUNT] [FILE]
 *
 * Output, per message:
 *   verdict: accept|reject|tempfail|discard|...
 *   reply: 550 5.7.1 text            (when the filter set one)
 *   add-header: NAME: VALUE          (each header added or inserted)
 *   change-header: NAME[INDEX]: VALUE (VALUE empty: deleted)
 * Exit status: 0 when the protocol went well (whatever the verdict), 1 on
 * a protocol or I/O error, 2 on bad arguments.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfdef.h>

#include "milterclient.h"

struct args {
	const char *socket, *client, *name, *helo, *from, *auth, *qid, *file;
	const char *rcpt[16];
	size_t nrcpt;
	unsigned count;
};

/* usage - the synopsis, then exit 2 */
static void usage(void)
{
	fprintf(stderr,
	        "usage: miltersend -s SOCKET [-c ADDR] [-n NAME] "
	        "[-H HELO] [-f FROM] [-r RCPT]... [-a AUTHUSER] [-q QUEUEID] "
	        "[-k COUNT] [FILE]\n");
	exit(2);
}

/* parse - command line into args */
static void parse(int argc, char **argv, struct args *a)
{
	int ch;

	*a = (struct args){.client = "192.0.2.1",
	        .name = "unknown",
	        .helo = "client.example",
	        .from = "sender@example.com",
	        .qid = "4ABCDE0001",
	        .count = 1};
	while ((ch = getopt(argc, argv, "s:c:n:H:f:r:a:q:k:")) != -1) {
		switch (ch) {
		case 's':
			a->socket = optarg;
			break;
		case 'c':
			a->client = optarg;
			break;
		case 'n':
			a->name = optarg;
			break;
		case 'H':
			a->helo = optarg;
			break;
		case 'f':
			a->from = optarg;
			break;
		case 'a':
			a->auth = optarg;
			break;
		case 'q':
			a->qid = optarg;
			break;
		case 'k':
			a->count = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			if (a->nrcpt == 16)
				usage();
			a->rcpt[a->nrcpt++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (a->socket == NULL || argc - optind > 1 || a->count == 0)
		usage();
	if (optind < argc)
		a->file = argv[optind];
	if (a->nrcpt == 0)
		a->rcpt[a->nrcpt++] = "rcpt@example.net";
}

/* slurp - the message file, or a small generated one */
static char *slurp(const struct args *a, size_t *len)
{
	FILE *fp;
	char *buf = NULL;

	if (a->file == NULL) {
		size_t n = 512 + strlen(a->from) + strlen(a->rcpt[0]);

		if ((buf = malloc(n)) == NULL)
			return NULL;
		*len = (size_t)snprintf(buf, n,
		        "From: <%s>\r\nTo: <%s>\r\n"
		        "Subject: test\r\nMessage-ID: "
		        "<%s@miltersend.test>\r\n\r\n"
		        "Hello.\r\n",
		        a->from, a->rcpt[0], a->qid);
		return buf;
	}
	if ((fp = strcmp(a->file, "-") == 0 ? stdin : fopen(a->file, "rb")) ==
	        NULL)
		return NULL;
	*len = 0;
	for (size_t cap = 0;;) {
		if (*len == cap &&
		        (buf = realloc(buf, cap = cap * 2 + 65536)) == NULL)
			break;
		size_t got = fread(buf + *len, 1, cap - *len, fp);
		if (got == 0)
			break;
		*len += got;
	}
	if (fp != stdin)
		fclose(fp);
	return buf;
}

/* verdict_name - the reply letter as a word */
static const char *verdict_name(int v)
{
	switch (v) {
	case MC_ACCEPT:
	case MC_CONTINUE:
		return "accept";
	case MC_REJECT:
		return "reject";
	case MC_TEMPFAIL:
		return "tempfail";
	case MC_DISCARD:
		return "discard";
	case MC_CONN_FAIL:
		return "connfail";
	case MC_SHUTDOWN:
		return "shutdown";
	default:
		return "none";
	}
}

/* print - what the filter decided about one message, headers as the MTA
 * stores them: "Name:" + value when the filter asked for leading spaces
 * (it then supplies its own), else "Name: " + value */
static void print(const struct mc_eom *e, int leadspc)
{
	const char *sep = leadspc ? ":" : ": ";

	printf("verdict: %s\n", verdict_name(e->reply.verdict));
	if (e->reply.text != NULL && e->reply.text[0] != '\0')
		printf("reply: %s\n", e->reply.text);
	for (size_t i = 0; i < e->nactions; i++) {
		const struct mc_action *x = &e->actions[i];

		if (x->type == MC_ADDHEADER || x->type == MC_INSHEADER)
			printf("add-header: %s%s%s\n", x->name, sep, x->value);
		else if (x->type == MC_CHGHEADER)
			printf("change-header: %s[%u]%s%s\n", x->name,
			        (unsigned)x->index, x->value[0] ? sep : ": ",
			        x->value);
	}
	fflush(stdout);
}

/* run - one connection, COUNT messages */
static int run(const struct args *a, const char *data, size_t len)
{
	struct mc_conn *c = NULL;
	struct mc_reply r;
	struct mc_message m = {a->from, a->rcpt, a->nrcpt, data, len};
	char err[256];
	int rc;

	if ((rc = mc_open(a->socket, NULL, &c, err, sizeof(err))) != MC_OK) {
		fprintf(stderr, "miltersend: %s\n", err);
		return 1;
	}
	rc = mc_macro(c, MC_STAGE_MAIL, "{auth_authen}", a->auth);
	if (rc == MC_OK)
		rc = mc_connect(c, a->name,
		        strcmp(a->client, "unknown") == 0 ? NULL : a->client,
		        25, &r);
	if (rc == MC_OK)
		rc = mc_helo(c, a->helo, &r);
	for (unsigned i = 0; rc == MC_OK && i < a->count; i++) {
		struct mc_eom e;

		if ((rc = mc_send(c, &m, &e)) == MC_OK)
			print(&e, (mc_protocol(c) & SMFIP_HDR_LEADSPC) != 0);
	}
	if (rc != MC_OK)
		fprintf(stderr, "miltersend: %s: %s\n", mc_strerror(rc),
		        mc_error(c));
	mc_close(c);
	return rc == MC_OK ? 0 : 1;
}

/* main - parse, read, send */
int main(int argc, char **argv)
{
	struct args a;
	size_t len = 0;
	char *data;
	int rc;

	parse(argc, argv, &a);
	if ((data = slurp(&a, &len)) == NULL) {
		fprintf(stderr, "miltersend: %s: cannot read\n",
		        a.file ? a.file : "-");
		return 2;
	}
	rc = run(&a, data, len);
	free(data);
	return rc;
}
