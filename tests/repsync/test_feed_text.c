/*
 * test_feed_text.c - the feed's text, line by line: every validation
 * failure with its line and field, and the schema rule that nothing but
 * an address, prefix or domain and typed numbers can be written. Run by
 * test_feed.c's main.
 */
#include "feedtest.h"

/* ---- validation: every failure with its line and field ---- */

void test_valid_text_is_read(void **state)
{
	(void)state;
	expect_text(HDR REC END1, 0, 3, 0);
	expect_text(HDR "#end\trecords=0\n", 0, 2, 0);
}

void test_bad_header_is_refused_on_line_1(void **state)
{
	(void)state;
	expect_text("", FEED_E_TRUNCATED, 1, 0);
	expect_text("hello\n", FEED_E_HEADER, 1, 1);
	expect_text("#repfeed\n", FEED_E_HEADER, 1, 0);
	expect_text("#repfeed\tversion=0\tkind=delta\n", FEED_E_HEADER, 1, 2);
	expect_text("#repfeed\tversion=01\tkind=delta\n", FEED_E_HEADER, 1, 2);
	expect_text("#repfeed\tversion=1\tkind=delta\n", FEED_E_HEADER, 1, 0);
	expect_text("#repfeed\tversion=1\tkind=full\tpublisher=isp-a\tepoch=7"
	            "\tseq=100-200\tgenerated=1700000000" HDR_KEYS,
	        FEED_E_HEADER, 1, 3);
	expect_text("#repfeed\tversion=1\tkind=delta\tpublisher=ISP_A\tepoch=7"
	            "\tseq=100-200\tgenerated=1700000000" HDR_KEYS,
	        FEED_E_HEADER, 1, 4);
	expect_text("#repfeed\tversion=1\tkind=delta\tpublisher=isp-a\tepoch=x"
	            "\tseq=100-200\tgenerated=1700000000" HDR_KEYS,
	        FEED_E_HEADER, 1, 5);
	expect_text("#repfeed\tversion=1\tkind=delta\tpublisher=isp-a\tepoch=7"
	            "\tseq=200-100\tgenerated=1700000000" HDR_KEYS,
	        FEED_E_HEADER, 1, 6);
	expect_text("#repfeed\tversion=1\tkind=delta\tpublisher=isp-a\tepoch=7"
	            "\tseq=100-200\tgenerated=17" HDR_KEYS,
	        FEED_E_HEADER, 1, 7);
	expect_text("#repfeed\tversion=1\tkind=delta\tpublisher=isp-a\tepoch=7"
	            "\tseq=100-200\tgenerated=1700000000\tfields=subject,op\n",
	        FEED_E_HEADER, 1, 8);
	expect_text("#repfeed\tversion=1\tkind=delta\tpublisher=isp-a\tepoch=7"
	            "\tseq=100-200\tgenerated=1700000000\tx=1" HDR_KEYS,
	        FEED_E_HEADER, 1, 0);
}

void test_newer_version_is_refused_as_such(void **state)
{
	(void)state;
	expect_text("#repfeed\tversion=2\tkind=delta\tpublisher=isp-a\tepoch=7"
	            "\tseq=100-200\tgenerated=1700000000" HDR_KEYS REC END1,
	        FEED_E_VERSION, 1, 2);
	/* Whatever a newer format's header holds after its version. */
	expect_text("#repfeed\tversion=3\tcolumns=whatever\n", FEED_E_VERSION,
	        1, 2);
	expect_text("#repfeed\tversion=3\n", FEED_E_VERSION, 1, 2);
}

void test_bad_subject_is_refused_with_line_and_field(void **state)
{
	static const char *const bad[] = {
	        "Example.com",
	        "example.com.",
	        "192.0.2.1/24",
	        "::ffff:192.0.2.1",
	        "192.0.2.01",
	        "user@example.com",
	        "auth:Example.com",
	        "2001:DB8::1",
	        "2001:0db8::1",
	        "",
	        "xn--zz.com",
	};
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text,
		        HDR REC "%s\tlist\tspam\t90\t600000\t1699990000"
		                "\t10000\t150\t12\t3\n#end\trecords=2\n",
		        bad[i]);
		expect_text(text, FEED_E_SUBJECT, 3, 1);
	}
}

