/*
 * dnsl_rules.c - DNS-list rules: dnsl_parse and dnsl_format (dnsl.h), the
 * configuration syntax in and back out. Pure: no I/O, no clock.
 *
 * Decisions worth knowing:
 *  - Zones are at most DNSL_ZONE_LEN octets (see dnsl_impl.h). A zone
 *    needs two labels or more and a non-numeric last label, so "zen" or
 *    an address written where a zone belongs is caught at once.
 *  - Weights are plain decimals with at most DNSL_WEIGHT_DECIMALS decimals
 *    and |w| <= DNSL_WEIGHT_MAX, read and printed without the locale, so
 *    dnsl_format prints a weight that reads back to the same double.
 *  - A filter must be able to match an answer in 127/8 (first octet set
 *    holding 127, a mask with bits below the first octet): a rule that can
 *    never fire is a mistake worth an error at start-up.
 *  - A symbol longer than DNSL_SYMBOL_LIMIT is cut and ends in a hash of
 *    the zone, so "_HELO" still fits policy's 63 characters; two zones
 *    that map to the same symbol are an error.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsl_impl.h"

#define DNSL_WEIGHT_MAX 1000.0
#define DNSL_WEIGHT_DECIMALS 6
#define DNSL_SYMBOL_LIMIT 58 /* + "_HELO" = 63, policy's longest name */
#define DNSL_ERRTEXT_LEN 60  /* how much of a bad rule an error shows */

/* DNSL_ADD - add an octet value to a 256-bit set */
#define DNSL_ADD(set, v) ((set)[(v) / 8] |= (uint8_t)(1u << ((v) % 8)))

/* Powers of ten up to DNSL_WEIGHT_DECIMALS, exact in a double. */
static const double dnsl_pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};

/* The rule being parsed; on error, code and why say what is wrong. */
struct parse {
	const char *rule;
	int code;
	const char *why;
};

/* bad - record what is wrong with the rule; NULL for the caller to pass on */
static const char *bad(struct parse *ps, int code, const char *why)
{
	ps->code = code;
	ps->why = why;
	return NULL;
}

/* report - "DNS list rule "X": why" into err; the rule is our own copy,
 * cleaned in place and cut, since it may be hostile or huge */
static void report(char *err, size_t errlen, char *rule, const char *why)
{
	char *p;

	for (p = rule; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "DNS list rule \"%.*s%s\": %s",
		        DNSL_ERRTEXT_LEN, rule,
		        strlen(rule) > DNSL_ERRTEXT_LEN ? "..." : "", why);
}

/* parse_uint - 1..maxdig decimal digits into *v; NULL unless <= max */
static const char *parse_uint(
        const char *s, unsigned maxdig, uint64_t max, uint64_t *v)
{
	unsigned n = 0;

	*v = 0;
	while (s[n] >= '0' && s[n] <= '9' && n < maxdig)
		*v = *v * 10 + (uint64_t)(s[n++] - '0');
	if (n == 0 || (s[n] >= '0' && s[n] <= '9') || *v > max)
		return NULL;
	return s + n;
}

/* parse_element - "N", or "N..M" when ranges are allowed (in brackets:
 * postscreen takes a bare octet as one number) */
static const char *parse_element(
        struct parse *ps, const char *s, uint8_t *set, int ranges)
{
	uint64_t lo, hi;
	const char *p = parse_uint(s, 3, 255, &lo);

	if (p == NULL)
		return bad(ps, DNSL_E_FILTER, "octet is not a number 0..255");
	hi = lo;
	if (ranges && p[0] == '.' && p[1] == '.') {
		p = parse_uint(p + 2, 3, 255, &hi);
		if (p == NULL || hi < lo)
			return bad(ps, DNSL_E_FILTER,
			        "bad range: want N..M with 0 <= N <= M <= 255");
	}
	for (; lo <= hi; lo++)
		DNSL_ADD(set, lo);
	return p;
}

/* parse_octet - one octet pattern: N, or [e;e;...] where e is N or N..M */
static const char *parse_octet(struct parse *ps, const char *s, uint8_t *set)
{
	if (*s != '[')
		return parse_element(ps, s, set, 0);
	for (s++;; s++) {
		if ((s = parse_element(ps, s, set, 1)) == NULL)
			return NULL;
		if (*s == ']')
			return s + 1;
		if (*s != ';')
			return bad(ps, DNSL_E_FILTER,
			        "octet pattern: want ';' or ']' after a "
			        "number");
	}
}

