/*
 * test_conf.c - repmilter.conf: the format (comments, quoting, line
 * endings, limits), each type of value, the checks across options, the
 * round trip through conf_print, and the agreement of the table with
 * the sample file and the man page.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

/* the module under test (autoconf's is "config.h") */
#include "conf.h"

#define ERRLEN 8192

/* One temporary configuration file. */
struct tmpconf {
	char path[512];
};

/* tmp_write - a fresh temporary file holding len bytes of text */
static void tmp_write(struct tmpconf *t, const char *text, size_t len)
{
	const char *base = getenv("TMPDIR");
	int fd;

	snprintf(t->path, sizeof(t->path), "%s/cfgtest.XXXXXX",
	        base ? base : "/tmp");
	fd = mkstemp(t->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* load_bytes - load len bytes of text as a file; the path is kept in t */
static int load_bytes(struct tmpconf *t, const char *text, size_t len,
        struct conf **c, char *err)
{
	int rc;

	tmp_write(t, text, len);
	rc = conf_load(t->path, c, err, ERRLEN);
	unlink(t->path);
	return rc;
}

/* load_ok - text that must load; the caller frees the config */
#define load_ok(text) load_ok_at(text, __FILE__, __LINE__)

static struct conf *load_ok_at(const char *text, const char *file, int line)
{
	struct tmpconf t;
	struct conf *c = NULL;
	char err[ERRLEN];

	if (load_bytes(&t, text, strlen(text), &c, err) != 0)
		fail_msg("%s:%d: load failed:\n%s\n--- text:\n%s", file, line,
		        err, text);
	return c;
}

/* has_error - err holds a line "PATH:LINE: ..." containing `what`
 * (LINE 0: "PATH: ...") */
static int has_error(
        const char *err, const char *path, unsigned line, const char *what)
{
	char prefix[600];
	const char *p = err;
	size_t plen;

	if (line)
		snprintf(prefix, sizeof(prefix), "%s:%u: ", path, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", path);
	plen = strlen(prefix);
	while (p != NULL && *p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char one[ERRLEN];

		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (strncmp(one, prefix, plen) == 0 && strstr(one, what))
			return 1;
		p = eol ? eol + 1 : NULL;
	}
	return 0;
}

/* expect_error - loading text fails with an error on `line` naming
 * `what`, and leaves the output pointer alone */
#define expect_error(text, line, what)                                         \
	expect_error_at(text, strlen(text), line, what, __FILE__, __LINE__)

static void expect_error_at(const char *text, size_t len, unsigned line,
        const char *what, const char *file, int at)
{
	struct conf *sentinel = (struct conf *)&sentinel, *c = sentinel;
	struct tmpconf t;
	char err[ERRLEN];

	if (load_bytes(&t, text, len, &c, err) == 0) {
		conf_free(c);
		fail_msg("%s:%d: loaded, want an error at line %u: %s", file,
		        at, line, what);
	}
	if (c != sentinel)
		fail_msg("%s:%d: output changed on failure", file, at);
	if (!has_error(err, t.path, line, what))
		fail_msg("%s:%d: want line %u error \"%s\", got:\n%s", file, at,
		        line, what, err);
}

/* print_str - conf_print into a malloc'd string */
static char *print_str(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	conf_print(c, fp);
	fclose(fp);
	return buf;
}

/* default_print - what conf_print says for the defaults */
static char *default_print(void)
{
	struct conf *c = NULL;
	char err[ERRLEN], *s;

	assert_int_equal(conf_defaults(&c, err, sizeof(err)), 0);
	s = print_str(c);
	conf_free(c);
	return s;
}

/* printed_line - the printed `key = ...` line of c, for one option */
static void printed_line(
        const struct conf *c, const char *key, char *out, size_t len)
{
	char *all = print_str(c), *p = all;
	size_t klen = strlen(key);

	out[0] = '\0';
	while (p && *p) {
		char *eol = strchr(p, '\n');

		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			snprintf(out, len, "%.*s",
			        (int)(eol ? eol - p : (long)strlen(p)), p);
			break;
		}
		p = eol ? eol + 1 : NULL;
	}
	free(all);
}

#define expect_printed(c, key, want)                                           \
	do {                                                                   \
		char got_[1024];                                               \
		printed_line(c, key, got_, sizeof(got_));                      \
		assert_string_equal(got_, want);                               \
	} while (0)

/* addr - a test address in binary */
static int addr(const char *text, unsigned char *buf)
{
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, text, buf), 1);
	return family;
}

/* internal - conf_is_internal for a text address */
static int internal(const struct conf *c, const char *text)
{
	unsigned char buf[16];
	int family = addr(text, buf);

	return conf_is_internal(c, family, buf);
}

