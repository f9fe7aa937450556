/*
 * cfgfile.c - the `key = value` reader and the typed option table shared
 * by the programs (see cfgfile.h for the format).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "cfgfile.h"

/* One line being read: room for the limit, a CR and the NUL. */
struct cfgfile_reader {
	char buf[CFGFILE_LINE_MAX + 2];
	size_t len;
	unsigned line;
	int overlong;
};

/* cfgfile_errors_init - start an empty error list */
void cfgfile_errors_init(
        struct cfgfile_errors *e, const char *path, char *buf, size_t len)
{
	e->path = path;
	e->buf = buf;
	e->len = buf ? len : 0;
	e->used = 0;
	e->count = 0;
	if (e->len)
		buf[0] = '\0';
}

/* cfgfile_error - count an error and append its line if it fits whole */
void cfgfile_error(
        struct cfgfile_errors *e, unsigned line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	size_t room = e->len - e->used;
	int n;

	e->count++;
	if (room == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		n = snprintf(e->buf + e->used, room, "%s:%u: %s\n", e->path,
		        line, msg);
	else
		n = snprintf(e->buf + e->used, room, "%s: %s\n", e->path, msg);
	if (n < 0 || (size_t)n >= room) {
		e->buf[e->used] = '\0'; /* a cut line would mislead */
		return;
	}
	e->used += (size_t)n;
}

/* read_line - the next line without LF or CRLF; 0 at end of file. A line
 * past the limit is consumed whole and flagged, never kept in part. */
static int read_line(FILE *fp, struct cfgfile_reader *r)
{
	int ch, any = 0;

	r->len = 0;
	r->overlong = 0;
	while ((ch = getc(fp)) != EOF) {
		any = 1;
		if (ch == '\n')
			break;
		if (r->len < CFGFILE_LINE_MAX + 1)
			r->buf[r->len++] = (char)ch;
		else
			r->overlong = 1;
	}
	if (!any)
		return 0;
	r->line++;
	if (r->len > 0 && r->buf[r->len - 1] == '\r')
		r->len--;
	if (r->len > CFGFILE_LINE_MAX)
		r->overlong = 1;
	r->buf[r->len] = '\0';
	return 1;
}

/* check_bytes - NUL and control characters make a line bad: they are
 * never meant, and a NUL would silently cut the value short */
static int check_bytes(const char *s, size_t len, char *why, size_t wlen)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0') {
			snprintf(why, wlen, "NUL byte in line");
			return -1;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			snprintf(why, wlen, "control character 0x%02x in line",
			        c);
			return -1;
		}
	}
	return 0;
}

