/*
 * plainlist.c - plain lists (rbldnsd datasets, CIDR lists) into subjects;
 * see plainlist.h. Hand-written, allocation-free line parsing: a list of
 * a million lines must take a second, not a minute. Shared by "repctl
 * import" and repsync's plain-list partners.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plainlist.h"

#define E_HOSTBITS "host bits set past prefix length"

/* plainlist_strerror - a static text for a PLAINLIST_E_* code */
const char *plainlist_strerror(int err)
{
	switch (err) {
	case PLAINLIST_OK:
		return "success";
	case PLAINLIST_E_INVAL:
		return "invalid argument";
	case PLAINLIST_E_SYNTAX:
		return "not a valid list entry";
	case PLAINLIST_E_LINE:
		return "line too long or holding a NUL byte";
	case PLAINLIST_E_LIMIT:
		return "more lines or entries than allowed";
	case PLAINLIST_E_NOMEM:
		return "out of memory";
	}
	return "unknown plainlist error";
}

/* plainlist_format_parse - a format's name to its value */
int plainlist_format_parse(const char *name)
{
	if (name != NULL && strcmp(name, "cidr") == 0)
		return PLAINLIST_CIDR;
	if (name != NULL && strcmp(name, "rbldnsd") == 0)
		return PLAINLIST_RBLDNSD;
	return PLAINLIST_E_INVAL;
}

/* plainlist_format_name - a format's name */
const char *plainlist_format_name(int fmt)
{
	switch (fmt) {
	case PLAINLIST_CIDR:
		return "cidr";
	case PLAINLIST_RBLDNSD:
		return "rbldnsd";
	}
	return "unknown";
}

/* is_space - the blanks that separate fields */
static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* bad - mark the line bad with a message and the offending text */
static int bad(struct plainlist_line *out, const char *token, const char *msg)
{
	size_t i;

	for (i = 0; token[i] != '\0' && i + 4 < sizeof(out->token); i++)
		out->token[i] =
		        token[i] >= 0x20 && token[i] < 0x7f ? token[i] : '?';
	if (token[i] != '\0') {
		memcpy(out->token + i, "...", 3);
		i += 3;
	}
	out->token[i] = '\0';
	out->error = msg;
	out->n = 0;
	return PLAINLIST_E_SYNTAX;
}

/* subject_error - the message for a library error about a subject */
static const char *subject_error(int err)
{
	return err == REP_E_HOSTBITS ? E_HOSTBITS : rep_strerror(err);
}

/* ip4_subject - append an IPv4 prefix (already canonical) */
static void ip4_subject(struct plainlist_line *out, uint32_t a, unsigned plen)
{
	struct rep_subject *s = &out->s[out->n++];

	memset(s, 0, sizeof(*s));
	s->kind = REP_KIND_IP4;
	s->plen = (uint8_t)plen;
	s->addr[0] = (uint8_t)(a >> 24);
	s->addr[1] = (uint8_t)(a >> 16);
	s->addr[2] = (uint8_t)(a >> 8);
	s->addr[3] = (uint8_t)a;
}

/* ip4_octets - 1 to 4 dotted decimal octets at *pp into a (zero-filled);
 * returns how many, or 0 if there are none or one is out of range */
static int ip4_octets(const char **pp, uint32_t *a)
{
	const char *p = *pp;
	unsigned v, digits;
	int n = 0;

	*a = 0;
	for (;;) {
		for (v = 0, digits = 0; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits == 3 || (v = v * 10 + (*p - '0')) > 255)
				return 0;
		if (digits == 0)
			return 0;
		*a |= (uint32_t)v << (24 - 8 * n++);
		if (*p != '.' || n == 4)
			break;
		p++;
	}
	*pp = p;
	return n;
}

/* ip4_mask - the netmask of a prefix length */
static uint32_t ip4_mask(unsigned plen)
{
	return plen == 0 ? 0 : 0xffffffffu << (32 - plen);
}

/* ip4_range - the fewest CIDR prefixes that cover lo..hi exactly (at
 * most 62 for IPv4, so PLAINLIST_RANGE_MAX always holds them) */
