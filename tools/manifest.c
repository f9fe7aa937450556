/*
 * manifest.c - the signed table of contents of a feed directory:
 * checking, formatting, parsing, signing and verifying it, and the plan
 * of which files a receiver applies (manifest.h).
 *
 * Decisions made here:
 *	- One set of checks serves the struct (manifest_add, manifest_format)
 *	  and the text (manifest_parse), so that what is written is what is
 *	  read back, and nothing else is.
 *	- Numbers are read in the one form they are written, as in the feed:
 *	  two texts never mean the same manifest.
 *	- The text is parsed from the caller's buffer line by line into a
 *	  bounded line buffer: no copy of the whole, no NUL needed at its end.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "manifest.h"

#define NUM_DIGITS_MAX 20 /* UINT64_MAX has 20 */
#define HASH_LEN (FEED_HASH_HEX - 1)
#define HEADER_FIELDS 7
#define FILE_FIELDS 6
#define FILE_LINE_MAX 240 /* longest file line: 231 with its LF, a NUL */
#define TEXT_MAX (2 * MANIFEST_LINE_MAX + MANIFEST_FILES_MAX * FILE_LINE_MAX)
#define SIG_NAME MANIFEST_NAME MSIGN_SUFFIX

_Static_assert(FILE_LINE_MAX <= MANIFEST_LINE_MAX, "file line fits");
_Static_assert(TEXT_MAX <= MANIFEST_BYTES_MAX,
        "a list of MANIFEST_FILES_MAX files fits in MANIFEST_BYTES_MAX");

/* manifest_strerror - a static, human-readable text for an error code */
const char *manifest_strerror(int err)
{
	static const char *const text[] = {
	        [-MANIFEST_OK] = "success",
	        [-MANIFEST_E_INVAL] = "invalid argument or manifest",
	        [-MANIFEST_E_NOMEM] = "out of memory",
	        [-MANIFEST_E_IO] = "input/output error",
	        [-MANIFEST_E_SYNTAX] = "not a manifest, or a line not valid",
	        [-MANIFEST_E_VERSION] =
	                "manifest written by a newer format version",
	        [-MANIFEST_E_LIMIT] = "manifest lists too many files or is "
	                              "too long",
	        [-MANIFEST_E_SIGNATURE] = "manifest signature verification "
	                                  "failed",
	        [-MANIFEST_E_KEY] = "manifest signed by a key that is not "
	                            "pinned",
	        [-MANIFEST_E_GAP] = "no snapshot and no chain of deltas reach "
	                            "the manifest's sequence",
	};

	if (err > 0 || -err >= (int)(sizeof text / sizeof text[0]))
		return "unknown error";
	return text[-err];
}

/*
 * CHECKS shared by the struct and the text
 */

/* time_in_range - within the feed format's plausible era */
static int time_in_range(int64_t t)
{
	return t >= FEED_TIME_MIN && t <= FEED_TIME_MAX;
}

/* header_valid - publisher, epoch, serial, times */
static int header_valid(const struct manifest *m)
{
	if (memchr(m->publisher, '\0', sizeof m->publisher) == NULL ||
	        !rep_publisher_valid_name(m->publisher))
		return 0;
	if (m->epoch == 0 || m->serial == 0)
		return 0;
	return time_in_range(m->generated) && time_in_range(m->valid_until) &&
	       m->valid_until > m->generated;
}

