/*
 * check_dkim.h - DKIM verification of one message, streamed as libmilter
 * delivers it, with the key lookups started at end-of-headers so that they
 * overlap the body transfer.
 *
 * PURPOSE
 *	Every DKIM-Signature of a message is verified (RFC 6376, RFC 8463
 *	ed25519-sha256, RFC 8301) with Debian's libopendkim, whose DNS hooks are
 *	served by a key source: the milter's is the DNS layer (dns.h, through
 *	check_dkim_keys_dns); tests pass their own table of functions.
 *	The result is one entry per signature (RFC 8601 result, why, d=, s=,
 *	i=, a=, a b= prefix for header.b) and one scoring symbol per message.
 *
 * FLOW (one message)
 *	check_dkim_msg_new      at MAIL FROM (or the first header)
 *	check_dkim_msg_header   per header, value as received (see CAVEATS)
 *	check_dkim_msg_eoh      signatures parsed, key lookups start now
 *	check_dkim_msg_body     per body chunk (CRLF line ends, as received)
 *	check_dkim_msg_eom      waits for the keys until the deadline, verifies
 *	check_dkim_msg_free     at end of message, abort or close
 *
 * RESULTS (per signature)
 *	pass       the signature verified; its d= is an authenticated identity
 *	           (the reputation subject auth:DOMAIN). Passes from keys in
 *	           testing mode (t=y) count: t=y warns that failures may be
 *	           set-up errors, a valid signature is still valid.
 *	fail       the signature or the body hash did not verify.
 *	policy     the key is acceptable to the RFC but not to us: an RSA key
 *	           under min_key_bits (1024 by default, RFC 8301 section 3.2).
 *	temperror  the key lookup failed temporarily (SERVFAIL, timeout, or no
 *	           answer by the deadline): a later try may pass.
 *	permerror  the signature cannot be verified: malformed or unsupported
 *	           tags, expired, no key ("nokey"), revoked key, unusable key
 *	           record, rsa-sha1 (RFC 8301 section 3.1: verifiers must not
 *	           use it, so it is treated like an unknown algorithm; its key
 *	           is not even fetched), or a message without exactly one From
 *	           header field with an address (the duplicate-From trick).
 *
 * SCORING (check_dkim_symbol: one symbol per message, first match wins)
 *	DKIM_VALID      some signature passed                  -0.5
 *	DKIM_TEMPERROR  some key lookup failed temporarily      0.0
 *	DKIM_INVALID    a fail/policy/permerror, not "nokey"    1.0
 *	DKIM_NOKEY      only signatures whose key is missing    0.5
 *	DKIM_NONE       unsigned, or only testing-mode failures 0.0
 *	A pass says who signed, not that the signer is good: the weight is
 *	small, the reputation of auth:DOMAIN carries the real evidence.
 *	TEMPERROR comes before INVALID because the lookup that failed may have
 *	been the valid signature. A signature whose key says t=y (testing) is
 *	never held against the message (RFC 6376 section 3.6.1): its failures
 *	score as DKIM_NONE, though its result is reported as it is.
 *
 * BOUNDED WORK
 *	Only the first CHECK_DKIM_SIGS_MAX DKIM-Signature fields are given to
 *	the library (later ones are counted in `skipped`); of these, the first
 *	`verify_max` (default CHECK_DKIM_VERIFY_MAX) well-formed, non-rsa-sha1
 *	signatures get a key lookup and a cryptographic check, in header order.
 *	Malformed and rsa-sha1 signatures cost neither, so they do not use up
 *	the cap: malformed signatures hide a valid one only when there are
 *	CHECK_DKIM_SIGS_MAX of them before it. A message with more than
 *	CHECK_DKIM_HEADERS_MAX header fields, or one field over 256 KiB, is
 *	not verified (every signature permerror "headers"): hostile header
 *	counts cost O(headers x signed names) in the library.
 *
 * OWNERSHIP
 *	check_dkim_new/check_dkim_free; check_dkim_msg_new/check_dkim_msg_free.
 *	The results of check_dkim_msg_eom are borrowed from the message and
 *	live until check_dkim_msg_free. Strings passed in are copied.
 *
 * THREADS
 *	A verifier is made once, is read-only afterwards and is shared by all
 *	threads; its key source's ctx must be too (a dns_resolver is). A
 *	message is used by one thread at a time (it may move between libmilter
 *	worker threads between callbacks). Each message has its own
 *	libopendkim library handle (about 1 us to make), whose DNS service
 *	handle is the message itself: the hooks need no global state.
 *
 * ERRORS
 *	Functions return 0 or a negative CHECK_DKIM_E_* code and are marked
 *	warn_unused_result where ignoring the code would lose something. A DKIM
 *	problem of the message is never an error of the call: it is a result.
 *	Nothing here prints, exits or aborts.
 *
 * CAVEATS
 *	- Header values are passed as received with the leading whitespace
 *	  after the colon (negotiate SMFIP_HDR_LEADSPC; without it prepend one
 *	  space yourself, or "simple" header canonicalisation breaks). Folded
 *	  lines may end in LF or CRLF: bare LFs are turned into CRLF here.
 *	- Body chunks must be the message body as sent over SMTP: CRLF line
 *	  ends, dot-unstuffed (what libmilter's xxfi_body delivers). Bare LFs
 *	  are not repaired: a CRLF split across two chunks must stay intact.
 *	- The wait for keys happens inside check_dkim_msg_eom, in the calling
 *	  thread, bounded by its deadline; later keys of the same message get
 *	  what is left of it.
 *	- DKIM-Signature fields past CHECK_DKIM_SIGS_MAX are not shown to the
 *	  library, so a signature whose h= covers one of them fails.
 */
