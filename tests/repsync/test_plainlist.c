/*
 * test_plainlist.c - plain lists (tools/plainlist.h): CIDR lists and
 * rbldnsd dataset bodies parsed whole into subjects, every short form
 * and range rbldnsd accepts, and bad lines reported at the right line
 * with the text at fault; limits and the callback's stop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plainlist.h"

#define OUT_MAX 8192

/* What a parse gave: the subjects' text forms, one per line. */
struct out {
	char text[OUT_MAX];
	size_t len, n;
	size_t stop_at; /* return 7 at this subject (1-based); 0: never */
};

/* collect - plainlist_fn appending the subject's text form */
static int collect(const struct rep_subject *s, void *arg)
{
	struct out *o = arg;
	char buf[REP_SUBJECT_TEXT_MAX];

	rep_subject_format(s, buf, sizeof buf);
	o->len += (size_t)snprintf(
	        o->text + o->len, OUT_MAX - o->len, "%s ", buf);
	assert_true(o->len < OUT_MAX);
	if (++o->n == o->stop_at)
		return 7;
	return 0;
}

/* parse - parse a text; *o receives the subjects, *e where it stopped */
static int parse(enum plainlist_format fmt, const char *text, struct out *o,
        struct plainlist_error *e)
{
	memset(o, 0, sizeof(*o));
	return plainlist_parse(text, strlen(text), fmt, NULL, collect, o, e);
}

/* parses_to - the text parses and gives exactly `want` */
static void parses_to(
        enum plainlist_format fmt, const char *text, const char *want)
{
	struct plainlist_error e;
	struct out o;
	int rc = parse(fmt, text, &o, &e);

	if (rc != 0)
		fail_msg("%s: line %lu: %s: %s", text, e.line, e.token,
		        e.error ? e.error : "?");
	assert_string_equal(o.text, want);
}

/* fails_at - the text fails at line `line` with `msg`, naming `token` */
static void fails_at(enum plainlist_format fmt, const char *text, int err,
        unsigned long line, const char *token, const char *msg)
{
	struct plainlist_error e;
	struct out o;

	assert_int_equal(parse(fmt, text, &o, &e), err);
	assert_int_equal(e.line, line);
	assert_string_equal(e.token, token);
	assert_non_null(e.error);
	if (strstr(e.error, msg) == NULL)
		fail_msg("'%s' does not say '%s'", e.error, msg);
}

/* ---- CIDR lists ---- */

static void test_cidr_list_with_comments_and_blanks(void **state)
{
	(void)state;
	parses_to(PLAINLIST_CIDR,
	        "# a CIDR list\n"
	        "1.2.3.4\n"
	        "81.2.69.0/24   # a whole net\n"
	        "\n"
	        "   \t\n"
	        "  2a00:1450::/32\r\n"
	        "2a00:1450::1\n"
	        "::ffff:1.2.3.5\n"
	        "81.2.70.0/24",
	        "1.2.3.4 81.2.69.0/24 2a00:1450::/32 2a00:1450::1 1.2.3.5 "
	        "81.2.70.0/24 ");
}

static void test_cidr_empty_and_comment_only_lists(void **state)
{
	struct out o;

	(void)state;
	parses_to(PLAINLIST_CIDR, "", "");
	parses_to(PLAINLIST_CIDR, "# nothing\n\n# here\n", "");
	memset(&o, 0, sizeof o);
	assert_int_equal(plainlist_parse(NULL, 0, PLAINLIST_CIDR, NULL, collect,
	                         &o, NULL),
	        0);
}

