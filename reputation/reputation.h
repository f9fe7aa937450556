/*
 * reputation.h - libreputation, the reputation store shared by repmilter,
 * repctl and repsync.
 *
 * PURPOSE
 *	A store maps subjects (IP addresses and prefixes, domains, authenticated
 *	domains) to records. A record holds independent slots, each written by
 *	exactly one party: our local observations, the operator's override and
 *	one slot per partner publisher. The score of a subject is computed at
 *	read time from those slots (decay and expiry depend on the clock, never
 *	on the order of writes). See DESIGN.md section 2.
 *
 * OWNERSHIP
 *	Handles (struct rep_store, struct rep_batch) are opaque; each x_open or
 *	x_new pairs with x_close or x_free, and freeing NULL is a no-op. Plain
 *	structs (subjects, records, scores) are value types the caller owns.
 *	Pointers passed to a visitor are borrowed and valid only during that
 *	call. `const char *` arguments are borrowed; the library copies what it
 *	keeps.
 *
 * THREADS AND PROCESSES
 *	One struct rep_store per process, shared by all its threads: every
 *	function taking a store may be called from any thread concurrently.
 *	Another process (repctl while repmilter runs) may open the same file at
 *	the same time. A struct rep_batch belongs to one thread at a time.
 *	Read transactions are internal and end before a function returns.
 *
 * ERRORS
 *	Functions return 0 (REP_OK) or a negative REP_E_* code; rep_strerror()
 *	names it. Outputs are untouched on failure. Nothing prints, exits or
 *	aborts on bad input.
 *
 * CAVEATS
 *	- A visitor runs inside a read transaction: it must be quick, must not
 *	  block (no DNS) and must not call back into the store.
 *	- Times are seconds since the epoch and are always passed in by the
 *	  caller (`now`), so that decay and expiry are testable.
 *	- Scores need a policy resolved against the store
 *	  (rep_policy_set_partner) to know per-publisher weights; publishers not
 *	  resolved get the policy's default weight and cap.
 */
#ifndef REPUTATION_H
#define REPUTATION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#if defined(__GNUC__)
#define REP_MUST_CHECK __attribute__((warn_unused_result))
#else
#define REP_MUST_CHECK
#endif

/* Error codes. */
enum {
	REP_OK = 0,
	REP_E_INVAL = -1,     /* bad argument */
	REP_E_SYNTAX = -2,    /* subject text is not an address, prefix or name */
	REP_E_HOSTBITS = -3,  /* prefix has bits set past its length */
	REP_E_PREFIXLEN = -4, /* prefix length out of range */
	REP_E_NAME = -5,      /* domain name invalid (label, length, chars) */
	REP_E_IDN = -6,       /* internationalised name cannot become A-labels */
	REP_E_NOTFOUND = -7,  /* no such subject or publisher */
	REP_E_NOMEM = -8,     /* out of memory */
	REP_E_STORE = -9,     /* the LMDB environment failed */
	REP_E_CORRUPT = -10,  /* a stored record cannot be decoded */
	REP_E_VERSION = -11,  /* record written by a newer format version */
	REP_E_FULL = -12,     /* map cannot grow further (map_max reached) */
	REP_E_LIMIT = -13,    /* too many partner slots or publishers */
	REP_E_READONLY = -14, /* write on a store opened read-only */
	REP_E_NOSTORE = -15,  /* no store at that path (and create not asked) */
	REP_E_RANGE = -16,    /* a field is out of its range */
	REP_E_BUSY = -17,     /* another process has the store open */
};

/* rep_strerror - a static, human-readable text for an error code */
const char *rep_strerror(int err);

/*
 * SUBJECTS
 *
 * Text forms (rep_subject_parse accepts, rep_subject_format writes):
 *	192.0.2.1  192.0.2.0/24  2001:db8::1  2001:db8::/32
 *	example.com      the name only
 *	.example.com     the name and every name below it
 *	*.example.com    every name below it, not the name itself
 *	auth:example.com an authenticated domain (DKIM d=, SPF-passed)
 * Canonical form: host bits set are an error (REP_E_HOSTBITS), an
 * IPv4-mapped IPv6 address or prefix (::ffff:0:0/96 and longer) becomes
 * IPv4, names are folded to lower case without a trailing dot and
 * internationalised names become A-labels. Nothing is guessed: any other
 * oddity is an error.
 */
