/*
 * test_dkim_keycache.c - the DKIM key cache (milter/dkim_keycache.h): the
 * d2i_PUBKEY_bio() this program links is the milter's, and it must answer
 * as libcrypto's d2i_PUBKEY() does, for every caller and every thread.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "dkim_keycache.h"

#define NKEYS 3

/* A key pair and its public key in DER, as a DKIM key record's p=. */
struct pair {
	EVP_PKEY *priv;
	unsigned char *der;
	int len;
};

static struct pair keys[NKEYS];

/* pair_make - an RSA-1024 pair (small keys: the cache does not care) */
static void pair_make(struct pair *p)
{
	p->priv = EVP_RSA_gen(1024);
	assert_non_null(p->priv);
	p->der = NULL;
	p->len = i2d_PUBKEY(p->priv, &p->der);
	assert_true(p->len > 0);
}

static int setup(void **state)
{
	for (int i = 0; i < NKEYS; i++)
		pair_make(&keys[i]);
	return 0;
}

static int teardown(void **state)
{
	for (int i = 0; i < NKEYS; i++) {
		EVP_PKEY_free(keys[i].priv);
		OPENSSL_free(keys[i].der);
	}
	dkim_keycache_clear();
	return 0;
}

/* each - a fresh cache of the default size before every test */
static int each(void **state)
{
	dkim_keycache_size(DKIM_KEYCACHE_DEFAULT);
	dkim_keycache_clear();
	return 0;
}

/* decode - what libopendkim does with a key record's bytes; `left` gets
 * what the decoding left unread in the BIO */
static EVP_PKEY *decode(const void *der, int len, size_t *left)
{
	BIO *b = BIO_new_mem_buf(der, len);
	EVP_PKEY *k;

	assert_non_null(b);
	k = d2i_PUBKEY_bio(b, NULL);
	if (left != NULL)
		*left = BIO_pending(b);
	BIO_free(b);
	return k;
}

/* verifies - does `pub` verify a signature `priv` makes over `msg`? */
static int verifies(EVP_PKEY *priv, EVP_PKEY *pub, const char *msg)
{
	unsigned char sig[512];
	size_t slen = sizeof(sig);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	assert_non_null(c);
	assert_int_equal(
	        EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, priv), 1);
	assert_int_equal(EVP_DigestSign(c, sig, &slen,
	                         (const unsigned char *)msg, strlen(msg)),
	        1);
	EVP_MD_CTX_reset(c);
	assert_int_equal(
	        EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, pub), 1);
	ok = EVP_DigestVerify(c, sig, slen, (const unsigned char *)msg,
	             strlen(msg)) == 1;
	EVP_MD_CTX_free(c);
	return ok;
}

static struct dkim_keycache_stats stats(void)
{
	struct dkim_keycache_stats s;

	dkim_keycache_stats(&s);
	return s;
}

