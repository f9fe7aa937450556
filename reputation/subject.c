/*
 * subject.c - subjects: parsing and formatting their text forms, building
 * them from addresses and names, ordering and covering, and the binary
 * store keys (see internal.h for the key layout).
 *
 * Decisions the header leaves open, made here:
 *	- A prefix length is decimal digits without sign, space or leading
 *	  zero: "/024" is REP_E_SYNTAX (badly written), "/33" is
 *	  REP_E_PREFIXLEN (well written, out of range).
 *	- Bytes below 0x21 and 0x7f (space, tab, newline, DEL) are
 *	  REP_E_SYNTAX wherever they appear; other bad ASCII in a name
 *	  ("!", "*" inside a name) is REP_E_NAME.
 *	- A name whose top label is all digits is not a domain (REP_E_NAME):
 *	  "1.2.3", "999.1.1.1", "127.1" and "1.2.3.4." are not guessed to be
 *	  addresses.
 *	- Single-label names ("localhost") and underscores ("_dmarc") are
 *	  valid: an operator may list them.
 *	- Only "auth:" in lower case introduces an authenticated domain, and
 *	  a scope marker after it ("auth:.x", "auth:*.x") is REP_E_SYNTAX.
 *	- Only ::ffff:0:0/96 (IPv4-mapped) becomes IPv4; the deprecated
 *	  IPv4-compatible ::a.b.c.d and NAT64 prefixes stay IPv6.
 *	- An "xn--" label must be the A-label of a valid U-label: it is
 *	  decoded and encoded again, and must come back unchanged.
 *
 * Keys of IP subjects are built on the lookup path (a million a second),
 * so that code checks canonical form with masks rather than loops.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <idn2.h>

#include "internal.h"
#include "reputation.h"

/* Longest input considered at all: UTF-8 names may be longer than their
 * A-labels, but nothing valid is anywhere near this. */
#define SUBJ_INPUT_MAX 1024
#define SUBJ_LABEL_MAX 63
#define SUBJ_IDN_FLAGS (IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT)

static const char auth_prefix[] = "auth:";
#define AUTH_PREFIX_LEN (sizeof(auth_prefix) - 1)

/* mask64 - a 64-bit word with its `bits` (0..64) high bits set */
static inline uint64_t mask64(unsigned bits)
{
	return bits ? ~(uint64_t)0 << (64 - bits) : 0;
}

/* load_be32, load_be64 - read big-endian words at any alignment */
static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t load_be64(const uint8_t *p)
{
	return (uint64_t)load_be32(p) << 32 | load_be32(p + 4);
}

/* rep_ip_maxlen - 32 or 128 for an IP kind, else 0 */
unsigned rep_ip_maxlen(unsigned kind)
{
	switch (kind) {
	case REP_KIND_IP4:
		return 32;
	case REP_KIND_IP6:
		return 128;
	}
	return 0;
}

/* rep_ip_mask - clear the bits of addr past plen (addr of maxlen bits) */
void rep_ip_mask(uint8_t *addr, unsigned maxlen, unsigned plen)
{
	unsigned i = plen / 8;

	if (plen >= maxlen)
		return;
	if (plen % 8)
		addr[i++] &= (uint8_t)(0xff << (8 - plen % 8));
	memset(addr + i, 0, maxlen / 8 - i);
}

/* ip4_canonical - an IPv4 subject with no host bits and no stray bytes */
static inline int ip4_canonical(const struct rep_subject *s)
{
	/* plen & 63 keeps the shift defined; plen > 32 fails anyway. */
	uint32_t mask = (uint32_t)(0xffffffff00000000ull >> (s->plen & 63));
	uint32_t host = load_be32(s->addr) & ~mask;
	uint64_t tail = load_be64(s->addr + 4) | load_be32(s->addr + 12);

	return (s->plen <= 32) & (host == 0) & (tail == 0) & (s->scope == 0);
}

/* ip6_canonical - an IPv6 subject with no host bits that is not a
 * v4-mapped address or prefix (those are stored as IPv4) */
