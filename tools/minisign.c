/*
 * minisign.c - signatures in minisign's format, made and checked with
 * libsodium (minisign.h), and the text helpers the key files share
 * (minisign_int.h).
 *
 * Signing always prehashes (BLAKE2b-512, "ED"), so a file of any size is
 * signed and verified in constant memory; legacy "Ed" signatures, which
 * sign the content itself, are verified but never made.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "afile.h"
#include "minisign_int.h"

#define SIG_COMMENT "signature from repsync secret key"
#define PREHASH_BYTES crypto_generichash_BYTES_MAX /* 64: BLAKE2b-512 */

struct sig_blob {
	uint8_t sig_alg[2];
	uint8_t keyid[MSIGN_KEYID_BYTES];
	uint8_t sig[crypto_sign_BYTES];
};

_Static_assert(sizeof(struct sig_blob) == 74, "minisign signature layout");

/* A signature file, parsed. */
struct sig_file {
	struct sig_blob blob;
	uint8_t global[crypto_sign_BYTES];
	int legacy;
	size_t tc_len;
	char tc[MSIGN_TRUSTED_MAX + 1];
};

/* msign_strerror - a static, human-readable text for an error code */
const char *msign_strerror(int err)
{
	static const char *const text[] = {
	        [-MSIGN_OK] = "success",
	        [-MSIGN_E_INVAL] = "invalid argument",
	        [-MSIGN_E_NOMEM] = "out of memory (or libsodium unusable)",
	        [-MSIGN_E_IO] = "input/output error",
	        [-MSIGN_E_FORMAT] = "not a minisign key or signature file",
	        [-MSIGN_E_ALGORITHM] = "unsupported signature, kdf or checksum "
	                               "algorithm",
	        [-MSIGN_E_ENCRYPTED] = "secret key is encrypted (password-"
	                               "protected); make an unencrypted one "
	                               "(repsync keygen, minisign -G -W) or "
	                               "sign with minisign -S",
	        [-MSIGN_E_CORRUPT] = "secret key fails its checksum",
	        [-MSIGN_E_MODE] = "secret key file may be read by others or "
	                          "written by its group (chmod 600)",
	        [-MSIGN_E_EXISTS] = "key file exists (never overwritten)",
	        [-MSIGN_E_KEYID] =
	                "signed by a key that is not pinned (key id)",
	        [-MSIGN_E_SIGNATURE] = "signature does not match the content",
	        [-MSIGN_E_COMMENT] = "trusted comment signature does not match",
	        [-MSIGN_E_TOOBIG] = "file too big for a legacy signature",
	        [-MSIGN_E_COMMENTTEXT] = "trusted comment too long or holds "
	                                 "CR or LF",
	};

	if (err > 0 || -err >= (int)(sizeof text / sizeof text[0]))
		return "unknown error";
	return text[-err];
}

/* msign_io_error - MSIGN_E_IO, or the code that says more for a few errnos */
int msign_io_error(void)
{
	if (errno == EEXIST)
		return MSIGN_E_EXISTS;
	if (errno == ENOMEM)
		return MSIGN_E_NOMEM;
	return MSIGN_E_IO;
}

/* msign_line_next - the next line of a buffer, without LF or a CR before it,
 * NUL-terminated in place; -1 at the end or on a NUL inside the line */
int msign_line_next(struct lines *l, char **line, size_t *len)
{
	char *nl;
	size_t n;

	if (l->p >= l->end)
		return -1;
	nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
	n = (size_t)((nl != NULL ? nl : l->end) - l->p);
	*line = l->p;
	l->p += n + (nl != NULL);
	if (n > 0 && (*line)[n - 1] == '\r')
		n--;
	if (memchr(*line, '\0', n) != NULL)
		return -1;
	(*line)[n] = '\0';
	*len = n;
	return 0;
}

/* b64_strict - only base64 digits and padding: libsodium 1.0.18 reads
 * a few bytes above 0x7f as digits ('/' | 0x80 as '/'), so a damaged
 * line would otherwise decode as if intact */
