/* spf_zone.c - zone data as a fake DNS backend for the SPF check */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "spf_zone.h"

#define MAX_RECORDS 256

enum rtype {
	R_A,
	R_AAAA,
	R_MX,
	R_PTR,
	R_TXT,
	R_SPF,
	R_CNAME,
	R_TIMEOUT,
	R_PENDING,
};

/* One zone record; `data` is decoded bytes (NUL-terminated, len kept). */
struct zrec {
	char *name;
	enum rtype type;
	char *data;
	size_t len;
	int none; /* TXT/SPF: NONE */
};

struct spf_zone {
	unsigned n, queries;
	struct zrec rec[MAX_RECORDS];
};

/* The fake backend's session: the answer of the last query. */
struct session {
	struct spf_zone *z;
	struct dns_answer ans;
	struct dns_rr rr[64];
};

/* strip_dot - names and targets without their trailing dot */
static char *strip_dot(char *s)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '.')
		s[n - 1] = '\0';
	return s;
}

/* has_type - does `name` list a record of type t (NONE counts only when
 * `with_none`) */
static int has_type(
        const struct spf_zone *z, const char *name, enum rtype t, int with_none)
{
	for (unsigned i = 0; i < z->n; i++)
		if (z->rec[i].type == t &&
		        strcasecmp(z->rec[i].name, name) == 0 &&
		        (with_none || !z->rec[i].none))
			return 1;
	return 0;
}

/* wanted - does record r answer a query of type `q` (rules 1 and 2: SPF
 * records are TXT unless the name lists a TXT record, even NONE) */
static int wanted(
        const struct spf_zone *z, const struct zrec *r, enum dns_type q)
{
	if (r->none)
		return 0;
	switch (q) {
	case DNS_T_A:
		return r->type == R_A;
	case DNS_T_AAAA:
		return r->type == R_AAAA;
	case DNS_T_MX:
		return r->type == R_MX;
	case DNS_T_PTR:
		return r->type == R_PTR;
	case DNS_T_TXT:
		return r->type == R_TXT ||
		       (r->type == R_SPF && !has_type(z, r->name, R_TXT, 1));
	}
	return 0;
}

/* put_rr - one record into the answer */
static int put_rr(struct dns_rr *rr, const struct zrec *r, enum dns_type q)
{
	char *sp;

	memset(rr, 0, sizeof(*rr));
	rr->ttl = 3600;
	switch (q) {
	case DNS_T_A:
		return inet_pton(AF_INET, r->data, &rr->u.a) == 1 ? 0 : -1;
	case DNS_T_AAAA:
		return inet_pton(AF_INET6, r->data, &rr->u.aaaa) == 1 ? 0 : -1;
	case DNS_T_MX:
		rr->u.mx.preference = (uint16_t)strtoul(r->data, &sp, 10);
		rr->u.mx.host = *sp == ' ' ? sp + 1 : sp;
		return 0;
	case DNS_T_PTR:
		rr->u.ptr = r->data;
		return 0;
	default:
		rr->u.txt.data = r->data;
		rr->u.txt.len = r->len;
		return 0;
	}
}

/* answer_of - rules 4 and 6: TIMEOUT fails the types the name does not
 * list; a CNAME answers with its target's records (one level) */
static void answer_of(
        struct session *s, const char *name, enum dns_type q, int depth)
{
	const struct spf_zone *z = s->z;
	int exists = 0, timeout = 0, pending = 0;

	for (unsigned i = 0; i < z->n; i++) {
		const struct zrec *r = &z->rec[i];

		if (strcasecmp(r->name, name) != 0)
			continue;
		exists = 1;
		timeout |= r->type == R_TIMEOUT;
		pending |= r->type == R_PENDING;
		if (r->type == R_CNAME && depth == 0) {
			answer_of(s, r->data, q, 1);
			return;
		}
		if (wanted(z, r, q) && s->ans.nrr < 64 &&
		        put_rr(&s->rr[s->ans.nrr], r, q) == 0)
			s->ans.nrr++;
	}
	if (pending)
		s->ans.status = DNS_PENDING;
	else if (s->ans.nrr > 0)
		s->ans.status = DNS_ANSWER;
	else if (timeout)
		s->ans.status = DNS_TIMEOUT;
	else
		s->ans.status = exists ? DNS_NODATA : DNS_NXDOMAIN;
}

/* fake_open, fake_query, fake_close - the zone as an spf_dns backend */
static void *fake_open(void *impl)
{
	struct session *s = calloc(1, sizeof(*s));

	if (s != NULL)
		s->z = impl;
	return s;
}

static const struct dns_answer *fake_query(void *session, const char *name,
        enum dns_type type, int64_t deadline_ms)
{
	struct session *s = session;

	(void)deadline_ms;
	s->z->queries++;
	memset(&s->ans, 0, sizeof(s->ans));
	s->ans.type = type;
	s->ans.rr = s->rr;
	answer_of(s, name, type, 0);
	return &s->ans;
}

static void fake_close(void *session)
{
	free(session);
}

const struct spf_dns_ops spf_zone_ops = {fake_open, fake_query, fake_close};

/* type_of - a record type name */
static int type_of(const char *t, enum rtype *out)
{
	static const char *const names[] = {"A", "AAAA", "MX", "PTR", "TXT",
	        "SPF", "CNAME", "TIMEOUT", "PENDING"};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(t, names[i]) == 0) {
			*out = (enum rtype)i;
			return 0;
		}
	return -1;
}

/* spf_zone_new - calloc */
struct spf_zone *spf_zone_new(void)
{
	return calloc(1, sizeof(struct spf_zone));
}

/* spf_zone_add - copy one record in; targets lose their trailing dot */
int spf_zone_add(struct spf_zone *z, const char *name, const char *type,
        const char *data, size_t len)
{
	struct zrec *r = &z->rec[z->n];

	if (z->n == MAX_RECORDS || type_of(type, &r->type) != 0)
		return -1;
	r->name = strdup(name);
	r->data = malloc(len + 1);
	if (r->name == NULL || r->data == NULL) {
		free(r->name);
		free(r->data);
		return -1;
	}
	memcpy(r->data, data, len);
	r->data[len] = '\0';
	r->len = len;
	strip_dot(r->name);
	r->none = (r->type == R_TXT || r->type == R_SPF) &&
	          strcmp(r->data, "NONE") == 0;
	if (r->type == R_PTR || r->type == R_CNAME || r->type == R_MX)
		strip_dot(r->data);
	z->n++;
	return 0;
}

/* spf_zone_clear - a fresh zone per scenario (rule 5) */
void spf_zone_clear(struct spf_zone *z)
{
	for (unsigned i = 0; i < z->n; i++) {
		free(z->rec[i].name);
		free(z->rec[i].data);
	}
	z->n = 0;
	z->queries = 0;
}

/* spf_zone_queries - for tests that count */
unsigned spf_zone_queries(const struct spf_zone *z)
{
	return z->queries;
}

/* spf_zone_free - records, then the zone */
void spf_zone_free(struct spf_zone *z)
{
	if (z == NULL)
		return;
	spf_zone_clear(z);
	free(z);
}
