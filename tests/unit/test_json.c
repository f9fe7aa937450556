/*
 * test_json.c - common/json: every string becomes a literal that parses.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

/* lit - json_escape's output for s */
static const char *lit(const char *s)
{
	static char buf[256];
	FILE *fp = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(fp);
	json_escape(fp, s);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static void test_plain_text_is_quoted(void **state)
{
	assert_string_equal(lit("abc 1.2.3.4/24"), "\"abc 1.2.3.4/24\"");
	assert_string_equal(lit(""), "\"\"");
	assert_string_equal(lit(NULL), "\"\"");
}

static void test_quotes_backslashes_and_controls_are_escaped(void **state)
{
	assert_string_equal(lit("a\"b\\c"), "\"a\\\"b\\\\c\"");
	assert_string_equal(lit("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
	assert_string_equal(lit("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
}

static void test_valid_utf8_passes_invalid_bytes_are_escaped(void **state)
{
	/* é, €, U+1F600 */
	assert_string_equal(lit("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
	        "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* a lone continuation byte, an overlong '/', a surrogate, a
	 * truncated sequence at the end */
	assert_string_equal(lit("\x80"), "\"\\u0080\"");
	assert_string_equal(lit("\xc0\xaf"), "\"\\u00c0\\u00af\"");
	assert_string_equal(lit("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");
	assert_string_equal(lit("ok\xe2\x82"), "\"ok\\u00e2\\u0082\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_plain_text_is_quoted),
	        cmocka_unit_test(
	                test_quotes_backslashes_and_controls_are_escaped),
	        cmocka_unit_test(
	                test_valid_utf8_passes_invalid_bytes_are_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