/* expect_record - a feed whose second record is `line` fails as told */
#define expect_record(line, err, field)                                        \
	expect_record_at(line, err, field, __LINE__)

static void expect_record_at(const char *line, int err, unsigned field, int at)
{
	char text[8192];
	int n = snprintf(
	        text, sizeof text, HDR REC "%s\n#end\trecords=2\n", line);

	assert_true(n > 0 && (size_t)n < sizeof text);
	expect_text_at(text, (size_t)n, err, 3, field, at);
}

void test_bad_field_is_refused_with_line_and_field(void **state)
{
	(void)state;
	/* subject op category confidence ttl first_seen active seq hits
	 * reason */
	expect_record("192.0.2.2\tblock\tspam\t90\t-\t1699990000\t10000"
	              "\t150\t12\t3",
	        FEED_E_OP, 2);
	expect_record("192.0.2.2\tlist\tSPAM\t90\t-\t1699990000\t10000"
	              "\t150\t12\t3",
	        FEED_E_CATEGORY, 3);
	expect_record("192.0.2.2\tlist\tspam\t101\t-\t1699990000\t10000"
	              "\t150\t12\t3",
	        FEED_E_RANGE, 4);
	expect_record("192.0.2.2\tlist\tspam\t090\t-\t1699990000\t10000"
	              "\t150\t12\t3",
	        FEED_E_NUMBER, 4);
	expect_record("192.0.2.2\tlist\tspam\t-1\t-\t1699990000\t10000"
	              "\t150\t12\t3",
	        FEED_E_NUMBER, 4);
	expect_record("192.0.2.2\tlist\tspam\t+9\t-\t1699990000\t10000"
	              "\t150\t12\t3",
	        FEED_E_NUMBER, 4);
	expect_record("192.0.2.2\tlist\tspam\t9\t-\t9466848\t10000"
	              "\t150\t12\t3",
	        FEED_E_TIME, 6);
	/* last_seen = first_seen + active, one second past generated +
	 * FEED_CLOCK_SKEW: reported in active's column */
	expect_record("192.0.2.2\tlist\tspam\t9\t-\t1699990000\t96401"
	              "\t150\t12\t3",
	        FEED_E_TIME, 7);
	/* No negative offset: last_seen before first_seen, expires before
	 * last_seen cannot be written. */
	expect_record("192.0.2.2\tlist\tspam\t9\t-\t1699990000\t-1"
	              "\t150\t12\t3",
	        FEED_E_NUMBER, 7);
	expect_record("192.0.2.2\tlist\tspam\t9\t-1\t1699990000\t10000"
	              "\t150\t12\t3",
	        FEED_E_NUMBER, 5);
	/* expires = 1700000000 + 2402444801 = FEED_TIME_MAX + 1 */
	expect_record("192.0.2.2\tlist\tspam\t9\t2402444801\t1699990000"
	              "\t10000\t150\t12\t3",
	        FEED_E_TIME, 5);
	expect_record("192.0.2.2\tlist\tspam\t9\t-\t1699990000\t10000"
	              "\t150\t4294967296\t3",
	        FEED_E_RANGE, 9);
	expect_record("192.0.2.2\tlist\tspam\t9\t-\t1699990000\t10000"
	              "\t150\t1\t65536",
	        FEED_E_RANGE, 10);
	expect_record("192.0.2.2\tlist\tspam\t9\t-\t1699990000\t10000"
	              "\t99\t1\t1",
	        FEED_E_SEQ, 8);
	expect_record("192.0.2.2\tlist\tspam\t9\t-\t1699990000\t10000"
	              "\t201\t1\t1",
	        FEED_E_SEQ, 8);
	expect_record("192.0.2.2\tlist\tspam\t9\t-\t1699990000\t10000"
	              "\t18446744073709551616\t1\t1",
	        FEED_E_RANGE, 8);
	expect_record("192.0.2.2\tlist\tspam\t9\t-\t1699990000\t10000"
	              "\t1e3\t1\t1",
	        FEED_E_NUMBER, 8);
}

