/*
 * dns_wire.c - the DNS reply parser (dns_wire.h, internal to the DNS
 * module): a raw reply in, a struct dns_answer out.
 *
 * Every offset is checked against the reply's length before it is read,
 * and what a reply can make us keep is capped (records, string octets,
 * CNAME hops, compression pointers), so a hostile reply costs bounded
 * time and memory. No <ares.h> here: c-ares hands dns.c the raw reply
 * and dns.c hands it to us.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_wire.h"

#define DNS_TEXT_MAX 1024 /* a wire name in presentation form */
#define DNS_HOPS_MAX 8    /* CNAMEs followed in one answer */
#define DNS_JUMPS_MAX 64  /* compression pointers in one name */

/* Wire values of what we meet besides the query types. */
#define WIRE_CNAME 5
#define WIRE_SOA 6
#define WIRE_DNAME 39
#define WIRE_RRSIG 46
#define WIRE_QR 0x8000
#define WIRE_NOERROR 0
#define WIRE_SERVFAIL 2
#define WIRE_NXDOMAIN 3
#define WIRE_REFUSED 5

/* The resolver thread's scratch for decoding one reply. */
struct dns_wire_build {
	unsigned n;
	uint32_t ttl; /* smallest TTL of the kept records and CNAMEs */
	size_t used;
	struct dns_rr rr[DNS_WIRE_RR_MAX];
	size_t soff[DNS_WIRE_RR_MAX]; /* where each record's string starts */
	char buf[DNS_WIRE_BYTES_MAX];
	char txt[65536]; /* one TXT record's strings, concatenated */
};

/* A reply being read. */
struct wire {
	const unsigned char *p;
	size_t len;
	size_t off; /* never beyond len */
};

/* One record's header; rdata is where its data starts in the reply. */
struct rrhead {
	char owner[DNS_TEXT_MAX];
	uint16_t type, cls, rdlen;
	uint32_t ttl;
	size_t rdata;
};

/* name_eq - case-insensitive equality of two names in presentation form */
static int name_eq(const char *a, const char *b)
{
	while (*a != '\0' && dns_wire_lower(*a) == dns_wire_lower(*b)) {
		a++;
		b++;
	}
	return *a == *b;
}

/* rr_str - where a record of type t keeps its string; NULL for none */
static char **rr_str(struct dns_rr *rr, enum dns_type t)
{
	switch (t) {
	case DNS_T_TXT:
		return &rr->u.txt.data;
	case DNS_T_MX:
		return &rr->u.mx.host;
	case DNS_T_PTR:
		return &rr->u.ptr;
	default:
		return NULL;
	}
}

/* answer_bytes - size of the one block holding records and strings */
static size_t answer_bytes(const struct dns_answer *a)
{
	size_t n = a->nrr * sizeof(struct dns_rr);
	unsigned i;

	for (i = 0; i < a->nrr; i++) {
		char **s = rr_str(&a->rr[i], a->type);

		if (s != NULL && a->type == DNS_T_TXT)
			n += a->rr[i].u.txt.len + 1;
		else if (s != NULL)
			n += strlen(*s) + 1;
	}
	return n;
}

/* dns_wire_answer_free - release an answer's records (a may be reused) */
void dns_wire_answer_free(struct dns_answer *a)
{
	free(a->rr);
	a->rr = NULL;
	a->nrr = 0;
}

/* dns_wire_answer_copy - a deep copy; on failure dst is zeroed (pending)
 * and -1 */
int dns_wire_answer_copy(struct dns_answer *dst, const struct dns_answer *src)
{
	size_t size = answer_bytes(src);
	char *blk;
	unsigned i;

	*dst = *src;
	dst->rr = NULL;
	if (src->nrr == 0)
		return 0;
	blk = malloc(size);
	if (blk == NULL) {
		memset(dst, 0, sizeof *dst);
		return -1;
	}
	memcpy(blk, src->rr, size);
	dst->rr = (struct dns_rr *)(void *)blk;
	for (i = 0; i < dst->nrr; i++) {
		char **s = rr_str(&dst->rr[i], dst->type);

		if (s != NULL) /* rebase from src's block onto ours */
			*s = blk + (*s - (char *)src->rr);
	}
	return 0;
}

