/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dgram_server.c: the guide's datagram server (chapter 4): bind, report the
 * port with getsockname(), echo COUNT datagrams back with sendto(), each to
 * where it came from. Part of the corpus of tests/lib/010 and 011.
 *
 *   dgram_server CID PORT COUNT      (CID -1: VMADDR_CID_ANY)
 *
 * matrix: c89 gnu89 c99 gnu99 c11 gnu11 c17 gnu17
 */
#include <stdlib.h>

#include "vmci_sockets.h"

#define BUFSIZE 4096

int main(int argc, char **argv)
{
	struct sockaddr_vm my_addr = {0};
	struct sockaddr_vm their_addr;
	socklen_t my_addr_size, their_addr_size;
	char recv_buf[BUFSIZE];
	int afVMCI, sockfd, count, i;
	ssize_t numbytes;

	if (argc != 4) {
		fprintf(stderr, "usage: dgram_server CID PORT COUNT\n");
		return 2;
	}
	count = atoi(argv[3]);
	if ((afVMCI = VMCISock_GetAFValue()) == -1) {
		perror("VMCISock_GetAFValue");
		return 1;
	}
	if ((sockfd = socket(afVMCI, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 1;
	}
	my_addr.svm_family = afVMCI;
	my_addr.svm_cid = (unsigned int)strtol(argv[1], NULL, 10);
	my_addr.svm_port = (unsigned int)strtoul(argv[2], NULL, 10);
	if (bind(sockfd, (struct sockaddr *)&my_addr, sizeof my_addr) == -1) {
		perror("bind");
		goto close;
	}
	my_addr_size = sizeof my_addr;
	if (getsockname(sockfd, (struct sockaddr *)&my_addr, &my_addr_size) == -1) {
		perror("getsockname");
		goto close;
	}
	printf("bound to port %u\n", my_addr.svm_port);
	fflush(stdout);
	for (i = 0; i < count; i++) {
		their_addr_size = sizeof their_addr;
		if ((numbytes = recvfrom(sockfd, recv_buf, sizeof recv_buf, 0,
					 (struct sockaddr *)&their_addr,
					 &their_addr_size)) == -1) {
			perror("recvfrom");
			goto close;
		}
		printf("datagram of %ld bytes from %u\n", (long)numbytes,
		       their_addr.svm_cid);
		if (sendto(sockfd, recv_buf, (size_t)numbytes, 0,
			   (struct sockaddr *)&their_addr, sizeof their_addr) == -1) {
			perror("sendto");
			goto close;
		}
	}
	close(sockfd);
	return 0;
close:
	close(sockfd);
	return 1;
}
