// SPDX-License-Identifier: GPL-2.0-only
/*
 * conn_test: unit tests of the connection engine (fs/conn.c, listener.c,
 * quota.c) on the build machine, with no guest and no vsock: a fake front
 * end records every reply, and the engine's sockets are AF_UNIX (a
 * socketpair per connection, abstract-namespace sockets for listeners).
 *
 *   conn_test            prints "ok N - what" per check, exits 1 on a failure
 *
 * Belt and braces: the engine is built without vsock.c, and before anything
 * else this process installs a seccomp filter that kills it on any
 * socket(AF_VSOCK, ...) or socketpair(AF_VSOCK, ...). The filter is proved
 * in a child on a harmless family (AF_DECnet), never on AF_VSOCK itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn.h"
#include "connector.h"
#include "listener.h"
#include "loop.h"
#include "quota.h"
#include "ring.h"
#include "sender.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* ------------------------------------------------------------ the belt */

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#else
#error "conn_test: add this architecture's AUDIT_ARCH"
#endif

/* Kill the process on socket(@family, ...) and socketpair(@family, ...). */
static int refuse_family(int family)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
		/* x32 system calls have other numbers: none of them either. */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socketpair, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)family, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* ------------------------------------------------------------ reporting */

static int checks, failures;

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	printf("%s %d - ", ok ? "ok" : "not ok", checks);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

static void die(const char *what)
{
	printf("conn_test: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ------------------------------------------------------------ the fake front end */

enum reply_kind { R_NONE, R_ERROR, R_DATA, R_WRITTEN, R_OPENED };

struct request {
	int replies;		/* how many: must be 1 at the end */
	enum reply_kind kind;
	int err;
	size_t len;
	char data[1024];	/* the start of a data reply */
	struct conn *conn;
	uintptr_t cookie;
	void *pending;		/* what on_interrupt was given */
	bool opener_gone;	/* reply_opened says the caller left */
	bool dying;		/* caller_dying says the caller is being killed */
};

#define MAX_REQUESTS 256
static struct request requests[MAX_REQUESTS];
static int nrequests, extra_replies;
static int poll_notified;
static int dying_probes;	/* caller_dying() calls */

static struct request *new_request(void)
{
	struct request *r;

	if (nrequests == MAX_REQUESTS)
		nrequests = 0;	/* each test checks its own before reuse */
	r = &requests[nrequests++];
	memset(r, 0, sizeof(*r));
	return r;
}

static void replied(struct request *r, enum reply_kind kind)
{
	if (r->replies++)
		extra_replies++;
	r->kind = kind;
}

static void fake_reply_error(struct request *r, int err)
{
	replied(r, R_ERROR);
	r->err = err;
}

static void fake_reply_data(struct request *r, const void *buf, size_t len)
{
	replied(r, R_DATA);
	r->len = len;
	memcpy(r->data, buf, len < sizeof(r->data) ? len : sizeof(r->data));
}

static void fake_reply_written(struct request *r, size_t len)
{
	replied(r, R_WRITTEN);
	r->len = len;
}

static bool fake_reply_opened(struct request *r, struct conn *c, uintptr_t cookie)
{
	replied(r, R_OPENED);
	r->conn = c;
	r->cookie = cookie;
	return !r->opener_gone;
}

static void fake_on_interrupt(struct request *r, void *pending)
{
	r->pending = pending;
}

static bool fake_caller_dying(struct request *r)
{
	dying_probes++;
	return r->dying;
}

static void fake_poll_notify(void *ph)
{
	(void)ph;
	poll_notified++;
}

static void fake_poll_drop(void *ph)
{
	(void)ph;
}

/* The "request buffer" of the write being handled, as session.c keeps it. */
static char *current_buffer;
static size_t current_size;
static int kept_buffers;

static void *fake_keep_data(const void *data)
{
	char *base = current_buffer;

	if (!base || (const char *)data < base || (const char *)data >= base + current_size)
		return NULL;
	current_buffer = NULL;
	kept_buffers++;
	return base;
}

static void fake_return_data(void *buf)
{
	kept_buffers--;
	free(buf);
}

static const struct conn_frontend fake_frontend = {
	.reply_error = fake_reply_error,
	.reply_data = fake_reply_data,
	.reply_written = fake_reply_written,
	.reply_opened = fake_reply_opened,
	.on_interrupt = fake_on_interrupt,
	.caller_dying = fake_caller_dying,
	.poll_notify = fake_poll_notify,
	.poll_drop = fake_poll_drop,
	.keep_data = fake_keep_data,
	.return_data = fake_return_data,
};

/* ------------------------------------------------------------ the fake sockets */

#define SMALL_SNDBUF 4096
#define MAX_FDS 1024
static int last_peer = -1;	/* the other end of the last connect */
static int peer_of[MAX_FDS];	/* the other end of each connect, by fd */
static int connect_error;	/* -errno to fail the next connect */
/* The next connect hangs until it is cut (a signal: EINTR), or 30 s. */
static bool connect_hangs;
static int connects_hanging;	/* atomic: connects in that hang now */

static int fake_dial_socket(enum conn_kind kind)
{
	int sv[2], size = SMALL_SNDBUF;
	int type = kind == CONN_STREAM ? SOCK_STREAM :
		kind == CONN_SEQPACKET ? SOCK_SEQPACKET : SOCK_DGRAM;

	/* Blocking, like the daemon's: the engine sets O_NONBLOCK itself. */
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	/* Small buffers: a write bigger than a few KiB must wait for the peer. */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	last_peer = sv[1];
	if (sv[0] < MAX_FDS)
		peer_of[sv[0]] = sv[1];
	return sv[0];
}

/* In a connect thread (streams): the settings were made before it started. */
static int fake_connect(int fd, unsigned int cid, unsigned int port)
{
	int err = connect_error;

	(void)fd;
	(void)cid;
	(void)port;
	connect_error = 0;
	if (connect_hangs) {
		int r;

		connect_hangs = false;
		__atomic_add_fetch(&connects_hanging, 1, __ATOMIC_SEQ_CST);
		/* What vsock_connect does while it waits: a signal ends it. */
		r = poll(NULL, 0, 30000) < 0 ? -errno : -ETIMEDOUT;
		__atomic_sub_fetch(&connects_hanging, 1, __ATOMIC_SEQ_CST);
		return r;
	}
	return err;
}

static socklen_t listen_addr(unsigned int port, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	/* Abstract names: nothing in the file system, gone with the socket. */
	snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1, "vmcifs-conn-test-%d-%u",
		 (int)getpid(), port);
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sun->sun_path + 1);
}

static int fake_bind(enum conn_kind kind, unsigned int port)
{
	struct sockaddr_un sun;
	socklen_t len = listen_addr(port, &sun);
	int type = kind == CONN_LISTEN ? SOCK_STREAM :
		kind == CONN_LISTEN_SEQPACKET ? SOCK_SEQPACKET : SOCK_DGRAM;
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, len) == 0 &&
	    (type == SOCK_DGRAM || listen(fd, 16) == 0))
		return fd;
	err = errno;
	close(fd);
	return -err;
}

/* The port of an AF_UNIX address made by listen_addr(), or 0. */
static unsigned int port_of(const struct sockaddr_un *sun, socklen_t len)
{
	const char *name = sun->sun_path + 1;
	const char *dash = len > offsetof(struct sockaddr_un, sun_path) + 1 ?
		strrchr(name, '-') : NULL;

	return dash ? (unsigned int)strtoul(dash + 1, NULL, 10) : 0;
}

/* Senders are "CID 2" and the port their socket was bound to. */
static ssize_t fake_recv_from(int fd, void *buf, size_t size, unsigned int *cid,
			      unsigned int *port)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	ssize_t n = recvfrom(fd, buf, size, MSG_DONTWAIT, (struct sockaddr *)&sun, &len);

	if (n < 0)
		return -errno;
	*cid = 2;
	*port = port_of(&sun, len);
	return n;
}