/* read_one - the single record of a feed of this text; fails the test
 * unless the feed reads whole */
static struct feed_record read_one(const char *text)
{
	struct feed_record rec, extra;
	struct feed_reader *r;
	struct tdir t;

	tdir_make(&t);
	put_zst(t.file, text, strlen(text));
	assert_int_equal(feed_reader_open(t.file, NULL, &r), 0);
	assert_int_equal(feed_reader_next(r, &rec), 1);
	assert_int_equal(feed_reader_next(r, &extra), 0);
	feed_reader_close(r);
	tdir_remove(&t);
	return rec;
}

/* A delta header generated at FEED_TIME_MAX, the latest the format
 * knows, so that only FEED_TIME_MAX bounds a sum of offsets. */
#define HDR_LATE                                                               \
	"#repfeed\tversion=1\tkind=delta\tpublisher=isp-a\tepoch=7"            \
	"\tseq=100-200\tgenerated=4102444800" HDR_KEYS

void test_time_offsets_give_absolute_times(void **state)
{
	struct feed_record r;

	(void)state;
	r = read_one(HDR REC END1);
	assert_int_equal(r.first_seen, 1699990000);
	assert_int_equal(r.last_seen, 1700000000);
	assert_int_equal(r.expires, 1700600000);
	/* ttl "-": never; ttl 0: expires when last seen; active 0 */
	r = read_one(HDR "192.0.2.1\tlist\tspam\t90\t-\t1699990000\t0"
	                 "\t150\t12\t3\n" END1);
	assert_int_equal(r.last_seen, 1699990000);
	assert_int_equal(r.expires, 0);
	r = read_one(HDR "192.0.2.1\tlist\tspam\t90\t0\t1699990000\t10"
	                 "\t150\t12\t3\n" END1);
	assert_int_equal(r.last_seen, 1699990010);
	assert_int_equal(r.expires, 1699990010);
	/* last_seen at generated + FEED_CLOCK_SKEW exactly */
	r = read_one(HDR "192.0.2.1\tlist\tspam\t90\t-\t1699990000\t96400"
	                 "\t150\t12\t3\n" END1);
	assert_int_equal(r.last_seen, 1700086400);
	/* expires at FEED_TIME_MAX exactly */
	r = read_one(HDR "192.0.2.1\tlist\tspam\t90\t2402444800\t1699990000"
	                 "\t10000\t150\t12\t3\n" END1);
	assert_int_equal(r.expires, FEED_TIME_MAX);
	/* the longest span: from FEED_TIME_MIN to FEED_TIME_MAX */
	r = read_one(HDR_LATE "192.0.2.1\tlist\tspam\t90\t0\t946684800"
	                      "\t3155760000\t150\t12\t3\n" END1);
	assert_int_equal(r.first_seen, FEED_TIME_MIN);
	assert_int_equal(r.last_seen, FEED_TIME_MAX);
	assert_int_equal(r.expires, FEED_TIME_MAX);
}

