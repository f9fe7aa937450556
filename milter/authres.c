/*
 * authres.c - the Authentication-Results header (RFC 8601): writer and
 * authserv-id reader. See authres.h for the format and the choices.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "authres.h"

/* The "Authentication-Results: " in front of the first line. */
#define AR_PREFIX (sizeof AUTHRES_HEADER + 1)
#define AR_LINE_MAX 78
/* One property=value: a name, '=', a value that quoting may double, a
 * ';' after the last word of a resinfo. */
#define AR_WORD_MAX (32 + 2 * AUTHRES_VALUE_MAX + 8)
#define AR_RESINFO_WORDS 6
/* Scores are clamped as policy.c clamps weights: "%.1f" of 1e300 is not
 * a header value. */
#define AR_NUMBER_MAX 1e6

/* The results each method takes (see enum authres_result). */
#define BIT(r) (1u << (r))
#define VERDICT_RESULTS                                                        \
	(BIT(AUTHRES_NONE) | BIT(AUTHRES_PASS) | BIT(AUTHRES_FAIL))
#define DNSL_RESULTS (VERDICT_RESULTS | BIT(AUTHRES_TEMPERROR))
#define REP_RESULTS (DNSL_RESULTS | BIT(AUTHRES_NEUTRAL))
#define DMARC_RESULTS (DNSL_RESULTS | BIT(AUTHRES_PERMERROR))
#define IPREV_RESULTS (DMARC_RESULTS & ~BIT(AUTHRES_NONE))
#define DKIM_RESULTS                                                           \
	(DMARC_RESULTS | BIT(AUTHRES_NEUTRAL) | BIT(AUTHRES_POLICY))
#define SPF_RESULTS (DKIM_RESULTS | BIT(AUTHRES_SOFTFAIL))

static const char *const result_names[] = {
        [AUTHRES_UNSET] = "",
        [AUTHRES_NONE] = "none",
        [AUTHRES_PASS] = "pass",
        [AUTHRES_FAIL] = "fail",
        [AUTHRES_SOFTFAIL] = "softfail",
        [AUTHRES_NEUTRAL] = "neutral",
        [AUTHRES_POLICY] = "policy",
        [AUTHRES_TEMPERROR] = "temperror",
        [AUTHRES_PERMERROR] = "permerror",
};

/* The output, or only its length when len is 0 (the measuring pass). */
struct out {
	char *buf;
	size_t len;
	size_t need;
	size_t column; /* of the current line, a tab counting 1 */
};

/* One property=value (or method=result), ready to place. */
struct word {
	size_t n;
	char s[AR_WORD_MAX];
};

struct resinfo {
	size_t n;
	struct word w[AR_RESINFO_WORDS];
};

/* is_token_char - an RFC 2045 token character: printable ASCII but the
 * tspecials */
