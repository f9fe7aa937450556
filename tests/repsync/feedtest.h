/*
 * feedtest.h - what the feed tests share (test_feed.c, test_feed_text.c):
 * a temporary directory per test, files written and read whole, texts
 * compressed as a partner's tool would, a seeded generator of valid
 * records, and the expected-failure check that reports line and field.
 */
#ifndef REPSYNC_FEEDTEST_H
#define REPSYNC_FEEDTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <zstd.h>

#include "feed.h"
#include "reputation.h"

#define GEN 1700000000 /* `generated` of every test feed */

#define HDR_KEYS                                                               \
	"\tfields=subject,op,category,confidence,ttl,first_seen,active,seq,"   \
	"hits,reason\n"
/* A delta header: seq 100-200, generated GEN. */
#define HDR                                                                    \
	"#repfeed\tversion=1\tkind=delta\tpublisher=isp-a\tepoch=7"            \
	"\tseq=100-200\tgenerated=1700000000" HDR_KEYS
/* first_seen 1699990000, last_seen 1700000000, expires 1700600000 */
#define REC "192.0.2.1\tlist\tspam\t90\t600000\t1699990000\t10000\t150\t12\t3\n"
#define END1 "#end\trecords=1\n"

struct tdir {
	char path[128];
	char file[256];
};

/* tdir_make - a fresh temporary directory */
static inline void tdir_make(struct tdir *t)
{
	const char *base = getenv("TMPDIR");

	snprintf(t->path, sizeof t->path, "%s/feedtest.XXXXXX",
	        base ? base : "/tmp");
	assert_non_null(mkdtemp(t->path));
	snprintf(t->file, sizeof t->file, "%s/raw.zst", t->path);
}

