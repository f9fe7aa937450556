/*
 * milterclient.h - the MTA side of the Sendmail milter protocol, version 6,
 * for tests and benchmarks: what Postfix's milter8 client does, small enough
 * to read in one sitting.
 *
 * A connection is opened with mc_open(), which connects (unix:PATH,
 * local:PATH, inet:PORT@HOST, inet6:PORT@HOST, or Postfix's inet:HOST:PORT)
 * and negotiates options. The filter's answer is kept and honoured: a step
 * the filter asked not to get (SMFIP_NOHELO ...) is not sent, a reply it
 * negotiated away (SMFIP_NR_HDR ...) is not waited for, body chunks after
 * SMFIS_SKIP are not sent, and a modification the filter did not ask for at
 * negotiation is a protocol error. Then, per SMTP session: mc_connect,
 * mc_helo, and per message mc_mail, mc_rcpt..., mc_data, mc_header...,
 * mc_eoh, mc_body, mc_eom (or mc_send for the whole message); mc_abort ends
 * a message early. Several messages may follow on one connection.
 * mc_close sends QUIT and frees.
 *
 * MESSAGE STATE
 *	As Postfix does: once a step of a message gets a final verdict
 *	(accept, reject, tempfail, discard), the later steps of that message
 *	are not sent and return that verdict with replied = 0; the next mc_mail
 *	sends SMFIC_ABORT first. A reject or tempfail at RCPT refuses that
 *	recipient only. A final verdict at CONNECT holds for the whole
 *	connection. Outgoing packets are buffered and written in one go before
 *	the client waits for a reply, so macros and unanswered steps cost no
 *	extra round trip.
 *
 * MACROS
 *	mc_macro() sets a macro for a stage; it is sent (SMFIC_MACRO) with
 *	every later command of that stage until changed. The client adds the
 *	ones an MTA knows by itself: `_` at connect, {mail_addr} at MAIL,
 *	{rcpt_addr} at RCPT, and the queue id `i` from the first RCPT on (as
 *	Postfix does: no queue id at MAIL unless mc_options.queue_id_at_mail).
 *	When the filter asked for its own macro list of a stage
 *	(smfi_setsymlist), only the macros in that list are sent.
 *	mc_open sets j and {daemon_name} to "mx.test" and {daemon_addr} to
 *	"127.0.0.1".
 *
 * TIMEOUTS
 *	Every wait for the socket (connect, each write, each reply packet) is
 *	bounded by the timeouts of mc_options; SMFIR_PROGRESS restarts the
 *	reply timer. inet sockets get TCP_NODELAY.
 *
 * ERRORS
 *	Functions return MC_OK (0) or a negative MC_E* code; mc_strerror()
 *	names the code and mc_error() gives the detail of the last error of a
 *	connection. After an I/O or protocol error the connection is broken:
 *	every later call returns the same code at once. Nothing is printed.
 *
 * OWNERSHIP AND LIFETIME
 *	mc_open returns a connection that mc_close frees (NULL is a no-op).
 *	String arguments are borrowed for the call. Strings in a struct
 *	mc_reply or struct mc_eom belong to the connection and stay valid
 *	until the next call on it (mc_eom actions: until the next mc_mail,
 *	mc_abort, mc_send or mc_close).
 *
 * THREADS
 *	A connection is used by one thread at a time; distinct connections are
 *	independent (the only shared state is an atomic queue id counter).
 *
 * CAVEATS
 *	Body bytes are sent as given: MTAs send CRLF line ends. mc_send
 *	accepts LF or CRLF headers. Only protocol version 6 is offered; an
 *	older filter's answer (version 2 to 5) is accepted and honoured.
 */
#ifndef MILTERCLIENT_H
#define MILTERCLIENT_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define MC_MUST_CHECK __attribute__((warn_unused_result))
#else
#define MC_MUST_CHECK
#endif

/* error codes */
#define MC_OK 0
#define MC_ESYS (-1)     /* a system call failed (see mc_error) */
#define MC_ETIMEOUT (-2) /* the filter did not answer in time */
#define MC_ECLOSED (-3)  /* the filter closed the connection */
#define MC_EPROTO (-4)   /* malformed or unexpected packet */
#define MC_ESPEC (-5)    /* bad socket specification */
#define MC_ENEGOT (-6)   /* the filter's options cannot be honoured */
#define MC_EINVAL (-7)   /* bad argument */

