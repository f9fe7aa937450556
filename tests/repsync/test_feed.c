/*
 * test_feed.c - the feed format (tools/feed.h): round trips of snapshots
 * and deltas, cut and corrupted files, decompression bombs; with the
 * line-by-line cases of test_feed_text.c, one program.
 */
#include "feedtest.h"

/* ---- round trips ---- */

static void test_snapshot_of_10000_random_records_round_trips(void **state)
{
	struct feed_header h = header(FEED_SNAPSHOT, 1, 1000000);

	(void)state;
	round_trip(&h, 10000);
}

static void test_delta_of_10000_random_records_round_trips(void **state)
{
	struct feed_header h = header(FEED_DELTA, 5001, 9000);

	(void)state;
	round_trip(&h, 10000);
}

static void test_feed_of_0_records_round_trips(void **state)
{
	struct feed_header h = header(FEED_SNAPSHOT, 0, 0);
	struct tdir t;
	size_t len;
	char *text;

	(void)state;
	round_trip(&h, 0);
	tdir_make(&t);
	write_feed(&t, &h, 0, 1);
	text = unzstd(t.file, &len);
	assert_true(len > 20);
	assert_memory_equal(text + len - 16, "\n#end\trecords=0\n", 16);
	free(text);
	tdir_remove(&t);
}

