/*
 * test_dns.c - the resolver against a scripted DNS server on 127.0.0.1.
 *
 * Each test starts its own responder (tests/lib/fakedns.h: UDP and TCP on
 * one loopback port) answering from the zone table of dnstest.h: records with
 * given TTLs, NXDOMAIN and NODATA with or without a SOA, SERVFAIL,
 * REFUSED, silence, delays, and hostile replies. Answers longer than 512
 * octets come truncated over UDP, then in full over TCP. The responder
 * counts the questions it gets for each row, which is how a test tells a
 * cache hit from a query. Nothing here talks to anything outside
 * 127.0.0.0/8.
 */
#include "config.h"

#include "dnstest.h"

static void test_system_resolver_can_be_created(void **state)
{
	struct dns_opts o = {.servers = ""};
	struct dns_resolver *r = NULL;
	struct dns_stats st;

	assert_int_equal(dns_resolver_new(NULL, &r), DNS_OK);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.queries, 0);
	dns_resolver_free(r);
	assert_int_equal(dns_resolver_new(&o, &r), DNS_OK);
	dns_resolver_free(r);
	dns_resolver_free(NULL);
}

static void test_bad_server_lists_are_refused(void **state)
{
	static const char *const bad[] = {"bogus", ",", "127.0.0.1:99999",
	        "127.0.0.1:0", "127.0.0.1:53x", "[::1]:", "1.2.3.4:53 junk"};
	struct dns_resolver *r = NULL;
	struct dns_opts o = {0};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o.servers = bad[i];
		assert_int_equal(dns_resolver_new(&o, &r), DNS_E_SERVERS);
		assert_null(r);
	}
	o.servers = "127.0.0.1:5353,[::1]:5353";
	assert_int_equal(dns_resolver_new(&o, &r), DNS_OK);
	dns_resolver_free(r);
	o.servers = NULL;
	o.cache_min_ttl = 10;
	o.cache_max_ttl = 5;
	assert_int_equal(dns_resolver_new(&o, &r), DNS_E_INVAL);
}

