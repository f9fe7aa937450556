/*
 * check_dmarc.h - the DMARC check (RFC 7489) of one message: policy
 * discovery over DNS, alignment of the SPF and DKIM results, the policy
 * with pct applied, and the symbol for the score.
 *
 * PURPOSE
 *	The caller supplies everything the check does not own: the author
 *	domain (dmarc_from_domain in dmarc.h extracts it), the SPF result
 *	with the domain SPF checked, the DKIM results, the public suffix list
 *	and a DNS backend. Two calls, so the lookups overlap the rest of the
 *	message:
 *	  check_dmarc_start  when the From field is known (end of headers):
 *	                     starts _dmarc.<from> and, in parallel,
 *	                     _dmarc.<organisational domain> (RFC 7489 6.6.3
 *	                     fallback; asked at once so that a miss costs no
 *	                     second round trip; not asked when they are the
 *	                     same name);
 *	  check_dmarc_finish at end of message, with SPF and DKIM known:
 *	                     waits (bounded by the deadline) and decides.
 *	check_dmarc_run does both at once.
 *
 * DNS BACKEND
 *	A table of two functions and a context (struct dmarc_dns_ops). The
 *	milter uses the one below backed by dns.h (struct dmarc_dns_batch:
 *	one dns_batch per message, waits bounded by the deadline); tests pass
 *	a fake table. There is no other switch.
 *
 * RESULTS (struct dmarc_result)
 *	pass       an aligned SPF or DKIM pass.
 *	fail       a record, and no aligned pass; `policy` is p (sp for a
 *	           subdomain whose record came from the organisational
 *	           domain), `applied` is that policy after pct.
 *	none       no DMARC record at the From domain nor at its
 *	           organisational domain.
 *	temperror  a DNS lookup failed temporarily or had no answer by the
 *	           deadline (`late`), or no aligned pass while an aligned
 *	           identifier's SPF or DKIM check had a temporary error (it
 *	           might have passed: DESIGN section 4, RFC semantics).
 *	permerror  the record is broken (several DMARC records, a syntax
 *	           error, no usable p), or there is no single From domain
 *	           (from_domain NULL or unusable: see dmarc.h FROM RULES).
 *	`reason` says which case it was, for the log.
 *
 * PCT (RFC 7489 6.3, 6.6.4)
 *	Sampling is the caller's: it passes `sample`, a number drawn
 *	uniformly from 0..99 for each message (arc4random_uniform(100) in
 *	glibc 2.36). The policy is applied when sample < pct; otherwise the
 *	next lower one is (reject -> quarantine -> none). A fixed sample
 *	makes a test deterministic; values above 99 count as 99.
 *
 * SYMBOLS
 *	One per message, named below with its default weight. With the
 *	policy defaults (add header at 5, reject at 15) a failed p=reject or
 *	p=quarantine alone flags the message but never rejects it: mailing
 *	lists and forwarders break DMARC for legitimate mail, so a reject
 *	needs other evidence too.
 *
 * OWNERSHIP
 *	struct check_dmarc and struct dmarc_dns_batch are values owned by
 *	the caller (one message). Strings passed in are copied or used only
 *	during the call. TXT data in a struct dmarc_txt_answer is borrowed
 *	from the backend until its reset.
 *
 * THREADS
 *	One message, one thread at a time. The struct orgdom is shared
 *	read-only by all threads.
 *
 * CAVEATS
 *	- Reset the dns.h backend (dmarc_dns_batch_reset) at the end of every
 *	  message, at abort too; finish once per start.
 *	- A NULL psl or ops, like a NULL from_domain, gives permerror
 *	  (reason "no-single-from"): nothing is looked up.
 *	- Pass NULL as from_domain for a message with no From field, several
 *	  From fields, or any dmarc_from_domain error. Such mail cannot be
 *	  evaluated, and a reader may still see a famous domain in it: give
 *	  DMARC_PERMERROR a weight with that in mind.
 *	- No reports are sent (rua/ruf), no ARC: mail forwarded with a
 *	  changed body fails DMARC; the weights allow for that.
 */
#ifndef REPMILTER_CHECK_DMARC_H
#define REPMILTER_CHECK_DMARC_H

