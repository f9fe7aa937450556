/*
 * check_spf.h - the SPF check (RFC 7208): the HELO and MAIL FROM
 * identities of a message, evaluated by libspf2 over repmilter's DNS.
 *
 * PURPOSE
 *	check_spf_run evaluates check_host() for the envelope sender and
 *	then for the HELO name (the null sender is postmaster@HELO, 2.4, one
 *	evaluation for both) of one SMTP client and returns a result per
 *	identity: none, neutral, pass, fail,
 *	softfail, temperror or permerror, with the domain checked, a short
 *	reason for the log and, for fail, the domain's explanation.
 *	check_spf_collect turns the outcome into policy symbols:
 *	  MAIL FROM: SPF_PASS SPF_FAIL SPF_SOFTFAIL SPF_NEUTRAL SPF_NONE
 *	             SPF_TEMPERROR SPF_PERMERROR
 *	  HELO:      SPF_HELO_PASS SPF_HELO_FAIL ... (same suffixes)
 *	with weights from a struct check_spf_weights (defaults below; the
 *	configuration replaces them).
 *
 *	Around libspf2 1.2.10 (Debian 12) the module fixes what it gets
 *	wrong (see spf_parse.h, spf_dns.h): records are checked against the
 *	RFC grammar before libspf2 sees them (CVE-2023-42118 mitigation),
 *	/0 prefixes work, the 10-term and 2-void-lookup limits hold across
 *	include: and redirect=, IPv4-mapped IPv6 clients are IPv4, libspf2's
 *	"no result" (SPF_RESULT_INVALID) becomes temperror after a DNS error
 *	and permerror otherwise, and explanations are expanded by our code.
 *
 * OWNERSHIP
 *	All arguments are borrowed for the call; the outcome is a value the
 *	caller owns. Nothing is kept between calls.
 *
 * THREADS
 *	check_spf_run may be called from any number of threads at once: each
 *	call builds its own libspf2 server and request (about a microsecond;
 *	sharing one would need libspf2's DNS layer to find the caller's
 *	deadline and counters through thread-local state) over a DNS backend
 *	that is itself thread-safe (dns.c's resolver is). The first call
 *	silences libspf2's warning/info/debug output, which is process-wide
 *	(pthread_once): the library must not print.
 *
 * ERRORS
 *	check_spf_run returns 0 or CHECK_SPF_E_*; on error *out is untouched.
 *	DNS trouble is never an error of the call: it is a temperror result.
 *
 * CAVEATS
 *	- The call blocks until the evaluations finish or the deadline
 *	  passes (then temperror, "deadline passed"). It makes its DNS queries
 *	  one after the other (libspf2 is synchronous): call it where a wait
 *	  is acceptable, with the message deadline.
 *	- A loopback client is evaluated like any other: libspf2's automatic
 *	  "localhost is always allowed" pass is never used (it lives in
 *	  SPF_request_query_mailfrom, which this module does not call). Local
 *	  clients are the policy's business (internal networks), not SPF's.
 *	- The explanation is the domain's text, printable ASCII, cut at
 *	  CHECK_SPF_EXPLAIN_LEN - 1; "" when the domain gave none (use your
 *	  own default). It is sender-controlled: never use it unquoted.
 *	- Domains are checked as given (A-labels); an identity whose domain is
 *	  not a valid multi-label name gets none without any DNS query (4.3).
 */
#ifndef REPMILTER_CHECK_SPF_H
#define REPMILTER_CHECK_SPF_H

#include <stdint.h>

#include "policy.h"

#if defined(__GNUC__)
#define CHECK_SPF_MUST_CHECK __attribute__((warn_unused_result))
#else
#define CHECK_SPF_MUST_CHECK
#endif

enum {
	CHECK_SPF_E_INVAL = -1, /* NULL argument */
	CHECK_SPF_E_NOMEM = -2,
};

enum check_spf_result {
	CHECK_SPF_NONE = 0,
	CHECK_SPF_NEUTRAL = 1,
	CHECK_SPF_PASS = 2,
	CHECK_SPF_FAIL = 3,
	CHECK_SPF_SOFTFAIL = 4,
	CHECK_SPF_TEMPERROR = 5,
	CHECK_SPF_PERMERROR = 6,
	CHECK_SPF_RESULTS = 7,
};