#ifndef REPMILTER_CHECK_DKIM_H
#define REPMILTER_CHECK_DKIM_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#if defined(__GNUC__)
#define CHECK_DKIM_MUST_CHECK __attribute__((warn_unused_result))
#else
#define CHECK_DKIM_MUST_CHECK
#endif

enum {
	CHECK_DKIM_OK = 0,
	CHECK_DKIM_E_INVAL = -1, /* bad argument or option */
	CHECK_DKIM_E_NOMEM = -2,
	CHECK_DKIM_E_LIB = -3,   /* libopendkim refused a setting */
	CHECK_DKIM_E_STATE = -4, /* call out of order (e.g. body after eom) */
};

#define CHECK_DKIM_VERIFY_MAX 8 /* default signatures verified */
#define CHECK_DKIM_KEY_CACHE_NONE UINT_MAX /* opts.key_cache: keep no keys */
#define CHECK_DKIM_SIGS_MAX 16  /* DKIM-Signature fields considered */
#define CHECK_DKIM_HEADERS_MAX 1024
#define CHECK_DKIM_MIN_KEY_BITS 1024
#define CHECK_DKIM_NAME_LEN 256 /* d=, s=, i= buffers */
#define CHECK_DKIM_B_LEN 33     /* header.b buffer (prefix, see below) */

/* Symbols and their suggested default weights (see SCORING). */
#define CHECK_DKIM_SYM_VALID "DKIM_VALID"
#define CHECK_DKIM_SYM_INVALID "DKIM_INVALID"
#define CHECK_DKIM_SYM_TEMPERROR "DKIM_TEMPERROR"
#define CHECK_DKIM_SYM_NOKEY "DKIM_NOKEY"
#define CHECK_DKIM_SYM_NONE "DKIM_NONE"
#define CHECK_DKIM_W_VALID (-0.5)
#define CHECK_DKIM_W_INVALID 1.0
#define CHECK_DKIM_W_TEMPERROR 0.0
#define CHECK_DKIM_W_NOKEY 0.5
#define CHECK_DKIM_W_NONE 0.0

/* RFC 8601 section 2.7.1 results. NONE only describes a whole message. */
enum check_dkim_result {
	CHECK_DKIM_NONE = 0,
	CHECK_DKIM_PASS = 1,
	CHECK_DKIM_FAIL = 2,
	CHECK_DKIM_POLICY = 3,
	CHECK_DKIM_TEMPERROR = 4,
	CHECK_DKIM_PERMERROR = 5,
};

