// SPDX-License-Identifier: GPL-2.0-only
/*
 * loop.c: the event loop (see loop.h): one epoll set, a batch of events at
 * a time, then the after-batch hooks (the connection engine frees what was
 * closed during the batch there, once no event of the batch can name it).
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

#define MAX_EVENTS	64
#define MAX_HOOKS	4

static int epfd = -1;
static bool stopping;
static void (*hooks[MAX_HOOKS])(void);
static int nhooks;

int loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	stopping = false;
	return epfd < 0 ? -1 : 0;
}

void loop_destroy(void)
{
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

int loop_once(int timeout_ms)
{
	struct epoll_event events[MAX_EVENTS];
	int n = epoll_wait(epfd, events, MAX_EVENTS, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
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