static int b64_strict(const char *text, size_t len)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                             "abcdefghijklmnopqrstuvwxyz0123456789+/=";
	size_t i;

	for (i = 0; i < len; i++)
		if (text[i] == '\0' || strchr(digits, text[i]) == NULL)
			return 0;
	return 1;
}

/* msign_b64_decode - exactly `len` bytes from a whole base64 text */
int msign_b64_decode(const char *text, size_t text_len, void *bin, size_t len)
{
	size_t got;

	if (!b64_strict(text, text_len) ||
	        sodium_base642bin(bin, len, text, text_len, NULL, &got, NULL,
	                sodium_base64_VARIANT_ORIGINAL) != 0 ||
	        got != len)
		return MSIGN_E_FORMAT;
	return 0;
}

/* msign_b64_encode - base64 of len bytes into out (large enough) */
void msign_b64_encode(const void *bin, size_t len, char *out, size_t out_len)
{
	sodium_bin2base64(
	        out, out_len, bin, len, sodium_base64_VARIANT_ORIGINAL);
}

/* le64_load - the key id read as minisign does: little-endian */
static uint64_t le64_load(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* msign_keyid_hex - a key id as minisign prints it */
void msign_keyid_hex(
        const uint8_t keyid[MSIGN_KEYID_BYTES], char out[MSIGN_KEYID_HEX])
{
	snprintf(out, MSIGN_KEYID_HEX, "%016llX",
	        (unsigned long long)le64_load(keyid));
}

/* msign_line_comment - the next line, which must be an untrusted comment */
int msign_line_comment(struct lines *l)
{
	char *line;
	size_t len;

	if (msign_line_next(l, &line, &len) != 0 ||
	        strncmp(line, COMMENT_PREFIX, PREFIX_LEN(COMMENT_PREFIX)) !=
	                0 ||
	        len > PREFIX_LEN(COMMENT_PREFIX) + MSIGN_UNTRUSTED_MAX)
		return MSIGN_E_FORMAT;
	return 0;
}

/* msign_line_rest_blank - nothing but empty lines after the last one used */
int msign_line_rest_blank(struct lines *l)
{
	char *line;
	size_t len;

	while (msign_line_next(l, &line, &len) == 0)
		if (len != 0)
			return 0;
	return l->p >= l->end;
}

/*
 * SIGNING
 */

/* prehash_file - BLAKE2b-512 of a file's content, read in chunks */
static int prehash_file(const char *path, uint8_t out[PREHASH_BYTES])
{
	crypto_generichash_state hs;
	unsigned char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return msign_io_error();
	crypto_generichash_init(&hs, NULL, 0, PREHASH_BYTES);
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = msign_io_error();
			close(fd);
			return err;
		}
		crypto_generichash_update(&hs, buf, (size_t)n);
	}
	close(fd);
	crypto_generichash_final(&hs, out, PREHASH_BYTES);
	return 0;
}

/* comment_ok - a trusted comment minisign can carry: one line, not too
 * long */
static int comment_ok(const char *tc)
{
	return strlen(tc) <= MSIGN_TRUSTED_MAX && strpbrk(tc, "\r\n") == NULL;
}

/* default_comment - minisign's default trusted comment */
static void default_comment(const char *path, char *out, size_t len)
{
	const char *base = path != NULL ? strrchr(path, '/') : NULL;
	long long now = (long long)time(NULL);

	base = base != NULL ? base + 1 : path;
	if (base != NULL)
		snprintf(out, len, "timestamp:%lld\tfile:%.*s\thashed", now,
		        (int)(MSIGN_TRUSTED_MAX - 64), base);
	else
		snprintf(out, len, "timestamp:%lld\thashed", now);
}

/* sig_text - the signature file for a prehashed content: signature,
 * then the global signature over signature || trusted comment */