/* Why a signature did not pass (check_dkim_why_name, _why_text). */
enum check_dkim_why {
	CHECK_DKIM_WHY_NONE = 0,  /* passed */
	CHECK_DKIM_WHY_BADSIG,    /* fail: the signature did not verify */
	CHECK_DKIM_WHY_BODYHASH,  /* fail: the body hash did not match */
	CHECK_DKIM_WHY_KEYSIZE,   /* policy: RSA key under min_key_bits */
	CHECK_DKIM_WHY_DNS,       /* temperror: SERVFAIL, bad reply, ... */
	CHECK_DKIM_WHY_TIMEOUT,   /* temperror: timeout or the deadline */
	CHECK_DKIM_WHY_INTERNAL,  /* temperror: out of memory, library */
	CHECK_DKIM_WHY_NOKEY,     /* permerror: no key record */
	CHECK_DKIM_WHY_REVOKED,   /* permerror: empty p= */
	CHECK_DKIM_WHY_KEY,       /* permerror: key record unusable */
	CHECK_DKIM_WHY_SHA1,      /* permerror: rsa-sha1 (RFC 8301) */
	CHECK_DKIM_WHY_EXPIRED,   /* permerror: x= has passed */
	CHECK_DKIM_WHY_SIGNATURE, /* permerror: malformed or unsupported */
	CHECK_DKIM_WHY_HEADERS,   /* permerror: From missing/repeated, ... */
};

enum check_dkim_alg {
	CHECK_DKIM_ALG_UNKNOWN = 0,
	CHECK_DKIM_ALG_RSA_SHA1 = 1,
	CHECK_DKIM_ALG_RSA_SHA256 = 2,
	CHECK_DKIM_ALG_ED25519_SHA256 = 3,
};

/* One signature. Strings are NUL-terminated, printable ASCII (other bytes
 * become '?'), possibly empty when the tag is missing, truncated to fit. */
struct check_dkim_sig {
	enum check_dkim_result result;
	enum check_dkim_why why;
	const char *detail; /* libopendkim's text for the log (static) */
	enum check_dkim_alg alg;
	int testing;                        /* the key has t=y */
	unsigned key_bits;                  /* 0 when no key was read */
	char domain[CHECK_DKIM_NAME_LEN];   /* d=, lower-case */
	char selector[CHECK_DKIM_NAME_LEN]; /* s= */
	char identity[CHECK_DKIM_NAME_LEN]; /* i= as written, "" if absent */
	/* header.b (RFC 6008): the shortest prefix of b=, at least 8
	 * characters, that tells this signature from the message's others */
	char b[CHECK_DKIM_B_LEN];
};

struct check_dkim_results {
	unsigned n; /* signatures reported, in header order */
	struct check_dkim_sig sig[CHECK_DKIM_SIGS_MAX];
	unsigned skipped; /* signatures past the caps, not reported */
	int timed_out;    /* a key had no answer by the deadline */
};

/*
 * A key source: the DNS TXT lookups of one message. The milter's is
 * check_dkim_keys_dns over a dns_resolver; tests supply their own. The
 * functions follow dns.h's contract (an answer's TXT record is the
 * concatenation of its strings) and are called from the message's thread.
 */
struct check_dkim_keys {
	/* open - per-message state, made at the first lookup; 0 or -1 */
	int (*open)(void *ctx, void **q);
	/* ask - start the TXT lookup of `name`; 0 or -1 */
	int (*ask)(void *q, const char *name, unsigned *id);
	/* wait - the answer of `id` once it is in or at `deadline_ms`
	 * (status DNS_PENDING then); borrowed until close; NULL if unknown */
	const struct dns_answer *(*wait)(
	        void *q, unsigned id, int64_t deadline_ms);
	/* close - abandon lookups in flight and free */
	void (*close)(void *q);
};

/* The key source over the milter's DNS layer; its ctx is the
 * struct dns_resolver. */
extern const struct check_dkim_keys check_dkim_keys_dns;

