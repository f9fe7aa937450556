/*
 * arparse.c - a test-only Authentication-Results parser (see arparse.h).
 * Recursive descent over the characters; CFWS is skipped between any two
 * lexical items, as the grammar allows it almost everywhere.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arparse.h"

struct parser {
	const char *s;
	size_t pos;
	enum arp_mode mode;
	const char *error;
	size_t error_at;
};

typedef int (*char_class)(int c);

/* fail - record the first error and its place; always -1 */
static int fail(struct parser *p, const char *why)
{
	if (p->error == NULL) {
		p->error = why;
		p->error_at = p->pos;
	}
	return -1;
}

/* peek - the next character, 0 at the end */
static int peek(const struct parser *p)
{
	return (unsigned char)p->s[p->pos];
}

/* strict - the parser checks the RFC grammar */
static int strict(const struct parser *p)
{
	return p->mode == ARP_STRICT;
}

/* is_ctl - a control character other than tab */
static int is_ctl(int c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* keyword_char - RFC 5321 Ldh-str characters */
static int keyword_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* digit_char - a decimal digit */
static int digit_char(int c)
{
	return c >= '0' && c <= '9';
}

/* token_char - RFC 2045 token characters */
static int token_char(int c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* pvalue_char - what an unquoted strict pvalue may hold: token
 * characters, and the atext ones a token lacks, and '@' */
static int pvalue_char(int c)
{
	return token_char(c) || (c != 0 && strchr("/=?@", c) != NULL);
}

/* loose_key_char - a lenient key runs until space, ';', '"', a comment,
 * '=', '.' or '/' (Mail::AuthenticationResults::Token::String) */
static int loose_key_char(int c)
{
	return c != 0 && strchr(" \t\r\n;\"()=./", c) == NULL;
}

/* loose_value_char - a lenient value runs until space, ';' or a comment */
static int loose_value_char(int c)
{
	return c != 0 && strchr(" \t\r\n;()", c) == NULL;
}

/* line_break - past CR, LF or CRLF; strict wants folding white space next
 * (a line that does not start with it ends the header) */
static int line_break(struct parser *p)
{
	if (peek(p) == '\r')
		p->pos++;
	if (peek(p) == '\n')
		p->pos++;
	if (strict(p) && peek(p) != ' ' && peek(p) != '\t')
		return fail(p, "line break not followed by white space");
	return 0;
}

/* comment - past a comment: nested, with quoted-pairs */
static int comment(struct parser *p)
{
	size_t depth = 0;

	for (;;) {
		int c = peek(p);

		if (c == '\0')
			return fail(p, "unterminated comment");
		p->pos++;
		if (c == '\\') {
			if (peek(p) == '\0')
				return fail(p, "unterminated comment");
			p->pos++;
		} else if (c == '(') {
			depth++;
		} else if (c == ')' && --depth == 0) {
			return 0;
		}
	}
}

/* cfws - past white space, line breaks and comments */
static int cfws(struct parser *p)
{
	for (;;) {
		int c = peek(p);

		if (c == ' ' || c == '\t')
			p->pos++;
		else if (c == '\r' || c == '\n') {
			if (line_break(p) < 0)
				return -1;
		} else if (c == '(') {
			if (comment(p) < 0)
				return -1;
		} else {
			return 0;
		}
	}
}

/* put - append c to out[0..*n), size bytes in all */
static int put(struct parser *p, char *out, size_t size, size_t *n, int c)
{
	if (*n + 1 >= size)
		return fail(p, "item too long");
	out[(*n)++] = (char)c;
	out[*n] = '\0';
	return 0;
}

/* qstring_char - one character of a quoted-string's inside into out;
 * 1 at the closing quote */
static int qstring_char(struct parser *p, char *out, size_t size, size_t *n)
{
	int c = peek(p);

	if (c == '\0')
		return fail(p, "unterminated quoted-string");
	if (c == '\r' || c == '\n')
		return line_break(p);
	p->pos++;
	if (c == '"')
		return 1;
	if (c == '\\') {
		c = peek(p);
		if (c == '\0')
			return fail(p, "unterminated quoted-string");
		p->pos++;
	}
	if (strict(p) && is_ctl(c))
		return fail(p, "control character in quoted-string");
	return put(p, out, size, n, c);
}

/* qstring - a quoted-string at p (its opening quote): the inside,
 * quoted-pairs undone, line breaks dropped */
static int qstring(struct parser *p, char *out, size_t size)
{
	size_t n = 0;
	int r;

	out[0] = '\0';
	p->pos++;
	while ((r = qstring_char(p, out, size, &n)) == 0)
		continue;
	return r < 0 ? -1 : 0;
}

/* run - the longest run of characters in a class; its length or -1 */
static int run(struct parser *p, char_class ok, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	while (peek(p) != '\0' && ok(peek(p)))
		if (put(p, out, size, &n, p->s[p->pos++]) < 0)
			return -1;
	return (int)n;
}

/* keyword - a method, ptype, property or result name. Strict: an RFC
 * 5321 Keyword; lenient: a quoted-string or a loose key */
static int keyword(struct parser *p, char *out, size_t size)
{
	int n;

	if (!strict(p) && peek(p) == '"')
		return qstring(p, out, size);
	n = run(p, strict(p) ? keyword_char : loose_key_char, out, size);
	if (n < 0)
		return -1;
	if (n == 0 || (strict(p) && out[n - 1] == '-'))
		return fail(p, "expected a keyword");
	return 0;
}

/* value - RFC 2045 token or quoted-string (strict); lenient: a
 * quoted-string or a loose value, which may be empty at ';' or the end
 * but cannot start with '=' or '/' (they are assignments there) */
static int value(struct parser *p, char *out, size_t size)
{
	int n;

	if (peek(p) == '"')
		return qstring(p, out, size);
	if (!strict(p) && (peek(p) == '=' || peek(p) == '/'))
		return fail(p, "unexpected assignment");
	n = run(p, strict(p) ? token_char : loose_value_char, out, size);
	if (n < 0)
		return -1;
	if (n == 0 && (strict(p) || (peek(p) != ';' && peek(p) != '\0')))
		return fail(p, "expected a value");
	return 0;
}

/* is_domain - an RFC 6376 domain-name: letter-digit labels with inner
 * hyphens, joined by single dots */
static int is_domain(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		int edge = i == 0 || i + 1 == n || s[i - 1] == '.' ||
		           s[i + 1] == '.';

		if (s[i] == '.' ? edge
		                : !(keyword_char(s[i]) &&
		                          (s[i] != '-' || !edge)))
			return 0;
	}
	return n > 0;
}

/* is_dot_atom - RFC 5322 dot-atom-text, s[0..n) */
static int is_dot_atom(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '.' ? i == 0 || i + 1 == n || s[i + 1] == '.'
		                : !(token_char(s[i]) || strchr("/=?", s[i])) ||
		                          s[i] == '@')
			return 0;
	}
	return n > 0;
}