/* hash_valid - exactly HASH_LEN lower-case hex digits, NUL-terminated */
static int hash_valid(const char *s, size_t size)
{
	size_t i;

	if (memchr(s, '\0', size) == NULL || strlen(s) != HASH_LEN)
		return 0;
	for (i = 0; i < HASH_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		            (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* file_valid - one file on its own: kind, hash, name, size, range */
static int file_valid(const struct manifest_file *f)
{
	if (f->kind != FEED_SNAPSHOT && f->kind != FEED_DELTA)
		return 0;
	if (!hash_valid(f->sha256, sizeof f->sha256))
		return 0;
	if (memchr(f->name, '\0', sizeof f->name) == NULL ||
	        strncmp(f->name, f->sha256, HASH_LEN) != 0 ||
	        strcmp(f->name + HASH_LEN, FEED_SUFFIX) != 0)
		return 0;
	return f->size >= 1 && f->seq_lo <= f->seq_hi;
}

/* name_cmp - qsort order of file pointers by name */
static int name_cmp(const void *a, const void *b)
{
	const struct manifest_file *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* names_unique - 0, or MANIFEST_E_SYNTAX and *bad the index of the first
 * file (in list order) whose name an earlier one has */
static int names_unique(const struct manifest *m, unsigned *bad)
{
	const struct manifest_file **p;
	unsigned i, first = m->nfiles;

	if (m->nfiles < 2)
		return 0;
	if ((p = calloc(m->nfiles, sizeof *p)) == NULL)
		return MANIFEST_E_NOMEM;
	for (i = 0; i < m->nfiles; i++)
		p[i] = &m->file[i];
	qsort(p, m->nfiles, sizeof *p, name_cmp);
	for (i = 1; i < m->nfiles; i++) {
		unsigned later;
		if (strcmp(p[i - 1]->name, p[i]->name) != 0)
			continue;
		later = (unsigned)((p[i] > p[i - 1] ? p[i] : p[i - 1]) -
		                   m->file);
		if (later < first)
			first = later;
	}
	free(p);
	if (first == m->nfiles)
		return 0;
	*bad = first;
	return MANIFEST_E_SYNTAX;
}

/* manifest_check - the whole struct as the parser checks its text:
 * MANIFEST_E_INVAL, MANIFEST_E_LIMIT or MANIFEST_E_NOMEM */
static int manifest_check(const struct manifest *m)
{
	unsigned i, snapshots = 0, bad;
	int err;

	if (m->nfiles > MANIFEST_FILES_MAX)
		return MANIFEST_E_LIMIT;
	if (!header_valid(m) || (m->nfiles > 0 && m->file == NULL))
		return MANIFEST_E_INVAL;
	for (i = 0; i < m->nfiles; i++) {
		if (!file_valid(&m->file[i]))
			return MANIFEST_E_INVAL;
		snapshots += m->file[i].kind == FEED_SNAPSHOT;
	}
	if (snapshots > 1)
		return MANIFEST_E_INVAL;
	err = names_unique(m, &bad);
	return err == MANIFEST_E_SYNTAX ? MANIFEST_E_INVAL : err;
}

/*
 * THE STRUCT
 */

/* capacity - how many files m->file holds for nfiles of them: at least
 * 8, then powers of two (manifest_add grows it on reaching one) */
static unsigned capacity(unsigned nfiles)
{
	unsigned c = 8;

	while (c < nfiles)
		c *= 2;
	return c;
}

/* manifest_add - append a copy of *f, growing file[] */
int manifest_add(struct manifest *m, const struct manifest_file *f)
{
	struct manifest_file *grown;
	unsigned cap;

	if (m == NULL || f == NULL || !file_valid(f) ||
	        (m->file == NULL && m->nfiles > 0))
		return MANIFEST_E_INVAL;
	if (m->nfiles >= MANIFEST_FILES_MAX)
		return MANIFEST_E_LIMIT;
	cap = capacity(m->nfiles);
	if (m->file == NULL || m->nfiles == cap) {
		if (m->file != NULL)
			cap *= 2;
		grown = realloc(m->file, (size_t)cap * sizeof *grown);
		if (grown == NULL)
			return MANIFEST_E_NOMEM;
		m->file = grown;
	}
	m->file[m->nfiles++] = *f;
	return 0;
}

/* manifest_free - free file[] and zero the struct */
void manifest_free(struct manifest *m)
{
	if (m == NULL)
		return;
	free(m->file);
	memset(m, 0, sizeof *m);
}

/*
 * FORMATTING
 */

/* file_line - one file's line with its LF into buf (FILE_LINE_MAX) */
static size_t file_line(const struct manifest_file *f, char *buf)
{
	int n = snprintf(buf, FILE_LINE_MAX,
	        "%s\t%s\t%llu\t%s\t%llu-%llu\t%llu\n", feed_kind_name(f->kind),
	        f->name, (unsigned long long)f->size, f->sha256,
	        (unsigned long long)f->seq_lo, (unsigned long long)f->seq_hi,
	        (unsigned long long)f->records);

	return n < 0 || n >= FILE_LINE_MAX ? 0 : (size_t)n;
}

/* manifest_format - the manifest's text, checked first */
int manifest_format(const struct manifest *m, char **text, size_t *len)
{
	size_t cap, n;
	char *buf;
	unsigned i;
	int err, w;

	if (m == NULL || text == NULL || len == NULL)
		return MANIFEST_E_INVAL;
	if ((err = manifest_check(m)) != 0)
		return err;
	cap = 2 * MANIFEST_LINE_MAX + (size_t)m->nfiles * FILE_LINE_MAX;
	if ((buf = malloc(cap)) == NULL)
		return MANIFEST_E_NOMEM;
	w = snprintf(buf, MANIFEST_LINE_MAX,
	        MANIFEST_MAGIC
	        "\tversion=%d\tpublisher=%s\tepoch=%llu"
	        "\tserial=%llu\tgenerated=%lld\tvalid_until=%lld\n",
	        MANIFEST_VERSION, m->publisher, (unsigned long long)m->epoch,
	        (unsigned long long)m->serial, (long long)m->generated,
	        (long long)m->valid_until);
	n = (size_t)w; /* bounded: a checked publisher and 20-digit numbers */
	for (i = 0; i < m->nfiles; i++)
		n += file_line(&m->file[i], buf + n);
	n += (size_t)snprintf(buf + n, MANIFEST_LINE_MAX,
	        MANIFEST_TRAILER "\tfiles=%u\n", m->nfiles);
	*text = buf;
	*len = n;
	return 0;
}

/*
 * PARSING
 */

struct parse {
	const char *p, *end; /* what is left of the text */
	unsigned line;       /* number of the line in buf */
	char buf[MANIFEST_LINE_MAX + 1];
};

/* next_line - the next line into ps->buf (NUL-terminated, no LF): 1, or
 * 0 at the end of the text, or MANIFEST_E_SYNTAX for a line without its
 * LF, too long, or holding a byte other than printable ASCII and tab */
static int next_line(struct parse *ps)
{
	const char *nl;
	size_t n, i;

	if (ps->p == ps->end)
		return 0;
	ps->line++;
	nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
	if (nl == NULL)
		return MANIFEST_E_SYNTAX;
	n = (size_t)(nl - ps->p);
	if (n > MANIFEST_LINE_MAX)
		return MANIFEST_E_SYNTAX;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)ps->p[i];
		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return MANIFEST_E_SYNTAX;
	}
	memcpy(ps->buf, ps->p, n);
	ps->buf[n] = '\0';
	ps->p = nl + 1;
	return 1;
}

/* split - cut line at tabs into at most max fields; the count found
 * (max + 1 means more than max) */
static size_t split(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		char *tab = strchr(p, '\t');
		if (n == max)
			return max + 1;
		fields[n++] = p;
		if (tab == NULL)
			return n;
		*tab = '\0';
		p = tab + 1;
	}
}

/* num_parse - a number as the feed writes it (no sign, no leading zero,
 * at most max): 0 or -1 */
static int num_parse(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > NUM_DIGITS_MAX || (s[0] == '0' && n > 1))
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* key_num - the number of field "key=N", or -1 */
static int key_num(
        const char *field, const char *key, uint64_t max, uint64_t *out)
{
	size_t n = strlen(key);

	if (strncmp(field, key, n) != 0 || field[n] != '=')
		return -1;
	return num_parse(field + n + 1, max, out);
}

/* range_parse - "LO-HI" */
static int range_parse(const char *s, uint64_t *lo, uint64_t *hi)
{
	char first[NUM_DIGITS_MAX + 1];
	const char *dash = strchr(s, '-');

	if (dash == NULL || (size_t)(dash - s) > NUM_DIGITS_MAX)
		return -1;
	memcpy(first, s, (size_t)(dash - s));
	first[dash - s] = '\0';
	if (num_parse(first, UINT64_MAX, lo) != 0 ||
	        num_parse(dash + 1, UINT64_MAX, hi) != 0)
		return -1;
	return 0;
}

/* header_parse - the first line; a newer version is reported as such
 * before the rest is looked at, since it may be laid out differently */
static int header_parse(char *line, struct manifest *m)
{
	char *f[HEADER_FIELDS];
	const char *pub = "publisher=";
	uint64_t v, gen, until;
	size_t n = split(line, f, HEADER_FIELDS);

	if (strcmp(f[0], MANIFEST_MAGIC) != 0 || n < 2 ||
	        key_num(f[1], "version", UINT64_MAX, &v) != 0 || v == 0)
		return MANIFEST_E_SYNTAX;
	if (v > MANIFEST_VERSION)
		return MANIFEST_E_VERSION;
	if (n != HEADER_FIELDS || strncmp(f[2], pub, strlen(pub)) != 0 ||
	        strlen(f[2] + strlen(pub)) > REP_PUBLISHER_MAX)
		return MANIFEST_E_SYNTAX;
	strcpy(m->publisher, f[2] + strlen(pub));
	if (key_num(f[3], "epoch", UINT64_MAX, &m->epoch) != 0 ||
	        key_num(f[4], "serial", UINT64_MAX, &m->serial) != 0 ||
	        key_num(f[5], "generated", FEED_TIME_MAX, &gen) != 0 ||
	        key_num(f[6], "valid_until", FEED_TIME_MAX, &until) != 0)
		return MANIFEST_E_SYNTAX;
	m->version = (int)v;
	m->generated = (int64_t)gen;
	m->valid_until = (int64_t)until;
	return header_valid(m) ? 0 : MANIFEST_E_SYNTAX;
}

/* copy_field - a string field into an array of size bytes, or -1 */
static int copy_field(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/* file_parse - a file line */
static int file_parse(char *line, struct manifest_file *out)
{
	char *f[FILE_FIELDS];
	struct manifest_file mf;

	memset(&mf, 0, sizeof mf);
	if (split(line, f, FILE_FIELDS) != FILE_FIELDS)
		return MANIFEST_E_SYNTAX;
	if (strcmp(f[0], "snapshot") == 0)
		mf.kind = FEED_SNAPSHOT;
	else if (strcmp(f[0], "delta") == 0)
		mf.kind = FEED_DELTA;
	if (copy_field(mf.name, sizeof mf.name, f[1]) != 0 ||
	        num_parse(f[2], UINT64_MAX, &mf.size) != 0 ||
	        copy_field(mf.sha256, sizeof mf.sha256, f[3]) != 0 ||
	        range_parse(f[4], &mf.seq_lo, &mf.seq_hi) != 0 ||
	        num_parse(f[5], UINT64_MAX, &mf.records) != 0 ||
	        !file_valid(&mf))
		return MANIFEST_E_SYNTAX;
	*out = mf;
	return 0;
}

/* trailer_parse - "#end\tfiles=N" with N the files read */
static int trailer_parse(char *line, unsigned nfiles)
{
	char *f[2];
	uint64_t n;

	if (split(line, f, 2) != 2 || strcmp(f[0], MANIFEST_TRAILER) != 0 ||
	        key_num(f[1], "files", UINT64_MAX, &n) != 0 || n != nfiles)
		return MANIFEST_E_SYNTAX;
	return 0;
}

/* is_trailer - the line starts with the trailer's first field */
static int is_trailer(const char *line)
{
	size_t n = strlen(MANIFEST_TRAILER);

	return strncmp(line, MANIFEST_TRAILER, n) == 0 &&
	       (line[n] == '\t' || line[n] == '\0');
}

/* body_parse - the lines after the header, up to and including the
 * trailer; the text must end there */
static int body_parse(struct parse *ps, struct manifest *m)
{
	struct manifest_file f;
	unsigned snapshots = 0;
	int rc, err;

	/* Each turn consumes a line: bounded by the text's length. */
	while ((rc = next_line(ps)) == 1) {
		if (is_trailer(ps->buf)) {
			if ((err = trailer_parse(ps->buf, m->nfiles)) != 0)
				return err;
			if (ps->p != ps->end) {
				ps->line++;
				return MANIFEST_E_SYNTAX;
			}
			return 0;
		}
		if (m->nfiles == MANIFEST_FILES_MAX)
			return MANIFEST_E_LIMIT;
		if ((err = file_parse(ps->buf, &f)) != 0)
			return err;
		if (f.kind == FEED_SNAPSHOT && ++snapshots > 1)
			return MANIFEST_E_SYNTAX;
		if ((err = manifest_add(m, &f)) != 0)
			return err;
	}
	if (rc == 0) /* cut before its trailer: the trailer was due here */
		ps->line++;
	return rc == 0 ? MANIFEST_E_SYNTAX : rc;
}

/* manifest_parse - parse the text of a manifest */
int manifest_parse(
        const char *text, size_t len, struct manifest *out, unsigned *line)
{
	struct parse ps;
	struct manifest m;
	unsigned bad = 0;
	int err;

	if (line != NULL)
		*line = 0;
	if ((text == NULL && len > 0) || out == NULL)
		return MANIFEST_E_INVAL;
	if (len > MANIFEST_BYTES_MAX)
		return MANIFEST_E_LIMIT;
	memset(&m, 0, sizeof m);
	ps.p = text != NULL ? text : "";
	ps.end = ps.p + len;
	ps.line = 0;
	err = next_line(&ps);
	if (err == 0) {
		ps.line = 1;
		err = MANIFEST_E_SYNTAX;
	}
	if (err == 1 && (err = header_parse(ps.buf, &m)) == 0 &&
	        (err = body_parse(&ps, &m)) == 0 &&
	        (err = names_unique(&m, &bad)) == MANIFEST_E_SYNTAX)
		ps.line = bad + 2;
	if (err != 0) {
		if (line != NULL && err != MANIFEST_E_NOMEM)
			*line = ps.line;
		manifest_free(&m);
		return err;
	}
	*out = m;
	return 0;
}

/*
 * SIGNING AND VERIFYING
 */

/* put_in - write dir/name atomically, mode 0644, replacing */
static int put_in(
        const char *dir, const char *name, const char *buf, size_t len)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= sizeof path) {
		errno = ENAMETOOLONG;
		return MANIFEST_E_IO;
	}
	if (afile_put(path, buf, len, 0644, 1) != 0)
		return MANIFEST_E_IO;
	return 0;
}