static ssize_t fake_send_to(int fd, const void *buf, size_t len, unsigned int cid,
			    unsigned int port)
{
	struct sockaddr_un sun;
	socklen_t alen = listen_addr(port, &sun);
	ssize_t n;

	(void)cid;
	n = sendto(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sun, alen);
	return n < 0 ? -errno : n;
}

/*
 * A message of GATED_LEN bytes is what vsock does with one bigger than the
 * room the peer has left: poll said there was room, the send has begun,
 * and it blocks for the rest. Here it blocks in its helper thread until
 * the test writes a byte to the gate (one byte, one message), or, as
 * vsock's blocked send, until its socket's write side is shut down (seen
 * as end of file at the peer): then EPIPE.
 */
#define GATED_LEN 777
static int gate[2] = { -1, -1 };

static void gate_open(void)
{
	if (pipe(gate) < 0)
		die("pipe");
}

static void gate_close(void)
{
	close(gate[0]);
	close(gate[1]);
	gate[0] = gate[1] = -1;
}

static int wait_gate(int fd)
{
	struct pollfd pfd[2] = {
		{ .fd = gate[0], .events = POLLIN },
		{ .fd = fd < MAX_FDS ? peer_of[fd] : -1, .events = POLLRDHUP },
	};
	char one;

	while (poll(pfd, 2, -1) < 0)
		if (errno != EINTR)
			return -EIO;
	if (pfd[1].revents & (POLLRDHUP | POLLHUP))
		return -EPIPE;
	return read(gate[0], &one, 1) == 1 ? 0 : -EIO;
}

static ssize_t fake_send_message(int fd, const void *buf, size_t len)
{
	ssize_t n;

	if (len == GATED_LEN) {
		int err = wait_gate(fd);

		if (err)
			return err;
	}
	n = send(fd, buf, len, MSG_NOSIGNAL);

	return n < 0 ? -errno : n;
}

/*
 * vsock's zero-length send says EPIPE once the peer shut its read side, and
 * sends nothing; AF_UNIX's would send an empty message. So ask the peer
 * end itself: its read side is shut (POLLRDHUP), and a send would fail.
 */
static int fake_send_error(int fd)
{
	struct pollfd pfd = { .fd = fd < MAX_FDS ? peer_of[fd] : -1, .events = POLLRDHUP };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLRDHUP) ? -EPIPE : 0;
}

static const struct conn_sockets fake_sockets = {
	.dial_socket = fake_dial_socket,
	.connect = fake_connect,
	.bind = fake_bind,
	.recv_from = fake_recv_from,
	.send_to = fake_send_to,
	.send_message = fake_send_message,
	.send_error = fake_send_error,
};

/* A client of our listener on @port (blocking). */
static int client(unsigned int port)
{
	struct sockaddr_un sun;
	socklen_t len = listen_addr(port, &sun);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, len) < 0)
		die("client connect");
	return fd;
}

/* ------------------------------------------------------------ helpers */

static const struct opener user_a = { .pid = 100, .uid = 1000, .gid = 1000 };
static const struct opener user_b = { .pid = 200, .uid = 1001, .gid = 1001 };
static const struct opener root = { .pid = 1, .uid = 0, .gid = 0 };

/* Run the loop until @r has its reply (or a generous limit: no timing). */
static void pump_until(struct request *r)
{
	for (int i = 0; i < 2000 && (!r || !r->replies); i++)
		loop_once(5);
}

static void pump(void)
{
	for (int i = 0; i < 5; i++)
		loop_once(2);
}

static int pending_bytes(int fd)
{
	int n = 0;

	ioctl(fd, FIONREAD, &n);
	return n;
}

static struct conn *connect_as(const struct opener *who, enum conn_kind kind)
{
	struct request *r = new_request();

	conn_connect(r, kind, 2, 5000, who, 0, false);
	pump_until(r);
	return r->kind == R_OPENED ? r->conn : NULL;
}

/* A connection whose peer end the test does not need. */
static struct conn *hold_as(const struct opener *who)
{
	struct conn *c = connect_as(who, CONN_STREAM);

	if (c)
		close(last_peer);
	return c;
}

/* Read what is waiting at @fd (non-blocking), counting it. */
static size_t drain(int fd, size_t *total)
{
	char buf[65536];
	ssize_t n;
	size_t got = 0;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		got += n;
	*total += got;
	return got;
}

/* A "request buffer" holding @len bytes to write, as FUSE hands them over. */
static char *request_buffer(size_t len, char fill)
{
	free(current_buffer);
	current_buffer = malloc(len);
	if (!current_buffer)
		die("malloc");
	memset(current_buffer, fill, len);
	current_size = len;
	return current_buffer;
}

static void done_with_buffer(void)
{
	free(current_buffer);	/* unless the engine kept it */
	current_buffer = NULL;
}

/* ------------------------------------------------------------ writes */

static void test_writes(void)
{
	struct conn *c = connect_as(&user_a, CONN_STREAM);
	int peer = last_peer;
	struct request *w;
	size_t got = 0, len = 1 << 20;
	char *buf;
	bool early = false;

	check(c != NULL, "connect over a socketpair gives a conn");
	w = new_request();
	conn_write(c, w, "hello", 5, 0);
	check(w->kind == R_WRITTEN && w->len == 5 && pending_bytes(peer) == 5,
	      "a small write is answered once its bytes are in the socket");
	drain(peer, &got);

	/* 1 MiB through a socket that holds a few KiB: answered at the end only. */
	buf = request_buffer(len, 'x');
	w = new_request();
	conn_write(c, w, buf, len, 0);
	done_with_buffer();
	check(w->replies == 0 && kept_buffers == 1,
	      "a big write into a full socket waits, keeping its request buffer");
	got = 0;
	for (int i = 0; i < 100000 && !w->replies; i++) {
		drain(peer, &got);
		loop_once(1);
		if (w->replies && got + pending_bytes(peer) < len)
			early = true;
	}
	check(w->kind == R_WRITTEN && w->len == len && !early,
	      "it is answered with its full count, and only once every byte is in the socket");
	drain(peer, &got);
	check(got == len && kept_buffers == 0, "the peer got all %zu bytes; the buffer went back",
	      len);

	/* Non-blocking: what send(2) says, a short count, then EAGAIN. */
	buf = request_buffer(len, 'y');
	w = new_request();
	conn_write(c, w, buf, len, CONN_IO_NONBLOCK);
	check(w->kind == R_WRITTEN && w->len > 0 && w->len < len &&
	      (int)w->len == pending_bytes(peer),
	      "a non-blocking write says what went in (a short count)");
	w = new_request();
	conn_write(c, w, buf, len, CONN_IO_NONBLOCK);
	check(w->kind == R_ERROR && w->err == EAGAIN, "then EAGAIN while the socket is full");
	done_with_buffer();
	got = 0;
	drain(peer, &got);

	/* Interrupted while parked: the count that went in, like send(2). */
	buf = request_buffer(len, 'z');
	w = new_request();
	conn_write(c, w, buf, len, 0);
	done_with_buffer();
	conn_interrupt(w->pending);
	conn_run_deferred();
	check(w->kind == R_WRITTEN && w->len > 0 && w->len < len &&
	      (int)w->len == pending_bytes(peer) && kept_buffers == 0,
	      "an interrupted write answers the bytes already in the socket (%s)",
	      "nothing kept");
	pump();
	check(w->replies == 1, "and gets no second reply");
	got = 0;
	drain(peer, &got);

	/* The peer goes away while a write waits: an error, never a silent loss. */
	buf = request_buffer(len, 'q');
	w = new_request();
	conn_write(c, w, buf, len, 0);
	done_with_buffer();
	int in_socket = pending_bytes(peer);

	close(peer);
	pump_until(w);
	check((w->kind == R_WRITTEN && (int)w->len == in_socket && w->len < len) ||
	      (w->kind == R_ERROR && (w->err == EPIPE || w->err == ECONNRESET)),
	      "a peer that closes without reading fails the waiting write (count in the socket, or EPIPE)");
	w = new_request();
	conn_write(c, w, "more", 4, 0);
	check(w->kind == R_ERROR && (w->err == EPIPE || w->err == ECONNRESET),
	      "the next write fails with %s", w->err == EPIPE ? "EPIPE" : "ECONNRESET");
	conn_release(c);
	pump();
	check(conn_count() == 0, "release closes at once: nothing lingers with unsent data");
}

