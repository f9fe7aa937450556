/*
 * session.h - one SMTP connection as the milter sees it, and the messages
 * sent over it. Knows nothing of libmilter: callbacks.c translates each
 * callback into one call here, so the whole flow is testable without an
 * MTA.
 *
 * FLOW
 *	session_new at connect: takes a reference to the current generation.
 *	session_connect: client address; address-list queries start now.
 *	session_helo: HELO name; domain-list queries for it start.
 *	session_mail: a new message; sender-domain queries start, SPF is
 *	  evaluated (check_auth.h).
 *	session_header: each header, to DKIM and DMARC; copies of our own
 *	  headers are counted (to strip them).
 *	session_eoh, session_body: DKIM lookups start; the body is hashed.
 *	session_eom: waits for the answers (bounded by message_deadline),
 *	  scores, logs one line, queues the observation, fills the verdict.
 *	session_abort: forgets the message; session_free at close.
 *
 * THREADS
 *	A session is used by one thread at a time (libmilter may move it
 *	between worker threads between callbacks).
 */
#ifndef REPMILTER_SESSION_H
#define REPMILTER_SESSION_H

#include <stdint.h>

#include "check_auth.h"
#include "engine.h"
#include "policy.h"

/* Headers we add; incoming copies are removed first. */
enum session_header {
	SESSION_HDR_SCORE = 0,  /* X-Spam-Score */
	SESSION_HDR_STATUS = 1, /* X-Spam-Status */
	SESSION_HDR_FLAG = 2,   /* X-Spam-Flag */
	SESSION_HDR_COUNT = 3,
};

extern const char *const session_header_name[SESSION_HDR_COUNT];

struct session_verdict {
	enum policy_action act;    /* what to do */
	struct policy_reply reply; /* for TEMPFAIL and REJECT */
	int add_headers;           /* 0 when the message was not scored */
	char score[32];            /* X-Spam-Score */
	char status[1024];         /* X-Spam-Status (may be folded) */
	int flag;                  /* add X-Spam-Flag: YES */
	unsigned strip[SESSION_HDR_COUNT]; /* incoming copies to remove */
	char authres[AUTHRES_HEADER_SIZE]; /* our A-R value; "" for none */
	unsigned ar_strip[CHECK_AUTH_STRIP_MAX]; /* incoming A-R claiming
	                                          * our id, highest first */
	unsigned nar_strip;
};

struct session;

/* session_new - a session on the engine's current generation; NULL when
 * out of memory */
struct session *session_new(struct engine *e);

/* session_free - release everything; NULL is a no-op */
void session_free(struct session *s);

/* session_connect - the client: `hostname` as the MTA resolved it, the
 * address (family AF_INET with 4 bytes, AF_INET6 with 16, or 0 for a
 * local or unknown client) */
void session_connect(struct session *s, const char *hostname, int family,
        const uint8_t *addr);

/* session_helo - the HELO or EHLO argument */
void session_helo(struct session *s, const char *helo);

/* session_mail - start a message from `from` (the envelope sender as
 * given, with or without <>); `auth` is {auth_authen} or NULL */
void session_mail(struct session *s, const char *from, const char *auth);

/* session_header - one header of the message; `value` as received */
void session_header(struct session *s, const char *name, const char *value);

/* session_eoh - the end of the headers */
void session_eoh(struct session *s);

/* session_body - a body chunk; 1 when no check needs more of the body */
int session_body(struct session *s, const void *chunk, size_t len);

/* session_wants_body - 1 when a check of this generation reads bodies */
int session_wants_body(const struct session *s);

/* session_eom - decide; `qid` is the queue id (or NULL) */
void session_eom(
        struct session *s, const char *qid, struct session_verdict *out);

/* session_abort - forget the current message */
void session_abort(struct session *s);

#endif /* REPMILTER_SESSION_H */