/* skip_blanks - past spaces and tabs */
static char *skip_blanks(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* is_key_char - what a key token may hold; anything wider is reported as
 * an unknown key rather than as a syntax error, which reads better */
static int is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* parse_quoted - "..." at p, unescaped in place into *value */
static int parse_quoted(char *p, char **value, char *why, size_t wlen)
{
	char *out = p, *in = p + 1;

	*value = out;
	for (; *in != '"'; in++) {
		if (*in == '\\' && (in[1] == '"' || in[1] == '\\'))
			in++;
		else if (*in == '\\' && in[1] != '\0') {
			snprintf(why, wlen,
			        "bad escape \\%c in quoted value "
			        "(only \\\" and \\\\)",
			        in[1]);
			return -1;
		}
		if (*in == '\0' || (*in == '\\' && in[1] == '\0')) {
			snprintf(why, wlen, "unterminated quote");
			return -1;
		}
		*out++ = *in;
	}
	in = skip_blanks(in + 1);
	*out = '\0';
	if (*in != '\0' && *in != '#') {
		snprintf(why, wlen, "text after the closing quote");
		return -1;
	}
	return 0;
}

/* parse_bare - an unquoted value: up to a '#', blanks trimmed */
static int parse_bare(char *p, char **value, char *why, size_t wlen)
{
	char *end = strchr(p, '#');

	if (end != NULL)
		*end = '\0';
	if (strchr(p, '"') != NULL) {
		snprintf(why, wlen,
		        "quote inside an unquoted value (quote "
		        "the whole value: \"...\")");
		return -1;
	}
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	*value = p;
	return 0;
}

/* parse_line - split `s` in place: 1 a pair, 0 nothing, -1 an error */
static int parse_line(char *s, char **key, char **value, char *why, size_t wlen)
{
	char *p = skip_blanks(s), *kend;

	if (*p == '\0' || *p == '#')
		return 0;
	*key = p;
	while (is_key_char(*p))
		p++;
	if (p == *key) {
		snprintf(why, wlen, "expected a key at '%c'", *p);
		return -1;
	}
	kend = p;
	p = skip_blanks(p);
	if (*p != '=') {
		*kend = '\0';
		snprintf(why, wlen, "missing '=' after key %.64s", *key);
		return -1;
	}
	*kend = '\0';
	p = skip_blanks(p + 1);
	if (*p == '"')
		return parse_quoted(p, value, why, wlen) < 0 ? -1 : 1;
	return parse_bare(p, value, why, wlen) < 0 ? -1 : 1;
}

/* process_line - one line read: report it or hand its pair on */
static void process_line(struct cfgfile_reader *r, cfgfile_pair_fn fn,
        void *arg, struct cfgfile_errors *e)
{
	char why[CFGFILE_WHY_MAX];
	char *key, *value;
	int rc = 0;

	if (r->overlong) {
		cfgfile_error(e, r->line, "line longer than %d bytes",
		        CFGFILE_LINE_MAX);
		return;
	}
	if (check_bytes(r->buf, r->len, why, sizeof(why)) < 0 ||
	        (rc = parse_line(r->buf, &key, &value, why, sizeof(why))) < 0) {
		cfgfile_error(e, r->line, "%s", why);
		return;
	}
	if (rc > 0)
		fn(arg, key, value, r->line);
}

/* cfgfile_read - every line of the file, errors collected */
int cfgfile_read(const char *path, cfgfile_pair_fn fn, void *arg,
        struct cfgfile_errors *e)
{
	struct cfgfile_reader *r;
	unsigned before = e->count;
	FILE *fp;

	r = malloc(sizeof(*r));
	if (r == NULL) {
		cfgfile_error(e, 0, "out of memory");
		return -1;
	}
	fp = fopen(path, "r");
	if (fp == NULL) {
		cfgfile_error(e, 0, "cannot open: %s", strerror(errno));
		free(r);
		return -1;
	}
	r->line = 0;
	while (read_line(fp, r))
		process_line(r, fn, arg, e);
	if (ferror(fp))
		cfgfile_error(e, 0, "read error: %s", strerror(errno));
	fclose(fp);
	free(r);
	return e->count == before ? 0 : -1;
}

/* cfgfile_find - a linear search: tables are a few dozen rows */
int cfgfile_find(
        const struct cfgfile_option *table, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* parse_count - a plain decimal, no sign or blanks */
static int parse_count(const char *s, char **end, unsigned long long *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, end, 10);
	return errno ? -1 : 0;
}

/* parse_duration - a whole number with an optional unit, in ms */
static int parse_duration(const char *s, unsigned long long *ms)
{
	static const struct {
		const char *unit;
		unsigned long long ms;
	} units[] = {
	        {"", 1000},
	        {"ms", 1},
	        {"s", 1000},
	        {"m", 60000},
	        {"h", 3600000},
	        {"d", 86400000},
	};
	unsigned long long n;
	char *end;

	if (parse_count(s, &end, &n) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (n > ULLONG_MAX / units[i].ms)
			return -1;
		*ms = n * units[i].ms;
		return 0;
	}
	return -1;
}

/* bound_text - a bound as the row's type writes it (for messages) */
static void bound_text(
        const struct cfgfile_option *o, double v, char *buf, size_t len)
{
	if (o->type == CFGFILE_SECONDS)
		cfgfile_format_duration((unsigned long long)v * 1000, buf, len);
	else if (o->type == CFGFILE_MILLIS)
		cfgfile_format_duration((unsigned long long)v, buf, len);
	else
		cfgfile_format_double(v, buf, len);
}

/* check_bounds - v within [min, max], else why says which bound */
static int check_bounds(const struct cfgfile_option *o, const char *value,
        double v, char *why, size_t wlen)
{
	char b[64];

	if (v < o->min) {
		bound_text(o, o->min, b, sizeof(b));
		snprintf(why, wlen, "%.80s is below the minimum %s", value, b);
		return -1;
	}
	if (v > o->max) {
		bound_text(o, o->max, b, sizeof(b));
		snprintf(why, wlen, "%.80s is above the maximum %s", value, b);
		return -1;
	}
	return 0;
}

/* set_string - a copy of the value, checked by the row if it asks */
static int set_string(const struct cfgfile_option *o, char **field,
        const char *value, char *why, size_t wlen)
{
	char *copy;

	if (o->check != NULL && o->check(value, why, wlen) < 0)
		return -1;
	copy = strdup(value);
	if (copy == NULL) {
		snprintf(why, wlen, "out of memory");
		return -1;
	}
	free(*field);
	*field = copy;
	return 0;
}

/* set_bool - the usual spellings of yes and no */
static int set_bool(int *field, const char *value, char *why, size_t wlen)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0 ||
		        strcasecmp(value, no[i]) == 0) {
			*field = strcasecmp(value, yes[i]) == 0;
			return 0;
		}
	}
	snprintf(why, wlen, "\"%.80s\" is not yes or no", value);
	return -1;
}

