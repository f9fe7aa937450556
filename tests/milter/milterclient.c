/*
 * milterclient.c - the milter protocol as the MTA speaks it: option
 * connection, option negotiation and macros (see milterclient.h). The
 * steps of a message are in mc_msg.c, the socket and packet layer in
 * mc_io.c.
 */
#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "mc_internal.h"

/* Per mc_stage: the command its macros go with, and its index in the
 * filter's symbol lists (SMFIM_*). */
static const char stage_cmd[MC_STAGE_COUNT] = "CHMRTNE";
static const int stage_symidx[MC_STAGE_COUNT] = {SMFIM_CONNECT, SMFIM_HELO,
        SMFIM_ENVFROM, SMFIM_ENVRCPT, SMFIM_DATA, SMFIM_EOH, SMFIM_EOM};

static const char *const mc_errors[] = {
        "success",
        "system error",
        "timeout",
        "connection closed by the filter",
        "protocol error",
        "bad socket specification",
        "negotiation failed",
        "bad argument",
};

/* mc_strerror - a static text naming an MC_E* code */
const char *mc_strerror(int err)
{
	if (err > 0 || -err >= (int)(sizeof mc_errors / sizeof *mc_errors))
		return "unknown error";
	return mc_errors[-err];
}

/* mc_error - the detail of the last error */
const char *mc_error(const struct mc_conn *c)
{
	return c->err;
}

/* mc_version - the filter's protocol version */
uint32_t mc_version(const struct mc_conn *c)
{
	return c->version;
}

/* mc_actions - the SMFIF_* actions the filter asked for */
uint32_t mc_actions(const struct mc_conn *c)
{
	return c->actions;
}

/* mc_protocol - the SMFIP_* flags the filter asked for */
uint32_t mc_protocol(const struct mc_conn *c)
{
	return c->protocol;
}

/* mc_symlist - the filter's macro list of a stage, or NULL */
const char *mc_symlist(const struct mc_conn *c, enum mc_stage stage)
{
	return (unsigned)stage < MC_STAGE_COUNT ? c->symlist[stage] : NULL;
}

/* symlist_parse - the macro lists that may follow the option triple:
 * pairs of (SMFIM_* index, NUL-terminated list) */
static int symlist_parse(struct mc_conn *c, size_t pos)
{
	while (pos < c->pktlen) {
		uint32_t idx;
		size_t len;

		if (c->pktlen - pos < MILTER_LEN_BYTES + 1)
			return mc_fail(c, MC_EPROTO, "truncated macro list");
		memcpy(&idx, c->pkt + pos, sizeof idx);
		idx = ntohl(idx);
		pos += MILTER_LEN_BYTES;
		len = strnlen(c->pkt + pos, c->pktlen - pos);
		if (pos + len >= c->pktlen)
			return mc_fail(c, MC_EPROTO, "unterminated macro list");
		for (int st = 0; st < MC_STAGE_COUNT; st++) {
			if ((uint32_t)stage_symidx[st] != idx)
				continue;
			free(c->symlist[st]);
			c->symlist[st] = mc_xstrdup(c->pkt + pos);
		}
		pos += len + 1;
	}
	return MC_OK;
}

/* negotiate - SMFIC_OPTNEG: offer version 6 and our options, keep the
 * filter's answer; a filter that wants what we did not offer is refused,
 * as Postfix does */
static int negotiate(struct mc_conn *c)
{
	uint32_t v[3];
	size_t off = mc_put_begin(c, SMFIC_OPTNEG);
	char cmd;

	mc_put_u32(c, SMFI_PROT_VERSION);
	mc_put_u32(c, c->o.actions);
	mc_put_u32(c, c->o.protocol);
	if (mc_put_end(c, off) != MC_OK || mc_read_packet(c, &cmd) != MC_OK)
		return c->broken;
	if (cmd != SMFIC_OPTNEG || c->pktlen < MILTER_OPTLEN)
		return mc_fail(c, MC_EPROTO, "bad answer '%c' to OPTNEG", cmd);
	memcpy(v, c->pkt, sizeof v);
	c->version = ntohl(v[0]);
	c->actions = ntohl(v[1]);
	c->protocol = ntohl(v[2]);
	if (c->version < 2 || c->version > SMFI_PROT_VERSION)
		return mc_fail(c, MC_ENEGOT, "filter speaks version %lu",
		        (unsigned long)c->version);
	if ((c->actions & ~c->o.actions) || (c->protocol & ~c->o.protocol))
		return mc_fail(c, MC_ENEGOT,
		        "filter wants actions 0x%lx protocol 0x%lx, "
		        "offered 0x%lx 0x%lx",
		        (unsigned long)c->actions, (unsigned long)c->protocol,
		        (unsigned long)c->o.actions,
		        (unsigned long)c->o.protocol);
	return symlist_parse(c, MILTER_OPTLEN);
}

/* options_fill - defaults for what the caller left 0 */
static void options_fill(struct mc_options *o, const struct mc_options *in)
{
	if (in != NULL)
		*o = *in;
	if (o->connect_timeout_ms == 0)
		o->connect_timeout_ms = 5000;
	if (o->timeout_ms == 0)
		o->timeout_ms = 10000;
	if (o->actions == 0)
		o->actions = SMFI_CURR_ACTS;
	if (o->protocol == 0)
		o->protocol = SMFI_CURR_PROT;
}

