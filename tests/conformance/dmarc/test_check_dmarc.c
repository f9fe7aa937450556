/*
 * test_check_dmarc.c - the DMARC check (milter/check_dmarc.h) over a fake
 * DNS backend: a table of TXT answers per name, linked in as another
 * struct dmarc_dns_ops, which also records the questions asked and the
 * answers awaited. Covers policy discovery and the fallback to the
 * organisational domain, p/sp, pct, alignment, temporary and permanent
 * errors, and the symbols.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "check_dmarc.h"
#include "orgdom.h"
#include "weights.h"

#define FAKE_Q_MAX 4

/* One name of the fake zone: its status and up to three TXT records. */
struct zone_rr {
	const char *name;
	enum dmarc_dns_status st;
	const char *txt[3];
	size_t len[3]; /* 0: strlen */
};

struct fake {
	const struct zone_rr *zone; /* ends with a NULL name */
	int query_rc;
	unsigned nasked;
	char asked[FAKE_Q_MAX][300];
	int awaited[FAKE_Q_MAX];
	int64_t deadline[FAKE_Q_MAX];
};

/* ZR - one zone row, designated so that `len` may be left out */
#define ZR(n, s, ...)                                                          \
	{                                                                      \
		.name = (n), .st = (s), .txt = { __VA_ARGS__ }                 \
	}
#define ZEND                                                                   \
	{                                                                      \
		.name = NULL                                                   \
	}

static struct orgdom *psl;

/* fake_query - record the question */
static int fake_query(void *ctx, const char *name, unsigned *id)
{
	struct fake *f = ctx;

	if (f->query_rc != 0)
		return f->query_rc;
	assert_true(f->nasked < FAKE_Q_MAX);
	snprintf(f->asked[f->nasked], sizeof(f->asked[0]), "%s", name);
	*id = f->nasked++;
	return 0;
}

/* fake_answer - the zone's entry for the question; NXDOMAIN if none */
static void fake_answer(void *ctx, unsigned id, int64_t deadline_ms,
        struct dmarc_txt_answer *out)
{
	struct fake *f = ctx;
	const struct zone_rr *z = f->zone;

	assert_true(id < f->nasked);
	f->awaited[id] = 1;
	f->deadline[id] = deadline_ms;
	while (z != NULL && z->name != NULL && strcmp(z->name, f->asked[id]))
		z++;
	out->n = 0;
	out->status = DMARC_DNS_NONE;
	if (z == NULL || z->name == NULL)
		return;
	out->status = z->st;
	for (unsigned i = 0; i < 3 && z->txt[i] != NULL; i++) {
		out->rr[i].data = z->txt[i];
		out->rr[i].len = z->len[i] ? z->len[i] : strlen(z->txt[i]);
		out->n++;
	}
}

static const struct dmarc_dns_ops fake_ops = {fake_query, fake_answer};

/* check - run the check on `zone` for `from` with SPF and one DKIM */
static void check(struct fake *f, const struct zone_rr *zone, const char *from,
        enum dmarc_auth spf, const char *spf_domain, enum dmarc_auth dkim,
        const char *dkim_domain, unsigned sample, struct dmarc_result *out)
{
	struct dmarc_dkim sig = {dkim_domain, dkim};
	struct dmarc_input in = {spf, spf_domain, &sig, 1, sample};

	memset(f, 0, sizeof(*f));
	f->zone = zone;
	check_dmarc_run(psl, &fake_ops, f, from, &in, 1234, out);
}

static const struct zone_rr org_reject[] = {
        ZR("_dmarc.example.com", DMARC_DNS_FOUND, "v=DMARC1; p=reject"), ZEND};

static void test_pass_by_aligned_dkim(void **state)
{
	struct fake f;
	struct dmarc_result r;

	check(&f, org_reject, "Mail.Example.COM", DMARC_AUTH_FAIL,
	        "example.com", DMARC_AUTH_PASS, "example.com", 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_PASS);
	assert_int_equal(r.aligned, DMARC_ALIGNED_DKIM);
	assert_int_equal(r.policy, DMARC_POLICY_REJECT);
	assert_int_equal(r.applied, DMARC_POLICY_NONE);
	assert_string_equal(r.from, "mail.example.com");
	assert_string_equal(r.org, "example.com");
	assert_string_equal(r.symbol, "DMARC_PASS");
	assert_true(r.weight == CHECK_DMARC_W_PASS);
	assert_int_equal(f.deadline[0], 1234);
}

