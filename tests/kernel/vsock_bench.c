// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_bench: one measurement of one transport, for scripts/bench.
 *
 *   vsock_bench ENDPOINT stream CHUNK SECONDS   receiver's MB/s
 *   vsock_bench ENDPOINT pingpong SECONDS       microseconds per round trip
 *   vsock_bench ENDPOINT dgram SIZE SECONDS     datagrams received per second
 *
 * ENDPOINT is vsock:CID (AF_VSOCK to CID, guest only), tcp or udp (over
 * 127.0.0.1; stream and pingpong use tcp, dgram uses udp). Both ends run in
 * this process, on two threads. Prints one number. With BENCH_ONE_CPU=1 in
 * the environment both threads run on CPU 0 (no cross-CPU wake-ups: the
 * transport's own cost, without the IPIs that dominate under TCG).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sched_setaffinity */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static int use_vsock;
static unsigned int vsock_cid;
static union {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_vm vm;
} peer;
static socklen_t peer_len;
static size_t chunk;
static atomic_int stop;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "vsock_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A bound socket of @type; fills in peer (the address to reach it). */
static int bound_socket(int type)
{
	int fd, one = 1;

	if (use_vsock) {
		static unsigned int next_port = 40000;

		fd = socket(AF_VSOCK, type, 0);
		if (fd < 0)
			die("socket(AF_VSOCK)");
		peer.vm = (struct sockaddr_vm){ .svm_family = AF_VSOCK,
						.svm_cid = VMADDR_CID_ANY,
						.svm_port = next_port++ };
		peer_len = sizeof(peer.vm);
		if (bind(fd, &peer.sa, peer_len))
			die("bind");
		peer.vm.svm_cid = vsock_cid;
		return fd;
	}
	fd = socket(AF_INET, type, 0);
	if (fd < 0)
		die("socket(AF_INET)");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	peer.in = (struct sockaddr_in){ .sin_family = AF_INET,
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	peer_len = sizeof(peer.in);
	if (bind(fd, &peer.sa, peer_len))
		die("bind");
	if (getsockname(fd, &peer.sa, &peer_len))
		die("getsockname");
	return fd;
}

static int connect_peer(int type)
{
	int fd = socket(peer.sa.sa_family, type, 0), one = 1;

	if (fd < 0)
		die("socket");
	if (connect(fd, &peer.sa, peer_len))
		die("connect");
	if (!use_vsock && type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void *stream_writer(void *arg __attribute__((unused)))
{
	char *buf = calloc(1, chunk);
	int fd = connect_peer(SOCK_STREAM);

	while (!atomic_load(&stop))
		if (send(fd, buf, chunk, MSG_NOSIGNAL) < 0)
			break;
	close(fd);
	free(buf);
	return NULL;
}

static double bench_stream(double secs)
{
	int lfd = bound_socket(SOCK_STREAM), fd;
	size_t bufsize = 256 * 1024;
	char *buf = malloc(bufsize);
	double t0, t;
	uint64_t total = 0;
	pthread_t th;

	listen(lfd, 1);
	pthread_create(&th, NULL, stream_writer, NULL);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	t0 = now();
	do {
		ssize_t r = recv(fd, buf, bufsize, 0);

		if (r <= 0)
			die("recv");
		total += r;
		t = now();
	} while (t - t0 < secs);
	atomic_store(&stop, 1);
	shutdown(fd, SHUT_RDWR);
	close(fd);
	pthread_join(th, NULL);
	close(lfd);
	return total / (t - t0) / 1e6;
}

static void *echo_server(void *arg)
{
	int fd = accept((int)(intptr_t)arg, NULL, NULL), one = 1;
	char c;

	if (!use_vsock)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (recv(fd, &c, 1, 0) == 1)
		if (send(fd, &c, 1, MSG_NOSIGNAL) != 1)
			break;
	close(fd);
	return NULL;
}

static double bench_pingpong(double secs)
{
	int lfd = bound_socket(SOCK_STREAM), fd;
	unsigned long n = 0;
	double t0, t;
	pthread_t th;
	char c = 'x';

	listen(lfd, 1);
	pthread_create(&th, NULL, echo_server, (void *)(intptr_t)lfd);
	fd = connect_peer(SOCK_STREAM);
	t0 = now();
	do {
		if (send(fd, &c, 1, 0) != 1 || recv(fd, &c, 1, 0) != 1)
			die("ping-pong");
		n++;
		t = (n & 63) ? t : now();
	} while ((n & 63) || t - t0 < secs);
	t = now();
	close(fd);
	pthread_join(th, NULL);
	close(lfd);
	return (t - t0) / n * 1e6;
}

static void *dgram_sender(void *arg __attribute__((unused)))
{
	char *buf = calloc(1, chunk);
	int fd = socket(peer.sa.sa_family, SOCK_DGRAM, 0);

	while (!atomic_load(&stop))
		sendto(fd, buf, chunk, 0, &peer.sa, peer_len);
	close(fd);
	free(buf);
	return NULL;
}

static double bench_dgram(double secs)
{
	int fd = bound_socket(SOCK_DGRAM);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	char *buf = malloc(chunk + 1);
	unsigned long n = 0;
	double t0, t;
	pthread_t th;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	pthread_create(&th, NULL, dgram_sender, NULL);
	if (recv(fd, buf, chunk + 1, 0) < 0)
		die("first datagram");
	t0 = now();
	do {
		if (recv(fd, buf, chunk + 1, 0) > 0)
			n++;
		t = now();
	} while (t - t0 < secs);
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	close(fd);
	return n / (t - t0);
}

int main(int argc, char **argv)
{
	const char *ep = argc > 1 ? argv[1] : "";
	const char *test = argc > 2 ? argv[2] : "";
	double secs;

	if (!strncmp(ep, "vsock:", 6)) {
		if (access("/run/vmcifs-guest", F_OK)) {
			fprintf(stderr, "vsock_bench: not inside the vmcifs test guest: refusing to open AF_VSOCK sockets\n");
			return 77;
		}
		use_vsock = 1;
		vsock_cid = strtoul(ep + 6, NULL, 0);
	} else if (strcmp(ep, "tcp") && strcmp(ep, "udp")) {
		argc = 0;
	}
	signal(SIGPIPE, SIG_IGN);
	if (getenv("BENCH_ONE_CPU") && atoi(getenv("BENCH_ONE_CPU"))) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}

	if (argc == 5 && !strcmp(test, "stream")) {
		chunk = strtoul(argv[3], NULL, 0);
		secs = atof(argv[4]);
		printf("%.1f\n", bench_stream(secs));
	} else if (argc == 4 && !strcmp(test, "pingpong")) {
		printf("%.1f\n", bench_pingpong(atof(argv[3])));
	} else if (argc == 5 && !strcmp(test, "dgram")) {
		chunk = strtoul(argv[3], NULL, 0);
		printf("%.0f\n", bench_dgram(atof(argv[4])));
	} else {
		fprintf(stderr, "usage: vsock_bench vsock:CID|tcp|udp stream CHUNK SECONDS\n"
				"       vsock_bench vsock:CID|tcp pingpong SECONDS\n"
				"       vsock_bench vsock:CID|udp dgram SIZE SECONDS\n");
		return 2;
	}
	return 0;
}