/* set_uint - a decimal within the row's bounds */
static int set_uint(const struct cfgfile_option *o, unsigned *field,
        const char *value, char *why, size_t wlen)
{
	unsigned long long n;
	char *end;

	if (parse_count(value, &end, &n) < 0 || *end != '\0') {
		snprintf(why, wlen, "\"%.80s\" is not a whole number", value);
		return -1;
	}
	if (check_bounds(o, value, n > UINT_MAX ? o->max + 1 : (double)n, why,
	            wlen) < 0)
		return -1;
	*field = (unsigned)n;
	return 0;
}

/* set_double - a finite decimal (or "off" where allowed); strtod alone
 * would also take "inf", "nan" and hexadecimal */
static int set_double(const struct cfgfile_option *o, double *field,
        const char *value, char *why, size_t wlen)
{
	char *end;
	double v;

	if (o->type == CFGFILE_DOUBLE_OFF && strcasecmp(value, "off") == 0) {
		*field = NAN;
		return 0;
	}
	errno = 0;
	v = strtod(value, &end);
	if (*value == '\0' || value[strspn(value, "0123456789+-.eE")] != '\0' ||
	        *end != '\0' || errno != 0 || !isfinite(v)) {
		snprintf(why, wlen, "\"%.80s\" is not a number%s", value,
		        o->type == CFGFILE_DOUBLE_OFF ? " or off" : "");
		return -1;
	}
	if (check_bounds(o, value, v, why, wlen) < 0)
		return -1;
	*field = v;
	return 0;
}

/* set_duration - a duration, stored in seconds or milliseconds */
static int set_duration(const struct cfgfile_option *o, unsigned *field,
        const char *value, char *why, size_t wlen)
{
	unsigned long long ms, v;

	if (parse_duration(value, &ms) < 0) {
		snprintf(why, wlen,
		        "\"%.80s\" is not a duration (a whole "
		        "number with ms, s, m, h or d)",
		        value);
		return -1;
	}
	if (o->type == CFGFILE_SECONDS && ms % 1000 != 0) {
		snprintf(why, wlen,
		        "\"%.80s\" is not a whole number of "
		        "seconds",
		        value);
		return -1;
	}
	v = o->type == CFGFILE_SECONDS ? ms / 1000 : ms;
	if (check_bounds(o, value, v > UINT_MAX ? o->max + 1 : (double)v, why,
	            wlen) < 0)
		return -1;
	*field = (unsigned)v;
	return 0;
}

/* cfgfile_set - dispatch on the row's type */
int cfgfile_set(const struct cfgfile_option *o, void *obj, const char *value,
        char *why, size_t len)
{
	void *field = (char *)obj + o->offset;

	switch (o->type) {
	case CFGFILE_STRING:
		return set_string(o, field, value, why, len);
	case CFGFILE_BOOL:
		return set_bool(field, value, why, len);
	case CFGFILE_UINT:
		return set_uint(o, field, value, why, len);
	case CFGFILE_DOUBLE:
	case CFGFILE_DOUBLE_OFF:
		return set_double(o, field, value, why, len);
	case CFGFILE_SECONDS:
	case CFGFILE_MILLIS:
		return set_duration(o, field, value, why, len);
	case CFGFILE_CUSTOM:
		return o->parse(o, obj, value, why, len);
	}
	snprintf(why, len, "bad row type %d", (int)o->type);
	return -1;
}

/* cfgfile_defaults - each row's default through the same parser a file
 * goes through, so a default can never be a value the file could not hold */
int cfgfile_defaults(const struct cfgfile_option *table, unsigned n, void *obj,
        struct cfgfile_errors *e)
{
	char why[CFGFILE_WHY_MAX];
	unsigned before = e->count;

	for (unsigned i = 0; i < n; i++)
		if (cfgfile_set(
		            &table[i], obj, table[i].def, why, sizeof(why)) < 0)
			cfgfile_error(
			        e, 0, "default of %s: %s", table[i].name, why);
	return e->count == before ? 0 : -1;
}

/* What cfgfile_load's pair callback needs. */
struct cfgfile_load_state {
	const struct cfgfile_option *table;
	unsigned n;
	void *obj;
	unsigned *lines;
	struct cfgfile_errors *e;
};