static void test_second_decoding_is_a_hit_of_the_same_key(void **state)
{
	size_t left = 1;
	EVP_PKEY *a = decode(keys[0].der, keys[0].len, &left);
	EVP_PKEY *b, *ref;
	const unsigned char *p = keys[0].der;

	assert_non_null(a);
	assert_int_equal(left, 0);
	b = decode(keys[0].der, keys[0].len, &left);
	assert_ptr_equal(a, b);
	assert_int_equal(left, 0); /* read as far as decoding reads */
	assert_int_equal(stats().hits, 1);
	assert_int_equal(stats().misses, 1);
	assert_int_equal(stats().entries, 1);
	ref = d2i_PUBKEY(NULL, &p, keys[0].len);
	assert_int_equal(EVP_PKEY_eq(b, ref), 1);
	assert_int_equal(EVP_PKEY_eq(b, keys[0].priv), 1);
	assert_true(verifies(keys[0].priv, b, "hello"));
	assert_false(verifies(keys[1].priv, b, "hello"));
	EVP_PKEY_free(ref);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

static void test_different_keys_stay_apart(void **state)
{
	EVP_PKEY *k[NKEYS];

	for (int round = 0; round < 2; round++)
		for (int i = 0; i < NKEYS; i++) {
			k[i] = decode(keys[i].der, keys[i].len, NULL);
			assert_non_null(k[i]);
			assert_int_equal(EVP_PKEY_eq(k[i], keys[i].priv), 1);
			for (int j = 0; j < i; j++)
				assert_ptr_not_equal(k[i], k[j]);
			EVP_PKEY_free(k[i]);
		}
	assert_int_equal(stats().misses, NKEYS);
	assert_int_equal(stats().hits, NKEYS);
}

static void test_one_byte_changed_is_another_key(void **state)
{
	unsigned char der[1024];
	EVP_PKEY *a, *b;

	memcpy(der, keys[0].der, (size_t)keys[0].len);
	a = decode(der, keys[0].len, NULL);
	der[keys[0].len / 2] ^= 0x10; /* inside the modulus */
	b = decode(der, keys[0].len, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(EVP_PKEY_eq(a, b), 0);
	assert_false(verifies(keys[0].priv, b, "x"));
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

static void test_trailing_bytes_are_left_as_decoding_leaves_them(void **state)
{
	unsigned char der[1024];
	size_t left1 = 0, left2 = 0;
	EVP_PKEY *a, *b;

	memcpy(der, keys[1].der, (size_t)keys[1].len);
	memcpy(der + keys[1].len, "junk", 4);
	a = decode(der, keys[1].len + 4, &left1);
	b = decode(der, keys[1].len + 4, &left2);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(left1, 4);
	assert_int_equal(left2, 4);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

static void test_garbage_fails_every_time_and_is_not_kept(void **state)
{
	static const unsigned char junk[] = {0x30, 0x82, 0x01, 0x22, 0x30, 0x0d,
	        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01};

	assert_null(decode(junk, sizeof(junk), NULL));
	assert_null(decode(junk, sizeof(junk), NULL));
	assert_null(decode("", 0, NULL));
	assert_int_equal(stats().entries, 0);
	assert_int_equal(stats().hits, 0);
}

static void test_calls_it_does_not_serve_go_the_generic_way(void **state)
{
	BIO *b = BIO_new_mem_buf(keys[0].der, keys[0].len);
	BIO *mem = BIO_new(BIO_s_mem());
	BIO *chain;
	EVP_PKEY *into = NULL, *k;
	unsigned char big[DKIM_KEYCACHE_DER_MAX + 100];

	/* a second argument: the caller wants its object filled */
	k = d2i_PUBKEY_bio(b, &into);
	assert_non_null(k);
	assert_ptr_equal(k, into);
	EVP_PKEY_free(k);
	BIO_free(b);
	/* not a memory BIO: a filter in front of one */
	assert_int_equal(BIO_write(mem, keys[0].der, keys[0].len), keys[0].len);
	chain = BIO_push(BIO_new(BIO_f_buffer()), mem);
	k = d2i_PUBKEY_bio(chain, NULL);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, keys[0].priv), 1);
	EVP_PKEY_free(k);
	BIO_free_all(chain);
	/* larger than any DKIM key */
	memset(big, 0, sizeof(big));
	memcpy(big, keys[0].der, (size_t)keys[0].len);
	k = decode(big, (int)sizeof(big), NULL);
	assert_non_null(k);
	EVP_PKEY_free(k);
	assert_int_equal(stats().uncached, 3);
	assert_int_equal(stats().entries, 0);
}

static void test_least_recently_used_goes_first(void **state)
{
	EVP_PKEY *k;

	dkim_keycache_size(2);
	EVP_PKEY_free(decode(keys[0].der, keys[0].len, NULL));
	EVP_PKEY_free(decode(keys[1].der, keys[1].len, NULL));
	EVP_PKEY_free(decode(keys[0].der, keys[0].len, NULL)); /* 1 is older */
	EVP_PKEY_free(decode(keys[2].der, keys[2].len, NULL)); /* evicts 1 */
	assert_int_equal(stats().entries, 2);
	assert_int_equal(stats().evictions, 1);
	assert_int_equal(stats().hits, 1);
	EVP_PKEY_free(decode(keys[0].der, keys[0].len, NULL));
	assert_int_equal(stats().hits, 2);
	k = decode(keys[1].der, keys[1].len, NULL);
	assert_int_equal(stats().misses, 4);
	assert_int_equal(EVP_PKEY_eq(k, keys[1].priv), 1);
	EVP_PKEY_free(k);
	dkim_keycache_size(1);
	assert_int_equal(stats().entries, 1);
	assert_int_equal(stats().size, 1);
}

static void test_size_zero_keeps_nothing(void **state)
{
	EVP_PKEY *a, *b;

	EVP_PKEY_free(decode(keys[0].der, keys[0].len, NULL));
	dkim_keycache_size(0);
	assert_int_equal(stats().entries, 0);
	a = decode(keys[0].der, keys[0].len, NULL);
	b = decode(keys[0].der, keys[0].len, NULL);
	assert_non_null(a);
	assert_ptr_not_equal(a, b);
	assert_int_equal(EVP_PKEY_eq(a, b), 1);
	assert_int_equal(stats().uncached, 2);
	assert_int_equal(stats().hits, 0);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	dkim_keycache_size(DKIM_KEYCACHE_MAX + 1);
	assert_int_equal(stats().size, DKIM_KEYCACHE_MAX);
}

static void test_a_key_outlives_its_eviction(void **state)
{
	EVP_PKEY *k = decode(keys[2].der, keys[2].len, NULL);

	dkim_keycache_clear();
	assert_int_equal(stats().entries, 0);
	assert_true(verifies(keys[2].priv, k, "still mine"));
	EVP_PKEY_free(k);
}

#define THREADS 8
#define ROUNDS 300

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	long bad = 0;

	for (int i = 0; i < ROUNDS; i++) {
		int n = (int)(rand_r(&seed) % NKEYS);
		EVP_PKEY *k = decode(keys[n].der, keys[n].len, NULL);

		if (k == NULL || EVP_PKEY_eq(k, keys[n].priv) != 1 ||
		        (i % 50 == 0 && !verifies(keys[n].priv, k, "t")))
			bad++;
		if (i % 97 == 0)
			dkim_keycache_size(
			        i % 2 ? 1 : 2); /* evictions meanwhile */
		EVP_PKEY_free(k);
	}
	return (void *)bad;
}

static void test_threads_share_keys_safely(void **state)
{
	pthread_t t[THREADS];
	struct dkim_keycache_stats s;

	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(
		        pthread_create(&t[i], NULL, worker, (void *)i), 0);
	for (int i = 0; i < THREADS; i++) {
		void *bad;

		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
	s = stats();
	assert_int_equal(s.hits + s.misses + s.uncached, THREADS * ROUNDS);
	assert_true(s.hits > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(
	                test_second_decoding_is_a_hit_of_the_same_key, each),
	        cmocka_unit_test_setup(test_different_keys_stay_apart, each),
	        cmocka_unit_test_setup(
	                test_one_byte_changed_is_another_key, each),
	        cmocka_unit_test_setup(
	                test_trailing_bytes_are_left_as_decoding_leaves_them,
	                each),
	        cmocka_unit_test_setup(
	                test_garbage_fails_every_time_and_is_not_kept, each),
	        cmocka_unit_test_setup(
	                test_calls_it_does_not_serve_go_the_generic_way, each),
	        cmocka_unit_test_setup(
	                test_least_recently_used_goes_first, each),
	        cmocka_unit_test_setup(test_size_zero_keeps_nothing, each),
	        cmocka_unit_test_setup(test_a_key_outlives_its_eviction, each),
	        cmocka_unit_test_setup(test_threads_share_keys_safely, each),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
