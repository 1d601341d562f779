/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dgram_client.c: the guide's datagram client (chapter 4) with a
 * program-defined SERVER_CID: each line of standard input is one datagram
 * sent with sendto(), and the echo is read back with recvfrom() (a receive
 * timeout, since datagrams may be lost). An optional local CID is bound
 * first, as a program on the host side does. Part of the corpus of
 * tests/lib/010 and 011.
 *
 *   dgram_client [SERVER_CID PORT [LOCAL_CID]]
 *
 * matrix: c89 gnu89 c99 gnu99 c11 gnu11 c17 gnu17
 */
#include <stdlib.h>
#include <sys/time.h>

#include "vmci_sockets.h"

#define BUFSIZE 4096
#define SERVER_CID 2		/* the host */
#define SERVER_PORT 15000

int main(int argc, char **argv)
{
	struct sockaddr_vm my_addr = {0};
	struct sockaddr_vm their_addr = {0};
	struct timeval timeout;
	char send_buf[BUFSIZE], recv_buf[BUFSIZE];
	int afVMCI, sockfd, status = 1;
	ssize_t numbytes;

	if ((afVMCI = VMCISock_GetAFValue()) == -1) {
		perror("VMCISock_GetAFValue");
		return 1;
	}
	if ((sockfd = socket(afVMCI, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 1;
	}
	timeout.tv_sec = 10;
	timeout.tv_usec = 0;
	if (setsockopt(sockfd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) == -1) {
		perror("setsockopt SO_RCVTIMEO");
		goto close;
	}
	my_addr.svm_family = afVMCI;
	my_addr.svm_cid = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 10) : VMADDR_CID_ANY;
	my_addr.svm_port = VMADDR_PORT_ANY;
	if (bind(sockfd, (struct sockaddr *)&my_addr, sizeof my_addr) == -1) {
		perror("bind");
		goto close;
	}
	their_addr.svm_family = afVMCI;
	their_addr.svm_cid = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : SERVER_CID;
	their_addr.svm_port = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 10) : SERVER_PORT;
	while (fgets(send_buf, sizeof send_buf, stdin)) {
		if (sendto(sockfd, send_buf, strlen(send_buf), 0,
			   (struct sockaddr *)&their_addr, sizeof their_addr) == -1) {
			perror("sendto");
			goto close;
		}
		if ((numbytes = recvfrom(sockfd, recv_buf, sizeof recv_buf, 0,
					 NULL, NULL)) == -1) {
			perror("recvfrom");
			goto close;
		}
		fwrite(recv_buf, 1, (size_t)numbytes, stdout);
	}
	status = 0;
close:
	close(sockfd);
	return status;
}