static inline int ip6_canonical(const struct rep_subject *s)
{
	unsigned plen = s->plen;
	unsigned hibits = plen < 64 ? plen : 64;
	unsigned lobits = plen < 64 ? 0 : plen < 128 ? plen - 64 : 64;
	uint64_t hi = load_be64(s->addr), lo = load_be64(s->addr + 8);
	uint64_t host = (hi & ~mask64(hibits)) | (lo & ~mask64(lobits));
	int mapped = (plen >= 96) & (hi == 0) & (lo >> 32 == 0xffff);

	return (plen <= 128) & (host == 0) & !mapped & (s->scope == 0);
}

/* label_byte - 2 for a digit, 1 for another byte a canonical label may
 * hold ([a-z-_]: upper case was folded before), 0 for any other */
static inline int label_byte(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return 2;
	return (c >= 'a' && c <= 'z') || c == '-' || c == '_';
}

/* label_check - one label of a canonical name; *numeric tells whether it
 * is all digits */
static int label_check(const char *l, size_t n, int *numeric)
{
	size_t i;
	int digits = 1;

	if (n == 0 || n > SUBJ_LABEL_MAX || l[0] == '-' || l[n - 1] == '-')
		return REP_E_NAME;
	for (i = 0; i < n; i++) {
		int c = label_byte((uint8_t)l[i]);
		if (c == 0)
			return REP_E_NAME;
		digits &= c == 2;
	}
	*numeric = digits;
	return 0;
}

/* name_check - is name[0..n) a canonical ASCII name (lower case, no final
 * dot, labels and length in range, top label not all digits)? */
static int name_check(const char *name, size_t n)
{
	size_t start = 0;
	int numeric = 0;

	if (n == 0 || n > REP_NAME_MAX)
		return REP_E_NAME;
	for (;;) {
		const char *dot = memchr(name + start, '.', n - start);
		size_t end = dot ? (size_t)(dot - name) : n;
		if (label_check(name + start, end - start, &numeric) != 0)
			return REP_E_NAME;
		if (dot == NULL)
			break;
		start = end + 1;
	}
	/* "1.2.3" or "999.1.1.1" is a broken address, not a name. */
	return numeric ? REP_E_NAME : 0;
}

/* alabel_check - an "xn--" label must decode to a U-label that encodes
 * back to exactly this label, else it smuggles in what IDNA forbids */
static int alabel_check(const char *l, size_t n)
{
	char label[SUBJ_LABEL_MAX + 1];
	char *u = NULL, *a = NULL;
	int err = REP_E_IDN;

	memcpy(label, l, n);
	label[n] = '\0';
	if (idn2_to_unicode_8z8z(label, &u, 0) != IDN2_OK)
		goto fail;
	if (idn2_to_ascii_8z(u, &a, SUBJ_IDN_FLAGS) != IDN2_OK)
		goto fail;
	if (strcmp(a, label) == 0)
		err = 0;
fail:
	idn2_free(u);
	idn2_free(a);
	return err;
}

/* alabels_check - check every "xn--" label of a canonical name */
static int alabels_check(const char *name, size_t n)
{
	size_t start = 0;

	while (start < n) {
		const char *dot = memchr(name + start, '.', n - start);
		size_t end = dot ? (size_t)(dot - name) : n;
		if (end - start >= 4 && memcmp(name + start, "xn--", 4) == 0 &&
		        alabel_check(name + start, end - start) != 0)
			return REP_E_IDN;
		start = end + 1;
	}
	return 0;
}

/* text_check - reject input no subject can be: empty, absurdly long, or
 * holding spaces and control bytes (a stray newline from a file) */
static int text_check(const char *text)
{
	size_t i, n;

	if (text[0] == '\0')
		return REP_E_INVAL;
	n = strnlen(text, SUBJ_INPUT_MAX + 1);
	if (n > SUBJ_INPUT_MAX)
		return REP_E_NAME;
	for (i = 0; i < n; i++) {
		uint8_t c = (uint8_t)text[i];
		if (c < 0x21 || c == 0x7f)
			return REP_E_SYNTAX;
	}
	return 0;
}

/* has_8bit - does the string hold a byte outside ASCII? */
static int has_8bit(const char *s)
{
	for (; *s; s++)
		if ((uint8_t)*s >= 0x80)
			return 1;
	return 0;
}

