// SPDX-License-Identifier: GPL-2.0-only
/*
 * session.c: /dev/fuse in the event loop (see session.h). The device is
 * non-blocking. Without the ring it is a level-triggered watch: a batch of
 * requests per wakeup, then the sockets get their turn. With it, one read
 * is in the ring at a time; its completion hands the request to libfuse
 * through libfuse's custom I/O hooks, which are also where replies are
 * queued.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <sys/epoll.h>

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include "log.h"
#include "loop.h"
#include "ring.h"
#include "session.h"

/* FUSE requests handled per wakeup before the sockets get a turn. */
#define FUSE_BATCH	32
/*
 * Reading /dev/fuse again after a request costs a system call, one that
 * fails (EAGAIN) whenever the caller waits for the reply before it asks
 * anything more: a ping-pong, a stream of writes, a shell's opens. So a
 * wakeup reads one request, and reads on only while the mount is busy (the
 * last wakeup found more than one request waiting), or to look once every
 * PROBE_EVERY wakeups. Nothing waits longer for it: /dev/fuse is
 * level-triggered, so what is left wakes the next epoll_wait at once.
 */
#define PROBE_EVERY	8
/*
 * Request buffers (each the size of the largest request, about 1 MiB). A
 * few are kept for reuse, so that a bulk stream neither mallocs nor faults
 * in fresh pages per request.
 */
#define SPARE_BUFFERS	4

/*
 * With the ring, replies of up to a slot are copied and written by the
 * ring's next io_uring_enter() (the one that also waits for the next
 * request); libfuse's buffers are gone once its reply function returns.
 * Larger replies (bulk reads) are written at once, as without the ring.
 */
#define REPLY_SLOTS	64
#define REPLY_SLOT_SIZE	4096

struct reply_slot {
	struct ring_op op;
	struct reply_slot *next_free;
	char data[REPLY_SLOT_SIZE];
};

static struct fuse_session *session;
static void (*after_each)(void);
static struct watch fuse_watch;
static struct fuse_buf fbuf;
static void *spare[SPARE_BUFFERS];
static int nspare;
static bool busy;
static unsigned int wakeups;

/* The ring's read of /dev/fuse, and what libfuse's read hook hands over. */
static bool reading_in_ring;	/* else /dev/fuse is an epoll watch */
static struct ring_op read_op;
static bool read_armed;
static bool have_result;
static int result;
static bool probing;		/* learning libfuse's buffer size */
static unsigned int eagain_run;	/* ring reads in a row that came back EAGAIN */
static size_t bufsize;		/* of a request buffer: libfuse's choice */
static bool stopping;
static bool watching;		/* /dev/fuse is in the epoll set */

static struct reply_slot *slots, *free_slots;
static unsigned int slots_busy;
static bool deferring;		/* replies go through the ring */

void *session_keep_buffer(const void *data)
{
	const char *base = fbuf.mem;

	if (!base || (const char *)data < base ||
	    (const char *)data >= base + fbuf.size)
		return NULL;
	fbuf.mem = NULL;
	return (void *)base;
}

void session_return_buffer(void *buf)
{
	if (nspare < SPARE_BUFFERS)
		spare[nspare++] = buf;
	else
		free(buf);
}

/* What taking one request came to. */
enum taken {
	TAKEN_NONE,	/* none waiting */
	TAKEN_AGAIN,	/* interrupted (EINTR; ENOENT: the request was) */
	TAKEN_ONE,	/* one handled */
	TAKEN_END,	/* the session is over */
};

/* Take one request (libfuse's read, or the ring's result) and handle it. */
static enum taken take_request(void)
{
	int res;