static void test_file_is_named_by_hash_of_its_bytes(void **state)
{
	struct feed_header h = header(FEED_SNAPSHOT, 1, 10);
	unsigned char md[crypto_hash_sha256_BYTES];
	char hex[FEED_HASH_HEX];
	struct tdir t;
	struct feed_file f;
	struct stat st;
	unsigned char *bytes;
	size_t len;

	(void)state;
	tdir_make(&t);
	f = write_feed(&t, &h, 100, 7);
	bytes = get_file(t.file, &len);
	crypto_hash_sha256(md, bytes, len);
	sodium_bin2hex(hex, sizeof hex, md, sizeof md);
	assert_string_equal(hex, f.sha256);
	assert_int_equal(len, f.size);
	assert_int_equal(stat(t.file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(bytes);
	tdir_remove(&t);
}

static void test_text_is_the_documented_format(void **state)
{
	struct feed_header h = header(FEED_DELTA, 100, 200);
	struct feed_record r;
	struct feed_writer *w;
	struct feed_file f;
	struct tdir t;
	char *text;
	size_t len;

	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(rep_subject_parse("192.0.2.1", &r.subject), 0);
	r.op = REP_OP_LIST;
	r.category = REP_CAT_SPAM;
	r.confidence = 90;
	r.first_seen = 1699990000;
	r.last_seen = 1700000000;
	r.expires = 1700600000;
	r.hits = 12;
	r.reason = 3;
	r.seq = 150;
	tdir_make(&t);
	assert_int_equal(feed_writer_open(t.path, &h, NULL, &w), 0);
	assert_int_equal(feed_write(w, &r), 0);
	assert_int_equal(feed_writer_finish(w, &f), 0);
	feed_writer_free(w);
	snprintf(t.file, sizeof t.file, "%s/%s", t.path, f.name);
	text = unzstd(t.file, &len);
	assert_int_equal(len, strlen(HDR REC END1));
	assert_memory_equal(text, HDR REC END1, len);
	free(text);
	tdir_remove(&t);
}

static void test_feed_of_several_zstd_frames_is_read(void **state)
{
	static const char *const part[] = {HDR, REC REC, "#end\trecords=2\n"};
	struct tdir t;
	unsigned char buf[4096];
	size_t i, n = 0;
	struct read_result res;

	(void)state;
	tdir_make(&t);
	for (i = 0; i < 3; i++) {
		size_t k = ZSTD_compress(
		        buf + n, sizeof buf - n, part[i], strlen(part[i]), 1);
		assert_false(ZSTD_isError(k));
		n += k;
	}
	put_file(t.file, buf, n);
	res = read_path(t.file, NULL);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.records, 2);
	tdir_remove(&t);
}

/* ---- damaged files ---- */

static void test_compressed_file_cut_anywhere_is_truncated(void **state)
{
	struct feed_header h = header(FEED_SNAPSHOT, 1, 100000);
	struct tdir t;
	unsigned char *bytes;
	size_t len, i;
	char cut[300];

	(void)state;
	tdir_make(&t);
	write_feed(&t, &h, 20000, 3);
	bytes = get_file(t.file, &len);
	snprintf(cut, sizeof cut, "%s/cut", t.path);
	for (i = 0; i < 40; i++) {
		size_t at = i < 8    ? i * 3
		            : i < 16 ? len - 1 - (i - 8)
		                     : len * i / 40;
		struct read_result res;
		put_file(cut, bytes, at);
		res = read_path(cut, NULL);
		if (res.rc != FEED_E_TRUNCATED)
			fail_msg("cut at %zu of %zu: %s", at, len,
			        feed_strerror(res.rc));
	}
	free(bytes);
	tdir_remove(&t);
}

/* same_as - read path; if it reads, its records must equal want[] */
static int same_as(const char *path, const struct feed_record *want, size_t n)
{
	struct feed_reader *r;
	struct feed_record rec;
	size_t i = 0;
	int rc;

	assert_int_equal(feed_reader_open(path, NULL, &r), 0);
	while ((rc = feed_reader_next(r, &rec)) == 1) {
		assert_true(i < n);
		same_record(&rec, &want[i++]);
	}
	feed_reader_close(r);
	if (rc == 0)
		assert_int_equal(i, n);
	return rc;
}

static void test_flipped_bit_in_compressed_data_is_refused(void **state)
{
	struct feed_header h = header(FEED_SNAPSHOT, 1, 1000);
	struct feed_record want[100];
	struct tdir t;
	unsigned char *bytes;
	size_t len, i, benign = 0;
	char bad[300];

	(void)state;
	tdir_make(&t);
	write_feed(&t, &h, 100, 5);
	rnd_seed(5);
	for (i = 0; i < 100; i++)
		want[i] = rnd_record(1, 1000);
	bytes = get_file(t.file, &len);
	snprintf(bad, sizeof bad, "%s/bad", t.path);
	/* Every bit of the file. A change of content is caught by zstd, by
	 * the frame's content checksum or by the strict parser. A few bits
	 * change nothing decoded (an unused entry of an entropy table):
	 * such a file reads as the original, which is harmless; the
	 * manifest's hash of the file is what catches those. */
	for (i = 0; i < len * 8; i++) {
		bytes[i / 8] ^= (unsigned char)(1 << i % 8);
		put_file(bad, bytes, len);
		benign += same_as(bad, want, 100) == 0;
		bytes[i / 8] ^= (unsigned char)(1 << i % 8);
	}
	assert_true(benign < len * 8 / 100);
	free(bytes);
	tdir_remove(&t);
}

/* bomb - header, then `copies` times the same record, compressed */
static void bomb(const char *path, const char *line, size_t copies)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	FILE *f = fopen(path, "wb");
	char out[1 << 16];
	size_t i, n = strlen(line);

	assert_non_null(f);
	for (i = 0; i <= copies; i++) {
		const char *p = i == 0 ? HDR : line;
		ZSTD_inBuffer ib = {p, i == 0 ? strlen(HDR) : n, 0};
		ZSTD_EndDirective e =
		        i == copies ? ZSTD_e_end : ZSTD_e_continue;
		size_t left;
		do {
			ZSTD_outBuffer ob = {out, sizeof out, 0};
			left = ZSTD_compressStream2(c, &ob, &ib, e);
			assert_false(ZSTD_isError(left));
			fwrite(out, 1, ob.pos, f);
		} while (e == ZSTD_e_end ? left != 0 : ib.pos < ib.size);
	}
	fclose(f);
	ZSTD_freeCCtx(c);
}

