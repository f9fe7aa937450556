/*
 * bench_util.h - what the store benchmark needs besides its phases: a
 * seeded generator, a clock, paths, the machine's description, and a
 * child program run under a time bound. Single-threaded set-up code,
 * except rnd_* and now_sec, which any thread may call.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Set by SIGINT or SIGTERM: every loop ends, the temp dir is removed. */
extern volatile sig_atomic_t bench_stop;

/* bench_signals - SIGINT and SIGTERM set bench_stop; SIGPIPE ignored */
void bench_signals(void);

/* rnd_next - splitmix64: fast, seedable, good enough for keys */
uint64_t rnd_next(uint64_t *state);

/* rnd_unicast - a random address in 1.0.0.0 .. 223.255.255.255, host
 * order */
uint32_t rnd_unicast(uint64_t *state);

/* now_sec - a monotonic clock in seconds */
double now_sec(void);

/* rate - n per second over t seconds; 0 when nothing was timed */
double rate(double n, double t);

/* path_join - dir/name into buf; -1 (after a message) if it does not fit */
int path_join(char *buf, size_t len, const char *dir, const char *name);

/* fail_rep - report a store error; returns -1 for the caller to pass on */
int fail_rep(const char *what, int err);

/* print_machine - date, CPUs, CPU model, where the store lives, seed */
void print_machine(const char *dir, unsigned long seed);

/* sync_file - flush a file to disk; 0 or -1 */
int sync_file(const char *path);

/* file_bytes - a file's size, or 0 if it cannot be read */
uint64_t file_bytes(const char *path);

/* make_tempdir - a new directory BASE/bench_store.XXXXXX (BASE: dir, else
 * $TMPDIR, else /tmp) into out */
int make_tempdir(const char *dir, char *out, size_t len);

/* remove_tree - remove a directory and everything in it; 0 or -1 */
int remove_tree(const char *dir);

/* find_repctl - `given` if not NULL, else tools/repctl beside this
 * build's tree (this program is tests/bench/bench_store); 0 if runnable */
int find_repctl(const char *given, char *out, size_t len);

/* run_bounded - run argv with stdout to /dev/null; kill it past `limit`
 * seconds; its exit status, or -1 */
int run_bounded(char *const argv[], double limit);

#endif /* BENCH_UTIL_H */
