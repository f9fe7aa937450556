/*
 * test_minisign_interop.c - interoperation with Debian's minisign binary
 * in both directions: it verifies what we sign and signs with our keys,
 * we verify what it signs (prehashed and legacy) and load its keys. Run
 * by test_minisign.c's main, which leaves these cases out when minisign
 * is not installed.
 */
#include "msigntest.h"

/* ---- interoperation with Debian's minisign ---- */

/* minisign - run minisign with these arguments (no shell metacharacters
 * in them: temporary paths only); its exit status */
static int minisign(const char *args)
{
	char cmd[2048];
	int rc;

	snprintf(cmd, sizeof cmd, "%s %s </dev/null >/dev/null 2>&1",
	        minisign_path(), args);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

void test_interop_minisign_verifies_our_signature(void **state)
{
	struct msign_pubkey pk;
	struct msign_seckey *sk;
	struct tdir t;
	char args[1024], b64[MSIGN_PUBKEY_TEXT];
	const char *data;

	(void)state;
	tdir_make(&t);
	sk = key_pair(&t, "k", &pk);
	data = signed_file(&t, sk, "file:data\tserial:7");
	snprintf(args, sizeof args, "-Vm %s -p %s", data, in_dir(&t, "k.pub"));
	assert_int_equal(minisign(args), 0);
	msign_pubkey_format(&pk, b64);
	snprintf(args, sizeof args, "-Vm %s -P %s -H", data, b64);
	assert_int_equal(minisign(args), 0);
	/* minisign refuses what we would refuse. */
	put_text(data, "192.0.2.2\tlist\n", 15);
	snprintf(args, sizeof args, "-Vm %s -p %s", data, in_dir(&t, "k.pub"));
	assert_int_not_equal(minisign(args), 0);
	/* minisign signs with our secret key; we verify. */
	snprintf(args, sizeof args, "-S -s %s -m %s -t ours",
	        in_dir(&t, "k.key"), data);
	assert_int_equal(minisign(args), 0);
	assert_int_equal(msign_verify_file(&pk, data, NULL, NULL), 0);
	/* minisign recreates our public key from our secret key. */
	snprintf(args, sizeof args, "-R -s %s -p %s", in_dir(&t, "k.key"),
	        in_dir(&t, "r.pub"));
	assert_int_equal(minisign(args), 0);
	assert_int_equal(msign_pubkey_load(in_dir(&t, "r.pub"), &pk), 0);
	msign_pubkey_format(&pk, args);
	assert_string_equal(args, b64);
	msign_seckey_free(sk);
	tdir_remove(&t);
}

/* minisign_key - a key pair made by `minisign -G -W` as dir/ms.{key,pub} */
static void minisign_key(const struct tdir *t, struct msign_pubkey *pk)
{
	char args[1024];

	snprintf(args, sizeof args, "-G -W -p %s -s %s", in_dir(t, "ms.pub"),
	        in_dir(t, "ms.key"));
	assert_int_equal(minisign(args), 0);
	assert_int_equal(msign_pubkey_load(in_dir(t, "ms.pub"), pk), 0);
}

void test_interop_we_verify_minisign_signature(void **state)
{
	struct msign_pubkey pk, other;
	struct msign_seckey *sk;
	struct msign_verified v;
	struct tdir t;
	char args[1024], *sig, *bad;
	const char *data, *sp;

	(void)state;
	tdir_make(&t);
	minisign_key(&t, &pk);
	data = in_dir(&t, "data");
	sp = in_dir(&t, "data.minisig");
	put_text(data, "192.0.2.1\tlist\n", 15);
	snprintf(args, sizeof args, "-S -s %s -m %s -t partner-serial-7",
	        in_dir(&t, "ms.key"), data);
	assert_int_equal(minisign(args), 0);
	assert_int_equal(msign_verify_file(&pk, data, NULL, &v), 0);
	assert_string_equal(v.trusted_comment, "partner-serial-7");
	assert_int_equal(v.legacy, 0);
	/* A flipped bit in the signature, the trusted comment, the file. */
	sig = get_text(sp, NULL);
	bad = replace_in(sig, "partner-serial-7", "partner-serial-8");
	unlink(sp);
	put_text(sp, bad, strlen(bad));
	assert_int_equal(
	        msign_verify_file(&pk, data, NULL, NULL), MSIGN_E_COMMENT);
	free(bad);
	bad = strdup(sig);
	bad[strchr(bad, '\n') - bad + 20] ^= 1;
	unlink(sp);
	put_text(sp, bad, strlen(bad));
	assert_int_not_equal(msign_verify_file(&pk, data, NULL, NULL), 0);
	free(bad);
	unlink(sp);
	put_text(sp, sig, strlen(sig));
	unlink(data);
	put_text(data, "192.0.2.1\tlisT\n", 15);
	assert_int_equal(
	        msign_verify_file(&pk, data, NULL, NULL), MSIGN_E_SIGNATURE);
	/* Another pinned key: unknown key id. */
	assert_int_equal(msign_keygen(&sk, &other), 0);
	assert_int_equal(
	        msign_verify_file(&other, data, NULL, NULL), MSIGN_E_KEYID);
	msign_seckey_free(sk);
	free(sig);
	tdir_remove(&t);
}

void test_interop_minisign_secret_key_signs_with_our_code(void **state)
{
	struct msign_pubkey pk;
	struct msign_seckey *sk;
	struct tdir t;
	char args[1024];
	const char *data;

	(void)state;
	tdir_make(&t);
	minisign_key(&t, &pk);
	assert_int_equal(msign_seckey_load(in_dir(&t, "ms.key"), &sk), 0);
	data = signed_file(&t, sk, "signed by repsync");
	snprintf(args, sizeof args, "-Vm %s -p %s", data, in_dir(&t, "ms.pub"));
	assert_int_equal(minisign(args), 0);
	msign_seckey_free(sk);
	tdir_remove(&t);
}

void test_interop_we_verify_minisign_legacy_signature(void **state)
{
	struct msign_pubkey pk;
	struct msign_verified v;
	struct tdir t;
	char args[1024];
	const char *data;

	(void)state;
	tdir_make(&t);
	minisign_key(&t, &pk);
	data = in_dir(&t, "data");
	put_text(data, "legacy content\n", 15);
	snprintf(args, sizeof args, "-S -l -s %s -m %s", in_dir(&t, "ms.key"),
	        data);
	assert_int_equal(minisign(args), 0);
	assert_int_equal(msign_verify_file(&pk, data, NULL, &v), 0);
	assert_int_equal(v.legacy, 1);
	unlink(data);
	put_text(data, "legacy Content\n", 15);
	assert_int_equal(
	        msign_verify_file(&pk, data, NULL, &v), MSIGN_E_SIGNATURE);
	tdir_remove(&t);
}
