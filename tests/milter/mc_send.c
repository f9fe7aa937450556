/*
 * mc_send.c - a whole message through the milter client: the envelope,
 * the header fields parsed from the message text, the body, end of
 * message; it stops sending once a step has decided the message.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "mc_internal.h"

/* decided - whether a verdict already holds for the rest of the message */
static int decided(const struct mc_conn *c)
{
	return c->conn.verdict != 0 || c->msg_state == MC_MSG_DONE;
}

/* field_end - the end of the header field at p: its first line and the
 * continuation lines (those starting with a blank) */
static const char *field_end(const char *p, const char *end)
{
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL)
			return end;
		p = nl + 1;
		if (p >= end || (*p != ' ' && *p != '\t'))
			return p;
	}
}

/* field_copy - the field [p, q) as MTAs pass it: CRLF made LF, the final
 * line end dropped, folding kept */
static char *field_copy(const char *p, const char *q)
{
	char *s = mc_xmalloc((size_t)(q - p) + 1), *d = s;

	for (; p < q; p++)
		if (*p != '\r' || p + 1 == q || p[1] != '\n')
			*d++ = *p;
	while (d > s && (d[-1] == '\n' || d[-1] == '\r'))
		d--;
	*d = '\0';
	return s;
}

/* name_len - length of the field name at p (printable, no colon), with
 * *colon set to the colon after it (blanks allowed before); 0 when the
 * line is not a header field */
static size_t name_len(const char *p, const char *end, const char **colon)
{
	size_t n = 0;
	const char *q;

	while (p + n < end && p[n] > ' ' && p[n] < 127 && p[n] != ':')
		n++;
	for (q = p + n; q < end && (*q == ' ' || *q == '\t'); q++)
		;
	if (n == 0 || q >= end || *q != ':')
		return 0;
	*colon = q;
	return n;
}

/* send_headers - every header field to the filter; *body is set to the
 * first byte after the empty line (or where the header block ended) */
static int send_headers(struct mc_conn *c, const char *p, const char *end,
        const char **body, struct mc_reply *r)
{
	while (p < end && !decided(c)) {
		const char *colon, *fe;
		size_t n;
		char *field;
		int rc;

		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
			*body = p + (*p == '\r' ? 2 : 1);
			return MC_OK;
		}
		if ((n = name_len(p, end, &colon)) == 0)
			break;
		fe = field_end(p, end);
		field = field_copy(p, fe);
		field[n] = '\0';
		rc = mc_header(c, field, field + (colon - p) + 1, r);
		free(field);
		if (rc != MC_OK)
			return rc;
		p = fe;
	}
	*body = p;
	return MC_OK;
}

/* send_envelope - MAIL and each RCPT; all recipients refused ends the
 * message at the last RCPT reply */
static int send_envelope(
        struct mc_conn *c, const struct mc_message *m, struct mc_reply *r)
{
	int rc = mc_mail(c, m->sender, NULL, r);

	for (size_t i = 0; rc == MC_OK && !decided(c) && i < m->nrcpts; i++)
		rc = mc_rcpt(c, m->rcpts[i], NULL, r);
	if (rc == MC_OK && !decided(c) && c->rcpt_ok == 0)
		mc_msg_refused(c, r);
	return rc;
}

/* mc_send - a whole message, stopping at the first final verdict */
int mc_send(struct mc_conn *c, const struct mc_message *m, struct mc_eom *e)
{
	const char *body, *end;
	struct mc_reply r;
	int rc;

	memset(e, 0, sizeof *e);
	e->reply.text = "";
	e->step = MC_STEP_EOM;
	if (m->nrcpts == 0 || m->sender == NULL || m->data == NULL)
		return mc_fail(c, MC_EINVAL,
		        "a message needs a sender, "
		        "recipients and data");
	body = m->data;
	end = m->data + m->len;
	rc = send_envelope(c, m, &r);
	if (rc == MC_OK && !decided(c))
		rc = mc_data(c, &r);
	if (rc == MC_OK && !decided(c))
		rc = send_headers(c, m->data, end, &body, &r);
	if (rc == MC_OK && !decided(c))
		rc = mc_eoh(c, &r);
	if (rc == MC_OK && !decided(c))
		rc = mc_body(c, body, (size_t)(end - body), &r);
	return rc == MC_OK ? mc_eom(c, e) : rc;
}
