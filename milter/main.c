/* main.c - repmilter: arguments, configuration, privileges, smfi_main */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <paths.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "callbacks.h"
#include "engine.h"
#include "log.h"

#define DEFAULT_CONFIG REP_SYSCONFDIR "/repmilter.conf"
#define EXIT_USAGE 2
#define EXIT_CONFIG 78 /* EX_CONFIG */

struct options {
	const char *config;
	int foreground, print, check;
};

/* usage - the synopsis on stderr (or stdout for -h) */
static void usage(FILE *fp)
{
	fprintf(fp,
	        "usage: repmilter [-c FILE] [-f] [-n] [-t] [-h] [-V]\n"
	        "  -c FILE  configuration file (default %s)\n"
	        "  -f       stay in the foreground, log to stderr too\n"
	        "  -n       print the effective configuration and exit\n"
	        "  -t       check the configuration and exit\n"
	        "  -h       this help\n"
	        "  -V       print the version and exit\n",
	        DEFAULT_CONFIG);
}

/* parse_args - getopt into options; exits on -h, -V and errors */
static void parse_args(int argc, char **argv, struct options *o)
{
	int ch;

	o->config = DEFAULT_CONFIG;
	while ((ch = getopt(argc, argv, "c:fnthV")) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'n':
			o->print = 1;
			break;
		case 't':
			o->check = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("repmilter %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "repmilter: unexpected argument: %s\n",
		        argv[optind]);
		usage(stderr);
		exit(EXIT_USAGE);
	}
}

/* load - the configuration file; a missing default file means defaults */
static struct conf *load(
        const char *path, int is_default, char *err, size_t len)
{
	struct conf *c = NULL;

	if (is_default && access(path, F_OK) != 0 && errno == ENOENT) {
		if (conf_defaults(&c, err, len) != 0)
			return NULL;
		return c;
	}
	return conf_load(path, &c, err, len) == 0 ? c : NULL;
}

/* log_lines - log each line of a multi-line error */
static void log_lines(int prio, const char *prefix, char *text)
{
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l != NULL;
	        l = strtok_r(NULL, "\n", &save))
		log_msg(prio, "%s%s", prefix, l);
}

/* set_nodelay - TCP_NODELAY on libmilter's listening socket (DESIGN
 * section 8: without it, Nagle meets the delayed ACK and each header
 * change waits 40 ms). libmilter does not hand out the descriptor, so
 * find the listening TCP socket among ours; accepted sockets inherit it. */
static void set_nodelay(void)
{
	struct rlimit rl;
	int one = 1;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > 65536)
		rl.rlim_cur = 65536;
	for (int fd = 3; fd < (int)rl.rlim_cur; fd++) {
		int listening = 0, domain = 0;
		socklen_t l1 = sizeof(listening), l2 = sizeof(domain);

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
		            &l1) != 0 ||
		        !listening ||
		        getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l2) !=
		                0)
			continue;
		if ((domain == AF_INET || domain == AF_INET6) &&
		        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		                sizeof(one)) != 0)
			log_msg(LOG_WARNING, "TCP_NODELAY: %s",
			        strerror(errno));
	}
}

/* unix_path - the file of a unix: or local: socket, else NULL */
static const char *unix_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	if (spec[0] == '/')
		return spec;
	return NULL;
}

/* socket_owner - the owner and group a unix socket is given: the user
 * repmilter becomes, and socket_group when set (so that the MTA, say
 * Postfix in group postfix, can connect to a 0660 socket) */
