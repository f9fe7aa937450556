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
#include "log.h"

#ifndef REP_DEFAULT_STORE
#define REP_DEFAULT_STORE "/var/lib/repmilter/reputation.mdb"
#endif

#define CONFIG_SERVERS_MAX 16 /* more than any resolv.conf would hold */
#define CONFIG_SCORE_MAX 1000.0
#define CONFIG_BLANKS " \t,"

/* check_socket_unix - an absolute path that fits a sockaddr_un */
static int check_socket_unix(const char *path, char *why, size_t len)
{
	struct sockaddr_un sa;

	if (path[0] != '/') {
		snprintf(why, len, "the socket path must be absolute");
		return -1;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, len, "the socket path is longer than %zu bytes",
		        sizeof(sa.sun_path) - 1);
		return -1;
	}
	return 0;
}

/* check_host - an address literal of the family, or a host name */
static int check_host(const char *host, int family)
{
	unsigned char bin[16];

	if (inet_pton(family, host, bin) == 1)
		return 0;
	if (*host == '\0' || strlen(host) > 253 ||
	        host[strspn(host, "abcdefghijklmnopqrstuvwxyz"
	                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")] !=
	                '\0')
		return -1;
	return 0;
}

/* check_socket_inet - PORT or PORT@HOST, libmilter's form; Postfix's
 * inet:HOST:PORT is the usual slip, so the message shows the right form */
static int check_socket_inet(
        const char *spec, int family, char *why, size_t len)
{
	const char *at = strchr(spec, '@');
	size_t plen = at ? (size_t)(at - spec) : strlen(spec);
	unsigned long port = 0;

	if (plen >= 1 && plen <= 5 && strspn(spec, "0123456789") == plen)
		port = strtoul(spec, NULL, 10);
	if (port < 1 || port > 65535 || (at && check_host(at + 1, family))) {
		snprintf(why, len,
		        "\"%.80s\" is not %s:PORT@HOST (e.g. "
		        "%s:8894@%s)",
		        spec, family == AF_INET ? "inet" : "inet6",
		        family == AF_INET ? "inet" : "inet6",
		        family == AF_INET ? "127.0.0.1" : "::1");
		return -1;
	}
	return 0;
}

/* check_socket - the forms libmilter's smfi_setconn takes */
static int check_socket(const char *v, char *why, size_t len)
{
	if (strncmp(v, "unix:", 5) == 0)
		return check_socket_unix(v + 5, why, len);
	if (strncmp(v, "local:", 6) == 0)
		return check_socket_unix(v + 6, why, len);
	if (strncmp(v, "inet:", 5) == 0)
		return check_socket_inet(v + 5, AF_INET, why, len);
	if (strncmp(v, "inet6:", 6) == 0)
		return check_socket_inet(v + 6, AF_INET6, why, len);
	snprintf(why, len,
	        "\"%.80s\" is not unix:PATH, inet:PORT@HOST or "
	        "inet6:PORT@HOST",
	        v);
	return -1;
}

/* check_path - an absolute path: the daemon changes directory, so a
 * relative one would mean something else after start */
static int check_path(const char *v, char *why, size_t len)
{
	if (v[0] != '/') {
		snprintf(why, len, "\"%.80s\" is not an absolute path", v);
		return -1;
	}
	return 0;
}

/* check_path_or_empty - an absolute path, or "" for none */
static int check_path_or_empty(const char *v, char *why, size_t len)
{
	return v[0] == '\0' ? 0 : check_path(v, why, len);
}

/* check_user - "" or a plausible login name (getpwnam decides at start) */
static int check_user(const char *v, char *why, size_t len)
{
	size_t n = strlen(v);

	if (n == 0)
		return 0;
	if (n > 32 || v[0] == '-' ||
	        strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                  "0123456789._-") != n) {
		snprintf(why, len, "\"%.80s\" is not a user name", v);
		return -1;
	}
	return 0;
}

/* field - the row's field in the config */
static void *field(const struct cfgfile_option *o, void *obj)
{
	return (char *)obj + o->offset;
}

/* replace_text - store a copy of `value` in a char * field */
static int replace_text(char **dst, const char *value, char *why, size_t len)
{
	char *copy = strdup(value);

	if (copy == NULL) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	free(*dst);
	*dst = copy;
	return 0;
}

/* format_text - a char * field as is */
static int format_text(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len)
{
	const char *s = *(char *const *)((const char *)obj + o->offset);
	int n = snprintf(buf, len, "%s", s ? s : "");

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* parse_facility - the name, lower-cased, and its LOG_* value */
static int parse_facility(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	struct conf *c = obj;
	int f = log_facility_parse(value);

	if (f < 0) {
		snprintf(why, len,
		        "\"%.80s\" is not mail, daemon, user or "
		        "local0 to local7",
		        value);
		return -1;
	}
	if (replace_text(&c->syslog_facility, value, why, len) < 0)
		return -1;
	for (char *p = c->syslog_facility; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	c->syslog_facility_value = f;
	return 0;
}

static const struct {
	const char *name;
	int prio;
} conf_levels[] = {
        {"error", LOG_ERR},
        {"warning", LOG_WARNING},
        {"notice", LOG_NOTICE},
        {"info", LOG_INFO},
        {"debug", LOG_DEBUG},
};

/* parse_level - a syslog priority by name ("err" as syslog spells it) */
static int parse_level(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	int *level = field(o, obj);
	size_t n = sizeof(conf_levels) / sizeof(conf_levels[0]);

	if (strcmp(value, "err") == 0)
		value = "error";
	for (size_t i = 0; i < n; i++) {
		if (strcmp(value, conf_levels[i].name) == 0) {
			*level = conf_levels[i].prio;
			return 0;
		}
	}
	snprintf(why, len,
	        "\"%.80s\" is not error, warning, notice, info or "
	        "debug",
	        value);
	return -1;
}

/* format_level - the name of the priority */
static int format_level(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len)
{
	int level = *(const int *)((const char *)obj + o->offset);
	size_t n = sizeof(conf_levels) / sizeof(conf_levels[0]);
	int w;

	for (size_t i = 0; i < n; i++) {
		if (conf_levels[i].prio != level)
			continue;
		w = snprintf(buf, len, "%s", conf_levels[i].name);
		return w < 0 || (size_t)w >= len ? -1 : 0;
	}
	return -1;
}

/* next_token - the next word between commas and blanks; 0 at the end */
static size_t next_token(const char **p)
{
	*p += strspn(*p, CONFIG_BLANKS);
	return strcspn(*p, CONFIG_BLANKS);
}

/* parse_port - ":PORT" or nothing (53) */
static int parse_port(const char *s, size_t n, unsigned *port)
{
	*port = 53;
	if (n == 0)
		return 0;
	if (s[0] != ':' || n < 2 || n > 6 ||
	        strspn(s + 1, "0123456789") < n - 1)
		return -1;
	*port = (unsigned)strtoul(s + 1, NULL, 10);
	return *port >= 1 && *port <= 65535 ? 0 : -1;
}

/* parse_server - ADDR[:PORT] or [ADDR6][:PORT] to the canonical form
 * "ADDR:PORT" / "[ADDR6]:PORT" that dns.c hands to c-ares */
static int parse_server(const char *tok, size_t n, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN], canon[INET6_ADDRSTRLEN];
	const char *end = tok + n, *hs = tok, *he, *rest;
	int family = tok[0] == '[' ? AF_INET6 : AF_INET;
	unsigned char bin[16];
	unsigned port;
	int w;

	if (family == AF_INET6) {
		hs = tok + 1;
		if ((he = memchr(hs, ']', n - 1)) == NULL)
			return -1;
		rest = he + 1;
	} else {
		if ((he = memchr(tok, ':', n)) == NULL)
			he = end;
		rest = he;
	}
	if ((size_t)(he - hs) >= sizeof(host) ||
	        parse_port(rest, (size_t)(end - rest), &port) < 0)
		return -1;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	if (inet_pton(family, host, bin) != 1 ||
	        inet_ntop(family, bin, canon, sizeof(canon)) == NULL)
		return -1;
	w = snprintf(out, outlen, family == AF_INET6 ? "[%s]:%u" : "%s:%u",
	        canon, port);
	return w < 0 || (size_t)w >= outlen ? -1 : 0;
}

/* parse_servers - dns_servers: every entry checked, stored canonical */
static int parse_servers(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	char canon[CONFIG_SERVERS_MAX * 64] = "", one[64];
	const char *p = value;
	unsigned count = 0;
	size_t n;

	while ((n = next_token(&p)) > 0) {
		if (++count > CONFIG_SERVERS_MAX) {
			snprintf(why, len, "more than %d servers",
			        CONFIG_SERVERS_MAX);
			return -1;
		}
		if (parse_server(p, n, one, sizeof(one)) < 0) {
			snprintf(why, len,
			        "\"%.*s\" is not ADDR, ADDR:PORT or "
			        "[IPv6-ADDR]:PORT",
			        (int)(n > 80 ? 80 : n), p);
			return -1;
		}
		if (count > 1)
			strcat(canon, ",");
		strcat(canon, one); /* 16 * 64 bytes always suffice */
		p += n;
	}
	return replace_text(field(o, obj), canon, why, len);
}

/* parse_lists - a DNS list setting: the text as written and its set */
static int parse_lists(const char *value, enum dnsl_kind kind, char **text,
        struct dnsl_set **set, char *why, size_t len)
{
	struct dnsl_set *s = NULL;
	char err[CFGFILE_WHY_MAX] = "";
	int rc;

	if (value[strspn(value, CONFIG_BLANKS)] != '\0') {
		rc = dnsl_parse(value, kind, &s, err, sizeof(err));
		if (rc < 0) {
			snprintf(why, len, "%s",
			        err[0] ? err : dnsl_strerror(rc));
			return -1;
		}
	}
	if (replace_text(text, value, why, len) < 0) {
		dnsl_set_free(s);
		return -1;
	}
	dnsl_set_free(*set);
	*set = s;
	return 0;
}

/* parse_ip_lists - dns_lists */
static int parse_ip_lists(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	struct conf *c = obj;

	return parse_lists(
	        value, DNSL_KIND_IP, &c->dns_lists, &c->ip_lists, why, len);
}

/* parse_domain_lists - dns_domain_lists */
static int parse_domain_lists(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	struct conf *c = obj;

	return parse_lists(value, DNSL_KIND_DOMAIN, &c->dns_domain_lists,
	        &c->domain_lists, why, len);
}

/* release_ip_lists - dns_lists' text and set */
static void release_ip_lists(const struct cfgfile_option *o, void *obj)
{
	struct conf *c = obj;

	cfgfile_release_string(o, obj);
	dnsl_set_free(c->ip_lists);
	c->ip_lists = NULL;
}

/* release_domain_lists - dns_domain_lists' text and set */
static void release_domain_lists(const struct cfgfile_option *o, void *obj)
{
	struct conf *c = obj;

	cfgfile_release_string(o, obj);
	dnsl_set_free(c->domain_lists);
	c->domain_lists = NULL;
}

/* parse_net - one network (cfgfile's syntax and checks) */
static int parse_net(const char *tok, size_t n, struct conf_net *net,
        char *why, size_t len)
{
	struct cfgfile_net cn;

	if (cfgfile_parse_net(tok, n, &cn, why, len) < 0)
		return -1;
	net->family = cn.family;
	memcpy(net->addr, cn.addr, sizeof(net->addr));
	net->plen = cn.plen;
	return 0;
}

/* parse_networks - internal_networks: all of it, or nothing changes */
static int parse_networks(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	struct conf *c = obj;
	struct conf_net nets[CONF_NETS_MAX];
	const char *p = value;
	unsigned count = 0;
	size_t n;

	while ((n = next_token(&p)) > 0) {
		if (count == CONF_NETS_MAX) {
			snprintf(why, len, "more than %d networks",
			        CONF_NETS_MAX);
			return -1;
		}
		if (parse_net(p, n, &nets[count++], why, len) < 0)
			return -1;
		p += n;
	}
	if (replace_text(&c->internal_networks, value, why, len) < 0)
		return -1;
	memcpy(c->internal, nets, count * sizeof(nets[0]));
	c->ninternal = count;
	return 0;
}

/* parse_allowlist - a negative number, or "off" (0: policy.h treats any
 * threshold >= 0 as off) */
static int parse_allowlist(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	struct cfgfile_option num = {
	        .type = CFGFILE_DOUBLE_OFF, .min = -CONFIG_SCORE_MAX, .max = 0};
	double v;

	if (cfgfile_set(&num, &v, value, why, len) < 0)
		return -1;
	if (v == 0) {
		snprintf(why, len, "must be negative, or off");
		return -1;
	}
	*(double *)field(o, obj) = isnan(v) ? 0 : v;
	return 0;
}

/* format_allowlist - "off" for anything the policy does not apply */
static int format_allowlist(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len)
{
	double v = *(const double *)((const char *)obj + o->offset);
	int n = v < 0 ? cfgfile_format_double(v, buf, len)
	              : snprintf(buf, len, "off");

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* parse_reply - an SMTP reply whose code has the class the row wants
 * (o->min: 4 or 5), since a 5xx tempfail or 4xx reject would lie */
static int parse_reply(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	struct policy_reply r;
	char class = o->min == 4 ? '4' : '5';

	if (policy_reply_parse(value, &r) < 0) {
		snprintf(why, len,
		        "\"%.80s\" is not an SMTP reply such as "
		        "\"%cxx %c.7.1 text\"",
		        value, class, class);
		return -1;
	}
	if (r.code[0] != class) {
		snprintf(why, len, "the code must be %cxx", class);
		return -1;
	}
	*(struct policy_reply *)field(o, obj) = r;
	return 0;
}

/* format_reply - code, enhanced code and text, blank-separated */
static int format_reply(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len)
{
	const struct policy_reply *r =
	        (const void *)((const char *)obj + o->offset);
	int n = snprintf(buf, len, "%s%s%s%s%s", r->code,
	        r->xcode[0] ? " " : "", r->xcode, r->text[0] ? " " : "",
	        r->text);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

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
		.offset = OFF(f), .parse = parse_reply, .format = format_reply \
	}
#define SEC CFGFILE_SECONDS
#define MS CFGFILE_MILLIS
#define DAY 86400.0

/* The options, in the order -n prints them and the man page lists them.
 * Defaults and bounds are argued in repmilter.conf(5). */
static const struct cfgfile_option conf_table[] = {
        ROW_STR("socket", "unix:/run/repmilter/repmilter.sock", socket,
                check_socket),
        ROW_STR("pid_file", "/run/repmilter/repmilter.pid", pid_file,
                check_path_or_empty),
        ROW_STR("user", "repmilter", user, check_user),
        ROW_STR("socket_group", "", socket_group, check_user),
        ROW_FN("syslog_facility", "mail", syslog_facility, parse_facility,
                format_text, cfgfile_release_string),
        ROW_FN("log_level", "info", log_level, parse_level, format_level, NULL),
        ROW_NUM("milter_timeout", SEC, "10m", 1, DAY, milter_timeout),

        ROW_STR("store", REP_DEFAULT_STORE, store, check_path),
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

        ROW_FN("dns_servers", "", dns_servers, parse_servers, format_text,
                cfgfile_release_string),
        ROW_NUM("dns_timeout", MS, "2s", 10, 30000, dns_timeout_ms),
        ROW_NUM("dns_tries", CFGFILE_UINT, "2", 1, 10, dns_tries),
        ROW_NUM("message_deadline", MS, "10s", 100, 60000, message_deadline_ms),
        ROW_NUM("dns_cache_size", CFGFILE_UINT, "100000", 0, 10000000,
                dns_cache_size),
        ROW_NUM("dns_cache_min_ttl", SEC, "30s", 0, DAY, dns_cache_min_ttl),
        ROW_NUM("dns_cache_max_ttl", SEC, "1h", 1, 7 * DAY, dns_cache_max_ttl),
        ROW_FN("dns_lists", "", dns_lists, parse_ip_lists, format_text,
                release_ip_lists),
        ROW_FN("dns_domain_lists", "", dns_domain_lists, parse_domain_lists,
                format_text, release_domain_lists),
        ROW_NUM("dns_probe_interval", SEC, "5m", 0, DAY, dns_probe_interval),

        ROW_NUM("add_header_score", CFGFILE_DOUBLE_OFF, "5", -CONFIG_SCORE_MAX,
                CONFIG_SCORE_MAX, policy.add_header_score),
        ROW_NUM("tempfail_score", CFGFILE_DOUBLE_OFF, "off", -CONFIG_SCORE_MAX,
                CONFIG_SCORE_MAX, policy.tempfail_score),
        ROW_NUM("reject_score", CFGFILE_DOUBLE_OFF, "15", -CONFIG_SCORE_MAX,
                CONFIG_SCORE_MAX, policy.reject_score),
        ROW_FN("dns_allowlist_threshold", "off", policy.allowlist_threshold,
                parse_allowlist, format_allowlist, NULL),
        ROW_BOOL("dry_run", "no", policy.dry_run),
        ROW_BOOL("skip_authenticated", "yes", skip_authenticated),
        ROW_FN("internal_networks", "127.0.0.0/8, ::1/128", internal_networks,
                parse_networks, format_text, cfgfile_release_string),
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
	if ((unsigned long long)c->dns_timeout_ms * ((1ull << c->dns_tries) - 1) >
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
	if (cfgfile_load(conf_table, CONF_NOPTIONS, c, path, lines, &e) ==
	        0)
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