	if (!fbuf.mem && nspare)
		fbuf.mem = spare[--nspare];
	res = fuse_session_receive_buf(session, &fbuf);
	if (res == -EAGAIN)
		return TAKEN_NONE;
	if (res == -EINTR || res == -ENOENT)
		return TAKEN_AGAIN;
	if (res <= 0 || fuse_session_exited(session)) {
		/* 0: the session ended; <0: libfuse reported it */
		loop_stop();
		return TAKEN_END;
	}
	fuse_session_process_buf(session, &fbuf);
	after_each();
	if (fuse_session_exited(session)) {
		loop_stop();
		return TAKEN_END;
	}
	return TAKEN_ONE;
}

static void fuse_ready(struct watch *w, uint32_t events)
{
	int limit = busy || ++wakeups % PROBE_EVERY == 0 ? FUSE_BATCH : 1;
	int handled = 0;

	(void)w;
	(void)events;
	busy = false;
	for (int i = 0; i < limit; i++) {
		enum taken t = take_request();

		if (t == TAKEN_NONE || t == TAKEN_END)
			return;
		if (t == TAKEN_ONE)
			busy = ++handled > 1;
	}
}

/* /dev/fuse back in the epoll set, if the ring cannot read it. */
static void read_with_epoll(const char *why)
{
	vmcifs_log("reading /dev/fuse through epoll from now on: %s", why);
	reading_in_ring = false;
	if (loop_add(&fuse_watch, EPOLLIN) < 0) {
		vmcifs_log("cannot watch /dev/fuse: %s", strerror(errno));
		loop_stop();
		return;
	}
	watching = true;
}

static void *new_buffer(void)
{
	/*
	 * Zeroed: what the kernel writes through the ring is not seen by
	 * valgrind (tests/fs/053), so the buffer must be defined already.
	 * calloc() of a fresh mapping touches no page.
	 */
	return calloc(1, bufsize);
}

/* The next request, read by the ring into fbuf.mem. */
static void arm_read(void)
{
	int err;

	if (!fbuf.mem)
		fbuf.mem = nspare ? spare[--nspare] : new_buffer();
	if (!fbuf.mem) {
		read_with_epoll("out of memory");
		return;
	}
	err = ring_read(&read_op, fuse_watch.fd, fbuf.mem, bufsize);
	if (err < 0) {
		read_with_epoll(strerror(-err));
		return;
	}
	read_armed = true;
}

static void read_done(struct ring_op *op, int res)
{
	(void)op;
	read_armed = false;
	if (stopping)
		return;		/* cancelled, or a request left to the abort */
	if (res == -EAGAIN) {
		/*
		 * io_uring polls the non-blocking file and retries, but after
		 * 128 wake-ups that found nothing (requests that vanished:
		 * their callers killed) 6.1 hands the read to a worker, which
		 * gets EAGAIN. Read again; only a run of them means the ring
		 * cannot wait for this file.
		 */
		if (++eagain_run < 8) {
			arm_read();
			return;
		}
		read_with_epoll("io_uring cannot wait for it (EAGAIN)");
		return;
	}
	eagain_run = 0;
	have_result = true;
	result = res;
	if (take_request() != TAKEN_END)
		arm_read();
}

/*
 * libfuse's read of /dev/fuse: the ring's result when there is one (the
 * data is in the buffer already: the one libfuse passes, fbuf.mem); else a
 * read(2), as libfuse's own. libfuse calls it only while splice reads are
 * off (vmcifs_init() turns FUSE_CAP_SPLICE_READ off): with splice on, it
 * would splice from /dev/fuse itself and a request the ring read would be
 * lost.
 */
static ssize_t io_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)userdata;
	/* Learnt once: the buffers are that big (libfuse only ever shrinks it). */
	if (probing)
		bufsize = len;
	if (have_result) {
		have_result = false;
		if (result < 0) {
			errno = -result;
			return -1;
		}
		return result;
	}
	if (probing) {
		errno = EAGAIN;
		return -1;
	}
	return read(fd, buf, len);
}

