/*
 * test_check_dkim.c - check_dkim's behaviour on messages signed here by
 * libopendkim, with keys served by the fake key source (dkim_fake.c) or,
 * for the glue to the DNS layer, by a scripted DNS server on 127.0.0.1.
 *
 * Keys: keys/unit-keys.txt (the 1024-bit OpenDKIM test key under several
 * selectors, one with t=y, a 512-bit key, a revoked one); the private
 * halves are opendkim/test-private-key.pem and keys/rsa512.pem.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <opendkim/dkim.h>

#include "check_dkim.h"
#include "dkim_fake.h"
#include "dkim_testenv.h"

static void test_valid_signature_passes_and_names_its_domain(void **state)
{
	struct env *e = env_new();
	char *msg = sign(base_msg, KEY1024, "good", "Example.ORG",
	        DKIM_SIGN_RSASHA256, DKIM_CANON_SIMPLE);

	verify(e, msg);
	assert_int_equal(e->r->n, 1);
	assert_sig(e, 0, CHECK_DKIM_PASS, CHECK_DKIM_WHY_NONE);
	assert_string_equal(e->r->sig[0].domain, "example.org");
	assert_string_equal(e->r->sig[0].selector, "good");
	assert_string_equal(
	        check_dkim_alg_name(e->r->sig[0].alg), "rsa-sha256");
	assert_int_equal(e->r->sig[0].key_bits, 1024);
	assert_int_equal(e->r->sig[0].testing, 0);
	assert_int_equal(strlen(e->r->sig[0].b), 8);
	assert_int_equal(e->r->timed_out, 0);
	assert_symbol(e, CHECK_DKIM_SYM_VALID, CHECK_DKIM_W_VALID);
	free(msg);
	env_free(e);
}

static void test_valid_signature_next_to_malformed_ones_passes(void **state)
{
	struct env *e = env_new();
	char *good = sign_good(base_msg);
	char *msg = malloc(strlen(good) + 512);

	snprintf(msg, strlen(good) + 512, "%s%s%s%s",
	        "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=good; "
	        "b=AAAA\r\n",
	        "DKIM-Signature: this is not a tag list\r\n",
	        "DKIM-Signature: v=1; a=rsa-sha256; c=bogus/relaxed; "
	        "s=good;\r\n"
	        "\td=example.org; h=from; bh=AAAA; b=AAAA\r\n",
	        good);
	verify(e, msg);
	assert_int_equal(e->r->n, 4);
	assert_sig(e, 0, CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_SIGNATURE);
	assert_sig(e, 1, CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_SIGNATURE);
	assert_sig(e, 2, CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_SIGNATURE);
	assert_sig(e, 3, CHECK_DKIM_PASS, CHECK_DKIM_WHY_NONE);
	assert_symbol(e, CHECK_DKIM_SYM_VALID, CHECK_DKIM_W_VALID);
	free(good);
	free(msg);
	env_free(e);
}

/* long_body - a message with about 20 KiB of body of varied lines */
static char *long_body(void)
{
	size_t cap = 32768, n;
	char *msg = malloc(cap);

	assert_non_null(msg);
	n = (size_t)snprintf(msg, cap, "%.*s",
	        (int)(strstr(base_msg, "\r\n\r\n") - base_msg + 4), base_msg);
	for (int i = 0; n + 200 < cap - 10000; i++)
		n += (size_t)snprintf(msg + n, cap - n,
		        "line %d\t with  spaces %*s\r\n%s", i, i % 7, "",
		        i % 5 == 0 ? "\r\n" : "");
	snprintf(msg + n, cap - n, "\r\n\r\n");
	return msg;
}

static void test_body_split_in_small_chunks_passes(void **state)
{
	static const size_t chunks[] = {1, 2, 7, 1000, 65535};
	struct env *e = env_new();
	char *body = long_body();
	char *msg = sign_good(body);

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		verify_chunked(e, msg, chunks[i], dns_now_ms() + LATER_MS);
		assert_int_equal(e->r->n, 1);
		assert_sig(e, 0, CHECK_DKIM_PASS, CHECK_DKIM_WHY_NONE);
	}
	free(body);
	free(msg);
	env_free(e);
}

