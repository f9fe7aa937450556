/*
 * conf.h - repmilter.conf: one table of options, parsed into a new
 * struct conf, validated whole, then swapped in by the caller.
 *
 * FORMAT
 *	`key = value` lines, `#` starts a comment, blank lines ignored. Values
 *	may be quoted with "..." to keep leading or trailing blanks or a '#'.
 *	Unknown keys, repeated keys and bad values are errors naming the file
 *	and line. Every option, its type, default and bounds is one row of the
 *	table in config.c; repmilter.conf(5) and etc/repmilter.conf list the
 *	same options (a test checks it).
 *
 * OWNERSHIP
 *	conf_load allocates a struct conf; conf_free frees it and
 *	everything it holds (NULL is a no-op). A loaded config is immutable and
 *	may be read by any thread; reload makes a new one. Every char * field
 *	of a loaded config is non-NULL ("" when empty).
 */
#ifndef REPMILTER_CONF_H
#define REPMILTER_CONF_H

#include <stdio.h>

#include "dnsl.h"
#include "policy.h"
#include "weights.h"

#if defined(__GNUC__)
#define CONF_MUST_CHECK __attribute__((warn_unused_result))
#else
#define CONF_MUST_CHECK
#endif

/* One network of internal_networks. */
struct conf_net {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network byte order, host bits zero */
	unsigned plen;
};

#define CONF_NETS_MAX 64

struct conf {
	/* the daemon */
	char *socket;              /* "unix:/run/repmilter/repmilter.sock" */
	char *pid_file;            /* "" : none */
	char *user;                /* "" : do not change user */
	char *socket_group;        /* "" : the user's own group */
	char *syslog_facility;     /* "mail" */
	int syslog_facility_value; /* LOG_MAIL, ... (derived) */
	int log_level;             /* LOG_INFO, ...: least important logged */
	unsigned milter_timeout;   /* seconds, smfi_settimeout */

	/* the store */
	char *store;                     /* path of the LMDB file */
	int observe;                     /* queue observations for the store */
	unsigned observe_queue;          /* bounded queue length */
	unsigned observe_batch;          /* most observations per commit */
	unsigned observe_interval_ms;    /* commit at least this often */
	double reputation_weight;        /* multiplies the store's IP score */
	double reputation_domain_weight; /* and the sender domain's */

	/* DNS */
	char *dns_servers;       /* "" : the system's */
	unsigned dns_timeout_ms; /* per try */
	unsigned dns_tries;
	unsigned message_deadline_ms; /* waiting for checks at end of message */
	unsigned dns_cache_size;      /* entries; 0: no cache */
	unsigned dns_cache_min_ttl;   /* seconds */
	unsigned dns_cache_max_ttl;   /* seconds */
	char *dns_lists;              /* as written (for -n) */
	char *dns_domain_lists;
	struct dnsl_set *ip_lists;     /* parsed dns_lists; NULL when empty */
	struct dnsl_set *domain_lists; /* parsed dns_domain_lists */
	unsigned dns_probe_interval;   /* seconds; 0: probe only at start */

	/* sender authentication */
	int spf, dkim, dmarc; /* each check on or off */
	unsigned dkim_key_cache; /* parsed keys kept; 0: none */
	char *authserv_id;    /* of Authentication-Results; "": host name */
	int dmarc_enforce;    /* act on p=reject / p=quarantine */
	int spf_temperror_tempfail; /* spf_temperror_action = tempfail */
	struct policy_reply spf_temperror_reply;
	char *symbol_weights;    /* as written (for -n) */
	struct weights *weights; /* parsed; NULL when empty */

	/* policy */
	struct policy policy; /* thresholds, dry_run, replies, allowlist */
	int skip_authenticated;
	unsigned ninternal;
	struct conf_net internal[CONF_NETS_MAX];
	char *internal_networks; /* as written (for -n) */
};

/* conf_load - read `path` into a new config; on error returns -1 and
 * writes "FILE:LINE: message" into err (every error found, up to errlen,
 * one per line, each line ending in '\n') and *out is untouched */
int conf_load(const char *path, struct conf **out, char *err,
        size_t errlen) CONF_MUST_CHECK;

/* conf_defaults - a config with every default (no file) */
int conf_defaults(struct conf **out, char *err, size_t errlen) CONF_MUST_CHECK;

/* conf_free - free; NULL is a no-op */
void conf_free(struct conf *c);

/* conf_print - every option as `key = value`, in table order, the form
 * `repmilter -n` prints and conf_load reads back to the same config */
void conf_print(const struct conf *c, FILE *fp);

/* conf_is_internal - 1 when the address (AF_INET: 4 bytes, AF_INET6: 16)
 * is in internal_networks */
int conf_is_internal(
        const struct conf *c, int family, const unsigned char *addr);

/* conf_option_count, conf_option_name - the table, for tests that
 * check the man page and the sample file */
unsigned conf_option_count(void);
const char *conf_option_name(unsigned i);

#endif /* REPMILTER_CONF_H */
