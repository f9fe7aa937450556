/*
 * mc_msg.c - the steps of an SMTP session as milter commands: which are
 * sent (the filter's SMFIP_NO* flags, verdicts already given), which wait
 * for a reply (SMFIP_NR_*), what a reply means for the steps after it, and
 * the modifications collected at end of message.
 */
#include <config.h>

#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "mc_internal.h"

/* The steps of a session, in protocol order. */
enum step {
	S_CONNECT,
	S_HELO,
	S_MAIL,
	S_RCPT,
	S_DATA,
	S_HEADER,
	S_EOH,
	S_BODY,
	S_EOM
};

/* One step: its command letter, the flag that stops it being sent and
 * the flag that stops its reply. */
struct step_def {
	char cmd;
	uint32_t no;
	uint32_t nr;
};

/* the only state shared by connections: the queue id counter */
static atomic_ulong mc_queue_seq = 1;

static const struct step_def steps[] = {
        [S_CONNECT] = {SMFIC_CONNECT, SMFIP_NOCONNECT, SMFIP_NR_CONN},
        [S_HELO] = {SMFIC_HELO, SMFIP_NOHELO, SMFIP_NR_HELO},
        [S_MAIL] = {SMFIC_MAIL, SMFIP_NOMAIL, SMFIP_NR_MAIL},
        [S_RCPT] = {SMFIC_RCPT, SMFIP_NORCPT, SMFIP_NR_RCPT},
        [S_DATA] = {SMFIC_DATA, SMFIP_NODATA, SMFIP_NR_DATA},
        [S_HEADER] = {SMFIC_HEADER, SMFIP_NOHDRS, SMFIP_NR_HDR},
        [S_EOH] = {SMFIC_EOH, SMFIP_NOEOH, SMFIP_NR_EOH},
        [S_BODY] = {SMFIC_BODY, SMFIP_NOBODY, SMFIP_NR_BODY},
        [S_EOM] = {SMFIC_BODYEOB, 0, 0},
};

/* sticky_clear - forget a held verdict */
static void sticky_clear(struct mc_sticky *s)
{
	free(s->text);
	memset(s, 0, sizeof *s);
}

/* sticky_set - hold a verdict (and a copy of its text) for later steps */
static void sticky_set(struct mc_sticky *s, const struct mc_reply *r, int step)
{
	char *text = mc_xstrdup(r->text);

	sticky_clear(s);
	s->verdict = r->verdict;
	s->code = r->code;
	s->text = text;
	s->step = steps[step].cmd;
}

/* sticky_get - answer a step from a held verdict, without sending it */
static void sticky_get(const struct mc_sticky *s, struct mc_reply *r)
{
	r->verdict = s->verdict;
	r->code = s->code;
	r->text = s->text;
	r->replied = 0;
}

/* reply_none - a step that was not sent or not answered */
static void reply_none(struct mc_reply *r)
{
	r->verdict = MC_NOREPLY;
	r->code = 0;
	r->text = "";
	r->replied = 0;
}

/* actions_clear - forget the modifications of the last message */
static void actions_clear(struct mc_conn *c)
{
	for (size_t i = 0; i < c->nacts; i++)
		free(c->actbufs[i]);
	c->nacts = 0;
}

/* mc_msg_free - free what this layer holds in c */
void mc_msg_free(struct mc_conn *c)
{
	actions_clear(c);
	free(c->acts);
	free(c->actbufs);
	sticky_clear(&c->conn);
	sticky_clear(&c->msg);
	free(c->text);
}

/* reply_code - SMFIR_REPLYCODE: "4xx ..." is a tempfail, "5xx ..." a
 * reject; anything else breaks the protocol */
static int reply_code(struct mc_conn *c, struct mc_reply *r)
{
	const char *t = c->pkt;

	if (strlen(t) != c->pktlen - 1 || c->pktlen < 4 ||
	        (t[0] != '4' && t[0] != '5') || t[1] < '0' || t[1] > '9' ||
	        t[2] < '0' || t[2] > '9' ||
	        (t[3] != ' ' && t[3] != '-' && t[3]))
		return mc_fail(c, MC_EPROTO, "bad reply code \"%.60s\"", t);
	free(c->text);
	c->text = mc_xstrdup(t);
	r->text = c->text;
	r->code = (t[0] - '0') * 100 + (t[1] - '0') * 10 + (t[2] - '0');
	r->verdict = t[0] == '4' ? MC_TEMPFAIL : MC_REJECT;
	r->replied = 1;
	return MC_OK;
}