static void test_cidr_errors_name_line_and_text(void **state)
{
	(void)state;
	fails_at(PLAINLIST_CIDR, "1.2.3.4\n# c\nnot-an-address\n1.2.3.5\n",
	        PLAINLIST_E_SYNTAX, 3, "not-an-address", "not an IPv4");
	fails_at(PLAINLIST_CIDR, "1.2.3.4\n81.2.69.1/24\n", PLAINLIST_E_SYNTAX,
	        2, "81.2.69.1/24", "host bits set");
	fails_at(PLAINLIST_CIDR, "1.2.3.4 5.6.7.8\n", PLAINLIST_E_SYNTAX, 1,
	        "5.6.7.8", "unexpected text after the address");
	fails_at(PLAINLIST_CIDR, "\n\n\n\n1.2.3.4/33\n", PLAINLIST_E_SYNTAX, 5,
	        "1.2.3.4/33", "bad prefix length");
	fails_at(PLAINLIST_CIDR, "1.2.3\n", PLAINLIST_E_SYNTAX, 1, "1.2.3",
	        "not an IPv4");
	fails_at(PLAINLIST_CIDR, "1.2.3.256\n", PLAINLIST_E_SYNTAX, 1,
	        "1.2.3.256", "not an IPv4");
	fails_at(PLAINLIST_CIDR, "1.2.3.4\n2a00:1450::1/129\n",
	        PLAINLIST_E_SYNTAX, 2, "2a00:1450::1/129", "");
	fails_at(PLAINLIST_CIDR, "example.com\n", PLAINLIST_E_SYNTAX, 1,
	        "example.com", "not an IPv4");
	fails_at(PLAINLIST_CIDR, "1.2.3.4\n198.51.100.", PLAINLIST_E_SYNTAX, 2,
	        "198.51.100.", "not an IPv4");
}

static void test_long_and_nul_lines_are_refused(void **state)
{
	char *text = malloc(PLAINLIST_LINE_MAX + 64);
	struct plainlist_error e;
	struct out o;

	(void)state;
	assert_non_null(text);
	memcpy(text, "1.2.3.4\n", 8);
	memset(text + 8, '1', PLAINLIST_LINE_MAX + 1);
	text[8 + PLAINLIST_LINE_MAX + 1] = '\0';
	fails_at(PLAINLIST_CIDR, text, PLAINLIST_E_LINE, 2, "",
	        "line longer than 4096 bytes");
	/* a line of exactly the maximum is read (and is a bad entry,
	 * named by its start) */
	text[8 + PLAINLIST_LINE_MAX] = '\0';
	assert_int_equal(
	        parse(PLAINLIST_CIDR, text, &o, &e), PLAINLIST_E_SYNTAX);
	assert_int_equal(e.line, 2);
	assert_int_equal(strlen(e.token), PLAINLIST_TOKEN_MAX - 1);
	assert_memory_equal(e.token + PLAINLIST_TOKEN_MAX - 4, "...", 4);
	memset(&o, 0, sizeof o);
	assert_int_equal(plainlist_parse("1.2.3.4\n1.2\0003.4\n",
	                         sizeof("1.2.3.4\n1.2\0003.4\n") - 1,
	                         PLAINLIST_CIDR, NULL, collect, &o, &e),
	        PLAINLIST_E_LINE);
	assert_int_equal(e.line, 2);
	assert_string_equal(e.error, "NUL byte in line");
	free(text);
}

/* ---- rbldnsd datasets ---- */

static void test_rbldnsd_ip4set_forms(void **state)
{
	(void)state;
	parses_to(PLAINLIST_RBLDNSD,
	        "$TTL 300\n"
	        "$SOA 0 ns.example. hostmaster.example. 0 1h 1h 1w 1h\n"
	        ":127.0.0.2:Listed, see http://example.com/$\n"
	        "; a comment\n"
	        "# another\n"
	        "1.2.3.4\n"
	        "81.2\n"
	        "81.2.69\n"
	        "81.2.70.0-81.2.70.255\n"
	        "81.2.71.0-81.2.72.127 :3:with a value\n"
	        "81.3.0.0/16 # comment\n"
	        "81.4.0.1:3:a value without a blank\n"
	        "81.5.0.0/24;a comment without a blank\n"
	        "81.16-31\n"
	        "81.6.0.1-7\n",
	        "1.2.3.4 81.2.0.0/16 81.2.69.0/24 81.2.70.0/24 81.2.71.0/24 "
	        "81.2.72.0/25 81.3.0.0/16 81.4.0.1 81.5.0.0/24 81.16.0.0/12 "
	        "81.6.0.1 81.6.0.2/31 81.6.0.4/30 ");
}

