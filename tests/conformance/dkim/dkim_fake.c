/* dkim_fake.c - a scripted key source and a Postfix-like feeder (dkim_fake.h)
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <stdatomic.h>

#include <opendkim/dkim.h>

#include "dkim_fake.h"

#define FAKE_QUESTIONS_MAX 64

struct fake_entry {
	char *name;
	char *text;
	size_t len;
	enum fake_kind kind;
	unsigned delay_ms;
};

struct fake_keys {
	struct fake_entry *e;
	size_t n, cap;
	atomic_uint asked;
};

struct fake_item {
	const struct fake_entry *e; /* NULL: not in the table, NXDOMAIN */
	int64_t ready_ms;
	struct dns_answer a;
	struct dns_rr rr[2];
};

/* Per-message state of the key source. */
struct fake_q {
	struct fake_keys *f;
	unsigned n;
	struct fake_item item[FAKE_QUESTIONS_MAX];
};

/* fake_keys_new - an empty table */
struct fake_keys *fake_keys_new(void)
{
	return calloc(1, sizeof(struct fake_keys));
}

/* fake_keys_free - the entries and the table */
void fake_keys_free(struct fake_keys *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->e[i].name);
		free(f->e[i].text);
	}
	free(f->e);
	free(f);
}

/* fake_keys_add - one scripted name */
int fake_keys_add(struct fake_keys *f, const char *name, enum fake_kind kind,
        const char *text, unsigned delay_ms)
{
	struct fake_entry *e;

	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 32;
		struct fake_entry *p = realloc(f->e, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		f->e = p;
		f->cap = cap;
	}
	e = &f->e[f->n];
	e->name = strdup(name);
	e->text = strdup(text != NULL ? text : "");
	if (e->name == NULL || e->text == NULL) {
		free(e->name);
		free(e->text);
		return -1;
	}
	e->len = strlen(e->text);
	e->kind = kind;
	e->delay_ms = delay_ms;
	f->n++;
	return 0;
}

/* kind_of - what a key-file value means (see fake_keys_load) */
static enum fake_kind kind_of(const char *v)
{
	size_t n = strlen(v);

	if (strcmp(v, "NXDOMAIN") == 0)
		return FAKE_NXDOMAIN;
	if (n >= 4 && strncmp(v, "~~", 2) == 0 && strcmp(v + n - 2, "~~") == 0)
		return strstr(v, "timed out") != NULL ? FAKE_TIMEOUT
		                                      : FAKE_SERVFAIL;
	return FAKE_TXT;
}

/* load_line - "name<blanks>value"; blank and '#' lines are skipped */
static int load_line(struct fake_keys *f, char *line)
{
	char *v;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '#' || line[0] == ';' || line[0] == '\0')
		return 0;
	v = line + strcspn(line, " \t");
	if (*v == '\0')
		return 0;
	*v++ = '\0';
	v += strspn(v, " \t");
	return fake_keys_add(f, line, kind_of(v), v, 0);
}

/* fake_keys_load - every line of a key file */
int fake_keys_load(struct fake_keys *f, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[8192];
	int rc = 0;

	if (fp == NULL)
		return -1;
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL)
		rc = load_line(f, line);
	fclose(fp);
	return rc;
}

/* fake_keys_asked - questions asked so far */
unsigned fake_keys_asked(struct fake_keys *f)
{
	return atomic_load(&f->asked);
}

/* sleep_until - on the dns_now_ms clock */
static void sleep_until(int64_t when_ms)
{
	int64_t now = dns_now_ms();

	if (when_ms > now) {
		struct timespec ts = {(time_t)((when_ms - now) / 1000),
		        (long)((when_ms - now) % 1000) * 1000000L};

		nanosleep(&ts, NULL);
	}
}

/* fq_open - per-message state */
static int fq_open(void *ctx, void **q)
{
	struct fake_q *fq = calloc(1, sizeof(*fq));

	if (fq == NULL)
		return -1;
	fq->f = ctx;
	*q = fq;
	return 0;
}