static void test_defaults_are_valid_and_documented_values(void **state)
{
	struct conf *c = NULL;
	char err[ERRLEN];

	assert_int_equal(conf_defaults(&c, err, sizeof(err)), 0);
	assert_string_equal(c->socket, "unix:/run/repmilter/repmilter.sock");
	assert_string_equal(c->store, REP_DEFAULT_STORE);
	assert_string_equal(c->pid_file, "/run/repmilter/repmilter.pid");
	assert_string_equal(c->user, "repmilter");
	assert_string_equal(c->syslog_facility, "mail");
	assert_int_equal(c->syslog_facility_value, LOG_MAIL);
	assert_int_equal(c->log_level, LOG_INFO);
	assert_int_equal(c->milter_timeout, 600);
	assert_true(c->observe);
	assert_int_equal(c->observe_interval_ms, 1000);
	assert_string_equal(c->dns_servers, "");
	assert_int_equal(c->dns_timeout_ms, 2000);
	assert_int_equal(c->dns_tries, 2);
	assert_int_equal(c->message_deadline_ms, 10000);
	assert_int_equal(c->dns_cache_min_ttl, 30);
	assert_int_equal(c->dns_cache_max_ttl, 3600);
	assert_null(c->ip_lists);
	assert_null(c->domain_lists);
	assert_true(c->policy.add_header_score == 5.0);
	assert_true(isnan(c->policy.tempfail_score));
	assert_true(c->policy.reject_score == 15.0);
	assert_false(c->policy.allowlist_threshold < 0);
	assert_false(c->policy.dry_run);
	assert_true(c->skip_authenticated);
	assert_string_equal(c->policy.tempfail.code, "451");
	assert_int_equal(c->ninternal, 2);
	assert_true(internal(c, "127.0.0.1"));
	assert_true(internal(c, "::1"));
	assert_false(internal(c, "192.0.2.1"));
	conf_free(c);
}

static void test_empty_file_gives_the_defaults(void **state)
{
	struct conf *c = load_ok("");
	char *got = print_str(c), *want = default_print();

	assert_string_equal(got, want);
	free(got);
	free(want);
	conf_free(c);
}

static void test_comments_blank_lines_and_blanks_are_ignored(void **state)
{
	struct conf *c = load_ok("# a comment\n"
	                         "\n"
	                         "   \t\n"
	                         "   # indented comment\n"
	                         "\tdns_tries\t=\t3   # trailing comment\n"
	                         "dns_timeout = 1s\n"
	                         "reject_score=20#no blank before it\n");

	assert_int_equal(c->dns_tries, 3);
	assert_true(c->policy.reject_score == 20.0);
	conf_free(c);
}

static void test_crlf_line_endings_are_accepted(void **state)
{
	struct conf *c = load_ok("dns_tries = 4\r\n"
	                         "dns_timeout = 500ms\r\n"
	                         "user = \"mail\"\r\n"
	                         "\r\n"
	                         "dry_run = yes\r\n");

	assert_int_equal(c->dns_tries, 4);
	assert_string_equal(c->user, "mail");
	assert_true(c->policy.dry_run);
	conf_free(c);
}

static void test_last_line_without_newline_is_read(void **state)
{
	struct conf *c = load_ok("dns_tries = 1\ndns_cache_size = 7");

	assert_int_equal(c->dns_cache_size, 7);
	conf_free(c);
}

static void test_quoted_values_keep_blanks_hash_and_escapes(void **state)
{
	struct conf *c = load_ok(
	        "reject_reply = \"554 5.7.1 Spam #1, see \\\"FAQ\\\" \\\\ x\" "
	        "# comment\n"
	        "pid_file = \"\"\n");

	assert_string_equal(c->policy.reject.code, "554");
	assert_string_equal(c->policy.reject.text, "Spam #1, see \"FAQ\" \\ x");
	assert_string_equal(c->pid_file, "");
	conf_free(c);
}

static void test_bad_quoting_is_an_error(void **state)
{
	expect_error("dns_tries = 2\nuser = \"abc\n", 2, "unterminated quote");
	expect_error("user = \"abc\" def\n", 1, "after the closing quote");
	expect_error("user = ab\"c\n", 1, "quote inside an unquoted value");
	expect_error("user = \"a\\bc\"\n", 1, "bad escape");
	expect_error("user = \"abc\\\n", 1, "unterminated quote");
}

static void test_syntax_errors_name_their_line(void **state)
{
	expect_error("\n\ndns_tries 2\n", 3, "missing '=' after key dns_tries");
	expect_error("= 2\n", 1, "expected a key");
	expect_error("dns_tries: 2\n", 1, "missing '='");
	expect_error("dns_tries = 2\nsocket\n", 2, "missing '='");
}

static void test_unknown_key_is_an_error(void **state)
{
	expect_error("dns_tries = 2\n\nno_such_option = 1\n", 3,
	        "unknown key no_such_option");
	expect_error("Socket = unix:/x\n", 1, "unknown key Socket");
}

static void test_repeated_key_is_an_error(void **state)
{
	expect_error("dns_tries = 2\n# x\ndns_tries = 3\n", 3,
	        "dns_tries repeated (first set on line 1)");
}

static void test_every_error_is_reported_with_its_line(void **state)
{
	const char *text = "dns_tries = many\n"
	                   "bogus = 1\n"
	                   "dry_run = maybe\n"
	                   "dns_timeout = 2x\n";

	expect_error(text, 1, "dns_tries: \"many\" is not a whole number");
	expect_error(text, 2, "unknown key bogus");
	expect_error(text, 3, "dry_run: \"maybe\" is not yes or no");
	expect_error(text, 4, "dns_timeout: \"2x\" is not a duration");
}

