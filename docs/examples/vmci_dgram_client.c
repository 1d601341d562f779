/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmci_dgram_client.c: the datagram client of the VMCI Sockets Programming
 * Guide, chapter 4 ("Having the Client Request a Connection"), as a whole
 * program. It uses only vmci_sockets.h, the way the guide does, and keeps
 * the guide's style (assignments in if conditions included).
 *
 *   vmci_dgram_client [CID [PORT]]
 *
 * Sends each line of its standard input as one datagram to PORT (default
 * 15000) of context CID (default SERVER_CID, 2: the host, a constant of this
 * program as in the guide) and prints the reply
 * (vmci_dgram_server echoes it). A reply that does not come within 5
 * seconds is an error: datagrams may be lost. Needs a vsock transport with
 * datagrams. vmci_sockets.h is all it needs:
 * cc vmci_dgram_client.c $(pkg-config --cflags vmci)
 *
 * matrix: c89 gnu89 c99 gnu99 c11 gnu11 c17 gnu17
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "vmci_sockets.h"

#define BUFSIZE 4096
#define SERVER_CID 2		/* the host */
#define DEFAULT_PORT 15000
#define REPLY_TIMEOUT_SEC 5

/* A 32-bit decimal number from the command line. */
static int parse_u32(const char *what, const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	v = strtoul(s, &end, 10);
	if (!*s || *end || v > 0xffffffffUL) {
		fprintf(stderr, "vmci_dgram_client: bad %s '%s'\n", what, s);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

int main(int argc, char **argv)
{
	int afVMCI, sockfd, status = 1;
	unsigned int cid = SERVER_CID, port = DEFAULT_PORT;
	struct sockaddr_vm their_addr = {0};
	struct sockaddr_vm from_addr;
	socklen_t from_addr_size;
	struct timeval timeout = { REPLY_TIMEOUT_SEC, 0 };
	char send_buf[BUFSIZE];
	char recv_buf[BUFSIZE];
	ssize_t numbytes;

	if (argc > 3 || (argc > 1 && parse_u32("CID", argv[1], &cid)) ||
	    (argc > 2 && parse_u32("port", argv[2], &port))) {
		fprintf(stderr, "usage: vmci_dgram_client [CID [PORT]]\n");
		return 2;
	}

	afVMCI = VMCISock_GetAFValue();
	if (afVMCI == -1) {
		perror("VMCISock_GetAFValue");
		return 1;
	}

	if ((sockfd = socket(afVMCI, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		goto exit;
	}

	/* Do not wait forever for a reply that was lost. */
	if (setsockopt(sockfd, SOL_SOCKET, SO_RCVTIMEO, &timeout,
		       sizeof(timeout)) == -1) {
		perror("setsockopt SO_RCVTIMEO");
		goto close;
	}

	/*
	 * Connectionless: every datagram names its destination. (connect()
	 * followed by send() works too and fixes the destination once.)
	 */
	their_addr.svm_family = afVMCI;
	their_addr.svm_cid = cid;
	their_addr.svm_port = port;

	while (fgets(send_buf, sizeof(send_buf), stdin)) {
		if (sendto(sockfd, send_buf, strlen(send_buf), 0,
			   (struct sockaddr *)&their_addr,
			   sizeof(their_addr)) == -1) {
			perror("sendto");
			goto close;
		}
		from_addr_size = sizeof(from_addr);
		if ((numbytes = recvfrom(sockfd, recv_buf, sizeof(recv_buf), 0,
					 (struct sockaddr *)&from_addr,
					 &from_addr_size)) == -1) {
			perror("recvfrom");
			goto close;
		}
		fwrite(recv_buf, 1, (size_t)numbytes, stdout);
	}
	fflush(stdout);
	status = 0;

close:
	close(sockfd);
exit:
	return status;
}
