/* engine.c - store, writer, prober and configuration generations */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "authres.h"
#include "check_dkim.h"
#include "dkim_keycache.h"
#include "engine.h"
#include "log.h"
#include "orgdom.h"

struct engine {
	struct rep_store *store;
	struct orgdom *psl;
	struct writer *writer;
	struct engine_counters counters;
	pthread_mutex_t lock; /* guards cur, prober state */
	pthread_cond_t prober_wake;
	struct gen *cur;
	unsigned serial;
	pthread_t prober;
	int prober_running, stopping, reprobe;
	pthread_rwlock_t pol_lock; /* guards pol */
	struct rep_policy pol;     /* defaults and the partners' weights */
};

static void policy_refresh(struct engine *e);

/* gen_auth - the DKIM verifier over the generation's resolver, and the
 * authserv-id (the host name unless configured) */
static int gen_auth(
        struct gen *g, const struct conf *cfg, char *err, size_t errlen)
{
	struct check_dkim_opts o = {.keys = &check_dkim_keys_dns,
	        .keys_ctx = g->dns,
	        .key_cache = cfg->dkim_key_cache > 0 ? cfg->dkim_key_cache
	                                             : CHECK_DKIM_KEY_CACHE_NONE};
	int rc;

	if (cfg->authserv_id[0] != '\0')
		snprintf(g->authserv_id, sizeof(g->authserv_id), "%s",
		        cfg->authserv_id);
	else if (gethostname(g->authserv_id, sizeof(g->authserv_id) - 1) != 0 ||
	         !authres_id_valid(g->authserv_id))
		snprintf(g->authserv_id, sizeof(g->authserv_id), "localhost");
	check_spf_weights_default(&g->spf_weights);
	for (int r = 0; r < CHECK_SPF_RESULTS; r++) {
		g->spf_weights.mfrom[r] = weights_get(cfg->weights,
		        check_spf_symbol(r, 0), g->spf_weights.mfrom[r]);
		g->spf_weights.helo[r] = weights_get(cfg->weights,
		        check_spf_symbol(r, 1), g->spf_weights.helo[r]);
	}
	if (!cfg->dkim)
		dkim_keycache_size(0);
	if (cfg->dkim && (rc = check_dkim_new(&o, &g->dkim)) != 0) {
		snprintf(err, errlen, "dkim: %s", check_dkim_strerror(rc));
		return -1;
	}
	return 0;
}

/* A resolver and the settings it was made with. A reload whose DNS
 * settings did not change takes the same one, so that its cache (and the
 * queries in flight) carry over; the last generation to let go of it
 * stops it. */
struct dns_share {
	atomic_uint refs;
	struct dns_resolver *r;
	struct dns_opts o;
	char *servers; /* o.servers points here */
};

/* dns_opts_of - the resolver settings of a configuration */
static struct dns_opts dns_opts_of(const struct conf *cfg)
{
	struct dns_opts o = {
	        .servers = cfg->dns_servers,
	        .timeout_ms = cfg->dns_timeout_ms,
	        .tries = cfg->dns_tries,
	        .cache_min_ttl = cfg->dns_cache_min_ttl,
	        .cache_max_ttl = cfg->dns_cache_max_ttl,
	        .cache_entries = cfg->dns_cache_size,
	};
	return o;
}

/* dns_share_fits - was the share made with these settings? */
static int dns_share_fits(const struct dns_share *d, const struct dns_opts *o)
{
	return strcmp(d->o.servers ? d->o.servers : "",
	               o->servers ? o->servers : "") == 0 &&
	       d->o.timeout_ms == o->timeout_ms && d->o.tries == o->tries &&
	       d->o.cache_min_ttl == o->cache_min_ttl &&
	       d->o.cache_max_ttl == o->cache_max_ttl &&
	       d->o.cache_entries == o->cache_entries;
}

/* dns_share_get - the previous generation's resolver when its settings
 * are these, else a new one */