enum rep_kind {
	REP_KIND_IP4 = 1,
	REP_KIND_IP6 = 2,
	REP_KIND_DOMAIN = 3,
	REP_KIND_AUTH = 4,
};

enum rep_scope {
	REP_SCOPE_EXACT = 0, /* the name only */
	REP_SCOPE_TREE = 1,  /* the name and its subdomains (".example.com") */
	REP_SCOPE_SUBS = 2,  /* its subdomains only ("*.example.com") */
};

#define REP_NAME_MAX 253	 /* longest domain name, without final dot */
#define REP_SUBJECT_TEXT_MAX 264 /* longest text form, with NUL */

struct rep_subject {
	uint8_t kind;  /* enum rep_kind */
	uint8_t plen;  /* IP: prefix length (32 or 128 for an address) */
	uint8_t scope; /* DOMAIN: enum rep_scope; else REP_SCOPE_EXACT */
	uint8_t addr[16]; /* IP: network order, host bits zero, v4 in [0..3] */
	char name[REP_NAME_MAX + 1]; /* DOMAIN, AUTH: lower-case A-labels */
};

/* rep_subject_parse - parse a subject's text form into canonical form */
int rep_subject_parse(const char *text, struct rep_subject *out) REP_MUST_CHECK;

/* rep_subject_ip - make an address subject from a sockaddr-style address:
 * family AF_INET (4 bytes) or AF_INET6 (16 bytes; v4-mapped becomes v4) */
int rep_subject_ip(int family, const void *addr, struct rep_subject *out) REP_MUST_CHECK;

/* rep_subject_domain - make a domain (REP_KIND_DOMAIN, exact) or
 * authenticated-domain (REP_KIND_AUTH) subject from a name */
int rep_subject_domain(enum rep_kind kind, const char *name,
	struct rep_subject *out) REP_MUST_CHECK;

/* rep_subject_format - write the canonical text form; returns the length
 * it needed (like snprintf), truncating to fit buf */
size_t rep_subject_format(const struct rep_subject *s, char *buf, size_t len);

/* rep_subject_cmp - order subjects as the store sorts them */
int rep_subject_cmp(const struct rep_subject *a, const struct rep_subject *b);

/* rep_subject_covers - does subject `outer` cover subject `inner`? */
int rep_subject_covers(const struct rep_subject *outer,
	const struct rep_subject *inner);

/*
 * RECORDS
 */
enum rep_op {
	REP_OP_LIST = 1,   /* the publisher lists the subject */
	REP_OP_DELIST = 2, /* tombstone: a listing was withdrawn */
	REP_OP_ALLOW = 3,  /* the publisher vouches for the subject */
};

enum rep_category {
	REP_CAT_SPAM = 1,      /* spam source */
	REP_CAT_BOT = 2,       /* infected host sending spam */
	REP_CAT_BOTNET_CC = 3, /* botnet command and control */
	REP_CAT_PHISH = 4,     /* phishing */
	REP_CAT_MALWARE = 5,   /* malware distribution */
	REP_CAT_SNOWSHOE = 6,  /* snowshoe spam ranges */
	REP_CAT_ABUSE = 7,     /* other abuse (scanning, brute force) */
	REP_CAT_OTHER = 8,
	REP_CAT_MAX = 8,
};

/* rep_op_name, rep_category_name - static names ("list", "botnet-cc") */
const char *rep_op_name(int op);
const char *rep_category_name(int cat);
/* rep_op_parse, rep_category_parse - the value, or REP_E_INVAL */
int rep_op_parse(const char *name);
int rep_category_parse(const char *name);

enum rep_override_action {
	REP_OVERRIDE_ALLOW = 1,
	REP_OVERRIDE_DENY = 2,
};