/* mc_open - connect and negotiate */
int mc_open(const char *spec, const struct mc_options *o, struct mc_conn **out,
        char *errbuf, size_t errlen)
{
	struct mc_conn *c = mc_xmalloc(sizeof *c);
	int rc;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	options_fill(&c->o, o);
	rc = mc_sock_open(c, spec);
	if (rc == MC_OK)
		rc = negotiate(c);
	if (rc == MC_OK)
		rc = mc_macro(c, MC_STAGE_CONNECT, "j", "mx.test");
	if (rc == MC_OK)
		rc = mc_macro(c, MC_STAGE_CONNECT, "{daemon_name}", "mx.test");
	if (rc == MC_OK)
		rc = mc_macro(
		        c, MC_STAGE_CONNECT, "{daemon_addr}", "127.0.0.1");
	if (rc != MC_OK) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "%s", c->err);
		c->broken = rc;
		mc_close(c);
		return rc;
	}
	*out = c;
	return MC_OK;
}

/* conn_free - everything a connection holds */
static void conn_free(struct mc_conn *c)
{
	for (int st = 0; st < MC_STAGE_COUNT; st++) {
		for (size_t i = 0; i < c->nmacros[st]; i++) {
			free(c->macros[st][i].name);
			free(c->macros[st][i].value);
		}
		free(c->macros[st]);
		free(c->symlist[st]);
	}
	mc_msg_free(c);
	free(c->obuf);
	free(c->pkt);
	free(c);
}

/* mc_close - QUIT when sound, close, free */
void mc_close(struct mc_conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0 && !c->broken) {
		size_t off = mc_put_begin(c, SMFIC_QUIT);

		if (mc_put_end(c, off) == MC_OK)
			(void)mc_flush(c);
	}
	if (c->fd >= 0)
		close(c->fd);
	conn_free(c);
}

/* macro_find - index of name among a stage's macros, or -1 */
static long macro_find(const struct mc_conn *c, int stage, const char *name)
{
	for (size_t i = 0; i < c->nmacros[stage]; i++)
		if (strcmp(c->macros[stage][i].name, name) == 0)
			return (long)i;
	return -1;
}

/* mc_macro - set or remove a macro of a stage */
int mc_macro(struct mc_conn *c, enum mc_stage stage, const char *name,
        const char *value)
{
	long i;

	if ((unsigned)stage >= MC_STAGE_COUNT || name == NULL || !*name)
		return mc_fail(c, MC_EINVAL, "bad macro stage or name");
	i = macro_find(c, stage, name);
	if (i >= 0 && value == NULL) {
		struct mc_macro *m = c->macros[stage];

		free(m[i].name);
		free(m[i].value);
		m[i] = m[--c->nmacros[stage]];
	} else if (i >= 0) {
		free(c->macros[stage][i].value);
		c->macros[stage][i].value = mc_xstrdup(value);
	} else if (value != NULL) {
		size_t n = c->nmacros[stage]++;

		c->macros[stage] = mc_xrealloc(c->macros[stage],
		        c->nmacros[stage] * sizeof(struct mc_macro));
		c->macros[stage][n].name = mc_xstrdup(name);
		c->macros[stage][n].value = mc_xstrdup(value);
	}
	return MC_OK;
}

/* name_eq - macro names equal, with or without braces ("{x}" is "x") */
static int name_eq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	if (alen >= 2 && a[0] == '{' && a[alen - 1] == '}') {
		a++;
		alen -= 2;
	}
	if (blen >= 2 && b[0] == '{' && b[blen - 1] == '}') {
		b++;
		blen -= 2;
	}
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* symlist_allows - whether the filter's list for the stage (if it sent
 * one) names this macro */
static int symlist_allows(const struct mc_conn *c, int stage, const char *name)
{
	const char *p = c->symlist[stage];

	if (p == NULL)
		return 1;
	while (*p) {
		size_t n;

		p += strspn(p, " ,\t");
		n = strcspn(p, " ,\t");
		if (n > 0 && name_eq(p, n, name))
			return 1;
		p += n;
	}
	return 0;
}

/* put_macro - one name/value pair into the SMFIC_MACRO packet, begun on
 * the first pair */
static void put_macro(struct mc_conn *c, int stage, const char *name,
        const char *value, size_t *off, int *begun)
{
	if (!symlist_allows(c, stage, name))
		return;
	if (!*begun) {
		*off = mc_put_begin(c, SMFIC_MACRO);
		mc_put(c, &stage_cmd[stage], 1);
		*begun = 1;
	}
	mc_put_str(c, name);
	mc_put_str(c, value);
}

/* mc_put_macros - the stage's macros: the caller's, then the ones the
 * client knows (unless the caller set the same name) */
int mc_put_macros(
        struct mc_conn *c, int stage, const struct mc_kv *autos, size_t nautos)
{
	size_t off = 0;
	int begun = 0;

	for (size_t i = 0; i < c->nmacros[stage]; i++)
		put_macro(c, stage, c->macros[stage][i].name,
		        c->macros[stage][i].value, &off, &begun);
	for (size_t i = 0; i < nautos; i++)
		if (autos[i].value != NULL &&
		        macro_find(c, stage, autos[i].name) < 0)
			put_macro(c, stage, autos[i].name, autos[i].value, &off,
			        &begun);
	return begun ? mc_put_end(c, off) : MC_OK;
}
