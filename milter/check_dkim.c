/*
 * check_dkim.c - DKIM verification of one message as it streams in
 * (check_dkim.h): the verifier, the message's life, and the plan made at
 * end-of-headers for each signature.
 *
 * Decisions worth knowing:
 *  - Each message gets its own DKIM_LIB (dkim_init costs about 1 us, a
 *    malloc and glibc's cached res_init), so that libopendkim's DNS
 *    service handle can be the message: the hooks find their message
 *    without any global or thread-local state.
 *  - DKIM_LIBFLAGS_DELAYSIGPROC: without it dkim_eoh fetches every key and
 *    blocks the end-of-headers callback on DNS. With it the keys are asked
 *    for in the prescreen callback (inside dkim_eoh, without waiting) and
 *    waited for in dkim_eom, so the lookups overlap the body transfer.
 *  - DKIM_LIBFLAGS_BADSIGHANDLES: without it one malformed DKIM-Signature
 *    fails the whole message at end-of-headers and hides valid ones.
 *  - DKIM_LIBFLAGS_FIXCRLF is not set: header values are repaired here
 *    (bare LF to CRLF), and in the body the flag would turn a CRLF split
 *    across two chunks into two line ends.
 *  - A message without exactly one From holding an address is not
 *    verified: libopendkim itself refuses such headers when it processes
 *    signatures at end-of-headers, and a repeated From is how a valid
 *    signature is made to vouch for another author.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_dkim_impl.h"
#include "dkim_keycache.h"

/* check_dkim_strerror - a static text for a CHECK_DKIM_E_* code */
const char *check_dkim_strerror(int err)
{
	switch (err) {
	case CHECK_DKIM_OK:
		return "success";
	case CHECK_DKIM_E_INVAL:
		return "invalid argument";
	case CHECK_DKIM_E_NOMEM:
		return "out of memory";
	case CHECK_DKIM_E_LIB:
		return "libopendkim refused a setting";
	case CHECK_DKIM_E_STATE:
		return "call out of order";
	default:
		return "unknown error";
	}
}

/* opts_check - fill in defaults; CHECK_DKIM_E_INVAL for nonsense */
static int opts_check(
        const struct check_dkim_opts *in, struct check_dkim_opts *out)
{
	const struct check_dkim_keys *k = in->keys;

	if (k == NULL || k->open == NULL || k->ask == NULL || k->wait == NULL ||
	        k->close == NULL)
		return CHECK_DKIM_E_INVAL;
	*out = *in;
	if (out->min_key_bits == 0)
		out->min_key_bits = CHECK_DKIM_MIN_KEY_BITS;
	if (out->verify_max == 0)
		out->verify_max = CHECK_DKIM_VERIFY_MAX;
	if (out->key_cache == 0)
		out->key_cache = DKIM_KEYCACHE_DEFAULT;
	else if (out->key_cache == CHECK_DKIM_KEY_CACHE_NONE)
		out->key_cache = 0;
	/* 512 is the smallest RSA key libopendkim's corpora use */
	if (out->min_key_bits < 512 || out->min_key_bits > 16384 ||
	        out->verify_max > CHECK_DKIM_SIGS_MAX ||
	        out->key_cache > DKIM_KEYCACHE_MAX)
		return CHECK_DKIM_E_INVAL;
	return CHECK_DKIM_OK;
}

/* check_dkim_new - check the options and the library's features */
int check_dkim_new(const struct check_dkim_opts *opts, struct check_dkim **out)
{
	struct check_dkim *v;
	int rc;

	if (opts == NULL || out == NULL)
		return CHECK_DKIM_E_INVAL;
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return CHECK_DKIM_E_NOMEM;
	rc = opts_check(opts, &v->o);
	if (rc == CHECK_DKIM_OK) {
		v->base = dkim_init(NULL, NULL);
		if (v->base == NULL)
			rc = CHECK_DKIM_E_NOMEM;
		else if (!dkim_libfeature(v->base, DKIM_FEATURE_ED25519) ||
		         !dkim_libfeature(v->base, DKIM_FEATURE_SHA256))
			rc = CHECK_DKIM_E_LIB;
	}
	if (rc != CHECK_DKIM_OK) {
		check_dkim_free(v);
		return rc;
	}
	dkim_keycache_size(v->o.key_cache);
	*out = v;
	return CHECK_DKIM_OK;
}

