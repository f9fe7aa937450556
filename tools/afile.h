/*
 * afile.h - atomic files for repsync's modules (feed, minisign): a file is
 * written under a temporary name in its final directory, flushed, and only
 * then given its name, so a reader (a web server, a partner's mirror, a
 * crashed publisher restarting) sees the whole file or none of it.
 *
 * OWNERSHIP
 *	struct afile is a value the caller owns; afile_open fills it and
 *	afile_commit or afile_abort end it (abort after commit, or twice, is
 *	a no-op). afile_read returns a malloc'd buffer the caller frees.
 *
 * THREADS
 *	No shared state: one struct afile belongs to one thread.
 *
 * ERRORS
 *	Internal helper, libc style: 0, or -1 with errno set (callers map it
 *	to their module's error code and leave errno for the message). EEXIST
 *	from afile_commit means the name is taken and replace was not asked.
 *	Nothing prints.
 *
 * CAVEATS
 *	- Temporary names start with ".tmp-" so that a directory listing or
 *	  a mirror can skip them; a crash may leave one behind (harmless, and
 *	  old ones may be removed by the program that owns the directory).
 *	- The directory is flushed after the rename: the name is durable when
 *	  afile_commit returns 0. If only that flush fails (-1, errno from
 *	  fsync), the file is already in place under its name.
 */
#ifndef REPSYNC_AFILE_H
#define REPSYNC_AFILE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define AFILE_TMP_PREFIX ".tmp-"

struct afile {
	int fd; /* -1 when closed */
	char dir[PATH_MAX];
	char tmp[PATH_MAX];
};

/* afile_open - create an empty temporary file (mode 0600) in `dir` */
int afile_open(struct afile *f, const char *dir)
        __attribute__((warn_unused_result));

/* afile_write - write all of buf (retries short writes and EINTR) */
int afile_write(struct afile *f, const void *buf, size_t len)
        __attribute__((warn_unused_result));

/* afile_commit - give the file `mode`, flush it, name it dir/`name` (a
 * plain name, no '/'), flush the directory. With replace 0 an existing
 * name is refused (EEXIST) and left alone. The file is closed and the
 * temporary name gone whatever the outcome. */
int afile_commit(struct afile *f, const char *name, mode_t mode, int replace)
        __attribute__((warn_unused_result));

/* afile_abort - close and remove the temporary file */
void afile_abort(struct afile *f);

/* afile_put - write a whole file at `path` atomically (see afile_commit) */
int afile_put(const char *path, const void *buf, size_t len, mode_t mode,
        int replace) __attribute__((warn_unused_result));

/* afile_read - read a whole regular file of at most `max` bytes into a
 * malloc'd, NUL-terminated buffer; EFBIG if it is longer */
int afile_read(const char *path, size_t max, char **out, size_t *len)
        __attribute__((warn_unused_result));

#endif /* REPSYNC_AFILE_H */
