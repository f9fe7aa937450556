/*
 * feed_read.c - the feed reader: decompresses as it goes, cuts lines,
 * parses and checks each, and insists on a trailer whose count matches
 * and on nothing after it (feed.h).
 *
 * A feed comes from outside. Every limit is enforced before memory is
 * spent: zstd's window is capped (FEED_WINDOW_LOG_MAX), a line longer
 * than FEED_LINE_MAX is an error rather than a bigger buffer, and the
 * caller's byte and record limits stop a decompression bomb early. The
 * reader's memory is a few buffers and the window, whatever the file.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <zstd.h>

#include "feed_int.h"

enum { ST_START, ST_BODY, ST_DONE };

struct feed_reader {
	int fd;
	ZSTD_DCtx *dctx;
	crypto_hash_sha256_state sha; /* of the compressed bytes read */
	struct feed_limits lim;
	struct feed_header hdr;
	unsigned char *in; /* compressed bytes */
	size_t in_pos, in_len, in_cap;
	uint64_t in_total;
	int eof;     /* read() returned 0 */
	int pending; /* zstd may hold output not yet flushed */
	size_t hint; /* zstd's last return: 0 when a frame is complete */
	char *out;   /* decompressed bytes */
	size_t out_pos, out_len, out_cap;
	uint64_t out_total;
	char line[FEED_LINE_MAX + 1];
	uint64_t lineno;  /* the line being read, 1-based */
	unsigned field;   /* where the error is, 0: the whole line */
	uint64_t records; /* record lines read */
	int state;
	int err; /* sticky */
};

/* fail - remember an error and where it was found */
static int fail(struct feed_reader *r, int err, unsigned field)
{
	r->err = err;
	r->field = field;
	return err;
}

/* read_more - the next chunk of the file, into the hash as well */
static int read_more(struct feed_reader *r)
{
	ssize_t n;

	do
		n = read(r->fd, r->in, r->in_cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return FEED_E_IO;
	r->in_pos = 0;
	r->in_len = (size_t)n;
	r->eof = n == 0;
	r->in_total += (uint64_t)n;
	crypto_hash_sha256_update(&r->sha, r->in, (size_t)n);
	return 0;
}

/* input_ended - no input left and zstd holds nothing: 0 if the last
 * frame was complete, else the file was cut */
static int input_ended(struct feed_reader *r)
{
	return r->hint == 0 && r->in_total > 0 ? 0 : FEED_E_TRUNCATED;
}

/* refill - decompress until some output comes: 1, or 0 at the clean end
 * of the input, or an error */
static int refill(struct feed_reader *r)
{
	for (;;) {
		ZSTD_inBuffer ib;
		ZSTD_outBuffer ob = {r->out, r->out_cap, 0};
		if (r->in_pos == r->in_len && !r->eof && !r->pending &&
		        read_more(r) != 0)
			return FEED_E_IO;
		if (r->in_pos == r->in_len && r->eof && !r->pending)
			return input_ended(r);
		ib = (ZSTD_inBuffer){r->in, r->in_len, r->in_pos};
		r->hint = ZSTD_decompressStream(r->dctx, &ob, &ib);
		r->in_pos = ib.pos;
		if (ZSTD_isError(r->hint))
			return FEED_E_DECOMPRESS;
		r->pending = ob.pos == ob.size;
		if (ob.pos == 0)
			continue;
		r->out_total += ob.pos;
		if (r->out_total > r->lim.max_bytes)
			return FEED_E_LIMIT;
		r->out_pos = 0;
		r->out_len = ob.pos;
		return 1;
	}
}

/* take - move decompressed bytes up to a LF into the line; 1 when the
 * line is complete */
static int take(struct feed_reader *r, size_t *len)
{
	const char *p = r->out + r->out_pos;
	size_t avail = r->out_len - r->out_pos;
	const char *nl = memchr(p, '\n', avail);
	size_t n = nl != NULL ? (size_t)(nl - p) : avail;

	if (*len + n > FEED_LINE_MAX)
		return FEED_E_LINE;
	memcpy(r->line + *len, p, n);
	*len += n;
	r->out_pos += n + (nl != NULL);
	if (nl == NULL)
		return 0;
	r->line[*len] = '\0';
	return feed_line_check(r->line, *len) != 0 ? FEED_E_LINE : 1;
}

/* read_line - the next line, without its LF: 1; 0 at the end of the
 * data (nothing pending); or an error, a last line without LF being a
 * cut-off file */
static int read_line(struct feed_reader *r)
{
	size_t len = 0;
	int rc;

	r->lineno++;
	for (;;) {
		if (r->out_pos < r->out_len && (rc = take(r, &len)) != 0)
			return rc;
		if (r->out_pos < r->out_len)
			continue;
		if ((rc = refill(r)) < 0)
			return rc;
		if (rc == 0)
			return len > 0 ? FEED_E_TRUNCATED : 0;
	}
}

/* dctx_make - a decompression context with a bounded window */
static ZSTD_DCtx *dctx_make(void)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();

	if (d != NULL && ZSTD_isError(ZSTD_DCtx_setParameter(d,
	                         ZSTD_d_windowLogMax, FEED_WINDOW_LOG_MAX))) {
		ZSTD_freeDCtx(d);
		return NULL;
	}
	return d;
}