/* check_dkim_free - after the last message; NULL is a no-op */
void check_dkim_free(struct check_dkim *v)
{
	if (v == NULL)
		return;
	if (v->base != NULL)
		dkim_close(v->base);
	free(v);
}

/* prescreen - libopendkim's end-of-headers callback: plan each signature
 * and start the key lookups of those to verify */
static DKIM_CBSTAT prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs);

/* lib_new - this message's library handle, set up like every other */
static DKIM_LIB *lib_new(struct check_dkim_msg *m)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	unsigned int flags =
	        DKIM_LIBFLAGS_BADSIGHANDLES | DKIM_LIBFLAGS_DELAYSIGPROC;
	unsigned int bits = m->v->o.min_key_bits;

	if (lib == NULL)
		return NULL;
	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	            sizeof(flags)) != DKIM_STAT_OK ||
	        dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &bits,
	                sizeof(bits)) != DKIM_STAT_OK ||
	        dkim_set_prescreen(lib, prescreen) != DKIM_STAT_OK) {
		dkim_close(lib);
		return NULL;
	}
	ckd_hooks_install(lib, m);
	return lib;
}

/* check_dkim_msg_new - a library handle and a verifying handle */
int check_dkim_msg_new(struct check_dkim *v, struct check_dkim_msg **out)
{
	struct check_dkim_msg *m;
	DKIM_STAT st = DKIM_STAT_OK;

	if (v == NULL || out == NULL)
		return CHECK_DKIM_E_INVAL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return CHECK_DKIM_E_NOMEM;
	m->v = v;
	m->lib = lib_new(m);
	if (m->lib != NULL)
		m->dkim = dkim_verify(
		        m->lib, (const unsigned char *)"repmilter", NULL, &st);
	if (m->dkim == NULL ||
	        dkim_set_user_context(m->dkim, m) != DKIM_STAT_OK) {
		int rc = m->lib == NULL ? CHECK_DKIM_E_LIB : CHECK_DKIM_E_NOMEM;

		check_dkim_msg_free(m);
		return rc;
	}
	*out = m;
	return CHECK_DKIM_OK;
}

/* check_dkim_msg_free - the DKIM handle before its library; NULL ok */
void check_dkim_msg_free(struct check_dkim_msg *m)
{
	if (m == NULL)
		return;
	if (m->dkim != NULL)
		dkim_free(m->dkim);
	ckd_keys_close(m);
	if (m->lib != NULL)
		dkim_close(m->lib);
	free(m->field);
	free(m);
}

/* field_reserve - room for n bytes in the assembly buffer; 0 or -1 */
static int field_reserve(struct check_dkim_msg *m, size_t n)
{
	char *p;

	if (n <= m->fieldcap)
		return 0;
	p = realloc(m->field, n);
	if (p == NULL)
		return -1;
	m->field = p;
	m->fieldcap = n;
	return 0;
}

/* field_build - "name:value" with each bare LF made CRLF (Postfix folds
 * with LF, libopendkim canonicalises CRLF) and no final line end; its
 * length, 0 when the field is too large to feed, -1 when out of memory */
static ssize_t field_build(
        struct check_dkim_msg *m, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value), p = nl + 1;

	if (nl + vl > CKD_FIELD_MAX)
		return 0;
	if (field_reserve(m, nl + 1 + 2 * vl + 1) != 0)
		return -1;
	memcpy(m->field, name, nl);
	m->field[nl] = ':';
	for (size_t i = 0; i < vl; i++) {
		if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
			m->field[p++] = '\r';
		m->field[p++] = value[i];
	}
	if (p >= nl + 3 && m->field[p - 2] == '\r' && m->field[p - 1] == '\n')
		p -= 2;
	m->field[p] = '\0';
	return (ssize_t)p;
}