static int is_token_char(int c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* is_let_dig - an ASCII letter or digit, whatever the locale */
static int is_let_dig(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* is_atext - an RFC 5322 atext character */
static int is_atext(int c)
{
	return is_let_dig(c) ||
	       (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* is_token - s[0..n) is one RFC 2045 token */
static int is_token(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_token_char((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* is_dot_atom - s[0..n) is RFC 5322 dot-atom-text: atext runs joined by
 * single dots */
static int is_dot_atom(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (i == 0 || i + 1 == n || s[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i])) {
			return 0;
		}
	}
	return n > 0;
}

/* is_domain - s[0..n) is an RFC 6376 domain-name: labels of letters,
 * digits and inner hyphens, joined by single dots */
static int is_domain(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		int edge = i == 0 || i + 1 == n || s[i - 1] == '.' ||
		           s[i + 1] == '.';

		if (c == '.' ? edge : !(is_let_dig(c) || (c == '-' && !edge)))
			return 0;
	}
	return n > 0;
}

/* is_address - s[0..n) is RFC 8601's unquoted [local-part] "@" domain */
static int is_address(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t local;

	if (at == NULL)
		return 0;
	local = (size_t)(at - s);
	return (local == 0 || is_dot_atom(s, local)) &&
	       is_domain(at + 1, n - local - 1);
}

/* utf8_len - the length of the well-formed UTF-8 sequence at p (RFC 3629
 * table 2: no overlongs, no surrogates, nothing past U+10FFFF), 0 if it
 * is not one */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* out_putn - append n bytes, or count them in the measuring pass */
static void out_putn(struct out *o, const char *s, size_t n)
{
	if (o->len > 0 && o->need + n < o->len) {
		memcpy(o->buf + o->need, s, n);
		o->buf[o->need + n] = '\0';
	}
	o->need += n;
	o->column += n;
}

/* out_puts - append a string */
static void out_puts(struct out *o, const char *s)
{
	out_putn(o, s, strlen(s));
}

/* out_fold - start a continuation line */
static void out_fold(struct out *o)
{
	out_putn(o, "\n\t", 2);
	o->column = 1;
}

/* word_putn - append to a word; the callers stay within AR_WORD_MAX */
static void word_putn(struct word *w, const char *s, size_t n)
{
	if (w->n + n < sizeof w->s) {
		memcpy(w->s + w->n, s, n);
		w->n += n;
	}
}

/* word_quoted - v[0..n) as a quoted-string: '"' and '\' escaped, what a
 * quoted-string cannot hold replaced by '?' (see VALUES in authres.h) */
static void word_quoted(struct word *w, const char *v, size_t n, int ascii)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t i = 0, k;

	word_putn(w, "\"", 1);
	while (i < n) {
		if (p[i] == '"' || p[i] == '\\') {
			word_putn(w, "\\", 1);
			word_putn(w, v + i++, 1);
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			word_putn(w, v + i++, 1);
		} else if (p[i] >= 0x80 && !ascii &&
		           (k = utf8_len(p + i, n - i)) > 0) {
			word_putn(w, v + i, k);
			i += k;
		} else {
			/* a whole UTF-8 character makes one '?' */
			k = p[i] >= 0x80 ? utf8_len(p + i, n - i) : 0;
			word_putn(w, "?", 1);
			i += k > 0 ? k : 1;
		}
	}
	word_putn(w, "\"", 1);
}

/* ri_word - start the next word of a resinfo, NULL when it is full */
static struct word *ri_word(struct resinfo *ri)
{
	struct word *w;

	if (ri->n == AR_RESINFO_WORDS)
		return NULL;
	w = &ri->w[ri->n++];
	w->n = 0;
	return w;
}

/* ri_method - the first word, "method=result" */
static void ri_method(
        struct resinfo *ri, const char *method, enum authres_result r)
{
	struct word *w;

	ri->n = 0;
	w = ri_word(ri);
	word_putn(w, method, strlen(method));
	word_putn(w, "=", 1);
	word_putn(w, result_names[r], strlen(result_names[r]));
}

/* ri_propn - "name=value" for v[0..n): plain when it is a token or an
 * address, else quoted; nothing for an empty or over-long value */
static void ri_propn(struct resinfo *ri, const char *name, const char *v,
        size_t n, int ascii)
{
	struct word *w;

	if (n == 0 || n > AUTHRES_VALUE_MAX || (w = ri_word(ri)) == NULL)
		return;
	word_putn(w, name, strlen(name));
	word_putn(w, "=", 1);
	if (is_token(v, n) || is_address(v, n))
		word_putn(w, v, n);
	else
		word_quoted(w, v, n, ascii);
}

/* ri_prop - ri_propn for a string that may be NULL */
static void ri_prop(
        struct resinfo *ri, const char *name, const char *v, int ascii)
{
	if (v != NULL)
		ri_propn(ri, name, v, strlen(v), ascii);
}

/* ri_list - ri_prop for a comma-separated list: an over-long one is cut
 * before the last comma that keeps it within the limit, so that it still
 * names whole symbols */
static void ri_list(
        struct resinfo *ri, const char *name, const char *v, int ascii)
{
	const char *comma;
	size_t n;

	if (v == NULL)
		return;
	n = strlen(v);
	if (n > AUTHRES_VALUE_MAX) {
		comma = memrchr(v, ',', AUTHRES_VALUE_MAX + 1);
		if (comma == NULL)
			return;
		n = (size_t)(comma - v);
	}
	ri_propn(ri, name, v, n, ascii);
}

/* ri_number - "name=7.5"; nothing for NaN or infinity */
static void ri_number(struct resinfo *ri, const char *name, double v)
{
	char num[32];

	if (!isfinite(v))
		return;
	if (fabs(v) > AR_NUMBER_MAX)
		v = v < 0 ? -AR_NUMBER_MAX : AR_NUMBER_MAX;
	snprintf(num, sizeof num, "%.1f", v);
	ri_prop(ri, name, num, 1);
}

/* put_resinfo - place a resinfo on a new line, folding before a word that
 * would pass the line limit; `more` adds the ';' before the next one */
static void put_resinfo(struct out *o, struct resinfo *ri, int more)
{
	size_t i;

	if (more)
		word_putn(&ri->w[ri->n - 1], ";", 1);
	out_fold(o);
	out_putn(o, ri->w[0].s, ri->w[0].n);
	for (i = 1; i < ri->n; i++) {
		if (o->column + 1 + ri->w[i].n > AR_LINE_MAX)
			out_fold(o);
		else
			out_putn(o, " ", 1);
		out_putn(o, ri->w[i].s, ri->w[i].n);
	}
}

/* b_clean - a b= value without its folding whitespace, cut at
 * AUTHRES_B_MAX characters (NULL gives "") */
static void b_clean(const char *b, char *out)
{
	size_t n = 0;

	for (; b != NULL && *b != '\0' && n < AUTHRES_B_MAX; b++)
		if (strchr(" \t\r\n", *b) == NULL)
			out[n++] = *b;
	out[n] = '\0';
}

/* common_prefix - how many leading characters a and b share */
static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] != '\0' && a[n] == b[n])
		n++;
	return n;
}

