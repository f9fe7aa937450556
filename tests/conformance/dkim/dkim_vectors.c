/*
 * dkim_vectors.c - the DKIM conformance vectors through the milter's own
 * check_dkim module, one TAP line per vector.
 *
 * vectors.tsv lists each vector: its message, the key file that stands in
 * for DNS (served by the fake key source of dkim_fake.c through the same
 * struct check_dkim_keys the milter fills with its DNS layer), the minimum
 * RSA key size, and the expected result verbatim in its source's own
 * vocabulary. Our per-signature results are translated into that
 * vocabulary (see translate), never the other way round, so every
 * expectation stays the upstream one.
 *
 * A vector listed in expected-failures.tsv (with the reason) is reported
 * "# TODO"; if it starts to pass, automake's TAP driver reports an
 * unexpected pass, and the line must leave the list. Anything else that
 * does not match is "not ok". The last lines summarise.
 *
 * Usage: dkim_vectors [DIR], DIR defaulting to
 * $top_srcdir/tests/conformance/dkim (set by make check) or ".".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_dkim.h"
#include "dkim_fake.h"

#define VEC_MAX 256
#define LINE_MAX_LEN 1024
#define SRC_MAX 8
/* libmilter hands the body over in chunks of this size (MILTER_CHUNK_SIZE) */
#define BODY_CHUNK 65535
#define DEADLINE_MS 2000

struct vector {
	char id[96];
	char file[160];
	char keys[160];
	unsigned minbits;
	char vocab[16]; /* sigs, opendkim, maildkim */
	char expected[64];
	const char *listed; /* reason from expected-failures.tsv, or NULL */
};

struct tally {
	char source[32];
	unsigned passed, failed, listed;
};

static struct vector vec[VEC_MAX];
static unsigned nvec;
static char listed_id[VEC_MAX][96];
static char listed_reason[VEC_MAX][LINE_MAX_LEN];
static unsigned nlisted;