/* feed_raw - header fields by hand: name, value pairs, NULL ended */
static void feed_raw(struct env *e, const char *body, ...)
{
	va_list ap;
	const char *name;

	check_dkim_msg_free(e->m);
	assert_int_equal(check_dkim_msg_new(e->dk, &e->m), CHECK_DKIM_OK);
	va_start(ap, body);
	while ((name = va_arg(ap, const char *)) != NULL)
		assert_int_equal(check_dkim_msg_header(
		                         e->m, name, va_arg(ap, const char *)),
		        CHECK_DKIM_OK);
	va_end(ap);
	assert_int_equal(check_dkim_msg_eoh(e->m), CHECK_DKIM_OK);
	assert_int_equal(
	        check_dkim_msg_body(e->m, body, strlen(body)), CHECK_DKIM_OK);
	assert_int_equal(
	        check_dkim_msg_eom(e->m, dns_now_ms() + LATER_MS, &e->r),
	        CHECK_DKIM_OK);
}

static void test_header_values_keep_space_and_any_fold_form(void **state)
{
	struct env *e = env_new();
	char *msg = sign(base_msg, KEY1024, "good", "example.org",
	        DKIM_SIGN_RSASHA256, DKIM_CANON_SIMPLE);
	char *sig = strndup(msg + 15, strstr(msg, "\r\nFrom:") - msg - 15);
	const char *body = strstr(msg, "\r\n\r\n") + 4;
	const char *folds[] = {
	        " a folded\r\n  subject  line", " a folded\n  subject  line"};

	for (int i = 0; i < 2; i++) {
		feed_raw(e, body, "DKIM-Signature", sig, "From",
		        " Alice <alice@example.org>", "To", " bob@example.com",
		        "Subject", folds[i], "Date",
		        " Mon, 01 Jan 2024 00:00:00 +0000", "Message-ID",
		        " <1@example.org>", NULL);
		assert_sig(e, 0, CHECK_DKIM_PASS, CHECK_DKIM_WHY_NONE);
	}
	/* without SMFIP_HDR_LEADSPC the space is lost: simple canon fails */
	feed_raw(e, body, "DKIM-Signature", sig, "From",
	        "Alice <alice@example.org>", "To", "bob@example.com", "Subject",
	        "a folded\n  subject  line", "Date",
	        "Mon, 01 Jan 2024 00:00:00 +0000", "Message-ID",
	        "<1@example.org>", NULL);
	assert_sig(e, 0, CHECK_DKIM_FAIL, CHECK_DKIM_WHY_BADSIG);
	free(sig);
	free(msg);
	env_free(e);
}

static void test_512_bit_key_is_refused_by_policy(void **state)
{
	struct env *e = env_new();
	char *msg = sign(base_msg, KEY512, "small", "example.org",
	        DKIM_SIGN_RSASHA256, DKIM_CANON_RELAXED);

	verify(e, msg);
	assert_sig(e, 0, CHECK_DKIM_POLICY, CHECK_DKIM_WHY_KEYSIZE);
	assert_int_equal(e->r->sig[0].key_bits, 512);
	assert_symbol(e, CHECK_DKIM_SYM_INVALID, CHECK_DKIM_W_INVALID);
	free(msg);
	env_free(e);
}

/* altered - the same message with one body byte changed */
static char *altered(const char *msg)
{
	char *copy = strdup(msg), *p = strstr(copy, "Hello Bob");

	assert_non_null(p);
	p[0] = 'J';
	return copy;
}

static void test_testing_key_failure_is_not_held_against_message(void **state)
{
	struct env *e = env_new();
	char *msg = sign(base_msg, KEY1024, "testing", "example.org",
	        DKIM_SIGN_RSASHA256, DKIM_CANON_RELAXED);
	char *bad = altered(msg);

	verify(e, bad);
	assert_sig(e, 0, CHECK_DKIM_FAIL, CHECK_DKIM_WHY_BODYHASH);
	assert_int_equal(e->r->sig[0].testing, 1);
	assert_symbol(e, CHECK_DKIM_SYM_NONE, CHECK_DKIM_W_NONE);
	/* a pass under t=y is still a pass */
	verify(e, msg);
	assert_sig(e, 0, CHECK_DKIM_PASS, CHECK_DKIM_WHY_NONE);
	assert_int_equal(e->r->sig[0].testing, 1);
	assert_symbol(e, CHECK_DKIM_SYM_VALID, CHECK_DKIM_W_VALID);
	free(bad);
	free(msg);
	env_free(e);
}