/* manifest_write - sign and publish into dir, the manifest last */
int manifest_write(const char *dir, const struct manifest *m,
        const struct msign_seckey *sk)
{
	char comment[MANIFEST_LINE_MAX], *text = NULL, *sig = NULL;
	size_t len, sig_len;
	int err;

	if (dir == NULL || m == NULL || sk == NULL)
		return MANIFEST_E_INVAL;
	if ((err = manifest_format(m, &text, &len)) != 0)
		return err;
	snprintf(comment, sizeof comment,
	        "timestamp:%lld\tfile:" MANIFEST_NAME
	        "\tpublisher:%s\tepoch:%llu\tserial:%llu",
	        (long long)m->generated, m->publisher,
	        (unsigned long long)m->epoch, (unsigned long long)m->serial);
	err = msign_sign_buf(sk, text, len, comment, &sig, &sig_len);
	if (err != 0) {
		err = err == MSIGN_E_NOMEM ? MANIFEST_E_NOMEM
		                           : MANIFEST_E_INVAL;
		goto fail;
	}
	if ((err = put_in(dir, SIG_NAME, sig, sig_len)) != 0)
		goto fail;
	err = put_in(dir, MANIFEST_NAME, text, len);
fail:
	free(text);
	free(sig);
	return err;
}