static void test_overlong_line_is_an_error_and_reading_goes_on(void **state)
{
	size_t n = 9000;
	char *text = malloc(n + 64);

	memcpy(text, "user = ", 7);
	memset(text + 7, 'a', n);
	strcpy(text + 7 + n, "\ndns_tries = x\n");
	expect_error(text, 1, "line longer than 8192 bytes");
	expect_error(text, 2, "dns_tries");
	free(text);
}

/* limit_line - "internal_networks = <blanks>10.0.0.0/8" of exactly 8192
 * bytes, then `eol` */
static char *limit_line(const char *eol)
{
	const char *head = "internal_networks = ", *tail = "10.0.0.0/8";
	size_t h = strlen(head), t = strlen(tail);
	char *text = malloc(8192 + strlen(eol) + 1);

	memcpy(text, head, h);
	memset(text + h, ' ', 8192 - h - t);
	memcpy(text + 8192 - t, tail, t);
	strcpy(text + 8192, eol);
	return text;
}

static void test_line_at_the_limit_is_accepted(void **state)
{
	static const char *const eols[] = {"\n", "\r\n", ""};

	for (size_t i = 0; i < 3; i++) {
		char *text = limit_line(eols[i]);
		struct conf *c = load_ok(text);

		assert_int_equal(c->ninternal, 1);
		conf_free(c);
		free(text);
	}
}

static void test_nul_and_control_bytes_are_errors(void **state)
{
	static const char nul[] = "dns_tries = 2\nuser = ab\0c\n";
	static const char ctl[] = "user = ab\x01"
	                          "c\n";

	expect_error_at(
	        nul, sizeof(nul) - 1, 2, "NUL byte", __FILE__, __LINE__);
	expect_error(ctl, 1, "control character 0x01");
}

static void test_unreadable_file_is_an_error(void **state)
{
	struct conf *c = NULL;
	char err[ERRLEN];

	assert_int_equal(
	        conf_load("/nonexistent/repmilter.conf", &c, err, sizeof(err)),
	        -1);
	assert_null(c);
	assert_true(has_error(
	        err, "/nonexistent/repmilter.conf", 0, "cannot open"));
}

static void test_booleans_take_the_usual_spellings(void **state)
{
	static const char *const yes[] = {"yes", "true", "on", "1", "YES"};
	static const char *const no[] = {"no", "false", "off", "0", "No"};
	char text[64];

	for (size_t i = 0; i < 5; i++) {
		struct conf *c;

		snprintf(text, sizeof(text), "dry_run = %s\nobserve = %s\n",
		        yes[i], no[i]);
		c = load_ok(text);
		assert_true(c->policy.dry_run);
		assert_false(c->observe);
		conf_free(c);
	}
	expect_error("observe = y\n", 1, "not yes or no");
	expect_error("observe =\n", 1, "not yes or no");
}

static void test_numbers_are_checked_against_their_bounds(void **state)
{
	struct conf *c = load_ok("dns_tries = 10\ndns_timeout = 20ms\n"
	                         "message_deadline = 30s\n"
	                         "observe_queue = 16777216\n"
	                         "reputation_weight = 0.25\n");

	assert_int_equal(c->dns_tries, 10);
	assert_true(c->reputation_weight == 0.25);
	conf_free(c);
	expect_error("dns_tries = 0\n", 1, "below the minimum 1");
	expect_error("dns_tries = 11\n", 1, "above the maximum 10");
	expect_error("dns_tries = -1\n", 1, "not a whole number");
	expect_error("dns_tries = 2.5\n", 1, "not a whole number");
	expect_error("dns_tries = 99999999999999999999999\n", 1,
	        "not a whole number");
	expect_error("observe_queue = 4294967296\n", 1, "above the maximum");
	expect_error("reputation_weight = nan\n", 1, "not a number");
	expect_error("reputation_weight = inf\n", 1, "not a number");
	expect_error("reputation_weight = 0x10\n", 1, "not a number");
	expect_error("reputation_weight = -1\n", 1, "below the minimum 0");
	expect_error("reputation_weight = off\n", 1, "not a number");
}

static void test_durations_take_units_and_bare_seconds(void **state)
{
	struct conf *c = load_ok("dns_timeout = 500ms\n"
	                         "message_deadline = 3\n"
	                         "milter_timeout = 5m\n"
	                         "dns_cache_max_ttl = 1d\n"
	                         "dns_cache_min_ttl = 1h\n"
	                         "observe_interval = 2s\n"
	                         "dns_probe_interval = 0\n");

	assert_int_equal(c->dns_timeout_ms, 500);
	assert_int_equal(c->message_deadline_ms, 3000);
	assert_int_equal(c->milter_timeout, 300);
	assert_int_equal(c->dns_cache_max_ttl, 86400);
	assert_int_equal(c->dns_cache_min_ttl, 3600);
	assert_int_equal(c->observe_interval_ms, 2000);
	assert_int_equal(c->dns_probe_interval, 0);
	conf_free(c);
	expect_error("milter_timeout = 1500ms\n", 1,
	        "not a whole number of seconds");
	expect_error("milter_timeout = 2w\n", 1, "not a duration");
	expect_error("milter_timeout = 2 s\n", 1, "not a duration");
	expect_error("milter_timeout = -2s\n", 1, "not a duration");
	expect_error("milter_timeout = 99999999999999999999d\n", 1,
	        "not a duration");
	expect_error("milter_timeout = 2d\n", 1, "above the maximum 1d");
	expect_error("dns_timeout = 5ms\n", 1, "below the minimum 10ms");
	expect_error("milter_timeout = 0\n", 1, "below the minimum 1s");
}

