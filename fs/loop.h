/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * loop.h: the single event loop of the vmcifs daemon. One thread waits in
 * epoll on /dev/fuse, on every socket and on the signals; FUSE requests and
 * socket readiness are handled in turn, so no request ever blocks a thread.
 */
#ifndef VMCIFS_LOOP_H
#define VMCIFS_LOOP_H

#include <stdint.h>

struct fuse_session;

/* Something in the epoll set: the callback gets the epoll event mask. */
struct watch {
	int fd;
	void (*ready)(struct watch *w, uint32_t events);
};

int loop_init(void);
/* Add @w to the set, edge-triggered, for @events (EPOLLIN, EPOLLOUT...). */
int loop_add(struct watch *w, uint32_t events);
void loop_del(struct watch *w);
/*
 * Serve @se, mounted on the absolute path @mountpoint, until a signal, an
 * unmount or loop_stop(). Returns 0, 1 if the mount went away under us
 * (lazy unmount), or -errno.
 */
/*
 * The request being handled keeps its buffer: if @data points into it,
 * returns the buffer (the data stays valid until loop_return_buffer()),
 * else NULL. Lets a parked write keep its data without copying it.
 */
void *loop_keep_request_data(const void *data);
void loop_return_buffer(void *buf);

int loop_run(struct fuse_session *se, const char *mountpoint);
void loop_stop(void);

#endif
