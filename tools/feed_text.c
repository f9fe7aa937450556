/*
 * feed_text.c - the text of a feed: header, record and trailer lines,
 * written and parsed by the same rules, so that the writer can only
 * produce what the reader accepts (feed.h, feed_int.h).
 *
 * Decisions made here:
 *	- Numbers are written one way only (no sign, no leading zero, no
 *	  spaces), and only that way is read: two texts never mean the same
 *	  record, and nothing can hide in a number's padding.
 *	- A subject must come back from rep_subject_parse and
 *	  rep_subject_format as the very text that was given. On the write
 *	  side this is what keeps anything but an address, prefix or domain
 *	  out of a feed: a mail address, a display name or a stray tab is not
 *	  a subject and is refused before a byte is written.
 *	- last_seen and expires travel as offsets (active from first_seen,
 *	  ttl from last_seen): most of what made the text compress better
 *	  than absolute times did (feed.h, at struct feed_write_opts). A
 *	  record that never expires has the ttl "-", not 0: ttl 0 is an
 *	  expiry equal to last_seen, which the store allows, so every
 *	  record the writer takes has exactly one text, and a partner's
 *	  script that forgets the special case writes a negative ttl, which
 *	  is refused, instead of silently turning "expires now" into
 *	  "never".
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "feed_int.h"
#include "reputation.h"

#define NUM_DIGITS_MAX 20 /* UINT64_MAX has 20 */

/* feed_strerror - a static, human-readable text for an error code */
const char *feed_strerror(int err)
{
	static const char *const text[] = {
	        [-FEED_OK] = "success",
	        [-FEED_E_INVAL] = "invalid argument",
	        [-FEED_E_NOMEM] = "out of memory",
	        [-FEED_E_IO] = "input/output error",
	        [-FEED_E_COMPRESS] = "zstd compression failed",
	        [-FEED_E_DECOMPRESS] =
	                "not zstd data, or corrupt compressed data",
	        [-FEED_E_TRUNCATED] = "feed ends early (truncated file)",
	        [-FEED_E_LIMIT] = "feed exceeds the size or record limit",
	        [-FEED_E_LINE] = "line too long or holds a byte not allowed",
	        [-FEED_E_HEADER] = "not a feed, or a bad header line",
	        [-FEED_E_VERSION] = "feed written by a newer format version",
	        [-FEED_E_FIELDS] = "wrong number of fields on a record line",
	        [-FEED_E_SUBJECT] = "subject invalid or not in canonical form",
	        [-FEED_E_OP] = "unknown op",
	        [-FEED_E_CATEGORY] = "unknown category",
	        [-FEED_E_NUMBER] = "not a number in the feed's form",
	        [-FEED_E_RANGE] = "number out of range",
	        [-FEED_E_TIME] = "time out of range or out of order",
	        [-FEED_E_SEQ] = "sequence number outside the header's range",
	        [-FEED_E_TRAILER] = "bad trailer line",
	        [-FEED_E_COUNT] = "trailer count differs from the records read",
	        [-FEED_E_TRAILING] = "data after the trailer",
	};

	if (err > 0 || -err >= (int)(sizeof text / sizeof text[0]))
		return "unknown error";
	return text[-err];
}

/* feed_kind_name - "snapshot", "delta", or "unknown" */
const char *feed_kind_name(int kind)
{
	if (kind == FEED_SNAPSHOT)
		return "snapshot";
	if (kind == FEED_DELTA)
		return "delta";
	return "unknown";
}

/* kind_parse - the kind named, or 0 */
static int kind_parse(const char *name)
{
	if (strcmp(name, "snapshot") == 0)
		return FEED_SNAPSHOT;
	if (strcmp(name, "delta") == 0)
		return FEED_DELTA;
	return 0;
}

/* put_u64 - write v in decimal at p; returns the digits written. Faster
 * than snprintf, which matters at a million records. */
