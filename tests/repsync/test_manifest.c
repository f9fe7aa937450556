/*
 * test_manifest.c - the manifest (tools/manifest.h): format and parse,
 * every text the parser must refuse, signing and verifying with pinned
 * keys (and Debian's minisign on what manifest_write publishes); the
 * plan's tests are in test_manifest_plan.c.
 */
#include "manifesttest.h"

#include <errno.h>

/* same_manifest - two manifests say the same */
static void same_manifest(const struct manifest *a, const struct manifest *b)
{
	unsigned i;

	assert_int_equal(a->version, b->version);
	assert_string_equal(a->publisher, b->publisher);
	assert_int_equal(a->epoch, b->epoch);
	assert_int_equal(a->serial, b->serial);
	assert_int_equal(a->generated, b->generated);
	assert_int_equal(a->valid_until, b->valid_until);
	assert_int_equal(a->nfiles, b->nfiles);
	for (i = 0; i < a->nfiles; i++) {
		assert_int_equal(a->file[i].kind, b->file[i].kind);
		assert_string_equal(a->file[i].name, b->file[i].name);
		assert_string_equal(a->file[i].sha256, b->file[i].sha256);
		assert_int_equal(a->file[i].size, b->file[i].size);
		assert_int_equal(a->file[i].seq_lo, b->file[i].seq_lo);
		assert_int_equal(a->file[i].seq_hi, b->file[i].seq_hi);
		assert_int_equal(a->file[i].records, b->file[i].records);
	}
}

/* parse_bytes - parse len bytes; the error, *line the line at fault.
 * A refused text leaves the output untouched. */
static int parse_bytes(const char *text, size_t len, unsigned *line)
{
	struct manifest m, before;
	int rc;

	memset(&m, 0x5a, sizeof m);
	before = m;
	rc = manifest_parse(text, len, &m, line);
	if (rc != 0)
		assert_memory_equal(&m, &before, sizeof m);
	else
		manifest_free(&m);
	return rc;
}

/* refused - GOOD with `from` replaced by `to` is refused with err, at
 * line `at` */
static void refused(const char *from, const char *to, int err, unsigned at)
{
	char *text = replace_in(GOOD, from, to);
	unsigned line = 999;

	assert_int_equal(parse_bytes(text, strlen(text), &line), err);
	assert_int_equal(line, at);
	free(text);
}

/* ---- format and parse ---- */

