/*
 * dkim_fake.h - test doubles for check_dkim: a key source answering from
 * a table (filled from key files or by the test), and a driver that feeds
 * a message file to a check_dkim_msg the way Postfix and libmilter do,
 * and a signer for the tests that need fresh signatures.
 *
 * The key source implements struct check_dkim_keys, the same table of
 * functions the milter fills with its DNS layer, so the code under test is
 * the milter's, unchanged. Answers follow dns.h: an unknown name is
 * NXDOMAIN; a name may also be scripted as SERVFAIL, a DNS timeout,
 * silence (no answer before any deadline), or a delayed answer.
 *
 * A table may serve several messages on several threads once it is
 * filled; filling it is single-threaded. Nothing here aborts: loading
 * functions return -1 on a bad file.
 */
#ifndef REPMILTER_DKIM_FAKE_H
#define REPMILTER_DKIM_FAKE_H

#include <stddef.h>

#include "check_dkim.h"

enum fake_kind {
	FAKE_TXT = 0,  /* one TXT record: the text */
	FAKE_TXT2 = 1, /* two TXT records, the text twice */
	FAKE_NXDOMAIN = 2,
	FAKE_NODATA = 3,
	FAKE_SERVFAIL = 4,
	FAKE_TIMEOUT = 5, /* the DNS layer gave up: DNS_TIMEOUT */
	FAKE_SILENT = 6,  /* never answers: waits end at the deadline */
};

struct fake_keys;

/* The key source; its ctx is a struct fake_keys. */
extern const struct check_dkim_keys fake_keys_ops;

/* fake_keys_new - an empty table; NULL when out of memory */
struct fake_keys *fake_keys_new(void);

/* fake_keys_free - NULL is a no-op */
void fake_keys_free(struct fake_keys *f);

/* fake_keys_add - script `name`; the answer is ready `delay_ms` after the
 * question; 0 or -1 */
int fake_keys_add(struct fake_keys *f, const char *name, enum fake_kind kind,
        const char *text, unsigned delay_ms);

/* fake_keys_load - every line "name<blanks>value" of a key file, '#'
 * lines and blank lines skipped: libopendkim's DKIM_QUERY_FILE format and
 * Mail::DKIM's FAKE_DNS.dat, whose values may be NXDOMAIN or ~~text~~ (a
 * DNS error: "timed out" gives FAKE_TIMEOUT, anything else SERVFAIL). A
 * record value is taken verbatim, as Mail::DKIM's own driver does. */
int fake_keys_load(struct fake_keys *f, const char *path);

/* fake_keys_asked - questions asked so far */
unsigned fake_keys_asked(struct fake_keys *f);

/* fake_smtp_form - the message as an MTA hands it on: every bare LF made
 * CRLF. Returns a malloc'd copy and its length in *len, NULL on failure */
char *fake_smtp_form(const char *text, size_t n, size_t *len);

/* fake_feed_headers - split the header block of an SMTP-form message
 * into fields and pass each as libmilter does with SMFIP_HDR_LEADSPC:
 * name, then the value after the colon with its leading space, folds as
 * LF (Postfix's form), no final line end. Returns the offset of the body
 * (after the empty line) or -1 when the module refused a call. */
long fake_feed_headers(struct check_dkim_msg *m, const char *msg, size_t n);

/* fake_feed_body - pass the body in chunks of `chunk` bytes; 0 or -1 */
int fake_feed_body(
        struct check_dkim_msg *m, const char *body, size_t n, size_t chunk);

/* fake_data_path - `rel` under $top_srcdir/tests/conformance/dkim (make
 * check sets top_srcdir) or under "." ; 0, or -1 when it does not fit */
int fake_data_path(const char *rel, char *buf, size_t len);

/* fake_sign - `msg` (SMTP form) with a DKIM-Signature by libopendkim
 * prepended: key file (PEM), selector, domain, a DKIM_SIGN_* algorithm and
 * a DKIM_CANON_* canonicalisation for header and body. Keys down to 512
 * bits are accepted. A malloc'd string, or NULL on failure. */
char *fake_sign(const char *msg, const char *keyfile, const char *selector,
        const char *domain, int alg, int canon);

/* fake_read_file - a whole file, NUL-terminated; NULL on failure */
char *fake_read_file(const char *path, size_t *len);

#endif /* REPMILTER_DKIM_FAKE_H */
