/*
 * check_dkim_result.c - from libopendkim's state of each signature after
 * dkim_eom to check_dkim.h's results; the message's symbol; names.
 *
 * libopendkim says what happened through three values per signature: its
 * flags (PROCESSED, PASSED, TESTKEY), the body hash state, and one
 * DKIM_SIGERROR_* code. A pass needs PASSED and a matching body hash (the
 * library's own DKIM_SIG_CHECK). Everything RFC 6376 calls PERMFAIL is
 * permerror here except a signature or body hash that does not verify
 * (fail) and a key that is too small (policy); TEMPFAIL is temperror.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "check_dkim_impl.h"

struct verdict {
	enum check_dkim_result result;
	enum check_dkim_why why;
};

static const char *const result_names[] = {
        "none", "pass", "fail", "policy", "temperror", "permerror"};

static const struct {
	const char *name, *text;
} whys[] = {
        [CHECK_DKIM_WHY_NONE] = {"", ""},
        [CHECK_DKIM_WHY_BADSIG] = {"badsig", "signature did not verify"},
        [CHECK_DKIM_WHY_BODYHASH] = {"bodyhash", "body hash did not verify"},
        [CHECK_DKIM_WHY_KEYSIZE] = {"keysize", "key too small"},
        [CHECK_DKIM_WHY_DNS] = {"dns", "key lookup failed"},
        [CHECK_DKIM_WHY_TIMEOUT] = {"timeout", "key lookup timed out"},
        [CHECK_DKIM_WHY_INTERNAL] = {"internal", "verifier out of resources"},
        [CHECK_DKIM_WHY_NOKEY] = {"nokey", "no key for signature"},
        [CHECK_DKIM_WHY_REVOKED] = {"revoked", "key revoked"},
        [CHECK_DKIM_WHY_KEY] = {"key", "key record unusable"},
        [CHECK_DKIM_WHY_SHA1] = {"sha1", "rsa-sha1 not accepted"},
        [CHECK_DKIM_WHY_EXPIRED] = {"expired", "signature expired"},
        [CHECK_DKIM_WHY_SIGNATURE] = {"signature",
                "signature malformed or unsupported"},
        [CHECK_DKIM_WHY_HEADERS] = {"headers", "message header block unusable"},
};

static const char *const alg_names[] = {
        "", "rsa-sha1", "rsa-sha256", "ed25519-sha256"};

/* check_dkim_result_name - the RFC 8601 keyword */
const char *check_dkim_result_name(enum check_dkim_result r)
{
	if ((unsigned)r >= sizeof(result_names) / sizeof(result_names[0]))
		return "permerror";
	return result_names[r];
}

/* check_dkim_why_name - a short keyword for logs and tests */
const char *check_dkim_why_name(enum check_dkim_why w)
{
	if ((unsigned)w >= sizeof(whys) / sizeof(whys[0]))
		return "signature";
	return whys[w].name;
}

/* check_dkim_why_text - a phrase for an A-R comment */
const char *check_dkim_why_text(enum check_dkim_why w)
{
	if ((unsigned)w >= sizeof(whys) / sizeof(whys[0]))
		return whys[CHECK_DKIM_WHY_SIGNATURE].text;
	return whys[w].text;
}

/* check_dkim_alg_name - the a= keyword */
const char *check_dkim_alg_name(enum check_dkim_alg a)
{
	if ((unsigned)a >= sizeof(alg_names) / sizeof(alg_names[0]))
		return "";
	return alg_names[a];
}

/* why_of_error - the reason class of a libopendkim signature error */
static enum check_dkim_why why_of_error(int err)
{
	switch (err) {
	case DKIM_SIGERROR_NOKEY:
		return CHECK_DKIM_WHY_NOKEY;
	case DKIM_SIGERROR_KEYREVOKED:
		return CHECK_DKIM_WHY_REVOKED;
	case DKIM_SIGERROR_EXPIRED:
		return CHECK_DKIM_WHY_EXPIRED;
	case DKIM_SIGERROR_DNSSYNTAX:
	case DKIM_SIGERROR_MULTIREPLY:
	case DKIM_SIGERROR_KEYVERSION:
	case DKIM_SIGERROR_KEYUNKNOWNHASH:
	case DKIM_SIGERROR_KEYHASHMISMATCH:
	case DKIM_SIGERROR_NOTEMAILKEY:
	case DKIM_SIGERROR_KEYTYPEMISSING:
	case DKIM_SIGERROR_KEYTYPEUNKNOWN:
	case DKIM_SIGERROR_KEYDECODE:
	case DKIM_SIGERROR_SUBDOMAIN:
		return CHECK_DKIM_WHY_KEY;
	default:
		return CHECK_DKIM_WHY_SIGNATURE;
	}
}

/* verdict_keyfail - a temporary key failure, told apart by what the key
 * source said (an answer too large for the library is permanent) */
