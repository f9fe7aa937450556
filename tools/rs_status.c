/*
 * rs_status.c - `repsync keygen` and `repsync status`.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "minisign.h"
#include "repsync.h"

/* parent_dir - make the directory a file goes in */
static int parent_dir(const char *path)
{
	char dir[PATH_MAX], *slash;

	(void)rs_fmt(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	return rs_mkdirs(dir, 0750);
}

int cmd_keygen(struct rs_ctx *x, int argc, char **argv)
{
	const struct rs_conf *c = x->conf;
	struct msign_seckey *sk = NULL;
	struct msign_pubkey pk;
	char line[MSIGN_PUBKEY_TEXT], id[MSIGN_KEYID_HEX];
	int force = 0, rc;

	if (argc == 2 && strcmp(argv[1], "-f") == 0)
		force = 1;
	else if (argc != 1) {
		rs_err("usage: repsync keygen [-f]");
		return RS_EXIT_USAGE;
	}
	if (!force && (access(c->secret_key, F_OK) == 0 ||
	                      access(c->public_key, F_OK) == 0)) {
		rs_err("%s or %s exists: keygen -f replaces the key pair (and "
		       "partners must then pin the new public key)",
		        c->secret_key, c->public_key);
		return RS_EXIT_FAIL;
	}
	if (parent_dir(c->secret_key) != 0 || parent_dir(c->public_key) != 0) {
		rs_err("making the key directory: %s", strerror(errno));
		return RS_EXIT_FAIL;
	}
	if ((rc = msign_keygen(&sk, &pk)) != MSIGN_OK) {
		rs_err("keygen: %s", msign_strerror(rc));
		return RS_EXIT_FAIL;
	}
	if (force) {
		(void)unlink(c->secret_key);
		(void)unlink(c->public_key);
	}
	if ((rc = msign_seckey_save(sk, c->secret_key)) != MSIGN_OK ||
	        (rc = msign_pubkey_save(&pk, c->public_key)) != MSIGN_OK) {
		rs_err("saving the key pair: %s (%s)", msign_strerror(rc),
		        strerror(errno));
		msign_seckey_free(sk);
		return RS_EXIT_FAIL;
	}
	msign_seckey_free(sk);
	msign_pubkey_format(&pk, line);
	msign_keyid_hex(pk.keyid, id);
	rs_info(x, "secret key: %s", c->secret_key);
	rs_info(x, "public key: %s", c->public_key);
	rs_info(x, "key id %s; give partners this line to pin:", id);
	printf("%s\n", line);
	return RS_EXIT_OK;
}

/* What the store holds per publisher. */
struct held {
	uint64_t list[REP_PUBLISHERS_MAX], allow[REP_PUBLISHERS_MAX];
	uint64_t tomb[REP_PUBLISHERS_MAX];
};

/* held_visit - count partner slots by publisher and op */
static int held_visit(
        const struct rep_subject *s, const struct rep_record *r, void *arg)
{
	struct held *h = arg;

	(void)s;
	for (unsigned i = 0; i < r->npartners; i++) {
		const struct rep_partner *p = &r->partner[i];

		if (p->publisher >= REP_PUBLISHERS_MAX)
			continue;
		if (p->op == REP_OP_LIST)
			h->list[p->publisher]++;
		else if (p->op == REP_OP_ALLOW)
			h->allow[p->publisher]++;
		else
			h->tomb[p->publisher]++;
	}
	return 0;
}

/* count_quarantined - files held in quarantine for a partner */
static unsigned count_quarantined(const struct rs_ctx *x, const char *name)
{
	char path[PATH_MAX];
	unsigned n = 0;
	DIR *d;
	struct dirent *de;
	size_t len = strlen(name);

	(void)rs_fmt(path, sizeof path, "%s/quarantine", x->conf->state_dir);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, name, len) == 0 &&
		        de->d_name[len] == '-')
			n++;
	closedir(d);
	return n;
}

int cmd_status(struct rs_ctx *x, int argc, char **argv)
{
	const struct rs_conf *c = x->conf;
	struct held *h;
	int rc, status = RS_EXIT_OK;

	for (int i = 1; i < argc; i++)
		if (rsconf_partner(c, argv[i]) == NULL) {
			rs_err("no partner %s in %s", argv[i],
			        c->path ? c->path : "the configuration");
			return RS_EXIT_USAGE;
		}
	if (rs_store(x, 1) != 0)
		return RS_EXIT_FAIL;
	if ((h = calloc(1, sizeof *h)) == NULL) {
		rs_err("out of memory");
		return RS_EXIT_FAIL;
	}
	if ((rc = rep_scan(x->st, 0, held_visit, h)) != REP_OK) {
		rs_err("%s: %s", c->store, rep_strerror(rc));
		free(h);
		return RS_EXIT_FAIL;
	}
	if (c->npartners == 0)
		rs_info(x, "no partners configured");
	for (unsigned i = 0; i < c->npartners; i++) {
		const struct rs_partner *p = &c->partner[i];
		struct rep_publisher pb = {0};
		struct rs_status s;
		char t1[RS_TIME_TEXT], t2[RS_TIME_TEXT];
		int64_t silent;
		int wanted = argc <= 1;

		for (int k = 1; k < argc; k++)
			wanted |= strcmp(argv[k], p->name) == 0;
		if (!wanted)
			continue;
		(void)rs_status_load(x, p->name, &s);
		rc = rep_publisher_get(x->st, p->name, &pb);
		printf("partner %s%s\n", p->name,
		        p->enabled ? "" : " (disabled)");
		printf("  url           %s (%s)\n", p->url,
		        rsconf_format_name(p->format));
		printf("  last success  %s\n",
		        rs_time_text(s.last_success, t1));
		if (s.last_failure > 0)
			printf("  last failure  %s: %s%s\n",
			        rs_time_text(s.last_failure, t2), s.last_error,
			        s.failures > 0 ? "" : " (recovered since)");
		else
			printf("  last failure  never\n");
		if (rc == REP_OK) {
			printf("  watermark     epoch %llu, sequence %llu, "
			       "manifest serial %llu, moved %s\n",
			        (unsigned long long)pb.epoch,
			        (unsigned long long)pb.seq,
			        (unsigned long long)pb.serial,
			        rs_time_text(pb.updated, t1));
			printf("  records held  %llu listed, %llu allowed, "
			       "%llu delisted (tombstones)\n",
			        (unsigned long long)h->list[pb.id],
			        (unsigned long long)h->allow[pb.id],
			        (unsigned long long)h->tomb[pb.id]);
		} else {
			printf("  watermark     none: never applied\n");
		}
		silent = s.last_success > 0 ? x->now - s.last_success : -1;
		if (silent < 0 || silent > (int64_t)c->stale_after) {
			double fade =
			        silent < 0
			                ? 0
			                : exp2(-(double)(silent -
			                                 (int64_t)c
			                                         ->stale_after) /
			                          c->stale_after);
			printf("  stale         yes: %s%s (weight x%.2f)\n",
			        silent < 0 ? "never synced" : "silent for ",
			        silent < 0
			                ? ""
			                : (snprintf(t2, sizeof t2, "%lldd",
			                           (long long)(silent / 86400)),
			                          t2),
			        fade);
			status = RS_EXIT_FAIL;
		} else {
			printf("  stale         no\n");
		}
		if (s.failures > 0)
			status = RS_EXIT_FAIL;
		printf("  quarantined   %u\n", count_quarantined(x, p->name));
	}
	free(h);
	return status;
}
