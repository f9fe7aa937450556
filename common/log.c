/* log.c - syslog and stderr logging for the programs */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "repmilter";
static int log_where = LOG_TO_STDERR;
static int log_level = LOG_INFO;

/* log_open - remember where lines go; open syslog when asked */
void log_open(const char *ident, int where, int facility)
{
	log_ident = ident;
	log_where = where;
	if (where & LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

/* log_stderr_is_journal - JOURNAL_STREAM is "DEVICE:INODE" of the stream
 * systemd connected; stderr may since have been redirected elsewhere */
int log_stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	if (v == NULL || sscanf(v, "%llu:%llu%c", &dev, &ino, &end) != 2 ||
	        fstat(2, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

/* log_foreground_where - see log.h */
int log_foreground_where(const char *syslog_path)
{
	struct stat st;

	if (log_stderr_is_journal())
		return LOG_TO_SYSLOG;
	if (stat(syslog_path, &st) != 0 || !S_ISSOCK(st.st_mode))
		return LOG_TO_STDERR;
	return LOG_TO_SYSLOG | LOG_TO_STDERR;
}

/* log_set_level - the least important priority still logged */
void log_set_level(int prio)
{
	log_level = prio;
}

/* log_close - close syslog if it was opened */
void log_close(void)
{
	if (log_where & LOG_TO_SYSLOG)
		closelog();
}

/* log_vmsg - format once, then write to each destination */
void log_vmsg(int prio, const char *fmt, va_list ap)
{
	char line[2048];

	if (prio > log_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_where & LOG_TO_SYSLOG)
		syslog(prio, "%s", line);
	if (log_where & LOG_TO_STDERR)
		/* one fprintf per line keeps lines whole across threads */
		fprintf(stderr, "%s: %s\n", log_ident, line);
}

/* log_msg - log_vmsg with variable arguments */
void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

/* log_facility_parse - a facility name to its LOG_* value */
int log_facility_parse(const char *name)
{
	static const struct {
		const char *name;
		int value;
	} tab[] = {
	        {"mail", LOG_MAIL},
	        {"daemon", LOG_DAEMON},
	        {"user", LOG_USER},
	        {"local0", LOG_LOCAL0},
	        {"local1", LOG_LOCAL1},
	        {"local2", LOG_LOCAL2},
	        {"local3", LOG_LOCAL3},
	        {"local4", LOG_LOCAL4},
	        {"local5", LOG_LOCAL5},
	        {"local6", LOG_LOCAL6},
	        {"local7", LOG_LOCAL7},
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(name, tab[i].name) == 0)
			return tab[i].value;
	return -1;
}
