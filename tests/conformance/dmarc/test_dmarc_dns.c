/*
 * test_dmarc_dns.c - the DMARC check with the backend the milter uses
 * (dmarc_dns_batch_ops on milter/dns.h) against a scripted DNS server on
 * 127.0.0.1: records at the From domain, the fallback to the
 * organisational domain, multi-string TXT records, SERVFAIL, and a server
 * that never answers (the deadline bounds the wait). UDP only: every
 * answer here fits in 512 octets. Nothing leaves 127.0.0.0/8.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_dmarc.h"
#include "dns.h"
#include "orgdom.h"

enum kind { K_TXT, K_NXDOMAIN, K_SERVFAIL, K_DROP };

/* A name of the test zone. TXT data: records separated by '\n', the
 * character-strings of one record by '|'. */
struct zone {
	const char *name;
	enum kind kind;
	const char *txt;
};

static const struct zone zone[] = {
        {"_dmarc.example.test", K_TXT, "v=DMARC1; |p=reject\nv=spf1 -all"},
        {"_dmarc.a.example.test", K_NXDOMAIN, NULL},
        {"_dmarc.none.test", K_NXDOMAIN, NULL},
        {"_dmarc.sub.org.test", K_TXT, "unrelated"},
        {"_dmarc.org.test", K_TXT, "v=DMARC1; p=none; sp=quarantine"},
        {"_dmarc.broken.test", K_SERVFAIL, NULL},
        {"_dmarc.silent.test", K_DROP, NULL},
};

struct responder {
	int fd;
	int stop;
	pthread_t thread;
	char servers[32];
};

struct pkt {
	unsigned char b[512];
	size_t n;
};

static struct orgdom *psl;

/* put16 - a 16-bit value in network order */
static void put16(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (unsigned char)(v >> 8);
	p->b[p->n++] = (unsigned char)v;
}

/* qname - the question's name, dotted, lower case; its end in *end */
static int qname(const unsigned char *q, size_t n, char *name, size_t *end)
{
	size_t i = 12, o = 0;

	while (i < n && q[i] != 0) {
		size_t len = q[i++];

		if (len > 63 || i + len > n || o + len + 2 > 256)
			return -1;
		for (size_t k = 0; k < len; k++)
			name[o++] = (char)tolower(q[i + k]);
		name[o++] = '.';
		i += len;
	}
	if (i + 5 > n)
		return -1;
	name[o > 0 ? o - 1 : 0] = '\0';
	*end = i + 5; /* the root label, QTYPE, QCLASS */
	return 0;
}

/* add_txt - one TXT record: '|' splits it into character-strings */
static void add_txt(struct pkt *p, const char *rec, size_t len)
{
	size_t at;

	put16(p, 0xc00c);
	put16(p, 16);
	put16(p, 1);
	put16(p, 0);
	put16(p, 60);
	at = p->n;
	put16(p, 0);
	while (len > 0) {
		const char *bar = memchr(rec, '|', len);
		size_t n = bar != NULL ? (size_t)(bar - rec) : len;

		p->b[p->n++] = (unsigned char)n;
		memcpy(p->b + p->n, rec, n);
		p->n += n;
		len -= n + (bar != NULL);
		rec += n + (bar != NULL);
	}
	p->b[at] = (unsigned char)((p->n - at - 2) >> 8);
	p->b[at + 1] = (unsigned char)(p->n - at - 2);
}

/* reply - the answer to `q` from the zone; 0 when the server is silent */
static size_t reply(const unsigned char *q, size_t n, struct pkt *p)
{
	char name[256];
	size_t end;
	const struct zone *z = NULL;
	unsigned count = 0, rcode = 3;

	if (n < 12 || qname(q, n, name, &end) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(zone) / sizeof(*zone); i++)
		if (strcmp(zone[i].name, name) == 0)
			z = &zone[i];
	if (z != NULL && z->kind == K_DROP)
		return 0;
	memcpy(p->b, q, end);
	p->n = end;
	if (z != NULL && z->kind == K_SERVFAIL)
		rcode = 2;
	for (const char *r = z != NULL ? z->txt : NULL; r != NULL && *r;) {
		size_t len = strcspn(r, "\n");

		add_txt(p, r, len);
		count++;
		rcode = 0;
		r += len + (r[len] == '\n');
	}
	p->b[2] = 0x84 | (q[2] & 0x01); /* QR, AA, RD copied */
	p->b[3] = (unsigned char)(0x80 | rcode);
	p->b[6] = 0;
	p->b[7] = (unsigned char)count;
	memset(p->b + 8, 0, 4);
	return p->n;
}

/* serve - answer until told to stop */
static void *serve(void *arg)
{
	struct responder *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd pfd = {s->fd, POLLIN, 0};
		unsigned char q[512];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		struct pkt p;
		ssize_t n;

		if (poll(&pfd, 1, 20) <= 0)
			continue;
		n = recvfrom(
		        s->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		if (n > 0 && reply(q, (size_t)n, &p) > 0)
			sendto(s->fd, p.b, p.n, 0, (struct sockaddr *)&from,
			        fl);
	}
	return NULL;
}

/* responder_start - a UDP socket on a free loopback port */
static void responder_start(struct responder *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->stop = 0;
	s->fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	snprintf(s->servers, sizeof(s->servers), "127.0.0.1:%u",
	        ntohs(a.sin_port));
	assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

/* responder_stop - join the thread, close the socket */
static void responder_stop(struct responder *s)
{
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->thread, NULL);
	close(s->fd);
}

struct fixture {
	struct responder srv;
	struct dns_resolver *r;
	struct dmarc_dns_batch b;
};

/* fixture_new - server, resolver (no cache) and a backend on it */
static int fixture_new(void **state)
{
	static struct fixture f;
	struct dns_opts o = {.timeout_ms = 2000, .tries = 1};

	responder_start(&f.srv);
	o.servers = f.srv.servers;
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
	responder_stop(&f->srv);
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
