/*
 * minisign.h - Ed25519 signatures in minisign's file formats, with
 * libsodium: repsync signs its feeds and manifests so that Debian's
 * `minisign -V` verifies them, and verifies what a partner signed with
 * `minisign -S` (DESIGN.md section 5).
 *
 * FORMATS (all base64 is the standard alphabet with padding)
 *	public key file:  untrusted comment: minisign public key <KEYID>
 *	                  base64("Ed" || key id[8] || public key[32])
 *	secret key file:  untrusted comment: <anything>
 *	                  base64("Ed" || kdf[2] || "B2" || salt[32] ||
 *	                         opslimit[8] || memlimit[8] || key id[8] ||
 *	                         secret key[64] || checksum[32])
 *	signature file:   untrusted comment: <anything>
 *	                  base64("ED" || key id[8] || signature[64])
 *	                  trusted comment: <text>
 *	                  base64(global signature[64])
 *	"ED" signs BLAKE2b-512 of the content (minisign's default since 0.8);
 *	a legacy "Ed" signature signs the content itself and is verified too,
 *	never made. The global signature covers signature || trusted comment
 *	text, so the trusted comment (a timestamp, a file name) cannot be
 *	changed either. <KEYID> is the key id as a little-endian number in
 *	upper-case hex, as minisign prints it.
 *
 * SECRET KEYS: UNENCRYPTED ONLY
 *	Secret keys are written unencrypted (kdf "\0\0", as `minisign -G -W`
 *	makes them), with the checksum minisign computes, in a file of mode
 *	0600 that is never overwritten. Loading an encrypted key (kdf "Sc",
 *	minisign's default) is refused with MSIGN_E_ENCRYPTED: repsync
 *	publishes from a timer, unattended, and a password stored beside the
 *	key would protect nothing. The file's permissions are the
 *	protection, so a key file that others may read or anyone but its
 *	owner may write (mode & 027) is refused (MSIGN_E_MODE). An operator
 *	who wants a password-protected key signs with `minisign -S` instead.
 *
 * OWNERSHIP
 *	struct msign_seckey is opaque and lives in guarded memory
 *	(sodium_malloc); msign_seckey_free wipes and frees it (NULL is a
 *	no-op). struct msign_pubkey and struct msign_verified are values the
 *	caller owns. msign_sign_buf returns malloc'd text the caller frees.
 *	`const char *` arguments are borrowed.
 *
 * THREADS
 *	No shared state; a secret key may be used by several threads at once
 *	(signing only reads it).
 *
 * ERRORS
 *	0 or a negative MSIGN_E_* code; msign_strerror() names it. On
 *	MSIGN_E_IO errno tells why. Outputs are untouched on failure. Nothing
 *	prints (and no secret ever reaches a message), exits or aborts on
 *	bad input.
 *
 * CAVEATS
 *	- Verification answers "was this signed by a pinned key". Pinning
 *	  (which partner owns which key) and what the trusted comment must
 *	  say are the caller's to check.
 *	- A legacy signature needs the whole content in memory: files over
 *	  MSIGN_LEGACY_MAX are refused (MSIGN_E_TOOBIG).
 */
#ifndef REPSYNC_MINISIGN_H
#define REPSYNC_MINISIGN_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define MSIGN_MUST_CHECK __attribute__((warn_unused_result))
#else
#define MSIGN_MUST_CHECK
#endif

enum {
	MSIGN_OK = 0,
	MSIGN_E_INVAL = -1,      /* bad argument */
	MSIGN_E_NOMEM = -2,      /* out of memory (or libsodium unusable) */
	MSIGN_E_IO = -3,         /* reading or writing a file failed */
	MSIGN_E_FORMAT = -4,     /* not a minisign key or signature file */
	MSIGN_E_ALGORITHM = -5,  /* unsupported signature, kdf or checksum */
	MSIGN_E_ENCRYPTED = -6,  /* secret key is password-protected */
	MSIGN_E_CORRUPT = -7,    /* secret key fails its checksum */
	MSIGN_E_MODE = -8,       /* secret key file open to others */
	MSIGN_E_EXISTS = -9,     /* key file exists: never overwritten */
	MSIGN_E_KEYID = -10,     /* signed by a key that is not pinned */
	MSIGN_E_SIGNATURE = -11, /* signature does not match the content */
	MSIGN_E_COMMENT = -12,   /* trusted comment signature does not match */
	MSIGN_E_TOOBIG = -13,    /* legacy signature on a file too big */
	MSIGN_E_COMMENTTEXT = -14, /* trusted comment too long or has CR/LF */
};

/* msign_strerror - a static, human-readable text for an error code */
const char *msign_strerror(int err);

#define MSIGN_KEYID_BYTES 8
#define MSIGN_PK_BYTES 32
#define MSIGN_KEYID_HEX 17     /* 16 hex digits and NUL */
#define MSIGN_PUBKEY_TEXT 57   /* base64 public key (56) and NUL */
#define MSIGN_TRUSTED_MAX 8000 /* longest trusted comment, bytes */
#define MSIGN_UNTRUSTED_MAX 1000
#define MSIGN_SIG_FILE_MAX 16384
#define MSIGN_LEGACY_MAX (64u << 20)
#define MSIGN_SUFFIX ".minisig"
#define MSIGN_PINNED_MAX 2 /* keys valid at once: during a rotation */

