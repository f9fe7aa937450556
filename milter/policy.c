/*
 * policy.c - the verdict: evidence in, score and action out (policy.h).
 *
 * Decisions worth knowing:
 *  - The score is summed over the weights sorted by magnitude with
 *    Neumaier's compensation, so the same evidence gives the same score
 *    whatever order the checks finished in.
 *  - Thresholds are compared with the raw sum. The headers show one
 *    decimal, halves rounded away from zero, except that a score below
 *    `required` never shows as `required` or above (4.95 against 5.0 shows
 *    4.9, not 5.0), and a score at or above it never shows below it: the
 *    header agrees with the decision.
 *  - `required` is the lowest enabled threshold, so "Yes" always means
 *    score >= required, even with add_header_score off.
 *  - Authenticated, internal and operator-allowed clients score 0 and list
 *    no tests. An operator deny reports the sum of all symbols and lists
 *    them: they explain the verdict. A client let through by the
 *    allowlist threshold scores and lists only its allowlist symbols,
 *    since the other checks are skipped (DESIGN section 3).
 *  - A NaN weight counts as 0 and weights are clamped to +-POLICY_WEIGHT_CAP
 *    (infinity included), so one broken check cannot poison the sum.
 *  - Reply text is stored the way smfi_setreply wants it: libmilter and
 *    Postfix treat '%' as an escape, so a literal percent is written "%%"
 *    and a lone '%' is rejected. The text therefore prints and parses back
 *    unchanged.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "reputation.h"

/* Larger weights are clamped: sums stay finite and print in a few digits. */
#define POLICY_WEIGHT_CAP 1e6
#define POLICY_DROPPED_NAME "SYMBOLS_DROPPED"
/* X-Spam-Status folding: a line ends before this column, and the first
 * line already holds the header name. */
#define POLICY_FOLD_COLUMNS 78
#define POLICY_STATUS_PREFIX (sizeof "X-Spam-Status: " - 1)

/* An output buffer filled like snprintf: writes what fits, counts all. */
struct strbuf {
	char *buf;
	size_t len;
	size_t need;
};

/* sb_init - an empty output over buf (len may be 0) */
static void sb_init(struct strbuf *sb, char *buf, size_t len)
{
	sb->buf = buf;
	sb->len = len;
	sb->need = 0;
	if (len > 0)
		buf[0] = '\0';
}

/* sb_putn - append n bytes, truncating but always terminating */
static void sb_putn(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->need + 1 < sb->len) {
		size_t room = sb->len - sb->need - 1;
		size_t k = n < room ? n : room;

		memcpy(sb->buf + sb->need, s, k);
		sb->buf[sb->need + k] = '\0';
	}
	sb->need += n;
}

/* sb_puts - append a string */
static void sb_puts(struct strbuf *sb, const char *s)
{
	sb_putn(sb, s, strlen(s));
}

/* sb_result - snprintf's return value; values past INT_MAX cannot occur
 * with the bounded inputs of this module */
static int sb_result(const struct strbuf *sb)
{
	return (int)sb->need;
}

/* copy_reply - fill a reply from three known-good strings */
static void copy_reply(struct policy_reply *r, const char *code,
        const char *xcode, const char *text)
{
	snprintf(r->code, sizeof r->code, "%s", code);
	snprintf(r->xcode, sizeof r->xcode, "%s", xcode);
	snprintf(r->text, sizeof r->text, "%s", text);
}

/* policy_init - defaults (see policy.h) */
void policy_init(struct policy *p)
{
	memset(p, 0, sizeof *p);
	p->add_header_score = 5.0;
	p->tempfail_score = NAN;
	p->reject_score = 15.0;
	p->allowlist_threshold = 0.0;
	p->dry_run = 0;
	copy_reply(&p->reject, "550", "5.7.1", "Message rejected as spam");
	copy_reply(&p->tempfail, "451", "4.7.1",
	        "Message deferred, try again later");
	copy_reply(&p->deny, "550", "5.7.1", "Access denied");
}

