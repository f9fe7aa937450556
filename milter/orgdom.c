/* orgdom.c - canonical domain names and the organisational domain (libpsl) */
#include "config.h"

#include <idn2.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>

#include "orgdom.h"

/* Input longer than this is no domain even before IDNA: 253 octets of
 * A-labels never need more than 4 UTF-8 bytes per octet. */
#define ORGDOM_RAW_MAX 1024

/* The flags reputation/subject.c uses too, so both agree on a name. */
#define ORGDOM_IDN_FLAGS (IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT)

struct orgdom {
	psl_ctx_t *psl; /* may be libpsl's built-in context */
	char source[256];
};

/* orgdom_strerror - a static text for an ORGDOM_E_* code */
const char *orgdom_strerror(int err)
{
	switch (err) {
	case ORGDOM_OK:
		return "success";
	case ORGDOM_E_INVAL:
		return "not a usable domain name";
	case ORGDOM_E_NONE:
		return "a public suffix";
	case ORGDOM_E_NOSPACE:
		return "buffer too small";
	case ORGDOM_E_LOAD:
		return "public suffix list could not be loaded";
	}
	return "unknown error";
}

/* source_name - remember where the list came from, for the start-up log */
static void source_name(struct orgdom *o, const char *path)
{
	const char *name = path;

	/* psl_latest does not say what it took; its built-in context is a
	 * static object, so a pointer comparison tells */
	if (path == NULL)
		name = o->psl == psl_builtin() ? "built-in"
		                               : psl_dist_filename();
	if (name == NULL || name[0] == '\0')
		name = "unknown";
	strncpy(o->source, name, sizeof(o->source) - 1);
	o->source[sizeof(o->source) - 1] = '\0';
}

/* orgdom_open - load the list once; see orgdom.h for which list wins */
int orgdom_open(const char *path, struct orgdom **out)
{
	struct orgdom *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return ORGDOM_E_LOAD;
	o->psl = path != NULL ? psl_load_file(path) : psl_latest(NULL);
	if (o->psl == NULL) {
		free(o);
		return ORGDOM_E_LOAD;
	}
	source_name(o, path);
	*out = o;
	return ORGDOM_OK;
}

/* orgdom_close - psl_free knows not to free the built-in context */
void orgdom_close(struct orgdom *o)
{
	if (o == NULL)
		return;
	psl_free(o->psl);
	free(o);
}

/* orgdom_source - where the list came from */
const char *orgdom_source(const struct orgdom *o)
{
	return o->source;
}

/* label_char - the bytes a label may hold once it is ASCII */
static int label_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/* check_ascii - lower-case `s` in place and check its labels */
static int check_ascii(char *s)
{
	size_t label = 0, i;
	int digits = 1; /* the current label is all digits so far */

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			s[i] = (char)(c - 'A' + 'a');
		if (s[i] == '.') {
			if (label == 0)
				return ORGDOM_E_INVAL;
			label = 0;
			digits = 1;
			continue;
		}
		if (!label_char((unsigned char)s[i]) || ++label > 63)
			return ORGDOM_E_INVAL;
		digits = digits && s[i] >= '0' && s[i] <= '9';
	}
	if (i == 0 || i > ORGDOM_NAME_MAX || label == 0 || digits)
		return ORGDOM_E_INVAL;
	return ORGDOM_OK;
}

/* to_ascii - a name with non-ASCII bytes as A-labels, into `buf` */
static int to_ascii(const char *raw, char *buf, size_t len)
{
	char *ace = NULL;
	int rc = ORGDOM_E_INVAL;

	if (idn2_to_ascii_8z(raw, &ace, ORGDOM_IDN_FLAGS) != IDN2_OK)
		return ORGDOM_E_INVAL;
	if (strlen(ace) < len) {
		strcpy(buf, ace);
		rc = ORGDOM_OK;
	}
	idn2_free(ace);
	return rc;
}

/* has_8bit - whether IDNA has work to do */
static int has_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* orgdom_canon - see orgdom.h; works on copies, `out` written last */
int orgdom_canon(const char *in, size_t len, char *out, size_t outlen)
{
	char raw[ORGDOM_RAW_MAX + 1], name[ORGDOM_RAW_MAX + 1];
	size_t n;

	if (in == NULL)
		return ORGDOM_E_INVAL;
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > ORGDOM_RAW_MAX || memchr(in, '\0', len) != NULL)
		return ORGDOM_E_INVAL;
	memcpy(raw, in, len);
	raw[len] = '\0';
	if (!has_8bit(raw))
		memcpy(name, raw, len + 1);
	else if (to_ascii(raw, name, sizeof(name)) != ORGDOM_OK)
		return ORGDOM_E_INVAL;
	if (check_ascii(name) != ORGDOM_OK)
		return ORGDOM_E_INVAL;
	n = strlen(name);
	if (n >= outlen)
		return ORGDOM_E_NOSPACE;
	memcpy(out, name, n + 1);
	return ORGDOM_OK;
}

/* copy_out - a result into the caller's buffer */
static int copy_out(const char *s, char *out, size_t outlen)
{
	size_t n = strlen(s);

	if (n >= outlen)
		return ORGDOM_E_NOSPACE;
	memcpy(out, s, n + 1);
	return ORGDOM_OK;
}

/* orgdom_registrable - libpsl on the canonical form, which it wants:
 * lower case, A-labels (Debian's lists carry both forms of IDN rules).
 * Pure ASCII also keeps libpsl from converting IDNA itself: the lookup
 * then only reads the context, which is what makes sharing it safe. */
int orgdom_registrable(
        const struct orgdom *o, const char *domain, char *out, size_t outlen)
{
	char name[ORGDOM_NAME_LEN];
	const char *reg;

	if (domain == NULL ||
	        orgdom_canon(domain, strlen(domain), name, sizeof(name)) != 0)
		return ORGDOM_E_INVAL;
	reg = psl_registrable_domain(o->psl, name);
	if (reg == NULL)
		return ORGDOM_E_NONE;
	return copy_out(reg, out, outlen);
}

/* orgdom_find - registrable domain, or the public suffix itself */
int orgdom_find(
        const struct orgdom *o, const char *domain, char *out, size_t outlen)
{
	char name[ORGDOM_NAME_LEN];
	int rc = orgdom_registrable(o, domain, out, outlen);

	if (rc != ORGDOM_E_NONE)
		return rc;
	/* RFC 7489 3.2 has no label left of the suffix to add: the name
	 * stands for itself, so it aligns with nothing but itself */
	if (orgdom_canon(domain, strlen(domain), name, sizeof(name)) != 0)
		return ORGDOM_E_INVAL;
	return copy_out(name, out, outlen);
}
