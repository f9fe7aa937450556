/*
 * test_milterclient.c - the milter client against a real libmilter filter
 * (echofilter, started on unix sockets in a temporary directory, and on
 * one 127.0.0.1 port) and against fake peers that misbehave.
 *
 * echofilter is looked for next to this program, or at $ECHOFILTER.
 */
#include <config.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "milterclient.h"

#define BIG_BODY (5 * 1024 * 1024)

/* One echofilter process. */
struct filter {
	pid_t pid;
	char spec[PATH_MAX];
};

static char echofilter[PATH_MAX];
static char tmpdir[80]; /* short: socket paths must fit sun_path */
static struct filter f_plain, f_noreply, f_skip, f_inet;

static const char msg_text[] = "Received: from client.example (client.example"
                               " [192.0.2.1])\r\n\tby mx.test; Mon, 1 Jan 2024"
                               " 00:00:00 +0000\r\n"
                               "From: Alice <alice@example.org>\r\n"
                               "To: <bob@example.net>\r\n"
                               "Subject: hello\r\n\r\n"
                               "Hello, Bob.\r\n";

static const char *const rcpt_bob[] = {"bob@example.net"};

/* filter_alive - whether the filter process still runs */
static int filter_alive(struct filter *f)
{
	return f->pid > 0 && waitpid(f->pid, NULL, WNOHANG) == 0;
}

/* filter_ready - wait (at most 10 s) until the filter answers OPTNEG */
static int filter_ready(struct filter *f)
{
	for (int i = 0; i < 200 && filter_alive(f); i++) {
		struct mc_conn *c = NULL;

		if (mc_open(f->spec, NULL, &c, NULL, 0) == MC_OK) {
			mc_close(c);
			return 1;
		}
		usleep(50000);
	}
	return 0;
}

/* filter_start - fork and exec echofilter on spec with mode */
static int filter_start(struct filter *f, const char *mode, int nodelay)
{
	f->pid = fork();
	if (f->pid < 0)
		return 0;
	if (f->pid == 0) {
		dup2(2, 1); /* keep stdout for TAP */
		execl(echofilter, "echofilter", "-s", f->spec, "-m", mode,
		        nodelay ? "-n" : NULL, (char *)NULL);
		_exit(127);
	}
	return filter_ready(f);
}

/* filter_poke - a connection that wakes libmilter's listener, which
 * otherwise notices SIGTERM only after its 5 s poll */
static void filter_poke(const struct filter *f)
{
	struct mc_options o = {.connect_timeout_ms = 100, .timeout_ms = 100};
	struct mc_conn *c = NULL;

	if (mc_open(f->spec, &o, &c, NULL, 0) == MC_OK)
		mc_close(c);
}

/* filter_stop - SIGTERM, then SIGKILL after 5 s */
static void filter_stop(struct filter *f)
{
	if (f->pid <= 0)
		return;
	kill(f->pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(f->pid, NULL, WNOHANG) != 0) {
			f->pid = 0;
			return;
		}
		filter_poke(f);
		usleep(50000);
	}
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	f->pid = 0;
}

/* start_unix - echofilter on a socket of the temporary directory */
static int start_unix(struct filter *f, const char *mode)
{
	snprintf(f->spec, sizeof f->spec, "unix:%s/%s.sock", tmpdir, mode);
	return filter_start(f, mode, 0);
}

/* start_inet - echofilter on a random port of 127.0.0.1 below the
 * ephemeral range (32768 and up on Linux, where the other tests' client
 * sockets take theirs), with TCP_NODELAY; another port when that one is
 * taken */
static int start_inet(struct filter *f)
{
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	for (int try = 0; try < 5; try++) {
		snprintf(f->spec, sizeof f->spec, "inet:%d@127.0.0.1",
		        20000 + rand() % 12000);
		if (filter_start(f, "plain", 1))
			return 1;
		filter_stop(f);
	}
	return 0;
}

/* group_setup - the temporary directory and the four filters */
static int group_setup(void **state)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/mctest.XXXXXX",
	        base ? base : "/tmp");
	if (strlen(tmpdir) != strlen("/mctest.XXXXXX") +
	                              strlen(base ? base : "/tmp") ||
	        mkdtemp(tmpdir) == NULL)
		return -1;
	if (!start_unix(&f_plain, "plain") ||
	        !start_unix(&f_noreply, "noreply") ||
	        !start_unix(&f_skip, "skip") || !start_inet(&f_inet)) {
		fprintf(stderr, "cannot start %s\n", echofilter);
		return -1;
	}
	return 0;
}

