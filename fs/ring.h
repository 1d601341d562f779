/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ring.h: an io_uring under the event loop. Its point is the system call it
 * saves: one io_uring_enter() submits what the loop queued (replies to
 * /dev/fuse, the next read of it, the poll of the epoll set) and sleeps
 * until something completes, where epoll needs a write per reply, a read
 * per request and an epoll_wait per wakeup. It knows nothing of what it
 * carries. Optional: where io_uring is missing or forbidden (an old kernel,
 * a seccomp filter, kernel.io_uring_disabled) ring_init() fails and the
 * loop stays plain epoll.
 */
#ifndef VMCIFS_RING_H
#define VMCIFS_RING_H

#include <stdbool.h>
#include <stddef.h>

/* One operation in flight: done() gets its result (bytes, or -errno). */
struct ring_op {
	void (*done)(struct ring_op *op, int res);
	bool is_write;		/* ring.c's own */
};

/* 0, or -errno when io_uring cannot be used here. */
int ring_init(void);
void ring_exit(void);
bool ring_active(void);

/*
 * Queue an operation; it is submitted by the next ring_wait(). Each returns
 * 0, or -errno (no ring, or the submission queue would not drain). @op and
 * the memory it names must stay until op->done() has run.
 */
int ring_read(struct ring_op *op, int fd, void *buf, size_t len);
int ring_write(struct ring_op *op, int fd, const void *buf, size_t len);
/* A one-shot poll for @events (POLLIN...): done() gets the mask. */
int ring_poll(struct ring_op *op, int fd, unsigned int events);
/* Ask the kernel to cancel @op: its done() still runs (-ECANCELED). */
int ring_cancel(struct ring_op *op);

/*
 * Run the done() of what has completed. If nothing had, submit what is
 * queued and wait at most @timeout_ms (-1: no limit) for a completion, then
 * run those. The number of done() calls, or -errno.
 */
int ring_wait(int timeout_ms);
/*
 * Submit what is queued and run the done() of what has completed, never
 * waiting: the number of done() calls, or -errno.
 */
int ring_flush(void);
/* Operations submitted or queued whose done() has not run yet. */
unsigned int ring_in_flight(void);

#endif
