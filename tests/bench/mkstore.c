/*
 * mkstore.c - fill a store's local slots for the repsync benchmark.
 *
 *	mkstore STORE fill N       N spam sources (public IPv4 addresses,
 *	                           one in eight a domain), seen over 3 days
 *	mkstore STORE change M     M changes to what the last fill made:
 *	                           half new sources, half old ones turned
 *	                           clean (delisted by the next publish)
 *
 * Subjects are a function of their index, so `change` knows what `fill`
 * made without reading it back. Deterministic: the same arguments make
 * the same store (up to the time of the run).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reputation.h"

#define BATCH 100000

/* mix - a 64-bit mixer (splitmix64's finaliser) */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* subject_of - the i-th subject: a public IPv4 address (first octet
 * 11-99: no bogon, no private range) or a domain */
static void subject_of(uint64_t i, struct rep_subject *s)
{
	uint64_t h = mix(i);

	memset(s, 0, sizeof *s);
	if (i % 8 == 7) {
		char name[64];

		snprintf(name, sizeof name, "spam%llu.example%llu.net",
		        (unsigned long long)i, (unsigned long long)(h % 997));
		if (rep_subject_domain(REP_KIND_DOMAIN, name, s) != REP_OK)
			abort();
		return;
	}
	/* index in the high bits keeps addresses distinct */
	s->kind = REP_KIND_IP4;
	s->plen = 32;
	s->addr[0] = (uint8_t)(11 + (i % 89));
	s->addr[1] = (uint8_t)(i / 89 >> 16);
	s->addr[2] = (uint8_t)(i / 89 >> 8);
	s->addr[3] = (uint8_t)(i / 89);
}

static int commit(struct rep_store *st, struct rep_batch *b, int64_t now)
{
	int rc = rep_commit(st, b, now, NULL);

	if (rc != REP_OK) {
		fprintf(stderr, "mkstore: commit: %s\n", rep_strerror(rc));
		return -1;
	}
	rep_batch_clear(b);
	return 0;
}

int main(int argc, char **argv)
{
	struct rep_open_opts o = {.create = 1, .nosync = 1};
	struct rep_store *st;
	struct rep_batch *b;
	int64_t now = (int64_t)time(NULL);
	unsigned long long n, lo = 0;
	int change, rc;

	if (argc != 4 || (strcmp(argv[2], "fill") != 0 &&
	                         strcmp(argv[2], "change") != 0)) {
		fprintf(stderr, "usage: mkstore STORE fill N | change M\n");
		return 2;
	}
	change = strcmp(argv[2], "change") == 0;
	n = strtoull(argv[3], NULL, 10);
	if ((rc = rep_open(argv[1], &o, &st)) != REP_OK ||
	        (rc = rep_batch_new(&b)) != REP_OK) {
		fprintf(stderr, "mkstore: %s: %s\n", argv[1], rep_strerror(rc));
		return 1;
	}
	if (change) {
		/* the fill's size: count the local slots */
		struct rep_stats s;

		if (rep_stats(st, &s) != REP_OK)
			return 1;
		lo = s.with_local;
	}
	for (unsigned long long k = 0; k < n; k++) {
		struct rep_subject s;
		double ham = 0, spam = 20 + (double)(mix(k) % 50);
		int64_t when = now - (int64_t)(mix(k + 1) % (3 * 86400));

		if (change && k % 2 == 1) {
			/* an old source turned clean */
			subject_of(k, &s);
			ham = 5000;
			spam = 0;
			when = now;
		} else {
			subject_of(lo + k, &s);
		}
		if ((rc = rep_batch_observe(b, &s, ham, spam, when)) !=
		        REP_OK) {
			fprintf(stderr, "mkstore: %s\n", rep_strerror(rc));
			return 1;
		}
		if (rep_batch_count(b) >= BATCH && commit(st, b, now) != 0)
			return 1;
	}
	if (rep_batch_count(b) > 0 && commit(st, b, now) != 0)
		return 1;
	rep_batch_free(b);
	rep_close(st);
	return 0;
}