void test_time_offsets_out_of_range_are_refused(void **state)
{
	static const char *const not_a_ttl[] = {
	        "--",
	        "-0",
	        "-1",
	        "",
	        "0-",
	        "never",
	        "+0",
	        "00",
	        " -",
	};
	char line[256];
	size_t i;

	(void)state;
	/* first_seen + active beyond FEED_TIME_MAX, however near */
	expect_text(HDR_LATE "192.0.2.1\tlist\tspam\t90\t-\t4102444000"
	                     "\t801\t150\t12\t3\n" END1,
	        FEED_E_TIME, 2, 7);
	expect_text(HDR_LATE "192.0.2.1\tlist\tspam\t90\t-\t4102444000"
	                     "\t800\t150\t12\t3\n" END1,
	        0, 3, 0);
	/* an offset longer than any span of the era, or than 64 bits */
	expect_text(HDR_LATE "192.0.2.1\tlist\tspam\t90\t-\t946684800"
	                     "\t3155760001\t150\t12\t3\n" END1,
	        FEED_E_TIME, 2, 7);
	expect_record("192.0.2.2\tlist\tspam\t9\t-\t1699990000"
	              "\t18446744073709551616\t150\t1\t1",
	        FEED_E_TIME, 7);
	expect_record("192.0.2.2\tlist\tspam\t9\t3155760001\t1699990000"
	              "\t0\t150\t1\t1",
	        FEED_E_TIME, 5);
	expect_record("192.0.2.2\tlist\tspam\t9\t99999999999999999999"
	              "\t1699990000\t0\t150\t1\t1",
	        FEED_E_TIME, 5);
	/* last_seen + ttl beyond FEED_TIME_MAX by one second */
	expect_text(HDR_LATE "192.0.2.1\tlist\tspam\t90\t1\t946684800"
	                     "\t3155760000\t150\t12\t3\n" END1,
	        FEED_E_TIME, 2, 5);
	/* "-" is the ttl's never, alone; nothing else is */
	for (i = 0; i < sizeof not_a_ttl / sizeof not_a_ttl[0]; i++) {
		snprintf(line, sizeof line,
		        "192.0.2.2\tlist\tspam\t9\t%s\t1699990000\t0\t150"
		        "\t1\t1",
		        not_a_ttl[i]);
		expect_record(line, FEED_E_NUMBER, 5);
	}
	expect_record("192.0.2.2\tlist\tspam\t9\t0\t-\t0\t150\t1\t1",
	        FEED_E_NUMBER, 6);
	expect_record("192.0.2.2\tlist\tspam\t9\t0\t1699990000\t-\t150"
	              "\t1\t1",
	        FEED_E_NUMBER, 7);
	expect_record("192.0.2.2\tlist\tspam\t9\t0\t1699990000\t0\t-"
	              "\t1\t1",
	        FEED_E_NUMBER, 8);
}

void test_bad_line_is_refused_with_its_number(void **state)
{
	char longline[2048];

	(void)state;
	expect_record(
	        "192.0.2.2\tlist\tspam\t9\t1699990000\t1700000000\t0\t1\t1",
	        FEED_E_FIELDS, 0);
	expect_record(
	        "192.0.2.2\tlist\tspam\t9\t1699990000\t1700000000\t0\t1\t1"
	        "\t150\tcomment",
	        FEED_E_FIELDS, 0);
	expect_record("", FEED_E_FIELDS, 0);
	expect_record("192.0.2.2 list spam", FEED_E_FIELDS, 0);
	expect_record("192.0.2.2\tlist\tspam\r", FEED_E_LINE, 0); /* CRLF */
	expect_record("192.0.2.2\tlist\tsp\x01m", FEED_E_LINE, 0);
	expect_record("192.0.2.2\tlist\tsp\xc3\xa4m", FEED_E_LINE, 0);
	expect_text_at(HDR REC "192.0.2.2\tli\0st\n",
	        sizeof(HDR REC "192.0.2.2\tli\0st\n") - 1, FEED_E_LINE, 3, 0,
	        __LINE__);
	memset(longline, 'a', sizeof longline - 1);
	longline[sizeof longline - 1] = '\0';
	expect_record(longline, FEED_E_LINE, 0);
}

void test_bad_trailer_is_refused_with_its_line(void **state)
{
	(void)state;
	expect_text(HDR REC "#end\trecords=2\n", FEED_E_COUNT, 3, 2);
	expect_text(HDR REC "#end\trecords=0\n", FEED_E_COUNT, 3, 2);
	expect_text(HDR REC "#end\trecords=x\n", FEED_E_TRAILER, 3, 2);
	expect_text(HDR REC "#end\n", FEED_E_TRAILER, 3, 0);
	expect_text(HDR REC "# a comment\n" END1, FEED_E_TRAILER, 3, 0);
	expect_text(HDR REC END1 REC, FEED_E_TRAILING, 4, 0);
	expect_text(HDR REC END1 "\n", FEED_E_TRAILING, 4, 0);
	expect_text(HDR REC END1 "x", FEED_E_TRAILING, 4, 0);
}

