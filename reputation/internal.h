/*
 * internal.h - libreputation's private interfaces: the key and record
 * encodings and the helpers shared by its .c files. Not installed; the unit
 * tests include it to check the encodings. Never includes <lmdb.h>.
 */
#ifndef REP_INTERNAL_H
#define REP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "reputation.h"

/*
 * KEYS
 * Binary, memcmp-ordered, so a cursor walks subjects in a useful order:
 *	IPv4   0x04 | 4 address bytes  | prefix length      (6 bytes)
 *	IPv6   0x06 | 16 address bytes | prefix length      (18 bytes)
 *	AUTH   0x41 | rname | 0x00 | 0x00
 *	DOMAIN 0x44 | rname | 0x00 | scope
 * rname is the name's labels in reverse order joined by 0x01
 * ("www.example.com" -> "com" 01 "example" 01 "www"), so a name sorts
 * before its subdomains and a subtree is one contiguous range.
 */
#define REP_KEY_IP4 0x04
#define REP_KEY_IP6 0x06
#define REP_KEY_AUTH 0x41
#define REP_KEY_DOMAIN 0x44
#define REP_KEY_MAX (1 + REP_NAME_MAX + 3)

/* rep_key_encode - the key of a canonical subject; returns its length, or
 * 0 if the subject is not canonical */
size_t rep_key_encode(const struct rep_subject *s, uint8_t *key, size_t len);

/* rep_key_decode - the subject of a key */
int rep_key_decode(const uint8_t *key, size_t len, struct rep_subject *out);

/* rep_ip_maxlen - 32 or 128 for an IP kind, else 0 */
unsigned rep_ip_maxlen(unsigned kind);

/* rep_ip_mask - clear the bits of addr past plen (addr of maxlen bits) */
void rep_ip_mask(uint8_t *addr, unsigned maxlen, unsigned plen);

/*
 * RECORDS
 * Version 2 (written now): byte version, byte flags, varint npartners, then
 * the local slot (float32 ham, float32 spam, varint last_seen, varint
 * last-first, signed varint stamp-last), the override (byte action,
 * varints when and expires, who and reason as varint length + bytes) and
 * the partner slots (varints, see record.c).
 * Version 1: the same fields at fixed widths, little-endian. Still read.
 */
#define REP_RECORD_MAX 16384

/* rep_record_encode - encode in the current version; returns the length,
 * 0 if buf is too small */
size_t rep_record_encode(const struct rep_record *r, uint8_t *buf, size_t len);

/* rep_record_encode_v1 - encode in format version 1 (kept for tests that
 * prove old records stay readable) */
size_t rep_record_encode_v1(const struct rep_record *r, uint8_t *buf,
	size_t len);

/* rep_record_decode - decode any known version; REP_E_VERSION for a newer
 * one, REP_E_CORRUPT for bytes that do not parse */
int rep_record_decode(const uint8_t *buf, size_t len, struct rep_record *out);

/* rep_record_init - an empty record of the current version */
void rep_record_init(struct rep_record *r);

/* rep_record_empty - no slot left */
int rep_record_empty(const struct rep_record *r);

/* rep_record_partner - the slot of a publisher, or NULL */
struct rep_partner *rep_record_partner(struct rep_record *r, uint16_t pub);

/* rep_record_merge_partner - merge one slot into the record per DESIGN.md
 * section 2; returns 1 if the record changed, 0 if not (stale or equal),
 * REP_E_LIMIT if the record has no room for another slot */
int rep_record_merge_partner(struct rep_record *r, const struct rep_partner *p);

/* rep_record_observe - decay the local counts to `when` and add to them */
void rep_record_observe(struct rep_record *r, double ham, double spam,
	int64_t when, double half_life);

/* rep_decay - value decayed over `age` seconds with `half_life` */
double rep_decay(double value, double age, double half_life);

#endif /* REP_INTERNAL_H */
