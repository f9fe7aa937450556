/* spf_parse.c - SPF record grammar (RFC 7208 4.5, 4.6, 5, 6, 7.1) */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "spf_macro.h"
#include "spf_parse.h"

/* One term of the record being parsed. */
struct cursor {
	const char *s; /* the term, without its qualifier */
	size_t len;
	char qualifier; /* 0: none given */
	const char **why;
};

static const struct {
	const char *name;
	enum spf_mech mech;
} mechs[] = {
        {"all", SPF_MECH_ALL},
        {"include", SPF_MECH_INCLUDE},
        {"a", SPF_MECH_A},
        {"mx", SPF_MECH_MX},
        {"ptr", SPF_MECH_PTR},
        {"ip4", SPF_MECH_IP4},
        {"ip6", SPF_MECH_IP6},
        {"exists", SPF_MECH_EXISTS},
};

/* fail - set the reason, return -1 */
static int fail(const char **why, const char *text)
{
	*why = text;
	return -1;
}

/* is_alpha, is_digit, is_alnum - ASCII classes without the locale */
static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

/* spf_parse_is_spf1 - "v=spf1" then SP or end */
int spf_parse_is_spf1(const char *txt, size_t len)
{
	return len >= 6 && strncasecmp(txt, "v=spf1", 6) == 0 &&
	       (len == 6 || txt[6] == ' ');
}

/* toplabel_ok - ( *alphanum ALPHA *alphanum ) /
 * ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int toplabel_ok(const char *s, size_t n)
{
	int alpha = 0, hyphen = 0;

	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-')
			hyphen = 1;
		else if (is_alpha(s[i]))
			alpha = 1;
		else if (!is_digit(s[i]))
			return 0;
	}
	return alpha || hyphen;
}

/* spec_ok - domain-spec = macro-string domain-end, where domain-end is
 * "." toplabel ["."] or a macro-expand; checked before any expansion */
static int spec_ok(const char *s, size_t n, const char **why)
{
	const char *dot;

	if (n == 0)
		return fail(why, "empty domain-spec");
	if (n > SPF_PARSE_SPEC_MAX)
		return fail(why, "domain-spec too long");
	if (spf_macro_check(s, n, SPF_MACRO_DOMAIN, why) != 0)
		return -1;
	if (spf_macro_cost(s, n) > SPF_PARSE_SPEC_COST)
		return fail(why, "domain-spec too complex");
	if (spf_macro_last_is_expand(s, n))
		return 0;
	if (s[n - 1] == '.')
		n--;
	dot = n > 0 ? memrchr(s, '.', n) : NULL;
	if (dot == NULL || !toplabel_ok(dot + 1, n - (size_t)(dot + 1 - s)))
		return fail(
		        why, "domain-spec does not end in a valid top label");
	return 0;
}