/* Default weights. fail is strong evidence of forgery but common with
 * forwarding, so it does not reach the add-header score (5) alone;
 * softfail is the publisher saying "probably not"; pass only shows the
 * domain is not forged (spammers publish SPF too), hence a small bonus;
 * none and permerror hint at careless senders; temperror scores nothing
 * (its action is the failure policy's, DESIGN 4). HELO weighs less: it
 * is often the same evidence as MAIL FROM. */
#define CHECK_SPF_W_PASS (-0.5)
#define CHECK_SPF_W_FAIL 3.0
#define CHECK_SPF_W_SOFTFAIL 1.0
#define CHECK_SPF_W_NEUTRAL 0.0
#define CHECK_SPF_W_NONE 0.5
#define CHECK_SPF_W_TEMPERROR 0.0
#define CHECK_SPF_W_PERMERROR 0.5
#define CHECK_SPF_W_HELO_PASS (-0.2)
#define CHECK_SPF_W_HELO_FAIL 1.0
#define CHECK_SPF_W_HELO_SOFTFAIL 0.5

#define CHECK_SPF_DOMAIN_LEN 254
#define CHECK_SPF_REASON_LEN 96
#define CHECK_SPF_EXPLAIN_LEN 256

struct spf_dns_ops;

/* The client and the identities of one message. */
struct check_spf_request {
	int family;            /* AF_INET or AF_INET6 */
	const void *addr;      /* 4 or 16 bytes; ::ffff:a.b.c.d is IPv4 */
	const char *helo;      /* HELO/EHLO argument; NULL or "" if none */
	const char *mail_from; /* envelope sender without <>; "" for <> */
	const char *receiver;  /* our host name, for %{r}; NULL: "unknown" */
	int64_t deadline_ms;   /* dns_now_ms() clock */
	int skip_helo;         /* 1: no HELO check (helo.evaluated 0); the
	                        * HELO name still feeds %{h} */
};

/* The result for one identity; strings are printable ASCII. */
struct check_spf_identity {
	enum check_spf_result result;
	int evaluated; /* 0: result given without evaluation (no domain) */
	char domain[CHECK_SPF_DOMAIN_LEN];       /* the domain checked */
	char reason[CHECK_SPF_REASON_LEN];       /* why, for the log */
	char explanation[CHECK_SPF_EXPLAIN_LEN]; /* fail only; may be "" */
	unsigned terms, voids, queries; /* DNS work done, for the log */
	int timed_out; /* a query had no answer (timeout or deadline) */
};

struct check_spf_outcome {
	struct check_spf_identity helo;
	struct check_spf_identity mfrom; /* for <>: a copy of helo */
	int null_sender;
};

/* Weights per result, indexed by enum check_spf_result. */
struct check_spf_weights {
	double mfrom[CHECK_SPF_RESULTS];
	double helo[CHECK_SPF_RESULTS];
};

/* check_spf_run - evaluate HELO and MAIL FROM through the DNS backend
 * (`ops`, `impl`; spf_dns.h: spf_dns_resolver_ops with a struct
 * dns_resolver * in the milter) */
int check_spf_run(const struct spf_dns_ops *ops, void *impl,
        const struct check_spf_request *req,
        struct check_spf_outcome *out) CHECK_SPF_MUST_CHECK;

/* check_spf_result_name - "none", "pass", ... (RFC 8601 spelling) */
const char *check_spf_result_name(enum check_spf_result r);

/* check_spf_symbol - "SPF_FAIL", or "SPF_HELO_FAIL" when `helo` */
const char *check_spf_symbol(enum check_spf_result r, int helo);

/* check_spf_weights_default - the CHECK_SPF_W_* values (0 elsewhere) */
void check_spf_weights_default(struct check_spf_weights *w);

/* check_spf_collect - add SPF_<RESULT> (detail: the domain) and, unless
 * the sender is <> (then MAIL FROM is the HELO check), SPF_HELO_<RESULT>
 * when the HELO was evaluated */
void check_spf_collect(const struct check_spf_outcome *o,
        const struct check_spf_weights *w, struct policy_evidence *e);

/* check_spf_strerror - a static text for a CHECK_SPF_E_* code */
const char *check_spf_strerror(int err);

#endif /* REPMILTER_CHECK_SPF_H */