static void test_thresholds_accept_off(void **state)
{
	struct conf *c = load_ok("add_header_score = off\n"
	                         "tempfail_score = 8\n"
	                         "reject_score = OFF\n");

	assert_true(isnan(c->policy.add_header_score));
	assert_true(c->policy.tempfail_score == 8.0);
	assert_true(isnan(c->policy.reject_score));
	expect_printed(c, "add_header_score", "add_header_score = off");
	conf_free(c);
	expect_error("reject_score = of\n", 1, "not a number or off");
	expect_error("reject_score = 1001\n", 1, "above the maximum 1000");
}

static void test_inverted_thresholds_are_refused(void **state)
{
	struct conf *c = load_ok("add_header_score = 5\n"
	                         "tempfail_score = 5\n"
	                         "reject_score = 5\n");

	conf_free(c);
	expect_error("add_header_score = 10\nreject_score = 8\n", 2,
	        "add_header_score 10 is above reject_score 8");
	expect_error("tempfail_score = 20\n", 1,
	        "tempfail_score 20 is above reject_score 15");
	expect_error("tempfail_score = 3\n", 1,
	        "add_header_score 5 is above tempfail_score 3");
	c = load_ok("reject_score = off\ntempfail_score = 100\n");
	conf_free(c);
}

static void test_allowlist_threshold_is_negative_or_off(void **state)
{
	struct conf *c = load_ok("dns_allowlist_threshold = -2.5\n");

	assert_true(c->policy.allowlist_threshold == -2.5);
	conf_free(c);
	c = load_ok("dns_allowlist_threshold = off\n");
	assert_false(c->policy.allowlist_threshold < 0);
	expect_printed(
	        c, "dns_allowlist_threshold", "dns_allowlist_threshold = off");
	conf_free(c);
	expect_error("dns_allowlist_threshold = 3\n", 1, "above the maximum 0");
	expect_error("dns_allowlist_threshold = 0\n", 1, "must be negative");
}

static void test_sender_authentication_options(void **state)
{
	struct conf *c =
	        load_ok("spf = no\n"
	                "authserv_id = mx1.example.net\n"
	                "dmarc_enforce = yes\n"
	                "spf_temperror_action = tempfail\n"
	                "symbol_weights = SPF_FAIL=4, DKIM_VALID=-1.5\n");

	assert_false(c->spf);
	assert_true(c->dkim);
	assert_string_equal(c->authserv_id, "mx1.example.net");
	assert_true(c->dmarc_enforce);
	assert_true(c->spf_temperror_tempfail);
	assert_string_equal(c->spf_temperror_reply.code, "451");
	assert_true(weights_get(c->weights, "SPF_FAIL", 0) == 4.0);
	assert_true(weights_get(c->weights, "DKIM_VALID", 0) == -1.5);
	assert_true(weights_get(c->weights, "SPF_NONE", 0.25) == 0.25);
	conf_free(c);
	expect_error(
	        "spf_temperror_action = defer\n", 1, "not accept or tempfail");
	expect_error("symbol_weights = spf_fail=1\n", 1, "is not NAME=WEIGHT");
	expect_error("symbol_weights = SPF_FAIL=x\n", 1, "is not a weight");
	expect_error("symbol_weights = SPF_FAIL=1 SPF_FAIL=2\n", 1,
	        "SPF_FAIL is given twice");
	expect_error("symbol_weights = SPF_FAIL=5000\n", 1, "within +-1000");
	expect_error("authserv_id = a;b\n", 1, "is not a host name");
	expect_error("spf_temperror_reply = 550 5.7.1 no\n", 1, "");
}

static void test_dns_checks_across_options(void **state)
{
	/* c-ares doubles the timeout each round: 3 tries of 1s take 7s */
	struct conf *c = load_ok("dns_timeout = 1s\ndns_tries = 3\n"
	                         "message_deadline = 7s\n");

	conf_free(c);
	expect_error("dns_timeout = 1s\ndns_tries = 3\nmessage_deadline = 6s\n",
	        3,
	        "dns_timeout (1000ms) with dns_tries (3) waits up to 7000ms, "
	        "above message_deadline (6000ms)");
	expect_error("dns_cache_max_ttl = 10\n", 1,
	        "dns_cache_min_ttl (30s) is above dns_cache_max_ttl (10s)");
	expect_error("observe_queue = 10\n", 1,
	        "observe_batch (10000) is above observe_queue (10)");
}

