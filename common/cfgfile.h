/*
 * cfgfile.h - the `key = value` configuration format every program uses:
 * a line reader, a table of typed options that fills the caller's struct,
 * and error collection. Depends on libc alone.
 *
 * FORMAT
 *	One `key = value` a line. Blank lines and lines whose first non-blank
 *	character is '#' are ignored; in an unquoted value '#' starts a
 *	comment and blanks around the value are dropped. A value may be
 *	written "..." to keep blanks, '#' or '"'; inside quotes \" is a quote
 *	and \\ a backslash, and nothing but blanks and a comment may follow
 *	the closing quote. A quote inside an unquoted value is an error. Keys
 *	are [a-z0-9_]. Lines end with LF or CRLF; a line longer than
 *	CFGFILE_LINE_MAX bytes, a NUL byte or another control character
 *	(except tab) is an error.
 *
 * TYPES
 *	string (char *, malloc'd), bool (yes/no/true/false/on/off/1/0),
 *	unsigned (decimal), double, double-or-"off" (NaN), durations (a whole
 *	number with an optional unit ms, s, m, h, d; a bare number is seconds)
 *	stored in seconds or in milliseconds, and custom rows that bring their
 *	own parse, format and release functions.
 *
 * ERRORS
 *	Every error found is one line "FILE:LINE: message" (or "FILE: message"
 *	when no line is to blame) in the caller's buffer, each line ending
 *	in '\n', so the buffer prints as it is. Lines that do not fit are
 *	counted, not written. Nothing is printed.
 *
 * OWNERSHIP
 *	The table is static data of the caller. Strings a row stores belong to
 *	the caller's struct; cfgfile_release frees them. A failed
 *	cfgfile_set leaves the field as it was.
 *
 * THREADS
 *	No globals; functions are safe on distinct objects.
 */
#ifndef COMMON_CFGFILE_H
#define COMMON_CFGFILE_H

#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__)
#define CFGFILE_MUST_CHECK __attribute__((warn_unused_result))
#define CFGFILE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CFGFILE_MUST_CHECK
#define CFGFILE_PRINTF(a, b)
#endif

#define CFGFILE_LINE_MAX 8192 /* bytes of one line, without its newline */
#define CFGFILE_WHY_MAX 512   /* a reason a value is bad */

enum cfgfile_type {
	CFGFILE_STRING = 1, /* char *; row's check (if any) validates */
	CFGFILE_BOOL,       /* int 0 or 1 */
	CFGFILE_UINT,       /* unsigned in [min, max] */
	CFGFILE_DOUBLE,     /* double in [min, max] */
	CFGFILE_DOUBLE_OFF, /* double in [min, max], or "off": NaN */
	CFGFILE_SECONDS,    /* unsigned seconds in [min, max] */
	CFGFILE_MILLIS,     /* unsigned milliseconds in [min, max] */
	CFGFILE_CUSTOM,     /* parse, format and release below */
};

struct cfgfile_option;

/* Hooks of a row; `obj` is the caller's struct. parse returns 0, or -1
 * with a reason in `why` and the object untouched. format writes the
 * value as the file would hold it (unquoted) and returns 0, -1 if it did
 * not fit. */
typedef int (*cfgfile_check_fn)(const char *value, char *why, size_t len);
typedef int (*cfgfile_parse_fn)(const struct cfgfile_option *o, void *obj,
        const char *value, char *why, size_t len);
typedef int (*cfgfile_format_fn)(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len);
typedef void (*cfgfile_release_fn)(const struct cfgfile_option *o, void *obj);

/* One option: a row of the table. */
struct cfgfile_option {
	const char *name;
	enum cfgfile_type type;
	const char *def;            /* the default, as written in a file */
	double min, max;            /* numbers and durations (stored unit) */
	size_t offset;              /* of the field in the caller's struct */
	cfgfile_check_fn check;     /* CFGFILE_STRING, optional */
	cfgfile_parse_fn parse;     /* CFGFILE_CUSTOM */
	cfgfile_format_fn format;   /* CFGFILE_CUSTOM */
	cfgfile_release_fn release; /* CFGFILE_CUSTOM, optional */
};

