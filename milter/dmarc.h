/*
 * dmarc.h - the pure parts of DMARC (RFC 7489): the policy record, the
 * RFC5322.From domain, identifier alignment. No DNS, no clock, no globals;
 * check_dmarc.h puts them together with the DNS.
 *
 * OWNERSHIP
 *	Inputs are borrowed for the call; results go to caller storage.
 *
 * THREADS
 *	Every function is reentrant. The struct orgdom they take is shared
 *	read-only (see orgdom.h).
 *
 * ERRORS
 *	Functions return 0 or a negative DMARC_E_* code (dmarc_strerror);
 *	outputs are untouched on failure. Hostile input (NUL bytes, 8-bit
 *	bytes, unterminated quotes and comments, very long values) gives an
 *	error code, never a crash or a read past `len`.
 *
 * RECORD RULES (RFC 7489 6.3, 6.4, 6.6.3)
 *	- A record is DMARC only if its first tag is v=DMARC1: the tag name
 *	  in any case, the value exactly "DMARC1" (the ABNF spells it with
 *	  %x codes, so it is case-sensitive). Anything else is
 *	  DMARC_E_NOTDMARC: discarded, as if absent.
 *	- Tags are separated by ';' with optional blanks (SP, HTAB, CR, LF)
 *	  around tags, '=' and ';'; a trailing ';' and empty elements are
 *	  accepted. Tag names are ALPHA *(ALPHA / DIGIT / "_") in any case;
 *	  values are printable ASCII. A tag without '=', a bad name, a byte
 *	  outside printable ASCII or a known tag given twice is
 *	  DMARC_E_SYNTAX (DKIM tag-list rules, RFC 6376 3.2).
 *	- p and sp: none, quarantine or reject, in any case. sp defaults to p.
 *	  adkim and aspf: r or s (default r). pct: 0-100, 1 to 3 digits
 *	  (default 100). A bad adkim, aspf or pct is DMARC_E_BADVALUE.
 *	- rua is checked for at least one syntactically valid URI, because
 *	  RFC 7489 6.6.3 step 6 needs it: when p is missing or invalid, or sp
 *	  invalid, a record with such a rua counts as "v=DMARC1; p=none"
 *	  (p_assumed = 1); without one it is DMARC_E_NOPOLICY.
 *	- ruf, fo, rf, ri are reporting tags: we send no reports, so their
 *	  values are ignored (a bad ri or rf does not void the policy).
 *	  Unknown tags (np, psd, t of later drafts too) are ignored.
 *
 * FROM RULES (RFC 5322 3.4, RFC 7489 6.6.1)
 *	dmarc_from_domain reads one From header value: display names (quoted
 *	or not, encoded words), comments (nested, with quoted pairs),
 *	folding, angle addresses with obsolete routes, groups, several
 *	mailboxes; a U-label domain becomes A-labels (RFC 7489 6.6.1).
 *	Several addresses in one domain give that domain. Addresses in
 *	different domains give DMARC_E_FROM_MULTI: RFC 7489 6.6.1 would have
 *	each evaluated and the strictest failing policy applied; we treat the
 *	message as one DMARC cannot evaluate (check_dmarc gives permerror),
 *	because such mail is rare and a classic way to show a reader one
 *	domain while another one is checked. The caller handles a message
 *	with several From fields the same way.
 */
#ifndef REPMILTER_DMARC_H
#define REPMILTER_DMARC_H

#include <stddef.h>

#include "orgdom.h"

#if defined(__GNUC__)
#define DMARC_MUST_CHECK __attribute__((warn_unused_result))
#else
#define DMARC_MUST_CHECK
#endif

/* A canonical domain (see orgdom_canon) with its NUL. */
#define DMARC_DOMAIN_LEN ORGDOM_NAME_LEN

enum {
	DMARC_OK = 0,
	DMARC_E_INVAL = -1,       /* a bad argument */
	DMARC_E_NOTDMARC = -2,    /* not a DMARC record: discard it */
	DMARC_E_SYNTAX = -3,      /* a DMARC record that breaks the syntax */
	DMARC_E_BADVALUE = -4,    /* adkim, aspf or pct out of range */
	DMARC_E_NOPOLICY = -5,    /* p missing/invalid or sp invalid, no rua */
	DMARC_E_FROM_SYNTAX = -6, /* the From value cannot be parsed */
	DMARC_E_FROM_NONE = -7,   /* no address (empty, or an empty group) */
	DMARC_E_FROM_DOMAIN = -8, /* an address literal or an invalid domain */
	DMARC_E_FROM_MULTI = -9,  /* addresses in different domains */
	DMARC_E_NOSPACE = -10,    /* the output buffer is too small */
};

/* The policies, in increasing strictness. */
enum dmarc_policy {
	DMARC_POLICY_NONE = 0,
	DMARC_POLICY_QUARANTINE = 1,
	DMARC_POLICY_REJECT = 2,
};

/* A parsed policy record: a value type. */
struct dmarc_record {
	enum dmarc_policy p;
	enum dmarc_policy sp;       /* p when the record has none */
	unsigned pct;               /* 0..100 */
	unsigned char adkim_strict; /* 1: adkim=s */
	unsigned char aspf_strict;  /* 1: aspf=s */
	unsigned char has_sp;       /* sp was given */
	unsigned char p_assumed;    /* p=none by RFC 7489 6.6.3 step 6 */
	unsigned char rua_valid;    /* rua holds a syntactically valid URI */
};

/* dmarc_strerror - a static text for a DMARC_E_* code */
const char *dmarc_strerror(int err);

/* dmarc_policy_name - "none", "quarantine", "reject" (static) */
const char *dmarc_policy_name(enum dmarc_policy p);

/* dmarc_record_parse - one TXT record of `len` bytes (NULs allowed; see
 * RECORD RULES) into *out */
int dmarc_record_parse(
        const char *txt, size_t len, struct dmarc_record *out) DMARC_MUST_CHECK;

/* dmarc_from_domain - the one author domain of a From header value (see
 * FROM RULES), canonical, into `out` (DMARC_DOMAIN_LEN is enough) */
int dmarc_from_domain(
        const char *value, char *out, size_t outlen) DMARC_MUST_CHECK;

/* dmarc_aligned - 1 if identifier domain `id` aligns with author domain
 * `author` (RFC 7489 3.1): strict, the same name; relaxed, the same
 * organisational domain. Either name is canonicalised first; a name that
 * is not a usable domain aligns with nothing (0). */
int dmarc_aligned(
        const struct orgdom *o, const char *author, const char *id, int strict);

#endif /* REPMILTER_DMARC_H */
