/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sender.h: sends that must not be cut in pieces, done off the event loop.
 *
 * A seqpacket message must reach the socket whole. vsock (6.1) cannot
 * promise that to a non-blocking sender: a message bigger than the room
 * the peer has left goes in part, then send() says EAGAIN, and whatever is
 * sent next is glued to that part; and nothing in 6.1 tells user space how
 * much room there is (poll says only "some"). A blocking send waits for
 * the room instead, so the engine hands each message to a helper thread
 * that sends it on a blocking socket, and learns from the event loop when
 * it is done.
 *
 * Fair and bounded: every job gets a helper of its own at once (an idle
 * one, or a new thread), never a place in a queue behind other sends. A
 * connection has at most one message here at a time, so one user's
 * helpers are at most the connections it is sending on, which its
 * -o max_sockets bounds: its blocked peers hold only that user's share and
 * never delay anybody else's messages. Root has no such cap, nor has
 * anybody with max_sockets=0, so the helpers of the whole mount have one
 * too (-o max_send_threads, sender_set_max): past it a job fails at once
 * with EAGAIN, nothing sent, rather than the daemon taking the machine's
 * last threads and pids. Threads exist only while
 * messages are being sent (a few are kept idle for reuse). They inherit
 * the daemon's blocked signals, so no signal ever cuts a message, and a
 * begun send is never stopped here: it ends when the message is in, or
 * when the socket fails or is shut down (conn.c does that before
 * sender_stop, and for a writer that is being killed).
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
};

/*
 * Before the first job; the loop (loop.h) must be initialized.
 * @send_message sends one whole message on a blocking socket (in a helper
 * thread): bytes sent or -errno.
 */
int sender_init(ssize_t (*send_message)(int fd, const void *buf, size_t len));
/* At most @max helper threads alive at once, idle ones too (0: no cap). */
#define SENDER_DEFAULT_MAX 4096
void sender_set_max(unsigned int max);
/*
 * Send @job's message in a helper of its own; job->done() follows from the
 * loop, always (with -EAGAIN, nothing sent, if no thread could be had: the
 * cap reached, or pthread_create failing).
 */
void sender_start(struct send_job *job);
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
