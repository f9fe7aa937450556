/*
 * dnsl.c - DNS block- and allowlists: query names, answers, probes
 * (dnsl.h); the rules are parsed and formatted in dnsl_rules.c. Pure: no
 * I/O, no clock.
 *
 * Decisions worth knowing:
 *  - An answer holding an error code or an address outside 127/8 is an
 *    error as a whole, even when another record would list: a zone that
 *    returns error codes cannot be trusted for that query.
 *  - 127.0.0.1 is an error code too: RFC 5782 forbids it as a listing and
 *    some lists (URIBL) use it to say "query refused".
 */
#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "dnsl_impl.h"

#define DNSL_NAME_LEN 253 /* the longest domain name, RFC 1035 */
#define DNSL_LABEL_LEN 63

/* DNSL_IN_127 - an address (host order) in 127.0.0.0/8 */
#define DNSL_IN_127(a) (((a) >> 24) == 127)

static const char *const dnsl_errors[] = {
        "success",
        "syntax error in a DNS list rule",
        "not a valid DNS list zone",
        "bad DNS list weight",
        "bad DNS list answer filter",
        "out of memory",
        "query name invalid or too long",
        "too many DNS list zones or rules",
};

/* dnsl_strerror - static text for a DNSL_E_* code */
const char *dnsl_strerror(int err)
{
	if (err > 0 || err < DNSL_E_TOOMANY)
		return "unknown DNS list error";
	return dnsl_errors[-err];
}

/* label_ok - one label: 1..63 letters, digits or hyphens (and '_' when
 * allowed), no hyphen at either end; the label ends at '.' or NUL */
static int label_ok(const char *s, size_t n, int underscore)
{
	static const char ldh[] = "abcdefghijklmnopqrstuvwxyz"
	                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";

	if (n == 0 || n > DNSL_LABEL_LEN || s[0] == '-' || s[n - 1] == '-')
		return 0;
	return strspn(s, ldh) >= n && (underscore || memchr(s, '_', n) == 0);
}

/* dnsl_host_ok - a host name of n octets (no trailing dot) with at least
 * min_labels labels; the last label must not be numeric, so that an
 * address is never taken for a name */
int dnsl_host_ok(const char *s, size_t n, int underscore, int min_labels)
{
	size_t start = 0, i;
	int labels = 0;

	if (n == 0 || n > DNSL_NAME_LEN)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!label_ok(s + start, i - start, underscore))
			return 0;
		labels++;
		if (i == n && strspn(s + start, "0123456789") == i - start)
			return 0;
		start = i + 1;
	}
	return labels >= min_labels;
}

/* dnsl_norm_host - copy a name folded to lower case without its trailing dot;
 * returns its length, or 0 when it is empty or does not fit `len` */
size_t dnsl_norm_host(const char *s, size_t n, char *out, size_t len)
{
	size_t i;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n >= len)
		return 0;
	for (i = 0; i < n; i++)
		out[i] =
		        (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	out[n] = '\0';
	return n;
}

/* dnsl_zone_count - number of zones; 0 for NULL */
unsigned dnsl_zone_count(const struct dnsl_set *set)
{
	return set == NULL ? 0 : set->nzones;
}

/* dnsl_zone_name - the zone; "" for a bad index */
const char *dnsl_zone_name(const struct dnsl_set *set, unsigned zone)
{
	return zone < dnsl_zone_count(set) ? set->zone[zone].name : "";
}

/* dnsl_zone_symbol - the zone's symbol; "" for a bad index */
const char *dnsl_zone_symbol(const struct dnsl_set *set, unsigned zone)
{
	return zone < dnsl_zone_count(set) ? set->zone[zone].symbol : "";
}

/* dnsl_zone_is_allowlist - every rule of the zone is negative */
int dnsl_zone_is_allowlist(const struct dnsl_set *set, unsigned zone)
{
	unsigned i, n = 0;

	if (zone >= dnsl_zone_count(set))
		return 0;
	for (i = 0; i < set->nrules; i++) {
		if (set->rule[i].zone != zone)
			continue;
		if (set->rule[i].weight > 0)
			return 0;
		n++;
	}
	return n > 0;
}

