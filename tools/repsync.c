/*
 * repsync.c - the partner exchange's command line: options, dispatch, and
 * what the commands share (messages, the store, directories, the audit
 * log, partner status files). The commands: rs_publish.c (publish),
 * rs_pull.c (pull, check, quarantine), rs_status.c (keygen, status).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "afile.h"
#include "fetch.h"
#include "json.h"
#include "repsync.h"

#define DEFAULT_CONFIG REP_SYSCONFDIR "/repsync.conf"

static const char usage_text[] =
        "usage: repsync [-c FILE] [-q | -v] COMMAND [ARGS]\n"
        "       repsync -n [-c FILE]   print the configuration\n"
        "\n"
        "commands:\n"
        "  keygen [-f]            make our signing key pair\n"
        "  publish                write our first-hand slot as signed "
        "feeds\n"
        "  pull [PARTNER...]      fetch, verify and apply partners' feeds\n"
        "  check [PARTNER...]     fetch and verify manifests only\n"
        "  status [PARTNER...]    per partner: last success and failure,\n"
        "                         watermark, records held, staleness\n"
        "  quarantine list | release ID | discard ID\n"
        "\n"
        "exit status: 0 ok, 1 a partner failed or a feed was refused,\n"
        "2 usage, 78 configuration error\n";

void rs_err(const char *fmt, ...)
{
	va_list ap;

	fputs("repsync: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void rs_info(const struct rs_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void rs_debug(const struct rs_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->verbose)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int rs_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int rs_store(struct rs_ctx *x, int readonly)
{
	struct rep_open_opts o = {.create = !readonly, .readonly = readonly};
	int rc;

	if (x->st != NULL)
		return 0;
	rc = rep_open(x->conf->store, &o, &x->st);
	if (rc == REP_E_NOSTORE && readonly) {
		/* nothing observed yet: an empty store says the same */
		o.readonly = 0;
		o.create = 1;
		rc = rep_open(x->conf->store, &o, &x->st);
	}
	if (rc != REP_OK) {
		rs_err("%s: %s", x->conf->store, rep_strerror(rc));
		return -1;
	}
	return 0;
}

int rs_mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

const char *rs_time_text(int64_t t, char buf[RS_TIME_TEXT])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0)
		return "never";
	gmtime_r(&tt, &tm);
	strftime(buf, RS_TIME_TEXT, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

void rs_audit(struct rs_ctx *x, const struct rs_audit *a)
{
	static const char *const drops[] = {"", "category", "prefix", "bogon",
	        "suffix", "never", "sentinel"};
	char when[RS_TIME_TEXT];

	if (x->audit == NULL) {
		char dir[PATH_MAX], *slash;
		int fd;

		snprintf(dir, sizeof dir, "%s", x->conf->audit_log);
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
			*slash = '\0';
			(void)rs_mkdirs(dir, 0750);
		}
		fd = open(x->conf->audit_log,
		        O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (fd < 0 || (x->audit = fdopen(fd, "a")) == NULL) {
			rs_err("%s: %s", x->conf->audit_log, strerror(errno));
			if (fd >= 0)
				close(fd);
			return;
		}
	}
	fprintf(x->audit,
	        "{\"time\":\"%s\",\"partner\":", rs_time_text(x->now, when));
	json_escape(x->audit, a->partner);
	fprintf(x->audit,
	        ",\"serial\":%llu,\"file\":", (unsigned long long)a->serial);
	json_escape(x->audit, a->file);
	fprintf(x->audit, ",\"kind\":");
	json_escape(x->audit, a->kind);
	fprintf(x->audit, ",\"seq\":\"%llu-%llu\",\"result\":",
	        (unsigned long long)a->seq_lo, (unsigned long long)a->seq_hi);
	json_escape(x->audit, a->result);
	fprintf(x->audit, ",\"reason\":");
	json_escape(x->audit, a->reason ? a->reason : "");
	fprintf(x->audit,
	        ",\"records\":%llu,\"added\":%llu,\"changed\":%llu,"
	        "\"delisted\":%llu,\"stale\":%llu,\"dropped\":%llu,"
	        "\"quarantined\":%s,\"drop_reasons\":{",
	        (unsigned long long)a->records, (unsigned long long)a->added,
	        (unsigned long long)a->changed, (unsigned long long)a->delisted,
	        (unsigned long long)a->stale, (unsigned long long)a->dropped,
	        strcmp(a->result ? a->result : "", "quarantined") == 0
	                ? "true"
	                : "false");
	for (unsigned i = 1; i < sizeof drops / sizeof drops[0]; i++)
		fprintf(x->audit, "%s\"%s\":%llu", i > 1 ? "," : "", drops[i],
		        (unsigned long long)a->drop[i]);
	fprintf(x->audit, "}}\n");
	fflush(x->audit);
}

/* status_path - STATE_DIR/partner/NAME.status */
static void status_path(
        const struct rs_ctx *x, const char *partner, char *buf, size_t len)
{
	snprintf(buf, len, "%s/partner/%s.status", x->conf->state_dir, partner);
}

int rs_status_load(
        const struct rs_ctx *x, const char *partner, struct rs_status *out)
{
	char path[PATH_MAX], *text = NULL, *line, *save = NULL;
	size_t len;

	memset(out, 0, sizeof *out);
	out->held = -1;
	status_path(x, partner, path, sizeof path);
	if (afile_read(path, 65536, &text, &len) != 0)
		return errno == ENOENT ? 0 : -1;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	        line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (eq == NULL)
			continue;
		*eq++ = '\0';
		if (strcmp(line, "last_success") == 0)
			out->last_success = strtoll(eq, NULL, 10);
		else if (strcmp(line, "last_failure") == 0)
			out->last_failure = strtoll(eq, NULL, 10);
		else if (strcmp(line, "last_attempt") == 0)
			out->last_attempt = strtoll(eq, NULL, 10);
		else if (strcmp(line, "failures") == 0)
			out->failures = (unsigned)strtoul(eq, NULL, 10);
		else if (strcmp(line, "last_error") == 0)
			snprintf(out->last_error, sizeof out->last_error, "%s",
			        eq);
		else if (strcmp(line, "held") == 0)
			out->held = strtoll(eq, NULL, 10);
		else if (strcmp(line, "last_hash") == 0 &&
		         strlen(eq) == FEED_HASH_HEX - 1)
			memcpy(out->last_hash, eq, FEED_HASH_HEX);
	}
	free(text);
	return 0;
}

