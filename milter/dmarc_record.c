/* dmarc_record.c - the DMARC policy record (RFC 7489 6.3, 6.4, 6.6.3) */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "dmarc.h"

/* A piece of the record: never NUL-terminated, always with its length. */
struct span {
	const char *s;
	size_t n;
};

struct cursor {
	const char *p, *end;
};

enum tag {
	TAG_V = 0,
	TAG_P,
	TAG_SP,
	TAG_ADKIM,
	TAG_ASPF,
	TAG_PCT,
	TAG_RUA,
	TAG_RUF,
	TAG_FO,
	TAG_RF,
	TAG_RI,
	TAG_COUNT,
	TAG_UNKNOWN = TAG_COUNT,
};

static const char *const tag_name[TAG_COUNT] = {
        "v", "p", "sp", "adkim", "aspf", "pct", "rua", "ruf", "fo", "rf", "ri"};

/* What the tags said, before RFC 7489 6.6.3 step 6 is applied. */
struct parse {
	unsigned seen; /* a bit per known tag */
	int p, sp;     /* an enum dmarc_policy, -1 invalid, -2 absent */
	struct dmarc_record rec;
};

/* dmarc_strerror - a static text for a DMARC_E_* code */
const char *dmarc_strerror(int err)
{
	static const char *const text[] = {"success", "invalid argument",
	        "not a DMARC record", "DMARC record syntax error",
	        "invalid value in DMARC record", "DMARC record without policy",
	        "From field cannot be parsed", "From field has no address",
	        "From address has no usable domain",
	        "From addresses in different domains", "buffer too small"};

	if (err > 0 || err < DMARC_E_NOSPACE)
		return "unknown error";
	return text[-err];
}

/* dmarc_policy_name - the record's spelling */
const char *dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE:
		return "none";
	case DMARC_POLICY_QUARANTINE:
		return "quarantine";
	case DMARC_POLICY_REJECT:
		return "reject";
	}
	return "unknown";
}

/* is_wsp - blanks of a tag-list: WSP, and the CR LF of FWS */
static int is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* skip_wsp - past the blanks */
static void skip_wsp(struct cursor *c)
{
	while (c->p < c->end && is_wsp(*c->p))
		c->p++;
}

/* span_is - case-insensitive comparison with a keyword */
static int span_is(const struct span *s, const char *word)
{
	return s->n == strlen(word) && strncasecmp(s->s, word, s->n) == 0;
}

/* next_tag - "name = value" up to the next ';' (not consumed) or the end;
 * the value without its trailing blanks */
static int next_tag(struct cursor *c, struct span *name, struct span *value)
{
	skip_wsp(c);
	name->s = c->p;
	while (c->p < c->end && !is_wsp(*c->p) && *c->p != '=' && *c->p != ';')
		c->p++;
	name->n = (size_t)(c->p - name->s);
	skip_wsp(c);
	if (name->n == 0 || c->p == c->end || *c->p != '=')
		return DMARC_E_SYNTAX;
	c->p++;
	skip_wsp(c);
	value->s = c->p;
	while (c->p < c->end && *c->p != ';')
		c->p++;
	value->n = (size_t)(c->p - value->s);
	while (value->n > 0 && is_wsp(value->s[value->n - 1]))
		value->n--;
	return DMARC_OK;
}

/* name_ok - tag-name = ALPHA *(ALPHA / DIGIT / "_") (RFC 6376 3.2) */
static int name_ok(const struct span *s)
{
	for (size_t i = 0; i < s->n; i++) {
		unsigned char c = (unsigned char)s->s[i];
		int alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';

		if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '_')))
			return 0;
	}
	return s->n > 0;
}

/* value_ok - printable ASCII with inner blanks; no NUL, no 8-bit */
static int value_ok(const struct span *s)
{
	for (size_t i = 0; i < s->n; i++) {
		unsigned char c = (unsigned char)s->s[i];

		if (!is_wsp((char)c) && (c < 0x21 || c > 0x7e))
			return 0;
	}
	return 1;
}

/* tag_find - the known tag called `name`, or TAG_UNKNOWN */
static enum tag tag_find(const struct span *name)
{
	for (int t = 0; t < TAG_COUNT; t++)
		if (span_is(name, tag_name[t]))
			return (enum tag)t;
	return TAG_UNKNOWN;
}

/* policy_value - none/quarantine/reject in any case (ABNF strings are
 * case-insensitive), -1 otherwise */
static int policy_value(const struct span *v)
{
	if (span_is(v, "none"))
		return DMARC_POLICY_NONE;
	if (span_is(v, "quarantine"))
		return DMARC_POLICY_QUARANTINE;
	if (span_is(v, "reject"))
		return DMARC_POLICY_REJECT;
	return -1;
}

/* mode_value - adkim/aspf: 1 strict, 0 relaxed, -1 invalid */
static int mode_value(const struct span *v)
{
	if (span_is(v, "s"))
		return 1;
	if (span_is(v, "r"))
		return 0;
	return -1;
}

/* pct_value - 1*3DIGIT in 0..100, -1 otherwise */
static int pct_value(const struct span *v)
{
	int n = 0;

	if (v->n == 0 || v->n > 3)
		return -1;
	for (size_t i = 0; i < v->n; i++) {
		if (v->s[i] < '0' || v->s[i] > '9')
			return -1;
		n = n * 10 + (v->s[i] - '0');
	}
	return n <= 100 ? n : -1;
}