static char *sig_text(const struct msign_seckey *sk,
        const uint8_t hash[PREHASH_BYTES], const char *tc, size_t *len)
{
	struct sig_blob b;
	uint8_t global[crypto_sign_BYTES];
	size_t tc_len = strlen(tc), cap = tc_len + 512;
	unsigned char *signed_tc = malloc(sizeof b.sig + tc_len);
	char *text = malloc(cap), b64[256], gb64[128];

	if (signed_tc == NULL || text == NULL) {
		free(signed_tc);
		free(text);
		return NULL;
	}
	memcpy(b.sig_alg, SIGALG_HASHED, 2);
	memcpy(b.keyid, sk->keyid, sizeof b.keyid);
	crypto_sign_detached(b.sig, NULL, hash, PREHASH_BYTES, sk->sk);
	memcpy(signed_tc, b.sig, sizeof b.sig);
	memcpy(signed_tc + sizeof b.sig, tc, tc_len);
	crypto_sign_detached(
	        global, NULL, signed_tc, sizeof b.sig + tc_len, sk->sk);
	free(signed_tc);
	msign_b64_encode(&b, sizeof b, b64, sizeof b64);
	msign_b64_encode(global, sizeof global, gb64, sizeof gb64);
	*len = (size_t)snprintf(text, cap,
	        COMMENT_PREFIX SIG_COMMENT "\n%s\n" TRUSTED_PREFIX "%s\n%s\n",
	        b64, tc, gb64);
	return text;
}

/* sign_hash - the signature text for a prehashed content */
static int sign_hash(const struct msign_seckey *sk, const char *path,
        const uint8_t hash[PREHASH_BYTES], const char *tc, char **text,
        size_t *len)
{
	char def[MSIGN_TRUSTED_MAX + 1];

	if (tc == NULL) {
		default_comment(path, def, sizeof def);
		tc = def;
	}
	if (!comment_ok(tc))
		return MSIGN_E_COMMENTTEXT;
	if ((*text = sig_text(sk, hash, tc, len)) == NULL)
		return MSIGN_E_NOMEM;
	return 0;
}

/* sig_path_of - the signature file's path: given, or path + suffix */
static int sig_path_of(
        const char *path, const char *given, char *out, size_t len)
{
	int n = given != NULL ? snprintf(out, len, "%s", given)
	                      : snprintf(out, len, "%s" MSIGN_SUFFIX, path);

	return n < 0 || (size_t)n >= len ? MSIGN_E_INVAL : 0;
}

/* msign_sign_file - sign a file into its signature file */
int msign_sign_file(const struct msign_seckey *sk, const char *path,
        const char *sig_path, const char *trusted_comment)
{
	uint8_t hash[PREHASH_BYTES];
	char sp[PATH_MAX], *text;
	size_t len;
	int err;

	if (sk == NULL || path == NULL)
		return MSIGN_E_INVAL;
	if ((err = sig_path_of(path, sig_path, sp, sizeof sp)) != 0 ||
	        (err = prehash_file(path, hash)) != 0 ||
	        (err = sign_hash(sk, path, hash, trusted_comment, &text, &len)))
		return err;
	if (afile_put(sp, text, len, 0644, 1) != 0)
		err = msign_io_error();
	free(text);
	return err;
}

/* msign_sign_buf - sign a buffer; the signature file's text */
int msign_sign_buf(const struct msign_seckey *sk, const void *msg, size_t len,
        const char *trusted_comment, char **sig, size_t *sig_len)
{
	uint8_t hash[PREHASH_BYTES];

	if (sk == NULL || (msg == NULL && len > 0) || sig == NULL ||
	        sig_len == NULL)
		return MSIGN_E_INVAL;
	crypto_generichash(hash, sizeof hash, msg, len, NULL, 0);
	return sign_hash(sk, NULL, hash, trusted_comment, sig, sig_len);
}

/*
 * VERIFYING
 */