static void test_dns_servers_are_checked_and_made_canonical(void **state)
{
	struct conf *c = load_ok("dns_servers = 192.0.2.1, "
	                         "[2001:DB8::1]:5353,127.0.0.1:5300  [::1]\n");

	assert_string_equal(c->dns_servers,
	        "192.0.2.1:53,[2001:db8::1]:5353,127.0.0.1:5300,[::1]:53");
	conf_free(c);
	expect_error("dns_servers = 2001:db8::1\n", 1,
	        "\"2001:db8::1\" is not ADDR, ADDR:PORT or [IPv6-ADDR]:PORT");
	expect_error("dns_servers = 192.0.2.1:0\n", 1, "is not ADDR");
	expect_error("dns_servers = 192.0.2.1:65536\n", 1, "is not ADDR");
	expect_error("dns_servers = 192.0.2.1:\n", 1, "is not ADDR");
	expect_error("dns_servers = ns.example\n", 1, "is not ADDR");
	expect_error("dns_servers = [::1\n", 1, "is not ADDR");
	expect_error("dns_servers = [::1]x\n", 1, "is not ADDR");
	expect_error("dns_servers = 192.0.2.300\n", 1, "is not ADDR");
	expect_error("dns_servers = 192.0.2.1, bad\n", 1, "\"bad\"");
	expect_error("dns_servers = 1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4 1.1.1.5 "
	             "1.1.1.6 1.1.1.7 1.1.1.8 1.1.1.9 1.1.1.10 1.1.1.11 "
	             "1.1.1.12 1.1.1.13 1.1.1.14 1.1.1.15 1.1.1.16 1.1.1.17\n",
	        1, "more than 16 servers");
}

static void test_dns_lists_are_parsed(void **state)
{
	struct conf *c = load_ok("dns_lists = zen.spamhaus.org*3, "
	                         "list.dnswl.org=127.0.[0..255].[2;3]*-5\n"
	                         "dns_domain_lists = dbl.example&0x04*4\n");

	assert_non_null(c->ip_lists);
	assert_int_equal(dnsl_zone_count(c->ip_lists), 2);
	assert_non_null(c->domain_lists);
	assert_int_equal(dnsl_zone_count(c->domain_lists), 1);
	conf_free(c);
	c = load_ok("dns_lists = \"\"\n");
	assert_null(c->ip_lists);
	conf_free(c);
}

static void test_bad_dns_lists_report_the_dnsl_error(void **state)
{
	static const char *const bad[] = {
	        "zen.spamhaus.org*x", "bl.example=127.0.0.300", "bad..zone"};
	char text[256], dnsl_err[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dnsl_set *set = NULL;

		dnsl_err[0] = '\0';
		assert_true(dnsl_parse(bad[i], DNSL_KIND_IP, &set, dnsl_err,
		                    sizeof(dnsl_err)) < 0);
		assert_true(dnsl_err[0] != '\0');
		snprintf(text, sizeof(text), "dns_tries = 2\ndns_lists = %s\n",
		        bad[i]);
		expect_error(text, 2, dnsl_err);
		snprintf(text, sizeof(text), "dns_domain_lists = %s\n", bad[i]);
		expect_error(text, 1, "dns_domain_lists: ");
	}
}

static void test_internal_networks_membership(void **state)
{
	struct conf *c = load_ok(
	        "internal_networks = 10.0.0.0/8, 192.0.2.128/25 "
	        "2001:db8:1::/48,198.51.100.7 ::ffff:203.0.113.0/120 ::/0\n");

	assert_int_equal(c->ninternal, 6);
	assert_true(internal(c, "10.255.1.2"));
	assert_false(internal(c, "11.0.0.1"));
	assert_true(internal(c, "192.0.2.200"));
	assert_false(internal(c, "192.0.2.127"));
	assert_true(internal(c, "198.51.100.7"));
	assert_false(internal(c, "198.51.100.8"));
	assert_true(internal(c, "2001:db8:1:ffff::1"));
	/* IPv4-mapped IPv6 clients match the IPv4 networks */
	assert_true(internal(c, "::ffff:10.1.2.3"));
	/* and a mapped network matches plain IPv4 clients */
	assert_true(internal(c, "203.0.113.9"));
	assert_false(internal(c, "203.0.114.9"));
	/* ::/0 holds every IPv6 address, but no IPv4 client */
	assert_true(internal(c, "2001:db8:2::1"));
	assert_false(internal(c, "8.8.8.8"));
	conf_free(c);
	c = load_ok("internal_networks = 2001:db8::/32\n");
	assert_false(internal(c, "::ffff:10.1.2.3"));
	assert_false(internal(c, "2001:db9::1"));
	conf_free(c);
	c = load_ok("internal_networks =\n");
	assert_int_equal(c->ninternal, 0);
	assert_false(internal(c, "127.0.0.1"));
	assert_false(conf_is_internal(
	        NULL, AF_INET, (const unsigned char *)"\x7f\0\0\x01"));
	conf_free(c);
}

