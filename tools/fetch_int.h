/*
 * fetch_int.h - inside the fetch module (fetch.h): what fetch.c uses
 * from fetch_util.c, the side that needs no libcurl.
 *
 * OWNERSHIP
 *	struct fetch_part is a value the caller owns; fetch_part_open fills
 *	it, fetch_part_close ends it (on a closed one it is a no-op).
 *
 * ERRORS
 *	libc style: 0, or -1 with errno set; *what (when asked for) names
 *	the step that failed, for the message.
 */
#ifndef REPSYNC_FETCH_INT_H
#define REPSYNC_FETCH_INT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* struct fetch_part - dest ".part", open and locked (flock) */
struct fetch_part {
	int fd; /* -1: closed, or never ours (locked by another) */
	char path[PATH_MAX];
	uint64_t size; /* bytes it holds */
};

/* fetch_part_open - open or create dest.part (no symbolic link, a
 * regular file), take its lock without waiting (EWOULDBLOCK: another
 * fetch holds it), and see its size */
int fetch_part_open(struct fetch_part *p, const char *dest, const char **what)
        __attribute__((warn_unused_result));

/* fetch_part_truncate - empty it */
int fetch_part_truncate(struct fetch_part *p)
        __attribute__((warn_unused_result));

/* fetch_part_append - write buf at its end (short writes retried) */
int fetch_part_append(struct fetch_part *p, const void *buf, size_t len)
        __attribute__((warn_unused_result));

/* fetch_part_commit - flush it and rename it to dest (still locked, so
 * no other fetch writes into it meanwhile), then flush the directory
 * (best effort: a crash may lose the name, and the file is fetched
 * again). Closed whatever the outcome; on failure the .part stays. */
int fetch_part_commit(struct fetch_part *p, const char *dest, const char **what)
        __attribute__((warn_unused_result));

/* fetch_part_close - close it (and release the lock); remove it first
 * when `remove` is set */
void fetch_part_close(struct fetch_part *p, int remove);

/* fetch_content_range - parse a Content-Range value (len bytes, not
 * NUL-terminated, blanks around allowed) "bytes START-END/TOTAL": START
 * and TOTAL (0 for '*'); -1 when malformed or inconsistent */
int fetch_content_range(const char *val, size_t len, uint64_t *start,
        uint64_t *total) __attribute__((warn_unused_result));

#endif /* REPSYNC_FETCH_INT_H */
