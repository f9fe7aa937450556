/*
 * nodelay.c - TCP_NODELAY on the listening sockets of the process (see
 * nodelay.h).
 */
#include <config.h>

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "nodelay.h"

/* is_tcp_listener - whether fd is a listening IPv4 or IPv6 stream socket */
static int is_tcp_listener(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int listening = 0;
	socklen_t ol = sizeof listening;

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ol) != 0 ||
	        !listening)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	return ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
}

/* nodelay_listeners - walk /proc/self/fd and set the option */
int nodelay_listeners(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int one = 1, n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dirfd(d))
			continue;
		if (is_tcp_listener(fd) &&
		        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		                sizeof one) == 0)
			n++;
	}
	closedir(d);
	return n;
}
