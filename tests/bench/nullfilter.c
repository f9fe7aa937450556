/*
 * nullfilter.c - a libmilter filter that does nothing: the naive baseline
 * of DESIGN.md §8, against which repmilter's cost is measured.
 *
 *   nullfilter -s SPEC [-n] [-H]
 *
 * It registers connect through end of message and answers continue (and
 * accept at the end), with no negotiation callback: every step is sent and
 * every reply is waited for, as with most filters in the field.
 *
 * -n sets TCP_NODELAY on an inet listening socket (accepted sockets
 *    inherit it on Linux).
 * -H adds one header at end of message, so that the filter writes a
 *    modification and then its reply: without -n, that is the pattern that
 *    waits 40 ms for the MTA's delayed ACK on TCP.
 *
 * A program for benchmarks: make check builds it and never runs it.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "nodelay.h"

/* set once in main */
static int null_add_header;

/* null_connect - continue */
static sfsistat null_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	return SMFIS_CONTINUE;
}

/* null_helo - continue */
static sfsistat null_helo(SMFICTX *ctx, char *helo)
{
	return SMFIS_CONTINUE;
}

/* null_envfrom - continue */
static sfsistat null_envfrom(SMFICTX *ctx, char **argv)
{
	return SMFIS_CONTINUE;
}

/* null_envrcpt - continue */
static sfsistat null_envrcpt(SMFICTX *ctx, char **argv)
{
	return SMFIS_CONTINUE;
}

/* null_data - continue */
static sfsistat null_data(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

/* null_header - continue */
static sfsistat null_header(SMFICTX *ctx, char *name, char *value)
{
	return SMFIS_CONTINUE;
}

/* null_eoh - continue */
static sfsistat null_eoh(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

/* null_body - continue */
static sfsistat null_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	return SMFIS_CONTINUE;
}

/* null_eom - accept, after one header with -H */
static sfsistat null_eom(SMFICTX *ctx)
{
	if (null_add_header &&
	        smfi_addheader(ctx, "X-Null", "seen") != MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	return SMFIS_ACCEPT;
}

/* null_abort - continue */
static sfsistat null_abort(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

/* null_close - continue */
static sfsistat null_close(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

static struct smfiDesc null_desc = {
        .xxfi_name = "nullfilter",
        .xxfi_version = SMFI_VERSION,
        .xxfi_flags = SMFIF_NONE,
        .xxfi_connect = null_connect,
        .xxfi_helo = null_helo,
        .xxfi_envfrom = null_envfrom,
        .xxfi_envrcpt = null_envrcpt,
        .xxfi_header = null_header,
        .xxfi_eoh = null_eoh,
        .xxfi_body = null_body,
        .xxfi_eom = null_eom,
        .xxfi_abort = null_abort,
        .xxfi_close = null_close,
        .xxfi_data = null_data,
};

/* usage - the synopsis, exit 2 */
static void usage(void)
{
	fprintf(stderr, "usage: nullfilter -s SPEC [-n] [-H]\n");
	exit(2);
}

/* main - options, socket, smfi_main */
int main(int argc, char **argv)
{
	const char *spec = NULL;
	int ch, nodelay = 0;

	while ((ch = getopt(argc, argv, "s:nH")) != -1) {
		if (ch == 's')
			spec = optarg;
		else if (ch == 'n')
			nodelay = 1;
		else if (ch == 'H')
			null_add_header = 1;
		else
			usage();
	}
	if (spec == NULL || optind != argc)
		usage();
	if (null_add_header)
		null_desc.xxfi_flags = SMFIF_ADDHDRS;
	if (smfi_setconn((char *)spec) != MI_SUCCESS ||
	        smfi_register(null_desc) != MI_SUCCESS ||
	        smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "nullfilter: cannot listen on %s\n", spec);
		return 1;
	}
	if (nodelay && strncmp(spec, "inet", 4) == 0 &&
	        nodelay_listeners() < 1) {
		fprintf(stderr, "nullfilter: cannot set TCP_NODELAY\n");
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
