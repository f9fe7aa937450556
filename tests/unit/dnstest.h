/*
 * dnstest.h - what the resolver's tests share (test_dns.c,
 * test_dns_cache.c): the scripted zone, a responder per test, and the
 * helpers that ask it; and the tests test_dns_cache.c adds.
 */
#ifndef REP_DNSTEST_H
#define REP_DNSTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "fakedns.h"

#define WAIT_MS                                                                \
	5000 /* far beyond any answer: a test that waits this long             \
	        has failed anyway */

/* Every row answers every question type. */
static const struct fakedns_row zone[] = {
        {"a.test", 0, FAKEDNS_A, 300, 0, 0, "192.0.2.1 192.0.2.2"},
        {"aaaa.test", 0, FAKEDNS_AAAA, 120, 0, 0, "2001:db8::1"},
        {"txt.test", 0, FAKEDNS_TXT, 300, 0, 0,
                "v=spf1 |ip4:192.0.2.0/24 |-all\nsecond record"},
        {"mx.test", 0, FAKEDNS_MX, 300, 0, 0, "10 mx1.test\n20 mx2.test"},
        {"1.2.0.192.in-addr.arpa", 0, FAKEDNS_PTR, 300, 0, 0, "host.test"},
        {"alias.test", 0, FAKEDNS_CNAME, 50, 0, 0, "target.test"},
        {"nx.test", 0, FAKEDNS_NXDOMAIN, 3600, 1, 0, NULL},
        {"nxnosoa.test", 0, FAKEDNS_NXDOMAIN, 0, 0, 0, NULL},
        {"nodata.test", 0, FAKEDNS_NODATA, 3600, 600, 0, NULL},
        {"servfail.test", 0, FAKEDNS_SERVFAIL, 0, 0, 0, NULL},
        {"refused.test", 0, FAKEDNS_REFUSED, 0, 0, 0, NULL},
        {"drop.test", 0, FAKEDNS_DROP, 0, 0, 0, NULL},
        {"ttl0.test", 0, FAKEDNS_A, 0, 0, 0, "192.0.2.3"},
        {"ttlhigh.test", 0, FAKEDNS_A, 3600, 0, 0, "192.0.2.4"},
        {"slow.test", 0, FAKEDNS_A, 300, 0, 600, "192.0.2.5"},
        {"*.delay.test", 0, FAKEDNS_ECHO, 300, 0, 200, NULL},
        {"*.echo.test", 0, FAKEDNS_ECHO, 300, 0, 0, NULL},
        {"trunc.test", 0, FAKEDNS_TRUNC, 300, 0, 0, NULL},
        {"rdlen.test", 0, FAKEDNS_RDLEN_LIE, 300, 0, 0, NULL},
        {"wrongname.test", 0, FAKEDNS_WRONG_NAME, 300, 0, 0, NULL},
        {"txtfora.test", 0, FAKEDNS_TXT, 300, 0, 0, "abc"}, /* as an A */
        {"loop.test", 0, FAKEDNS_PTR_LOOP, 300, 0, 0, NULL},
        {"many.test", 0, FAKEDNS_MANY_A, 300, 0, 0, NULL},
};

/* setup - start this test's responder */
static inline int setup(void **state)
{
	struct fakedns *s = fakedns_start(zone, sizeof zone / sizeof zone[0]);

	if (s == NULL)
		return -1;
	*state = s;
	return 0;
}

/* teardown - stop the responder and free what it held */
static inline int teardown(void **state)
{
	fakedns_stop(*state);
	return 0;
}

/* asked - how many questions the responder got for a zone row */
static inline unsigned asked(struct fakedns *s, const char *name)
{
	return fakedns_asked(s, name);
}

/* resolver - a resolver on the test's responder */
static inline struct dns_resolver *resolver(
        struct fakedns *s, size_t entries, unsigned min_ttl, unsigned max_ttl)
{
	struct dns_opts o = {.servers = fakedns_servers(s),
	        .timeout_ms = 1000,
	        .tries = 1,
	        .cache_min_ttl = min_ttl,
	        .cache_max_ttl = max_ttl,
	        .cache_entries = entries};
	struct dns_resolver *r = NULL;

	assert_int_equal(dns_resolver_new(&o, &r), DNS_OK);
	return r;
}

/* ask - one question in a batch of its own, waited for; the answer is at
 * index 0 of the returned batch */
static inline struct dns_batch *ask(
        struct dns_resolver *r, const char *name, enum dns_type t)
{
	struct dns_batch *b = NULL;
	unsigned i;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, name, t, &i), DNS_OK);
	assert_int_equal(i, 0);
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + WAIT_MS), 0);
	return b;
}

/* ask_status - the status of one question, asked and freed */
static inline enum dns_status ask_status(struct dns_resolver *r,
        const char *name, enum dns_type t, unsigned *cached)
{
	struct dns_batch *b = ask(r, name, t);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	enum dns_status st = a->status;

	if (cached != NULL)
		*cached = a->cached;
	dns_batch_free(b);
	return st;
}

/* ipv4 - an A record's address as text */
static inline const char *ipv4(const struct dns_rr *rr, char *buf)
{
	return inet_ntop(AF_INET, &rr->u.a, buf, INET_ADDRSTRLEN);
}

/* wait_cache_size - wait until the cache holds at least n entries */
static inline void wait_cache_size(struct dns_resolver *r, size_t n)
{
	int64_t deadline = dns_now_ms() + WAIT_MS;
	struct dns_stats st;

	for (;;) {
		dns_resolver_stats(r, &st);
		if (st.cache_size >= n)
			return;
		assert_true(dns_now_ms() < deadline);
		usleep(10 * 1000);
	}
}

void test_answer_is_cached_and_served_without_query(void **state);
void test_fresh_query_asks_the_server_despite_the_cache(void **state);
void test_nxdomain_is_cached_for_soa_minimum(void **state);
void test_nodata_is_cached_for_soa_minimum(void **state);
void test_negative_answer_without_soa_uses_min_ttl(void **state);
void test_servfail_is_not_cached(void **state);
void test_refused_counts_as_servfail(void **state);
void test_unanswered_query_times_out_and_is_not_cached(void **state);
void test_queries_of_a_batch_run_in_parallel(void **state);
void test_deadline_returns_pending(void **state);
void test_freeing_a_batch_in_flight_is_safe(void **state);
void test_resolver_freed_before_its_batch_fails_queries(void **state);
void test_cache_ttl_clamped_to_min_and_max(void **state);
void test_no_cache_when_entries_is_zero(void **state);
void test_full_cache_evicts_least_recently_used(void **state);
void test_same_name_other_type_is_another_key(void **state);

#endif /* REP_DNSTEST_H */
