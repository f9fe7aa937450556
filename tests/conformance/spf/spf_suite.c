/*
 * spf_suite.c - the RFC 7208 and RFC 4408 SPF test suites (pyspf's YAML,
 * flattened by yaml2tsv.py) through the milter's SPF check.
 *
 * Each scenario's zone data is served by a fake DNS backend (struct
 * spf_dns_ops, linked in here) that follows pyspf's driver conventions
 * (tests/conformance/spf/README and the shared GUIDE, rules 1-9); each
 * case runs through check_spf_run, exactly as the milter calls it, and the
 * MAIL FROM result is compared. Output is TAP, one line per case. A case
 * listed in expected-failures.tsv is a TAP TODO: "not ok ... # TODO" while
 * it still fails, "ok ... # TODO" (an unexpected pass, so the list can
 * shrink) once it passes. A failing case not on the list is a plain
 * "not ok": a regression.
 *
 * Usage: spf_suite [DIR]; DIR holds the .tsv files (default
 * $top_srcdir/tests/conformance/spf, else the current directory). With
 * SPF_SUITE_VERBOSE set, every case prints what it got and why.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "check_spf.h"
#include "dns.h"
#include "spf_dns.h"
#include "spf_zone.h"

#define MAX_LISTED 256
#define FIELD_MAX 16

struct listed {
	char suite[16];
	char name[96];
	char reason[160];
	int seen;
};

struct tally {
	unsigned pass, fail, listed_fail, xpass, regress;
};

static struct listed listed[MAX_LISTED];
static unsigned nlisted;
static unsigned tap_n;

/* unescape - "\xHH" back into bytes (yaml2tsv.py's only escape) */
static size_t unescape(char *s)
{
	size_t o = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		unsigned v;

		if (s[i] == '\\' && s[i + 1] == 'x' &&
		        sscanf(s + i + 2, "%2x", &v) == 1) {
			s[o++] = (char)v;
			i += 3;
		} else {
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
	return o;
}

/* split_tabs - cut a line into at most FIELD_MAX fields */
static int split_tabs(char *line, char **f)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (char *p = line; n < FIELD_MAX; n++) {
		f[n] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			return n + 1;
		*p++ = '\0';
	}
	return n;
}

/* load_listed - expected-failures.tsv: suite, case, reason */
static void load_listed(const char *dir)
{
	char path[1100], line[512], *f[FIELD_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/expected-failures.tsv", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL && nlisted < MAX_LISTED) {
		struct listed *l = &listed[nlisted];

		if (line[0] == '#' || line[0] == '\n' ||
		        split_tabs(line, f) < 3)
			continue;
		snprintf(l->suite, sizeof(l->suite), "%s", f[0]);
		snprintf(l->name, sizeof(l->name), "%s", f[1]);
		snprintf(l->reason, sizeof(l->reason), "%s", f[2]);
		nlisted++;
	}
	fclose(fp);
}

/* find_listed - the list entry of a case, or NULL */
static struct listed *find_listed(const char *suite, const char *name)
{
	for (unsigned i = 0; i < nlisted; i++)
		if (strcmp(listed[i].suite, suite) == 0 &&
		        strcmp(listed[i].name, name) == 0)
			return &listed[i];
	return NULL;
}

/* result_in - is `got` one of the comma-separated expected results */
static int result_in(const char *got, const char *list)
{
	size_t n = strlen(got);

	for (const char *p = list; *p != '\0';) {
		size_t k = strcspn(p, ",");

		if (k == n && strncmp(p, got, n) == 0)
			return 1;
		p += k + (p[k] == ',');
	}
	return 0;
}

/* run_case - one C line: evaluate, compare; 1 if it passes */
static int run_case(struct spf_zone *z, char **f, char *why, size_t whylen)
{
	struct check_spf_request req;
	struct check_spf_outcome out;
	unsigned char addr[16];
	const char *got, *exp;
	int v6 = strchr(f[3], ':') != NULL;

	if (inet_pton(v6 ? AF_INET6 : AF_INET, f[3], addr) != 1) {
		snprintf(why, whylen, "bad host %s", f[3]);
		return 0;
	}
	req = (struct check_spf_request){.family = v6 ? AF_INET6 : AF_INET,
	        .addr = addr,
	        .helo = f[2],
	        .mail_from = f[4],
	        .receiver = "unknown",
	        .deadline_ms = dns_now_ms() + 60000};
	if (check_spf_run(&spf_zone_ops, z, &req, &out) != 0) {
		snprintf(why, whylen, "check_spf_run failed");
		return 0;
	}
	got = check_spf_result_name(out.mfrom.result);
	exp = out.mfrom.explanation[0] ? out.mfrom.explanation : "DEFAULT";
	snprintf(why, whylen, "got %s (%s), expected %s; explanation '%s'", got,
	        out.mfrom.reason, f[5], exp);
	if (!result_in(got, f[5]))
		return 0;
	return strcmp(f[6], "-") == 0 || strcmp(f[6], exp) == 0;
}