static void test_bad_internal_networks_are_errors(void **state)
{
	char text[2048];
	size_t n;

	expect_error("internal_networks = 10.0.0.1/8\n", 1,
	        "\"10.0.0.1/8\" has host bits set (the network is 10.0.0.0/8)");
	expect_error("internal_networks = 2001:db8::1/32\n", 1,
	        "(the network is 2001:db8::/32)");
	expect_error("internal_networks = 10.0.0.0/33\n", 1,
	        "is not an address or ADDR/LEN");
	expect_error("internal_networks = 10.0.0.0/\n", 1, "is not an address");
	expect_error("internal_networks = 10.0.0/8\n", 1, "is not an address");
	expect_error(
	        "internal_networks = example.org\n", 1, "is not an address");
	n = (size_t)snprintf(text, sizeof(text), "internal_networks =");
	for (int i = 0; i <= CONF_NETS_MAX; i++)
		n += (size_t)snprintf(
		        text + n, sizeof(text) - n, " 10.%d.0.0/16", i);
	snprintf(text + n, sizeof(text) - n, "\n");
	expect_error(text, 1, "more than 64 networks");
}

static void test_socket_forms(void **state)
{
	static const char *const good[] = {"unix:/run/r.sock",
	        "local:/var/spool/postfix/repmilter/repmilter.sock",
	        "inet:8894@127.0.0.1", "inet:8894", "inet:8894@localhost",
	        "inet6:8894@::1"};
	static const char *const bad[] = {"inet:127.0.0.1:8894",
	        "unix:relative.sock", "/run/r.sock", "inet:0@127.0.0.1",
	        "inet:65536", "inet6:8894@bad_host", "inet:8894@",
	        /* longer than sun_path holds */
	        "unix:/x/"
	        "1234567890123456789012345678901234567890"
	        "1234567890123456789012345678901234567890"
	        "12345678901234567890123456.sock"};
	char text[512];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct conf *c;

		snprintf(text, sizeof(text), "socket = %s\n", good[i]);
		c = load_ok(text);
		assert_string_equal(c->socket, good[i]);
		conf_free(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "socket = %s\n", bad[i]);
		expect_error(text, 1, "socket: ");
	}
	expect_error(
	        "socket = inet:127.0.0.1:8894\n", 1, "inet:8894@127.0.0.1");
}

static void test_paths_users_facilities_and_levels(void **state)
{
	struct conf *c = load_ok("store = /srv/rep.mdb\npid_file =\n"
	                         "user = \"\"\nsyslog_facility = LOCAL5\n"
	                         "log_level = err\n");

	assert_string_equal(c->store, "/srv/rep.mdb");
	assert_string_equal(c->pid_file, "");
	assert_string_equal(c->user, "");
	assert_string_equal(c->syslog_facility, "local5");
	assert_int_equal(c->syslog_facility_value, LOG_LOCAL5);
	assert_int_equal(c->log_level, LOG_ERR);
	expect_printed(c, "log_level", "log_level = error");
	conf_free(c);
	expect_error("store = rep.mdb\n", 1,
	        "store: \"rep.mdb\" is not an "
	        "absolute path");
	expect_error("store =\n", 1, "store: ");
	expect_error("pid_file = run/x.pid\n", 1, "pid_file: ");
	expect_error("user = -root\n", 1, "is not a user name");
	expect_error("user = a b\n", 1, "is not a user name");
	expect_error("syslog_facility = kern\n", 1, "is not mail, daemon");
	expect_error("log_level = loud\n", 1, "is not error, warning");
}

static void test_replies_are_smtp_replies_of_the_right_class(void **state)
{
	struct conf *c = load_ok("reject_reply = 554 5.7.1 Go away\n"
	                         "tempfail_reply = 450 4.7.0 Later\n"
	                         "deny_reply = 550 5.7.1 Blocked, see %%\n");

	assert_string_equal(c->policy.reject.code, "554");
	assert_string_equal(c->policy.reject.xcode, "5.7.1");
	assert_string_equal(c->policy.reject.text, "Go away");
	assert_string_equal(c->policy.tempfail.code, "450");
	expect_printed(
	        c, "deny_reply", "deny_reply = 550 5.7.1 Blocked, see %%");
	conf_free(c);
	expect_error("tempfail_reply = 550 5.7.1 No\n", 1, "must be 4xx");
	expect_error("reject_reply = 451 4.7.1 No\n", 1, "must be 5xx");
	expect_error(
	        "reject_reply = 550 4.7.1 No\n", 1, "is not an SMTP reply");
	expect_error("deny_reply = rejected\n", 1, "is not an SMTP reply");
	expect_error(
	        "deny_reply = 550 5.7.1 100%\n", 1, "is not an SMTP reply");
}

static const char round_trip_text[] =
        "socket = inet:8894@127.0.0.1\n"
        "pid_file = \"\"\n"
        "user = \"\"\n"
        "syslog_facility = LOCAL3\n"
        "log_level = debug\n"
        "milter_timeout = 90\n"
        "store = /tmp/x/rep.mdb\n"
        "observe = no\n"
        "observe_queue = 1000\n"
        "observe_batch = 100\n"
        "observe_interval = 250ms\n"
        "reputation_weight = 0.1\n"
        "reputation_domain_weight = 2.25\n"
        "dns_servers = 192.0.2.53, [2001:db8::53]:5353\n"
        "dns_timeout = 750ms\n"
        "dns_tries = 3\n"
        "message_deadline = 20s\n"
        "dns_cache_size = 0\n"
        "dns_cache_min_ttl = 0\n"
        "dns_cache_max_ttl = 2d\n"
        "dns_lists = zen.spamhaus.org*3, bl.example=127.0.0.[2..4]*1.5 "
        "list.dnswl.org=127.0.[0..255].[2;3]*-5\n"
        "dns_domain_lists = dbl.example&0x04*4\n"
        "dns_probe_interval = 0\n"
        "add_header_score = 4.5\n"
        "tempfail_score = 8\n"
        "reject_score = off\n"
        "dns_allowlist_threshold = -2.5\n"
        "dry_run = yes\n"
        "skip_authenticated = no\n"
        "internal_networks = 10.0.0.0/8 192.168.0.0/16, 2001:db8::/32\n"
        "reject_reply = \"554 5.7.1 Spam #1, see "
        "\\\"https://example.org\\\"\"\n"
        "tempfail_reply = 450 4.7.1 Later\n"
        "deny_reply = 550 5.7.1 No\n";

