/*
 * spf_dns.h - libspf2's DNS, served by repmilter's DNS layer, with the
 * RFC 7208 processing limits.
 *
 * PURPOSE
 *	libspf2 asks every DNS question through a SPF_dns_server_t. The one
 *	made here (struct spf_dns, one per SPF evaluation) answers them with
 *	blocking queries on a backend: in the milter, dns.c (its cache, its
 *	timeouts, its servers) through spf_dns_resolver_ops; in tests, a fake
 *	that serves zone data. A backend is a small table of functions chosen
 *	by the caller, so a test double is just another backend, linked in.
 *
 *	Seeing every query, the layer enforces what libspf2 does not:
 *	  - at most SPF_DNS_MAX_TERMS (10) DNS-querying terms across the whole
 *	    evaluation, include: and redirect= included (4.6.4) -> permerror;
 *	  - at most SPF_DNS_MAX_VOID (2) void lookups (NXDOMAIN or NODATA
 *	    answers to terms) -> permerror;
 *	  - the caller's deadline: once it passes, every query fails and the
 *	    result is temperror;
 *	  - only the first 10 PTR names are looked at (4.6.4: ignore the rest;
 *	    libspf2 would say permerror); for the %{p} macro, names at or
 *	    under the current domain come first (7.3: such a name SHOULD be
 *	    used). libspf2 1.2.10 asks %{p}'s PTR with should_cache 0 and the
 *	    "ptr" mechanism's with 1: that is how the two are told apart;
 *	  - SPF_DNS_MAX_QUERIES queries in all, as a backstop -> permerror.
 *
 *	Which queries are terms: every TXT record fetch except the first
 *	(the first is the record of the domain checked; the others are
 *	include: and redirect=), every MX query (only "mx" asks MX), every
 *	PTR query ("ptr" and the %{p} macro; 4.6.4 counts both), and every
 *	A/AAAA query that is not a follow-up. A follow-up is libspf2 looking
 *	up the address of a name it just got in an MX or PTR answer: the
 *	next A/AAAA queries for exactly those names, in answer order, are
 *	follow-ups; any other query ends them. Queries made to build an
 *	explanation (exp=) are never counted.
 *
 *	The layer also owns record fetching and explanations (the get_spf and
 *	get_exp hooks of SPF_dns_server_t): of the TXT records of a name it
 *	selects the one "v=spf1" record, checks it with spf_parse (an invalid
 *	one is permerror and never reaches libspf2; this is the mitigation of
 *	CVE-2023-42118) and hands libspf2 the canonical form to compile.
 *	libspf2 never sees a TXT record through the plain lookup. Explanation
 *	text is fetched, checked and expanded here (spf_macro), never by
 *	libspf2; "" means "the domain gave none" (any fault in the exp= chain
 *	also gives "", as 6.2 says to ignore it).
 *
 * OWNERSHIP
 *	spf_dns_new/spf_dns_free. spf_dns_server returns a pointer owned by
 *	the struct spf_dns; give it to SPF_server_new_dns and free the
 *	SPF_server_t first (its destructor is NULL, so libspf2 never frees it).
 *
 * THREADS
 *	A struct spf_dns belongs to one evaluation on one thread. Backends
 *	are shared: spf_dns_resolver_ops is safe on a shared dns_resolver.
 *
 * ERRORS
 *	spf_dns_new returns 0 or SPF_DNS_E_NOMEM / SPF_DNS_E_INVAL. DNS
 *	failures are results (temperror), reported by spf_dns_report.
 *
 * CAVEATS
 *	- Follow-ups are recognized by name and order, not by libspf2's
 *	  state. When an included record's "mx" matches on an MX host before
 *	  the last one and the including record's next term asks the address
 *	  of exactly the next host, that term passes for a follow-up and is
 *	  not counted: a publisher can gain at most one uncounted term per
 *	  counted mx/ptr term that way, and SPF_DNS_MAX_QUERIES bounds all.
 *	- "a/0" and "mx/0" reach the layer as names under
 *	  SPF_PARSE_ANY_SUFFIX (spf_parse.h): one term; the layer resolves
 *	  the real name and answers with the client's own address when there
 *	  is an address of the client's family.
 *	- The layer reads libspf2's public structs (SPF_request_t's cur_dom,
 *	  env_from, ...) and relies on how 1.2.10 calls its hooks; a libspf2
 *	  upgrade must rerun tests/conformance/spf.
 */
#ifndef REPMILTER_SPF_DNS_H
#define REPMILTER_SPF_DNS_H

#include <stdint.h>

#include "dns.h"

/* libspf2's SPF_dns_server_t, without its headers */
struct SPF_dns_server_struct;

#define SPF_DNS_MAX_TERMS 10
#define SPF_DNS_MAX_VOID 2
#define SPF_DNS_MAX_QUERIES 150
#define SPF_DNS_MAX_PTR 10
#define SPF_DNS_MAX_MX 10

enum {
	SPF_DNS_E_INVAL = -1,
	SPF_DNS_E_NOMEM = -2,
};

/* A backend: blocking queries for one evaluation.
 *   open  - per-evaluation state made from the backend's `impl`, or NULL;
 *   query - ask (name, type) and wait at most until deadline_ms
 *           (dns_now_ms clock); the answer is borrowed until the next
 *           query or close; NULL on a local failure (counts as a temporary
 *           DNS error); status DNS_PENDING means the deadline passed;
 *   close - free what open made (NULL is allowed). */
struct spf_dns_ops {
	void *(*open)(void *impl);
	const struct dns_answer *(*query)(void *session, const char *name,
	        enum dns_type type, int64_t deadline_ms);
	void (*close)(void *session);
};

/* The milter's backend (spf_dns_resolver.c): `impl` is a struct
 * dns_resolver *; each evaluation gets its own dns_batch, renewed when
 * full. A name dns.c refuses to ask (spaces, control characters; see
 * dns_batch_add) is answered NXDOMAIN. */
extern const struct spf_dns_ops spf_dns_resolver_ops;

/* How the layer ended, for the caller's result. */
enum spf_dns_verdict {
	SPF_DNS_GOING = 0, /* no verdict of the layer's own */
	SPF_DNS_NONE = 1,  /* top record: none (no or no valid domain) */
	SPF_DNS_PERMERROR = 2,
	SPF_DNS_TEMPERROR = 3,
};

struct spf_dns_report {
	enum spf_dns_verdict top;   /* fetch of the top-level record */
	enum spf_dns_verdict abort; /* limit or deadline: forces the result */
	const char *reason;         /* static text; "" when nothing to say */
	unsigned terms, voids, queries;
	int timed_out; /* a query had no answer in time */
};

struct spf_dns;

/* spf_dns_new - the layer of one evaluation for a client at `family`
 * (AF_INET/AF_INET6) `addr` (4 or 16 bytes), until `deadline_ms` */
int spf_dns_new(const struct spf_dns_ops *ops, void *impl, int family,
        const void *addr, int64_t deadline_ms,
        struct spf_dns **out) DNS_MUST_CHECK;

/* spf_dns_server - the SPF_dns_server_t to build the SPF_server_t on */
struct SPF_dns_server_struct *spf_dns_server(struct spf_dns *l);

/* spf_dns_report - what happened so far (copied) */
void spf_dns_report(const struct spf_dns *l, struct spf_dns_report *out);

/* spf_dns_free - close the backend session and free; NULL is a no-op */
void spf_dns_free(struct spf_dns *l);

#endif /* REPMILTER_SPF_DNS_H */