static int dns_share_get(const struct gen *prev, const struct dns_opts *o,
        struct dns_share **out, char *err, size_t errlen)
{
	struct dns_share *d;
	int rc;

	if (prev != NULL && dns_share_fits(prev->dns_share, o)) {
		atomic_fetch_add(&prev->dns_share->refs, 1);
		*out = prev->dns_share;
		return 0;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	        (d->servers = strdup(o->servers ? o->servers : "")) == NULL) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->o = *o;
	d->o.servers = d->servers;
	if ((rc = dns_resolver_new(&d->o, &d->r)) != 0) {
		snprintf(err, errlen, "dns: %s", dns_strerror(rc));
		free(d->servers);
		free(d);
		return -1;
	}
	atomic_init(&d->refs, 1);
	*out = d;
	return 0;
}

/* dns_share_release - the last reference stops the resolver */
static void dns_share_release(struct dns_share *d)
{
	if (d == NULL || atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	dns_resolver_free(d->r);
	free(d->servers);
	free(d);
}

/* gen_new - a generation: the config plus a resolver for it (the
 * previous generation's when the DNS settings are the same) */
static int gen_new(struct conf *cfg, const struct gen *prev, unsigned serial,
        struct gen **out, char *err, size_t errlen)
{
	struct dns_opts o = dns_opts_of(cfg);
	struct gen *g = calloc(1, sizeof(*g));

	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (dns_share_get(prev, &o, &g->dns_share, err, errlen) != 0) {
		free(g);
		return -1;
	}
	g->dns = g->dns_share->r;
	if (gen_auth(g, cfg, err, errlen) != 0) {
		dns_share_release(g->dns_share);
		free(g);
		return -1;
	}
	atomic_init(&g->refs, 1);
	g->cfg = cfg;
	g->serial = serial;
	*out = g;
	return 0;
}

/* gen_release - the last reference frees the configuration and lets go
 * of the resolver */
void gen_release(struct gen *g)
{
	if (g == NULL || atomic_fetch_sub(&g->refs, 1) != 1)
		return;
	check_dkim_free(g->dkim);
	dns_share_release(g->dns_share);
	conf_free(g->cfg);
	free(g);
}

/* engine_acquire - take a reference to the current generation */
struct gen *engine_acquire(struct engine *e)
{
	struct gen *g;

	pthread_mutex_lock(&e->lock);
	g = e->cur;
	atomic_fetch_add(&g->refs, 1);
	pthread_mutex_unlock(&e->lock);
	return g;
}

/* engine_new - open the store and build generation 1 */
int engine_new(struct conf *cfg, struct engine **out, char *err, size_t errlen)
{
	struct rep_open_opts o = {.create = 1};
	struct engine *e = calloc(1, sizeof(*e));
	int rc;

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((rc = orgdom_open(NULL, &e->psl)) != 0) {
		snprintf(err, errlen, "public suffix list: %s",
		        orgdom_strerror(rc));
		free(e);
		return -1;
	}
	if ((rc = rep_open(cfg->store, &o, &e->store)) != 0) {
		snprintf(err, errlen, "store %s: %s", cfg->store,
		        rep_strerror(rc));
		orgdom_close(e->psl);
		free(e);
		return -1;
	}
	if (gen_new(cfg, NULL, 1, &e->cur, err, errlen) != 0) {
		rep_close(e->store);
		orgdom_close(e->psl);
		free(e);
		return -1;
	}
	e->serial = 1;
	pthread_mutex_init(&e->lock, NULL);
	pthread_rwlock_init(&e->pol_lock, NULL);
	rep_policy_init(&e->pol);
	policy_refresh(e);
	pthread_cond_init(&e->prober_wake, NULL);
	*out = e;
	return 0;
}

/* probe_pair - ask a must-list and a must-not-list name; judge them */
static enum dnsl_probe_result probe_pair(struct gen *g,
        const struct dnsl_set *set, unsigned zone, const char *pos,
        const char *neg)
{
	struct dns_batch *b = NULL;
	unsigned idx[2];
	int listed[2];
	int64_t deadline = dns_now_ms() +
	                   (int64_t)g->cfg->dns_timeout_ms * g->cfg->dns_tries +
	                   500;

	if (dns_batch_new(g->dns, &b) != 0 ||
	        dns_batch_add_fresh(b, pos, DNS_T_A, &idx[0]) != 0 ||
	        dns_batch_add_fresh(b, neg, DNS_T_A, &idx[1]) != 0) {
		dns_batch_free(b);
		return DNSL_PROBE_NO_ANSWER;
	}
	dns_batch_wait(b, deadline);
	for (int i = 0; i < 2; i++) {
		const struct dns_answer *a = dns_batch_answer(b, idx[i]);
		struct in_addr rr[64];
		unsigned n = 0;

		if (a->status == DNS_NXDOMAIN || a->status == DNS_NODATA)
			listed[i] = 0;
		else if (a->status != DNS_ANSWER)
			listed[i] = -1;
		else {
			for (; n < a->nrr && n < 64; n++)
				rr[n] = a->rr[n].u.a;
			listed[i] = dnsl_probe_listed(set, zone, rr, n);
		}
	}
	dns_batch_free(b);
	return dnsl_probe_judge(listed[0], listed[1]);
}

/* probe_zone - RFC 5782 section 5. An address list passes with either
 * its IPv4 test entries or its IPv6 ones (::ffff:127.0.0.2), since a list
 * may serve one family only; listing everything fails it either way. */
static enum dnsl_probe_result probe_zone(
        struct gen *g, const struct dnsl_set *set, unsigned zone, int ip)
{
	char pos[DNSL_QNAME_MAX], neg[DNSL_QNAME_MAX];
	struct in6_addr a6 = {{{0}}};
	enum dnsl_probe_result r4, r6;

	if (dnsl_probe_names(set, zone, pos, neg) != 0)
		return DNSL_PROBE_NO_ANSWER;
	r4 = probe_pair(g, set, zone, pos, neg);
	if (!ip || r4 == DNSL_PROBE_PASS || r4 == DNSL_PROBE_LISTS_ALL)
		return r4;
	a6.s6_addr[10] = a6.s6_addr[11] = 0xff;
	a6.s6_addr[12] = 127;
	a6.s6_addr[15] = 2;
	if (dnsl_qname_ip6(&a6, dnsl_zone_name(set, zone), pos, sizeof(pos)) !=
	        0)
		return r4;
	a6.s6_addr[15] = 1;
	if (dnsl_qname_ip6(&a6, dnsl_zone_name(set, zone), neg, sizeof(neg)) !=
	        0)
		return r4;
	r6 = probe_pair(g, set, zone, pos, neg);
	return r6 == DNSL_PROBE_PASS || r6 == DNSL_PROBE_LISTS_ALL ? r6 : r4;
}

/* probe_set - probe every zone of a set; log each change of state */
static void probe_set(struct gen *g, struct dnsl_set *set, const char *what)
{
	for (unsigned z = 0; set != NULL && z < dnsl_zone_count(set); z++) {
		enum dnsl_probe_result r =
		        probe_zone(g, set, z, strcmp(what, "ip") == 0);
		int was = dnsl_zone_enabled(set, z);

		dnsl_zone_set_enabled(set, z, r == DNSL_PROBE_PASS);
		if (r != DNSL_PROBE_PASS && was)
			log_msg(LOG_WARNING,
			        "dnsl zone=%s kind=%s disabled: probe failed: "
			        "%s",
			        dnsl_zone_name(set, z), what,
			        dnsl_probe_result_name(r));
		else if (r == DNSL_PROBE_PASS && !was)
			log_msg(LOG_NOTICE,
			        "dnsl zone=%s kind=%s enabled: probe passed",
			        dnsl_zone_name(set, z), what);
	}
}

/* How often the partners' weights are read again from the store: repsync
 * writes them at each pull. */
#define POLICY_REFRESH 300

/* prober_sleep - wait `seconds`, for a reload or for the stop; *reload
 * tells whether a reload ended it */
static int prober_sleep(struct engine *e, unsigned seconds, int *reload)
{
	struct timespec until;
	int stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&e->lock);
	while (!e->stopping && !e->reprobe)
		if (pthread_cond_timedwait(&e->prober_wake, &e->lock, &until) ==
		        ETIMEDOUT)
			break;
	*reload = e->reprobe;
	e->reprobe = 0;
	stop = e->stopping;
	pthread_mutex_unlock(&e->lock);
	return stop;
}