static int socket_owner(
        const struct conf *c, const struct passwd *pw, uid_t *uid, gid_t *gid)
{
	struct group *gr;

	*uid = pw != NULL ? pw->pw_uid : (uid_t)-1;
	*gid = pw != NULL ? pw->pw_gid : (gid_t)-1;
	if (c->socket_group[0] == '\0')
		return 0;
	if ((gr = getgrnam(c->socket_group)) == NULL) {
		log_msg(LOG_ERR, "socket_group %s: no such group",
		        c->socket_group);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

/* open_socket - create the listening socket (a stale unix socket file is
 * replaced); group-writable so that the MTA's group can connect */
static int open_socket(const struct conf *c, const struct passwd *pw)
{
	const char *path = unix_path(c->socket);
	mode_t old;
	uid_t uid;
	gid_t gid;
	int rc = -1;

	if (socket_owner(c, pw, &uid, &gid) != 0)
		return -1;
	old = umask(0007);

	if (smfi_setconn((char *)c->socket) != MI_SUCCESS)
		log_msg(LOG_ERR, "socket %s: not a valid socket", c->socket);
	else if (smfi_opensocket(1) != MI_SUCCESS)
		log_msg(LOG_ERR,
		        "socket %s: cannot listen (see the previous line)",
		        c->socket);
	else
		rc = 0;
	umask(old);
	if (rc == 0 && path != NULL && (uid != (uid_t)-1 || gid != (gid_t)-1) &&
	        chown(path, uid, gid) != 0)
		log_msg(LOG_WARNING, "chown %s: %s", path, strerror(errno));
	if (rc == 0)
		set_nodelay();
	return rc;
}

/* nudge - connect to our own socket once: see stop_milter */
static void nudge(const char *spec)
{
	const char *path = unix_path(spec);
	struct sockaddr_storage ss = {0};
	socklen_t len = 0;
	unsigned port = 0;
	char host[64] = "";
	int fd;

	if (path != NULL &&
	        strlen(path) < sizeof(((struct sockaddr_un *)0)->sun_path)) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;

		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, path);
		len = sizeof(*sun);
	} else if (sscanf(spec, "inet:%u@%63s", &port, host) == 2) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1 ||
		        sin->sin_addr.s_addr == htonl(INADDR_ANY))
			inet_pton(AF_INET, "127.0.0.1", &sin->sin_addr);
		len = sizeof(*sin);
	}
	if (len == 0 || (fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		return;
	(void)connect(fd, (struct sockaddr *)&ss, len);
	close(fd);
}

/* daemonize - fork, new session, stdio to /dev/null */
static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0 || chdir("/") != 0)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

/* write_pid - the pid file, if one is configured */
static int write_pid(const char *path)
{
	FILE *fp;

	if (path[0] == '\0')
		return 0;
	if ((fp = fopen(path, "w")) == NULL) {
		log_msg(LOG_ERR, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	return fclose(fp) == 0 ? 0 : -1;
}

/* lookup_user - the account to run as; NULL when not changing user */
static int lookup_user(const char *user, struct passwd **out)
{
	*out = NULL;
	if (user[0] == '\0' || geteuid() != 0)
		return 0;
	if ((*out = getpwnam(user)) == NULL) {
		log_msg(LOG_ERR, "user %s: no such user", user);
		return -1;
	}
	return 0;
}

/* drop_privileges - become the user for good, or fail */
static int drop_privileges(const struct passwd *pw, const char *store)
{
	if (pw == NULL)
		return 0;
	char lock[4096];

	/* the store may just have been created by root: hand it over */
	snprintf(lock, sizeof(lock), "%s-lock", store);
	if (chown(store, pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT)
		log_msg(LOG_WARNING, "chown %s: %s", store, strerror(errno));
	if (chown(lock, pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT)
		log_msg(LOG_WARNING, "chown %s: %s", lock, strerror(errno));
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	        setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0 ||
	        setuid(0) == 0) {
		log_msg(LOG_ERR, "cannot become user %s: %s", pw->pw_name,
		        strerror(errno));
		return -1;
	}
	return 0;
}

/* make_store_dir - create the store's directory (one level) when missing,
 * owned by the milter's user, so that the defaults work on a fresh host */
static void make_store_dir(const char *store, const struct passwd *pw)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", store);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0750) != 0)
		return;
	log_msg(LOG_INFO, "created directory %s", dir);
	if (pw != NULL && chown(dir, pw->pw_uid, pw->pw_gid) != 0)
		log_msg(LOG_WARNING, "chown %s: %s", dir, strerror(errno));
}

struct milter_thread {
	pthread_t main_thread;
	int rc;
};

/* milter_main - smfi_main in its own thread; when it returns by itself
 * (an error), wake the main thread so that the process ends */
static void *milter_main(void *arg)
{
	struct milter_thread *mt = arg;

	mt->rc = smfi_main();
	pthread_kill(mt->main_thread, SIGTERM);
	return NULL;
}

static atomic_int stop_done;

/* stopper - smfi_stop in a thread of its own: see stop_milter */
static void *stopper(void *arg)
{
	(void)arg;
	smfi_stop();
	atomic_store(&stop_done, 1);
	return NULL;
}

/* stop_milter - libmilter's smfi_stop waits for the listener's lock,
 * which the listener holds across a poll of up to 5 s; a connection to
 * our own socket ends that poll. So stop in one thread and knock on the
 * door from this one until the stop has gone through (at most 3 s). */
static void stop_milter(const char *socket_spec)
{
	pthread_t t;

	if (pthread_create(&t, NULL, stopper, NULL) != 0) {
		smfi_stop();
		return;
	}
	for (int i = 0; i < 60 && !atomic_load(&stop_done); i++) {
		nudge(socket_spec);
		nanosleep(&(struct timespec){0, 50000000L}, NULL);
	}
	pthread_join(t, NULL);
}

/* reload - SIGHUP: a bad file is refused and the old one kept */
static void reload(struct engine *e, const struct options *o)
{
	char err[4096] = "";
	struct conf *c = load(o->config, 0, err, sizeof(err));

	if (c == NULL) {
		log_lines(LOG_ERR,
		        "reload refused, keeping the running "
		        "configuration: ",
		        err);
		return;
	}
	if (engine_reload(e, c, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "reload refused: %s", err);
		conf_free(c);
		return;
	}
	log_set_level(c->log_level);
	log_msg(LOG_INFO, "configuration reloaded from %s", o->config);
}

/* serve - run libmilter in a thread and handle signals in this one.
 * libmilter's own signal thread stops the filter on SIGHUP; Linux hands
 * a process-directed signal to the main thread first when it is waiting
 * for it, so waiting here keeps SIGHUP a reload. */
static int serve(struct engine *e, const struct options *o, const sigset_t *set,
        const char *socket_spec)
{
	struct milter_thread mt = {pthread_self(), 0};
	pthread_t t;
	int sig = 0;

	if (pthread_create(&t, NULL, milter_main, &mt) != 0) {
		log_msg(LOG_ERR, "cannot start the milter thread");
		return 1;
	}
	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP)
			reload(e, o);
		else if (sig == SIGUSR1)
			engine_log_stats(e);
		else
			break;
	}
	log_msg(LOG_INFO, "stopping on signal %d", sig);
	stop_milter(socket_spec);
	pthread_join(t, NULL);
	/* libmilter gives callbacks about 5 s after a stop; wait as long for
	 * sessions still open before the store goes away */
	for (int i = 0; i < 50 && callbacks_active() > 0; i++)
		nanosleep(&(struct timespec){0, 100000000L}, NULL);
	return mt.rc == MI_SUCCESS ? 0 : 1;
}