/* ------------------------------------------------------------ reads */

static void test_reads(void)
{
	struct conn *c = connect_as(&user_a, CONN_STREAM);
	int peer = last_peer;
	struct request *r;

	r = new_request();
	conn_read(c, r, 100, 0);
	check(r->replies == 0, "a read with nothing there waits");
	send(peer, "abc", 3, 0);
	pump_until(r);
	check(r->kind == R_DATA && r->len == 3 && !memcmp(r->data, "abc", 3),
	      "and is answered with what arrives");

	r = new_request();
	conn_read(c, r, 100, CONN_IO_CONTINUED);
	check(r->kind == R_DATA && r->len == 0,
	      "the rest of a split read is answered at once, even with nothing");
	send(peer, "defg", 4, 0);
	r = new_request();
	conn_read(c, r, 100, CONN_IO_CONTINUED);
	check(r->kind == R_DATA && r->len == 4, "or with what is there");

	r = new_request();
	conn_read(c, r, 100, CONN_IO_NONBLOCK);
	check(r->kind == R_ERROR && r->err == EAGAIN, "O_NONBLOCK: EAGAIN");

	r = new_request();
	conn_read(c, r, 100, 0);
	conn_interrupt(r->pending);
	conn_run_deferred();
	send(peer, "late", 4, 0);
	pump();
	check(r->kind == R_ERROR && r->err == EINTR && r->replies == 1,
	      "an interrupted read gets EINTR, once; the data waits for the next read");
	r = new_request();
	conn_read(c, r, 100, 0);
	check(r->kind == R_DATA && r->len == 4, "which gets it");

	r = new_request();
	conn_read(c, r, 100, 0);
	close(peer);
	pump_until(r);
	check(r->kind == R_DATA && r->len == 0, "the peer's close is end of file");
	conn_release(c);

	/* Datagrams: one per read; the rest of a split read is no second one. */
	c = connect_as(&user_a, CONN_DGRAM);
	peer = last_peer;
	r = new_request();
	conn_write(c, r, "0123456789", 10, 0);
	char dg[64];

	check(r->kind == R_WRITTEN && recv(peer, dg, sizeof(dg), 0) == 10,
	      "a datagram write is one datagram");
	r = new_request();
	conn_write(c, r, "rest", 4, CONN_IO_CONTINUED);
	check(r->kind == R_ERROR && r->err == EMSGSIZE && pending_bytes(peer) == 0,
	      "the rest of a split datagram write is refused (EMSGSIZE), nothing sent");
	send(peer, "first-datagram", 14, 0);
	send(peer, "second", 6, 0);
	r = new_request();
	conn_read(c, r, 5, 0);
	check(r->kind == R_DATA && r->len == 5, "a short read takes part of one datagram");
	r = new_request();
	conn_read(c, r, 100, CONN_IO_CONTINUED);
	check(r->kind == R_DATA && r->len == 0, "its continuation takes nothing more");
	r = new_request();
	conn_read(c, r, 100, 0);
	check(r->kind == R_DATA && r->len == 6 && !memcmp(r->data, "second", 6),
	      "the next read gets the next datagram whole");
	conn_release(c);
	close(peer);

	connect_error = -ECONNREFUSED;
	r = new_request();
	conn_connect(r, CONN_STREAM, 2, 1, &user_a, 0, false);
	pump_until(r);
	check(r->kind == R_ERROR && r->err == ECONNREFUSED && conn_count() == 0,
	      "a refused connect is the socket's own error, nothing left behind");
	close(last_peer);
}

/* ------------------------------------------------------------ listeners */

static struct listener *make_listener_kind(const struct opener *who, enum conn_kind kind,
					   unsigned int port)
{
	struct listener *l = NULL;
	int err = listener_create(kind, port, who, false, &l);

	if (err) {
		errno = err;
		die("listener_create");
	}
	return l;
}

static struct listener *make_listener(const struct opener *who, unsigned int port)
{
	return make_listener_kind(who, CONN_LISTEN, port);
}

static void test_listeners(void)
{
	struct listener *l = make_listener(&user_a, 6000), *l2;
	struct request *r, *rd;
	uint64_t old_id;
	int cl;

	/* A blocking open accepts, waiting for a client. */
	r = new_request();
	check(listener_open(r, l, &user_a, false, 0) == 0 && r->replies == 0,
	      "a blocking open of a listener waits for a client");
	cl = client(6000);
	pump_until(r);
	check(r->kind == R_OPENED, "and accepts it");
	send(cl, "hi", 2, 0);
	rd = new_request();
	conn_read(r->conn, rd, 16, 0);
	pump_until(rd);
	check(rd->kind == R_DATA && rd->len == 2, "the accepted file reads the client");
	conn_release(r->conn);
	close(cl);

	/* O_NONBLOCK never takes a waiting client at open. */
	cl = client(6000);
	r = new_request();
	listener_open(r, l, &user_a, true, 0);
	check(r->kind == R_OPENED, "an O_NONBLOCK open gives a handle at once");
	check(conn_poll(r->conn, NULL) & POLLIN, "whose poll says a client waits");
	conn_release(r->conn);	/* touch: open, close */
	pump();
	r = new_request();
	listener_open(r, l, &user_a, false, 0);
	send(cl, "kept", 4, 0);
	rd = NULL;
	if (r->kind == R_OPENED) {
		rd = new_request();
		conn_read(r->conn, rd, 16, 0);
		pump_until(rd);
	}
	check(rd && rd->kind == R_DATA && rd->len == 4,
	      "closing that handle left the client for the next open");
	if (r->kind == R_OPENED)
		conn_release(r->conn);
	close(cl);

	/* The handle accepts on its first read. */
	r = new_request();
	listener_open(r, l, &user_a, true, 0);
	rd = new_request();
	conn_read(r->conn, rd, 16, CONN_IO_NONBLOCK);
	check(rd->kind == R_ERROR && rd->err == EAGAIN && conn_poll(r->conn, (void *)1) == 0,
	      "a handle's non-blocking read is EAGAIN while nobody waits; poll says so");
	poll_notified = 0;
	cl = client(6000);
	pump();
	check(poll_notified > 0 && (conn_poll(r->conn, NULL) & POLLIN),
	      "a client's arrival wakes the handle's poller");
	send(cl, "first", 5, 0);
	rd = new_request();
	conn_read(r->conn, rd, 16, CONN_IO_NONBLOCK);
	check(rd->kind == R_DATA && rd->len == 5, "its first read accepts and reads the client");
	conn_release(r->conn);
	close(cl);

	/* A blocking read on a handle waits for a client, then reads it. */
	r = new_request();
	listener_open(r, l, &user_a, true, 0);
	rd = new_request();
	conn_read(r->conn, rd, 16, 0);
	check(rd->replies == 0, "a handle's blocking read waits for a client");
	cl = client(6000);
	send(cl, "wait", 4, 0);
	pump_until(rd);
	check(rd->kind == R_DATA && rd->len == 4, "and reads it once one comes");
	conn_release(r->conn);
	close(cl);

	/* Ownership: the creator's (and root's), nobody else's. */
	r = new_request();
	check(listener_open(r, l, &user_b, false, 0) == EACCES && r->replies == 0,
	      "another user's open is refused (EACCES)");
	check(listener_remove(l, user_b.uid) == EPERM, "another user's rm is refused (EPERM)");
	check(listener_create(CONN_LISTEN, 6000, &user_b, false, &l2) == EEXIST,
	      "nor can another user create one on the same port");
	check(listener_create(CONN_LISTEN, 80, &user_a, false, &l2) == EACCES,
	      "ports below 1024 need CAP_NET_BIND_SERVICE (EACCES)");
	check(listener_create(CONN_LISTEN, 80, &root, true, &l2) == 0, "which a privileged caller has");
	listener_remove(l2, root.uid);

	/* A removed listener is gone for good: a new one is a new object. */
	rd = new_request();
	listener_open(rd, l, &user_a, false, 0);
	r = new_request();
	listener_open(r, l, &user_a, true, 0);
	old_id = listener_id(l);
	check(listener_remove(l, user_a.uid) == 0, "the owner removes it");
	check(rd->kind == R_ERROR && rd->err == ECONNABORTED,
	      "a waiting open gets ECONNABORTED");
	struct request *hr = new_request();

	conn_read(r->conn, hr, 16, 0);
	check(hr->kind == R_ERROR && hr->err == ECONNABORTED, "so does a handle's read");
	conn_release(r->conn);
	l2 = make_listener(&user_b, 6000);
	check(listener_get(CONN_LISTEN, 6000, old_id) == NULL && listener_id(l2) != old_id,
	      "a listener re-created on the port is a new one; the old id finds nothing");
	listener_remove(l2, user_b.uid);
	pump();
	check(conn_count() == 0, "nothing left behind by the listeners");
}

