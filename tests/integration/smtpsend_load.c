/*
 * smtpsend_load.c - smtpsend's inputs and its load mode: the message file
 * (-m), the list of messages with their envelopes (-L), and the -C
 * workers that keep N sessions going at once, each taking messages from
 * a shared counter until none is left or the -D deadline passes; and
 * the free ports -P prints for scripts.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <search.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smtpsend.h"

static volatile sig_atomic_t got_signal;

/* on_signal - remember a signal; the parent passes it on to the workers,
 * a worker stops at its next message */
static void on_signal(int sig)
{
	got_signal = sig;
}

/* A worker's session and current message: static, so that nothing a
 * longjmp from fail() returns to lives in a register (one thread per
 * worker process). */
static struct {
	struct conn c;
	const struct envelope *e;
	char tok[256];
	long long t0, t_mail;
	struct reply r;
} job = {.c = {.fd = -1}};

/* job_error - the line of a message that failed, the connection closed */
static void job_error(void)
{
	conn_close(&job.c);
	if (opt.tag)
		printf("%s ", job.tok);
	if (opt.timing)
		printf("ms=%lld ", now_ms() - job.t0);
	if (opt.stamps)
		printf("mail=%lld end=%lld ", job.t_mail, now_us());
	printf("ERR %s\n", fail_msg);
	fflush(stdout);
}

/*
 * job_send - the current message on job.c (a session is opened when there
 * is none): its line, with ERR and the reason when something failed (then
 * the connection is closed). Returns 0, or -1 on such a failure. A
 * session takes the client of its first message.
 */
static int job_send(void)
{
	if (setjmp(fail_jmp) != 0) {
		job_error();
		return -1;
	}
	fail_armed = 1;
	if (job.c.fd < 0 && session_start(&job.c, job.e, &job.r) < 0) {
		fail_armed = 0;
		report(job.tok, now_ms() - job.t0, &job.r, job.t_mail,
		        now_us());
		return 0;
	}
	transaction(&job.c, job.e, job.tok, &job.r, &job.t_mail);
	fail_armed = 0;
	report(job.tok, now_ms() - job.t0, &job.r, job.t_mail, now_us());
	if (job.r.code == 421)
		conn_close(&job.c);
	return 0;
}

/* job_quit - QUIT the session if there is one; a failure only closes it
 * (every message of it has its line already) */
static void job_quit(void)
{
	if (job.c.fd < 0)
		return;
	if (setjmp(fail_jmp) != 0) {
		conn_close(&job.c);
		return;
	}
	fail_armed = 1;
	quit(&job.c);
	fail_armed = 0;
}

/* worker_run - claim messages until there are none, the -D deadline has
 * passed or a signal came; per_conn messages a session. Exits 0, or 1
 * when any message failed. */
static void worker_run(struct shared *sh, long long deadline_ms)
{
	struct envelope base;
	unsigned i, on_conn = 0, fails = 0, failed = 0;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART; /* a signal stops the loop, not a read */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	envelope_base(&base);
	while (!got_signal && fails < SEND_FAILS_MAX) {
		if (deadline_ms && now_ms() >= deadline_ms)
			break;
		i = atomic_fetch_add(&sh->next, 1) + 1;
		if (i > opt.count)
			break;
		job.e = envelope_of(i, &base);
		token(i, job.tok, sizeof(job.tok));
		job.t0 = now_ms();
		job.t_mail = now_us();
		if (job_send() < 0) {
			fails++;
			failed++;
			on_conn = 0;
			continue;
		}
		fails = 0;
		if (job.c.fd < 0)
			on_conn = 0;
		else if (++on_conn >= opt.per_conn) {
			job_quit();
			on_conn = 0;
		}
	}
	job_quit();
	exit(failed ? 1 : 0);
}

/* workers_wait - reap the workers; a signal to us is passed on to them.
 * Returns how many did not exit 0. */
