/*
 * feed_write.c - the feed writer: records become lines, lines are
 * compressed as they come (ZSTD_compressStream2) into a temporary file
 * that is hashed while written and renamed to its hash when finished
 * (feed.h).
 *
 * Memory stays constant whatever the number of records: one input buffer
 * of lines, one output buffer of compressed bytes, and zstd's context.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zstd.h>

#include "afile.h"
#include "feed_int.h"

#define FEED_MODE_DEFAULT 0644
#define FEED_LEVEL_MAX 19
/* The window every level writes with: 128 KiB, a few thousand lines.
 * A feed's lines repeat their neighbours (in store order, a subject
 * shares its prefix with the one before; op, category, confidence and
 * ttl come in few combinations), so a match found farther back saves
 * little and its longer offset costs more. Measured on the 1,000,000
 * record snapshot (tests/bench/RESULTS.md, feed section): the same size
 * at level 1, 2.5-5% smaller from level 2 up, and no slower to write.
 * It is also far below FEED_WINDOW_LOG_MAX, so every file we write is
 * one every reader takes, and the writer's memory stays small. */
#define FEED_WINDOW_LOG_WRITE 17

struct feed_writer {
	struct afile file;
	ZSTD_CCtx *cctx;
	crypto_hash_sha256_state sha;
	struct feed_header hdr;
	mode_t mode;
	char *in; /* lines not yet given to zstd */
	size_t in_len, in_cap;
	char *out; /* compressed bytes, written out at once */
	size_t out_cap;
	uint64_t records, size, raw;
	int err;  /* sticky: an I/O or compression error ends the writer */
	int done; /* finish was called */
};

/* emit - write compressed bytes to the file and into the hash */
static int emit(struct feed_writer *w, size_t n)
{
	if (n == 0)
		return 0;
	if (afile_write(&w->file, w->out, n) != 0)
		return FEED_E_IO;
	crypto_hash_sha256_update(&w->sha, (const unsigned char *)w->out, n);
	w->size += n;
	return 0;
}

/* compress - hand the buffered lines to zstd; ZSTD_e_end also closes
 * the frame, so the loop runs until zstd has nothing left to flush */
static int compress(struct feed_writer *w, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer ib = {w->in, w->in_len, 0};
	size_t left;
	int err;

	do {
		ZSTD_outBuffer ob = {w->out, w->out_cap, 0};
		left = ZSTD_compressStream2(w->cctx, &ob, &ib, mode);
		if (ZSTD_isError(left))
			return FEED_E_COMPRESS;
		if ((err = emit(w, ob.pos)) != 0)
			return err;
	} while (mode == ZSTD_e_end ? left != 0 : ib.pos < ib.size);
	w->raw += w->in_len;
	w->in_len = 0;
	return 0;
}

/* cctx_make - a compression context: the level asked for, the window
 * FEED_WINDOW_LOG_WRITE, a checksum of the content in the frame
 * (corruption is found by zstd itself, before any line is parsed) */
static ZSTD_CCtx *cctx_make(int level)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();

	if (c == NULL)
		return NULL;
	if (ZSTD_isError(ZSTD_CCtx_setParameter(
	            c, ZSTD_c_compressionLevel, level)) ||
	        ZSTD_isError(ZSTD_CCtx_setParameter(
	                c, ZSTD_c_windowLog, FEED_WINDOW_LOG_WRITE)) ||
	        ZSTD_isError(
	                ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1))) {
		ZSTD_freeCCtx(c);
		return NULL;
	}
	return c;
}

/* opts_check - the level and mode to use */
static int opts_check(const struct feed_write_opts *o, int *level, mode_t *mode)
{
	*level = o == NULL || o->level == 0 ? FEED_LEVEL_DEFAULT : o->level;
	*mode = o == NULL || o->mode == 0 ? FEED_MODE_DEFAULT : o->mode;
	if (*level < 1 || *level > FEED_LEVEL_MAX || (*mode & ~07777) != 0)
		return FEED_E_INVAL;
	return 0;
}