/* ------------------------------------------------------------ the caps */

static void test_caps(void)
{
	struct conn *held[4];
	struct listener *l;
	struct request *r;
	char logbuf[4096] = "";
	FILE *log = tmpfile();
	int saved_stderr = dup(2), cl, cl2;
	ssize_t n;

	if (!log || saved_stderr < 0)
		die("tmpfile");
	fflush(stderr);
	dup2(fileno(log), 2);
	quota_set_max(3);
	for (int i = 0; i < 3; i++)
		held[i] = hold_as(&user_a);
	check(held[2] && quota_held(user_a.uid) == 3, "a user holds up to the cap (3 here)");
	r = new_request();
	conn_connect(r, CONN_STREAM, 2, 5000, &user_a, 0, false);
	check(r->kind == R_ERROR && r->err == EDQUOT, "one more connection: EDQUOT");
	check(listener_create(CONN_LISTEN, 6100, &user_a, false, &l) == EDQUOT,
	      "one more listener: EDQUOT");
	held[3] = hold_as(&user_b);
	check(held[3] != NULL, "another user is unaffected");
	struct conn *rc = hold_as(&root);
	struct conn *rc2 = hold_as(&root);
	struct conn *rc3 = hold_as(&root);
	struct conn *rc4 = hold_as(&root);

	check(rc && rc2 && rc3 && rc4, "root has no cap");
	conn_release(rc);
	conn_release(rc2);
	conn_release(rc3);
	conn_release(rc4);

	/* At the cap, an accept refuses and leaves the client waiting. */
	l = make_listener(&user_b, 6100);
	conn_release(held[3]);	/* b: the listener only */
	struct listener *la;

	conn_release(held[0]);
	la = make_listener(&user_a, 6101);	/* a: 2 conns + listener = 3 */
	cl = client(6101);
	r = new_request();
	listener_open(r, la, &user_a, false, 0);
	check(r->kind == R_ERROR && r->err == EDQUOT, "an accept past the cap: EDQUOT");
	conn_release(held[1]);
	r = new_request();
	listener_open(r, la, &user_a, false, 0);
	check(r->kind == R_OPENED, "the client waited; after a close the open accepts it");
	struct request *h = new_request(), *hr = new_request();

	listener_open(h, la, &user_a, true, 0);
	check(h->kind == R_OPENED, "at the cap an O_NONBLOCK open (touch) still works: no socket yet");
	cl2 = client(6101);
	conn_read(h->conn, hr, 16, CONN_IO_NONBLOCK);
	check(hr->kind == R_ERROR && hr->err == EDQUOT,
	      "its first read, which would accept, is EDQUOT");
	conn_release(r->conn);
	hr = new_request();
	conn_read(h->conn, hr, 16, CONN_IO_NONBLOCK);
	check(hr->kind == R_ERROR && hr->err == EAGAIN && quota_held(user_a.uid) == 3,
	      "after a close it accepts the client that waited (and is charged for it)");
	conn_release(h->conn);
	close(cl2);
	conn_release(held[2]);
	listener_remove(la, user_a.uid);
	listener_remove(l, user_b.uid);
	close(cl);
	pump();
	check(quota_held(user_a.uid) == 0 && quota_held(user_b.uid) == 0,
	      "every socket closed gives its place back");
	quota_set_max(QUOTA_DEFAULT_MAX);

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(log);
	n = fread(logbuf, 1, sizeof(logbuf) - 1, log);
	logbuf[n > 0 ? n : 0] = 0;
	fclose(log);
	check(strstr(logbuf, "user 1000 holds 3 sockets") != NULL,
	      "the refusal is logged, naming the user");
	check(strstr(logbuf, "user 1001") == NULL && strstr(logbuf, "user 0") == NULL,
	      "and only that user");
	int lines = 0;

	for (char *p = logbuf; (p = strchr(p, '\n')); p++)
		lines++;
	check(lines == 1, "once, not per refusal (%d line%s)", lines, lines == 1 ? "" : "s");
}

/* ------------------------------------------------------------ half-close */

static void test_half_close(void)
{
	struct conn *c = connect_as(&user_a, CONN_STREAM);
	int peer = last_peer;
	struct request *wr = new_request(), *sh = new_request(), *rd = new_request();
	size_t len = 256 << 10, got = 0;
	char *buf = request_buffer(len, 'h');
	char tail[8];

	conn_write(c, wr, buf, len, 0);
	done_with_buffer();
	check(wr->replies == 0, "a big write waits for the peer");
	conn_shutdown(c, sh, CONN_SHUT_WRITE);
	check(sh->replies == 0, "a write-side shutdown waits behind it");
	while (!sh->replies && got < len) {
		drain(peer, &got);
		pump();
	}
	pump_until(sh);
	drain(peer, &got);
	check(wr->kind == R_WRITTEN && wr->len == len && got == len,
	      "the write went whole before the shutdown (%zu bytes)", got);
	check(sh->kind == R_ERROR && sh->err == 0, "then the shutdown is done");
	check(recv(peer, tail, sizeof(tail), MSG_DONTWAIT) == 0, "the peer sees end of file");
	/* The other way still works: the answer, then its end. */
	check(send(peer, "answer", 6, 0) == 6, "the peer answers");
	conn_read(c, rd, 100, 0);
	pump_until(rd);
	check(rd->kind == R_DATA && rd->len == 6 && !memcmp(rd->data, "answer", 6),
	      "the answer is read after the shutdown");
	close(peer);
	rd = new_request();
	conn_read(c, rd, 100, 0);
	pump_until(rd);
	check(rd->kind == R_DATA && rd->len == 0, "then end of file");
	wr = new_request();
	conn_write(c, wr, "late", 4, 0);
	check(wr->kind == R_ERROR && wr->err == EPIPE, "a write after it: EPIPE");
	conn_release(c);

	/* Shutting the read side: a parked reader sees end of file at once. */
	c = connect_as(&user_a, CONN_STREAM);
	peer = last_peer;
	rd = new_request();
	sh = new_request();
	conn_read(c, rd, 100, 0);
	check(rd->replies == 0, "a read waits");
	conn_shutdown(c, sh, CONN_SHUT_READ);
	pump_until(rd);
	check(sh->kind == R_ERROR && sh->err == 0, "a read-side shutdown is done at once");
	check(rd->kind == R_DATA && rd->len == 0, "and the waiting read gets end of file");
	wr = new_request();
	conn_write(c, wr, "still", 5, 0);
	check(wr->kind == R_WRITTEN && wr->len == 5, "writing still works");
	conn_release(c);
	close(peer);
	pump();

	/* Only connections have sides. */
	struct listener *l = make_listener(&user_a, 6300);
	struct request *op = new_request();

	listener_open(op, l, &user_a, true, 0);
	sh = new_request();
	conn_shutdown(op->conn, sh, CONN_SHUT_WRITE);
	check(sh->kind == R_ERROR && sh->err == ENOTCONN,
	      "a listener's handle that has not accepted: ENOTCONN");
	conn_release(op->conn);
	listener_remove(l, user_a.uid);
	pump();
}

