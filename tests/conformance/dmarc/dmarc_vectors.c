/*
 * dmarc_vectors.c - the DMARC conformance vectors through the module the
 * milter uses: the Public Suffix List project's registrable-domain checks
 * (orgdom_registrable on the list orgdom_open(NULL) picks, as in the
 * milter), OpenDMARC's alignment table (dmarc_aligned) and OpenDMARC's
 * record-parse table (dmarc_record_parse).
 *
 * TAP, one line per vector. A vector listed in expected-failures.tsv is
 * reported with "# TODO reason"; a listed vector that passes is an
 * unexpected pass, which the TAP driver reports, so the list cannot go
 * stale. Data comes from $top_srcdir/tests/conformance/dmarc (set by
 * make check) or DMARC_VECTOR_DIR.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"
#include "orgdom.h"

#define LINE_MAX_LEN 2048
#define LISTED_MAX 64
#define FIELDS_MAX 4

struct listed {
	char set[16];
	unsigned num;
	char input[256];
	char reason[512];
	int used;
};

struct run {
	const struct orgdom *psl;
	struct listed listed[LISTED_MAX];
	unsigned nlisted;
	unsigned n, passed, failed, todo;
	char dir[1024];
};

/* split - cut a line at tabs into at most FIELDS_MAX fields */
static unsigned split(char *line, char **field)
{
	unsigned n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	field[n++] = line;
	for (char *p = line; *p != '\0' && n < FIELDS_MAX; p++)
		if (*p == '\t') {
			*p = '\0';
			field[n++] = p + 1;
		}
	return n;
}

/* open_data - a file of the vector directory; bails out if missing */
static FILE *open_data(const struct run *r, const char *name)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	f = fopen(path, "r");
	if (f == NULL) {
		printf("Bail out! cannot open %s\n", path);
		exit(1);
	}
	return f;
}

/* load_listed - expected-failures.tsv: set, number, input, reason */
static void load_listed(struct run *r)
{
	char line[LINE_MAX_LEN], *f[FIELDS_MAX];
	FILE *in = open_data(r, "expected-failures.tsv");

	while (fgets(line, sizeof(line), in) != NULL) {
		struct listed *l = &r->listed[r->nlisted];

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (split(line, f) != 4 || r->nlisted == LISTED_MAX) {
			printf("Bail out! bad expected-failures.tsv line\n");
			exit(1);
		}
		snprintf(l->set, sizeof(l->set), "%s", f[0]);
		l->num = (unsigned)strtoul(f[1], NULL, 10);
		snprintf(l->input, sizeof(l->input), "%s", f[2]);
		snprintf(l->reason, sizeof(l->reason), "%s", f[3]);
		r->nlisted++;
	}
	fclose(in);
}

/* find_listed - the entry for vector `num` of `set`, if listed */
static struct listed *find_listed(struct run *r, const char *set, unsigned num)
{
	for (unsigned i = 0; i < r->nlisted; i++)
		if (strcmp(r->listed[i].set, set) == 0 &&
		        r->listed[i].num == num)
			return &r->listed[i];
	return NULL;
}

/* report - one TAP line; `what` describes the vector and the outcome */
static void report(struct run *r, const char *set, unsigned num,
        const char *input, int ok, const char *what)
{
	struct listed *l = find_listed(r, set, num);

	r->n++;
	if (l != NULL && strcmp(l->input, input) != 0) {
		printf("not ok %u - %s %u: expected-failures.tsv names input "
		       "'%s', the vector is '%s'\n",
		        r->n, set, num, l->input, input);
		r->failed++;
		return;
	}
	if (l != NULL)
		l->used = 1;
	printf("%sok %u - %s %u: %s%s%s\n", ok ? "" : "not ", r->n, set, num,
	        what, l != NULL ? " # TODO " : "", l != NULL ? l->reason : "");
	if (ok)
		r->passed++;
	else if (l != NULL)
		r->todo++;
	else
		r->failed++;
}

/* psl_one - "input <TAB> expected registrable domain", "(null)" = none */
static void psl_one(struct run *r, unsigned num, char **f)
{
	char got[ORGDOM_NAME_LEN] = "(null)", want[ORGDOM_NAME_LEN];
	char what[1024];
	const char *in = strcmp(f[0], "(null)") == 0 ? NULL : f[0];

	if (orgdom_registrable(r->psl, in, got, sizeof(got)) != 0)
		strcpy(got, "(null)");
	/* the expectation may be in U-labels; the module answers A-labels */
	if (strcmp(f[1], "(null)") == 0 ||
	        orgdom_canon(f[1], strlen(f[1]), want, sizeof(want)) != 0)
		strcpy(want, "(null)");
	snprintf(what, sizeof(what), "%s -> %s (expected %s)", f[0], got, want);
	report(r, "psl", num, f[0], strcmp(got, want) == 0, what);
}