void test_feed_cut_between_lines_is_truncated(void **state)
{
	(void)state;
	expect_text(HDR, FEED_E_TRUNCATED, 2, 0);
	expect_text(HDR REC REC, FEED_E_TRUNCATED, 4, 0);
	expect_text(HDR REC "#end\trecords=1", FEED_E_TRUNCATED, 3, 0);
	expect_text(HDR REC "192.0.2.", FEED_E_TRUNCATED, 3, 0);
	expect_text("#repfeed\tversion=1", FEED_E_TRUNCATED, 1, 0);
}

void test_plain_text_is_not_a_feed(void **state)
{
	struct tdir t;
	struct read_result res;

	(void)state;
	tdir_make(&t);
	put_file(t.file, HDR REC END1, strlen(HDR REC END1));
	res = read_path(t.file, NULL);
	assert_int_equal(res.rc, FEED_E_DECOMPRESS);
	assert_int_equal(res.line, 1);
	tdir_remove(&t);
}

/* ---- schema: nothing but the partner slot's fields can be written ---- */

/* valid_record - one record the writer takes */
static struct feed_record valid_record(void)
{
	struct feed_record r;

	memset(&r, 0, sizeof r);
	assert_int_equal(rep_subject_parse("192.0.2.1", &r.subject), 0);
	r.op = REP_OP_LIST;
	r.category = REP_CAT_SPAM;
	r.confidence = 90;
	r.first_seen = GEN - 100;
	r.last_seen = GEN;
	r.seq = 150;
	return r;
}

/* expect_refused - the writer refuses the record with err at field */
static void expect_refused(struct feed_writer *w, const struct feed_header *h,
        const struct feed_record *r, int err, unsigned field)
{
	unsigned got_field = 99;

	assert_int_equal(feed_write(w, r), err);
	assert_int_equal(feed_record_check(h, r, &got_field), err);
	assert_int_equal(got_field, field);
}

void test_mail_address_cannot_be_written_as_subject(void **state)
{
	static const char *const bad[] = {
	        "user@example.com",
	        "john.doe@isp.example",
	        "@example.com",
	        "John Doe <jd@example.com>",
	        "example.com\tcomment",
	        "example.com\n#end\trecords=0",
	        "Example.com",
	        "example.com.",
	        "a b.example",
	        "<script>",
	        "user%host@example.com",
	};
	struct feed_header h = header(FEED_DELTA, 100, 200);
	struct feed_record r = valid_record();
	struct feed_writer *w;
	struct feed_file f;
	struct tdir t;
	struct rep_subject s;
	size_t i, k, len;
	char *text;

	(void)state;
	/* The subject parser has no way in for them either. */
	assert_int_not_equal(rep_subject_parse("user@example.com", &s), 0);
	assert_int_not_equal(rep_subject_parse("auth:user@example.com", &s), 0);
	tdir_make(&t);
	assert_int_equal(feed_writer_open(t.path, &h, NULL, &w), 0);
	for (k = REP_KIND_DOMAIN; k <= REP_KIND_AUTH; k++)
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			memset(&r.subject, 0, sizeof r.subject);
			r.subject.kind = (uint8_t)k;
			snprintf(r.subject.name, sizeof r.subject.name, "%s",
			        bad[i]);
			expect_refused(w, &h, &r, FEED_E_SUBJECT, 1);
		}
	r = valid_record();
	assert_int_equal(feed_write(w, &r), 0);
	assert_int_equal(feed_writer_finish(w, &f), 0);
	feed_writer_free(w);
	assert_int_equal(f.records, 1);
	snprintf(t.file, sizeof t.file, "%s/%s", t.path, f.name);
	text = unzstd(t.file, &len);
	assert_null(memchr(text, '@', len));
	assert_null(memchr(text, ' ', len));
	assert_null(memchr(text, '<', len));
	free(text);
	tdir_remove(&t);
}

