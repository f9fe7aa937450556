/*
 * fetch_util.c - what the fetch module does without libcurl: error
 * texts and fetch_url_join (fetch.h), the .part file a body goes into
 * and the Content-Range parser (fetch_int.h).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch.h"
#include "fetch_int.h"

/* fetch_strerror - a static, human-readable text for an error code */
const char *fetch_strerror(int err)
{
	static const char *const text[] = {
	        [-FETCH_OK] = "success",
	        [-FETCH_E_INVAL] = "invalid argument",
	        [-FETCH_E_NOMEM] = "out of memory (or libcurl unusable)",
	        [-FETCH_E_IO] = "local file error",
	        [-FETCH_E_URL] = "bad or unsupported URL (https:// and "
	                         "file:// only)",
	        [-FETCH_E_CONNECT] = "could not connect, or connection lost",
	        [-FETCH_E_TLS] = "TLS handshake or certificate refused",
	        [-FETCH_E_HTTP] = "HTTP error",
	        [-FETCH_E_NOTFOUND] = "not found",
	        [-FETCH_E_TOOBIG] = "file too big",
	        [-FETCH_E_SIZE] = "file shorter than expected",
	        [-FETCH_E_TIMEOUT] = "timed out",
	        [-FETCH_E_REDIRECT] = "redirect refused (another scheme, "
	                              "host or port, or too many)",
	};

	if (err > 0 || -err >= (int)(sizeof text / sizeof text[0]))
		return "unknown error";
	return text[-err];
}

/* parse_u64 - a decimal number at *p, up to a byte not a digit */
static int parse_u64(const char **p, uint64_t *v)
{
	const char *s = *p;

	*v = 0;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (*v > (UINT64_MAX - 9) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	return 0;
}

/* fetch_content_range - "bytes START-END/TOTAL" (TOTAL or '*') */
int fetch_content_range(
        const char *val, size_t len, uint64_t *startp, uint64_t *totalp)
{
	char buf[128];
	const char *p = buf;
	uint64_t start, end, total = 0;

	if (len >= sizeof buf)
		return -1;
	memcpy(buf, val, len);
	buf[len] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "bytes ", 6) != 0)
		return -1;
	p += 6;
	if (parse_u64(&p, &start) != 0 || *p++ != '-' ||
	        parse_u64(&p, &end) != 0 || end < start || *p++ != '/')
		return -1;
	if (*p == '*')
		p++;
	else if (parse_u64(&p, &total) != 0 || total <= end)
		return -1;
	if (strspn(p, " \t\r\n") != strlen(p))
		return -1;
	*startp = start;
	*totalp = total;
	return 0;
}

/* fail_close - close fd, errno as it was; -1 */
static int fail_close(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
	return -1;
}

/* fetch_part_open - open, lock and measure dest.part */
int fetch_part_open(struct fetch_part *p, const char *dest, const char **what)
{
	struct stat st;
	int n, fd;

	p->fd = -1;
	p->size = 0;
	*what = "name";
	n = snprintf(p->path, sizeof p->path, "%s.part", dest);
	if (n < 0 || (size_t)n >= sizeof p->path)
		return errno = ENAMETOOLONG, -1;
	*what = "open";
	fd = open(p->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	*what = "locked by another fetch";
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		return fail_close(fd);
	*what = "stat";
	if (fstat(fd, &st) != 0)
		return fail_close(fd);
	*what = "not a regular file";
	if (!S_ISREG(st.st_mode))
		return errno = EINVAL, fail_close(fd);
	p->fd = fd;
	p->size = (uint64_t)st.st_size;
	return 0;
}

/* fetch_part_truncate - empty it */
int fetch_part_truncate(struct fetch_part *p)
{
	if (ftruncate(p->fd, 0) != 0)
		return -1;
	p->size = 0;
	return 0;
}

/* fetch_part_append - write all of buf at its end */
int fetch_part_append(struct fetch_part *p, const void *buf, size_t len)
{
	const char *s = buf;

	while (len > 0) {
		ssize_t n = pwrite(p->fd, s, len, (off_t)p->size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EIO;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
		p->size += (uint64_t)n;
	}
	return 0;
}

/* sync_dir - flush the directory holding path (best effort) */
static void sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s",
		        (int)(slash - path + (slash == path)), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* fetch_part_commit - flush, rename to dest while locked, close */
int fetch_part_commit(struct fetch_part *p, const char *dest, const char **what)
{
	int rc = 0;

	*what = "fsync";
	if (fsync(p->fd) != 0)
		rc = -1;
	if (rc == 0) {
		*what = "rename";
		rc = rename(p->path, dest);
	}
	fetch_part_close(p, 0);
	if (rc == 0)
		sync_dir(dest);
	return rc;
}

/* fetch_part_close - close (and release the lock), removing it first
 * when asked */
void fetch_part_close(struct fetch_part *p, int remove)
{
	int saved = errno;

	if (p->fd < 0)
		return;
	if (remove) {
		unlink(p->path);
		p->size = 0;
	}
	close(p->fd);
	p->fd = -1;
	errno = saved;
}

/* scheme_ok - base starts with "scheme://", scheme [a-z][a-z0-9+.-]* */
static int scheme_ok(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	        (*p >= '0' && *p <= '9') || *p == '+' || *p == '.' || *p == '-')
		p++;
	return strncmp(p, "://", 3) == 0;
}

/* name_ok - a plain file name: [A-Za-z0-9._-]+, not "." or ".." */
static int name_ok(const char *s)
{
	const char *p;

	if (s[0] == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		            (*p >= '0' && *p <= '9') || *p == '.' ||
		            *p == '_' || *p == '-'))
			return 0;
	return 1;
}

/* fetch_url_join - base directory URL + '/' (if missing) + name */
int fetch_url_join(const char *base, const char *name, char *out, size_t len)
{
	size_t bl, nl;
	const char *p;
	int slash;

	if (base == NULL || name == NULL || out == NULL)
		return FETCH_E_INVAL;
	if (!scheme_ok(base))
		return FETCH_E_URL;
	for (p = base; *p != '\0'; p++)
		if (*p <= 0x20 || *p > 0x7e || *p == '?' || *p == '#')
			return FETCH_E_URL;
	if (!name_ok(name))
		return FETCH_E_INVAL;
	bl = strlen(base);
	nl = strlen(name);
	slash = base[bl - 1] == '/';
	if (bl + !slash + nl + 1 > len)
		return FETCH_E_INVAL;
	memcpy(out, base, bl);
	if (!slash)
		out[bl++] = '/';
	memcpy(out + bl, name, nl + 1);
	return FETCH_OK;
}
