/*
 * test_dns_cache.c - the resolver's cache (hits, fresh queries, negative
 * answers for the SOA minimum, TTL clamps, eviction), failures that are
 * never cached (SERVFAIL, REFUSED, silence), parallel queries, deadlines
 * and freeing in flight. Run by test_dns.c, against the same scripted
 * server.
 */
#include "config.h"

#include "dnstest.h"

void test_answer_is_cached_and_served_without_query(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b;
	const struct dns_answer *a;
	struct dns_stats st;
	char buf[INET_ADDRSTRLEN];
	unsigned i;

	dns_batch_free(ask(r, "a.test", DNS_T_A));
	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "A.Test", DNS_T_A, &i), DNS_OK);
	/* a hit is there at once, before any wait */
	a = dns_batch_answer(b, i);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->cached, 1);
	assert_int_equal(a->nrr, 2);
	assert_string_equal(ipv4(&a->rr[1], buf), "192.0.2.2");
	assert_int_equal(dns_batch_wait(b, 0), 0);
	dns_batch_free(b);
	assert_int_equal(asked(s, "a.test"), 1);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.queries, 1);
	assert_int_equal(st.cache_hits, 1);
	assert_int_equal(st.cache_size, 1);
	dns_resolver_free(r);
}

void test_fresh_query_asks_the_server_despite_the_cache(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b;
	const struct dns_answer *a;
	unsigned i;

	dns_batch_free(ask(r, "a.test", DNS_T_A));
	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add_fresh(b, "a.test", DNS_T_A, &i), DNS_OK);
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + 2000), 0);
	a = dns_batch_answer(b, i);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->cached, 0);
	dns_batch_free(b);
	assert_int_equal(asked(s, "a.test"), 2);
	dns_resolver_free(r);
}

void test_nxdomain_is_cached_for_soa_minimum(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b = ask(r, "nx.test", DNS_T_A);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	unsigned cached;

	assert_int_equal(a->status, DNS_NXDOMAIN);
	assert_int_equal(a->nrr, 0);
	assert_int_equal(a->ttl, 1); /* min(SOA TTL 3600, MINIMUM 1) */
	dns_batch_free(b);
	assert_int_equal(
	        ask_status(r, "nx.test", DNS_T_A, &cached), DNS_NXDOMAIN);
	assert_int_equal(cached, 1);
	assert_int_equal(asked(s, "nx.test"), 1);
	usleep(1200 * 1000);
	assert_int_equal(
	        ask_status(r, "nx.test", DNS_T_A, &cached), DNS_NXDOMAIN);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "nx.test"), 2);
	dns_resolver_free(r);
}

void test_nodata_is_cached_for_soa_minimum(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b = ask(r, "nodata.test", DNS_T_TXT);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	unsigned cached;

	assert_int_equal(a->status, DNS_NODATA);
	assert_int_equal(a->ttl, 600);
	dns_batch_free(b);
	assert_int_equal(
	        ask_status(r, "nodata.test", DNS_T_TXT, &cached), DNS_NODATA);
	assert_int_equal(cached, 1);
	assert_int_equal(asked(s, "nodata.test"), 1);
	dns_resolver_free(r);
}

void test_negative_answer_without_soa_uses_min_ttl(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	unsigned cached;

	/* min 0: nothing to cache it for */
	assert_int_equal(
	        ask_status(r, "nxnosoa.test", DNS_T_A, NULL), DNS_NXDOMAIN);
	assert_int_equal(
	        ask_status(r, "nxnosoa.test", DNS_T_A, &cached), DNS_NXDOMAIN);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "nxnosoa.test"), 2);
	dns_resolver_free(r);
	r = resolver(s, 100, 60, 0);
	assert_int_equal(
	        ask_status(r, "nxnosoa.test", DNS_T_A, NULL), DNS_NXDOMAIN);
	assert_int_equal(
	        ask_status(r, "nxnosoa.test", DNS_T_A, &cached), DNS_NXDOMAIN);
	assert_int_equal(cached, 1);
	assert_int_equal(asked(s, "nxnosoa.test"), 3);
	dns_resolver_free(r);
}

