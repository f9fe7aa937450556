/* weights.c - operator weights for named symbols */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weights.h"

struct weights {
	unsigned n;
	struct {
		char name[WEIGHTS_NAME_MAX];
		double weight;
	} row[WEIGHTS_MAX];
};

#define WEIGHTS_BLANKS " \t,"
#define WEIGHTS_LIMIT 1000.0

/* parse_pair - "NAME=WEIGHT" of length n at s into row i */
static int parse_pair(
        struct weights *w, const char *s, size_t n, char *why, size_t len)
{
	const char *eq = memchr(s, '=', n);
	size_t nl = eq ? (size_t)(eq - s) : 0;
	char num[64], *end;
	double v;

	if (eq == NULL || nl == 0 || nl >= WEIGHTS_NAME_MAX ||
	        strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != nl ||
	        n - nl - 1 == 0 || n - nl - 1 >= sizeof(num)) {
		snprintf(why, len,
		        "\"%.*s\" is not NAME=WEIGHT (NAME in "
		        "A-Z, 0-9, _)",
		        (int)(n > 80 ? 80 : n), s);
		return -1;
	}
	memcpy(num, eq + 1, n - nl - 1);
	num[n - nl - 1] = '\0';
	errno = 0;
	v = strtod(num, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v) ||
	        fabs(v) > WEIGHTS_LIMIT) {
		snprintf(why, len, "\"%s\" is not a weight within +-%.0f", num,
		        WEIGHTS_LIMIT);
		return -1;
	}
	for (unsigned i = 0; i < w->n; i++)
		if (strlen(w->row[i].name) == nl &&
		        memcmp(w->row[i].name, s, nl) == 0) {
			snprintf(why, len, "%.*s is given twice", (int)nl, s);
			return -1;
		}
	memcpy(w->row[w->n].name, s, nl);
	w->row[w->n].name[nl] = '\0';
	w->row[w->n++].weight = v;
	return 0;
}

/* weights_parse - every pair, or an error naming the first bad one */
int weights_parse(const char *text, struct weights **out, char *why, size_t len)
{
	struct weights *w;
	const char *s = text + strspn(text, WEIGHTS_BLANKS);

	*out = NULL;
	if (*s == '\0')
		return 0;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	while (*s != '\0') {
		size_t n = strcspn(s, WEIGHTS_BLANKS);

		if (w->n == WEIGHTS_MAX) {
			snprintf(why, len, "more than %d weights", WEIGHTS_MAX);
			free(w);
			return -1;
		}
		if (parse_pair(w, s, n, why, len) != 0) {
			free(w);
			return -1;
		}
		s += n;
		s += strspn(s, WEIGHTS_BLANKS);
	}
	*out = w;
	return 0;
}

/* weights_get - a linear search: a few dozen names at most */
double weights_get(const struct weights *w, const char *name, double dflt)
{
	for (unsigned i = 0; w != NULL && i < w->n; i++)
		if (strcmp(w->row[i].name, name) == 0)
			return w->row[i].weight;
	return dflt;
}

/* weights_free - free the table */
void weights_free(struct weights *w)
{
	free(w);
}