/* cidr_value - "0" / %x31-39 0*2DIGIT, at most `max`; -1 if malformed */
static int cidr_value(const char *s, size_t n, int max)
{
	int v = 0;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* trailing_cidr - strip "/digits" (slashes = 1) or "//digits" (2) from
 * the end of s[0..*n); its value, -1 if none, -2 if malformed */
static int trailing_cidr(const char *s, size_t *n, int slashes, int max)
{
	size_t d = 0, end = *n;
	int v;

	while (d < end && is_digit(s[end - d - 1]))
		d++;
	if (d == 0 || end - d < (size_t)slashes ||
	        memcmp(s + end - d - slashes, "//", (size_t)slashes) != 0)
		return -1;
	if (slashes == 1 && end - d >= 2 && s[end - d - 2] == '/')
		return -1; /* "//n" is the IPv6 length, seen first */
	v = cidr_value(s + end - d, d, max);
	if (v < 0)
		return -2;
	*n = end - d - (size_t)slashes;
	return v;
}

/* dual_cidr - [ ip4-cidr-length ] [ "/" ip6-cidr-length ] at the end */
static int dual_cidr(
        const char *s, size_t *n, struct spf_term *t, const char **why)
{
	t->cidr6 = trailing_cidr(s, n, 2, 128);
	if (t->cidr6 == -2)
		return fail(why, "invalid IPv6 prefix length");
	t->cidr4 = trailing_cidr(s, n, 1, 32);
	if (t->cidr4 == -2)
		return fail(why, "invalid IPv4 prefix length");
	return 0;
}

/* parse_a_mx - a / mx [ ":" domain-spec ] [ dual-cidr-length ] */
static int parse_a_mx(struct cursor *c, size_t at, struct spf_term *t)
{
	const char *rest = c->s + at;
	size_t n = c->len - at;

	if (dual_cidr(rest, &n, t, c->why) != 0)
		return -1;
	if (n == 0)
		return 0;
	if (rest[0] != ':')
		return fail(c->why, "invalid prefix length");
	t->spec = rest + 1;
	t->spec_len = n - 1;
	return spec_ok(t->spec, t->spec_len, c->why);
}

/* parse_spec_only - include / exists / ptr: ":" domain-spec, no CIDR */
static int parse_spec_only(
        struct cursor *c, size_t at, struct spf_term *t, int required)
{
	if (at == c->len)
		return required ? fail(c->why, "mechanism needs a domain-spec")
		                : 0;
	if (c->s[at] != ':')
		return fail(c->why, "unexpected characters after mechanism");
	t->spec = c->s + at + 1;
	t->spec_len = c->len - at - 1;
	return spec_ok(t->spec, t->spec_len, c->why);
}

/* ip4_ok - qnum "." qnum "." qnum "." qnum, no leading zeros */
static int ip4_ok(const char *s, size_t n, unsigned char *addr)
{
	char buf[16];
	size_t run = 0;
	int dots = 0;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (run == 0)
				return 0;
			dots++;
			run = 0;
		} else if (!is_digit(s[i]) || (run == 1 && s[i - 1] == '0')) {
			return 0;
		} else {
			run++;
		}
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	return dots == 3 && run > 0 && inet_pton(AF_INET, buf, addr) == 1;
}

/* ip6_ok - an RFC 4291 text address */
static int ip6_ok(const char *s, size_t n, unsigned char *addr)
{
	char buf[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, addr) == 1;
}

/* parse_ip - ip4 / ip6 ":" network [ "/" length ] */
static int parse_ip(struct cursor *c, size_t at, struct spf_term *t)
{
	int v6 = t->mech == SPF_MECH_IP6;
	const char *net = c->s + at + 1, *slash;
	size_t n;

	if (at == c->len || c->s[at] != ':')
		return fail(c->why, "ip4/ip6 needs an address");
	n = c->len - at - 1;
	slash = memchr(net, '/', n);
	if (slash != NULL) {
		size_t plen = n - (size_t)(slash + 1 - net);
		int v = cidr_value(slash + 1, plen, v6 ? 128 : 32);

		if (v < 0)
			return fail(c->why, "invalid prefix length");
		(v6 ? &t->cidr6 : &t->cidr4)[0] = v;
		n = (size_t)(slash - net);
	}
	if (v6 ? !ip6_ok(net, n, t->addr) : !ip4_ok(net, n, t->addr))
		return fail(c->why,
		        v6 ? "invalid IPv6 address" : "invalid IPv4 address");
	return 0;
}

/* mech_len - the length of the mechanism name (letters and digits) */
static size_t mech_len(const struct cursor *c)
{
	size_t n = 0;

	while (n < c->len && is_alnum(c->s[n]))
		n++;
	return n;
}

/* parse_mechanism - a directive without its qualifier */
static int parse_mechanism(struct cursor *c, struct spf_term *t)
{
	size_t n = mech_len(c);
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (strlen(mechs[i].name) == n &&
		        strncasecmp(c->s, mechs[i].name, n) == 0)
			break;
	if (i == sizeof(mechs) / sizeof(mechs[0]) ||
	        (n < c->len && c->s[n] != ':' && c->s[n] != '/'))
		return fail(c->why, "unknown mechanism");
	memset(t, 0, sizeof(*t));
	t->mech = mechs[i].mech;
	t->qualifier = c->qualifier ? c->qualifier : '+';
	t->cidr4 = t->cidr6 = -1;
	switch (t->mech) {
	case SPF_MECH_ALL:
		return n == c->len ? 0 : fail(c->why, "all takes no argument");
	case SPF_MECH_A:
	case SPF_MECH_MX:
		return parse_a_mx(c, n, t);
	case SPF_MECH_PTR:
		return parse_spec_only(c, n, t, 0);
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		return parse_ip(c, n, t);
	default:
		return parse_spec_only(c, n, t, 1);
	}
}

