/*
 * bench_corpus.c - bench_milter's corpus: sender domains from a file, real
 * signatures from dkimsign.c, and the dump (see bench_corpus.h).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_corpus.h"
#include "dkimsign.h"

#define BC_DOMAINS_MAX 1000
#define BC_DOMAIN_LEN 254

/* A list of sender domains read from a file. */
struct domains {
	char (*name)[BC_DOMAIN_LEN];
	const char **ptr; /* into name, for mailcorpus_opts */
	size_t n;
};

static const char *const kind_names[] = {
        "none", "fake", "rsa", "ed25519", "tampered"};

/* domains_load - one domain a line, # comments; at least one */
static int domains_load(
        struct domains *d, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[512];

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	d->name = calloc(BC_DOMAINS_MAX, sizeof *d->name);
	d->ptr = calloc(BC_DOMAINS_MAX, sizeof *d->ptr);
	if (d->name == NULL || d->ptr == NULL)
		abort();
	while (fgets(line, sizeof line, fp) != NULL && d->n < BC_DOMAINS_MAX) {
		char *p = line + strspn(line, " \t");

		p[strcspn(p, " \t\r\n#")] = '\0';
		if (*p == '\0' || strlen(p) >= BC_DOMAIN_LEN)
			continue;
		snprintf(d->name[d->n], BC_DOMAIN_LEN, "%s", p);
		d->ptr[d->n] = d->name[d->n];
		d->n++;
	}
	fclose(fp);
	if (d->n == 0)
		snprintf(err, errlen, "%s: no domains", path);
	return d->n ? 0 : -1;
}

/* pair_split - "A,B" into a and b (each under len); -1 if not a pair */
static int pair_split(const char *text, char *a, char *b, size_t len)
{
	const char *comma = strchr(text, ',');

	if (comma == NULL || comma == text || comma[1] == '\0' ||
	        (size_t)(comma - text) >= len || strlen(comma + 1) >= len)
		return -1;
	snprintf(a, len, "%.*s", (int)(comma - text), text);
	snprintf(b, len, "%s", comma + 1);
	return 0;
}

/* signer_open - the signer over the two keys */
static int signer_open(const struct bench_corpus_opts *o, struct dkimsign **ds,
        char *err, size_t errlen)
{
	char rsa[4096], ed[4096], rsel[64], esel[64];

	if (pair_split(o->keys, rsa, ed, sizeof rsa) != 0) {
		snprintf(err, errlen, "--dkim-keys %s: want RSA.pem,ED.pem",
		        o->keys);
		return -1;
	}
	if (pair_split(o->selectors, rsel, esel, sizeof rsel) != 0) {
		snprintf(err, errlen, "--dkim-selectors %s: want RSA,ED",
		        o->selectors);
		return -1;
	}
	return dkimsign_new(rsa, ed, rsel, esel, ds, err, errlen);
}

/* bench_corpus_make - domains, signer, then the messages */
int bench_corpus_make(const struct bench_corpus_opts *o,
        struct mailcorpus **out, char *err, size_t errlen)
{
	struct mailcorpus_opts mo = {.rsa_pct = o->shares[0],
	        .ed25519_pct = o->shares[1],
	        .tampered_pct = o->shares[2]};
	struct domains d = {0};
	struct dkimsign *ds = NULL;
	int rc = -1;

	if (o->domains_file != NULL &&
	        domains_load(&d, o->domains_file, err, errlen) != 0)
		goto fail;
	mo.domains = d.ptr;
	mo.ndomains = d.n;
	if (o->keys != NULL && signer_open(o, &ds, err, errlen) != 0)
		goto fail;
	mo.sign = ds != NULL ? dkimsign_corpus : NULL;
	mo.sign_ctx = ds;
	rc = mailcorpus_new_opts(o->n, o->seed, &mo, out);
	if (rc != 0)
		snprintf(err, errlen, "cannot make the corpus%s%s",
		        ds && dkimsign_error(ds)[0] ? ": " : "",
		        ds ? dkimsign_error(ds) : "");
fail:
	dkimsign_free(ds);
	free(d.name);
	free(d.ptr);
	return rc;
}

/* bench_corpus_name - "NNNN-KIND.eml" */
void bench_corpus_name(
        const struct mailcorpus *mc, size_t i, char *buf, size_t len)
{
	i %= mailcorpus_count(mc);
	snprintf(buf, len, "%04zu-%s.eml", i,
	        kind_names[mailcorpus_get(mc, i)->sig]);
}

/* bench_corpus_dump - one file per message */
int bench_corpus_dump(
        const struct mailcorpus *mc, const char *dir, char *err, size_t errlen)
{
	for (size_t i = 0; i < mailcorpus_count(mc); i++) {
		const struct mailcorpus_msg *m = mailcorpus_get(mc, i);
		char path[4096], name[64];
		FILE *fp;
		int bad;

		bench_corpus_name(mc, i, name, sizeof name);
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if ((fp = fopen(path, "wb")) == NULL) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		bad = fwrite(m->data, 1, m->len, fp) != m->len;
		if (fclose(fp) != 0 || bad) {
			snprintf(err, errlen, "%s: write error", path);
			return -1;
		}
	}
	return 0;
}

/* bench_corpus_shares - the share of each kind present */
void bench_corpus_shares(const struct mailcorpus *mc, char *buf, size_t len)
{
	size_t count[5] = {0}, n = mailcorpus_count(mc), off = 0;

	for (size_t i = 0; i < n; i++)
		count[mailcorpus_get(mc, i)->sig]++;
	buf[0] = '\0';
	for (int k = 0; k < 5 && off < len; k++)
		if (count[k] > 0)
			off += (size_t)snprintf(buf + off, len - off,
			        "%s%s=%zu%%", off ? "," : "", kind_names[k],
			        count[k] * 100 / n);
}