/* uri_char - a byte RFC 3986 allows in a URI (',' separates the list) */
static int uri_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	        (c >= '0' && c <= '9'))
		return 1;
	return c != 0 && strchr("-._~:/?#[]@!$&'()*+=%", c) != NULL;
}

/* uri_ok - scheme ":" something, all of URI bytes; the "!size" suffix of
 * RFC 7489 6.4 is made of URI bytes too */
static int uri_ok(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 0;
	while (i < n && s[i] != ':') {
		unsigned char c = (unsigned char)s[i++];

		if (!uri_char(c) || c == '/' || c == '?' || c == '#' ||
		        c == '@')
			return 0;
	}
	if (i + 1 >= n)
		return 0;
	for (; i < n; i++)
		if (!uri_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* rua_ok - at least one valid URI in the comma-separated list */
static int rua_ok(const struct span *v)
{
	const char *p = v->s, *end = v->s + v->n;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma != NULL ? comma : end;

		while (p < e && is_wsp(*p))
			p++;
		while (e > p && is_wsp(e[-1]))
			e--;
		if (uri_ok(p, (size_t)(e - p)))
			return 1;
		p = comma != NULL ? comma + 1 : end;
	}
	return 0;
}

/* apply_mode - adkim or aspf into the record */
static int apply_mode(const struct span *v, unsigned char *strict)
{
	int m = mode_value(v);

	if (m < 0)
		return DMARC_E_BADVALUE;
	*strict = (unsigned char)m;
	return DMARC_OK;
}

/* apply_tag - one tag after v; reporting and unknown tags are skipped */
static int apply_tag(
        struct parse *ps, const struct span *name, const struct span *value)
{
	enum tag t;
	int n;

	if (!name_ok(name) || !value_ok(value))
		return DMARC_E_SYNTAX;
	t = tag_find(name);
	if (t == TAG_UNKNOWN)
		return DMARC_OK;
	if (ps->seen & (1u << t))
		return DMARC_E_SYNTAX;
	ps->seen |= 1u << t;
	switch (t) {
	case TAG_V:
		return DMARC_E_SYNTAX; /* only first, and seen already */
	case TAG_P:
		ps->p = policy_value(value);
		return DMARC_OK;
	case TAG_SP:
		ps->sp = policy_value(value);
		return DMARC_OK;
	case TAG_ADKIM:
		return apply_mode(value, &ps->rec.adkim_strict);
	case TAG_ASPF:
		return apply_mode(value, &ps->rec.aspf_strict);
	case TAG_PCT:
		n = pct_value(value);
		ps->rec.pct = (unsigned)n;
		return n < 0 ? DMARC_E_BADVALUE : DMARC_OK;
	case TAG_RUA:
		ps->rec.rua_valid = (unsigned char)rua_ok(value);
		return DMARC_OK;
	default:
		return DMARC_OK; /* ruf, fo, rf, ri: we send no reports */
	}
}

/* first_is_version - the record starts with v=DMARC1 (value exact) */
static int first_is_version(struct cursor *c)
{
	struct span name, value;

	if (next_tag(c, &name, &value) != DMARC_OK)
		return 0;
	return span_is(&name, "v") && value.n == 6 &&
	       memcmp(value.s, "DMARC1", 6) == 0;
}

/* settle - RFC 7489 6.6.3 step 6 on what the tags said */
static int settle(struct parse *ps)
{
	int sp_ok = ps->sp != -1;

	ps->rec.has_sp = ps->sp >= 0;
	if (ps->p >= 0 && sp_ok) {
		ps->rec.p = (enum dmarc_policy)ps->p;
		ps->rec.sp =
		        ps->sp >= 0 ? (enum dmarc_policy)ps->sp : ps->rec.p;
		return DMARC_OK;
	}
	if (!ps->rec.rua_valid)
		return DMARC_E_NOPOLICY;
	/* "as if a record containing a valid v tag and p=none" */
	ps->rec.p = ps->rec.sp = DMARC_POLICY_NONE;
	ps->rec.has_sp = 0;
	ps->rec.p_assumed = 1;
	return DMARC_OK;
}

/* dmarc_record_parse - v first, then each tag; see dmarc.h */
int dmarc_record_parse(const char *txt, size_t len, struct dmarc_record *out)
{
	struct cursor c = {txt, txt + len};
	struct parse ps = {.seen = 1u << TAG_V, .p = -2, .sp = -2};
	int rc;

	if (txt == NULL || out == NULL)
		return DMARC_E_INVAL;
	if (!first_is_version(&c))
		return DMARC_E_NOTDMARC;
	ps.rec.pct = 100;
	for (;;) {
		struct span name, value;

		skip_wsp(&c);
		if (c.p == c.end)
			break;
		if (*c.p == ';') {
			c.p++; /* the separator, or an empty element */
			continue;
		}
		rc = next_tag(&c, &name, &value);
		if (rc == DMARC_OK)
			rc = apply_tag(&ps, &name, &value);
		if (rc != DMARC_OK)
			return rc;
	}
	rc = settle(&ps);
	if (rc == DMARC_OK)
		*out = ps.rec;
	return rc;
}
