/*
 * authres.h - the Authentication-Results header (RFC 8601): the value we
 * write, and the authserv-id of the ones a message arrives with.
 *
 * PURPOSE
 *	The writer turns the results of the checks (iprev, SPF, DKIM, DMARC,
 *	and our own DNS-list, reputation and score verdicts) into one header
 *	value under our authserv-id. It knows nothing of the check modules:
 *	they map their results into the small structs below.
 *
 *	The reader finds the authserv-id of an incoming header, so that the
 *	milter can remove every header that claims to be ours before it adds
 *	its own (RFC 8601 section 5: a forged "ours" header would otherwise be
 *	trusted downstream).
 *
 * WHAT WE WRITE
 *	  mx.example.org;
 *		iprev=pass policy.iprev=192.0.2.1;
 *		spf=pass smtp.mailfrom=a@example.com smtp.helo=mail.example.com;
 *		dkim=pass header.d=example.com header.s=sel header.b=AbCdEfGh;
 *		dmarc=pass header.from=example.com;
 *		x-dnsbl=fail policy.listed=RBL_EXAMPLE;
 *		x-reputation=neutral policy.score=0.8;
 *		x-repmilter=fail policy.score=7.5 policy.required=5.0
 *		policy.tests="RBL_EXAMPLE,REP_IP_BAD"
 *	or "mx.example.org; none" when no check ran. Resinfos come in that
 *	order; each begins on a new line. No version number (1 is implied),
 *	no comments, no reason= (network data in a comment is one more
 *	place to get escaping wrong, and readers ignore comments anyway).
 *
 *	The three x- methods are ours (RFC 8601 section 2.7.6: experimental
 *	methods carry an "x-" prefix); their properties use ptype "policy",
 *	the ptype for locally defined policy:
 *	  x-dnsbl	the DNS lists (client address, HELO and sender domains).
 *			fail: on a blocklist; pass: queried and not on a
 *			blocklist (on an allowlist, if listed names it);
 *			temperror: a list did not answer and none listed;
 *			none: nothing to look up (e.g. a local client).
 *			policy.listed = the symbols that matched,
 *			comma-separated.
 *	  x-reputation	the reputation store. pass: good history; fail: bad
 *			history; neutral: history, neither; none: no history;
 *			temperror: the store could not be read.
 *			policy.score = the reputation term of the score.
 *	  x-repmilter	the verdict, as in X-Spam-Status. pass: below the
 *			required score; fail: at or above it (spam); none: not
 *			scored, policy.skipped says why (authenticated,
 *			internal, allow, allowlist). policy.score,
 *			policy.required, policy.tests (comma-separated).
 *	Each is left out when its result is AUTHRES_UNSET.
 *
 * VALUES
 *	Values that come from the network (domains, addresses, selectors,
 *	b=) are written as an RFC 2045 token or a local-part@domain when they
 *	are one, else as a quoted-string with '"' and '\' escaped. Bytes
 *	that cannot appear in a quoted-string (CR, LF, other controls) and
 *	bytes that are not UTF-8 become '?'; well-formed UTF-8 is kept (RFC
 *	6532) unless ascii_only is set, then it becomes '?' too. So no value
 *	can end a resinfo, open a comment or start a line. A value longer
 *	than AUTHRES_VALUE_MAX octets is left out with its property (no
 *	SMTP path or domain is that long, RFC 5321 section 4.5.3.1, and a
 *	cut domain could name someone else); a list (listed, tests) is cut
 *	after its last whole item instead. NULL or "" leaves the property out.
 *
 * FOLDING
 *	For smfi_addheader/smfi_insheader: lines are joined by "\n\t", as
 *	X-Spam-Status is. libmilter's documentation asks for a bare LF (the
 *	MTA adds the CR) and says the value is not checked or folded by
 *	anyone, hence the folding here. Each resinfo starts a line; a
 *	property moves to the next line when its line would pass 78
 *	characters, counting "Authentication-Results: " in front of the
 *	first line and a tab as one character. A fold never falls inside a
 *	property=value, so a line is longer than 78 only when one
 *	property=value is; the first line is "<authserv-id>;" whatever its
 *	length. No line can reach 998 octets.
 *
 * OWNERSHIP
 *	Every string argument is borrowed for the duration of the call. The
 *	caller owns the output buffers; on failure they are untouched.
 *
 * THREADS
 *	No state: every function is reentrant.
 *
 * CAVEATS
 *	- Remove incoming headers in reverse index order: smfi_chgheader
 *	  indexes count the headers of one name, so removing 1 first shifts
 *	  the rest and skips one (CVE-2022-48521, OpenDKIM).
 *	- The header SHOULD go at the top of the message (RFC 8601 section
 *	  2.1), like a trace field: smfi_insheader at index 0.
 *	- Header names compare without case ("Authentication-results" is
 *	  the same field).
 */
