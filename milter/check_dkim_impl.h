/*
 * check_dkim_impl.h - internals shared by check_dkim.c (the message flow),
 * check_dkim_keys.c (libopendkim's DNS hooks, the dns.h key source) and
 * check_dkim_result.c (signature states to results). Not for callers:
 * check_dkim.h is the interface. Internal functions are prefixed ckd_ so
 * that they stay clear of libopendkim's dkim_ namespace.
 */
#ifndef REPMILTER_CHECK_DKIM_IMPL_H
#define REPMILTER_CHECK_DKIM_IMPL_H

#include <sys/types.h>

#include <opendkim/dkim.h>

#include "check_dkim.h"

/* A DNS name: 253 octets and the NUL. */
#define CKD_QNAME_LEN 254
/* One header field, name and value, is never larger (Postfix's
 * header_size_limit is 100 KiB by default); bigger ones are not fed. */
#define CKD_FIELD_MAX (256 * 1024)

struct check_dkim {
	struct check_dkim_opts o; /* defaults filled in */
	/* Held for the verifier's life: libopendkim reference-counts its
	 * OpenSSL set-up and would tear it down whenever the last message's
	 * handle closed. Also where the feature check is made. */
	DKIM_LIB *base;
};

/* One key lookup of a message (two signatures may share one). */
struct ckd_key {
	char name[CKD_QNAME_LEN]; /* selector._domainkey.domain */
	unsigned id;              /* in the key source */
	int asked;                /* 0: the source refused the question */
	int oversize;             /* the answer did not fit the reply buffer */
	enum dns_status status;   /* DNS_PENDING until waited for */
	unsigned char *buf;       /* libopendkim's reply buffer, set by the */
	size_t buflen;            /* start hook for the one wait that follows */
};

/* What is decided at end-of-headers for one of libopendkim's signatures. */
enum ckd_plan {
	CKD_VERIFY = 0,  /* key lookup and check */
	CKD_BAD = 1,     /* libopendkim found it malformed or unsupported */
	CKD_SHA1 = 2,    /* rsa-sha1: refused (RFC 8301) */
	CKD_HEADERS = 3, /* the message's header block is unusable */
	CKD_CAPPED = 4,  /* past verify_max: not reported */
	CKD_BADNAME = 5, /* s= and d= make no DNS name */
};

struct ckd_sig {
	DKIM_SIGINFO *si; /* owned by the DKIM handle */
	enum ckd_plan plan;
	int key; /* index in key[], -1 for none */
};

enum ckd_state {
	CKD_HEADER = 0, /* taking header fields */
	CKD_BODY = 1,   /* after eoh */
	CKD_DONE = 2,   /* after eom: results are final */
};

struct check_dkim_msg {
	const struct check_dkim *v;
	DKIM_LIB *lib; /* this message's; its DNS service is `this` */
	DKIM *dkim;
	void *keyq;          /* the key source's state, NULL until used */
	int64_t deadline_ms; /* for the hooks, set by eom */
	enum ckd_state state;
	DKIM_STAT eoh_status;
	int unusable;        /* header block not verifiable (HEADERS) */
	int internal;        /* the library ran out of resources */
	unsigned nheaders;   /* header fields seen */
	unsigned nsigfields; /* DKIM-Signature fields seen */
	unsigned nfrom;      /* From fields seen */
	int from_ok;         /* the first From holds an address */
	unsigned nverify;    /* signatures planned CKD_VERIFY */
	char *field;         /* "name:value" assembly buffer */
	size_t fieldcap;
	unsigned nsigs;
	struct ckd_sig sig[CHECK_DKIM_SIGS_MAX];
	unsigned nkeys;
	struct ckd_key key[CHECK_DKIM_SIGS_MAX];
	struct check_dkim_results res;
};

/* ckd_hooks_install - make libopendkim ask `m`'s key source for keys */
void ckd_hooks_install(DKIM_LIB *lib, struct check_dkim_msg *m);

/* ckd_key_ask - start (or share) the lookup of selector._domainkey.domain;
 * its index in m->key, or -1 when s= and d= make no DNS name */
int ckd_key_ask(
        struct check_dkim_msg *m, const char *selector, const char *domain);

/* ckd_keys_close - abandon the message's lookups in flight */
void ckd_keys_close(struct check_dkim_msg *m);

/* ckd_results_build - m->res from the signatures' states after eom */
void ckd_results_build(struct check_dkim_msg *m);

#endif /* REPMILTER_CHECK_DKIM_IMPL_H */
