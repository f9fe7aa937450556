/*
 * spf_zone.h - a fake DNS backend for the SPF check (struct spf_dns_ops)
 * that serves zone data the way pyspf's test driver does, for the
 * conformance suite and the unit tests. Linked into the tests only.
 *
 * Rules (the shared conformance GUIDE, section 1): an SPF record is also a
 * TXT record unless the name lists a TXT record of its own, even "NONE";
 * "NONE" adds nothing; a TIMEOUT entry makes every query for the name
 * time out unless the name has a record of the asked type; unknown names
 * are NXDOMAIN, known names without the type NODATA; a CNAME answers with
 * its target's records (one level). Names compare without case and
 * without a trailing dot. A "PENDING" entry answers DNS_PENDING, as the
 * real backend does once the deadline has passed.
 *
 * OWNERSHIP: spf_zone_new/spf_zone_free; records are copied in.
 * THREADS: one zone per thread.
 */
#ifndef SPF_ZONE_H
#define SPF_ZONE_H

#include <stddef.h>

#include "spf_dns.h"

struct spf_zone;

/* The backend; `impl` is a struct spf_zone *. */
extern const struct spf_dns_ops spf_zone_ops;

/* spf_zone_new - an empty zone, NULL on no memory */
struct spf_zone *spf_zone_new(void);

/* spf_zone_add - one record: type "A", "AAAA", "MX" ("pref host"), "PTR",
 * "TXT", "SPF", "CNAME", "TIMEOUT" or "PENDING"; `data` is `len` bytes
 * (TXT may hold NULs); 0 or -1 */
int spf_zone_add(struct spf_zone *z, const char *name, const char *type,
        const char *data, size_t len);

/* spf_zone_clear - forget every record and the query counter */
void spf_zone_clear(struct spf_zone *z);

/* spf_zone_queries - queries answered since the last clear */
unsigned spf_zone_queries(const struct spf_zone *z);

/* spf_zone_free - NULL is a no-op */
void spf_zone_free(struct spf_zone *z);

#endif /* SPF_ZONE_H */
