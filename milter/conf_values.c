/*
 * conf_values.c - the values of repmilter.conf that no generic type of
 * common/cfgfile covers: socket, DNS servers, DNS lists, networks,
 * replies, weights. Used by the option table in conf.c.
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

#define CONFIG_SERVERS_MAX 16 /* more than any resolv.conf would hold */
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
int conf_check_socket(const char *v, char *why, size_t len)
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
int conf_check_path(const char *v, char *why, size_t len)
{
	if (v[0] != '/') {
		snprintf(why, len, "\"%.80s\" is not an absolute path", v);
		return -1;
	}
	return 0;
}

/* check_path_or_empty - an absolute path, or "" for none */
int conf_check_path_or_empty(const char *v, char *why, size_t len)
{
	return v[0] == '\0' ? 0 : conf_check_path(v, why, len);
}

/* check_authserv_id - "" (the host name) or a domain-like token: it is
 * written unquoted at the head of Authentication-Results */
int conf_check_authserv_id(const char *v, char *why, size_t len)
{
	size_t n = strlen(v);

	if (n == 0)
		return 0;
	if (n > 253 || v[0] == '.' || v[0] == '-' ||
	        strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                  "0123456789.-_") != n) {
		snprintf(why, len, "\"%.80s\" is not a host name", v);
		return -1;
	}
	return 0;
}

/* check_user - "" or a plausible login name (getpwnam decides at start) */
int conf_check_user(const char *v, char *why, size_t len)
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
int conf_format_text(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len)
{
	const char *s = *(char *const *)((const char *)obj + o->offset);
	int n = snprintf(buf, len, "%s", s ? s : "");

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* parse_facility - the name, lower-cased, and its LOG_* value */
int conf_parse_facility(const struct cfgfile_option *o, void *obj,
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
int conf_parse_level(const struct cfgfile_option *o, void *obj,
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
int conf_format_level(
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
int conf_parse_servers(const struct cfgfile_option *o, void *obj,
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
int conf_parse_ip_lists(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	struct conf *c = obj;

	return parse_lists(
	        value, DNSL_KIND_IP, &c->dns_lists, &c->ip_lists, why, len);
}

/* parse_domain_lists - dns_domain_lists */
int conf_parse_domain_lists(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	struct conf *c = obj;

	return parse_lists(value, DNSL_KIND_DOMAIN, &c->dns_domain_lists,
	        &c->domain_lists, why, len);
}

/* release_ip_lists - dns_lists' text and set */
void conf_release_ip_lists(const struct cfgfile_option *o, void *obj)
{
	struct conf *c = obj;

	cfgfile_release_string(o, obj);
	dnsl_set_free(c->ip_lists);
	c->ip_lists = NULL;
}

/* release_domain_lists - dns_domain_lists' text and set */
void conf_release_domain_lists(const struct cfgfile_option *o, void *obj)
{
	struct conf *c = obj;

	cfgfile_release_string(o, obj);
	dnsl_set_free(c->domain_lists);
	c->domain_lists = NULL;
}

/* parse_net - one network (cfgfile's syntax and checks) */
static int parse_net(
        const char *tok, size_t n, struct conf_net *net, char *why, size_t len)
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
int conf_parse_networks(const struct cfgfile_option *o, void *obj,
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
int conf_parse_allowlist(const struct cfgfile_option *o, void *obj,
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
int conf_format_allowlist(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len)
{
	double v = *(const double *)((const char *)obj + o->offset);
	int n = v < 0 ? cfgfile_format_double(v, buf, len)
	              : snprintf(buf, len, "off");

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* parse_reply - an SMTP reply whose code has the class the row wants
 * (o->min: 4 or 5), since a 5xx tempfail or 4xx reject would lie */
int conf_parse_reply(const struct cfgfile_option *o, void *obj,
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
int conf_format_reply(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len)
{
	const struct policy_reply *r =
	        (const void *)((const char *)obj + o->offset);
	int n = snprintf(buf, len, "%s%s%s%s%s", r->code,
	        r->xcode[0] ? " " : "", r->xcode, r->text[0] ? " " : "",
	        r->text);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* parse_weights - symbol_weights: the text for -n and the parsed table */
int conf_parse_weights(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	struct conf *c = obj;
	struct weights *w = NULL;

	if (weights_parse(value, &w, why, len) != 0)
		return -1;
	if (replace_text(&c->symbol_weights, value, why, len) < 0) {
		weights_free(w);
		return -1;
	}
	weights_free(c->weights);
	c->weights = w;
	return 0;
}

/* release_weights - symbol_weights' text and table */
void conf_release_weights(const struct cfgfile_option *o, void *obj)
{
	struct conf *c = obj;

	cfgfile_release_string(o, obj);
	weights_free(c->weights);
	c->weights = NULL;
}

/* parse_temperror_action - spf_temperror_action: accept or tempfail */
int conf_parse_temperror_action(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len)
{
	int *f = (int *)((char *)obj + o->offset);

	if (strcmp(value, "accept") != 0 && strcmp(value, "tempfail") != 0) {
		snprintf(
		        why, len, "\"%.80s\" is not accept or tempfail", value);
		return -1;
	}
	*f = strcmp(value, "tempfail") == 0;
	return 0;
}

/* format_temperror_action - the word for -n */
int conf_format_temperror_action(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len)
{
	const int *f = (const void *)((const char *)obj + o->offset);
	int n = snprintf(buf, len, "%s", *f ? "tempfail" : "accept");

	return n < 0 || (size_t)n >= len ? -1 : 0;
}