/* load_pair - one pair: known, first of its key, and a good value */
static void load_pair(
        void *arg, const char *key, const char *value, unsigned line)
{
	struct cfgfile_load_state *st = arg;
	char why[CFGFILE_WHY_MAX];
	int i = cfgfile_find(st->table, st->n, key);

	if (i < 0) {
		cfgfile_error(st->e, line, "unknown key %.64s", key);
		return;
	}
	if (st->lines[i] != 0) {
		cfgfile_error(st->e, line, "%s repeated (first set on line %u)",
		        key, st->lines[i]);
		return;
	}
	st->lines[i] = line;
	if (cfgfile_set(&st->table[i], st->obj, value, why, sizeof(why)) < 0)
		cfgfile_error(st->e, line, "%s: %s", key, why);
}

/* cfgfile_load - read the file through load_pair */
int cfgfile_load(const struct cfgfile_option *table, unsigned n, void *obj,
        const char *path, unsigned *lines, struct cfgfile_errors *e)
{
	struct cfgfile_load_state st = {table, n, obj, lines, e};
	unsigned before = e->count;
	unsigned *own = NULL;

	if (lines == NULL) {
		own = calloc(n ? n : 1, sizeof(unsigned));
		if (own == NULL) {
			cfgfile_error(e, 0, "out of memory");
			return -1;
		}
		st.lines = own;
	} else {
		memset(lines, 0, n * sizeof(unsigned));
	}
	(void)cfgfile_read(path, load_pair, &st, e);
	free(own);
	return e->count == before ? 0 : -1;
}

/* net_masked - the network with the bits past plen cleared; returns 1
 * when any was set */
static int net_masked(const struct cfgfile_net *net, struct cfgfile_net *out)
{
	unsigned bytes = net->family == AF_INET ? 4 : 16;
	int had = 0;

	*out = *net;
	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = net->plen > i * 8 ? net->plen - i * 8 : 0;
		unsigned char mask =
		        keep >= 8 ? 0xff : (unsigned char)(0xff << (8 - keep));

		had |= (net->addr[i] & ~mask) != 0;
		out->addr[i] = net->addr[i] & mask;
	}
	return had;
}

/* parse_net_text - "ADDR[/LEN]" in buf (changed) into net; a mapped
 * network becomes IPv4 so that it matches IPv4 clients */
static int parse_net_text(char *buf, struct cfgfile_net *net)
{
	char *slash = strchr(buf, '/');
	unsigned max;

	if (slash != NULL)
		*slash++ = '\0';
	memset(net, 0, sizeof(*net));
	net->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(net->family, buf, net->addr) != 1)
		return -1;
	max = net->family == AF_INET ? 32 : 128;
	net->plen = max;
	if (slash != NULL &&
	        (*slash == '\0' || strlen(slash) > 3 ||
	                slash[strspn(slash, "0123456789")] != '\0' ||
	                (net->plen = (unsigned)atoi(slash)) > max))
		return -1;
	if (net->family == AF_INET6 && net->plen >= 96 &&
	        IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)net->addr)) {
		memmove(net->addr, net->addr + 12, 4);
		memset(net->addr + 4, 0, 12);
		net->family = AF_INET;
		net->plen -= 96;
	}
	return 0;
}

/* cfgfile_parse_net - bits past the length are refused rather than
 * cleared: 10.0.0.1/8 is more often a typo than a wish for 10.0.0.0/8 */
int cfgfile_parse_net(const char *text, size_t n, struct cfgfile_net *net,
        char *why, size_t len)
{
	char buf[INET6_ADDRSTRLEN + 8], addr[INET6_ADDRSTRLEN];
	struct cfgfile_net got, fixed;
	int shown = (int)(n > 80 ? 80 : n);

	if (n < sizeof(buf)) {
		memcpy(buf, text, n);
		buf[n] = '\0';
	}
	if (n >= sizeof(buf) || parse_net_text(buf, &got) < 0) {
		snprintf(why, len, "\"%.*s\" is not an address or ADDR/LEN",
		        shown, text);
		return -1;
	}
	if (net_masked(&got, &fixed)) {
		inet_ntop(fixed.family, fixed.addr, addr, sizeof(addr));
		snprintf(why, len,
		        "\"%.*s\" has host bits set (the network "
		        "is %s/%u)",
		        shown, text, addr, fixed.plen);
		return -1;
	}
	*net = got;
	return 0;
}