/* action_flag - the SMFIF_* flag a modification needs, 0 if cmd is not a
 * modification */
static uint32_t action_flag(char cmd)
{
	switch (cmd) {
	case SMFIR_ADDHEADER:
	case SMFIR_INSHEADER:
		return SMFIF_ADDHDRS;
	case SMFIR_CHGHEADER:
		return SMFIF_CHGHDRS;
	case SMFIR_ADDRCPT:
		return SMFIF_ADDRCPT;
	case SMFIR_ADDRCPT_PAR:
		return SMFIF_ADDRCPT_PAR;
	case SMFIR_DELRCPT:
		return SMFIF_DELRCPT;
	case SMFIR_CHGFROM:
		return SMFIF_CHGFROM;
	case SMFIR_REPLBODY:
		return SMFIF_CHGBODY;
	case SMFIR_QUARANTINE:
		return SMFIF_QUARANTINE;
	default:
		return 0;
	}
}

/* take_str - the NUL-terminated string at *pos of buf, or NULL when it
 * is not terminated inside len */
static const char *take_str(const char *buf, size_t len, size_t *pos)
{
	const char *s = buf + *pos;
	size_t n;

	if (*pos >= len)
		return NULL;
	n = strnlen(s, len - *pos);
	if (*pos + n >= len)
		return NULL;
	*pos += n + 1;
	return s;
}

/* action_parse - fill a from its copied payload p of len bytes */
static int action_parse(struct mc_action *a, const char *p, size_t len)
{
	size_t pos = 0;

	if (a->type == SMFIR_REPLBODY) {
		a->data = p;
		a->len = len;
		a->name = a->value = "";
		return MC_OK;
	}
	if (a->type == SMFIR_INSHEADER || a->type == SMFIR_CHGHEADER) {
		if (len < MILTER_LEN_BYTES)
			return MC_EPROTO;
		memcpy(&a->index, p, sizeof a->index);
		a->index = ntohl(a->index);
		pos = MILTER_LEN_BYTES;
	}
	a->name = take_str(p, len, &pos);
	a->value = pos < len ? take_str(p, len, &pos) : "";
	return a->name != NULL && a->value != NULL ? MC_OK : MC_EPROTO;
}

/* action_add - keep one modification sent before the EOM reply; one the
 * filter did not negotiate is a protocol error (Postfix refuses it too) */
static int action_add(struct mc_conn *c, char cmd)
{
	struct mc_action *a;
	char *copy;

	if (!(c->actions & action_flag(cmd)))
		return mc_fail(c, MC_EPROTO,
		        "filter sent '%c' without negotiating it", cmd);
	if (c->nacts == c->actcap) {
		c->actcap = c->actcap ? c->actcap * 2 : 8;
		c->acts = mc_xrealloc(c->acts, c->actcap * sizeof *c->acts);
		c->actbufs =
		        mc_xrealloc(c->actbufs, c->actcap * sizeof *c->actbufs);
	}
	copy = memcpy(mc_xmalloc(c->pktlen + 1), c->pkt, c->pktlen + 1);
	a = &c->acts[c->nacts];
	memset(a, 0, sizeof *a);
	a->type = cmd;
	if (action_parse(a, copy, c->pktlen) != MC_OK) {
		free(copy);
		return mc_fail(c, MC_EPROTO, "malformed '%c' packet", cmd);
	}
	c->actbufs[c->nacts++] = copy;
	return MC_OK;
}

/* read_reply - packets until the reply to step: progress is skipped,
 * modifications are kept (at EOM only) */
static int read_reply(struct mc_conn *c, int step, struct mc_reply *r)
{
	for (;;) {
		char cmd;

		if (mc_read_packet(c, &cmd) != MC_OK)
			return c->broken;
		switch (cmd) {
		case SMFIR_PROGRESS:
			continue;
		case SMFIR_REPLYCODE:
			return reply_code(c, r);
		case SMFIR_SKIP:
			if (step != S_BODY)
				break;
			/* fall through */
		case SMFIR_CONTINUE:
		case SMFIR_ACCEPT:
		case SMFIR_REJECT:
		case SMFIR_TEMPFAIL:
		case SMFIR_DISCARD:
		case SMFIR_CONN_FAIL:
		case SMFIR_SHUTDOWN:
			r->verdict = cmd;
			r->replied = 1;
			return MC_OK;
		default:
			if (step == S_EOM && action_flag(cmd) != 0) {
				if (action_add(c, cmd) != MC_OK)
					return c->broken;
				continue;
			}
		}
		return mc_fail(c, MC_EPROTO, "unexpected reply '%c' to '%c'",
		        cmd, steps[step].cmd);
	}
}