/* modifier_name_len - name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
 * followed by "="; 0 when the term is not a modifier */
static size_t modifier_name_len(const struct cursor *c)
{
	size_t n = 0;

	if (c->len == 0 || !is_alpha(c->s[0]))
		return 0;
	while (n < c->len && (is_alnum(c->s[n]) || c->s[n] == '-' ||
	                             c->s[n] == '_' || c->s[n] == '.'))
		n++;
	return (n < c->len && c->s[n] == '=') ? n : 0;
}

/* set_once - redirect= and exp= may each appear once (6) */
static int set_once(const char **slot, size_t *slot_len, const char *v,
        size_t n, const char **why)
{
	if (*slot != NULL)
		return fail(why, "modifier given twice");
	*slot = v;
	*slot_len = n;
	return spec_ok(v, n, why);
}

/* parse_modifier - redirect=, exp= or an unknown one (checked, dropped) */
static int parse_modifier(
        struct cursor *c, size_t name_len, struct spf_record_info *r)
{
	const char *v = c->s + name_len + 1;
	size_t n = c->len - name_len - 1;

	if (c->qualifier)
		return fail(c->why, "qualifier on a modifier");
	if (name_len == 8 && strncasecmp(c->s, "redirect", 8) == 0)
		return set_once(&r->redirect, &r->redirect_len, v, n, c->why);
	if (name_len == 3 && strncasecmp(c->s, "exp", 3) == 0)
		return set_once(&r->exp, &r->exp_len, v, n, c->why);
	return spf_macro_check(v, n, SPF_MACRO_ANY, c->why);
}

/* parse_term - one space-separated term */
static int parse_term(
        const char *s, size_t len, struct spf_record_info *r, const char **why)
{
	struct cursor c = {s, len, 0, why};
	size_t name_len;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return fail(why, "invalid character in record");
	if (strchr("+-~?", s[0]) != NULL) {
		c.qualifier = s[0];
		c.s++;
		c.len--;
	}
	name_len = modifier_name_len(&c);
	if (name_len > 0)
		return parse_modifier(&c, name_len, r);
	if (r->nterms == SPF_PARSE_MAX_TERMS)
		return fail(why, "too many terms");
	if (parse_mechanism(&c, &r->term[r->nterms]) != 0)
		return -1;
	r->has_all |= r->term[r->nterms].mech == SPF_MECH_ALL;
	r->nterms++;
	return 0;
}

/* spf_parse_record - version, then terms separated by spaces */
int spf_parse_record(const char *txt, size_t len, struct spf_record_info *out,
        const char **why)
{
	const char *dummy;
	size_t i = 6;

	if (why == NULL)
		why = &dummy;
	if (len > SPF_PARSE_MAX_LEN)
		return fail(why, "record too long");
	if (!spf_parse_is_spf1(txt, len))
		return fail(why, "not an SPF record");
	memset(out, 0, sizeof(*out));
	while (i < len) {
		size_t n;

		while (i < len && txt[i] == ' ')
			i++;
		for (n = 0; i + n < len && txt[i + n] != ' '; n++)
			;
		if (n > 0 && parse_term(txt + i, n, out, why) != 0)
			return -1;
		i += n;
	}
	return 0;
}

/* Output buffer with overflow tracking. */
struct out {
	char *buf;
	size_t len, cap;
	int overflow;
};

/* emit - append formatted text */
static void emit(struct out *o, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->overflow = 1;
	else
		o->len += (size_t)n;
}

/* emit_ip - ip4/ip6 in canonical text; a /0 network is split in two /1
 * halves (libspf2 refuses /0 and reads it as "no length") */
