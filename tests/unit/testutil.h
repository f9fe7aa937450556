/*
 * testutil.h - helpers shared by the unit tests: a temporary store that
 * each test makes for itself and removes afterwards.
 */
#ifndef REP_TESTUTIL_H
#define REP_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reputation.h"

struct testdir {
	char dir[256];
	char path[300];
};

/* testdir_make - a fresh temporary directory and a store path inside it */
static inline void testdir_make(struct testdir *t)
{
	const char *base = getenv("TMPDIR");
	snprintf(t->dir, sizeof t->dir, "%s/reptest.XXXXXX", base ? base : "/tmp");
	if (mkdtemp(t->dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(t->path, sizeof t->path, "%s/rep.mdb", t->dir);
}

/* testdir_remove - remove the store files and the directory */
static inline void testdir_remove(struct testdir *t)
{
	char p[320];
	snprintf(p, sizeof p, "%s-lock", t->path);
	unlink(p);
	unlink(t->path);
	rmdir(t->dir);
}

/* subj - parse a subject that the test knows to be valid */
static inline struct rep_subject subj(const char *text)
{
	struct rep_subject s;
	if (rep_subject_parse(text, &s) != 0) {
		fprintf(stderr, "bad test subject %s\n", text);
		abort();
	}
	return s;
}

/* rng_state - the seeded generator's state, one per test program */
static inline uint64_t *rng_state(void)
{
	static uint64_t state = 88172645463325252ull;
	return &state;
}

/* rng_seed - restart the generator, so a failing case can be replayed */
static inline void rng_seed(uint64_t seed)
{
	*rng_state() = seed ? seed : 0x9e3779b97f4a7c15ull;
}

/* rng - xorshift64* */
static inline uint64_t rng(void)
{
	uint64_t *s = rng_state();

	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* rng_below - a number in [0, n) */
static inline uint64_t rng_below(uint64_t n)
{
	return n ? rng() % n : 0;
}

#endif
