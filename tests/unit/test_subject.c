/*
 * test_subject.c - subjects: text forms, canonical form, keys, order and
 * covering; and the names of errors, operations, categories, publishers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"
#include "reputation.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* expect_err - parsing `text` fails with `err` */
#define expect_err(text, err) expect_err_at(text, err, __FILE__, __LINE__)

static void expect_err_at(const char *text, int err, const char *file, int line)
{
	struct rep_subject s;
	int got = rep_subject_parse(text, &s);

	if (got != err)
		fail_msg("%s:%d: parse \"%s\": got %d (%s), want %d (%s)", file,
		        line, text, got, rep_strerror(got), err,
		        rep_strerror(err));
}

/* expect_text - `text` parses and formats as `canon` */
#define expect_text(text, canon) expect_text_at(text, canon, __FILE__, __LINE__)

static void expect_text_at(
        const char *text, const char *canon, const char *file, int line)
{
	struct rep_subject s;
	char buf[REP_SUBJECT_TEXT_MAX];
	int err = rep_subject_parse(text, &s);

	if (err != 0)
		fail_msg("%s:%d: parse \"%s\": %s", file, line, text,
		        rep_strerror(err));
	rep_subject_format(&s, buf, sizeof buf);
	if (strcmp(buf, canon) != 0)
		fail_msg("%s:%d: \"%s\" formats as \"%s\", want \"%s\"", file,
		        line, text, buf, canon);
}

/* expect_same - two texts parse to byte-identical subjects */
static void expect_same(const char *a, const char *b)
{
	struct rep_subject sa = subj(a), sb = subj(b);

	assert_memory_equal(&sa, &sb, sizeof sa);
}

/* ip_subject - a subject built by hand, every unused byte zero */
static struct rep_subject ip_subject(
        uint8_t kind, const void *addr, uint8_t plen)
{
	struct rep_subject s;

	memset(&s, 0, sizeof s);
	s.kind = kind;
	s.plen = plen;
	memcpy(s.addr, addr, kind == REP_KIND_IP4 ? 4 : 16);
	return s;
}

/* name_subject - a name subject built by hand */
static struct rep_subject name_subject(
        uint8_t kind, uint8_t scope, const char *name)
{
	struct rep_subject s;

	memset(&s, 0, sizeof s);
	s.kind = kind;
	s.scope = scope;
	strcpy(s.name, name);
	return s;
}

/* rnd - a small deterministic generator so failures reproduce */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

/* repeat - a string of n copies of c followed by tail */
static char *repeat(char *buf, char c, size_t n, const char *tail)
{
	memset(buf, c, n);
	strcpy(buf + n, tail);
	return buf;
}

/* ---- IPv4 ---- */

static void test_ipv4_address_has_full_prefix_and_zeroed_fields(void **state)
{
	static const uint8_t a[4] = {192, 0, 2, 1};
	struct rep_subject want = ip_subject(REP_KIND_IP4, a, 32);
	struct rep_subject s = subj("192.0.2.1");

	(void)state;
	assert_memory_equal(&s, &want, sizeof s);
}

static void test_ipv4_prefix_parses(void **state)
{
	static const uint8_t a[4] = {192, 0, 2, 0};
	struct rep_subject want = ip_subject(REP_KIND_IP4, a, 24);
	struct rep_subject s = subj("192.0.2.0/24");

	(void)state;
	assert_memory_equal(&s, &want, sizeof s);
}

static void test_ipv4_slash_32_is_the_address(void **state)
{
	(void)state;
	expect_same("192.0.2.1/32", "192.0.2.1");
	expect_text("192.0.2.1/32", "192.0.2.1");
}

static void test_ipv4_slash_0_is_accepted(void **state)
{
	(void)state;
	expect_text("0.0.0.0/0", "0.0.0.0/0");
	expect_text("0.0.0.0", "0.0.0.0");
}

static void test_ipv4_host_bits_set_is_an_error(void **state)
{
	(void)state;
	expect_err("192.0.2.1/24", REP_E_HOSTBITS);
	expect_err("192.0.2.128/24", REP_E_HOSTBITS);
	expect_err("11.0.0.0/7", REP_E_HOSTBITS);
	expect_err("0.0.0.1/0", REP_E_HOSTBITS);
	expect_err("255.255.255.255/31", REP_E_HOSTBITS);
	expect_text("10.0.0.0/7", "10.0.0.0/7");
	expect_text("255.255.255.254/31", "255.255.255.254/31");
}

static void test_ipv4_prefix_length_over_32_is_out_of_range(void **state)
{
	(void)state;
	expect_err("192.0.2.0/33", REP_E_PREFIXLEN);
	expect_err("192.0.2.0/128", REP_E_PREFIXLEN);
	expect_err("192.0.2.0/4294967296", REP_E_PREFIXLEN);
	expect_err("192.0.2.0/99999999999999999999999999", REP_E_PREFIXLEN);
}

static void test_prefix_length_with_leading_zero_is_syntax(void **state)
{
	(void)state;
	expect_err("192.0.2.0/024", REP_E_SYNTAX);
	expect_err("192.0.2.0/00", REP_E_SYNTAX);
	expect_err("0.0.0.0/00", REP_E_SYNTAX);
	expect_err("2001:db8::/032", REP_E_SYNTAX);
}

static void test_prefix_length_with_sign_or_junk_is_syntax(void **state)
{
	(void)state;
	expect_err("192.0.2.0/+24", REP_E_SYNTAX);
	expect_err("192.0.2.0/-1", REP_E_SYNTAX);
	expect_err("192.0.2.0/24x", REP_E_SYNTAX);
	expect_err("192.0.2.0/0x18", REP_E_SYNTAX);
	expect_err("192.0.2.0/24.0", REP_E_SYNTAX);
	expect_err("192.0.2.0/24/24", REP_E_SYNTAX);
	expect_err("192.0.2.0/\xef\xbc\x92\xef\xbc\x94", REP_E_SYNTAX);
}

static void test_prefix_length_with_space_is_syntax(void **state)
{
	(void)state;
	expect_err("192.0.2.0/ 24", REP_E_SYNTAX);
	expect_err("192.0.2.0 /24", REP_E_SYNTAX);
	expect_err("192.0.2.0/24 ", REP_E_SYNTAX);
}

static void test_missing_address_or_length_is_syntax(void **state)
{
	(void)state;
	expect_err("192.0.2.0/", REP_E_SYNTAX);
	expect_err("/24", REP_E_SYNTAX);
	expect_err("/", REP_E_SYNTAX);
	expect_err("192.0.2.0//24", REP_E_SYNTAX);
}

static void test_lax_ipv4_forms_with_prefix_are_syntax(void **state)
{
	(void)state;
	expect_err("01.2.3.0/24", REP_E_SYNTAX);
	expect_err("1.2.3/24", REP_E_SYNTAX);
	expect_err("10/8", REP_E_SYNTAX);
	expect_err("256.0.0.0/8", REP_E_SYNTAX);
	expect_err("example.com/24", REP_E_SYNTAX);
}

static void test_lax_ipv4_forms_are_not_names(void **state)
{
	(void)state;
	/* The top label is all digits: neither an address nor a name. */
	expect_err("1.2.3", REP_E_NAME);
	expect_err("999.1.1.1", REP_E_NAME);
	expect_err("127.1", REP_E_NAME);
	expect_err("01.2.3.4", REP_E_NAME);
	expect_err("0x7f.0.0.1", REP_E_NAME);
	expect_err("2130706433", REP_E_NAME);
	expect_err("1.2.3.4.", REP_E_NAME);
	expect_err("1.2.3.4.5", REP_E_NAME);
}

static void test_ipv4_with_port_is_syntax(void **state)
{
	(void)state;
	expect_err("192.0.2.1:25", REP_E_SYNTAX);
}

/* ---- IPv6 ---- */

static void test_ipv6_address_has_full_prefix(void **state)
{
	uint8_t a[16];
	struct rep_subject want, s = subj("2001:db8::1");

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", a), 1);
	want = ip_subject(REP_KIND_IP6, a, 128);
	assert_memory_equal(&s, &want, sizeof s);
}

static void test_ipv6_prefix_parses(void **state)
{
	uint8_t a[16];
	struct rep_subject want, s = subj("2001:db8::/32");

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::", a), 1);
	want = ip_subject(REP_KIND_IP6, a, 32);
	assert_memory_equal(&s, &want, sizeof s);
}

static void test_ipv6_host_bits_set_is_an_error(void **state)
{
	(void)state;
	expect_err("2001:db8::1/64", REP_E_HOSTBITS);
	expect_err("2001:db9::/31", REP_E_HOSTBITS);
	expect_err("::1/127", REP_E_HOSTBITS);
	expect_err("::1/0", REP_E_HOSTBITS);
	expect_text("2001:db8::/31", "2001:db8::/31");
	expect_text("::/0", "::/0");
}

static void test_ipv6_prefix_length_over_128_is_out_of_range(void **state)
{
	(void)state;
	expect_err("2001:db8::/129", REP_E_PREFIXLEN);
	expect_err("2001:db8::/255", REP_E_PREFIXLEN);
	expect_err("2001:db8::/256", REP_E_PREFIXLEN);
}

