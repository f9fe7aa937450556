/*
 * dns_wire.h - the DNS reply parser of the DNS module (private).
 *
 * PURPOSE
 *	Internal to the DNS module (dns.c, dns_wire.c, dns_cache.c); nothing
 *	else includes it, and it is not part of the public dns.h. dns_wire.c
 *	decodes a raw reply (wire format, RFC 1035) into a struct dns_answer:
 *	name decompression, the records of the asked type, the CNAME chain
 *	from the question, and the SOA of the authority section for negative
 *	TTLs. It also owns the layout of an answer's records: one block that
 *	holds the records and their strings, which the copy and free below
 *	treat as a unit.
 *
 *	We parse replies ourselves rather than with c-ares's parsers because
 *	we need what they do not give: the SOA minimum, a strict check that
 *	every record belongs to the question, and hard caps on what a hostile
 *	reply can make us allocate. So this header and dns_wire.c must not
 *	include <ares.h>: dns.c stays the only file that does.
 *
 * OWNERSHIP
 *	dns_wire_build_new/dns_wire_build_free. dns_wire_decode fills a
 *	struct dns_answer whose records are freed with dns_wire_answer_free;
 *	dns_wire_answer_copy makes an independent deep copy. The reply and
 *	the query name are borrowed for the call only.
 *
 * THREADS
 *	A struct dns_wire_build is scratch for one thread (the resolver
 *	thread owns the only one). The other functions keep no state.
 *
 * CAVEATS
 *	- An answer keeps at most DNS_WIRE_RR_MAX records and
 *	  DNS_WIRE_BYTES_MAX octets of strings: records past either cap are
 *	  dropped quietly, the first ones kept.
 *	- Names seen in replies are returned in presentation form with
 *	  RFC 1035 5.1 escapes, so a hostile label cannot smuggle in a dot or
 *	  a NUL.
 */
#ifndef REPMILTER_DNS_WIRE_H
#define REPMILTER_DNS_WIRE_H

#include <stddef.h>

#include "dns.h"

#define DNS_WIRE_IN 1                  /* the class IN */
#define DNS_WIRE_RR_MAX 64             /* records kept per answer */
#define DNS_WIRE_BYTES_MAX (64 * 1024) /* string octets kept per answer */

struct dns_wire_build;

/* dns_wire_lower - tolower without the locale: DNS compares ASCII only */
static inline char dns_wire_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* dns_wire_build_new - scratch for decoding replies (some 130 KiB, too
 * much for a stack); NULL when out of memory */
struct dns_wire_build *dns_wire_build_new(void);

/* dns_wire_build_free - free; NULL is a no-op */
void dns_wire_build_free(struct dns_wire_build *bd);

/* dns_wire_decode - the answer to the question (qname, t) carried by the
 * reply msg of len octets. *a is always filled in: its status says what
 * the reply meant (DNS_EBADANSWER for a malformed or inconsistent one,
 * DNS_SERVFAIL for SERVFAIL or REFUSED, DNS_ERROR when out of memory);
 * its ttl is set for ANSWER (the smallest TTL of the records and CNAMEs)
 * and for NXDOMAIN and NODATA (the negative TTL of RFC 2308 5, 0 without
 * a SOA). Names in the reply are matched to qname without regard to
 * ASCII case. */
void dns_wire_decode(struct dns_wire_build *bd, const unsigned char *msg,
        size_t len, const char *qname, enum dns_type t, struct dns_answer *a);

/* dns_wire_answer_copy - a deep copy of src into dst; on failure dst is
 * zeroed (status DNS_PENDING) and -1 is returned */
int dns_wire_answer_copy(struct dns_answer *dst, const struct dns_answer *src);

/* dns_wire_answer_free - release an answer's records; the struct may be
 * reused (nrr 0, rr NULL) */
void dns_wire_answer_free(struct dns_answer *a);

#endif /* REPMILTER_DNS_WIRE_H */