/* name_fold - copy a name folded to lower case without its final dot */
static int name_fold(const char *in, char out[REP_NAME_MAX + 1])
{
	size_t i, n = strlen(in);

	if (n > 0 && in[n - 1] == '.')
		n--; /* only one: "example.com.." keeps an empty label */
	if (n == 0 || n > REP_NAME_MAX)
		return REP_E_NAME;
	for (i = 0; i < n; i++) {
		char c = in[i];
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
	return 0;
}

/* name_parse - a name (text_check already passed) in canonical form */
static int name_parse(const char *in, char out[REP_NAME_MAX + 1])
{
	char *ace = NULL;
	int err;

	if (has_8bit(in)) {
		/* Non-transitional: "faß" stays itself, never "fass". */
		if (idn2_to_ascii_8z(in, &ace, SUBJ_IDN_FLAGS) != IDN2_OK)
			return REP_E_IDN;
		in = ace;
	}
	err = name_fold(in, out);
	if (err == 0)
		err = name_check(out, strlen(out));
	if (err == 0)
		err = alabels_check(out, strlen(out));
	idn2_free(ace);
	return err;
}

/* name_subject - a name subject, every byte it does not use zero */
static int name_subject(
        uint8_t kind, uint8_t scope, const char *text, struct rep_subject *out)
{
	struct rep_subject s;
	int err;

	memset(&s, 0, sizeof s);
	err = name_parse(text, s.name);
	if (err != 0)
		return err;
	s.kind = kind;
	s.scope = scope;
	*out = s;
	return 0;
}

/* plen_parse - a prefix length: digits, no sign, no leading zero */
static int plen_parse(const char *p, unsigned maxlen, unsigned *plen)
{
	unsigned v = 0;

	if (*p == '\0' || (p[0] == '0' && p[1] != '\0'))
		return REP_E_SYNTAX;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return REP_E_SYNTAX;
		/* Saturate: a long run of digits is out of range, not UB. */
		v = v > 1000 ? v : v * 10 + (unsigned)(*p - '0');
	}
	if (v > maxlen)
		return REP_E_PREFIXLEN;
	*plen = v;
	return 0;
}

/* ip_unmap - an IPv6 subject of ::ffff:0:0/96 or longer becomes IPv4 */
static void ip_unmap(struct rep_subject *s)
{
	static const uint8_t mapped[12] = {
	        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (s->kind != REP_KIND_IP6 || s->plen < 96 ||
	        memcmp(s->addr, mapped, sizeof mapped) != 0)
		return;
	s->kind = REP_KIND_IP4;
	s->plen -= 96;
	memmove(s->addr, s->addr + 12, 4);
	memset(s->addr + 4, 0, 12);
}

/* ip_hostbits - is any bit past plen set? */
static int ip_hostbits(const uint8_t *addr, unsigned maxlen, unsigned plen)
{
	uint8_t masked[16];

	memcpy(masked, addr, maxlen / 8);
	rep_ip_mask(masked, maxlen, plen);
	return memcmp(masked, addr, maxlen / 8) != 0;
}

/* ip_parse - an address or prefix, v4 or v6, into canonical form */
static int ip_parse(const char *text, struct rep_subject *out)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	int v6 = memchr(text, ':', n) != NULL;
	struct rep_subject s;
	unsigned plen;
	int err;

	if (n >= sizeof buf)
		return REP_E_SYNTAX;
	memcpy(buf, text, n);
	buf[n] = '\0';
	memset(&s, 0, sizeof s);
	s.kind = v6 ? REP_KIND_IP6 : REP_KIND_IP4;
	plen = rep_ip_maxlen(s.kind);
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, s.addr) != 1)
		return REP_E_SYNTAX;
	if (slash && (err = plen_parse(slash + 1, plen, &plen)) != 0)
		return err;
	if (ip_hostbits(s.addr, rep_ip_maxlen(s.kind), plen))
		return REP_E_HOSTBITS;
	s.plen = (uint8_t)plen;
	ip_unmap(&s);
	*out = s;
	return 0;
}

/* auth_parse - the name after "auth:"; it takes no scope marker */
static int auth_parse(const char *name, struct rep_subject *out)
{
	if (name[0] == '\0' || name[0] == '.' || name[0] == '*')
		return REP_E_SYNTAX;
	return name_subject(REP_KIND_AUTH, REP_SCOPE_EXACT, name, out);
}

