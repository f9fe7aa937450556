/*
 * engine.h - what the milter runs on: the store, the observation writer,
 * the DNS-list prober and the current generation of configuration.
 *
 * PURPOSE
 *	A generation is a loaded configuration together with the resolver
 *	built from it. Each connection takes a reference to the generation
 *	current at its start and keeps it until it closes, so a reload
 *	(SIGHUP) never changes the rules in the middle of a message and never
 *	frees a resolver a message is waiting on. The store and the writer
 *	live as long as the process: changing `store` or the observe_* sizes
 *	takes a restart (a reload says so in the log).
 *
 * THREADS
 *	engine_acquire and gen_release may be called from any thread.
 *	engine_reload is called by the one thread that handles signals.
 */
#ifndef REPMILTER_ENGINE_H
#define REPMILTER_ENGINE_H

#include <stdatomic.h>

#include "check_spf.h"
#include "conf.h"
#include "dns.h"
#include "reputation.h"
#include "writer.h"

#if defined(__GNUC__)
#define ENGINE_MUST_CHECK __attribute__((warn_unused_result))
#else
#define ENGINE_MUST_CHECK
#endif

struct check_dkim;
struct dns_share;
struct orgdom;

struct gen {
	atomic_uint refs;
	struct conf *cfg;         /* owned */
	struct dns_resolver *dns; /* shared by the generations whose DNS
	                             settings are the same (a reload keeps
	                             the cache); see struct dns_share */
	struct dns_share *dns_share;
	struct check_dkim *dkim; /* owned; NULL when dkim = no */
	char authserv_id[256];   /* authserv_id, or the host name */
	struct check_spf_weights spf_weights; /* defaults + symbol_weights */
	unsigned serial; /* 1 for the first, +1 per reload */
};

/* Counters shown in the periodic statistics line. */
struct engine_counters {
	atomic_ulong messages;
	atomic_ulong dnsl_errors; /* error codes, outside 127/8, SERVFAIL */
	atomic_ulong dnsl_timeouts;
	atomic_ulong store_errors; /* failed reads */
};

struct engine;

/* engine_new - open the store (creating it and its directory if need be)
 * and build the first generation from `cfg` (taken over on success);
 * threads are not started yet (see engine_start) */
int engine_new(struct conf *cfg, struct engine **out, char *err,
        size_t errlen) ENGINE_MUST_CHECK;

/* engine_start - start the writer and the prober threads; called after
 * the process has dropped its privileges */
int engine_start(struct engine *e, char *err, size_t errlen) ENGINE_MUST_CHECK;

/* engine_reload - make `cfg` (taken over on success) the current
 * generation; connections already open keep theirs */
int engine_reload(struct engine *e, struct conf *cfg, char *err,
        size_t errlen) ENGINE_MUST_CHECK;

/* engine_acquire - a reference to the current generation */
struct gen *engine_acquire(struct engine *e);

/* gen_release - drop a reference; the last one frees the generation */
void gen_release(struct gen *g);

/* engine_score - rep_check under the current policy: the defaults and
 * the partners' weights and caps the store keeps (repsync writes them;
 * read again every few minutes and at a reload) */
int engine_score(struct engine *e, const struct rep_subject *s, int64_t now,
        struct rep_score *out);

/* engine_store, engine_writer, engine_counters - borrowed, live as long
 * as the engine; the writer is NULL when observe = no */
struct rep_store *engine_store(struct engine *e);
struct writer *engine_writer(struct engine *e);
struct engine_counters *engine_counters(struct engine *e);

/* engine_orgdom - the public suffix list, loaded once at start */
const struct orgdom *engine_orgdom(struct engine *e);

/* engine_log_stats - one log line of counters (on SIGUSR1 and at exit) */
void engine_log_stats(struct engine *e);

/* engine_free - stop the prober, flush the writer, close the store */
void engine_free(struct engine *e);

#endif /* REPMILTER_ENGINE_H */
