/*
 * rs_quarantine.c - files set aside whole for the operator: how pull
 * keeps them (STATE_DIR/quarantine/ID: the file, its signature, the
 * manifest and its signature, and an info file with the reason), and
 * `repsync quarantine list | release ID | discard ID`.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"
#include "rs_pull.h"

/* quarantine_dir - STATE_DIR/quarantine/NAME-SERIAL-HASH12 */
static void quarantine_id(const struct puller *pl, const struct manifest *m,
        const struct manifest_file *f, char *id, size_t len)
{
	(void)rs_fmt(id, len, "%s-%llu-%.12s", pl->p->name,
	        (unsigned long long)m->serial, f->sha256);
}

/* copy_file - copy src to dir/name */
static int copy_file(const char *src, const char *dir, const char *name)
{
	char path[PATH_MAX], *buf = NULL;
	size_t len;
	int rc;

	if (afile_read(src, (size_t)4 << 30, &buf, &len) != 0)
		return -1;
	(void)rs_fmt(path, sizeof path, "%s/%s", dir, name);
	rc = afile_put(path, buf, len, 0640, 1);
	free(buf);
	return rc;
}

/* pl_quarantine - keep the file, its signature, the manifest and the reason
 * for the operator; nothing of it is applied */
int pl_quarantine(struct puller *pl, const struct manifest *m,
        const struct manifest_file *f, const char *why)
{
	char id[256], dir[PATH_MAX], src[PATH_MAX], info[1024];
	int n;

	quarantine_id(pl, m, f, id, sizeof id);
	(void)rs_fmt(dir, sizeof dir, "%s/quarantine/%s",
	        pl->x->conf->state_dir, id);
	if (access(dir, F_OK) == 0) {
		rs_info(pl->x, "%s: %s still in quarantine (%s)", pl->p->name,
		        id, why);
		return 0;
	}
	if (rs_mkdirs(dir, 0750) != 0)
		return pl_fail(pl, "%s: %s", dir, strerror(errno));
	(void)rs_fmt(src, sizeof src, "%s/%s", pl->dir, f->name);
	if (copy_file(src, dir, "feed") != 0)
		return pl_fail(pl, "quarantine %s: %s", id, strerror(errno));
	(void)rs_fmt(
	        src, sizeof src, "%s/%s%s", pl->dir, f->name, MSIGN_SUFFIX);
	if (copy_file(src, dir, "feed" MSIGN_SUFFIX) != 0)
		return pl_fail(pl, "quarantine %s: %s", id, strerror(errno));
	(void)rs_fmt(src, sizeof src, "%s/%s", pl->dir, MANIFEST_NAME);
	if (copy_file(src, dir, MANIFEST_NAME) != 0)
		return pl_fail(pl, "quarantine %s: %s", id, strerror(errno));
	(void)rs_fmt(src, sizeof src, "%s/%s%s", pl->dir, MANIFEST_NAME,
	        MSIGN_SUFFIX);
	if (copy_file(src, dir, MANIFEST_NAME MSIGN_SUFFIX) != 0)
		return pl_fail(pl, "quarantine %s: %s", id, strerror(errno));
	n = snprintf(info, sizeof info,
	        "partner=%s\nserial=%llu\nfile=%s\nkind=%s\nseq=%llu-%llu\n"
	        "time=%lld\nreason=%s\n",
	        pl->p->name, (unsigned long long)m->serial, f->name,
	        feed_kind_name(f->kind), (unsigned long long)f->seq_lo,
	        (unsigned long long)f->seq_hi, (long long)pl->x->now, why);
	(void)rs_fmt(src, sizeof src, "%s/info", dir);
	if (n < 0 || (size_t)n >= sizeof info ||
	        afile_put(src, info, (size_t)n, 0640, 1) != 0)
		return pl_fail(pl, "quarantine %s: %s", id, strerror(errno));
	rs_err("%s: %s quarantined: %s (repsync quarantine release %s "
	       "applies it)",
	        pl->p->name, id, why, id);
	return 0;
}

/* info_get - one key of a quarantine's info file into buf */
static int info_get(const char *text, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			(void)rs_fmt(buf, len, "%.*s", (int)(n - kl - 1),
			        p + kl + 1);
			return 0;
		}
		p = nl ? nl + 1 : NULL;
	}
	return -1;
}

/* valid_id - a quarantine id as pl_quarantine() makes them */
static int valid_id(const char *id)
{
	return id[0] != '\0' && id[0] != '.' && strchr(id, '/') == NULL &&
	       strlen(id) < 128;
}

/* rm_tree - remove a quarantine directory (plain files only) */
static int rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		        strcmp(de->d_name, "..") == 0)
			continue;
		(void)rs_fmt(path, sizeof path, "%s/%s", dir, de->d_name);
		(void)unlink(path);
	}
	closedir(d);
	return rmdir(dir);
}

/* release - apply a quarantined file: signature, hash and trust rules
 * still hold; the heuristics the operator overruled do not */
static int release(
        struct rs_ctx *x, const char *id, const char *dir, const char *info)
{
	char name[REP_PUBLISHER_MAX + 1], path[PATH_MAX], spath[PATH_MAX];
	char fname[FEED_NAME_MAX], *text = NULL, *sig = NULL;
	const struct rs_partner *p;
	struct manifest m = {0};
	const struct manifest_file *f = NULL;
	struct puller pl;
	size_t tlen, slen;
	uint16_t pid;
	int rc = RS_EXIT_FAIL;

