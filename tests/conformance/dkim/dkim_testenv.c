/* dkim_testenv.c - shared set-up of the cmocka DKIM tests (dkim_testenv.h) */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opendkim/dkim.h>

#include "dkim_testenv.h"

const char good_record[] =
        "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC4GUGr+d/6SF"
        "NzVLYpphnRd0QPGKz2uWnV65RAxa1Pw352BqizqiKOBjgYGzj8pJQSs8tOvv/2k6jpI8"
        "09RnESqOFgF0gu3UJbNnu3+cd8k/kiQj+q4cKKRpAT92ccxc7svhCNgN1sBGmROYZuys"
        "G3Vu3Dyc079gSLtnSrgXb+gQIDAQAB";

const char base_msg[] = "From: Alice <alice@example.org>\r\n"
                        "To: bob@example.com\r\n"
                        "Subject: a folded\r\n"
                        "  subject  line\r\n"
                        "Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"
                        "Message-ID: <1@example.org>\r\n"
                        "\r\n"
                        "Hello Bob.  \r\n"
                        "\r\n"
                        "Trailing space and empty lines follow. \r\n"
                        "\r\n"
                        "\r\n";

/* data_path - a file of the test data directory (static buffer) */
const char *data_path(const char *rel)
{
	static char buf[1024];

	assert_int_equal(fake_data_path(rel, buf, sizeof(buf)), 0);
	return buf;
}

/* sign - prepend a DKIM-Signature made by libopendkim; a malloc'd copy */
char *sign(const char *msg, const char *keyfile, const char *sel,
        const char *domain, int alg, int canon)
{
	char *out = fake_sign(msg, data_path(keyfile), sel, domain, alg, canon);

	assert_non_null(out);
	return out;
}

/* sign_good - the common case: example.org, selector good, relaxed */
char *sign_good(const char *msg)
{
	return sign(msg, KEY1024, "good", "example.org", DKIM_SIGN_RSASHA256,
	        DKIM_CANON_RELAXED);
}

/* env_new - the unit keys and a verifier with default options */
struct env *env_new(void)
{
	return env_script(NULL, FAKE_TXT, NULL, 0);
}

/* env_free - message, verifier, keys */
void env_free(struct env *e)
{
	check_dkim_msg_free(e->m);
	check_dkim_free(e->dk);
	fake_keys_free(e->keys);
	free(e);
}

/* start - a new message with `text`'s header fields fed; the body offset */
size_t start(struct env *e, const char *text, char **smtp, size_t *n)
{
	long body;

	*smtp = fake_smtp_form(text, strlen(text), n);
	assert_non_null(*smtp);
	check_dkim_msg_free(e->m);
	e->m = NULL;
	assert_int_equal(check_dkim_msg_new(e->dk, &e->m), CHECK_DKIM_OK);
	body = fake_feed_headers(e->m, *smtp, *n);
	assert_true(body >= 0);
	return (size_t)body;
}

/* verify_chunked - the whole flow; e->r holds the results */
void verify_chunked(
        struct env *e, const char *text, size_t chunk, int64_t deadline_ms)
{
	char *smtp;
	size_t n, body = start(e, text, &smtp, &n);

	assert_int_equal(check_dkim_msg_eoh(e->m), CHECK_DKIM_OK);
	assert_int_equal(fake_feed_body(e->m, smtp + body, n - body, chunk), 0);
	assert_int_equal(
	        check_dkim_msg_eom(e->m, deadline_ms, &e->r), CHECK_DKIM_OK);
	free(smtp);
}

/* verify - in libmilter's chunk size, with time to spare */
void verify(struct env *e, const char *text)
{
	verify_chunked(e, text, 65535, dns_now_ms() + LATER_MS);
}

/* assert_sig - result and reason of signature i */
void assert_sig(const struct env *e, unsigned i, enum check_dkim_result result,
        enum check_dkim_why why)
{
	assert_true(i < e->r->n);
	assert_string_equal(check_dkim_result_name(e->r->sig[i].result),
	        check_dkim_result_name(result));
	assert_string_equal(check_dkim_why_name(e->r->sig[i].why),
	        check_dkim_why_name(why));
}

/* assert_symbol - the message's symbol */
void assert_symbol(const struct env *e, const char *sym, double w)
{
	double got = 99;

	assert_string_equal(check_dkim_symbol(e->r, &got), sym);
	assert_true(got == w);
}

/* env_script - the unit keys, but `name` (unless NULL) answers as
 * scripted; scripted names come first, so they win */
struct env *env_script(const char *name, enum fake_kind kind, const char *text,
        unsigned delay_ms)
{
	struct env *e = calloc(1, sizeof(*e));
	struct check_dkim_opts o = {.keys = &fake_keys_ops};

	assert_non_null(e);
	e->keys = fake_keys_new();
	assert_non_null(e->keys);
	if (name != NULL)
		assert_int_equal(
		        fake_keys_add(e->keys, name, kind, text, delay_ms), 0);
	assert_int_equal(
	        fake_keys_load(e->keys, data_path("keys/unit-keys.txt")), 0);
	o.keys_ctx = e->keys;
	assert_int_equal(check_dkim_new(&o, &e->dk), CHECK_DKIM_OK);
	return e;
}
