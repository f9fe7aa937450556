/*
 * authres_vectors.c - every header of ar-vectors.tsv through the test
 * parser (arparse, lenient: the vectors' expectations are those of
 * Mail::AuthenticationResults) and through the milter's
 * authres_authserv_id. TAP, one line per vector; a failing vector listed
 * in expected-failures.tsv is reported "# TODO" with its reason.
 *
 * A vector expected to parse must: parse; give the expected authserv-id
 * (when the file names one), and authres_authserv_id must find the same
 * id as the parser; agree with python3-authres where that parser
 * accepted it (same authserv-id, same method=result list, and every
 * property python3-authres reports); and, with the other vectors of its
 * source file that carry the same "contains:" list (one message's
 * headers), contain every result listed there. A vector expected to fail
 * must be rejected. A diagnostic line says what the strict RFC 8601
 * reading makes of each vector. See CHOICES.md.
 *
 * Usage: authres_vectors [ar-vectors.tsv [expected-failures.tsv]];
 * by default both come from $top_srcdir/tests/conformance/authres.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arparse.h"
#include "authres.h"

#define VEC_MAX 128
#define VEC_FIELDS 6
#define LINE_MAX_LEN 8192
#define DIR_DEFAULT "/tests/conformance/authres/"

enum { F_SOURCE, F_EXPECT, F_ID, F_HEADER, F_NORMAL, F_PYTHON };

struct vector {
	char line[LINE_MAX_LEN];
	char *field[VEC_FIELDS];
	char header[LINE_MAX_LEN];
	const char *value; /* header without the field name */
	const char *todo;  /* reason from expected-failures.tsv, or NULL */
};

struct check {
	char why[512]; /* the first failure, empty when all passed */
};

