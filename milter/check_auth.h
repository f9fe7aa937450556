/*
 * check_auth.h - sender authentication of one message: SPF at MAIL FROM,
 * DKIM over the headers and body, DMARC from the From domain and both,
 * and the Authentication-Results header that reports them.
 *
 * FLOW (called by session.c, one call per milter step)
 *	check_auth_new       at MAIL FROM: SPF is evaluated now (the MTA
 *	                     does not wait for our MAIL reply, so this
 *	                     overlaps the rest of the SMTP transaction)
 *	check_auth_header    each header: fed to DKIM; the From field kept;
 *	                     incoming Authentication-Results claiming our
 *	                     authserv-id noted for removal
 *	check_auth_eoh       DKIM key and DMARC record lookups start
 *	check_auth_body      body chunks to DKIM; check_auth_body_done says
 *	                     when no more are needed
 *	check_auth_eom       waits (bounded by the deadline), adds symbols,
 *	                     fills the Authentication-Results value and the
 *	                     authenticated identities for the store
 *	check_auth_free      at the end of the message or abort
 *
 * THREADS
 *	One message, one thread at a time. The shared parts (the DKIM
 *	verifier, the public suffix list, the resolver) are thread-safe.
 */
#ifndef REPMILTER_CHECK_AUTH_H
#define REPMILTER_CHECK_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "authres.h"
#include "engine.h"
#include "policy.h"
#include "reputation.h"

#define CHECK_AUTH_IDS_MAX 8    /* authenticated domains reported */
#define CHECK_AUTH_STRIP_MAX 32 /* incoming A-R headers we can remove */

/* What the message's client and envelope are. */
struct check_auth_client {
	int family; /* AF_INET, AF_INET6; 0: no SPF */
	const uint8_t *addr;
	const char *helo;
	const char *mail_from; /* without <>; "" for the null sender */
	int64_t deadline_ms;
	int checks; /* 0: no SPF, DKIM or DMARC: only the
	             * incoming Authentication-Results are
	             * looked at (to remove forged ones) */
};

struct check_auth_out {
	int tempfail;         /* SPF temperror and spf_temperror_action */
	int dmarc_reject;     /* DMARC fail, p=reject applied, enforced */
	int dmarc_quarantine; /* the same for p=quarantine */
	char authres[AUTHRES_HEADER_SIZE];    /* the header value; "" if none */
	unsigned strip[CHECK_AUTH_STRIP_MAX]; /* A-R indices to remove,
	                                       * highest first */
	unsigned nstrip;
	unsigned nids; /* authenticated identities (auth:DOMAIN) */
	struct rep_subject ids[CHECK_AUTH_IDS_MAX];
	char log[512]; /* spf=... dkim=... dmarc=... for the log */
};

struct check_auth;

/* check_auth_new - a message's authentication state; SPF runs now when
 * it is on and the client has an address. NULL when out of memory. */
struct check_auth *check_auth_new(
        struct engine *e, struct gen *g, const struct check_auth_client *c);

/* check_auth_header - one header, value as received (leading space) */
void check_auth_header(
        struct check_auth *a, const char *name, const char *value);

/* check_auth_eoh - the end of the headers */
void check_auth_eoh(struct check_auth *a);

/* check_auth_body - a body chunk */
void check_auth_body(struct check_auth *a, const void *chunk, size_t len);

/* check_auth_body_done - 1 when no check needs more of the body */
int check_auth_body_done(const struct check_auth *a);

/* check_auth_eom - wait until `deadline_ms`, add the symbols to `ev`,
 * and fill *out (the Authentication-Results value needs the verdict's
 * symbols too: call check_auth_authres after policy_decide) */
void check_auth_eom(struct check_auth *a, int64_t deadline_ms,
        struct policy_evidence *ev, struct check_auth_out *out);

/* check_auth_authres - the Authentication-Results value into out->authres,
 * with the verdict and the DNS-list and reputation results */
void check_auth_authres(struct check_auth *a, const struct policy_verdict *v,
        const struct policy_evidence *ev, struct check_auth_out *out);

/* check_auth_free - free; NULL is a no-op */
void check_auth_free(struct check_auth *a);

#endif /* REPMILTER_CHECK_AUTH_H */
