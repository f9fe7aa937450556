/*
 * dkimsign.h - real DKIM signatures for the benchmark corpus, made with
 * Debian's libopendkim (the signer DESIGN.md §8 recommends over
 * opendkim-testmsg): rsa-sha256 with an RSA key and ed25519-sha256
 * (RFC 8463) with an Ed25519 key, both read from PEM files (what
 * `openssl genpkey` writes).
 *
 * Each signature signs the usual originator fields (From oversigned, To,
 * Cc, Subject, Date, Message-ID, Reply-To, MIME-Version, Content-Type,
 * List-Id, List-Unsubscribe, those present), the whole body (no l=), with
 * the canonicalisation picked by the message's index: relaxed/relaxed for
 * half, relaxed/simple for a quarter, simple/simple for the rest.
 * dkimsign_corpus is a mailcorpus_signer (tests/milter/mailcorpus.h).
 *
 * OWNERSHIP
 *	dkimsign_new returns a signer that dkimsign_free frees (NULL is a
 *	no-op); it keeps copies of the keys and selectors. A field returned
 *	by dkimsign_corpus is the caller's to free.
 *
 * THREADS
 *	One thread at a time per signer: the benchmark signs its corpus once,
 *	before the load starts.
 *
 * CAVEATS
 *	libopendkim 2.11 does not free the private key it loads for an
 *	Ed25519 signature (about 220 bytes per signature, seen by
 *	LeakSanitizer; RSA signatures free theirs). The loss is bounded by
 *	the corpus size and happens once, before the load.
 */
#ifndef BENCH_DKIMSIGN_H
#define BENCH_DKIMSIGN_H

#include <stddef.h>

#include "mailcorpus.h"

struct dkimsign;

/* dkimsign_new - a signer over the PEM keys at rsa_path and ed_path,
 * signing with selectors rsa_sel and ed_sel; returns 0, or -1 with a
 * reason in err (*out untouched) */
int dkimsign_new(const char *rsa_path, const char *ed_path, const char *rsa_sel,
        const char *ed_sel, struct dkimsign **out, char *err, size_t errlen);

/* dkimsign_free - free the signer; NULL is a no-op */
void dkimsign_free(struct dkimsign *ds);

/* dkimsign_corpus - a mailcorpus_signer; ctx is a struct dkimsign. On
 * failure it returns NULL and the reason is in dkimsign_error */
char *dkimsign_corpus(void *ctx, enum mailcorpus_sig alg, const char *domain,
        size_t index, const char *data, size_t len);

/* dkimsign_error - why the last call failed ("" if it did not) */
const char *dkimsign_error(const struct dkimsign *ds);

#endif /* BENCH_DKIMSIGN_H */
