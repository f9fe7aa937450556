/*
 * check_rep.h - the reputation check: the store's score of a subject (an
 * address with its covering prefixes, a domain with its parents) becomes
 * one symbol, and an operator override becomes the evidence's override.
 * One short read transaction per lookup; never held across a DNS wait.
 */
#ifndef REPMILTER_CHECK_REP_H
#define REPMILTER_CHECK_REP_H

#include "engine.h"
#include "policy.h"
#include "reputation.h"

/* check_rep - score `s` and add symbol `prefix`_BAD or `prefix`_GOOD
 * (weight: the store's score times `weight`); a deny beats an allow, an
 * allow beats nothing. A store that cannot be read adds nothing, and is
 * logged (with `qid`) and counted. */
void check_rep(struct engine *e, struct gen *g, const struct rep_subject *s,
        const char *prefix, double weight, int64_t now,
        struct policy_evidence *ev, const char *qid);

#endif /* REPMILTER_CHECK_REP_H */