static size_t put_u64(char *p, uint64_t v)
{
	char tmp[NUM_DIGITS_MAX];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

/* num_parse - a number as put_u64 writes it: FEED_E_NUMBER if written
 * any other way, FEED_E_RANGE if above max */
static int num_parse(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > NUM_DIGITS_MAX || (s[0] == '0' && n > 1))
		return FEED_E_NUMBER;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (d > 9)
			return FEED_E_NUMBER;
		if (v > (UINT64_MAX - d) / 10)
			return FEED_E_RANGE;
		v = v * 10 + d;
	}
	if (v > max)
		return FEED_E_RANGE;
	*out = v;
	return 0;
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

/* key_value - the value of "key=value", or NULL if the key differs */
static const char *key_value(const char *field, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(field, key, n) != 0 || field[n] != '=')
		return NULL;
	return field + n + 1;
}

/* subject_text - the canonical text of a subject, or FEED_E_SUBJECT if
 * the subject has no text that parses back to the same text */
static int subject_text(const struct rep_subject *s, char *buf, size_t *n)
{
	char again[REP_SUBJECT_TEXT_MAX];
	struct rep_subject back;
	size_t len = rep_subject_format(s, buf, REP_SUBJECT_TEXT_MAX);

	if (len == 0 || len >= REP_SUBJECT_TEXT_MAX)
		return FEED_E_SUBJECT;
	if (rep_subject_parse(buf, &back) != 0)
		return FEED_E_SUBJECT;
	rep_subject_format(&back, again, sizeof again);
	if (strcmp(buf, again) != 0)
		return FEED_E_SUBJECT;
	*n = len;
	return 0;
}

/* subject_parse - a subject given in canonical form, nothing else */
static int subject_parse(const char *text, struct rep_subject *out)
{
	char again[REP_SUBJECT_TEXT_MAX];
	struct rep_subject s;

	if (rep_subject_parse(text, &s) != 0)
		return FEED_E_SUBJECT;
	rep_subject_format(&s, again, sizeof again);
	if (strcmp(text, again) != 0)
		return FEED_E_SUBJECT;
	*out = s;
	return 0;
}

/* fail_at - note the column at fault and return the error */
static int fail_at(unsigned *field, unsigned at, int err)
{
	if (field != NULL)
		*field = at;
	return err;
}

/* time_in_range - within the format's plausible era */
static int time_in_range(int64_t t)
{
	return t >= FEED_TIME_MIN && t <= FEED_TIME_MAX;
}

/* times_check - first_seen <= last_seen <= generated + skew, and an
 * expiry, if any, not before last_seen; a fault in last_seen is
 * reported in active's column, one in expires in ttl's */
static int times_check(const struct feed_header *h, const struct feed_record *r,
        unsigned *field)
{
	if (!time_in_range(r->first_seen))
		return fail_at(field, FEED_F_FIRST_SEEN, FEED_E_TIME);
	if (!time_in_range(r->last_seen) || r->last_seen < r->first_seen ||
	        r->last_seen > h->generated + FEED_CLOCK_SKEW)
		return fail_at(field, FEED_F_ACTIVE, FEED_E_TIME);
	if (r->expires != 0 &&
	        (r->expires < r->last_seen || r->expires > FEED_TIME_MAX))
		return fail_at(field, FEED_F_TTL, FEED_E_TIME);
	return 0;
}

/* values_check - every field but the subject and the times */
static int values_check(const struct feed_header *h,
        const struct feed_record *r, unsigned *field)
{
	/* A value is valid if its name parses back to it: the feed can
	 * only carry what the store's name tables know. */
	if (rep_op_parse(rep_op_name(r->op)) != r->op)
		return fail_at(field, FEED_F_OP, FEED_E_OP);
	if (rep_category_parse(rep_category_name(r->category)) != r->category)
		return fail_at(field, FEED_F_CATEGORY, FEED_E_CATEGORY);
	if (r->confidence > 100)
		return fail_at(field, FEED_F_CONFIDENCE, FEED_E_RANGE);
	if (r->seq == 0 || r->seq < h->seq_lo || r->seq > h->seq_hi)
		return fail_at(field, FEED_F_SEQ, FEED_E_SEQ);
	return times_check(h, r, field);
}