/* is_token - all RFC 2045 token characters */
static int is_token(const char *s)
{
	for (; *s != '\0'; s++)
		if (!token_char((unsigned char)*s))
			return 0;
	return 1;
}

/* strict_pvalue - value / [ [ local-part ] "@" ] domain-name */
static int strict_pvalue(struct parser *p, char *out, size_t size)
{
	char *at;
	int n;

	if (peek(p) == '"') {
		if (qstring(p, out, size) < 0)
			return -1;
		if (peek(p) != '@')
			return 0;
		n = (int)strlen(out); /* a quoted local-part */
		if (run(p, pvalue_char, out + n, size - (size_t)n) < 0)
			return -1;
		return is_domain(out + n + 1) ? 0
		                              : fail(p, "bad domain after '@'");
	}
	if ((n = run(p, pvalue_char, out, size)) <= 0)
		return n < 0 ? -1 : fail(p, "expected a property value");
	at = strchr(out, '@');
	if (at == NULL ? is_token(out)
	               : (at == out || is_dot_atom(out, (size_t)(at - out))) &&
	                         is_domain(at + 1))
		return 0;
	return fail(p, "property value is not a token or an address");
}

/* version - a decimal version number */
static int version(struct parser *p, int *v)
{
	char num[8];
	int n = run(p, digit_char, num, sizeof num);

	if (n <= 0)
		return n < 0 ? -1 : fail(p, "expected a version number");
	*v = atoi(num);
	return 0;
}