static int ip4_range(
        struct plainlist_line *out, const char *tok, uint64_t lo, uint64_t hi)
{
	unsigned k;

	if (lo > hi)
		return bad(out, tok, "range ends before it starts");
	while (lo <= hi) {
		/* the largest aligned block starting at lo that fits */
		for (k = 0; k < 32; k++)
			if ((lo & ((2ull << k) - 1)) != 0 ||
			        lo + (2ull << k) - 1 > hi)
				break;
		if (out->n == PLAINLIST_RANGE_MAX)
			return bad(out, tok, "range needs too many prefixes");
		ip4_subject(out, (uint32_t)lo, 32 - k);
		lo += 1ull << k;
	}
	return 0;
}

/* ip4_range_end - the last address of an ip4set range "A-B": B is
 * completed with all-ones, and a single octet after a longer A stands
 * for A's last octet ("127.16-31" is 127.16.0.0-127.31.255.255) */
static int ip4_range_end(const char *p, uint32_t a, int n, uint32_t *end)
{
	uint32_t b;
	int m = ip4_octets(&p, &b);

	if (m == 0 || *p != '\0')
		return -1;
	if (m == 1 && n > 1) {
		b = (a & ip4_mask(8 * (n - 1))) | (b >> (8 * (n - 1)));
		m = n;
	}
	*end = b | ~ip4_mask(8 * m);
	return 0;
}

/* ip4_plen - a prefix length "/N" at p, 0-32, ending the token */
static int ip4_plen(const char *p, unsigned *plen)
{
	unsigned v = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (*p - '0')) > 32)
			return -1;
	if (*p != '\0')
		return -1;
	*plen = v;
	return 0;
}

/* parse_ip4 - an IPv4 entry: an address or CIDR prefix; with `set`
 * (rbldnsd ip4set) also abbreviated prefixes ("10.1" is 10.1.0.0/16)
 * and ranges ("10.0.0.0-10.0.1.255", "127.16-31") */
static int parse_ip4(struct plainlist_line *out, const char *tok, int set)
{
	const char *p = tok;
	uint32_t a, end;
	unsigned plen;
	int n = ip4_octets(&p, &a);

	if (n == 0 || (n < 4 && !set))
		return bad(out, tok, "not an IPv4 address or prefix");
	plen = 8 * n;
	if (*p == '/') {
		if (ip4_plen(p + 1, &plen) != 0)
			return bad(out, tok, "bad prefix length");
	} else if (*p == '-' && set) {
		if (ip4_range_end(p + 1, a, n, &end) != 0)
			return bad(out, tok, "bad IPv4 range");
		return ip4_range(out, tok, a, end);
	} else if (*p != '\0') {
		return bad(out, tok, "not an IPv4 address or prefix");
	}
	if ((a & ~ip4_mask(plen)) != 0)
		return bad(out, tok, E_HOSTBITS);
	ip4_subject(out, a, plen);
	return 0;
}

/* ip6_complete - rbldnsd lets an IPv6 prefix drop its trailing zero
 * groups ("2001:21ab:c000/36", "2001:21ab:def7:4242" is a /64): add the
 * "::" inet_pton needs; returns the groups given, 8 if nothing was
 * dropped, or 0 if the text cannot be completed */
static unsigned ip6_complete(char *buf, size_t len)
{
	size_t l = strlen(buf);
	unsigned groups = 1;
	const char *p;

	if (strstr(buf, "::") != NULL)
		return 8;
	for (p = buf; *p != '\0'; p++)
		groups += *p == ':';
	if (groups >= 8 || strchr(buf, '.') != NULL)
		return 8;
	if (l == 0 || buf[l - 1] == ':' || l + 3 > len)
		return 0;
	memcpy(buf + l, "::", 3);
	return groups;
}

