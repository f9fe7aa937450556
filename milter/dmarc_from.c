/* dmarc_from.c - the author domain of a From header value (RFC 5322 3.4) */
#include "config.h"

#include <string.h>

#include "dmarc.h"

/* Longest raw domain kept (before IDNA), as orgdom_canon accepts. */
#define FROM_RAW_MAX 1024

enum tok {
	TOK_END = 0,
	TOK_WORD, /* atoms and dots: a display-name word, local part, domain */
	TOK_QSTR, /* a quoted string */
	TOK_DLIT, /* a domain literal [...] */
	TOK_SPECIAL, /* one of < > @ , : ; */
	TOK_BAD,     /* unterminated quote, comment or literal; stray ) ] \ */
};

struct token {
	enum tok t;
	const char *s;
	size_t n;
	int sep; /* blanks or a comment came before it */
};

/* State of the mailbox being read, and what the value held so far. */
struct from_parse {
	int in_group;
	int angle;   /* 0 before '<', 1 inside <...>, 2 after '>' */
	int at;      /* an '@' seen in the address being read */
	int any;     /* the list element has a token */
	int literal; /* the domain is a domain literal */
	int toolong; /* the domain overflowed `dom` */
	size_t dlen;
	char dom[FROM_RAW_MAX + 1];
	int syntax, bad_domain, multi;
	unsigned ndomains;
	char first[DMARC_DOMAIN_LEN];
};

/* is_blank - folding white space */
static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* skip_delimited - past a quoted string, comment or literal starting at
 * `p` (on its opening byte); NULL if unterminated. Comments nest. */
static const char *skip_delimited(const char *p, char open, char close)
{
	int depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '\\') {
			if (*++p == '\0')
				return NULL;
		} else if (*p == open && (depth == 0 || open != close)) {
			depth++;
		} else if (*p == close && --depth == 0) {
			return p + 1;
		}
	}
	return NULL;
}

/* skip_cfws - blanks and comments; sets *sep when any were skipped */
static const char *skip_cfws(const char *p, int *sep)
{
	for (;;) {
		if (is_blank(*p)) {
			p++;
		} else if (*p == '(') {
			p = skip_delimited(p, '(', ')');
			if (p == NULL)
				return NULL;
		} else {
			return p;
		}
		*sep = 1;
	}
}

/* word_end - past a run of atom bytes and dots (8-bit bytes included,
 * RFC 6532) */
static const char *word_end(const char *p)
{
	while (*p != '\0' && !is_blank(*p) &&
	        strchr("()<>[]:;@\\,\"", *p) == NULL)
		p++;
	return p;
}

/* lex - the next token after *pp; advances *pp */
static void lex(const char **pp, struct token *tk)
{
	const char *p, *e = NULL;

	tk->sep = 0;
	p = skip_cfws(*pp, &tk->sep);
	tk->s = p;
	tk->t = TOK_BAD;
	if (p == NULL)
		return;
	if (*p == '\0') {
		tk->t = TOK_END;
		e = p;
	} else if (*p == '"') {
		tk->t = TOK_QSTR;
		e = skip_delimited(p, '"', '"');
	} else if (*p == '[') {
		tk->t = TOK_DLIT;
		e = skip_delimited(p, '[', ']');
	} else if (strchr("<>@,:;", *p) != NULL) {
		tk->t = TOK_SPECIAL;
		e = p + 1;
	} else if (strchr(")]\\", *p) == NULL) {
		tk->t = TOK_WORD;
		e = word_end(p);
	}
	if (e == NULL)
		tk->t = TOK_BAD;
	tk->n = e != NULL ? (size_t)(e - p) : 0;
	*pp = e != NULL ? e : p;
}

/* addr_reset - forget the address read so far (new '<', route part) */
static void addr_reset(struct from_parse *fp)
{
	fp->at = 0;
	fp->literal = 0;
	fp->toolong = 0;
	fp->dlen = 0;
}

/* elem_reset - a new list element */
static void elem_reset(struct from_parse *fp)
{
	addr_reset(fp);
	fp->angle = 0;
	fp->any = 0;
}

/* add_domain - the domain of one complete address */
static void add_domain(struct from_parse *fp)
{
	char canon[DMARC_DOMAIN_LEN];

	if (orgdom_canon(fp->dom, fp->dlen, canon, sizeof(canon)) != 0) {
		fp->bad_domain = 1;
		return;
	}
	if (fp->ndomains++ == 0)
		memcpy(fp->first, canon, sizeof(canon));
	else if (strcmp(fp->first, canon) != 0)
		fp->multi = 1;
}

