/*
 * tiny_dns.h - a scripted DNS server on 127.0.0.1 (UDP only) for the test
 * of check_dkim's glue to the real DNS layer: it answers each question from
 * a table (one TXT record, an rcode, or silence); unknown names get
 * NXDOMAIN. One thread per server; nothing leaves 127.0.0.0/8.
 */
#ifndef REPMILTER_TINY_DNS_H
#define REPMILTER_TINY_DNS_H

#include <stddef.h>

struct tiny_dns_zone {
	const char *name; /* without the final dot, compared ignoring case */
	int rcode;        /* 0: answer `txt` (if any); 2: SERVFAIL; ... */
	const char *txt;  /* one TXT record (at most 255 octets), or NULL */
	int silent;       /* 1: never answer */
};

struct tiny_dns;

/* tiny_dns_start - serve `zone` (borrowed, must outlive the server) */
struct tiny_dns *tiny_dns_start(const struct tiny_dns_zone *zone, size_t n);

/* tiny_dns_servers - "127.0.0.1:PORT", for struct dns_opts */
const char *tiny_dns_servers(const struct tiny_dns *d);

/* tiny_dns_stop - stop the thread and free; NULL is a no-op */
void tiny_dns_stop(struct tiny_dns *d);

#endif /* REPMILTER_TINY_DNS_H */