static void test_manifest_round_trips(void **state)
{
	struct manifest m, back;
	char *text, *again;
	size_t len, len2;
	unsigned line;

	(void)state;
	sample(&m);
	assert_int_equal(manifest_format(&m, &text, &len), 0);
	assert_int_equal(len, strlen(text));
	assert_int_equal(manifest_parse(text, len, &back, &line), 0);
	assert_int_equal(line, 0);
	same_manifest(&m, &back);
	assert_int_equal(manifest_format(&back, &again, &len2), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(again, text, len);
	free(text);
	free(again);
	manifest_free(&back);
	manifest_free(&m);
	assert_null(m.file);
	assert_int_equal(m.nfiles, 0);
	manifest_free(NULL);
}

static void test_text_is_the_documented_format(void **state)
{
	struct manifest m;
	char *text;
	size_t len;

	(void)state;
	sample(&m);
	assert_int_equal(manifest_format(&m, &text, &len), 0);
	assert_string_equal(text, GOOD);
	free(text);
	manifest_free(&m);
}

static void test_text_need_not_end_in_nul(void **state)
{
	char buf[sizeof GOOD + 16];
	struct manifest m;

	(void)state;
	memcpy(buf, GOOD, strlen(GOOD));
	memcpy(buf + strlen(GOOD), "junk\tjunk\r\n\0zzz", 16);
	assert_int_equal(manifest_parse(buf, strlen(GOOD), &m, NULL), 0);
	assert_int_equal(m.nfiles, 3);
	manifest_free(&m);
}

static void test_empty_manifest_round_trips(void **state)
{
	struct manifest m, back;
	char *text;
	size_t len;

	(void)state;
	mheader(&m, 1);
	assert_int_equal(manifest_format(&m, &text, &len), 0);
	assert_int_equal(manifest_parse(text, len, &back, NULL), 0);
	same_manifest(&m, &back);
	free(text);
	manifest_free(&back);
}

static void test_largest_manifest_round_trips(void **state)
{
	struct manifest m, back;
	struct manifest_file f = mfile(FEED_DELTA, 99999, 1, 2);
	char *text;
	size_t len;

	(void)state;
	big(&m, MANIFEST_FILES_MAX);
	assert_int_equal(manifest_add(&m, &f), MANIFEST_E_LIMIT);
	assert_int_equal(m.nfiles, MANIFEST_FILES_MAX);
	assert_int_equal(manifest_format(&m, &text, &len), 0);
	assert_true(len <= MANIFEST_BYTES_MAX);
	assert_int_equal(manifest_parse(text, len, &back, NULL), 0);
	same_manifest(&m, &back);
	free(text);
	manifest_free(&back);
	manifest_free(&m);
}

/* ---- what the parser refuses ---- */

static void test_bad_header_is_refused(void **state)
{
	(void)state;
	refused("#repmanifest", "#repfeed", MANIFEST_E_SYNTAX, 1);
	refused("version=1\tpublisher=isp-a", "version=2\tstuff",
	        MANIFEST_E_VERSION, 1);
	refused("version=1", "version=0", MANIFEST_E_SYNTAX, 1);
	refused("version=1", "version=01", MANIFEST_E_SYNTAX, 1);
	refused("version=1\t", "", MANIFEST_E_SYNTAX, 1);
	refused("isp-a", "ISP-A", MANIFEST_E_SYNTAX, 1);
	refused("isp-a", "-isp", MANIFEST_E_SYNTAX, 1);
	refused("isp-a", "", MANIFEST_E_SYNTAX, 1);
	refused("isp-a",
	        "i123456789012345678901234567890123456789012345678901234567890"
	        "123",
	        MANIFEST_E_SYNTAX, 1);
	refused("epoch=3", "epoch=0", MANIFEST_E_SYNTAX, 1);
	refused("serial=42", "serial=0", MANIFEST_E_SYNTAX, 1);
	refused("epoch=3", "epoch=03", MANIFEST_E_SYNTAX, 1);
	refused("epoch=3", "epoch=+3", MANIFEST_E_SYNTAX, 1);
	refused("epoch=3", "epoch=", MANIFEST_E_SYNTAX, 1);
	refused("epoch=3", "epoch=3 ", MANIFEST_E_SYNTAX, 1);
	refused("epoch=3", "epoch=18446744073709551616", MANIFEST_E_SYNTAX, 1);
	refused("serial=42", "serial=4x2", MANIFEST_E_SYNTAX, 1);
	refused("generated=1700000000", "generated=946684799",
	        MANIFEST_E_SYNTAX, 1);
	refused("valid_until=1700259200", "valid_until=4102444801",
	        MANIFEST_E_SYNTAX, 1);
	refused("valid_until=1700259200", "valid_until=1700000000",
	        MANIFEST_E_SYNTAX, 1);
	refused("valid_until=1700259200", "valid_until=1699999999",
	        MANIFEST_E_SYNTAX, 1);
	refused("\tserial=42", "", MANIFEST_E_SYNTAX, 1);
	refused("valid_until=1700259200", "valid_until=1700259200\tx=1",
	        MANIFEST_E_SYNTAX, 1);
	refused("epoch=3\tserial=42", "serial=42\tepoch=3", MANIFEST_E_SYNTAX,
	        1);
	refused("\tepoch=3", "\t\tepoch=3", MANIFEST_E_SYNTAX, 1);
}

static void test_bad_file_line_is_refused(void **state)
{
	(void)state;
	refused("delta\t" HD1, "full\t" HD1, MANIFEST_E_SYNTAX, 3);
	refused("delta\t" HD2, "snapshot\t" HD2, MANIFEST_E_SYNTAX, 4);
	refused(LINE_D2, LINE_D1, MANIFEST_E_SYNTAX, 4);
	refused(HD1 ".tsv.zst\t700\t" HD1, HD1U ".tsv.zst\t700\t" HD1U,
	        MANIFEST_E_SYNTAX, 3);
	refused(HD1 ".tsv.zst", HX ".tsv.zst", MANIFEST_E_SYNTAX, 3);
	refused(HD1 ".tsv.zst", HD1 ".tsv.gz", MANIFEST_E_SYNTAX, 3);
	refused(HD1 ".tsv.zst", HD1, MANIFEST_E_SYNTAX, 3);
	refused(HD1 ".tsv.zst", "x/" HD1 ".tsv.zst", MANIFEST_E_SYNTAX, 3);
	refused("\t700\t0", "\t700\t", MANIFEST_E_SYNTAX, 3);
	refused("\t700\t", "\t0\t", MANIFEST_E_SYNTAX, 3);
	refused("\t700\t", "\t0700\t", MANIFEST_E_SYNTAX, 3);
	refused("\t700\t", "\t-700\t", MANIFEST_E_SYNTAX, 3);
	refused("\t101-200\t", "\t200-101\t", MANIFEST_E_SYNTAX, 3);
	refused("\t101-200\t", "\t101\t", MANIFEST_E_SYNTAX, 3);
	refused("\t101-200\t", "\t-200\t", MANIFEST_E_SYNTAX, 3);
	refused("\t101-200\t", "\t101-\t", MANIFEST_E_SYNTAX, 3);
	refused("\t101-200\t", "\t+101-200\t", MANIFEST_E_SYNTAX, 3);
	refused("\t101-200\t", "\t101-0200\t", MANIFEST_E_SYNTAX, 3);
	refused("\t101-200\t80\n", "\t101-200\t-1\n", MANIFEST_E_SYNTAX, 3);
	refused("\t101-200\t80\n", "\t101-200\n", MANIFEST_E_SYNTAX, 3);
	refused("\t101-200\t80\n", "\t101-200\t80\t1\n", MANIFEST_E_SYNTAX, 3);
	refused("\t101-200\t80\n", "\t101-200\t80\t\n", MANIFEST_E_SYNTAX, 3);
	refused("delta\t" HD1, "delta \t" HD1, MANIFEST_E_SYNTAX, 3);
}

static void test_bad_structure_is_refused(void **state)
{
	(void)state;
	refused("files=3", "files=2", MANIFEST_E_SYNTAX, 5);
	refused("files=3", "files=4", MANIFEST_E_SYNTAX, 5);
	refused("files=3", "files=03", MANIFEST_E_SYNTAX, 5);
	refused("#end\tfiles=3", "#end\trecords=3", MANIFEST_E_SYNTAX, 5);
	refused("#end\tfiles=3", "#end", MANIFEST_E_SYNTAX, 5);
	refused("#end\tfiles=3\n", "", MANIFEST_E_SYNTAX, 5);
	refused(LINE_D2 "#end\tfiles=3\n", "", MANIFEST_E_SYNTAX, 4);
	refused("files=3\n", "files=3", MANIFEST_E_SYNTAX, 5);
	refused("files=3\n", "files=3\n\n", MANIFEST_E_SYNTAX, 6);
	refused("files=3\n", "files=3\n" LINE_D2, MANIFEST_E_SYNTAX, 6);
	refused("files=3\n", "files=3\n#end\tfiles=3\n", MANIFEST_E_SYNTAX, 6);
	refused(LINE_S, LINE_S "\n", MANIFEST_E_SYNTAX, 3);
	refused(LINE_S, HEADER, MANIFEST_E_SYNTAX, 2);
	refused(HEADER, "", MANIFEST_E_SYNTAX, 1);
	refused(GOOD, "", MANIFEST_E_SYNTAX, 1);
	refused(GOOD, "\n", MANIFEST_E_SYNTAX, 1);
}

static void test_bad_bytes_are_refused(void **state)
{
	char text[sizeof GOOD];
	unsigned line;

	(void)state;
	refused("1700259200\n", "1700259200\r\n", MANIFEST_E_SYNTAX, 1);
	refused("files=3\n", "files=3\r\n", MANIFEST_E_SYNTAX, 5);
	refused("\t80\n", "\t8\x01\n", MANIFEST_E_SYNTAX, 3);
	refused("\t80\n", "\t8\x7f\n", MANIFEST_E_SYNTAX, 3);
	refused("isp-a", "isp-\xc3\xa9", MANIFEST_E_SYNTAX, 1);
	refused("\t80\n", "\t80\v\n", MANIFEST_E_SYNTAX, 3);
	/* A NUL, which a string-based test cannot hold. */
	memcpy(text, GOOD, sizeof GOOD);
	text[strlen(HEADER) + 3] = '\0';
	assert_int_equal(
	        parse_bytes(text, strlen(GOOD), &line), MANIFEST_E_SYNTAX);
	assert_int_equal(line, 2);
}

static void test_long_line_is_refused(void **state)
{
	char pad[MANIFEST_LINE_MAX + 2];

	(void)state;
	memset(pad, 'x', sizeof pad - 1);
	pad[0] = '\t';
	pad[sizeof pad - 1] = '\0';
	/* The delta line grows far past MANIFEST_LINE_MAX. */
	refused("\t80", pad, MANIFEST_E_SYNTAX, 3);
}

static void test_too_many_files_is_a_limit(void **state)
{
	struct manifest m;
	struct manifest_file f = mfile(FEED_DELTA, 99999, 1, 2);
	char *text, *more, line[FEED_NAME_MAX + 256];
	char *tail;
	size_t len, n;
	unsigned at;

	(void)state;
	big(&m, MANIFEST_FILES_MAX);
	assert_int_equal(manifest_format(&m, &text, &len), 0);
	/* One more file line before the trailer, and the count to match. */
	n = (size_t)snprintf(line, sizeof line, "delta\t%s\t1\t%s\t1-2\t2\n",
	        f.name, f.sha256);
	tail = strstr(text, "#end\t");
	assert_non_null(tail);
	more = malloc(len + n + 16);
	assert_non_null(more);
	memcpy(more, text, (size_t)(tail - text));
	sprintf(more + (tail - text), "%s#end\tfiles=%u\n", line,
	        MANIFEST_FILES_MAX + 1);
	assert_int_equal(
	        parse_bytes(more, strlen(more), &at), MANIFEST_E_LIMIT);
	assert_int_equal(at, MANIFEST_FILES_MAX + 2);
	free(more);
	free(text);
	manifest_free(&m);
}

static void test_too_many_bytes_is_a_limit(void **state)
{
	size_t len = MANIFEST_BYTES_MAX + 1;
	char *text = malloc(len);
	unsigned line = 999;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', len);
	memcpy(text, GOOD, strlen(GOOD));
	assert_int_equal(parse_bytes(text, len, &line), MANIFEST_E_LIMIT);
	assert_int_equal(line, 0);
	free(text);
}

/* ---- what the struct side refuses ---- */

/* format_err - manifest_format's answer; *text untouched on failure */
static int format_err(const struct manifest *m)
{
	char *text = (char *)"untouched";
	size_t len = 7;
	int rc = manifest_format(m, &text, &len);

	if (rc == 0)
		free(text);
	else
		assert_int_equal(len, 7);
	return rc;
}

static void test_format_refuses_what_parse_would(void **state)
{
	struct manifest m;
	struct manifest_file f;

	(void)state;
	sample(&m);
	m.file[2].kind = FEED_SNAPSHOT;
	assert_int_equal(format_err(&m), MANIFEST_E_INVAL);
	m.file[2] = m.file[1];
	assert_int_equal(format_err(&m), MANIFEST_E_INVAL);
	manifest_free(&m);
	sample(&m);
	m.valid_until = m.generated;
	assert_int_equal(format_err(&m), MANIFEST_E_INVAL);
	manifest_free(&m);
	sample(&m);
	m.epoch = 0;
	assert_int_equal(format_err(&m), MANIFEST_E_INVAL);
	manifest_free(&m);
	sample(&m);
	strcpy(m.publisher, "ISP A");
	assert_int_equal(format_err(&m), MANIFEST_E_INVAL);
	manifest_free(&m);
	sample(&m);
	m.file[0].name[0] = 'f';
	assert_int_equal(format_err(&m), MANIFEST_E_INVAL);
	manifest_free(&m);
	/* manifest_add checks the file alone. */
	mheader(&m, 1);
	f = mfile(FEED_DELTA, 1, 5, 4);
	assert_int_equal(manifest_add(&m, &f), MANIFEST_E_INVAL);
	f = mfile(3, 1, 4, 5);
	assert_int_equal(manifest_add(&m, &f), MANIFEST_E_INVAL);
	f = mfile(FEED_DELTA, 1, 4, 5);
	f.size = 0;
	assert_int_equal(manifest_add(&m, &f), MANIFEST_E_INVAL);
	f = mfile(FEED_DELTA, 1, 4, 5);
	f.sha256[3] = 'A';
	assert_int_equal(manifest_add(&m, &f), MANIFEST_E_INVAL);
	assert_int_equal(m.nfiles, 0);
	assert_null(m.file);
	assert_int_equal(manifest_add(NULL, &f), MANIFEST_E_INVAL);
	assert_int_equal(manifest_parse(NULL, 1, &m, NULL), MANIFEST_E_INVAL);
	assert_int_equal(manifest_parse(NULL, 0, &m, NULL), MANIFEST_E_SYNTAX);
	assert_int_equal(manifest_format(NULL, NULL, NULL), MANIFEST_E_INVAL);
}

/* ---- signing and verifying ---- */

/* written - the manifest and signature manifest_write put in t */
struct written {
	char *text, *sig;
	size_t len, sig_len;
};

static void write_read(const struct tdir *t, const struct manifest *m,
        const struct msign_seckey *sk, struct written *w)
{
	assert_int_equal(manifest_write(t->path, m, sk), 0);
	w->text = get_text(in_dir(t, MANIFEST_NAME), &w->len);
	w->sig = get_text(in_dir(t, MANIFEST_NAME MSIGN_SUFFIX), &w->sig_len);
}

static void written_free(struct written *w)
{
	free(w->text);
	free(w->sig);
}

/* verify - manifest_verify_parse of w with these keys; out untouched on
 * failure, freed on success */
static int verify(
        const struct written *w, const struct msign_pubkey *keys, size_t nkeys)
{
	struct manifest m, before;
	int rc;

	memset(&m, 0x5a, sizeof m);
	before = m;
	rc = manifest_verify_parse(
	        w->text, w->len, w->sig, w->sig_len, keys, nkeys, &m, NULL);
	if (rc != 0)
		assert_memory_equal(&m, &before, sizeof m);
	else
		manifest_free(&m);
	return rc;
}

static void test_written_manifest_verifies(void **state)
{
	struct msign_pubkey pk;
	struct msign_seckey *sk;
	struct msign_verified v;
	struct manifest m, back;
	struct written w;
	struct stat st;
	struct tdir t;
	DIR *d;
	struct dirent *e;
	unsigned line = 9, entries = 0;

	(void)state;
	tdir_make(&t);
	assert_int_equal(msign_keygen(&sk, &pk), 0);
	sample(&m);
	write_read(&t, &m, sk, &w);
	assert_string_equal(w.text, GOOD);
	assert_int_equal(manifest_verify_parse(w.text, w.len, w.sig, w.sig_len,
	                         &pk, 1, &back, &line),
	        0);
	assert_int_equal(line, 0);
	same_manifest(&m, &back);
	assert_int_equal(
	        msign_verify_buf(&pk, 1, w.text, w.len, w.sig, w.sig_len, &v),
	        0);
	assert_string_equal(v.trusted_comment,
	        "timestamp:1700000000\tfile:manifest\tpublisher:isp-a"
	        "\tepoch:3\tserial:42");
	assert_int_equal(stat(in_dir(&t, MANIFEST_NAME), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(stat(in_dir(&t, MANIFEST_NAME MSIGN_SUFFIX), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* A second publish replaces both; no temporary file is left. */
	written_free(&w);
	m.serial++;
	write_read(&t, &m, sk, &w);
	assert_int_equal(verify(&w, &pk, 1), 0);
	assert_non_null(d = opendir(t.path));
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			entries++;
		else
			assert_true(strcmp(e->d_name, ".") == 0 ||
			            strcmp(e->d_name, "..") == 0);
	closedir(d);
	assert_int_equal(entries, 2);
	written_free(&w);
	manifest_free(&back);
	manifest_free(&m);
	msign_seckey_free(sk);
	tdir_remove(&t);
}

static void test_flipped_bit_in_text_fails(void **state)
{
	struct msign_pubkey pk;
	struct msign_seckey *sk;
	struct manifest m;
	struct written w;
	struct tdir t;

	(void)state;
	tdir_make(&t);
	assert_int_equal(msign_keygen(&sk, &pk), 0);
	sample(&m);
	write_read(&t, &m, sk, &w);
	w.text[strstr(w.text, "serial=42") - w.text + 7] ^= 1; /* 42 -> 52 */
	assert_int_equal(verify(&w, &pk, 1), MANIFEST_E_SIGNATURE);
	w.text[strstr(w.text, "serial=52") - w.text + 7] ^= 1;
	assert_int_equal(verify(&w, &pk, 1), 0);
	w.len--; /* the trailer's LF cut off */
	assert_int_equal(verify(&w, &pk, 1), MANIFEST_E_SIGNATURE);
	written_free(&w);
	manifest_free(&m);
	msign_seckey_free(sk);
	tdir_remove(&t);
}

/* nth_line - where line n (0-based) of text starts */
static char *nth_line(char *text, unsigned n)
{
	while (n-- > 0) {
		text = strchr(text, '\n');
		assert_non_null(text);
		text++;
	}
	return text;
}

/* other_b64 - another base64 character than c */
static char other_b64(char c)
{
	return c == 'A' ? 'B' : 'A';
}

static void test_flipped_bit_in_signature_fails(void **state)
{
	struct msign_pubkey pk;
	struct msign_seckey *sk;
	struct manifest m;
	struct written w;
	struct tdir t;
	char *p, keep;

	(void)state;
	tdir_make(&t);
	assert_int_equal(msign_keygen(&sk, &pk), 0);
	sample(&m);
	write_read(&t, &m, sk, &w);
	/* The signature over the content (after the key id). */
	p = nth_line(w.sig, 1) + 20;
	keep = *p;
	*p = other_b64(keep);
	assert_int_equal(verify(&w, &pk, 1), MANIFEST_E_SIGNATURE);
	*p = keep;
	/* The trusted comment. */
	p = strstr(w.sig, "serial:42") + 7;
	*p ^= 1;
	assert_int_equal(verify(&w, &pk, 1), MANIFEST_E_SIGNATURE);
	*p ^= 1;
	/* The global signature over the trusted comment. */
	p = nth_line(w.sig, 3) + 10;
	keep = *p;
	*p = other_b64(keep);
	assert_int_equal(verify(&w, &pk, 1), MANIFEST_E_SIGNATURE);
	*p = keep;
	/* Not a signature file at all. */
	p = nth_line(w.sig, 1);
	*p = '*';
	assert_int_equal(verify(&w, &pk, 1), MANIFEST_E_SIGNATURE);
	written_free(&w);
	manifest_free(&m);
	msign_seckey_free(sk);
	tdir_remove(&t);
}

static void test_other_key_fails_with_key_error(void **state)
{
	struct msign_pubkey pk, other;
	struct msign_seckey *sk, *sk2;
	struct manifest m;
	struct written w;
	struct tdir t;

	(void)state;
	tdir_make(&t);
	assert_int_equal(msign_keygen(&sk, &pk), 0);
	assert_int_equal(msign_keygen(&sk2, &other), 0);
	sample(&m);
	write_read(&t, &m, sk, &w);
	assert_int_equal(verify(&w, &other, 1), MANIFEST_E_KEY);
	/* The same key id with another public key: a bad signature. */
	memcpy(other.keyid, pk.keyid, sizeof other.keyid);
	assert_int_equal(verify(&w, &other, 1), MANIFEST_E_SIGNATURE);
	written_free(&w);
	manifest_free(&m);
	msign_seckey_free(sk);
	msign_seckey_free(sk2);
	tdir_remove(&t);
}

static void test_either_of_two_pinned_keys_verifies(void **state)
{
	struct msign_pubkey keys[2], swapped[2], three[3];
	struct msign_seckey *sk[2];
	struct manifest m;
	struct written w;
	struct tdir t;
	int k;

	(void)state;
	tdir_make(&t);
	assert_int_equal(msign_keygen(&sk[0], &keys[0]), 0);
	assert_int_equal(msign_keygen(&sk[1], &keys[1]), 0);
	swapped[0] = keys[1];
	swapped[1] = keys[0];
	sample(&m);
	for (k = 0; k < 2; k++) {
		write_read(&t, &m, sk[k], &w);
		assert_int_equal(verify(&w, keys, 2), 0);
		assert_int_equal(verify(&w, swapped, 2), 0);
		assert_int_equal(verify(&w, &keys[1 - k], 1), MANIFEST_E_KEY);
		written_free(&w);
	}
	/* One to MSIGN_PINNED_MAX keys. */
	write_read(&t, &m, sk[0], &w);
	three[0] = keys[0], three[1] = keys[1], three[2] = keys[1];
	assert_int_equal(verify(&w, three, 3), MANIFEST_E_INVAL);
	assert_int_equal(verify(&w, keys, 0), MANIFEST_E_INVAL);
	written_free(&w);
	manifest_free(&m);
	msign_seckey_free(sk[0]);
	msign_seckey_free(sk[1]);
	tdir_remove(&t);
}

static void test_signature_is_checked_before_the_text(void **state)
{
	static const char junk[] = "#repmanifest\tversion=1\tjunk\n";
	struct msign_pubkey pk, other;
	struct msign_seckey *sk, *sk2;
	struct written w;
	unsigned line = 9;
	struct manifest m;

	(void)state;
	assert_int_equal(msign_keygen(&sk, &pk), 0);
	assert_int_equal(msign_keygen(&sk2, &other), 0);
	w.text = strdup(junk);
	w.len = strlen(junk);
	assert_int_equal(
	        msign_sign_buf(sk, w.text, w.len, "t", &w.sig, &w.sig_len), 0);
	assert_int_equal(verify(&w, &other, 1), MANIFEST_E_KEY);
	assert_int_equal(manifest_verify_parse(w.text, w.len, w.sig, w.sig_len,
	                         &pk, 1, &m, &line),
	        MANIFEST_E_SYNTAX);
	assert_int_equal(line, 1);
	written_free(&w);
	msign_seckey_free(sk);
	msign_seckey_free(sk2);
}

static void test_write_refuses_bad_manifest_and_writes_nothing(void **state)
{
	struct msign_pubkey pk;
	struct msign_seckey *sk;
	struct manifest m;
	struct tdir t;
	char longdir[PATH_MAX + 16];

	(void)state;
	tdir_make(&t);
	assert_int_equal(msign_keygen(&sk, &pk), 0);
	sample(&m);
	m.serial = 0;
	assert_int_equal(manifest_write(t.path, &m, sk), MANIFEST_E_INVAL);
	assert_int_equal(access(in_dir(&t, MANIFEST_NAME), F_OK), -1);
	assert_int_equal(
	        access(in_dir(&t, MANIFEST_NAME MSIGN_SUFFIX), F_OK), -1);
	m.serial = 1;
	assert_int_equal(
	        manifest_write(in_dir(&t, "missing"), &m, sk), MANIFEST_E_IO);
	assert_int_equal(errno, ENOENT);
	memset(longdir, 'd', sizeof longdir - 1);
	longdir[sizeof longdir - 1] = '\0';
	assert_int_equal(manifest_write(longdir, &m, sk), MANIFEST_E_IO);
	assert_int_equal(manifest_write(t.path, &m, NULL), MANIFEST_E_INVAL);
	manifest_free(&m);
	msign_seckey_free(sk);
	tdir_remove(&t);
}

static void test_minisign_verifies_written_manifest(void **state)
{
	struct msign_pubkey pk;
	struct msign_seckey *sk;
	struct manifest m;
	struct tdir t;
	char cmd[1024], b64[MSIGN_PUBKEY_TEXT];
	FILE *f;
	int rc;

	(void)state;
	if (minisign_path() == NULL) {
		print_message("# minisign not installed: interop with "
		              "minisign -V not checked\n");
		return;
	}
	tdir_make(&t);
	assert_int_equal(msign_keygen(&sk, &pk), 0);
	sample(&m);
	assert_int_equal(manifest_write(t.path, &m, sk), 0);
	msign_pubkey_format(&pk, b64);
	snprintf(cmd, sizeof cmd, "%s -Vm %s -P %s </dev/null >/dev/null 2>&1",
	        minisign_path(), in_dir(&t, MANIFEST_NAME), b64);
	rc = system(cmd);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
	/* It refuses a changed manifest. */
	f = fopen(in_dir(&t, MANIFEST_NAME), "ab");
	assert_non_null(f);
	fputs("x", f);
	fclose(f);
	rc = system(cmd);
	assert_true(WIFEXITED(rc));
	assert_int_not_equal(WEXITSTATUS(rc), 0);
	manifest_free(&m);
	msign_seckey_free(sk);
	tdir_remove(&t);
}

static void test_every_error_has_a_text(void **state)
{
	int e;

	(void)state;
	for (e = MANIFEST_OK; e >= MANIFEST_E_GAP; e--)
		assert_string_not_equal(manifest_strerror(e), "unknown error");
	assert_string_equal(
	        manifest_strerror(MANIFEST_E_GAP - 1), "unknown error");
	assert_string_equal(manifest_strerror(1), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_manifest_round_trips),
	        cmocka_unit_test(test_text_is_the_documented_format),
	        cmocka_unit_test(test_text_need_not_end_in_nul),
	        cmocka_unit_test(test_empty_manifest_round_trips),
	        cmocka_unit_test(test_largest_manifest_round_trips),
	        cmocka_unit_test(test_bad_header_is_refused),
	        cmocka_unit_test(test_bad_file_line_is_refused),
	        cmocka_unit_test(test_bad_structure_is_refused),
	        cmocka_unit_test(test_bad_bytes_are_refused),
	        cmocka_unit_test(test_long_line_is_refused),
	        cmocka_unit_test(test_too_many_files_is_a_limit),
	        cmocka_unit_test(test_too_many_bytes_is_a_limit),
	        cmocka_unit_test(test_format_refuses_what_parse_would),
	        cmocka_unit_test(test_written_manifest_verifies),
	        cmocka_unit_test(test_flipped_bit_in_text_fails),
	        cmocka_unit_test(test_flipped_bit_in_signature_fails),
	        cmocka_unit_test(test_other_key_fails_with_key_error),
	        cmocka_unit_test(test_either_of_two_pinned_keys_verifies),
	        cmocka_unit_test(test_signature_is_checked_before_the_text),
	        cmocka_unit_test(
	                test_write_refuses_bad_manifest_and_writes_nothing),
	        cmocka_unit_test(test_minisign_verifies_written_manifest),
	        cmocka_unit_test(test_plan_nothing_to_do),
	        cmocka_unit_test(test_plan_deltas_continue_the_watermark),
	        cmocka_unit_test(test_plan_skips_deltas_already_applied),
	        cmocka_unit_test(test_plan_takes_fewest_overlapping_deltas),
	        cmocka_unit_test(test_plan_gap_takes_the_snapshot),
	        cmocka_unit_test(test_plan_new_epoch_takes_the_snapshot),
	        cmocka_unit_test(
	                test_plan_from_nothing_is_snapshot_then_deltas),
	        cmocka_unit_test(test_plan_gap_without_snapshot_fails),
	        cmocka_unit_test(test_plan_of_largest_manifest),
	        cmocka_unit_test(test_every_error_has_a_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