/* parse_ip6 - an IPv6 address or prefix, rbldnsd's short forms too */
static int parse_ip6(struct plainlist_line *out, const char *tok)
{
	char buf[INET6_ADDRSTRLEN + 8], text[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(tok, '/');
	size_t alen = slash ? (size_t)(slash - tok) : strlen(tok);
	unsigned char addr[16];
	unsigned groups, plen;
	int err;

	if (alen >= sizeof(buf) - 3)
		return bad(out, tok, "not an IPv6 address or prefix");
	memcpy(buf, tok, alen);
	buf[alen] = '\0';
	if ((groups = ip6_complete(buf, sizeof(buf))) == 0 ||
	        inet_pton(AF_INET6, buf, addr) != 1)
		return bad(out, tok, "not an IPv6 address or prefix");
	plen = 16 * groups;
	if (slash != NULL) {
		plen = 0;
		for (slash++; *slash >= '0' && *slash <= '9' && plen <= 128;
		        slash++)
			plen = plen * 10 + (*slash - '0');
		if ((*slash != '\0' && *slash != ':') || plen > 128 ||
		        slash[-1] == '/')
			return bad(out, tok, "bad prefix length");
	}
	inet_ntop(AF_INET6, addr, buf, sizeof(buf));
	snprintf(text, sizeof(text), "%s/%u", buf, plen);
	if ((err = rep_subject_parse(text, &out->s[0])) != REP_OK)
		return bad(out, tok, subject_error(err));
	out->n = 1;
	return 0;
}

/* parse_domain - a dnset name: "example.com", ".example.com" (and its
 * subdomains) or "*.example.com" (subdomains only) */
static int parse_domain(struct plainlist_line *out, const char *tok)
{
	int err = rep_subject_parse(tok, &out->s[0]);

	if (err != REP_OK)
		return bad(out, tok, subject_error(err));
	if (out->s[0].kind != REP_KIND_DOMAIN)
		return bad(out, tok, "not an address, prefix or domain name");
	out->n = 1;
	return 0;
}

/* is_ip4_text - only the characters of ip4set entries */
static int is_ip4_text(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '/' ||
		            *s == '-'))
			return 0;
	return 1;
}

/* rbldnsd_token - end the entry at blanks or a comment, which may follow
 * it directly ("127/8;loopback") */
static void rbldnsd_token(char *p)
{
	while (*p != '\0' && !is_space((unsigned char)*p) && *p != '#' &&
	        *p != ';')
		p++;
	*p = '\0';
}

/* parse_rbldnsd - one entry of an rbldnsd dataset; its value (A record
 * and TXT template) is the zone's business, not ours. The value may also
 * follow directly after a colon ("127.0.0.2:3:txt"): a colon is part of
 * the entry only in IPv6, which has no dot before its first colon */
static int parse_rbldnsd(struct plainlist_line *out, char *p)
{
	char *colon;

	switch (*p) {
	case '#': /* comments, and the "#$" specials of rbldns */
	case ';':
	case '$': /* $TTL, $SOA, $NS, $n ... */
		return 0;
	case ':': /* the default value; "::1" is an IPv6 entry */
		if (p[1] != ':')
			return 0;
		break;
	case '!':
		return bad(out, p, "exclusions are not supported");
	}
	rbldnsd_token(p);
	if ((colon = strchr(p, ':')) != NULL &&
	        memchr(p, '.', (size_t)(colon - p)) != NULL)
		*colon = '\0';
	else if (colon != NULL)
		return parse_ip6(out, p);
	if (is_ip4_text(p))
		return parse_ip4(out, p, 1);
	return parse_domain(out, p);
}

/* parse_cidr - one address or CIDR prefix, then at most a comment */
static int parse_cidr(struct plainlist_line *out, char *p)
{
	char *tok = p, *rest;
	int err;

	if (*p == '#')
		return 0;
	while (*p != '\0' && !is_space((unsigned char)*p))
		p++;
	for (rest = p; is_space((unsigned char)*rest); rest++)
		;
	if (*rest != '\0' && *rest != '#')
		return bad(out, rest, "unexpected text after the address");
	*p = '\0';
	if (strchr(tok, ':') == NULL)
		return parse_ip4(out, tok, 0);
	if ((err = rep_subject_parse(tok, &out->s[0])) != REP_OK)
		return bad(out, tok, subject_error(err));
	if (out->s[0].kind != REP_KIND_IP4 && out->s[0].kind != REP_KIND_IP6)
		return bad(out, tok, "not an address or prefix");
	out->n = 1;
	return 0;
}

