/*
 * dkim_keycache.c - DKIM public keys kept parsed between messages
 * (dkim_keycache.h): d2i_PUBKEY_bio() over a hash table of keys by their
 * bytes, with an LRU ring, under one mutex.
 *
 * The lock is held for a lookup and an insertion only, never while a key
 * is decoded: two threads that miss on the same new key both decode it,
 * and the second insertion finds the first and keeps it.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dkim_keycache.h"

struct key_entry {
	struct key_entry *hnext;       /* hash chain */
	struct key_entry *prev, *next; /* LRU ring, newest after the head */
	EVP_PKEY *key;                 /* the cache's reference */
	uint64_t hash;
	size_t len;  /* bytes of der[] */
	size_t used; /* of them, what decoding read from the BIO */
	unsigned char der[];
};

#define KEY_BUCKETS 1024 /* a power of two; chains stay short to 8k keys */

static struct {
	pthread_mutex_t lock;
	struct key_entry *bucket[KEY_BUCKETS];
	struct key_entry lru; /* sentinel */
	size_t count, cap;
	struct dkim_keycache_stats st;
} kc = {
        .lock = PTHREAD_MUTEX_INITIALIZER,
        .lru = {.prev = &kc.lru, .next = &kc.lru},
        .cap = DKIM_KEYCACHE_DEFAULT,
};

/* key_hash - FNV-1a over the key's bytes */
static uint64_t key_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	while (n-- > 0)
		h = (h ^ *p++) * 1099511628211ull;
	return h;
}

/* key_unlink - take an entry out of its chain and the ring (lock held);
 * the caller frees it */
