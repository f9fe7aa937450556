/*
 * names.c - the texts of error codes, and the names of operations and
 * categories as they appear in feeds, on the command line and in logs.
 * Names are matched exactly (lower case): they are wire and file formats,
 * and a name we do not know must not be guessed at.
 */
#include <string.h>

#include "reputation.h"

static const char *const op_names[] = {
        [REP_OP_LIST] = "list",
        [REP_OP_DELIST] = "delist",
        [REP_OP_ALLOW] = "allow",
};

static const char *const category_names[] = {
        [REP_CAT_SPAM] = "spam",
        [REP_CAT_BOT] = "bot",
        [REP_CAT_BOTNET_CC] = "botnet-cc",
        [REP_CAT_PHISH] = "phish",
        [REP_CAT_MALWARE] = "malware",
        [REP_CAT_SNOWSHOE] = "snowshoe",
        [REP_CAT_ABUSE] = "abuse",
        [REP_CAT_OTHER] = "other",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* rep_strerror - a static, human-readable text for an error code */
const char *rep_strerror(int err)
{
	switch (err) {
	case REP_OK:
		return "success";
	case REP_E_INVAL:
		return "invalid argument";
	case REP_E_SYNTAX:
		return "not an address, prefix or domain name";
	case REP_E_HOSTBITS:
		return "prefix has host bits set past its length";
	case REP_E_PREFIXLEN:
		return "prefix length out of range";
	case REP_E_NAME:
		return "invalid domain name (label, length or characters)";
	case REP_E_IDN:
		return "internationalised name cannot be converted to A-labels";
	case REP_E_NOTFOUND:
		return "no such subject or publisher";
	case REP_E_NOMEM:
		return "out of memory";
	case REP_E_STORE:
		return "reputation store (LMDB) error";
	case REP_E_CORRUPT:
		return "stored data cannot be decoded";
	case REP_E_VERSION:
		return "record written by a newer format version";
	case REP_E_FULL:
		return "store is full (maximum map size reached)";
	case REP_E_LIMIT:
		return "too many partner slots or publishers";
	case REP_E_READONLY:
		return "store is open read-only";
	case REP_E_NOSTORE:
		return "no reputation store at that path";
	case REP_E_RANGE:
		return "value out of range";
	case REP_E_BUSY:
		return "store is open in another process";
	}
	return "unknown error";
}

/* table_name - the name at index v of a table; "unknown" rather than
 * NULL, since callers pass it straight to a log line */
static const char *table_name(const char *const *t, size_t n, int v)
{
	if (v < 0 || (size_t)v >= n || t[v] == NULL)
		return "unknown";
	return t[v];
}

/* table_parse - the index of a name in a table, or REP_E_INVAL */
static int table_parse(const char *const *t, size_t n, const char *name)
{
	size_t i;

	if (name == NULL)
		return REP_E_INVAL;
	for (i = 0; i < n; i++)
		if (t[i] != NULL && strcmp(t[i], name) == 0)
			return (int)i;
	return REP_E_INVAL;
}

/* rep_op_name - "list", "delist", "allow"; "unknown" for others */
const char *rep_op_name(int op)
{
	return table_name(op_names, NELEM(op_names), op);
}

/* rep_category_name - "spam" ... "other"; "unknown" for others */
const char *rep_category_name(int cat)
{
	return table_name(category_names, NELEM(category_names), cat);
}

/* rep_op_parse - the operation named, or REP_E_INVAL */
int rep_op_parse(const char *name)
{
	return table_parse(op_names, NELEM(op_names), name);
}

/* rep_category_parse - the category named, or REP_E_INVAL */
int rep_category_parse(const char *name)
{
	return table_parse(category_names, NELEM(category_names), name);
}

/* rep_publisher_valid_name - 1-63 of [a-z0-9._-], starting alnum; 1 if
 * valid. Lower case only, so a name is also a safe file-name part. */
int rep_publisher_valid_name(const char *name)
{
	size_t i;

	if (name == NULL || !((name[0] >= 'a' && name[0] <= 'z') ||
	                            (name[0] >= '0' && name[0] <= '9')))
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		char c = name[i];
		if (i >= REP_PUBLISHER_MAX)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		            c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}
