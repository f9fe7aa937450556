/* check_dmarc.c - DMARC for one message: discovery, alignment, policy */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "check_dmarc.h"
#include "weights.h"

/* "_dmarc." and a 253-octet domain, with the NUL */
#define CHECK_DMARC_QNAME_LEN (7 + ORGDOM_NAME_LEN)
#define CHECK_DMARC_QNAME_MAX 253

/* dmarc_aligned - RFC 7489 3.1.1 and 3.1.2 on canonical names */
int dmarc_aligned(
        const struct orgdom *o, const char *author, const char *id, int strict)
{
	char a[DMARC_DOMAIN_LEN], b[DMARC_DOMAIN_LEN];
	char oa[DMARC_DOMAIN_LEN], ob[DMARC_DOMAIN_LEN];

	if (author == NULL || id == NULL ||
	        orgdom_canon(author, strlen(author), a, sizeof(a)) != 0 ||
	        orgdom_canon(id, strlen(id), b, sizeof(b)) != 0)
		return 0;
	if (strict)
		return strcmp(a, b) == 0;
	if (o == NULL || orgdom_find(o, a, oa, sizeof(oa)) != 0 ||
	        orgdom_find(o, b, ob, sizeof(ob)) != 0)
		return 0;
	return strcmp(oa, ob) == 0;
}

/* ask - start the TXT question for _dmarc.<domain> as question `i` */
static void ask(struct check_dmarc *c, int i, const char *domain)
{
	char name[CHECK_DMARC_QNAME_LEN];
	int n = snprintf(name, sizeof(name), "_dmarc.%s", domain);

	c->nq = i + 1;
	/* a longer name cannot exist, so neither can a record there */
	if (n < 0 || n > CHECK_DMARC_QNAME_MAX)
		c->qerr[i] = CHECK_DMARC_E_NAME;
	else
		c->qerr[i] = c->ops->query(c->ctx, name, &c->qid[i]);
}

/* check_dmarc_start - canonical From, its org domain, both questions */
void check_dmarc_start(struct check_dmarc *c, const struct orgdom *psl,
        const struct dmarc_dns_ops *ops, void *ctx, const char *from_domain)
{
	memset(c, 0, sizeof(*c));
	c->psl = psl;
	c->ops = ops;
	c->ctx = ctx;
	if (from_domain == NULL || psl == NULL || ops == NULL ||
	        orgdom_canon(from_domain, strlen(from_domain), c->from,
	                sizeof(c->from)) != 0 ||
	        orgdom_find(psl, c->from, c->org, sizeof(c->org)) != 0)
		return;
	c->usable = 1;
	ask(c, 0, c->from);
	if (strcmp(c->org, c->from) != 0)
		ask(c, 1, c->org);
}

/* decide - a final status and its reason */
static void decide(
        struct dmarc_result *out, enum dmarc_status st, enum dmarc_reason why)
{
	out->status = st;
	out->reason = why;
}

/* pick - RFC 7489 6.6.3 steps 2, 5, 6 on one answer: 1 with one valid
 * record in *rec, 0 when none of the records is DMARC, -1 decided */
static int pick(const struct dmarc_txt_answer *a, struct dmarc_record *rec,
        struct dmarc_result *out)
{
	unsigned found = 0, bad = 0;

	for (unsigned i = 0; i < a->n && i < DMARC_TXT_MAX; i++) {
		struct dmarc_record r;
		int rc;

		if (a->rr[i].data == NULL)
			continue;
		rc = dmarc_record_parse(a->rr[i].data, a->rr[i].len, &r);
		if (rc == DMARC_E_NOTDMARC)
			continue;
		found++;
		if (rc == DMARC_OK)
			*rec = r;
		else
			bad++;
	}
	if (found == 0)
		return 0;
	if (found > 1)
		decide(out, DMARC_RESULT_PERMERROR, DMARC_WHY_MULTIPLE);
	else if (bad > 0)
		decide(out, DMARC_RESULT_PERMERROR, DMARC_WHY_BAD_RECORD);
	return found == 1 && bad == 0 ? 1 : -1;
}

