/*
 * fakedns.h - a scripted DNS server on 127.0.0.1 for tests.
 *
 * One thread serves a UDP socket and a TCP listener on one free loopback
 * port, answering each question from a table of rows. A row names an owner
 * ("*.x" matches every name ending in ".x"), the question type it answers
 * (0: every type) and what to send back: records with a TTL, NXDOMAIN or
 * NODATA with or without a SOA, SERVFAIL, REFUSED, silence, or one of a
 * few malformed replies. A row may also hold its UDP reply back for a
 * while. Replies longer than 512 octets go the way real servers send them:
 * truncated over UDP, then in full over TCP. The server counts the
 * questions each row got, which is how a test tells a cache hit from a
 * query. Nothing here talks to anything outside 127.0.0.0/8.
 *
 * Question matching, in order: the first row whose name matches and whose
 * type is 0 or the question's type answers. A name that some row matches,
 * but none for this type, gets NODATA without a SOA (and counts as a
 * question to the first row of that name). Any other name gets NXDOMAIN
 * without a SOA. Names are compared in lower case: write rows in lower case.
 *
 * Caveats: the table is borrowed and must outlive the server; TXT strings
 * are at most 255 octets; at most 128 delayed replies may be pending and 8
 * TCP connections open at a time (beyond that the server aborts or drops
 * the connection). A failing test that leaves the server running leaks it.
 */
#ifndef REPMILTER_FAKEDNS_H
#define REPMILTER_FAKEDNS_H

#include <stddef.h>
#include <stdint.h>

/* What a row answers with; `data` as described for each. */
enum fakedns_kind {
	FAKEDNS_A,        /* data: IPv4 addresses separated by blanks */
	FAKEDNS_AAAA,     /* data: IPv6 addresses separated by blanks */
	FAKEDNS_TXT,      /* data: records separated by \n, strings by | */
	FAKEDNS_MX,       /* data: "pref host" lines separated by \n */
	FAKEDNS_PTR,      /* data: a host name */
	FAKEDNS_CNAME,    /* data: the target, which gets A 192.0.2.9 */
	FAKEDNS_ECHO,     /* A 10.0.N/256.N%256 for a name "N.<anything>" */
	FAKEDNS_NXDOMAIN, /* SOA TTL `ttl`, MINIMUM `soa_min`; no SOA if 0 */
	FAKEDNS_NODATA,   /* the same, with NOERROR */
	FAKEDNS_SERVFAIL,
	FAKEDNS_REFUSED,
	FAKEDNS_DROP,       /* never answers */
	FAKEDNS_TRUNC,      /* hostile: an A reply cut short in its record */
	FAKEDNS_RDLEN_LIE,  /* hostile: an A record whose RDLENGTH says 200 */
	FAKEDNS_WRONG_NAME, /* hostile: an A record for another name */
	FAKEDNS_MANY_A,     /* 500 A records 10.1.i/256.i%256 (over TCP) */
	FAKEDNS_PTR_LOOP,   /* hostile: a PTR name that points to itself */
};

/* One row of the script. */
struct fakedns_row {
	const char *name; /* owner; "*.x" matches names ending in ".x" */
	unsigned type;    /* question type answered (1 A, 16 TXT...); 0 any */
	enum fakedns_kind kind;
	uint32_t ttl;      /* of the records, or of the SOA */
	uint32_t soa_min;  /* SOA MINIMUM of a negative answer; 0: no SOA */
	unsigned delay_ms; /* UDP replies are sent this much later */
	const char *data;  /* see enum fakedns_kind; NULL where unused */
};

struct fakedns;

/* fakedns_start - serve the n rows of `zone` (borrowed) on a free loopback
 * port; NULL when a socket or the thread cannot be had */
struct fakedns *fakedns_start(const struct fakedns_row *zone, size_t n);

/* fakedns_servers - "127.0.0.1:PORT", for struct dns_opts; lives as long
 * as the server */
const char *fakedns_servers(const struct fakedns *d);

/* fakedns_asked - how many questions the rows matching `name` got so far;
 * callable from any thread */
unsigned fakedns_asked(struct fakedns *d, const char *name);

/* fakedns_stop - stop the thread, drop pending replies, free; NULL is a
 * no-op */
void fakedns_stop(struct fakedns *d);

#endif /* REPMILTER_FAKEDNS_H */