static void test_rbldnsd_ip6_and_dnset_forms(void **state)
{
	(void)state;
	parses_to(PLAINLIST_RBLDNSD,
	        "2a00:1450:c000/36\n"
	        "2a00:1450:1:2\n"
	        "::1 # localhost\n"
	        "2a00:1450:ffff::/48:127.0.0.3:a value\n"
	        "2a00:1450::1\n"
	        ".example.com\n"
	        "*.example.org\n"
	        "spam.example.net\n"
	        "spam.example.info:127.0.0.2:value\n",
	        "2a00:1450:c000::/36 2a00:1450:1:2::/64 ::1 "
	        "2a00:1450:ffff::/48 2a00:1450::1 .example.com *.example.org "
	        "spam.example.net spam.example.info ");
}

static void test_rbldnsd_errors_name_line_and_text(void **state)
{
	(void)state;
	fails_at(PLAINLIST_RBLDNSD, "81.2.69.0/24\n!81.2.69.5\n",
	        PLAINLIST_E_SYNTAX, 2, "!81.2.69.5",
	        "exclusions are not supported");
	fails_at(PLAINLIST_RBLDNSD, "# x\n10.0.0.5-10.0.0.1\n",
	        PLAINLIST_E_SYNTAX, 2, "10.0.0.5-10.0.0.1",
	        "range ends before it starts");
	fails_at(PLAINLIST_RBLDNSD, "10.0.0.0-\n", PLAINLIST_E_SYNTAX, 1,
	        "10.0.0.0-", "bad IPv4 range");
	fails_at(PLAINLIST_RBLDNSD, "1.2.3.4\n1.2.3.4-1.2.3.4.5\n",
	        PLAINLIST_E_SYNTAX, 2, "1.2.3.4-1.2.3.4.5", "bad IPv4 range");
	fails_at(PLAINLIST_RBLDNSD, "\n\nex!mple value\n", PLAINLIST_E_SYNTAX,
	        3, "ex!mple", "");
	fails_at(
	        PLAINLIST_RBLDNSD, "a..b\n", PLAINLIST_E_SYNTAX, 1, "a..b", "");
	fails_at(PLAINLIST_RBLDNSD, "81.2.69.1/24\n", PLAINLIST_E_SYNTAX, 1,
	        "81.2.69.1/24", "host bits set");
	fails_at(PLAINLIST_RBLDNSD, "2a00:1450::/200\n", PLAINLIST_E_SYNTAX, 1,
	        "2a00:1450::/200", "bad prefix length");
}

static void test_widest_range_fits_one_line(void **state)
{
	struct out o;

	(void)state;
	/* 0.0.0.1-255.255.255.254 needs 62 prefixes, the most any needs */
	assert_int_equal(
	        parse(PLAINLIST_RBLDNSD, "0.0.0.1-255.255.255.254\n", &o, NULL),
	        0);
	assert_int_equal(o.n, 62);
}

/* ---- limits and the callback ---- */

static void test_limits_stop_the_parse(void **state)
{
	struct plainlist_limits lim = {.max_lines = 3};
	const char *text = "1.2.3.4\n1.2.3.5\n# c\n1.2.3.6\n";
	struct plainlist_error e;
	struct out o;

	(void)state;
	memset(&o, 0, sizeof o);
	assert_int_equal(plainlist_parse(text, strlen(text), PLAINLIST_CIDR,
	                         &lim, collect, &o, &e),
	        PLAINLIST_E_LIMIT);
	assert_int_equal(e.line, 4);
	assert_string_equal(e.error, "more lines than allowed");
	lim.max_lines = 4;
	memset(&o, 0, sizeof o);
	assert_int_equal(plainlist_parse(text, strlen(text), PLAINLIST_CIDR,
	                         &lim, collect, &o, &e),
	        0);
	lim.max_entries = 2;
	memset(&o, 0, sizeof o);
	assert_int_equal(plainlist_parse(text, strlen(text), PLAINLIST_CIDR,
	                         &lim, collect, &o, &e),
	        PLAINLIST_E_LIMIT);
	assert_int_equal(e.line, 4);
	assert_string_equal(e.error, "more entries than allowed");
	assert_int_equal(o.n, 2);
	text = "81.2.69.1-81.2.69.4\n"; /* three prefixes */
	memset(&o, 0, sizeof o);
	assert_int_equal(plainlist_parse(text, strlen(text), PLAINLIST_RBLDNSD,
	                         &lim, collect, &o, &e),
	        PLAINLIST_E_LIMIT);
	assert_int_equal(o.n, 2);
}

