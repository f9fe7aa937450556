/* json.c - JSON string literals (json.h) */
#include "config.h"

#include <stdio.h>

#include "json.h"

/* utf8_len - length of the valid UTF-8 sequence at s, or 0: overlong
 * forms, surrogates and code points past U+10FFFF are not valid */
static size_t utf8_len(const unsigned char *s)
{
	unsigned cp, n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* short_escape - the two-character escape of a byte, or NULL */
static const char *short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	default:
		return NULL;
	}
}

/* json_escape - see json.h */
void json_escape(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	const char *esc;
	size_t n;

	putc('"', fp);
	while (*s != '\0') {
		if ((esc = short_escape(*s)) != NULL) {
			fputs(esc, fp);
			n = 1;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(fp, "\\u%04x", *s);
			n = 1;
		} else if (*s < 0x80) {
			putc(*s, fp);
			n = 1;
		} else if ((n = utf8_len(s)) != 0) {
			fwrite(s, 1, n, fp);
		} else {
			fprintf(fp, "\\u%04x", *s);
			n = 1;
		}
		s += n;
	}
	putc('"', fp);
}