/* sig_blob_line - the signature line: algorithm, key id, signature */
static int sig_blob_line(struct lines *l, struct sig_file *s)
{
	char *line;
	size_t n;

	if (msign_line_next(l, &line, &n) != 0 ||
	        msign_b64_decode(line, n, &s->blob, sizeof s->blob) != 0)
		return MSIGN_E_FORMAT;
	if (memcmp(s->blob.sig_alg, SIGALG_HASHED, 2) == 0)
		s->legacy = 0;
	else if (memcmp(s->blob.sig_alg, SIGALG, 2) == 0)
		s->legacy = 1;
	else
		return MSIGN_E_ALGORITHM;
	return 0;
}

/* trusted_line - the trusted comment line; its text is what is signed */
static int trusted_line(struct lines *l, struct sig_file *s)
{
	char *line;
	size_t n;

	if (msign_line_next(l, &line, &n) != 0 ||
	        strncmp(line, TRUSTED_PREFIX, PREFIX_LEN(TRUSTED_PREFIX)) != 0)
		return MSIGN_E_FORMAT;
	s->tc_len = n - PREFIX_LEN(TRUSTED_PREFIX);
	if (s->tc_len > MSIGN_TRUSTED_MAX)
		return MSIGN_E_FORMAT;
	memcpy(s->tc, line + PREFIX_LEN(TRUSTED_PREFIX), s->tc_len + 1);
	return 0;
}

/* sig_parse - a signature file's text (modified in place) */
static int sig_parse(char *text, size_t len, struct sig_file *s)
{
	struct lines l = {text, text + len};
	char *line;
	size_t n;
	int err;

	if ((err = msign_line_comment(&l)) != 0 ||
	        (err = sig_blob_line(&l, s)) != 0 ||
	        (err = trusted_line(&l, s)) != 0)
		return err;
	if (msign_line_next(&l, &line, &n) != 0 ||
	        msign_b64_decode(line, n, s->global, sizeof s->global) != 0)
		return MSIGN_E_FORMAT;
	return msign_line_rest_blank(&l) ? 0 : MSIGN_E_FORMAT;
}

/* pick_key - the pinned key with the signature's key id */
static int pick_key(const struct msign_pubkey *keys, size_t nkeys,
        const struct sig_file *s, size_t *which)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (memcmp(keys[i].keyid, s->blob.keyid, MSIGN_KEYID_BYTES) ==
		        0) {
			*which = i;
			return 0;
		}
	return MSIGN_E_KEYID;
}

/* check_sigs - the signature over the message (the content, or its
 * prehash) and the global signature over signature || trusted comment */
static int check_sigs(const struct msign_pubkey *pk, const struct sig_file *s,
        const void *msg, size_t len)
{
	unsigned char *signed_tc;
	int bad;

	if (crypto_sign_verify_detached(s->blob.sig, msg, len, pk->pk) != 0)
		return MSIGN_E_SIGNATURE;
	if ((signed_tc = malloc(sizeof s->blob.sig + s->tc_len)) == NULL)
		return MSIGN_E_NOMEM;
	memcpy(signed_tc, s->blob.sig, sizeof s->blob.sig);
	memcpy(signed_tc + sizeof s->blob.sig, s->tc, s->tc_len);
	bad = crypto_sign_verify_detached(
	        s->global, signed_tc, sizeof s->blob.sig + s->tc_len, pk->pk);
	free(signed_tc);
	return bad ? MSIGN_E_COMMENT : 0;
}

/* report - fill the caller's result after a verification */
static void report(
        struct msign_verified *out, size_t key, const struct sig_file *s)
{
	if (out == NULL)
		return;
	out->key = key;
	out->legacy = s->legacy;
	memcpy(out->trusted_comment, s->tc, s->tc_len + 1);
}

/* sig_load - read and parse a signature text, pick the key */
static int sig_load(const struct msign_pubkey *keys, size_t nkeys, char *text,
        size_t len, struct sig_file *s, size_t *which)
{
	int err;

	if (keys == NULL || nkeys == 0 || nkeys > MSIGN_PINNED_MAX)
		return MSIGN_E_INVAL;
	if ((err = sig_parse(text, len, s)) != 0)
		return err;
	return pick_key(keys, nkeys, s, which);
}