/* strict_ptype - the four ptypes RFC 8601 defines */
static int strict_ptype(struct parser *p, const char *ptype)
{
	static const char *const ok[] = {"smtp", "header", "body", "policy"};
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcasecmp(ptype, ok[i]) == 0)
			return 0;
	return fail(p, "unknown ptype");
}

/* split_quoted_key - lenient: "smtp.mailfrom" quoted as one key */
static void split_quoted_key(struct arp_prop *pr)
{
	char *dot = strchr(pr->name, '.');

	if (pr->ptype[0] != '\0' || dot == NULL)
		return;
	*dot = '\0';
	strcpy(pr->ptype, pr->name);
	memmove(pr->name, dot + 1, strlen(dot + 1) + 1);
}

/* prop_name - ptype "." property (lenient: more dots, or no ptype) */
static int prop_name(struct parser *p, struct arp_prop *pr)
{
	char part[ARP_NAME_MAX];
	size_t n;

	if (peek(p) != '.') {
		if (strict(p))
			return fail(p, "property without a ptype");
		split_quoted_key(pr);
		return 0;
	}
	strcpy(pr->ptype, pr->name);
	pr->name[0] = '\0';
	while (peek(p) == '.') {
		p->pos++;
		if (cfws(p) < 0 || keyword(p, part, sizeof part) < 0 ||
		        cfws(p) < 0)
			return -1;
		n = strlen(pr->name);
		if (n + strlen(part) + 2 > sizeof pr->name)
			return fail(p, "property name too long");
		if (n > 0)
			strcat(pr->name, ".");
		strcat(pr->name, part);
		if (strict(p))
			break;
	}
	return strict(p) ? strict_ptype(p, pr->ptype) : 0;
}

/* reason - reason=value, when the resinfo has no property yet */
static int reason(struct parser *p, struct arp_resinfo *ri)
{
	p->pos++; /* '=' */
	if (cfws(p) < 0 || value(p, ri->reason, sizeof ri->reason) < 0)
		return -1;
	ri->has_reason = 1;
	return 0;
}

/* prop_value - "=" pvalue, or nothing for a lenient lone word */
static int prop_value(struct parser *p, struct arp_prop *pr)
{
	if (peek(p) != '=') {
		if (strict(p))
			return fail(p, "expected '=' after the property");
		return 0;
	}
	p->pos++;
	pr->has_value = 1;
	if (cfws(p) < 0)
		return -1;
	if (strict(p))
		return strict_pvalue(p, pr->value, sizeof pr->value);
	return value(p, pr->value, sizeof pr->value);
}

/* prop - one propspec (or reasonspec) of a resinfo */
static int prop(struct parser *p, struct arp_resinfo *ri)
{
	struct arp_prop *pr = &ri->prop[ri->nprops];

	if (ri->nprops == ARP_PROPS_MAX)
		return fail(p, "too many properties");
	memset(pr, 0, sizeof *pr);
	if (keyword(p, pr->name, sizeof pr->name) < 0 || cfws(p) < 0)
		return -1;
	if (strcasecmp(pr->name, "reason") == 0 && peek(p) == '=' &&
	        ri->nprops == 0 && !ri->has_reason)
		return reason(p, ri);
	if (prop_name(p, pr) < 0 || prop_value(p, pr) < 0)
		return -1;
	ri->nprops++;
	return 0;
}

/* method_part - lenient: ".name" appended to the method */
static int method_part(struct parser *p, struct arp_resinfo *ri)
{
	char part[ARP_NAME_MAX];

	if (keyword(p, part, sizeof part) < 0)
		return -1;
	if (strlen(ri->method) + strlen(part) + 2 > sizeof ri->method)
		return fail(p, "method name too long");
	strcat(strcat(ri->method, "."), part);
	return 0;
}

