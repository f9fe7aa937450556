/*
 * nodelay.h - TCP_NODELAY for the listening sockets of a libmilter
 * program. libmilter sets no TCP_NODELAY and does not hand out its
 * listening socket, so after smfi_opensocket() the program looks for it
 * among its open descriptors; Linux copies the option to every accepted
 * socket. Without it, a filter that writes a modification and then its
 * reply waits for the MTA's delayed ACK: 40 ms a message (DESIGN.md §8).
 *
 * For the test and benchmark filters; no state, any thread.
 */
#ifndef NODELAY_H
#define NODELAY_H

/* nodelay_listeners - set TCP_NODELAY on every listening TCP socket of
 * the process; returns how many, or -1 when the descriptors cannot be
 * listed */
int nodelay_listeners(void);

#endif /* NODELAY_H */