/* group_teardown - stop the filters, remove the directory */
static int group_teardown(void **state)
{
	char path[160];
	const char *modes[] = {"plain", "noreply", "skip", "fake"};

	filter_stop(&f_plain);
	filter_stop(&f_noreply);
	filter_stop(&f_skip);
	filter_stop(&f_inet);
	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
		snprintf(path, sizeof path, "%s/%s.sock", tmpdir, modes[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	return 0;
}

/* session - a connection that has done CONNECT and HELO for addr */
static struct mc_conn *session(const struct filter *f, const char *addr)
{
	struct mc_conn *c = NULL;
	struct mc_reply r;
	char err[512];
	int rc = mc_open(f->spec, NULL, &c, err, sizeof err);

	if (rc != MC_OK)
		fail_msg("mc_open: %s", err);
	assert_int_equal(mc_connect(c, "client.example", addr, 4025, &r), 0);
	assert_int_equal(mc_helo(c, "client.example", &r), 0);
	return c;
}

/* send_from - msg_text from sender to bob */
static void send_from(struct mc_conn *c, const char *sender, struct mc_eom *e)
{
	struct mc_message m = {
	        sender, rcpt_bob, 1, msg_text, sizeof msg_text - 1};
	int rc = mc_send(c, &m, e);

	if (rc != MC_OK)
		fail_msg("mc_send: %s: %s", mc_strerror(rc), mc_error(c));
}

/* assert_header - the filter added name with exactly value */
static void assert_header(
        const struct mc_eom *e, const char *name, const char *value)
{
	const char *got = mc_eom_header(e, name);

	if (got == NULL)
		fail_msg("no %s header", name);
	assert_string_equal(got, value);
}

/* assert_accepted - a message that reached EOM and was accepted */
static void assert_accepted(const struct mc_eom *e)
{
	assert_int_equal(e->step, MC_STEP_EOM);
	assert_int_equal(e->reply.verdict, MC_ACCEPT);
	assert_int_equal(e->reply.replied, 1);
}

/* test_negotiation_records_filter_options - version, actions, protocol
 * flags and the macro list the filter asked for */
static void test_negotiation_records_filter_options(void **state)
{
	struct mc_conn *c = session(&f_plain, "192.0.2.1");

	assert_int_equal(mc_version(c), SMFI_PROT_VERSION);
	assert_int_equal(mc_actions(c),
	        SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT |
	                SMFIF_CHGFROM | SMFIF_QUARANTINE | SMFIF_SETSYMLIST);
	assert_int_equal(mc_protocol(c) & (SMFIP_NR_HDR | SMFIP_NOHELO), 0);
	assert_string_equal(
	        mc_symlist(c, MC_STAGE_CONNECT), "j {daemon_name} _");
	assert_null(mc_symlist(c, MC_STAGE_MAIL));
	mc_close(c);
}

/* test_eom_adds_echo_header - the filter's headers come back at EOM */
static void test_eom_adds_echo_header(void **state)
{
	struct mc_conn *c = session(&f_plain, "192.0.2.1");
	struct mc_eom e;

	send_from(c, "alice@example.org", &e);
	assert_accepted(&e);
	assert_int_equal(e.nactions, 3);
	assert_int_equal(e.actions[0].type, MC_ADDHEADER);
	assert_header(&e, "X-Echo", "192.0.2.1 alice@example.org");
	assert_header(&e, "x-echo-stats", "headers=4 body=13 chunks=1 rcpts=1");
	mc_close(c);
}

/* test_macros_reach_filter_within_its_list - our macros arrive; the ones
 * outside the filter's connect list ({daemon_addr}) are not sent */
static void test_macros_reach_filter_within_its_list(void **state)
{
	struct mc_conn *c = session(&f_plain, "192.0.2.1");
	struct mc_eom e;
	const char *m;

	assert_int_equal(mc_macro(c, MC_STAGE_MAIL, "{auth_authen}", "bob"), 0);
	send_from(c, "alice@example.org", &e);
	m = mc_eom_header(&e, "X-Echo-Macros");
	assert_non_null(m);
	assert_non_null(strstr(m, "j=mx.test daemon_name=mx.test "
	                          "daemon_addr=- i="));
	assert_null(strstr(m, "i=-"));
	assert_non_null(strstr(m, " auth=bob mail_addr=alice@example.org "
	                          "rcpt_addr=bob@example.net"));
	mc_close(c);
}

/* test_reject_at_eom_gives_code_and_text - SMFIR_REPLYCODE 5xx */
static void test_reject_at_eom_gives_code_and_text(void **state)
{
	struct mc_conn *c = session(&f_plain, "192.0.2.1");
	struct mc_eom e;

	send_from(c, "reject@example.org", &e);
	assert_int_equal(e.step, MC_STEP_EOM);
	assert_int_equal(e.reply.verdict, MC_REJECT);
	assert_int_equal(e.reply.code, 550);
	assert_string_equal(e.reply.text, "550 5.7.1 echo reject");
	assert_int_equal(e.nactions, 0);
	mc_close(c);
}

/* test_tempfail_at_eom_gives_code_and_text - SMFIR_REPLYCODE 4xx */
static void test_tempfail_at_eom_gives_code_and_text(void **state)
{
	struct mc_conn *c = session(&f_plain, "192.0.2.1");
	struct mc_eom e;

	send_from(c, "tempfail@example.org", &e);
	assert_int_equal(e.reply.verdict, MC_TEMPFAIL);
	assert_int_equal(e.reply.code, 451);
	assert_string_equal(e.reply.text, "451 4.7.1 echo tempfail");
	mc_close(c);
}

/* test_discard_at_eom - a bare SMFIR_DISCARD */
static void test_discard_at_eom(void **state)
{
	struct mc_conn *c = session(&f_plain, "192.0.2.1");
	struct mc_eom e;

	send_from(c, "discard@example.org", &e);
	assert_int_equal(e.reply.verdict, MC_DISCARD);
	assert_int_equal(e.reply.code, 0);
	assert_string_equal(e.reply.text, "");
	mc_close(c);
}

/* test_reject_at_mail_ends_message_early - later steps are not sent, and
 * the next message on the connection is whole */
static void test_reject_at_mail_ends_message_early(void **state)
{
	struct mc_conn *c = session(&f_plain, "192.0.2.1");
	struct mc_reply r;
	struct mc_eom e;

	send_from(c, "rejectmail@example.org", &e);
	assert_int_equal(e.step, MC_STEP_MAIL);
	assert_int_equal(e.reply.verdict, MC_REJECT);
	assert_string_equal(e.reply.text, "550 5.7.1 echo reject at mail");
	assert_int_equal(mc_data(c, &r), 0);
	assert_int_equal(r.verdict, MC_REJECT);
	assert_int_equal(r.replied, 0);
	send_from(c, "alice@example.org", &e);
	assert_accepted(&e);
	assert_header(&e, "X-Echo-Stats", "headers=4 body=13 chunks=1 rcpts=1");
	mc_close(c);
}

/* test_refused_recipient_refuses_only_that_one - and all refused ends the
 * message at RCPT */
static void test_refused_recipient_refuses_only_that_one(void **state)
{
	struct mc_conn *c = session(&f_plain, "192.0.2.1");
	const char *const two[] = {"refuse@example.net", "bob@example.net"};
	struct mc_message m = {
	        "alice@example.org", two, 2, msg_text, sizeof msg_text - 1};
	struct mc_eom e;

	assert_int_equal(mc_send(c, &m, &e), 0);
	assert_accepted(&e);
	assert_header(&e, "X-Echo-Stats", "headers=4 body=13 chunks=1 rcpts=1");
	m.nrcpts = 1;
	assert_int_equal(mc_send(c, &m, &e), 0);
	assert_int_equal(e.step, MC_STEP_RCPT);
	assert_int_equal(e.reply.verdict, MC_REJECT);
	assert_string_equal(e.reply.text, "550 5.1.1 echo refuse");
	send_from(c, "alice@example.org", &e);
	assert_accepted(&e);
	mc_close(c);
}

/* test_several_messages_on_one_connection - verdicts do not leak from one
 * message to the next */
static void test_several_messages_on_one_connection(void **state)
{
	const char *from[] = {"alice@example.org", "reject@example.org",
	        "tempfail@example.org", "rejectmail@example.org"};
	const int want[] = {MC_ACCEPT, MC_REJECT, MC_TEMPFAIL, MC_REJECT};
	struct mc_conn *c = session(&f_plain, "192.0.2.7");
	struct mc_eom e;

	for (int i = 0; i < 20; i++) {
		send_from(c, from[i % 4], &e);
		assert_int_equal(e.reply.verdict, want[i % 4]);
		if (i % 4 == 0)
			assert_header(
			        &e, "X-Echo", "192.0.2.7 alice@example.org");
	}
	mc_close(c);
}

/* test_abort_then_new_message - the aborted message's headers are not
 * counted in the next one */
static void test_abort_then_new_message(void **state)
{
	struct mc_conn *c = session(&f_plain, "192.0.2.1");
	struct mc_reply r;
	struct mc_eom e;

	assert_int_equal(mc_mail(c, "alice@example.org", NULL, &r), 0);
	assert_int_equal(r.verdict, MC_CONTINUE);
	assert_int_equal(mc_rcpt(c, "bob@example.net", NULL, &r), 0);
	assert_int_equal(mc_data(c, &r), 0);
	for (int i = 0; i < 7; i++)
		assert_int_equal(mc_header(c, "X-Junk", " junk", &r), 0);
	assert_int_equal(mc_abort(c), 0);
	assert_int_equal(mc_eoh(c, &r), MC_EINVAL);
	send_from(c, "alice@example.org", &e);
	assert_accepted(&e);
	assert_header(&e, "X-Echo-Stats", "headers=4 body=13 chunks=1 rcpts=1");
	mc_close(c);
}

/* test_large_body_goes_in_chunks - 5 MB in chunks of 65535 bytes */
static void test_large_body_goes_in_chunks(void **state)
{
	struct mc_conn *c = session(&f_plain, "192.0.2.1");
	size_t hlen = sizeof msg_text - 1 - strlen("Hello, Bob.\r\n");
	char *big = malloc(hlen + BIG_BODY), want[128];
	struct mc_message m = {
	        "alice@example.org", rcpt_bob, 1, big, hlen + BIG_BODY};
	struct mc_eom e;

	assert_non_null(big);
	memcpy(big, msg_text, hlen);
	for (size_t i = 0; i < BIG_BODY; i++)
		big[hlen + i] = (i % 78 == 76)   ? '\r'
		                : (i % 78 == 77) ? '\n'
		                                 : (char)('a' + i % 26);
	assert_int_equal(mc_send(c, &m, &e), 0);
	assert_accepted(&e);
	snprintf(want, sizeof want, "headers=4 body=%d chunks=%d rcpts=1",
	        BIG_BODY,
	        (BIG_BODY + MILTER_CHUNK_SIZE - 1) / MILTER_CHUNK_SIZE);
	assert_header(&e, "X-Echo-Stats", want);
	free(big);
	mc_close(c);
}

/* test_ipv6_and_unknown_connect_info - family '6' with the address, and
 * family 'U' without one */
static void test_ipv6_and_unknown_connect_info(void **state)
{
	struct mc_conn *c = session(&f_plain, "2001:db8::25");
	struct mc_reply r;
	struct mc_eom e;

	send_from(c, "alice@example.org", &e);
	assert_header(&e, "X-Echo", "2001:db8::25 alice@example.org");
	mc_close(c);
	c = session(&f_plain, NULL);
	send_from(c, "alice@example.org", &e);
	assert_header(&e, "X-Echo", "unknown alice@example.org");
	mc_close(c);
	c = session(&f_plain, "192.0.2.1");
	assert_int_equal(
	        mc_connect(c, "x", "not-an-address", 25, &r), MC_EINVAL);
	mc_close(c);
}

/* test_noreply_options_are_honoured - no HELO, no reply waited for until
 * EOM, and the message still gets its headers */
static void test_noreply_options_are_honoured(void **state)
{
	struct mc_conn *c = NULL;
	struct mc_reply r;
	struct mc_eom e;

	assert_int_equal(mc_open(f_noreply.spec, NULL, &c, NULL, 0), 0);
	assert_int_equal(mc_protocol(c) & (SMFIP_NR_CONN | SMFIP_NR_HDR |
	                                          SMFIP_NR_BODY | SMFIP_NOHELO),
	        SMFIP_NR_CONN | SMFIP_NR_HDR | SMFIP_NR_BODY | SMFIP_NOHELO);
	assert_int_equal(
	        mc_connect(c, "client.example", "192.0.2.9", 25, &r), 0);
	assert_int_equal(r.replied, 0);
	assert_int_equal(mc_helo(c, "client.example", &r), 0);
	assert_int_equal(r.verdict, MC_NOREPLY);
	for (int i = 0; i < 3; i++) {
		send_from(c, "alice@example.org", &e);
		assert_accepted(&e);
		assert_header(&e, "X-Echo", "192.0.2.9 alice@example.org");
	}
	mc_close(c);
}

/* test_skip_stops_body_chunks - after SMFIR_SKIP no chunk is sent */
static void test_skip_stops_body_chunks(void **state)
{
	struct mc_conn *c = session(&f_skip, "192.0.2.1");
	static char body[200000];
	struct mc_reply r;
	struct mc_eom e;

	memset(body, 'x', sizeof body);
	assert_true(mc_protocol(c) & SMFIP_SKIP);
	assert_int_equal(mc_mail(c, "alice@example.org", NULL, &r), 0);
	assert_int_equal(mc_rcpt(c, "bob@example.net", NULL, &r), 0);
	assert_int_equal(mc_body(c, body, sizeof body, &r), 0);
	assert_int_equal(r.verdict, MC_SKIP);
	assert_int_equal(mc_body(c, body, sizeof body, &r), 0);
	assert_int_equal(r.replied, 0);
	assert_int_equal(mc_eom(c, &e), 0);
	assert_accepted(&e);
	assert_header(
	        &e, "X-Echo-Stats", "headers=0 body=65535 chunks=1 rcpts=1");
	mc_close(c);
}

/* test_modifications_are_collected - every kind the filter may send */
static void test_modifications_are_collected(void **state)
{
	struct mc_conn *c = session(&f_plain, "192.0.2.1");
	const struct mc_action *a;
	struct mc_eom e;

	send_from(c, "modify@example.org", &e);
	assert_accepted(&e);
	assert_int_equal(e.nactions, 6);
	a = e.actions;
	assert_int_equal(a[0].type, MC_INSHEADER);
	assert_int_equal(a[0].index, 0);
	assert_string_equal(a[0].name, "X-Echo-First");
	assert_string_equal(a[0].value, "1");
	assert_int_equal(a[1].type, MC_CHGHEADER);
	assert_int_equal(a[1].index, 1);
	assert_string_equal(a[1].name, "Subject");
	assert_string_equal(a[1].value, "changed");
	assert_int_equal(a[2].type, MC_ADDRCPT);
	assert_string_equal(a[2].name, "<added@example.org>");
	assert_int_equal(a[3].type, MC_DELRCPT);
	assert_string_equal(a[3].name, "<deleted@example.org>");
	assert_int_equal(a[4].type, MC_CHGFROM);
	assert_string_equal(a[4].name, "<changed@example.org>");
	assert_int_equal(a[5].type, MC_QUARANTINE);
	assert_string_equal(a[5].name, "echo quarantine");
	mc_close(c);
}

/* test_inet_socket_works - the same over TCP on 127.0.0.1 */
static void test_inet_socket_works(void **state)
{
	struct mc_conn *c = session(&f_inet, "192.0.2.3");
	struct mc_eom e;

	for (int i = 0; i < 5; i++) {
		send_from(c, "alice@example.org", &e);
		assert_accepted(&e);
		assert_header(&e, "X-Echo", "192.0.2.3 alice@example.org");
	}
	mc_close(c);
}

/* test_bad_socket_specs_are_refused - MC_ESPEC, and the spec is named */
static void test_bad_socket_specs_are_refused(void **state)
{
	const char *bad[] = {"bogus", "unix:", "inet:", "inet:x@127.0.0.1",
	        "inet:99999999999999999@127.0.0.1", "tcp:25"};
	struct mc_conn *c = NULL;
	char err[256];

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(
		        mc_open(bad[i], NULL, &c, err, sizeof err), MC_ESPEC);
	assert_null(c);
	assert_non_null(strstr(err, "tcp:25"));
}

/* A peer that accepts one connection, reads the OPTNEG and answers with
 * canned bytes (or nothing); hold keeps it open until the client closes. */
struct fake {
	int lfd;
	char path[128];
	const char *answer;
	size_t len;
	int hold;
	pthread_t thread;
};

/* fake_run - the peer's thread */
static void *fake_run(void *arg)
{
	struct fake *f = arg;
	char buf[256];
	int fd = accept(f->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	if (read(fd, buf, sizeof buf) > 0 && f->answer != NULL &&
	        write(fd, f->answer, f->len) < 0)
		perror("fake write");
	while (f->hold && read(fd, buf, sizeof buf) > 0)
		;
	close(fd);
	return NULL;
}

/* fake_start - listen on fake.sock of the temporary directory */
static void fake_start(struct fake *f, const char *answer, size_t len, int hold)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	f->answer = answer;
	f->len = len;
	f->hold = hold;
	snprintf(f->path, sizeof f->path, "%s/fake.sock", tmpdir);
	assert_true(strlen(f->path) < sizeof sun.sun_path);
	memcpy(sun.sun_path, f->path, strlen(f->path) + 1);
	unlink(f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sun, sizeof sun), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_run, f), 0);
}