struct msign_pubkey {
	uint8_t keyid[MSIGN_KEYID_BYTES];
	uint8_t pk[MSIGN_PK_BYTES];
};

struct msign_seckey;

/*
 * KEYS
 */

/* msign_keygen - a new key pair with a random key id */
int msign_keygen(
        struct msign_seckey **sk, struct msign_pubkey *pk) MSIGN_MUST_CHECK;

/* msign_seckey_free - wipe and free a secret key */
void msign_seckey_free(struct msign_seckey *sk);

/* msign_seckey_pubkey - the public key (and key id) of a secret key */
void msign_seckey_pubkey(
        const struct msign_seckey *sk, struct msign_pubkey *pk);

/* msign_seckey_save - write an unencrypted secret key file (mode 0600);
 * an existing file is MSIGN_E_EXISTS and left alone */
int msign_seckey_save(
        const struct msign_seckey *sk, const char *path) MSIGN_MUST_CHECK;

/* msign_seckey_load - read a secret key file (ours or `minisign -G -W`) */
int msign_seckey_load(
        const char *path, struct msign_seckey **out) MSIGN_MUST_CHECK;

/* msign_pubkey_save - write a public key file as minisign does; an
 * existing file is MSIGN_E_EXISTS and left alone */
int msign_pubkey_save(
        const struct msign_pubkey *pk, const char *path) MSIGN_MUST_CHECK;

/* msign_pubkey_load - read a public key file */
int msign_pubkey_load(
        const char *path, struct msign_pubkey *out) MSIGN_MUST_CHECK;

/* msign_pubkey_parse - a public key given as its base64 line (what
 * `minisign -P` takes, and what a configuration pins) */
int msign_pubkey_parse(
        const char *text, struct msign_pubkey *out) MSIGN_MUST_CHECK;

/* msign_pubkey_format - the base64 line of a public key */
void msign_pubkey_format(
        const struct msign_pubkey *pk, char out[MSIGN_PUBKEY_TEXT]);

/* msign_keyid_hex - a key id as minisign prints it ("A5330841520558DF") */
void msign_keyid_hex(
        const uint8_t keyid[MSIGN_KEYID_BYTES], char out[MSIGN_KEYID_HEX]);

/*
 * SIGNING (always "ED": prehashed with BLAKE2b-512)
 * trusted_comment: one line of at most MSIGN_TRUSTED_MAX bytes without
 * CR or LF; NULL gives minisign's default "timestamp:<now>\tfile:<name>
 * \thashed" (without the file part for a buffer).
 */

/* msign_sign_file - sign the file at `path` into sig_path (NULL:
 * path + MSIGN_SUFFIX), written atomically, replacing an older one */
int msign_sign_file(const struct msign_seckey *sk, const char *path,
        const char *sig_path, const char *trusted_comment) MSIGN_MUST_CHECK;

/* msign_sign_buf - sign len bytes; *sig gets the signature file's text
 * (malloc'd, NUL-terminated) and *sig_len its length */
int msign_sign_buf(const struct msign_seckey *sk, const void *msg, size_t len,
        const char *trusted_comment, char **sig,
        size_t *sig_len) MSIGN_MUST_CHECK;

/*
 * VERIFYING
 * The signature's key id picks the pinned key; a key id that none of
 * them has is MSIGN_E_KEYID. Both the signature over the content and
 * the global signature over the trusted comment must verify.
 */
struct msign_verified {
	size_t key; /* index in keys[] of the key that verified */
	int legacy; /* 1: a legacy "Ed" signature */
	char trusted_comment[MSIGN_TRUSTED_MAX + 1];
};

/* msign_verify_file - verify `path` against its signature file (NULL:
 * path + MSIGN_SUFFIX) with one pinned key; out may be NULL */
int msign_verify_file(const struct msign_pubkey *pk, const char *path,
        const char *sig_path, struct msign_verified *out) MSIGN_MUST_CHECK;

/* msign_verify_file_any - the same with 1 to MSIGN_PINNED_MAX pinned keys
 * (the current and the next key of a partner during a rotation) */
int msign_verify_file_any(const struct msign_pubkey *keys, size_t nkeys,
        const char *path, const char *sig_path,
        struct msign_verified *out) MSIGN_MUST_CHECK;

/* msign_verify_buf - verify len bytes against a signature file's text
 * (sig_len bytes) with 1 to MSIGN_PINNED_MAX pinned keys */
int msign_verify_buf(const struct msign_pubkey *keys, size_t nkeys,
        const void *msg, size_t len, const char *sig, size_t sig_len,
        struct msign_verified *out) MSIGN_MUST_CHECK;

#endif /* REPSYNC_MINISIGN_H */