/* tdir_count - files in the directory */
static inline int tdir_count(struct tdir *t)
{
	DIR *d = opendir(t->path);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 &&
		     strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* tdir_remove - remove every file, then the directory */
static inline void tdir_remove(struct tdir *t)
{
	char p[512];
	DIR *d = opendir(t->path);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		snprintf(p, sizeof p, "%s/%s", t->path, e->d_name);
		if (e->d_name[0] != '.' || strlen(e->d_name) > 2)
			unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(t->path);
}

/* put_file - write bytes to a new file (unlinked first: ext4 flushes a
 * file truncated over its data, which made rewriting slow) */
static inline void put_file(const char *path, const void *buf, size_t len)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* get_file - a whole file, malloc'd */
static inline unsigned char *get_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* put_zst - compress text as a partner's tool would, into path */
static inline void put_zst(const char *path, const char *text, size_t len)
{
	size_t cap = ZSTD_compressBound(len), n;
	void *buf = malloc(cap);

	assert_non_null(buf);
	n = ZSTD_compress(buf, cap, text, len, 3);
	assert_false(ZSTD_isError(n));
	put_file(path, buf, n);
	free(buf);
}

/* unzstd - the decompressed content of a feed file */
static inline char *unzstd(const char *path, size_t *len)
{
	size_t n, cap = 1 << 20, used = 0;
	unsigned char *in = get_file(path, &n);
	char *out = malloc(cap);
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer ib = {in, n, 0};

	while (ib.pos < ib.size) {
		ZSTD_outBuffer ob;
		if (cap - used < 65536)
			out = realloc(out, cap *= 2);
		ob = (ZSTD_outBuffer){out + used, cap - used, 0};
		assert_false(ZSTD_isError(ZSTD_decompressStream(d, &ob, &ib)));
		used += ob.pos;
	}
	ZSTD_freeDCtx(d);
	free(in);
	*len = used;
	return out;
}

/* read_result - how reading a whole file ended */
struct read_result {
	int rc;
	uint64_t records, line;
	unsigned field;
};

/* read_path - read a feed to its end or first error */
static inline struct read_result read_path(
        const char *path, const struct feed_limits *lim)
{
	struct read_result res = {0, 0, 0, 0};
	struct feed_reader *r;
	struct feed_record rec;

	assert_int_equal(feed_reader_open(path, lim, &r), 0);
	while ((res.rc = feed_reader_next(r, &rec)) == 1)
		res.records++;
	feed_reader_where(r, &res.line, &res.field);
	/* Errors are sticky: asking again gives the same answer. */
	assert_int_equal(feed_reader_next(r, &rec), res.rc);
	feed_reader_close(r);
	return res;
}

/* expect_text - a feed of this text fails (or ends, err 0) as told */
#define expect_text(text, err, line, field)                                    \
	expect_text_at(text, strlen(text), err, line, field, __LINE__)

static inline void expect_text_at(const char *text, size_t len, int err,
        uint64_t line, unsigned field, int at)
{
	struct tdir t;
	struct read_result res;

	tdir_make(&t);
	put_zst(t.file, text, len);
	res = read_path(t.file, NULL);
	tdir_remove(&t);
	if (res.rc != err || res.line != line || res.field != field)
		fail_msg("line %d: got %d (%s) at line %llu field %u, want %d "
		         "(%s) at line %llu field %u",
		        at, res.rc, feed_strerror(res.rc),
		        (unsigned long long)res.line, res.field, err,
		        feed_strerror(err), (unsigned long long)line, field);
}

/* header - a header for written feeds */
static inline struct feed_header header(int kind, uint64_t lo, uint64_t hi)
{
	struct feed_header h;

	memset(&h, 0, sizeof h);
	h.kind = (uint8_t)kind;
	snprintf(h.publisher, sizeof h.publisher, "isp-a");
	h.epoch = 7;
	h.seq_lo = lo;
	h.seq_hi = hi;
	h.generated = GEN;
	return h;
}

/* rnd_seed - restart the generator (xorshift64*), so that a failure
 * can be replayed and records regenerated to compare */
static uint64_t rnd_state;
static inline void rnd_seed(uint64_t seed)
{
	rnd_state = seed;
}

/* rnd - the generator's next number */
static inline uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

/* rnd_subject_text - a random subject's text: addresses and prefixes of
 * both families, names of every scope, authenticated and IDN names */
static inline void rnd_subject_text(char *buf, size_t len)
{
	static const char *const scope[] = {"", ".", "*.", "auth:"};
	uint8_t a[16];
	char ip[INET6_ADDRSTRLEN];
	unsigned k = (unsigned)(rnd() % 10), plen;
	uint64_t r = rnd();

	memcpy(a, &r, 8);
	r = rnd();
	memcpy(a + 8, &r, 8);
	if (k < 4) {
		uint32_t v = (uint32_t)rnd();
		plen = k == 0 ? 8 + (unsigned)(rnd() % 24) : 32;
		v = (v & 0xffffff) | (1 + (v >> 24) % 223) << 24;
		v &= plen == 32 ? 0xffffffffu : ~(0xffffffffu >> plen);
		v = htonl(v);
		memcpy(a, &v, 4);
		inet_ntop(AF_INET, a, ip, sizeof ip);
		snprintf(buf, len, plen == 32 ? "%s" : "%s/%u", ip, plen);
	} else if (k < 6) {
		plen = k == 4 ? 64 : 128;
		a[0] = 0x20;
		if (plen == 64)
			memset(a + 8, 0, 8);
		inet_ntop(AF_INET6, a, ip, sizeof ip);
		snprintf(buf, len, plen == 128 ? "%s" : "%s/%u", ip, plen);
	} else if (k < 9) {
		snprintf(buf, len, "%sh%llx.example%u.com", scope[rnd() % 4],
		        (unsigned long long)(rnd() & 0xffffff),
		        (unsigned)(rnd() % 100));
	} else {
		snprintf(buf, len, "m\xc3\xbcnchen-%u.de",
		        (unsigned)(rnd() % 999));
	}
}

/* rnd_record - a random valid record with seq in [lo, hi] */
static inline struct feed_record rnd_record(uint64_t lo, uint64_t hi)
{
	struct feed_record r;
	char text[REP_SUBJECT_TEXT_MAX];

	memset(&r, 0, sizeof r);
	rnd_subject_text(text, sizeof text);
	if (rep_subject_parse(text, &r.subject) != 0)
		fail_msg("test subject %s does not parse", text);
	r.op = (uint8_t)(1 + rnd() % 3);
	r.category = (uint8_t)(1 + rnd() % REP_CAT_MAX);
	r.confidence = (uint8_t)(rnd() % 101);
	r.reason = (uint16_t)rnd();
	r.first_seen = GEN - (int64_t)(rnd() % (365 * 86400));
	r.last_seen =
	        r.first_seen + (int64_t)(rnd() % (GEN - r.first_seen + 1));
	switch (rnd() % 8) {
	case 0:
	case 1:
		r.expires = 0; /* never: ttl "-" */
		break;
	case 2:
		r.expires = r.last_seen; /* ttl 0 */
		break;
	default:
		r.expires = r.last_seen + (int64_t)(rnd() % 1000000);
	}
	r.hits = rnd() % 8 == 0 ? UINT32_MAX : (uint32_t)rnd();
	r.seq = lo + rnd() % (hi - lo + 1);
	return r;
}

/* same_record - compare field by field */
static inline void same_record(
        const struct feed_record *a, const struct feed_record *b)
{
	assert_int_equal(rep_subject_cmp(&a->subject, &b->subject), 0);
	assert_int_equal(a->op, b->op);
	assert_int_equal(a->category, b->category);
	assert_int_equal(a->confidence, b->confidence);
	assert_int_equal(a->reason, b->reason);
	assert_int_equal(a->first_seen, b->first_seen);
	assert_int_equal(a->last_seen, b->last_seen);
	assert_int_equal(a->expires, b->expires);
	assert_int_equal(a->hits, b->hits);
	assert_int_equal(a->seq, b->seq);
}

/* write_feed - write n random records (seed given) and finish */
static inline struct feed_file write_feed(
        struct tdir *t, const struct feed_header *h, size_t n, uint64_t seed)
{
	struct feed_writer *w;
	struct feed_file f;
	size_t i;

	rnd_seed(seed);
	assert_int_equal(feed_writer_open(t->path, h, NULL, &w), 0);
	for (i = 0; i < n; i++) {
		struct feed_record r = rnd_record(h->seq_lo, h->seq_hi);
		assert_int_equal(feed_write(w, &r), 0);
	}
	assert_int_equal(feed_writer_finish(w, &f), 0);
	feed_writer_free(w);
	snprintf(t->file, sizeof t->file, "%s/%s", t->path, f.name);
	return f;
}

/* round_trip - write n random records, read them back, compare all */
static inline void round_trip(const struct feed_header *h, size_t n)
{
	struct tdir t;
	struct feed_file f;
	struct feed_reader *r;
	struct feed_header got;
	struct feed_record rec;
	char hex[FEED_HASH_HEX];
	size_t i;

	tdir_make(&t);
	f = write_feed(&t, h, n, 42);
	assert_int_equal(f.records, n);
	assert_int_equal(tdir_count(&t), 1); /* no temporary file left */
	assert_int_equal(feed_reader_open(t.file, NULL, &r), 0);
	assert_int_equal(feed_reader_header(r, &got), 0);
	assert_int_equal(got.version, FEED_VERSION);
	assert_int_equal(got.kind, h->kind);
	assert_string_equal(got.publisher, h->publisher);
	assert_int_equal(got.epoch, h->epoch);
	assert_int_equal(got.seq_lo, h->seq_lo);
	assert_int_equal(got.seq_hi, h->seq_hi);
	assert_int_equal(got.generated, h->generated);
	rnd_seed(42);
	for (i = 0; i < n; i++) {
		struct feed_record want = rnd_record(h->seq_lo, h->seq_hi);
		assert_int_equal(feed_reader_next(r, &rec), 1);
		same_record(&rec, &want);
	}
	assert_int_equal(feed_reader_next(r, &rec), 0);
	assert_int_equal(feed_reader_next(r, &rec), 0);
	feed_reader_sha256(r, hex);
	assert_string_equal(hex, f.sha256);
	assert_memory_equal(f.name, hex, 64);
	assert_string_equal(f.name + 64, FEED_SUFFIX);
	feed_reader_close(r);
	tdir_remove(&t);
}

/* Tests of test_feed_text.c, run by test_feed.c's main. */
void test_valid_text_is_read(void **state);
void test_bad_header_is_refused_on_line_1(void **state);
void test_newer_version_is_refused_as_such(void **state);
void test_bad_subject_is_refused_with_line_and_field(void **state);
void test_bad_field_is_refused_with_line_and_field(void **state);
void test_bad_line_is_refused_with_its_number(void **state);
void test_bad_trailer_is_refused_with_its_line(void **state);
void test_feed_cut_between_lines_is_truncated(void **state);
void test_plain_text_is_not_a_feed(void **state);
void test_mail_address_cannot_be_written_as_subject(void **state);
void test_malformed_subject_struct_cannot_be_written(void **state);
void test_every_written_line_holds_only_schema_fields(void **state);
void test_writer_refuses_bad_values_and_stays_usable(void **state);
void test_writer_open_refuses_bad_header_and_options(void **state);
void test_unfinished_feed_leaves_no_file(void **state);
void test_every_error_has_a_text(void **state);
void test_time_offsets_give_absolute_times(void **state);
void test_time_offsets_out_of_range_are_refused(void **state);
void test_ttl_0_and_never_are_distinct(void **state);
void test_partner_awk_script_writes_the_same_lines(void **state);

#endif /* REPSYNC_FEEDTEST_H */
