/*
 * smtpsend.h - what the parts of smtpsend share: the options, the
 * envelope of a message, a connection and a reply, and the functions
 * smtpsend.c (the protocol, the sequential mode, the command line) and
 * smtpsend_load.c (message files, the -L list and the -C workers) call
 * across. Internal to the program.
 */
#ifndef SMTPSEND_H
#define SMTPSEND_H

#include <setjmp.h>
#include <stdatomic.h>
#include <stddef.h>

#define SEND_LINE_MAX 4096 /* longest reply line we accept */
#define SEND_RCPT_MAX 16
#define SEND_LIST_MAX 1000000  /* lines of a -L list */
#define SEND_FILES_MAX 200000  /* distinct files it names */
#define SEND_WORKERS_MAX 1000  /* -C */
#define SEND_FAILS_MAX 10      /* a worker gives up after this many in a row */
#define SEND_FILE_MAX 67108864 /* bytes of one -L message file */
#define SEND_OUT_SIZE 65536    /* send_text's buffer */

/* What the command line asked for. */
struct opts {
	const char *host;
	unsigned port;
	const char *ehlo;
	const char *xaddr; /* XCLIENT ADDR=; NULL: no XCLIENT */
	const char *xname; /* XCLIENT NAME= */
	const char *xhelo; /* XCLIENT HELO= */
	const char *from;
	const char *rcpt[SEND_RCPT_MAX];
	unsigned nrcpt;
	const char *file; /* message file; NULL: generate one */
	const char *subject;
	const char *tag;     /* token prefix; NULL: none printed */
	unsigned count;      /* messages in all */
	int count_set;       /* -n given */
	unsigned conns;      /* connections they are spread over */
	unsigned body_bytes; /* generated body size, about */
	int timeout_ms;
	int timing;
	int verbose;
	const char *list;  /* -L: the message list; NULL: none */
	unsigned workers;  /* -C: sessions at once; 0: the sequential mode */
	unsigned per_conn; /* -k: messages per session with -C */
	unsigned duration; /* -D: seconds after which -C claims no more */
	int stamps;        /* -U */
};

/*
 * What one message goes with: the client to pose as (XCLIENT), the
 * envelope and the content. The sequential mode has one, from the options;
 * -L has one per line of the list.
 */
struct envelope {
	const char *xaddr; /* XCLIENT ADDR=; all three NULL: no XCLIENT */
	const char *xname; /* XCLIENT NAME= */
	const char *xhelo; /* XCLIENT HELO= */
	const char *from;
	const char *rcpt[SEND_RCPT_MAX];
	unsigned nrcpt;
	const char *data; /* the content; NULL: generate one */
	size_t len;
};

/* What the workers of -C share (an anonymous shared mapping). */
struct shared {
	atomic_uint next; /* messages claimed so far */
};

/* One connection: the socket and its read buffer. */
struct conn {
	int fd;
	char buf[SEND_LINE_MAX * 2];
	size_t len;
};

/* A reply: code, and the text of every line joined by spaces. */
struct reply {
	int code;
	char text[SEND_LINE_MAX * 2];
};

extern struct opts opt;
extern char *file_data; /* the -m file, read once */
extern size_t file_len;
extern struct envelope *list_env; /* -L: one per line */
extern unsigned list_len;

/* smtpsend.c: the protocol */
extern jmp_buf fail_jmp; /* armed by a -C worker: fail() returns there */
extern int fail_armed;
extern char fail_msg[512];
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
long long now_ms(void);
long long now_us(void);
char *slurp(const char *path, size_t *len);
void conn_close(struct conn *c);
int session_start(struct conn *c, const struct envelope *e, struct reply *r);
void transaction(struct conn *c, const struct envelope *e, const char *tok,
        struct reply *r, long long *t_mail);
void report(const char *tok, long long ms, const struct reply *r,
        long long t_mail, long long t_end);
void quit(struct conn *c);
void token(unsigned i, char *out, size_t size);
const struct envelope *envelope_of(unsigned i, struct envelope *base);
void envelope_base(struct envelope *e);

/* smtpsend_load.c: inputs (-m, -L) and the -C workers */
void read_file(const char *path);
void read_list(const char *path);
void send_concurrent(void);
void free_ports(unsigned n);

#endif /* SMTPSEND_H */