/* policy_refresh - the store's publisher weights into the policy that
 * scores use; read outside the lock, copied in under it */
static void policy_refresh(struct engine *e)
{
	struct rep_policy *p = malloc(sizeof *p);
	int rc;

	if (p == NULL)
		return;
	rep_policy_init(p);
	if ((rc = rep_policy_load(p, e->store, (int64_t)time(NULL))) !=
	        REP_OK) {
		log_msg(LOG_WARNING,
		        "store: partner weights unreadable (%s); keeping the "
		        "last ones",
		        rep_strerror(rc));
		free(p);
		return;
	}
	pthread_rwlock_wrlock(&e->pol_lock);
	e->pol = *p;
	pthread_rwlock_unlock(&e->pol_lock);
	free(p);
}

/* prober_main - probe at start, then every dns_probe_interval, and at
 * once after a reload (the new lists have not been probed yet); read
 * the partners' weights every POLICY_REFRESH seconds and after a reload */
static void *prober_main(void *arg)
{
	struct engine *e = arg;
	time_t next_probe = 0;
	int stop = 0, reload = 1;

	while (!stop) {
		struct gen *g = engine_acquire(e);
		unsigned interval = g->cfg->dns_probe_interval, nap;
		time_t now = time(NULL);

		policy_refresh(e);
		if (reload || (interval > 0 && now >= next_probe)) {
			probe_set(g, g->cfg->ip_lists, "ip");
			probe_set(g, g->cfg->domain_lists, "domain");
			next_probe = now + interval;
		}
		gen_release(g);
		nap = POLICY_REFRESH;
		if (interval > 0 && next_probe - now < (time_t)nap)
			nap = next_probe > now ? (unsigned)(next_probe - now)
			                       : 1;
		stop = prober_sleep(e, nap, &reload);
	}
	return NULL;
}

