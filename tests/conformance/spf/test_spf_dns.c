/*
 * test_spf_dns.c - the SPF check with the backend the milter uses
 * (spf_dns_resolver_ops on milter/dns.h) against a scripted DNS server on
 * 127.0.0.1: a record with multi-string TXT, mx and include:, NXDOMAIN and
 * NODATA, a server that never answers (the deadline bounds the wait), and
 * an evaluation of more queries than one dns_batch holds. UDP only: every
 * answer fits in 512 octets. Nothing leaves 127.0.0.0/8.
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
#include <sys/socket.h>
#include <unistd.h>

#include "check_spf.h"
#include "dns.h"
#include "spf_dns.h"

/* A record of the test zone; TXT strings of one record split at '|'. */
struct zrec {
	const char *name;
	unsigned type; /* 1 A, 15 MX, 16 TXT; 0: the name never answers */
	const char *data;
};

static const struct zrec zone[] = {
        {"example.test", 16,
                "v=spf1 a:host.example.test |mx include:inc.example.test -all"},
        {"host.example.test", 1, "198.51.100.1"},
        {"example.test", 15, "mx1.example.test"},
        {"mx1.example.test", 1, "198.51.100.2"},
        {"inc.example.test", 16, "v=spf1 ip4:192.0.2.0/24 ?all"},
        {"aonly.test", 1, "198.51.100.3"},
        {"silent.test", 16, "v=spf1 a:drop.test -all"},
        {"drop.test", 0, ""},
        {"many.test", 16,
                "v=spf1 mx:m.test mx:m.test mx:m.test mx:m.test "
                "mx:m.test mx:m.test -all"},
        {"m.test", 15, "h0.test"},
        {"m.test", 15, "h1.test"},
        {"m.test", 15, "h2.test"},
        {"m.test", 15, "h3.test"},
        {"m.test", 15, "h4.test"},
        {"m.test", 15, "h5.test"},
        {"m.test", 15, "h6.test"},
        {"m.test", 15, "h7.test"},
        {"m.test", 15, "h8.test"},
        {"m.test", 15, "h9.test"},
        {"h0.test", 1, "198.51.100.10"},
        {"h5.test", 1, "198.51.100.15"},
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

/* put16 - network order */
static void put16(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (unsigned char)(v >> 8);
	p->b[p->n++] = (unsigned char)v;
}

/* put_name - a name as uncompressed labels */
static void put_name(struct pkt *p, const char *name)
{
	while (*name != '\0') {
		size_t n = strcspn(name, ".");

		p->b[p->n++] = (unsigned char)n;
		memcpy(p->b + p->n, name, n);
		p->n += n;
		name += n + (name[n] == '.');
	}
	p->b[p->n++] = 0;
}

/* question - the name and type asked; the question's end in *end */
static int question(const unsigned char *q, size_t n, char *name,
        unsigned *type, size_t *end)
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
	*type = (unsigned)q[i + 1] << 8 | q[i + 2];
	*end = i + 5;
	return 0;
}

/* add_rr - one answer record for the question's name */
static void add_rr(struct pkt *p, const struct zrec *z)
{
	size_t at, len = strlen(z->data);

	put16(p, 0xc00c);
	put16(p, z->type);
	put16(p, 1);
	put16(p, 0);
	put16(p, 60);
	at = p->n;
	put16(p, 0);
	if (z->type == 1) {
		inet_pton(AF_INET, z->data, p->b + p->n);
		p->n += 4;
	} else if (z->type == 15) {
		put16(p, 10);
		put_name(p, z->data);
	} else {
		for (const char *s = z->data; len > 0;) {
			size_t k = strcspn(s, "|");

			p->b[p->n++] = (unsigned char)k;
			memcpy(p->b + p->n, s, k);
			p->n += k;
			len -= k + (s[k] == '|');
			s += k + (s[k] == '|');
		}
	}
	p->b[at] = (unsigned char)((p->n - at - 2) >> 8);
	p->b[at + 1] = (unsigned char)(p->n - at - 2);
}

/* reply - NOERROR with the records of the asked type, NODATA, NXDOMAIN,
 * or nothing at all for a silent name */
static size_t reply(const unsigned char *q, size_t n, struct pkt *p)
{
	char name[256];
	unsigned type, count = 0, known = 0;
	size_t end;

	if (n < 12 || question(q, n, name, &type, &end) != 0)
		return 0;
	memcpy(p->b, q, end);
	p->n = end;
	for (size_t i = 0; i < sizeof(zone) / sizeof(*zone); i++) {
		if (strcmp(zone[i].name, name) != 0)
			continue;
		if (zone[i].type == 0)
			return 0;
		known = 1;
		if (zone[i].type == type) {
			add_rr(p, &zone[i]);
			count++;
		}
	}
	p->b[2] = 0x84 | (q[2] & 0x01);
	p->b[3] = (unsigned char)(0x80 | (known ? 0 : 3));
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

struct fixture {
	struct responder srv;
	struct dns_resolver *r;
};

/* setup - a server on a free loopback port, a resolver without cache */
static int setup(void **state)
{
	static struct fixture f;
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	struct dns_opts o = {.timeout_ms = 2000, .tries = 1};

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f.srv.stop = 0;
	f.srv.fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(f.srv.fd >= 0);
	assert_int_equal(bind(f.srv.fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(f.srv.fd, (struct sockaddr *)&a, &len), 0);
	snprintf(f.srv.servers, sizeof(f.srv.servers), "127.0.0.1:%u",
	        ntohs(a.sin_port));
	assert_int_equal(pthread_create(&f.srv.thread, NULL, serve, &f.srv), 0);
	o.servers = f.srv.servers;
	assert_int_equal(dns_resolver_new(&o, &f.r), DNS_OK);
	*state = &f;
	return 0;
}

/* teardown - resolver, then server */
static int teardown(void **state)
{
	struct fixture *f = *state;

	dns_resolver_free(f->r);
	__atomic_store_n(&f->srv.stop, 1, __ATOMIC_RELEASE);
	pthread_join(f->srv.thread, NULL);
	close(f->srv.fd);
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