static void test_altered_body_fails_and_counts_against(void **state)
{
	struct env *e = env_new();
	char *msg = sign_good(base_msg), *bad = altered(msg);

	verify(e, bad);
	assert_sig(e, 0, CHECK_DKIM_FAIL, CHECK_DKIM_WHY_BODYHASH);
	assert_symbol(e, CHECK_DKIM_SYM_INVALID, CHECK_DKIM_W_INVALID);
	free(bad);
	free(msg);
	env_free(e);
}

static void test_dns_servfail_is_temperror(void **state)
{
	struct env *e = env_script(
	        "good._domainkey.example.org", FAKE_SERVFAIL, NULL, 0);
	char *msg = sign_good(base_msg);

	verify(e, msg);
	assert_sig(e, 0, CHECK_DKIM_TEMPERROR, CHECK_DKIM_WHY_DNS);
	assert_int_equal(e->r->timed_out, 0);
	assert_symbol(e, CHECK_DKIM_SYM_TEMPERROR, CHECK_DKIM_W_TEMPERROR);
	free(msg);
	env_free(e);
}

static void test_key_that_never_answers_is_temperror_at_deadline(void **state)
{
	struct env *e =
	        env_script("good._domainkey.example.org", FAKE_SILENT, NULL, 0);
	char *msg = sign_good(base_msg);
	int64_t t0 = dns_now_ms(), took;

	verify_chunked(e, msg, 65535, t0 + 100);
	took = dns_now_ms() - t0;
	assert_sig(e, 0, CHECK_DKIM_TEMPERROR, CHECK_DKIM_WHY_TIMEOUT);
	assert_int_equal(e->r->timed_out, 1);
	assert_true(took >= 95 && took < 1000);
	free(msg);
	env_free(e);
}

static void test_key_lookups_overlap_the_body(void **state)
{
	struct env *e = env_script(
	        "good._domainkey.example.org", FAKE_TXT, good_record, 150);
	char *msg = sign_good(base_msg), *smtp;
	size_t n, body = start(e, msg, &smtp, &n);
	struct timespec body_time = {0, 200 * 1000000L};

	assert_int_equal(fake_keys_asked(e->keys), 0);
	assert_int_equal(check_dkim_msg_eoh(e->m), CHECK_DKIM_OK);
	assert_int_equal(fake_keys_asked(e->keys), 1);
	nanosleep(&body_time, NULL); /* the body takes its time to arrive */
	assert_int_equal(fake_feed_body(e->m, smtp + body, n - body, 100), 0);
	/* the answer came while the body arrived: no wait is left */
	assert_int_equal(check_dkim_msg_eom(e->m, dns_now_ms() + 20, &e->r),
	        CHECK_DKIM_OK);
	assert_sig(e, 0, CHECK_DKIM_PASS, CHECK_DKIM_WHY_NONE);
	free(smtp);
	free(msg);
	env_free(e);
}

/* stack - base_msg under n independent signatures by selectors s0..s(n-1)
 * (each added to the keys with the good key's record), after `bad`
 * malformed ones; independent, because a signature made over earlier
 * DKIM-Signature fields would sign fields past the cap */
static char *stack(struct env *e, unsigned n, unsigned bad)
{
	size_t cap = strlen(base_msg) + (n + bad + 1) * 1024, used = 0;
	char *msg = malloc(cap), sel[16], name[64];

	assert_non_null(msg);
	for (unsigned i = 0; i < bad; i++)
		used += (size_t)snprintf(msg + used, cap - used,
		        "DKIM-Signature: v=1; broken %u\r\n", i);
	for (unsigned i = 0; i < n; i++) {
		char *one;

		snprintf(sel, sizeof(sel), "s%u", i);
		snprintf(name, sizeof(name), "%s._domainkey.example.org", sel);
		assert_int_equal(
		        fake_keys_add(e->keys, name, FAKE_TXT, good_record, 0),
		        0);
		one = sign(base_msg, KEY1024, sel, "example.org",
		        DKIM_SIGN_RSASHA256, DKIM_CANON_RELAXED);
		used += (size_t)snprintf(msg + used, cap - used, "%.*s",
		        (int)(strstr(one, "\r\nFrom:") + 2 - one), one);
		free(one);
	}
	snprintf(msg + used, cap - used, "%s", base_msg);
	return msg;
}

