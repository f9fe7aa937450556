/*
 * orgdom.h - domain names in canonical form, and the organisational domain
 * (RFC 7489 section 3.2) from the Public Suffix List through libpsl.
 *
 * PURPOSE
 *	DMARC compares domains by their organisational domain: the public
 *	suffix that matches most labels, plus one label to its left. This
 *	module is the only one that includes <libpsl.h>; it also turns any
 *	domain that arrives in a header (upper case, U-labels, a trailing
 *	dot) into the one form the list, the DNS and the comparisons use:
 *	lower-case A-labels without a trailing dot.
 *
 * WHICH LIST
 *	orgdom_open(NULL, ...) calls psl_latest(NULL). On Debian 12 libpsl5
 *	knows two copies of the list, both from the `publicsuffix` package:
 *	the one compiled into libpsl5 when it was built, and
 *	/usr/share/publicsuffix/public_suffix_list.dafsa, which the package
 *	replaces on every update. libpsl takes the file when its mtime is
 *	newer than the list built in, else the built-in copy; so an updated
 *	`publicsuffix` package wins at the next start without a new libpsl.
 *	orgdom_source() says which one was taken. orgdom_open(PATH, ...)
 *	loads exactly that file (.dat text or .dafsa), for an operator who
 *	keeps their own list, or for a test that needs a fixed one.
 *	The whole list is used, private-use section included (the PSL test
 *	vectors and the common DMARC implementations do so).
 *
 * OWNERSHIP
 *	orgdom_open/orgdom_close. Results are written into caller buffers.
 *
 * THREADS
 *	Load once at start; the handle is then read-only and may be shared
 *	by every thread without a lock (libpsl's lookups do not write to the
 *	context). Close it only when no thread uses it any more.
 *
 * ERRORS
 *	Functions return 0 or a negative ORGDOM_E_* code (orgdom_strerror).
 *	Outputs are untouched on failure. Nothing here prints or aborts.
 */
#ifndef REPMILTER_ORGDOM_H
#define REPMILTER_ORGDOM_H

#include <stddef.h>

#if defined(__GNUC__)
#define ORGDOM_MUST_CHECK __attribute__((warn_unused_result))
#else
#define ORGDOM_MUST_CHECK
#endif

/* A canonical name fits in ORGDOM_NAME_LEN bytes with its NUL. */
#define ORGDOM_NAME_MAX 253
#define ORGDOM_NAME_LEN (ORGDOM_NAME_MAX + 1)

enum {
	ORGDOM_OK = 0,
	ORGDOM_E_INVAL = -1,   /* not a usable domain name */
	ORGDOM_E_NONE = -2,    /* a public suffix: no registrable domain */
	ORGDOM_E_NOSPACE = -3, /* the output buffer is too small */
	ORGDOM_E_LOAD = -4,    /* the list could not be loaded */
};

struct orgdom;

/* orgdom_strerror - a static text for an ORGDOM_E_* code */
const char *orgdom_strerror(int err);

/* orgdom_open - load the list: `path` NULL for the newest of Debian's
 * file and libpsl's built-in copy (see WHICH LIST), else that file */
int orgdom_open(const char *path, struct orgdom **out) ORGDOM_MUST_CHECK;

/* orgdom_close - free the list; NULL is a no-op */
void orgdom_close(struct orgdom *o);

/* orgdom_source - "built-in" or the file name that was loaded (borrowed,
 * lives as long as the handle) */
const char *orgdom_source(const struct orgdom *o);

/* orgdom_canon - `len` bytes of `in` (no NUL needed) as a canonical name:
 * one trailing dot dropped, U-labels converted to A-labels (IDNA2008
 * with UTS #46 non-transitional mapping, as libidn2 does it), ASCII
 * lower-cased; labels of 1-63 bytes of letters, digits, '-' and '_',
 * at most 253 bytes, a last label that is not all digits (an address is
 * not a domain). ORGDOM_E_INVAL otherwise. */
int orgdom_canon(
        const char *in, size_t len, char *out, size_t outlen) ORGDOM_MUST_CHECK;

/* orgdom_registrable - the registrable domain of `domain` (any form
 * orgdom_canon accepts): ORGDOM_E_NONE when `domain` is itself a public
 * suffix or lies under no rule but its own label, as the PSL test
 * vectors want */
int orgdom_registrable(const struct orgdom *o, const char *domain, char *out,
        size_t outlen) ORGDOM_MUST_CHECK;

/* orgdom_find - the organisational domain for DMARC: the registrable
 * domain, or the canonical name itself when it is a public suffix (so a
 * public suffix only ever aligns with itself) */
int orgdom_find(const struct orgdom *o, const char *domain, char *out,
        size_t outlen) ORGDOM_MUST_CHECK;

#endif /* REPMILTER_ORGDOM_H */