static void test_ipv6_text_is_written_compressed_lower_case(void **state)
{
	(void)state;
	expect_text("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	expect_text("2001:DB8::/32", "2001:db8::/32");
	expect_text("2001:db8::1/128", "2001:db8::1");
}

static void test_ipv6_bad_forms_are_syntax(void **state)
{
	static const char *const bad[] = {"[::1]", "fe80::1%eth0",
	        ":::", "1::2::3", "1:2:3:4:5:6:7:8:9",
	        "02001:db8::", "2001:db8::g", "::ffff:01.2.3.4", "::ffff:1.2.3",
	        ":", "::/", "[::1]/128", "2001:db8::/32:1", "2001:db8:::/32"};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		expect_err(bad[i], REP_E_SYNTAX);
}

static void test_ipv6_text_longer_than_any_address_is_syntax(void **state)
{
	char buf[200];

	(void)state;
	expect_err(repeat(buf, '0', 100, "::1"), REP_E_SYNTAX);
	expect_err(repeat(buf, ':', 150, "/64"), REP_E_SYNTAX);
}

static void test_v4_mapped_address_becomes_ipv4(void **state)
{
	(void)state;
	expect_same("::ffff:192.0.2.1", "192.0.2.1");
	expect_same("::FFFF:c000:0201", "192.0.2.1");
	expect_same("::ffff:192.0.2.1/128", "192.0.2.1");
}

static void test_v4_mapped_prefix_becomes_ipv4_prefix(void **state)
{
	(void)state;
	expect_same("::ffff:192.0.2.0/120", "192.0.2.0/24");
	expect_same("::ffff:0:0/96", "0.0.0.0/0");
	expect_err("::ffff:192.0.2.1/120", REP_E_HOSTBITS);
}

static void test_prefix_wider_than_mapped_space_stays_ipv6(void **state)
{
	struct rep_subject s = subj("::/80");

	(void)state;
	assert_int_equal(s.kind, REP_KIND_IP6);
	assert_int_equal(s.plen, 80);
	expect_err("::ffff:0:0/95", REP_E_HOSTBITS);
}

static void test_v4_compatible_and_nat64_stay_ipv6(void **state)
{
	(void)state;
	assert_int_equal(subj("::192.0.2.1").kind, REP_KIND_IP6);
	assert_int_equal(subj("64:ff9b::192.0.2.1").kind, REP_KIND_IP6);
	assert_int_equal(subj("::ffff:0:192.0.2.1").kind, REP_KIND_IP6);
}

/* ---- rep_subject_ip ---- */

static void test_subject_ip_from_ipv4_bytes_matches_parse(void **state)
{
	struct in_addr a;
	struct rep_subject s, want = subj("198.51.100.7");

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "198.51.100.7", &a), 1);
	assert_int_equal(rep_subject_ip(AF_INET, &a, &s), 0);
	assert_memory_equal(&s, &want, sizeof s);
}

static void test_subject_ip_from_ipv6_bytes_matches_parse(void **state)
{
	struct in6_addr a;
	struct rep_subject s, want = subj("2001:db8:1::42");

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::42", &a), 1);
	assert_int_equal(rep_subject_ip(AF_INET6, &a, &s), 0);
	assert_memory_equal(&s, &want, sizeof s);
}

static void test_subject_ip_unmaps_v4_mapped_address(void **state)
{
	struct in6_addr a;
	struct rep_subject s, want = subj("203.0.113.9");

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:203.0.113.9", &a), 1);
	assert_int_equal(rep_subject_ip(AF_INET6, &a, &s), 0);
	assert_memory_equal(&s, &want, sizeof s);
}

static void test_subject_ip_reads_unaligned_bytes(void **state)
{
	uint8_t buf[17] = {0, 192, 0, 2, 1};
	struct rep_subject s, want = subj("192.0.2.1");

	(void)state;
	assert_int_equal(rep_subject_ip(AF_INET, buf + 1, &s), 0);
	assert_memory_equal(&s, &want, sizeof s);
}

static void test_subject_ip_rejects_bad_family_and_null(void **state)
{
	uint8_t a[16] = {0};
	struct rep_subject s;

	(void)state;
	assert_int_equal(rep_subject_ip(AF_UNIX, a, &s), REP_E_INVAL);
	assert_int_equal(rep_subject_ip(0, a, &s), REP_E_INVAL);
	assert_int_equal(rep_subject_ip(AF_INET, NULL, &s), REP_E_INVAL);
	assert_int_equal(rep_subject_ip(AF_INET, a, NULL), REP_E_INVAL);
}

/* ---- domain names ---- */

static void test_domain_is_folded_to_lower_case(void **state)
{
	(void)state;
	expect_text("ExAmPlE.CoM", "example.com");
	expect_same("WWW.EXAMPLE.COM", "www.example.com");
}

static void test_domain_has_zeroed_unused_fields(void **state)
{
	struct rep_subject want =
	        name_subject(REP_KIND_DOMAIN, REP_SCOPE_EXACT, "example.com");
	struct rep_subject s = subj("EXAMPLE.com.");

	(void)state;
	assert_memory_equal(&s, &want, sizeof s);
}

static void test_one_trailing_dot_is_stripped(void **state)
{
	(void)state;
	expect_same("example.com.", "example.com");
	expect_same(".example.com.", ".example.com");
	expect_same("*.example.com.", "*.example.com");
}

static void test_two_trailing_dots_are_a_name_error(void **state)
{
	(void)state;
	expect_err("example.com..", REP_E_NAME);
	expect_err("localhost..", REP_E_NAME);
}

static void test_empty_label_is_a_name_error(void **state)
{
	(void)state;
	expect_err("example..com", REP_E_NAME);
	expect_err("..example.com", REP_E_NAME);
	expect_err("..", REP_E_NAME);
	expect_err("*..example.com", REP_E_NAME);
	expect_err("a...b", REP_E_NAME);
}

static void test_leading_dot_means_name_and_subdomains(void **state)
{
	struct rep_subject s = subj(".Example.com");

	(void)state;
	assert_int_equal(s.kind, REP_KIND_DOMAIN);
	assert_int_equal(s.scope, REP_SCOPE_TREE);
	assert_string_equal(s.name, "example.com");
}

static void test_star_dot_means_subdomains_only(void **state)
{
	struct rep_subject s = subj("*.example.com");

	(void)state;
	assert_int_equal(s.kind, REP_KIND_DOMAIN);
	assert_int_equal(s.scope, REP_SCOPE_SUBS);
	assert_string_equal(s.name, "example.com");
}

static void test_plain_name_is_exact(void **state)
{
	struct rep_subject s = subj("example.com");

	(void)state;
	assert_int_equal(s.kind, REP_KIND_DOMAIN);
	assert_int_equal(s.scope, REP_SCOPE_EXACT);
}

static void test_scope_marker_alone_is_syntax(void **state)
{
	(void)state;
	expect_err(".", REP_E_SYNTAX);
	expect_err("*.", REP_E_SYNTAX);
}

static void test_wildcard_anywhere_else_is_a_name_error(void **state)
{
	static const char *const bad[] = {"*", "**.example.com", "*example.com",
	        "foo.*.example.com", ".*.example.com", "*.*.example.com",
	        "example.*", "*.example.com*"};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		expect_err(bad[i], REP_E_NAME);
}

static void test_label_of_63_octets_is_accepted(void **state)
{
	char buf[100];

	(void)state;
	expect_text(repeat(buf, 'a', 63, ".com"), buf);
}

static void test_label_of_64_octets_is_a_name_error(void **state)
{
	char buf[100];

	(void)state;
	expect_err(repeat(buf, 'a', 64, ".com"), REP_E_NAME);
	expect_err(repeat(buf, 'a', 64, ""), REP_E_NAME);
}

/* long_name - a name of exactly n octets made of 63-octet labels */
static char *long_name(char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (i % 64 == 63) ? '.' : 'a' + (char)(i % 26);
	if (buf[n - 1] == '.')
		buf[n - 1] = 'z';
	buf[n] = '\0';
	return buf;
}

static void test_name_of_253_octets_is_accepted(void **state)
{
	char buf[300], dot[310];
	struct rep_subject s;

	(void)state;
	long_name(buf, 253);
	expect_text(buf, buf);
	snprintf(dot, sizeof dot, "%s.", buf);
	expect_text(dot, buf);
	s = subj(dot);
	assert_int_equal(strlen(s.name), 253);
}

static void test_name_of_254_octets_is_a_name_error(void **state)
{
	char buf[300];

	(void)state;
	expect_err(long_name(buf, 254), REP_E_NAME);
	expect_err(long_name(buf, 255), REP_E_NAME);
}

static void test_huge_input_is_rejected_without_overrun(void **state)
{
	size_t n = 1 << 20;
	char *big = malloc(n + 1);
	struct rep_subject s;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', n);
	big[n] = '\0';
	assert_int_equal(rep_subject_parse(big, &s), REP_E_NAME);
	assert_int_equal(
	        rep_subject_domain(REP_KIND_DOMAIN, big, &s), REP_E_NAME);
	memset(big, ':', n);
	assert_int_equal(rep_subject_parse(big, &s), REP_E_NAME);
	free(big);
}

static void test_hyphen_at_label_edge_is_a_name_error(void **state)
{
	static const char *const bad[] = {"-example.com", "example-.com",
	        "example.com-", "a.-b.com", "-", "example.-", ".-a.com"};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		expect_err(bad[i], REP_E_NAME);
}