/* finish_qname - "prefix.zone" into buf when it is a name that fits */
static int finish_qname(
        const char *prefix, const char *zone, char *buf, size_t len)
{
	size_t zl = zone == NULL ? 0 : strlen(zone);
	size_t total = strlen(prefix) + 1 + zl;

	if (buf == NULL || zl == 0 || total > DNSL_NAME_LEN || total >= len ||
	        !dnsl_host_ok(zone, zl, 0, 1))
		return DNSL_E_NAME;
	snprintf(buf, len, "%s.%s", prefix, zone);
	return DNSL_OK;
}

/* dnsl_qname_ip4 - "d.c.b.a.zone" */
int dnsl_qname_ip4(
        const struct in_addr *addr, const char *zone, char *buf, size_t len)
{
	const unsigned char *a;
	char prefix[16];

	if (addr == NULL)
		return DNSL_E_NAME;
	a = (const unsigned char *)&addr->s_addr;
	snprintf(prefix, sizeof prefix, "%u.%u.%u.%u", a[3], a[2], a[1], a[0]);
	return finish_qname(prefix, zone, buf, len);
}

/* dnsl_qname_ip6 - 32 nibbles, lowest first, then the zone */
int dnsl_qname_ip6(
        const struct in6_addr *addr, const char *zone, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char prefix[64];
	unsigned i;

	if (addr == NULL)
		return DNSL_E_NAME;
	for (i = 0; i < 64; i += 2) {
		unsigned char b = addr->s6_addr[15 - i / 4];

		prefix[i] = hex[i % 4 ? b >> 4 : b & 15];
		prefix[i + 1] = i < 62 ? '.' : '\0';
	}
	return finish_qname(prefix, zone, buf, len);
}

/* dnsl_qname_domain - "name.zone"; '_' is allowed in the name because
 * real host names carry it, but an address literal is not a name */
int dnsl_qname_domain(const char *name, const char *zone, char *buf, size_t len)
{
	char norm[DNSL_NAME_LEN + 1];
	size_t n;

	if (name == NULL)
		return DNSL_E_NAME;
	n = dnsl_norm_host(name, strlen(name), norm, sizeof norm);
	if (n == 0 || !dnsl_host_ok(norm, n, 1, 1))
		return DNSL_E_NAME;
	return finish_qname(norm, zone, buf, len);
}

/* rule_matches - does the 127/8 answer `a` (host order) match rule r */
static int rule_matches(const struct dnsl_rule *r, uint32_t a)
{
	unsigned i;

	if (r->type == DNSL_RULE_MASK)
		return (a & r->mask) != 0;
	if (r->type == DNSL_RULE_OCTETS)
		for (i = 0; i < 4; i++)
			if (!DNSL_HAS(r->octet[i], (a >> (24 - 8 * i)) & 255))
				return 0;
	return 1;
}

/* error_code - a known error answer (see the top of this file) */
static int error_code(const struct dnsl_set *set, uint32_t a)
{
	return (a & 0xffffff00u) == 0x7fffff00u || a == 0x7f000001u ||
	       (set->kind == DNSL_KIND_DOMAIN && a == 0x7f0001ffu);
}

/* classify - one record; `hit` marks the matching rules */
static enum dnsl_verdict classify(const struct dnsl_set *set, unsigned zone,
        const struct in_addr *answer, unsigned char *hit)
{
	uint32_t a = ntohl(answer->s_addr);
	enum dnsl_verdict v = DNSL_NOT_LISTED;
	unsigned i;

	if (!DNSL_IN_127(a))
		return DNSL_OUTSIDE;
	if (error_code(set, a))
		return DNSL_ERROR_CODE;
	for (i = 0; i < set->nrules; i++)
		if (set->rule[i].zone == zone &&
		        rule_matches(&set->rule[i], a)) {
			v = DNSL_LISTED;
			hit[i] = 1;
		}
	return v;
}

/* hit_weight - the sum of the weights of the marked rules */
static double hit_weight(const struct dnsl_set *set, const unsigned char *hit)
{
	double w = 0.0;
	unsigned i;

	for (i = 0; i < set->nrules; i++)
		if (hit[i])
			w += set->rule[i].weight;
	return w;
}

