/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * session.h: /dev/fuse in the event loop. Each request is read into a
 * buffer and handed to libfuse, which calls the ops of vmcifs.c; a write
 * that must wait can keep its buffer instead of a copy of its data. With
 * the loop's ring, the ring reads the next request, and a small reply is
 * written by the same io_uring_enter() that waits for it. Replies come from
 * the loop's thread only.
 */
#ifndef VMCIFS_SESSION_H
#define VMCIFS_SESSION_H

#include <stdbool.h>

struct fuse_session;

/*
 * Watch @se's /dev/fuse; @after_request runs after each request. The loop
 * stops once the kernel ends the session (unmounted: the last file of a
 * lazily unmounted mount closed, or the connection aborted).
 */
int session_start(struct fuse_session *se, void (*after_request)(void));
/*
 * The request being handled keeps its buffer: if @data points into it,
 * returns the buffer (the data stays valid until session_return_buffer()),
 * else NULL.
 */
void *session_keep_buffer(const void *data);
void session_return_buffer(void *buf);
/* Whether requests are read, and small replies written, by the loop's ring. */
bool session_in_ring(void);
/* Stop watching (the ring's read cancelled, its replies written); free the buffers. */
void session_stop(void);

#endif
