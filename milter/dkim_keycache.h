/*
 * dkim_keycache.h - DKIM public keys kept parsed between messages.
 *
 * PURPOSE
 *	libopendkim 2.11 decodes the public key of every RSA signature of
 *	every message afresh: dkim_sig_process() puts the bytes of the key
 *	record's p= tag in a memory BIO and calls d2i_PUBKEY_bio(). Under
 *	OpenSSL 3.0 each such call builds a decoder chain by asking every
 *	provider (about 75-100 us on a 2-core machine, five times the RSA
 *	verification itself) and the key's RSA form and Montgomery constants
 *	are then computed again for the verification. Mail from one domain
 *	is signed with one key for months, so the same bytes are decoded
 *	again and again.
 *
 *	This module defines d2i_PUBKEY_bio() itself. The executable's
 *	definition comes first in the dynamic linker's search order, so
 *	libopendkim's calls (and any other in the process) reach it instead
 *	of libcrypto's. It computes exactly what libcrypto's does (the same
 *	ASN1_d2i_bio_of() over d2i_PUBKEY()), but remembers the keys it
 *	decoded from memory BIOs, by their bytes: the same bytes later give
 *	another reference to the same EVP_PKEY, which carries its RSA form
 *	and Montgomery constants from the first verification on.
 *
 * WHY THIS IS SAFE
 *	The key is identified by all of its bytes (compared in full, not by
 *	hash), so a hit returns a key equal to what decoding would return. A
 *	revoked or changed key record has other bytes (or none) and is
 *	decoded afresh; the DNS answer itself still comes from the DNS layer
 *	with its TTL at every message. Keys are only read after decoding
 *	(OpenSSL 3.0 makes the derived RSA form and Montgomery constants
 *	under the key's own lock), so threads may share one. Callers own
 *	the reference they get and free it with EVP_PKEY_free() as before.
 *	Only memory BIOs with a NULL second argument are cached; any other
 *	call, and a key over DKIM_KEYCACHE_DER_MAX bytes, goes the generic
 *	way. Failures are never cached.
 *
 * BOUNDS
 *	At most `entries` keys (dkim_keycache_size), least recently used
 *	evicted first, about 2-3 KB each for RSA-2048. Hash chains are
 *	bounded (DKIM_KEYCACHE_CHAIN_MAX) as in the DNS cache, so key records
 *	chosen to collide cost a few comparisons, not a scan. The cache is
 *	process-wide because the hook has no context argument: it is the one
 *	mutable global of the DKIM check, set by the engine at start and at
 *	each reload.
 */
#ifndef REPMILTER_DKIM_KEYCACHE_H
#define REPMILTER_DKIM_KEYCACHE_H

#include <stddef.h>

#define DKIM_KEYCACHE_DEFAULT 1000 /* entries */
#define DKIM_KEYCACHE_MAX 100000   /* entries */
#define DKIM_KEYCACHE_DER_MAX 2600 /* bytes: RSA-16384 is 2,062 */
#define DKIM_KEYCACHE_CHAIN_MAX 8

struct dkim_keycache_stats {
	unsigned long long hits;      /* keys answered from the cache */
	unsigned long long misses;    /* keys decoded (and kept, if valid) */
	unsigned long long uncached;  /* calls the cache does not serve */
	unsigned long long evictions; /* keys let go for room */
	size_t entries, size;         /* held now; the bound */
};

/* dkim_keycache_size - bound the cache to `entries` keys (0: keep none),
 * evicting the oldest if it holds more. Thread-safe. */
void dkim_keycache_size(size_t entries);

/* dkim_keycache_stats - counters since start (or the last clear) */
void dkim_keycache_stats(struct dkim_keycache_stats *out);

/* dkim_keycache_clear - drop every key and zero the counters; the bound
 * stays. Keys still referenced by a verification live on until freed. */
void dkim_keycache_clear(void);

#endif