/* b_prefixes - header.b for each signature: AUTHRES_B_MIN characters, or
 * one more than it shares with any other signature (RFC 6008 section 4),
 * so two signatures never show the same header.b unless they are equal */
static void b_prefixes(
        const struct authres_dkim *d, size_t n, char b[][AUTHRES_B_MAX + 1])
{
	size_t i, j;

	for (i = 0; i < n; i++)
		b_clean(d[i].b, b[i]);
	for (i = 0; i < n; i++) {
		size_t keep = AUTHRES_B_MIN;

		for (j = 0; j < n; j++) {
			size_t k = common_prefix(b[i], b[j]) + 1;

			if (j != i && strcmp(b[i], b[j]) != 0 && k > keep)
				keep = k;
		}
		if (keep < strlen(b[i]))
			b[i][keep] = '\0';
	}
}

/* ndkim - the signatures written */
static size_t ndkim(const struct authres *ar)
{
	return ar->ndkim < AUTHRES_DKIM_MAX ? ar->ndkim : AUTHRES_DKIM_MAX;
}

/* put_iprev_spf - the iprev and spf resinfos, when set */
static void put_iprev_spf(
        struct out *o, const struct authres *ar, struct resinfo *ri, int *more)
{
	if (ar->iprev.result != AUTHRES_UNSET) {
		ri_method(ri, "iprev", ar->iprev.result);
		ri_prop(ri, "policy.iprev", ar->iprev.addr, ar->ascii_only);
		put_resinfo(o, ri, --*more > 0);
	}
	if (ar->spf.result != AUTHRES_UNSET) {
		ri_method(ri, "spf", ar->spf.result);
		ri_prop(ri, "smtp.mailfrom", ar->spf.mailfrom, ar->ascii_only);
		ri_prop(ri, "smtp.helo", ar->spf.helo, ar->ascii_only);
		put_resinfo(o, ri, --*more > 0);
	}
}

