/*
 * trust.h - what a partner's records must pass before they touch our
 * store (the trust rules), and when a whole feed file is held back for
 * the operator instead (the quarantine heuristics).
 *
 * PURPOSE
 *	A partner is trusted for some things only (DESIGN.md section 5):
 *	the categories it may assert, the widest prefix it may list, never
 *	a bogon or a public suffix, never our own or our partners' mail
 *	servers, networks and domains. trust_check judges one record and
 *	says why it is dropped; the caller drops it and counts the reason
 *	(trust_verdict_name gives the audit log's keys). A record listing a
 *	sentinel (a subject no sane feed lists) condemns the whole file.
 *	trust_judge looks at a file as a whole (sequence jump, share of the
 *	slot removed or changed, record budget) and says whether it must
 *	be quarantined. Both are pure: no I/O, no clock, no store.
 *
 * RULES (trust_check), for list and allow records, in this order:
 *	sentinel  a list record overlapping a sentinel (either covers the
 *		  other): TRUST_SENTINEL, whatever else is wrong with it;
 *	category  the category's bit (1u << cat) is not in the mask;
 *	prefix	  an IPv4 prefix wider than max_prefix4 (a /8 when the
 *		  maximum is 24), likewise IPv6 with max_prefix6;
 *	bogon	  the prefix overlaps a range that is no sender's: IPv4
 *		  0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12,
 *		  192.0.0/24, 192.0.2/24, 192.88.99/24, 192.168/16,
 *		  198.18/15, 198.51.100/24, 203.0.113/24, 224/4, 240/4;
 *		  IPv6 everything outside 2000::/3 (::1, ::, fc00::/7,
 *		  fe80::/10, ff00::/8 ...) and 2001:2::/48, 2001:10::/28,
 *		  2001:20::/28, 2001:db8::/32, 3fff::/20. Overlap means
 *		  either contains the other, so 8.0.0.0/5 (which holds 10/8)
 *		  is a bogon too;
 *	suffix	  a domain or authenticated name that is itself a public
 *		  suffix (libpsl, ICANN and private sections), whatever its
 *		  scope: "com", ".co.uk", "*.github.io", "auth:com";
 *	never	  the record overlaps a never-list entry: a listed /24 that
 *		  holds our MX, an address inside our network, a tree above
 *		  our domain, a name below our domain's tree. Names compare
 *		  across kinds: "auth:example.net" overlaps a never-list
 *		  "example.net" as the exact name would.
 *	Delist records pass every rule: a delist only withdraws what the
 *	partner listed before, so it cannot hurt (its syntax is the feed
 *	reader's business).
 *
 * OWNERSHIP
 *	struct trust is opaque: trust_new pairs with trust_free (NULL is a
 *	no-op). It copies the subjects it is given. Verdict names and
 *	trust_judge's static reasons live forever.
 *
 * THREADS
 *	Set a trust up in one thread; once set up, trust_check may run in
 *	any number of threads at once (it only reads; libpsl lookups of
 *	ASCII names only read its context). trust_judge keeps no state.
 *
 * ERRORS
 *	The set-up functions return 0 (TRUST_OK) or a negative TRUST_E_* code;
 *	trust_strerror() names it. The trust is unchanged on failure.
 *
 * CAVEATS
 *	- Bogons are the fixed special-purpose ranges above, not Team
 *	  Cymru's "full bogons" (unallocated space changes monthly).
 *	- The suffix rule looks at the name itself: ".amazonaws.com" is
 *	  not a public suffix though names below it are. The prefix rule
 *	  and the never-list are the guards for wide listings.
 *	- A record of an unknown kind (none comes out of the feed reader)
 *	  is TRUST_DROP_BOGON; an unknown category is TRUST_DROP_CATEGORY.
 *	- The public suffix list is loaded once, by trust_new: psl_latest
 *	  (the system's list if newer than libpsl's built-in one), else
 *	  the built-in list.
 */
#ifndef REPSYNC_TRUST_H
#define REPSYNC_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "reputation.h"

#if defined(__GNUC__)
#define TRUST_MUST_CHECK __attribute__((warn_unused_result))
#else
#define TRUST_MUST_CHECK
#endif

/* Error codes; success is 0 (TRUST_OK, below). */
enum {
	TRUST_E_INVAL = -1, /* bad argument */
	TRUST_E_NOMEM = -2, /* out of memory */
	TRUST_E_PSL = -3,   /* no public suffix list could be loaded */
	TRUST_E_LIMIT = -4, /* more than TRUST_SUBJECTS_MAX entries */
};

/* trust_strerror - a static, human-readable text for an error code */
const char *trust_strerror(int err);

#define TRUST_SUBJECTS_MAX 4096 /* never-list or sentinel entries */
#define TRUST_MAX_PREFIX4_DEFAULT 24
#define TRUST_MAX_PREFIX6_DEFAULT 48