static void emit_ip(struct out *o, const struct spf_term *t, int family)
{
	char text[INET6_ADDRSTRLEN];
	int v6 = t->mech == SPF_MECH_IP6;
	int cidr = v6 ? t->cidr6 : t->cidr4;

	if (cidr == 0) {
		emit(o,
		        v6 ? " %cip6:::/1 %cip6:8000::/1"
		           : " %cip4:0.0.0.0/1 %cip4:128.0.0.0/1",
		        t->qualifier, t->qualifier);
		return;
	}
	inet_ntop(family, t->addr, text, sizeof(text));
	emit(o, " %c%s:%s", t->qualifier, v6 ? "ip6" : "ip4", text);
	if (cidr > 0 && cidr < (v6 ? 128 : 32))
		emit(o, "/%d", cidr);
}

/* emit_a_mx - a/mx with the prefix length of the client's family; a /0
 * prefix becomes "a:" on a synthetic name (see spf_parse.h) */
static void emit_a_mx(struct out *o, const struct spf_term *t, int family)
{
	int v6 = family == AF_INET6;
	int cidr = v6 ? t->cidr6 : t->cidr4;
	const char *name = t->mech == SPF_MECH_A ? "a" : "mx";
	size_t n = t->spec_len;

	if (cidr == 0) {
		if (n > 0 && t->spec[n - 1] == '.' &&
		        !spf_macro_last_is_expand(t->spec, n))
			n--;
		emit(o, " %ca:%.*s%s", t->qualifier, n ? (int)n : 4,
		        n ? t->spec : "%{d}",
		        t->mech == SPF_MECH_A ? SPF_PARSE_ANY_A
		                              : SPF_PARSE_ANY_MX);
		return;
	}
	emit(o, " %c%s%s%.*s", t->qualifier, name, n ? ":" : "", (int)n,
	        n ? t->spec : "");
	if (cidr > 0 && cidr < (v6 ? 128 : 32))
		emit(o, v6 ? "//%d" : "/%d", cidr);
}

/* emit_term - one mechanism, or nothing if it cannot match this family */
static void emit_term(struct out *o, const struct spf_term *t, int family)
{
	static const char *const name[] = {
	        "", "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"};

	switch (t->mech) {
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		if ((t->mech == SPF_MECH_IP6) == (family == AF_INET6))
			emit_ip(o, t, family);
		break;
	case SPF_MECH_A:
	case SPF_MECH_MX:
		emit_a_mx(o, t, family);
		break;
	default:
		emit(o, " %c%s%s%.*s", t->qualifier, name[t->mech],
		        t->spec ? ":" : "", (int)t->spec_len,
		        t->spec ? t->spec : "");
	}
}

/* spf_parse_canonical - mechanisms, then redirect=, then exp= */
int spf_parse_canonical(
        const struct spf_record_info *r, int family, char *out, size_t outlen)
{
	struct out o = {out, 0, outlen, 0};

	if (outlen == 0)
		return -1;
	emit(&o, "v=spf1");
	for (unsigned i = 0; i < r->nterms; i++)
		emit_term(&o, &r->term[i], family);
	if (r->redirect != NULL && !r->has_all)
		emit(&o, " redirect=%.*s", (int)r->redirect_len, r->redirect);
	if (r->exp != NULL)
		emit(&o, " exp=%.*s", (int)r->exp_len, r->exp);
	return o.overflow ? -1 : 0;
}

/* spf_parse_domain_ok - see spf_parse.h */
int spf_parse_domain_ok(const char *d)
{
	size_t n = strlen(d), label = 0, labels = 0, top = 0;
	int numeric = 1;

	if (n > 0 && d[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || d[i] == '.') {
			if (label == 0 || label > 63)
				return 0;
			labels++;
			top = i - label;
			label = 0;
			continue;
		}
		if ((unsigned char)d[i] <= 0x20 ||
		        (unsigned char)d[i] >= 0x7f ||
		        strchr("@[]\"\\", d[i]) != NULL)
			return 0;
		label++;
	}
	for (size_t i = top; i < n; i++)
		numeric &= is_digit(d[i]);
	return labels >= 2 && !numeric;
}
