/*
 * trust.c - the trust rules a partner's records pass, and the quarantine
 * heuristics; see trust.h.
 *
 * Everything trust_check consults is prepared when the rules are set up:
 * address sets (bogons, never-list, sentinels) are sorted arrays of
 * disjoint ranges, so that "does this prefix overlap the set" is one
 * binary search; name sets are hash tables of the names and of every
 * name above them, so that "does this name overlap the set" is one
 * probe per label.
 */
#include "config.h"

#include <libpsl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust.h"

/* A 128-bit address (IPv4 in the low 32 bits) and a range of them. */
struct u128 {
	uint64_t hi, lo;
};

struct range {
	struct u128 lo, hi;
};

/* Sorted ranges, pairwise disjoint: v[i].hi < v[i + 1].lo. */
struct ipset {
	struct range *v;
	size_t n, cap;
};

#define SCOPE_BIT(s) (1u << (s))

/* A name of a name set and the scopes it has there. */
struct name_entry {
	char *name;
	uint64_t hash;   /* name_hash */
	unsigned scopes; /* SCOPE_BIT(enum rep_scope) */
};

/* Names in insertion order, and an open-addressing table of them. */
struct nametab {
	struct name_entry *v;
	size_t n, cap;
	uint32_t *slot; /* index + 1 into v; 0: empty; a power of two */
	size_t nslot;
};

struct nameset {
	struct nametab names; /* the set's names */
	struct nametab above; /* every proper parent of them */
};

/* Subjects of every kind, ready for overlap queries. */
struct subjset {
	struct ipset v4, v6;
	struct nameset dn; /* domains and authenticated names alike */
	size_t count;
};

struct trust {
	unsigned categories;
	unsigned max4, max6;
	psl_ctx_t *psl;
	struct subjset bogon, never, sentinel;
};

/* One record's subject as the sets look at it. */
struct query {
	int ip;           /* 4, 6, or 0 for a name */
	struct range r;   /* ip: the addresses it covers */
	const char *name; /* name: canonical, lower case */
	unsigned scope;   /* name: enum rep_scope (auth: exact) */
};

/* trust_strerror - a static text for a TRUST_E_* code */
const char *trust_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case TRUST_E_INVAL:
		return "invalid argument";
	case TRUST_E_NOMEM:
		return "out of memory";
	case TRUST_E_PSL:
		return "no public suffix list could be loaded";
	case TRUST_E_LIMIT:
		return "too many never-list or sentinel entries";
	}
	return "unknown trust error";
}

/* trust_verdict_name - the audit log's key for a verdict */
const char *trust_verdict_name(int v)
{
	static const char *const names[TRUST_VERDICTS] = {
	        [TRUST_OK] = "ok",
	        [TRUST_DROP_CATEGORY] = "category",
	        [TRUST_DROP_PREFIX] = "prefix",
	        [TRUST_DROP_BOGON] = "bogon",
	        [TRUST_DROP_SUFFIX] = "suffix",
	        [TRUST_DROP_NEVER] = "never",
	        [TRUST_SENTINEL] = "sentinel",
	};

	if (v < 0 || v >= TRUST_VERDICTS)
		return "unknown";
	return names[v];
}

/*
 * ADDRESS SETS
 */