	if (info_get(info, "partner", name, sizeof name) != 0 ||
	        info_get(info, "file", fname, sizeof fname) != 0 ||
	        (p = rsconf_partner(x->conf, name)) == NULL) {
		rs_err("%s: its partner is no longer configured", id);
		return RS_EXIT_FAIL;
	}
	if (rs_store(x, 0) != 0)
		return RS_EXIT_FAIL;
	if (puller_init(&pl, x, p) != 0 ||
	        rep_publisher_ensure(x->st, p->name, &pid) != REP_OK ||
	        rep_publisher_by_id(x->st, pid, &pl.pb) != REP_OK) {
		rs_err("%s: %s", id, pl.why[0] ? pl.why : "store");
		goto out;
	}
	(void)rs_fmt(path, sizeof path, "%s/%s", dir, MANIFEST_NAME);
	(void)rs_fmt(spath, sizeof spath, "%s/%s%s", dir, MANIFEST_NAME,
	        MSIGN_SUFFIX);
	if (afile_read(path, MANIFEST_BYTES_MAX, &text, &tlen) != 0 ||
	        afile_read(spath, SIG_MAX, &sig, &slen) != 0 ||
	        manifest_verify_parse(text, tlen, sig, slen, pl.keys, pl.nkeys,
	                &m, NULL) != MANIFEST_OK) {
		rs_err("%s: its manifest no longer verifies", id);
		goto out;
	}
	for (unsigned i = 0; i < m.nfiles; i++)
		if (strcmp(m.file[i].name, fname) == 0)
			f = &m.file[i];
	if (f == NULL) {
		rs_err("%s: the manifest does not list %s", id, fname);
		goto out;
	}
	if (f->kind == FEED_DELTA &&
	        (m.epoch != pl.pb.epoch || f->seq_lo > pl.pb.seq + 1)) {
		rs_err("%s: this delta no longer continues %s's watermark "
		       "(epoch %llu, sequence %llu): discard it and pull",
		        id, p->name, (unsigned long long)pl.pb.epoch,
		        (unsigned long long)pl.pb.seq);
		goto out;
	}
	(void)rs_fmt(path, sizeof path, "%s/feed", dir);
	if (pl_apply(&pl, &m, f, path, 0) != 0) {
		rs_err("%s: %s", id, pl.why);
		goto out;
	}
	(void)rm_tree(dir);
	rs_info(x, "%s released and applied", id);
	rc = RS_EXIT_OK;
out:
	puller_free(&pl);
	manifest_free(&m);
	free(text);
	free(sig);
	return rc;
}

int cmd_quarantine(struct rs_ctx *x, int argc, char **argv)
{
	char qdir[PATH_MAX], dir[PATH_MAX], path[PATH_MAX], *info = NULL;
	size_t len;
	int rc;

	(void)rs_fmt(qdir, sizeof qdir, "%s/quarantine", x->conf->state_dir);
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		DIR *d = opendir(qdir);
		struct dirent *de;
		unsigned n = 0;

		while (d != NULL && (de = readdir(d)) != NULL) {
			char reason[512] = "", when[32] = "";

			if (de->d_name[0] == '.')
				continue;
			(void)rs_fmt(path, sizeof path, "%s/%s/info", qdir,
			        de->d_name);
			if (afile_read(path, 65536, &info, &len) == 0) {
				(void)info_get(
				        info, "reason", reason, sizeof reason);
				(void)info_get(info, "kind", when, sizeof when);
				free(info);
				info = NULL;
			}
			printf("%s\t%s\t%s\n", de->d_name, when, reason);
			n++;
		}
		if (d != NULL)
			closedir(d);
		if (n == 0)
			rs_info(x, "nothing in quarantine");
		return RS_EXIT_OK;
	}
	if (argc != 3 || (strcmp(argv[1], "release") != 0 &&
	                         strcmp(argv[1], "discard") != 0)) {
		rs_err("usage: repsync quarantine list | release ID | "
		       "discard ID");
		return RS_EXIT_USAGE;
	}
	if (!valid_id(argv[2])) {
		rs_err("%s: not a quarantine id", argv[2]);
		return RS_EXIT_USAGE;
	}
	if (rs_lock(x) != 0)
		return RS_EXIT_FAIL;
	(void)rs_fmt(dir, sizeof dir, "%s/%s", qdir, argv[2]);
	(void)rs_fmt(path, sizeof path, "%s/info", dir);
	if (afile_read(path, 65536, &info, &len) != 0) {
		rs_err("%s: no such quarantined file (repsync quarantine list)",
		        argv[2]);
		return RS_EXIT_FAIL;
	}
	if (strcmp(argv[1], "discard") == 0) {
		rc = rm_tree(dir) == 0 ? RS_EXIT_OK : RS_EXIT_FAIL;
		if (rc == RS_EXIT_OK)
			rs_info(x, "%s discarded", argv[2]);
		else
			rs_err("%s: %s", dir, strerror(errno));
	} else {
		rc = release(x, argv[2], dir, info);
	}
	free(info);
	return rc;
}