/* elem_finish - the end of a list element: it must have been a mailbox */
static void elem_finish(struct from_parse *fp)
{
	if (!fp->any)
		; /* an empty element, which obs-mbox-list allows */
	else if (fp->angle == 1 || !fp->at ||
	         (fp->dlen == 0 && !fp->literal && !fp->toolong))
		fp->syntax = 1;
	else if (fp->literal || fp->toolong)
		fp->bad_domain = 1; /* [192.0.2.1] names no domain */
	else
		add_domain(fp);
	elem_reset(fp);
}

/* on_word - a word is part of the domain once '@' was seen; obs-domain
 * allows blanks and comments only next to its dots */
static void on_word(struct from_parse *fp, const struct token *tk)
{
	if (fp->angle == 2 || fp->literal) {
		fp->syntax = 1;
		return;
	}
	if (!fp->at)
		return; /* display name or local part */
	if (fp->dlen > 0 && tk->sep && fp->dom[fp->dlen - 1] != '.' &&
	        tk->s[0] != '.')
		fp->syntax = 1;
	else if (fp->toolong || fp->dlen + tk->n > FROM_RAW_MAX)
		fp->toolong = 1;
	else {
		memcpy(fp->dom + fp->dlen, tk->s, tk->n);
		fp->dlen += tk->n;
	}
}

/* on_at - '@' begins the domain; a second one in one address is bad */
static void on_at(struct from_parse *fp)
{
	if (fp->angle == 2 || fp->at)
		fp->syntax = 1;
	fp->at = 1;
	fp->dlen = 0;
}

/* on_angle - '<' opens the address (what came before was the display
 * name, which cannot hold an '@'); '>' closes it */
static void on_angle(struct from_parse *fp, char c)
{
	if (c == '<') {
		if (fp->angle != 0 || fp->at)
			fp->syntax = 1;
		addr_reset(fp);
		fp->angle = 1;
	} else if (fp->angle != 1) {
		fp->syntax = 1;
	} else {
		fp->angle = 2;
	}
}

/* on_colon - ends an obsolete route inside <>, or opens a group */
static void on_colon(struct from_parse *fp)
{
	if (fp->angle == 1)
		addr_reset(fp);
	else if (fp->angle == 0 && !fp->at && !fp->in_group) {
		elem_reset(fp); /* the group's display name */
		fp->in_group = 1;
	} else
		fp->syntax = 1;
}

/* on_special - one of < > @ , : ; */
static void on_special(struct from_parse *fp, char c)
{
	if (c == '@')
		on_at(fp);
	else if (c == '<' || c == '>')
		on_angle(fp, c);
	else if (c == ':')
		on_colon(fp);
	else if (c == ',' && fp->angle == 1)
		addr_reset(fp); /* between route domains: <@a,@b:x@y> */
	else if (c == ',')
		elem_finish(fp);
	else if (fp->in_group && fp->angle != 1) {
		elem_finish(fp); /* ';' ends the group */
		fp->in_group = 0;
	} else
		fp->syntax = 1;
}

/* on_token - feed one token; 0 at the end of the value */
static int on_token(struct from_parse *fp, const struct token *tk)
{
	int any = tk->t != TOK_SPECIAL || tk->s[0] == '<' || tk->s[0] == '@';

	switch (tk->t) {
	case TOK_END:
		if (fp->in_group)
			fp->syntax = 1;
		elem_finish(fp);
		return 0;
	case TOK_BAD:
		fp->syntax = 1;
		return 0;
	case TOK_WORD:
		on_word(fp, tk);
		break;
	case TOK_QSTR:
		if (fp->at || fp->angle == 2)
			fp->syntax = 1;
		break;
	case TOK_DLIT:
		if (!fp->at || fp->dlen > 0 || fp->literal)
			fp->syntax = 1;
		fp->literal = 1;
		break;
	case TOK_SPECIAL:
		on_special(fp, tk->s[0]);
		break;
	}
	fp->any = fp->any || any;
	return !fp->syntax;
}

/* dmarc_from_domain - read every mailbox, then judge; see dmarc.h */
int dmarc_from_domain(const char *value, char *out, size_t outlen)
{
	struct from_parse fp;
	struct token tk;
	const char *p = value;

	if (value == NULL || out == NULL)
		return DMARC_E_INVAL;
	memset(&fp, 0, sizeof(fp));
	do
		lex(&p, &tk);
	while (on_token(&fp, &tk));
	if (fp.syntax)
		return DMARC_E_FROM_SYNTAX;
	if (fp.bad_domain)
		return DMARC_E_FROM_DOMAIN;
	if (fp.multi)
		return DMARC_E_FROM_MULTI;
	if (fp.ndomains == 0)
		return DMARC_E_FROM_NONE;
	if (strlen(fp.first) >= outlen)
		return DMARC_E_NOSPACE;
	strcpy(out, fp.first);
	return DMARC_OK;
}
