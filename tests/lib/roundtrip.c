// SPDX-License-Identifier: GPL-2.0-only
/*
 * roundtrip.c: a vsock stream round trip through one kernel.
 *
 *   roundtrip CID:PORT BYTES
 *
 * A child process listens on any:PORT and echoes one connection; the parent
 * connects to CID:PORT, a second child writes BYTES of a known pattern, and
 * the parent reads the echo back and checks every byte and the count. Run
 * in the vmcifs guest only (tests/lib/002).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmci.h"

#define CHUNK 65536

static unsigned char pattern(unsigned long long off)
{
	return (unsigned char)(off * 7 + (off >> 12));
}

static void die(const char *what)
{
	fprintf(stderr, "roundtrip: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The echo server: one connection, until the client's end of stream. */
static void serve(int lfd)
{
	static char buf[CHUNK];
	ssize_t n, m, off;
	int fd;

	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n; off += m) {
			m = write(fd, buf + off, n - off);
			if (m < 0)
				die("server write");
		}
	}
	if (n < 0)
		die("server read");
	close(fd);
	exit(0);
}

/* The writer: BYTES of the pattern, then end of stream. */
static void produce(int fd, unsigned long long bytes)
{
	static unsigned char buf[CHUNK];
	unsigned long long off = 0;
	size_t len, i;
	ssize_t n;

	while (off < bytes) {
		len = bytes - off < CHUNK ? bytes - off : CHUNK;
		for (i = 0; i < len; i++)
			buf[i] = pattern(off + i);
		n = write(fd, buf, len);
		if (n < 0)
			die("client write");
		off += n;
	}
	shutdown(fd, SHUT_WR);
	exit(0);
}

int main(int argc, char **argv)
{
	static unsigned char buf[CHUNK];
	struct sockaddr_vm addr, any;
	unsigned long long bytes, got = 0, bad = 0;
	char err[160], name[32];
	pid_t server, writer;
	int lfd, fd, status;
	ssize_t n, i;

	if (argc != 3) {
		fprintf(stderr, "usage: roundtrip CID:PORT BYTES\n");
		return 2;
	}
	if (vmci_parse_addr(argv[1], &addr, err, sizeof(err))) {
		fprintf(stderr, "roundtrip: %s\n", err);
		return 2;
	}
	bytes = strtoull(argv[2], NULL, 10);
	if (vmci_guest_guard()) {
		fprintf(stderr, "roundtrip: %s\n", vmci_guard_message());
		return 77;
	}

	/* Listen before forking: the connect below cannot come too early. */
	any = addr;
	any.svm_cid = VMADDR_CID_ANY;
	lfd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	if (bind(lfd, (struct sockaddr *)&any, sizeof(any)) < 0)
		die("bind");
	if (listen(lfd, 1) < 0)
		die("listen");
	server = fork();
	if (server < 0)
		die("fork");
	if (server == 0)
		serve(lfd);
	close(lfd);

	fd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	vmci_format_addr(name, sizeof(name), addr.svm_cid, addr.svm_port);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "roundtrip: connect to %s: %s\n", name, strerror(errno));
		kill(server, SIGKILL);
		return 1;
	}
	writer = fork();
	if (writer < 0)
		die("fork");
	if (writer == 0)
		produce(fd, bytes);

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			bad += buf[i] != pattern(got + i);
		got += n;
	}
	if (n < 0)
		die("client read");
	close(fd);

	waitpid(writer, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "roundtrip: the writer failed\n"), bad++;
	waitpid(server, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "roundtrip: the server failed\n"), bad++;

	fprintf(stderr, "roundtrip: %s: sent %llu, received %llu, %llu bad\n",
		name, bytes, got, bad);
	printf("round trip of %llu bytes: %s\n", bytes,
	       got == bytes && !bad ? "ok" : "FAIL");
	return got == bytes && !bad ? 0 : 1;
}