/* lookup - the answer to question `i`, as pick returns */
static int lookup(struct check_dmarc *c, int i, int64_t deadline_ms,
        struct dmarc_record *rec, struct dmarc_result *out)
{
	struct dmarc_txt_answer a;

	if (c->qerr[i] == CHECK_DMARC_E_NAME)
		return 0;
	a.status = DMARC_DNS_TEMP;
	a.n = 0;
	if (c->qerr[i] == 0)
		c->ops->answer(c->ctx, c->qid[i], deadline_ms, &a);
	switch (a.status) {
	case DMARC_DNS_FOUND:
		return pick(&a, rec, out);
	case DMARC_DNS_NONE:
		return 0;
	case DMARC_DNS_LATE:
		out->late = 1;
		break;
	default:
		break;
	}
	decide(out, DMARC_RESULT_TEMPERROR, DMARC_WHY_DNS);
	return -1;
}

/* discover - the From domain's record, else the org domain's (RFC 7489
 * 6.6.3 step 3: only when the first set holds no DMARC record); 1 with
 * *rec, or the result decided */
static int discover(struct check_dmarc *c, int64_t deadline_ms,
        struct dmarc_record *rec, struct dmarc_result *out)
{
	int rc = lookup(c, 0, deadline_ms, rec, out);

	if (rc == 0 && c->nq == 2) {
		rc = lookup(c, 1, deadline_ms, rec, out);
		out->from_org = rc == 1;
	}
	if (rc == 0)
		decide(out, DMARC_RESULT_NONE, DMARC_WHY_NO_RECORD);
	return rc == 1;
}

/* judge - one identifier: DMARC_ALIGNED_* bit if it passed aligned; sets
 * *temp if it might have */
static unsigned judge(const struct check_dmarc *c, enum dmarc_auth res,
        const char *domain, int strict, unsigned bit, int *temp)
{
	if (res != DMARC_AUTH_PASS && res != DMARC_AUTH_TEMPERROR)
		return 0;
	if (!dmarc_aligned(c->psl, c->from, domain, strict))
		return 0;
	if (res == DMARC_AUTH_TEMPERROR) {
		*temp = 1;
		return 0;
	}
	return bit;
}

/* lower - the next lower policy, for a message outside pct */
static enum dmarc_policy lower(enum dmarc_policy p)
{
	return p == DMARC_POLICY_REJECT ? DMARC_POLICY_QUARANTINE
	                                : DMARC_POLICY_NONE;
}

/* evaluate - alignment, then pass, temperror or fail with pct */
static void evaluate(const struct check_dmarc *c, const struct dmarc_input *in,
        const struct dmarc_record *rec, struct dmarc_result *out)
{
	int temp = 0;
	unsigned sample = in->sample > 99 ? 99 : in->sample;

	out->pct = rec->pct;
	out->policy = out->from_org ? rec->sp : rec->p;
	out->aligned = judge(c, in->spf, in->spf_domain, rec->aspf_strict,
	        DMARC_ALIGNED_SPF, &temp);
	for (unsigned i = 0; in->dkim != NULL && i < in->ndkim; i++)
		out->aligned |= judge(c, in->dkim[i].result, in->dkim[i].domain,
		        rec->adkim_strict, DMARC_ALIGNED_DKIM, &temp);
	if (out->aligned != 0) {
		decide(out, DMARC_RESULT_PASS, DMARC_WHY_ALIGNED);
	} else if (temp) {
		decide(out, DMARC_RESULT_TEMPERROR, DMARC_WHY_AUTH_TEMP);
	} else {
		decide(out, DMARC_RESULT_FAIL, DMARC_WHY_UNALIGNED);
		out->sampled = sample < rec->pct;
		out->applied = out->sampled ? out->policy : lower(out->policy);
	}
}