/* parse_octets - "d.d.d.d" after '='; the first octet must allow 127 */
static const char *parse_octets(
        struct parse *ps, const char *s, struct dnsl_rule *r)
{
	unsigned i;

	r->type = DNSL_RULE_OCTETS;
	for (i = 0; i < 4 && s != NULL; i++) {
		if (i > 0 && *s++ != '.')
			return bad(
			        ps, DNSL_E_FILTER, "filter needs four octets");
		s = parse_octet(ps, s, r->octet[i]);
	}
	if (s != NULL && !DNSL_HAS(r->octet[0], 127))
		return bad(ps, DNSL_E_FILTER,
		        "first octet must allow 127: answers outside "
		        "127.0.0.0/8 are never listings");
	return s;
}

/* parse_quad - a mask written as a dotted quad */
static const char *parse_quad(const char *s, uint32_t *mask)
{
	uint64_t v;
	unsigned i;

	*mask = 0;
	for (i = 0; i < 4 && s != NULL; i++) {
		if (i > 0 && *s++ != '.')
			return NULL;
		if ((s = parse_uint(s, 3, 255, &v)) != NULL)
			*mask = (*mask << 8) | (uint32_t)v;
	}
	return s;
}

/* parse_mask - after '&': 0x and 1..8 hex digits, a decimal, or a dotted
 * quad; the mask must have a bit below the first octet, or it matches
 * all of 127/8 or nothing */
static const char *parse_mask(
        struct parse *ps, const char *s, struct dnsl_rule *r)
{
	const char *p = NULL;
	char *end;
	uint64_t v;

	r->type = DNSL_RULE_MASK;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		size_t n = strspn(s + 2, "0123456789abcdefABCDEF");

		r->mask = (uint32_t)strtoul(s + 2, &end, 16);
		p = n >= 1 && n <= 8 ? s + 2 + n : NULL;
	} else if ((p = parse_uint(s, 10, UINT32_MAX, &v)) != NULL) {
		r->mask = (uint32_t)v;
		if (*p == '.')
			p = parse_quad(s, &r->mask);
	}
	if (p == NULL)
		return bad(ps, DNSL_E_FILTER,
		        "mask: want 0xHEX, a 32-bit decimal or a dotted quad");
	if ((r->mask & 0x00ffffffu) == 0)
		return bad(ps, DNSL_E_FILTER,
		        "mask has no bit in the last three octets");
	return p;
}

/* parse_weight - [+-]digits[.digits]: the value is digits / 10^k, both
 * exact, so the one division rounds correctly and no locale is involved */
static const char *parse_weight(struct parse *ps, const char *s, double *w)
{
	uint64_t m = 0;
	unsigned ndig = 0, frac = 0;
	int neg = (*s == '-'), dot = 0;

	s += (*s == '-' || *s == '+');
	for (; (*s >= '0' && *s <= '9') || (*s == '.' && !dot); s++) {
		if (*s == '.' && (dot = 1))
			continue;
		if (++ndig > 15)
			return bad(ps, DNSL_E_WEIGHT,
			        "weight has too many digits");
		frac += dot;
		m = m * 10 + (uint64_t)(*s - '0');
	}
	if (*s != '\0' || ndig == 0 || s[-1] == '.')
		return bad(ps, DNSL_E_WEIGHT, "weight is not a decimal number");
	if (frac > DNSL_WEIGHT_DECIMALS)
		return bad(
		        ps, DNSL_E_WEIGHT, "weight has more than 6 decimals");
	*w = (double)m / dnsl_pow10[frac] * (neg ? -1.0 : 1.0);
	if (*w == 0.0 || *w > DNSL_WEIGHT_MAX || *w < -DNSL_WEIGHT_MAX)
		return bad(ps, DNSL_E_WEIGHT,
		        "weight must be non-zero and within -1000..1000");
	return s;
}

