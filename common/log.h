/*
 * log.h - one logging module for the programs: syslog for the daemon, and
 * stderr as well when it runs in the foreground or for the tools.
 *
 * THREADS
 *	log_open and log_set_* are called at start, before threads exist.
 *	log_msg may then be called from any thread; each call writes one line.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdarg.h>
#include <syslog.h>

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

enum {
	LOG_TO_SYSLOG = 1,
	LOG_TO_STDERR = 2,
};

/* log_open - start logging as `ident` to `where` (LOG_TO_*), with syslog
 * facility `facility` (LOG_MAIL, ...) */
void log_open(const char *ident, int where, int facility);

/* log_stderr_is_journal - is stderr systemd's journal (JOURNAL_STREAM
 * names its device and inode)? There, syslog lines reach the journal
 * already and a copy on stderr would log each line twice. */
int log_stderr_is_journal(void);

/* log_foreground_where - where a process in the foreground logs (LOG_TO_*),
 * `syslog_path` being syslog's socket (_PATH_LOG): syslog only when stderr
 * is the journal; stderr only when nothing listens at syslog_path (a
 * container: glibc would try to connect again for every line); else
 * both */
int log_foreground_where(const char *syslog_path);

/* log_set_level - drop messages less important than `prio` (LOG_DEBUG..) */
void log_set_level(int prio);

/* log_close - close syslog */
void log_close(void);

/* log_msg - one line at priority `prio` (LOG_ERR, LOG_WARNING, LOG_INFO,
 * LOG_DEBUG); no trailing newline */
void log_msg(int prio, const char *fmt, ...) LOG_PRINTF(2, 3);
void log_vmsg(int prio, const char *fmt, va_list ap);

/* log_facility_parse - "mail", "local0".."local7", "daemon", "user" to a
 * LOG_* facility; -1 when unknown */
int log_facility_parse(const char *name);

#endif /* COMMON_LOG_H */