/* verify_error - the manifest code for a minisign verification error */
static int verify_error(int err)
{
	switch (err) {
	case MSIGN_E_KEYID:
		return MANIFEST_E_KEY;
	case MSIGN_E_NOMEM:
		return MANIFEST_E_NOMEM;
	case MSIGN_E_INVAL:
		return MANIFEST_E_INVAL;
	default:
		return MANIFEST_E_SIGNATURE;
	}
}

/* manifest_verify_parse - verify the signature, then parse */
int manifest_verify_parse(const char *text, size_t len, const char *sig,
        size_t sig_len, const struct msign_pubkey *keys, size_t nkeys,
        struct manifest *out, unsigned *line)
{
	int err;

	if (line != NULL)
		*line = 0;
	if ((text == NULL && len > 0) || sig == NULL || keys == NULL ||
	        nkeys == 0 || nkeys > MSIGN_PINNED_MAX || out == NULL)
		return MANIFEST_E_INVAL;
	if (len > MANIFEST_BYTES_MAX)
		return MANIFEST_E_LIMIT;
	err = msign_verify_buf(keys, nkeys, text, len, sig, sig_len, NULL);
	if (err != 0)
		return verify_error(err);
	return manifest_parse(text, len, out, line);
}

/*
 * THE PLAN
 */