struct check_dkim_opts {
	const struct check_dkim_keys *keys; /* required */
	void *keys_ctx;
	unsigned min_key_bits; /* 0: CHECK_DKIM_MIN_KEY_BITS. Lower values
	                        * break RFC 8301: only for old test corpora */
	unsigned verify_max;   /* 0: CHECK_DKIM_VERIFY_MAX; at most
	                        * CHECK_DKIM_SIGS_MAX */
	unsigned key_cache;    /* public keys kept parsed between messages,
	                        * process-wide (dkim_keycache.h): 0 is
	                        * DKIM_KEYCACHE_DEFAULT, CHECK_DKIM_KEY_CACHE_NONE
	                        * none; the newest verifier's bound holds */
};

struct check_dkim;
struct check_dkim_msg;

/* check_dkim_strerror - a static text for a CHECK_DKIM_E_* code */
const char *check_dkim_strerror(int err);

/* check_dkim_new - a verifier; fails if libopendkim lacks ed25519 */
int check_dkim_new(const struct check_dkim_opts *opts,
        struct check_dkim **out) CHECK_DKIM_MUST_CHECK;

/* check_dkim_free - free a verifier whose messages are all freed; NULL ok */
void check_dkim_free(struct check_dkim *v);

/* check_dkim_msg_new - state for one message */
int check_dkim_msg_new(struct check_dkim *v,
        struct check_dkim_msg **out) CHECK_DKIM_MUST_CHECK;

/* check_dkim_msg_free - abandon the lookups in flight and free; NULL ok */
void check_dkim_msg_free(struct check_dkim_msg *m);

/* check_dkim_msg_header - one header field: `name` without the colon,
 * `value` as received, leading whitespace kept, no final line end */
int check_dkim_msg_header(struct check_dkim_msg *m, const char *name,
        const char *value) CHECK_DKIM_MUST_CHECK;

/* check_dkim_msg_eoh - end of headers: the signatures are parsed and the
 * key lookups of the ones to verify start now */
int check_dkim_msg_eoh(struct check_dkim_msg *m) CHECK_DKIM_MUST_CHECK;

/* check_dkim_msg_body - a body chunk; chunks may split anywhere */
int check_dkim_msg_body(struct check_dkim_msg *m, const void *chunk,
        size_t len) CHECK_DKIM_MUST_CHECK;

/* check_dkim_msg_body_done - 1 when no signature needs more of the body
 * (no signature to verify, or every l= reached): DKIM alone would let the
 * caller answer SMFIS_SKIP; 0 otherwise */
int check_dkim_msg_body_done(const struct check_dkim_msg *m);

/* check_dkim_msg_eom - wait for the keys until `deadline_ms` (dns_now_ms
 * clock), verify, and point *out at the results (borrowed, see
 * OWNERSHIP). Called again, it gives the same results. If a step before
 * was missed (no eoh), the signatures seen get permerror "headers". */
int check_dkim_msg_eom(struct check_dkim_msg *m, int64_t deadline_ms,
        const struct check_dkim_results **out) CHECK_DKIM_MUST_CHECK;

/* check_dkim_symbol - the message's symbol (see SCORING) and, if
 * `weight` is not NULL, its suggested default weight */
const char *check_dkim_symbol(
        const struct check_dkim_results *r, double *weight);

/* check_dkim_result_name - "none", "pass", "fail", "policy",
 * "temperror", "permerror" (the RFC 8601 keywords) */
const char *check_dkim_result_name(enum check_dkim_result r);

/* check_dkim_why_name - a short keyword: "", "badsig", "bodyhash",
 * "keysize", "dns", "timeout", "internal", "nokey", "revoked", "key",
 * "sha1", "expired", "signature", "headers" */
const char *check_dkim_why_name(enum check_dkim_why w);

/* check_dkim_why_text - a short phrase for an A-R comment or a log line,
 * e.g. "body hash did not verify", "no key for signature" */
const char *check_dkim_why_text(enum check_dkim_why w);

/* check_dkim_alg_name - "rsa-sha256", "ed25519-sha256", "rsa-sha1", "" */
const char *check_dkim_alg_name(enum check_dkim_alg a);

#endif /* REPMILTER_CHECK_DKIM_H */