static unsigned workers_wait(const pid_t *pids, unsigned n)
{
	unsigned left = n, bad = 0, k;
	int forwarded = 0, st;
	pid_t p;

	while (left > 0) {
		p = waitpid(-1, &st, 0);
		if (p < 0 && errno == EINTR) {
			if (got_signal && !forwarded) {
				for (k = 0; k < n; k++)
					kill(pids[k], SIGTERM);
				forwarded = 1;
			}
			continue;
		}
		if (p < 0)
			break;
		for (k = 0; k < n && pids[k] != p; k++)
			;
		if (k == n)
			continue;
		left--;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	return bad;
}

/*
 * send_concurrent - -C: fork the workers, wait for them, then a comment
 * line with their CPU time. Exits 0 when every worker got a final reply
 * for each of its messages, 1 otherwise.
 */
void send_concurrent(void)
{
	struct sigaction sa;
	struct rusage ru;
	struct shared *sh;
	pid_t *pids;
	long long deadline_ms = 0, t0 = now_ms();
	unsigned k, bad, claimed;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pids = calloc(opt.workers, sizeof(*pids));
	if (sh == MAP_FAILED || pids == NULL)
		fail("out of memory");
	atomic_init(&sh->next, 0);
	if (opt.duration)
		deadline_ms = t0 + (long long)opt.duration * 1000;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: waitpid sees EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fflush(stdout);
	for (k = 0; k < opt.workers; k++) {
		pids[k] = fork();
		if (pids[k] < 0) {
			got_signal = SIGTERM;
			fprintf(stderr, "smtpsend: fork: %s\n",
			        strerror(errno));
			break;
		}
		if (pids[k] == 0) {
			free(pids);
			worker_run(sh, deadline_ms);
		}
	}
	if (k < opt.workers)
		for (unsigned j = 0; j < k; j++)
			kill(pids[j], SIGTERM);
	bad = workers_wait(pids, k) + (k < opt.workers);
	getrusage(RUSAGE_CHILDREN, &ru);
	claimed = atomic_load(&sh->next);
	printf("# smtpsend: workers=%u claimed=%u secs=%.3f cpu_us=%lld "
	       "failed_workers=%u\n",
	        opt.workers, claimed < opt.count ? claimed : opt.count,
	        (double)(now_ms() - t0) / 1000,
	        (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	                ru.ru_utime.tv_usec + ru.ru_stime.tv_usec,
	        bad);
	fflush(stdout);
	free(pids);
	munmap(sh, sizeof(*sh));
	if (bad)
		exit(1);
}

/* read_file - the whole message file into file_data */
void read_file(const char *path)
{
	file_data = slurp(path, &file_len);
}

/* A message file of the list, read once however many lines name it. */
struct list_file {
	char *data;
	size_t len;
};

/* list_field - "-" is no value (NULL); "<>" the null sender (from only) */
static const char *list_field(const char *s, int is_from)
{
	char *d;

	if (strcmp(s, "-") == 0)
		return NULL;
	if (is_from && strcmp(s, "<>") == 0)
		return "";
	if ((d = strdup(s)) == NULL)
		fail("out of memory");
	return d;
}

/* list_content - the file a line names (relative to the list's folder),
 * read the first time only */
static void list_content(
        struct envelope *e, const char *name, const char *dir, size_t dirlen)
{
	char path[4096];
	ENTRY key, *hit;
	struct list_file *f;

	if (name[0] == '/' || dirlen == 0)
		snprintf(path, sizeof(path), "%s", name);
	else if ((size_t)snprintf(path, sizeof(path), "%.*s/%s", (int)dirlen,
	                 dir, name) >= sizeof(path))
		fail("%s: path too long", name);
	key.key = path;
	key.data = NULL;
	if ((hit = hsearch(key, FIND)) == NULL) {
		if ((f = malloc(sizeof(*f))) == NULL ||
		        (key.key = strdup(path)) == NULL)
			fail("out of memory");
		f->data = slurp(path, &f->len);
		key.data = f;
		if ((hit = hsearch(key, ENTER)) == NULL)
			fail("too many message files");
	}
	f = hit->data;
	e->data = f->data;
	e->len = f->len;
}

/* list_line - one line of the list into e: FILE ADDR NAME HELO FROM
 * RCPT... (blank-separated, "-" where there is no value) */
static void list_line(struct envelope *e, char *line, unsigned lineno,
        const char *dir, size_t dirlen)
{
	char *f[5 + SEND_RCPT_MAX], *save = NULL, *t;
	unsigned n = 0;

	for (t = strtok_r(line, " \t\r\n", &save); t != NULL;
	        t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 5 + SEND_RCPT_MAX)
			fail("%s:%u: more than %d recipients", opt.list, lineno,
			        SEND_RCPT_MAX);
		f[n++] = t;
	}
	if (n < 6)
		fail("%s:%u: want FILE ADDR NAME HELO FROM RCPT...", opt.list,
		        lineno);
	memset(e, 0, sizeof(*e));
	list_content(e, f[0], dir, dirlen);
	e->xaddr = list_field(f[1], 0);
	e->xname = list_field(f[2], 0);
	e->xhelo = list_field(f[3], 0);
	if ((e->from = list_field(f[4], 1)) == NULL)
		fail("%s:%u: no sender (the null sender is <>)", opt.list,
		        lineno);
	for (unsigned k = 5; k < n; k++)
		e->rcpt[e->nrcpt++] = list_field(f[k], 0);
}

/* read_list - the -L list: every line's envelope, every file read once.
 * Blank lines and lines starting with # are skipped. */
void read_list(const char *path)
{
	FILE *fp = fopen(path, "r");
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + (slash == path) : 0;
	char line[SEND_LINE_MAX];
	unsigned cap = 0, lineno = 0;

	if (fp == NULL)
		fail("%s: %s", path, strerror(errno));
	if (hcreate(SEND_FILES_MAX) == 0)
		fail("out of memory");
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp))
			fail("%s:%u: line too long", path, lineno);
		if (line[strspn(line, " \t\r\n")] == '\0' || line[0] == '#')
			continue;
		if (list_len == SEND_LIST_MAX)
			fail("%s: more than %d messages", path, SEND_LIST_MAX);
		if (list_len == cap) {
			cap = cap ? cap * 2 : 1024;
			list_env = realloc(list_env, cap * sizeof(*list_env));
			if (list_env == NULL)
				fail("out of memory");
		}
		list_line(&list_env[list_len++], line, lineno, path, dirlen);
	}
	fclose(fp);
	if (list_len == 0)
		fail("%s: no messages", path);
}