#define REP_WHO_MAX 64
#define REP_REASON_MAX 256

/* Our own observations; counts are decayed at read time. */
struct rep_local {
	double ham, spam;   /* counts as of `stamp` */
	int64_t stamp;      /* the time the counts refer to */
	int64_t first_seen, last_seen;
};

/* The operator's allow or deny. */
struct rep_override {
	uint8_t action;     /* enum rep_override_action */
	int64_t when;       /* set at */
	int64_t expires;    /* 0: never */
	char who[REP_WHO_MAX];
	char reason[REP_REASON_MAX];
};

/* One partner's latest assertion about the subject. */
struct rep_partner {
	uint16_t publisher; /* id; rep_publisher_name() gives the name */
	uint8_t op;         /* enum rep_op */
	uint8_t category;   /* enum rep_category */
	uint8_t confidence; /* 0-100 */
	uint16_t reason;    /* publisher's reason code */
	int64_t first_seen, last_seen;
	int64_t expires;    /* 0: never */
	uint32_t hits;
	uint64_t seq;       /* publisher's sequence number */
	uint32_t feed;      /* provenance: rep_feed_get() */
};

#define REP_PARTNERS_MAX 32 /* partner slots one subject may hold */
#define REP_FORMAT_VERSION 2

enum {
	REP_HAS_LOCAL = 1u << 0,
	REP_HAS_OVERRIDE = 1u << 1,
};

struct rep_record {
	unsigned version; /* format version the record was stored in */
	unsigned flags;   /* REP_HAS_* */
	struct rep_local local;
	struct rep_override override;
	unsigned npartners;
	struct rep_partner partner[REP_PARTNERS_MAX]; /* sorted by publisher */
};

/* rep_local_decayed - ham and spam counts decayed to `now` */
void rep_local_decayed(const struct rep_local *l, double half_life,
	int64_t now, double *ham, double *spam);

/*
 * STORE
 */
struct rep_store;

struct rep_open_opts {
	size_t map_size;      /* initial map size; 0: 64 MiB */
	size_t map_max;       /* growth stops here; 0: 1 TiB */
	unsigned max_readers; /* 0: 1022 */
	int readonly;         /* open read-only */
	int create;           /* create the file if missing */
	int nosync;           /* commits are not flushed (tests, benches) */
	double half_life;     /* seconds; decay used when observations are
				 folded into stored counts; 0: the default.
				 Give policies the same value. */
};

#define REP_HALF_LIFE_DEFAULT (7.0 * 86400.0)

/* rep_open - open (or create) the store at `path` (one file, plus
 * `path`-lock); clears stale readers */
int rep_open(const char *path, const struct rep_open_opts *opts,
	struct rep_store **out) REP_MUST_CHECK;

/* rep_close - close the store; no other thread may be using it */
void rep_close(struct rep_store *st);

/* rep_default_path - the compiled-in store path */
const char *rep_default_path(void);

/* rep_reader_check - clear reader slots of dead processes or threads;
 * *cleared (may be NULL) receives how many */
int rep_reader_check(struct rep_store *st, int *cleared) REP_MUST_CHECK;

/*
 * READING
 */

/* rep_visit_fn - called once per stored record; return non-zero to stop
 * (rep_lookup or rep_scan then return that value) */
typedef int (*rep_visit_fn)(const struct rep_subject *subject,
	const struct rep_record *rec, void *arg);

/* rep_get - the record stored under exactly this subject */
int rep_get(struct rep_store *st, const struct rep_subject *subject,
	struct rep_record *out) REP_MUST_CHECK;

/* rep_lookup - visit the records of the subject and of every stored subject
 * covering it (prefixes of an address; parent domains with subdomain
 * scope), most specific first, all in one short read transaction. An
 * address costs two index reads plus one per covering record found. */
int rep_lookup(struct rep_store *st, const struct rep_subject *subject,
	rep_visit_fn fn, void *arg) REP_MUST_CHECK;