/* from_has_address - 1 if a From value yields a domain, 0 if not, -1 when
 * out of memory; dkim_mail_parse edits its input, so it gets a copy */
static int from_has_address(const char *value)
{
	char *copy = strdup(value);
	unsigned char *user = NULL, *domain = NULL;
	int ok;

	if (copy == NULL)
		return -1;
	ok = dkim_mail_parse((unsigned char *)copy, &user, &domain) == 0 &&
	     domain != NULL && domain[0] != '\0';
	free(copy);
	return ok;
}

/* note_from - count From fields and check the first one's address */
static int note_from(struct check_dkim_msg *m, const char *name)
{
	if (strcasecmp(name, "From") != 0 || ++m->nfrom != 1)
		return CHECK_DKIM_OK;
	m->from_ok = from_has_address(m->field + strlen(name) + 1);
	return m->from_ok < 0 ? CHECK_DKIM_E_NOMEM : CHECK_DKIM_OK;
}

/* check_dkim_msg_header - count, cap, repair and feed one header field */
int check_dkim_msg_header(
        struct check_dkim_msg *m, const char *name, const char *value)
{
	ssize_t n;
	int rc;

	if (m == NULL || name == NULL)
		return CHECK_DKIM_E_INVAL;
	if (m->state != CKD_HEADER)
		return CHECK_DKIM_E_STATE;
	if (++m->nheaders > CHECK_DKIM_HEADERS_MAX) {
		m->unusable = 1;
		return CHECK_DKIM_OK;
	}
	if (strcasecmp(name, "DKIM-Signature") == 0 &&
	        ++m->nsigfields > CHECK_DKIM_SIGS_MAX) {
		m->res.skipped++;
		return CHECK_DKIM_OK;
	}
	n = field_build(m, name, value != NULL ? value : "");
	if (n < 0)
		return CHECK_DKIM_E_NOMEM;
	if (n == 0) {
		m->unusable = 1;
		return CHECK_DKIM_OK;
	}
	if ((rc = note_from(m, name)) != CHECK_DKIM_OK)
		return rc;
	/* a field libopendkim rejects is a result (its signatures fail),
	 * not an error of the call; only resource trouble is remembered */
	if (dkim_header(m->dkim, (unsigned char *)m->field, (size_t)n) ==
	        DKIM_STAT_NORESOURCE)
		m->internal = 1;
	return CHECK_DKIM_OK;
}

/* plan_of - what to do with one signature, from what libopendkim parsed */
static enum ckd_plan plan_of(const struct check_dkim_msg *m, DKIM_SIGINFO *si)
{
	int err = dkim_sig_geterror(si);
	dkim_alg_t alg = DKIM_SIGN_UNKNOWN;

	if (m->unusable)
		return CKD_HEADERS;
	if (err != DKIM_SIGERROR_UNKNOWN && err != DKIM_SIGERROR_OK)
		return CKD_BAD;
	if (dkim_sig_getsignalg(si, &alg) != DKIM_STAT_OK)
		return CKD_BAD;
	if (alg == DKIM_SIGN_RSASHA1)
		return CKD_SHA1;
	if (alg != DKIM_SIGN_RSASHA256 && alg != DKIM_SIGN_ED25519SHA256)
		return CKD_BAD;
	/* malformed and rsa-sha1 signatures cost nothing and do not count */
	if (m->nverify >= m->v->o.verify_max)
		return CKD_CAPPED;
	return CKD_VERIFY;
}

/* plan - record one signature; its key lookup starts now if it is to be
 * verified, and libopendkim is told to ignore all the others */