/* start - everything between a valid configuration and serving */
static struct engine *start(struct conf *c, const struct options *o)
{
	char err[1024] = "";
	struct passwd *pw;
	struct engine *e = NULL;

	if (lookup_user(c->user, &pw) != 0 || callbacks_register() != 0 ||
	        open_socket(c, pw) != 0)
		return NULL;
	if (!o->foreground && daemonize() != 0) {
		log_msg(LOG_ERR, "cannot become a daemon: %s", strerror(errno));
		return NULL;
	}
	/* after the fork: an LMDB environment must not cross one */
	make_store_dir(c->store, pw);
	if (engine_new(c, &e, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		return NULL;
	}
	if (write_pid(c->pid_file) != 0 || drop_privileges(pw, c->store) != 0 ||
	        engine_start(e, err, sizeof(err)) != 0) {
		if (err[0] != '\0')
			log_msg(LOG_ERR, "%s", err);
		engine_free(e);
		return NULL;
	}
	callbacks_set_engine(e);
	return e;
}

/* main - check or print the configuration, or run */
int main(int argc, char **argv)
{
	struct options o = {0};
	char err[8192] = "", pid_file[4096], socket_spec[4096];
	struct conf *c;
	struct engine *e;
	sigset_t set;
	int rc;

	/* blocked before any thread exists, so that every thread inherits the
	 * mask and only serve() receives them */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	parse_args(argc, argv, &o);
	c = load(o.config, strcmp(o.config, DEFAULT_CONFIG) == 0, err,
	        sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "%s", err);
		return EXIT_CONFIG;
	}
	if (o.print || o.check) {
		if (o.print)
			conf_print(c, stdout);
		conf_free(c);
		return 0;
	}
	log_open("repmilter",
	        o.foreground ? log_foreground_where(_PATH_LOG) : LOG_TO_SYSLOG,
	        c->syslog_facility_value);
	log_set_level(c->log_level);
	smfi_settimeout((int)c->milter_timeout);
	snprintf(pid_file, sizeof(pid_file), "%s", c->pid_file);
	snprintf(socket_spec, sizeof(socket_spec), "%s", c->socket);
	if ((e = start(c, &o)) == NULL) {
		log_msg(LOG_ERR, "not started");
		return 1;
	}
	log_msg(LOG_INFO, "started: socket=%s store=%s version=%s", c->socket,
	        c->store, PACKAGE_VERSION);
	rc = serve(e, &o, &set, socket_spec);
	engine_log_stats(e);
	engine_free(e);
	if (pid_file[0] != '\0' && unlink(pid_file) != 0 && errno != ENOENT)
		log_msg(LOG_DEBUG, "pid file %s: %s", pid_file,
		        strerror(errno));
	log_msg(LOG_INFO, "stopped");
	log_close();
	return rc;
}
