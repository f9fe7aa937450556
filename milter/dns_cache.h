/*
 * dns_cache.h - the answer cache of the DNS module (private).
 *
 * PURPOSE
 *	Internal to the DNS module: only dns.c and dns_cache.c include it,
 *	and it is not part of the public dns.h. One cache, shared by every
 *	thread, keeps copies of answers keyed by (name, type) for their TTL
 *	clamped to [cache_min_ttl, cache_max_ttl], and evicts the least
 *	recently used entry when it holds cache_entries answers. Whether an
 *	answer may be cached at all (never a temporary failure) is the
 *	caller's decision. Like every file but dns.c, this one does not
 *	include <ares.h>.
 *
 * OWNERSHIP
 *	dns_cache_new/dns_cache_free. dns_cache_put copies the answer it is
 *	given; dns_cache_get gives the caller its own copy, to be released
 *	with dns_wire_answer_free. Names are borrowed for the call.
 *
 * THREADS
 *	Every function but new and free may be called from any thread: one
 *	mutex guards the table, held only for the lookup and the copy.
 *
 * CAVEATS
 *	- Names are compared octet by octet: the caller folds them to lower
 *	  case first (dns.c does, for every query name).
 *	- A hash chain keeps at most 16 entries, so names chosen to collide
 *	  cost bounded time under the lock: the oldest entry of a full chain
 *	  is evicted before its cache is full.
 */
#ifndef REPMILTER_DNS_CACHE_H
#define REPMILTER_DNS_CACHE_H

#include <stddef.h>

#include "dns.h"

struct dns_cache;

/* dns_cache_new - an empty cache sized and clamped by o's cache_*
 * fields (cache_entries 0: a cache that keeps nothing); NULL when out of
 * memory */
struct dns_cache *dns_cache_new(const struct dns_opts *o);

/* dns_cache_free - free every entry and the cache; NULL is a no-op */
void dns_cache_free(struct dns_cache *c);

/* dns_cache_get - on a hit, 1 and a copy of the live answer for
 * (name, t) in *out, marked cached; 0 on a miss, *out untouched (an
 * expired entry is dropped). Out of memory counts as a miss that leaves
 * *out zeroed. */
int dns_cache_get(struct dns_cache *c, const char *name, enum dns_type t,
        struct dns_answer *out);

/* dns_cache_put - keep a copy of answer a for name, replacing an older
 * one; nothing is kept when the clamped TTL is 0 or memory runs out */
void dns_cache_put(struct dns_cache *c, const char *name, struct dns_answer *a);

/* dns_cache_size - the number of entries now, expired ones included */
size_t dns_cache_size(struct dns_cache *c);

#endif /* REPMILTER_DNS_CACHE_H */
