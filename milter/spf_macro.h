/*
 * spf_macro.h - SPF macro-strings (RFC 7208 section 7): strict validation
 * and expansion.
 *
 * PURPOSE
 *	Debian 12's libspf2 1.2.10 has an integer underflow in its macro
 *	parser (SPF_c_parse_var, CVE-2023-42118) reachable from a TXT record
 *	the sender controls. Every macro-string of a record is checked here
 *	against the RFC 7208 grammar before libspf2 compiles the record, and
 *	anything outside a narrow, well-tested subset is refused:
 *
 *	  macro-expand = "%{" letter [digits] ["r"] *delimiter "}"
 *	               / "%%" / "%_" / "%-"
 *	  macro-literal = %x21-24 / %x26-7E      (explain-string adds SP)
 *
 *	plus limits the grammar leaves open: at most 3 digits with a value
 *	1..128 (libspf2 refuses more, 0 is invalid per 7.3), at most 8
 *	delimiters. In a domain-spec the letters c, r and t are invalid
 *	(7.3) and so are the delimiters ',' and '/', which the RFC allows but
 *	libspf2 cannot compile. Explanation text is never given to libspf2:
 *	spf_macro_expand expands it here.
 *
 * OWNERSHIP
 *	Pure functions on caller buffers: no allocation, no I/O, no globals.
 *	Strings are (pointer, length): a TXT record may contain NUL bytes,
 *	which are never valid.
 *
 * THREADS
 *	Reentrant.
 */
#ifndef REPMILTER_SPF_MACRO_H
#define REPMILTER_SPF_MACRO_H

#include <stddef.h>

enum spf_macro_ctx {
	SPF_MACRO_DOMAIN = 0,  /* a domain-spec: letters slodipvh, no SP */
	SPF_MACRO_EXPLAIN = 1, /* exp= text: all 11 letters, SP allowed */
	SPF_MACRO_ANY = 2,     /* unknown-modifier value: any letter, no SP */
};

/* Values of the macro letters, NUL-terminated; NULL expands to "". */
struct spf_macro_vars {
	const char *s, *l, *o, *d, *i, *p, *v, *h, *c, *r, *t;
};

/* spf_macro_check - 0 if s[0..len) is a valid macro-string in `ctx`, else
 * -1 with *why (static text) naming the first fault */
int spf_macro_check(
        const char *s, size_t len, enum spf_macro_ctx ctx, const char **why);

/* spf_macro_last_is_expand - 1 if a valid macro-string ends in "%{...}"
 * (a domain-spec may end in a macro instead of a toplabel) */
int spf_macro_last_is_expand(const char *s, size_t len);

/* spf_macro_uses - 1 if a valid macro-string uses `letter` (either case) */
int spf_macro_uses(const char *s, size_t len, char letter);

/* spf_macro_cost - an upper bound of the bytes libspf2 compiles a valid
 * macro-string into (a 4-byte header per literal run and per macro, runs
 * padded to 8); callers refuse strings that come near libspf2's 511-byte
 * buffers, where its CVE-2023-42118 arithmetic lives */
size_t spf_macro_cost(const char *s, size_t len);

/* spf_macro_expand - expand a valid macro-string into `out` (always
 * NUL-terminated when outlen > 0); 0, or -1 if it did not fit. Upper-case
 * letters are URL-escaped (7.3: unreserved characters kept, the rest
 * %XX). No domain truncation: that is the caller's (only names have it). */
int spf_macro_expand(const char *s, size_t len, const struct spf_macro_vars *v,
        char *out, size_t outlen);

#endif /* REPMILTER_SPF_MACRO_H */