/* put_dkim_dmarc - one resinfo per signature, then dmarc */
static void put_dkim_dmarc(struct out *o, const struct authres *ar,
        char b[][AUTHRES_B_MAX + 1], struct resinfo *ri, int *more)
{
	size_t i;

	for (i = 0; i < ndkim(ar); i++) {
		const struct authres_dkim *d = &ar->dkim[i];

		ri_method(ri, "dkim", d->result);
		ri_prop(ri, "header.d", d->domain, ar->ascii_only);
		ri_prop(ri, "header.i", d->identity, ar->ascii_only);
		ri_prop(ri, "header.s", d->selector, ar->ascii_only);
		ri_prop(ri, "header.b", b[i], ar->ascii_only);
		put_resinfo(o, ri, --*more > 0);
	}
	if (ar->dmarc.result != AUTHRES_UNSET) {
		ri_method(ri, "dmarc", ar->dmarc.result);
		ri_prop(ri, "header.from", ar->dmarc.from, ar->ascii_only);
		put_resinfo(o, ri, --*more > 0);
	}
}

/* put_ours - the x- resinfos, when set */
static void put_ours(
        struct out *o, const struct authres *ar, struct resinfo *ri, int *more)
{
	const struct authres_verdict *v = &ar->verdict;

	if (ar->dnsl.result != AUTHRES_UNSET) {
		ri_method(ri, "x-dnsbl", ar->dnsl.result);
		ri_list(ri, "policy.listed", ar->dnsl.listed, ar->ascii_only);
		put_resinfo(o, ri, --*more > 0);
	}
	if (ar->rep.result != AUTHRES_UNSET) {
		ri_method(ri, "x-reputation", ar->rep.result);
		ri_number(ri, "policy.score", ar->rep.score);
		put_resinfo(o, ri, --*more > 0);
	}
	if (v->result != AUTHRES_UNSET) {
		ri_method(ri, "x-repmilter", v->result);
		ri_number(ri, "policy.score", v->score);
		ri_number(ri, "policy.required", v->required);
		ri_list(ri, "policy.tests", v->tests, ar->ascii_only);
		ri_prop(ri, "policy.skipped", v->skipped, ar->ascii_only);
		put_resinfo(o, ri, --*more > 0);
	}
}

/* count_resinfos - how many resinfos *ar makes */
static int count_resinfos(const struct authres *ar)
{
	int n = (int)ndkim(ar);

	n += ar->iprev.result != AUTHRES_UNSET;
	n += ar->spf.result != AUTHRES_UNSET;
	n += ar->dmarc.result != AUTHRES_UNSET;
	n += ar->dnsl.result != AUTHRES_UNSET;
	n += ar->rep.result != AUTHRES_UNSET;
	n += ar->verdict.result != AUTHRES_UNSET;
	return n;
}

/* render - the whole value into o */
static void render(
        const struct authres *ar, char b[][AUTHRES_B_MAX + 1], struct out *o)
{
	struct resinfo ri;
	int more = count_resinfos(ar);

	o->column = AR_PREFIX;
	out_puts(o, ar->authserv_id);
	out_puts(o, ";");
	if (more == 0) {
		if (o->column + 5 > AR_LINE_MAX)
			out_fold(o);
		else
			out_puts(o, " ");
		out_puts(o, "none");
		return;
	}
	put_iprev_spf(o, ar, &ri, &more);
	put_dkim_dmarc(o, ar, b, &ri, &more);
	put_ours(o, ar, &ri, &more);
}

/* result_ok - r is UNSET or one of the results in `allowed` */
static int result_ok(enum authres_result r, unsigned allowed)
{
	return r == AUTHRES_UNSET ||
	       (r <= AUTHRES_PERMERROR && (allowed & BIT(r)) != 0);
}