/* Where errors go. */
struct cfgfile_errors {
	const char *path; /* the FILE of "FILE:LINE: message" */
	char *buf;        /* may be NULL: errors are only counted */
	size_t len;
	size_t used;
	unsigned count; /* errors found, written or not */
};

/* cfgfile_errors_init - collect errors about `path` into buf[len] */
void cfgfile_errors_init(
        struct cfgfile_errors *e, const char *path, char *buf, size_t len);

/* cfgfile_error - add one error; `line` 0 means none */
void cfgfile_error(struct cfgfile_errors *e, unsigned line, const char *fmt,
        ...) CFGFILE_PRINTF(3, 4);

/* Called for each well-formed `key = value` line, in file order. */
typedef void (*cfgfile_pair_fn)(
        void *arg, const char *key, const char *value, unsigned line);

/* cfgfile_read - read `path` line by line, giving each pair to `fn` and
 * adding syntax errors (and an unreadable file) to `e`; carries on after
 * a bad line so every error is found. Returns 0 when the file was read
 * without an error, else -1. */
int cfgfile_read(const char *path, cfgfile_pair_fn fn, void *arg,
        struct cfgfile_errors *e);

/* cfgfile_find - the index of option `name` in table[n], or -1 */
int cfgfile_find(
        const struct cfgfile_option *table, unsigned n, const char *name);

/* cfgfile_set - parse `value` into the row's field of `obj` */
int cfgfile_set(const struct cfgfile_option *o, void *obj, const char *value,
        char *why, size_t len) CFGFILE_MUST_CHECK;

/* cfgfile_defaults - set every row to its default; a default that does
 * not parse is an error of the table, reported as "PATH: name: why" */
int cfgfile_defaults(const struct cfgfile_option *table, unsigned n, void *obj,
        struct cfgfile_errors *e) CFGFILE_MUST_CHECK;

/* cfgfile_load - read `path` into `obj` (defaults already set): unknown
 * keys, repeated keys and bad values are errors. `lines` (n entries, may
 * be NULL) gets the line each option was set on, 0 for a default.
 * Returns 0 or -1 when `e` got an error. */
int cfgfile_load(const struct cfgfile_option *table, unsigned n, void *obj,
        const char *path, unsigned *lines,
        struct cfgfile_errors *e) CFGFILE_MUST_CHECK;

/* cfgfile_format - the row's value as it would be written, unquoted;
 * 0, or -1 if it does not fit */
int cfgfile_format(
        const struct cfgfile_option *o, const void *obj, char *buf, size_t len);

/* cfgfile_print - every row as `key = value`, in table order, quoted where
 * needed: the output reads back to the same values */
void cfgfile_print(const struct cfgfile_option *table, unsigned n,
        const void *obj, FILE *fp);

/* cfgfile_release - free what the rows of `obj` hold (strings, custom
 * release); the pointers are left NULL */
void cfgfile_release(const struct cfgfile_option *table, unsigned n, void *obj);

/* cfgfile_release_string - a release hook for custom rows whose field is
 * a malloc'd char * */
void cfgfile_release_string(const struct cfgfile_option *o, void *obj);

/* A network: the value of options that list networks. */
struct cfgfile_net {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network byte order, host bits zero */
	unsigned plen;
};

/* cfgfile_parse_net - the n bytes at `text`, "ADDR" or "ADDR/LEN", IPv4
 * or IPv6, into *net. An IPv4-mapped IPv6 network (::ffff:a.b.c.d/LEN,
 * LEN >= 96) becomes the IPv4 one. Bits set past LEN are an error whose
 * reason names the network meant. *net is untouched on error. */
int cfgfile_parse_net(const char *text, size_t n, struct cfgfile_net *net,
        char *why, size_t len) CFGFILE_MUST_CHECK;

/* cfgfile_net_match - the first plen bits of addr and net agree */
int cfgfile_net_match(
        const unsigned char *addr, const unsigned char *net, unsigned plen);

/* cfgfile_format_duration - `ms` in the largest unit that is exact
 * ("90s", "5m", "500ms", "0s"); returns snprintf's */
int cfgfile_format_duration(unsigned long long ms, char *buf, size_t len);

/* cfgfile_format_double - the shortest decimal that reads back to `v`;
 * returns snprintf's */
int cfgfile_format_double(double v, char *buf, size_t len);

#endif /* COMMON_CFGFILE_H */