#ifndef REPMILTER_AUTHRES_H
#define REPMILTER_AUTHRES_H

#include <stddef.h>

#define AUTHRES_HEADER "Authentication-Results"
#define AUTHRES_ID_MAX 255       /* longest authserv-id we write or match */
#define AUTHRES_VALUE_MAX 320    /* longest value written, in octets */
#define AUTHRES_DKIM_MAX 16      /* signatures written; the rest are not */
#define AUTHRES_B_MIN 8          /* shortest header.b (RFC 6008) */
#define AUTHRES_B_MAX 64         /* longest header.b written */
#define AUTHRES_HEADER_SIZE 8192 /* holds any header of ordinary inputs */

/* Error codes: negative, see authres_strerror. */
#define AUTHRES_EINVAL (-1)  /* bad input to the writer */
#define AUTHRES_ESYNTAX (-2) /* no authserv-id in the header */
#define AUTHRES_ENOSPC (-3)  /* the output buffer is too small */

/* Results, by their IANA names. Which ones a method takes is checked: the
 * IANA "Email Authentication Result Names" registry for the registered
 * methods, the table in WHAT WE WRITE for ours. */
enum authres_result {
	AUTHRES_UNSET = 0, /* the check did not run: no resinfo */
	AUTHRES_NONE,
	AUTHRES_PASS,
	AUTHRES_FAIL,
	AUTHRES_SOFTFAIL, /* spf only */
	AUTHRES_NEUTRAL,  /* spf, dkim, x-reputation */
	AUTHRES_POLICY,   /* spf, dkim */
	AUTHRES_TEMPERROR,
	AUTHRES_PERMERROR,
};

/* iprev: policy.iprev is the client address, as text. */
struct authres_iprev {
	enum authres_result result; /* pass fail temperror permerror */
	const char *addr;
};

/* spf: the MAIL FROM identity and/or the HELO identity checked. */
struct authres_spf {
	enum authres_result result; /* all but UNSET */
	const char *mailfrom;       /* smtp.mailfrom, "user@domain" */
	const char *helo;           /* smtp.helo */
};

/* dkim: one signature. `b` is the signature's b= tag, whole or in part,
 * folding whitespace included: header.b gets its first AUTHRES_B_MIN
 * characters, more when needed to tell it from the other signatures
 * (RFC 6008), at most AUTHRES_B_MAX. */
struct authres_dkim {
	enum authres_result result; /* none pass fail policy neutral
	                             * temperror permerror */
	const char *domain;         /* header.d */
	const char *selector;       /* header.s */
	const char *identity;       /* header.i, or NULL */
	const char *b;              /* header.b source, or NULL */
};

/* dmarc: header.from is the RFC5322.From domain. */
struct authres_dmarc {
	enum authres_result result; /* none pass fail temperror permerror */
	const char *from;
};

/* x-dnsbl (see WHAT WE WRITE) */
struct authres_dnsl {
	enum authres_result result; /* pass fail temperror none */
	const char *listed;         /* "RBL_X,DBL_Y", or NULL */
};

/* x-reputation (see WHAT WE WRITE) */
struct authres_rep {
	enum authres_result result; /* pass fail neutral none temperror */
	double score;               /* NaN: left out */
};