/* rep_scan - visit every record in store order; kind 0 means all kinds.
 * Uses a fresh short read transaction every few thousand records, so a
 * long scan does not pin old pages while others write. */
int rep_scan(struct rep_store *st, enum rep_kind kind, rep_visit_fn fn,
	void *arg) REP_MUST_CHECK;

/*
 * PUBLISHERS AND FEEDS
 * A publisher is a named source of partner slots (a partner ISP, or a
 * plain list imported by the operator). Ids are assigned by the store.
 */
#define REP_PUBLISHER_MAX 63 /* longest publisher name */
#define REP_PUBLISHERS_MAX 1024

struct rep_publisher {
	uint16_t id;
	char name[REP_PUBLISHER_MAX + 1];
	uint64_t epoch, seq; /* watermark: last applied (epoch, sequence) */
	uint64_t serial;     /* last accepted manifest serial */
	int64_t updated;     /* when the watermark last moved */
	double weight, cap;  /* what scores give it (rep_policy_load);
				NaN: the policy's default */
	double stale_after;  /* seconds of silence (no watermark move)
				after which its weight halves every
				stale_after; NaN: never */
};

/* rep_publisher_valid_name - 1-63 of [a-z0-9._-], starting alnum */
int rep_publisher_valid_name(const char *name);

/* rep_publisher_get - look a publisher up by name */
int rep_publisher_get(struct rep_store *st, const char *name,
	struct rep_publisher *out) REP_MUST_CHECK;

/* rep_publisher_by_id - look a publisher up by id */
int rep_publisher_by_id(struct rep_store *st, uint16_t id,
	struct rep_publisher *out) REP_MUST_CHECK;

/* rep_publisher_ensure - the id of a publisher, created if new */
int rep_publisher_ensure(struct rep_store *st, const char *name,
	uint16_t *id) REP_MUST_CHECK;

/* rep_publisher_weigh - set the weight and cap scores give a publisher,
 * and the silence after which its weight fades (repsync writes its
 * partner.NAME.weight, .cap and stale_after here, so that every program
 * scores alike); NaN restores the default (no fading) */
int rep_publisher_weigh(struct rep_store *st, const char *name,
	double weight, double cap, double stale_after) REP_MUST_CHECK;

/* rep_publisher_list - visit every publisher */
int rep_publisher_list(struct rep_store *st,
	int (*fn)(const struct rep_publisher *, void *), void *arg) REP_MUST_CHECK;

#define REP_FEED_NAME_MAX 128
/* Where a partner slot came from. */
struct rep_feed {
	uint32_t id;
	uint16_t publisher;
	uint64_t serial;     /* manifest serial, or 0 for a plain import */
	int64_t applied;     /* when we applied it */
	char name[REP_FEED_NAME_MAX]; /* file name, URL or hash */
};

/* rep_feed_get - a feed by id */
int rep_feed_get(struct rep_store *st, uint32_t id,
	struct rep_feed *out) REP_MUST_CHECK;

/*
 * WRITING
 * Writes are collected in a batch and applied by rep_commit in one LMDB
 * write transaction: all of them or none. When the map is full the
 * transaction is retried after the map grows, so no write is lost.
 */
struct rep_batch;

int rep_batch_new(struct rep_batch **out) REP_MUST_CHECK;
void rep_batch_free(struct rep_batch *b);
/* rep_batch_clear - empty the batch for reuse */
void rep_batch_clear(struct rep_batch *b);
/* rep_batch_count - number of writes queued */
size_t rep_batch_count(const struct rep_batch *b);

/* rep_batch_observe - add ham and spam counts seen at `when` to the local
 * slot (the stored counts are decayed to `when` first) */
int rep_batch_observe(struct rep_batch *b, const struct rep_subject *s,
	double ham, double spam, int64_t when) REP_MUST_CHECK;

/* rep_batch_override - set the operator override (NULL: remove it) */
int rep_batch_override(struct rep_batch *b, const struct rep_subject *s,
	const struct rep_override *ov) REP_MUST_CHECK;