/*
 * user.vmci.shutdown=write on an O_NONBLOCK open whose connect is under way,
 * with a write queued: both wait for the connect, then the write goes, then
 * the shutdown.
 */
static void test_shutdown_connecting(void)
{
	struct request *op = new_request(), *wr = new_request(), *sh = new_request();
	char got[16];
	int peer;

	conn_connect(op, CONN_STREAM, 2, 5000, &user_a, 0, true);
	peer = last_peer;
	check(op->kind == R_OPENED, "an O_NONBLOCK open is answered while it connects");
	conn_write(op->conn, wr, "request", 7, 0);
	conn_shutdown(op->conn, sh, CONN_SHUT_WRITE);
	check(!wr->replies && !sh->replies,
	      "a write and a write-side shutdown wait for the connect");
	pump_until(sh);
	check(wr->kind == R_WRITTEN && wr->len == 7, "once connected the write goes");
	check(sh->kind == R_ERROR && sh->err == 0, "then the shutdown is done");
	check(recv(peer, got, sizeof(got), MSG_DONTWAIT) == 7 &&
	      recv(peer, got, sizeof(got), MSG_DONTWAIT) == 0,
	      "the peer gets the request, then end of file");
	conn_release(op->conn);
	close(peer);
	pump();
}

/*
 * Connects are blocking connect(2) calls in helper threads (connector.h).
 * One that nobody wants any more is cut: its thread leaves, its socket is
 * closed after that, and it counts for its owner's cap until then.
 */
/* Run the loop until no connect thread is left (or a generous limit). */
static void pump_connects(void)
{
	for (int i = 0; i < 2000 && connector_threads() > 0; i++)
		loop_once(5);
	pump();
}

/* Until a connect is in its hang (its thread may not have got there yet). */
static void wait_hanging(void)
{
	for (int i = 0; i < 2000 && !__atomic_load_n(&connects_hanging, __ATOMIC_SEQ_CST); i++)
		loop_once(5);
}

static void test_connect_cut(void)
{
	struct request *r = new_request(), *r2;
	struct conn *c;
	int peer;

	connect_hangs = true;
	conn_connect(r, CONN_STREAM, 2, 5000, &user_a, 0, false);
	peer = last_peer;
	wait_hanging();
	check(!r->replies && connector_threads() == 1 && quota_held(user_a.uid) == 1,
	      "a blocking open waits while its connect thread connects");
	conn_interrupt(r->pending);
	conn_run_deferred();
	check(r->kind == R_ERROR && r->err == EINTR && conn_count() == 0,
	      "a signal ends the open at once with EINTR");
	pump_connects();
	check(connector_threads() == 0 && quota_held(user_a.uid) == 0,
	      "its connect is cut: the thread is gone, the socket closed and uncharged");
	close(peer);

	quota_set_max(1);
	connect_hangs = true;
	r = new_request();
	conn_connect(r, CONN_STREAM, 2, 5000, &user_a, 0, true);
	c = r->conn;
	peer = last_peer;
	wait_hanging();
	check(r->kind == R_OPENED && connector_threads() == 1,
	      "an O_NONBLOCK open is answered while its thread connects");
	r2 = new_request();
	conn_connect(r2, CONN_STREAM, 2, 5000, &user_a, 0, true);
	check(r2->kind == R_ERROR && r2->err == EDQUOT,
	      "a connect under way counts for the user's cap");
	r2 = new_request();
	conn_read(c, r2, 10, CONN_IO_NONBLOCK);
	check(r2->kind == R_ERROR && r2->err == EAGAIN, "a read meanwhile says EAGAIN");
	conn_release(c);
	check(quota_held(user_a.uid) == 1,
	      "closed while connecting, its socket counts until its thread has left it");
	pump_connects();
	check(connector_threads() == 0 && quota_held(user_a.uid) == 0,
	      "then the connect is cut and the socket closed");
	close(peer);
	quota_set_max(QUOTA_DEFAULT_MAX);

	connector_set_max(1);
	connect_hangs = true;
	r = new_request();
	conn_connect(r, CONN_STREAM, 2, 5000, &user_a, 0, true);
	c = r->conn;
	peer = last_peer;
	wait_hanging();
	r2 = new_request();
	conn_connect(r2, CONN_STREAM, 2, 5001, &user_b, 0, false);
	check(r2->kind == R_ERROR && r2->err == EAGAIN && connector_threads() == 1 &&
	      quota_held(user_b.uid) == 0,
	      "past the mount's cap on connect threads (another user): EAGAIN at once, no thread");
	if (last_peer != peer)
		close(last_peer);
	conn_release(c);
	pump_connects();
	close(peer);
	connector_set_max(CONNECTOR_DEFAULT_MAX);

	connect_error = -ETIMEDOUT;
	r = new_request();
	conn_connect(r, CONN_STREAM, 2, 5000, &user_a, 0, true);
	c = r->conn;
	peer = last_peer;
	pump_connects();
	r2 = new_request();
	conn_read(c, r2, 10, CONN_IO_NONBLOCK);
	check(r2->kind == R_ERROR && r2->err == ETIMEDOUT,
	      "the failed connect of an O_NONBLOCK open: its error on the next call");
	conn_release(c);
	close(peer);
	pump();
	check(conn_count() == 0 && connector_threads() == 0, "nothing left behind");
}

/* ------------------------------------------------------------ datagram replies */

/* An AF_UNIX datagram socket bound as "port" @port of the fake. */
static int dgram_peer(unsigned int port)
{
	struct sockaddr_un sun;
	socklen_t len = listen_addr(port, &sun);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) < 0)
		die("datagram peer");
	return fd;
}

static void test_addressed(void)
{
	struct listener *l = make_listener_kind(&user_a, CONN_DGRAM_BOUND, 6400);
	int a = dgram_peer(6401), b = dgram_peer(6402);
	struct sockaddr_un to;
	socklen_t tolen = listen_addr(6400, &to);
	struct request *op = new_request(), *rd, *wr;
	char buf[64];
	struct conn *c;

	listener_open(op, l, &user_a, false, 0);
	c = op->conn;
	check(op->kind == R_OPENED && c, "the bound socket opens");
	sendto(a, "from-a", 6, 0, (struct sockaddr *)&to, tolen);
	sendto(b, "from-b", 6, 0, (struct sockaddr *)&to, tolen);
	rd = new_request();
	conn_read(c, rd, 100, CONN_IO_ADDRESSED);
	check(rd->kind == R_DATA && rd->len == 13 && !memcmp(rd->data, "2:6401\nfrom-a", 13),
	      "an addressed read: the sender's line, then its datagram");
	rd = new_request();
	conn_read(c, rd, 100, 0);
	check(rd->kind == R_DATA && rd->len == 6 && !memcmp(rd->data, "from-b", 6),
	      "a plain read: the datagram alone");
	rd = new_request();
	conn_read(c, rd, 10, CONN_IO_ADDRESSED | CONN_IO_NONBLOCK);
	check(rd->kind == R_ERROR && rd->err == EINVAL,
	      "an addressed read with no room for the address: EINVAL");

	wr = new_request();
	conn_write(c, wr, "2:6402\nreply", 12, CONN_IO_ADDRESSED);
	check(wr->kind == R_WRITTEN && wr->len == 12, "an addressed write counts it all");
	check(recv(b, buf, sizeof(buf), MSG_DONTWAIT) == 5 && !memcmp(buf, "reply", 5),
	      "its payload alone reaches that address");
	check(recv(a, buf, sizeof(buf), MSG_DONTWAIT) < 0, "and nobody else");
	static const char *const bad[] = { "reply", "2:x\nreply", "02:6402\nr",
					   "2:6402 reply", "4294967296:1\nr", ":1\nr" };
	bool refused = true;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wr = new_request();
		conn_write(c, wr, bad[i], strlen(bad[i]), CONN_IO_ADDRESSED);
		refused = refused && wr->kind == R_ERROR && wr->err == EDESTADDRREQ;
	}
	check(refused && recv(b, buf, sizeof(buf), MSG_DONTWAIT) < 0,
	      "a write without a valid address line: EDESTADDRREQ, nothing sent");
	wr = new_request();
	conn_write(c, wr, "reply", 5, 0);
	check(wr->kind == R_ERROR && wr->err == EDESTADDRREQ,
	      "without headers a bound socket has nowhere to send");
	conn_release(c);
	listener_remove(l, user_a.uid);
	close(a);
	close(b);
	pump();
}

