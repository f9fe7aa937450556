/*
 * minisign_int.h - what minisign.c (signatures) and minisign_key.c (key
 * files) share: the constants of minisign's formats, the secret key's
 * layout in memory, and the text helpers both parse with. Internal to
 * librepsync; the public interface is minisign.h.
 */
#ifndef REPSYNC_MINISIGN_INT_H
#define REPSYNC_MINISIGN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "minisign.h"

#define SIGALG "Ed"        /* legacy signature; also the key algorithm */
#define SIGALG_HASHED "ED" /* signature of BLAKE2b-512(content) */
#define KDF_SCRYPT "Sc"
#define KDF_NONE "\0\0"
#define CHKALG "B2"
#define COMMENT_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define PREFIX_LEN(p) (sizeof(p) - 1)

_Static_assert(MSIGN_PK_BYTES == crypto_sign_PUBLICKEYBYTES, "key size");

struct msign_seckey {
	uint8_t keyid[MSIGN_KEYID_BYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES]; /* seed || public key */
};

/* A text buffer being cut into lines. */
struct lines {
	char *p, *end;
};

/* msign_io_error - MSIGN_E_IO, or a closer code for EEXIST and ENOMEM */
int msign_io_error(void);

/* msign_line_next - the next line, without LF or a CR before it,
 * NUL-terminated in place; -1 at the end or on a NUL inside the line */
int msign_line_next(struct lines *l, char **line, size_t *len);

/* msign_line_comment - the next line must be an untrusted comment */
int msign_line_comment(struct lines *l);

/* msign_line_rest_blank - 1 if only empty lines are left */
int msign_line_rest_blank(struct lines *l);

/* msign_b64_decode - exactly `len` bytes from a whole base64 text */
int msign_b64_decode(const char *text, size_t text_len, void *bin, size_t len);

/* msign_b64_encode - base64 of len bytes into out (large enough) */
void msign_b64_encode(const void *bin, size_t len, char *out, size_t out_len);

#endif /* REPSYNC_MINISIGN_INT_H */