/* rep_batch_partner - merge a partner slot: the higher sequence number
 * wins; on equal sequence counters and times merge by maximum. A delist
 * is kept as a tombstone until its expiry or the retention window.
 * p->feed of REP_FEED_THIS refers to the batch's feed (rep_batch_feed). */
#define REP_FEED_THIS UINT32_MAX
int rep_batch_partner(struct rep_batch *b, const struct rep_subject *s,
	const struct rep_partner *p) REP_MUST_CHECK;

/* rep_batch_feed - describe the feed this batch applies; commit records it
 * and gives it an id */
int rep_batch_feed(struct rep_batch *b, uint16_t publisher, uint64_t serial,
	const char *name) REP_MUST_CHECK;

/* rep_batch_watermark - move a publisher's watermark in the same commit */
int rep_batch_watermark(struct rep_batch *b, uint16_t publisher,
	uint64_t epoch, uint64_t seq, uint64_t serial) REP_MUST_CHECK;

/* rep_batch_snapshot - the batch holds the publisher's whole slot: after
 * applying, that publisher's slots not written by this batch are turned
 * into tombstones (delists) at `seq` */
int rep_batch_snapshot(struct rep_batch *b, uint16_t publisher,
	uint64_t seq) REP_MUST_CHECK;

struct rep_commit_stats {
	size_t applied;   /* writes that changed a record */
	size_t stale;     /* partner writes ignored: older sequence number */
	size_t delisted;  /* slots tombstoned by a snapshot */
	size_t added;     /* partner slots created, or revived from a
			     tombstone (counted in applied too) */
	size_t withdrawn; /* live partner slots a delist turned into
			     tombstones (counted in applied too) */
	size_t grown;     /* times the map grew during this commit */
	uint32_t feed;    /* id given to the batch's feed, or 0 */
};

/* rep_commit - apply the batch in one transaction; the batch is left as it
 * was, so the caller may clear or retry it. `now` stamps override and
 * feed times. */
int rep_commit(struct rep_store *st, struct rep_batch *b, int64_t now,
	struct rep_commit_stats *stats) REP_MUST_CHECK;

/*
 * MAINTENANCE
 */
struct rep_purge_stats {
	size_t overrides, partners, tombstones, locals, records;
};

/* rep_purge - drop expired overrides and partner slots, tombstones older
 * than `retention` seconds, local slots decayed below `min_count` and
 * records left empty */
int rep_purge(struct rep_store *st, int64_t now, int64_t retention,
	double half_life, double min_count,
	struct rep_purge_stats *stats) REP_MUST_CHECK;

struct rep_stats {
	size_t records[5];      /* by enum rep_kind (index 0 unused) */
	size_t with_local, with_override, partner_slots, tombstones;
	size_t publishers, feeds;
	uint64_t file_size;     /* bytes on disk */
	uint64_t map_size;      /* current map size */
	uint64_t map_used;      /* bytes of pages holding data: what
				   rep_compact keeps */
	uint64_t map_free;      /* bytes of free pages in the file: later
				   writes reuse them, rep_compact drops them */
	unsigned readers_used, readers_max;
};

/* rep_stats - counts by kind and slot (scans the store), sizes, readers */
int rep_stats(struct rep_store *st, struct rep_stats *out) REP_MUST_CHECK;

/*
 * COMPACTION
 * LMDB never gives pages back to the file system: a page freed by a
 * commit goes on a free list that later commits reuse, and the file keeps
 * its largest size. Random updates copy a leaf page each, so a busy store
 * carries about as many free pages as live ones (rep_stats: map_free).
 * Compaction writes only the live pages.
 */

/* rep_compact - write a compacted copy of the store to `path_out`, which
 * must not exist (else REP_E_INVAL): the live pages of one moment,
 * renumbered, flushed to disk before this returns. Others may go on
 * reading and writing the store meanwhile; their later commits are not in
 * the copy. On failure nothing is left at path_out. */
int rep_compact(struct rep_store *st, const char *path_out) REP_MUST_CHECK;

