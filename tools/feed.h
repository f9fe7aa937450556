/*
 * feed.h - the repsync feed format: what one publisher tells its partners
 * about subjects, as an immutable, hash-named, zstd-compressed file.
 *
 * PURPOSE
 *	A feed file carries exactly the schema of a partner slot (reputation.h,
 *	struct rep_partner; DESIGN.md sections 2 and 5): subject, op, category,
 *	confidence, first and last seen, expiry, hits, a numeric reason code
 *	and the publisher's sequence number. Nothing else can be written: the
 *	writer takes typed fields only (no text field exists), and a subject
 *	must be an address, prefix, domain or authenticated domain in
 *	canonical form, so a mail address, a header or a comment cannot pass.
 *	A snapshot holds a publisher's whole first-hand slot; a delta holds
 *	the records whose sequence number lies in a range.
 *
 * FORMAT (version 1), after zstd decompression; fields are separated by
 *	one tab, lines end with one LF, everything is ASCII:
 *	#repfeed  version=1  kind=snapshot  publisher=isp-a  epoch=3
 *	          seq=1-4711  generated=1700000000  fields=subject,op,...
 *	192.0.2.0/24  list  spam  90  604800  1699990000  10000  4711
 *	          12  3
 *	#end  records=1
 *	The header's `fields=` names the columns of every record line:
 *	subject op category confidence ttl first_seen active seq hits
 *	reason. Numbers are unsigned decimal without sign or leading zero.
 *	first_seen is seconds since the epoch; the other two times are
 *	offsets in seconds, active = last_seen - first_seen and ttl =
 *	expires - last_seen, except that a record that never expires
 *	(expires 0) has the ttl "-" (ttl 0 is an expiry at last_seen). The
 *	reader hands out absolute times (struct feed_record): the offsets
 *	are the text's only. Records need not be sorted or unique (merging
 *	is idempotent); a publisher writes them in store order (rep_scan),
 *	where neighbours share prefixes, which compresses best. The
 *	trailer's count makes a cut-off file an error even when the cut
 *	falls between lines. Files are named by the SHA-256 of their
 *	compressed bytes (hex) plus FEED_SUFFIX; a partner can produce one
 *	with any tool (zstd, sha256sum). From a table of absolute times,
 *	"subject op category confidence first_seen last_seen expires hits
 *	reason seq", awk -F '\t' writes the record lines (%.0f: mawk prints
 *	numbers above 2^31 as 4.10244e+09, and clamps %d there):
 *	  { ttl = $7 == 0 ? "-" : sprintf("%.0f", $7 - $6);
 *	    printf "%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t%s\n",
 *	        $1, $2, $3, $4, ttl, $5, $6 - $5, $10, $8, $9 }
 *	Why offsets, and why this column order: see the level comment at
 *	struct feed_write_opts.
 *
 * VALIDATION (the reader refuses, the writer will not write)
 *	- subject: rep_subject_parse accepts it and rep_subject_format gives
 *	  the very same text back (canonical form; "Example.COM" and
 *	  "::ffff:192.0.2.1" are refused);
 *	- op, category: the names of rep_op_name, rep_category_name;
 *	- confidence 0-100, hits < 2^32, reason < 2^16, seq within the
 *	  header's range and at least 1;
 *	- times: FEED_TIME_MIN <= first_seen <= last_seen <= generated +
 *	  FEED_CLOCK_SKEW; expires 0 or last_seen <= expires <= FEED_TIME_MAX;
 *	  in the text: no negative offset, ttl "-" or a number, and a sum
 *	  beyond FEED_TIME_MAX is FEED_E_TIME like any time out of range
 *	  (last_seen's fault reported in active's column, expires' in ttl's);
 *	- lines: at most FEED_LINE_MAX bytes, printable ASCII and tabs only.
 *
 * OWNERSHIP
 *	struct feed_writer and struct feed_reader are opaque; *_open pairs
 *	with *_free / *_close, freeing NULL is a no-op. Plain structs are
 *	value types the caller owns. `const char *` arguments are borrowed.
 *
 * THREADS
 *	A writer or reader belongs to one thread at a time; different ones
 *	may be used concurrently. Nothing else keeps state.
 *
 * ERRORS
 *	0 or a negative FEED_E_* code; feed_strerror() names it. On FEED_E_IO
 *	errno tells why. A reader remembers where it failed
 *	(feed_reader_where: line and field) and returns the same error ever
 *	after. Outputs are untouched on failure. Nothing prints or aborts on
 *	bad input.
 *
 * CAVEATS
 *	- Records come one at a time, before the file is known to be whole:
 *	  apply nothing until feed_reader_next has returned 0 (the trailer
 *	  matched, nothing followed, zstd's checksum held).
 *	- The reader checks the file, not its authenticity: verify the
 *	  signature and the manifest's hash (feed_reader_sha256 gives the hash
 *	  of exactly the bytes that were parsed) before applying anything.
 *	- A name is a name: the format cannot tell a host name from a local
 *	  part spelled as labels ("john.doe.example.com"). What keeps people
 *	  out is what the publisher exports: its store's subjects, which are
 *	  connecting addresses and domains, never mail addresses.
 *	- The writer's temporary file (".tmp-XXXXXX" in the target directory)
 *	  is removed by feed_writer_free; a crash leaves it behind.
 *	- A reader holds at most a zstd window of 1 << FEED_WINDOW_LOG_MAX
 *	  bytes; frames needing more (zstd --long, --ultra) are refused.
 *	- Times and limits are passed in by the caller; nothing reads the
 *	  clock.
 */
