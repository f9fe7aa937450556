/*
 * arparse.h - a test-only Authentication-Results parser (RFC 8601), to
 * check the vectors and to read back what milter/authres.c writes. It
 * shares no code with authres.c, so a bug in one does not hide in both.
 *
 * MODES
 *	ARP_STRICT: the RFC 8601 section 2.2 grammar. Keywords are RFC 5321
 *	Keywords; ptype is smtp, header, body or policy; a pvalue is a token,
 *	a quoted-string or [local-part] "@" domain-name; "none" stands alone;
 *	a line break must be followed by white space (else the header ended).
 *	What our writer emits must pass this.
 *	ARP_LENIENT: what Mail::AuthenticationResults accepts (CHOICES.md):
 *	quoted keys, properties without a ptype, lone words, empty values,
 *	values of any characters up to white space, ';' or a comment,
 *	key=value pairs after the authserv-id, and Microsoft's order (results
 *	first, the authserv-id as a later lone element).
 *	Both modes: comments (nested, with quoted-pairs) wherever white space
 *	may be, values unquoted and unfolded, names as written.
 *
 * OWNERSHIP
 *	struct arp_header is large: allocate it (arp_header_new).
 */
#ifndef ARPARSE_H
#define ARPARSE_H

#include <stddef.h>

#define ARP_NAME_MAX 64
#define ARP_VALUE_MAX 1024
#define ARP_PROPS_MAX 12
#define ARP_RESINFO_MAX 40

enum arp_mode { ARP_STRICT, ARP_LENIENT };

struct arp_prop {
	char ptype[ARP_NAME_MAX]; /* "" for a lenient property without one */
	char name[ARP_NAME_MAX];
	char value[ARP_VALUE_MAX];
	int has_value; /* 0 for a lenient lone word */
};

struct arp_resinfo {
	char method[ARP_NAME_MAX];
	int version; /* -1 when not given */
	char result[ARP_NAME_MAX];
	int has_result; /* 0 for a lenient lone word */
	char reason[ARP_VALUE_MAX];
	int has_reason;
	size_t nprops;
	struct arp_prop prop[ARP_PROPS_MAX];
};

struct arp_header {
	char authserv_id[ARP_VALUE_MAX];
	int version;   /* -1 when not given */
	int none;      /* "; none" */
	int microsoft; /* the id came after a resinfo (lenient) */
	size_t nresinfo;
	struct arp_resinfo ri[ARP_RESINFO_MAX];
	size_t error_at;   /* on failure: the offset in the value */
	const char *error; /* on failure: what was wrong */
};

/* arp_header_new - a zeroed header (calloc; NULL when out of memory) */
struct arp_header *arp_header_new(void);

/* arp_parse - parse an Authentication-Results value (no field name):
 * 0, or -1 with error and error_at set */
int arp_parse(const char *value, enum arp_mode mode, struct arp_header *h);

/* arp_find - the first property "ptype.name" (or "name" for one without
 * a ptype) of a resinfo, names compared without case; NULL if none */
const struct arp_prop *arp_find(const struct arp_resinfo *ri, const char *key);

#endif /* ARPARSE_H */