#include <stddef.h>
#include <stdint.h>

#include "dmarc.h"
#include "orgdom.h"
#include "policy.h"

/* Symbol names and their default weights. */
#define CHECK_DMARC_SYM_PASS "DMARC_PASS"
#define CHECK_DMARC_SYM_FAIL_REJECT "DMARC_FAIL_REJECT"
#define CHECK_DMARC_SYM_FAIL_QUARANTINE "DMARC_FAIL_QUARANTINE"
#define CHECK_DMARC_SYM_FAIL_NONE "DMARC_FAIL_NONE"
#define CHECK_DMARC_SYM_NONE "DMARC_NONE"
#define CHECK_DMARC_SYM_TEMPERROR "DMARC_TEMPERROR"
#define CHECK_DMARC_SYM_PERMERROR "DMARC_PERMERROR"

#define CHECK_DMARC_W_PASS (-0.5) /* any domain owner can pass */
#define CHECK_DMARC_W_FAIL_REJECT 8.0
#define CHECK_DMARC_W_FAIL_QUARANTINE 5.0
#define CHECK_DMARC_W_FAIL_NONE 0.1 /* p=none: the owner asks nothing */
#define CHECK_DMARC_W_NONE 0.0
#define CHECK_DMARC_W_TEMPERROR 0.0 /* DESIGN 4: a DNS failure scores 0 */
#define CHECK_DMARC_W_PERMERROR 0.5 /* broken record or From */

/* The ops' answer to one TXT question. */
enum dmarc_dns_status {
	DMARC_DNS_FOUND = 0, /* TXT records (possibly none of them DMARC) */
	DMARC_DNS_NONE = 1,  /* NXDOMAIN or NODATA */
	DMARC_DNS_TEMP = 2,  /* timeout, SERVFAIL, bad reply, resolver error */
	DMARC_DNS_LATE = 3,  /* no answer by the deadline */
};

#define DMARC_TXT_MAX 64 /* records past this are dropped */

struct dmarc_txt_answer {
	enum dmarc_dns_status status;
	unsigned n;
	struct {
		const char *data; /* the record's strings concatenated */
		size_t len;       /* may contain NULs */
	} rr[DMARC_TXT_MAX];
};

/* A DNS backend: `query` starts a TXT question and names it by *id; it
 * returns 0, CHECK_DMARC_E_NAME for a name that cannot be asked (too
 * long: no record can exist there) or another negative value (counted
 * as a temporary failure). `answer` waits for question `id` until
 * `deadline_ms` (dns_now_ms clock) and fills *out; data stays valid
 * until the backend is reset. */
struct dmarc_dns_ops {
	int (*query)(void *ctx, const char *name, unsigned *id);
	void (*answer)(void *ctx, unsigned id, int64_t deadline_ms,
	        struct dmarc_txt_answer *out);
};

#define CHECK_DMARC_E_NAME (-100)

/* The backend the milter uses: milter/dns.h, one batch per message. */
struct dns_resolver;
struct dns_batch;
struct weights;
struct dmarc_dns_batch {
	struct dns_resolver *resolver; /* borrowed */
	struct dns_batch *batch;       /* made at the first query */
};
extern const struct dmarc_dns_ops dmarc_dns_batch_ops;

/* dmarc_dns_batch_init - a backend on `r`; pass &b as the ops' ctx */
void dmarc_dns_batch_init(struct dmarc_dns_batch *b, struct dns_resolver *r);

/* dmarc_dns_batch_reset - free the batch (its answers with it); queries
 * still in flight are abandoned; the backend may be used again */
void dmarc_dns_batch_reset(struct dmarc_dns_batch *b);

/* SPF or DKIM outcome as DMARC needs it. Map SPF softfail, neutral,
 * none, fail and permerror to FAIL (only pass counts); temperror to
 * TEMPERROR. */
enum dmarc_auth {
	DMARC_AUTH_NONE = 0, /* not checked */
	DMARC_AUTH_PASS = 1,
	DMARC_AUTH_FAIL = 2,
	DMARC_AUTH_TEMPERROR = 3,
};

struct dmarc_dkim {
	const char *domain; /* the signature's d= */
	enum dmarc_auth result;
};