#ifndef REPSYNC_FEED_H
#define REPSYNC_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "reputation.h"

#if defined(__GNUC__)
#define FEED_MUST_CHECK __attribute__((warn_unused_result))
#else
#define FEED_MUST_CHECK
#endif

enum {
	FEED_OK = 0,
	FEED_E_INVAL = -1,      /* bad argument (or call out of order) */
	FEED_E_NOMEM = -2,      /* out of memory */
	FEED_E_IO = -3,         /* read, write, fsync or rename failed */
	FEED_E_COMPRESS = -4,   /* zstd compression failed */
	FEED_E_DECOMPRESS = -5, /* not zstd, or corrupt compressed data */
	FEED_E_TRUNCATED = -6,  /* the file ends early */
	FEED_E_LIMIT = -7,      /* caller's size or record limit exceeded */
	FEED_E_LINE = -8,       /* line too long, or a byte not allowed */
	FEED_E_HEADER = -9,     /* not a feed, or a bad header line */
	FEED_E_VERSION = -10,   /* written by a newer format version */
	FEED_E_FIELDS = -11,    /* wrong number of fields on a record line */
	FEED_E_SUBJECT = -12,   /* subject invalid or not in canonical form */
	FEED_E_OP = -13,        /* unknown op */
	FEED_E_CATEGORY = -14,  /* unknown category */
	FEED_E_NUMBER = -15,    /* not a number as the format writes them */
	FEED_E_RANGE = -16,     /* confidence, hits, reason out of range */
	FEED_E_TIME = -17,      /* a time out of range or out of order */
	FEED_E_SEQ = -18,       /* sequence number outside the header's range */
	FEED_E_TRAILER = -19,   /* bad trailer line */
	FEED_E_COUNT = -20,     /* trailer count differs from the records */
	FEED_E_TRAILING = -21,  /* data after the trailer */
};

/* feed_strerror - a static, human-readable text for an error code */
const char *feed_strerror(int err);

#define FEED_VERSION 1
#define FEED_SUFFIX ".tsv.zst"
#define FEED_HASH_HEX 65 /* SHA-256 in hex, with NUL */
#define FEED_NAME_MAX (FEED_HASH_HEX + sizeof FEED_SUFFIX - 1)
#define FEED_LINE_MAX 512        /* longest line, without its LF */
#define FEED_TIME_MIN 946684800  /* 2000-01-01T00:00:00Z */
#define FEED_TIME_MAX 4102444800 /* 2100-01-01T00:00:00Z */
#define FEED_CLOCK_SKEW 86400    /* how far past `generated` a time may be */
#define FEED_WINDOW_LOG_MAX 24   /* 16 MiB zstd window */
#define FEED_LEVEL_DEFAULT 1     /* see feed_write_opts.level */

enum feed_kind {
	FEED_SNAPSHOT = 1, /* the publisher's whole first-hand slot */
	FEED_DELTA = 2,    /* records with seq in [seq_lo, seq_hi] */
};

/* feed_kind_name - "snapshot", "delta", or "unknown" */
const char *feed_kind_name(int kind);

/* What the header line says. */
struct feed_header {
	int version;  /* FEED_VERSION when written by us */
	uint8_t kind; /* enum feed_kind */
	char publisher[REP_PUBLISHER_MAX + 1]; /* rep_publisher_valid_name */
	uint64_t epoch;          /* publisher's epoch (a restart from zero) */
	uint64_t seq_lo, seq_hi; /* every record's seq lies in this range */
	int64_t generated;       /* when the file was made */
};

/* One record: a partner slot's fields and nothing else. */
struct feed_record {
	struct rep_subject subject; /* address, prefix, domain, auth domain */
	uint8_t op;                 /* enum rep_op */
	uint8_t category;           /* enum rep_category */
	uint8_t confidence;         /* 0-100 */
	uint16_t reason;            /* publisher's reason code: a number */
	int64_t first_seen, last_seen;
	int64_t expires; /* 0: never */
	uint32_t hits;
	uint64_t seq; /* publisher's sequence number */
};

/* feed_record_check - would the writer take this record under this
 * header? 0, or the error the reader would give; *field (may be NULL)
 * receives the 1-based column at fault */
int feed_record_check(const struct feed_header *h,
        const struct feed_record *rec, unsigned *field) FEED_MUST_CHECK;

/*
 * WRITING
 */
struct feed_writer;