/* report - the TAP line of one case */
static void report(const char *suite, const char *scenario, const char *name,
        int ok, const char *why, struct tally *t)
{
	struct listed *l = find_listed(suite, name);

	tap_n++;
	if (l != NULL)
		l->seen = 1;
	printf("%sok %u - %s %s/%s", ok ? "" : "not ", tap_n, suite, scenario,
	        name);
	if (l != NULL)
		printf(" # TODO %s", l->reason);
	printf("\n");
	if (!ok || getenv("SPF_SUITE_VERBOSE") != NULL)
		printf("#   %s\n", why);
	t->pass += ok;
	t->fail += !ok;
	t->listed_fail += !ok && l != NULL;
	t->xpass += ok && l != NULL;
	t->regress += !ok && l == NULL;
}

/* add_record - one Z line into the zone */
static int add_record(struct spf_zone *z, char **f)
{
	size_t len;

	unescape(f[1]);
	len = unescape(f[3]);
	return spf_zone_add(z, f[1], f[2], f[3], len);
}

/* run_suite - every scenario and case of one .tsv file */
static int run_suite(const char *dir, const char *suite, struct spf_zone *z)
{
	char path[1100], line[4096], scenario[128] = "", why[512],
	                             *f[FIELD_MAX];
	struct tally t = {0};
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s-tests.tsv", dir, suite);
	if ((fp = fopen(path, "r")) == NULL) {
		printf("Bail out! cannot open %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		int nf = line[0] == '#' ? 0 : split_tabs(line, f);

		if (nf >= 2 && f[0][0] == 'S') {
			spf_zone_clear(z);
			snprintf(scenario, sizeof(scenario), "%s", f[1]);
		} else if (nf >= 4 && f[0][0] == 'Z' && add_record(z, f) != 0) {
			printf("Bail out! bad zone line in %s\n", path);
			fclose(fp);
			return -1;
		} else if (nf >= 8 && f[0][0] == 'C') {
			unescape(f[2]);
			unescape(f[4]);
			unescape(f[6]);
			report(suite, scenario, f[1],
			        run_case(z, f, why, sizeof(why)), why, &t);
		}
	}
	fclose(fp);
	spf_zone_clear(z);
	printf("# spf %s: %u passed, %u failed (%u listed)%s\n", suite, t.pass,
	        t.fail, t.listed_fail,
	        t.xpass ? "; listed cases now passing: shrink the list" : "");
	return 0;
}

/* count_cases - the TAP plan */
static unsigned count_cases(const char *dir, const char *suite)
{
	char path[1100], line[4096];
	unsigned n = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s-tests.tsv", dir, suite);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		n += line[0] == 'C' && line[1] == '\t';
	fclose(fp);
	return n;
}

int main(int argc, char **argv)
{
	struct spf_zone *z = spf_zone_new();
	const char *top = getenv("top_srcdir");
	char dir[1024];
	int rc = 0;

	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else if (top != NULL)
		snprintf(dir, sizeof(dir), "%s/tests/conformance/spf", top);
	else
		snprintf(dir, sizeof(dir), ".");
	if (z == NULL)
		return 1;
	load_listed(dir);
	printf("1..%u\n",
	        count_cases(dir, "rfc7208") + count_cases(dir, "rfc4408"));
	rc |= run_suite(dir, "rfc7208", z);
	rc |= run_suite(dir, "rfc4408", z);
	for (unsigned i = 0; i < nlisted; i++)
		if (!listed[i].seen)
			printf("# listed case not in the suite: %s %s\n",
			        listed[i].suite, listed[i].name);
	spf_zone_free(z);
	return rc != 0;
}
