/*
 * manifest.h - the signed table of contents of a publisher's feed
 * directory (DESIGN.md section 5): which feed files exist, their sizes
 * and hashes, the publisher's epoch, a serial that only grows and a
 * valid-until time; and the plan of which files a receiver applies.
 *
 * PURPOSE
 *	A publisher's directory holds feed files (feed.h) named by their
 *	hash, each with NAME.minisig beside it, and one `manifest` with
 *	`manifest.minisig`. A receiver fetches the manifest first, verifies
 *	it against the partner's pinned key(s), and from its watermark
 *	(epoch, seq) picks the files to fetch (manifest_plan).
 *
 * FORMAT (version 1): ASCII, fields separated by one tab, lines ending
 *	with one LF, like the feed's text:
 *	#repmanifest  version=1  publisher=isp-a  epoch=3  serial=42
 *	              generated=1700000000  valid_until=1700259200
 *	snapshot  <name>  <size>  <sha256>  <seq_lo>-<seq_hi>  <records>
 *	delta     <name>  <size>  <sha256>  <seq_lo>-<seq_hi>  <records>
 *	#end  files=2
 *	Numbers are unsigned decimal without sign or leading zero. A name is
 *	the lower-case hex SHA-256 of the file's bytes plus FEED_SUFFIX, and
 *	its hash is the sha256 field. Files may come in any order.
 *
 * VALIDATION (manifest_parse refuses, manifest_format will not write)
 *	- version 1 (a newer one is MANIFEST_E_VERSION whatever follows it);
 *	  publisher: rep_publisher_valid_name; epoch >= 1, serial >= 1;
 *	- FEED_TIME_MIN <= generated < valid_until <= FEED_TIME_MAX;
 *	- kind snapshot or delta, at most one snapshot; names unique and
 *	  exactly <sha256><FEED_SUFFIX>; size >= 1; seq_lo <= seq_hi;
 *	- the trailer's count equals the file lines, nothing follows it;
 *	- lines of at most MANIFEST_LINE_MAX bytes, printable ASCII and
 *	  tabs only (CR, NUL, other control and 8-bit bytes are refused);
 *	  at most MANIFEST_FILES_MAX files and MANIFEST_BYTES_MAX bytes
 *	  (MANIFEST_E_LIMIT). A list of MANIFEST_FILES_MAX files always
 *	  fits in MANIFEST_BYTES_MAX.
 *
 * OWNERSHIP
 *	struct manifest is a value the caller owns; its file[] is malloc'd
 *	(by manifest_add or manifest_parse) and freed by manifest_free. Start
 *	from a zeroed struct. manifest_format returns malloc'd text the
 *	caller frees. `const char *` arguments are borrowed.
 *
 * THREADS
 *	No shared state: one struct manifest belongs to one thread.
 *
 * ERRORS
 *	0 or a negative MANIFEST_E_* code; manifest_strerror() names it. On
 *	MANIFEST_E_IO errno tells why. manifest_parse reports the 1-based
 *	line at fault (0: not one line's fault). Outputs are untouched on
 *	failure. Nothing prints, exits or aborts on bad input.
 *
 * CAVEATS
 *	- What the manifest says must still be checked by the caller: its
 *	  publisher against the partner's, its serial against the last one
 *	  seen (replay), valid_until and generated against the clock, and
 *	  each fetched file's size, hash and signature. Nothing here reads
 *	  the clock.
 *	- The signature's trusted comment is for people running `minisign
 *	  -V` (publisher, serial); it is not checked: the signed text says
 *	  all of it.
 *	- manifest_write replaces `manifest.minisig`, then `manifest`, each
 *	  atomically. A receiver fetching the two while a publish runs may
 *	  get an old manifest with a new signature (or the reverse): it fails
 *	  verification and is fetched again at the next pull.
 *	- manifest_plan trusts the manifest it is given to be valid (parsed
 *	  or formatted); a wrong epoch order (the partner's epoch going back)
 *	  is the caller's to notice.
 */
#ifndef REPSYNC_MANIFEST_H
#define REPSYNC_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "minisign.h"
#include "reputation.h"

#if defined(__GNUC__)
#define MANIFEST_MUST_CHECK __attribute__((warn_unused_result))
#else
#define MANIFEST_MUST_CHECK
#endif

#define MANIFEST_NAME "manifest"
#define MANIFEST_MAGIC "#repmanifest"
#define MANIFEST_TRAILER "#end"
#define MANIFEST_VERSION 1
#define MANIFEST_FILES_MAX 4096
#define MANIFEST_BYTES_MAX (1u << 20)
#define MANIFEST_LINE_MAX 512 /* longest line, without its LF */

enum {
	MANIFEST_OK = 0,
	MANIFEST_E_INVAL = -1,     /* bad argument, or a manifest not valid */
	MANIFEST_E_NOMEM = -2,     /* out of memory */
	MANIFEST_E_IO = -3,        /* writing a file failed */
	MANIFEST_E_SYNTAX = -4,    /* not a manifest, or a line not valid */
	MANIFEST_E_VERSION = -5,   /* written by a newer format version */
	MANIFEST_E_LIMIT = -6,     /* too many files, or too many bytes */
	MANIFEST_E_SIGNATURE = -7, /* minisign verification failed */
	MANIFEST_E_KEY = -8,       /* signed by a key that is not pinned */
	MANIFEST_E_GAP = -9,       /* no snapshot and no chain of deltas */
};

