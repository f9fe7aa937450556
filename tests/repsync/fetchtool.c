/*
 * fetchtool.c - fetch_to_file (tools/fetch.h) as a command, for
 * test_fetch.sh and by hand:
 *
 *	fetchtool [--max N] [--expect N] [--cert F --key F] [--ca F]
 *	          [--retries N] [--backoff-ms N] [--timeout-ms N]
 *	          [--connect-timeout-ms N] [--redirects N] URL DEST
 *	fetchtool --join BASE NAME
 *
 * Prints "ok bytes=N resumed=0|1 attempts=N status=N", or
 * "error <fetch_strerror>: <why>" then "attempts=N status=N bytes=N
 * resumed=0|1"; exits 0 or 1 (2: usage). --join prints fetch_url_join's
 * URL, or "error <fetch_strerror>".
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"

#define FETCHTOOL_MAX_DEFAULT (UINT64_C(1) << 30)

/* usage - the synopsis on stderr, exit 2 */
static void usage(void)
{
	fputs("usage: fetchtool [--max N] [--expect N] [--cert F --key F] "
	      "[--ca F]\n"
	      "                 [--retries N] [--backoff-ms N] "
	      "[--timeout-ms N]\n"
	      "                 [--connect-timeout-ms N] [--redirects N] "
	      "URL DEST\n"
	      "       fetchtool --join BASE NAME\n",
	        stderr);
	exit(2);
}

/* number - a decimal argument up to max, or usage */
static uint64_t number(const char *s, uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		usage();
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		usage();
	return v;
}

/* join - the --join mode */
static int join(const char *base, const char *name)
{
	char out[FETCH_URL_MAX];
	int rc = fetch_url_join(base, name, out, sizeof out);

	if (rc != 0) {
		printf("error %s\n", fetch_strerror(rc));
		return 1;
	}
	printf("%s\n", out);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"max", required_argument, NULL, 'm'},
	        {"expect", required_argument, NULL, 'e'},
	        {"cert", required_argument, NULL, 'c'},
	        {"key", required_argument, NULL, 'k'},
	        {"ca", required_argument, NULL, 'a'},
	        {"retries", required_argument, NULL, 'r'},
	        {"backoff-ms", required_argument, NULL, 'b'},
	        {"timeout-ms", required_argument, NULL, 't'},
	        {"connect-timeout-ms", required_argument, NULL, 'T'},
	        {"redirects", required_argument, NULL, 'R'},
	        {"join", no_argument, NULL, 'j'},
	        {NULL, 0, NULL, 0},
	};
	struct fetch_opts o = {0};
	struct fetch_result res;
	uint64_t max = FETCHTOOL_MAX_DEFAULT, expect = 0;
	int c, rc, do_join = 0;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			max = number(optarg, UINT64_MAX);
			break;
		case 'e':
			expect = number(optarg, UINT64_MAX);
			break;
		case 'c':
			o.tls_cert = optarg;
			break;
		case 'k':
			o.tls_key = optarg;
			break;
		case 'a':
			o.tls_ca = optarg;
			break;
		case 'r':
			o.retries = (unsigned)number(optarg, UINT_MAX);
			break;
		case 'b':
			o.backoff_ms = (unsigned)number(optarg, UINT_MAX);
			break;
		case 't':
			o.timeout_ms = (unsigned)number(optarg, UINT_MAX);
			break;
		case 'T':
			o.connect_timeout_ms =
			        (unsigned)number(optarg, UINT_MAX);
			break;
		case 'R':
			o.max_redirects = (unsigned)number(optarg, UINT_MAX);
			break;
		case 'j':
			do_join = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	if (do_join)
		return join(argv[optind], argv[optind + 1]);
	if ((rc = fetch_global_init()) != 0) {
		printf("error %s: libcurl\n", fetch_strerror(rc));
		return 1;
	}
	rc = fetch_to_file(
	        argv[optind], argv[optind + 1], max, expect, &o, &res);
	fetch_global_cleanup();
	if (rc == 0) {
		printf("ok bytes=%" PRIu64
		       " resumed=%d attempts=%u status=%ld\n",
		        res.bytes, res.resumed, res.attempts, res.status);
		return 0;
	}
	printf("error %s: %s\n", fetch_strerror(rc), res.why);
	printf("attempts=%u status=%ld bytes=%" PRIu64 " resumed=%d\n",
	        res.attempts, res.status, res.bytes, res.resumed);
	return 1;
}