/* chain - append to p the deltas leading from seq `from` to `target`,
 * each step the delta that continues and reaches furthest; 0, or -1 if
 * none continues before the target */
static int chain(const struct manifest *m, uint64_t from, uint64_t target,
        struct manifest_plan *p)
{
	uint64_t cur = from;
	unsigned i, best;

	/* Each step raises cur past a delta's seq_hi, so no delta is taken
	 * twice: at most nfiles steps. */
	while (cur < target) {
		best = m->nfiles;
		for (i = 0; i < m->nfiles; i++) {
			const struct manifest_file *f = &m->file[i];
			if (f->kind != FEED_DELTA || f->seq_lo > cur + 1 ||
			        f->seq_hi <= cur)
				continue;
			if (best == m->nfiles ||
			        f->seq_hi > m->file[best].seq_hi)
				best = i;
		}
		if (best == m->nfiles || p->n == MANIFEST_FILES_MAX)
			return -1;
		p->idx[p->n++] = best;
		cur = m->file[best].seq_hi;
	}
	return 0;
}

/* manifest_plan - which files to apply, in order */
int manifest_plan(const struct manifest *m, uint64_t wm_epoch, uint64_t wm_seq,
        struct manifest_plan *out)
{
	struct manifest_plan p;
	uint64_t target = 0;
	unsigned i, snap;