/* The level, and what the format does for it. Measured on 1,000,000
 * records in store order (tests/bench/bench_feed, 2 cores; see
 * tests/bench/RESULTS.md, feed section, 2026-11-21):
 *	text as first written (absolute last_seen and expires, seq last):
 *	  73.9 MB of text, level 1 25.4 MB, level 3 27.0, level 6 25.1,
 *	  level 9 23.9 (writing 0.77 s at level 1, 2.3 s at level 9);
 *	offsets (active, ttl) in that column order: 63.8 MB, 20.7 MB;
 *	this column order: 19.7 MB at level 1, writing 0.73 s, reading
 *	  0.64 s, as fast as before.
 * The digits of first_seen, active and seq are what no level removes;
 * the offsets drop the redundant leading digits of two times, and the
 * column order keeps the few-valued columns (op, category, confidence,
 * ttl: a publisher's policy gives few combinations) in one run and the
 * many-valued numbers in another, so that zstd finds one long match
 * per run instead of several short ones. Writing seq as an offset from
 * seq_lo (3% smaller deltas, no gain on snapshots) and first_seen as
 * an age before `generated` (1%, and negative within the clock skew)
 * did not pay for the less readable text.
 * Every level writes with a 128 KiB window (2^17): matches farther back
 * save less than their offsets cost, so from level 2 up the files are
 * 2.5-5% smaller and no slower to write (level 3 20.5 MB, level 6 19.1
 * MB in 1.2 s, level 9 18.5 MB in 1.6 s instead of 2.0); at level 1 it
 * changes nothing. Reading takes the same time at every level
 * (0.64-0.71 s). Level 1 stays the default: under 20 MB at the old
 * writing speed; level 6 saves 3% more for 1.7 times the writing time. */
struct feed_write_opts {
	int level;   /* zstd level 1-19; 0: FEED_LEVEL_DEFAULT */
	mode_t mode; /* the published file's mode; 0: 0644 */
};

/* What was published. */
struct feed_file {
	char name[FEED_NAME_MAX];   /* hash + FEED_SUFFIX, inside dir */
	char sha256[FEED_HASH_HEX]; /* of the compressed bytes, hex */
	uint64_t size;              /* compressed bytes */
	uint64_t records;
	uint64_t raw_bytes; /* bytes before compression */
};

/* feed_writer_open - start a feed in directory `dir` (a temporary file
 * there; nothing visible under a final name yet). h->version is ignored
 * (FEED_VERSION is written); the rest is checked: kind, publisher name,
 * seq_lo <= seq_hi, generated within the time bounds. opts may be NULL. */
int feed_writer_open(const char *dir, const struct feed_header *h,
        const struct feed_write_opts *opts,
        struct feed_writer **out) FEED_MUST_CHECK;

/* feed_write - add one record. A record that fails feed_record_check is
 * refused with that error and the writer stays usable; an I/O or
 * compression error ends the writer (every later call returns it). */
int feed_write(
        struct feed_writer *w, const struct feed_record *rec) FEED_MUST_CHECK;

/* feed_writer_finish - write the trailer, end the zstd frame, flush, and
 * rename the file to its hash name; *out (may be NULL) describes it. The
 * writer is spent afterwards, whatever the result: free it. */
int feed_writer_finish(
        struct feed_writer *w, struct feed_file *out) FEED_MUST_CHECK;

/* feed_writer_free - free the writer; an unfinished file is removed */
void feed_writer_free(struct feed_writer *w);

/*
 * READING
 */
struct feed_reader;

/* Limits against a decompression bomb; 0 takes the default. */
struct feed_limits {
	uint64_t max_bytes;   /* decompressed bytes; default 2 GiB */
	uint64_t max_records; /* record lines; default 20,000,000 */
};

#define FEED_DEFAULT_MAX_BYTES (2ull << 30)
#define FEED_DEFAULT_MAX_RECORDS 20000000ull

/* feed_reader_open - open a feed file; reads nothing yet. lim may be
 * NULL. Fails only for arguments, memory and opening the file. */
int feed_reader_open(const char *path, const struct feed_limits *lim,
        struct feed_reader **out) FEED_MUST_CHECK;

/* feed_reader_header - read and check the header line (once; later calls
 * return the same header). A newer version is FEED_E_VERSION whatever
 * the rest of the line holds. */
int feed_reader_header(
        struct feed_reader *r, struct feed_header *out) FEED_MUST_CHECK;

/* feed_reader_next - the next record: 1 and *out filled; 0 at the end,
 * after the trailer's count matched and nothing followed it; or an
 * error. Reads the header first if feed_reader_header was not called. */
int feed_reader_next(
        struct feed_reader *r, struct feed_record *out) FEED_MUST_CHECK;

/* feed_reader_where - where the last error was found: the 1-based
 * number of the line being read (for a file cut before its trailer, the
 * line where the trailer was due) and the 1-based field (0: the line as
 * a whole). Either pointer may be NULL. */
void feed_reader_where(
        const struct feed_reader *r, uint64_t *line, unsigned *field);

/* feed_reader_sha256 - the hash (hex) of the compressed bytes read so
 * far: the whole file once feed_reader_next returned 0 */
void feed_reader_sha256(const struct feed_reader *r, char out[FEED_HASH_HEX]);

/* feed_reader_close - close the file and free the reader */
void feed_reader_close(struct feed_reader *r);

#endif /* REPSYNC_FEED_H */