/* domain_parse - a name with its optional scope marker */
static int domain_parse(const char *text, struct rep_subject *out)
{
	uint8_t scope = REP_SCOPE_EXACT;

	if (text[0] == '*' && text[1] == '.') {
		scope = REP_SCOPE_SUBS;
		text += 2;
	} else if (text[0] == '.') {
		scope = REP_SCOPE_TREE;
		text += 1;
	}
	if (text[0] == '\0')
		return REP_E_SYNTAX;
	return name_subject(REP_KIND_DOMAIN, scope, text, out);
}

/* rep_subject_parse - parse a subject's text form into canonical form */
int rep_subject_parse(const char *text, struct rep_subject *out)
{
	uint8_t probe[4];
	int err;

	if (text == NULL || out == NULL)
		return REP_E_INVAL;
	if ((err = text_check(text)) != 0)
		return err;
	if (strncmp(text, auth_prefix, AUTH_PREFIX_LEN) == 0)
		return auth_parse(text + AUTH_PREFIX_LEN, out);
	/* No name holds ':' or '/', and only an address passes inet_pton. */
	if (strpbrk(text, ":/") != NULL || inet_pton(AF_INET, text, probe) == 1)
		return ip_parse(text, out);
	return domain_parse(text, out);
}

/* rep_subject_ip - make an address subject from a sockaddr-style address;
 * built in place, since it runs for every connection and zeroing and
 * copying a 276-byte struct twice showed in profiles */
int rep_subject_ip(int family, const void *addr, struct rep_subject *out)
{
	if (addr == NULL || out == NULL ||
	        (family != AF_INET && family != AF_INET6))
		return REP_E_INVAL;
	memset(out, 0, sizeof *out);
	if (family == AF_INET) {
		out->kind = REP_KIND_IP4;
		memcpy(out->addr, addr, 4);
	} else {
		out->kind = REP_KIND_IP6;
		memcpy(out->addr, addr, 16);
	}
	out->plen = (uint8_t)rep_ip_maxlen(out->kind);
	ip_unmap(out);
	return 0;
}

/* rep_subject_domain - make a domain or authenticated-domain subject */
int rep_subject_domain(
        enum rep_kind kind, const char *name, struct rep_subject *out)
{
	int err;

	if (name == NULL || out == NULL ||
	        (kind != REP_KIND_DOMAIN && kind != REP_KIND_AUTH))
		return REP_E_INVAL;
	if ((err = text_check(name)) != 0)
		return err;
	/* A leading "." or "*." is an empty label or a bad byte here. */
	return name_subject((uint8_t)kind, REP_SCOPE_EXACT, name, out);
}

/* format_ip - "192.0.2.1", "192.0.2.0/24", "2001:db8::/32" */
static size_t format_ip(const struct rep_subject *s, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	unsigned max = rep_ip_maxlen(s->kind);
	int n;

	if (inet_ntop(max == 32 ? AF_INET : AF_INET6, s->addr, a, sizeof a) ==
	        NULL)
		return 0;
	/* A length past the maximum is shown, so it fails to parse again. */
	if (s->plen == max)
		n = snprintf(buf, len, "%s", a);
	else
		n = snprintf(buf, len, "%s/%u", a, (unsigned)s->plen);
	return n < 0 ? 0 : (size_t)n;
}

/* format_name - "example.com", ".example.com", "*.example.com",
 * "auth:example.com" */
static size_t format_name(const struct rep_subject *s, char *buf, size_t len)
{
	static const char *const scope[] = {"", ".", "*."};
	const char *pre;
	int n;

	if (s->kind == REP_KIND_AUTH)
		pre = auth_prefix;
	else if (s->scope <= REP_SCOPE_SUBS)
		pre = scope[s->scope];
	else
		return 0;
	n = snprintf(buf, len, "%s%.*s", pre,
	        (int)strnlen(s->name, sizeof s->name), s->name);
	return n < 0 ? 0 : (size_t)n;
}

