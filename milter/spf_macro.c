/* spf_macro.c - SPF macro-strings: strict validation and expansion */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "spf_macro.h"

#define MACRO_MAX_DIGITS 3
#define MACRO_MAX_PARTS 128 /* libspf2 refuses more; so do we */
#define MACRO_MAX_DELIMS 8
#define MACRO_MAX_PIECES 256 /* parts a value may be split into */

enum tok_kind { TOK_LITERAL, TOK_ESCAPE, TOK_MACRO };

/* One token of a macro-string. */
struct tok {
	enum tok_kind kind;
	size_t len; /* bytes of the source it covers */
	char letter;
	unsigned parts; /* 0: all */
	int reverse;
	char delims[MACRO_MAX_DELIMS + 1];
};

/* lower - ASCII lower case without the locale */
static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* letter_ok - the macro letters allowed in this context */
static int letter_ok(char c, enum spf_macro_ctx ctx)
{
	const char *set = ctx == SPF_MACRO_DOMAIN ? "slodipvh" : "slodipvhcrt";

	return c != '\0' && strchr(set, lower(c)) != NULL;
}

/* delim_ok - RFC 7208 delimiters; ',' and '/' only where libspf2 never
 * sees them (explanation text) */
static int delim_ok(char c, enum spf_macro_ctx ctx)
{
	const char *set = ctx == SPF_MACRO_EXPLAIN ? ".-+,/_=" : ".-+_=";

	return c != '\0' && strchr(set, c) != NULL;
}

/* parse_digits - the optional digit transformer: 1..128, 3 digits max */
static size_t parse_digits(
        const char *s, size_t len, unsigned *parts, const char **why)
{
	size_t n = 0;
	unsigned v = 0;

	while (n < len && s[n] >= '0' && s[n] <= '9') {
		if (n == MACRO_MAX_DIGITS) {
			*why = "macro digit transformer too long";
			return (size_t)-1;
		}
		v = v * 10 + (unsigned)(s[n] - '0');
		n++;
	}
	if (n > 0 && (v == 0 || v > MACRO_MAX_PARTS)) {
		*why = "macro digit transformer out of range";
		return (size_t)-1;
	}
	*parts = v;
	return n;
}

/* parse_expand - "%{" letter digits ["r"] delimiters "}" at s[0] */
static int parse_expand(const char *s, size_t len, enum spf_macro_ctx ctx,
        struct tok *t, const char **why)
{
	size_t i = 2, n;

	if (i >= len || !letter_ok(s[i], ctx)) {
		*why = "invalid macro letter";
		return -1;
	}
	t->letter = s[i++];
	n = parse_digits(s + i, len - i, &t->parts, why);
	if (n == (size_t)-1)
		return -1;
	i += n;
	if (i < len && lower(s[i]) == 'r') {
		t->reverse = 1;
		i++;
	}
	for (n = 0; i < len && s[i] != '}'; i++, n++) {
		if (n == MACRO_MAX_DELIMS || !delim_ok(s[i], ctx)) {
			*why = "invalid macro delimiter";
			return -1;
		}
		t->delims[n] = s[i];
	}
	if (i == len) {
		*why = "unterminated macro";
		return -1;
	}
	t->delims[n] = '\0';
	t->kind = TOK_MACRO;
	t->len = i + 1;
	return 0;
}

/* literal_ok - macro-literal, plus SP in explanation text */
static int literal_ok(unsigned char c, enum spf_macro_ctx ctx)
{
	if (c == ' ')
		return ctx == SPF_MACRO_EXPLAIN;
	return c >= 0x21 && c <= 0x7e && c != '%';
}

/* next_tok - the token at s[0]; -1 with *why when invalid */
static int next_tok(const char *s, size_t len, enum spf_macro_ctx ctx,
        struct tok *t, const char **why)
{
	memset(t, 0, sizeof(*t));
	if (s[0] != '%') {
		if (!literal_ok((unsigned char)s[0], ctx)) {
			*why = "invalid character";
			return -1;
		}
		t->kind = TOK_LITERAL;
		t->len = 1;
		return 0;
	}
	if (len >= 2 && (s[1] == '%' || s[1] == '_' || s[1] == '-')) {
		t->kind = TOK_ESCAPE;
		t->letter = s[1];
		t->len = 2;
		return 0;
	}
	if (len >= 2 && s[1] == '{')
		return parse_expand(s, len, ctx, t, why);
	*why = "'%' not followed by '{', '%', '_' or '-'";
	return -1;
}

/* spf_macro_check - walk the tokens; the first fault wins */
int spf_macro_check(
        const char *s, size_t len, enum spf_macro_ctx ctx, const char **why)
{
	const char *dummy;
	struct tok t;

	if (why == NULL)
		why = &dummy;
	for (size_t i = 0; i < len; i += t.len)
		if (next_tok(s + i, len - i, ctx, &t, why) != 0)
			return -1;
	return 0;
}