/* failed - record the first failure of a vector */
static void failed(struct check *c, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void failed(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->why[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
}

/* data_path - a file next to the vectors, found through top_srcdir */
static void data_path(char *out, size_t len, const char *name)
{
	const char *top = getenv("top_srcdir");

	snprintf(
	        out, len, "%s%s%s", top != NULL ? top : ".", DIR_DEFAULT, name);
}

/* unescape - the file's "\n", "\t" and "\\" back into characters */
static void unescape(const char *in, char *out)
{
	for (; *in != '\0'; in++) {
		if (*in == '\\' && in[1] != '\0') {
			in++;
			*out++ = *in == 'n' ? '\n' : *in == 't' ? '\t' : *in;
		} else {
			*out++ = *in;
		}
	}
	*out = '\0';
}

/* strip_name - the value after an "Authentication-Results:" field name,
 * which most vectors carry (the milter sees values only) */
static const char *strip_name(const char *h)
{
	const char *p = h + strspn(h, " \t\r\n");
	size_t n = strlen(AUTHRES_HEADER);

	if (strncasecmp(p, AUTHRES_HEADER, n) == 0 && p[n] == ':')
		return p + n + 1;
	return h;
}

/* split - cut a tab-separated line into its fields; 0 if too few */
static int split(struct vector *v)
{
	char *p = v->line;
	int i;

	p[strcspn(p, "\r\n")] = '\0';
	for (i = 0; i < VEC_FIELDS; i++) {
		v->field[i] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			return i == VEC_FIELDS - 1;
		*p++ = '\0';
	}
	return 1;
}

/* load - the vectors of a file; their count, -1 when unreadable */
static int load(const char *path, struct vector *vec, int max)
{
	FILE *f = fopen(path, "r");
	int n = 0;

	if (f == NULL)
		return -1;
	while (n < max && fgets(vec[n].line, sizeof vec[n].line, f) != NULL) {
		if (vec[n].line[0] == '#' || !split(&vec[n]))
			continue;
		unescape(vec[n].field[F_HEADER], vec[n].header);
		vec[n].value = strip_name(vec[n].header);
		vec[n].todo = NULL;
		n++;
	}
	fclose(f);
	return n;
}

/* load_todo - mark the vectors listed in expected-failures.tsv
 * ("number<TAB>reason"); a missing file lists none */
static void load_todo(const char *path, struct vector *vec, int n)
{
	static char lines[VEC_MAX][256];
	FILE *f = fopen(path, "r");
	int k = 0;

	if (f == NULL)
		return;
	while (k < VEC_MAX && fgets(lines[k], sizeof lines[k], f) != NULL) {
		char *tab = strchr(lines[k], '\t');
		int num = atoi(lines[k]);

		if (lines[k][0] == '#' || tab == NULL || num < 1 || num > n)
			continue;
		tab[strcspn(tab, "\r\n")] = '\0';
		vec[num - 1].todo = tab + 1;
		k++;
	}
	fclose(f);
}

/* find_result - the first resinfo method=result at or after *from */
static const struct arp_resinfo *find_result(
        const struct arp_header *h, const char *mr, size_t from)
{
	const char *eq = strchr(mr, '=');
	size_t i, n = eq != NULL ? (size_t)(eq - mr) : strlen(mr);

	for (i = from; i < h->nresinfo; i++) {
		const struct arp_resinfo *ri = &h->ri[i];

		if (strlen(ri->method) == n &&
		        strncasecmp(ri->method, mr, n) == 0 &&
		        (eq == NULL || strcasecmp(ri->result, eq + 1) == 0))
			return ri;
	}
	return NULL;
}

/* has_prop - the resinfo has property "k=v" (name without case) */
static int has_prop(const struct arp_resinfo *ri, const char *kv)
{
	char name[ARP_NAME_MAX * 2 + 2];
	const char *eq = strchr(kv, '=');
	size_t i;

	for (i = 0; eq != NULL && i < ri->nprops; i++) {
		const struct arp_prop *pr = &ri->prop[i];

		snprintf(name, sizeof name, "%s%s%s", pr->ptype,
		        pr->ptype[0] ? "." : "", pr->name);
		if (strlen(name) == (size_t)(eq - kv) &&
		        strncasecmp(name, kv, strlen(name)) == 0 &&
		        strcmp(pr->value, eq + 1) == 0)
			return 1;
	}
	return 0;
}

/* python_resinfo - one "m=r k=v ..." of the python3-authres column
 * against our i-th resinfo */
static void python_resinfo(
        const struct arp_header *h, size_t i, char *item, struct check *c)
{
	char *save = NULL, *w = strtok_r(item, " ", &save);

	if (i >= h->nresinfo || find_result(h, w, i) != &h->ri[i]) {
		failed(c, "python3-authres has %s where we differ", w);
		return;
	}
	while ((w = strtok_r(NULL, " ", &save)) != NULL)
		if (!has_prop(&h->ri[i], w))
			failed(c, "property %s (python3-authres) missing", w);
}

/* check_python - agree with python3-authres where it parsed the header */
static void check_python(
        const struct arp_header *h, const char *col, struct check *c)
{
	char buf[LINE_MAX_LEN], *item, *save = NULL;
	size_t i = 0;

	if (strncmp(col, "ok: authserv-id=", 16) != 0)
		return;
	snprintf(buf, sizeof buf, "%s", col + 16);
	item = strtok_r(buf, ";", &save);
	if (item == NULL || !authres_id_equal(item, h->authserv_id))
		failed(c, "python3-authres reads authserv-id %s", item);
	while ((item = strtok_r(NULL, ";", &save)) != NULL) {
		item += strspn(item, " ");
		if (*item != '\0')
			python_resinfo(h, i++, item, c);
	}
	if (i != h->nresinfo)
		failed(c, "python3-authres counts other results");
}

/* same_message - two vectors are headers of one message: one source
 * file, one "contains:" list */
static int same_message(const struct vector *a, const struct vector *b)
{
	return strcmp(a->field[F_SOURCE], b->field[F_SOURCE]) == 0 &&
	       strcmp(a->field[F_NORMAL], b->field[F_NORMAL]) == 0;
}

/* clause_met - "m=r [with k=v]" holds in one of the headers */
static int clause_met(const char *clause, struct vector *vec, int n,
        const struct vector *self, struct arp_header *h)
{
	char mr[256], kv[256];
	int i, k = sscanf(clause, " %255s with %255s", mr, kv);

	for (i = 0; i < n; i++) {
		const struct arp_resinfo *ri;
		size_t from = 0;

		if (!same_message(&vec[i], self) ||
		        arp_parse(vec[i].value, ARP_LENIENT, h) != 0)
			continue;
		while ((ri = find_result(h, mr, from)) != NULL) {
			if (k < 2 || has_prop(ri, kv))
				return 1;
			from = (size_t)(ri - h->ri) + 1;
		}
	}
	return 0;
}

/* check_contains - the "contains:" list of the vector's message */
static void check_contains(
        struct vector *vec, int n, const struct vector *v, struct check *c)
{
	char buf[LINE_MAX_LEN], *clause, *save = NULL;
	struct arp_header *h;

	if (strncmp(v->field[F_NORMAL], "contains: ", 10) != 0)
		return;
	if ((h = arp_header_new()) == NULL) {
		failed(c, "%s", "out of memory");
		return;
	}
	snprintf(buf, sizeof buf, "%s", v->field[F_NORMAL] + 10);
	for (clause = strtok_r(buf, ";", &save); clause != NULL;
	        clause = strtok_r(NULL, ";", &save))
		if (!clause_met(clause, vec, n, v, h))
			failed(c, "\"%s\" (contains:) not found", clause);
	free(h);
}

/* check_ids - the expected id, and the milter's reader agrees */
static void check_ids(
        const struct vector *v, const struct arp_header *h, struct check *c)
{
	char id[AUTHRES_ID_MAX + 2];
	const char *want = v->field[F_ID];

	if (want[0] != '\0' && !authres_id_equal(h->authserv_id, want))
		failed(c, "authserv-id %s, not the expected one",
		        h->authserv_id);
	if (authres_authserv_id(v->value, id, sizeof id) != 0)
		failed(c, "authres_authserv_id found no id");
	else if (!authres_id_equal(id, h->authserv_id))
		failed(c, "authres_authserv_id found %s", id);
}

/* strict_note - a diagnostic: the strict reading and python3-authres's */
static void strict_note(const struct vector *v, struct arp_header *h)
{
	int ok = arp_parse(v->value, ARP_STRICT, h) == 0;

	printf("#   strict RFC 8601: ");
	if (ok)
		printf("accepted");
	else
		printf("rejected at %zu (%s)", h->error_at, h->error);
	printf("; python3-authres: %s\n",
	        strncmp(v->field[F_PYTHON], "ok", 2) == 0 ? "accepted"
	                                                  : "rejected");
}

/* run_vector - one TAP line; 0 when it passed or is a known failure */
static int run_vector(struct vector *vec, int n, int i, struct arp_header *h)
{
	const struct vector *v = &vec[i];
	int want_ok = strcmp(v->field[F_EXPECT], "parse-ok") == 0;
	int got_ok = arp_parse(v->value, ARP_LENIENT, h) == 0;
	struct check c = {""};

	if (want_ok && !got_ok)
		failed(&c, "rejected: %s", h->error);
	else if (!want_ok && got_ok)
		failed(&c, "accepted a header that must be rejected");
	if (want_ok && got_ok) {
		check_ids(v, h, &c);
		check_python(h, v->field[F_PYTHON], &c);
		check_contains(vec, n, v, &c);
	}
	printf("%s %d - %s: %s%s%s", c.why[0] ? "not ok" : "ok", i + 1,
	        v->field[F_SOURCE], v->field[F_EXPECT],
	        v->field[F_ID][0] ? " id=" : "", v->field[F_ID]);
	if (v->todo != NULL)
		printf(" # TODO %s", v->todo);
	printf("\n");
	if (c.why[0] != '\0')
		printf("#   %s\n", c.why);
	strict_note(v, h);
	return c.why[0] != '\0' && v->todo == NULL;
}

int main(int argc, char **argv)
{
	static struct vector vec[VEC_MAX];
	char path[1024], todo[1024];
	struct arp_header *h = arp_header_new();
	int n, i, bad = 0;

	if (argc > 1)
		snprintf(path, sizeof path, "%s", argv[1]);
	else
		data_path(path, sizeof path, "ar-vectors.tsv");
	if (argc > 2)
		snprintf(todo, sizeof todo, "%s", argv[2]);
	else
		data_path(todo, sizeof todo, "expected-failures.tsv");
	if (h == NULL || (n = load(path, vec, VEC_MAX)) <= 0) {
		printf("Bail out! cannot read %s\n", path);
		free(h);
		return 1;
	}
	load_todo(todo, vec, n);
	printf("1..%d\n", n);
	for (i = 0; i < n; i++)
		bad += run_vector(vec, n, i, h);
	free(h);
	return bad > 0;
}