/* step_begin - 1 when the step is to be sent; 0 when it is answered
 * without sending (a verdict already given, or the filter does not want
 * the step); <0 on error */
static int step_begin(struct mc_conn *c, int step, struct mc_reply *r)
{
	reply_none(r);
	if (c->broken)
		return c->broken; /* c->err still says why */
	if (c->conn.verdict) {
		sticky_get(&c->conn, r);
		return 0;
	}
	if (step > S_MAIL && c->msg_state == MC_MSG_NONE)
		return mc_fail(c, MC_EINVAL, "no message open: call mc_mail");
	if (step >= S_MAIL && c->msg_state == MC_MSG_DONE) {
		sticky_get(&c->msg, r);
		return 0;
	}
	if (step == S_BODY && c->body_skip) {
		r->verdict = MC_SKIP;
		return 0;
	}
	return (c->protocol & steps[step].no) ? 0 : 1;
}

/* step_apply - what a reply means for the steps after it, as Postfix
 * reads it: a final verdict at CONNECT holds for the connection, one at
 * RCPT refuses that recipient only, elsewhere it ends the message */
static void step_apply(struct mc_conn *c, int step, const struct mc_reply *r)
{
	int v = r->verdict;

	if (v == MC_CONN_FAIL || v == MC_SHUTDOWN) {
		sticky_set(&c->conn, r, step);
	} else if (v == MC_SKIP) {
		c->body_skip = step == S_BODY;
	} else if (v != MC_ACCEPT && v != MC_REJECT && v != MC_TEMPFAIL &&
	           v != MC_DISCARD) {
		return;
	} else if (step == S_CONNECT || (step == S_HELO && v == MC_ACCEPT)) {
		sticky_set(&c->conn, r, step);
	} else if (step == S_RCPT && (v == MC_REJECT || v == MC_TEMPFAIL)) {
		return;
	} else if (step >= S_MAIL && step != S_EOM) {
		sticky_set(&c->msg, r, step);
		c->msg_state = MC_MSG_DONE;
	}
}

/* step_finish - end the packet begun at off, wait for the reply unless
 * the filter negotiated it away, apply it */
static int step_finish(
        struct mc_conn *c, int step, size_t off, struct mc_reply *r)
{
	int rc = mc_put_end(c, off);

	if (rc != MC_OK)
		return rc;
	if (c->protocol & steps[step].nr)
		return MC_OK;
	if (read_reply(c, step, r) != MC_OK)
		return c->broken;
	step_apply(c, step, r);
	return MC_OK;
}

/* mc_msg_refused - every recipient refused: the message ends with r */
void mc_msg_refused(struct mc_conn *c, const struct mc_reply *r)
{
	sticky_set(&c->msg, r, S_RCPT);
	c->msg_state = MC_MSG_DONE;
}

/* addr_family - the protocol's family letter for a textual address, 0 if
 * it is not an address */
static char addr_family(const char *addr)
{
	unsigned char buf[16];

	if (addr == NULL)
		return SMFIA_UNKNOWN;
	if (inet_pton(AF_INET, addr, buf) == 1)
		return SMFIA_INET;
	if (inet_pton(AF_INET6, addr, buf) == 1)
		return SMFIA_INET6;
	return 0;
}

/* mc_connect - SMFIC_CONNECT; port goes in network order, as libmilter
 * copies it straight into sin_port */
int mc_connect(struct mc_conn *c, const char *hostname, const char *addr,
        unsigned port, struct mc_reply *r)
{
	struct mc_reply tmp;
	char fam = addr_family(addr), under[600];
	uint16_t nport = htons((uint16_t)port);
	int rc;

	r = r ? r : &tmp;
	hostname = hostname ? hostname : "unknown";
	if (fam == 0 || port > 65535)
		return mc_fail(c, MC_EINVAL, "bad client address or port");
	if ((rc = step_begin(c, S_CONNECT, r)) <= 0)
		return rc;
	snprintf(under, sizeof under, "%s [%s]", hostname,
	        addr ? addr : "unknown");
	struct mc_kv autos[] = {{"_", under}};
	if ((rc = mc_put_macros(c, MC_STAGE_CONNECT, autos, 1)) != MC_OK)
		return rc;
	size_t off = mc_put_begin(c, SMFIC_CONNECT);
	mc_put_str(c, hostname);
	mc_put(c, &fam, 1);
	if (fam != SMFIA_UNKNOWN) {
		mc_put(c, &nport, sizeof nport);
		mc_put_str(c, addr);
	}
	return step_finish(c, S_CONNECT, off, r);
}

