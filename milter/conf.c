/*
 * conf.c - repmilter.conf: the option table, the values no generic type
 * covers (socket, DNS servers, DNS lists, networks, replies) and the
 * checks that span several options. The reading itself is common/cfgfile.
 */
#include "config.h"

#include <arpa/inet.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>

#include "cfgfile.h"
#include "conf.h"
#include "conf_values.h"
#include "log.h"

#ifndef REP_DEFAULT_STORE
#define REP_DEFAULT_STORE "/var/lib/repmilter/reputation.mdb"
#endif

#define OFF(f) offsetof(struct conf, f)
#define ROW_STR(n, d, f, chk)                                                  \
	{                                                                      \
		.name = n, .type = CFGFILE_STRING, .def = d, .offset = OFF(f), \
		.check = chk                                                   \
	}
#define ROW_NUM(n, t, d, lo, hi, f)                                            \
	{                                                                      \
		.name = n, .type = t, .def = d, .min = lo, .max = hi,          \
		.offset = OFF(f)                                               \
	}
#define ROW_BOOL(n, d, f) ROW_NUM(n, CFGFILE_BOOL, d, 0, 1, f)
#define ROW_FN(n, d, f, p, fmt, rel)                                           \
	{                                                                      \
		.name = n, .type = CFGFILE_CUSTOM, .def = d, .offset = OFF(f), \
		.parse = p, .format = fmt, .release = rel                      \
	}
/* a reply row keeps the class its code must have (4 or 5) in .min */
#define ROW_REPLY(n, d, cls, f)                                                \
	{                                                                      \
		.name = n, .type = CFGFILE_CUSTOM, .def = d, .min = cls,       \
		.offset = OFF(f), .parse = conf_parse_reply,                   \
		.format = conf_format_reply                                    \
	}
#define SEC CFGFILE_SECONDS
#define MS CFGFILE_MILLIS
#define DAY 86400.0

/* The options, in the order -n prints them and the man page lists them.
 * Defaults and bounds are argued in repmilter.conf(5). */
static const struct cfgfile_option conf_table[] = {
        ROW_STR("socket", "unix:/run/repmilter/repmilter.sock", socket,
                conf_check_socket),
        ROW_STR("pid_file", "/run/repmilter/repmilter.pid", pid_file,
                conf_check_path_or_empty),
        ROW_STR("user", "repmilter", user, conf_check_user),
        ROW_STR("socket_group", "", socket_group, conf_check_user),
        ROW_FN("syslog_facility", "mail", syslog_facility, conf_parse_facility,
                conf_format_text, cfgfile_release_string),
        ROW_FN("log_level", "info", log_level, conf_parse_level,
                conf_format_level, NULL),
        ROW_NUM("milter_timeout", SEC, "10m", 1, DAY, milter_timeout),

        ROW_STR("store", REP_DEFAULT_STORE, store, conf_check_path),
        ROW_BOOL("observe", "yes", observe),
        ROW_NUM("observe_queue", CFGFILE_UINT, "65536", 1, 16777216,
                observe_queue),
        ROW_NUM("observe_batch", CFGFILE_UINT, "10000", 1, 1000000,
                observe_batch),
        ROW_NUM("observe_interval", MS, "1s", 10, 3600000, observe_interval_ms),
        ROW_NUM("reputation_weight", CFGFILE_DOUBLE, "1", 0, 100,
                reputation_weight),
        ROW_NUM("reputation_domain_weight", CFGFILE_DOUBLE, "1", 0, 100,
                reputation_domain_weight),

        ROW_FN("dns_servers", "", dns_servers, conf_parse_servers,
                conf_format_text, cfgfile_release_string),
        ROW_NUM("dns_timeout", MS, "2s", 10, 30000, dns_timeout_ms),
        ROW_NUM("dns_tries", CFGFILE_UINT, "2", 1, 10, dns_tries),
        ROW_NUM("message_deadline", MS, "10s", 100, 60000, message_deadline_ms),
        ROW_NUM("dns_cache_size", CFGFILE_UINT, "100000", 0, 10000000,
                dns_cache_size),
        ROW_NUM("dns_cache_min_ttl", SEC, "30s", 0, DAY, dns_cache_min_ttl),
        ROW_NUM("dns_cache_max_ttl", SEC, "1h", 1, 7 * DAY, dns_cache_max_ttl),
        ROW_FN("dns_lists", "", dns_lists, conf_parse_ip_lists,
                conf_format_text, conf_release_ip_lists),
        ROW_FN("dns_domain_lists", "", dns_domain_lists,
                conf_parse_domain_lists, conf_format_text,
                conf_release_domain_lists),
        ROW_NUM("dns_probe_interval", SEC, "5m", 0, DAY, dns_probe_interval),

        ROW_BOOL("spf", "yes", spf),
        ROW_BOOL("dkim", "yes", dkim),
        ROW_BOOL("dmarc", "yes", dmarc),
        ROW_NUM("dkim_key_cache", CFGFILE_UINT, "1000", 0, 100000,
                dkim_key_cache),
        ROW_STR("authserv_id", "", authserv_id, conf_check_authserv_id),
        ROW_BOOL("dmarc_enforce", "no", dmarc_enforce),
        ROW_FN("spf_temperror_action", "accept", spf_temperror_tempfail,
                conf_parse_temperror_action, conf_format_temperror_action,
                NULL),
        ROW_REPLY("spf_temperror_reply",
                "451 4.4.3 Temporary error checking SPF, try again later", 4,
                spf_temperror_reply),
        ROW_FN("symbol_weights", "", symbol_weights, conf_parse_weights,
                conf_format_text, conf_release_weights),

        ROW_NUM("add_header_score", CFGFILE_DOUBLE_OFF, "5", -CONFIG_SCORE_MAX,
                CONFIG_SCORE_MAX, policy.add_header_score),
        ROW_NUM("tempfail_score", CFGFILE_DOUBLE_OFF, "off", -CONFIG_SCORE_MAX,
                CONFIG_SCORE_MAX, policy.tempfail_score),
        ROW_NUM("reject_score", CFGFILE_DOUBLE_OFF, "15", -CONFIG_SCORE_MAX,
                CONFIG_SCORE_MAX, policy.reject_score),
        ROW_FN("dns_allowlist_threshold", "off", policy.allowlist_threshold,
                conf_parse_allowlist, conf_format_allowlist, NULL),
        ROW_BOOL("dry_run", "no", policy.dry_run),
        ROW_BOOL("skip_authenticated", "yes", skip_authenticated),
        ROW_FN("internal_networks", "127.0.0.0/8, ::1/128", internal_networks,
                conf_parse_networks, conf_format_text, cfgfile_release_string),
        ROW_REPLY("reject_reply", "550 5.7.1 Message rejected as spam", 5,
                policy.reject),
        ROW_REPLY("tempfail_reply",
                "451 4.7.1 Message deferred, try again later", 4,
                policy.tempfail),
        ROW_REPLY("deny_reply", "550 5.7.1 Access denied", 5, policy.deny),
};