static void test_hyphen_inside_label_is_accepted(void **state)
{
	(void)state;
	expect_text("a-b.example.com", "a-b.example.com");
	expect_text("ab--cd.com", "ab--cd.com");
	expect_text("a-1.com", "a-1.com");
}

static void test_underscore_is_accepted(void **state)
{
	(void)state;
	expect_text("_dmarc.example.com", "_dmarc.example.com");
	expect_text("s1._domainkey.Example.com", "s1._domainkey.example.com");
	expect_text("_.example.com", "_.example.com");
}

static void test_punctuation_in_name_is_a_name_error(void **state)
{
	static const char *const bad[] = {"exa!mple.com", "ex$ample.com",
	        "user@example.com", "exa%s.com", "%n%n%n%n", "a\\b.com",
	        "a,b.com", "a+b.com", "a;b.com", "a'b.com", "a\"b.com",
	        "a(b).com", "a=b.com", "~a.com", "a#b.com", "a&b.com",
	        "a<b>.com", "a?b.com", "a[b].com", "a{b}.com", "a|b.com",
	        "a`b.com", "a^b.com"};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		expect_err(bad[i], REP_E_NAME);
}

static void test_control_bytes_and_spaces_are_syntax(void **state)
{
	static const char *const bad[] = {"example.com\n", " example.com",
	        "exa mple.com", "exa\tmple.com", "\x7f", "example.com\r",
	        "192.0.2.1 ", "\x1b[31mexample.com", "example\x01.com",
	        "2001:db8::1\n", "auth:example.com\n", ".example.com\x7f", "\b",
	        " "};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		expect_err(bad[i], REP_E_SYNTAX);
}

static void test_numeric_top_label_is_a_name_error(void **state)
{
	(void)state;
	expect_err("example.123", REP_E_NAME);
	expect_err("123", REP_E_NAME);
	expect_err(".10.0.0.1", REP_E_NAME);
	expect_err("*.10.0.0.1", REP_E_NAME);
	/* Full-width digits map to ASCII ones: still not an address. */
	expect_err("\xef\xbc\x91.\xef\xbc\x92.\xef\xbc\x93.\xef\xbc\x94",
	        REP_E_NAME);
}

static void test_numeric_inner_labels_are_accepted(void **state)
{
	(void)state;
	expect_text("1.2.3.4.example.com", "1.2.3.4.example.com");
	expect_text("123.com", "123.com");
	expect_text("4.3.2.1.zen.example", "4.3.2.1.zen.example");
	expect_text("example.1a", "example.1a");
}

static void test_single_label_name_is_accepted(void **state)
{
	(void)state;
	expect_text("localhost", "localhost");
	expect_text("LOCALHOST.", "localhost");
	expect_text(".local", ".local");
}

static void test_empty_and_null_inputs_are_invalid(void **state)
{
	struct rep_subject s;

	(void)state;
	assert_int_equal(rep_subject_parse("", &s), REP_E_INVAL);
	assert_int_equal(rep_subject_parse(NULL, &s), REP_E_INVAL);
	assert_int_equal(rep_subject_parse("example.com", NULL), REP_E_INVAL);
}

static void test_failure_leaves_output_untouched(void **state)
{
	static const char *const bad[] = {"192.0.2.1/24", "192.0.2.0/33",
	        "example..com", "bad name", "x\xff.com", "auth:", "",
	        "xn--zz.com"};
	struct rep_subject s, before;
	uint8_t key[] = {REP_KEY_IP4, 1, 2, 3, 4, 33};
	size_t i;

	(void)state;
	memset(&before, 0xa5, sizeof before);
	for (i = 0; i < NELEM(bad); i++) {
		s = before;
		assert_int_not_equal(rep_subject_parse(bad[i], &s), 0);
		assert_memory_equal(&s, &before, sizeof s);
	}
	s = before;
	assert_int_not_equal(
	        rep_subject_domain(REP_KIND_DOMAIN, "a..b", &s), 0);
	assert_memory_equal(&s, &before, sizeof s);
	assert_int_not_equal(rep_subject_ip(AF_UNIX, key, &s), 0);
	assert_memory_equal(&s, &before, sizeof s);
	assert_int_not_equal(rep_key_decode(key, sizeof key, &s), 0);
	assert_memory_equal(&s, &before, sizeof s);
}

/* ---- internationalised names ---- */

static void test_utf8_name_becomes_a_labels(void **state)
{
	(void)state;
	expect_text("b\xc3\xbc"
	            "cher.de",
	        "xn--bcher-kva.de");
	expect_text("\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9"
	            ".com",
	        "xn--mgbcd4a2b0d2b.com");
}

static void test_utf8_upper_case_is_folded(void **state)
{
	(void)state;
	expect_text("B\xc3\x9c"
	            "CHER.DE",
	        "xn--bcher-kva.de");
}

static void test_nontransitional_keeps_sharp_s(void **state)
{
	(void)state;
	expect_text("fa\xc3\x9f.de", "xn--fa-hia.de");
}

static void test_utf8_name_takes_scope_markers(void **state)
{
	(void)state;
	expect_text("*.b\xc3\xbc"
	            "cher.de.",
	        "*.xn--bcher-kva.de");
	expect_text(".b\xc3\xbc"
	            "cher.de",
	        ".xn--bcher-kva.de");
	expect_text("auth:b\xc3\xbc"
	            "cher.de",
	        "auth:xn--bcher-kva.de");
}

static void test_ideographic_full_stop_separates_labels(void **state)
{
	(void)state;
	expect_text("b\xc3\xbc"
	            "cher\xe3\x80\x82"
	            "de",
	        "xn--bcher-kva.de");
}

static void test_invalid_utf8_is_an_idn_error(void **state)
{
	static const char *const bad[] = {"\xff\xfe.de", "ab\xc3",
	        "\xc0\xae.com", "\xed\xa0\x80.com", "\xf8\x88\x80\x80\x80.com",
	        "\x80", "a\xc3\x28.com"};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		expect_err(bad[i], REP_E_IDN);
}

static void test_disallowed_code_points_are_an_idn_error(void **state)
{
	(void)state;
	expect_err("\xf0\x9f\x92\xa9.la", REP_E_IDN); /* emoji */
	expect_err("\xe2\x80\xae"
	           "abc.com",
	        REP_E_IDN); /* right-to-left override */
	expect_err("a\xe2\x80\x8d"
	           "b.com",
	        REP_E_IDN); /* zero width joiner */
	expect_err("\xc3\xbc\xe2\x81\x84x.de", REP_E_IDN); /* fraction slash */
	expect_err("-b\xc3\xbc"
	           "cher.de",
	        REP_E_IDN);
}

static void test_utf8_mapped_to_space_is_a_name_error(void **state)
{
	(void)state;
	/* UTS #46 maps no-break space to a space, which no name holds. */
	expect_err("a\xc2\xa0"
	           "b.com",
	        REP_E_NAME);
}

static void test_utf8_label_too_long_for_a_label_is_an_idn_error(void **state)
{
	char buf[400] = "";
	int i;

	(void)state;
	for (i = 0; i < 64; i++)
		strcat(buf, "\xc3\xbc");
	strcat(buf, ".de");
	expect_err(buf, REP_E_IDN);
}

static void test_valid_a_label_is_accepted(void **state)
{
	(void)state;
	expect_text("xn--bcher-kva.de", "xn--bcher-kva.de");
	expect_text("XN--BCHER-KVA.DE", "xn--bcher-kva.de");
	expect_text("xn--fa-hia.de", "xn--fa-hia.de");
	expect_same("xn--bcher-kva.de", "b\xc3\xbc"
	                                "cher.de");
}

static void test_invalid_a_label_is_an_idn_error(void **state)
{
	static const char *const bad[] = {"xn--zz.com", "xn--a.com",
	        "xn--ls8h.la", "www.xn--zz.example", "xn--abc.com",
	        "auth:xn--zz.com", "*.xn--zz.com", "XN--ZZ.com"};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		expect_err(bad[i], REP_E_IDN);
	/* A final hyphen fails the label rule before punycode is looked at. */
	expect_err("xn--.de", REP_E_NAME);
	expect_err("xn--a-.com", REP_E_NAME);
	expect_err("xn---.com", REP_E_NAME);
}

static void test_a_label_of_upper_case_u_label_is_an_idn_error(void **state)
{
	(void)state;
	/* "xn--tda" is "ü"; "xn--wca" encodes "Ü", never a valid A-label. */
	expect_text("xn--tda.de", "xn--tda.de");
	expect_err("xn--wca.de", REP_E_IDN);
}

/* ---- authenticated domains ---- */

static void test_auth_prefix_makes_auth_subject(void **state)
{
	struct rep_subject want =
	        name_subject(REP_KIND_AUTH, REP_SCOPE_EXACT, "example.com");
	struct rep_subject s = subj("auth:Example.COM.");

	(void)state;
	assert_memory_equal(&s, &want, sizeof s);
	expect_text("auth:Example.COM.", "auth:example.com");
}

static void test_auth_with_scope_marker_is_syntax(void **state)
{
	(void)state;
	expect_err("auth:.example.com", REP_E_SYNTAX);
	expect_err("auth:*.example.com", REP_E_SYNTAX);
	expect_err("auth:.x", REP_E_SYNTAX);
	expect_err("auth:", REP_E_SYNTAX);
	expect_err("auth:.", REP_E_SYNTAX);
}

