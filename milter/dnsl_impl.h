/*
 * dnsl_impl.h - the insides of a struct dnsl_set (private to the DNS-list
 * module).
 *
 * PURPOSE
 *	Shared by dnsl.c (query names, classification, probes) and
 *	dnsl_rules.c (dnsl_parse and dnsl_format) and included by nothing
 *	else: every other file sees struct dnsl_set only as the opaque handle
 *	of the public dnsl.h.
 *
 * OWNERSHIP
 *	A set is made by dnsl_parse and freed by dnsl_set_free, both in
 *	dnsl_rules.c. The helpers below keep nothing: strings are borrowed
 *	for the call and results written into the caller's buffer.
 *
 * THREADS
 *	A set is immutable once parsed, except each zone's `enabled`, which
 *	is atomic (the prober writes it while workers read it).
 */
#ifndef REPMILTER_DNSL_IMPL_H
#define REPMILTER_DNSL_IMPL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsl.h"

/* A zone is at most 253 - 64 octets: 32 IPv6 nibbles and their dots must
 * still fit in front of it within the 253 of a name. */
#define DNSL_ZONE_LEN 189
#define DNSL_RULES_MAX 256

/* DNSL_HAS - membership in a 256-bit set of octet values */
#define DNSL_HAS(set, v) (((set)[(v) / 8] >> ((v) % 8)) & 1)

enum dnsl_rule_type {
	DNSL_RULE_ANY = 0,    /* any answer in 127/8 */
	DNSL_RULE_OCTETS = 1, /* per-octet sets */
	DNSL_RULE_MASK = 2,   /* (answer & mask) != 0 */
};

struct dnsl_rule {
	unsigned zone;
	enum dnsl_rule_type type;
	uint32_t mask;
	uint8_t octet[4][32]; /* a 256-bit set per octet */
	double weight;
};

struct dnsl_zone {
	char name[DNSL_ZONE_LEN + 1];
	char symbol[DNSL_SYMBOL_MAX];
	atomic_int enabled;
};

struct dnsl_set {
	enum dnsl_kind kind;
	unsigned nzones;
	unsigned nrules;
	struct dnsl_zone zone[DNSL_ZONES_MAX];
	struct dnsl_rule rule[DNSL_RULES_MAX];
};

/* dnsl_host_ok - 1 when s (n octets, no trailing dot) is a host name of
 * at least min_labels letter-digit-hyphen labels (and '_' when
 * underscore is set) whose last label is not numeric, so that an address
 * is never taken for a name; else 0 */
int dnsl_host_ok(const char *s, size_t n, int underscore, int min_labels);

/* dnsl_norm_host - copy the name s of n octets into out (len octets),
 * folded to lower case and without its trailing dot; returns its length,
 * or 0 when it is empty or does not fit */
size_t dnsl_norm_host(const char *s, size_t n, char *out, size_t len);

#endif /* REPMILTER_DNSL_IMPL_H */