/* feed_record_check - would the writer take this record? */
int feed_record_check(const struct feed_header *h,
        const struct feed_record *rec, unsigned *field)
{
	char text[REP_SUBJECT_TEXT_MAX];
	size_t n;

	if (h == NULL || rec == NULL)
		return fail_at(field, 0, FEED_E_INVAL);
	if (subject_text(&rec->subject, text, &n) != 0)
		return fail_at(field, FEED_F_SUBJECT, FEED_E_SUBJECT);
	return values_check(h, rec, field);
}

/* put_field - a tab, then a number */
static size_t put_field(char *p, uint64_t v)
{
	*p = '\t';
	return 1 + put_u64(p + 1, v);
}

/* put_name - a tab, then a name */
static size_t put_name(char *p, const char *name)
{
	size_t n = strlen(name);

	*p = '\t';
	memcpy(p + 1, name, n);
	return n + 1;
}

/* feed_record_format - check a record and write its line */
int feed_record_format(const struct feed_header *h, const struct feed_record *r,
        char *buf, size_t *n, unsigned *field)
{
	size_t len;
	int err;

	if (subject_text(&r->subject, buf, &len) != 0)
		return fail_at(field, FEED_F_SUBJECT, FEED_E_SUBJECT);
	if ((err = values_check(h, r, field)) != 0)
		return err;
	/* values_check made both offsets non-negative. */
	len += put_name(buf + len, rep_op_name(r->op));
	len += put_name(buf + len, rep_category_name(r->category));
	len += put_field(buf + len, r->confidence);
	if (r->expires == 0)
		len += put_name(buf + len, FEED_NEVER);
	else
		len += put_field(
		        buf + len, (uint64_t)(r->expires - r->last_seen));
	len += put_field(buf + len, (uint64_t)r->first_seen);
	len += put_field(buf + len, (uint64_t)(r->last_seen - r->first_seen));
	len += put_field(buf + len, r->seq);
	len += put_field(buf + len, r->hits);
	len += put_field(buf + len, r->reason);
	buf[len++] = '\n';
	*n = len;
	return 0;
}

/* parse_names - subject, op and category of a record line */
static int parse_names(char **f, struct feed_record *r, unsigned *field)
{
	int v;

	if (subject_parse(f[0], &r->subject) != 0)
		return fail_at(field, FEED_F_SUBJECT, FEED_E_SUBJECT);
	if ((v = rep_op_parse(f[1])) < 0)
		return fail_at(field, FEED_F_OP, FEED_E_OP);
	r->op = (uint8_t)v;
	if ((v = rep_category_parse(f[2])) < 0)
		return fail_at(field, FEED_F_CATEGORY, FEED_E_CATEGORY);
	r->category = (uint8_t)v;
	return 0;
}

/* number_error - the error for a number that did not parse: a time
 * beyond the era is a bad time, not merely a big number */
static int number_error(unsigned col, int err)
{
	int is_time = col >= FEED_F_TTL && col <= FEED_F_ACTIVE;

	return err == FEED_E_RANGE && is_time ? FEED_E_TIME : err;
}

/* parse_numbers - the numeric columns, each against its type's range,
 * and the absolute times they give: last_seen = first_seen + active,
 * expires = last_seen + ttl, or 0 for FEED_NEVER. The bounds keep the
 * sums far from overflow; whether the times are plausible is
 * times_check's. */