/* bad_line - the line as a whole is at fault (length, NUL byte) */
static int bad_line(struct plainlist_line *out, const char *msg)
{
	out->token[0] = '\0';
	out->error = msg;
	out->n = 0;
	return PLAINLIST_E_LINE;
}

/* plainlist_parse_line - one line: checked, copied, blanks trimmed */
int plainlist_parse_line(enum plainlist_format fmt, const char *line,
        size_t len, struct plainlist_line *out)
{
	char *p;

	if (out == NULL)
		return PLAINLIST_E_INVAL;
	out->n = 0;
	out->error = NULL;
	out->token[0] = '\0';
	if ((line == NULL && len > 0) ||
	        (fmt != PLAINLIST_CIDR && fmt != PLAINLIST_RBLDNSD))
		return PLAINLIST_E_INVAL;
	if (len > PLAINLIST_LINE_MAX)
		return bad_line(out, "line longer than 4096 bytes");
	if (len > 0 && memchr(line, '\0', len) != NULL)
		return bad_line(out, "NUL byte in line");
	if (len > 0)
		memcpy(out->buf, line, len);
	out->buf[len] = '\0';
	while (len > 0 && is_space((unsigned char)out->buf[len - 1]))
		out->buf[--len] = '\0';
	for (p = out->buf; is_space((unsigned char)*p); p++)
		;
	if (*p == '\0')
		return 0;
	if (fmt == PLAINLIST_CIDR)
		return parse_cidr(out, p);
	return parse_rbldnsd(out, p);
}

/* where - remember a failed line for the caller */
static void where(struct plainlist_error *err, unsigned long line,
        const char *msg, const char *token)
{
	if (err == NULL)
		return;
	err->line = line;
	err->error = msg;
	snprintf(err->token, sizeof(err->token), "%s", token);
}

/* emit - hand one line's subjects to the callback, counting entries */
static int emit(const struct plainlist_line *l, size_t *entries, size_t max,
        plainlist_fn fn, void *arg)
{
	unsigned i;
	int rc;

	for (i = 0; i < l->n; i++) {
		if (*entries >= max)
			return PLAINLIST_E_LIMIT;
		(*entries)++;
		if ((rc = fn(&l->s[i], arg)) != 0)
			return rc;
	}
	return 0;
}

/* plainlist_parse - a whole list in memory, line by line; every pass of
 * the loop consumes at least one byte, so it ends */
int plainlist_parse(const char *text, size_t len, enum plainlist_format fmt,
        const struct plainlist_limits *lim, plainlist_fn fn, void *arg,
        struct plainlist_error *err)
{
	size_t max_lines = PLAINLIST_DEFAULT_MAX_LINES, max_entries = max_lines;
	size_t off = 0, n, entries = 0;
	unsigned long lineno = 0;
	struct plainlist_line *l;
	const char *nl;
	int rc = 0;

	where(err, 0, NULL, "");
	if ((text == NULL && len > 0) || fn == NULL ||
	        (fmt != PLAINLIST_CIDR && fmt != PLAINLIST_RBLDNSD))
		return PLAINLIST_E_INVAL;
	if (lim != NULL && lim->max_lines != 0)
		max_lines = lim->max_lines;
	if (lim != NULL && lim->max_entries != 0)
		max_entries = lim->max_entries;
	if ((l = malloc(sizeof(*l))) == NULL)
		return PLAINLIST_E_NOMEM;
	while (off < len) {
		nl = memchr(text + off, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - (text + off)) : len - off;
		if (lineno++ >= max_lines) {
			where(err, lineno, "more lines than allowed", "");
			rc = PLAINLIST_E_LIMIT;
			break;
		}
		if ((rc = plainlist_parse_line(fmt, text + off, n, l)) != 0) {
			where(err, lineno, l->error, l->token);
			break;
		}
		if ((rc = emit(l, &entries, max_entries, fn, arg)) != 0) {
			where(err, lineno,
			        rc == PLAINLIST_E_LIMIT
			                ? "more entries than allowed"
			                : NULL,
			        "");
			break;
		}
		off += n + (nl != NULL);
	}
	free(l);
	return rc;
}