#undef OFF
#undef ROW_STR
#undef ROW_NUM
#undef ROW_BOOL
#undef ROW_FN
#undef ROW_REPLY
#undef SEC
#undef MS
#undef DAY

#define CONF_NOPTIONS (sizeof(conf_table) / sizeof(conf_table[0]))

/* line_of - the line option `name` was set on (0: default) */
static unsigned line_of(const unsigned *lines, const char *name)
{
	int i = cfgfile_find(conf_table, CONF_NOPTIONS, name);

	return i < 0 ? 0 : lines[i];
}

/* later_line - blame the later of two options' lines */
static unsigned later_line(const unsigned *lines, const char *a, const char *b)
{
	unsigned la = line_of(lines, a), lb = line_of(lines, b);

	return la > lb ? la : lb;
}

/* check_order - threshold `lo` must not be above `hi` when both are on */
static void check_order(double lo, const char *lo_name, double hi,
        const char *hi_name, const unsigned *lines, struct cfgfile_errors *e)
{
	char a[32], b[32];

	if (isnan(lo) || isnan(hi) || lo <= hi)
		return;
	cfgfile_format_double(lo, a, sizeof(a));
	cfgfile_format_double(hi, b, sizeof(b));
	cfgfile_error(e, later_line(lines, lo_name, hi_name),
	        "%s %s is above %s %s (thresholds must rise: add_header_score "
	        "<= tempfail_score <= reject_score)",
	        lo_name, a, hi_name, b);
}

/* check_thresholds - the actions must escalate with the score */
static void check_thresholds(
        const struct policy *p, const unsigned *lines, struct cfgfile_errors *e)
{
	check_order(p->add_header_score, "add_header_score", p->tempfail_score,
	        "tempfail_score", lines, e);
	check_order(p->tempfail_score, "tempfail_score", p->reject_score,
	        "reject_score", lines, e);
	if (isnan(p->tempfail_score))
		check_order(p->add_header_score, "add_header_score",
		        p->reject_score, "reject_score", lines, e);
}

/* check_dns - the cache bounds are ordered, and every try of a query
 * fits inside the message deadline: a try that cannot finish before the
 * verdict is a try nobody waits for */