static void test_callback_stops_the_parse(void **state)
{
	const char *text = "1.2.3.4\n1.2.3.5\n1.2.3.6\n";
	struct plainlist_error e;
	struct out o;

	(void)state;
	memset(&o, 0, sizeof o);
	o.stop_at = 2;
	assert_int_equal(plainlist_parse(text, strlen(text), PLAINLIST_CIDR,
	                         NULL, collect, &o, &e),
	        7);
	assert_int_equal(e.line, 2);
	assert_null(e.error);
	assert_int_equal(o.n, 2);
}

static void test_bad_arguments_are_refused(void **state)
{
	struct plainlist_line *l = malloc(sizeof(*l));
	struct out o;

	(void)state;
	assert_non_null(l);
	assert_int_equal(plainlist_parse(NULL, 3, PLAINLIST_CIDR, NULL, collect,
	                         &o, NULL),
	        PLAINLIST_E_INVAL);
	assert_int_equal(
	        plainlist_parse("x", 1, PLAINLIST_CIDR, NULL, NULL, &o, NULL),
	        PLAINLIST_E_INVAL);
	assert_int_equal(plainlist_parse("x", 1, (enum plainlist_format)9, NULL,
	                         collect, &o, NULL),
	        PLAINLIST_E_INVAL);
	assert_int_equal(plainlist_parse_line(PLAINLIST_CIDR, "x", 1, NULL),
	        PLAINLIST_E_INVAL);
	/* a reader that kept only the start of a long line */
	assert_int_equal(plainlist_parse_line(PLAINLIST_CIDR, "1.2.3.4",
	                         PLAINLIST_LINE_MAX + 1, l),
	        PLAINLIST_E_LINE);
	assert_int_equal(
	        plainlist_parse_line(PLAINLIST_RBLDNSD, "1.2.3.4 junk", 7, l),
	        0);
	assert_int_equal(l->n, 1);
	free(l);
}

static void test_formats_and_errors_have_names(void **state)
{
	int err;

	(void)state;
	assert_int_equal(plainlist_format_parse("cidr"), PLAINLIST_CIDR);
	assert_int_equal(plainlist_format_parse("rbldnsd"), PLAINLIST_RBLDNSD);
	assert_int_equal(plainlist_format_parse("csv"), PLAINLIST_E_INVAL);
	assert_int_equal(plainlist_format_parse(NULL), PLAINLIST_E_INVAL);
	assert_string_equal(plainlist_format_name(PLAINLIST_CIDR), "cidr");
	assert_string_equal(
	        plainlist_format_name(PLAINLIST_RBLDNSD), "rbldnsd");
	assert_string_equal(plainlist_format_name(0), "unknown");
	for (err = PLAINLIST_E_NOMEM; err <= 0; err++)
		assert_null(strstr(plainlist_strerror(err), "unknown"));
	assert_non_null(strstr(plainlist_strerror(-99), "unknown"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cidr_list_with_comments_and_blanks),
	        cmocka_unit_test(test_cidr_empty_and_comment_only_lists),
	        cmocka_unit_test(test_cidr_errors_name_line_and_text),
	        cmocka_unit_test(test_long_and_nul_lines_are_refused),
	        cmocka_unit_test(test_rbldnsd_ip4set_forms),
	        cmocka_unit_test(test_rbldnsd_ip6_and_dnset_forms),
	        cmocka_unit_test(test_rbldnsd_errors_name_line_and_text),
	        cmocka_unit_test(test_widest_range_fits_one_line),
	        cmocka_unit_test(test_limits_stop_the_parse),
	        cmocka_unit_test(test_callback_stops_the_parse),
	        cmocka_unit_test(test_bad_arguments_are_refused),
	        cmocka_unit_test(test_formats_and_errors_have_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