/* spf_macro_last_is_expand - tokenize; remember the last kind */
int spf_macro_last_is_expand(const char *s, size_t len)
{
	const char *why;
	struct tok t = {.kind = TOK_LITERAL};

	for (size_t i = 0; i < len; i += t.len)
		if (next_tok(s + i, len - i, SPF_MACRO_EXPLAIN, &t, &why) != 0)
			return 0;
	return len > 0 && t.kind == TOK_MACRO;
}

/* spf_macro_uses - any "%{x...}" with this letter */
int spf_macro_uses(const char *s, size_t len, char letter)
{
	const char *why;
	struct tok t;

	for (size_t i = 0; i < len; i += t.len) {
		if (next_tok(s + i, len - i, SPF_MACRO_EXPLAIN, &t, &why) != 0)
			return 0;
		if (t.kind == TOK_MACRO && lower(t.letter) == lower(letter))
			return 1;
	}
	return 0;
}

/* spf_macro_cost - literal runs and macros as libspf2 lays them out */
size_t spf_macro_cost(const char *s, size_t len)
{
	size_t cost = 0, run = 0;
	const char *why;
	struct tok t;

	for (size_t i = 0; i < len; i += t.len) {
		if (next_tok(s + i, len - i, SPF_MACRO_EXPLAIN, &t, &why) != 0)
			return (size_t)-1;
		if (t.kind == TOK_MACRO) {
			cost += run > 0 ? 4 + run + 7 : 0;
			cost += 4;
			run = 0;
		} else {
			run += (t.kind == TOK_ESCAPE && t.letter == '-') ? 3
			                                                 : 1;
		}
	}
	return cost + (run > 0 ? 4 + run + 7 : 0);
}

/* Output buffer with overflow tracking. */
struct out {
	char *buf;
	size_t len, cap;
	int overflow;
};

/* put - append n bytes */
static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n >= o->cap) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* put_escaped - URL-escape (7.3): keep the unreserved set, %XX the rest */
static void put_escaped(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3] = {'%', hex[c >> 4], hex[c & 15]};

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			put(o, s + i, 1);
		else
			put(o, e, 3);
	}
}

/* value - the value of a macro letter */
static const char *value(const struct spf_macro_vars *v, char letter)
{
	static const char letters[] = "slodipvhcrt";
	const char *const vals[] = {v->s, v->l, v->o, v->d, v->i, v->p, v->v,
	        v->h, v->c, v->r, v->t};
	const char *at = strchr(letters, lower(letter));

	if (letter == '\0' || at == NULL || vals[at - letters] == NULL)
		return "";
	return vals[at - letters];
}

/* split - cut `val` at any delimiter into pieces (start, length) */
static unsigned split(
        const char *val, const char *delims, const char **start, size_t *plen)
{
	unsigned n = 0;
	const char *p = val;

	for (;;) {
		size_t k = strcspn(p, delims);

		if (n == MACRO_MAX_PIECES)
			return n;
		start[n] = p;
		plen[n++] = k;
		if (p[k] == '\0')
			return n;
		p += k + 1;
	}
}

/* transform - split, reverse, keep the right-hand parts, join with '.' */
static void transform(const struct tok *t, const char *val, struct out *o)
{
	const char *start[MACRO_MAX_PIECES];
	size_t plen[MACRO_MAX_PIECES], mark = o->len;
	unsigned n = split(val, t->delims[0] ? t->delims : ".", start, plen);
	unsigned first = (t->parts > 0 && t->parts < n) ? n - t->parts : 0;

	for (unsigned j = first; j < n; j++) {
		unsigned idx = t->reverse ? n - 1 - j : j;

		if (j > first)
			put(o, ".", 1);
		put(o, start[idx], plen[idx]);
	}
	if (t->letter >= 'A' && t->letter <= 'Z' && !o->overflow) {
		char tmp[1024];
		size_t n2 = o->len - mark;

		if (n2 >= sizeof(tmp)) {
			o->overflow = 1;
			return;
		}
		memcpy(tmp, o->buf + mark, n2);
		o->len = mark;
		o->buf[mark] = '\0';
		put_escaped(o, tmp, n2);
	}
}

/* spf_macro_expand - token by token into `out` */
int spf_macro_expand(const char *s, size_t len, const struct spf_macro_vars *v,
        char *out, size_t outlen)
{
	struct out o = {out, 0, outlen, 0};
	const char *why;
	struct tok t;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	for (size_t i = 0; i < len && !o.overflow; i += t.len) {
		if (next_tok(s + i, len - i, SPF_MACRO_EXPLAIN, &t, &why) != 0)
			return -1;
		if (t.kind == TOK_LITERAL)
			put(&o, s + i, 1);
		else if (t.kind == TOK_ESCAPE)
			put(&o,
			        t.letter == '%'   ? "%"
			        : t.letter == '_' ? " "
			                          : "%20",
			        t.letter == '-' ? 3 : 1);
		else
			transform(&t, value(v, t.letter), &o);
	}
	return o.overflow ? -1 : 0;
}