/* manifest_strerror - a static, human-readable text for an error code */
const char *manifest_strerror(int err);

/* One file listed. */
struct manifest_file {
	uint8_t kind;               /* enum feed_kind */
	char name[FEED_NAME_MAX];   /* sha256 + FEED_SUFFIX */
	char sha256[FEED_HASH_HEX]; /* of the file's bytes, lower-case hex */
	uint64_t size;              /* bytes, at least 1 */
	uint64_t seq_lo, seq_hi;    /* the feed header's range */
	uint64_t records;
};

struct manifest {
	int version; /* MANIFEST_VERSION (manifest_format ignores it) */
	char publisher[REP_PUBLISHER_MAX + 1];
	uint64_t epoch;  /* the publisher's epoch, >= 1 */
	uint64_t serial; /* grows with each manifest, >= 1 */
	int64_t generated, valid_until;
	unsigned nfiles;
	struct manifest_file *file; /* malloc'd, nfiles of them */
};

/* manifest_add - append a copy of *f to m->file (grown as needed). A file
 * that manifest_format would refuse on its own is MANIFEST_E_INVAL (the
 * checks between files, one snapshot and unique names, are format's);
 * more than MANIFEST_FILES_MAX is MANIFEST_E_LIMIT. m->file must be
 * NULL or come from manifest_add or manifest_parse. */
int manifest_add(
        struct manifest *m, const struct manifest_file *f) MANIFEST_MUST_CHECK;

/* manifest_free - free m->file and zero *m; NULL is a no-op */
void manifest_free(struct manifest *m);

/* manifest_format - the manifest's text (malloc'd, NUL-terminated, *len
 * bytes without the NUL). The manifest is checked as manifest_parse
 * would check its text: MANIFEST_E_INVAL if it is not valid,
 * MANIFEST_E_LIMIT if it lists too many files. */
int manifest_format(
        const struct manifest *m, char **text, size_t *len) MANIFEST_MUST_CHECK;

/* manifest_parse - parse len bytes of text (need not be NUL-terminated)
 * into *out, which the caller frees with manifest_free. *line (may be
 * NULL) gets the 1-based line at fault, or 0. */
int manifest_parse(const char *text, size_t len, struct manifest *out,
        unsigned *line) MANIFEST_MUST_CHECK;

/* manifest_write - sign and publish into dir: format, sign (trusted
 * comment naming publisher, epoch and serial), write `manifest.minisig`
 * then `manifest`, each atomically (afile.h) with mode 0644, replacing
 * older ones. A manifest that is not valid writes nothing. */
int manifest_write(const char *dir, const struct manifest *m,
        const struct msign_seckey *sk) MANIFEST_MUST_CHECK;

/* manifest_verify_parse - verify len bytes of text against the signature
 * file's text (sig_len bytes) with 1 to MSIGN_PINNED_MAX pinned keys,
 * then parse it. Nothing is parsed when the signature fails:
 * MANIFEST_E_KEY if no pinned key has the signature's key id,
 * MANIFEST_E_SIGNATURE for any other failure (a bad signature file, a
 * content or trusted comment that does not match). */
int manifest_verify_parse(const char *text, size_t len, const char *sig,
        size_t sig_len, const struct msign_pubkey *keys, size_t nkeys,
        struct manifest *out, unsigned *line) MANIFEST_MUST_CHECK;

/*
 * THE PLAN: which files a receiver whose watermark is (wm_epoch, wm_seq)
 * applies, in order, to reach the highest seq_hi listed (the target).
 *	- Same epoch, wm_seq >= target: nothing (n = 0). Nothing listed:
 *	  nothing either.
 *	- Same epoch and a chain of deltas from wm_seq to the target: the
 *	  first starts at most at wm_seq + 1, each next one at most at the
 *	  previous one's seq_hi + 1. Deltas wholly at or below what is
 *	  applied are skipped; of overlapping ones, the fewest are taken
 *	  (each step the delta reaching furthest).
 *	- Otherwise (another epoch, wm_epoch 0, a gap): the snapshot, then
 *	  a chain of deltas from its seq_hi to the target.
 *	- A plan that cannot reach the target is MANIFEST_E_GAP.
 */
struct manifest_plan {
	unsigned n;
	unsigned idx[MANIFEST_FILES_MAX]; /* into m->file, in order */
	int snapshot; /* 1: idx[0] is the snapshot (resync) */
};

/* manifest_plan - the plan for watermark (wm_epoch, wm_seq) */
int manifest_plan(const struct manifest *m, uint64_t wm_epoch, uint64_t wm_seq,
        struct manifest_plan *out) MANIFEST_MUST_CHECK;

#endif /* REPSYNC_MANIFEST_H */