/* mc_helo - SMFIC_HELO */
int mc_helo(struct mc_conn *c, const char *helo, struct mc_reply *r)
{
	struct mc_reply tmp;
	size_t off;
	int rc;

	r = r ? r : &tmp;
	if ((rc = step_begin(c, S_HELO, r)) <= 0)
		return rc;
	if ((rc = mc_put_macros(c, MC_STAGE_HELO, NULL, 0)) != MC_OK)
		return rc;
	off = mc_put_begin(c, SMFIC_HELO);
	mc_put_str(c, helo);
	return step_finish(c, S_HELO, off, r);
}

/* put_addr_args - "<addr>" and the ESMTP args, each NUL-terminated */
static void put_addr_args(
        struct mc_conn *c, const char *addr, const char *const *args)
{
	mc_put(c, "<", 1);
	mc_put(c, addr, strlen(addr));
	mc_put_str(c, ">");
	for (size_t i = 0; args != NULL && args[i] != NULL; i++)
		mc_put_str(c, args[i]);
}

/* msg_start - a new message: abort an open one, fresh state, queue id */
static int msg_start(struct mc_conn *c)
{
	int rc = mc_abort(c);

	if (rc != MC_OK)
		return rc;
	actions_clear(c);
	c->msg_state = MC_MSG_OPEN;
	c->body_skip = 0;
	c->rcpt_ok = 0;
	/* unique in the process and, with the pid, across processes, so
	 * that a filter's log lines of concurrent sessions can be told
	 * apart, as Postfix queue ids can */
	snprintf(c->queue_id, sizeof c->queue_id, "%05lX%07lX",
	        (unsigned long)getpid() & 0xfffff,
	        (unsigned long)atomic_fetch_add(&mc_queue_seq, 1) & 0xfffffff);
	return MC_OK;
}

/* queue_macro - `i` from the first RCPT on, at MAIL too when asked */
static const char *queue_macro(const struct mc_conn *c, int step)
{
	if (step == S_MAIL && !c->o.queue_id_at_mail)
		return NULL;
	return c->queue_id;
}

/* mc_mail - SMFIC_MAIL; starts a message */
int mc_mail(struct mc_conn *c, const char *sender, const char *const *args,
        struct mc_reply *r)
{
	struct mc_reply tmp;
	size_t off;
	int rc;

	r = r ? r : &tmp;
	if (c->broken)
		return step_begin(c, S_MAIL, r);
	if ((rc = msg_start(c)) != MC_OK)
		return rc;
	if ((rc = step_begin(c, S_MAIL, r)) <= 0)
		return rc;
	struct mc_kv autos[] = {
	        {"{mail_addr}", sender}, {"i", queue_macro(c, S_MAIL)}};
	if ((rc = mc_put_macros(c, MC_STAGE_MAIL, autos, 2)) != MC_OK)
		return rc;
	off = mc_put_begin(c, SMFIC_MAIL);
	put_addr_args(c, sender, args);
	return step_finish(c, S_MAIL, off, r);
}

/* mc_rcpt - SMFIC_RCPT; counts the recipients not refused */
int mc_rcpt(struct mc_conn *c, const char *rcpt, const char *const *args,
        struct mc_reply *r)
{
	struct mc_reply tmp;
	size_t off;
	int rc;

	r = r ? r : &tmp;
	if ((rc = step_begin(c, S_RCPT, r)) < 0)
		return rc;
	if (rc > 0) {
		struct mc_kv autos[] = {
		        {"{rcpt_addr}", rcpt}, {"i", c->queue_id}};
		if ((rc = mc_put_macros(c, MC_STAGE_RCPT, autos, 2)) != MC_OK)
			return rc;
		off = mc_put_begin(c, SMFIC_RCPT);
		put_addr_args(c, rcpt, args);
		if ((rc = step_finish(c, S_RCPT, off, r)) != MC_OK)
			return rc;
	}
	if (r->verdict != MC_REJECT && r->verdict != MC_TEMPFAIL)
		c->rcpt_ok++;
	return MC_OK;
}

/* simple_step - a step with no arguments and the `i` macro */
static int simple_step(
        struct mc_conn *c, int step, int stage, struct mc_reply *r)
{
	struct mc_reply tmp;
	struct mc_kv autos[] = {{"i", c->queue_id}};
	int rc;

