/*
 * bench_util.c - the store benchmark's helpers: generator, clock, paths,
 * the machine's description and a time-bounded child (bench_util.h).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reputation.h"
#include "bench_util.h"

volatile sig_atomic_t bench_stop;

/* on_signal - ask every loop to end, so that the temp dir is removed */
static void on_signal(int sig)
{
	(void)sig;
	bench_stop = 1;
}

/* bench_signals - SIGINT and SIGTERM stop the run; SIGPIPE is ignored so
 * that output piped to head still cleans up */
void bench_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* rnd_next - splitmix64: fast, seedable, good enough for keys */
uint64_t rnd_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* rnd_unicast - a random address in 1.0.0.0 .. 223.255.255.255 */
uint32_t rnd_unicast(uint64_t *state)
{
	uint64_t r = rnd_next(state);
	uint32_t a = (uint32_t)r;
	uint32_t first = 1 + (uint32_t)((r >> 32) % 223);
	return (first << 24) | (a & 0x00ffffffu);
}

/* now_sec - a monotonic clock in seconds */
double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* rate - n per second over t seconds; 0 when nothing was timed */
double rate(double n, double t)
{
	return t > 0 ? n / t : 0.0;
}

/* path_join - dir/name into buf; -1 if it does not fit */
int path_join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len) {
		fprintf(stderr, "bench_store: path too long: %s/%s\n", dir,
		        name);
		return -1;
	}
	return 0;
}

/* fail_rep - report a store error; returns -1 for the caller to pass on */
int fail_rep(const char *what, int err)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, rep_strerror(err));
	return -1;
}

/* cpu_model - the first "model name" of /proc/cpuinfo */
static void cpu_model(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) != 0 || colon == NULL)
			continue;
		colon += 1 + strspn(colon + 1, " \t");
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

/* fs_name - the file system's magic number; tmpfs named, since durable
 * commits cost nothing there */
static const char *fs_name(const char *dir, char *buf, size_t len)
{
	struct statfs sf;

	if (statfs(dir, &sf) != 0)
		return "unknown";
	snprintf(buf, len, "0x%lx%s", (unsigned long)sf.f_type,
	        sf.f_type == 0x01021994
	                ? " (tmpfs: durable commits are free)"
	                : (sf.f_type == 0xEF53 ? " (ext4)" : ""));
	return buf;
}

/* print_machine - date, CPUs, CPU model, where the store lives */
void print_machine(const char *dir, unsigned long seed)
{
	char cpu[256], date[64], fsbuf[64];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cpu_model(cpu, sizeof cpu);
	printf("date: %s\n", date);
	printf("machine: %ld x %s\n", sysconf(_SC_NPROCESSORS_ONLN), cpu);
	printf("dir: %s\n", dir);
	printf("fs: %s\n", fs_name(dir, fsbuf, sizeof fsbuf));
	printf("seed: %lu\n", seed);
	fflush(stdout);
}

/* sync_file - flush a file to disk */
int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fsync(fd) != 0)
		rc = -1;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* file_bytes - a file's size, or 0 */
uint64_t file_bytes(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* make_tempdir - a new temporary directory under dir, $TMPDIR or /tmp */
int make_tempdir(const char *dir, char *out, size_t len)
{
	const char *base = dir;

	if (base == NULL)
		base = getenv("TMPDIR");
	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (path_join(out, len, base, "bench_store.XXXXXX") != 0)
		return -1;
	if (mkdtemp(out) == NULL) {
		fprintf(stderr, "bench_store: mkdtemp %s: %s\n", out,
		        strerror(errno));
		return -1;
	}
	return 0;
}

/* rm_entry - nftw callback removing one file or emptied directory */
static int rm_entry(
        const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

/* remove_tree - remove a directory and everything in it */
int remove_tree(const char *dir)
{
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/* find_repctl - the given path, else tools/repctl beside this build */
int find_repctl(const char *given, char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (given != NULL) {
		if (strlen(given) >= len)
			return -1;
		memcpy(out, given, strlen(given) + 1);
		return access(out, X_OK);
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	*slash = '\0';
	if (path_join(out, len, self, "../../tools/repctl") != 0)
		return -1;
	return access(out, X_OK);
}

/* run_bounded - run argv with stdout to /dev/null, killed past limit */
int run_bounded(char *const argv[], double limit)
{
	double t0 = now_sec();
	struct timespec tick = {0, 5 * 1000 * 1000};
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (bench_stop || now_sec() - t0 > limit) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		nanosleep(&tick, NULL);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