/* wire_u16 - read a 16-bit value; -1 past the end */
static int wire_u16(struct wire *w, uint16_t *v)
{
	if (w->len - w->off < 2)
		return -1;
	*v = (uint16_t)(w->p[w->off] << 8 | w->p[w->off + 1]);
	w->off += 2;
	return 0;
}

/* wire_u32 - read a 32-bit value; -1 past the end */
static int wire_u32(struct wire *w, uint32_t *v)
{
	uint16_t hi, lo;

	if (wire_u16(w, &hi) < 0 || wire_u16(w, &lo) < 0)
		return -1;
	*v = (uint32_t)hi << 16 | lo;
	return 0;
}

/* text_put - append one label octet, escaped as in RFC 1035 5.1, so that
 * a hostile name cannot smuggle a dot or a NUL into what callers see */
static int text_put(char *out, size_t *o, unsigned char c)
{
	if (*o + 5 > DNS_TEXT_MAX)
		return -1;
	if (c == '.' || c == '\\') {
		out[(*o)++] = '\\';
		out[(*o)++] = (char)c;
	} else if (c <= ' ' || c >= 0x7f) {
		out[(*o)++] = '\\';
		out[(*o)++] = (char)('0' + c / 100);
		out[(*o)++] = (char)('0' + c / 10 % 10);
		out[(*o)++] = (char)('0' + c % 10);
	} else {
		out[(*o)++] = (char)c;
	}
	return 0;
}

/* wire_name - expand the possibly compressed name at the read position
 * into out (DNS_TEXT_MAX); pointer loops and overlong names give -1 */
static int wire_name(struct wire *w, char *out)
{
	size_t pos = w->off, o = 0, wirelen = 1, resume = 0, i;
	unsigned jumps = 0, c;

	for (;;) {
		if (pos >= w->len)
			return -1;
		c = w->p[pos];
		if (c >= 0xc0) {
			if (w->len - pos < 2 || ++jumps > DNS_JUMPS_MAX)
				return -1;
			resume = resume ? resume : pos + 2;
			pos = (size_t)(c & 0x3f) << 8 | w->p[pos + 1];
			continue;
		}
		if (c >= 0x40) /* extended label types: obsolete */
			return -1;
		if (c == 0)
			break;
		wirelen += c + 1;
		if (wirelen > 255 || w->len - pos - 1 < c)
			return -1;
		if (o > 0)
			out[o++] = '.';
		for (i = 1; i <= c; i++)
			if (text_put(out, &o, w->p[pos + i]) < 0)
				return -1;
		pos += c + 1;
	}
	out[o] = '\0';
	w->off = resume ? resume : pos + 1;
	return 0;
}

/* wire_rr - read one record's header and step over its data */
static int wire_rr(struct wire *w, struct rrhead *h)
{
	if (wire_name(w, h->owner) < 0 || wire_u16(w, &h->type) < 0 ||
	        wire_u16(w, &h->cls) < 0 || wire_u32(w, &h->ttl) < 0 ||
	        wire_u16(w, &h->rdlen) < 0 || w->len - w->off < h->rdlen)
		return -1;
	if (h->ttl > INT32_MAX) /* RFC 2181 8 */
		h->ttl = 0;
	h->rdata = w->off;
	w->off += h->rdlen;
	return 0;
}

/* rdata_name - the name at offset `at` of a record's data, which must end
 * exactly where the data ends */
static int rdata_name(
        const struct wire *w, const struct rrhead *h, size_t at, char *out)
{
	struct wire rd = {w->p, w->len, at};

	if (at > h->rdata + h->rdlen || wire_name(&rd, out) < 0)
		return -1;
	return rd.off == h->rdata + h->rdlen ? 0 : -1;
}

/* build_push - keep a record unless a cap is reached; past a cap records
 * are dropped quietly, so a hostile reply costs bounded memory */
