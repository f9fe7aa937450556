/*
 * plainlist.h - plain lists as partners and list operators write them: an
 * rbldnsd dataset (ip4set, ip4tset, ip4trie, ip6tset, ip6trie, dnset,
 * mixed line by line) or a CIDR list (one address or prefix a line).
 *
 * PURPOSE
 *	One parser for every plain list that enters the store: "repctl
 *	import" reads files line by line with plainlist_parse_line, repsync
 *	pulls partners with `format = rbldnsd | cidr` and parses the fetched
 *	text whole with plainlist_parse. Entries become subjects in
 *	canonical form; values, comments and directives are skipped.
 *
 * FORMATS
 *	cidr	one IPv4 or IPv6 address or CIDR prefix a line, optionally
 *		followed by blanks and a "#" comment; "#" lines and blank
 *		lines are skipped. Nothing else is accepted.
 *	rbldnsd	the entries of an rbldnsd dataset body:
 *		192.0.2.1  192.0.2.0/24		address, prefix
 *		10.1  10.1.2			abbreviated prefix (/16, /24)
 *		10.0.0.0-10.0.1.255  127.16-31	range: the fewest prefixes
 *						that cover it exactly
 *		2001:db8:1:2  2001:db8:c000/36	IPv6, trailing zero groups
 *						dropped (a /64, a /36)
 *		example.com .example.com *.example.com	dnset names
 *		An entry may be followed by its value (":127.0.0.2:text",
 *		after blanks or directly after an IPv4 entry or a name) and
 *		by a "#" or ";" comment. Skipped lines: "#" and ";"
 *		comments, "$" directives ($TTL, $SOA, $NS ...) and ":" lines
 *		(the dataset's default value; "::1" is an entry).
 *
 * OWNERSHIP
 *	struct plainlist_line and struct plainlist_error are value types the
 *	caller owns; error texts are static. Text passed in is borrowed and
 *	never modified.
 *
 * THREADS
 *	No state: every function may run in any thread.
 *
 * ERRORS
 *	0 or a negative PLAINLIST_E_* code; plainlist_strerror() names it.
 *	A bad line also gets a static, specific message and the offending
 *	text (printable, shortened) in the line or error struct, and, for
 *	plainlist_parse, its 1-based line number.
 *
 * CAVEATS
 *	- Exclusions ("!192.0.2.5") are refused as an error, not honoured:
 *	  the store has no negative entries, and ignoring one would list
 *	  what the publisher meant to leave out.
 *	- ip6tset serves /64s; an entry written as a whole address
 *	  ("2001:db8::1") is taken as that address (/128), not its /64. The
 *	  short form ("2001:db8:0:1") is a /64 as rbldnsd means it.
 *	- The rbldnsd format accepts every dataset's entries on any line; it
 *	  does not check that a file holds one dataset type.
 *	- Bogons, public suffixes and prefix widths are not judged here: that
 *	  is trust.h's job for partners, and the operator's for imports.
 */
#ifndef REPSYNC_PLAINLIST_H
#define REPSYNC_PLAINLIST_H

#include <stddef.h>

#include "reputation.h"

#if defined(__GNUC__)
#define PLAINLIST_MUST_CHECK __attribute__((warn_unused_result))
#else
#define PLAINLIST_MUST_CHECK
#endif

enum {
	PLAINLIST_OK = 0,
	PLAINLIST_E_INVAL = -1,  /* bad argument */
	PLAINLIST_E_SYNTAX = -2, /* a line is not a valid entry */
	PLAINLIST_E_LINE = -3,   /* a line too long or holding a NUL byte */
	PLAINLIST_E_LIMIT = -4,  /* more lines or entries than allowed */
	PLAINLIST_E_NOMEM = -5,  /* out of memory */
};

/* plainlist_strerror - a static, human-readable text for an error code */
const char *plainlist_strerror(int err);

enum plainlist_format {
	PLAINLIST_CIDR = 1,    /* one address or CIDR prefix a line */
	PLAINLIST_RBLDNSD = 2, /* rbldnsd dataset lines (see FORMATS) */
};

/* plainlist_format_parse - "cidr" or "rbldnsd" to its value, else
 * PLAINLIST_E_INVAL */
int plainlist_format_parse(const char *name);

/* plainlist_format_name - "cidr", "rbldnsd" or "unknown" */
const char *plainlist_format_name(int fmt);

#define PLAINLIST_LINE_MAX 4096 /* longest line, without its newline */
#define PLAINLIST_RANGE_MAX 64  /* prefixes one line may give (62 needed) */
#define PLAINLIST_TOKEN_MAX 80  /* offending text kept for a message */

/* What one line holds: nothing, or up to PLAINLIST_RANGE_MAX subjects
 * (more than one only for an IPv4 range). */
struct plainlist_line {
	unsigned n;
	struct rep_subject s[PLAINLIST_RANGE_MAX];
	const char *error;                /* bad line: static text */
	char token[PLAINLIST_TOKEN_MAX];  /* bad line: the text at fault,
	                                     or "" when the line as a whole */
	char buf[PLAINLIST_LINE_MAX + 1]; /* scratch copy of the line */
};

/* plainlist_parse_line - parse one line of `len` bytes (without its
 * newline; need not be NUL-terminated). `len` may exceed
 * PLAINLIST_LINE_MAX, for a reader that kept only the start of a long
 * line: such a line is PLAINLIST_E_LINE and only its length is used.
 * Returns 0 with out->n subjects (0: blank, comment or directive), or
 * PLAINLIST_E_LINE / PLAINLIST_E_SYNTAX with out->error and out->token
 * set and out->n 0. */
int plainlist_parse_line(enum plainlist_format fmt, const char *line,
        size_t len, struct plainlist_line *out) PLAINLIST_MUST_CHECK;

/* Bounds of a whole-text parse; 0 takes the default. */
struct plainlist_limits {
	size_t max_lines;   /* default PLAINLIST_DEFAULT_MAX_LINES */
	size_t max_entries; /* subjects given to the callback; same default */
};

#define PLAINLIST_DEFAULT_MAX_LINES 20000000u

/* Where a whole-text parse stopped. */
struct plainlist_error {
	unsigned long line; /* 1-based; 0 if no line was at fault */
	const char *error;  /* static text, NULL if none */
	char token[PLAINLIST_TOKEN_MAX];
};

/* plainlist_fn - called once per subject, in file order; a non-zero
 * return stops the parse, which returns that value unchanged (use
 * positive values, or codes that cannot be mistaken for ours) */
typedef int (*plainlist_fn)(const struct rep_subject *s, void *arg);

/* plainlist_parse - parse a whole list held in memory (`len` bytes; a
 * last line without a newline counts; CR before LF is a blank). Stops at
 * the first bad line: PLAINLIST_E_SYNTAX or PLAINLIST_E_LINE, and
 * PLAINLIST_E_LIMIT past a limit, with *err (may be NULL) saying where.
 * Subjects already passed to fn are not taken back: collect them and
 * apply nothing until this returns 0. lim may be NULL. */
int plainlist_parse(const char *text, size_t len, enum plainlist_format fmt,
        const struct plainlist_limits *lim, plainlist_fn fn, void *arg,
        struct plainlist_error *err) PLAINLIST_MUST_CHECK;

#endif /* REPSYNC_PLAINLIST_H */
