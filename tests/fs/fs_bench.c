// SPDX-License-Identifier: GPL-2.0-only
/*
 * fs_bench: the measuring ends of scripts/bench-fs (vmcifs against a raw
 * AF_VSOCK socket on the same transport). Guest only (vmci_guest_guard).
 *
 *   fs_bench sink PORT                 accept one stream, read it to EOF,
 *                                      print its MB/s (first byte to EOF)
 *   fs_bench send CID PORT MIB         raw socket: send MIB MiB in 1 MiB writes
 *   fs_bench send-file PATH MIB        the same into a file (/vmci/CID/PORT,
 *                                      or /dev/stdout for a pipeline)
 *   fs_bench echo PORT                 echo server for one connection
 *   fs_bench ping CID PORT N           raw: N 1-byte round trips, print us each
 *   fs_bench ping-file PATH N          the same through a file
 *   fs_bench hold PORT N               accept up to N connections, keep them
 *                                      until stdin closes
 *   fs_bench open-many PATH N          open PATH up to N times, stopping at
 *                                      the first error; print "opened K" and
 *                                      "next: ERROR" (or "next: -"), keep
 *                                      them until stdin closes
 *   fs_bench accept-close PORT N       accept and close N connections
 *   fs_bench connect-close CID PORT N  raw: N connects, each closed at once,
 *                                      print us each; then, if any failed,
 *                                      "failed K: ERROR" (the first error)
 *   fs_bench open-close PATH N         the same as opens of PATH
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include <vmci.h>

#define MIB (1 << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "fs_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int vsock(int type)
{
	int fd;

	if (vmci_guest_guard() < 0) {
		fprintf(stderr, "fs_bench: %s\n", vmci_guard_message());
		exit(1);
	}
	fd = socket(AF_VSOCK, type, 0);
	if (fd < 0)
		die("socket");
	return fd;
}

static int listen_on(unsigned int port)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
				 .svm_port = port };
	int fd = vsock(SOCK_STREAM);

	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1024) < 0)
		die("bind/listen");
	return fd;
}

/* A connected stream socket, or -1 with errno. */
static int try_dial(unsigned int cid, unsigned int port)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = cid,
				 .svm_port = port };
	int fd = vsock(SOCK_STREAM), err;

	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static int dial(unsigned int cid, unsigned int port)
{
	int fd = try_dial(cid, port);

	if (fd < 0)
		die("connect");
	return fd;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0)
			die("write");
		buf += n;
		len -= n;
	}
}

static void send_mib(int fd, long mib)
{
	char *buf = malloc(MIB);

	for (int i = 0; i < MIB; i++)
		buf[i] = (char)(i * 7);
	for (long i = 0; i < mib; i++)
		write_all(fd, buf, MIB);
	free(buf);
}

static void ping(int fd, long n)
{
	char c = 'p';
	double t0 = now();

	for (long i = 0; i < n; i++) {
		write_all(fd, &c, 1);
		if (read(fd, &c, 1) != 1)
			die("read");
	}
	printf("%.1f\n", (now() - t0) / n * 1e6);
}

/* Microseconds per connection of N connect+close (raw, or an open of @path). */
static void connect_close(unsigned int cid, unsigned int port, const char *path,
			  long n)
{
	double t0 = now();
	long failed = 0;
	int first = 0;

	/* A failed one is counted and shown, not hidden: it is a finding. */
	for (long i = 0; i < n; i++) {
		int fd = path ? open(path, O_RDWR) : try_dial(cid, port);

		if (fd < 0) {
			if (!failed++)
				first = errno;
			continue;
		}
		close(fd);
	}
	printf("%.1f", (now() - t0) / n * 1e6);
	if (failed)
		printf(" failed %ld: %s", failed, strerror(first));
	printf("\n");
}

static void wait_stdin(void)
{
	char c;

	while (read(0, &c, 1) > 0)
		;
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 65536, 65536 };
	const char *mode = argc > 1 ? argv[1] : "";

	setrlimit(RLIMIT_NOFILE, &rl);
	if (!strcmp(mode, "sink") && argc == 3) {
		int l = listen_on(atoi(argv[2])), fd = accept(l, NULL, NULL);
		char *buf = malloc(MIB);
		double t0 = 0;
		long long total = 0;
		ssize_t n;

		if (fd < 0)
			die("accept");
		while ((n = read(fd, buf, MIB)) > 0) {
			if (!total)
				t0 = now();
			total += n;
		}
		printf("%.1f\n", total / 1e6 / (now() - t0));
		return 0;
	}
	if (!strcmp(mode, "send") && argc == 5) {
		send_mib(dial(atoi(argv[2]), atoi(argv[3])), atol(argv[4]));
		return 0;
	}
	if (!strcmp(mode, "send-file") && argc == 4) {
		int fd = open(argv[2], O_WRONLY);

		if (fd < 0)
			die(argv[2]);
		send_mib(fd, atol(argv[3]));
		return 0;
	}
	if (!strcmp(mode, "echo") && argc == 3) {
		int l = listen_on(atoi(argv[2])), fd = accept(l, NULL, NULL);
		char c;

		while (read(fd, &c, 1) == 1)
			write_all(fd, &c, 1);
		return 0;
	}
	if (!strcmp(mode, "ping") && argc == 5) {
		ping(dial(atoi(argv[2]), atoi(argv[3])), atol(argv[4]));
		return 0;
	}
	if (!strcmp(mode, "ping-file") && argc == 4) {
		int fd = open(argv[2], O_RDWR);

		if (fd < 0)
			die(argv[2]);
		ping(fd, atol(argv[3]));
		return 0;
	}
	if (!strcmp(mode, "hold") && argc == 4) {
		/* Accept until stdin closes: fewer than N may come (a cap). */
		struct pollfd p[2] = { { .fd = 0, .events = POLLIN },
				       { .fd = listen_on(atoi(argv[2])), .events = POLLIN } };
		int left = atoi(argv[3]);
		char c;

		for (;;) {
			if (poll(p, left ? 2 : 1, -1) < 0)
				die("poll");
			if (p[0].revents && read(0, &c, 1) <= 0)
				return 0;
			if (left && (p[1].revents & POLLIN)) {
				if (accept(p[1].fd, NULL, NULL) < 0)
					die("accept");
				left--;
			}
		}
	}
	if (!strcmp(mode, "open-many") && argc == 4) {
		int i, n = atoi(argv[3]), err = 0;

		for (i = 0; i < n; i++) {
			if (open(argv[2], O_RDWR) < 0) {
				err = errno;
				break;
			}
		}
		printf("opened %d\nnext: %s\n", i, err ? strerror(err) : "-");
		fflush(stdout);
		wait_stdin();
		return 0;
	}
	if (!strcmp(mode, "accept-close") && argc == 4) {
		int l = listen_on(atoi(argv[2]));

		for (int i = 0; i < atoi(argv[3]); i++) {
			int fd = accept(l, NULL, NULL);

			if (fd < 0)
				die("accept");
			close(fd);
		}
		return 0;
	}
	if (!strcmp(mode, "connect-close") && argc == 5) {
		connect_close(atoi(argv[2]), atoi(argv[3]), NULL, atol(argv[4]));
		return 0;
	}
	if (!strcmp(mode, "open-close") && argc == 4) {
		connect_close(0, 0, argv[2], atol(argv[3]));
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of tests/fs/fs_bench.c\n");
	return 2;
}