/* The rules for one partner. */
struct trust;

/* trust_new - rules that accept every category, IPv4 up to /24 and IPv6
 * up to /48, with empty never and sentinel lists; loads the public
 * suffix list */
int trust_new(struct trust **out) TRUST_MUST_CHECK;

/* trust_free - free the rules */
void trust_free(struct trust *t);

/* trust_set_categories - the categories the partner may assert: bit
 * 1u << cat for each enum rep_category value; other bits are
 * TRUST_E_INVAL. 0 accepts none (every list and allow is dropped). */
int trust_set_categories(struct trust *t, unsigned mask) TRUST_MUST_CHECK;

/* trust_set_max_prefix - the widest prefixes accepted: v4 0-32, v6
 * 0-128 (a record with a shorter prefix length is dropped) */
int trust_set_max_prefix(
        struct trust *t, unsigned v4, unsigned v6) TRUST_MUST_CHECK;

/* trust_add_never - add a subject no listing may overlap: our and our
 * partners' mail servers, networks and domains */
int trust_add_never(
        struct trust *t, const struct rep_subject *s) TRUST_MUST_CHECK;

/* trust_add_sentinel - add a subject whose listing quarantines a file */
int trust_add_sentinel(
        struct trust *t, const struct rep_subject *s) TRUST_MUST_CHECK;

enum trust_verdict {
	TRUST_OK = 0,        /* apply it */
	TRUST_DROP_CATEGORY, /* category not allowed for this partner */
	TRUST_DROP_PREFIX,   /* prefix wider than allowed */
	TRUST_DROP_BOGON,    /* overlaps special-purpose address space */
	TRUST_DROP_SUFFIX,   /* a public suffix */
	TRUST_DROP_NEVER,    /* overlaps the never-list */
	TRUST_SENTINEL,      /* lists a sentinel: quarantine the file */
	TRUST_VERDICTS,      /* number of verdicts */
};

/* trust_verdict_name - "ok", "category", "prefix", "bogon", "suffix",
 * "never", "sentinel" (the audit log's keys), or "unknown" */
const char *trust_verdict_name(int v);

/* trust_check - the verdict on one record (see RULES). An address costs
 * a binary search per address set, a name a hash probe per label and
 * one libpsl lookup: about 30 ns and 300 ns (two thirds of it libpsl),
 * so a million records take 0.03 s to 0.35 s (tests/repsync/test_trust
 * prints the figures). */
enum trust_verdict trust_check(
        const struct trust *t, const struct feed_record *rec);

/*
 * QUARANTINE HEURISTICS
 * A limit of 0 switches its test off.
 */
struct trust_limits {
	uint64_t max_seq_jump;   /* seq_hi - wm_seq beyond this */
	double max_drop_share;   /* snapshot: removed / held beyond this */
	double max_change_share; /* (added + changed) / held beyond this */
	uint64_t min_records;    /* the shares apply from this many held */
	uint64_t max_records;    /* record budget of the partner's slot */
};

/* What the caller found out about one file before applying it. */
struct trust_feed_stats {
	int snapshot;       /* the file is a snapshot (else a delta) */
	uint64_t wm_seq;    /* our watermark's seq in the file's epoch; 0 when
	                       there is none or the epoch is new */
	uint64_t seq_hi;    /* the file's last sequence number */
	uint64_t held;      /* entries the partner's slot holds now */
	uint64_t records;   /* records in the file that passed trust_check */
	uint64_t added;     /* ... that would create an entry not held */
	uint64_t changed;   /* ... that would change a held entry's op or
	                       category (a refresh of times, hits or
	                       confidence is no change) */
	uint64_t removed;   /* snapshot: held entries the file lacks */
	unsigned sentinels; /* records that were TRUST_SENTINEL */
};

/* trust_judge - NULL when the file may be applied, else why it must be
 * quarantined, tested in this order:
 *	"sentinel listed"          sentinels > 0
 *	"sequence jumps by N"      wm_seq > 0 and seq_hi - wm_seq >
 *	                           max_seq_jump (a first sync cannot jump)
 *	"over the record budget"   a snapshot of more than max_records, or
 *	                           held + added more than max_records
 *	"snapshot removes N% of the slot"  removed / held > max_drop_share
 *	"changes N% of the slot"   (added + changed) / held >
 *	                           max_change_share
 * The two shares apply only when held >= min_records (and held > 0).
 * With a buffer (why, len > 0) the reason is written there with its
 * numbers and `why` is returned; without, a static text without them
 * ("sequence jumps too far", "snapshot removes too much of the slot",
 * "changes too much of the slot"). */
const char *trust_judge(const struct trust_limits *lim,
        const struct trust_feed_stats *st, char *why, size_t len);

#endif /* REPSYNC_TRUST_H */