/* symbolise - the symbol and default weight of the result */
static void symbolise(struct dmarc_result *r)
{
	static const struct {
		const char *name;
		double weight;
	} sym[] = {
	        {CHECK_DMARC_SYM_NONE, CHECK_DMARC_W_NONE},
	        {CHECK_DMARC_SYM_PASS, CHECK_DMARC_W_PASS},
	        {CHECK_DMARC_SYM_FAIL_NONE, CHECK_DMARC_W_FAIL_NONE},
	        {CHECK_DMARC_SYM_TEMPERROR, CHECK_DMARC_W_TEMPERROR},
	        {CHECK_DMARC_SYM_PERMERROR, CHECK_DMARC_W_PERMERROR},
	        {CHECK_DMARC_SYM_FAIL_QUARANTINE,
	                CHECK_DMARC_W_FAIL_QUARANTINE},
	        {CHECK_DMARC_SYM_FAIL_REJECT, CHECK_DMARC_W_FAIL_REJECT},
	};
	unsigned i = (unsigned)r->status;

	/* fail with quarantine or reject applied: the last two rows */
	if (r->status == DMARC_RESULT_FAIL && r->applied != DMARC_POLICY_NONE)
		i = 4 + (unsigned)r->applied;
	r->symbol = sym[i].name;
	r->weight = sym[i].weight;
}

/* check_dmarc_finish - wait, discover, align, apply pct, name a symbol */
void check_dmarc_finish(struct check_dmarc *c, const struct dmarc_input *in,
        int64_t deadline_ms, struct dmarc_result *out)
{
	struct dmarc_record rec;

	memset(out, 0, sizeof(*out));
	out->pct = 100;
	memcpy(out->from, c->from, sizeof(out->from));
	memcpy(out->org, c->org, sizeof(out->org));
	if (!c->usable || in == NULL)
		decide(out, DMARC_RESULT_PERMERROR, DMARC_WHY_FROM);
	else if (discover(c, deadline_ms, &rec, out))
		evaluate(c, in, &rec, out);
	symbolise(out);
}

/* check_dmarc_run - start and finish in one call */
void check_dmarc_run(const struct orgdom *psl, const struct dmarc_dns_ops *ops,
        void *ctx, const char *from_domain, const struct dmarc_input *in,
        int64_t deadline_ms, struct dmarc_result *out)
{
	struct check_dmarc c;

	check_dmarc_start(&c, psl, ops, ctx, from_domain);
	check_dmarc_finish(&c, in, deadline_ms, out);
}

/* check_dmarc_status_name - the Authentication-Results spelling */
const char *check_dmarc_status_name(enum dmarc_status s)
{
	static const char *const name[] = {
	        "none", "pass", "fail", "temperror", "permerror"};

	return (unsigned)s < sizeof(name) / sizeof(name[0]) ? name[s]
	                                                    : "unknown";
}

/* check_dmarc_reason_name - the log's word for a reason */
const char *check_dmarc_reason_name(enum dmarc_reason r)
{
	static const char *const name[] = {"aligned", "unaligned", "no-record",
	        "dns", "auth-temperror", "multiple-records", "bad-record",
	        "no-single-from"};

	return (unsigned)r < sizeof(name) / sizeof(name[0]) ? name[r]
	                                                    : "unknown";
}

/* check_dmarc_collect - one symbol; "from policy->applied pct reason" */
void check_dmarc_collect(const struct dmarc_result *r, const struct weights *w,
        struct policy_evidence *e)
{
	/* room for the whole text; policy_add cuts it to POLICY_DETAIL_LEN */
	char detail[DMARC_DOMAIN_LEN + 64];

	if (r->late)
		policy_note_timeout(e, "dmarc");
	if (r->status == DMARC_RESULT_PASS || r->status == DMARC_RESULT_FAIL)
		snprintf(detail, sizeof(detail), "%s p=%s->%s pct=%u %s",
		        r->from, dmarc_policy_name(r->policy),
		        dmarc_policy_name(r->applied), r->pct,
		        check_dmarc_reason_name(r->reason));
	else
		snprintf(detail, sizeof(detail), "%s %s",
		        r->from[0] != '\0' ? r->from : "-",
		        check_dmarc_reason_name(r->reason));
	policy_add(e, r->symbol, weights_get(w, r->symbol, r->weight), detail);
}