static struct verdict verdict_keyfail(const struct ckd_key *k)
{
	if (k->oversize)
		return (struct verdict){
		        CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_KEY};
	if (k->asked && (k->status == DNS_PENDING || k->status == DNS_TIMEOUT))
		return (struct verdict){
		        CHECK_DKIM_TEMPERROR, CHECK_DKIM_WHY_TIMEOUT};
	return (struct verdict){CHECK_DKIM_TEMPERROR, CHECK_DKIM_WHY_DNS};
}

/* verdict_checked - a signature libopendkim was asked to verify */
static struct verdict verdict_checked(
        const struct check_dkim_msg *m, const struct ckd_sig *s)
{
	unsigned flags = dkim_sig_getflags(s->si);
	int err = dkim_sig_geterror(s->si), bh = dkim_sig_getbh(s->si);

	int none = err == DKIM_SIGERROR_OK || err == DKIM_SIGERROR_UNKNOWN;

	if ((flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH && none)
		return (struct verdict){CHECK_DKIM_PASS, CHECK_DKIM_WHY_NONE};
	if (err == DKIM_SIGERROR_KEYTOOSMALL)
		return (struct verdict){
		        CHECK_DKIM_POLICY, CHECK_DKIM_WHY_KEYSIZE};
	if (err == DKIM_SIGERROR_KEYFAIL)
		return verdict_keyfail(&m->key[s->key]);
	/* a key that cannot be applied leaves the signature unprocessed
	 * but with its error: the error says more than the flag */
	if (!none && err != DKIM_SIGERROR_BADSIG)
		return (struct verdict){
		        CHECK_DKIM_PERMERROR, why_of_error(err)};
	if (!(flags & DKIM_SIGFLAG_PROCESSED))
		return (struct verdict){
		        CHECK_DKIM_TEMPERROR, CHECK_DKIM_WHY_INTERNAL};
	if (bh == DKIM_SIGBH_MISMATCH)
		return (struct verdict){
		        CHECK_DKIM_FAIL, CHECK_DKIM_WHY_BODYHASH};
	return (struct verdict){CHECK_DKIM_FAIL, CHECK_DKIM_WHY_BADSIG};
}

/* verdict_of - the result of one signature, whatever its plan */
static struct verdict verdict_of(
        const struct check_dkim_msg *m, const struct ckd_sig *s)
{
	struct verdict v = {CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_SIGNATURE};

	switch (s->plan) {
	case CKD_VERIFY:
		v = verdict_checked(m, s);
		break;
	case CKD_BAD:
		v.why = why_of_error(dkim_sig_geterror(s->si));
		break;
	case CKD_SHA1:
		v.why = CHECK_DKIM_WHY_SHA1;
		break;
	case CKD_HEADERS:
		v.why = CHECK_DKIM_WHY_HEADERS;
		break;
	default:
		break;
	}
	/* after a resource failure nothing but a pass can be trusted */
	if (m->internal && v.result != CHECK_DKIM_PASS)
		v = (struct verdict){
		        CHECK_DKIM_TEMPERROR, CHECK_DKIM_WHY_INTERNAL};
	return v;
}

/* copy_clean - a tag value made printable, optionally lower-cased */
static void copy_clean(
        char *dst, size_t len, const unsigned char *src, int lower)
{
	size_t i = 0;

	for (; src != NULL && src[i] != '\0' && i + 1 < len; i++) {
		unsigned char c = src[i];

		if (c <= ' ' || c >= 0x7f)
			c = '?';
		else if (lower && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		dst[i] = (char)c;
	}
	dst[i] = '\0';
}

/* alg_of - the a= tag as an enum */
static enum check_dkim_alg alg_of(DKIM_SIGINFO *si)
{
	const char *a =
	        (const char *)dkim_sig_gettagvalue(si, 0, (unsigned char *)"a");

	for (unsigned i = 1; a != NULL && i < 4; i++)
		if (strcasecmp(a, alg_names[i]) == 0)
			return (enum check_dkim_alg)i;
	return CHECK_DKIM_ALG_UNKNOWN;
}

/* tag - a signature tag's value, NULL when absent */
static const unsigned char *tag(DKIM_SIGINFO *si, const char *name)
{
	return dkim_sig_gettagvalue(si, 0, (unsigned char *)name);
}

/* describe - the tags of one signature, for A-R and the log */
static void describe(const struct ckd_sig *s, struct check_dkim_sig *out)
{
	unsigned int bits = 0;

	copy_clean(out->domain, sizeof(out->domain), tag(s->si, "d"), 1);
	copy_clean(out->selector, sizeof(out->selector), tag(s->si, "s"), 0);
	copy_clean(out->identity, sizeof(out->identity), tag(s->si, "i"), 0);
	copy_clean(out->b, sizeof(out->b), tag(s->si, "b"), 0);
	out->alg = alg_of(s->si);
	if (dkim_sig_getkeysize(s->si, &bits) == DKIM_STAT_OK)
		out->key_bits = bits;
	out->testing = (dkim_sig_getflags(s->si) & DKIM_SIGFLAG_TESTKEY) != 0;
}

/* detail_of - libopendkim's words where it has some, else ours */
static const char *detail_of(const struct ckd_sig *s, struct verdict v)
{
	int err = dkim_sig_geterror(s->si);
	const char *text = NULL;

	if ((s->plan == CKD_VERIFY || s->plan == CKD_BAD) &&
	        v.why != CHECK_DKIM_WHY_INTERNAL && err > DKIM_SIGERROR_OK)
		text = dkim_sig_geterrorstr(err);
	return text != NULL ? text : check_dkim_why_text(v.why);
}

/* b_shorten - RFC 6008 section 4: cut each b= to the shortest prefix of
 * at least 8 characters that no other signature of the message shares */
static void b_shorten(struct check_dkim_results *r)
{
	size_t keep[CHECK_DKIM_SIGS_MAX];

	for (unsigned i = 0; i < r->n; i++) {
		const char *b = r->sig[i].b;
		size_t len = strlen(b), k = len < 8 ? len : 8;

		for (unsigned j = 0; j < r->n; j++)
			while (j != i && k < len &&
			        strncmp(b, r->sig[j].b, k) == 0)
				k++;
		keep[i] = k;
	}
	for (unsigned i = 0; i < r->n; i++)
		r->sig[i].b[keep[i]] = '\0';
}

/* unparsed - signatures libopendkim never listed (dkim_eoh failed before
 * parsing them): reported without tags so that they are not lost */
static void unparsed(struct check_dkim_msg *m)
{
	unsigned n = m->nsigfields < CHECK_DKIM_SIGS_MAX ? m->nsigfields
	                                                 : CHECK_DKIM_SIGS_MAX;

	for (; m->res.n < n; m->res.n++) {
		struct check_dkim_sig *out = &m->res.sig[m->res.n];

		memset(out, 0, sizeof(*out));
		out->result = m->unusable ? CHECK_DKIM_PERMERROR
		                          : CHECK_DKIM_TEMPERROR;
		out->why = m->unusable ? CHECK_DKIM_WHY_HEADERS
		                       : CHECK_DKIM_WHY_INTERNAL;
		out->detail = check_dkim_why_text(out->why);
	}
}

/* ckd_results_build - one entry per signature not capped, header order */
void ckd_results_build(struct check_dkim_msg *m)
{
	struct check_dkim_results *r = &m->res;

	r->n = 0;
	for (unsigned i = 0; i < m->nsigs; i++) {
		const struct ckd_sig *s = &m->sig[i];
		struct check_dkim_sig *out;
		struct verdict v;

		if (s->plan == CKD_CAPPED) {
			r->skipped++;
			continue;
		}
		out = &r->sig[r->n++];
		memset(out, 0, sizeof(*out));
		v = verdict_of(m, s);
		describe(s, out);
		out->result = v.result;
		out->why = v.why;
		out->detail = detail_of(s, v);
	}
	if (m->nsigs == 0)
		unparsed(m);
	b_shorten(r);
}

/* classify - what the message's signatures amount to, in the order of
 * SCORING: valid, temperror, invalid, nokey, none */
static int classify(const struct check_dkim_results *r)
{
	int temp = 0, invalid = 0, nokey = 0;

	for (unsigned i = 0; r != NULL && i < r->n; i++) {
		const struct check_dkim_sig *s = &r->sig[i];

		if (s->result == CHECK_DKIM_PASS)
			return 0;
		if (s->result == CHECK_DKIM_TEMPERROR)
			temp = 1;
		else if (s->testing) /* t=y: not held against the message */
			continue;
		else if (s->why == CHECK_DKIM_WHY_NOKEY)
			nokey = 1;
		else
			invalid = 1;
	}
	return temp ? 1 : invalid ? 2 : nokey ? 3 : 4;
}

/* check_dkim_symbol - see SCORING in check_dkim.h */
const char *check_dkim_symbol(
        const struct check_dkim_results *r, double *weight)
{
	static const char *const sym[] = {CHECK_DKIM_SYM_VALID,
	        CHECK_DKIM_SYM_TEMPERROR, CHECK_DKIM_SYM_INVALID,
	        CHECK_DKIM_SYM_NOKEY, CHECK_DKIM_SYM_NONE};
	static const double w[] = {CHECK_DKIM_W_VALID, CHECK_DKIM_W_TEMPERROR,
	        CHECK_DKIM_W_INVALID, CHECK_DKIM_W_NOKEY, CHECK_DKIM_W_NONE};
	int c = classify(r);

	if (weight != NULL)
		*weight = w[c];
	return sym[c];
}