static int parse_numbers(char **f, struct feed_record *r, unsigned *field)
{
	static const uint64_t max[FEED_NFIELDS] = {
	        [FEED_F_CONFIDENCE - 1] = 100,
	        [FEED_F_TTL - 1] = FEED_SPAN_MAX,
	        [FEED_F_FIRST_SEEN - 1] = FEED_TIME_MAX,
	        [FEED_F_ACTIVE - 1] = FEED_SPAN_MAX,
	        [FEED_F_SEQ - 1] = UINT64_MAX,
	        [FEED_F_HITS - 1] = UINT32_MAX,
	        [FEED_F_REASON - 1] = UINT16_MAX,
	};
	uint64_t v[FEED_NFIELDS];
	int never = strcmp(f[FEED_F_TTL - 1], FEED_NEVER) == 0;
	unsigned i;
	int err;

	v[FEED_F_TTL - 1] = 0;
	for (i = FEED_F_CONFIDENCE; i <= FEED_F_REASON; i++) {
		if (i == FEED_F_TTL && never)
			continue;
		if ((err = num_parse(f[i - 1], max[i - 1], &v[i - 1])) != 0)
			return fail_at(field, i, number_error(i, err));
	}
	r->confidence = (uint8_t)v[FEED_F_CONFIDENCE - 1];
	r->first_seen = (int64_t)v[FEED_F_FIRST_SEEN - 1];
	r->last_seen = r->first_seen + (int64_t)v[FEED_F_ACTIVE - 1];
	r->expires = never ? 0 : r->last_seen + (int64_t)v[FEED_F_TTL - 1];
	r->seq = v[FEED_F_SEQ - 1];
	r->hits = (uint32_t)v[FEED_F_HITS - 1];
	r->reason = (uint16_t)v[FEED_F_REASON - 1];
	return 0;
}

/* feed_record_parse - parse and check a record line */
int feed_record_parse(const struct feed_header *h, char *line,
        struct feed_record *rec, unsigned *field)
{
	char *f[FEED_NFIELDS];
	struct feed_record r;
	int err;

	memset(&r, 0, sizeof r);
	if (split(line, f, FEED_NFIELDS) != FEED_NFIELDS)
		return fail_at(field, 0, FEED_E_FIELDS);
	if ((err = parse_names(f, &r, field)) != 0 ||
	        (err = parse_numbers(f, &r, field)) != 0 ||
	        (err = values_check(h, &r, field)) != 0)
		return err;
	*rec = r;
	return 0;
}

/* feed_header_check - kind, publisher, sequence range, generation time */
int feed_header_check(const struct feed_header *h, unsigned *field)
{
	if (h->kind != FEED_SNAPSHOT && h->kind != FEED_DELTA)
		return fail_at(field, 3, FEED_E_HEADER);
	if (!rep_publisher_valid_name(h->publisher))
		return fail_at(field, 4, FEED_E_HEADER);
	if (h->seq_lo > h->seq_hi)
		return fail_at(field, 6, FEED_E_HEADER);
	if (!time_in_range(h->generated))
		return fail_at(field, 7, FEED_E_HEADER);
	return 0;
}

