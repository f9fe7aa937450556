/* check_rep.c - reputation from the store, as a symbol */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "check_rep.h"
#include "log.h"

/* override_of - the term that carried the override, for the log detail */
static const struct rep_term *override_of(const struct rep_score *sc)
{
	for (unsigned i = 0; i < sc->nterms; i++)
		if (sc->term[i].kind == REP_TERM_OVERRIDE &&
		        !sc->term[i].expired)
			return &sc->term[i];
	return NULL;
}

/* quote_reason - the operator's reason, safe inside "..." in a log line */
static void quote_reason(const char *in, char *out, size_t len)
{
	size_t i = 0;

	for (; in[i] != '\0' && i + 1 < len; i++)
		out[i] = in[i] >= ' ' && in[i] < 127 && in[i] != '"' &&
		                         in[i] != '\\'
		                 ? in[i]
		                 : '?';
	out[i] = '\0';
}

/* note_override - record an allow or deny as "deny:SUBJECT
 * reason=\"...\"" (one more read, for the reason, only when an override
 * decided); a deny wins over an allow */
static void note_override(struct engine *e, struct policy_evidence *ev,
        const struct rep_score *sc)
{
	const struct rep_term *t = override_of(sc);
	char subject[REP_SUBJECT_TEXT_MAX] = "?";
	char reason[REP_REASON_MAX] = "";
	struct rep_record rec;

	if (ev->override == REP_OVERRIDE_DENY)
		return;
	ev->override = sc->overridden;
	if (t != NULL) {
		rep_subject_format(&t->subject, subject, sizeof(subject));
		if (rep_get(engine_store(e), &t->subject, &rec) == 0 &&
		        (rec.flags & REP_HAS_OVERRIDE))
			quote_reason(
			        rec.override.reason, reason, sizeof(reason));
	}
	/* a long name or reason is cut to fit: repctl show gives them whole */
	snprintf(ev->override_reason, sizeof(ev->override_reason),
	        "%s:%.100s reason=\"%.120s\"",
	        sc->overridden == REP_OVERRIDE_DENY ? "deny" : "allow", subject,
	        reason);
}

/* check_rep - one rep_check, turned into a symbol or an override */
void check_rep(struct engine *e, struct gen *g, const struct rep_subject *s,
        const char *prefix, double weight, int64_t now,
        struct policy_evidence *ev, const char *qid)
{
	struct rep_score sc;
	char name[POLICY_SYMBOL_LEN], detail[POLICY_DETAIL_LEN];
	char subject[REP_SUBJECT_TEXT_MAX];
	int rc = engine_score(e, s, now, &sc);

	rep_subject_format(s, subject, sizeof(subject));
	if (rc != 0) {
		atomic_fetch_add(&engine_counters(e)->store_errors, 1);
		log_msg(LOG_ERR,
		        "%s: store read for %s failed: %s; reputation "
		        "scores 0",
		        qid, subject, rep_strerror(rc));
		return;
	}
	if (sc.overridden) {
		note_override(e, ev, &sc);
		return;
	}
	if (sc.nterms == 0 || sc.score * weight == 0)
		return;
	/* what partners brought: a reject needs two of them (policy.h) */
	for (unsigned i = 0; i < sc.nterms; i++) {
		const struct rep_term *t = &sc.term[i];

		if (t->kind == REP_TERM_PARTNER && t->value > 0)
			policy_add_partner(ev, t->publisher, t->value * weight);
		else if (t->kind == REP_TERM_PARTNERS_CAP)
			policy_add_partner(ev, 0, t->value * weight);
	}
	snprintf(name, sizeof(name), "%s_%s", prefix,
	        sc.score > 0 ? "BAD" : "GOOD");
	snprintf(detail, sizeof(detail), "%.70s terms=%u", subject, sc.nterms);
	policy_add(ev, name, sc.score * weight, detail);
}
