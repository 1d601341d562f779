/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * loop.h: the single event loop of the vmcifs daemon. One thread waits in
 * epoll on everything (/dev/fuse, every socket, the signals) and calls each
 * watch's ready() in turn, so no request ever blocks a thread; with an
 * io_uring (ring.h), it waits in the ring, where the epoll set is one poll
 * among the ring's own operations. It knows nothing of what it watches.
 */
#ifndef VMCIFS_LOOP_H
#define VMCIFS_LOOP_H

#include <stdbool.h>
#include <stdint.h>

/* Something in the epoll set: ready() gets the epoll event mask. */
struct watch {
	int fd;
	void (*ready)(struct watch *w, uint32_t events);
};

/*
 * @use_ring: sleep in an io_uring (ring.h) that also carries the callers'
 * own operations, if this kernel allows one; else, and if not, epoll.
 */
int loop_init(bool use_ring);
/* 0 if loop_init() got its ring, else -errno (why not). */
int loop_ring_status(void);
void loop_destroy(void);
/* Add @w to the set for @events (EPOLLIN, EPOLLET...): 0 or -1 with errno. */
int loop_add(struct watch *w, uint32_t events);
void loop_del(struct watch *w);
/* Change the events @w is watched for: 0 or -1 with errno. */
int loop_mod(struct watch *w, uint32_t events);
/* Call @fn after every batch of events (a few hooks at most): 0 or -1. */
int loop_after_batch(void (*fn)(void));
/* Wait at most @timeout_ms (-1: no limit) and handle what came: the number
 * of events, or -errno. */
int loop_once(int timeout_ms);
/* loop_once() until loop_stop(): 0 or -errno. */
int loop_run(void);
void loop_stop(void);

#endif
