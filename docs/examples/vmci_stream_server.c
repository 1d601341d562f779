/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmci_stream_server.c: the stream server of the VMCI Sockets Programming
 * Guide, chapter 3 ("Preparing the Server for a Connection"), as a whole
 * program. It uses only vmci_sockets.h, the way the guide does, and keeps
 * the guide's style (assignments in if conditions included).
 *
 *   vmci_stream_server [PORT]
 *
 * Listens on PORT (default 15000; "any" lets the kernel choose) of any
 * local context, accepts one client, echoes what it sends until it closes
 * the connection, and exits. vmci_sockets.h is all it needs:
 * cc vmci_stream_server.c $(pkg-config --cflags vmci)
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
#define CONNECTION_BACKLOG 10

/* PORT from the command line: a number or "any". */
static int parse_port(const char *s, unsigned int *port)
{
	char *end;
	unsigned long v;

	if (!strcmp(s, "any")) {
		*port = VMADDR_PORT_ANY;
		return 0;
	}
	v = strtoul(s, &end, 10);
	if (!*s || *end || v > 0xffffffffUL) {
		fprintf(stderr, "vmci_stream_server: bad port '%s'\n", s);
		return -1;
	}
	*port = (unsigned int)v;
	return 0;
}

int main(int argc, char **argv)
{
	int afVMCI, sockfd, newfd = -1, status = 1;
	unsigned int port = DEFAULT_PORT;
	struct sockaddr_vm my_addr = {0};
	struct sockaddr_vm their_addr;
	socklen_t addr_size;
	unsigned long long buffer_size;
	socklen_t buffer_size_len = sizeof(buffer_size);
	char recv_buf[BUFSIZE];
	ssize_t numbytes, sent, n;
	unsigned long long total = 0;

	if (argc > 2 || (argc == 2 && parse_port(argv[1], &port))) {
		fprintf(stderr, "usage: vmci_stream_server [PORT]\n");
		return 2;
	}

	/* The address family of VMCI sockets, in place of AF_INET. */
	afVMCI = VMCISock_GetAFValue();
	if (afVMCI == -1) {
		perror("VMCISock_GetAFValue");
		return 1;
	}

	if ((sockfd = socket(afVMCI, SOCK_STREAM, 0)) == -1) {
		perror("socket");
		goto exit;
	}

	/* Socket options use the address family as their level. */
	if (getsockopt(sockfd, afVMCI, SO_VMCI_BUFFER_SIZE, &buffer_size,
		       &buffer_size_len) == -1) {
		perror("getsockopt SO_VMCI_BUFFER_SIZE");
		goto close;
	}
	fprintf(stderr, "vmci_stream_server: socket buffer size %llu\n",
		buffer_size);

	my_addr.svm_family = afVMCI;
	my_addr.svm_cid = VMADDR_CID_ANY;
	my_addr.svm_port = port;
	if (bind(sockfd, (struct sockaddr *)&my_addr, sizeof(my_addr)) == -1) {
		perror("bind");
		goto close;
	}

	/* Which port did we get (matters with "any")? */
	addr_size = sizeof(my_addr);
	if (getsockname(sockfd, (struct sockaddr *)&my_addr, &addr_size) == -1) {
		perror("getsockname");
		goto close;
	}

	if (listen(sockfd, CONNECTION_BACKLOG) == -1) {
		perror("listen");
		goto close;
	}
	printf("listening on port %u\n", my_addr.svm_port);
	fflush(stdout);

	addr_size = sizeof(their_addr);
	if ((newfd = accept(sockfd, (struct sockaddr *)&their_addr,
			    &addr_size)) == -1) {
		perror("accept");
		goto close;
	}
	printf("connection from %u:%u\n", their_addr.svm_cid,
	       their_addr.svm_port);
	fflush(stdout);

	/* Echo until the client closes its end. */
	for (;;) {
		if ((numbytes = recv(newfd, recv_buf, sizeof(recv_buf), 0)) == -1) {
			perror("recv");
			goto close;
		}
		if (numbytes == 0)
			break;
		for (sent = 0; sent < numbytes; sent += n) {
			n = send(newfd, recv_buf + sent, numbytes - sent, 0);
			if (n == -1) {
				perror("send");
				goto close;
			}
		}
		total += numbytes;
	}
	printf("echoed %llu bytes\n", total);
	status = 0;

close:
	if (newfd != -1)
		close(newfd);
	close(sockfd);
exit:
	return status;
}