void test_malformed_subject_struct_cannot_be_written(void **state)
{
	struct feed_header h = header(FEED_DELTA, 100, 200);
	struct feed_record r = valid_record();
	struct feed_writer *w;
	struct tdir t;

	(void)state;
	tdir_make(&t);
	assert_int_equal(feed_writer_open(t.path, &h, NULL, &w), 0);
	r.subject.kind = 0;
	expect_refused(w, &h, &r, FEED_E_SUBJECT, 1);
	r.subject.kind = 9;
	expect_refused(w, &h, &r, FEED_E_SUBJECT, 1);
	r = valid_record();
	r.subject.plen = 33;
	expect_refused(w, &h, &r, FEED_E_SUBJECT, 1);
	r.subject.plen = 24; /* 192.0.2.1/24: host bits set */
	expect_refused(w, &h, &r, FEED_E_SUBJECT, 1);
	assert_int_equal(rep_subject_parse("example.com", &r.subject), 0);
	r.subject.scope = 3;
	expect_refused(w, &h, &r, FEED_E_SUBJECT, 1);
	memset(r.subject.name, 'a', sizeof r.subject.name); /* no NUL */
	r.subject.scope = 0;
	expect_refused(w, &h, &r, FEED_E_SUBJECT, 1);
	feed_writer_free(w);
	assert_int_equal(tdir_count(&t), 0);
	tdir_remove(&t);
}

/* is_never - the ttl "-" alone in its field, at line[i] */
static int is_never(const char *line, size_t len, size_t i)
{
	return line[i] == '-' && line[i - 1] == '\t' && i + 1 < len &&
	       line[i + 1] == '\t';
}

/* line_is_schema - subject chars, then names, then digits only (and the
 * ttl's "-" alone in the fifth column) */
static int line_is_schema(const char *line, size_t len)
{
	size_t i, tabs = 0;

	for (i = 0; i < len; i++) {
		char c = line[i];
		if (c == '\t')
			tabs++;
		else if (tabs == 4 && is_never(line, len, i))
			continue;
		else if (tabs == 0
		                 ? strchr("0123456789abcdefghijklmnopqrstuvwxyz"
		                          ".:/*_-",
		                           c) == NULL
		         : tabs <= 2 ? !((c >= 'a' && c <= 'z') || c == '-')
		                     : !(c >= '0' && c <= '9'))
			return 0;
	}
	return tabs == 9;
}

void test_every_written_line_holds_only_schema_fields(void **state)
{
	struct feed_header h = header(FEED_SNAPSHOT, 1, 100);
	struct tdir t;
	char *text, *p, *nl;
	size_t len, lines = 0;

	(void)state;
	_Static_assert(sizeof(((struct feed_record *)0)->reason) == 2,
	        "the reason is a number, never text");
	tdir_make(&t);
	write_feed(&t, &h, 10000, 11);
	text = unzstd(t.file, &len);
	p = memchr(text, '\n', len) + 1; /* past the header */
	while ((nl = memchr(p, '\n', len - (size_t)(p - text))) != NULL &&
	        *p != '#') {
		if (!line_is_schema(p, (size_t)(nl - p)))
			fail_msg("line %zu: %.*s", lines + 2, (int)(nl - p), p);
		lines++;
		p = nl + 1;
	}
	assert_int_equal(lines, 10000);
	free(text);
	tdir_remove(&t);
}

void test_writer_refuses_bad_values_and_stays_usable(void **state)
{
	struct feed_header h = header(FEED_DELTA, 100, 200);
	struct feed_record r = valid_record();
	struct feed_writer *w;
	struct feed_file f;
	struct tdir t;

	(void)state;
	tdir_make(&t);
	assert_int_equal(feed_writer_open(t.path, &h, NULL, &w), 0);
	r.op = 0;
	expect_refused(w, &h, &r, FEED_E_OP, 2);
	r.op = 4;
	expect_refused(w, &h, &r, FEED_E_OP, 2);
	r = valid_record();
	r.category = REP_CAT_MAX + 1;
	expect_refused(w, &h, &r, FEED_E_CATEGORY, 3);
	r = valid_record();
	r.confidence = 101;
	expect_refused(w, &h, &r, FEED_E_RANGE, 4);
	r = valid_record();
	r.first_seen = 0;
	expect_refused(w, &h, &r, FEED_E_TIME, 6);
	r = valid_record();
	r.last_seen = r.first_seen - 1; /* a negative active */
	expect_refused(w, &h, &r, FEED_E_TIME, 7);
	r = valid_record();
	r.expires = r.last_seen - 1; /* a negative ttl */
	expect_refused(w, &h, &r, FEED_E_TIME, 5);
	r.expires = FEED_TIME_MAX + 1;
	expect_refused(w, &h, &r, FEED_E_TIME, 5);
	r.expires = -1;
	expect_refused(w, &h, &r, FEED_E_TIME, 5);
	r = valid_record();
	r.seq = 201;
	expect_refused(w, &h, &r, FEED_E_SEQ, 8);
	r.seq = 0;
	expect_refused(w, &h, &r, FEED_E_SEQ, 8);
	r = valid_record();
	assert_int_equal(feed_write(w, &r), 0);
	assert_int_equal(feed_writer_finish(w, &f), 0);
	assert_int_equal(f.records, 1);
	assert_int_equal(feed_write(w, &r), FEED_E_INVAL);
	assert_int_equal(feed_writer_finish(w, &f), FEED_E_INVAL);
	feed_writer_free(w);
	tdir_remove(&t);
}