/* reload - print c to a file and load that file */
static struct conf *reload(const struct conf *c, char **printed)
{
	struct conf *again = NULL;
	struct tmpconf t;
	char err[ERRLEN];

	*printed = print_str(c);
	tmp_write(&t, *printed, strlen(*printed));
	if (conf_load(t.path, &again, err, sizeof(err)) != 0)
		fail_msg("printed config does not load:\n%s\n---\n%s", err,
		        *printed);
	unlink(t.path);
	return again;
}

static void test_print_reads_back_to_the_same_config(void **state)
{
	struct conf *c = load_ok(round_trip_text), *again, *third;
	char *p1, *p2, *p3;

	again = reload(c, &p1);
	third = reload(again, &p2);
	p3 = print_str(third);
	assert_string_equal(p1, p2);
	assert_string_equal(p2, p3);
	assert_true(again->reputation_weight == 0.1);
	assert_true(isnan(again->policy.reject_score));
	assert_int_equal(again->ninternal, 3);
	assert_int_equal(
	        memcmp(again->internal, c->internal, sizeof(c->internal)), 0);
	assert_string_equal(again->policy.reject.text,
	        "Spam #1, see \"https://example.org\"");
	expect_printed(c, "milter_timeout", "milter_timeout = 90s");
	expect_printed(c, "dns_cache_max_ttl", "dns_cache_max_ttl = 2d");
	expect_printed(c, "observe_interval", "observe_interval = 250ms");
	expect_printed(c, "dns_servers",
	        "dns_servers = 192.0.2.53:53,[2001:db8::53]:5353");
	free(p1);
	free(p2);
	free(p3);
	conf_free(c);
	conf_free(again);
	conf_free(third);
}

static void test_defaults_print_in_table_order(void **state)
{
	char *s = default_print(), *p = s;
	unsigned i = 0;

	for (; p && *p; i++) {
		const char *name = conf_option_name(i);
		char *eol = strchr(p, '\n');

		assert_non_null(name);
		assert_int_equal(strncmp(p, name, strlen(name)), 0);
		assert_int_equal(strncmp(p + strlen(name), " = ", 3), 0);
		p = eol ? eol + 1 : NULL;
	}
	assert_int_equal(i, conf_option_count());
	assert_null(conf_option_name(conf_option_count()));
	free(s);
}

static void test_option_names_are_unique_keys(void **state)
{
	unsigned n = conf_option_count();

	assert_true(n >= 30);
	for (unsigned i = 0; i < n; i++) {
		const char *a = conf_option_name(i);

		assert_int_equal(
		        strspn(a, "abcdefghijklmnopqrstuvwxyz_"), strlen(a));
		for (unsigned j = i + 1; j < n; j++)
			assert_string_not_equal(a, conf_option_name(j));
	}
}

static void test_small_error_buffer_holds_whole_lines_only(void **state)
{
	struct tmpconf t;
	struct conf *c = NULL;
	char err[40];

	memset(err, 'x', sizeof(err));
	assert_int_equal(conf_load("/nonexistent", &c, NULL, 0), -1);
	tmp_write(&t, "a = 1\nb = 2\n", 12);
	assert_int_equal(conf_load(t.path, &c, err, sizeof(err)), -1);
	unlink(t.path);
	/* room for the first line only: it is there whole, the second not */
	assert_non_null(memchr(err, '\0', sizeof(err)));
	assert_true(
	        strlen(err) == 0 || strchr(err, '\n') == err + strlen(err) - 1);
	assert_null(c);
}

static void test_free_null_is_a_no_op(void **state)
{
	conf_free(NULL);
}