/* align_one - "id <TAB> domain <TAB> mode <TAB> 0 aligned / -1 not" */
static void align_one(struct run *r, unsigned num, char **f)
{
	int strict = strcmp(f[2], "DMARC_RECORD_A_STRICT") == 0;
	int want = strcmp(f[3], "0") == 0;
	int got = dmarc_aligned(r->psl, f[1], f[0], strict);
	char what[1024];

	snprintf(what, sizeof(what), "%s vs %s %s: %s (expected %s)", f[0],
	        f[1], strict ? "strict" : "relaxed",
	        got ? "aligned" : "not aligned",
	        want ? "aligned" : "not aligned");
	report(r, "align", num, f[0], got == want, what);
}

/* record_ok - our code against OpenDMARC's status. Its BAD_VALUE for p
 * or sp is our NOPOLICY: RFC 7489 6.6.3 step 6 turns an invalid policy
 * into "no policy" (or p=none with a valid rua). */
static int record_ok(int rc, const char *want)
{
	if (strcmp(want, "DMARC_PARSE_OKAY") == 0)
		return rc == DMARC_OK;
	if (strcmp(want, "DMARC_PARSE_ERROR_EMPTY") == 0 ||
	        strcmp(want, "DMARC_PARSE_ERROR_BAD_VERSION") == 0)
		return rc == DMARC_E_NOTDMARC;
	if (strcmp(want, "DMARC_PARSE_ERROR_BAD_VALUE") == 0)
		return rc == DMARC_E_BADVALUE || rc == DMARC_E_NOPOLICY;
	if (strcmp(want, "DMARC_PARSE_ERROR_NO_REQUIRED_P") == 0)
		return rc == DMARC_E_NOPOLICY;
	return 0;
}

/* record_one - "record <TAB> expected status" */
static void record_one(struct run *r, unsigned num, char **f)
{
	struct dmarc_record rec;
	int rc = dmarc_record_parse(f[0], strlen(f[0]), &rec);
	char what[1024];

	snprintf(what, sizeof(what), "'%s': %s (expected %s)", f[0],
	        dmarc_strerror(rc), f[1]);
	report(r, "record", num, f[0], record_ok(rc, f[1]), what);
}

/* run_set - every data line of one file through `one` */
static void run_set(struct run *r, const char *file, unsigned nfields,
        void (*one)(struct run *, unsigned, char **))
{
	char line[LINE_MAX_LEN], *f[FIELDS_MAX];
	FILE *in = open_data(r, file);
	unsigned num = 0;

	while (fgets(line, sizeof(line), in) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (split(line, f) < nfields) {
			printf("Bail out! %s: short line %u\n", file, num + 1);
			exit(1);
		}
		one(r, ++num, f);
	}
	fclose(in);
}

/* unused_listed - a listed vector that no longer exists is an error */
static void unused_listed(struct run *r)
{
	for (unsigned i = 0; i < r->nlisted; i++) {
		if (r->listed[i].used)
			continue;
		r->n++;
		r->failed++;
		printf("not ok %u - expected-failures.tsv: %s %u is no "
		       "vector\n",
		        r->n, r->listed[i].set, r->listed[i].num);
	}
}

int main(void)
{
	static struct run r;
	const char *top = getenv("top_srcdir");
	struct orgdom *psl;

	if (top != NULL)
		snprintf(r.dir, sizeof(r.dir), "%s/tests/conformance/dmarc",
		        top);
	else
		snprintf(r.dir, sizeof(r.dir), "%s", DMARC_VECTOR_DIR);
	if (orgdom_open(NULL, &psl) != 0) {
		printf("Bail out! no public suffix list (install "
		       "publicsuffix)\n");
		return 1;
	}
	r.psl = psl;
	printf("# public suffix list: %s\n", orgdom_source(psl));
	load_listed(&r);
	run_set(&r, "psl/psl-tests.tsv", 2, psl_one);
	run_set(&r, "opendmarc-alignment.tsv", 4, align_one);
	run_set(&r, "opendmarc-record-parse.tsv", 2, record_one);
	unused_listed(&r);
	printf("1..%u\n", r.n);
	printf("# dmarc: %u passed, %u failed (%u listed)\n", r.passed,
	        r.failed, r.todo);
	orgdom_close(psl);
	return r.failed != 0;
}
