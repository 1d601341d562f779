// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_stress: load tests for the vmci_loop transport (guest only).
 *
 *   vsock_stress stream CID PORT CONNS BYTES
 *	CONNS concurrent stream connections to CID:PORT, each carrying BYTES
 *	of a pattern that depends on the connection and the offset; every
 *	byte is checked on arrival (loss, corruption and reordering show).
 *   vsock_stress dgram CID PORT COUNT SIZE
 *	COUNT datagrams of SIZE bytes to CID:PORT while the receiver does not
 *	read; then it drains its queue. Prints what it sent, what it received
 *	and what the receiving socket dropped (its own count, SO_MEMINFO).
 *
 * Both ends run in this process (the listener or receiver binds
 * VMADDR_CID_ANY:PORT). Exit status 0 when everything checked out.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sock_diag.h>
#include <linux/vm_sockets.h>

#define CHUNK (64 * 1024)

static unsigned int cid, port;
static uint64_t bytes_per_conn;
static int failures;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void fail(const char *fmt, unsigned int id, uint64_t off)
{
	pthread_mutex_lock(&fail_lock);
	failures++;
	fprintf(stderr, "vsock_stress: connection %u at byte %" PRIu64 ": %s\n",
		id, off, fmt);
	pthread_mutex_unlock(&fail_lock);
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The pattern of connection @id from byte @off on, @len bytes. */
static void fill(unsigned int id, uint64_t off, unsigned char *buf, size_t len)
{
	uint64_t base = (uint64_t)id << 40;

	while (len) {
		uint64_t w = mix(base ^ (off / 8));
		size_t o = off % 8, n = 8 - o;

		if (n > len)
			n = len;
		memcpy(buf, (unsigned char *)&w + o, n);
		buf += n;
		off += n;
		len -= n;
	}
}

static int vsock_socket(int type)
{
	int fd = socket(AF_VSOCK, type, 0);

	if (fd < 0) {
		perror("vsock_stress: socket(AF_VSOCK)");
		exit(1);
	}
	return fd;
}

static void *stream_writer(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = cid,
				  .svm_port = port };
	unsigned char *buf = malloc(CHUNK);
	uint64_t off = 0;
	int fd = vsock_socket(SOCK_STREAM);

	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fail(strerror(errno), id, 0);
		goto out;
	}
	if (send(fd, &id, sizeof(id), 0) != sizeof(id)) {
		fail("cannot send the connection id", id, 0);
		goto out;
	}
	while (off < bytes_per_conn) {
		size_t n = bytes_per_conn - off < CHUNK ? bytes_per_conn - off : CHUNK;
		ssize_t w;

		fill(id, off, buf, n);
		w = send(fd, buf, n, 0);
		if (w <= 0) {
			fail(w < 0 ? strerror(errno) : "short send", id, off);
			goto out;
		}
		off += w;
		/* What was not taken is sent again from the new offset. */
	}
out:
	close(fd);
	free(buf);
	return NULL;
}

static void *stream_reader(void *arg)
{
	int fd = (int)(intptr_t)arg;
	unsigned char *buf = malloc(CHUNK), *want = malloc(CHUNK);
	unsigned int id;
	uint64_t off = 0;
	ssize_t r;

	if (recv(fd, &id, sizeof(id), MSG_WAITALL) != sizeof(id)) {
		fail("no connection id", 0, 0);
		goto out;
	}
	while ((r = recv(fd, buf, CHUNK, 0)) > 0) {
		fill(id, off, want, r);
		if (memcmp(buf, want, r)) {
			fail("data differs from what was sent", id, off);
			goto out;
		}
		off += r;
	}
	if (r < 0)
		fail(strerror(errno), id, off);
	else if (off != bytes_per_conn)
		fail("connection ended early", id, off);
out:
	close(fd);
	free(buf);
	free(want);
	return NULL;
}