/* fq_ask - find the scripted entry; the answer's clock starts now */
static int fq_ask(void *q, const char *name, unsigned *id)
{
	struct fake_q *fq = q;
	struct fake_item *it;

	if (fq->n == FAKE_QUESTIONS_MAX)
		return -1;
	it = &fq->item[fq->n];
	memset(it, 0, sizeof(*it));
	for (size_t i = 0; i < fq->f->n && it->e == NULL; i++)
		if (strcasecmp(fq->f->e[i].name, name) == 0)
			it->e = &fq->f->e[i];
	it->ready_ms = dns_now_ms() + (it->e ? it->e->delay_ms : 0);
	atomic_fetch_add(&fq->f->asked, 1);
	*id = fq->n++;
	return 0;
}

/* fill - the answer for a scripted kind */
static void fill(struct fake_item *it)
{
	const struct fake_entry *e = it->e;
	enum fake_kind k = e != NULL ? e->kind : FAKE_NXDOMAIN;
	static const enum dns_status st[] = {DNS_ANSWER, DNS_ANSWER,
	        DNS_NXDOMAIN, DNS_NODATA, DNS_SERVFAIL, DNS_TIMEOUT,
	        DNS_PENDING};

	it->a.status = st[k];
	it->a.type = DNS_T_TXT;
	it->a.rr = it->rr;
	if (k != FAKE_TXT && k != FAKE_TXT2)
		return;
	it->a.nrr = k == FAKE_TXT2 ? 2 : 1;
	for (unsigned i = 0; i < it->a.nrr; i++) {
		it->rr[i].ttl = 300;
		it->rr[i].u.txt.data = e->text;
		it->rr[i].u.txt.len = e->len;
	}
}

/* fq_wait - the scripted answer, or nothing yet at the deadline */
static const struct dns_answer *fq_wait(
        void *q, unsigned id, int64_t deadline_ms)
{
	struct fake_q *fq = q;
	struct fake_item *it;

	if (id >= fq->n)
		return NULL;
	it = &fq->item[id];
	if ((it->e != NULL && it->e->kind == FAKE_SILENT) ||
	        it->ready_ms > deadline_ms) {
		sleep_until(deadline_ms);
		it->a.status = DNS_PENDING;
		return &it->a;
	}
	sleep_until(it->ready_ms);
	fill(it);
	return &it->a;
}

/* fq_close - forget the message's questions */
static void fq_close(void *q)
{
	free(q);
}

const struct check_dkim_keys fake_keys_ops = {
        fq_open, fq_ask, fq_wait, fq_close};