static void reply_done(struct ring_op *op, int res)
{
	struct reply_slot *slot = (struct reply_slot *)op;

	/*
	 * A request that reached the daemon waits for its reply (6.1's
	 * request_wait_answer), so a reply fails only once the connection is
	 * aborted (ENODEV), and then the session ends: nothing to undo.
	 * ENOENT is libfuse's "interrupted", silent there too.
	 */
	if (res < 0 && res != -ENOENT && res != -ENODEV)
		vmcifs_log("cannot reply to the kernel: %s", strerror(-res));
	slot->next_free = free_slots;
	free_slots = slot;
	slots_busy--;
}

/* libfuse's write of a reply (or notification) to /dev/fuse. */
static ssize_t io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	struct reply_slot *slot = free_slots;
	size_t total = 0;

	(void)userdata;
	if (!deferring || !slot)
		return writev(fd, iov, count);
	for (int i = 0; i < count; i++)
		total += iov[i].iov_len;
	if (total > REPLY_SLOT_SIZE)
		return writev(fd, iov, count);
	total = 0;
	for (int i = 0; i < count; i++) {
		memcpy(slot->data + total, iov[i].iov_base, iov[i].iov_len);
		total += iov[i].iov_len;
	}
	if (ring_write(&slot->op, fd, slot->data, total) < 0)
		return writev(fd, iov, count);
	free_slots = slot->next_free;
	slots_busy++;
	return (ssize_t)total;
}

static const struct fuse_custom_io ring_io = {
	.read = io_read,
	.writev = io_writev,
};

/* Requests and replies through the loop's ring: 0, or -1 (use epoll). */
static int start_in_ring(void)
{
	int res;

	slots = calloc(REPLY_SLOTS, sizeof(*slots));
	if (!slots)
		return -1;
	for (int i = 0; i < REPLY_SLOTS; i++) {
		slots[i].op.done = reply_done;
		slots[i].next_free = i + 1 < REPLY_SLOTS ? &slots[i + 1] : NULL;
	}
	free_slots = slots;
	if (fuse_session_custom_io(session, &ring_io, fuse_watch.fd) != 0)
		return -1;
	/* libfuse says its buffer size only to its read hook: ask it once. */
	probing = true;
	res = fuse_session_receive_buf(session, &fbuf);
	probing = false;
	free(fbuf.mem);		/* libfuse's malloc: ours are zeroed */
	fbuf.mem = NULL;
	if (res != -EAGAIN || !bufsize)
		return -1;
	read_op.done = read_done;
	reading_in_ring = true;
	deferring = true;
	arm_read();
	return 0;
}

int session_start(struct fuse_session *se, void (*after_request)(void))
{
	int fd = fuse_session_fd(se);

	session = se;
	after_each = after_request;
	stopping = false;
	fuse_watch.fd = fd;
	fuse_watch.ready = fuse_ready;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return -1;
	if (loop_ring_status() == 0 && start_in_ring() == 0)
		return 0;
	if (loop_add(&fuse_watch, EPOLLIN) < 0)
		return -1;
	watching = true;
	return 0;
}

bool session_in_ring(void)
{
	return reading_in_ring;
}

/* Let the ring finish: the read cancelled, every reply written. */
static void drain_ring(void)
{
	if (read_armed)
		ring_cancel(&read_op);
	/* A reply to /dev/fuse completes at once: a few rounds at most. */
	for (int i = 0; i < 50 && (read_armed || slots_busy); i++)
		if (ring_wait(100) < 0)
			break;
}

void session_stop(void)
{
	if (!session)
		return;
	stopping = true;
	if (watching)
		loop_del(&fuse_watch);
	watching = false;
	if (read_armed || slots_busy)
		drain_ring();
	deferring = false;
	reading_in_ring = false;
	session = NULL;
	free(fbuf.mem);
	fbuf.mem = NULL;
	while (nspare)
		free(spare[--nspare]);
	if (!slots_busy) {
		free(slots);
		slots = NULL;
	}
}
