/*
 * dkim_testenv.h - what the cmocka programs of tests/conformance/dkim share:
 * a verifier over the fake key source loaded with keys/unit-keys.txt, one
 * message at a time, a signer, and assertions on the results. Functions
 * assert (cmocka) instead of returning errors; use them on the test's
 * thread only.
 */
#ifndef REPMILTER_DKIM_TESTENV_H
#define REPMILTER_DKIM_TESTENV_H

#include <stddef.h>
#include <stdint.h>

#include "check_dkim.h"
#include "dkim_fake.h"

#define KEY1024 "opendkim/test-private-key.pem"
#define KEY512 "keys/rsa512.pem"
#define LATER_MS 2000

/* The record of the 1024-bit key (as "good" in keys/unit-keys.txt). */
extern const char good_record[];

/* A message signers sign: a folded Subject, trailing spaces, empty lines. */
extern const char base_msg[];

struct env {
	struct fake_keys *keys;
	struct check_dkim *dk;
	struct check_dkim_msg *m;           /* the last message */
	const struct check_dkim_results *r; /* its results */
};

/* data_path - a file of the test data directory (static buffer) */
const char *data_path(const char *rel);

/* sign - `msg` with a DKIM-Signature by libopendkim; malloc'd */
char *sign(const char *msg, const char *keyfile, const char *sel,
        const char *domain, int alg, int canon);

/* sign_good - example.org, selector good, rsa-sha256, relaxed */
char *sign_good(const char *msg);

/* env_new - the unit keys and a verifier with default options */
struct env *env_new(void);

/* env_script - the same, but `name` (unless NULL) answers as scripted */
struct env *env_script(const char *name, enum fake_kind kind, const char *text,
        unsigned delay_ms);

/* env_free - message, verifier, keys */
void env_free(struct env *e);

/* start - a new message with `text`'s header fields fed; the body offset,
 * the SMTP form in *smtp (malloc'd) and its length in *n */
size_t start(struct env *e, const char *text, char **smtp, size_t *n);

/* verify_chunked - the whole flow; e->r holds the results */
void verify_chunked(
        struct env *e, const char *text, size_t chunk, int64_t deadline_ms);

/* verify - in libmilter's chunk size, with time to spare */
void verify(struct env *e, const char *text);

/* assert_sig - result and reason of signature i */
void assert_sig(const struct env *e, unsigned i, enum check_dkim_result result,
        enum check_dkim_why why);

/* assert_symbol - the message's symbol and weight */
void assert_symbol(const struct env *e, const char *sym, double w);

#endif /* REPMILTER_DKIM_TESTENV_H */