/* u128_lt - a < b */
static int u128_lt(struct u128 a, struct u128 b)
{
	return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

/* be64 - eight bytes in network order */
static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* host64 - the host bits of a 64-bit half that keeps `bits` (0-64) */
static uint64_t host64(unsigned bits)
{
	return bits >= 64 ? 0 : bits == 0 ? UINT64_MAX : UINT64_MAX >> bits;
}

/* subject_range - the addresses of an IP subject; -1 if it is none */
static int subject_range(const struct rep_subject *s, struct query *q)
{
	uint32_t a, h4;
	uint64_t h;

	memset(q, 0, sizeof(*q));
	if (s->kind == REP_KIND_IP4 && s->plen <= 32) {
		h4 = s->plen >= 32 ? 0 : 0xffffffffu >> s->plen;
		a = (uint32_t)s->addr[0] << 24 | (uint32_t)s->addr[1] << 16 |
		    (uint32_t)s->addr[2] << 8 | s->addr[3];
		q->ip = 4;
		q->r.lo.lo = a & ~h4;
		q->r.hi.lo = a | h4;
		return 0;
	}
	if (s->kind != REP_KIND_IP6 || s->plen > 128)
		return -1;
	q->ip = 6;
	h = host64(s->plen);
	q->r.lo.hi = be64(s->addr) & ~h;
	q->r.hi.hi = q->r.lo.hi | h;
	h = host64(s->plen > 64 ? s->plen - 64 : 0);
	q->r.lo.lo = be64(s->addr + 8) & ~h;
	q->r.hi.lo = q->r.lo.lo | h;
	return 0;
}

/* ipset_find - the first range that does not end before `a` */
static size_t ipset_find(const struct ipset *s, struct u128 a)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (u128_lt(s->v[mid].hi, a))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ipset_hit - does any range of the set overlap r? */
static int ipset_hit(const struct ipset *s, const struct range *r)
{
	size_t i = ipset_find(s, r->lo);

	return i < s->n && !u128_lt(r->hi, s->v[i].lo);
}

/* ipset_add - add a range, merging the ranges it overlaps */
static int ipset_add(struct ipset *s, struct range r)
{
	size_t i = ipset_find(s, r.lo), j = i;
	struct range *v;

	while (j < s->n && !u128_lt(r.hi, s->v[j].lo)) {
		if (u128_lt(s->v[j].lo, r.lo))
			r.lo = s->v[j].lo;
		if (u128_lt(r.hi, s->v[j].hi))
			r.hi = s->v[j].hi;
		j++;
	}
	if (j == i) {
		if (s->n == s->cap) {
			v = realloc(
			        s->v, (s->cap ? 2 * s->cap : 16) * sizeof(*v));
			if (v == NULL)
				return TRUST_E_NOMEM;
			s->v = v;
			s->cap = s->cap ? 2 * s->cap : 16;
		}
		memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof(*s->v));
		s->n++;
	} else {
		memmove(s->v + i + 1, s->v + j, (s->n - j) * sizeof(*s->v));
		s->n -= j - i - 1;
	}
	s->v[i] = r;
	return 0;
}

/*
 * NAME SETS
 * Hash tables keyed by a hash of the name read backwards (FNV-1a from
 * its last byte), so that one pass over a record's name from its end
 * gives the hash of every parent on the way: each label costs one probe.
 */
#define FNV_BASIS 14695981039346656037ull
#define FNV_PRIME 1099511628211ull

/* back_hash - step the backwards hash over one more byte */
static uint64_t back_hash(uint64_t h, unsigned char c)
{
	return (h ^ c) * FNV_PRIME;
}

/* name_hash - the backwards hash of a whole name */
static uint64_t name_hash(const char *name)
{
	size_t i = strlen(name);
	uint64_t h = FNV_BASIS;

	while (i > 0)
		h = back_hash(h, (unsigned char)name[--i]);
	return h;
}

