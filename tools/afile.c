/*
 * afile.c - atomic files: temporary name, fsync, rename, fsync of the
 * directory (afile.h).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"

/* fail_errno - close fd and return -1 with errno as it was */
static int fail_errno(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
	return -1;
}

/* afile_open - create an empty temporary file in dir */
int afile_open(struct afile *f, const char *dir)
{
	int n;

	f->fd = -1;
	n = snprintf(f->dir, sizeof f->dir, "%s", dir);
	if (n < 0 || (size_t)n >= sizeof f->dir)
		return errno = ENAMETOOLONG, -1;
	n = snprintf(
	        f->tmp, sizeof f->tmp, "%s/" AFILE_TMP_PREFIX "XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof f->tmp)
		return errno = ENAMETOOLONG, -1;
	/* mkstemp makes it 0600: a secret key is never readable by others,
	 * not even for a moment. */
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	return f->fd < 0 ? -1 : 0;
}

/* afile_write - write all of buf */
int afile_write(struct afile *f, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* sync_dir - flush a directory, so that a rename in it is durable */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fsync(fd) != 0)
		return fail_errno(fd);
	return close(fd);
}

/* place - give the temporary file its name; without replace, link()
 * refuses an existing name where rename() would silently overwrite it */
static int place(struct afile *f, const char *path, int replace)
{
	if (replace)
		return rename(f->tmp, path);
	if (link(f->tmp, path) != 0)
		return -1;
	unlink(f->tmp);
	return 0;
}

/* afile_commit - mode, flush, name, flush the directory */
int afile_commit(struct afile *f, const char *name, mode_t mode, int replace)
{
	char path[PATH_MAX];
	int n, fd = f->fd, err = 0;

	f->fd = -1;
	n = snprintf(path, sizeof path, "%s/%s", f->dir, name);
	if (strchr(name, '/') != NULL || name[0] == '\0')
		err = EINVAL;
	else if (n < 0 || (size_t)n >= sizeof path)
		err = ENAMETOOLONG;
	else if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && place(f, path, replace) != 0)
		err = errno;
	if (err != 0) {
		unlink(f->tmp);
		return errno = err, -1;
	}
	return sync_dir(f->dir);
}

/* afile_abort - close and remove the temporary file */
void afile_abort(struct afile *f)
{
	int saved = errno;

	if (f->fd >= 0) {
		close(f->fd);
		unlink(f->tmp);
		f->fd = -1;
	}
	errno = saved;
}

/* split_path - the directory (or ".") and the last name of a path */
static int split_path(
        const char *path, char *dir, size_t len, const char **name)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash == NULL) {
		*name = path;
		n = snprintf(dir, len, ".");
	} else {
		*name = slash + 1;
		n = snprintf(dir, len, "%.*s",
		        (int)(slash - path + (slash == path)), path);
	}
	if (n < 0 || (size_t)n >= len)
		return errno = ENAMETOOLONG, -1;
	return 0;
}

/* afile_put - write a whole file atomically */
int afile_put(
        const char *path, const void *buf, size_t len, mode_t mode, int replace)
{
	struct afile f;
	char dir[PATH_MAX];
	const char *name;

	if (split_path(path, dir, sizeof dir, &name) != 0)
		return -1;
	if (afile_open(&f, dir) != 0)
		return -1;
	if (afile_write(&f, buf, len) != 0) {
		afile_abort(&f);
		return -1;
	}
	return afile_commit(&f, name, mode, replace);
}

/* read_all - read exactly len bytes (the file may not grow meanwhile: one
 * more byte is asked for and must not come) */
static int read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	char extra;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? (errno = EIO, -1) : -1;
		got += (size_t)n;
	}
	if (read(fd, &extra, 1) != 0)
		return errno = EIO, -1;
	return 0;
}

/* afile_read - a whole regular file of at most max bytes */
int afile_read(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0)
		return fail_errno(fd);
	if (!S_ISREG(st.st_mode))
		return errno = EINVAL, fail_errno(fd);
	if ((uint64_t)st.st_size > max)
		return errno = EFBIG, fail_errno(fd);
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		return fail_errno(fd);
	if (read_all(fd, buf, (size_t)st.st_size) != 0) {
		free(buf);
		return fail_errno(fd);
	}
	close(fd);
	buf[st.st_size] = '\0';
	*out = buf;
	*len = (size_t)st.st_size;
	return 0;
}
