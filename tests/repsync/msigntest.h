/*
 * msigntest.h - what the minisign tests share (test_minisign.c,
 * test_minisign_interop.c): fixed vectors made by minisign 0.11, a
 * temporary directory per test, files written and read whole, key pairs
 * and signed files.
 */
#ifndef REPSYNC_MSIGNTEST_H
#define REPSYNC_MSIGNTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "minisign.h"

#include <sys/wait.h>

/* Made by `minisign -G -W` (0.11) and `minisign -S` on "hello\n": fixed
 * vectors, so that compatibility is checked even without the binary. */
#define MS_PUB "RWTfWAVSQQgzpf2Du2zJchZUK4rnKMv202LNSv4jJ0FV3RWVJO6/oJU2"
#define MS_PUB_ID "A5330841520558DF"
#define MS_SEC                                                                 \
	"untrusted comment: minisign encrypted secret key\n"                   \
	"RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"     \
	"AAAAAAAA31gFUkEIM6XoWvKGZLuPTkf2Vk9WKYxFwfbDkVlR3mYcnXe3e53OWf2D"     \
	"u2zJchZUK4rnKMv202LNSv4jJ0FV3RWVJO6/oJU2AAAAAAAAAAAAAAAAAAAAAAAA"     \
	"AAAAAAAAAAAAAAAAAAA=\n"
#define MS_SIG                                                                 \
	"untrusted comment: signature from minisign secret key\n"              \
	"RUTfWAVSQQgzpU5uGbH7aQjq5h2uTiE39sdTwwGlXb/NKgpIDsxRTE9h9d+iAO6akto"  \
	"6hQrDEy/SLKVVz5NdGiizLs8J5VnoOQk=\n"                                  \
	"trusted comment: timestamp:1795301028\tfile:f\thashed\n"              \
	"eoC8WQUmL23A779nZE3D3sTrRri9Bc0d1s2+XZD0GEQvLgFo07kzJmIboC6viJB0WS9"  \
	"H9xJtgdMmf8qqAqygAw==\n"

struct tdir {
	char path[128];
};

/* tdir_make - a fresh temporary directory */
static inline void tdir_make(struct tdir *t)
{
	const char *base = getenv("TMPDIR");

	snprintf(t->path, sizeof t->path, "%s/msigntest.XXXXXX",
	        base ? base : "/tmp");
	assert_non_null(mkdtemp(t->path));
}

/* tdir_remove - remove every file, then the directory */
static inline void tdir_remove(struct tdir *t)
{
	char p[512];
	DIR *d = opendir(t->path);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		snprintf(p, sizeof p, "%s/%s", t->path, e->d_name);
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(t->path);
}

/* in_dir - dir/name in a static buffer of four, used in turn */
static inline const char *in_dir(const struct tdir *t, const char *name)
{
	static char buf[4][256];
	static unsigned next;
	char *p = buf[next++ % 4];

	snprintf(p, 256, "%s/%s", t->path, name);
	return p;
}

/* put_text - write a file */
static inline void put_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* get_text - a whole file, NUL-terminated, malloc'd */
static inline char *get_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

/* key_pair - a new key pair, saved as dir/NAME.key and dir/NAME.pub */
static inline struct msign_seckey *key_pair(
        const struct tdir *t, const char *name, struct msign_pubkey *pk)
{
	struct msign_seckey *sk;
	char file[64];

	assert_int_equal(msign_keygen(&sk, pk), 0);
	snprintf(file, sizeof file, "%s.key", name);
	assert_int_equal(msign_seckey_save(sk, in_dir(t, file)), 0);
	snprintf(file, sizeof file, "%s.pub", name);
	assert_int_equal(msign_pubkey_save(pk, in_dir(t, file)), 0);
	return sk;
}

/* signed_file - dir/data with some content, signed by sk */
static inline const char *signed_file(
        const struct tdir *t, const struct msign_seckey *sk, const char *tc)
{
	const char *data = in_dir(t, "data");

	put_text(data, "192.0.2.1\tlist\n", 15);
	assert_int_equal(msign_sign_file(sk, data, NULL, tc), 0);
	return data;
}

/* replace_in - a copy of text with the first `from` replaced by `to` */
static inline char *replace_in(
        const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *out = malloc(strlen(text) + strlen(to) + 1);

	assert_non_null(at);
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), to);
	strcat(out, at + strlen(from));
	return out;
}

/* minisign_path - the minisign binary on PATH, or NULL */
static inline const char *minisign_path(void)
{
	static char found[512];
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;

	if (found[0] != '\0')
		return found;
	copy = strdup(path != NULL ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir != NULL;
	        dir = strtok_r(NULL, ":", &save)) {
		snprintf(found, sizeof found, "%s/minisign", dir);
		if (access(found, X_OK) == 0)
			break;
		found[0] = '\0';
	}
	free(copy);
	return found[0] != '\0' ? found : NULL;
}

/* Tests of test_minisign_interop.c, run by test_minisign.c's main. */
void test_interop_minisign_verifies_our_signature(void **state);
void test_interop_we_verify_minisign_signature(void **state);
void test_interop_minisign_secret_key_signs_with_our_code(void **state);
void test_interop_we_verify_minisign_legacy_signature(void **state);

#endif /* REPSYNC_MSIGNTEST_H */
