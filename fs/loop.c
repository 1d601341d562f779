// SPDX-License-Identifier: GPL-2.0-only
/*
 * loop.c: the event loop (see loop.h): one epoll set, a batch of events at
 * a time, then the after-batch hooks (the connection engine frees what was
 * closed during the batch there, once no event of the batch can name it).
 * With the ring, the loop sleeps in io_uring_enter() instead of epoll_wait():
 * the epoll set is one poll in the ring, read without waiting once it fires.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "ring.h"

#define MAX_EVENTS	64
#define MAX_HOOKS	4

static int epfd = -1;
static bool stopping;
static void (*hooks[MAX_HOOKS])(void);
static int nhooks;
/* The ring's poll of the epoll set: armed, and fired since last read. */
static struct ring_op epoll_poll;
static bool epoll_armed, epoll_fired;
/* The last read of the set filled a batch: it is read again at once. */
static bool batch_was_full;
static int ring_err;		/* why there is no ring: -errno */

static void epoll_poll_done(struct ring_op *op, int res)
{
	(void)op;
	(void)res;	/* an error too: epoll_wait() will say it */
	epoll_armed = false;
	epoll_fired = true;
}

int loop_init(bool use_ring)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	stopping = false;
	epoll_armed = false;
	epoll_fired = false;
	batch_was_full = false;
	if (epfd < 0)
		return -1;
	/* Without, or if it fails: plain epoll. */
	ring_err = use_ring ? ring_init() : -EPERM;
	epoll_poll.done = epoll_poll_done;
	return 0;
}

int loop_ring_status(void)
{
	return ring_active() ? 0 : ring_err;
}

void loop_destroy(void)
{
	ring_exit();
	if (epfd >= 0)
		close(epfd);
	epfd = -1;
	nhooks = 0;
}

int loop_add(struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

int loop_mod(struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void loop_del(struct watch *w)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

int loop_after_batch(void (*fn)(void))
{
	if (nhooks == MAX_HOOKS) {
		errno = ENOSPC;
		return -1;
	}
	hooks[nhooks++] = fn;
	return 0;
}

/*
 * Wait in the ring: the epoll set's poll is armed whenever it is not, and
 * once it fires the set is read without waiting. The number of epoll
 * events in @events (the ring's own completions have run already), or
 * -errno.
 */
static int wait_in_ring(struct epoll_event *events, int timeout_ms)
{
	int n;

	/*
	 * After a full batch the set is read again without ring_wait(): so
	 * that a flood of ready sockets cannot hold back the replies queued
	 * for /dev/fuse, nor its next request, the ring gets its turn first.
	 */
	if (batch_was_full) {
		batch_was_full = false;
		n = ring_flush();
		if (n < 0)
			return n;
	}
	if (!epoll_armed && !epoll_fired) {
		n = ring_poll(&epoll_poll, epfd, POLLIN);
		if (n < 0)
			return n;
		epoll_armed = true;
	}
	if (!epoll_fired) {
		n = ring_wait(timeout_ms);
		if (n < 0)
			return n == -EINTR ? 0 : n;
		if (!epoll_fired)
			return 0;
	}
	epoll_fired = false;
	n = epoll_wait(epfd, events, MAX_EVENTS, 0);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	/* A full batch may leave more: look again before sleeping. */
	if (n == MAX_EVENTS)
		epoll_fired = batch_was_full = true;
	return n;
}

int loop_once(int timeout_ms)
{
	struct epoll_event events[MAX_EVENTS];
	int n;

	if (ring_active()) {
		n = wait_in_ring(events, timeout_ms);
		if (n < 0)
			return n;
	} else {
		n = epoll_wait(epfd, events, MAX_EVENTS, timeout_ms);
		if (n < 0)
			return errno == EINTR ? 0 : -errno;
	}
	for (int i = 0; i < n && !stopping; i++) {
		struct watch *w = events[i].data.ptr;

		w->ready(w, events[i].events);
	}
	for (int i = 0; i < nhooks; i++)
		hooks[i]();
	return n;
}

int loop_run(void)
{
	while (!stopping) {
		int n = loop_once(-1);

		if (n < 0)
			return n;
	}
	return 0;
}

void loop_stop(void)
{
	stopping = true;
}