int rs_status_save(
        const struct rs_ctx *x, const char *partner, const struct rs_status *s)
{
	char path[PATH_MAX], dir[PATH_MAX], buf[1024];
	int n;

	snprintf(dir, sizeof dir, "%s/partner", x->conf->state_dir);
	if (rs_mkdirs(dir, 0750) != 0)
		return -1;
	status_path(x, partner, path, sizeof path);
	n = snprintf(buf, sizeof buf,
	        "last_success=%lld\nlast_failure=%lld\nlast_attempt=%lld\n"
	        "failures=%u\nlast_error=%s\nlast_hash=%s\nheld=%lld\n",
	        (long long)s->last_success, (long long)s->last_failure,
	        (long long)s->last_attempt, s->failures, s->last_error,
	        s->last_hash, (long long)s->held);
	if (n < 0 || (size_t)n >= sizeof buf)
		return -1;
	return afile_put(path, buf, (size_t)n, 0640, 1);
}

void rs_sha256_hex(const void *buf, size_t len, char out[FEED_HASH_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, buf, len);
	sodium_bin2hex(out, FEED_HASH_HEX, h, sizeof h);
}

uint64_t rs_subject_hash(const struct rep_subject *s)
{
	/* FNV-1a over the fields that make a subject */
	uint64_t h = 1469598103934665603ull;
	const uint8_t head[3] = {s->kind, s->plen, s->scope};
	const uint8_t *p;
	size_t n;

	for (size_t i = 0; i < sizeof head; i++)
		h = (h ^ head[i]) * 1099511628211ull;
	if (s->kind == REP_KIND_IP4 || s->kind == REP_KIND_IP6) {
		p = s->addr;
		n = sizeof s->addr;
	} else {
		p = (const uint8_t *)s->name;
		n = strlen(s->name);
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

struct command {
	const char *name;
	int (*fn)(struct rs_ctx *, int, char **);
};

static const struct command commands[] = {
        {"keygen", cmd_keygen},
        {"publish", cmd_publish},
        {"pull", cmd_pull},
        {"check", cmd_check},
        {"status", cmd_status},
        {"quarantine", cmd_quarantine},
};

int rs_lock(struct rs_ctx *x)
{
	char path[PATH_MAX];
	int fd;

	if (rs_mkdirs(x->conf->state_dir, 0750) != 0 ||
	        rs_fmt(path, sizeof path, "%s/lock", x->conf->state_dir) != 0 ||
	        (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		rs_err("%s: %s", x->conf->state_dir, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		rs_err("%s: %s", path,
		        errno == EWOULDBLOCK
		                ? "another repsync publish, pull or quarantine "
		                  "is running; try again when it is done"
		                : strerror(errno));
		close(fd);
		return -1;
	}
	x->lock = fd;
	return 0;
}

int main(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG;
	struct rs_conf conf;
	struct rs_ctx x = {.conf = &conf, .lock = -1};
	char err[8192];
	int opt, print = 0, status;

	while ((opt = getopt(argc, argv, "+c:hnqvV")) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'n':
			print = 1;
			break;
		case 'q':
			x.quiet = 1;
			break;
		case 'v':
			x.verbose = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return RS_EXIT_OK;
		case 'V':
			printf("repsync %s\n", PACKAGE_VERSION);
			return 0;
		default:
			fputs(usage_text, stderr);
			return RS_EXIT_USAGE;
		}
	}
	if (!print && optind >= argc) {
		fputs(usage_text, stderr);
		return RS_EXIT_USAGE;
	}
	if (rsconf_load(&conf, config, strcmp(config, DEFAULT_CONFIG) == 0, err,
	            sizeof err) != 0) {
		fputs(err, stderr);
		rs_err("%s: configuration refused", config);
		return RS_EXIT_CONFIG;
	}
	if (print) {
		rsconf_print(&conf, stdout);
		rsconf_free(&conf);
		return RS_EXIT_OK;
	}
	if (sodium_init() < 0) {
		rs_err("libsodium cannot start");
		rsconf_free(&conf);
		return RS_EXIT_FAIL;
	}
	x.now = (int64_t)time(NULL);
	status = -1;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[optind], commands[i].name) == 0) {
			if (fetch_global_init() != 0) {
				rs_err("cannot start libcurl");
				status = RS_EXIT_FAIL;
				break;
			}
			status = commands[i].fn(
			        &x, argc - optind, argv + optind);
			fetch_global_cleanup();
			break;
		}
	if (status < 0) {
		rs_err("unknown command %s (repsync -h lists them)",
		        argv[optind]);
		status = RS_EXIT_USAGE;
	}
	if (x.audit != NULL && fclose(x.audit) != 0) {
		rs_err("%s: %s", conf.audit_log, strerror(errno));
		status = RS_EXIT_FAIL;
	}
	rep_close(x.st);
	rsconf_free(&conf);
	if (x.lock >= 0)
		close(x.lock);
	return status;
}
