/*
 * dns_cache.c - the answer cache of the DNS module (dns_cache.h): a hash
 * table of answers with an LRU ring, under one mutex.
 *
 * A lookup copies the answer out under the lock, so an entry may be
 * evicted or replaced while a worker still reads its copy; the cost is
 * one allocation per hit, small next to a query.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_cache.h"
#include "dns_wire.h"

#define DNS_BUCKETS_MAX ((size_t)1 << 22)
#define DNS_CHAIN_MAX 16 /* entries in one hash chain */

struct cache_entry {
	struct cache_entry *hnext;       /* hash chain */
	struct cache_entry *prev, *next; /* LRU ring, newest after the head */
	int64_t expires_ms;
	uint32_t hash;
	struct dns_answer ans;
	char name[];
};

struct dns_cache {
	pthread_mutex_t lock;
	struct cache_entry **bucket;
	size_t nbucket, count, cap; /* cap 0: no cache */
	unsigned min_ttl, max_ttl;
	struct cache_entry lru; /* sentinel */
};

/* cache_hash - FNV-1a over the key */
static uint32_t cache_hash(const char *name, enum dns_type t)
{
	uint32_t h = 2166136261u ^ (uint32_t)t;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

/* cache_unlink - take an entry out of its chain and the LRU ring, free it */
static void cache_unlink(struct dns_cache *c, struct cache_entry *e)
{
	struct cache_entry **pp = &c->bucket[e->hash & (c->nbucket - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	c->count--;
	dns_wire_answer_free(&e->ans);
	free(e);
}

/* cache_find - the live or expired entry for a key (lock held) */
static struct cache_entry *cache_find(
        struct dns_cache *c, const char *name, enum dns_type t, uint32_t hash)
{
	struct cache_entry *e = c->bucket[hash & (c->nbucket - 1)];

	for (; e != NULL; e = e->hnext)
		if (e->hash == hash && e->ans.type == t &&
		        strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* cache_front - make an entry the newest of the LRU ring */
static void cache_front(struct dns_cache *c, struct cache_entry *e)
{
	e->next = c->lru.next;
	e->prev = &c->lru;
	c->lru.next->prev = e;
	c->lru.next = e;
}

/* dns_cache_get - copy a live entry into out; 1 on a hit, 0 on a miss */
int dns_cache_get(struct dns_cache *c, const char *name, enum dns_type t,
        struct dns_answer *out)
{
	uint32_t hash = cache_hash(name, t);
	struct cache_entry *e;
	int hit = 0;

	if (c->cap == 0)
		return 0;
	pthread_mutex_lock(&c->lock);
	e = cache_find(c, name, t, hash);
	if (e != NULL && e->expires_ms <= dns_now_ms()) {
		cache_unlink(c, e);
		e = NULL;
	}
	if (e != NULL && dns_wire_answer_copy(out, &e->ans) == 0) {
		e->prev->next = e->next;
		e->next->prev = e->prev;
		cache_front(c, e);
		out->cached = 1;
		hit = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

/* cache_trim_chain - bound a hash chain (lock held): names chosen to
 * collide must not turn every lookup into a long walk under the lock */
static void cache_trim_chain(struct dns_cache *c, size_t slot)
{
	struct cache_entry *e, *last = NULL;
	unsigned n = 0;

	for (e = c->bucket[slot]; e != NULL; e = e->hnext, n++)
		last = e; /* new entries go first: this is the oldest */
	if (n >= DNS_CHAIN_MAX)
		cache_unlink(c, last);
}

/* cache_entry_new - an entry holding a copy of the answer, or NULL */
static struct cache_entry *cache_entry_new(
        const char *name, struct dns_answer *a, uint32_t hash, uint32_t ttl)
{
	size_t len = strlen(name);
	struct cache_entry *e = malloc(sizeof *e + len + 1);

	if (e == NULL || dns_wire_answer_copy(&e->ans, a) < 0) {
		free(e);
		return NULL;
	}
	memcpy(e->name, name, len + 1);
	e->hash = hash;
	e->expires_ms = dns_now_ms() + (int64_t)ttl * 1000;
	return e;
}

/* dns_cache_put - keep a copy of an answer for its clamped TTL, replacing an
 * older one and evicting the least recently used entry when full */
void dns_cache_put(struct dns_cache *c, const char *name, struct dns_answer *a)
{
	uint32_t ttl = a->ttl, hash = cache_hash(name, a->type);
	struct cache_entry *e, *old;
	size_t slot;

	ttl = ttl < c->min_ttl ? c->min_ttl : ttl;
	ttl = ttl > c->max_ttl ? c->max_ttl : ttl;
	if (c->cap == 0 || ttl == 0 ||
	        (e = cache_entry_new(name, a, hash, ttl)) == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	if ((old = cache_find(c, name, a->type, hash)) != NULL)
		cache_unlink(c, old);
	slot = hash & (c->nbucket - 1);
	cache_trim_chain(c, slot);
	if (c->count == c->cap)
		cache_unlink(c, c->lru.prev);
	e->hnext = c->bucket[slot];
	c->bucket[slot] = e;
	cache_front(c, e);
	c->count++;
	pthread_mutex_unlock(&c->lock);
}

/* dns_cache_size - the number of entries now */
size_t dns_cache_size(struct dns_cache *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* dns_cache_new - an empty cache; cap 0 keeps nothing */
struct dns_cache *dns_cache_new(const struct dns_opts *o)
{
	struct dns_cache *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c); /* glibc's default mutexes cannot fail to start */
		return NULL;
	}
	c->cap = o->cache_entries;
	c->min_ttl = o->cache_min_ttl;
	c->max_ttl = o->cache_max_ttl;
	c->lru.prev = c->lru.next = &c->lru;
	if (c->cap == 0)
		return c;
	c->nbucket = 16;
	while (c->nbucket < c->cap && c->nbucket < DNS_BUCKETS_MAX)
		c->nbucket <<= 1;
	c->bucket = calloc(c->nbucket, sizeof *c->bucket);
	if (c->bucket != NULL)
		return c;
	dns_cache_free(c);
	return NULL;
}

/* dns_cache_free - free every entry and the table */
void dns_cache_free(struct dns_cache *c)
{
	if (c == NULL)
		return;
	while (c->count > 0)
		cache_unlink(c, c->lru.prev);
	free(c->bucket);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