/* method_tail - "/" version (lenient: also "." name, in any order) */
static int method_tail(struct parser *p, struct arp_resinfo *ri)
{
	while (peek(p) == '/' || (!strict(p) && peek(p) == '.')) {
		int c = p->s[p->pos++];

		if (cfws(p) < 0)
			return -1;
		if (c == '/' ? version(p, &ri->version) < 0
		             : method_part(p, ri) < 0)
			return -1;
		if (cfws(p) < 0)
			return -1;
		if (strict(p))
			break;
	}
	return 0;
}

/* methodspec - method [/version] = result (lenient: a lone method) */
static int methodspec(struct parser *p, struct arp_resinfo *ri)
{
	if (keyword(p, ri->method, sizeof ri->method) < 0 || cfws(p) < 0 ||
	        method_tail(p, ri) < 0 || cfws(p) < 0)
		return -1;
	if (peek(p) != '=')
		return strict(p) ? fail(p, "expected '=' after the method") : 0;
	p->pos++;
	ri->has_result = 1;
	if (cfws(p) < 0)
		return -1;
	if (strict(p))
		return keyword(p, ri->result, sizeof ri->result);
	return value(p, ri->result, sizeof ri->result);
}

/* resinfo - one result; lenient "none" alone sets h->none instead */
static int resinfo(struct parser *p, struct arp_header *h)
{
	struct arp_resinfo *ri = &h->ri[h->nresinfo];

	if (h->nresinfo == ARP_RESINFO_MAX)
		return fail(p, "too many results");
	memset(ri, 0, sizeof *ri);
	ri->version = -1;
	if (methodspec(p, ri) < 0)
		return -1;
	for (;;) {
		if (cfws(p) < 0)
			return -1;
		if (peek(p) == '\0' || peek(p) == ';')
			break;
		if (prop(p, ri) < 0)
			return -1;
	}
	if (!ri->has_result && ri->nprops == 0 &&
	        strcasecmp(ri->method, "none") == 0)
		h->none = 1;
	else
		h->nresinfo++;
	return 0;
}

/* try_none - strict "; none": the keyword none and then the end */
static int try_none(struct parser *p, struct arp_header *h)
{
	struct parser save = *p;
	char word[ARP_NAME_MAX];

	if (keyword(p, word, sizeof word) == 0 &&
	        strcasecmp(word, "none") == 0 && cfws(p) == 0 &&
	        peek(p) == '\0') {
		h->none = 1;
		return 1;
	}
	*p = save;
	return 0;
}

/* results - the resinfos after the authserv-id. Strict: one or more, or
 * "none"; lenient: any number, empty ones and a last ';' allowed */
static int results(struct parser *p, struct arp_header *h)
{
	if (strict(p) && peek(p) != ';')
		return fail(p, "expected ';' after the authserv-id");
	while (peek(p) != '\0') {
		if (peek(p) != ';')
			return fail(p, "expected ';'");
		p->pos++;
		if (cfws(p) < 0)
			return -1;
		if (!strict(p) && (peek(p) == ';' || peek(p) == '\0'))
			continue;
		if (strict(p) && h->nresinfo == 0 && try_none(p, h))
			return 0;
		if (resinfo(p, h) < 0 || cfws(p) < 0)
			return -1;
	}
	return 0;
}

/* id_pair - lenient: key=value after the authserv-id (Yahoo's from=), or
 * a lone last word, a version when it is digits; 1 at the end */
static int id_pair(struct parser *p, struct arp_header *h)
{
	char key[ARP_NAME_MAX], val[ARP_VALUE_MAX];

	if (keyword(p, key, sizeof key) < 0 || cfws(p) < 0)
		return -1;
	if (peek(p) == '=') {
		p->pos++;
		return cfws(p) < 0 || value(p, val, sizeof val) < 0 ? -1 : 0;
	}
	if (peek(p) != ';' && peek(p) != '\0')
		return fail(p, "expected ';' after the authserv-id");
	if (strspn(key, "0123456789") == strlen(key))
		h->version = atoi(key);
	return 1;
}

