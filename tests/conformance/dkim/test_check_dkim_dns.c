/*
 * test_check_dkim_dns.c - check_dkim as the milter runs it: its key source
 * over the real DNS layer (dns.h, c-ares) against a scripted server on
 * 127.0.0.1 (tests/lib/fakedns.h), and one verifier shared by worker
 * threads.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opendkim/dkim.h>

#include "check_dkim.h"
#include "dkim_fake.h"
#include "dkim_testenv.h"
#include "fakedns.h"

/* The scripted server's zone for the DNS-layer test. */
static const struct fakedns_row dns_zone[] = {
        {"good._domainkey.example.org", 0, FAKEDNS_TXT, 60, 0, 0, good_record},
        {"broken._domainkey.example.org", 0, FAKEDNS_SERVFAIL, 0, 0, 0, NULL},
        {"slow._domainkey.example.org", 0, FAKEDNS_DROP, 0, 0, 0, NULL},
};

/* dns_verify - sign with `sel`, verify through the real DNS layer */
static void dns_verify(struct env *e, const char *sel, int64_t budget_ms)
{
	char *msg = sign(base_msg, KEY1024, sel, "example.org",
	        DKIM_SIGN_RSASHA256, DKIM_CANON_RELAXED);

	verify_chunked(e, msg, 65535, dns_now_ms() + budget_ms);
	free(msg);
}

static void test_dns_layer_serves_the_keys(void **state)
{
	struct fakedns *srv = fakedns_start(dns_zone, 3);
	struct dns_opts o = {.timeout_ms = 300, .tries = 1};
	struct dns_resolver *r = NULL;
	struct check_dkim_opts ko = {.keys = &check_dkim_keys_dns};
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(srv);
	assert_non_null(e);
	o.servers = fakedns_servers(srv);
	assert_int_equal(dns_resolver_new(&o, &r), 0);
	ko.keys_ctx = r;
	assert_int_equal(check_dkim_new(&ko, &e->dk), CHECK_DKIM_OK);
	dns_verify(e, "good", LATER_MS);
	assert_sig(e, 0, CHECK_DKIM_PASS, CHECK_DKIM_WHY_NONE);
	dns_verify(e, "broken", LATER_MS);
	assert_sig(e, 0, CHECK_DKIM_TEMPERROR, CHECK_DKIM_WHY_DNS);
	dns_verify(e, "absent", LATER_MS);
	assert_sig(e, 0, CHECK_DKIM_PERMERROR, CHECK_DKIM_WHY_NOKEY);
	dns_verify(e, "slow", 150);
	assert_sig(e, 0, CHECK_DKIM_TEMPERROR, CHECK_DKIM_WHY_TIMEOUT);
	assert_int_equal(e->r->timed_out, 1);
	check_dkim_msg_free(e->m);
	e->m = NULL;
	env_free(e); /* verifier before the resolver it uses */
	dns_resolver_free(r);
	fakedns_stop(srv);
}

/* verify_quietly - 1 if the message's one signature passes; no cmocka
 * assertion, so that it can run on other threads */
static int verify_quietly(struct check_dkim *dk, const char *smtp, size_t n)
{
	struct check_dkim_msg *m = NULL;
	const struct check_dkim_results *r;
	long body;
	int pass = 0;

	if (check_dkim_msg_new(dk, &m) != CHECK_DKIM_OK)
		return 0;
	body = fake_feed_headers(m, smtp, n);
	if (body >= 0 && check_dkim_msg_eoh(m) == CHECK_DKIM_OK &&
	        fake_feed_body(m, smtp + body, n - (size_t)body, 4096) == 0 &&
	        check_dkim_msg_eom(m, dns_now_ms() + LATER_MS, &r) ==
	                CHECK_DKIM_OK)
		pass = r->n == 1 && r->sig[0].result == CHECK_DKIM_PASS;
	check_dkim_msg_free(m);
	return pass;
}

struct worker {
	struct check_dkim *dk;
	const char *smtp;
	size_t n;
	int passes;
};

/* worker - one libmilter worker thread's share of the messages */
static void *worker(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 50; i++)
		w->passes += verify_quietly(w->dk, w->smtp, w->n);
	return NULL;
}

static void test_one_verifier_serves_many_threads(void **state)
{
	struct env *e = env_new();
	char *msg = sign_good(base_msg), *smtp;
	size_t n;
	pthread_t th[4];
	struct worker w[4];

	smtp = fake_smtp_form(msg, strlen(msg), &n);
	assert_non_null(smtp);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){e->dk, smtp, n, 0};
		assert_int_equal(
		        pthread_create(&th[i], NULL, worker, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].passes, 50);
	}
	assert_int_equal(fake_keys_asked(e->keys), 200);
	free(smtp);
	free(msg);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_dns_layer_serves_the_keys),
	        cmocka_unit_test(test_one_verifier_serves_many_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