void test_ttl_0_and_never_are_distinct(void **state)
{
	/* expires: never, when last seen, a second later, the latest */
	static const int64_t expires[] = {0, GEN, GEN + 1, FEED_TIME_MAX};
	static const char *const line[] = {
	        "192.0.2.1\tlist\tspam\t90\t-\t1699999900\t100\t150\t0\t0\n",
	        "192.0.2.1\tlist\tspam\t90\t0\t1699999900\t100\t150\t0\t0\n",
	        "192.0.2.1\tlist\tspam\t90\t1\t1699999900\t100\t150\t0\t0\n",
	        "192.0.2.1\tlist\tspam\t90\t2402444800\t1699999900\t100\t150"
	        "\t0\t0\n",
	};
	struct feed_header h = header(FEED_DELTA, 100, 200);
	struct feed_record r = valid_record(), got;
	struct feed_writer *w;
	struct feed_reader *rd;
	struct feed_file f;
	struct tdir t;
	char *text, *p;
	size_t i, len;

	(void)state;
	tdir_make(&t);
	assert_int_equal(feed_writer_open(t.path, &h, NULL, &w), 0);
	for (i = 0; i < 4; i++) {
		r.expires = expires[i];
		assert_int_equal(feed_write(w, &r), 0);
	}
	assert_int_equal(feed_writer_finish(w, &f), 0);
	feed_writer_free(w);
	snprintf(t.file, sizeof t.file, "%s/%s", t.path, f.name);
	text = unzstd(t.file, &len);
	p = memchr(text, '\n', len) + 1;
	for (i = 0; i < 4; i++) {
		assert_memory_equal(p, line[i], strlen(line[i]));
		p += strlen(line[i]);
	}
	free(text);
	assert_int_equal(feed_reader_open(t.file, NULL, &rd), 0);
	for (i = 0; i < 4; i++) {
		r.expires = expires[i];
		assert_int_equal(feed_reader_next(rd, &got), 1);
		same_record(&got, &r);
	}
	assert_int_equal(feed_reader_next(rd, &got), 0);
	feed_reader_close(rd);
	tdir_remove(&t);
}

/* The awk program of feed.h's FORMAT: a partner's table of absolute
 * times (subject op category confidence first_seen last_seen expires
 * hits reason seq) to record lines. Keep the two the same. */
static const char partner_awk[] =
        "{ ttl = $7 == 0 ? \"-\" : sprintf(\"%.0f\", $7 - $6);\n"
        "  printf \"%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%.0f\\t%s\\t%s\\t%s\\n\",\n"
        "      $1, $2, $3, $4, ttl, $5, $6 - $5, $10, $8, $9 }\n";

/* put_table - the partner's table of the records write_feed(seed) wrote */
static void put_table(const char *path, size_t n, uint64_t seed)
{
	char subject[REP_SUBJECT_TEXT_MAX];
	FILE *f = fopen(path, "w");
	size_t i;

	assert_non_null(f);
	rnd_seed(seed);
	for (i = 0; i < n; i++) {
		struct feed_record r = rnd_record(1, 1000000);
		rep_subject_format(&r.subject, subject, sizeof subject);
		fprintf(f, "%s\t%s\t%s\t%u\t%lld\t%lld\t%lld\t%lu\t%u\t%llu\n",
		        subject, rep_op_name(r.op),
		        rep_category_name(r.category), r.confidence,
		        (long long)r.first_seen, (long long)r.last_seen,
		        (long long)r.expires, (unsigned long)r.hits, r.reason,
		        (unsigned long long)r.seq);
	}
	assert_int_equal(fclose(f), 0);
}

