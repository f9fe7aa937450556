/*
 * minisign_key.c - minisign's public and secret key files (minisign.h).
 *
 * Secret material is only ever held in sodium_malloc'd memory (guard
 * pages, locked where the system allows) or in buffers wiped before they
 * are freed; the text of a secret key file is wiped too.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "afile.h"
#include "minisign_int.h"

#define SK_COMMENT "repsync secret key (unencrypted)"
#define KEY_FILE_MAX 4096

/* The layouts of minisign's key blobs; byte arrays only, no padding. */
struct sk_blob {
	uint8_t sig_alg[2], kdf_alg[2], chk_alg[2];
	uint8_t salt[32], opslimit[8], memlimit[8];
	uint8_t keyid[MSIGN_KEYID_BYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	uint8_t chk[crypto_generichash_BYTES];
};

struct pk_blob {
	uint8_t sig_alg[2];
	uint8_t keyid[MSIGN_KEYID_BYTES];
	uint8_t pk[MSIGN_PK_BYTES];
};

_Static_assert(sizeof(struct sk_blob) == 158, "minisign secret key layout");
_Static_assert(sizeof(struct pk_blob) == 42, "minisign public key layout");

/*
 * PUBLIC KEYS
 */

/* msign_pubkey_format - the base64 line of a public key */
void msign_pubkey_format(
        const struct msign_pubkey *pk, char out[MSIGN_PUBKEY_TEXT])
{
	struct pk_blob b;

	memcpy(b.sig_alg, SIGALG, 2);
	memcpy(b.keyid, pk->keyid, sizeof b.keyid);
	memcpy(b.pk, pk->pk, sizeof b.pk);
	msign_b64_encode(&b, sizeof b, out, MSIGN_PUBKEY_TEXT);
}

/* pubkey_decode - a public key from len bytes of base64 */
static int pubkey_decode(const char *text, size_t len, struct msign_pubkey *out)
{
	struct pk_blob b;

	if (msign_b64_decode(text, len, &b, sizeof b) != 0)
		return MSIGN_E_FORMAT;
	if (memcmp(b.sig_alg, SIGALG, 2) != 0)
		return MSIGN_E_ALGORITHM;
	memcpy(out->keyid, b.keyid, sizeof out->keyid);
	memcpy(out->pk, b.pk, sizeof out->pk);
	return 0;
}

/* msign_pubkey_parse - a public key given as its base64 line */
int msign_pubkey_parse(const char *text, struct msign_pubkey *out)
{
	if (text == NULL || out == NULL)
		return MSIGN_E_INVAL;
	return pubkey_decode(text, strlen(text), out);
}

/* pubkey_text - a public key file's text: comment line, base64 line */
static int pubkey_text(char *text, size_t len, struct msign_pubkey *out)
{
	struct lines l = {text, text + len};
	struct msign_pubkey pk;
	char *line;
	size_t n;
	int err;

	if ((err = msign_line_comment(&l)) != 0)
		return err;
	if (msign_line_next(&l, &line, &n) != 0)
		return MSIGN_E_FORMAT;
	if ((err = pubkey_decode(line, n, &pk)) != 0)
		return err;
	if (!msign_line_rest_blank(&l))
		return MSIGN_E_FORMAT;
	*out = pk;
	return 0;
}

/* msign_pubkey_load - read a public key file */
int msign_pubkey_load(const char *path, struct msign_pubkey *out)
{
	char *text;
	size_t len;
	int err;

	if (path == NULL || out == NULL)
		return MSIGN_E_INVAL;
	if (afile_read(path, KEY_FILE_MAX, &text, &len) != 0)
		return errno == EFBIG ? MSIGN_E_FORMAT : msign_io_error();
	err = pubkey_text(text, len, out);
	free(text);
	return err;
}

/* msign_pubkey_save - write a public key file as minisign does */
int msign_pubkey_save(const struct msign_pubkey *pk, const char *path)
{
	char b64[MSIGN_PUBKEY_TEXT], id[MSIGN_KEYID_HEX], text[256];
	int n;

	if (pk == NULL || path == NULL)
		return MSIGN_E_INVAL;
	msign_pubkey_format(pk, b64);
	msign_keyid_hex(pk->keyid, id);
	n = snprintf(text, sizeof text,
	        COMMENT_PREFIX "minisign public key %s\n%s\n", id, b64);
	if (afile_put(path, text, (size_t)n, 0644, 0) != 0)
		return msign_io_error();
	return 0;
}

/*
 * SECRET KEYS
 */

/* seckey_new - an empty secret key in guarded memory */
static struct msign_seckey *seckey_new(void)
{
	struct msign_seckey *sk;

