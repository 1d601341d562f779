/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * connector.h: stream and seqpacket connects, made blocking, off the event
 * loop.
 *
 * A non-blocking vsock connect (6.1) that does not complete at once takes
 * a reference on its socket that connect_work drops only when the connect
 * timeout fires (2 s by default), even if the connection is made a moment
 * later; a socket closed meanwhile is freed only then, and the VMCI
 * transport gives its queue pair (512 KiB) back only when the socket is
 * freed: a few hundred quick opens and closes fill the device. A blocking
 * connect takes no such reference. So each connect is a blocking connect(2)
 * in a helper thread of its own, bounded by the socket's own connect
 * timeout; the loop hears how it went through an eventfd.
 *
 * The socket belongs to the job until done() has run on the loop: nobody
 * closes it while its thread may be in connect(). A connect nobody wants
 * any more is cut (connector_cut): its thread gets a signal whose handler
 * does not restart, and vsock_connect() then gives up (EINTR); done()
 * still follows, and only then may the socket be closed. Threads exist
 * only while they connect; the connects a user may have under way are
 * bounded by that user's -o max_sockets (a connecting socket is one), and
 * all of them, root's included, by -o max_connect_threads (connector_set_max):
 * past it a connect fails at once with EAGAIN.
 */
#ifndef VMCIFS_CONNECTOR_H
#define VMCIFS_CONNECTOR_H

#include <pthread.h>
#include <stdbool.h>

#include "list.h"

struct connect_job {
	int fd;			/* a blocking socket, the job's until done() */
	unsigned int cid, port;
	int result;		/* once done: 0, or -errno (-EINTR: cut) */
	/* Called on the event loop's thread once connect(2) has returned. */
	void (*done)(struct connect_job *job);
	/* The connector's own */
	struct list link;
	pthread_t thread;
	bool finished;		/* connect(2) has returned: no more signals */
	bool cut;
};

/*
 * Before the first job, on the loop's thread (the loop must be
 * initialized). @connect_fn connects blocking socket @fd (in a helper
 * thread): 0 or -errno.
 */
int connector_init(int (*connect_fn)(int fd, unsigned int cid, unsigned int port));
/* Connect @job->fd in a thread of its own: 0, or an errno (no thread: nothing started). */
int connector_start(struct connect_job *job);
/* End @job's connect soon (-EINTR unless it is made already); done() follows. */
void connector_cut(struct connect_job *job);
/* Cut every job, wait for their threads and run their done(). */
void connector_stop(void);
/* Exit: connector_stop(), and leave the loop. */
void connector_destroy(void);
/* The cap on connect threads, mount-wide (0: none); past it EAGAIN. */
#define CONNECTOR_DEFAULT_MAX	4096
void connector_set_max(unsigned int max);
/* Connect threads alive now (tests). */
unsigned int connector_threads(void);

#endif
