/*
 * test_spf_dns.c - the SPF check with the backend the milter uses
 * (spf_dns_resolver_ops on milter/dns.h) against a scripted DNS server on
 * 127.0.0.1: a record with multi-string TXT, mx and include:, NXDOMAIN and
 * NODATA, a server that never answers (the deadline bounds the wait), and
 * an evaluation of more queries than one dns_batch holds. The server is
 * tests/lib/fakedns.h; every answer fits in 512 octets, so all goes over
 * UDP. Nothing leaves 127.0.0.0/8.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "check_spf.h"
#include "dns.h"
#include "fakedns.h"
#include "spf_dns.h"

/* The test zone (tests/lib/fakedns.h): a name with rows for other types
 * only gets NODATA. TXT strings of one record split at '|'. */
static const struct fakedns_row zone[] = {
        {"example.test", 16, FAKEDNS_TXT, 60, 0, 0,
                "v=spf1 a:host.example.test |mx include:inc.example.test -all"},
        {"host.example.test", 1, FAKEDNS_A, 60, 0, 0, "198.51.100.1"},
        {"example.test", 15, FAKEDNS_MX, 60, 0, 0, "10 mx1.example.test"},
        {"mx1.example.test", 1, FAKEDNS_A, 60, 0, 0, "198.51.100.2"},
        {"inc.example.test", 16, FAKEDNS_TXT, 60, 0, 0,
                "v=spf1 ip4:192.0.2.0/24 ?all"},
        {"aonly.test", 1, FAKEDNS_A, 60, 0, 0, "198.51.100.3"},
        {"silent.test", 16, FAKEDNS_TXT, 60, 0, 0, "v=spf1 a:drop.test -all"},
        {"drop.test", 0, FAKEDNS_DROP, 0, 0, 0, NULL},
        {"many.test", 16, FAKEDNS_TXT, 60, 0, 0,
                "v=spf1 mx:m.test mx:m.test mx:m.test mx:m.test "
                "mx:m.test mx:m.test -all"},
        {"m.test", 15, FAKEDNS_MX, 60, 0, 0,
                "10 h0.test\n10 h1.test\n10 h2.test\n10 h3.test\n"
                "10 h4.test\n10 h5.test\n10 h6.test\n10 h7.test\n"
                "10 h8.test\n10 h9.test"},
        {"h0.test", 1, FAKEDNS_A, 60, 0, 0, "198.51.100.10"},
        {"h5.test", 1, FAKEDNS_A, 60, 0, 0, "198.51.100.15"},
};

struct fixture {
	struct fakedns *srv;
	struct dns_resolver *r;
};

/* setup - a server on a free loopback port, a resolver without cache */
static int setup(void **state)
{
	static struct fixture f;
	struct dns_opts o = {.timeout_ms = 2000, .tries = 1};

	f.srv = fakedns_start(zone, sizeof(zone) / sizeof(*zone));
	assert_non_null(f.srv);
	o.servers = fakedns_servers(f.srv);
	assert_int_equal(dns_resolver_new(&o, &f.r), DNS_OK);
	*state = &f;
	return 0;
}

/* teardown - resolver, then server */
static int teardown(void **state)
{
	struct fixture *f = *state;

	dns_resolver_free(f->r);
	fakedns_stop(f->srv);
	return 0;
}

/* run - check_spf_run on the resolver for IPv4 client `ip` */
static struct check_spf_outcome run(
        struct fixture *f, const char *ip, const char *from, int64_t wait_ms)
{
	unsigned char addr[4];
	struct check_spf_request req = {.family = AF_INET,
	        .addr = addr,
	        .helo = "",
	        .mail_from = from,
	        .deadline_ms = dns_now_ms() + wait_ms};
	struct check_spf_outcome o;

	assert_int_equal(inet_pton(AF_INET, ip, addr), 1);
	assert_int_equal(
	        check_spf_run(&spf_dns_resolver_ops, f->r, &req, &o), 0);
	return o;
}

/* test_record_terms_and_include_are_resolved - a, mx, include: */
static void test_record_terms_and_include_are_resolved(void **state)
{
	struct check_spf_outcome o =
	        run(*state, "192.0.2.7", "u@example.test", 5000);

	assert_int_equal(o.mfrom.result, CHECK_SPF_PASS);
	assert_int_equal(o.mfrom.terms, 3);
	assert_int_equal(o.mfrom.queries, 5);
	o = run(*state, "198.51.100.2", "u@example.test", 5000);
	assert_int_equal(o.mfrom.result, CHECK_SPF_PASS);
	o = run(*state, "203.0.113.1", "u@example.test", 5000);
	assert_int_equal(o.mfrom.result, CHECK_SPF_FAIL);
}

/* test_nxdomain_and_nodata_are_none - no record at all */
static void test_nxdomain_and_nodata_are_none(void **state)
{
	assert_int_equal(
	        run(*state, "192.0.2.7", "u@nx.test", 5000).mfrom.result,
	        CHECK_SPF_NONE);
	assert_int_equal(
	        run(*state, "192.0.2.7", "u@aonly.test", 5000).mfrom.result,
	        CHECK_SPF_NONE);
}

/* test_silent_server_is_temperror_by_the_deadline - not the 2 s timeout */
static void test_silent_server_is_temperror_by_the_deadline(void **state)
{
	int64_t t0 = dns_now_ms();
	struct check_spf_outcome o =
	        run(*state, "192.0.2.7", "u@silent.test", 300);

	assert_int_equal(o.mfrom.result, CHECK_SPF_TEMPERROR);
	assert_string_equal(o.mfrom.reason, "deadline passed");
	assert_true(dns_now_ms() - t0 < 1500);
}

/* test_more_queries_than_a_batch_holds - 6 mx terms x 11 queries */
static void test_more_queries_than_a_batch_holds(void **state)
{
	struct check_spf_outcome o =
	        run(*state, "192.0.2.7", "u@many.test", 5000);

	assert_int_equal(o.mfrom.result, CHECK_SPF_FAIL);
	assert_int_equal(o.mfrom.terms, 6);
	assert_int_equal(o.mfrom.queries, 67);
	assert_true(o.mfrom.queries > DNS_BATCH_MAX);
	o = run(*state, "198.51.100.15", "u@many.test", 5000);
	assert_int_equal(o.mfrom.result, CHECK_SPF_PASS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_record_terms_and_include_are_resolved),
	        cmocka_unit_test(test_nxdomain_and_nodata_are_none),
	        cmocka_unit_test(
	                test_silent_server_is_temperror_by_the_deadline),
	        cmocka_unit_test(test_more_queries_than_a_batch_holds),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