static void test_bad_names_and_types_are_refused(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	char longname[300], label[70];
	struct dns_batch *b = NULL;
	unsigned i = 99;

	memset(longname, 'a', 254); /* 63 + 63 + 63 + 62 octets and 3 dots */
	longname[63] = longname[127] = longname[191] = '.';
	longname[254] = '\0';
	memset(label, 'b', 64);
	memcpy(label + 64, ".test", 6);
	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	assert_int_equal(dns_batch_add(b, "", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, "a..test", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, ".a.test", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, "a.test.", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(
	        dns_batch_add(b, "a b.test", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(
	        dns_batch_add(b, "a\\.test", DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, label, DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, longname, DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, "a.test", 2, &i), DNS_E_INVAL);
	assert_int_equal(dns_batch_add(b, NULL, DNS_T_A, &i), DNS_E_INVAL);
	assert_int_equal(i, 99);
	assert_null(dns_batch_answer(b, 0));
	assert_int_equal(dns_batch_wait_one(b, 0, 0), DNS_ERROR);
	assert_int_equal(dns_batch_wait(b, 0), 0);
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_a_records_come_in_order_with_ttl(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "a.test", DNS_T_A);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	char buf[INET_ADDRSTRLEN];

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->type, DNS_T_A);
	assert_int_equal(a->cached, 0);
	assert_int_equal(a->ttl, 300);
	assert_int_equal(a->nrr, 2);
	assert_string_equal(ipv4(&a->rr[0], buf), "192.0.2.1");
	assert_string_equal(ipv4(&a->rr[1], buf), "192.0.2.2");
	assert_int_equal(a->rr[1].ttl, 300);
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_aaaa_record_is_decoded(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "aaaa.test", DNS_T_AAAA);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 1);
	assert_int_equal(a->ttl, 120);
	inet_ntop(AF_INET6, &a->rr[0].u.aaaa, buf, sizeof buf);
	assert_string_equal(buf, "2001:db8::1");
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_txt_strings_of_one_record_are_concatenated(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "txt.test", DNS_T_TXT);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	const char *spf = "v=spf1 ip4:192.0.2.0/24 -all";

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 2);
	assert_string_equal(a->rr[0].u.txt.data, spf);
	assert_int_equal(a->rr[0].u.txt.len, strlen(spf));
	assert_string_equal(a->rr[1].u.txt.data, "second record");
	assert_int_equal(a->rr[1].u.txt.len, 13);
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_mx_records_carry_preference_and_host(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "mx.test", DNS_T_MX);
	const struct dns_answer *a = dns_batch_answer(b, 0);

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 2);
	assert_int_equal(a->rr[0].u.mx.preference, 10);
	assert_string_equal(a->rr[0].u.mx.host, "mx1.test");
	assert_int_equal(a->rr[1].u.mx.preference, 20);
	assert_string_equal(a->rr[1].u.mx.host, "mx2.test");
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_ptr_record_is_decoded(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "1.2.0.192.in-addr.arpa", DNS_T_PTR);
	const struct dns_answer *a = dns_batch_answer(b, 0);

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 1);
	assert_string_equal(a->rr[0].u.ptr, "host.test");
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_cname_chain_is_followed_and_bounds_ttl(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 0, 0, 0);
	struct dns_batch *b = ask(r, "alias.test", DNS_T_A);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	char buf[INET_ADDRSTRLEN];

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 1);
	assert_string_equal(ipv4(&a->rr[0], buf), "192.0.2.9");
	assert_int_equal(a->rr[0].ttl, 300);
	assert_int_equal(a->ttl, 50); /* the CNAME's */
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_hostile_replies_are_bad_answers(void **state)
{
	static const struct {
		const char *name;
		enum dns_type type;
	} cases[] = {
	        {"trunc.test", DNS_T_A}, {"rdlen.test", DNS_T_A},
	        {"wrongname.test", DNS_T_A}, {"txtfora.test", DNS_T_A},
	        {"loop.test", DNS_T_PTR},
	        {"a.test", DNS_T_TXT}, /* A records for a TXT question */
	};
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 60, 0);
	struct dns_stats st;
	size_t i, n = sizeof cases / sizeof cases[0];

	for (i = 0; i < n; i++) {
		struct dns_batch *b = ask(r, cases[i].name, cases[i].type);
		const struct dns_answer *a = dns_batch_answer(b, 0);

		if (a->status != DNS_EBADANSWER)
			fail_msg("%s: %s", cases[i].name,
			        dns_status_name(a->status));
		assert_int_equal(a->nrr, 0);
		assert_null(a->rr);
		dns_batch_free(b);
		/* never cached: the next question goes out again */
		assert_int_equal(
		        ask_status(r, cases[i].name, cases[i].type, NULL),
		        DNS_EBADANSWER);
	}
	assert_int_equal(asked(s, "trunc.test"), 2);
	dns_resolver_stats(r, &st);
	assert_int_equal(st.bad_answers, 2 * n);
	assert_int_equal(st.cache_size, 0);
	dns_resolver_free(r);
}

static void test_oversize_answer_is_capped(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b = ask(r, "many.test", DNS_T_A);
	const struct dns_answer *a = dns_batch_answer(b, 0);
	char buf[INET_ADDRSTRLEN];

	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->nrr, 64);
	assert_string_equal(ipv4(&a->rr[0], buf), "10.1.0.0");
	assert_string_equal(ipv4(&a->rr[63], buf), "10.1.0.63");
	dns_batch_free(b);
	dns_resolver_free(r);
}

static void test_batch_holds_at_most_batch_max(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 100, 0, 0);
	struct dns_batch *b;
	char name[32];
	unsigned i, idx;

	assert_int_equal(dns_batch_new(r, &b), DNS_OK);
	for (i = 0; i < DNS_BATCH_MAX; i++) {
		snprintf(name, sizeof name, "%u.echo.test", i % 8);
		assert_int_equal(dns_batch_add(b, name, DNS_T_A, &idx), DNS_OK);
	}
	assert_int_equal(dns_batch_add(b, "a.test", DNS_T_A, &idx), DNS_E_FULL);
	assert_int_equal(idx, DNS_BATCH_MAX - 1);
	assert_int_equal(dns_batch_wait(b, dns_now_ms() + WAIT_MS), 0);
	for (i = 0; i < DNS_BATCH_MAX; i++)
		assert_int_equal(dns_batch_answer(b, i)->status, DNS_ANSWER);
	dns_batch_free(b);
	dns_resolver_free(r);
}

struct worker {
	struct dns_resolver *r;
	uint64_t seed;
	unsigned adds, bad;
};