/* zone_hash - FNV-1a, to keep cut symbols distinct */
static uint32_t zone_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* make_symbol - prefix + zone in upper case, non-alphanumerics as '_' */
static void make_symbol(char *out, const char *prefix, const char *zone)
{
	size_t n = strlen(prefix), i;

	memcpy(out, prefix, n);
	for (i = 0; zone[i] != '\0' && n < DNSL_SYMBOL_MAX - 1; i++) {
		char c = zone[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		out[n++] = ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		                   ? c
		                   : '_';
	}
	out[n] = '\0';
	if (n > DNSL_SYMBOL_LIMIT)
		snprintf(out + DNSL_SYMBOL_LIMIT - 9, 10, "_%08X",
		        (unsigned)zone_hash(zone));
}

/* add_zone - the index of zone `name`, added on first sight */
static int add_zone(struct dnsl_set *set, const char *name, unsigned *out)
{
	unsigned z;

	for (z = 0; z < set->nzones; z++)
		if (strcmp(set->zone[z].name, name) == 0)
			break;
	if (z == DNSL_ZONES_MAX)
		return -1;
	if (z == set->nzones) {
		snprintf(set->zone[z].name, sizeof set->zone[z].name, "%s",
		        name);
		atomic_init(&set->zone[z].enabled, 1);
		set->nzones++;
	}
	*out = z;
	return 0;
}

/* parse_zone - the zone part of a rule, up to '=', '&', '*' or the end */
static const char *parse_zone(
        struct parse *ps, struct dnsl_set *set, const char *s, unsigned *zone)
{
	char name[DNSL_ZONE_LEN + 1];
	size_t n = strcspn(s, "=&*"), len;

	if (n == 0)
		return bad(ps, DNSL_E_ZONE, "no zone before the filter");
	len = dnsl_norm_host(s, n, name, sizeof name);
	if (len == 0 && n > 1)
		return bad(ps, DNSL_E_ZONE, "zone is longer than 189 octets");
	if (len == 0 || !dnsl_host_ok(name, len, 0, 2))
		return bad(ps, DNSL_E_ZONE,
		        "zone is not a domain name of two or more "
		        "letter-digit-hyphen labels");
	if (add_zone(set, name, zone) != 0)
		return bad(ps, DNSL_E_TOOMANY, "more than 32 zones");
	return s + n;
}

/* parse_rule - one zone[=d.d.d.d|&mask][*weight] */
static int parse_rule(struct parse *ps, struct dnsl_set *set)
{
	struct dnsl_rule *r = &set->rule[set->nrules];
	const char *p;

	if (set->nrules == DNSL_RULES_MAX) {
		bad(ps, DNSL_E_TOOMANY, "more than 256 rules");
		return ps->code;
	}
	memset(r, 0, sizeof *r);
	r->weight = 1.0;
	p = parse_zone(ps, set, ps->rule, &r->zone);
	if (p != NULL && *p == '=')
		p = parse_octets(ps, p + 1, r);
	else if (p != NULL && *p == '&')
		p = parse_mask(ps, p + 1, r);
	if (p != NULL && *p == '*')
		p = parse_weight(ps, p + 1, &r->weight);
	if (p != NULL && *p != '\0')
		p = bad(ps, DNSL_E_SYNTAX,
		        "unexpected text: want "
		        "zone[=d.d.d.d|&mask][*weight]");
	if (p == NULL)
		return ps->code;
	set->nrules++;
	return DNSL_OK;
}

/* name_symbols - every zone's symbol; RWL_ when all its rules are
 * negative; two zones with one symbol are an error */
static int name_symbols(struct dnsl_set *set, char *err, size_t errlen)
{
	unsigned z, y;

	for (z = 0; z < set->nzones; z++) {
		const char *prefix = set->kind == DNSL_KIND_DOMAIN    ? "DBL_"
		                     : dnsl_zone_is_allowlist(set, z) ? "RWL_"
		                                                      : "RBL_";

		make_symbol(set->zone[z].symbol, prefix, set->zone[z].name);
		for (y = 0; y < z; y++) {
			if (strcmp(set->zone[y].symbol, set->zone[z].symbol))
				continue;
			if (err != NULL && errlen > 0)
				snprintf(err, errlen,
				        "DNS list zones %s and %s have the "
				        "same symbol %s",
				        set->zone[y].name, set->zone[z].name,
				        set->zone[z].symbol);
			return DNSL_E_ZONE;
		}
	}
	return DNSL_OK;
}

/* parse_all - split the text at commas and white space, parse each rule */
static int parse_all(struct dnsl_set *set, char *text, char *err, size_t errlen)
{
	static const char sep[] = ", \t\r\n\v\f";
	char *p = text;

	for (p += strspn(p, sep); *p != '\0'; p += strspn(p, sep)) {
		struct parse ps = {p, DNSL_OK, ""};
		size_t n = strcspn(p, sep);
		int last = p[n] == '\0';

		p[n] = '\0';
		if (parse_rule(&ps, set) != DNSL_OK) {
			report(err, errlen, p, ps.why);
			return ps.code;
		}
		p += n + !last;
	}
	return name_symbols(set, err, errlen);
}

/* dnsl_parse - parse `text` into a new set; *out untouched on error */
int dnsl_parse(const char *text, enum dnsl_kind kind, struct dnsl_set **out,
        char *err, size_t errlen)
{
	struct dnsl_set *set;
	char *copy;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (text == NULL || out == NULL ||
	        (kind != DNSL_KIND_IP && kind != DNSL_KIND_DOMAIN)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "DNS lists: no text or bad kind");
		return DNSL_E_SYNTAX;
	}
	set = calloc(1, sizeof *set);
	copy = strdup(text);
	if (set == NULL || copy == NULL) {
		free(set);
		free(copy);
		return DNSL_E_NOMEM;
	}
	set->kind = kind;
	rc = parse_all(set, copy, err, errlen);
	free(copy);
	if (rc != DNSL_OK) {
		free(set);
		return rc;
	}
	*out = set;
	return DNSL_OK;
}