static void test_many_signatures_are_capped(void **state)
{
	struct env *e = env_new();
	char *msg = stack(e, 20, 0);

	verify(e, msg);
	/* 16 fields reach the library, the first 8 are verified */
	assert_int_equal(e->r->n, CHECK_DKIM_VERIFY_MAX);
	assert_int_equal(e->r->skipped, 20 - CHECK_DKIM_VERIFY_MAX);
	assert_int_equal(fake_keys_asked(e->keys), CHECK_DKIM_VERIFY_MAX);
	for (unsigned i = 0; i < e->r->n; i++)
		assert_sig(e, i, CHECK_DKIM_PASS, CHECK_DKIM_WHY_NONE);
	free(msg);
	env_free(e);
}

static void test_malformed_signatures_do_not_use_up_the_cap(void **state)
{
	struct env *e = env_new();
	char *msg = stack(e, 1, 12);

	verify(e, msg);
	assert_int_equal(e->r->n, 13);
	assert_sig(e, 12, CHECK_DKIM_PASS, CHECK_DKIM_WHY_NONE);
	assert_symbol(e, CHECK_DKIM_SYM_VALID, CHECK_DKIM_W_VALID);
	free(msg);
	env_free(e);
}

static void test_rsa_sha1_is_permerror_without_key_lookup(void **state)
{
	struct env *e = env_new();
	char *msg = sign(base_msg, KEY1024, "good", "example.org",
	        DKIM_SIGN_RSASHA1, DKIM_CANON_RELAXED);

	verify(e, msg);
	assert_sig(e, 0, CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_SHA1);
	assert_int_equal(fake_keys_asked(e->keys), 0);
	assert_symbol(e, CHECK_DKIM_SYM_INVALID, CHECK_DKIM_W_INVALID);
	free(msg);
	env_free(e);
}

static void test_missing_and_revoked_keys(void **state)
{
	struct env *e = env_new();
	char *absent = sign(base_msg, KEY1024, "absent", "example.org",
	        DKIM_SIGN_RSASHA256, DKIM_CANON_RELAXED);
	char *revoked = sign(base_msg, KEY1024, "revoked", "example.org",
	        DKIM_SIGN_RSASHA256, DKIM_CANON_RELAXED);

	verify(e, absent);
	assert_sig(e, 0, CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_NOKEY);
	assert_symbol(e, CHECK_DKIM_SYM_NOKEY, CHECK_DKIM_W_NOKEY);
	verify(e, revoked);
	assert_sig(e, 0, CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_REVOKED);
	assert_symbol(e, CHECK_DKIM_SYM_INVALID, CHECK_DKIM_W_INVALID);
	free(absent);
	free(revoked);
	env_free(e);
}

static void test_repeated_from_is_not_verified(void **state)
{
	struct env *e = env_new();
	char *msg = sign_good(base_msg);
	char *two = malloc(strlen(msg) + 64), *eoh = strstr(msg, "\r\n\r\n");

	sprintf(two, "%.*s\r\nFrom: mallory@example.net%s", (int)(eoh - msg),
	        msg, eoh);
	verify(e, two);
	assert_sig(e, 0, CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_HEADERS);
	assert_int_equal(fake_keys_asked(e->keys), 0);
	free(two);
	free(msg);
	env_free(e);
}

static void test_unsigned_message_is_none(void **state)
{
	struct env *e = env_new();
	char *smtp;
	size_t n;

	(void)start(e, base_msg, &smtp, &n);
	assert_int_equal(check_dkim_msg_body_done(e->m), 0);
	assert_int_equal(check_dkim_msg_eoh(e->m), CHECK_DKIM_OK);
	assert_int_equal(check_dkim_msg_body_done(e->m), 1);
	assert_int_equal(
	        check_dkim_msg_eom(e->m, dns_now_ms(), &e->r), CHECK_DKIM_OK);
	assert_int_equal(e->r->n, 0);
	assert_symbol(e, CHECK_DKIM_SYM_NONE, CHECK_DKIM_W_NONE);
	free(smtp);
	env_free(e);
}