void test_servfail_is_not_cached(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 60, 0);
	struct dns_stats st;
	unsigned cached;

	assert_int_equal(
	        ask_status(r, "servfail.test", DNS_T_A, NULL), DNS_SERVFAIL);
	assert_int_equal(
	        ask_status(r, "servfail.test", DNS_T_A, &cached), DNS_SERVFAIL);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "servfail.test"), 2);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.servfails, 2);
	assert_int_equal(st.cache_size, 0);
	dns_resolver_free(r);
}

void test_refused_counts_as_servfail(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 60, 0);

	assert_int_equal(
	        ask_status(r, "refused.test", DNS_T_A, NULL), DNS_SERVFAIL);
	assert_int_equal(
	        ask_status(r, "refused.test", DNS_T_A, NULL), DNS_SERVFAIL);
	assert_int_equal(asked(s, "refused.test"), 2);
	dns_resolver_free(r);
}

void test_unanswered_query_times_out_and_is_not_cached(void **state)
{
	struct fakedns *s = *state;
	struct dns_opts o = {.servers = fakedns_servers(s),
	        .timeout_ms = 200,
	        .tries = 1,
	        .cache_min_ttl = 60,
	        .cache_entries = 100};
	struct dns_resolver *r = NULL;
	struct dns_stats st;
	int64_t t0 = dns_now_ms();

	assert_int_equal(dns_resolver_new(&o, &r), DNS_OK);
	assert_int_equal(
	        ask_status(r, "drop.test", DNS_T_A, NULL), DNS_TIMEOUT);
	assert_true(dns_now_ms() - t0 >= 150);
	assert_int_equal(
	        ask_status(r, "drop.test", DNS_T_A, NULL), DNS_TIMEOUT);
	assert_int_equal(asked(s, "drop.test"), 2);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.timeouts, 2);
	assert_int_equal(st.cache_size, 0);
	dns_resolver_free(r);
}

void test_queries_of_a_batch_run_in_parallel(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b;
	char name[32], buf[INET_ADDRSTRLEN], want[INET_ADDRSTRLEN];
	int64_t t0 = dns_now_ms();
	unsigned i, idx;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "%u.delay.test", i);
		assert_int_equal(dns_batch_add(b, name, DNS_T_A, &idx), DNS_OK);
		assert_int_equal(idx, i);
	}
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + WAIT_MS), 0);
	/* each answer is delayed 200 ms: one after the other would be 2 s */
	assert_true(dns_now_ms() - t0 < 1000);
	for (i = 0; i < 10; i++) {
		const struct dns_answer *a = dns_batch_answer(b, i);

		snprintf(want, sizeof want, "10.0.0.%u", i);
		assert_int_equal(a->status, DNS_ANSWER);
		assert_string_equal(ipv4(&a->rr[0], buf), want);
	}
	dns_batch_free(b);
	dns_resolver_free(r);
}

void test_deadline_returns_pending(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b;
	unsigned fast, slow;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "a.test", DNS_T_A, &fast), DNS_OK);
	assert_int_equal(dns_batch_add(b, "slow.test", DNS_T_A, &slow), DNS_OK);
	assert_int_equal(dns_batch_wait_one(b, fast, dns_now_ms() + WAIT_MS),
	        DNS_ANSWER);
	/* slow.test answers after 600 ms; this deadline is long before */
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + 50), 1);
	assert_int_equal(dns_batch_answer(b, slow)->status, DNS_PENDING);
	assert_int_equal(dns_batch_answer(b, slow)->type, DNS_T_A);
	assert_int_equal(dns_batch_answer(b, fast)->status, DNS_ANSWER);
	assert_int_equal(dns_batch_wait_one(b, slow, dns_now_ms() + WAIT_MS),
	        DNS_ANSWER);
	assert_int_equal(dns_batch_wait(b, 0), 0);
	dns_batch_free(b);
	dns_resolver_free(r);
}