/* fake_open - mc_open against the fake peer; returns the error code */
static int fake_open(
        struct fake *f, unsigned timeout_ms, char *err, size_t errlen)
{
	struct mc_options o = {.timeout_ms = timeout_ms};
	struct mc_conn *c = NULL;
	char spec[160];
	int rc;

	snprintf(spec, sizeof spec, "unix:%s", f->path);
	rc = mc_open(spec, &o, &c, err, errlen);
	mc_close(c);
	pthread_join(f->thread, NULL);
	close(f->lfd);
	unlink(f->path);
	return rc;
}

/* test_silent_filter_times_out - a filter that never answers OPTNEG */
static void test_silent_filter_times_out(void **state)
{
	struct fake f;
	char err[512];
	time_t t0 = time(NULL);

	fake_start(&f, NULL, 0, 1);
	assert_int_equal(fake_open(&f, 300, err, sizeof err), MC_ETIMEOUT);
	assert_true(time(NULL) - t0 < 5);
	assert_non_null(strstr(err, "timeout"));
}

/* test_closed_connection_is_reported - a filter that hangs up */
static void test_closed_connection_is_reported(void **state)
{
	struct fake f;
	char err[512];

	fake_start(&f, NULL, 0, 0);
	assert_int_equal(fake_open(&f, 2000, err, sizeof err), MC_ECLOSED);
}

