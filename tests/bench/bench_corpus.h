/*
 * bench_corpus.h - the corpus bench_milter sends: tests/milter/mailcorpus.h
 * messages, optionally from the sender domains the benchmark's DNS serves
 * and signed for real by dkimsign.h, and a way to write them out (for an
 * independent check of the signatures, or for reading).
 *
 * OWNERSHIP
 *	bench_corpus_make returns a corpus the caller frees with
 *	mailcorpus_free; the options' strings are borrowed for the call.
 *
 * THREADS
 *	Call from one thread, before the load; the corpus is read-only after.
 */
#ifndef BENCH_CORPUS_H
#define BENCH_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "mailcorpus.h"

struct bench_corpus_opts {
	size_t n;
	uint64_t seed;
	const char *domains_file; /* one domain a line; NULL: built-in */
	const char *keys;         /* "RSA.pem,ED25519.pem"; NULL: no signing */
	const char *selectors;    /* "RSASEL,EDSEL" */
	unsigned shares[3];       /* % rsa, ed25519, tampered (rest unsigned) */
};

/* bench_corpus_make - the corpus; returns 0, or -1 with a reason in err */
int bench_corpus_make(const struct bench_corpus_opts *o,
        struct mailcorpus **out, char *err, size_t errlen);

/* bench_corpus_dump - each message to DIR/NNNN-KIND.eml (KIND: none, fake,
 * rsa, ed25519, tampered); returns 0, or -1 with a reason in err */
int bench_corpus_dump(
        const struct mailcorpus *mc, const char *dir, char *err, size_t errlen);

/* bench_corpus_name - the file name bench_corpus_dump gives message i
 * (modulo the count), "NNNN-KIND.eml", into buf */
void bench_corpus_name(
        const struct mailcorpus *mc, size_t i, char *buf, size_t len);

/* bench_corpus_shares - "rsa=40% ed25519=20% tampered=10% none=30%"
 * (fake signatures count as fake=) into buf */
void bench_corpus_shares(const struct mailcorpus *mc, char *buf, size_t len);

#endif /* BENCH_CORPUS_H */
