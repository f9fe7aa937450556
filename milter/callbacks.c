/* callbacks.c - libmilter callbacks: context in, verdict out */
#include "config.h"

#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "callbacks.h"
#include "log.h"
#include "session.h"

/* Set once before smfi_main; read by every callback. */
static struct engine *cb_engine;
static atomic_uint cb_active;

/* What each connection negotiated; lives in the priv with the session. */
struct conn {
	struct session *session;
	unsigned long steps; /* SMFIP_* granted */
};

/* Steps we never use, and replies we never need (DESIGN section 8:
 * fewer round trips beat faster code). We decide at end of message. The
 * body is wanted only for DKIM, and only until every signature has what
 * it needs (SMFIS_SKIP); header values come with their leading space,
 * which DKIM's simple canonicalisation needs. */
#define CB_SKIP (SMFIP_NORCPT | SMFIP_NOUNKNOWN | SMFIP_NODATA)
#define CB_WANT (SMFIP_SKIP | SMFIP_HDR_LEADSPC)
#define CB_NOREPLY                                                             \
	(SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_HDR |        \
	        SMFIP_NR_EOH)

/* conn_of - the connection state, made on first use */
static struct conn *conn_of(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL || cb_engine == NULL)
		return c;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->session = session_new(cb_engine)) == NULL) {
		free(c);
		return NULL;
	}
	atomic_fetch_add(&cb_active, 1);
	smfi_setpriv(ctx, c);
	return c;
}

/* done - CONTINUE, or NOREPLY when the MTA agreed not to wait for it */
static sfsistat done(const struct conn *c, unsigned long noreply)
{
	return (c->steps & noreply) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* cb_negotiate - ask for what we use, decline what we do not */
static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
        unsigned long f2, unsigned long f3, unsigned long *pf0,
        unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct conn *c = conn_of(ctx);

	(void)f2;
	(void)f3;
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS);
	c->steps = f1 & (CB_SKIP | CB_NOREPLY | CB_WANT);
	if (!session_wants_body(c->session))
		c->steps |= f1 & SMFIP_NOBODY;
	*pf1 = c->steps;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

/* cb_connect - the client address starts the list queries */
static sfsistat cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	struct conn *c = conn_of(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if (sa != NULL && sa->sa_family == AF_INET)
		session_connect(c->session, host, AF_INET,
		        (const uint8_t *)&((struct sockaddr_in *)sa)->sin_addr);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		session_connect(c->session, host, AF_INET6,
		        (const uint8_t *)&((struct sockaddr_in6 *)sa)
		                ->sin6_addr);
	else
		session_connect(c->session, host, 0, NULL);
	return done(c, SMFIP_NR_CONN);
}

/* cb_helo - the HELO name */
static sfsistat cb_helo(SMFICTX *ctx, char *helo)
{
	struct conn *c = conn_of(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	session_helo(c->session, helo);
	return done(c, SMFIP_NR_HELO);
}

/* cb_envfrom - a new message */
static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	session_mail(c->session, argv[0] != NULL ? argv[0] : "",
	        smfi_getsymval(ctx, "{auth_authen}"));
	return done(c, SMFIP_NR_MAIL);
}

/* cb_header - to DKIM and DMARC; copies of our headers are counted */
static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = conn_of(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	session_header(c->session, name, value);
	return done(c, SMFIP_NR_HDR);
}

/* cb_eoh - the DKIM key and DMARC record lookups start */
static sfsistat cb_eoh(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_CONTINUE;
	session_eoh(c->session);
	return done(c, SMFIP_NR_EOH);
}

/* cb_body - DKIM hashes it; the rest is skipped once it has enough */
static sfsistat cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_CONTINUE;
	if (session_body(c->session, chunk, len) && (c->steps & SMFIP_SKIP))
		return SMFIS_SKIP;
	return SMFIS_CONTINUE;
}

/* add - a header, with the leading space the MTA expects back when it
 * sent values with theirs (SMFIP_HDR_LEADSPC) */
static void add(SMFICTX *ctx, const struct conn *c, const char *name,
        const char *value, int at_top)
{
	char buf[AUTHRES_HEADER_SIZE + 2];

	snprintf(buf, sizeof(buf), "%s%s",
	        (c->steps & SMFIP_HDR_LEADSPC) ? " " : "", value);
	if (at_top)
		smfi_insheader(ctx, 0, (char *)name, buf);
	else
		smfi_addheader(ctx, (char *)name, buf);
}

/* apply_headers - strip incoming copies of ours (highest index first,
 * CVE-2022-48521), then add ours; Authentication-Results goes on top
 * (RFC 8601 section 5) */
static void apply_headers(
        SMFICTX *ctx, const struct conn *c, const struct session_verdict *v)
{
	for (unsigned i = 0; i < v->nar_strip; i++)
		smfi_chgheader(ctx, AUTHRES_HEADER, (int)v->ar_strip[i], NULL);
	if (v->authres[0] != '\0')
		add(ctx, c, AUTHRES_HEADER, v->authres, 1);
	for (int h = 0; h < SESSION_HDR_COUNT; h++)
		for (unsigned i = v->strip[h]; i > 0; i--)
			smfi_chgheader(ctx, (char *)session_header_name[h],
			        (int)i, NULL);
	if (!v->add_headers)
		return;
	if (v->flag)
		add(ctx, c, session_header_name[SESSION_HDR_FLAG], "YES", 0);
	add(ctx, c, session_header_name[SESSION_HDR_SCORE], v->score, 0);
	add(ctx, c, session_header_name[SESSION_HDR_STATUS], v->status, 0);
}

/* cb_eom - the verdict */
static sfsistat cb_eom(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);
	struct session_verdict v;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	session_eom(c->session, smfi_getsymval(ctx, "i"), &v);
	switch (v.act) {
	case POLICY_REJECT:
	case POLICY_TEMPFAIL:
		smfi_setreply(ctx, v.reply.code, v.reply.xcode, v.reply.text);
		return v.act == POLICY_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
	default:
		apply_headers(ctx, c, &v);
		return SMFIS_ACCEPT;
	}
}

/* cb_abort - the message ends without end of message */
static sfsistat cb_abort(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		session_abort(c->session);
	return SMFIS_CONTINUE;
}

/* cb_close - may be the only callback of a connection */
static sfsistat cb_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_CONTINUE;
	smfi_setpriv(ctx, NULL);
	session_free(c->session);
	free(c);
	atomic_fetch_sub(&cb_active, 1);
	return SMFIS_CONTINUE;
}

/* callbacks_register - describe the filter to libmilter */
int callbacks_register(void)
{
	static struct smfiDesc desc = {
	        .xxfi_name = "repmilter",
	        .xxfi_version = SMFI_VERSION,
	        .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
	        .xxfi_connect = cb_connect,
	        .xxfi_helo = cb_helo,
	        .xxfi_envfrom = cb_envfrom,
	        .xxfi_header = cb_header,
	        .xxfi_eoh = cb_eoh,
	        .xxfi_body = cb_body,
	        .xxfi_eom = cb_eom,
	        .xxfi_abort = cb_abort,
	        .xxfi_close = cb_close,
	        .xxfi_negotiate = cb_negotiate,
	};

	return smfi_register(desc) == MI_SUCCESS ? 0 : -1;
}

/* callbacks_set_engine - set before smfi_main starts */
void callbacks_set_engine(struct engine *e)
{
	cb_engine = e;
}

/* callbacks_active - open sessions */
unsigned callbacks_active(void)
{
	return atomic_load(&cb_active);
}