	r = r ? r : &tmp;
	if ((rc = step_begin(c, step, r)) <= 0)
		return rc;
	if ((rc = mc_put_macros(c, stage, autos, 1)) != MC_OK)
		return rc;
	return step_finish(c, step, mc_put_begin(c, steps[step].cmd), r);
}

/* mc_data - SMFIC_DATA */
int mc_data(struct mc_conn *c, struct mc_reply *r)
{
	return simple_step(c, S_DATA, MC_STAGE_DATA, r);
}

/* mc_eoh - SMFIC_EOH */
int mc_eoh(struct mc_conn *c, struct mc_reply *r)
{
	return simple_step(c, S_EOH, MC_STAGE_EOH, r);
}

/* mc_header - SMFIC_HEADER; Sendmail eats one space after the colon
 * unless the filter asked for SMFIP_HDR_LEADSPC, and Postfix copies it */
int mc_header(struct mc_conn *c, const char *name, const char *value,
        struct mc_reply *r)
{
	struct mc_reply tmp;
	size_t off;
	int rc;

	r = r ? r : &tmp;
	if ((rc = step_begin(c, S_HEADER, r)) <= 0)
		return rc;
	if (!(c->protocol & SMFIP_HDR_LEADSPC) && value[0] == ' ')
		value++;
	off = mc_put_begin(c, SMFIC_HEADER);
	mc_put_str(c, name);
	mc_put_str(c, value);
	return step_finish(c, S_HEADER, off, r);
}

/* mc_body - SMFIC_BODY chunks of at most MILTER_CHUNK_SIZE bytes */
int mc_body(struct mc_conn *c, const void *data, size_t len, struct mc_reply *r)
{
	struct mc_reply tmp;
	const char *p = data;
	int rc;

	r = r ? r : &tmp;
	reply_none(r);
	while (len > 0) {
		size_t n = len < MILTER_CHUNK_SIZE ? len : MILTER_CHUNK_SIZE;
		size_t off;

		if ((rc = step_begin(c, S_BODY, r)) <= 0)
			return rc;
		off = mc_put_begin(c, SMFIC_BODY);
		mc_put(c, p, n);
		if ((rc = step_finish(c, S_BODY, off, r)) != MC_OK)
			return rc;
		p += n;
		len -= n;
	}
	return c->broken ? c->broken : MC_OK;
}

/* eom_none - an EOM result with the reply of step and no actions */
static void eom_none(struct mc_eom *e)
{
	memset(e, 0, sizeof *e);
	reply_none(&e->reply);
	e->step = MC_STEP_EOM;
}

/* mc_eom - SMFIC_BODYEOB: modifications, then the final reply */
int mc_eom(struct mc_conn *c, struct mc_eom *e)
{
	int rc;

	eom_none(e);
	if ((rc = step_begin(c, S_EOM, &e->reply)) <= 0) {
		e->step = c->conn.verdict ? c->conn.step : c->msg.step;
		return rc;
	}
	struct mc_kv autos[] = {{"i", c->queue_id}};
	if ((rc = mc_put_macros(c, MC_STAGE_EOM, autos, 1)) != MC_OK)
		return rc;
	rc = step_finish(c, S_EOM, mc_put_begin(c, SMFIC_BODYEOB), &e->reply);
	if (rc != MC_OK)
		return rc;
	c->msg_state = MC_MSG_NONE;
	e->actions = c->acts;
	e->nactions = c->nacts;
	return MC_OK;
}

/* mc_abort - SMFIC_ABORT when a message is open (no reply comes) */
int mc_abort(struct mc_conn *c)
{
	size_t off;

	if (c->broken)
		return c->broken;
	sticky_clear(&c->msg);
	if (c->msg_state == MC_MSG_NONE || c->conn.verdict) {
		c->msg_state = MC_MSG_NONE;
		return MC_OK;
	}
	c->msg_state = MC_MSG_NONE;
	off = mc_put_begin(c, SMFIC_ABORT);
	return mc_put_end(c, off);
}

/* mc_eom_header - the first header added or inserted under that name */
const char *mc_eom_header(const struct mc_eom *e, const char *name)
{
	for (size_t i = 0; i < e->nactions; i++) {
		const struct mc_action *a = &e->actions[i];

		if ((a->type == MC_ADDHEADER || a->type == MC_INSHEADER) &&
		        strcasecmp(a->name, name) == 0)
			return a->value;
	}
	return NULL;
}