static void test_header_b_prefix_tells_signatures_apart(void **state)
{
	struct env *e = env_new();

	feed_raw(e, "x\r\n", "DKIM-Signature",
	        " v=1; a=rsa-sha256; "
	        "d=example.org; s=absent; h=from; bh=AAAA; b=ABCDEFGHIJ1xyz",
	        "DKIM-Signature",
	        " v=1; a=rsa-sha256; d=example.org; "
	        "s=absent; h=from; bh=AAAA; b=ABCDEFGHIJ2xyz",
	        "From", " a@example.org", NULL);
	assert_int_equal(e->r->n, 2);
	assert_string_equal(e->r->sig[0].b, "ABCDEFGHIJ1");
	assert_string_equal(e->r->sig[1].b, "ABCDEFGHIJ2");
	env_free(e);
}

/* hostile_values - DKIM-Signature values no signer would write */
static const char *const hostile_values[] = {
        "",
        " ;;;;",
        " =;=;=;v",
        " v=1; a=rsa-sha256; d=..; s=.; h=from; bh=AAAA; b=AAAA",
        " v=1; a=rsa-sha256; d=example.org; s=a b; h=from; bh=AAAA; b=AAAA",
        " v=1; a=rsa-sha256; d=example.org; s=\x01\xff; h=from; b=AAAA",
        " v=1; a=rsa-sha256; d=example.org; s=good; h=from; bh=; b=",
        " v=1; a=ed25519-sha256; d=example.org; s=good; l=99999999999999999"
        "9999; h=from; bh=AAAA; b=AAAA",
        " v=1; a=rsa-sha256; d=example.org; x=1; t=99999999999; h=from;"
        " bh=AAAA; b=AAAA",
        " v=1; a=rsa-sha256; d=example.org; h=from:from:from:from:from;"
        " s=good; bh=AAAA; b=!!!!",
};

/* long_label - s= whose name cannot exist in the DNS */
static char *long_selector(void)
{
	char *v = malloc(400);

	strcpy(v, " v=1; a=rsa-sha256; d=example.org; h=from; bh=AAAA; b=AAAA;"
	          " s=");
	memset(v + strlen(v), 'a', 300);
	v[60 + 300] = '\0';
	return v;
}

static void test_hostile_signatures_are_results_not_crashes(void **state)
{
	struct env *e = env_new();
	unsigned n = sizeof(hostile_values) / sizeof(hostile_values[0]);
	char *longsel = long_selector();

	assert_int_equal(check_dkim_msg_new(e->dk, &e->m), CHECK_DKIM_OK);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(check_dkim_msg_header(e->m, "DKIM-Signature",
		                         hostile_values[i]),
		        CHECK_DKIM_OK);
	assert_int_equal(check_dkim_msg_header(e->m, "DKIM-Signature", longsel),
	        CHECK_DKIM_OK);
	assert_int_equal(check_dkim_msg_header(e->m, "From", " a@example.org"),
	        CHECK_DKIM_OK);
	assert_int_equal(
	        check_dkim_msg_header(e->m, "X-Null", NULL), CHECK_DKIM_OK);
	assert_int_equal(check_dkim_msg_eoh(e->m), CHECK_DKIM_OK);
	assert_int_equal(
	        check_dkim_msg_body(e->m, "\r\n.\r\n\0\r\n", 7), CHECK_DKIM_OK);
	assert_int_equal(check_dkim_msg_eom(e->m, dns_now_ms() + 200, &e->r),
	        CHECK_DKIM_OK);
	assert_true(e->r->n >= 1 && e->r->n <= n + 1);
	for (unsigned i = 0; i < e->r->n; i++)
		assert_int_not_equal(e->r->sig[i].result, CHECK_DKIM_PASS);
	free(longsel);
	env_free(e);
}