/* dnsl_classify - what one record means: an answer of one record */
enum dnsl_verdict dnsl_classify(const struct dnsl_set *set, unsigned zone,
        const struct in_addr *answer, double *weight)
{
	return dnsl_score_answer(set, zone, answer, answer != NULL, weight);
}

/* dnsl_score_answer - a whole answer: any error record makes the answer
 * an error (ERROR_CODE before OUTSIDE), else each matching rule counts
 * once */
enum dnsl_verdict dnsl_score_answer(const struct dnsl_set *set, unsigned zone,
        const struct in_addr *answers, unsigned n, double *weight)
{
	unsigned char hit[DNSL_RULES_MAX] = {0};
	int seen[4] = {0};
	enum dnsl_verdict v = DNSL_NOT_LISTED;
	unsigned i;

	if (zone < dnsl_zone_count(set) && answers != NULL)
		for (i = 0; i < n; i++)
			seen[classify(set, zone, &answers[i], hit)] = 1;
	if (seen[DNSL_ERROR_CODE])
		v = DNSL_ERROR_CODE;
	else if (seen[DNSL_OUTSIDE])
		v = DNSL_OUTSIDE;
	else if (seen[DNSL_LISTED])
		v = DNSL_LISTED;
	if (weight != NULL)
		*weight = v == DNSL_LISTED ? hit_weight(set, hit) : 0.0;
	return v;
}

/* dnsl_probe_listed - any record in 127/8 lists, whatever the rules'
 * filters: the test entry need not match a zone=127.0.0.4 rule */
int dnsl_probe_listed(const struct dnsl_set *set, unsigned zone,
        const struct in_addr *answers, unsigned n)
{
	enum dnsl_verdict v = dnsl_score_answer(set, zone, answers, n, NULL);

	if (zone >= dnsl_zone_count(set) || (answers == NULL && n > 0) ||
	        v == DNSL_ERROR_CODE || v == DNSL_OUTSIDE)
		return -1;
	return n > 0;
}

/* dnsl_probe_names - the RFC 5782 test entries of the zone */
int dnsl_probe_names(const struct dnsl_set *set, unsigned zone, char *must_list,
        char *must_not_list)
{
	int dom = set != NULL && set->kind == DNSL_KIND_DOMAIN;
	const char *z = dnsl_zone_name(set, zone);

	if (must_list == NULL || must_not_list == NULL ||
	        finish_qname(dom ? "test" : "2.0.0.127", z, must_list,
	                DNSL_QNAME_MAX) != DNSL_OK ||
	        finish_qname(dom ? "invalid" : "1.0.0.127", z, must_not_list,
	                DNSL_QNAME_MAX) != DNSL_OK)
		return DNSL_E_NAME;
	return DNSL_OK;
}

/* dnsl_probe_judge - listing everything is the worst finding, then not
 * listing the test entry; only then does a missing answer matter, since
 * either definite failure already condemns the zone */
enum dnsl_probe_result dnsl_probe_judge(int listed_pos, int listed_neg)
{
	if (listed_neg == 1)
		return DNSL_PROBE_LISTS_ALL;
	if (listed_pos == 0)
		return DNSL_PROBE_NOT_LISTING;
	if (listed_pos != 1 || listed_neg != 0)
		return DNSL_PROBE_NO_ANSWER;
	return DNSL_PROBE_PASS;
}

/* dnsl_probe_result_name - static name of a probe result */
const char *dnsl_probe_result_name(enum dnsl_probe_result r)
{
	static const char *const names[] = {
	        "pass", "not-listing", "lists-all", "no-answer"};

	return (unsigned)r < 4 ? names[r] : "unknown";
}

/* dnsl_zone_enabled - the probe state; 0 for a bad index */
int dnsl_zone_enabled(const struct dnsl_set *set, unsigned zone)
{
	return zone < dnsl_zone_count(set) &&
	       atomic_load(&set->zone[zone].enabled);
}

/* dnsl_zone_set_enabled - set the probe state */
void dnsl_zone_set_enabled(struct dnsl_set *set, unsigned zone, int enabled)
{
	if (zone < dnsl_zone_count(set))
		atomic_store(&set->zone[zone].enabled, enabled != 0);
}