/* ------------------------------------------------------------ seqpacket */

static void test_seqpacket(void)
{
	struct conn *c = connect_as(&user_a, CONN_SEQPACKET);
	int peer = last_peer;
	struct request *w[4], *rd;
	/* Two of them do not fit in the fake's small send buffer. */
	size_t sizes[4] = { 6000, 6000, 6000, 5 };
	char *got = malloc(32768);
	bool whole = true;

	check(c != NULL, "a seqpacket connection");
	for (int i = 0; i < 4; i++) {
		char *buf = request_buffer(sizes[i], (char)('a' + i));

		w[i] = new_request();
		conn_write(c, w[i], buf, sizes[i], 0);
		done_with_buffer();
	}
	pump();
	check(w[0]->kind == R_WRITTEN && !w[1]->replies && !w[2]->replies && !w[3]->replies, "a message with no room waits in the sender, the next behind it");
	for (int i = 0; i < 4; i++) {
		ssize_t n;

		for (int t = 0; t < 2000; t++) {
			n = recv(peer, got, 32768, MSG_DONTWAIT);
			if (n >= 0 || errno != EAGAIN)
				break;
			loop_once(5);
		}
		whole = whole && n == (ssize_t)sizes[i] && got[0] == 'a' + i &&
			got[n - 1] == 'a' + i;
	}
	pump_until(w[3]);
	check(whole, "four writes are four messages, whole and in order");
	check(w[2]->kind == R_WRITTEN && w[3]->kind == R_WRITTEN && w[2]->len == sizes[2],
	      "each write is answered with its whole size");
	send(peer, "one", 3, 0);
	send(peer, "two!", 4, 0);
	rd = new_request();
	conn_read(c, rd, 100, 0);
	check(rd->kind == R_DATA && rd->len == 3, "a read takes one message");
	rd = new_request();
	conn_read(c, rd, 100, 0);
	check(rd->kind == R_DATA && rd->len == 4, "and the next read the next");
	w[0] = new_request();
	conn_write(c, w[0], "x", 1, CONN_IO_CONTINUED);
	check(w[0]->kind == R_ERROR && w[0]->err == EMSGSIZE,
	      "the rest of a split write would be a second message: EMSGSIZE");
	free(got);
	conn_release(c);
	close(peer);
	pump();
	check(sender_threads() <= 2, "idle sender threads are few (%u)", sender_threads());
}

/*
 * One user's stuck sends never delay another user's: 40 of user A's
 * connections each have a message blocked in the sender (the peer took its
 * start and has no room for the rest), more than any fixed pool; user B's
 * message still goes at once. A signal to a writer whose message has begun
 * changes nothing: it goes whole, the writer is told so, and the
 * connection stays as it was.
 */
static void test_seqpacket_fair(void)
{
	enum { N = 40 };
	struct conn *a[N], *b;
	struct request *wa[N], *wb;
	int peers[N], bpeer;
	char msg[GATED_LEN], got[GATED_LEN + 1];
	bool whole = true, stuck = true;
	unsigned int threads;
	int probes;

	memset(msg, 'q', sizeof(msg));
	gate_open();
	for (int i = 0; i < N; i++) {
		a[i] = connect_as(&user_a, CONN_SEQPACKET);
		peers[i] = last_peer;
		wa[i] = new_request();
		if (a[i])
			conn_write(a[i], wa[i], msg, sizeof(msg), 0);
	}
	pump();
	for (int i = 0; i < 100 && sender_threads() < N; i++)
		loop_once(5);
	threads = sender_threads();
	for (int i = 0; i < N; i++)
		stuck = stuck && a[i] && !wa[i]->replies;
	if (threads < N)
		fprintf(stderr, "conn_test: %u sender threads for %d messages\n", threads, N);
	check(stuck && threads >= N,
	      "40 of one user's messages blocked in the sender, each in its own helper");
	b = connect_as(&user_b, CONN_SEQPACKET);
	bpeer = last_peer;
	wb = new_request();
	conn_write(b, wb, "hello", 5, 0);
	pump_until(wb);
	check(wb->kind == R_WRITTEN && wb->len == 5 && recv(bpeer, got, sizeof(got), MSG_DONTWAIT) == 5,
	      "another user's message goes meanwhile");
	probes = dying_probes;
	conn_interrupt(wa[0]->pending);
	conn_run_deferred();
	pump();
	check(!wa[0]->replies && dying_probes > probes,
	      "a caught signal to a writer whose message has begun (asked: not dying): it still waits");
	if (write(gate[1], msg, N) != N)
		die("gate");
	for (int i = 0; i < N; i++) {
		pump_until(wa[i]);
		whole = whole && wa[i]->kind == R_WRITTEN && wa[i]->len == GATED_LEN &&
			recv(peers[i], got, sizeof(got), MSG_DONTWAIT) == GATED_LEN;
	}
	check(whole, "once the peers make room, each message goes whole, each writer told so");
	wb = new_request();
	conn_write(a[0], wb, "after", 5, 0);
	pump_until(wb);
	check(wb->kind == R_WRITTEN && recv(peers[0], got, sizeof(got), MSG_DONTWAIT) == 5,
	      "the signalled writer's connection still sends (not shut down)");
	for (int i = 0; i < N; i++) {
		conn_release(a[i]);
		close(peers[i]);
	}
	conn_release(b);
	close(bpeer);
	gate_close();
	pump();
}

/*
 * A peer with no room left: an O_NONBLOCK write says EAGAIN and sends
 * nothing; a blocking one waits, and a signal then gives EINTR, sends
 * nothing and leaves the connection working.
 */
static void test_seqpacket_full(void)
{
	struct conn *c = connect_as(&user_a, CONN_SEQPACKET);
	int peer = last_peer;
	char *buf = request_buffer(6000, 'f'), got[8192];
	struct request *w0 = new_request(), *w1 = new_request(), *w2 = new_request();
	struct request *w3 = new_request();
	int probes;

	conn_write(c, w0, buf, 6000, 0);
	pump_until(w0);
	check(w0->kind == R_WRITTEN, "a first message fills the peer");
	conn_write(c, w1, "nb", 2, CONN_IO_NONBLOCK);
	check(w1->kind == R_ERROR && w1->err == EAGAIN,
	      "then an O_NONBLOCK message: EAGAIN at once");
	conn_write(c, w2, buf, 6000, 0);
	pump();
	check(!w2->replies, "a blocking one waits for room");
	probes = dying_probes;
	conn_interrupt(w2->pending);
	conn_run_deferred();
	check(w2->kind == R_ERROR && w2->err == EINTR && dying_probes == probes,
	      "a signal: EINTR (nothing begun: nobody asks whether the writer dies)");
	done_with_buffer();
	check(recv(peer, got, sizeof(got), MSG_DONTWAIT) == 6000 &&
	      recv(peer, got, sizeof(got), MSG_DONTWAIT) < 0,
	      "the peer got the first message only: nothing of the others");
	conn_write(c, w3, "ok", 2, CONN_IO_NONBLOCK);
	pump_until(w3);
	check(w3->kind == R_WRITTEN && recv(peer, got, sizeof(got), MSG_DONTWAIT) == 2,
	      "with room again, an O_NONBLOCK message goes");
	conn_release(c);
	close(peer);
	pump();
}