static void test_oversized_header_block_is_not_verified(void **state)
{
	struct env *e = env_new();
	char *msg = sign_good(base_msg), *huge = malloc(300 * 1024);
	char *smtp;
	size_t n, body = start(e, msg, &smtp, &n);

	memset(huge, 'x', 300 * 1024 - 1);
	huge[300 * 1024 - 1] = '\0';
	assert_int_equal(
	        check_dkim_msg_header(e->m, "X-Huge", huge), CHECK_DKIM_OK);
	assert_int_equal(check_dkim_msg_eoh(e->m), CHECK_DKIM_OK);
	assert_int_equal(fake_feed_body(e->m, smtp + body, n - body, 512), 0);
	assert_int_equal(
	        check_dkim_msg_eom(e->m, dns_now_ms(), &e->r), CHECK_DKIM_OK);
	assert_sig(e, 0, CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_HEADERS);
	free(smtp);
	free(huge);
	free(msg);
	env_free(e);
}

static void test_calls_out_of_order_are_refused(void **state)
{
	struct env *e = env_new();
	const struct check_dkim_results *again;
	struct check_dkim_opts bad = {.keys = &fake_keys_ops, .keys_ctx = e->keys, .verify_max = 17};
	struct check_dkim *dk = NULL;

	assert_int_equal(check_dkim_new(&bad, &dk), CHECK_DKIM_E_INVAL);
	bad.verify_max = 0;
	bad.keys = NULL;
	assert_int_equal(check_dkim_new(&bad, &dk), CHECK_DKIM_E_INVAL);
	assert_null(dk);
	assert_int_equal(check_dkim_msg_new(e->dk, &e->m), CHECK_DKIM_OK);
	assert_int_equal(check_dkim_msg_body(e->m, "x", 1), CHECK_DKIM_E_STATE);
	assert_int_equal(check_dkim_msg_header(e->m, "DKIM-Signature",
	                         " v=1; d=example.org; s=good"),
	        CHECK_DKIM_OK);
	/* no end-of-headers: the signature seen is reported, unverified */
	assert_int_equal(
	        check_dkim_msg_eom(e->m, dns_now_ms(), &e->r), CHECK_DKIM_OK);
	assert_sig(e, 0, CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_HEADERS);
	assert_int_equal(
	        check_dkim_msg_eom(e->m, dns_now_ms(), &again), CHECK_DKIM_OK);
	assert_ptr_equal(again, e->r);
	assert_int_equal(check_dkim_msg_eoh(e->m), CHECK_DKIM_E_STATE);
	assert_int_equal(
	        check_dkim_msg_header(e->m, "To", " x"), CHECK_DKIM_E_STATE);
	assert_int_equal(check_dkim_msg_body(e->m, "x", 1), CHECK_DKIM_E_STATE);
	check_dkim_msg_free(NULL);
	check_dkim_free(NULL);
	assert_string_equal(
	        check_dkim_strerror(CHECK_DKIM_E_STATE), "call out of order");
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_valid_signature_passes_and_names_its_domain),
	        cmocka_unit_test(
	                test_valid_signature_next_to_malformed_ones_passes),
	        cmocka_unit_test(test_body_split_in_small_chunks_passes),
	        cmocka_unit_test(
	                test_header_values_keep_space_and_any_fold_form),
	        cmocka_unit_test(test_512_bit_key_is_refused_by_policy),
	        cmocka_unit_test(
	                test_testing_key_failure_is_not_held_against_message),
	        cmocka_unit_test(test_altered_body_fails_and_counts_against),
	        cmocka_unit_test(test_dns_servfail_is_temperror),
	        cmocka_unit_test(
	                test_key_that_never_answers_is_temperror_at_deadline),
	        cmocka_unit_test(test_key_lookups_overlap_the_body),
	        cmocka_unit_test(test_many_signatures_are_capped),
	        cmocka_unit_test(
	                test_malformed_signatures_do_not_use_up_the_cap),
	        cmocka_unit_test(test_rsa_sha1_is_permerror_without_key_lookup),
	        cmocka_unit_test(test_missing_and_revoked_keys),
	        cmocka_unit_test(test_repeated_from_is_not_verified),
	        cmocka_unit_test(test_unsigned_message_is_none),
	        cmocka_unit_test(test_header_b_prefix_tells_signatures_apart),
	        cmocka_unit_test(
	                test_hostile_signatures_are_results_not_crashes),
	        cmocka_unit_test(test_oversized_header_block_is_not_verified),
	        cmocka_unit_test(test_calls_out_of_order_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
