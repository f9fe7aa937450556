/*
 * policy.h - the verdict: evidence in, score and action out. Pure: no I/O,
 * no clock, no globals, so every rule is a unit test.
 *
 * PURPOSE
 *	Each check (DNS lists, reputation, later SPF, DKIM, DMARC) adds named
 *	symbols with weights to a struct policy_evidence. policy_decide sums
 *	them and picks the action from the thresholds, unless a rule decides
 *	first, in this order:
 *	  1. the client is authenticated ({auth_authen}) or in an internal
 *	     network: not scored, action ACCEPT, skipped = reason;
 *	  2. an operator deny in the store: REJECT with the deny reply;
 *	  3. an operator allow in the store: ACCEPT, not scored;
 *	  4. a DNS allowlist sum at or below the allowlist threshold (when the
 *	     threshold is negative): ACCEPT, the other checks skipped;
 *	  5. otherwise the score: >= reject_score REJECT, >= tempfail_score
 *	     TEMPFAIL, >= add_header_score ADD_HEADER (X-Spam-Flag), else
 *	     ACCEPT. A threshold that is NaN (configured "off") never fires.
 *	     A REJECT that only partners' listings bring about (the score
 *	     without them stays below reject_score) needs listings from two
 *	     partners at least; with one, the action is held back to
 *	     TEMPFAIL (or ADD_HEADER, when tempfail is off) and
 *	     `held_back` is set: one partner, compromised or wrong, cannot
 *	     make us refuse mail (DESIGN.md section 5).
 *	In dry-run mode the verdict is computed and logged as it would be, but
 *	`act` is ACCEPT (headers are still added).
 *
 * OWNERSHIP
 *	All structs are value types owned by the caller. Symbol names are
 *	copied in. policy_decide only reads the evidence.
 */
#ifndef REPMILTER_POLICY_H
#define REPMILTER_POLICY_H

#include <stddef.h>

#define POLICY_SYMBOLS_MAX 64
#define POLICY_SYMBOL_LEN 64
#define POLICY_DETAIL_LEN 96
#define POLICY_TEXT_LEN 256
#define POLICY_PARTNERS_MAX 8 /* distinct partners remembered */

enum policy_action {
	POLICY_ACCEPT = 0,
	POLICY_ADD_HEADER = 1, /* accept, flagged as spam */
	POLICY_TEMPFAIL = 2,
	POLICY_REJECT = 3,
};

enum policy_skip {
	POLICY_SKIP_NONE = 0,
	POLICY_SKIP_AUTH = 1,      /* authenticated client */
	POLICY_SKIP_INTERNAL = 2,  /* internal network */
	POLICY_SKIP_ALLOW = 3,     /* operator allow in the store */
	POLICY_SKIP_ALLOWLIST = 4, /* DNS allowlist threshold reached */
};

/* One symbol: name, weight, and a short detail for the log ("127.0.0.2",
 * "prefix 192.0.2.0/24", ...). */
struct policy_symbol {
	char name[POLICY_SYMBOL_LEN];
	char detail[POLICY_DETAIL_LEN];
	double weight;
	int allowlist;             /* from a DNS allowlist */
};

struct policy_evidence {
	int authenticated;
	int internal;
	int override;              /* 0, REP_OVERRIDE_ALLOW or _DENY */
	char override_reason[POLICY_TEXT_LEN];
	unsigned nsymbols;
	struct policy_symbol symbol[POLICY_SYMBOLS_MAX];
	unsigned dropped;          /* symbols past POLICY_SYMBOLS_MAX */
	/* checks that had no answer by the deadline, comma-separated names */
	char timed_out[POLICY_TEXT_LEN];
	/* what partners' listings add to the score, and which partners
	 * (publisher ids, up to POLICY_PARTNERS_MAX) listed */
	double partner_score;
	unsigned npartners;
	unsigned partner[POLICY_PARTNERS_MAX];
};

/* An SMTP reply: "550", "5.7.1", text. */
struct policy_reply {
	char code[4];
	char xcode[12];
	char text[POLICY_TEXT_LEN];
};

struct policy {
	double add_header_score;   /* NaN: off */
	double tempfail_score;     /* NaN: off */
	double reject_score;       /* NaN: off */
	double allowlist_threshold; /* >= 0: off */
	int dry_run;
	struct policy_reply reject;
	struct policy_reply tempfail;
	struct policy_reply deny;  /* operator deny */
};