static void key_unlink(struct key_entry *e)
{
	struct key_entry **pp = &kc.bucket[e->hash & (KEY_BUCKETS - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	kc.count--;
}

/* key_front - make an entry the newest of the ring (lock held) */
static void key_front(struct key_entry *e)
{
	e->next = kc.lru.next;
	e->prev = &kc.lru;
	kc.lru.next->prev = e;
	kc.lru.next = e;
}

/* key_find - the entry for these bytes, or NULL (lock held) */
static struct key_entry *key_find(
        const unsigned char *der, size_t len, uint64_t hash, size_t *chain)
{
	struct key_entry *e = kc.bucket[hash & (KEY_BUCKETS - 1)];

	for (*chain = 0; e != NULL; e = e->hnext, (*chain)++)
		if (e->hash == hash && e->len == len &&
		        memcmp(e->der, der, len) == 0)
			return e;
	return NULL;
}

/* key_evict_to - drop the oldest entries until `keep` remain (lock held);
 * returns them as a list through hnext, to be freed without the lock */
static struct key_entry *key_evict_to(size_t keep)
{
	struct key_entry *gone = NULL;

	while (kc.count > keep) {
		struct key_entry *e = kc.lru.prev;

		key_unlink(e);
		e->hnext = gone;
		gone = e;
		kc.st.evictions++;
	}
	return gone;
}

/* key_free_list - free entries unlinked by key_evict_to */
static void key_free_list(struct key_entry *e)
{
	while (e != NULL) {
		struct key_entry *next = e->hnext;

		EVP_PKEY_free(e->key);
		free(e);
		e = next;
	}
}

/* key_drain - read `n` bytes off a BIO, as decoding would have */
static void key_drain(BIO *bp, size_t n)
{
	unsigned char scratch[512];

	while (n > 0) {
		int want = n < sizeof(scratch) ? (int)n : (int)sizeof(scratch);
		int got = BIO_read(bp, scratch, want);

		if (got <= 0)
			return;
		n -= (size_t)got;
	}
}

/* key_hit - another reference to the cached key for these bytes, the BIO
 * read as far as decoding them reads it: 1; 0 if not cached; -1 if the
 * cache is off (counted as uncached) */
static int key_hit(BIO *bp, const unsigned char *der, size_t len, uint64_t hash,
        EVP_PKEY **out)
{
	struct key_entry *e;
	size_t used = 0, chain;
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&kc.lock);
	if (kc.cap == 0) {
		kc.st.uncached++;
		rc = -1;
	} else if ((e = key_find(der, len, hash, &chain)) != NULL &&
	           EVP_PKEY_up_ref(e->key) == 1) {
		*out = e->key;
		used = e->used;
		e->prev->next = e->next;
		e->next->prev = e->prev;
		key_front(e);
		kc.st.hits++;
		rc = 1;
	} else {
		kc.st.misses++;
	}
	pthread_mutex_unlock(&kc.lock);
	if (rc == 1)
		key_drain(bp, used);
	return rc;
}

/* key_keep - remember a key just decoded from these bytes; the cache
 * takes a reference of its own. A full chain or a failed allocation only
 * means the key is not kept. */
static void key_keep(EVP_PKEY *key, const unsigned char *der, size_t len,
        size_t used, uint64_t hash)
{
	struct key_entry *e, *gone = NULL;
	size_t chain;

	if ((e = malloc(sizeof(*e) + len)) == NULL)
		return;
	memcpy(e->der, der, len);
	e->len = len;
	e->used = used;
	e->hash = hash;
	e->key = key;
	pthread_mutex_lock(&kc.lock);
	if (kc.cap == 0 || key_find(der, len, hash, &chain) != NULL ||
	        chain >= DKIM_KEYCACHE_CHAIN_MAX || EVP_PKEY_up_ref(key) != 1) {
		pthread_mutex_unlock(&kc.lock);
		free(e);
		return;
	}
	e->hnext = kc.bucket[hash & (KEY_BUCKETS - 1)];
	kc.bucket[hash & (KEY_BUCKETS - 1)] = e;
	key_front(e);
	kc.count++;
	gone = key_evict_to(kc.cap);
	pthread_mutex_unlock(&kc.lock);
	key_free_list(gone);
}

/* key_generic - what libcrypto's d2i_PUBKEY_bio does */
static EVP_PKEY *key_generic(BIO *bp, EVP_PKEY **a)
{
	return ASN1_d2i_bio_of(EVP_PKEY, EVP_PKEY_new, d2i_PUBKEY, bp, a);
}

/* key_uncached - decode the generic way, counted */
static EVP_PKEY *key_uncached(BIO *bp, EVP_PKEY **a)
{
	pthread_mutex_lock(&kc.lock);
	kc.st.uncached++;
	pthread_mutex_unlock(&kc.lock);
	return key_generic(bp, a);
}

/* d2i_PUBKEY_bio - libcrypto's function of the same name, with the keys
 * of memory BIOs remembered (see dkim_keycache.h) */
EVP_PKEY *d2i_PUBKEY_bio(BIO *bp, EVP_PKEY **a)
{
	unsigned char der[DKIM_KEYCACHE_DER_MAX];
	char *data;
	long n;
	size_t len, before, after;
	uint64_t hash;
	EVP_PKEY *key;
	int rc;

	if (a != NULL || bp == NULL || BIO_method_type(bp) != BIO_TYPE_MEM ||
	        (n = BIO_get_mem_data(bp, &data)) <= 0 ||
	        (size_t)n > sizeof(der))
		return key_uncached(bp, a);
	len = (size_t)n;
	hash = key_hash((const unsigned char *)data, len);
	rc = key_hit(bp, (const unsigned char *)data, len, hash, &key);
	if (rc != 0)
		return rc > 0 ? key : key_generic(bp, NULL);
	/* decoding consumes the BIO: keep its bytes first */
	memcpy(der, data, len);
	before = BIO_pending(bp);
	if ((key = key_generic(bp, NULL)) == NULL)
		return NULL;
	after = BIO_pending(bp);
	key_keep(key, der, len, before > after ? before - after : 0, hash);
	return key;
}

/* dkim_keycache_size - the bound; a smaller one evicts at once */
void dkim_keycache_size(size_t entries)
{
	struct key_entry *gone;

	if (entries > DKIM_KEYCACHE_MAX)
		entries = DKIM_KEYCACHE_MAX;
	pthread_mutex_lock(&kc.lock);
	kc.cap = entries;
	gone = key_evict_to(entries);
	pthread_mutex_unlock(&kc.lock);
	key_free_list(gone);
}

/* dkim_keycache_stats - a copy of the counters */
void dkim_keycache_stats(struct dkim_keycache_stats *out)
{
	pthread_mutex_lock(&kc.lock);
	*out = kc.st;
	out->entries = kc.count;
	out->size = kc.cap;
	pthread_mutex_unlock(&kc.lock);
}

/* dkim_keycache_clear - every key let go, counters zero */
void dkim_keycache_clear(void)
{
	struct key_entry *gone;

	pthread_mutex_lock(&kc.lock);
	gone = key_evict_to(0);
	memset(&kc.st, 0, sizeof(kc.st));
	pthread_mutex_unlock(&kc.lock);
	key_free_list(gone);
}