/* check_input - every result is one its method takes (see authres.h) */
static int check_input(const struct authres *ar)
{
	size_t i;

	if (!authres_id_valid(ar->authserv_id) ||
	        (ar->ndkim > 0 && ar->dkim == NULL))
		return 0;
	for (i = 0; i < ndkim(ar); i++)
		if (ar->dkim[i].result == AUTHRES_UNSET ||
		        !result_ok(ar->dkim[i].result, DKIM_RESULTS))
			return 0;
	return result_ok(ar->iprev.result, IPREV_RESULTS) &&
	       result_ok(ar->spf.result, SPF_RESULTS) &&
	       result_ok(ar->dmarc.result, DMARC_RESULTS) &&
	       result_ok(ar->dnsl.result, DNSL_RESULTS) &&
	       result_ok(ar->rep.result, REP_RESULTS) &&
	       result_ok(ar->verdict.result, VERDICT_RESULTS);
}

/* authres_init - no results (see authres.h) */
void authres_init(struct authres *ar, const char *authserv_id)
{
	memset(ar, 0, sizeof *ar);
	ar->authserv_id = authserv_id;
	ar->rep.score = NAN;
	ar->verdict.score = NAN;
	ar->verdict.required = NAN;
}

/* authres_format - measure first, so that a header that does not fit is
 * never written in part */
int authres_format(const struct authres *ar, char *buf, size_t len)
{
	char b[AUTHRES_DKIM_MAX][AUTHRES_B_MAX + 1];
	struct out o = {NULL, 0, 0, 0};

	if (!check_input(ar))
		return AUTHRES_EINVAL;
	b_prefixes(ar->dkim, ndkim(ar), b);
	render(ar, b, &o);
	if (o.need >= len)
		return (int)o.need;
	o.buf = buf;
	o.len = len;
	o.need = 0;
	render(ar, b, &o);
	return (int)o.need;
}

/* skip_comment - past the comment that opens at p: comments nest, and a
 * quoted-pair hides a parenthesis; NULL when it does not close */
static const char *skip_comment(const char *p)
{
	size_t depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '\\') {
			if (*++p == '\0')
				return NULL;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && --depth == 0) {
			return p + 1;
		}
	}
	return NULL;
}

/* skip_cfws - past whitespace, line breaks and comments; NULL at a
 * comment that does not close */
static const char *skip_cfws(const char *p)
{
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p != '(')
			return p;
		if ((p = skip_comment(p)) == NULL)
			return NULL;
	}
}

/* skip_quoted - past the quoted-string that opens at p, NULL when it
 * does not close */
static const char *skip_quoted(const char *p)
{
	for (p++; *p != '"'; p++) {
		if (*p == '\0' || (*p == '\\' && *++p == '\0'))
			return NULL;
	}
	return p + 1;
}

/* read_word - the quoted-string or token run at p: its end, or NULL when
 * there is none; *w and *n get the inside */
static const char *read_word(const char *p, const char **w, size_t *n)
{
	const char *end;

	if (*p == '"') {
		if ((end = skip_quoted(p)) == NULL)
			return NULL;
		*w = p + 1;
		*n = (size_t)(end - p) - 2;
		return end;
	}
	for (end = p; is_token_char((unsigned char)*end); end++)
		continue;
	*w = p;
	*n = (size_t)(end - p);
	return end == p ? NULL : end;
}

/* next_element - past the next ';' outside comments and quoted-strings,
 * NULL when there is none */
static const char *next_element(const char *p)
{
	while (p != NULL && *p != '\0') {
		if (*p == ';')
			return p + 1;
		if (*p == '(')
			p = skip_comment(p);
		else if (*p == '"')
			p = skip_quoted(p);
		else
			p++;
	}
	return NULL;
}

/* lone_word - the first element after p that is one word and nothing
 * else: where Microsoft puts its authserv-id */
static const char *lone_word(const char *p, const char **w, size_t *n)
{
	while ((p = next_element(p)) != NULL) {
		const char *q = skip_cfws(p), *end;

		if (q == NULL)
			return NULL;
		if ((end = read_word(q, w, n)) == NULL)
			continue;
		end = skip_cfws(end);
		if (end != NULL && (*end == ';' || *end == '\0'))
			return end;
	}
	return NULL;
}