/* verdicts: the reply letters of the protocol */
#define MC_NOREPLY 0     /* step not sent, or its reply negotiated away */
#define MC_CONTINUE 'c'  /* go on */
#define MC_ACCEPT 'a'    /* accept; nothing more for this message */
#define MC_REJECT 'r'    /* 5xx (text from SMFIR_REPLYCODE, if any) */
#define MC_TEMPFAIL 't'  /* 4xx */
#define MC_DISCARD 'd'   /* accept and drop */
#define MC_SKIP 's'      /* no more body chunks, please */
#define MC_CONN_FAIL 'f' /* drop the SMTP connection */
#define MC_SHUTDOWN '4'  /* 421 and close */

/* stages, for mc_macro and mc_symlist */
enum mc_stage {
	MC_STAGE_CONNECT,
	MC_STAGE_HELO,
	MC_STAGE_MAIL,
	MC_STAGE_RCPT,
	MC_STAGE_DATA,
	MC_STAGE_EOH,
	MC_STAGE_EOM,
	MC_STAGE_COUNT
};

/* modification actions at end of message: the reply letters */
#define MC_ADDHEADER 'h'   /* name, value */
#define MC_INSHEADER 'i'   /* index, name, value */
#define MC_CHGHEADER 'm'   /* index, name, value ("" deletes) */
#define MC_ADDRCPT '+'     /* name = recipient */
#define MC_ADDRCPT_PAR '2' /* name = recipient, value = ESMTP args */
#define MC_DELRCPT '-'     /* name = recipient */
#define MC_CHGFROM 'e'     /* name = sender, value = ESMTP args */
#define MC_REPLBODY 'b'    /* data, len: one chunk of the new body */
#define MC_QUARANTINE 'q'  /* name = reason */

struct mc_conn;

struct mc_options {
	unsigned connect_timeout_ms; /* 0: 5000 */
	unsigned timeout_ms;         /* each write and reply; 0: 10000 */
	uint32_t actions;            /* SMFIF_* offered; 0: all */
	uint32_t protocol;           /* SMFIP_* offered; 0: all but MDS */
	int queue_id_at_mail;        /* send `i` at MAIL too (Sendmail) */
};

/* The answer to one step. */
struct mc_reply {
	int verdict;      /* MC_CONTINUE, MC_REJECT, ... or MC_NOREPLY */
	int code;         /* SMTP code of SMFIR_REPLYCODE (e.g. 550), else 0 */
	const char *text; /* whole reply text ("550 5.7.1 no"), else "" */
	int replied;      /* 1: the filter sent this reply for this step */
};

/* One modification requested at end of message. */
struct mc_action {
	int type;          /* MC_ADDHEADER, ... */
	uint32_t index;    /* MC_INSHEADER, MC_CHGHEADER */
	const char *name;  /* header name, recipient, sender or reason */
	const char *value; /* header value or ESMTP args; "" when none */
	const char *data;  /* MC_REPLBODY chunk, else NULL */
	size_t len;
};

/* steps, as the SMFIC_* command letters */
#define MC_STEP_CONNECT 'C'
#define MC_STEP_HELO 'H'
#define MC_STEP_MAIL 'M'
#define MC_STEP_RCPT 'R'
#define MC_STEP_DATA 'T'
#define MC_STEP_HEADER 'L'
#define MC_STEP_EOH 'N'
#define MC_STEP_BODY 'B'
#define MC_STEP_EOM 'E'

/* The outcome of a message: the final reply, the step that gave it and the
 * modifications (only when the message reached EOM). */
struct mc_eom {
	struct mc_reply reply;
	int step; /* MC_STEP_EOM unless an earlier step decided */
	const struct mc_action *actions;
	size_t nactions;
};

/* One message for mc_send: header lines, an empty line, the body. */
struct mc_message {
	const char *sender;       /* without <>; "" is the null sender */
	const char *const *rcpts; /* without <> */
	size_t nrcpts;
	const char *data; /* the message (LF or CRLF line ends) */
	size_t len;
};

/* mc_strerror - a static text naming an MC_E* code */
const char *mc_strerror(int err);

/* mc_error - the detail of the connection's last error ("" if none);
 * borrowed, valid until the next call on c */
const char *mc_error(const struct mc_conn *c);

