/*
 * dnsl.h - DNS block- and allowlists: configuration syntax, query names,
 * answer classification and probe bookkeeping. No I/O: check_dnsl.c asks
 * the questions through dns.h, this module says what to ask and what an
 * answer means.
 *
 * SYNTAX
 *	A list of rules separated by commas or white space, as in Postfix's
 *	postscreen_dnsbl_sites, plus a bitmask form:
 *
 *	    zone                      any answer in 127.0.0.0/8 lists; weight 1
 *	    zone*weight               weight: a decimal, negative = allowlist
 *	    zone=127.0.0.2*3          answer must equal the address
 *	    zone=127.0.[0..255].[2;4;9]*-5
 *	                              per octet: N, [N..M] range, [N;M;...] set
 *	                              (postscreen's own form; a set may hold
 *	                              ranges: [1;5..9])
 *	    zone&0x04*2               bitmask: listed when the answer is in
 *	                              127/8 and (answer & mask) != 0; the mask
 *	                              is a 32-bit integer (decimal or 0x hex) or
 *	                              a dotted quad (zone&0.0.0.4)
 *
 *	Several rules may name the same zone; the zone is asked once and every
 *	matching rule adds its weight (as postscreen does).
 *
 * SYMBOLS
 *	Each zone gets a symbol: "RBL_" (address blocklist), "RWL_" (address
 *	allowlist: a zone whose rules all have negative weights), "DBL_"
 *	(domain list) followed by the zone in upper case with every character
 *	other than A-Z and 0-9 turned into '_': zen.spamhaus.org ->
 *	RBL_ZEN_SPAMHAUS_ORG. Domain lists add "_HELO" or "_FROM" for the name
 *	that was asked.
 *
 * ANSWERS
 *	Only A records inside 127.0.0.0/8 that match a rule count. Known error
 *	codes (127.255.255.0/24 and 127.0.0.1 for every list; 127.0.1.255 for
 *	a domain list) and any address outside 127/8 make the answer an error:
 *	logged and counted by the caller, never a listing, and the zone scores
 *	nothing for that query, even when another record of the same answer
 *	would list. NXDOMAIN and NODATA are "not listed".
 *
 * OWNERSHIP
 *	dnsl_parse allocates a struct dnsl_set freed with dnsl_set_free. The
 *	set is immutable after parsing except for each zone's enabled flag
 *	(atomic, see PROBES), so it may be shared by all threads.
 */
#ifndef REPMILTER_DNSL_H
#define REPMILTER_DNSL_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define DNSL_MUST_CHECK __attribute__((warn_unused_result))
#else
#define DNSL_MUST_CHECK
#endif

enum {
	DNSL_OK = 0,
	DNSL_E_SYNTAX = -1,  /* a rule does not parse */
	DNSL_E_ZONE = -2,    /* the zone is not a valid domain name */
	DNSL_E_WEIGHT = -3,  /* weight not a number, zero, or out of range */
	DNSL_E_FILTER = -4,  /* filter octet out of 0..255, empty range, ... */
	DNSL_E_NOMEM = -5,
	DNSL_E_NAME = -6,    /* query name would be too long / bad subject */
	DNSL_E_TOOMANY = -7, /* more than DNSL_ZONES_MAX zones */
};

enum dnsl_kind {
	DNSL_KIND_IP = 1,     /* address lists (dns_lists) */
	DNSL_KIND_DOMAIN = 2, /* domain lists (dns_domain_lists) */
};

/* What one A record in an answer means. */
enum dnsl_verdict {
	DNSL_NOT_LISTED = 0, /* in 127/8 but no rule matched */
	DNSL_LISTED = 1,     /* at least one rule matched */
	DNSL_ERROR_CODE = 2, /* a known error code (127.255.255.x, ...) */
	DNSL_OUTSIDE = 3,    /* outside 127/8: lost or wildcarded zone */
};

#define DNSL_ZONES_MAX 32
#define DNSL_SYMBOL_MAX 80
#define DNSL_QNAME_MAX 254  /* with the NUL */

struct dnsl_set;

/* dnsl_strerror - static text for a DNSL_E_* code */
const char *dnsl_strerror(int err);

/* dnsl_parse - parse `text` (see SYNTAX) as lists of `kind`; on error,
 * `err` (if not NULL) gets a one-line message naming the bad rule */
int dnsl_parse(const char *text, enum dnsl_kind kind, struct dnsl_set **out,
	char *err, size_t errlen) DNSL_MUST_CHECK;

/* dnsl_set_free - free; NULL is a no-op */
void dnsl_set_free(struct dnsl_set *set);

/* dnsl_format - the set back in canonical configuration syntax (for -n);
 * returns the length it needed, like snprintf */
