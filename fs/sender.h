/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sender.h: sends that must not be cut in pieces, done off the event loop.
 *
 * A seqpacket message must reach the socket whole. vsock (6.1) cannot
 * promise that to a non-blocking sender: a message bigger than the room
 * the peer has left goes in part, then send() says EAGAIN, and whatever is
 * sent next is glued to that part. A blocking send waits for the room
 * instead, so the engine hands each message to a helper thread that
 * sends it on a blocking socket, and learns from the event loop when it
 * is done. Every message goes through a helper; threads exist only while
 * messages are being sent (a few are kept idle for reuse), at most
 * MAX_HELPERS (sender.c) of them, shared first come first served by every
 * user (a known limit: see vmcifs.8, Seqpacket); everything
 * else stays on the loop's thread. They inherit the daemon's blocked
 * signals, so no signal ever cuts a message.
 */
#ifndef VMCIFS_SENDER_H
#define VMCIFS_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "list.h"

struct send_job {
	int fd;			/* a blocking socket */
	const char *data;	/* stays valid until done() */
	size_t len;
	ssize_t result;		/* once done: bytes sent, or -errno */
	/* Called on the event loop's thread once the send has ended. */
	void (*done)(struct send_job *job);
	/* The sender's own */
	struct list link;
	int state;
};

/*
 * Before the first job; the loop (loop.h) must be initialized.
 * @send_message sends one whole message on a blocking socket (in a helper
 * thread): bytes sent or -errno.
 */
int sender_init(ssize_t (*send_message)(int fd, const void *buf, size_t len));
/* Send @job's message; job->done() follows from the loop, always. */
void sender_start(struct send_job *job);
/*
 * The message is no longer wanted: a job that has not begun ends with
 * -EINTR; one that is sending is stopped by shutting down the socket's
 * writing side (a message cannot be taken back once begun, and the
 * socket is of no use for messages after a cut one). True if it shut
 * the writing side down.
 */
bool sender_cancel(struct send_job *job);
/*
 * Wait until every job has ended and run their done() (the caller shuts
 * the sockets down first, so none stays blocked), then stop the threads.
 */
void sender_stop(void);
/* Exit: sender_stop(), and leave the loop. */
void sender_destroy(void);
/* Helper threads alive now (tests). */
unsigned int sender_threads(void);

#endif
