/*
 * dkimsign.c - DKIM signatures for the benchmark corpus with libopendkim
 * (see dkimsign.h). The library folds the field itself (CRLF and a tab)
 * and the field is used as it comes, with one exception: libopendkim 2.11
 * hashes its own field folded with an empty b= and then folds the field
 * it returns again, with the signature in. RSA's b= always starts a new
 * line, so both foldings agree; Ed25519's short b= may fit on the line
 * before when empty and not when filled, and under simple header
 * canonicalisation the signature then fails everywhere (python3-dkim and
 * libopendkim's own verifier agree). Ed25519 fields with simple header
 * canonicalisation are therefore not folded at all (margin 0).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <opendkim/dkim.h>

#include "dkimsign.h"

#define DKIMSIGN_KEY_MAX 16384 /* a PEM private key is far smaller */
#define DKIMSIGN_FIELD "DKIM-Signature"

enum { DS_RSA, DS_ED25519 };

struct dkimsign {
	DKIM_LIB *lib;
	unsigned char *key[2]; /* PEM text, NUL-terminated */
	char sel[2][64];
	char err[256];
};

/* the fields signed when present; From is signed once more than it
 * occurs, so that a second From cannot be added (oversigning) */
static const char *const sign_hdrs[] = {"from", "to", "cc", "subject", "date",
        "message-id", "reply-to", "mime-version", "content-type", "list-id",
        "list-unsubscribe", NULL};
static const char *const oversign_hdrs[] = {"from", NULL};

/* key_read - a whole PEM file, NUL-terminated; NULL with err set */
static unsigned char *key_read(const char *path, char *err, size_t errlen)
{
	unsigned char *buf = malloc(DKIMSIGN_KEY_MAX + 1);
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	if (buf == NULL || fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(buf);
		if (fp != NULL)
			fclose(fp);
		return NULL;
	}
	n = fread(buf, 1, DKIMSIGN_KEY_MAX + 1, fp);
	fclose(fp);
	if (n == 0 || n > DKIMSIGN_KEY_MAX) {
		snprintf(err, errlen, "%s: empty or over %d bytes", path,
		        DKIMSIGN_KEY_MAX);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* lib_open - the library handle with our header lists */
static DKIM_LIB *lib_open(void)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);

	if (lib == NULL)
		return NULL;
	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS,
	            (void *)sign_hdrs, sizeof(char **)) != DKIM_STAT_OK ||
	        dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS,
	                (void *)oversign_hdrs,
	                sizeof(char **)) != DKIM_STAT_OK) {
		dkim_close(lib);
		return NULL;
	}
	return lib;
}

/* dkimsign_new - keys, selectors and the library handle */
int dkimsign_new(const char *rsa_path, const char *ed_path, const char *rsa_sel,
        const char *ed_sel, struct dkimsign **out, char *err, size_t errlen)
{
	struct dkimsign *ds = calloc(1, sizeof *ds);

	if (ds == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(ds->sel[DS_RSA], sizeof ds->sel[DS_RSA], "%s", rsa_sel);
	snprintf(ds->sel[DS_ED25519], sizeof ds->sel[DS_ED25519], "%s", ed_sel);
	if ((ds->key[DS_RSA] = key_read(rsa_path, err, errlen)) == NULL ||
	        (ds->key[DS_ED25519] = key_read(ed_path, err, errlen)) == NULL)
		goto fail;
	if ((ds->lib = lib_open()) == NULL) {
		snprintf(err, errlen, "libopendkim: cannot set up signing");
		goto fail;
	}
	*out = ds;
	return 0;
fail:
	dkimsign_free(ds);
	return -1;
}

/* dkimsign_free - the library handle and the keys */
void dkimsign_free(struct dkimsign *ds)
{
	if (ds == NULL)
		return;
	if (ds->lib != NULL)
		dkim_close(ds->lib);
	free(ds->key[DS_RSA]);
	free(ds->key[DS_ED25519]);
	free(ds);
}

/* canon_pick - relaxed/relaxed for half the messages, relaxed/simple
 * and simple/simple for a quarter each */
static void canon_pick(size_t index, dkim_canon_t *hc, dkim_canon_t *bc)
{
	*hc = index % 4 == 3 ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
	*bc = index % 4 >= 2 ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
}

/* field_make - "DKIM-Signature: " value CRLF, from a finished handle */
static char *field_make(struct dkimsign *ds, DKIM *d)
{
	size_t pre = strlen(DKIMSIGN_FIELD ": "), len;
	unsigned char *val;
	char *field;

	if (dkim_getsighdr_d(d, pre, &val, &len) != DKIM_STAT_OK) {
		snprintf(ds->err, sizeof ds->err, "dkim_getsighdr_d: %s",
		        dkim_geterror(d));
		return NULL;
	}
	if ((field = malloc(pre + len + 3)) == NULL)
		return NULL;
	snprintf(field, pre + len + 3, "%s: %.*s\r\n", DKIMSIGN_FIELD, (int)len,
	        (const char *)val);
	return field;
}

/* sign_run - one message through a signing handle */
static char *sign_run(
        struct dkimsign *ds, DKIM *d, const char *data, size_t len)
{
	DKIM_STAT st = dkim_chunk(d, (unsigned char *)data, len);

	if (st == DKIM_STAT_OK)
		st = dkim_chunk(d, NULL, 0);
	if (st == DKIM_STAT_OK)
		st = dkim_eom(d, NULL);
	if (st != DKIM_STAT_OK) {
		snprintf(ds->err, sizeof ds->err, "signing: %s: %s",
		        dkim_getresultstr(st), dkim_geterror(d));
		return NULL;
	}
	return field_make(ds, d);
}

/* dkimsign_corpus - sign one corpus message as domain */
char *dkimsign_corpus(void *ctx, enum mailcorpus_sig alg, const char *domain,
        size_t index, const char *data, size_t len)
{
	struct dkimsign *ds = ctx;
	int k = alg == MAILCORPUS_SIG_ED25519 ? DS_ED25519 : DS_RSA;
	dkim_canon_t hc, bc;
	DKIM_STAT st;
	DKIM *d;
	char *field;

	ds->err[0] = '\0';
	canon_pick(index, &hc, &bc);
	d = dkim_sign(ds->lib, (const unsigned char *)"bench", NULL, ds->key[k],
	        (const unsigned char *)ds->sel[k],
	        (const unsigned char *)domain, hc, bc,
	        k == DS_ED25519 ? DKIM_SIGN_ED25519SHA256 : DKIM_SIGN_RSASHA256,
	        -1, &st);
	if (d == NULL) {
		snprintf(ds->err, sizeof ds->err, "dkim_sign: %s",
		        dkim_getresultstr(st));
		return NULL;
	}
	if (k == DS_ED25519 && hc == DKIM_CANON_SIMPLE &&
	        dkim_set_margin(d, 0) != DKIM_STAT_OK) {
		snprintf(ds->err, sizeof ds->err, "dkim_set_margin failed");
		dkim_free(d);
		return NULL;
	}
	field = sign_run(ds, d, data, len);
	dkim_free(d);
	return field;
}

/* dkimsign_error - the reason of the last failure */
const char *dkimsign_error(const struct dkimsign *ds)
{
	return ds->err;
}