struct dmarc_input {
	enum dmarc_auth spf;
	const char *spf_domain; /* MAIL FROM domain, or HELO for a null
	                         * sender: the one SPF evaluated */
	const struct dmarc_dkim *dkim;
	unsigned ndkim;
	unsigned sample; /* 0..99, see PCT */
};

enum dmarc_status {
	DMARC_RESULT_NONE = 0,
	DMARC_RESULT_PASS = 1,
	DMARC_RESULT_FAIL = 2,
	DMARC_RESULT_TEMPERROR = 3,
	DMARC_RESULT_PERMERROR = 4,
};

enum dmarc_reason {
	DMARC_WHY_ALIGNED = 0, /* pass */
	DMARC_WHY_UNALIGNED,   /* fail */
	DMARC_WHY_NO_RECORD,   /* none */
	DMARC_WHY_DNS,         /* temperror: DNS failed or was late */
	DMARC_WHY_AUTH_TEMP,   /* temperror: an aligned check temperror */
	DMARC_WHY_MULTIPLE,    /* permerror: several DMARC records */
	DMARC_WHY_BAD_RECORD,  /* permerror: syntax, value, no policy */
	DMARC_WHY_FROM,        /* permerror: no single From domain */
};

#define DMARC_ALIGNED_SPF 1u
#define DMARC_ALIGNED_DKIM 2u

struct dmarc_result {
	enum dmarc_status status;
	enum dmarc_reason reason;
	enum dmarc_policy policy;  /* asked for (fail, pass), else NONE */
	enum dmarc_policy applied; /* to apply: `policy` after pct on fail,
	                            * NONE otherwise */
	unsigned pct;              /* of the record, 100 without one */
	int sampled;               /* fail: sample < pct */
	unsigned aligned;          /* DMARC_ALIGNED_* that passed */
	int from_org;              /* the record came from the org domain */
	int late;                  /* a lookup had no answer by the deadline */
	char from[DMARC_DOMAIN_LEN]; /* author domain ("" if none) */
	char org[DMARC_DOMAIN_LEN];  /* its organisational domain */
	const char *symbol;          /* CHECK_DMARC_SYM_* (static) */
	double weight;               /* its CHECK_DMARC_W_* default */
};

/* One message's check; a value, zeroed or not before start. */
struct check_dmarc {
	const struct orgdom *psl;
	const struct dmarc_dns_ops *ops;
	void *ctx;
	int usable;      /* the From domain is canonical and has an org */
	int nq;          /* questions started: 1 or 2 */
	int qerr[2];     /* the ops' query return per question */
	unsigned qid[2]; /* from, org */
	char from[DMARC_DOMAIN_LEN];
	char org[DMARC_DOMAIN_LEN];
};

/* check_dmarc_start - remember the author domain (any form; NULL when
 * the message has no single From domain) and start the lookups */
void check_dmarc_start(struct check_dmarc *c, const struct orgdom *psl,
        const struct dmarc_dns_ops *ops, void *ctx, const char *from_domain);

/* check_dmarc_finish - wait until `deadline_ms` at most and decide */
void check_dmarc_finish(struct check_dmarc *c, const struct dmarc_input *in,
        int64_t deadline_ms, struct dmarc_result *out);

/* check_dmarc_run - start and finish in one call */
void check_dmarc_run(const struct orgdom *psl, const struct dmarc_dns_ops *ops,
        void *ctx, const char *from_domain, const struct dmarc_input *in,
        int64_t deadline_ms, struct dmarc_result *out);

/* check_dmarc_collect - the result's symbol into the evidence, weighed
 * by the operator's `symbol_weights` (`w`; NULL: the defaults above),
 * with the domain and policy as detail; a late lookup noted as a timeout */
void check_dmarc_collect(const struct dmarc_result *r, const struct weights *w,
        struct policy_evidence *e);

/* check_dmarc_status_name - "pass", "fail", ... as Authentication-Results
 * writes them (RFC 7489 11.2) */
const char *check_dmarc_status_name(enum dmarc_status s);

/* check_dmarc_reason_name - a short text for the log */
const char *check_dmarc_reason_name(enum dmarc_reason r);

#endif /* REPMILTER_CHECK_DMARC_H */