static void test_decompression_bomb_stops_at_the_limit(void **state)
{
	struct feed_limits lim = {4 << 20, 0};
	struct tdir t;
	struct read_result res;
	struct stat st;
	char longline[4096];

	(void)state;
	tdir_make(&t);
	bomb(t.file, REC, 400000); /* 23 MB of lines */
	assert_int_equal(stat(t.file, &st), 0);
	assert_true(st.st_size < 200000);
	res = read_path(t.file, &lim);
	assert_int_equal(res.rc, FEED_E_LIMIT);
	assert_true(res.records <= (4 << 20) / strlen(REC));
	lim = (struct feed_limits){0, 1000};
	res = read_path(t.file, &lim);
	assert_int_equal(res.rc, FEED_E_LIMIT);
	assert_int_equal(res.line, 1002);
	/* One endless line: refused after FEED_LINE_MAX bytes. */
	memset(longline, 'a', sizeof longline - 1);
	longline[sizeof longline - 1] = '\0';
	bomb(t.file, longline, 2500);
	res = read_path(t.file, NULL);
	assert_int_equal(res.rc, FEED_E_LINE);
	assert_int_equal(res.line, 2);
	tdir_remove(&t);
}

static void test_frame_needing_a_large_window_is_refused(void **state)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	const char *text = HDR REC END1;
	unsigned char out[4096];
	ZSTD_inBuffer ib = {text, strlen(text), 0};
	ZSTD_outBuffer ob = {out, sizeof out, 0};
	struct read_result res;
	struct tdir t;

	(void)state;
	/* A 32 MiB window, declared by a frame of unknown size: the reader
	 * would have to allocate it, and refuses before doing so. */
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(
	        c, ZSTD_c_windowLog, FEED_WINDOW_LOG_MAX + 1)));
	assert_false(ZSTD_isError(
	        ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_continue)));
	assert_int_equal(ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end), 0);
	ZSTD_freeCCtx(c);
	tdir_make(&t);
	put_file(t.file, out, ob.pos);
	res = read_path(t.file, NULL);
	assert_int_equal(res.rc, FEED_E_DECOMPRESS);
	tdir_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_snapshot_of_10000_random_records_round_trips),
	        cmocka_unit_test(
	                test_delta_of_10000_random_records_round_trips),
	        cmocka_unit_test(test_feed_of_0_records_round_trips),
	        cmocka_unit_test(test_file_is_named_by_hash_of_its_bytes),
	        cmocka_unit_test(test_text_is_the_documented_format),
	        cmocka_unit_test(test_feed_of_several_zstd_frames_is_read),
	        cmocka_unit_test(test_valid_text_is_read),
	        cmocka_unit_test(test_bad_header_is_refused_on_line_1),
	        cmocka_unit_test(test_newer_version_is_refused_as_such),
	        cmocka_unit_test(
	                test_bad_subject_is_refused_with_line_and_field),
	        cmocka_unit_test(test_bad_field_is_refused_with_line_and_field),
	        cmocka_unit_test(test_time_offsets_give_absolute_times),
	        cmocka_unit_test(test_time_offsets_out_of_range_are_refused),
	        cmocka_unit_test(test_bad_line_is_refused_with_its_number),
	        cmocka_unit_test(test_bad_trailer_is_refused_with_its_line),
	        cmocka_unit_test(test_feed_cut_between_lines_is_truncated),
	        cmocka_unit_test(test_plain_text_is_not_a_feed),
	        cmocka_unit_test(
	                test_compressed_file_cut_anywhere_is_truncated),
	        cmocka_unit_test(
	                test_flipped_bit_in_compressed_data_is_refused),
	        cmocka_unit_test(test_decompression_bomb_stops_at_the_limit),
	        cmocka_unit_test(test_frame_needing_a_large_window_is_refused),
	        cmocka_unit_test(
	                test_mail_address_cannot_be_written_as_subject),
	        cmocka_unit_test(
	                test_malformed_subject_struct_cannot_be_written),
	        cmocka_unit_test(
	                test_every_written_line_holds_only_schema_fields),
	        cmocka_unit_test(
	                test_writer_refuses_bad_values_and_stays_usable),
	        cmocka_unit_test(test_ttl_0_and_never_are_distinct),
	        cmocka_unit_test(test_partner_awk_script_writes_the_same_lines),
	        cmocka_unit_test(
	                test_writer_open_refuses_bad_header_and_options),
	        cmocka_unit_test(test_unfinished_feed_leaves_no_file),
	        cmocka_unit_test(test_every_error_has_a_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