/* verify_msg - verify a message given in memory */
static int verify_msg(const struct msign_pubkey *keys, size_t nkeys,
        const void *msg, size_t len, char *text, size_t text_len,
        struct msign_verified *out)
{
	struct sig_file s;
	uint8_t hash[PREHASH_BYTES];
	size_t which;
	int err;

	if ((err = sig_load(keys, nkeys, text, text_len, &s, &which)) != 0)
		return err;
	if (!s.legacy) {
		crypto_generichash(hash, sizeof hash, msg, len, NULL, 0);
		msg = hash;
		len = sizeof hash;
	}
	if ((err = check_sigs(&keys[which], &s, msg, len)) != 0)
		return err;
	report(out, which, &s);
	return 0;
}

/* msign_verify_buf - verify a buffer against a signature file's text */
int msign_verify_buf(const struct msign_pubkey *keys, size_t nkeys,
        const void *msg, size_t len, const char *sig, size_t sig_len,
        struct msign_verified *out)
{
	char *text;
	int err;

	if ((msg == NULL && len > 0) || sig == NULL ||
	        sig_len > MSIGN_SIG_FILE_MAX)
		return sig_len > MSIGN_SIG_FILE_MAX ? MSIGN_E_FORMAT
		                                    : MSIGN_E_INVAL;
	if (sodium_init() < 0 || (text = malloc(sig_len + 1)) == NULL)
		return MSIGN_E_NOMEM;
	memcpy(text, sig, sig_len);
	text[sig_len] = '\0';
	err = verify_msg(keys, nkeys, msg, len, text, sig_len, out);
	free(text);
	return err;
}

/* verify_legacy_file - a legacy signature: the whole content in memory */
static int verify_legacy_file(const struct msign_pubkey *pk,
        const struct sig_file *s, const char *path)
{
	char *content;
	size_t len;
	int err;

	if (afile_read(path, MSIGN_LEGACY_MAX, &content, &len) != 0)
		return errno == EFBIG ? MSIGN_E_TOOBIG : msign_io_error();
	err = check_sigs(pk, s, content, len);
	free(content);
	return err;
}

/* verify_path - verify a file whose signature text is loaded */
static int verify_path(const struct msign_pubkey *keys, size_t nkeys,
        const char *path, char *text, size_t len, struct msign_verified *out)
{
	struct sig_file s;
	uint8_t hash[PREHASH_BYTES];
	size_t which;
	int err;

	if ((err = sig_load(keys, nkeys, text, len, &s, &which)) != 0)
		return err;
	if (s.legacy)
		err = verify_legacy_file(&keys[which], &s, path);
	else if ((err = prehash_file(path, hash)) == 0)
		err = check_sigs(&keys[which], &s, hash, sizeof hash);
	if (err == 0)
		report(out, which, &s);
	return err;
}

/* msign_verify_file_any - verify a file with 1 or 2 pinned keys */
int msign_verify_file_any(const struct msign_pubkey *keys, size_t nkeys,
        const char *path, const char *sig_path, struct msign_verified *out)
{
	char sp[PATH_MAX], *text;
	size_t len;
	int err;

	if (path == NULL)
		return MSIGN_E_INVAL;
	if ((err = sig_path_of(path, sig_path, sp, sizeof sp)) != 0)
		return err;
	if (sodium_init() < 0)
		return MSIGN_E_NOMEM;
	if (afile_read(sp, MSIGN_SIG_FILE_MAX, &text, &len) != 0)
		return errno == EFBIG ? MSIGN_E_FORMAT : msign_io_error();
	err = verify_path(keys, nkeys, path, text, len, out);
	free(text);
	return err;
}

/* msign_verify_file - verify a file with one pinned key */
int msign_verify_file(const struct msign_pubkey *pk, const char *path,
        const char *sig_path, struct msign_verified *out)
{
	return msign_verify_file_any(pk, 1, path, sig_path, out);
}