static int stream_test(unsigned int conns)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK,
				  .svm_cid = VMADDR_CID_ANY, .svm_port = port };
	pthread_t *w = calloc(conns, sizeof(*w)), *r = calloc(conns, sizeof(*r));
	int lfd = vsock_socket(SOCK_STREAM);
	unsigned int i;

	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, conns)) {
		perror("vsock_stress: bind/listen");
		return 1;
	}
	for (i = 0; i < conns; i++)
		pthread_create(&w[i], NULL, stream_writer, (void *)(uintptr_t)i);
	for (i = 0; i < conns; i++) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			perror("vsock_stress: accept");
			return 1;
		}
		pthread_create(&r[i], NULL, stream_reader, (void *)(intptr_t)fd);
	}
	for (i = 0; i < conns; i++) {
		pthread_join(w[i], NULL);
		pthread_join(r[i], NULL);
	}
	close(lfd);
	if (failures)
		return 1;
	printf("stream: %u connections x %" PRIu64 " bytes: all data arrived in order\n",
	       conns, bytes_per_conn);
	return 0;
}

static int dgram_test(unsigned long count, size_t size)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK,
				  .svm_cid = VMADDR_CID_ANY, .svm_port = port };
	struct sockaddr_vm to = { .svm_family = AF_VSOCK, .svm_cid = cid,
				  .svm_port = port };
	unsigned char *buf = calloc(1, size + 1);
	unsigned long sent = 0, received = 0, bad = 0, i;
	int rfd = vsock_socket(SOCK_DGRAM), sfd = vsock_socket(SOCK_DGRAM);
	struct pollfd pfd = { .fd = rfd, .events = POLLIN };

	if (bind(rfd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("vsock_stress: bind");
		return 1;
	}
	for (i = 0; i < count; i++) {
		memset(buf, (int)(i & 0xff), size);
		if (sendto(sfd, buf, size, 0, (struct sockaddr *)&to,
			   sizeof(to)) == (ssize_t)size)
			sent++;
	}
	/*
	 * Read until the socket has been quiet for 500 ms, or for 50 ms once
	 * every datagram sent is accounted for (received or dropped): long
	 * enough to see one that arrives twice, without a half-second wait
	 * in every load/unload cycle of tests/kernel/007.
	 */
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t mlen = sizeof(mem);

	for (;;) {
		if (getsockopt(rfd, SOL_SOCKET, SO_MEMINFO, mem, &mlen)) {
			perror("vsock_stress: SO_MEMINFO");
			return 1;
		}
		if (poll(&pfd, 1, received + mem[SK_MEMINFO_DROPS] >= sent ?
			 50 : 500) != 1)
			break;

		ssize_t r = recv(rfd, buf, size + 1, 0);

		if (r < 0)
			break;
		received++;
		if ((size_t)r != size)
			bad++;
	}
	printf("sent %lu received %lu dropped %u\n", sent, received,
	       mem[SK_MEMINFO_DROPS]);
	if (bad)
		fprintf(stderr, "vsock_stress: %lu datagrams had the wrong size\n", bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (access("/run/vmcifs-guest", F_OK)) {
		fprintf(stderr, "vsock_stress: not inside the vmcifs test guest: refusing to open AF_VSOCK sockets\n");
		return 77;
	}
	if (argc != 6) {
		fprintf(stderr, "usage: vsock_stress stream CID PORT CONNS BYTES\n"
				"       vsock_stress dgram CID PORT COUNT SIZE\n");
		return 2;
	}
	cid = strtoul(argv[2], NULL, 0);
	port = strtoul(argv[3], NULL, 0);
	if (!strcmp(argv[1], "stream")) {
		bytes_per_conn = strtoull(argv[5], NULL, 0);
		return stream_test(strtoul(argv[4], NULL, 0));
	}
	if (!strcmp(argv[1], "dgram"))
		return dgram_test(strtoul(argv[4], NULL, 0), strtoul(argv[5], NULL, 0));
	fprintf(stderr, "vsock_stress: unknown test '%s'\n", argv[1]);
	return 2;
}