	if (m == NULL || out == NULL || m->nfiles > MANIFEST_FILES_MAX ||
	        (m->nfiles > 0 && m->file == NULL))
		return MANIFEST_E_INVAL;
	snap = m->nfiles;
	for (i = 0; i < m->nfiles; i++) {
		if (m->file[i].seq_lo > m->file[i].seq_hi)
			return MANIFEST_E_INVAL;
		if (m->file[i].seq_hi > target)
			target = m->file[i].seq_hi;
		if (m->file[i].kind == FEED_SNAPSHOT)
			snap = i;
	}
	p.n = 0;
	p.snapshot = 0;
	if (m->nfiles == 0 || (wm_epoch == m->epoch && wm_seq >= target))
		goto done;
	if (wm_epoch == m->epoch && chain(m, wm_seq, target, &p) == 0)
		goto done;
	if (snap == m->nfiles)
		return MANIFEST_E_GAP;
	p.n = 0;
	p.idx[p.n++] = snap;
	p.snapshot = 1;
	if (chain(m, m->file[snap].seq_hi, target, &p) != 0)
		return MANIFEST_E_GAP;
done:
	out->n = p.n;
	out->snapshot = p.snapshot;
	memcpy(out->idx, p.idx, p.n * sizeof p.idx[0]);
	return 0;
}