/* opens_resinfo - what follows a first word makes it a method: "=" or
 * "/" version "=" (then the header is in Microsoft's order) */
static int opens_resinfo(const char *p)
{
	if ((p = skip_cfws(p)) != NULL && *p == '/') {
		p = skip_cfws(p + 1);
		if (p == NULL || strspn(p, "0123456789") == 0)
			return 0;
		p = skip_cfws(p + strspn(p, "0123456789"));
	}
	return p != NULL && *p == '=';
}

/* find_id - the authserv-id's text in value (quoted-pairs still in) */
static int find_id(const char *value, const char **w, size_t *n)
{
	const char *p = skip_cfws(value), *end;

	if (p == NULL || (end = read_word(p, w, n)) == NULL)
		return AUTHRES_ESYNTAX;
	if (opens_resinfo(end) && lone_word(end, w, n) == NULL)
		return AUTHRES_ESYNTAX;
	return 0;
}

/* unquote - w[0..n) with quoted-pairs undone and line breaks (of a
 * folded quoted-string) dropped, into out unless it is NULL; the length */
static size_t unquote(const char *w, size_t n, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (w[i] == '\\' && i + 1 < n)
			i++;
		else if (w[i] == '\r' || w[i] == '\n')
			continue;
		if (out != NULL)
			out[k] = w[i];
		k++;
	}
	return k;
}

/* authres_authserv_id - see authres.h */
int authres_authserv_id(const char *value, char *out, size_t len)
{
	const char *w;
	size_t n;
	int err = find_id(value, &w, &n);

	if (err != 0)
		return err;
	if (unquote(w, n, NULL) >= len)
		return AUTHRES_ENOSPC;
	out[unquote(w, n, out)] = '\0';
	return 0;
}

/* id_len - the length of an authserv-id without one trailing dot */
static size_t id_len(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && id[n - 1] == '.' ? n - 1 : n;
}

/* ascii_lower - tolower without the locale */
static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* authres_id_equal - see authres.h */
int authres_id_equal(const char *a, const char *b)
{
	size_t n = id_len(a), i;

	if (n != id_len(b))
		return 0;
	for (i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i]) !=
		        ascii_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* word_is - the word w[0..n), unquoted, is the authserv-id `ours`; one
 * too long for the buffer is longer than any id of ours */
static int word_is(const char *w, size_t n, const char *ours)
{
	char id[AUTHRES_ID_MAX + 2];

	if (unquote(w, n, NULL) >= sizeof id)
		return 0;
	id[unquote(w, n, id)] = '\0';
	return authres_id_equal(id, ours);
}

/* authres_is_ours - in Microsoft's order both the first word and the
 * lone element are tried: a reader may take either, and removing one
 * header too many is the safe side */
int authres_is_ours(const char *value, const char *ours)
{
	const char *p = skip_cfws(value), *end, *w;
	size_t n;

	if (p == NULL || (end = read_word(p, &w, &n)) == NULL)
		return 0;
	if (word_is(w, n, ours))
		return 1;
	return opens_resinfo(end) && lone_word(end, &w, &n) != NULL &&
	       word_is(w, n, ours);
}

/* authres_id_valid - see authres.h */
int authres_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return 0;
	n = strlen(id);
	return n <= AUTHRES_ID_MAX && is_token(id, n);
}

/* authres_result_name - see authres.h */
const char *authres_result_name(enum authres_result r)
{
	return r <= AUTHRES_PERMERROR ? result_names[r] : "";
}

/* authres_strerror - see authres.h */
const char *authres_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case AUTHRES_EINVAL:
		return "invalid Authentication-Results input";
	case AUTHRES_ESYNTAX:
		return "no authserv-id in Authentication-Results";
	case AUTHRES_ENOSPC:
		return "buffer too small";
	default:
		return "unknown authres error";
	}
}
