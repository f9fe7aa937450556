/*
 * spf_parse.h - one SPF record: recognize it, check it against the RFC 7208
 * grammar, and write the canonical form that libspf2 compiles.
 *
 * PURPOSE
 *	libspf2 1.2.10 accepts records the RFC calls permerror (bad or empty
 *	domain-specs, duplicate modifiers, bad modifier names, 8-bit and
 *	control characters, "/032"), refuses valid ones ("/0" prefixes,
 *	modifier names with '.', redirect= before the mechanisms) and has an
 *	exploitable macro parser (see spf_macro.h). So every record is parsed
 *	here first; an invalid one is permerror and never reaches libspf2. A
 *	valid one is rewritten into a form libspf2 evaluates correctly:
 *
 *	  - mechanisms for the other address family are dropped (ip4 for an
 *	    IPv6 client and the reverse; they never match), and a/mx keep only
 *	    the prefix length of the client's family;
 *	  - "ip4:x/0" becomes "ip4:0.0.0.0/1 ip4:128.0.0.0/1" with the same
 *	    qualifier (ip6 likewise); "a/0" and "mx/0" become "a:" on a
 *	    synthetic name under SPF_PARSE_ANY_SUFFIX, which spf_dns.c answers
 *	    with the client's own address when the real lookup has any;
 *	  - redirect= goes after the mechanisms, and is dropped when the
 *	    record has "all" (it could never apply); exp= is kept last;
 *	  - unknown modifiers are dropped (they have no effect).
 *
 * OWNERSHIP
 *	A struct spf_record_info borrows its strings from the record text,
 *	which must outlive it. No allocation.
 *
 * THREADS
 *	Reentrant.
 *
 * CAVEATS
 *	- Length limits the RFC leaves open are permerror: a record longer
 *	  than SPF_PARSE_MAX_LEN, more than SPF_PARSE_MAX_TERMS terms, a
 *	  domain-spec longer than 253 characters or costlier than
          SPF_PARSE_SPEC_COST (spf_macro_cost), far from libspf2's buffers.
 *	- libspf2 still refuses records whose compiled mechanisms exceed about
 *	  500 bytes; spf_dns.c reports those as permerror.
 */
#ifndef REPMILTER_SPF_PARSE_H
#define REPMILTER_SPF_PARSE_H

#include <stddef.h>

#define SPF_PARSE_MAX_LEN 2048
#define SPF_PARSE_MAX_TERMS 64
#define SPF_PARSE_SPEC_MAX 253
#define SPF_PARSE_SPEC_COST 384 /* spf_macro_cost bound; libspf2 has 511 */

/* Synthetic names: "<target>" SPF_PARSE_ANY_A or SPF_PARSE_ANY_MX. */
#define SPF_PARSE_ANY_SUFFIX ".repmilter-spf.invalid"
#define SPF_PARSE_ANY_A "._any-a" SPF_PARSE_ANY_SUFFIX
#define SPF_PARSE_ANY_MX "._any-mx" SPF_PARSE_ANY_SUFFIX

enum spf_mech {
	SPF_MECH_ALL = 1,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS,
};

/* One directive. `spec` points into the record; NULL when absent. */
struct spf_term {
	enum spf_mech mech;
	char qualifier; /* '+', '-', '~' or '?' */
	int cidr4;      /* -1: absent */
	int cidr6;      /* -1: absent */
	const char *spec;
	size_t spec_len;
	unsigned char addr[16]; /* ip4 (first 4 bytes) or ip6 network */
};

struct spf_record_info {
	unsigned nterms;
	struct spf_term term[SPF_PARSE_MAX_TERMS];
	const char *redirect; /* domain-spec, NULL when absent */
	size_t redirect_len;
	const char *exp; /* domain-spec, NULL when absent */
	size_t exp_len;
	int has_all;
};

/* spf_parse_is_spf1 - 1 if `txt` begins with the version "v=spf1" (any
 * case) followed by a space or the end (4.5) */
int spf_parse_is_spf1(const char *txt, size_t len);

/* spf_parse_record - parse and check a record; 0, or -1 with *why (a
 * static text) when it is invalid (permerror). *out is filled on success. */
int spf_parse_record(const char *txt, size_t len, struct spf_record_info *out,
        const char **why);

/* spf_parse_canonical - the record for a client of `family` (AF_INET or
 * AF_INET6) as libspf2 must see it; 0, or -1 if it does not fit */
int spf_parse_canonical(
        const struct spf_record_info *r, int family, char *out, size_t outlen);

/* spf_parse_domain_ok - 1 if `d` may be a check_host() <domain> (4.3):
 * at most 253 octets, at least two labels of 1 to 63 octets (one trailing
 * dot allowed), printable ASCII without '@', brackets, quotes or '\', and
 * a top label that is not all digits (no address literals) */
int spf_parse_domain_ok(const char *d);

#endif /* REPMILTER_SPF_PARSE_H */
