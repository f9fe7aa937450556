/*
 * weights.h - the operator's weights for named symbols (`symbol_weights`
 * in repmilter.conf): "SPF_FAIL=4, DKIM_VALID=-1.5". A check asks for the
 * weight of its symbol and gives its own default; a name the operator set
 * wins. Immutable once parsed: shared by all threads of a generation.
 */
#ifndef REPMILTER_WEIGHTS_H
#define REPMILTER_WEIGHTS_H

#include <stddef.h>

#if defined(__GNUC__)
#define WEIGHTS_MUST_CHECK __attribute__((warn_unused_result))
#else
#define WEIGHTS_MUST_CHECK
#endif

#define WEIGHTS_MAX 64
#define WEIGHTS_NAME_MAX 48

struct weights;

/* weights_parse - NAME=WEIGHT pairs separated by commas or blanks; names
 * are [A-Z0-9_], weights decimals within +-1000; a name given twice is an
 * error. "" gives an empty table (*out NULL). On error, `why` says which
 * pair and why, and -1 is returned. */
int weights_parse(const char *text, struct weights **out, char *why,
        size_t len) WEIGHTS_MUST_CHECK;

/* weights_get - the operator's weight for `name`, else `dflt`; a NULL
 * table gives `dflt` */
double weights_get(const struct weights *w, const char *name, double dflt);

/* weights_free - free; NULL is a no-op */
void weights_free(struct weights *w);

#endif /* REPMILTER_WEIGHTS_H */
