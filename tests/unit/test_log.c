/*
 * test_log.c - common/log: telling systemd's journal on stderr apart.
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

/* stream_of - JOURNAL_STREAM's form of what fd is open on */
static void stream_of(int fd, char *buf, size_t len)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	snprintf(buf, len, "%llu:%llu", (unsigned long long)st.st_dev,
	        (unsigned long long)st.st_ino);
}

static void test_journal_is_recognised_by_device_and_inode(void **state)
{
	char tmpl[] = "/tmp/test_log.XXXXXX";
	int fd = mkstemp(tmpl), saved = dup(2);
	char v[64], other[64];

	assert_true(fd >= 0 && saved >= 0);
	assert_int_equal(unlink(tmpl), 0);
	stream_of(fd, v, sizeof(v));
	stream_of(saved, other, sizeof(other));
	assert_int_equal(dup2(fd, 2), 2);
	assert_int_equal(unsetenv("JOURNAL_STREAM"), 0);
	assert_false(log_stderr_is_journal());
	assert_int_equal(setenv("JOURNAL_STREAM", v, 1), 0);
	assert_true(log_stderr_is_journal());
	/* stderr redirected since systemd set the variable */
	assert_int_equal(setenv("JOURNAL_STREAM", other, 1), 0);
	assert_int_equal(log_stderr_is_journal(), !strcmp(v, other));
	assert_int_equal(setenv("JOURNAL_STREAM", "12", 1), 0);
	assert_false(log_stderr_is_journal());
	assert_int_equal(setenv("JOURNAL_STREAM", "1:2x", 1), 0);
	assert_false(log_stderr_is_journal());
	assert_int_equal(setenv("JOURNAL_STREAM", "", 1), 0);
	assert_false(log_stderr_is_journal());
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	close(fd);
}

static void test_foreground_logs_where_someone_listens(void **state)
{
	char dir[] = "/tmp/test_log.XXXXXX";
	char sock[64], file[64];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/log", dir);
	snprintf(file, sizeof(file), "%s/file", dir);
	assert_int_equal(unsetenv("JOURNAL_STREAM"), 0);
	/* nothing there: stderr only */
	assert_int_equal(log_foreground_where(sock), LOG_TO_STDERR);
	/* a plain file is no syslog daemon */
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(log_foreground_where(file), LOG_TO_STDERR);
	/* a socket: both */
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(
	        log_foreground_where(sock), LOG_TO_SYSLOG | LOG_TO_STDERR);
	close(fd);
	unlink(sock);
	unlink(file);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_journal_is_recognised_by_device_and_inode),
	        cmocka_unit_test(test_foreground_logs_where_someone_listens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