static void build_push(struct dns_wire_build *bd, const struct dns_rr *rr,
        const char *s, size_t len)
{
	if (bd->n == DNS_WIRE_RR_MAX)
		return;
	if (s != NULL) {
		if (len >= sizeof bd->buf - bd->used)
			return;
		memcpy(bd->buf + bd->used, s, len);
		bd->buf[bd->used + len] = '\0';
		bd->soff[bd->n] = bd->used;
		bd->used += len + 1;
	}
	bd->rr[bd->n++] = *rr;
	if (rr->ttl < bd->ttl)
		bd->ttl = rr->ttl;
}

/* txt_extract - one TXT record: its character-strings concatenated */
static int txt_extract(struct dns_wire_build *bd, const struct wire *w,
        const struct rrhead *h, struct dns_rr *rr)
{
	size_t pos = h->rdata, end = h->rdata + h->rdlen, len = 0, n;

	if (h->rdlen == 0) /* RFC 1035 3.3.14: one or more strings */
		return -1;
	while (pos < end) {
		n = w->p[pos];
		if (n > end - pos - 1)
			return -1;
		memcpy(bd->txt + len, w->p + pos + 1, n);
		len += n;
		pos += n + 1;
	}
	rr->u.txt.len = len;
	build_push(bd, rr, bd->txt, len);
	return 0;
}

/* rr_extract - decode one record of the asked type into the builder */
static int rr_extract(struct dns_wire_build *bd, const struct wire *w,
        const struct rrhead *h, enum dns_type t)
{
	char host[DNS_TEXT_MAX];
	struct dns_rr rr;
	size_t at = h->rdata;

	memset(&rr, 0, sizeof rr);
	rr.ttl = h->ttl;
	if (t == DNS_T_TXT)
		return txt_extract(bd, w, h, &rr);
	if (t == DNS_T_A || t == DNS_T_AAAA) {
		if (h->rdlen != (t == DNS_T_A ? 4 : 16))
			return -1;
		memcpy(t == DNS_T_A ? (void *)&rr.u.a : (void *)&rr.u.aaaa,
		        w->p + h->rdata, h->rdlen);
		build_push(bd, &rr, NULL, 0);
		return 0;
	}
	if (t == DNS_T_MX) {
		if (h->rdlen < 2)
			return -1;
		rr.u.mx.preference = (uint16_t)(w->p[at] << 8 | w->p[at + 1]);
		at += 2;
	}
	if (rdata_name(w, h, at, host) < 0)
		return -1;
	build_push(bd, &rr, host, strlen(host));
	return 0;
}

/* answer_walk - follow CNAMEs from the question and keep the records of
 * the asked type; a record that belongs to no name of the chain, or of
 * another type, is hostile or broken and spoils the whole reply */
static enum dns_status answer_walk(struct dns_wire_build *bd, struct wire *w,
        unsigned an, char *cur, enum dns_type t)
{
	struct rrhead h;
	unsigned i, hops = 0;

	for (i = 0; i < an; i++) {
		if (wire_rr(w, &h) < 0 || h.cls != DNS_WIRE_IN)
			return DNS_EBADANSWER;
		/* the CNAME synthesised beside a DNAME is what we follow; we
		 * ask for no DNSSEC, yet a signature is harmless */
		if (h.type == WIRE_DNAME || h.type == WIRE_RRSIG)
			continue;
		if (!name_eq(h.owner, cur))
			return DNS_EBADANSWER;
		if (h.type == WIRE_CNAME) {
			if (++hops > DNS_HOPS_MAX ||
			        rdata_name(w, &h, h.rdata, cur) < 0)
				return DNS_EBADANSWER;
			bd->ttl = h.ttl < bd->ttl ? h.ttl : bd->ttl;
			continue;
		}
		if (h.type != t || rr_extract(bd, w, &h, t) < 0)
			return DNS_EBADANSWER;
	}
	return bd->n > 0 ? DNS_ANSWER : DNS_NODATA;
}

/* authority_soa - the negative TTL (RFC 2308 5: the smaller of the SOA's
 * TTL and its MINIMUM); 0 without a SOA; -1 if the section is malformed */