/* engine_score - rep_check with the current policy */
int engine_score(struct engine *e, const struct rep_subject *s, int64_t now,
        struct rep_score *out)
{
	int rc;

	pthread_rwlock_rdlock(&e->pol_lock);
	rc = rep_check(e->store, &e->pol, s, now, out);
	pthread_rwlock_unlock(&e->pol_lock);
	return rc;
}

/* engine_start - the writer and the prober */
int engine_start(struct engine *e, char *err, size_t errlen)
{
	const struct conf *c = e->cur->cfg;
	int rc;

	if (c->observe &&
	        writer_new(e->store, c->observe_queue, c->observe_batch,
	                c->observe_interval_ms, &e->writer) != 0) {
		snprintf(
		        err, errlen, "observation writer: %s", strerror(errno));
		return -1;
	}
	if ((rc = pthread_create(&e->prober, NULL, prober_main, e)) != 0) {
		snprintf(err, errlen, "prober thread: %s", strerror(rc));
		return -1;
	}
	e->prober_running = 1;
	return 0;
}

/* restart_note - one option a reload cannot change */
static void restart_note(const char *what)
{
	log_msg(LOG_WARNING, "reload: %s changed; it takes effect at restart",
	        what);
}

/* restart_only - log options that a reload cannot change */
static void restart_only(const struct conf *old, const struct conf *new)
{
	if (strcmp(old->store, new->store) != 0)
		restart_note("store");
	if (strcmp(old->socket, new->socket) != 0)
		restart_note("socket");
	if (strcmp(old->user, new->user) != 0)
		restart_note("user");
	if (strcmp(old->pid_file, new->pid_file) != 0)
		restart_note("pid_file");
	if (old->syslog_facility_value != new->syslog_facility_value)
		restart_note("syslog_facility");
	if (old->milter_timeout != new->milter_timeout)
		restart_note("milter_timeout");
	if (old->observe != new->observe ||
	        old->observe_queue != new->observe_queue ||
	        old->observe_batch != new->observe_batch ||
	        old->observe_interval_ms != new->observe_interval_ms)
		restart_note("observe settings");
}

