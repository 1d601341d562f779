/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmci_stream_client.c: the stream client of the VMCI Sockets Programming
 * Guide, chapter 3 ("Having the Client Request a Connection"), as a whole
 * program. It uses only vmci_sockets.h, the way the guide does, and keeps
 * the guide's style (assignments in if conditions included).
 *
 *   vmci_stream_client [CID [PORT]]
 *
 * Connects to PORT (default 15000) of context CID (default SERVER_CID, 2:
 * the host, a constant of this program as in the guide),
 * sends each line of its standard input, prints what the server sends back
 * (vmci_stream_server echoes it), and closes the connection at end of input.
 * vmci_sockets.h is all it needs:
 * cc vmci_stream_client.c $(pkg-config --cflags vmci)
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
#define CONNECT_TIMEOUT_SEC 5

/* A 32-bit decimal number from the command line. */
static int parse_u32(const char *what, const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	v = strtoul(s, &end, 10);
	if (!*s || *end || v > 0xffffffffUL) {
		fprintf(stderr, "vmci_stream_client: bad %s '%s'\n", what, s);
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
	struct timeval timeout = { CONNECT_TIMEOUT_SEC, 0 };
	char send_buf[BUFSIZE];
	char recv_buf[BUFSIZE];
	ssize_t numbytes;
	size_t len, done;

	if (argc > 3 || (argc > 1 && parse_u32("CID", argv[1], &cid)) ||
	    (argc > 2 && parse_u32("port", argv[2], &port))) {
		fprintf(stderr, "usage: vmci_stream_client [CID [PORT]]\n");
		return 2;
	}

	afVMCI = VMCISock_GetAFValue();
	if (afVMCI == -1) {
		perror("VMCISock_GetAFValue");
		return 1;
	}

	if ((sockfd = socket(afVMCI, SOCK_STREAM, 0)) == -1) {
		perror("socket");
		goto exit;
	}

	/* Give up on a server that does not answer instead of waiting. */
	if (setsockopt(sockfd, afVMCI, SO_VMCI_CONNECT_TIMEOUT, &timeout,
		       sizeof(timeout)) == -1) {
		perror("setsockopt SO_VMCI_CONNECT_TIMEOUT");
		goto close;
	}

	their_addr.svm_family = afVMCI;
	their_addr.svm_cid = cid;
	their_addr.svm_port = port;
	if (connect(sockfd, (struct sockaddr *)&their_addr,
		    sizeof(their_addr)) == -1) {
		perror("connect");
		goto close;
	}

	while (fgets(send_buf, sizeof(send_buf), stdin)) {
		len = strlen(send_buf);
		for (done = 0; done < len; done += (size_t)numbytes) {
			numbytes = send(sockfd, send_buf + done, len - done, 0);
			if (numbytes == -1) {
				perror("send");
				goto close;
			}
		}
		/* A stream has no message boundaries: read the whole echo. */
		for (done = 0; done < len; done += (size_t)numbytes) {
			numbytes = recv(sockfd, recv_buf, len - done, 0);
			if (numbytes == -1) {
				perror("recv");
				goto close;
			}
			if (numbytes == 0) {
				fprintf(stderr, "vmci_stream_client: %s\n",
					"the server closed the connection");
				goto close;
			}
			fwrite(recv_buf, 1, (size_t)numbytes, stdout);
		}
	}
	fflush(stdout);
	status = 0;

close:
	close(sockfd);
exit:
	return status;
}
