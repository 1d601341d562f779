// SPDX-License-Identifier: GPL-2.0-only
/*
 * ring.c: the io_uring under the event loop (see ring.h). Every queued
 * operation carries its struct ring_op as user_data; 0 marks the ones whose
 * completion nobody reads (a cancel request's own).
 *
 * The wait counts in-flight writes: a write to /dev/fuse completes inside
 * the io_uring_enter() that submits it, and its completion alone would end
 * the wait at once, costing a second io_uring_enter() to go to sleep. So
 * the enter waits for those completions plus one more.
 */
#include <errno.h>
#include <liburing.h>
#include <stdint.h>
#include <time.h>

#include "ring.h"

/* Queue depth: a batch of replies and the few standing reads and polls. */
#define RING_ENTRIES	256

static struct io_uring ring;
static bool active;
static unsigned int in_flight;	/* queued or submitted, done() not run */
static unsigned int writes_in_flight;

int ring_init(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_COOP_TASKRUN };
	int ret;

	ret = io_uring_queue_init_params(RING_ENTRIES, &ring, &p);
	if (ret == -EINVAL) {	/* before 5.19: no COOP_TASKRUN */
		struct io_uring_params plain = { 0 };

		ret = io_uring_queue_init_params(RING_ENTRIES, &ring, &plain);
	}
	if (ret < 0)
		return ret;
	/*
	 * Before 5.7 (no fast poll), a read of /dev/fuse that would block
	 * goes to a worker thread and comes back EAGAIN on the non-blocking
	 * file, and 5.1-5.5 cannot read or write it through the ring at all.
	 */
	if (!(p.features & IORING_FEAT_FAST_POLL)) {
		io_uring_queue_exit(&ring);
		return -EOPNOTSUPP;
	}
	active = true;
	in_flight = 0;
	writes_in_flight = 0;
	return 0;
}

void ring_exit(void)
{
	if (!active)
		return;
	io_uring_queue_exit(&ring);
	active = false;
}

bool ring_active(void)
{
	return active;
}

unsigned int ring_in_flight(void)
{
	return in_flight;
}

/* A free submission entry, making room by submitting if the queue is full. */
static struct io_uring_sqe *get_sqe(void)
{
	struct io_uring_sqe *sqe;

	if (!active)
		return NULL;
	sqe = io_uring_get_sqe(&ring);
	if (!sqe && io_uring_submit(&ring) >= 0)
		sqe = io_uring_get_sqe(&ring);
	return sqe;
}

static int queued(struct io_uring_sqe *sqe, struct ring_op *op)
{
	io_uring_sqe_set_data(sqe, op);
	in_flight++;
	return 0;
}

int ring_read(struct ring_op *op, int fd, void *buf, size_t len)
{
	struct io_uring_sqe *sqe = get_sqe();

	if (!sqe)
		return -EAGAIN;
	io_uring_prep_read(sqe, fd, buf, (unsigned int)len, (uint64_t)-1);
	op->is_write = false;
	return queued(sqe, op);
}

int ring_write(struct ring_op *op, int fd, const void *buf, size_t len)
{
	struct io_uring_sqe *sqe = get_sqe();

	if (!sqe)
		return -EAGAIN;
	io_uring_prep_write(sqe, fd, buf, (unsigned int)len, (uint64_t)-1);
	op->is_write = true;
	writes_in_flight++;
	return queued(sqe, op);
}

int ring_poll(struct ring_op *op, int fd, unsigned int events)
{
	struct io_uring_sqe *sqe = get_sqe();

	if (!sqe)
		return -EAGAIN;
	io_uring_prep_poll_add(sqe, fd, events);
	op->is_write = false;
	return queued(sqe, op);
}

int ring_cancel(struct ring_op *op)
{
	struct io_uring_sqe *sqe = get_sqe();

	if (!sqe)
		return -EAGAIN;
	io_uring_prep_cancel(sqe, op, 0);
	io_uring_sqe_set_data(sqe, NULL);
	return 0;
}

/* Run the done() of every completion there is: how many ran. */
static int reap(void)
{
	struct io_uring_cqe *cqe;
	int n = 0;

	while (io_uring_peek_cqe(&ring, &cqe) == 0) {
		struct ring_op *op = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		/* Seen first: done() may queue more, even submit. */
		io_uring_cqe_seen(&ring, cqe);
		if (!op)
			continue;
		in_flight--;
		if (op->is_write)
			writes_in_flight--;
		op->done(op, res);
		n++;
	}
	return n;
}

int ring_wait(int timeout_ms)
{
	unsigned int want;
	int n, ret;

	if (!active)
		return -EINVAL;
	n = reap();
	if (n > 0)
		return n;
	want = writes_in_flight + (in_flight > writes_in_flight);
	if (timeout_ms < 0) {
		ret = io_uring_submit_and_wait(&ring, want);
	} else {
		struct __kernel_timespec ts = {
			.tv_sec = timeout_ms / 1000,
			.tv_nsec = (long long)(timeout_ms % 1000) * 1000000,
		};
		struct io_uring_cqe *cqe;

		ret = io_uring_submit_and_wait_timeout(&ring, &cqe, want, &ts, NULL);
	}
	/*
	 * A signal, the timeout, a full completion queue, or no memory for a
	 * request just now (-EAGAIN, -ENOMEM: a container at its limit):
	 * reap what there is; a short pause before the next try, so that a
	 * lasting shortage does not spin. Only a broken ring is fatal.
	 */
	if (ret == -EAGAIN || ret == -ENOMEM) {
		struct timespec pause = { .tv_nsec = 1000000 };

		nanosleep(&pause, NULL);
	} else if (ret < 0 && ret != -EINTR && ret != -ETIME && ret != -EBUSY) {
		return ret;
	}
	return reap();
}

int ring_flush(void)
{
	int ret;

	if (!active)
		return -EINVAL;
	ret = io_uring_submit(&ring);	/* no system call if nothing is queued */
	if (ret < 0 && ret != -EINTR && ret != -EBUSY && ret != -EAGAIN &&
	    ret != -ENOMEM)
		return ret;
	return reap();
}