/* feed_header_format - the header line with its LF */
size_t feed_header_format(const struct feed_header *h, char *buf, size_t len)
{
	int n = snprintf(buf, len,
	        FEED_MAGIC
	        "\tversion=%d\tkind=%s\tpublisher=%s\tepoch=%llu"
	        "\tseq=%llu-%llu\tgenerated=%lld\tfields=" FEED_FIELDS "\n",
	        FEED_VERSION, feed_kind_name(h->kind), h->publisher,
	        (unsigned long long)h->epoch, (unsigned long long)h->seq_lo,
	        (unsigned long long)h->seq_hi, (long long)h->generated);

	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

/* header_version - the version field; a newer version is reported as
 * such before anything else on the line is looked at, since a newer
 * format may lay its header out differently */
static int header_version(const char *f, struct feed_header *h)
{
	const char *v = key_value(f, "version");
	uint64_t n;

	if (v == NULL || num_parse(v, UINT64_MAX, &n) != 0 || n == 0)
		return FEED_E_HEADER;
	if (n > FEED_VERSION)
		return FEED_E_VERSION;
	h->version = (int)n;
	return 0;
}

/* header_seq - "LO-HI" */
static int header_seq(const char *v, struct feed_header *h)
{
	char lo[NUM_DIGITS_MAX + 1];
	const char *dash = v == NULL ? NULL : strchr(v, '-');

	if (dash == NULL || (size_t)(dash - v) > NUM_DIGITS_MAX)
		return FEED_E_HEADER;
	memcpy(lo, v, (size_t)(dash - v));
	lo[dash - v] = '\0';
	if (num_parse(lo, UINT64_MAX, &h->seq_lo) != 0 ||
	        num_parse(dash + 1, UINT64_MAX, &h->seq_hi) != 0)
		return FEED_E_HEADER;
	return 0;
}

/* header_fields - the key=value fields after the version; the first that
 * fails gives its column */
static int header_fields(char **f, struct feed_header *h, unsigned *field)
{
	const char *v;
	uint64_t n;

	v = key_value(f[2], "kind");
	if (v == NULL || (h->kind = (uint8_t)kind_parse(v)) == 0)
		return fail_at(field, 3, FEED_E_HEADER);
	v = key_value(f[3], "publisher");
	if (v == NULL || !rep_publisher_valid_name(v))
		return fail_at(field, 4, FEED_E_HEADER);
	memcpy(h->publisher, v, strlen(v) + 1);
	v = key_value(f[4], "epoch");
	if (v == NULL || num_parse(v, UINT64_MAX, &h->epoch) != 0)
		return fail_at(field, 5, FEED_E_HEADER);
	if (header_seq(key_value(f[5], "seq"), h) != 0)
		return fail_at(field, 6, FEED_E_HEADER);
	v = key_value(f[6], "generated");
	if (v == NULL || num_parse(v, FEED_TIME_MAX, &n) != 0)
		return fail_at(field, 7, FEED_E_HEADER);
	h->generated = (int64_t)n;
	v = key_value(f[7], "fields");
	if (v == NULL || strcmp(v, FEED_FIELDS) != 0)
		return fail_at(field, 8, FEED_E_HEADER);
	return feed_header_check(h, field);
}

/* feed_header_parse - parse a header line */
int feed_header_parse(char *line, struct feed_header *out, unsigned *field)
{
	char *f[8];
	struct feed_header h;
	size_t n;
	int err;

	memset(&h, 0, sizeof h);
	n = split(line, f, 8);
	if (strcmp(f[0], FEED_MAGIC) != 0)
		return fail_at(field, 1, FEED_E_HEADER);
	if (n < 2)
		return fail_at(field, 0, FEED_E_HEADER);
	if ((err = header_version(f[1], &h)) != 0)
		return fail_at(field, 2, err);
	if (n != 8)
		return fail_at(field, 0, FEED_E_HEADER);
	if ((err = header_fields(f, &h, field)) != 0)
		return err;
	*out = h;
	return 0;
}

/* feed_trailer_format - "#end\trecords=N\n" */
size_t feed_trailer_format(uint64_t records, char *buf, size_t len)
{
	int n = snprintf(buf, len, FEED_TRAILER "\trecords=%llu\n",
	        (unsigned long long)records);

	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

/* feed_trailer_parse - the count a trailer line gives */
int feed_trailer_parse(char *line, uint64_t *records, unsigned *field)
{
	char *f[2];
	const char *v;

	if (split(line, f, 2) != 2 || strcmp(f[0], FEED_TRAILER) != 0)
		return fail_at(field, 0, FEED_E_TRAILER);
	v = key_value(f[1], "records");
	if (v == NULL || num_parse(v, UINT64_MAX, records) != 0)
		return fail_at(field, 2, FEED_E_TRAILER);
	return 0;
}

/* feed_line_check - only printable ASCII and tabs */
int feed_line_check(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return FEED_E_LINE;
	}
	return 0;
}