static void plan(struct check_dkim_msg *m, DKIM_SIGINFO *si)
{
	struct ckd_sig *s = &m->sig[m->nsigs++];

	s->si = si;
	s->key = -1;
	s->plan = plan_of(m, si);
	if (s->plan == CKD_VERIFY) {
		s->key = ckd_key_ask(m, (const char *)dkim_sig_getselector(si),
		        (const char *)dkim_sig_getdomain(si));
		if (s->key < 0)
			s->plan = CKD_BADNAME;
		else
			m->nverify++;
	}
	if (s->plan != CKD_VERIFY)
		dkim_sig_ignore(si);
}

/* prescreen - called by dkim_eoh once the signatures are parsed */
static DKIM_CBSTAT prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct check_dkim_msg *m = dkim_get_user_context(dkim);

	if (m == NULL)
		return DKIM_CBSTAT_ERROR;
	for (int i = 0; i < nsigs; i++) {
		if (m->nsigs < CHECK_DKIM_SIGS_MAX) {
			plan(m, sigs[i]);
			continue;
		}
		/* cannot happen: fields past the cap are not fed */
		dkim_sig_ignore(sigs[i]);
		m->res.skipped++;
	}
	return DKIM_CBSTAT_CONTINUE;
}

/* check_dkim_msg_eoh - check the From rule, then let libopendkim parse
 * the signatures (prescreen starts the key lookups) */
int check_dkim_msg_eoh(struct check_dkim_msg *m)
{
	if (m == NULL)
		return CHECK_DKIM_E_INVAL;
	if (m->state != CKD_HEADER)
		return CHECK_DKIM_E_STATE;
	if (m->nfrom != 1 || m->from_ok != 1)
		m->unusable = 1;
	m->eoh_status = dkim_eoh(m->dkim);
	if (m->eoh_status == DKIM_STAT_NORESOURCE)
		m->internal = 1;
	m->state = CKD_BODY;
	return CHECK_DKIM_OK;
}

/* check_dkim_msg_body - feed a chunk while a signature still wants it */
int check_dkim_msg_body(struct check_dkim_msg *m, const void *chunk, size_t len)
{
	if (m == NULL || (chunk == NULL && len > 0))
		return CHECK_DKIM_E_INVAL;
	if (m->state != CKD_BODY)
		return CHECK_DKIM_E_STATE;
	if (check_dkim_msg_body_done(m) || len == 0)
		return CHECK_DKIM_OK;
	/* dkim_body only reads the chunk; its prototype lacks the const */
	if (dkim_body(m->dkim, (unsigned char *)(uintptr_t)chunk, len) ==
	        DKIM_STAT_NORESOURCE)
		m->internal = 1;
	return CHECK_DKIM_OK;
}

/* check_dkim_msg_body_done - nothing to verify, or every l= reached */
int check_dkim_msg_body_done(const struct check_dkim_msg *m)
{
	if (m == NULL || m->state == CKD_DONE)
		return 1;
	if (m->state != CKD_BODY)
		return 0;
	if (m->nverify == 0 || m->eoh_status != DKIM_STAT_OK)
		return 1;
	return dkim_minbody(m->dkim) == 0;
}

/* check_dkim_msg_eom - verify once (the hooks wait for the keys until
 * the deadline), build the results, free the lookups */
int check_dkim_msg_eom(struct check_dkim_msg *m, int64_t deadline_ms,
        const struct check_dkim_results **out)
{
	_Bool testkey = 0;

	if (m == NULL || out == NULL)
		return CHECK_DKIM_E_INVAL;
	if (m->state == CKD_HEADER) {
		/* no end-of-headers: the header block is not known whole */
		m->unusable = 1;
		if (check_dkim_msg_eoh(m) != CHECK_DKIM_OK)
			return CHECK_DKIM_E_STATE;
	}
	if (m->state == CKD_BODY) {
		m->deadline_ms = deadline_ms;
		if (m->nverify > 0 && m->eoh_status == DKIM_STAT_OK &&
		        dkim_eom(m->dkim, &testkey) == DKIM_STAT_NORESOURCE)
			m->internal = 1;
		ckd_results_build(m);
		ckd_keys_close(m);
		m->state = CKD_DONE;
	}
	*out = &m->res;
	return CHECK_DKIM_OK;
}