/* mc_open - connect to the filter at spec and negotiate options (o may be
 * NULL for the defaults). On success *out is a new connection; on failure
 * *out is untouched and, when errbuf is not NULL, the reason is written to
 * errbuf (without the spec: the caller names it) */
int mc_open(const char *spec, const struct mc_options *o, struct mc_conn **out,
        char *errbuf, size_t errlen) MC_MUST_CHECK;

/* mc_close - send QUIT when the connection is still sound, close, free;
 * NULL is a no-op */
void mc_close(struct mc_conn *c);

/* mc_version, mc_actions, mc_protocol - what the filter answered to
 * SMFIC_OPTNEG: its protocol version, SMFIF_* actions and SMFIP_* flags */
uint32_t mc_version(const struct mc_conn *c);
uint32_t mc_actions(const struct mc_conn *c);
uint32_t mc_protocol(const struct mc_conn *c);

/* mc_symlist - the macro list the filter asked for at a stage, or NULL;
 * borrowed, lives as long as c */
const char *mc_symlist(const struct mc_conn *c, enum mc_stage stage);

/* mc_macro - set (value not NULL) or remove (value NULL) a macro of a
 * stage; names are written as on the wire: "j", "{daemon_name}" */
int mc_macro(struct mc_conn *c, enum mc_stage stage, const char *name,
        const char *value) MC_MUST_CHECK;

/* mc_connect - SMFIC_CONNECT: hostname, and addr as text (IPv4 is sent as
 * family '4', IPv6 as '6'; NULL sends family 'U', unknown) */
int mc_connect(struct mc_conn *c, const char *hostname, const char *addr,
        unsigned port, struct mc_reply *r) MC_MUST_CHECK;

/* mc_helo - SMFIC_HELO */
int mc_helo(
        struct mc_conn *c, const char *helo, struct mc_reply *r) MC_MUST_CHECK;

/* mc_mail - SMFIC_MAIL with "<sender>" and optional ESMTP args (NULL or a
 * NULL-terminated array); starts a message, aborting an unfinished one */
int mc_mail(struct mc_conn *c, const char *sender, const char *const *args,
        struct mc_reply *r) MC_MUST_CHECK;

/* mc_rcpt - SMFIC_RCPT with "<rcpt>" and optional ESMTP args */
int mc_rcpt(struct mc_conn *c, const char *rcpt, const char *const *args,
        struct mc_reply *r) MC_MUST_CHECK;

/* mc_data - SMFIC_DATA */
int mc_data(struct mc_conn *c, struct mc_reply *r) MC_MUST_CHECK;

/* mc_header - SMFIC_HEADER; value as it follows the colon. Without
 * SMFIP_HDR_LEADSPC, one leading space is removed, as Postfix does */
int mc_header(struct mc_conn *c, const char *name, const char *value,
        struct mc_reply *r) MC_MUST_CHECK;

/* mc_eoh - SMFIC_EOH */
int mc_eoh(struct mc_conn *c, struct mc_reply *r) MC_MUST_CHECK;

/* mc_body - body bytes in SMFIC_BODY chunks of at most 65535 bytes; may
 * be called several times. Stops early on a final verdict or MC_SKIP */
int mc_body(struct mc_conn *c, const void *data, size_t len,
        struct mc_reply *r) MC_MUST_CHECK;

/* mc_eom - SMFIC_BODYEOB: collects the modifications and the final reply
 * (MC_CONTINUE at EOM means accept) */
int mc_eom(struct mc_conn *c, struct mc_eom *e) MC_MUST_CHECK;

/* mc_abort - SMFIC_ABORT when a message is open; the next message starts
 * afresh */
int mc_abort(struct mc_conn *c) MC_MUST_CHECK;

/* mc_send - a whole message: MAIL, RCPT each, DATA, each header, EOH,
 * body, EOM, stopping at the first final verdict (e->step says where). A
 * message whose recipients were all refused ends at the last RCPT reply */
int mc_send(struct mc_conn *c, const struct mc_message *m,
        struct mc_eom *e) MC_MUST_CHECK;

/* mc_eom_header - the value of the first header named name (any case)
 * that the filter added or inserted, or NULL; borrowed from e */
const char *mc_eom_header(const struct mc_eom *e, const char *name);

#endif /* MILTERCLIENT_H */