/* rep_subject_format - write the canonical text form */
size_t rep_subject_format(const struct rep_subject *s, char *buf, size_t len)
{
	size_t n = 0;

	if (buf != NULL && len > 0)
		buf[0] = '\0';
	if (s == NULL || (buf == NULL && len > 0))
		return 0;
	switch (s->kind) {
	case REP_KIND_IP4:
	case REP_KIND_IP6:
		n = format_ip(s, buf, len);
		break;
	case REP_KIND_DOMAIN:
	case REP_KIND_AUTH:
		n = format_name(s, buf, len);
		break;
	}
	return n;
}

/* labels_reverse - reverse the order of labels: "www.example.com" with
 * '.' becomes "com" 01 "example" 01 "www", and back; out gets n bytes */
static void labels_reverse(const uint8_t *in, size_t n, uint8_t sep_in,
        uint8_t *out, uint8_t sep_out)
{
	size_t end = n, start, o = 0;

	for (;;) {
		for (start = end; start > 0 && in[start - 1] != sep_in; start--)
			;
		memcpy(out + o, in + start, end - start);
		o += end - start;
		if (start == 0)
			break;
		out[o++] = sep_out;
		end = start - 1;
	}
}

/* key_name - the key of a DOMAIN or AUTH subject */
static size_t key_name(
        const struct rep_subject *s, uint8_t tag, uint8_t *key, size_t len)
{
	const char *nul = memchr(s->name, '\0', sizeof s->name);
	size_t n = nul ? (size_t)(nul - s->name) : 0;
	unsigned maxscope =
	        tag == REP_KEY_AUTH ? REP_SCOPE_EXACT : REP_SCOPE_SUBS;

	if (n == 0 || len < n + 3 || s->scope > maxscope || s->plen != 0 ||
	        name_check(s->name, n) != 0)
		return 0;
	key[0] = tag;
	labels_reverse((const uint8_t *)s->name, n, '.', key + 1, 0x01);
	key[n + 1] = 0x00;
	key[n + 2] = s->scope;
	return n + 3;
}

/* rep_key_encode - the key of a canonical subject, or 0 */
size_t rep_key_encode(const struct rep_subject *s, uint8_t *key, size_t len)
{
	if (s == NULL || key == NULL)
		return 0;
	switch (s->kind) {
	case REP_KIND_IP4:
		if (len < 6 || !ip4_canonical(s))
			return 0;
		key[0] = REP_KEY_IP4;
		memcpy(key + 1, s->addr, 4);
		key[5] = s->plen;
		return 6;
	case REP_KIND_IP6:
		if (len < 18 || !ip6_canonical(s))
			return 0;
		key[0] = REP_KEY_IP6;
		memcpy(key + 1, s->addr, 16);
		key[17] = s->plen;
		return 18;
	case REP_KIND_DOMAIN:
		return key_name(s, REP_KEY_DOMAIN, key, len);
	case REP_KIND_AUTH:
		return key_name(s, REP_KEY_AUTH, key, len);
	}
	return 0;
}

/* decode_ip - the subject of an IPv4 or IPv6 key */
static int decode_ip(const uint8_t *key, size_t len, struct rep_subject *s)
{
	size_t alen = key[0] == REP_KEY_IP4 ? 4 : 16;

	if (len != alen + 2)
		return REP_E_CORRUPT;
	s->kind = alen == 4 ? REP_KIND_IP4 : REP_KIND_IP6;
	memcpy(s->addr, key + 1, alen);
	s->plen = key[alen + 1];
	if (alen == 4 ? !ip4_canonical(s) : !ip6_canonical(s))
		return REP_E_CORRUPT;
	return 0;
}

/* decode_name - the subject of a DOMAIN or AUTH key */
static int decode_name(const uint8_t *key, size_t len, struct rep_subject *s)
{
	unsigned maxscope =
	        key[0] == REP_KEY_AUTH ? REP_SCOPE_EXACT : REP_SCOPE_SUBS;
	size_t n;

	if (len < 4 || len - 3 > REP_NAME_MAX || key[len - 2] != 0x00 ||
	        key[len - 1] > maxscope)
		return REP_E_CORRUPT;
	n = len - 3;
	/* A '.' inside a label would make a different name. */
	if (memchr(key + 1, '.', n) != NULL)
		return REP_E_CORRUPT;
	labels_reverse(key + 1, n, 0x01, (uint8_t *)s->name, '.');
	s->name[n] = '\0';
	if (name_check(s->name, n) != 0)
		return REP_E_CORRUPT;
	s->kind = key[0] == REP_KEY_AUTH ? REP_KIND_AUTH : REP_KIND_DOMAIN;
	s->scope = key[len - 1];
	return 0;
}