/* join_path - dir/file into out; -1 when it does not fit */
static int join_path(char *out, size_t len, const char *dir, const char *file)
{
	int n = snprintf(out, len, "%s/%s", dir, file);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* split_tabs - cut a line at tabs; the number of fields */
static unsigned split_tabs(char *line, char **field, unsigned max)
{
	unsigned n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		field[n++] = line;
		line = strchr(line, '\t');
		if (line == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

/* load_listed - expected-failures.tsv: id, category, reason */
static int load_listed(const char *dir)
{
	char path[512], line[LINE_MAX_LEN], *f[3];
	FILE *fp;

	if (join_path(path, sizeof(path), dir, "expected-failures.tsv") != 0 ||
	        (fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL && nlisted < VEC_MAX) {
		if (line[0] == '#' || split_tabs(line, f, 3) != 3)
			continue;
		snprintf(listed_id[nlisted], sizeof(listed_id[0]), "%s", f[0]);
		snprintf(listed_reason[nlisted], sizeof(listed_reason[0]),
		        "%s: %s", f[1], f[2]);
		nlisted++;
	}
	fclose(fp);
	return 0;
}

/* reason_of - the listed reason of a vector, or NULL */
static const char *reason_of(const char *id)
{
	for (unsigned i = 0; i < nlisted; i++)
		if (strcmp(listed_id[i], id) == 0)
			return listed_reason[i];
	return NULL;
}

/* load_vectors - vectors.tsv: id file keys minbits vocab expected */
static int load_vectors(const char *dir)
{
	char path[512], line[LINE_MAX_LEN], *f[6];
	FILE *fp;

	if (join_path(path, sizeof(path), dir, "vectors.tsv") != 0 ||
	        (fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL && nvec < VEC_MAX) {
		struct vector *v = &vec[nvec];

		if (line[0] == '#' || split_tabs(line, f, 6) != 6)
			continue;
		snprintf(v->id, sizeof(v->id), "%s", f[0]);
		snprintf(v->file, sizeof(v->file), "%s", f[1]);
		snprintf(v->keys, sizeof(v->keys), "%s", f[2]);
		v->minbits = (unsigned)strtoul(f[3], NULL, 10);
		snprintf(v->vocab, sizeof(v->vocab), "%s", f[4]);
		snprintf(v->expected, sizeof(v->expected), "%s", f[5]);
		v->listed = reason_of(v->id);
		nvec++;
	}
	fclose(fp);
	return 0;
}

/* rank - which signature speaks for the message: the best one, as
 * Mail::DKIM does and as libopendkim does when one passes */
static int rank(const struct check_dkim_sig *s)
{
	switch (s->result) {
	case CHECK_DKIM_PASS:
		return 6;
	case CHECK_DKIM_FAIL:
		return 5;
	case CHECK_DKIM_POLICY:
		return 4;
	case CHECK_DKIM_TEMPERROR:
		return 3;
	default:
		return s->why == CHECK_DKIM_WHY_NOKEY ? 1 : 2;
	}
}

/* best - the signature that speaks for the message, NULL if unsigned */
static const struct check_dkim_sig *best(const struct check_dkim_results *r)
{
	const struct check_dkim_sig *b = NULL;

	for (unsigned i = 0; i < r->n; i++)
		if (b == NULL || rank(&r->sig[i]) > rank(b))
			b = &r->sig[i];
	return b;
}

/* as_opendkim - the dkim_eom status OpenDKIM's tests expect */
static const char *as_opendkim(const struct check_dkim_sig *s)
{
	if (s == NULL)
		return "DKIM_STAT_NOSIG";
	switch (s->result) {
	case CHECK_DKIM_PASS:
		return "DKIM_STAT_OK";
	case CHECK_DKIM_FAIL:
		return "DKIM_STAT_BADSIG";
	case CHECK_DKIM_TEMPERROR:
		return "DKIM_STAT_KEYFAIL";
	default:
		break;
	}
	if (s->why == CHECK_DKIM_WHY_NOKEY)
		return "DKIM_STAT_NOKEY";
	if (s->why == CHECK_DKIM_WHY_REVOKED)
		return "DKIM_STAT_REVOKED";
	if (s->why == CHECK_DKIM_WHY_HEADERS)
		return "DKIM_STAT_INVALID";
	return "DKIM_STAT_CANTVRFY";
}

/* as_maildkim - Mail::DKIM's pass / fail / invalid / none */
static const char *as_maildkim(const struct check_dkim_sig *s)
{
	if (s == NULL)
		return "none";
	if (s->result == CHECK_DKIM_PASS || s->result == CHECK_DKIM_FAIL)
		return check_dkim_result_name(s->result);
	return "invalid";
}

/* translate - our results in the vector's vocabulary */
static void translate(const struct vector *v,
        const struct check_dkim_results *r, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	if (strcmp(v->vocab, "opendkim") == 0) {
		snprintf(out, len, "%s", as_opendkim(best(r)));
	} else if (strcmp(v->vocab, "maildkim") == 0) {
		snprintf(out, len, "%s", as_maildkim(best(r)));
	} else {
		for (unsigned i = 0; i < r->n && used < len; i++)
			used += (size_t)snprintf(out + used, len - used, "%s%s",
			        i ? "," : "",
			        check_dkim_result_name(r->sig[i].result));
		if (r->n == 0)
			snprintf(out, len, "none");
	}
}

/* describe - our own words, per signature: result/why */
static void describe(const struct check_dkim_results *r, char *out, size_t len)
{
	size_t used = 0;

	snprintf(out, len, "none");
	for (unsigned i = 0; i < r->n && used < len; i++) {
		const struct check_dkim_sig *s = &r->sig[i];

		used += (size_t)snprintf(out + used, len - used, "%s%s%s%s",
		        i ? "," : "", check_dkim_result_name(s->result),
		        s->why ? "/" : "", check_dkim_why_name(s->why));
	}
}

/* verify - one message through a fresh verifier; 0 or -1 (setup failed) */
static int verify(struct check_dkim *dk, const char *msg, size_t n, char *got,
        size_t glen, char *mine, size_t mlen, const struct vector *v)
{
	const struct check_dkim_results *r;
	struct check_dkim_msg *m = NULL;
	long body;
	int rc = -1;

	if (check_dkim_msg_new(dk, &m) != CHECK_DKIM_OK)
		return -1;
	body = fake_feed_headers(m, msg, n);
	if (body >= 0 && check_dkim_msg_eoh(m) == CHECK_DKIM_OK &&
	        fake_feed_body(m, msg + body, n - (size_t)body, BODY_CHUNK) ==
	                0 &&
	        check_dkim_msg_eom(m, dns_now_ms() + DEADLINE_MS, &r) ==
	                CHECK_DKIM_OK) {
		translate(v, r, got, glen);
		describe(r, mine, mlen);
		rc = 0;
	}
	check_dkim_msg_free(m);
	return rc;
}

/* run - one vector; 0 or -1 when it could not be run at all */
static int run(const char *dir, const struct vector *v, char *got, size_t glen,
        char *mine, size_t mlen)
{
	char path[512];
	struct fake_keys *f = fake_keys_new();
	struct check_dkim_opts o = {.keys = &fake_keys_ops, .keys_ctx = f, .min_key_bits = v->minbits};
	struct check_dkim *dk = NULL;
	char *raw = NULL, *msg = NULL;
	size_t rn = 0, n = 0;
	int rc = -1;

	if (f == NULL || join_path(path, sizeof(path), dir, v->keys) != 0 ||
	        fake_keys_load(f, path) != 0)
		goto fail;
	if (check_dkim_new(&o, &dk) != CHECK_DKIM_OK)
		goto fail;
	if (join_path(path, sizeof(path), dir, v->file) != 0 ||
	        (raw = fake_read_file(path, &rn)) == NULL ||
	        (msg = fake_smtp_form(raw, rn, &n)) == NULL)
		goto fail;
	rc = verify(dk, msg, n, got, glen, mine, mlen, v);
fail:
	free(msg);
	free(raw);
	check_dkim_free(dk);
	fake_keys_free(f);
	return rc;
}

/* tally_of - the counters of a vector's source (the id's first part) */
static struct tally *tally_of(struct tally *t, unsigned *nt, const char *id)
{
	size_t n = strcspn(id, "/");
	unsigned i;

	for (i = 0; i < *nt; i++)
		if (strlen(t[i].source) == n &&
		        strncmp(t[i].source, id, n) == 0)
			return &t[i];
	if (*nt == SRC_MAX)
		return &t[SRC_MAX - 1];
	snprintf(t[i].source, sizeof(t[i].source), "%.*s", (int)n, id);
	(*nt)++;
	return &t[i];
}

/* report - one TAP line, counted */
static void report(unsigned i, const struct vector *v, int ran, const char *got,
        const char *mine, struct tally *t)
{
	int ok = ran == 0 && strcmp(got, v->expected) == 0;

	if (ok && v->listed == NULL) {
		printf("ok %u - %s: %s (%s)\n", i, v->id, got, mine);
		t->passed++;
	} else if (v->listed != NULL) {
		printf("%s %u - %s: got %s (%s), expected %s # TODO %s\n",
		        ok ? "ok" : "not ok", i, v->id, ran ? "nothing" : got,
		        mine, v->expected, v->listed);
		t->listed++;
	} else {
		printf("not ok %u - %s: got %s (%s), expected %s\n", i, v->id,
		        ran ? "nothing (could not run)" : got, mine,
		        v->expected);
		t->failed++;
	}
}

/* summary - per source, then the whole run */
static void summary(const struct tally *t, unsigned nt)
{
	struct tally all = {"", 0, 0, 0};

	for (unsigned i = 0; i < nt; i++) {
		printf("# dkim %s: %u passed, %u failed (%u listed)\n",
		        t[i].source, t[i].passed, t[i].failed, t[i].listed);
		all.passed += t[i].passed;
		all.failed += t[i].failed;
		all.listed += t[i].listed;
	}
	printf("# dkim: %u passed, %u failed (%u listed)\n", all.passed,
	        all.failed, all.listed);
}

/* data_dir - argv[1], or the source tree's copy */
static const char *data_dir(int argc, char **argv, char *buf, size_t len)
{
	const char *top = getenv("top_srcdir");

	if (argc > 1)
		return argv[1];
	if (top == NULL)
		return ".";
	snprintf(buf, len, "%s/tests/conformance/dkim", top);
	return buf;
}

int main(int argc, char **argv)
{
	char buf[512], got[256], mine[512];
	const char *dir = data_dir(argc, argv, buf, sizeof(buf));
	struct tally t[SRC_MAX];
	unsigned nt = 0;

	memset(t, 0, sizeof(t));
	if (load_listed(dir) != 0 || load_vectors(dir) != 0 || nvec == 0) {
		printf("1..0 # SKIP no vectors in %s\n", dir);
		return 1;
	}
	printf("1..%u\n", nvec);
	for (unsigned i = 0; i < nvec; i++) {
		int ran;

		mine[0] = got[0] = '\0';
		ran = run(dir, &vec[i], got, sizeof(got), mine, sizeof(mine));
		report(i + 1, &vec[i], ran, got, mine,
		        tally_of(t, &nt, vec[i].id));
	}
	summary(t, nt);
	return 0;
}
