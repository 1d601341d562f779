/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reply.h: how the connection code answers a waiting caller without knowing
 * FUSE. A struct request is a FUSE request (fuse_req_t) in disguise; the
 * functions are implemented next to the ops table in vmcifs.c. Each request
 * gets exactly one reply_*() call.
 */
#ifndef VMCIFS_REPLY_H
#define VMCIFS_REPLY_H

#include <stddef.h>

struct request;
struct conn;

void reply_error(struct request *req, int err);
void reply_data(struct request *req, const void *buf, size_t len);
void reply_written(struct request *req, size_t len);
/* Open succeeded: @c becomes the file handle; if the caller is gone, the
 * conn is released at once. */
void reply_opened(struct request *req, struct conn *c);
/* Call conn_interrupt(@pending) if the caller gets a signal while parked. */
void request_on_interrupt(struct request *req, void *pending);
/* Poll handles (struct fuse_pollhandle): wake the poller, or just drop it. */
void poll_notify(void *ph);
void poll_drop(void *ph);
/* Log a message a person will read (stderr, or syslog when daemonized). */
void vmcifs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
