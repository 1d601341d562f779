/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmci_dgram_server.c: the datagram server of the VMCI Sockets Programming
 * Guide, chapter 4 ("Preparing the Server for a Connection"), as a whole
 * program. It uses only vmci_sockets.h, the way the guide does, and keeps
 * the guide's style (assignments in if conditions included).
 *
 *   vmci_dgram_server [PORT [COUNT]]
 *
 * Binds PORT (default 15000; "any" lets the kernel choose) of any local
 * context, sends each of COUNT datagrams (default 1) back to where it came
 * from, and exits. Needs a vsock transport with datagrams (VMCI has them;
 * vsock_loopback and virtio do not). vmci_sockets.h is all it needs:
 * cc vmci_dgram_server.c $(pkg-config --cflags vmci)
 *
 * matrix: c89 gnu89 c99 gnu99 c11 gnu11 c17 gnu17
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmci_sockets.h"

#define BUFSIZE 4096
#define DEFAULT_PORT 15000

/* A 32-bit decimal number (or "any", if @any) from the command line. */
static int parse_u32(const char *what, const char *s, unsigned int any,
		     unsigned int *out)
{
	char *end;
	unsigned long v;

	if (any && !strcmp(s, "any")) {
		*out = any;
		return 0;
	}
	v = strtoul(s, &end, 10);
	if (!*s || *end || v > 0xffffffffUL) {
		fprintf(stderr, "vmci_dgram_server: bad %s '%s'\n", what, s);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

int main(int argc, char **argv)
{
	int afVMCI, sockfd, status = 1;
	unsigned int port = DEFAULT_PORT, count = 1, i;
	struct sockaddr_vm my_addr = {0};
	struct sockaddr_vm their_addr;
	socklen_t my_addr_size, their_addr_size;
	char recv_buf[BUFSIZE];
	ssize_t numbytes;

	if (argc > 3 ||
	    (argc > 1 && parse_u32("port", argv[1], VMADDR_PORT_ANY, &port)) ||
	    (argc > 2 && parse_u32("count", argv[2], 0, &count))) {
		fprintf(stderr, "usage: vmci_dgram_server [PORT [COUNT]]\n");
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

	my_addr.svm_family = afVMCI;
	my_addr.svm_cid = VMADDR_CID_ANY;
	my_addr.svm_port = port;
	if (bind(sockfd, (struct sockaddr *)&my_addr, sizeof(my_addr)) == -1) {
		perror("bind");
		goto close;
	}

	/* The address the client must use: which port did we get? */
	my_addr_size = sizeof(my_addr);
	if (getsockname(sockfd, (struct sockaddr *)&my_addr,
			&my_addr_size) == -1) {
		perror("getsockname");
		goto close;
	}
	printf("listening on port %u\n", my_addr.svm_port);
	fflush(stdout);

	for (i = 0; i < count; i++) {
		their_addr_size = sizeof(their_addr);
		if ((numbytes = recvfrom(sockfd, recv_buf, sizeof(recv_buf), 0,
					 (struct sockaddr *)&their_addr,
					 &their_addr_size)) == -1) {
			perror("recvfrom");
			goto close;
		}
		/* Connectionless: every reply says where it goes. */
		if (sendto(sockfd, recv_buf, numbytes, 0,
			   (struct sockaddr *)&their_addr,
			   sizeof(their_addr)) == -1) {
			perror("sendto");
			goto close;
		}
	}
	printf("echoed %u datagrams\n", count);
	status = 0;

close:
	close(sockfd);
exit:
	return status;
}