/* fake_smtp_form - bare LF to CRLF; a final line end where there is none */
char *fake_smtp_form(const char *text, size_t n, size_t *len)
{
	char *out = malloc(2 * n + 3);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
			out[o++] = '\r';
		out[o++] = text[i];
	}
	if (o > 0 && out[o - 1] != '\n') {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* field_end - the end of the field starting at `p`: the CRLF that is not
 * followed by a fold */
static size_t field_end(const char *msg, size_t n, size_t p)
{
	for (;;) {
		const char *crlf = memmem(msg + p, n - p, "\r\n", 2);

		if (crlf == NULL)
			return n;
		p = (size_t)(crlf - msg);
		if (p + 2 < n && (msg[p + 2] == ' ' || msg[p + 2] == '\t')) {
			p += 2;
			continue;
		}
		return p;
	}
}

/* feed_field - name and value of msg[p..end), folds made LF */
static int feed_field(
        struct check_dkim_msg *m, const char *msg, size_t p, size_t end)
{
	const char *colon = memchr(msg + p, ':', end - p);
	char *name, *value;
	size_t nl, v = 0;
	int rc;

	nl = (size_t)(colon - (msg + p));
	name = strndup(msg + p, nl);
	value = malloc(end - p - nl);
	if (name == NULL || value == NULL) {
		free(name);
		free(value);
		return -1;
	}
	for (size_t i = p + nl + 1; i < end; i++)
		if (!(msg[i] == '\r' && i + 1 < end && msg[i + 1] == '\n'))
			value[v++] = msg[i];
	value[v] = '\0';
	rc = check_dkim_msg_header(m, name, value);
	free(name);
	free(value);
	return rc == CHECK_DKIM_OK ? 0 : -1;
}

/* fake_feed_headers - each field until the empty line (or a line that is
 * no header field, where Postfix would start the body too) */
long fake_feed_headers(struct check_dkim_msg *m, const char *msg, size_t n)
{
	size_t p = 0;

	while (p < n) {
		size_t end;

		if (n - p >= 2 && msg[p] == '\r' && msg[p + 1] == '\n')
			return (long)(p + 2);
		end = field_end(msg, n, p);
		if (memchr(msg + p, ':', end - p) == NULL)
			return (long)p;
		if (feed_field(m, msg, p, end) != 0)
			return -1;
		p = end + 2 > n ? n : end + 2;
	}
	return (long)n;
}

/* fake_feed_body - chunks of `chunk` bytes */
int fake_feed_body(
        struct check_dkim_msg *m, const char *body, size_t n, size_t chunk)
{
	for (size_t off = 0; off < n; off += chunk) {
		size_t len = n - off < chunk ? n - off : chunk;

		if (check_dkim_msg_body(m, body + off, len) != CHECK_DKIM_OK)
			return -1;
	}
	return 0;
}

/* fake_read_file - the whole file */
char *fake_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 &&
	        fseek(fp, 0, SEEK_SET) == 0 &&
	        (buf = malloc((size_t)size + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)size, fp);
		buf[*len] = '\0';
	}
	fclose(fp);
	return buf;
}

/* fake_data_path - the test data directory of the source tree */
int fake_data_path(const char *rel, char *buf, size_t len)
{
	const char *top = getenv("top_srcdir");
	int n = top != NULL ? snprintf(buf, len, "%s/tests/conformance/dkim/%s",
	                              top, rel)
	                    : snprintf(buf, len, "./%s", rel);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* sign_with - run the message through a signing handle; the header value */
static int sign_with(DKIM *d, const char *msg, char *hdr, size_t len)
{
	size_t n = strlen(msg);

	if (dkim_chunk(d, (unsigned char *)(uintptr_t)msg, n) != DKIM_STAT_OK ||
	        dkim_chunk(d, NULL, 0) != DKIM_STAT_OK ||
	        dkim_eom(d, NULL) != DKIM_STAT_OK)
		return -1;
	return dkim_getsighdr(d, (unsigned char *)hdr, len,
	               strlen("DKIM-Signature: ")) == DKIM_STAT_OK
	               ? 0
	               : -1;
}

/* fake_sign - a signature by libopendkim, prepended */
char *fake_sign(const char *msg, const char *keyfile, const char *selector,
        const char *domain, int alg, int canon)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	unsigned int bits = 512;
	size_t klen, cap = strlen(msg) + 4096 + 32;
	char *key = fake_read_file(keyfile, &klen), *out = malloc(cap);
	char hdr[4096];
	DKIM_STAT st;
	DKIM *d = NULL;

	if (lib != NULL && key != NULL && out != NULL &&
	        dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &bits,
	                sizeof(bits)) == DKIM_STAT_OK)
		d = dkim_sign(lib, (const unsigned char *)"t", NULL,
		        (dkim_sigkey_t)key, (const unsigned char *)selector,
		        (const unsigned char *)domain, canon, canon, alg, -1,
		        &st);
	if (d == NULL || sign_with(d, msg, hdr, sizeof(hdr)) != 0) {
		free(out);
		out = NULL;
	} else {
		snprintf(out, cap, "DKIM-Signature: %s\r\n%s", hdr, msg);
	}
	if (d != NULL)
		dkim_free(d);
	if (lib != NULL)
		dkim_close(lib);
	free(key);
	return out;
}
