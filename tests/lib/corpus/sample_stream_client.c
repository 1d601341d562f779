/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sample_stream_client.c: the guide's stream client (chapter 3) with a
 * program-defined SERVER_CID, a connect timeout at level afVMCI, and an
 * optional local address bound first (how a program on the host side picks
 * its end). Sends its standard input and prints the echo.
 * Part of the corpus of tests/lib/010 (built) and 011 (run in the guest).
 *
 *   sample_stream_client [SERVER_CID PORT [LOCAL_CID]]
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
	size_t len, done;
	ssize_t numbytes;

	afVMCI = VMCISock_GetAFValue();
	if (afVMCI == -1) {
		perror("VMCISock_GetAFValue");
		return 1;
	}
	if ((sockfd = socket(afVMCI, SOCK_STREAM, 0)) == -1) {
		perror("socket");
		return 1;
	}
	timeout.tv_sec = 10;
	timeout.tv_usec = 0;
	if (setsockopt(sockfd, afVMCI, SO_VMCI_CONNECT_TIMEOUT, &timeout,
		       sizeof timeout) == -1) {
		perror("setsockopt SO_VMCI_CONNECT_TIMEOUT");
		goto close;
	}
	if (argc > 3) {
		my_addr.svm_family = afVMCI;
		my_addr.svm_cid = (unsigned int)strtoul(argv[3], NULL, 10);
		my_addr.svm_port = VMADDR_PORT_ANY;
		if (bind(sockfd, (struct sockaddr *)&my_addr, sizeof my_addr) == -1) {
			perror("bind");
			goto close;
		}
	}
	their_addr.svm_family = afVMCI;
	their_addr.svm_cid = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : SERVER_CID;
	their_addr.svm_port = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 10) : SERVER_PORT;
	if (connect(sockfd, (struct sockaddr *)&their_addr, sizeof their_addr) == -1) {
		perror("connect");
		goto close;
	}
	while (fgets(send_buf, sizeof send_buf, stdin)) {
		len = strlen(send_buf);
		if (send(sockfd, send_buf, len, 0) != (ssize_t)len) {
			perror("send");
			goto close;
		}
		for (done = 0; done < len; done += (size_t)numbytes) {
			if ((numbytes = recv(sockfd, recv_buf, len - done, 0)) <= 0) {
				fprintf(stderr, "recv: %s\n", numbytes ? strerror(errno) :
					"the server closed the connection");
				goto close;
			}
			fwrite(recv_buf, 1, (size_t)numbytes, stdout);
		}
	}
	status = 0;
close:
	close(sockfd);
	return status;
}