/* cfgfile_net_match - whole bytes, then the bits of the last one */
int cfgfile_net_match(
        const unsigned char *addr, const unsigned char *net, unsigned plen)
{
	unsigned bytes = plen / 8, bits = plen % 8;
	unsigned char mask;

	if (memcmp(addr, net, bytes) != 0)
		return 0;
	if (bits == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - bits));
	return (addr[bytes] & mask) == (net[bytes] & mask);
}

/* cfgfile_format_duration - the largest exact unit keeps -n output short */
int cfgfile_format_duration(unsigned long long ms, char *buf, size_t len)
{
	static const struct {
		const char *unit;
		unsigned long long ms;
	} units[] = {
	        {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};

	if (ms == 0)
		return snprintf(buf, len, "0s");
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ms % units[i].ms == 0)
			return snprintf(buf, len, "%llu%s", ms / units[i].ms,
			        units[i].unit);
	return snprintf(buf, len, "%llums", ms);
}

/* cfgfile_format_double - fewest digits that strtod reads back exactly */
int cfgfile_format_double(double v, char *buf, size_t len)
{
	int n = 0, prec = 1;

	/* at least the integer digits, or %g would write 10 as 1e+01 */
	for (double a = v < 0 ? -v : v; a >= 10 && prec < 17; a /= 10)
		prec++;
	for (; prec <= 17; prec++) {
		n = snprintf(buf, len, "%.*g", prec, v);
		if (n >= 0 && (size_t)n < len && strtod(buf, NULL) == v)
			break;
	}
	return n;
}

/* cfgfile_format - the value of a row as the file would hold it */
int cfgfile_format(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len)
{
	const void *field = (const char *)obj + o->offset;
	const char *s;
	int n = -1;

	switch (o->type) {
	case CFGFILE_STRING:
		s = *(char *const *)field;
		n = snprintf(buf, len, "%s", s ? s : "");
		break;
	case CFGFILE_BOOL:
		n = snprintf(
		        buf, len, "%s", *(const int *)field ? "yes" : "no");
		break;
	case CFGFILE_UINT:
		n = snprintf(buf, len, "%u", *(const unsigned *)field);
		break;
	case CFGFILE_DOUBLE:
	case CFGFILE_DOUBLE_OFF:
		if (isnan(*(const double *)field))
			n = snprintf(buf, len, "off");
		else
			n = cfgfile_format_double(
			        *(const double *)field, buf, len);
		break;
	case CFGFILE_SECONDS:
		n = cfgfile_format_duration(
		        *(const unsigned *)field * 1000ULL, buf, len);
		break;
	case CFGFILE_MILLIS:
		n = cfgfile_format_duration(*(const unsigned *)field, buf, len);
		break;
	case CFGFILE_CUSTOM:
		return o->format(o, obj, buf, len);
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* needs_quotes - what an unquoted value could not carry */
static int needs_quotes(const char *v)
{
	size_t n = strlen(v);

	return n == 0 || v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' ||
	       v[n - 1] == '\t' || strpbrk(v, "#\"") != NULL;
}

/* print_pair - `key = value`, quoted and escaped when needed */
static void print_pair(FILE *fp, const char *key, const char *v)
{
	if (!needs_quotes(v)) {
		fprintf(fp, "%s = %s\n", key, v);
		return;
	}
	fprintf(fp, "%s = \"", key);
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			putc('\\', fp);
		putc(*v, fp);
	}
	fputs("\"\n", fp);
}

/* cfgfile_print - the whole table; a value too long to format is written
 * as a comment so the output never reads back as something else */
void cfgfile_print(const struct cfgfile_option *table, unsigned n,
        const void *obj, FILE *fp)
{
	size_t len = 2 * CFGFILE_LINE_MAX;
	char *buf = malloc(len);

	if (buf == NULL)
		return;
	for (unsigned i = 0; i < n; i++) {
		if (cfgfile_format(&table[i], obj, buf, len) < 0)
			fprintf(fp, "# %s: value too long to print\n",
			        table[i].name);
		else
			print_pair(fp, table[i].name, buf);
	}
	free(buf);
}

/* cfgfile_release_string - free a char * field */
void cfgfile_release_string(const struct cfgfile_option *o, void *obj)
{
	char **field = (char **)((char *)obj + o->offset);

	free(*field);
	*field = NULL;
}

/* cfgfile_release - free strings and what custom rows hold */
void cfgfile_release(const struct cfgfile_option *table, unsigned n, void *obj)
{
	for (unsigned i = 0; i < n; i++) {
		if (table[i].type == CFGFILE_STRING)
			cfgfile_release_string(&table[i], obj);
		else if (table[i].type == CFGFILE_CUSTOM &&
		         table[i].release != NULL)
			table[i].release(&table[i], obj);
	}
}