static int authority_soa(struct wire *w, unsigned ns, uint32_t *ttl)
{
	struct rrhead h;
	char skip[DNS_TEXT_MAX];
	struct wire rd;
	uint32_t min;
	unsigned i;
	int found = 0;

	*ttl = 0;
	for (i = 0; i < ns; i++) {
		if (wire_rr(w, &h) < 0)
			return -1;
		if (h.type != WIRE_SOA || found)
			continue;
		found = 1;
		rd = (struct wire){w->p, w->len, h.rdata};
		if (wire_name(&rd, skip) < 0 || wire_name(&rd, skip) < 0 ||
		        rd.off + 20 != h.rdata + h.rdlen)
			return -1;
		rd.off += 16; /* serial, refresh, retry, expire */
		if (wire_u32(&rd, &min) < 0)
			return -1;
		*ttl = h.ttl < min ? h.ttl : min;
	}
	return 0;
}

/* reply_parse - classify a reply and decode its records into bd */
static enum dns_status reply_parse(struct dns_wire_build *bd,
        const unsigned char *msg, size_t len, const char *qname,
        enum dns_type t)
{
	struct wire w = {msg, len, 0};
	uint16_t hdr[6], qtype, qclass, rcode;
	char cur[DNS_TEXT_MAX];
	enum dns_status st;
	int i;

	for (i = 0; i < 6; i++)
		if (wire_u16(&w, &hdr[i]) < 0)
			return DNS_EBADANSWER;
	if (!(hdr[1] & WIRE_QR) || hdr[2] != 1 || wire_name(&w, cur) < 0 ||
	        wire_u16(&w, &qtype) < 0 || wire_u16(&w, &qclass) < 0 ||
	        qtype != t || qclass != DNS_WIRE_IN || !name_eq(cur, qname))
		return DNS_EBADANSWER;
	rcode = hdr[1] & 0xf;
	if (rcode == WIRE_SERVFAIL || rcode == WIRE_REFUSED)
		return DNS_SERVFAIL;
	if (rcode != WIRE_NOERROR && rcode != WIRE_NXDOMAIN)
		return DNS_ERROR;
	st = answer_walk(bd, &w, hdr[3], cur, t);
	if (st == DNS_ANSWER && rcode == WIRE_NXDOMAIN)
		return DNS_EBADANSWER;
	if (st != DNS_NODATA)
		return st;
	if (authority_soa(&w, hdr[4], &bd->ttl) < 0)
		return DNS_EBADANSWER;
	return rcode == WIRE_NXDOMAIN ? DNS_NXDOMAIN : DNS_NODATA;
}

/* build_answer - pack the kept records and their strings into one block,
 * which dns_wire_answer_copy and dns_wire_answer_free treat as a unit */
static int build_answer(const struct dns_wire_build *bd, struct dns_answer *a)
{
	size_t rrsz = bd->n * sizeof(struct dns_rr);
	char *blk = malloc(rrsz + bd->used);
	unsigned i;

	if (blk == NULL)
		return -1;
	memcpy(blk, bd->rr, rrsz);
	memcpy(blk + rrsz, bd->buf, bd->used);
	a->rr = (struct dns_rr *)(void *)blk;
	a->nrr = bd->n;
	for (i = 0; i < bd->n; i++) {
		char **s = rr_str(&a->rr[i], a->type);

		if (s != NULL)
			*s = blk + rrsz + bd->soff[i];
	}
	return 0;
}

/* dns_wire_decode - classify a reply, then pack what it carries */
void dns_wire_decode(struct dns_wire_build *bd, const unsigned char *msg,
        size_t len, const char *qname, enum dns_type t, struct dns_answer *a)
{
	memset(a, 0, sizeof *a);
	a->type = t;
	bd->n = 0;
	bd->used = 0;
	bd->ttl = UINT32_MAX;
	a->status = reply_parse(bd, msg, len, qname, t);
	if (a->status == DNS_ANSWER && build_answer(bd, a) < 0)
		a->status = DNS_ERROR;
	if (a->status == DNS_ANSWER || a->status == DNS_NXDOMAIN ||
	        a->status == DNS_NODATA)
		a->ttl = bd->ttl;
}

/* dns_wire_build_new - uninitialised: dns_wire_decode resets what it uses */
struct dns_wire_build *dns_wire_build_new(void)
{
	return malloc(sizeof(struct dns_wire_build));
}

/* dns_wire_build_free - free; NULL is a no-op */
void dns_wire_build_free(struct dns_wire_build *bd)
{
	free(bd);
}