struct policy_verdict {
	double score;              /* sum of the counted symbols' weights */
	double required;           /* lowest enabled threshold (add-header in a
	                            * sane config), NaN if all off; headers */
	enum policy_action action; /* what the score or a rule says */
	enum policy_action act;    /* what to do: ACCEPT in dry-run mode */
	enum policy_skip skipped;
	int spam;                  /* action >= ADD_HEADER */
	const struct policy_reply *reply; /* for a TEMPFAIL/REJECT `action`,
	                            * else NULL; set in dry-run mode too (for
	                            * the log): act on `act`, not on reply */
	int held_back;             /* a reject held back: one partner alone */
};

/* policy_init - defaults: add header 5, tempfail off, reject 15, allowlist
 * threshold off, replies 550 5.7.1 / 451 4.7.1 / 550 5.7.1 */
void policy_init(struct policy *p);

/* policy_evidence_init - empty evidence */
void policy_evidence_init(struct policy_evidence *e);

/* policy_add - add a symbol; past POLICY_SYMBOLS_MAX it is counted in
 * `dropped` but still not lost from the score (its weight is summed into
 * a synthetic "SYMBOLS_DROPPED" entry kept last, in the last slot: the
 * named symbol that held it joins it and is counted in `dropped` too).
 * Names are made header-safe (bytes outside [A-Za-z0-9_] become '_') and
 * truncated to POLICY_SYMBOL_LEN-1; details keep printable ASCII, other
 * bytes become '?'. A NaN weight counts 0; weights are clamped to +-1e6. */
void policy_add(struct policy_evidence *e, const char *name, double weight,
	const char *detail);

/* policy_mark_allowlist - flag every symbol called `name` as coming from
 * a DNS allowlist (counted by the allowlist threshold) */
void policy_mark_allowlist(struct policy_evidence *e, const char *name);

/* policy_add_allowlist - policy_add for a symbol from a DNS allowlist
 * (allowlist = 1, counted by the allowlist threshold of rule 4) */
void policy_add_allowlist(struct policy_evidence *e, const char *name,
	double weight, const char *detail);

/* policy_add_partner - record that partner `publisher` added `value` to
 * the score (already counted by a symbol: this is what rule 5 needs to
 * know where a reject would come from) */
void policy_add_partner(struct policy_evidence *e, unsigned publisher,
	double value);

/* policy_note_timeout - record that check `name` had no answer in time */
void policy_note_timeout(struct policy_evidence *e, const char *name);

/* policy_decide - the verdict (see PURPOSE) */
void policy_decide(const struct policy *p, const struct policy_evidence *e,
	struct policy_verdict *v);

/* policy_action_name - "accept", "add-header", "tempfail", "reject" */
const char *policy_action_name(enum policy_action a);

/* policy_skip_name - "", "authenticated", "internal", "allow", "allowlist" */
const char *policy_skip_name(enum policy_skip s);

/* policy_format_score - "X-Spam-Score" value, "%.1f"; returns snprintf's */
int policy_format_score(const struct policy_verdict *v, char *buf, size_t len);

/* policy_format_status - "X-Spam-Status" value:
 * "Yes, score=7.5 required=5.0 tests=RBL_X,REP_IP_BAD" (tests sorted by
 * name, "none" when empty), folded with "\n\t" before a line would pass
 * 78 characters; returns snprintf's */
int policy_format_status(const struct policy_verdict *v,
	const struct policy_evidence *e, char *buf, size_t len);

/* policy_format_symbols - the log form "RBL_X=3.0(127.0.0.2) REP_IP=1.2";
 * returns snprintf's */
int policy_format_symbols(const struct policy_evidence *e, char *buf,
	size_t len);

/* policy_reply_parse - "550 5.7.1 text": a 4xx/5xx code, an enhanced code
 * of the same class, text of printable ASCII; -1 if malformed. The text is
 * kept as smfi_setreply wants it: a literal '%' is written "%%" and a lone
 * '%' is malformed (libmilter and Postfix treat '%' as an escape). *out is
 * untouched on error. */
int policy_reply_parse(const char *s, struct policy_reply *out);

#endif /* REPMILTER_POLICY_H */
