/*
 * feed_int.h - what feed_write.c and feed_read.c share from
 * feed_text.c: the text of header, record and trailer lines, both ways.
 * Internal to librepsync; the public interface is feed.h.
 */
#ifndef REPSYNC_FEED_INT_H
#define REPSYNC_FEED_INT_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"

#define FEED_MAGIC "#repfeed"
#define FEED_TRAILER "#end"
#define FEED_FIELDS                                                            \
	"subject,op,category,confidence,ttl,first_seen,active,seq,hits,"       \
	"reason"
#define FEED_NFIELDS 10
#define FEED_NEVER "-" /* the ttl of a record that never expires */
/* The longest span a time offset (ttl, active) can have: from the
 * earliest time to the latest the format knows. */
#define FEED_SPAN_MAX (FEED_TIME_MAX - FEED_TIME_MIN)

/* Column numbers of a record line, for error reports. A time that is
 * out of range or out of order is reported in the column that carries
 * it: last_seen in active's, expires in ttl's. */
enum {
	FEED_F_SUBJECT = 1,
	FEED_F_OP,
	FEED_F_CATEGORY,
	FEED_F_CONFIDENCE,
	FEED_F_TTL,        /* expires - last_seen, or FEED_NEVER */
	FEED_F_FIRST_SEEN, /* absolute */
	FEED_F_ACTIVE,     /* last_seen - first_seen */
	FEED_F_SEQ,
	FEED_F_HITS,
	FEED_F_REASON,
};

/* feed_header_check - kind, publisher, sequence range, generation time;
 * *field gets the header column at fault */
int feed_header_check(const struct feed_header *h, unsigned *field);

/* feed_header_format - the header line with its LF; returns its length,
 * or 0 if it does not fit */
size_t feed_header_format(const struct feed_header *h, char *buf, size_t len);

/* feed_header_parse - parse a header line (no LF, NUL-terminated,
 * modified in place) */
int feed_header_parse(char *line, struct feed_header *h, unsigned *field);

/* feed_record_format - check the record and write its line with the LF
 * into buf (at least FEED_LINE_MAX + 1 bytes); *n gets the length */
int feed_record_format(const struct feed_header *h,
        const struct feed_record *rec, char *buf, size_t *n, unsigned *field);

/* feed_record_parse - parse and check a record line (no LF, NUL-ended,
 * modified in place) */
int feed_record_parse(const struct feed_header *h, char *line,
        struct feed_record *rec, unsigned *field);

/* feed_trailer_format - the trailer line with its LF; returns its length */
size_t feed_trailer_format(uint64_t records, char *buf, size_t len);

/* feed_trailer_parse - the count a trailer line gives */
int feed_trailer_parse(char *line, uint64_t *records, unsigned *field);

/* feed_line_check - only printable ASCII and tabs (CR, NUL, 8-bit and
 * other control bytes are refused with FEED_E_LINE) */
int feed_line_check(const char *line, size_t len);

#endif /* REPSYNC_FEED_INT_H */
