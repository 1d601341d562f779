/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sample_stream_server.c: a stream server in the style of VMware's vSockets
 * sample server: the family from VMCISock_GetAFValueFd(), the buffer sizes
 * set and read back at level afVMCI, one client echoed until it closes.
 * Part of the corpus of tests/lib/010 (built) and 011 (run in the guest).
 *
 *   sample_stream_server CID PORT      (CID -1: VMADDR_CID_ANY)
 *
 * matrix: c89 gnu89 c99 gnu99 c11 gnu11 c17 gnu17
 */
#include <stdlib.h>

#include "vmci_sockets.h"

#define BUFSIZE 4096
#define BUFFER_SIZE 65536
#define BUFFER_MIN 16384
#define BUFFER_MAX 131072

static int set_size(int fd, int af, int option, unsigned long long size)
{
	unsigned long long got = 0;
	socklen_t len = sizeof got;

	if (setsockopt(fd, af, option, &size, sizeof size) == -1) {
		perror("setsockopt");
		return -1;
	}
	if (getsockopt(fd, af, option, &got, &len) == -1) {
		perror("getsockopt");
		return -1;
	}
	if (got != size) {
		fprintf(stderr, "option %d: set %llu, read back %llu\n", option,
			size, got);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int vmciFd = -1, afVMCI, listenFd, fd, status = 1;
	struct sockaddr_vm addr, peer;
	socklen_t peerLen = sizeof peer;
	char buf[BUFSIZE];
	long total = 0;
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: sample_stream_server CID PORT\n");
		return 2;
	}
	afVMCI = VMCISock_GetAFValueFd(&vmciFd);
	if (afVMCI == -1) {
		fprintf(stderr, "vSockets unavailable: %s\n", strerror(errno));
		return 1;
	}
	listenFd = socket(afVMCI, SOCK_STREAM, 0);
	if (listenFd == -1) {
		perror("socket");
		goto release;
	}
	/* Max first: the size is clamped between min and max. */
	if (set_size(listenFd, afVMCI, SO_VMCI_BUFFER_MAX_SIZE, BUFFER_MAX) ||
	    set_size(listenFd, afVMCI, SO_VMCI_BUFFER_MIN_SIZE, BUFFER_MIN) ||
	    set_size(listenFd, afVMCI, SO_VMCI_BUFFER_SIZE, BUFFER_SIZE))
		goto close_listen;
	printf("buffer size %d (min %d, max %d)\n", BUFFER_SIZE, BUFFER_MIN,
	       BUFFER_MAX);

	memset(&addr, 0, sizeof addr);
	addr.svm_family = afVMCI;
	addr.svm_cid = (unsigned int)strtol(argv[1], NULL, 10);
	addr.svm_port = (unsigned int)strtoul(argv[2], NULL, 10);
	if (bind(listenFd, (struct sockaddr *)&addr, sizeof addr) == -1) {
		perror("bind");
		goto close_listen;
	}
	if (listen(listenFd, 1) == -1) {
		perror("listen");
		goto close_listen;
	}
	printf("listening\n");
	fflush(stdout);

	fd = accept(listenFd, (struct sockaddr *)&peer, &peerLen);
	if (fd == -1) {
		perror("accept");
		goto close_listen;
	}
	printf("connection from %u\n", peer.svm_cid);
	while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
		if (send(fd, buf, (size_t)n, 0) != n) {
			perror("send");
			break;
		}
		total += (long)n;
	}
	if (n == 0) {
		printf("echoed %ld bytes\n", total);
		status = 0;
	} else if (n == -1) {
		perror("recv");
	}
	close(fd);
close_listen:
	close(listenFd);
release:
	VMCISock_ReleaseAFValueFd(vmciFd);
	return status;
}
