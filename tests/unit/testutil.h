/*
 * testutil.h - helpers shared by the unit tests: a temporary store that
 * each test makes for itself and removes afterwards.
 */
#ifndef REP_TESTUTIL_H
#define REP_TESTUTIL_H

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

#endif