void test_freeing_a_batch_in_flight_is_safe(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b;
	unsigned i;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "slow.test", DNS_T_A, &i), DNS_OK);
	assert_int_equal(dns_batch_add(b, "1.delay.test", DNS_T_A, &i), DNS_OK);
	assert_int_equal(dns_batch_add(b, "a.test", DNS_T_A, &i), DNS_OK);
	assert_int_equal(
	        dns_batch_wait_one(b, i, dns_now_ms() + WAIT_MS), DNS_ANSWER);
	dns_batch_free(b);
	/* also one freed before the resolver thread could start it */
	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "refused.test", DNS_T_A, &i), DNS_OK);
	dns_batch_free(b);
	/* the late answers arrive, are dropped, and still reach the cache:
	 * a.test, 1.delay.test, slow.test (a refusal is not cached) */
	wait_cache_size(r, 3);
	assert_int_equal(
	        ask_status(r, "ttlhigh.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(ask_status(r, "slow.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(asked(s, "slow.test"), 1);
	dns_resolver_free(r);
}

void test_resolver_freed_before_its_batch_fails_queries(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b;
	unsigned i;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "slow.test", DNS_T_A, &i), DNS_OK);
	assert_int_equal(dns_batch_add(b, "3.delay.test", DNS_T_A, &i), DNS_OK);
	dns_resolver_free(r); /* against the documented order, yet safe */
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + WAIT_MS), 0);
	assert_int_equal(dns_batch_answer(b, 0)->status, DNS_ERROR);
	assert_int_equal(dns_batch_answer(b, 1)->status, DNS_ERROR);
	dns_batch_free(b);
}

void test_cache_ttl_clamped_to_min_and_max(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 1, 1);
	unsigned cached;

	assert_int_equal(ask_status(r, "ttl0.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(
	        ask_status(r, "ttlhigh.test", DNS_T_A, NULL), DNS_ANSWER);
	/* TTL 0 is kept for the 1 s minimum */
	assert_int_equal(
	        ask_status(r, "ttl0.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 1);
	assert_int_equal(
	        ask_status(r, "ttlhigh.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 1);
	usleep(1200 * 1000);
	/* TTL 3600 is kept for the 1 s maximum only */
	assert_int_equal(
	        ask_status(r, "ttlhigh.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 0);
	assert_int_equal(
	        ask_status(r, "ttl0.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "ttl0.test"), 2);
	assert_int_equal(asked(s, "ttlhigh.test"), 2);
	dns_resolver_free(r);
}

void test_no_cache_when_entries_is_zero(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 0, 60, 0);
	struct dns_stats st;

	assert_int_equal(ask_status(r, "a.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(ask_status(r, "a.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(asked(s, "a.test"), 2);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.cache_size, 0);
	assert_int_equal(st.cache_hits, 0);
	dns_resolver_free(r);
}

void test_full_cache_evicts_least_recently_used(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 2, 0, 0);
	struct dns_stats st;
	unsigned cached;

	assert_int_equal(ask_status(r, "a.test", DNS_T_A, NULL), DNS_ANSWER);
	assert_int_equal(ask_status(r, "mx.test", DNS_T_MX, NULL), DNS_ANSWER);
	assert_int_equal(ask_status(r, "a.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 1); /* a.test is now the newer */
	assert_int_equal(
	        ask_status(r, "txt.test", DNS_T_TXT, NULL), DNS_ANSWER);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.cache_size, 2);
	assert_int_equal(ask_status(r, "a.test", DNS_T_A, &cached), DNS_ANSWER);
	assert_int_equal(cached, 1);
	assert_int_equal(
	        ask_status(r, "mx.test", DNS_T_MX, &cached), DNS_ANSWER);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "mx.test"), 2);
	dns_resolver_free(r);
}

void test_same_name_other_type_is_another_key(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	unsigned cached;

	assert_int_equal(
	        ask_status(r, "nodata.test", DNS_T_A, NULL), DNS_NODATA);
	assert_int_equal(
	        ask_status(r, "nodata.test", DNS_T_TXT, &cached), DNS_NODATA);
	assert_int_equal(cached, 0);
	assert_int_equal(asked(s, "nodata.test"), 2);
	dns_resolver_free(r);
}
