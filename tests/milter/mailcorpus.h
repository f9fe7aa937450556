/*
 * mailcorpus.h - a deterministic corpus of realistic messages for milter
 * tests and benchmarks: the same seed gives the same bytes.
 *
 * Each message has 15 to 30 header fields (a Received chain of 2 to 5
 * hops, the usual originator fields, list and mailer fields; a
 * DKIM-Signature on about 60% of them) and a MIME body: multipart/
 * alternative text and HTML, inside multipart/mixed with a base64
 * attachment for about 30%. Sizes are tens of KB. Line ends are CRLF, as
 * MTAs pass a message to a milter. Addresses and names use the reserved
 * example domains; the DKIM signatures are well-formed but do not verify.
 *
 * SIGNED CORPUS (mailcorpus_new_opts)
 *	The caller may name the sender domains (the ones its DNS serves SPF,
 *	DMARC and DKIM key records for) and give a signer: then shares of
 *	the messages carry a real DKIM-Signature made by the signer (RSA or
 *	Ed25519), a share is signed and then has one body byte changed (the
 *	signature must fail), and the rest is unsigned. Shares are exact for
 *	a count that is a multiple of 100 (message i takes bucket i*37 mod
 *	100). The signed bytes depend on the signer's keys as well as on the
 *	seed. The corpus does not link any DKIM library: the signer does.
 *
 * OWNERSHIP
 *	mailcorpus_new and mailcorpus_new_opts return a corpus that
 *	mailcorpus_free frees (NULL is a no-op); messages and their strings
 *	belong to it and live as long as it. A corpus is immutable once
 *	made: any number of threads may read it.
 */
#ifndef MAILCORPUS_H
#define MAILCORPUS_H

#include <stddef.h>
#include <stdint.h>

#define MAILCORPUS_RCPTS_MAX 3

struct mailcorpus;

/* How a message is signed. */
enum mailcorpus_sig {
	MAILCORPUS_SIG_NONE,     /* no DKIM-Signature */
	MAILCORPUS_SIG_FAKE,     /* well-formed, does not verify (default) */
	MAILCORPUS_SIG_RSA,      /* rsa-sha256, made by the signer */
	MAILCORPUS_SIG_ED25519,  /* ed25519-sha256, made by the signer */
	MAILCORPUS_SIG_TAMPERED, /* made by the signer, body changed after */
};

struct mailcorpus_msg {
	const char *helo;                        /* the sending host's name */
	const char *sender;                      /* envelope sender, no <> */
	const char *rcpts[MAILCORPUS_RCPTS_MAX]; /* envelope recipients */
	size_t nrcpts;                           /* 1 to 3 */
	const char *data;                        /* header, empty line, body */
	size_t len;
	unsigned nheaders; /* header fields */
	int dkim;          /* has a DKIM-Signature */
	int attachment;    /* has a base64 attachment */
	enum mailcorpus_sig sig;
	const char *domain; /* the sender's (and From and d=) domain */
};

/* mailcorpus_signer - sign message `index` (data: len bytes, header
 * fields, empty line, body, CRLF line ends) as `domain` with alg
 * (MAILCORPUS_SIG_RSA or MAILCORPUS_SIG_ED25519); returns the whole field,
 * "DKIM-Signature: ...\r\n", allocated with malloc (the corpus frees
 * it), or NULL on failure */
typedef char *mailcorpus_signer(void *ctx, enum mailcorpus_sig alg,
        const char *domain, size_t index, const char *data, size_t len);

/* What mailcorpus_new_opts may change; zero means the default. */
struct mailcorpus_opts {
	const char *const *domains; /* sender domains; NULL: built-in */
	size_t ndomains;
	mailcorpus_signer *sign; /* NULL: fake signatures on about 60% */
	void *sign_ctx;
	/* with a signer, percentages (sum at most 100) of messages signed
	 * with RSA, with Ed25519, and signed then changed; the rest is
	 * unsigned. Tampered ones alternate RSA and Ed25519. */
	unsigned rsa_pct, ed25519_pct, tampered_pct;
};

/* mailcorpus_new - n messages (1 to 100000) from seed; returns 0, or -1
 * when n is out of bounds (*out untouched) */
int mailcorpus_new(size_t n, uint64_t seed, struct mailcorpus **out);

/* mailcorpus_new_opts - as mailcorpus_new, with o (NULL: defaults; the
 * domain strings are copied); returns -1 as well when the options are
 * out of bounds or the signer failed */
int mailcorpus_new_opts(size_t n, uint64_t seed,
        const struct mailcorpus_opts *o, struct mailcorpus **out);

/* mailcorpus_free - free the corpus; NULL is a no-op */
void mailcorpus_free(struct mailcorpus *mc);

/* mailcorpus_count - the number of messages */
size_t mailcorpus_count(const struct mailcorpus *mc);

/* mailcorpus_get - message i modulo the count; borrowed from mc */
const struct mailcorpus_msg *mailcorpus_get(
        const struct mailcorpus *mc, size_t i);

/* mailcorpus_bytes - the size of all messages together */
size_t mailcorpus_bytes(const struct mailcorpus *mc);

#endif /* MAILCORPUS_H */