/* policy_evidence_init - empty evidence */
void policy_evidence_init(struct policy_evidence *e)
{
	memset(e, 0, sizeof *e);
}

/* clean_name - copy a name keeping only [A-Za-z0-9_] and the bytes of
 * `extra`, others turned into '_': symbol names reach a header and come
 * partly from the configuration */
static void clean_name(
        char *dst, size_t len, const char *src, const char *extra)
{
	size_t i = 0;

	if (src == NULL || *src == '\0')
		src = "UNNAMED";
	for (; src[i] != '\0' && i + 1 < len; i++) {
		unsigned char c = (unsigned char)src[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		         (c >= '0' && c <= '9') || c == '_' ||
		         (extra[0] != '\0' && strchr(extra, c) != NULL);

		dst[i] = ok ? (char)c : '_';
	}
	dst[i] = '\0';
}

/* clean_text - copy printable ASCII, other bytes become '?' (details reach
 * log lines, where a control character could forge a line) */
static void clean_text(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	if (src == NULL)
		src = "";
	for (; src[i] != '\0' && i + 1 < len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[i] = '\0';
}

/* clamp_weight - NaN counts 0, huge values (and infinity) the cap */
static double clamp_weight(double w)
{
	if (isnan(w))
		return 0.0;
	if (w > POLICY_WEIGHT_CAP)
		return POLICY_WEIGHT_CAP;
	if (w < -POLICY_WEIGHT_CAP)
		return -POLICY_WEIGHT_CAP;
	return w;
}

/* fold_dropped - the list is full: the last slot becomes (or already is)
 * SYMBOLS_DROPPED and takes the new weight, so the score loses nothing */
static void fold_dropped(struct policy_evidence *e, double weight)
{
	struct policy_symbol *last = &e->symbol[POLICY_SYMBOLS_MAX - 1];

	if (e->dropped == 0 || strcmp(last->name, POLICY_DROPPED_NAME) != 0) {
		/* the displaced named symbol is folded in as well */
		clean_name(
		        last->name, sizeof last->name, POLICY_DROPPED_NAME, "");
		last->allowlist = 0;
		e->dropped = 1;
	}
	last->weight += weight;
	e->dropped++;
	snprintf(last->detail, sizeof last->detail, "%u symbols", e->dropped);
}

/* add_symbol - policy_add with the allowlist flag */
static void add_symbol(struct policy_evidence *e, const char *name,
        double weight, const char *detail, int allowlist)
{
	struct policy_symbol *s;

	weight = clamp_weight(weight);
	if (e->nsymbols >= POLICY_SYMBOLS_MAX) {
		e->nsymbols = POLICY_SYMBOLS_MAX;
		fold_dropped(e, weight);
		return;
	}
	s = &e->symbol[e->nsymbols++];
	clean_name(s->name, sizeof s->name, name, "");
	clean_text(s->detail, sizeof s->detail, detail);
	s->weight = weight;
	s->allowlist = allowlist;
}

/* policy_add - add a symbol (see policy.h) */
void policy_add(struct policy_evidence *e, const char *name, double weight,
        const char *detail)
{
	add_symbol(e, name, weight, detail, 0);
}

/* policy_add_allowlist - add a symbol from a DNS allowlist */
void policy_add_allowlist(struct policy_evidence *e, const char *name,
        double weight, const char *detail)
{
	add_symbol(e, name, weight, detail, 1);
}

/* policy_mark_allowlist - flag the named symbols as allowlist ones; a
 * symbol already folded into SYMBOLS_DROPPED still counts in the score but
 * no longer in the allowlist sum */
void policy_mark_allowlist(struct policy_evidence *e, const char *name)
{
	char clean[POLICY_SYMBOL_LEN];
	unsigned i;

	clean_name(clean, sizeof clean, name, "");
	for (i = 0; i < e->nsymbols && i < POLICY_SYMBOLS_MAX; i++)
		if (strcmp(e->symbol[i].name, clean) == 0 &&
		        strcmp(clean, POLICY_DROPPED_NAME) != 0)
			e->symbol[i].allowlist = 1;
}

/* policy_note_timeout - append a check name (a zone: dots and hyphens
 * kept, it is only logged); when full, end with "..." so the log shows
 * that names are missing */
void policy_note_timeout(struct policy_evidence *e, const char *name)
{
	char clean[POLICY_SYMBOL_LEN];
	size_t used = strnlen(e->timed_out, sizeof e->timed_out - 1);
	size_t need;

	if (used >= 3 && strcmp(e->timed_out + used - 3, "...") == 0)
		return; /* full: later names must not follow the marker */
	clean_name(clean, sizeof clean, name, ".-");
	need = strlen(clean) + (used > 0);
	/* keep room for ",..." so the marker always fits; commas keep the
	 * log's timeouts= one key=value word */
	if (used + need + 4 < sizeof e->timed_out) {
		snprintf(e->timed_out + used, sizeof e->timed_out - used,
		        "%s%s", used > 0 ? "," : "", clean);
		return;
	}
	snprintf(e->timed_out + used, sizeof e->timed_out - used, "%s...",
	        used > 0 ? "," : "");
}

/* weight_order - ascending magnitude, then value: a total order on the
 * weights, so the sum does not depend on the order of arrival */
static int weight_order(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	if (fabs(x) != fabs(y))
		return fabs(x) < fabs(y) ? -1 : 1;
	return (x > y) - (x < y);
}

/* stable_sum - Neumaier's compensated sum of the sorted weights */
static double stable_sum(double *w, unsigned n)
{
	double sum = 0.0, comp = 0.0;
	unsigned i;

	qsort(w, n, sizeof *w, weight_order);
	for (i = 0; i < n; i++) {
		double t = sum + w[i];

		if (fabs(sum) >= fabs(w[i]))
			comp += (sum - t) + w[i];
		else
			comp += (w[i] - t) + sum;
		sum = t;
	}
	return sum + comp;
}

/* evidence_sum - the sum of all symbols, or of the allowlist ones only */
static double evidence_sum(const struct policy_evidence *e, int only_allow)
{
	double w[POLICY_SYMBOLS_MAX];
	unsigned i, n = 0;
	unsigned total = e->nsymbols < POLICY_SYMBOLS_MAX ? e->nsymbols
	                                                  : POLICY_SYMBOLS_MAX;

	for (i = 0; i < total; i++)
		if (!only_allow || e->symbol[i].allowlist)
			w[n++] = clamp_weight(e->symbol[i].weight);
	return stable_sum(w, n);
}

/* reaches - score >= threshold; a NaN threshold ("off") never fires */
static int reaches(double score, double threshold)
{
	return !isnan(threshold) && score >= threshold;
}

/* lowest_threshold - the smallest enabled threshold: the "required" of
 * the header, so that "Yes" means score >= required */
static double lowest_threshold(const struct policy *p)
{
	double t[3] = {p->add_header_score, p->tempfail_score, p->reject_score};
	double low = NAN;
	unsigned i;

	for (i = 0; i < 3; i++)
		if (!isnan(t[i]) && (isnan(low) || t[i] < low))
			low = t[i];
	return low;
}

/* score_action - rule 5: the action the thresholds give */
static enum policy_action score_action(const struct policy *p, double score)
{
	if (reaches(score, p->reject_score))
		return POLICY_REJECT;
	if (reaches(score, p->tempfail_score))
		return POLICY_TEMPFAIL;
	if (reaches(score, p->add_header_score))
		return POLICY_ADD_HEADER;
	return POLICY_ACCEPT;
}

/* allowlisted - rule 4: allowlist symbols sum to at most the (negative)
 * threshold */
static int allowlisted(const struct policy *p, const struct policy_evidence *e)
{
	/* no allowlist symbol sums to 0, above any negative threshold */
	return !isnan(p->allowlist_threshold) && p->allowlist_threshold < 0 &&
	       evidence_sum(e, 1) <= p->allowlist_threshold;
}

/* decide_rules - rules 1 to 5; fills score, action and skipped */
static void decide_rules(const struct policy *p,
        const struct policy_evidence *e, struct policy_verdict *v)
{
	if (e->authenticated || e->internal) {
		v->skipped = e->authenticated ? POLICY_SKIP_AUTH
		                              : POLICY_SKIP_INTERNAL;
		return;
	}
	if (e->override == REP_OVERRIDE_DENY) {
		v->score = evidence_sum(e, 0);
		v->action = POLICY_REJECT;
		v->reply = &p->deny;
		return;
	}
	if (e->override == REP_OVERRIDE_ALLOW) {
		v->skipped = POLICY_SKIP_ALLOW;
		return;
	}
	if (allowlisted(p, e)) {
		/* the other checks are skipped: only the allowlists count */
		v->skipped = POLICY_SKIP_ALLOWLIST;
		v->score = evidence_sum(e, 1);
		return;
	}
	v->score = evidence_sum(e, 0);
	v->action = score_action(p, v->score);
	if (v->action == POLICY_REJECT && e->npartners < 2 &&
	        e->partner_score > 0 &&
	        score_action(p, v->score - e->partner_score) < POLICY_REJECT) {
		/* one partner alone does not make us refuse mail */
		enum policy_action alone =
		        score_action(p, v->score - e->partner_score);
		enum policy_action most =
		        reaches(v->score, p->tempfail_score) ? POLICY_TEMPFAIL
		        : reaches(v->score, p->add_header_score)
		                ? POLICY_ADD_HEADER
		                : POLICY_ACCEPT;

		v->action = alone > most ? alone : most;
		v->held_back = 1;
	}
	if (v->action == POLICY_REJECT)
		v->reply = &p->reject;
	else if (v->action == POLICY_TEMPFAIL)
		v->reply = &p->tempfail;
}

/* policy_add_partner - what a partner added to the score */
void policy_add_partner(
        struct policy_evidence *e, unsigned publisher, double value)
{
	unsigned i;

	if (isnan(value) || value == 0)
		return;
	e->partner_score += value;
	if (value < 0)
		return;
	for (i = 0; i < e->npartners && i < POLICY_PARTNERS_MAX; i++)
		if (e->partner[i] == publisher)
			return;
	if (e->npartners < POLICY_PARTNERS_MAX)
		e->partner[e->npartners] = publisher;
	e->npartners++;
}

/* policy_decide - the verdict. In dry-run mode `reply` still names what
 * would have been sent, for the log; only `act` changes. */
void policy_decide(const struct policy *p, const struct policy_evidence *e,
        struct policy_verdict *v)
{
	memset(v, 0, sizeof *v);
	v->score = 0.0;
	v->required = lowest_threshold(p);
	v->action = POLICY_ACCEPT;
	v->skipped = POLICY_SKIP_NONE;
	v->reply = NULL;
	decide_rules(p, e, v);
	v->spam = v->action >= POLICY_ADD_HEADER;
	v->act = p->dry_run ? POLICY_ACCEPT : v->action;
}

/* policy_action_name - static name of an action */
const char *policy_action_name(enum policy_action a)
{
	switch (a) {
	case POLICY_ACCEPT:
		return "accept";
	case POLICY_ADD_HEADER:
		return "add-header";
	case POLICY_TEMPFAIL:
		return "tempfail";
	case POLICY_REJECT:
		return "reject";
	}
	return "unknown";
}

/* policy_skip_name - static name of a skip reason */
const char *policy_skip_name(enum policy_skip s)
{
	switch (s) {
	case POLICY_SKIP_NONE:
		return "";
	case POLICY_SKIP_AUTH:
		return "authenticated";
	case POLICY_SKIP_INTERNAL:
		return "internal";
	case POLICY_SKIP_ALLOW:
		return "allow";
	case POLICY_SKIP_ALLOWLIST:
		return "allowlist";
	}
	return "unknown";
}

/* tenths - x rounded to the nearest tenth, as an integer count of tenths
 * (scores are bounded by the weight cap, so this cannot overflow) */
static long long tenths(double x)
{
	double t = x * 10.0;

	return (long long)(t < 0 ? t - 0.5 : t + 0.5);
}

/* display_tenths - the score as shown: rounded, but on the same side of
 * `required` as the raw score, so the header agrees with the decision */
static long long display_tenths(double score, double required)
{
	long long s = tenths(score), r;

	if (isnan(required))
		return s;
	r = tenths(required);
	if (score < required && s >= r)
		return r - 1;
	if (score >= required && s < r)
		return r;
	return s;
}

/* put_tenths - append a count of tenths as "-12.3" */
static void put_tenths(struct strbuf *sb, long long t)
{
	char num[32];
	unsigned long long a =
	        t < 0 ? 0ULL - (unsigned long long)t : (unsigned long long)t;

	snprintf(num, sizeof num, "%s%llu.%llu", t < 0 ? "-" : "", a / 10,
	        a % 10);
	sb_puts(sb, num);
}

/* policy_format_score - the X-Spam-Score value */
int policy_format_score(const struct policy_verdict *v, char *buf, size_t len)
{
	struct strbuf sb;

	sb_init(&sb, buf, len);
	put_tenths(&sb, display_tenths(v->score, v->required));
	return sb_result(&sb);
}

/* name_order - qsort comparator for symbol names */
static int name_order(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* sorted_names - the distinct symbol names in name order; the tests are
 * not listed for a client that was not scored, and only the allowlists
 * for one the allowlist threshold let through */
static unsigned sorted_names(const struct policy_verdict *v,
        const struct policy_evidence *e, const char **names)
{
	unsigned i, n = 0, out = 0;

	if (v->skipped == POLICY_SKIP_AUTH ||
	        v->skipped == POLICY_SKIP_INTERNAL ||
	        v->skipped == POLICY_SKIP_ALLOW)
		return 0;
	for (i = 0; i < e->nsymbols && i < POLICY_SYMBOLS_MAX; i++)
		if (v->skipped != POLICY_SKIP_ALLOWLIST ||
		        e->symbol[i].allowlist)
			names[n++] = e->symbol[i].name;
	qsort(names, n, sizeof *names, name_order);
	for (i = 0; i < n; i++)
		if (out == 0 || strcmp(names[out - 1], names[i]) != 0)
			names[out++] = names[i];
	return out;
}

/* A folding writer: words are joined by `sep`, or by "\n\t" when the
 * word would end past the fold column. */
struct folder {
	struct strbuf sb;
	size_t column;
};

/* fold_word - append sep and word, folding first if the line would get
 * too long (never on an empty line: a word longer than a line stays) */
static void fold_word(struct folder *f, const char *sep, const char *word)
{
	size_t sl = strlen(sep), wl = strlen(word);

	if (f->column + sl + wl > POLICY_FOLD_COLUMNS && f->column > 1) {
		sb_puts(&f->sb, "\n\t");
		f->column = 1;
	} else {
		sb_puts(&f->sb, sep);
		f->column += sl;
	}
	sb_puts(&f->sb, word);
	f->column += wl;
}

/* policy_format_status - the X-Spam-Status value, folded as SpamAssassin
 * does: at spaces and after the commas of the tests list. A tab counts as
 * one character, as RFC 5322's line limit counts characters. */
int policy_format_status(const struct policy_verdict *v,
        const struct policy_evidence *e, char *buf, size_t len)
{
	const char *names[POLICY_SYMBOLS_MAX];
	char word[POLICY_SYMBOL_LEN + 40];
	struct folder f;
	struct strbuf num;
	unsigned i, n = sorted_names(v, e, names);

	sb_init(&f.sb, buf, len);
	f.column = POLICY_STATUS_PREFIX;
	fold_word(&f, "", v->spam ? "Yes," : "No,");
	sb_init(&num, word, sizeof word);
	sb_puts(&num, "score=");
	put_tenths(&num, display_tenths(v->score, v->required));
	fold_word(&f, " ", word);
	sb_init(&num, word, sizeof word);
	sb_puts(&num, "required=");
	if (isnan(v->required))
		sb_puts(&num, "off");
	else
		put_tenths(&num, tenths(v->required));
	fold_word(&f, " ", word);
	for (i = 0; i < n || i == 0; i++) {
		snprintf(word, sizeof word, "%s%s%s", i == 0 ? "tests=" : "",
		        n == 0 ? "none" : names[i], i + 1 < n ? "," : "");
		fold_word(&f, i == 0 ? " " : "", word);
	}
	return sb_result(&f.sb);
}

/* put_weight - a weight with one to three decimals: "3.0", "1.25" */
static void put_weight(struct strbuf *sb, double w)
{
	char num[48];
	size_t n;

	snprintf(num, sizeof num, "%.3f", clamp_weight(w));
	n = strlen(num);
	while (n > 0 && num[n - 1] == '0' && num[n - 2] != '.')
		num[--n] = '\0';
	sb_puts(sb, num);
}

/* policy_format_symbols - the log form, in order of arrival */
int policy_format_symbols(
        const struct policy_evidence *e, char *buf, size_t len)
{
	struct strbuf sb;
	unsigned i;

	sb_init(&sb, buf, len);
	for (i = 0; i < e->nsymbols && i < POLICY_SYMBOLS_MAX; i++) {
		const struct policy_symbol *s = &e->symbol[i];

		if (i > 0)
			sb_puts(&sb, " ");
		sb_puts(&sb, s->name);
		sb_puts(&sb, "=");
		put_weight(&sb, s->weight);
		if (s->detail[0] != '\0') {
			sb_puts(&sb, "(");
			sb_puts(&sb, s->detail);
			sb_puts(&sb, ")");
		}
	}
	return sb_result(&sb);
}

/* parse_number - 1 to `max` decimal digits; returns the end or NULL */
static const char *parse_number(const char *s, unsigned max)
{
	unsigned n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n >= 1 && n <= max ? s + n : NULL;
}

/* parse_code - "4xx"/"5xx" followed by a space */
static const char *parse_code(const char *s, char *code)
{
	const char *end = parse_number(s, 3);

	if (end == NULL || end - s != 3 || (s[0] != '4' && s[0] != '5') ||
	        *end != ' ')
		return NULL;
	memcpy(code, s, 3);
	code[3] = '\0';
	return end;
}

/* parse_xcode - RFC 3463 "class.subject.detail", class equal to the
 * reply's first digit, subject and detail 0..999, then a space */
static const char *parse_xcode(const char *s, char cls, char *xcode, size_t len)
{
	const char *p;

	if (s[0] != cls || s[1] != '.')
		return NULL;
	p = parse_number(s + 2, 3);
	if (p == NULL || *p != '.')
		return NULL;
	p = parse_number(p + 1, 3);
	if (p == NULL || *p != ' ' || (size_t)(p - s) >= len)
		return NULL;
	memcpy(xcode, s, (size_t)(p - s));
	xcode[p - s] = '\0';
	return p;
}

/* reply_text_ok - printable ASCII, not empty, fits, every '%' doubled */
static int reply_text_ok(const char *t)
{
	size_t i;

	for (i = 0; t[i] != '\0'; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c < 0x20 || c >= 0x7f)
			return 0;
		if (c == '%' && t[++i] != '%')
			return 0;
	}
	return i > 0 && i < POLICY_TEXT_LEN;
}

/* policy_reply_parse - "550 5.7.1 text" into *out; the fields are
 * separated by one or more spaces. *out is untouched on error. */
int policy_reply_parse(const char *s, struct policy_reply *out)
{
	struct policy_reply r;
	const char *p;

	if (s == NULL || out == NULL)
		return -1;
	memset(&r, 0, sizeof r);
	if ((p = parse_code(s, r.code)) == NULL)
		return -1;
	while (*p == ' ')
		p++;
	if ((p = parse_xcode(p, s[0], r.xcode, sizeof r.xcode)) == NULL)
		return -1;
	while (*p == ' ')
		p++;
	if (!reply_text_ok(p))
		return -1;
	memcpy(r.text, p, strlen(p) + 1);
	*out = r;
	return 0;
}