/* test_bad_packet_is_a_protocol_error - a zero packet length */
static void test_bad_packet_is_a_protocol_error(void **state)
{
	static const char zero[4];
	struct fake f;
	char err[512];

	fake_start(&f, zero, sizeof zero, 1);
	assert_int_equal(fake_open(&f, 2000, err, sizeof err), MC_EPROTO);
}

/* test_unoffered_actions_are_refused - a filter asking for actions the
 * MTA did not offer */
static void test_unoffered_actions_are_refused(void **state)
{
	static const char optneg[] = {
	        0, 0, 0, 13, 'O', 0, 0, 0, 6, 0, 0, 0x7f, 0x7f, 0, 0, 0, 0};
	struct fake f;
	char err[512];

	fake_start(&f, optneg, sizeof optneg, 1);
	assert_int_equal(fake_open(&f, 2000, err, sizeof err), MC_ENEGOT);
}

/* find_echofilter - next to this program, or $ECHOFILTER */
static void find_echofilter(const char *argv0)
{
	const char *env = getenv("ECHOFILTER");
	char self[PATH_MAX];

	if (env != NULL) {
		snprintf(echofilter, sizeof echofilter, "%s", env);
		return;
	}
	snprintf(self, sizeof self, "%s", argv0);
	snprintf(echofilter, sizeof echofilter, "%s/echofilter", dirname(self));
}