static void test_auth_prefix_is_lower_case_only(void **state)
{
	(void)state;
	expect_err("AUTH:example.com", REP_E_SYNTAX);
	expect_err("Auth:example.com", REP_E_SYNTAX);
}

static void test_auth_of_address_or_garbage_is_a_name_error(void **state)
{
	(void)state;
	expect_err("auth:192.0.2.1", REP_E_NAME);
	expect_err("auth:auth:example.com", REP_E_NAME);
	expect_err("auth:example..com", REP_E_NAME);
	expect_err("auth:2001:db8::1", REP_E_NAME);
}

static void test_name_starting_with_auth_is_a_domain(void **state)
{
	(void)state;
	expect_text("auth.example.com", "auth.example.com");
	expect_text("authx", "authx");
}

/* ---- rep_subject_domain ---- */

static void test_subject_domain_makes_exact_domain(void **state)
{
	struct rep_subject s, want = subj("mail.example.com");

	(void)state;
	assert_int_equal(
	        rep_subject_domain(REP_KIND_DOMAIN, "Mail.Example.com.", &s),
	        0);
	assert_memory_equal(&s, &want, sizeof s);
}

static void test_subject_domain_makes_auth(void **state)
{
	struct rep_subject s, want = subj("auth:example.org");

	(void)state;
	assert_int_equal(
	        rep_subject_domain(REP_KIND_AUTH, "example.org", &s), 0);
	assert_memory_equal(&s, &want, sizeof s);
}

static void test_subject_domain_converts_utf8(void **state)
{
	struct rep_subject s;

	(void)state;
	assert_int_equal(rep_subject_domain(REP_KIND_DOMAIN,
	                         "b\xc3\xbc"
	                         "cher.de",
	                         &s),
	        0);
	assert_string_equal(s.name, "xn--bcher-kva.de");
}

static void test_subject_domain_rejects_scope_markers(void **state)
{
	struct rep_subject s;

	(void)state;
	assert_int_equal(
	        rep_subject_domain(REP_KIND_DOMAIN, ".example.com", &s),
	        REP_E_NAME);
	assert_int_equal(
	        rep_subject_domain(REP_KIND_DOMAIN, "*.example.com", &s),
	        REP_E_NAME);
	assert_int_equal(
	        rep_subject_domain(REP_KIND_AUTH, "auth:example.com", &s),
	        REP_E_NAME);
}

static void test_subject_domain_rejects_addresses(void **state)
{
	struct rep_subject s;

	(void)state;
	assert_int_equal(rep_subject_domain(REP_KIND_DOMAIN, "192.0.2.1", &s),
	        REP_E_NAME);
	assert_int_equal(
	        rep_subject_domain(REP_KIND_AUTH, "::1", &s), REP_E_NAME);
}

static void test_subject_domain_rejects_bad_arguments(void **state)
{
	struct rep_subject s;

	(void)state;
	assert_int_equal(rep_subject_domain(REP_KIND_IP4, "example.com", &s),
	        REP_E_INVAL);
	assert_int_equal(
	        rep_subject_domain((enum rep_kind)0, "a.com", &s), REP_E_INVAL);
	assert_int_equal(rep_subject_domain((enum rep_kind)99, "a.com", &s),
	        REP_E_INVAL);
	assert_int_equal(
	        rep_subject_domain(REP_KIND_DOMAIN, NULL, &s), REP_E_INVAL);
	assert_int_equal(
	        rep_subject_domain(REP_KIND_DOMAIN, "", &s), REP_E_INVAL);
	assert_int_equal(rep_subject_domain(REP_KIND_DOMAIN, "a.com", NULL),
	        REP_E_INVAL);
	assert_int_equal(rep_subject_domain(REP_KIND_DOMAIN, "a .com", &s),
	        REP_E_SYNTAX);
}

/* ---- formatting ---- */

static void test_format_writes_canonical_text(void **state)
{
	static const char *const same[] = {"192.0.2.1", "192.0.2.0/24",
	        "0.0.0.0/0", "2001:db8::1", "2001:db8::/32", "::/0", "::1",
	        "::192.0.2.1", "example.com", ".example.com", "*.example.com",
	        "auth:example.com", "xn--bcher-kva.de"};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(same); i++)
		expect_text(same[i], same[i]);
}

static void test_format_returns_needed_length_and_truncates(void **state)
{
	struct rep_subject s = subj("192.0.2.0/24");
	char buf[6];

	(void)state;
	memset(buf, 'x', sizeof buf);
	assert_int_equal(rep_subject_format(&s, buf, sizeof buf), 12);
	assert_string_equal(buf, "192.0");
	assert_int_equal(rep_subject_format(&s, NULL, 0), 12);
	s = subj("*.example.com");
	assert_int_equal(rep_subject_format(&s, buf, sizeof buf), 13);
	assert_string_equal(buf, "*.exa");
	assert_int_equal(rep_subject_format(&s, buf, 1), 13);
	assert_string_equal(buf, "");
}