size_t dnsl_format(const struct dnsl_set *set, char *buf, size_t len);

/* dnsl_zone_count, dnsl_zone_name, dnsl_zone_symbol - zones in order of
 * first appearance; index < dnsl_zone_count. Strings borrowed from set. */
unsigned dnsl_zone_count(const struct dnsl_set *set);
const char *dnsl_zone_name(const struct dnsl_set *set, unsigned zone);
const char *dnsl_zone_symbol(const struct dnsl_set *set, unsigned zone);

/* dnsl_zone_is_allowlist - 1 when every rule of the zone has a negative
 * weight */
int dnsl_zone_is_allowlist(const struct dnsl_set *set, unsigned zone);

/* dnsl_qname_ip4, dnsl_qname_ip6 - "4.3.2.1.zone" and the 32-nibble form
 * "b.a.9.8....zone" (lowest nibble first, lower case hex, no compression) */
int dnsl_qname_ip4(const struct in_addr *addr, const char *zone, char *buf,
	size_t len) DNSL_MUST_CHECK;
int dnsl_qname_ip6(const struct in6_addr *addr, const char *zone, char *buf,
	size_t len) DNSL_MUST_CHECK;

/* dnsl_qname_domain - "name.zone" for a domain list; the name is folded to
 * lower case and a trailing dot dropped; DNSL_E_NAME if it is not a
 * hostname or the result exceeds 253 octets */
int dnsl_qname_domain(const char *name, const char *zone, char *buf,
	size_t len) DNSL_MUST_CHECK;

/* dnsl_classify - what one A record means for zone `zone`; when LISTED,
 * *weight (if not NULL) gets the sum of the weights of every matching
 * rule of that zone */
enum dnsl_verdict dnsl_classify(const struct dnsl_set *set, unsigned zone,
	const struct in_addr *answer, double *weight);

/* dnsl_score_answer - classify every record of an A answer; the weight
 * of a zone counts once per distinct matching rule even when several
 * records match it. Returns ERROR_CODE if any record is an error code,
 * else OUTSIDE if any record is outside 127/8 (an error makes the whole
 * answer an error: the zone scores 0 even if another record lists), else
 * LISTED if any record listed, else NOT_LISTED. *weight gets the
 * listing's weight (0 unless LISTED). */
enum dnsl_verdict dnsl_score_answer(const struct dnsl_set *set, unsigned zone,
	const struct in_addr *answers, unsigned n, double *weight);

/*
 * PROBES (RFC 5782 section 5)
 *	An address list must list 127.0.0.2 and must not list 127.0.0.1; a
 *	domain list must list "test" and must not list "invalid". A zone whose
 *	probe fails is disabled until a later probe passes.
 */
enum dnsl_probe_result {
	DNSL_PROBE_PASS = 0,
	DNSL_PROBE_NOT_LISTING = 1,  /* the must-list name is not listed */
	DNSL_PROBE_LISTS_ALL = 2,    /* the must-not-list name is listed */
	DNSL_PROBE_NO_ANSWER = 3,    /* timeout, SERVFAIL, error code */
};

/* dnsl_probe_names - the two names to ask for `zone`: must_list and
 * must_not_list, written into buffers of DNSL_QNAME_MAX */
int dnsl_probe_names(const struct dnsl_set *set, unsigned zone,
	char *must_list, char *must_not_list) DNSL_MUST_CHECK;

/* dnsl_probe_listed - a probe answer's status for dnsl_probe_judge:
 * 1 when it has records, all in 127/8 and none an error code, whatever
 * the zone's filters (a zone=127.0.0.4 rule must not fail the 127.0.0.2
 * probe); 0 with no record; -1 when a record is an error code or outside
 * 127/8 */
int dnsl_probe_listed(const struct dnsl_set *set, unsigned zone,
	const struct in_addr *answers, unsigned n);

/* dnsl_probe_judge - the probe's verdict from the two answers' statuses:
 * `listed_pos`/`listed_neg` are 1 listed, 0 not listed, -1 no usable
 * answer (timeout, SERVFAIL, error code, outside 127/8) */
enum dnsl_probe_result dnsl_probe_judge(int listed_pos, int listed_neg);

/* dnsl_probe_result_name - "pass", "not-listing", ... (static) */
const char *dnsl_probe_result_name(enum dnsl_probe_result r);

/* dnsl_zone_enabled, dnsl_zone_set_enabled - probe state of a zone; a new
 * set has every zone enabled. The flag is atomic: workers read it while
 * the prober thread writes it. */
int dnsl_zone_enabled(const struct dnsl_set *set, unsigned zone);
void dnsl_zone_set_enabled(struct dnsl_set *set, unsigned zone, int enabled);

#endif /* REPMILTER_DNSL_H */