/* reader_alloc - the reader and its buffers */
static struct feed_reader *reader_alloc(void)
{
	struct feed_reader *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->fd = -1;
	r->hint = 1;
	r->in_cap = ZSTD_DStreamInSize();
	r->out_cap = ZSTD_DStreamOutSize();
	r->in = malloc(r->in_cap);
	r->out = malloc(r->out_cap);
	r->dctx = dctx_make();
	if (r->in == NULL || r->out == NULL || r->dctx == NULL) {
		feed_reader_close(r);
		return NULL;
	}
	crypto_hash_sha256_init(&r->sha);
	return r;
}

/* feed_reader_open - open a feed file */
int feed_reader_open(const char *path, const struct feed_limits *lim,
        struct feed_reader **out)
{
	struct feed_reader *r;

	if (path == NULL || out == NULL)
		return FEED_E_INVAL;
	if (sodium_init() < 0 || (r = reader_alloc()) == NULL)
		return FEED_E_NOMEM;
	r->lim.max_bytes = lim != NULL && lim->max_bytes != 0
	                           ? lim->max_bytes
	                           : FEED_DEFAULT_MAX_BYTES;
	r->lim.max_records = lim != NULL && lim->max_records != 0
	                             ? lim->max_records
	                             : FEED_DEFAULT_MAX_RECORDS;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		int saved = errno;
		feed_reader_close(r);
		errno = saved;
		return FEED_E_IO;
	}
	*out = r;
	return 0;
}

/* read_header - the first line */
static int read_header(struct feed_reader *r)
{
	unsigned field = 0;
	int rc = read_line(r);

	if (rc == 0)
		return fail(r, FEED_E_TRUNCATED, 0);
	if (rc < 0)
		return fail(r, rc, 0);
	if ((rc = feed_header_parse(r->line, &r->hdr, &field)) != 0)
		return fail(r, rc, field);
	r->state = ST_BODY;
	return 0;
}

/* feed_reader_header - read and check the header line */
int feed_reader_header(struct feed_reader *r, struct feed_header *out)
{
	int err;

	if (r == NULL || out == NULL)
		return FEED_E_INVAL;
	if (r->state == ST_START && r->err == 0 && (err = read_header(r)) != 0)
		return err;
	if (r->state == ST_START)
		return r->err;
	*out = r->hdr;
	return 0;
}

/* end_of_data - after the trailer: anything but the clean end of the
 * input is an error */
static int end_of_data(struct feed_reader *r)
{
	int rc;

	if (r->out_pos == r->out_len && (rc = refill(r)) <= 0)
		return rc == 0 ? 0 : fail(r, rc, 0);
	r->lineno++;
	return fail(r, FEED_E_TRAILING, 0);
}

/* trailer - the last line: a matching count, then the end */
static int trailer(struct feed_reader *r)
{
	uint64_t count;
	unsigned field = 0;
	int rc = feed_trailer_parse(r->line, &count, &field);

	if (rc != 0)
		return fail(r, rc, field);
	if (count != r->records)
		return fail(r, FEED_E_COUNT, 2);
	if ((rc = end_of_data(r)) != 0)
		return rc;
	r->state = ST_DONE;
	return 0;
}

/* feed_reader_next - the next record, 0 at the verified end */
int feed_reader_next(struct feed_reader *r, struct feed_record *out)
{
	unsigned field = 0;
	int rc;

	if (r == NULL || out == NULL)
		return FEED_E_INVAL;
	if (r->err != 0 || r->state == ST_DONE)
		return r->err;
	if (r->state == ST_START && (rc = read_header(r)) != 0)
		return rc;
	if ((rc = read_line(r)) <= 0)
		return fail(r, rc == 0 ? FEED_E_TRUNCATED : rc, 0);
	if (r->line[0] == '#')
		return trailer(r);
	if (++r->records > r->lim.max_records)
		return fail(r, FEED_E_LIMIT, 0);
	if ((rc = feed_record_parse(&r->hdr, r->line, out, &field)) != 0)
		return fail(r, rc, field);
	return 1;
}

/* feed_reader_where - where the last error was found */
void feed_reader_where(
        const struct feed_reader *r, uint64_t *line, unsigned *field)
{
	if (line != NULL)
		*line = r != NULL ? r->lineno : 0;
	if (field != NULL)
		*field = r != NULL ? r->field : 0;
}

/* feed_reader_sha256 - the hash of the compressed bytes read so far */
void feed_reader_sha256(const struct feed_reader *r, char out[FEED_HASH_HEX])
{
	crypto_hash_sha256_state copy = r->sha; /* final() consumes it */
	unsigned char md[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final(&copy, md);
	sodium_bin2hex(out, FEED_HASH_HEX, md, sizeof md);
}

/* feed_reader_close - close the file and free the reader */
void feed_reader_close(struct feed_reader *r)
{
	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->out);
	free(r);
}