static void test_format_of_longest_forms_fits_text_max(void **state)
{
	char name[300], text[310], buf[REP_SUBJECT_TEXT_MAX];
	struct rep_subject s;

	(void)state;
	long_name(name, REP_NAME_MAX);
	snprintf(text, sizeof text, "*.%s", name);
	s = subj(text);
	assert_true(rep_subject_format(&s, buf, sizeof buf) < sizeof buf);
	snprintf(text, sizeof text, "auth:%s", name);
	s = subj(text);
	assert_true(rep_subject_format(&s, buf, sizeof buf) < sizeof buf);
	assert_string_equal(buf, text);
	s = subj("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
	assert_true(rep_subject_format(&s, buf, sizeof buf) < sizeof buf);
}

static void test_format_of_invalid_subject_is_empty(void **state)
{
	struct rep_subject s;
	char buf[32] = "junk";

	(void)state;
	memset(&s, 0, sizeof s);
	assert_int_equal(rep_subject_format(&s, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	strcpy(buf, "junk");
	assert_int_equal(rep_subject_format(NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
}

static void test_format_shows_out_of_range_prefix_length(void **state)
{
	struct rep_subject s = subj("192.0.2.1");
	char buf[64];

	(void)state;
	s.plen = 40;
	rep_subject_format(&s, buf, sizeof buf);
	assert_string_equal(buf, "192.0.2.1/40");
	expect_err(buf, REP_E_PREFIXLEN);
}

static void test_format_of_unterminated_name_stops_at_array_end(void **state)
{
	struct rep_subject s;
	char buf[REP_SUBJECT_TEXT_MAX + 10];

	(void)state;
	memset(&s, 0, sizeof s);
	s.kind = REP_KIND_DOMAIN;
	memset(s.name, 'a', sizeof s.name);
	assert_int_equal(
	        rep_subject_format(&s, buf, sizeof buf), sizeof s.name);
}

/* round_trip - format, parse, key encode and decode all agree */
static void round_trip(const struct rep_subject *s)
{
	char buf[REP_SUBJECT_TEXT_MAX];
	struct rep_subject back, dec;
	uint8_t key[REP_KEY_MAX];
	size_t n;

	rep_subject_format(s, buf, sizeof buf);
	if (rep_subject_parse(buf, &back) != 0)
		fail_msg("formatted \"%s\" does not parse", buf);
	assert_memory_equal(&back, s, sizeof back);
	n = rep_key_encode(s, key, sizeof key);
	assert_true(n > 0);
	assert_int_equal(rep_key_decode(key, n, &dec), 0);
	assert_memory_equal(&dec, s, sizeof dec);
}

static void test_round_trip_of_random_ipv4_prefixes(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		uint32_t a = rnd();
		uint8_t b[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16),
		        (uint8_t)(a >> 8), (uint8_t)a};
		unsigned plen = i % 4 ? rnd() % 33 : 32;
		struct rep_subject s;

		rep_ip_mask(b, 32, plen);
		s = ip_subject(REP_KIND_IP4, b, (uint8_t)plen);
		round_trip(&s);
	}
}

static void test_round_trip_of_random_ipv6_prefixes(void **state)
{
	static const uint8_t mapped[12] = {
	        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	int i, j;

	(void)state;
	for (i = 0; i < 20000; i++) {
		uint8_t b[16];
		unsigned plen = i % 4 ? rnd() % 129 : 128;
		struct rep_subject s;

		for (j = 0; j < 16; j++)
			b[j] = (uint8_t)rnd();
		/* Runs of zero words exercise the "::" compression. */
		for (j = 0; j < 16; j += 2)
			if (rnd() % 3 == 0)
				b[j] = b[j + 1] = 0;
		rep_ip_mask(b, 128, plen);
		if (plen >= 96 && memcmp(b, mapped, sizeof mapped) == 0)
			continue;
		s = ip_subject(REP_KIND_IP6, b, (uint8_t)plen);
		round_trip(&s);
	}
}

static void test_round_trip_of_names(void **state)
{
	static const char *const texts[] = {"example.com", ".example.com",
	        "*.example.com", "auth:example.com", "localhost",
	        "_dmarc.example.com", "xn--bcher-kva.de", "a-b.c_d.e", "*.a",
	        ".a"};
	char buf[300];
	size_t i;
	struct rep_subject s;

	(void)state;
	for (i = 0; i < NELEM(texts); i++) {
		s = subj(texts[i]);
		round_trip(&s);
	}
	s = subj(long_name(buf, REP_NAME_MAX));
	round_trip(&s);
}

/* random_text - a short string over an alphabet of troublesome bytes */
static void random_text(char *buf, size_t max)
{
	static const char alpha[] =
	        "0123456789abcdefxnAF.:/*-_ \t%\xc3\xbc\xff";
	size_t i, n = rnd() % max;

	for (i = 0; i < n; i++)
		buf[i] = alpha[rnd() % (sizeof alpha - 1)];
	buf[n] = '\0';
}

static void test_random_strings_parse_to_canonical_subjects(void **state)
{
	char text[48];
	struct rep_subject s;
	int i, ok = 0;

	(void)state;
	for (i = 0; i < 200000; i++) {
		int err;
		random_text(text, sizeof text);
		err = rep_subject_parse(text, &s);
		if (err == 0) {
			round_trip(&s);
			assert_true(rep_subject_covers(&s, &s));
			assert_int_equal(rep_subject_cmp(&s, &s), 0);
			ok++;
		} else {
			assert_true(err >= REP_E_IDN && err <= REP_E_INVAL);
		}
	}
	assert_true(ok > 0);
}

/* ---- keys ---- */

/* expect_key - the key of a subject is exactly these bytes */
static void expect_key(const char *text, const void *want, size_t n)
{
	struct rep_subject s = subj(text);
	uint8_t key[REP_KEY_MAX];

	assert_int_equal(rep_key_encode(&s, key, sizeof key), n);
	assert_memory_equal(key, want, n);
}

static void test_ipv4_key_is_tag_address_length(void **state)
{
	static const uint8_t k[] = {0x04, 192, 0, 2, 0, 24};

	(void)state;
	expect_key("192.0.2.0/24", k, sizeof k);
}

static void test_ipv6_key_is_tag_address_length(void **state)
{
	static const uint8_t k[] = {0x06, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0,
	        0, 0, 0, 0, 0, 0, 1, 128};

	(void)state;
	expect_key("2001:db8::1", k, sizeof k);
}

static void test_domain_key_reverses_labels(void **state)
{
	static const char k1[] = "\x44"
	                         "com\x01"
	                         "example\x01"
	                         "www\x00\x00";
	static const char k2[] = "\x44"
	                         "com\x01"
	                         "example\x00\x01";
	static const char k3[] = "\x44"
	                         "com\x01"
	                         "example\x00\x02";
	static const char k4[] = "\x44localhost\x00\x00";

	(void)state;
	expect_key("www.example.com", k1, sizeof k1 - 1);
	expect_key(".example.com", k2, sizeof k2 - 1);
	expect_key("*.example.com", k3, sizeof k3 - 1);
	expect_key("localhost", k4, sizeof k4 - 1);
}

static void test_auth_key_layout(void **state)
{
	static const char k[] = "\x41"
	                        "org\x01"
	                        "example\x00\x00";

	(void)state;
	expect_key("auth:example.org", k, sizeof k - 1);
}

static void test_longest_name_key_fits_key_max(void **state)
{
	char buf[300];
	struct rep_subject s;
	uint8_t key[REP_KEY_MAX];

	(void)state;
	s = subj(long_name(buf, REP_NAME_MAX));
	assert_int_equal(rep_key_encode(&s, key, sizeof key), REP_NAME_MAX + 3);
}

static void test_key_encode_needs_room(void **state)
{
	struct rep_subject s4 = subj("192.0.2.1"), s6 = subj("::1");
	struct rep_subject sd = subj("example.com");
	uint8_t key[REP_KEY_MAX];

	(void)state;
	assert_int_equal(rep_key_encode(&s4, key, 5), 0);
	assert_int_equal(rep_key_encode(&s4, key, 6), 6);
	assert_int_equal(rep_key_encode(&s6, key, 17), 0);
	assert_int_equal(rep_key_encode(&s6, key, 18), 18);
	assert_int_equal(rep_key_encode(&sd, key, 13), 0);
	assert_int_equal(rep_key_encode(&sd, key, 14), 14);
	assert_int_equal(rep_key_encode(&sd, key, 0), 0);
	assert_int_equal(rep_key_encode(&sd, NULL, sizeof key), 0);
	assert_int_equal(rep_key_encode(NULL, key, sizeof key), 0);
}

/* expect_no_key - no key is made for this subject */
static void expect_no_key(const struct rep_subject *s, const char *what)
{
	uint8_t key[REP_KEY_MAX];

	if (rep_key_encode(s, key, sizeof key) != 0)
		fail_msg("a key was made for a subject with %s", what);
}

static void test_key_encode_rejects_noncanonical_ip(void **state)
{
	struct rep_subject s;
	static const uint8_t mapped[16] = {
	        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};

	(void)state;
	s = subj("192.0.2.0/24");
	s.addr[3] = 1;
	expect_no_key(&s, "v4 host bits");
	s = subj("192.0.2.0/24");
	s.plen = 33;
	expect_no_key(&s, "v4 plen 33");
	s.plen = 255;
	expect_no_key(&s, "v4 plen 255");
	s = subj("0.0.0.0/0");
	s.addr[0] = 0x80;
	expect_no_key(&s, "v4 host bits at /0");
	s = subj("192.0.2.1");
	s.addr[4] = 1;
	expect_no_key(&s, "bytes past a v4 address");
	s = subj("192.0.2.1");
	s.addr[15] = 1;
	expect_no_key(&s, "the last byte past a v4 address");
	s = subj("192.0.2.1");
	s.scope = REP_SCOPE_TREE;
	expect_no_key(&s, "a scope on an address");
	s = subj("2001:db8::/32");
	s.addr[15] = 1;
	expect_no_key(&s, "v6 host bits in the low word");
	s = subj("2001:db8::/32");
	s.addr[4] = 0x80;
	expect_no_key(&s, "v6 host bits in the high word");
	s = subj("::/0");
	s.plen = 129;
	expect_no_key(&s, "v6 plen 129");
	s.plen = 255;
	expect_no_key(&s, "v6 plen 255");
	s = ip_subject(REP_KIND_IP6, mapped, 128);
	expect_no_key(&s, "a v4-mapped v6 address");
	s.plen = 96;
	memset(s.addr + 12, 0, 4);
	expect_no_key(&s, "a v4-mapped v6 prefix");
}

static void test_key_encode_rejects_noncanonical_name(void **state)
{
	struct rep_subject s;

	(void)state;
	s = name_subject(REP_KIND_DOMAIN, 0, "Example.com");
	expect_no_key(&s, "upper case");
	s = name_subject(REP_KIND_DOMAIN, 0, "example.com.");
	expect_no_key(&s, "a final dot");
	s = name_subject(REP_KIND_DOMAIN, 0, "");
	expect_no_key(&s, "an empty name");
	s = name_subject(REP_KIND_DOMAIN, 0, "a..b");
	expect_no_key(&s, "an empty label");
	s = name_subject(REP_KIND_DOMAIN, 0, "a\x01.b");
	expect_no_key(&s, "a separator byte");
	s = name_subject(REP_KIND_DOMAIN, 0, "10.0.0.1");
	expect_no_key(&s, "a numeric top label");
	s = name_subject(REP_KIND_DOMAIN, 3, "example.com");
	expect_no_key(&s, "scope 3");
	s = name_subject(REP_KIND_AUTH, REP_SCOPE_TREE, "example.com");
	expect_no_key(&s, "an auth scope");
	s = name_subject(REP_KIND_DOMAIN, 0, "example.com");
	s.plen = 32;
	expect_no_key(&s, "a prefix length on a name");
	s = name_subject(REP_KIND_DOMAIN, 0, "");
	memset(s.name, 'a', sizeof s.name);
	expect_no_key(&s, "an unterminated name");
	s = name_subject(REP_KIND_DOMAIN, 0, "example.com");
	s.kind = 0;
	expect_no_key(&s, "kind 0");
	s.kind = 5;
	expect_no_key(&s, "kind 5");
}

static void test_key_decode_inverts_encode(void **state)
{
	static const char *const texts[] = {"192.0.2.1", "10.0.0.0/8",
	        "0.0.0.0/0", "2001:db8::/32", "::/0", "::1", "example.com",
	        ".example.com", "*.example.com", "auth:example.com", "a"};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(texts); i++) {
		struct rep_subject s = subj(texts[i]);
		round_trip(&s);
	}
}

/* expect_corrupt - decoding these bytes is REP_E_CORRUPT */
static void expect_corrupt(const void *key, size_t n, const char *what)
{
	struct rep_subject s;
	int err = rep_key_decode(key, n, &s);

	if (err != REP_E_CORRUPT)
		fail_msg("key with %s: got %d, want REP_E_CORRUPT", what, err);
}

static void test_key_decode_rejects_malformed_ip_keys(void **state)
{
	static const uint8_t ok4[] = {0x04, 10, 0, 0, 0, 8};
	static const uint8_t plen4[] = {0x04, 10, 0, 0, 0, 33};
	static const uint8_t host4[] = {0x04, 10, 0, 0, 1, 8};
	static const uint8_t long4[] = {0x04, 10, 0, 0, 0, 8, 0};
	static const uint8_t plen6[] = {
	        0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 129};
	static const uint8_t mapped6[] = {0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	        0xff, 0xff, 192, 0, 2, 1, 128};

	(void)state;
	expect_corrupt(ok4, 0, "no bytes");
	expect_corrupt(ok4, 1, "a tag only");
	expect_corrupt(ok4, 5, "a short v4 key");
	expect_corrupt(long4, sizeof long4, "a long v4 key");
	expect_corrupt(plen4, sizeof plen4, "v4 plen 33");
	expect_corrupt(host4, sizeof host4, "v4 host bits");
	expect_corrupt(ok4, sizeof ok4 - 1, "a v4 key cut short");
	expect_corrupt(plen6, sizeof plen6, "v6 plen 129");
	expect_corrupt(plen6, 6, "a v6 tag on a v4-sized key");
	expect_corrupt(mapped6, sizeof mapped6, "a v4-mapped v6 address");
}

static void test_key_decode_rejects_malformed_name_keys(void **state)
{
	static const struct {
		const char *key;
		size_t n;
		const char *what;
	} bad[] = {
	        {"\x44", 1, "a tag only"},
	        {"\x44\x00\x00", 3, "an empty name"},
	        {"\x44"
	         "com",
	                4, "no terminator"},
	        {"\x44"
	         "com\x00",
	                5, "no scope byte"},
	        {"\x44\x01"
	         "com\x00\x00",
	                6, "a leading separator"},
	        {"\x44"
	         "com\x01\x01"
	         "a\x00\x00",
	                8, "two separators"},
	        {"\x44"
	         "co.m\x00\x00",
	                7, "a dot inside a label"},
	        {"\x44"
	         "com\x00"
	         "a\x00\x00",
	                8, "a NUL inside"},
	        {"\x44"
	         "COM\x00\x00",
	                6, "upper case"},
	        {"\x44"
	         "com\x00\x03",
	                6, "scope 3"},
	        {"\x44"
	         "com\x01\x00\x00",
	                6, "a trailing separator"},
	        {"\x41"
	         "com\x00\x01",
	                6, "an auth scope"},
	        {"\x44"
	         "com\x01"
	         "a b\x00\x00",
	                10, "a space"},
	        {"\x44"
	         "com\x01-a\x00\x00",
	                9, "a leading hyphen"},
	        {"\x44"
	         "1\x01"
	         "a\x00\x00",
	                6, "a numeric top label"},
	        {"\x45"
	         "com\x00\x00",
	                6, "an unknown tag"},
	        {"\x00", 1, "tag 0"},
	        {"\xff"
	         "com\x00\x00",
	                6, "tag 0xff"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		expect_corrupt(bad[i].key, bad[i].n, bad[i].what);
}

static void test_key_decode_rejects_overlong_name(void **state)
{
	uint8_t key[REP_KEY_MAX + 10];
	size_t i, n = REP_NAME_MAX + 1;

	(void)state;
	key[0] = REP_KEY_DOMAIN;
	for (i = 0; i < n; i++)
		key[1 + i] = (i % 50 == 49) ? 0x01 : 'a';
	key[1 + n] = 0;
	key[2 + n] = 0;
	expect_corrupt(key, n + 3, "a 254-octet name");
}

static void test_key_decode_rejects_null(void **state)
{
	static const uint8_t k[] = {0x04, 10, 0, 0, 0, 8};
	struct rep_subject s;

	(void)state;
	assert_int_equal(rep_key_decode(NULL, 6, &s), REP_E_INVAL);
	assert_int_equal(rep_key_decode(k, sizeof k, NULL), REP_E_INVAL);
}

static void test_random_keys_decode_only_to_their_own_key(void **state)
{
	uint8_t key[32], again[REP_KEY_MAX];
	static const uint8_t tags[] = {0x04, 0x06, 0x41, 0x44};
	static const uint8_t bytes[] = {0, 1, 2, 'a', 'z', '0', '-', '.', 0xff};
	struct rep_subject s;
	int i, ok = 0;

	(void)state;
	for (i = 0; i < 200000; i++) {
		size_t j, n = rnd() % sizeof key;
		int err;
		for (j = 0; j < n; j++)
			key[j] = rnd() % 2 ? bytes[rnd() % sizeof bytes]
			                   : (uint8_t)rnd();
		if (n > 0)
			key[0] = tags[rnd() % sizeof tags];
		err = rep_key_decode(key, n, &s);
		if (err != 0) {
			assert_int_equal(err, REP_E_CORRUPT);
			continue;
		}
		assert_int_equal(rep_key_encode(&s, again, sizeof again), n);
		assert_memory_equal(again, key, n);
		ok++;
	}
	assert_true(ok > 0);
}

/* ---- order ---- */

static void test_cmp_orders_kinds_ipv4_ipv6_auth_domain(void **state)
{
	struct rep_subject v4 = subj("255.255.255.255"), v6 = subj("::");
	struct rep_subject au = subj("auth:zzz.com"), dom = subj("a.com");

	(void)state;
	assert_true(rep_subject_cmp(&v4, &v6) < 0);
	assert_true(rep_subject_cmp(&v6, &au) < 0);
	assert_true(rep_subject_cmp(&au, &dom) < 0);
	assert_true(rep_subject_cmp(&dom, &v4) > 0);
}

static void test_cmp_sorts_in_store_order(void **state)
{
	static const char *const sorted[] = {"10.0.0.0/8", "10.0.0.0/16",
	        "10.0.0.0", "10.0.0.1", "11.0.0.0/8", "2001:db8::/32",
	        "2001:db8::1", "auth:example.com", "example.com",
	        ".example.com", "*.example.com", "a.example.com",
	        "z.a.example.com", "z.example.com", "localhost", "example.net"};
	size_t i, j;

	(void)state;
	for (i = 0; i < NELEM(sorted); i++)
		for (j = 0; j < NELEM(sorted); j++) {
			struct rep_subject a = subj(sorted[i]);
			struct rep_subject b = subj(sorted[j]);
			int c = rep_subject_cmp(&a, &b);
			int want = (i > j) - (i < j);
			if (c != want)
				fail_msg("cmp(%s, %s) = %d, want %d", sorted[i],
				        sorted[j], c, want);
		}
}

static void test_cmp_keeps_a_subtree_contiguous(void **state)
{
	struct rep_subject before = subj("exampl.com");
	struct rep_subject tree = subj(".example.com");
	struct rep_subject in = subj("zzz.www.example.com");
	struct rep_subject sibling = subj("example-a.com");
	struct rep_subject after = subj("examplf.com");

	(void)state;
	assert_true(rep_subject_cmp(&before, &tree) < 0);
	assert_true(rep_subject_cmp(&tree, &in) < 0);
	assert_true(rep_subject_cmp(&in, &sibling) < 0);
	assert_true(rep_subject_cmp(&in, &after) < 0);
}

static void test_cmp_puts_noncanonical_subjects_first(void **state)
{
	struct rep_subject bad, ok = subj("0.0.0.0/0");

	(void)state;
	memset(&bad, 0, sizeof bad);
	assert_true(rep_subject_cmp(&bad, &ok) < 0);
	assert_true(rep_subject_cmp(&ok, &bad) > 0);
	assert_int_equal(rep_subject_cmp(&bad, &bad), 0);
	assert_int_equal(rep_subject_cmp(NULL, NULL), 0);
}

/* ---- covering ---- */

/* covers - does the subject `a` cover `b`? */
static int covers(const char *a, const char *b)
{
	struct rep_subject sa = subj(a), sb = subj(b);

	return rep_subject_covers(&sa, &sb);
}

static void test_ipv4_prefix_covers_what_is_inside(void **state)
{
	(void)state;
	assert_true(covers("192.0.2.0/24", "192.0.2.77"));
	assert_true(covers("192.0.2.0/24", "192.0.2.128/25"));
	assert_true(covers("192.0.2.0/24", "192.0.2.0/24"));
	assert_true(covers("10.0.0.0/7", "11.255.255.255"));
}

static void test_ipv4_prefix_does_not_cover_outside_or_wider(void **state)
{
	(void)state;
	assert_false(covers("192.0.2.0/24", "192.0.3.1"));
	assert_false(covers("192.0.2.0/25", "192.0.2.128"));
	assert_false(covers("192.0.2.0/25", "192.0.2.0/24"));
	assert_false(covers("192.0.2.1", "192.0.2.0/24"));
	assert_false(covers("10.0.0.0/8", "11.0.0.0/8"));
}

static void test_zero_prefix_covers_its_family_only(void **state)
{
	(void)state;
	assert_true(covers("0.0.0.0/0", "255.255.255.255"));
	assert_true(covers("::/0", "ffff::1"));
	assert_false(covers("::/0", "192.0.2.1"));
	assert_false(covers("0.0.0.0/0", "2001:db8::1"));
	assert_true(covers("::ffff:0:0/96", "192.0.2.1"));
}

static void test_ipv6_prefix_covers_what_is_inside(void **state)
{
	(void)state;
	assert_true(covers("2001:db8::/32", "2001:db8:ffff::1"));
	assert_true(covers("2001:db8::/33", "2001:db8:7fff::/48"));
	assert_false(covers("2001:db8::/33", "2001:db8:8000::1"));
	assert_false(covers("2001:db8::/48", "2001:db8::/32"));
}

static void test_every_subject_covers_itself(void **state)
{
	static const char *const texts[] = {"192.0.2.1", "192.0.2.0/24", "::1",
	        "2001:db8::/32", "example.com", ".example.com", "*.example.com",
	        "auth:example.com"};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(texts); i++)
		assert_true(covers(texts[i], texts[i]));
}

static void test_exact_name_covers_only_itself(void **state)
{
	(void)state;
	assert_true(covers("example.com", "example.com"));
	assert_false(covers("example.com", "www.example.com"));
	assert_false(covers("example.com", ".example.com"));
	assert_false(covers("example.com", "*.example.com"));
	assert_false(covers("www.example.com", "example.com"));
}

static void test_tree_covers_name_and_everything_below(void **state)
{
	(void)state;
	assert_true(covers(".example.com", "example.com"));
	assert_true(covers(".example.com", ".example.com"));
	assert_true(covers(".example.com", "*.example.com"));
	assert_true(covers(".example.com", "www.example.com"));
	assert_true(covers(".example.com", "a.b.example.com"));
	assert_true(covers(".example.com", ".b.example.com"));
	assert_true(covers(".example.com", "*.b.example.com"));
	assert_false(covers(".example.com", "example.net"));
	assert_false(covers(".example.com", "com"));
	assert_false(covers(".example.com", ".com"));
}

static void test_subs_covers_only_what_is_strictly_below(void **state)
{
	(void)state;
	assert_false(covers("*.example.com", "example.com"));
	assert_false(covers("*.example.com", ".example.com"));
	assert_true(covers("*.example.com", "*.example.com"));
	assert_true(covers("*.example.com", "www.example.com"));
	assert_true(covers("*.example.com", ".www.example.com"));
	assert_true(covers("*.example.com", "*.www.example.com"));
	assert_true(covers("*.example.com", "a.b.example.com"));
}

static void test_suffix_without_dot_is_not_below(void **state)
{
	(void)state;
	assert_false(covers(".example.com", "badexample.com"));
	assert_false(covers("*.example.com", "badexample.com"));
	assert_false(covers(".example.com", "xexample.com"));
	assert_false(covers(".com", "xcom"));
	assert_true(covers(".com", "example.com"));
}

static void test_auth_covers_only_the_same_auth(void **state)
{
	(void)state;
	assert_true(covers("auth:example.com", "auth:example.com"));
	assert_false(covers("auth:example.com", "auth:www.example.com"));
	assert_false(covers("auth:www.example.com", "auth:example.com"));
}

static void test_different_kinds_never_cover(void **state)
{
	(void)state;
	assert_false(covers("auth:example.com", "example.com"));
	assert_false(covers("example.com", "auth:example.com"));
	assert_false(covers(".example.com", "auth:www.example.com"));
	assert_false(covers("0.0.0.0/0", "example.com"));
}

static void test_covers_with_null_is_false(void **state)
{
	struct rep_subject s = subj("example.com");

	(void)state;
	assert_false(rep_subject_covers(NULL, &s));
	assert_false(rep_subject_covers(&s, NULL));
}

/* ---- address helpers ---- */

static void test_ip_maxlen_by_kind(void **state)
{
	(void)state;
	assert_int_equal(rep_ip_maxlen(REP_KIND_IP4), 32);
	assert_int_equal(rep_ip_maxlen(REP_KIND_IP6), 128);
	assert_int_equal(rep_ip_maxlen(REP_KIND_DOMAIN), 0);
	assert_int_equal(rep_ip_maxlen(REP_KIND_AUTH), 0);
	assert_int_equal(rep_ip_maxlen(0), 0);
	assert_int_equal(rep_ip_maxlen(99), 0);
}

static void test_ip_mask_clears_bits_past_length(void **state)
{
	static const struct {
		unsigned maxlen, plen;
		uint8_t want[4];
	} t[] = {
	        {32, 0, {0, 0, 0, 0}},
	        {32, 1, {0x80, 0, 0, 0}},
	        {32, 7, {0xfe, 0, 0, 0}},
	        {32, 8, {0xff, 0, 0, 0}},
	        {32, 9, {0xff, 0x80, 0, 0}},
	        {32, 31, {0xff, 0xff, 0xff, 0xfe}},
	        {32, 32, {0xff, 0xff, 0xff, 0xff}},
	        {32, 40, {0xff, 0xff, 0xff, 0xff}},
	};
	uint8_t a[4];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		memset(a, 0xff, sizeof a);
		rep_ip_mask(a, t[i].maxlen, t[i].plen);
		assert_memory_equal(a, t[i].want, sizeof a);
	}
}

static void test_ip_mask_of_ipv6_touches_only_16_bytes(void **state)
{
	uint8_t a[20];
	static const uint8_t want[20] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	        0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};

	(void)state;
	memset(a, 0xff, sizeof a);
	rep_ip_mask(a, 128, 65);
	assert_memory_equal(a, want, sizeof a);
}

/* ---- names ---- */

static void test_strerror_names_every_code(void **state)
{
	int i, j;

	(void)state;
	for (i = REP_E_BUSY; i <= REP_OK; i++) {
		const char *t = rep_strerror(i);
		assert_non_null(t);
		assert_string_not_equal(t, rep_strerror(-1000));
		for (j = REP_E_BUSY; j < i; j++)
			assert_string_not_equal(t, rep_strerror(j));
	}
	assert_string_equal(rep_strerror(REP_OK), "success");
}

static void test_strerror_of_unknown_code_is_generic(void **state)
{
	(void)state;
	assert_string_equal(rep_strerror(-18), "unknown error");
	assert_string_equal(rep_strerror(1), "unknown error");
	assert_string_equal(rep_strerror(-2147483647 - 1), "unknown error");
}

static void test_op_names_round_trip(void **state)
{
	(void)state;
	assert_string_equal(rep_op_name(REP_OP_LIST), "list");
	assert_string_equal(rep_op_name(REP_OP_DELIST), "delist");
	assert_string_equal(rep_op_name(REP_OP_ALLOW), "allow");
	assert_int_equal(rep_op_parse("list"), REP_OP_LIST);
	assert_int_equal(rep_op_parse("delist"), REP_OP_DELIST);
	assert_int_equal(rep_op_parse("allow"), REP_OP_ALLOW);
}

static void test_category_names_round_trip(void **state)
{
	static const char *const names[] = {NULL, "spam", "bot", "botnet-cc",
	        "phish", "malware", "snowshoe", "abuse", "other"};
	int c;

	(void)state;
	for (c = 1; c <= REP_CAT_MAX; c++) {
		assert_string_equal(rep_category_name(c), names[c]);
		assert_int_equal(rep_category_parse(names[c]), c);
	}
}

static void test_unknown_names_do_not_parse(void **state)
{
	static const char *const bad[] = {"", "LIST", "List", "list ", " list",
	        "lis", "listx", "unknown", "botnet_cc", "Spam", "spam\n", "0",
	        "1"};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		assert_int_equal(rep_op_parse(bad[i]), REP_E_INVAL);
		assert_int_equal(rep_category_parse(bad[i]), REP_E_INVAL);
	}
	assert_int_equal(rep_op_parse(NULL), REP_E_INVAL);
	assert_int_equal(rep_category_parse(NULL), REP_E_INVAL);
}

static void test_unknown_values_have_printable_names(void **state)
{
	(void)state;
	assert_string_equal(rep_op_name(0), "unknown");
	assert_string_equal(rep_op_name(4), "unknown");
	assert_string_equal(rep_op_name(-1), "unknown");
	assert_string_equal(rep_category_name(0), "unknown");
	assert_string_equal(rep_category_name(REP_CAT_MAX + 1), "unknown");
	assert_string_equal(rep_category_name(-2147483647 - 1), "unknown");
}

static void test_publisher_name_rules(void **state)
{
	static const char *const good[] = {"a", "0", "partner-isp",
	        "list.example.net", "a_b", "9z", "a.", "a-"};
	static const char *const bad[] = {"", "-a", ".a", "_a", "A",
	        "partnerISP", "a b", "a/b", "a\\b", "../x", "a\n", "\xc3\xbc",
	        "a:b", "a@b"};
	char buf[80];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++)
		assert_true(rep_publisher_valid_name(good[i]));
	for (i = 0; i < NELEM(bad); i++)
		assert_false(rep_publisher_valid_name(bad[i]));
	assert_false(rep_publisher_valid_name(NULL));
	assert_true(rep_publisher_valid_name(repeat(buf, 'a', 63, "")));
	assert_false(rep_publisher_valid_name(repeat(buf, 'a', 64, "")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_ipv4_address_has_full_prefix_and_zeroed_fields),
	        cmocka_unit_test(test_ipv4_prefix_parses),
	        cmocka_unit_test(test_ipv4_slash_32_is_the_address),
	        cmocka_unit_test(test_ipv4_slash_0_is_accepted),
	        cmocka_unit_test(test_ipv4_host_bits_set_is_an_error),
	        cmocka_unit_test(
	                test_ipv4_prefix_length_over_32_is_out_of_range),
	        cmocka_unit_test(
	                test_prefix_length_with_leading_zero_is_syntax),
	        cmocka_unit_test(
	                test_prefix_length_with_sign_or_junk_is_syntax),
	        cmocka_unit_test(test_prefix_length_with_space_is_syntax),
	        cmocka_unit_test(test_missing_address_or_length_is_syntax),
	        cmocka_unit_test(test_lax_ipv4_forms_with_prefix_are_syntax),
	        cmocka_unit_test(test_lax_ipv4_forms_are_not_names),
	        cmocka_unit_test(test_ipv4_with_port_is_syntax),
	        cmocka_unit_test(test_ipv6_address_has_full_prefix),
	        cmocka_unit_test(test_ipv6_prefix_parses),
	        cmocka_unit_test(test_ipv6_host_bits_set_is_an_error),
	        cmocka_unit_test(
	                test_ipv6_prefix_length_over_128_is_out_of_range),
	        cmocka_unit_test(
	                test_ipv6_text_is_written_compressed_lower_case),
	        cmocka_unit_test(test_ipv6_bad_forms_are_syntax),
	        cmocka_unit_test(
	                test_ipv6_text_longer_than_any_address_is_syntax),
	        cmocka_unit_test(test_v4_mapped_address_becomes_ipv4),
	        cmocka_unit_test(test_v4_mapped_prefix_becomes_ipv4_prefix),
	        cmocka_unit_test(
	                test_prefix_wider_than_mapped_space_stays_ipv6),
	        cmocka_unit_test(test_v4_compatible_and_nat64_stay_ipv6),
	        cmocka_unit_test(test_subject_ip_from_ipv4_bytes_matches_parse),
	        cmocka_unit_test(test_subject_ip_from_ipv6_bytes_matches_parse),
	        cmocka_unit_test(test_subject_ip_unmaps_v4_mapped_address),
	        cmocka_unit_test(test_subject_ip_reads_unaligned_bytes),
	        cmocka_unit_test(test_subject_ip_rejects_bad_family_and_null),
	        cmocka_unit_test(test_domain_is_folded_to_lower_case),
	        cmocka_unit_test(test_domain_has_zeroed_unused_fields),
	        cmocka_unit_test(test_one_trailing_dot_is_stripped),
	        cmocka_unit_test(test_two_trailing_dots_are_a_name_error),
	        cmocka_unit_test(test_empty_label_is_a_name_error),
	        cmocka_unit_test(test_leading_dot_means_name_and_subdomains),
	        cmocka_unit_test(test_star_dot_means_subdomains_only),
	        cmocka_unit_test(test_plain_name_is_exact),
	        cmocka_unit_test(test_scope_marker_alone_is_syntax),
	        cmocka_unit_test(test_wildcard_anywhere_else_is_a_name_error),
	        cmocka_unit_test(test_label_of_63_octets_is_accepted),
	        cmocka_unit_test(test_label_of_64_octets_is_a_name_error),
	        cmocka_unit_test(test_name_of_253_octets_is_accepted),
	        cmocka_unit_test(test_name_of_254_octets_is_a_name_error),
	        cmocka_unit_test(test_huge_input_is_rejected_without_overrun),
	        cmocka_unit_test(test_hyphen_at_label_edge_is_a_name_error),
	        cmocka_unit_test(test_hyphen_inside_label_is_accepted),
	        cmocka_unit_test(test_underscore_is_accepted),
	        cmocka_unit_test(test_punctuation_in_name_is_a_name_error),
	        cmocka_unit_test(test_control_bytes_and_spaces_are_syntax),
	        cmocka_unit_test(test_numeric_top_label_is_a_name_error),
	        cmocka_unit_test(test_numeric_inner_labels_are_accepted),
	        cmocka_unit_test(test_single_label_name_is_accepted),
	        cmocka_unit_test(test_empty_and_null_inputs_are_invalid),
	        cmocka_unit_test(test_failure_leaves_output_untouched),
	        cmocka_unit_test(test_utf8_name_becomes_a_labels),
	        cmocka_unit_test(test_utf8_upper_case_is_folded),
	        cmocka_unit_test(test_nontransitional_keeps_sharp_s),
	        cmocka_unit_test(test_utf8_name_takes_scope_markers),
	        cmocka_unit_test(test_ideographic_full_stop_separates_labels),
	        cmocka_unit_test(test_invalid_utf8_is_an_idn_error),
	        cmocka_unit_test(test_disallowed_code_points_are_an_idn_error),
	        cmocka_unit_test(test_utf8_mapped_to_space_is_a_name_error),
	        cmocka_unit_test(
	                test_utf8_label_too_long_for_a_label_is_an_idn_error),
	        cmocka_unit_test(test_valid_a_label_is_accepted),
	        cmocka_unit_test(test_invalid_a_label_is_an_idn_error),
	        cmocka_unit_test(
	                test_a_label_of_upper_case_u_label_is_an_idn_error),
	        cmocka_unit_test(test_auth_prefix_makes_auth_subject),
	        cmocka_unit_test(test_auth_with_scope_marker_is_syntax),
	        cmocka_unit_test(test_auth_prefix_is_lower_case_only),
	        cmocka_unit_test(
	                test_auth_of_address_or_garbage_is_a_name_error),
	        cmocka_unit_test(test_name_starting_with_auth_is_a_domain),
	        cmocka_unit_test(test_subject_domain_makes_exact_domain),
	        cmocka_unit_test(test_subject_domain_makes_auth),
	        cmocka_unit_test(test_subject_domain_converts_utf8),
	        cmocka_unit_test(test_subject_domain_rejects_scope_markers),
	        cmocka_unit_test(test_subject_domain_rejects_addresses),
	        cmocka_unit_test(test_subject_domain_rejects_bad_arguments),
	        cmocka_unit_test(test_format_writes_canonical_text),
	        cmocka_unit_test(
	                test_format_returns_needed_length_and_truncates),
	        cmocka_unit_test(test_format_of_longest_forms_fits_text_max),
	        cmocka_unit_test(test_format_of_invalid_subject_is_empty),
	        cmocka_unit_test(test_format_shows_out_of_range_prefix_length),
	        cmocka_unit_test(
	                test_format_of_unterminated_name_stops_at_array_end),
	        cmocka_unit_test(test_round_trip_of_random_ipv4_prefixes),
	        cmocka_unit_test(test_round_trip_of_random_ipv6_prefixes),
	        cmocka_unit_test(test_round_trip_of_names),
	        cmocka_unit_test(
	                test_random_strings_parse_to_canonical_subjects),
	        cmocka_unit_test(test_ipv4_key_is_tag_address_length),
	        cmocka_unit_test(test_ipv6_key_is_tag_address_length),
	        cmocka_unit_test(test_domain_key_reverses_labels),
	        cmocka_unit_test(test_auth_key_layout),
	        cmocka_unit_test(test_longest_name_key_fits_key_max),
	        cmocka_unit_test(test_key_encode_needs_room),
	        cmocka_unit_test(test_key_encode_rejects_noncanonical_ip),
	        cmocka_unit_test(test_key_encode_rejects_noncanonical_name),
	        cmocka_unit_test(test_key_decode_inverts_encode),
	        cmocka_unit_test(test_key_decode_rejects_malformed_ip_keys),
	        cmocka_unit_test(test_key_decode_rejects_malformed_name_keys),
	        cmocka_unit_test(test_key_decode_rejects_overlong_name),
	        cmocka_unit_test(test_key_decode_rejects_null),
	        cmocka_unit_test(test_random_keys_decode_only_to_their_own_key),
	        cmocka_unit_test(test_cmp_orders_kinds_ipv4_ipv6_auth_domain),
	        cmocka_unit_test(test_cmp_sorts_in_store_order),
	        cmocka_unit_test(test_cmp_keeps_a_subtree_contiguous),
	        cmocka_unit_test(test_cmp_puts_noncanonical_subjects_first),
	        cmocka_unit_test(test_ipv4_prefix_covers_what_is_inside),
	        cmocka_unit_test(
	                test_ipv4_prefix_does_not_cover_outside_or_wider),
	        cmocka_unit_test(test_zero_prefix_covers_its_family_only),
	        cmocka_unit_test(test_ipv6_prefix_covers_what_is_inside),
	        cmocka_unit_test(test_every_subject_covers_itself),
	        cmocka_unit_test(test_exact_name_covers_only_itself),
	        cmocka_unit_test(test_tree_covers_name_and_everything_below),
	        cmocka_unit_test(test_subs_covers_only_what_is_strictly_below),
	        cmocka_unit_test(test_suffix_without_dot_is_not_below),
	        cmocka_unit_test(test_auth_covers_only_the_same_auth),
	        cmocka_unit_test(test_different_kinds_never_cover),
	        cmocka_unit_test(test_covers_with_null_is_false),
	        cmocka_unit_test(test_ip_maxlen_by_kind),
	        cmocka_unit_test(test_ip_mask_clears_bits_past_length),
	        cmocka_unit_test(test_ip_mask_of_ipv6_touches_only_16_bytes),
	        cmocka_unit_test(test_strerror_names_every_code),
	        cmocka_unit_test(test_strerror_of_unknown_code_is_generic),
	        cmocka_unit_test(test_op_names_round_trip),
	        cmocka_unit_test(test_category_names_round_trip),
	        cmocka_unit_test(test_unknown_names_do_not_parse),
	        cmocka_unit_test(test_unknown_values_have_printable_names),
	        cmocka_unit_test(test_publisher_name_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