/* worker_main - batches of 8 questions on a pool of 40 names, each answer
 * checked against the name it was asked for */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[32], want[INET_ADDRSTRLEN], got[INET_ADDRSTRLEN];
	unsigned round, i, idx, num[8];

	for (round = 0; round < 25; round++) {
		struct dns_batch *b = NULL;

		if (dns_batch_new(w->r, &b) != DNS_OK)
			return (void *)1;
		for (i = 0; i < 8; i++, w->adds++) {
			w->seed ^= w->seed << 13;
			w->seed ^= w->seed >> 7;
			w->seed ^= w->seed << 17;
			num[i] = (unsigned)(w->seed % 40);
			snprintf(name, sizeof name, "%u.echo.test", num[i]);
			if (dns_batch_add(b, name, DNS_T_A, &idx) != DNS_OK)
				w->bad++;
		}
		w->bad += dns_batch_wait(b, dns_now_ms() + WAIT_MS);
		for (i = 0; i < 8; i++) {
			const struct dns_answer *a = dns_batch_answer(b, i);

			snprintf(want, sizeof want, "10.0.0.%u", num[i]);
			if (a->status != DNS_ANSWER || a->nrr != 1 ||
			        strcmp(ipv4(&a->rr[0], got), want) != 0)
				w->bad++;
		}
		dns_batch_free(b);
	}
	return NULL;
}

static void test_many_threads_share_the_resolver(void **state)
{
	struct fakedns *s = *state;
	struct dns_resolver *r = resolver(s, 1000, 0, 0);
	pthread_t t[8];
	struct worker w[8];
	struct dns_stats st;
	unsigned i, adds = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (struct worker){
		        .r = r, .seed = 0x9e3779b97f4a7c15ull + i};
		assert_int_equal(
		        pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		void *rv;

		assert_int_equal(pthread_join(t[i], &rv), 0);
		assert_null(rv);
		assert_int_equal(w[i].bad, 0);
		adds += w[i].adds;
	}
	dns_resolver_stats(r, &st);
	/* every question was either a hit or sent */
	assert_int_equal(st.queries + st.cache_hits, adds);
	assert_true(st.cache_hits > 0);
	assert_true(st.cache_size <= 40);
	dns_resolver_free(r);
}

static void test_names_are_static_texts(void **state)
{
	assert_string_equal(dns_status_name(DNS_ANSWER), "answer");
	assert_string_equal(dns_status_name(DNS_NXDOMAIN), "nxdomain");
	assert_string_equal(dns_status_name(DNS_TIMEOUT), "timeout");
	assert_string_equal(dns_status_name((enum dns_status)42), "unknown");
	assert_string_equal(dns_strerror(DNS_OK), "success");
	assert_string_not_equal(
	        dns_strerror(DNS_E_SERVERS), dns_strerror(DNS_E_INIT));
	assert_string_equal(dns_strerror(-99), "unknown DNS error");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_system_resolver_can_be_created),
	        cmocka_unit_test(test_bad_server_lists_are_refused),
	        cmocka_unit_test(test_names_are_static_texts),
	        T(test_bad_names_and_types_are_refused),
	        T(test_a_records_come_in_order_with_ttl),
	        T(test_aaaa_record_is_decoded),
	        T(test_txt_strings_of_one_record_are_concatenated),
	        T(test_mx_records_carry_preference_and_host),
	        T(test_ptr_record_is_decoded),
	        T(test_cname_chain_is_followed_and_bounds_ttl),
	        T(test_answer_is_cached_and_served_without_query),
	        T(test_fresh_query_asks_the_server_despite_the_cache),
	        T(test_nxdomain_is_cached_for_soa_minimum),
	        T(test_nodata_is_cached_for_soa_minimum),
	        T(test_negative_answer_without_soa_uses_min_ttl),
	        T(test_servfail_is_not_cached),
	        T(test_refused_counts_as_servfail),
	        T(test_unanswered_query_times_out_and_is_not_cached),
	        T(test_queries_of_a_batch_run_in_parallel),
	        T(test_deadline_returns_pending),
	        T(test_freeing_a_batch_in_flight_is_safe),
	        T(test_resolver_freed_before_its_batch_fails_queries),
	        T(test_cache_ttl_clamped_to_min_and_max),
	        T(test_no_cache_when_entries_is_zero),
	        T(test_full_cache_evicts_least_recently_used),
	        T(test_same_name_other_type_is_another_key),
	        T(test_hostile_replies_are_bad_answers),
	        T(test_oversize_answer_is_capped),
	        T(test_batch_holds_at_most_batch_max),
	        T(test_many_threads_share_the_resolver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