/* main - every case, with the filters started once for all */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_negotiation_records_filter_options),
	        cmocka_unit_test(test_eom_adds_echo_header),
	        cmocka_unit_test(test_macros_reach_filter_within_its_list),
	        cmocka_unit_test(test_reject_at_eom_gives_code_and_text),
	        cmocka_unit_test(test_tempfail_at_eom_gives_code_and_text),
	        cmocka_unit_test(test_discard_at_eom),
	        cmocka_unit_test(test_reject_at_mail_ends_message_early),
	        cmocka_unit_test(test_refused_recipient_refuses_only_that_one),
	        cmocka_unit_test(test_several_messages_on_one_connection),
	        cmocka_unit_test(test_abort_then_new_message),
	        cmocka_unit_test(test_large_body_goes_in_chunks),
	        cmocka_unit_test(test_ipv6_and_unknown_connect_info),
	        cmocka_unit_test(test_noreply_options_are_honoured),
	        cmocka_unit_test(test_skip_stops_body_chunks),
	        cmocka_unit_test(test_modifications_are_collected),
	        cmocka_unit_test(test_inet_socket_works),
	        cmocka_unit_test(test_bad_socket_specs_are_refused),
	        cmocka_unit_test(test_silent_filter_times_out),
	        cmocka_unit_test(test_closed_connection_is_reported),
	        cmocka_unit_test(test_bad_packet_is_a_protocol_error),
	        cmocka_unit_test(test_unoffered_actions_are_refused),
	};

	(void)argc;
	find_echofilter(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