/* read_source - a file of the source tree, or NULL when there is none */
static char *read_source(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char path[1024], *buf;
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", rel);
	fp = fopen(path, "r");
	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* sample_key - the key of a sample line "key = v" or "#key = v" (a
 * commented default; prose comments start "# "), or 0 */
static size_t sample_key(const char *line, const char **key)
{
	size_t n;

	if (*line == '#')
		line++;
	n = strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789_");
	*key = line;
	if (n == 0 || line[n + strspn(line + n, " \t")] != '=')
		return 0;
	return n;
}

static void test_sample_file_lists_every_option_and_nothing_else(void **state)
{
	char *s = read_source("etc/repmilter.conf"), *line;
	unsigned n = conf_option_count(), *seen = calloc(n, sizeof(*seen));

	if (s == NULL)
		skip();
	for (line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		const char *key;
		size_t k = sample_key(line, &key);
		unsigned i;

		if (k == 0)
			continue;
		for (i = 0; i < n; i++)
			if (strlen(conf_option_name(i)) == k &&
			        strncmp(conf_option_name(i), key, k) == 0)
				break;
		if (i == n)
			fail_msg("etc/repmilter.conf: unknown key %.*s", (int)k,
			        key);
		seen[i]++;
	}
	for (unsigned i = 0; i < n; i++)
		if (seen[i] == 0)
			fail_msg("etc/repmilter.conf lacks %s",
			        conf_option_name(i));
	free(seen);
	free(s);
}

static void test_sample_file_loads_and_shows_the_defaults(void **state)
{
	char *s = read_source("etc/repmilter.conf"), *out, *p, *got, *want;
	struct conf *c;
	size_t n = 0;

	if (s == NULL)
		skip();
	/* as shipped: all commented out, so the defaults */
	c = load_ok(s);
	got = print_str(c);
	want = default_print();
	assert_string_equal(got, want);
	free(got);
	conf_free(c);
	/* uncommented: the values shown must be the defaults (but store,
	 * which the build decides) */
	out = calloc(1, strlen(s) + 1);
	for (p = strtok(s, "\n"); p; p = strtok(NULL, "\n")) {
		const char *key;

		if (p[0] == '#' && sample_key(p, &key) &&
		        strncmp(key, "store", 5) != 0)
			p++;
		n += (size_t)sprintf(out + n, "%s\n", p);
	}
	c = load_ok(out);
	got = print_str(c);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(out);
	conf_free(c);
	free(s);
}

static void test_man_page_documents_every_option(void **state)
{
	char *s = read_source("milter/repmilter.conf.5");
	char want[128];

	if (s == NULL)
		skip();
	for (unsigned i = 0; i < conf_option_count(); i++) {
		const char *name = conf_option_name(i);
		char *p;
		int found = 0;

		snprintf(want, sizeof(want), "\n.B %s", name);
		for (p = strstr(s, want); p && !found; p = strstr(p + 1, want))
			found = p[strlen(want)] == '\n';
		if (!found)
			fail_msg("repmilter.conf.5 has no \".B %s\" entry",
			        name);
	}
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_defaults_are_valid_and_documented_values),
	        cmocka_unit_test(test_empty_file_gives_the_defaults),
	        cmocka_unit_test(
	                test_comments_blank_lines_and_blanks_are_ignored),
	        cmocka_unit_test(test_crlf_line_endings_are_accepted),
	        cmocka_unit_test(test_last_line_without_newline_is_read),
	        cmocka_unit_test(
	                test_quoted_values_keep_blanks_hash_and_escapes),
	        cmocka_unit_test(test_bad_quoting_is_an_error),
	        cmocka_unit_test(test_syntax_errors_name_their_line),
	        cmocka_unit_test(test_unknown_key_is_an_error),
	        cmocka_unit_test(test_repeated_key_is_an_error),
	        cmocka_unit_test(test_every_error_is_reported_with_its_line),
	        cmocka_unit_test(
	                test_overlong_line_is_an_error_and_reading_goes_on),
	        cmocka_unit_test(test_line_at_the_limit_is_accepted),
	        cmocka_unit_test(test_nul_and_control_bytes_are_errors),
	        cmocka_unit_test(test_unreadable_file_is_an_error),
	        cmocka_unit_test(test_booleans_take_the_usual_spellings),
	        cmocka_unit_test(test_numbers_are_checked_against_their_bounds),
	        cmocka_unit_test(test_durations_take_units_and_bare_seconds),
	        cmocka_unit_test(test_thresholds_accept_off),
	        cmocka_unit_test(test_inverted_thresholds_are_refused),
	        cmocka_unit_test(test_allowlist_threshold_is_negative_or_off),
	        cmocka_unit_test(test_dns_checks_across_options),
	        cmocka_unit_test(test_sender_authentication_options),
	        cmocka_unit_test(
	                test_dns_servers_are_checked_and_made_canonical),
	        cmocka_unit_test(test_dns_lists_are_parsed),
	        cmocka_unit_test(test_bad_dns_lists_report_the_dnsl_error),
	        cmocka_unit_test(test_internal_networks_membership),
	        cmocka_unit_test(test_bad_internal_networks_are_errors),
	        cmocka_unit_test(test_socket_forms),
	        cmocka_unit_test(test_paths_users_facilities_and_levels),
	        cmocka_unit_test(
	                test_replies_are_smtp_replies_of_the_right_class),
	        cmocka_unit_test(test_print_reads_back_to_the_same_config),
	        cmocka_unit_test(test_defaults_print_in_table_order),
	        cmocka_unit_test(test_option_names_are_unique_keys),
	        cmocka_unit_test(
	                test_small_error_buffer_holds_whole_lines_only),
	        cmocka_unit_test(test_free_null_is_a_no_op),
	        cmocka_unit_test(
	                test_sample_file_lists_every_option_and_nothing_else),
	        cmocka_unit_test(test_sample_file_loads_and_shows_the_defaults),
	        cmocka_unit_test(test_man_page_documents_every_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
