/*
 * mc_internal.h - what the files of the milter client share (milterclient.c:
 * connection, negotiation, macros; mc_msg.c: steps and replies; mc_io.c:
 * socket and packets). Not for users of the library.
 */
#ifndef MC_INTERNAL_H
#define MC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "milterclient.h"

#define MC_OBUF_FLUSH 65536     /* flush buffered output beyond this */
#define MC_PACKET_MAX (1 << 22) /* largest reply packet we accept */

/* One macro set with mc_macro. */
struct mc_macro {
	char *name;
	char *value;
};

/* A final verdict that holds for later steps (of the connection or of the
 * message), with its own copy of the text. */
struct mc_sticky {
	int verdict; /* 0: none */
	int code;
	char *text;
	int step; /* MC_STEP_* that gave it */
};

enum mc_msg_state {
	MC_MSG_NONE, /* no message open */
	MC_MSG_OPEN, /* MAIL sent */
	MC_MSG_DONE  /* a final verdict came before EOM */
};

struct mc_conn {
	int fd;
	int broken; /* 0, or the MC_E* code of the error that broke it */
	int inet;
	struct mc_options o;
	char err[256];

	char *obuf; /* buffered outgoing packets */
	size_t olen, ocap;
	unsigned char rbuf[8192]; /* read-ahead */
	size_t rpos, rlen;
	char *pkt; /* payload of the last packet read */
	size_t pktlen, pktcap;

	uint32_t version, actions, protocol;
	char *symlist[MC_STAGE_COUNT];
	struct mc_macro *macros[MC_STAGE_COUNT];
	size_t nmacros[MC_STAGE_COUNT];

	struct mc_sticky conn; /* verdict for the whole connection */
	struct mc_sticky msg;  /* verdict for the rest of the message */
	enum mc_msg_state msg_state;
	int body_skip;
	size_t rcpt_ok; /* recipients not refused in this message */
	char queue_id[24];

	char *text; /* text of the last reply */
	struct mc_action *acts;
	char **actbufs; /* payload copies the actions point into */
	size_t nacts, actcap;
};

/* mc_fail - record an error, mark the connection broken when fatal;
 * returns err */
int mc_fail(struct mc_conn *c, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* mc_sock_open - connect to spec with the connect timeout; sets c->fd */
int mc_sock_open(struct mc_conn *c, const char *spec);

/* mc_put_begin - start a packet of command cmd in the output buffer;
 * returns its offset for mc_put_end */
size_t mc_put_begin(struct mc_conn *c, char cmd);

/* mc_put - append bytes to the packet being built */
void mc_put(struct mc_conn *c, const void *p, size_t n);

/* mc_put_str - append a string and its NUL */
void mc_put_str(struct mc_conn *c, const char *s);

/* mc_put_u32 - append a 32-bit integer in network order */
void mc_put_u32(struct mc_conn *c, uint32_t v);

/* mc_put_end - finish the packet begun at off: fill in its length */
int mc_put_end(struct mc_conn *c, size_t off);

/* mc_flush - write all buffered output, bounded by the timeout */
int mc_flush(struct mc_conn *c);

/* mc_read_packet - flush, then read one packet into c->pkt / c->pktlen;
 * its command letter in *cmd */
int mc_read_packet(struct mc_conn *c, char *cmd);

/* A macro the client fills in by itself. */
struct mc_kv {
	const char *name;
	const char *value; /* NULL: not sent */
};

/* mc_put_macros - the SMFIC_MACRO packet of a stage, if it has macros */
int mc_put_macros(
        struct mc_conn *c, int stage, const struct mc_kv *autos, size_t nautos);

/* mc_msg_refused - every recipient was refused: the message ends with r */
void mc_msg_refused(struct mc_conn *c, const struct mc_reply *r);

/* mc_msg_free - free what the message layer holds in c */
void mc_msg_free(struct mc_conn *c);

/* mc_xmalloc, mc_xrealloc, mc_xstrdup - allocation that cannot fail: a
 * test tool out of memory has nothing better to do than stop */
void *mc_xmalloc(size_t n);
void *mc_xrealloc(void *p, size_t n);
char *mc_xstrdup(const char *s);

#endif /* MC_INTERNAL_H */