/*
 * A writer killed while its message is in the sender (blocked for the
 * rest of it): the send ends at once, the message is cut (the peer never
 * gets it, and sees end of file after the messages before it), the write
 * says EINTR; the writes queued behind it and later ones get EPIPE, and
 * the connection still reads.
 */
static void test_seqpacket_killed(void)
{
	struct conn *c = connect_as(&user_a, CONN_SEQPACKET);
	int peer = last_peer;
	char msg[GATED_LEN], got[GATED_LEN + 1];
	struct request *w0 = new_request(), *w1 = new_request(), *w2 = new_request();
	struct request *w3 = new_request(), *rd = new_request();
	struct conn_info info;
	int probes;

	memset(msg, 'k', sizeof(msg));
	gate_open();
	conn_write(c, w0, "first", 5, 0);
	conn_write(c, w1, msg, sizeof(msg), 0);
	conn_write(c, w2, "behind", 6, 0);
	pump();
	check(w0->kind == R_WRITTEN && !w1->replies && !w2->replies,
	      "a message blocked in the sender, another queued behind it");
	w1->dying = true;
	probes = dying_probes;
	conn_interrupt(w1->pending);
	conn_run_deferred();
	pump_until(w1);
	check(w1->kind == R_ERROR && w1->err == EINTR && dying_probes > probes,
	      "its writer is being killed: the send ends, the write says EINTR");
	pump_until(w2);
	check(w2->kind == R_ERROR && w2->err == EPIPE, "the write queued behind it: EPIPE");
	check(recv(peer, got, sizeof(got), MSG_DONTWAIT) == 5 &&
	      recv(peer, got, sizeof(got), MSG_DONTWAIT) == 0,
	      "the peer gets the message before it, then end of file: nothing of the cut one");
	conn_write(c, w3, "later", 5, 0);
	pump_until(w3);
	check(w3->kind == R_ERROR && w3->err == EPIPE, "a later write: EPIPE");
	conn_get_info(c, &info);
	check(info.shut == CONN_SHUT_WRITE, "its write side is shown shut down");
	send(peer, "back", 4, 0);
	conn_read(c, rd, 100, 0);
	pump_until(rd);
	check(rd->kind == R_DATA && rd->len == 4, "and it still reads");
	conn_release(c);
	close(peer);
	gate_close();
	pump();
}

/*
 * A writer that caught a signal while its message was in the sender, and
 * is killed later: the kernel sends no second interrupt, the engine looks
 * again by itself (a timer) and cuts the message.
 */
static void test_seqpacket_killed_later(void)
{
	struct conn *c = connect_as(&user_a, CONN_SEQPACKET);
	int peer = last_peer;
	char msg[GATED_LEN], got[GATED_LEN + 1];
	struct request *w = new_request();
	int probes;

	memset(msg, 'l', sizeof(msg));
	gate_open();
	conn_write(c, w, msg, sizeof(msg), 0);
	pump();
	probes = dying_probes;
	conn_interrupt(w->pending);
	conn_run_deferred();
	pump();
	check(!w->replies && dying_probes > probes, "a caught signal mid-message: it still waits");
	w->dying = true;	/* then killed: no interrupt this time */
	pump_until(w);
	check(w->kind == R_ERROR && w->err == EINTR,
	      "killed later, the engine finds out by itself: EINTR");
	check(recv(peer, got, sizeof(got), MSG_DONTWAIT) == 0, "the peer: end of file");
	conn_release(c);
	close(peer);
	gate_close();
	pump();
}

/*
 * The mount-wide cap on sender threads (-o max_send_threads; root and
 * max_sockets=0 have no per-user cap to bound them): with every allowed
 * thread busy on a blocked message, the next message fails at once with
 * EAGAIN, nothing sent, and no thread is started past the cap; once one
 * message is through, its helper serves the next.
 */
static unsigned int answered(struct request **w, unsigned int n)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++)
		k += w[i]->replies > 0;
	return k;
}

static void test_seqpacket_thread_cap(void)
{
	enum { MAX_CONNS = 64 };
	struct conn *c[MAX_CONNS], *extra;
	struct request *w[MAX_CONNS], *we;
	int peers[MAX_CONNS], epeer;
	char msg[GATED_LEN], got[GATED_LEN + 1];
	unsigned int cap = sender_threads() + 2, n = cap;
	bool stuck = true, whole = true;

	if (n > MAX_CONNS)
		die("more idle sender threads than this test has connections");
	memset(msg, 'c', sizeof(msg));
	sender_set_max(cap);
	gate_open();
	for (unsigned int i = 0; i < n; i++) {
		c[i] = connect_as(&root, CONN_SEQPACKET);
		peers[i] = last_peer;
		w[i] = new_request();
		conn_write(c[i], w[i], msg, sizeof(msg), 0);
	}
	pump();
	for (unsigned int i = 0; i < n; i++)
		stuck = stuck && !w[i]->replies;
	if (sender_threads() != cap)
		fprintf(stderr, "conn_test: %u sender threads, cap %u\n", sender_threads(), cap);
	check(stuck && sender_threads() == cap,
	      "root's messages blocked in the sender fill the cap (the idle threads + 2)");
	extra = connect_as(&root, CONN_SEQPACKET);
	epeer = last_peer;
	we = new_request();
	conn_write(extra, we, "over", 4, 0);
	pump_until(we);
	check(we->kind == R_ERROR && we->err == EAGAIN && sender_threads() == cap &&
	      recv(epeer, got, sizeof(got), MSG_DONTWAIT) < 0,
	      "one more message: EAGAIN at once, nothing sent, no thread past the cap");
	if (write(gate[1], msg, 1) != 1)
		die("gate");
	for (int i = 0; i < 2000 && answered(w, n) == 0; i++)
		loop_once(5);
	we = new_request();
	conn_write(extra, we, "next", 4, 0);
	pump_until(we);
	check(we->kind == R_WRITTEN && recv(epeer, got, sizeof(got), MSG_DONTWAIT) == 4,
	      "once a message is through, its helper sends the next one");
	if (write(gate[1], msg, n - 1) != (ssize_t)n - 1)
		die("gate");
	for (unsigned int i = 0; i < n; i++) {
		pump_until(w[i]);
		whole = whole && w[i]->kind == R_WRITTEN && w[i]->len == GATED_LEN &&
			recv(peers[i], got, sizeof(got), MSG_DONTWAIT) == GATED_LEN;
	}
	check(whole, "then every blocked message goes whole");
	for (unsigned int i = 0; i < n; i++) {
		conn_release(c[i]);
		close(peers[i]);
	}
	conn_release(extra);
	close(epeer);
	gate_close();
	sender_set_max(SENDER_DEFAULT_MAX);
	pump();
}

/*
 * A peer that shut down its read side with its buffer full: no event comes
 * (neither AF_UNIX's poll nor 6.1's vsock_poll reports anything then), yet
 * a send would say EPIPE. The waiting write gets EPIPE (or the count that
 * went in) on the engine's own recheck, and so do the writes after it; an
 * O_NONBLOCK seqpacket message gets EPIPE, not EAGAIN for ever.
 */