/* nametab_find - the entry of exactly this name, or NULL */
static struct name_entry *nametab_find(
        const struct nametab *tab, const char *name, uint64_t h)
{
	size_t mask = tab->nslot - 1, i;
	struct name_entry *e;

	if (tab->n == 0)
		return NULL;
	for (i = h & mask; tab->slot[i] != 0; i = (i + 1) & mask) {
		e = &tab->v[tab->slot[i] - 1];
		if (e->hash == h && strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

/* nametab_rehash - slots for twice as many entries as there may be */
static int nametab_rehash(struct nametab *tab, size_t want)
{
	size_t nslot = 16, i, j;
	uint32_t *slot;

	while (nslot < 2 * want)
		nslot *= 2;
	if (nslot <= tab->nslot)
		return 0;
	if ((slot = calloc(nslot, sizeof(*slot))) == NULL)
		return TRUST_E_NOMEM;
	for (i = 0; i < tab->n; i++) {
		for (j = tab->v[i].hash & (nslot - 1); slot[j] != 0;
		        j = (j + 1) & (nslot - 1))
			;
		slot[j] = (uint32_t)i + 1;
	}
	free(tab->slot);
	tab->slot = slot;
	tab->nslot = nslot;
	return 0;
}

/* nametab_add - the entry of a name, made (without scopes) if new */
static struct name_entry *nametab_add(struct nametab *tab, const char *name)
{
	uint64_t h = name_hash(name);
	struct name_entry *e = nametab_find(tab, name, h), *v;
	size_t i;

	if (e != NULL)
		return e;
	if (nametab_rehash(tab, tab->n + 1) != 0)
		return NULL;
	if (tab->n == tab->cap) {
		i = tab->cap ? 2 * tab->cap : 16;
		if ((v = realloc(tab->v, i * sizeof(*v))) == NULL)
			return NULL;
		tab->v = v;
		tab->cap = i;
	}
	e = &tab->v[tab->n];
	if ((e->name = strdup(name)) == NULL)
		return NULL;
	e->hash = h;
	e->scopes = 0;
	for (i = h & (tab->nslot - 1); tab->slot[i] != 0;
	        i = (i + 1) & (tab->nslot - 1))
		;
	tab->slot[i] = (uint32_t)++tab->n;
	return e;
}

/* nametab_truncate - forget the entries from the n-th on (undo) */
static void nametab_truncate(struct nametab *tab, size_t n)
{
	size_t i, j, mask = tab->nslot - 1;

	if (n >= tab->n)
		return;
	for (i = n; i < tab->n; i++)
		free(tab->v[i].name);
	tab->n = n;
	memset(tab->slot, 0, tab->nslot * sizeof(*tab->slot));
	for (i = 0; i < n; i++) {
		for (j = tab->v[i].hash & mask; tab->slot[j] != 0;
		        j = (j + 1) & mask)
			;
		tab->slot[j] = (uint32_t)i + 1;
	}
}

/* nametab_free - free the names and the table */
static void nametab_free(struct nametab *tab)
{
	size_t i;

	for (i = 0; i < tab->n; i++)
		free(tab->v[i].name);
	free(tab->v);
	free(tab->slot);
}

/* names_add - add a name with its scope, and every parent of it; on
 * failure what this call added is taken back (entries are appended, so
 * the tables are cut back to their old length) */
static int names_add(struct nameset *ns, const char *name, unsigned scope)
{
	size_t nabove = ns->above.n, nnames = ns->names.n;
	struct name_entry *e;
	const char *p;

	for (p = strchr(name, '.'); p != NULL; p = strchr(p + 1, '.'))
		if (nametab_add(&ns->above, p + 1) == NULL)
			goto fail;
	if ((e = nametab_add(&ns->names, name)) == NULL)
		goto fail;
	e->scopes |= SCOPE_BIT(scope);
	return 0;
fail:
	nametab_truncate(&ns->above, nabove);
	nametab_truncate(&ns->names, nnames);
	return TRUST_E_NOMEM;
}

/* same_name_overlap - two subjects of one name overlap unless one is the
 * name alone and the other its subdomains alone */
static int same_name_overlap(unsigned scopes, unsigned scope)
{
	unsigned s;

	for (s = REP_SCOPE_EXACT; s <= REP_SCOPE_SUBS; s++)
		if ((scopes & SCOPE_BIT(s)) &&
		        !(s == REP_SCOPE_EXACT && scope == REP_SCOPE_SUBS) &&
		        !(s == REP_SCOPE_SUBS && scope == REP_SCOPE_EXACT))
			return 1;
	return 0;
}

/* names_hit - does a name with a scope overlap the set: the same name,
 * a tree or subdomains above it, or (being a tree or subdomains itself)
 * a name of the set below it? One pass from the name's end, one probe
 * per label. */
static int names_hit(const struct nameset *ns, const char *name, unsigned scope)
{
	const struct name_entry *e;
	size_t i = strlen(name);
	uint64_t h = FNV_BASIS;

	if (ns->names.n == 0)
		return 0;
	while (i > 0) {
		h = back_hash(h, (unsigned char)name[--i]);
		if (i > 0 && name[i - 1] != '.')
			continue;
		e = nametab_find(&ns->names, name + i, h);
		if (i > 0 && e != NULL &&
		        (e->scopes & ~SCOPE_BIT(REP_SCOPE_EXACT)) != 0)
			return 1;
		if (i == 0 && e != NULL && same_name_overlap(e->scopes, scope))
			return 1;
	}
	return scope != REP_SCOPE_EXACT &&
	       nametab_find(&ns->above, name, h) != NULL;
}

/* nameset_free - free the names */
static void nameset_free(struct nameset *ns)
{
	nametab_free(&ns->names);
	nametab_free(&ns->above);
}

/*
 * SUBJECT SETS
 */

/* subject_query - a subject as the sets look at it; -1 if it is none */
static int subject_query(const struct rep_subject *s, struct query *q)
{
	if (s->kind == REP_KIND_IP4 || s->kind == REP_KIND_IP6)
		return subject_range(s, q);
	memset(q, 0, sizeof(*q));
	if ((s->kind != REP_KIND_DOMAIN && s->kind != REP_KIND_AUTH) ||
	        s->name[0] == '\0' ||
	        memchr(s->name, '\0', sizeof(s->name)) == NULL)
		return -1;
	q->name = s->name;
	q->scope = s->kind == REP_KIND_AUTH ? REP_SCOPE_EXACT : s->scope;
	return q->scope <= REP_SCOPE_SUBS ? 0 : -1;
}

/* subjset_hit - does the query overlap any subject of the set? */
static int subjset_hit(const struct subjset *set, const struct query *q)
{
	if (q->ip == 4)
		return ipset_hit(&set->v4, &q->r);
	if (q->ip == 6)
		return ipset_hit(&set->v6, &q->r);
	return names_hit(&set->dn, q->name, q->scope);
}

/* subjset_add - add a subject (checked, and counted against the limit) */
static int subjset_add(struct subjset *set, const struct rep_subject *s)
{
	struct query q;
	int err;

	if (s == NULL || subject_query(s, &q) != 0)
		return TRUST_E_INVAL;
	if (set->count >= TRUST_SUBJECTS_MAX)
		return TRUST_E_LIMIT;
	if (q.ip == 4)
		err = ipset_add(&set->v4, q.r);
	else if (q.ip == 6)
		err = ipset_add(&set->v6, q.r);
	else
		err = names_add(&set->dn, q.name, q.scope);
	if (err == 0)
		set->count++;
	return err;
}

/* subjset_free - free the set's arrays */
static void subjset_free(struct subjset *set)
{
	free(set->v4.v);
	free(set->v6.v);
	nameset_free(&set->dn);
}

/*
 * BOGONS
 */

/* Special-purpose space no mail comes from (RFC 6890 and successors). */
static const char *const bogons[] = {
        "0.0.0.0/8",       /* "this" network */
        "10.0.0.0/8",      /* private */
        "100.64.0.0/10",   /* shared address space (CGNAT) */
        "127.0.0.0/8",     /* loopback */
        "169.254.0.0/16",  /* link-local */
        "172.16.0.0/12",   /* private */
        "192.0.0.0/24",    /* IETF protocol assignments */
        "192.0.2.0/24",    /* documentation (TEST-NET-1) */
        "192.88.99.0/24",  /* 6to4 relay anycast, deprecated */
        "192.168.0.0/16",  /* private */
        "198.18.0.0/15",   /* benchmarking */
        "198.51.100.0/24", /* documentation (TEST-NET-2) */
        "203.0.113.0/24",  /* documentation (TEST-NET-3) */
        "224.0.0.0/4",     /* multicast */
        "240.0.0.0/4",     /* reserved, and the broadcast address */
        "::/3",            /* outside 2000::/3: unspecified, loopback, */
        "4000::/2",        /* mapped, NAT64, discard, ULA fc00::/7, */
        "8000::/1",        /* link-local fe80::/10, multicast ff00::/8 */
        "2001:2::/48",     /* benchmarking */
        "2001:10::/28",    /* ORCHID, deprecated */
        "2001:20::/28",    /* ORCHIDv2 */
        "2001:db8::/32",   /* documentation */
        "3fff::/20",       /* documentation (RFC 9637) */
};

/* bogons_load - the bogon table into a subject set */
static int bogons_load(struct subjset *set)
{
	struct rep_subject s;
	size_t i;
	int err;

	for (i = 0; i < sizeof(bogons) / sizeof(bogons[0]); i++) {
		if (rep_subject_parse(bogons[i], &s) != REP_OK)
			return TRUST_E_INVAL; /* cannot happen: fixed text */
		if ((err = subjset_add(set, &s)) != 0)
			return err;
	}
	return 0;
}

/*
 * RULES
 */

/* trust_new - default rules and the public suffix list */
int trust_new(struct trust **out)
{
	struct trust *t;
	int err;

	if (out == NULL)
		return TRUST_E_INVAL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return TRUST_E_NOMEM;
	t->categories = ((2u << REP_CAT_MAX) - 1) & ~1u;
	t->max4 = TRUST_MAX_PREFIX4_DEFAULT;
	t->max6 = TRUST_MAX_PREFIX6_DEFAULT;
	if ((t->psl = psl_latest(NULL)) == NULL &&
	        (t->psl = (psl_ctx_t *)psl_builtin()) == NULL) {
		trust_free(t);
		return TRUST_E_PSL;
	}
	if ((err = bogons_load(&t->bogon)) != 0) {
		trust_free(t);
		return err;
	}
	*out = t;
	return 0;
}

/* trust_free - psl_free knows not to free the built-in context */
void trust_free(struct trust *t)
{
	if (t == NULL)
		return;
	psl_free(t->psl);
	subjset_free(&t->bogon);
	subjset_free(&t->never);
	subjset_free(&t->sentinel);
	free(t);
}

/* trust_set_categories - the categories the partner may assert */
int trust_set_categories(struct trust *t, unsigned mask)
{
	if (t == NULL || (mask & ~(((2u << REP_CAT_MAX) - 1) & ~1u)) != 0)
		return TRUST_E_INVAL;
	t->categories = mask;
	return 0;
}

/* trust_set_max_prefix - the widest prefixes accepted */
int trust_set_max_prefix(struct trust *t, unsigned v4, unsigned v6)
{
	if (t == NULL || v4 > 32 || v6 > 128)
		return TRUST_E_INVAL;
	t->max4 = v4;
	t->max6 = v6;
	return 0;
}

/* trust_add_never - a subject no listing may overlap */
int trust_add_never(struct trust *t, const struct rep_subject *s)
{
	return t == NULL ? TRUST_E_INVAL : subjset_add(&t->never, s);
}

/* trust_add_sentinel - a subject whose listing quarantines a file */
int trust_add_sentinel(struct trust *t, const struct rep_subject *s)
{
	return t == NULL ? TRUST_E_INVAL : subjset_add(&t->sentinel, s);
}

/* category_ok - may the partner assert this category? */
static int category_ok(const struct trust *t, unsigned cat)
{
	return cat >= 1 && cat <= REP_CAT_MAX && (t->categories >> cat & 1u);
}

/* trust_check - the rules of trust.h, cheapest first after the sentinel
 * (which must win: a file listing one is condemned whatever else) */
enum trust_verdict trust_check(
        const struct trust *t, const struct feed_record *rec)
{
	const struct rep_subject *s;
	struct query q;

	if (t == NULL || rec == NULL)
		return TRUST_DROP_BOGON;
	if (rec->op == REP_OP_DELIST)
		return TRUST_OK;
	s = &rec->subject;
	if (subject_query(s, &q) != 0)
		return TRUST_DROP_BOGON;
	if (rec->op == REP_OP_LIST && t->sentinel.count != 0 &&
	        subjset_hit(&t->sentinel, &q))
		return TRUST_SENTINEL;
	if (!category_ok(t, rec->category))
		return TRUST_DROP_CATEGORY;
	if (q.ip != 0) {
		if (s->plen < (q.ip == 4 ? t->max4 : t->max6))
			return TRUST_DROP_PREFIX;
		if (subjset_hit(&t->bogon, &q))
			return TRUST_DROP_BOGON;
	} else if (psl_is_public_suffix(t->psl, q.name)) {
		return TRUST_DROP_SUFFIX;
	}
	if (t->never.count != 0 && subjset_hit(&t->never, &q))
		return TRUST_DROP_NEVER;
	return TRUST_OK;
}

/*
 * QUARANTINE HEURISTICS
 */

/* say - the reason with its numbers in the caller's buffer, or the
 * static text */
#if defined(__GNUC__)
static const char *say(char *why, size_t len, const char *fixed,
        const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#endif

static const char *say(
        char *why, size_t len, const char *fixed, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || len == 0)
		return fixed;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return why;
}

/* over_budget - would the slot hold more than the budget afterwards? */
static int over_budget(
        const struct trust_limits *lim, const struct trust_feed_stats *st)
{
	if (lim->max_records == 0)
		return 0;
	if (st->snapshot)
		return st->records > lim->max_records;
	return st->held > lim->max_records ||
	       st->added > lim->max_records - st->held;
}

/* trust_judge - the first heuristic a file fails, or NULL */
const char *trust_judge(const struct trust_limits *lim,
        const struct trust_feed_stats *st, char *why, size_t len)
{
	double share;

	if (lim == NULL || st == NULL)
		return say(why, len, "no statistics", "no statistics");
	if (st->sentinels > 0)
		return say(why, len, "sentinel listed",
		        "sentinel listed (%u records)", st->sentinels);
	if (lim->max_seq_jump != 0 && st->wm_seq > 0 &&
	        st->seq_hi > st->wm_seq &&
	        st->seq_hi - st->wm_seq > lim->max_seq_jump)
		return say(why, len, "sequence jumps too far",
		        "sequence jumps by %llu",
		        (unsigned long long)(st->seq_hi - st->wm_seq));
	if (over_budget(lim, st))
		return say(why, len, "over the record budget",
		        "over the record budget (%llu)",
		        (unsigned long long)lim->max_records);
	if (st->held == 0 || st->held < lim->min_records)
		return NULL;
	share = (double)st->removed / (double)st->held;
	if (st->snapshot && lim->max_drop_share > 0 &&
	        share > lim->max_drop_share)
		return say(why, len, "snapshot removes too much of the slot",
		        "snapshot removes %.0f%% of the slot", 100 * share);
	share = ((double)st->added + (double)st->changed) / (double)st->held;
	if (lim->max_change_share > 0 && share > lim->max_change_share)
		return say(why, len, "changes too much of the slot",
		        "changes %.0f%% of the slot", 100 * share);
	return NULL;
}