/* port_free - 1 when TCP and UDP port p can both be bound on 127.0.0.1 */
static int port_free(unsigned p)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int types[2] = {SOCK_STREAM, SOCK_DGRAM}, ok = 1, fd, i;

	sin.sin_port = htons(p);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 2 && ok; i++) {
		fd = socket(AF_INET, types[i] | SOCK_CLOEXEC, 0);
		if (fd < 0)
			fail("socket: %s", strerror(errno));
		ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
		close(fd);
	}
	return ok;
}

/*
 * free_ports - print n distinct ports free on 127.0.0.1 for TCP and UDP,
 * picked at random below the kernel's ephemeral range (where our own
 * outgoing connections could take them). Racy by nature: the caller
 * starts its servers right away.
 */
void free_ports(unsigned n)
{
	unsigned got[64], ngot = 0, tries, p, i;

	if (n == 0 || n > 64)
		fail("-P wants 1 to 64 ports");
	srandom((unsigned)(getpid() ^ now_ms()));
	for (tries = 0; ngot < n && tries < 10000; tries++) {
		p = 20000 + (unsigned)(random() % 12000);
		for (i = 0; i < ngot && got[i] != p; i++)
			;
		if (i == ngot && port_free(p))
			got[ngot++] = p;
	}
	if (ngot < n)
		fail("no free ports found");
	for (i = 0; i < n; i++)
		printf("%u\n", got[i]);
}