/* dnsl_set_free - free; NULL is a no-op */
void dnsl_set_free(struct dnsl_set *set)
{
	free(set);
}

/* Output filled like snprintf: writes what fits, counts everything. */
struct out {
	char *buf;
	size_t len;
	size_t need;
};

/* out_puts - append a string */
static void out_puts(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->need + 1 < o->len) {
		size_t room = o->len - o->need - 1, k = n < room ? n : room;

		memcpy(o->buf + o->need, s, k);
		o->buf[o->need + k] = '\0';
	}
	o->need += n;
}

/* format_weight - "*w" with no trailing zeros; integers, not printf's %f,
 * so the locale cannot change the decimal point */
static void format_weight(struct out *o, double w)
{
	double scale = dnsl_pow10[DNSL_WEIGHT_DECIMALS];
	unsigned long long m =
	        (unsigned long long)((w < 0 ? -w : w) * scale + 0.5);
	unsigned long long one = (unsigned long long)scale;
	char num[64];
	size_t n;

	n = (size_t)snprintf(num, sizeof num, "*%s%llu.%0*llu",
	        w < 0 ? "-" : "", m / one, DNSL_WEIGHT_DECIMALS, m % one);
	while (num[n - 1] == '0')
		num[--n] = '\0';
	if (num[n - 1] == '.')
		num[n - 1] = '\0';
	out_puts(o, num);
}

/* format_octet - N, or [a..b;c] from the runs of the set */
static void format_octet(struct out *o, const uint8_t *set)
{
	unsigned lo[128], hi[128], n = 0, v, i;
	char item[16];

	for (v = 0; v < 256; v++)
		if (DNSL_HAS(set, v) && n > 0 && hi[n - 1] + 1 == v)
			hi[n - 1] = v;
		else if (DNSL_HAS(set, v))
			lo[n] = hi[n] = v, n++;
	for (i = 0; i < n; i++) {
		const char *pre = n == 1 && lo[0] == hi[0] ? "" : i ? ";" : "[";

		if (lo[i] == hi[i])
			snprintf(item, sizeof item, "%s%u", pre, lo[i]);
		else
			snprintf(item, sizeof item, "%s%u..%u", pre, lo[i],
			        hi[i]);
		out_puts(o, item);
	}
	if (n > 1 || lo[0] != hi[0])
		out_puts(o, "]");
}

/* format_rule - one rule in canonical form */
static void format_rule(
        struct out *o, const struct dnsl_set *set, const struct dnsl_rule *r)
{
	char mask[16];
	unsigned i;

	out_puts(o, set->zone[r->zone].name);
	if (r->type == DNSL_RULE_OCTETS) {
		for (i = 0; i < 4; i++) {
			out_puts(o, i == 0 ? "=" : ".");
			format_octet(o, r->octet[i]);
		}
	} else if (r->type == DNSL_RULE_MASK) {
		snprintf(mask, sizeof mask, "&0x%x", (unsigned)r->mask);
		out_puts(o, mask);
	}
	format_weight(o, r->weight);
}

/* dnsl_format - the rules in order, ", " between them */
size_t dnsl_format(const struct dnsl_set *set, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	unsigned i;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; set != NULL && i < set->nrules; i++) {
		if (i > 0)
			out_puts(&o, ", ");
		format_rule(&o, set, &set->rule[i]);
	}
	return o.need;
}
