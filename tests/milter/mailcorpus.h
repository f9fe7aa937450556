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
 * OWNERSHIP
 *	mailcorpus_new returns a corpus that mailcorpus_free frees (NULL is a
 *	no-op); messages and their strings belong to it and live as long as
 *	it. A corpus is immutable once made: any number of threads may read
 *	it.
 */
#ifndef MAILCORPUS_H
#define MAILCORPUS_H

#include <stddef.h>
#include <stdint.h>

#define MAILCORPUS_RCPTS_MAX 3

struct mailcorpus;

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
};

/* mailcorpus_new - n messages (1 to 100000) from seed; returns 0, or -1
 * when n is out of bounds (*out untouched) */
int mailcorpus_new(size_t n, uint64_t seed, struct mailcorpus **out);

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
