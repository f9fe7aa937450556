/*
 * test_dmarc_dns.c - the DMARC check with the backend the milter uses
 * (dmarc_dns_batch_ops on milter/dns.h) against a scripted DNS server on
 * 127.0.0.1: records at the From domain, the fallback to the
 * organisational domain, multi-string TXT records, SERVFAIL, and a server
 * that never answers (the deadline bounds the wait). The server is
 * tests/lib/fakedns.h; every answer here fits in 512 octets, so all goes
 * over UDP. Nothing leaves 127.0.0.0/8.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "check_dmarc.h"
#include "dns.h"
#include "fakedns.h"
#include "orgdom.h"

/* The test zone (tests/lib/fakedns.h). TXT data: records separated by
 * '\n', the character-strings of one record by '|'. */
static const struct fakedns_row zone[] = {
        {"_dmarc.example.test", 0, FAKEDNS_TXT, 60, 0, 0,
                "v=DMARC1; |p=reject\nv=spf1 -all"},
        {"_dmarc.a.example.test", 0, FAKEDNS_NXDOMAIN, 0, 0, 0, NULL},
        {"_dmarc.none.test", 0, FAKEDNS_NXDOMAIN, 0, 0, 0, NULL},
        {"_dmarc.sub.org.test", 0, FAKEDNS_TXT, 60, 0, 0, "unrelated"},
        {"_dmarc.org.test", 0, FAKEDNS_TXT, 60, 0, 0,
                "v=DMARC1; p=none; sp=quarantine"},
        {"_dmarc.broken.test", 0, FAKEDNS_SERVFAIL, 0, 0, 0, NULL},
        {"_dmarc.silent.test", 0, FAKEDNS_DROP, 0, 0, 0, NULL},
};

static struct orgdom *psl;

struct fixture {
	struct fakedns *srv;
	struct dns_resolver *r;
	struct dmarc_dns_batch b;
};

/* fixture_new - server, resolver (no cache) and a backend on it */
static int fixture_new(void **state)
{
	static struct fixture f;
	struct dns_opts o = {.timeout_ms = 2000, .tries = 1};

	f.srv = fakedns_start(zone, sizeof(zone) / sizeof(*zone));
	assert_non_null(f.srv);
	o.servers = fakedns_servers(f.srv);
	assert_int_equal(dns_resolver_new(&o, &f.r), DNS_OK);
	dmarc_dns_batch_init(&f.b, f.r);
	*state = &f;
	return 0;
}

static int fixture_free(void **state)
{
	struct fixture *f = *state;

	dmarc_dns_batch_reset(&f->b);
	dns_resolver_free(f->r);
	fakedns_stop(f->srv);
	return 0;
}

/* run - the check on `from` with an SPF pass for `spf_domain` */
static void run(struct fixture *f, const char *from, const char *spf_domain,
        int64_t wait_ms, struct dmarc_result *out)
{
	struct dmarc_input in = {DMARC_AUTH_PASS, spf_domain, NULL, 0, 0};

	dmarc_dns_batch_reset(&f->b);
	check_dmarc_run(psl, &dmarc_dns_batch_ops, &f->b, from, &in,
	        dns_now_ms() + wait_ms, out);
}

static void test_record_in_several_strings_is_joined(void **state)
{
	struct dmarc_result r;

	run(*state, "example.test", "other.test", 2000, &r);
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
	assert_int_equal(r.policy, DMARC_POLICY_REJECT);
	assert_int_equal(r.from_org, 0);
	run(*state, "example.test", "example.test", 2000, &r);
	assert_int_equal(r.status, DMARC_RESULT_PASS);
}

static void test_nxdomain_falls_back_to_the_org(void **state)
{
	struct dmarc_result r;

	run(*state, "a.example.test", "other.test", 2000, &r);
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
	assert_int_equal(r.from_org, 1);
	assert_int_equal(r.policy, DMARC_POLICY_REJECT);
	run(*state, "sub.org.test", "other.test", 2000, &r);
	assert_int_equal(r.from_org, 1);
	assert_int_equal(r.policy, DMARC_POLICY_QUARANTINE);
	run(*state, "none.test", "other.test", 2000, &r);
	assert_int_equal(r.status, DMARC_RESULT_NONE);
}

static void test_servfail_is_temperror(void **state)
{
	struct dmarc_result r;

	run(*state, "broken.test", "broken.test", 2000, &r);
	assert_int_equal(r.status, DMARC_RESULT_TEMPERROR);
	assert_int_equal(r.reason, DMARC_WHY_DNS);
}

static void test_silent_server_is_bounded_by_the_deadline(void **state)
{
	struct dmarc_result r;
	int64_t t0 = dns_now_ms();

	run(*state, "silent.test", "silent.test", 150, &r);
	assert_true(dns_now_ms() - t0 < 1000);
	assert_int_equal(r.status, DMARC_RESULT_TEMPERROR);
	assert_int_equal(r.late, 1);
}

static void test_backend_refuses_impossible_names(void **state)
{
	struct fixture *f = *state;
	char name[300];
	unsigned id;
	struct dmarc_txt_answer a;

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	dmarc_dns_batch_reset(&f->b);
	assert_int_equal(dmarc_dns_batch_ops.query(&f->b, name, &id),
	        CHECK_DMARC_E_NAME);
	/* an answer for a question never asked is a temporary failure */
	dmarc_dns_batch_ops.answer(&f->b, 7, dns_now_ms(), &a);
	assert_int_equal(a.status, DMARC_DNS_TEMP);
	dmarc_dns_batch_reset(&f->b);
	dmarc_dns_batch_ops.answer(&f->b, 0, dns_now_ms(), &a);
	assert_int_equal(a.status, DMARC_DNS_TEMP);
}

static int setup(void **state)
{
	return orgdom_open(NULL, &psl);
}

static int teardown(void **state)
{
	orgdom_close(psl);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_record_in_several_strings_is_joined, fixture_new,
	                fixture_free),
	        cmocka_unit_test_setup_teardown(
	                test_nxdomain_falls_back_to_the_org, fixture_new,
	                fixture_free),
	        cmocka_unit_test_setup_teardown(
	                test_servfail_is_temperror, fixture_new, fixture_free),
	        cmocka_unit_test_setup_teardown(
	                test_silent_server_is_bounded_by_the_deadline,
	                fixture_new, fixture_free),
	        cmocka_unit_test_setup_teardown(
	                test_backend_refuses_impossible_names, fixture_new,
	                fixture_free),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
