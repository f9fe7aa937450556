/* test_authres_id.c - the authserv-id reader of milter/authres.c: what
 * the milter uses to find, and remove, incoming headers that claim to be
 * ours */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "authres.h"

#define ID "mx.example.org"

/* expect_id - authres_authserv_id finds `id` in `value` */
static void expect_id(const char *value, const char *id)
{
	char out[AUTHRES_ID_MAX + 1];

	if (authres_authserv_id(value, out, sizeof out) != 0)
		fail_msg("no authserv-id in \"%s\"", value);
	assert_string_equal(out, id);
}

static void test_authserv_id_is_found_past_comments_and_versions(void **state)
{
	(void)state;
	expect_id(ID "; spf=pass", ID);
	expect_id("(comment) example.org 1; spf=pass", "example.org");
	expect_id("  \r\n\t(a (nested \\) one) b)\n (c)" ID "(d);none", ID);
	expect_id(ID, ID);
	expect_id(ID "  ", ID);
	expect_id(ID " 1 (version); none", ID);
	expect_id(ID " foo = = bar;", ID);
	expect_id("\"" ID "\"; none", ID);
	expect_id("\"m\\x.ex\r\n\tample\"; none", "mx.ex\tample");
	expect_id(ID "/x; none", ID);
}

static void test_microsoft_order_finds_the_lone_element(void **state)
{
	(void)state;
	expect_id("spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=a.example;"
	          " " ID "; dkim=pass header.d=a.example",
	        ID);
	expect_id("dkim/1=pass (a; b) header.d=\"x;y\"; (c) " ID " ; x=y", ID);
}

static void test_garbage_has_no_authserv_id(void **state)
{
	static const char *const bad[] = {"", "   ", "\r\n\t", "(only comment)",
	        "(unterminated " ID ";", "\"unterminated", "; spf=pass", "=x",
	        "spf=pass; dkim=pass", "spf=pass", "\\" ID, "(x\\"};
	char out[16] = "untouched";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(authres_authserv_id(bad[i], out, sizeof out),
		        AUTHRES_ESYNTAX);
		assert_false(authres_is_ours(bad[i], ID));
	}
	assert_string_equal(out, "untouched");
}

static void test_id_longer_than_the_buffer_is_enospc(void **state)
{
	char out[8] = "keep";

	(void)state;
	assert_int_equal(authres_authserv_id(ID "; none", out, sizeof out),
	        AUTHRES_ENOSPC);
	assert_string_equal(out, "keep");
	assert_int_equal(
	        authres_authserv_id("abcdefg; none", out, sizeof out), 0);
	assert_string_equal(out, "abcdefg");
}

static void test_ours_ignores_case_and_a_trailing_dot(void **state)
{
	char longid[400];

	(void)state;
	assert_true(authres_id_equal("MX.Example.ORG", ID));
	assert_true(authres_id_equal(ID ".", ID));
	assert_false(authres_id_equal(ID "..", ID));
	assert_false(authres_id_equal("mx.example.or", ID));
	assert_true(authres_is_ours("MX.EXAMPLE.ORG.; spf=pass", ID));
	assert_true(authres_is_ours("(x) \"mx.example.org\" 1; none", ID));
	assert_true(authres_is_ours("spf=pass; mx.example.org; dkim=fail", ID));
	assert_true(authres_is_ours(ID "=pass; other.example; none", ID));
	assert_true(authres_is_ours(ID " (unterminated", ID));
	assert_false(authres_is_ours("spf=pass; other.example; " ID, ID));
	assert_false(authres_is_ours("(" ID ") other.example; none", ID));
	assert_false(authres_is_ours("other.example; spf=pass "
	                             "smtp.mailfrom=" ID,
	        ID));
	memset(longid, 'a', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	assert_false(authres_is_ours(longid, ID));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_authserv_id_is_found_past_comments_and_versions),
	        cmocka_unit_test(test_microsoft_order_finds_the_lone_element),
	        cmocka_unit_test(test_garbage_has_no_authserv_id),
	        cmocka_unit_test(test_id_longer_than_the_buffer_is_enospc),
	        cmocka_unit_test(test_ours_ignores_case_and_a_trailing_dot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