void test_partner_awk_script_writes_the_same_lines(void **state)
{
	struct feed_header h = header(FEED_SNAPSHOT, 1, 1000000);
	char prog[300], table[300], out[300], cmd[1200];
	struct tdir t;
	char *text, *body, *end, *awk;
	size_t len, awk_len;

	(void)state;
	tdir_make(&t);
	write_feed(&t, &h, 2000, 21);
	snprintf(prog, sizeof prog, "%s/partner.awk", t.path);
	snprintf(table, sizeof table, "%s/table.tsv", t.path);
	snprintf(out, sizeof out, "%s/awk.out", t.path);
	put_file(prog, partner_awk, strlen(partner_awk));
	put_table(table, 2000, 21);
	snprintf(cmd, sizeof cmd, "awk -F '\t' -f '%s' '%s' > '%s'", prog,
	        table, out);
	assert_int_equal(system(cmd), 0);
	text = unzstd(t.file, &len);
	body = memchr(text, '\n', len) + 1; /* past the header */
	end = text + len - strlen("#end\trecords=2000\n");
	awk = (char *)get_file(out, &awk_len);
	assert_int_equal(awk_len, (size_t)(end - body));
	assert_memory_equal(awk, body, awk_len);
	free(awk);
	free(text);
	tdir_remove(&t);
}

void test_writer_open_refuses_bad_header_and_options(void **state)
{
	struct feed_header h;
	struct feed_write_opts o = {20, 0};
	struct feed_writer *w = NULL;
	struct tdir t;

	(void)state;
	tdir_make(&t);
	h = header(0, 1, 2);
	assert_int_equal(feed_writer_open(t.path, &h, NULL, &w), FEED_E_INVAL);
	h = header(FEED_DELTA, 3, 2);
	assert_int_equal(feed_writer_open(t.path, &h, NULL, &w), FEED_E_INVAL);
	h = header(FEED_DELTA, 1, 2);
	h.generated = 0;
	assert_int_equal(feed_writer_open(t.path, &h, NULL, &w), FEED_E_INVAL);
	h = header(FEED_DELTA, 1, 2);
	snprintf(h.publisher, sizeof h.publisher, "user@example.com");
	assert_int_equal(feed_writer_open(t.path, &h, NULL, &w), FEED_E_INVAL);
	h = header(FEED_DELTA, 1, 2);
	assert_int_equal(feed_writer_open(t.path, &h, &o, &w), FEED_E_INVAL);
	assert_int_equal(
	        feed_writer_open("/nonexistent/dir", &h, NULL, &w), FEED_E_IO);
	assert_null(w);
	assert_int_equal(tdir_count(&t), 0);
	tdir_remove(&t);
}

void test_unfinished_feed_leaves_no_file(void **state)
{
	struct feed_header h = header(FEED_DELTA, 100, 200);
	struct feed_record r = valid_record();
	struct feed_writer *w;
	struct tdir t;

	(void)state;
	tdir_make(&t);
	assert_int_equal(feed_writer_open(t.path, &h, NULL, &w), 0);
	assert_int_equal(feed_write(w, &r), 0);
	assert_int_equal(tdir_count(&t), 1); /* the temporary file */
	feed_writer_free(w);
	assert_int_equal(tdir_count(&t), 0);
	feed_writer_free(NULL);
	feed_reader_close(NULL);
	tdir_remove(&t);
}

void test_every_error_has_a_text(void **state)
{
	int e;

	(void)state;
	for (e = FEED_OK; e >= FEED_E_TRAILING; e--)
		assert_string_not_equal(feed_strerror(e), "unknown error");
	assert_string_equal(
	        feed_strerror(FEED_E_TRAILING - 1), "unknown error");
	assert_string_equal(feed_strerror(1), "unknown error");
	assert_string_equal(feed_kind_name(FEED_DELTA), "delta");
}