/* rep_compact_in_place - compact the store file at `path`: a compacted
 * copy beside it (`path`.compact.PID), flushed, then renamed over `path`.
 * Refused with REP_E_BUSY while another process has the store open: its
 * writes would go to the old file and be lost. The calling process must
 * not have the store open either. A process that opens the store in the
 * moment between the last check and the rename can still lose writes:
 * stop repmilter and repsync first. */
int rep_compact_in_place(const char *path) REP_MUST_CHECK;

/*
 * SCORE (pure: no I/O)
 * reputation = local + sum over partners of
 *	min(cap_p, weight_p * confidence/100 * category_weight * freshness)
 * with the partners' sum capped at partners_cap. A partner's allow lowers
 * the score by at most allow_cap. An operator override replaces the sum.
 * Over covering subjects (an address and its prefixes): the most specific
 * unexpired override decides; local counts add up; each partner counts
 * once, with its strongest slot.
 */
struct rep_policy {
	double half_life;         /* local counts, seconds */
	double local_weight;      /* bound of the local term */
	double local_prior;       /* damping pseudo-count */
	double fresh_half_life;   /* partner freshness, since last_seen */
	double partner_weight;    /* default weight */
	double partner_cap;       /* default cap */
	double partners_cap;      /* all partners together */
	double allow_cap;         /* most a partner allow can lower */
	double deny_score;        /* score of an operator deny */
	double allow_score;       /* score of an operator allow */
	double category_weight[REP_CAT_MAX + 1];
	/* per publisher id, filled by rep_policy_set_partner; NaN: default */
	double weight[REP_PUBLISHERS_MAX];
	double cap[REP_PUBLISHERS_MAX];
};

/* rep_policy_init - sane defaults, no per-publisher weights */
void rep_policy_init(struct rep_policy *p);

/* rep_policy_load - the weights and caps the store keeps for its
 * publishers (rep_publisher_weigh) into the policy, as of `now`: a
 * publisher whose watermark has not moved for longer than its
 * stale_after has its weight halved for every further stale_after */
int rep_policy_load(struct rep_policy *p, struct rep_store *st,
	int64_t now) REP_MUST_CHECK;

/* rep_policy_set_partner - weight and cap for a publisher, by name; the
 * publisher is created in the store if new */
int rep_policy_set_partner(struct rep_policy *p, struct rep_store *st,
	const char *name, double weight, double cap) REP_MUST_CHECK;

enum rep_term_kind {
	REP_TERM_LOCAL = 1,
	REP_TERM_OVERRIDE = 2,
	REP_TERM_PARTNER = 3,
	REP_TERM_PARTNERS_CAP = 4, /* the cap cut the partners' sum */
};

#define REP_TERMS_MAX (REP_PARTNERS_MAX + 4)

/* One term of a score, with the subject that contributed it. */
struct rep_term {
	uint8_t kind;          /* enum rep_term_kind */
	uint8_t capped;        /* the per-partner cap applied */
	uint8_t expired;       /* present but expired: contributes 0 */
	uint16_t publisher;    /* PARTNER */
	double value;          /* what it adds to the score */
	double ham, spam;      /* LOCAL: decayed counts */
	double freshness;      /* PARTNER */
	struct rep_subject subject;
};

struct rep_score {
	double score;
	int overridden;        /* 0, or enum rep_override_action */
	unsigned nterms;
	struct rep_term term[REP_TERMS_MAX];
	unsigned nrecords;     /* records seen */
};

/* rep_score_init, rep_score_add, rep_score_finish - accumulate the records
 * of a subject and its covering subjects, most specific first */
void rep_score_init(struct rep_score *sc);
void rep_score_add(struct rep_score *sc, const struct rep_policy *p,
	const struct rep_subject *subject, const struct rep_record *rec,
	int64_t now);
void rep_score_finish(struct rep_score *sc, const struct rep_policy *p);

/* rep_check - rep_lookup and score in one call */
int rep_check(struct rep_store *st, const struct rep_policy *p,
	const struct rep_subject *subject, int64_t now,
	struct rep_score *out) REP_MUST_CHECK;

#endif /* REPUTATION_H */