/* x-repmilter (see WHAT WE WRITE) */
struct authres_verdict {
	enum authres_result result; /* pass fail none */
	double score;               /* NaN: left out */
	double required;            /* NaN: left out */
	const char *tests;          /* "RBL_X,REP_IP_BAD", or NULL */
	const char *skipped;        /* for none: "authenticated", ... */
};

/* Everything the header says. Start from authres_init. */
struct authres {
	const char *authserv_id; /* ours: must pass authres_id_valid */
	int ascii_only;          /* non-ASCII becomes '?' (the message
	                          * is not SMTPUTF8) */
	struct authres_iprev iprev;
	struct authres_spf spf;
	const struct authres_dkim *dkim; /* ndkim signatures */
	size_t ndkim;
	struct authres_dmarc dmarc;
	struct authres_dnsl dnsl;
	struct authres_rep rep;
	struct authres_verdict verdict;
};

/* authres_init - no results (every check UNSET, scores NaN) under
 * `authserv_id` (borrowed: it must outlive *ar) */
void authres_init(struct authres *ar, const char *authserv_id);

/* authres_format - the header value for *ar (see WHAT WE WRITE, VALUES,
 * FOLDING), without the name. Returns its length like snprintf: when
 * the result is >= len nothing is written (never a cut header) and the
 * caller may retry with a buffer of result + 1 bytes. AUTHRES_EINVAL,
 * buf untouched, when the authserv-id is invalid or a result is not one
 * its method takes. Signatures past AUTHRES_DKIM_MAX are not written.
 * AUTHRES_HEADER_SIZE holds any header whose values are of ordinary
 * length (under 64 octets) with up to AUTHRES_DKIM_MAX signatures. */
int authres_format(const struct authres *ar, char *buf, size_t len)
        __attribute__((warn_unused_result));

/* authres_authserv_id - the authserv-id an incoming header value claims,
 * into out (NUL-terminated). Lenient on purpose, since the point is to
 * catch every header a downstream reader could take as ours:
 *   - leading whitespace, CR, LF and comments are skipped; comments nest
 *     and may hold quoted-pairs: "(a (b) \) c) mx.example.org; ...";
 *   - the id is a quoted-string (unquoted, quoted-pairs undone, line
 *     breaks removed) or the longest run of RFC 2045 token characters,
 *     so "mx.example.org(c);" gives "mx.example.org";
 *   - whatever follows the id (a version, junk, nothing) is not checked:
 *     "mx.example.org", "mx.example.org 1; none" and
 *     "mx.example.org foo = = bar;" all give "mx.example.org";
 *   - Microsoft's order, results first ("spf=pass ...; mx.example.org;
 *     dkim=..."): when the first word is followed by "=" or "/1=" (a
 *     method), the id is the first later ';'-separated element that is
 *     one lone word.
 * Returns 0, AUTHRES_ESYNTAX when there is no id (empty, only comments,
 * an unterminated comment or quoted-string, a header that starts with
 * ';' or '='), AUTHRES_ENOSPC when the id does not fit in len bytes. out
 * is untouched on failure. */
int authres_authserv_id(const char *value, char *out, size_t len)
        __attribute__((warn_unused_result));

/* authres_id_equal - 1 when two authserv-ids are the same: ASCII case
 * ignored, and one trailing dot ("mx.example.org." is the same host) */
int authres_id_equal(const char *a, const char *b);

/* authres_is_ours - 1 when the header value claims the authserv-id
 * `ours` (as authres_authserv_id finds it, or, in Microsoft's order, as
 * its first word: "ours=x; other" counts too), 0 otherwise, including
 * when it has none. The milter removes the header when this is 1. */
int authres_is_ours(const char *value, const char *ours);

/* authres_id_valid - 1 when `id` can be our authserv-id: 1 to
 * AUTHRES_ID_MAX RFC 2045 token characters (a host name is one) */
int authres_id_valid(const char *id);

/* authres_result_name - "pass", "fail", ...; "" for AUTHRES_UNSET */
const char *authres_result_name(enum authres_result r);

/* authres_strerror - text for an AUTHRES_E* code */
const char *authres_strerror(int err);

#endif /* REPMILTER_AUTHRES_H */