	if (sodium_init() < 0)
		return NULL;
	sk = sodium_malloc(sizeof *sk);
	if (sk != NULL)
		sodium_memzero(sk, sizeof *sk);
	return sk;
}

/* msign_seckey_free - wipe and free a secret key */
void msign_seckey_free(struct msign_seckey *sk)
{
	sodium_free(sk); /* wipes; NULL is a no-op */
}

/* msign_keygen - a new key pair with a random key id */
int msign_keygen(struct msign_seckey **out, struct msign_pubkey *pk)
{
	struct msign_seckey *sk;

	if (out == NULL || pk == NULL)
		return MSIGN_E_INVAL;
	if ((sk = seckey_new()) == NULL)
		return MSIGN_E_NOMEM;
	randombytes_buf(sk->keyid, sizeof sk->keyid);
	if (crypto_sign_keypair(pk->pk, sk->sk) != 0) {
		msign_seckey_free(sk);
		return MSIGN_E_NOMEM;
	}
	memcpy(pk->keyid, sk->keyid, sizeof pk->keyid);
	*out = sk;
	return 0;
}

/* msign_seckey_pubkey - the public key of a secret key */
void msign_seckey_pubkey(const struct msign_seckey *sk, struct msign_pubkey *pk)
{
	memcpy(pk->keyid, sk->keyid, sizeof pk->keyid);
	crypto_sign_ed25519_sk_to_pk(pk->pk, sk->sk);
}

/* sk_checksum - minisign's checksum: BLAKE2b-256 of the signature
 * algorithm, the key id and the secret key */
static void sk_checksum(const struct sk_blob *b, uint8_t chk[32])
{
	crypto_generichash_state hs;

	crypto_generichash_init(&hs, NULL, 0, sizeof b->chk);
	crypto_generichash_update(&hs, b->sig_alg, sizeof b->sig_alg);
	crypto_generichash_update(&hs, b->keyid, sizeof b->keyid);
	crypto_generichash_update(&hs, b->sk, sizeof b->sk);
	crypto_generichash_final(&hs, chk, sizeof b->chk);
	sodium_memzero(&hs, sizeof hs);
}

/* seckey_text - the text of a secret key file, in guarded memory */
static char *seckey_text(const struct msign_seckey *sk, size_t *len)
{
	const size_t b64_len = sodium_base64_ENCODED_LEN(
	        sizeof(struct sk_blob), sodium_base64_VARIANT_ORIGINAL);
	const size_t cap = sizeof(COMMENT_PREFIX SK_COMMENT "\n") + b64_len + 1;
	struct sk_blob *b = sodium_malloc(sizeof *b);
	char *text = sodium_malloc(cap);
	int n;

	if (b == NULL || text == NULL) {
		sodium_free(b);
		sodium_free(text);
		return NULL;
	}
	sodium_memzero(b, sizeof *b);
	memcpy(b->sig_alg, SIGALG, 2);
	memcpy(b->kdf_alg, KDF_NONE, 2);
	memcpy(b->chk_alg, CHKALG, 2);
	memcpy(b->keyid, sk->keyid, sizeof b->keyid);
	memcpy(b->sk, sk->sk, sizeof b->sk);
	sk_checksum(b, b->chk);
	n = snprintf(text, cap, COMMENT_PREFIX SK_COMMENT "\n");
	msign_b64_encode(b, sizeof *b, text + n, cap - (size_t)n);
	sodium_free(b);
	*len = strlen(text);
	text[(*len)++] = '\n';
	return text;
}

/* msign_seckey_save - write an unencrypted secret key file */
int msign_seckey_save(const struct msign_seckey *sk, const char *path)
{
	char *text;
	size_t len;
	int err = 0;

	if (sk == NULL || path == NULL)
		return MSIGN_E_INVAL;
	if ((text = seckey_text(sk, &len)) == NULL)
		return MSIGN_E_NOMEM;
	if (afile_put(path, text, len, 0600, 0) != 0)
		err = msign_io_error();
	sodium_free(text);
	return err;
}

/* sk_blob_check - algorithms, encryption, checksum, and that the public
 * half of the secret key belongs to its seed */
static int sk_blob_check(const struct sk_blob *b)
{
	uint8_t chk[sizeof b->chk], pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t *sk2;
	int same;

	if (memcmp(b->sig_alg, SIGALG, 2) != 0 ||
	        memcmp(b->chk_alg, CHKALG, 2) != 0)
		return MSIGN_E_ALGORITHM;
	if (memcmp(b->kdf_alg, KDF_SCRYPT, 2) == 0)
		return MSIGN_E_ENCRYPTED;
	if (memcmp(b->kdf_alg, KDF_NONE, 2) != 0)
		return MSIGN_E_ALGORITHM;
	/* minisign 0.11 -G -W leaves the checksum of an unencrypted key
	 * zero; the seed check below still catches a damaged key. */
	sk_checksum(b, chk);
	same = sodium_is_zero(b->chk, sizeof b->chk) ||
	       sodium_memcmp(chk, b->chk, sizeof chk) == 0;
	if ((sk2 = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL)
		return MSIGN_E_NOMEM;
	crypto_sign_seed_keypair(pk, sk2, b->sk);
	same = same &&
	       sodium_memcmp(sk2, b->sk, crypto_sign_SECRETKEYBYTES) == 0;
	sodium_free(sk2);
	sodium_memzero(chk, sizeof chk);
	return same ? 0 : MSIGN_E_CORRUPT;
}

/* seckey_blob - decode and check a secret key file's text into b */
static int seckey_blob(char *text, size_t len, struct sk_blob *b)
{
	struct lines l = {text, text + len};
	char *line;
	size_t n;
	int err;

	if ((err = msign_line_comment(&l)) != 0)
		return err;
	if (msign_line_next(&l, &line, &n) != 0 ||
	        msign_b64_decode(line, n, b, sizeof *b) != 0)
		return MSIGN_E_FORMAT;
	if (!msign_line_rest_blank(&l))
		return MSIGN_E_FORMAT;
	return sk_blob_check(b);
}

/* mode_check - the key file must be its owner's alone (group read is
 * allowed, for a key owned by root and read by a service group) */
static int mode_check(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return msign_io_error();
	if (!S_ISREG(st.st_mode))
		return MSIGN_E_FORMAT;
	return (st.st_mode & 027) != 0 ? MSIGN_E_MODE : 0;
}

/* seckey_from_text - the secret key in a file's text */
static int seckey_from_text(char *text, size_t len, struct msign_seckey **out)
{
	struct sk_blob *b = sodium_malloc(sizeof *b);
	struct msign_seckey *sk = seckey_new();
	int err = MSIGN_E_NOMEM;

	if (b != NULL && sk != NULL && (err = seckey_blob(text, len, b)) == 0) {
		memcpy(sk->keyid, b->keyid, sizeof sk->keyid);
		memcpy(sk->sk, b->sk, sizeof sk->sk);
		*out = sk;
		sk = NULL;
	}
	sodium_free(b);
	msign_seckey_free(sk);
	return err;
}

/* msign_seckey_load - read a secret key file */
int msign_seckey_load(const char *path, struct msign_seckey **out)
{
	char *text;
	size_t len;
	int err;

	if (path == NULL || out == NULL)
		return MSIGN_E_INVAL;
	if ((err = mode_check(path)) != 0)
		return err;
	if (afile_read(path, KEY_FILE_MAX, &text, &len) != 0)
		return errno == EFBIG ? MSIGN_E_FORMAT : msign_io_error();
	err = seckey_from_text(text, len, out);
	sodium_memzero(text, len);
	free(text);
	return err;
}