static void test_peer_stopped_reading(void)
{
	struct conn *c = connect_as(&user_a, CONN_STREAM);
	int peer = last_peer, in_socket;
	size_t len = 1 << 20;
	char *buf = request_buffer(len, 's');
	struct request *w = new_request(), *w2 = new_request();

	conn_write(c, w, buf, len, 0);
	done_with_buffer();
	pump();
	in_socket = pending_bytes(peer);
	check(!w->replies && in_socket > 0, "a stream write waits, the peer's buffer full");
	shutdown(peer, SHUT_RD);
	pump_until(w);
	check((w->kind == R_WRITTEN && (int)w->len == in_socket) ||
	      (w->kind == R_ERROR && w->err == EPIPE),
	      "the peer shuts its read side: the write ends (the count in the socket, or EPIPE)");
	conn_write(c, w2, "more", 4, 0);
	check(w2->kind == R_ERROR && w2->err == EPIPE, "the next write: EPIPE");
	conn_release(c);
	close(peer);
	pump();

	c = connect_as(&user_a, CONN_SEQPACKET);
	peer = last_peer;
	buf = request_buffer(6000, 'p');
	w = new_request();
	conn_write(c, w, buf, 6000, 0);
	pump_until(w);
	w = new_request();
	conn_write(c, w, buf, 6000, 0);
	pump();
	check(!w->replies, "a seqpacket message waits for room");
	shutdown(peer, SHUT_RD);
	pump_until(w);
	check(w->kind == R_ERROR && w->err == EPIPE,
	      "the peer shuts its read side: the message fails with EPIPE");
	w = new_request();
	conn_write(c, w, "nb", 2, CONN_IO_NONBLOCK);
	pump_until(w);
	check(w->kind == R_ERROR && w->err == EPIPE,
	      "an O_NONBLOCK message then: EPIPE, not EAGAIN");
	done_with_buffer();
	conn_release(c);
	close(peer);
	pump();
}

/* ------------------------------------------------------------ shutdown */

static void test_shutdown(void)
{
	struct conn *c = connect_as(&user_a, CONN_STREAM);
	int peer = last_peer;
	struct listener *l = make_listener(&user_a, 6200);
	struct request *rd = new_request(), *wr = new_request(), *ac = new_request();
	size_t len = 1 << 20;
	char *buf = request_buffer(len, 's');

	conn_write(c, wr, buf, len, 0);
	done_with_buffer();
	conn_read(c, rd, 10, 0);
	listener_open(ac, l, &user_a, false, 0);
	conn_shutdown_all(ECONNABORTED);
	check(rd->kind == R_ERROR && rd->err == ECONNABORTED, "stopping fails a waiting read");
	check(wr->kind == R_WRITTEN && wr->len > 0 && (int)wr->len == pending_bytes(peer),
	      "a waiting write gets the count that went in");
	check(ac->kind == R_ERROR && ac->err == ECONNABORTED, "a waiting accept fails");
	close(peer);
	listener_destroy_all();
	conn_destroy_all();
	check(conn_count() == 0 && kept_buffers == 0, "everything freed at exit");
}

/* ------------------------------------------------------------ a flood of ready watches */

/* More than the loop's batch of 64 epoll events, ready for ever. */
#define FLOOD 192

static struct watch flood[FLOOD];
static int flood_turns[FLOOD];
static struct ring_op flood_op;
static char flood_byte;
static bool flood_read_ran, flood_read_done_ran;

static void flood_ready(struct watch *w, uint32_t events)
{
	(void)events;	/* never drained: level-triggered, ready again */
	flood_turns[w - flood]++;
}

static void flood_read_done(struct ring_op *op, int res)
{
	(void)op;
	flood_read_done_ran = true;
	flood_read_ran = res == 1;
}

/*
 * A full batch of epoll events makes the loop read the set again without
 * sleeping; with the ring, the ring's own operations (the next /dev/fuse
 * request, the replies queued for it) must still run amid such a flood.
 */
static void test_flood(void)
{
	bool all_turns = true;
	int p[2];

	for (int i = 0; i < FLOOD; i++) {
		flood[i].fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
		flood[i].ready = flood_ready;
		if (flood[i].fd < 0 || loop_add(&flood[i], EPOLLIN) < 0)
			die("flood watch");
	}
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0 || write(p[1], "x", 1) != 1)
		die("flood pipe");
	for (int i = 0; i < 5; i++)	/* 5 full batches: 320 turns */
		loop_once(-1);
	for (int i = 0; i < FLOOD; i++)
		all_turns = all_turns && flood_turns[i] > 0;
	check(all_turns, "%d watches always ready: each gets its turn within 5 batches", FLOOD);
	if (loop_ring_status() == 0) {
		flood_op.done = flood_read_done;
		if (ring_read(&flood_op, p[0], &flood_byte, 1) < 0)
			die("ring_read");
		for (int i = 0; i < 100 && !flood_read_ran; i++)
			loop_once(-1);
		check(flood_read_ran, "amid the flood the ring's own read still completes");
	} else {
		/* (no ring: the loop has no operations of its own to starve) */
		check(true, "amid the flood the ring's own read still completes");
	}
	for (int i = 0; i < FLOOD; i++) {
		loop_del(&flood[i]);
		close(flood[i].fd);
	}
	/* Without the flood the loop sleeps in the ring again: the read ends. */
	for (int i = 0; i < 40 && flood_op.done && !flood_read_done_ran; i++)
		loop_once(5);
	close(p[0]);
	close(p[1]);
}

/* ------------------------------------------------------------ 10,000 listeners */

static void test_many_listeners(void)
{
	enum { N = 10000 };
	struct rlimit rl = { N + 512, N + 512 };
	unsigned int *ports;
	uint64_t before;
	size_t n;
	bool sorted = true;

	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_max < N + 512 || setrlimit(RLIMIT_NOFILE, &rl) < 0)
			die("need 10,512 file descriptors (ulimit -n)");
	}
	for (unsigned int i = 0; i < N; i++)
		make_listener(&root, 10000 + i * 7);
	check(listener_count() == N, "10,000 listeners");
	before = listener_probes();
	for (unsigned int i = 0; i < N; i++) {
		if (!listener_find(CONN_LISTEN, 10000 + i * 7) ||
		    listener_find(CONN_LISTEN, 10001 + i * 7))
			sorted = false;
	}
	uint64_t probes = listener_probes() - before;

	check(sorted, "each found, none invented");
	/* A list would compare 5,000 entries per lookup on average. */
	check(probes <= 2 * N * 2, "20,000 lookups compare at most 2 entries each on average");
	ports = listener_ports(CONN_LISTEN, &n);
	sorted = ports && n == N;
	for (size_t i = 1; sorted && i < n; i++)
		sorted = ports[i - 1] < ports[i];
	check(sorted, "the listing has all 10,000, in order");
	free(ports);
	listener_destroy_all();
	pump();
	check(conn_count() == 0, "all closed");
}

/* ------------------------------------------------------------ main */

static void test_belt(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	bool filtered = false;
	pid_t pid;
	int st;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp:", 8) == 0)
			filtered = atoi(line + 8) == 2;
	if (f)
		fclose(f);
	check(filtered, "this process runs under its seccomp filter");
	/* The same filter on a harmless family proves it kills. */
	pid = fork();
	if (pid == 0) {
		if (refuse_family(AF_DECnet) == 0)
			socket(AF_DECnet, SOCK_STREAM, 0);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	      "the filter kills a process that asks for the refused family");
}

int main(int argc, char *argv[])
{
	bool use_ring = !(argc > 1 && strcmp(argv[1], "--epoll") == 0);
	int fds_before;

	if (refuse_family(AF_VSOCK) < 0)
		die("cannot install the seccomp filter that refuses AF_VSOCK");
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	fds_before = 0;
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			fds_before++;
	if (loop_init(use_ring) < 0 || conn_init(&fake_frontend, &fake_sockets) < 0)
		die("init");
	/* stderr: this machine may forbid io_uring; tests/fs/050 asserts it in the guest */
	fprintf(stderr, "conn_test: the loop waits in %s\n",
		loop_ring_status() == 0 ? "io_uring" : "epoll");
	test_belt();
	test_writes();
	test_reads();
	test_listeners();
	test_caps();
	test_many_listeners();
	test_half_close();
	test_shutdown_connecting();
	test_connect_cut();
	test_addressed();
	test_seqpacket();
	test_seqpacket_fair();
	test_seqpacket_full();
	test_seqpacket_killed();
	test_seqpacket_killed_later();
	test_seqpacket_thread_cap();
	test_peer_stopped_reading();
	test_shutdown();
	test_flood();
	check(extra_replies == 0, "no request was answered twice");
	loop_destroy();
	int fds_after = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			fds_after++;
	check(fds_after == fds_before, "no file descriptor leaked");
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