static void test_pass_by_aligned_spf(void **state)
{
	struct fake f;
	struct dmarc_result r;

	check(&f, org_reject, "example.com", DMARC_AUTH_PASS,
	        "bounce.example.com", DMARC_AUTH_NONE, NULL, 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_PASS);
	assert_int_equal(r.aligned, DMARC_ALIGNED_SPF);
	assert_int_equal(r.reason, DMARC_WHY_ALIGNED);
}

static void test_unaligned_passes_fail_reject(void **state)
{
	struct fake f;
	struct dmarc_result r;

	check(&f, org_reject, "example.com", DMARC_AUTH_PASS, "example.net",
	        DMARC_AUTH_PASS, "xexample.com", 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
	assert_int_equal(r.aligned, 0);
	assert_int_equal(r.applied, DMARC_POLICY_REJECT);
	assert_int_equal(r.sampled, 1);
	assert_string_equal(r.symbol, "DMARC_FAIL_REJECT");
	assert_true(r.weight == CHECK_DMARC_W_FAIL_REJECT);
}

static void test_strict_alignment_needs_the_same_name(void **state)
{
	static const struct zone_rr zone[] = {
	        ZR("_dmarc.example.com", DMARC_DNS_FOUND,
	                "v=DMARC1; p=quarantine; adkim=s; aspf=s"),
	        ZEND};
	struct fake f;
	struct dmarc_result r;

	check(&f, zone, "example.com", DMARC_AUTH_PASS, "mail.example.com",
	        DMARC_AUTH_PASS, "mail.example.com", 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
	assert_string_equal(r.symbol, "DMARC_FAIL_QUARANTINE");
	check(&f, zone, "example.com", DMARC_AUTH_FAIL, "mail.example.com",
	        DMARC_AUTH_PASS, "EXAMPLE.com", 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_PASS);
}

static void test_subdomain_takes_sp_from_the_org_record(void **state)
{
	static const struct zone_rr zone[] = {
	        ZR("_dmarc.example.com", DMARC_DNS_FOUND,
	                "v=DMARC1; p=reject; sp=quarantine"),
	        ZEND};
	struct fake f = {.zone = zone};
	struct check_dmarc c;
	struct dmarc_input in = {DMARC_AUTH_FAIL, "example.com", NULL, 0, 0};
	struct dmarc_result r;

	check_dmarc_start(&c, psl, &fake_ops, &f, "a.b.example.com");
	/* both questions leave at once: a miss costs no second round trip */
	assert_int_equal(f.nasked, 2);
	assert_string_equal(f.asked[0], "_dmarc.a.b.example.com");
	assert_string_equal(f.asked[1], "_dmarc.example.com");
	check_dmarc_finish(&c, &in, 99, &r);
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
	assert_int_equal(r.from_org, 1);
	assert_int_equal(r.policy, DMARC_POLICY_QUARANTINE);
	assert_string_equal(r.symbol, "DMARC_FAIL_QUARANTINE");
}

static void test_org_domain_itself_takes_p(void **state)
{
	static const struct zone_rr zone[] = {
	        ZR("_dmarc.example.com", DMARC_DNS_FOUND,
	                "v=DMARC1; p=reject; sp=none"),
	        ZEND};
	struct fake f;
	struct dmarc_result r;

	check(&f, zone, "example.com", DMARC_AUTH_NONE, NULL, DMARC_AUTH_NONE,
	        NULL, 0, &r);
	assert_int_equal(f.nasked, 1);
	assert_int_equal(r.from_org, 0);
	assert_int_equal(r.policy, DMARC_POLICY_REJECT);
}

static void test_from_record_wins_and_org_is_not_awaited(void **state)
{
	static const struct zone_rr zone[] = {
	        ZR("_dmarc.a.example.com", DMARC_DNS_FOUND, "v=DMARC1; p=none"),
	        ZR("_dmarc.example.com", DMARC_DNS_FOUND, "v=DMARC1; p=reject"),
	        ZEND};
	struct fake f;
	struct dmarc_result r;

	check(&f, zone, "a.example.com", DMARC_AUTH_FAIL, "a.example.com",
	        DMARC_AUTH_NONE, NULL, 0, &r);
	assert_int_equal(r.policy, DMARC_POLICY_NONE);
	assert_int_equal(r.from_org, 0);
	assert_int_equal(f.awaited[1], 0);
	assert_string_equal(r.symbol, "DMARC_FAIL_NONE");
	assert_true(r.weight == CHECK_DMARC_W_FAIL_NONE);
}

static void test_non_dmarc_txt_falls_back_to_the_org(void **state)
{
	static const struct zone_rr zone[] = {
	        ZR("_dmarc.a.example.com", DMARC_DNS_FOUND, "v=spf1 -all",
	                "hello", "v=DMARC1p=none"),
	        ZR("_dmarc.example.com", DMARC_DNS_FOUND,
	                "google-site-verification=x", "v=DMARC1; p=reject"),
	        ZEND};
	struct fake f;
	struct dmarc_result r;

	check(&f, zone, "a.example.com", DMARC_AUTH_NONE, NULL, DMARC_AUTH_NONE,
	        NULL, 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
	assert_int_equal(r.from_org, 1);
	assert_int_equal(r.policy, DMARC_POLICY_REJECT);
}

static void test_no_record_anywhere_is_none(void **state)
{
	static const struct zone_rr zone[] = {
	        ZR("_dmarc.example.com", DMARC_DNS_FOUND, "v=spf1 -all"), ZEND};
	struct fake f;
	struct dmarc_result r;

	check(&f, zone, "www.example.com", DMARC_AUTH_PASS, "www.example.com",
	        DMARC_AUTH_PASS, "www.example.com", 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_NONE);
	assert_int_equal(r.reason, DMARC_WHY_NO_RECORD);
	assert_int_equal(r.aligned, 0);
	assert_string_equal(r.symbol, "DMARC_NONE");
	assert_true(r.weight == CHECK_DMARC_W_NONE);
}

static void test_multiple_records_are_permerror_without_fallback(void **state)
{
	static const struct zone_rr zone[] = {
	        ZR("_dmarc.a.example.com", DMARC_DNS_FOUND, "v=DMARC1; p=none",
	                "v=spf1", "v=DMARC1; p=reject"),
	        ZR("_dmarc.example.com", DMARC_DNS_FOUND, "v=DMARC1; p=reject"),
	        ZEND};
	struct fake f;
	struct dmarc_result r;

	check(&f, zone, "a.example.com", DMARC_AUTH_NONE, NULL, DMARC_AUTH_NONE,
	        NULL, 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_PERMERROR);
	assert_int_equal(r.reason, DMARC_WHY_MULTIPLE);
	assert_int_equal(f.awaited[1], 0);
	assert_string_equal(r.symbol, "DMARC_PERMERROR");
	assert_true(r.weight == CHECK_DMARC_W_PERMERROR);
}

static void test_broken_records_are_permerror(void **state)
{
	static const struct zone_rr zone[] = {
	        ZR("_dmarc.a.example", DMARC_DNS_FOUND,
	                "v=DMARC1; p=reject; adkim=x"),
	        ZR("_dmarc.b.example", DMARC_DNS_FOUND, "v=DMARC1; pct=5"),
	        {.name = "_dmarc.c.example",
	                .st = DMARC_DNS_FOUND,
	                .txt = {"v=DMARC1; p=reject\0x"},
	                .len = {20}},
	        ZEND};
	static const char *const from[] = {
	        "a.example", "b.example", "c.example"};
	struct fake f;
	struct dmarc_result r;

	for (int i = 0; i < 3; i++) {
		check(&f, zone, from[i], DMARC_AUTH_NONE, NULL, DMARC_AUTH_NONE,
		        NULL, 0, &r);
		assert_int_equal(r.status, DMARC_RESULT_PERMERROR);
		assert_int_equal(r.reason, DMARC_WHY_BAD_RECORD);
	}
}

static void test_rua_without_policy_acts_as_p_none(void **state)
{
	static const struct zone_rr zone[] = {
	        ZR("_dmarc.example.com", DMARC_DNS_FOUND,
	                "v=DMARC1; rua=mailto:d@example.com"),
	        ZEND};
	struct fake f;
	struct dmarc_result r;

	check(&f, zone, "example.com", DMARC_AUTH_FAIL, "example.com",
	        DMARC_AUTH_FAIL, "example.com", 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
	assert_int_equal(r.applied, DMARC_POLICY_NONE);
	assert_string_equal(r.symbol, "DMARC_FAIL_NONE");
}

static void test_dns_failures_are_temperror(void **state)
{
	static const struct zone_rr zone[] = {
	        ZR("_dmarc.a.example.com", DMARC_DNS_TEMP, NULL),
	        ZR("_dmarc.b.example.com", DMARC_DNS_NONE, NULL),
	        ZR("_dmarc.c.example.com", DMARC_DNS_FOUND, "v=DMARC1; p=none"),
	        ZR("_dmarc.example.com", DMARC_DNS_TEMP, NULL), ZEND};
	struct fake f;
	struct dmarc_result r;

	check(&f, zone, "a.example.com", DMARC_AUTH_PASS, "a.example.com",
	        DMARC_AUTH_NONE, NULL, 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_TEMPERROR);
	assert_int_equal(r.reason, DMARC_WHY_DNS);
	assert_int_equal(r.late, 0);
	assert_string_equal(r.symbol, "DMARC_TEMPERROR");
	assert_true(r.weight == CHECK_DMARC_W_TEMPERROR);
	/* no record at the From domain, the org lookup failed */
	check(&f, zone, "b.example.com", DMARC_AUTH_NONE, NULL, DMARC_AUTH_NONE,
	        NULL, 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_TEMPERROR);
	/* the From domain's record decides; the org's failure is moot */
	check(&f, zone, "c.example.com", DMARC_AUTH_NONE, NULL, DMARC_AUTH_NONE,
	        NULL, 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
}

static void test_late_answer_is_temperror_and_noted(void **state)
{
	static const struct zone_rr zone[] = {
	        ZR("_dmarc.example.com", DMARC_DNS_LATE, NULL), ZEND};
	struct fake f;
	struct dmarc_result r;
	struct policy_evidence e;

	check(&f, zone, "example.com", DMARC_AUTH_NONE, NULL, DMARC_AUTH_NONE,
	        NULL, 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_TEMPERROR);
	assert_int_equal(r.late, 1);
	policy_evidence_init(&e);
	check_dmarc_collect(&r, NULL, &e);
	assert_string_equal(e.timed_out, "dmarc");
	assert_int_equal(e.nsymbols, 1);
	assert_string_equal(e.symbol[0].name, "DMARC_TEMPERROR");
}

static void test_query_that_cannot_start_is_temperror(void **state)
{
	struct fake f = {.zone = org_reject, .query_rc = -2};
	struct dmarc_input in = {DMARC_AUTH_NONE, NULL, NULL, 0, 0};
	struct dmarc_result r;

	check_dmarc_run(psl, &fake_ops, &f, "example.com", &in, 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_TEMPERROR);
	assert_int_equal(r.reason, DMARC_WHY_DNS);
}

static void test_from_too_long_for_a_dmarc_name_asks_the_org(void **state)
{
	char from[300];
	struct fake f;
	struct dmarc_result r;

	/* 3 x 63-octet labels, one of 45, example.com: 249 octets */
	memset(from, 'a', sizeof(from));
	from[63] = from[127] = from[191] = '.';
	strcpy(from + 237, ".example.com");
	check(&f, org_reject, from, DMARC_AUTH_NONE, NULL, DMARC_AUTH_NONE,
	        NULL, 0, &r);
	assert_int_equal(f.nasked, 1);
	assert_string_equal(f.asked[0], "_dmarc.example.com");
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
	assert_int_equal(r.from_org, 1);
}

/* pct_case - fail against `record`, drawing `sample` */
static struct dmarc_result pct_case(const char *record, unsigned sample)
{
	struct zone_rr zone[] = {
	        ZR("_dmarc.example.com", DMARC_DNS_FOUND, record), ZEND};
	struct fake f;
	struct dmarc_result r;

	check(&f, zone, "example.com", DMARC_AUTH_FAIL, "example.com",
	        DMARC_AUTH_NONE, NULL, sample, &r);
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
	return r;
}

static void test_pct_samples_with_the_callers_number(void **state)
{
	const char *rej = "v=DMARC1; p=reject; pct=30";
	const char *qua = "v=DMARC1; p=quarantine; pct=30";

	assert_int_equal(pct_case(rej, 29).applied, DMARC_POLICY_REJECT);
	assert_int_equal(pct_case(rej, 29).sampled, 1);
	assert_int_equal(pct_case(rej, 30).applied, DMARC_POLICY_QUARANTINE);
	assert_int_equal(pct_case(rej, 30).sampled, 0);
	assert_int_equal(pct_case(rej, 30).policy, DMARC_POLICY_REJECT);
	assert_string_equal(pct_case(rej, 30).symbol, "DMARC_FAIL_QUARANTINE");
	assert_int_equal(pct_case(qua, 50).applied, DMARC_POLICY_NONE);
	assert_string_equal(pct_case(qua, 50).symbol, "DMARC_FAIL_NONE");
	assert_int_equal(pct_case("v=DMARC1; p=reject; pct=0", 0).applied,
	        DMARC_POLICY_QUARANTINE);
	assert_int_equal(pct_case("v=DMARC1; p=reject", 99).applied,
	        DMARC_POLICY_REJECT);
	assert_int_equal(pct_case("v=DMARC1; p=reject", 5000).applied,
	        DMARC_POLICY_REJECT);
	assert_int_equal(pct_case("v=DMARC1; p=reject; pct=99", 5000).applied,
	        DMARC_POLICY_QUARANTINE);
	assert_int_equal(pct_case(rej, 0).pct, 30);
}

static void test_aligned_temperror_is_temperror(void **state)
{
	struct fake f;
	struct dmarc_result r;

	check(&f, org_reject, "example.com", DMARC_AUTH_FAIL, "example.com",
	        DMARC_AUTH_TEMPERROR, "mail.example.com", 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_TEMPERROR);
	assert_int_equal(r.reason, DMARC_WHY_AUTH_TEMP);
	check(&f, org_reject, "example.com", DMARC_AUTH_TEMPERROR,
	        "example.com", DMARC_AUTH_FAIL, "example.com", 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_TEMPERROR);
	/* an unaligned temporary error could not have passed DMARC */
	check(&f, org_reject, "example.com", DMARC_AUTH_FAIL, "example.com",
	        DMARC_AUTH_TEMPERROR, "example.net", 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
	/* an aligned pass beats an aligned temporary error */
	check(&f, org_reject, "example.com", DMARC_AUTH_PASS, "example.com",
	        DMARC_AUTH_TEMPERROR, "example.com", 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_PASS);
}

static void test_any_of_many_signatures_may_align(void **state)
{
	struct dmarc_dkim sig[10];
	struct dmarc_input in = {DMARC_AUTH_NONE, NULL, sig, 10, 0};
	struct fake f = {.zone = org_reject};
	struct dmarc_result r;

	for (int i = 0; i < 10; i++)
		sig[i] = (struct dmarc_dkim){"example.net", DMARC_AUTH_PASS};
	sig[9].domain = "news.example.com";
	check_dmarc_run(psl, &fake_ops, &f, "example.com", &in, 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_PASS);
	sig[9].result = DMARC_AUTH_FAIL;
	memset(&f, 0, sizeof(f));
	f.zone = org_reject;
	check_dmarc_run(psl, &fake_ops, &f, "example.com", &in, 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_FAIL);
}

static void test_no_single_from_is_permerror_and_asks_nothing(void **state)
{
	static const char *const bad[] = {NULL, "", "a..example", "192.0.2.1"};
	struct fake f;
	struct dmarc_result r;

	for (int i = 0; i < 4; i++) {
		check(&f, org_reject, bad[i], DMARC_AUTH_PASS, "example.com",
		        DMARC_AUTH_PASS, "example.com", 0, &r);
		assert_int_equal(f.nasked, 0);
		assert_int_equal(r.status, DMARC_RESULT_PERMERROR);
		assert_int_equal(r.reason, DMARC_WHY_FROM);
		assert_string_equal(r.symbol, "DMARC_PERMERROR");
	}
}

static void test_missing_input_is_permerror(void **state)
{
	struct fake f = {.zone = org_reject};
	struct dmarc_result r;

	check_dmarc_run(psl, &fake_ops, &f, "example.com", NULL, 0, &r);
	assert_int_equal(r.status, DMARC_RESULT_PERMERROR);
}

static void test_collect_adds_one_symbol_with_detail(void **state)
{
	struct weights *w = NULL;
	char why[128];
	struct fake f;
	struct dmarc_result r;
	struct policy_evidence e;

	check(&f, org_reject, "example.com", DMARC_AUTH_FAIL, "example.com",
	        DMARC_AUTH_NONE, NULL, 0, &r);
	policy_evidence_init(&e);
	check_dmarc_collect(&r, NULL, &e);
	assert_int_equal(e.nsymbols, 1);
	assert_string_equal(e.symbol[0].name, "DMARC_FAIL_REJECT");
	assert_true(e.symbol[0].weight == 8.0);
	assert_string_equal(e.symbol[0].detail,
	        "example.com p=reject->reject pct=100 unaligned");
	assert_string_equal(e.timed_out, "");
	assert_int_equal(weights_parse("DMARC_FAIL_REJECT=12, DMARC_PASS=-2",
	                         &w, why, sizeof(why)),
	        0);
	policy_evidence_init(&e);
	check_dmarc_collect(&r, w, &e);
	assert_true(e.symbol[0].weight == 12.0);
	weights_free(w);
	check(&f, org_reject, NULL, DMARC_AUTH_FAIL, NULL, DMARC_AUTH_NONE,
	        NULL, 0, &r);
	policy_evidence_init(&e);
	check_dmarc_collect(&r, NULL, &e);
	assert_string_equal(e.symbol[0].detail, "- no-single-from");
}

static void test_status_and_reason_names(void **state)
{
	assert_string_equal(check_dmarc_status_name(DMARC_RESULT_PASS), "pass");
	assert_string_equal(
	        check_dmarc_status_name(DMARC_RESULT_PERMERROR), "permerror");
	assert_string_equal(check_dmarc_status_name(99), "unknown");
	assert_string_equal(check_dmarc_reason_name(DMARC_WHY_MULTIPLE),
	        "multiple-records");
	assert_string_equal(check_dmarc_reason_name(99), "unknown");
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
	        cmocka_unit_test(test_pass_by_aligned_dkim),
	        cmocka_unit_test(test_pass_by_aligned_spf),
	        cmocka_unit_test(test_unaligned_passes_fail_reject),
	        cmocka_unit_test(test_strict_alignment_needs_the_same_name),
	        cmocka_unit_test(test_subdomain_takes_sp_from_the_org_record),
	        cmocka_unit_test(test_org_domain_itself_takes_p),
	        cmocka_unit_test(test_from_record_wins_and_org_is_not_awaited),
	        cmocka_unit_test(test_non_dmarc_txt_falls_back_to_the_org),
	        cmocka_unit_test(test_no_record_anywhere_is_none),
	        cmocka_unit_test(
	                test_multiple_records_are_permerror_without_fallback),
	        cmocka_unit_test(test_broken_records_are_permerror),
	        cmocka_unit_test(test_rua_without_policy_acts_as_p_none),
	        cmocka_unit_test(test_dns_failures_are_temperror),
	        cmocka_unit_test(test_late_answer_is_temperror_and_noted),
	        cmocka_unit_test(test_query_that_cannot_start_is_temperror),
	        cmocka_unit_test(
	                test_from_too_long_for_a_dmarc_name_asks_the_org),
	        cmocka_unit_test(test_pct_samples_with_the_callers_number),
	        cmocka_unit_test(test_aligned_temperror_is_temperror),
	        cmocka_unit_test(test_any_of_many_signatures_may_align),
	        cmocka_unit_test(
	                test_no_single_from_is_permerror_and_asks_nothing),
	        cmocka_unit_test(test_missing_input_is_permerror),
	        cmocka_unit_test(test_collect_adds_one_symbol_with_detail),
	        cmocka_unit_test(test_status_and_reason_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