/* rep_key_decode - the subject of a key; "xn--" labels are not decoded
 * again here, the key was checked when it was made */
int rep_key_decode(const uint8_t *key, size_t len, struct rep_subject *out)
{
	struct rep_subject s;
	int err;

	if (key == NULL || out == NULL)
		return REP_E_INVAL;
	if (len == 0)
		return REP_E_CORRUPT;
	memset(&s, 0, sizeof s);
	switch (key[0]) {
	case REP_KEY_IP4:
	case REP_KEY_IP6:
		err = decode_ip(key, len, &s);
		break;
	case REP_KEY_AUTH:
	case REP_KEY_DOMAIN:
		err = decode_name(key, len, &s);
		break;
	default:
		err = REP_E_CORRUPT;
	}
	if (err == 0)
		*out = s;
	return err;
}

/* rep_subject_cmp - order subjects as the store sorts them: by key, a
 * key before the longer keys it is a prefix of. A subject that has no key
 * (not canonical) sorts first, equal to any other such. */
int rep_subject_cmp(const struct rep_subject *a, const struct rep_subject *b)
{
	uint8_t ka[REP_KEY_MAX], kb[REP_KEY_MAX];
	size_t na = rep_key_encode(a, ka, sizeof ka);
	size_t nb = rep_key_encode(b, kb, sizeof kb);
	int c = memcmp(ka, kb, na < nb ? na : nb);

	if (c != 0)
		return c < 0 ? -1 : 1;
	return (na > nb) - (na < nb);
}

/* ip_covers - outer is a prefix holding all of inner */
static int ip_covers(
        const struct rep_subject *outer, const struct rep_subject *inner)
{
	unsigned max = rep_ip_maxlen(outer->kind);
	uint8_t a[16];

	if (outer->plen > inner->plen || inner->plen > max)
		return 0;
	memcpy(a, inner->addr, max / 8);
	rep_ip_mask(a, max, outer->plen);
	return memcmp(a, outer->addr, max / 8) == 0;
}

/* name_below - is `inner` strictly below `outer` ("a.b.c" below "b.c")? */
static int name_below(
        const char *inner, size_t ni, const char *outer, size_t no)
{
	return ni > no + 1 && inner[ni - no - 1] == '.' &&
	       memcmp(inner + ni - no, outer, no) == 0;
}

/* domain_covers - set inclusion of the names each scope stands for */
static int domain_covers(
        const struct rep_subject *outer, const struct rep_subject *inner)
{
	size_t no = strnlen(outer->name, sizeof outer->name);
	size_t ni = strnlen(inner->name, sizeof inner->name);
	int same = no == ni && memcmp(outer->name, inner->name, no) == 0;

	switch (outer->scope) {
	case REP_SCOPE_EXACT:
		return same && inner->scope == REP_SCOPE_EXACT;
	case REP_SCOPE_TREE:
		return same || name_below(inner->name, ni, outer->name, no);
	case REP_SCOPE_SUBS:
		/* "*.x" holds "*.x" but neither "x" nor ".x" (it holds x). */
		return (same && inner->scope == REP_SCOPE_SUBS) ||
		       name_below(inner->name, ni, outer->name, no);
	}
	return 0;
}

/* rep_subject_covers - does subject `outer` cover subject `inner`? Every
 * valid subject covers itself. */
int rep_subject_covers(
        const struct rep_subject *outer, const struct rep_subject *inner)
{
	if (outer == NULL || inner == NULL || outer->kind != inner->kind)
		return 0;
	switch (outer->kind) {
	case REP_KIND_IP4:
	case REP_KIND_IP6:
		return ip_covers(outer, inner);
	case REP_KIND_DOMAIN:
		return domain_covers(outer, inner);
	case REP_KIND_AUTH:
		return strncmp(outer->name, inner->name, sizeof outer->name) ==
		       0;
	}
	return 0;
}