/* id_tail - what may follow the authserv-id before the first ';' */
static int id_tail(struct parser *p, struct arp_header *h)
{
	int r = 0;

	if (cfws(p) < 0)
		return -1;
	if (strict(p)) {
		if (digit_char(peek(p)) &&
		        (version(p, &h->version) < 0 || cfws(p) < 0))
			return -1;
		return 0;
	}
	while (r == 0 && peek(p) != ';' && peek(p) != '\0')
		if ((r = id_pair(p, h)) < 0 || cfws(p) < 0)
			return -1;
	return 0;
}

/* id_value - the authserv-id: a value; lenient: up to space or ';' */
static int id_value(struct parser *p, char *out, size_t size)
{
	if (peek(p) != '"' && !strict(p) &&
	        run(p, loose_value_char, out, size) > 0)
		return 0;
	return value(p, out, size);
}

/* lone_element - Microsoft: an element that is one word is the id */
static int lone_element(struct parser *p, struct arp_header *h)
{
	struct parser save = *p;

	if (id_value(p, h->authserv_id, sizeof h->authserv_id) == 0 &&
	        h->authserv_id[0] != '\0' && cfws(p) == 0 &&
	        (peek(p) == ';' || peek(p) == '\0'))
		return 1;
	*p = save;
	h->authserv_id[0] = '\0';
	return 0;
}

/* microsoft_start - lenient: the value opens with method= or method/ */
static int microsoft_start(struct parser *p)
{
	struct parser save = *p;
	char word[ARP_NAME_MAX];
	int yes = keyword(p, word, sizeof word) == 0 && cfws(p) == 0 &&
	          (peek(p) == '=' || peek(p) == '/');

	*p = save;
	return yes;
}

/* microsoft - results first; the id is the first lone element */
static int microsoft(struct parser *p, struct arp_header *h)
{
	int first = 1;

	h->microsoft = 1;
	for (;; first = 0) {
		if (cfws(p) < 0)
			return -1;
		if (!first && peek(p) == ';')
			p->pos++;
		else if (!first && peek(p) != '\0')
			return fail(p, "expected ';'");
		if (cfws(p) < 0)
			return -1;
		if (peek(p) == '\0')
			break;
		if (peek(p) == ';' ||
		        (h->authserv_id[0] == '\0' && lone_element(p, h)))
			continue;
		if (resinfo(p, h) < 0)
			return -1;
	}
	return h->authserv_id[0] != '\0' ? 0 : fail(p, "no authserv-id");
}

/* arp_header_new - see arparse.h */
struct arp_header *arp_header_new(void)
{
	return calloc(1, sizeof(struct arp_header));
}

/* arp_parse - see arparse.h */
int arp_parse(const char *s, enum arp_mode mode, struct arp_header *h)
{
	struct parser p = {s, 0, mode, NULL, 0};
	int r;

	memset(h, 0, sizeof *h);
	h->version = -1;
	if (cfws(&p) < 0)
		r = -1;
	else if (!strict(&p) && microsoft_start(&p))
		r = microsoft(&p, h);
	else if (id_value(&p, h->authserv_id, sizeof h->authserv_id) < 0 ||
	         id_tail(&p, h) < 0 || results(&p, h) < 0)
		r = -1;
	else
		r = 0;
	if (r == 0 && h->authserv_id[0] == '\0')
		r = fail(&p, "empty authserv-id");
	if (r == 0 && strict(&p) && h->nresinfo == 0 && !h->none)
		r = fail(&p, "no result and no \"none\"");
	h->error = p.error;
	h->error_at = p.error_at;
	return r;
}

/* arp_find - see arparse.h */
const struct arp_prop *arp_find(const struct arp_resinfo *ri, const char *key)
{
	const char *dot = strchr(key, '.');
	size_t i, np = dot != NULL ? (size_t)(dot - key) : 0;

	for (i = 0; i < ri->nprops; i++) {
		const struct arp_prop *pr = &ri->prop[i];

		if (strlen(pr->ptype) == np &&
		        strncasecmp(pr->ptype, key, np) == 0 &&
		        strcasecmp(pr->name, dot != NULL ? dot + 1 : key) == 0)
			return pr;
	}
	return NULL;
}