/* engine_reload - swap in a new generation and have it probed */
int engine_reload(struct engine *e, struct conf *cfg, char *err, size_t errlen)
{
	struct gen *g, *old, *prev = engine_acquire(e);
	int rc = gen_new(cfg, prev, e->serial + 1, &g, err, errlen);

	gen_release(prev);
	if (rc != 0)
		return -1;
	pthread_mutex_lock(&e->lock);
	old = e->cur;
	restart_only(old->cfg, cfg);
	e->cur = g;
	e->serial++;
	e->reprobe = 1;
	pthread_cond_signal(&e->prober_wake);
	pthread_mutex_unlock(&e->lock);
	gen_release(old);
	return 0;
}

/* engine_orgdom - the public suffix list */
const struct orgdom *engine_orgdom(struct engine *e)
{
	return e->psl;
}

/* engine_store - the store */
struct rep_store *engine_store(struct engine *e)
{
	return e->store;
}

/* engine_writer - the writer, NULL when observe = no */
struct writer *engine_writer(struct engine *e)
{
	return e->writer;
}

/* engine_counters - the shared counters */
struct engine_counters *engine_counters(struct engine *e)
{
	return &e->counters;
}

/* engine_log_stats - counters of the milter, its resolver and writer */
void engine_log_stats(struct engine *e)
{
	struct gen *g = engine_acquire(e);
	struct dns_stats ds;
	struct writer_stats ws = {0};
	struct dkim_keycache_stats ks;

	dns_resolver_stats(g->dns, &ds);
	dkim_keycache_stats(&ks);
	if (e->writer != NULL)
		writer_stats(e->writer, &ws);
	log_msg(LOG_INFO,
	        "stats: messages=%lu dnsl_errors=%lu dnsl_timeouts=%lu "
	        "store_errors=%lu dns_queries=%llu dns_cache_hits=%llu "
	        "observations=%llu written=%llu dropped=%llu failed=%llu "
	        "dkim_keys=%zu dkim_key_hits=%llu dkim_key_misses=%llu",
	        atomic_load(&e->counters.messages),
	        atomic_load(&e->counters.dnsl_errors),
	        atomic_load(&e->counters.dnsl_timeouts),
	        atomic_load(&e->counters.store_errors),
	        (unsigned long long)ds.queries,
	        (unsigned long long)ds.cache_hits,
	        (unsigned long long)ws.queued, (unsigned long long)ws.written,
	        (unsigned long long)ws.dropped, (unsigned long long)ws.failed,
	        ks.entries, ks.hits, ks.misses);
	gen_release(g);
}

/* engine_free - stop threads, flush, close */
void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	e->stopping = 1;
	pthread_cond_signal(&e->prober_wake);
	pthread_mutex_unlock(&e->lock);
	if (e->prober_running)
		pthread_join(e->prober, NULL);
	writer_free(e->writer);
	gen_release(e->cur);
	rep_close(e->store);
	orgdom_close(e->psl);
	dkim_keycache_clear();
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->prober_wake);
	pthread_rwlock_destroy(&e->pol_lock);
	free(e);
}
