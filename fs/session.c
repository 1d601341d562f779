// SPDX-License-Identifier: GPL-2.0-only
/*
 * session.c: /dev/fuse in the event loop (see session.h). The device is
 * non-blocking and level-triggered: a batch of requests per wakeup, then
 * the sockets get their turn.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include "loop.h"
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

static struct fuse_session *session;
static void (*after_each)(void);
static struct watch fuse_watch;
static struct fuse_buf fbuf;
static void *spare[SPARE_BUFFERS];
static int nspare;
static bool busy;
static unsigned int wakeups;

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

static void fuse_ready(struct watch *w, uint32_t events)
{
	int limit = busy || ++wakeups % PROBE_EVERY == 0 ? FUSE_BATCH : 1;
	int handled = 0;

	(void)w;
	(void)events;
	busy = false;
	for (int i = 0; i < limit; i++) {
		int res;

		if (!fbuf.mem && nspare)
			fbuf.mem = spare[--nspare];
		res = fuse_session_receive_buf(session, &fbuf);
		if (res == -EINTR || res == -ENOENT)
			continue;	/* ENOENT: the request was interrupted */
		if (res == -EAGAIN)
			return;
		if (res <= 0 || fuse_session_exited(session)) {
			/* 0: the session ended; <0: libfuse reported it */
			loop_stop();
			return;
		}
		fuse_session_process_buf(session, &fbuf);
		busy = ++handled > 1;
		after_each();
		if (fuse_session_exited(session)) {
			loop_stop();
			return;
		}
	}
}

int session_start(struct fuse_session *se, void (*after_request)(void))
{
	int fd = fuse_session_fd(se);

	session = se;
	after_each = after_request;
	fuse_watch.fd = fd;
	fuse_watch.ready = fuse_ready;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return -1;
	return loop_add(&fuse_watch, EPOLLIN);
}

void session_stop(void)
{
	if (session)
		loop_del(&fuse_watch);
	session = NULL;
	free(fbuf.mem);
	fbuf.mem = NULL;
	while (nspare)
		free(spare[--nspare]);
}
