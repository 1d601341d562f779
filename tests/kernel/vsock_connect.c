// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_connect: one stream connect with a given connect timeout (guest only).
 *
 *   vsock_connect CID PORT TIMEOUT_MS [nonblock]
 *
 * Sets SO_VM_SOCKETS_CONNECT_TIMEOUT (Python cannot: it is a timeval) and
 * connects; with "nonblock" connects without blocking and waits for the
 * outcome with poll(). Prints the outcome (ok or the errno name; for
 * nonblock first the immediate result) and the seconds it took.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static const char *errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECONNRESET: return "ECONNRESET";
	case EINPROGRESS: return "EINPROGRESS";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ENETUNREACH: return "ENETUNREACH";
	case EINVAL: return "EINVAL";
	default: return strerror(e);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK };
	struct timespec t0, t1;
	struct timeval tv;
	long ms;
	int fd, err;

	if (access("/run/vmcifs-guest", F_OK)) {
		fprintf(stderr, "vsock_connect: not inside the vmcifs test guest: refusing to open AF_VSOCK sockets\n");
		return 77;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: vsock_connect CID PORT TIMEOUT_MS [nonblock]\n");
		return 2;
	}
	sa.svm_cid = strtoul(argv[1], NULL, 0);
	sa.svm_port = strtoul(argv[2], NULL, 0);
	ms = strtol(argv[3], NULL, 0);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = ms % 1000 * 1000;

	fd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT,
				 &tv, sizeof(tv))) {
		perror("vsock_connect: socket/setsockopt");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (argc > 4 && !strcmp(argv[4], "nonblock")) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		socklen_t len = sizeof(err);

		fcntl(fd, F_SETFL, O_NONBLOCK);
		err = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
		printf("%s, then ", errname(err));
		poll(&p, 1, 10000);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	} else {
		err = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s %.2f\n", errname(err), (t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	close(fd);
	return 0;
}