/* writer_alloc - the writer and its buffers */
static struct feed_writer *writer_alloc(int level)
{
	struct feed_writer *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->file.fd = -1;
	w->in_cap = ZSTD_CStreamInSize();
	w->out_cap = ZSTD_CStreamOutSize();
	w->in = malloc(w->in_cap);
	w->out = malloc(w->out_cap);
	w->cctx = cctx_make(level);
	if (w->in == NULL || w->out == NULL || w->cctx == NULL) {
		feed_writer_free(w);
		return NULL;
	}
	crypto_hash_sha256_init(&w->sha);
	return w;
}

/* feed_writer_open - start a feed in dir */
int feed_writer_open(const char *dir, const struct feed_header *h,
        const struct feed_write_opts *opts, struct feed_writer **out)
{
	struct feed_writer *w;
	mode_t mode;
	int level;

	if (dir == NULL || h == NULL || out == NULL ||
	        opts_check(opts, &level, &mode) != 0 ||
	        feed_header_check(h, NULL) != 0)
		return FEED_E_INVAL;
	if (sodium_init() < 0)
		return FEED_E_NOMEM;
	if ((w = writer_alloc(level)) == NULL)
		return FEED_E_NOMEM;
	w->hdr = *h;
	w->hdr.version = FEED_VERSION;
	w->mode = mode;
	w->in_len = feed_header_format(&w->hdr, w->in, w->in_cap);
	if (afile_open(&w->file, dir) != 0) {
		int saved = errno; /* the caller's message needs it */
		feed_writer_free(w);
		errno = saved;
		return FEED_E_IO;
	}
	*out = w;
	return 0;
}

/* feed_write - add one record */
int feed_write(struct feed_writer *w, const struct feed_record *rec)
{
	size_t n;
	int err;

	if (w == NULL || rec == NULL || w->done)
		return FEED_E_INVAL;
	if (w->err != 0)
		return w->err;
	/* Room for the longest line: zstd takes what is buffered first. */
	if (w->in_cap - w->in_len < FEED_LINE_MAX + 1 &&
	        (w->err = compress(w, ZSTD_e_continue)) != 0)
		return w->err;
	err = feed_record_format(&w->hdr, rec, w->in + w->in_len, &n, NULL);
	if (err != 0)
		return err; /* refused: nothing was added */
	w->in_len += n;
	w->records++;
	return 0;
}

/* hash_hex - the final hash of the compressed bytes, in hex */
static void hash_hex(struct feed_writer *w, char hex[FEED_HASH_HEX])
{
	unsigned char md[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final(&w->sha, md);
	sodium_bin2hex(hex, FEED_HASH_HEX, md, sizeof md);
}

/* finish - trailer, end of frame, hash name, rename */
static int finish(struct feed_writer *w, struct feed_file *f)
{
	int err;

	if (w->in_cap - w->in_len < FEED_LINE_MAX + 1 &&
	        (err = compress(w, ZSTD_e_continue)) != 0)
		return err;
	w->in_len += feed_trailer_format(
	        w->records, w->in + w->in_len, w->in_cap - w->in_len);
	if ((err = compress(w, ZSTD_e_end)) != 0)
		return err;
	memset(f, 0, sizeof *f);
	hash_hex(w, f->sha256);
	memcpy(f->name, f->sha256, FEED_HASH_HEX - 1);
	memcpy(f->name + FEED_HASH_HEX - 1, FEED_SUFFIX, sizeof FEED_SUFFIX);
	f->size = w->size;
	f->records = w->records;
	f->raw_bytes = w->raw;
	/* Same name, same bytes: replacing an existing file is harmless. */
	if (afile_commit(&w->file, f->name, w->mode, 1) != 0)
		return FEED_E_IO;
	return 0;
}

/* feed_writer_finish - complete the file and give it its hash name */
int feed_writer_finish(struct feed_writer *w, struct feed_file *out)
{
	struct feed_file f;
	int err;

	if (w == NULL || w->done)
		return FEED_E_INVAL;
	w->done = 1;
	if (w->err != 0)
		return w->err;
	if ((err = finish(w, &f)) != 0) {
		w->err = err;
		return err;
	}
	if (out != NULL)
		*out = f;
	return 0;
}

/* feed_writer_free - free the writer; an unfinished file is removed */
void feed_writer_free(struct feed_writer *w)
{
	if (w == NULL)
		return;
	afile_abort(&w->file);
	ZSTD_freeCCtx(w->cctx);
	free(w->in);
	free(w->out);
	free(w);
}