static void check_dns(
        const struct conf *c, const unsigned *lines, struct cfgfile_errors *e)
{
	if (c->dns_cache_min_ttl > c->dns_cache_max_ttl)
		cfgfile_error(e,
		        later_line(lines, "dns_cache_min_ttl",
		                "dns_cache_max_ttl"),
		        "dns_cache_min_ttl (%us) is above dns_cache_max_ttl "
		        "(%us)",
		        c->dns_cache_min_ttl, c->dns_cache_max_ttl);
	/* c-ares doubles the timeout at each round of tries: the last try
	 * ends after timeout * (2^tries - 1) */
	if ((unsigned long long)c->dns_timeout_ms *
	                ((1ull << c->dns_tries) - 1) >
	        c->message_deadline_ms) {
		unsigned l = later_line(lines, "dns_timeout", "dns_tries");

		if (line_of(lines, "message_deadline") > l)
			l = line_of(lines, "message_deadline");
		cfgfile_error(e, l,
		        "dns_timeout (%ums) with dns_tries (%u) waits up to "
		        "%llums, above message_deadline (%ums)",
		        c->dns_timeout_ms, c->dns_tries,
		        (unsigned long long)c->dns_timeout_ms *
		                ((1ull << c->dns_tries) - 1),
		        c->message_deadline_ms);
	}
}

/* conf_validate - what no single option can check alone */
static void conf_validate(
        const struct conf *c, const unsigned *lines, struct cfgfile_errors *e)
{
	check_thresholds(&c->policy, lines, e);
	check_dns(c, lines, e);
	if (c->observe_batch > c->observe_queue)
		cfgfile_error(e,
		        later_line(lines, "observe_batch", "observe_queue"),
		        "observe_batch (%u) is above observe_queue (%u)",
		        c->observe_batch, c->observe_queue);
}

/* conf_new - a config holding every default */
static struct conf *conf_new(struct cfgfile_errors *e)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		cfgfile_error(e, 0, "out of memory");
		return NULL;
	}
	policy_init(&c->policy);
	if (cfgfile_defaults(conf_table, CONF_NOPTIONS, c, e) < 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

/* conf_load - defaults, then the file, then the cross checks; those
 * run only on a file without errors, since a bad value left at its
 * default would make them report nonsense */
int conf_load(const char *path, struct conf **out, char *err, size_t errlen)
{
	unsigned lines[CONF_NOPTIONS];
	struct cfgfile_errors e;
	struct conf *c;

	cfgfile_errors_init(&e, path, err, errlen);
	c = conf_new(&e);
	if (c == NULL)
		return -1;
	if (cfgfile_load(conf_table, CONF_NOPTIONS, c, path, lines, &e) == 0)
		conf_validate(c, lines, &e);
	if (e.count > 0) {
		conf_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

/* conf_defaults - the defaults, validated like a file */
int conf_defaults(struct conf **out, char *err, size_t errlen)
{
	unsigned lines[CONF_NOPTIONS] = {0};
	struct cfgfile_errors e;
	struct conf *c;

	cfgfile_errors_init(&e, "(defaults)", err, errlen);
	c = conf_new(&e);
	if (c == NULL)
		return -1;
	conf_validate(c, lines, &e);
	if (e.count > 0) {
		conf_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

/* conf_free - every row's storage, then the struct */
void conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	cfgfile_release(conf_table, CONF_NOPTIONS, c);
	free(c);
}

/* conf_print - the table's printer */
void conf_print(const struct conf *c, FILE *fp)
{
	cfgfile_print(conf_table, CONF_NOPTIONS, c, fp);
}

/* conf_is_internal - an IPv4-mapped IPv6 address is its IPv4 address
 * for IPv4 networks (Postfix reports some clients that way) */
int conf_is_internal(
        const struct conf *c, int family, const unsigned char *addr)
{
	static const unsigned char mapped[12] = {
	        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const unsigned char *v4 = NULL;

	if (c == NULL || addr == NULL)
		return 0;
	if (family == AF_INET)
		v4 = addr;
	else if (family == AF_INET6 && memcmp(addr, mapped, 12) == 0)
		v4 = addr + 12;
	for (unsigned i = 0; i < c->ninternal; i++) {
		const struct conf_net *n = &c->internal[i];

		if (n->family == AF_INET && v4 != NULL &&
		        cfgfile_net_match(v4, n->addr, n->plen))
			return 1;
		if (n->family == AF_INET6 && family == AF_INET6 &&
		        cfgfile_net_match(addr, n->addr, n->plen))
			return 1;
	}
	return 0;
}

/* conf_option_count - rows in the table */
unsigned conf_option_count(void)
{
	return (unsigned)CONF_NOPTIONS;
}

/* conf_option_name - the name of row i, NULL past the end */
const char *conf_option_name(unsigned i)
{
	return i < CONF_NOPTIONS ? conf_table[i].name : NULL;
}
