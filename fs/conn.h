/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * conn.h: the VMCI sockets behind the files of /vmci. A struct conn is one
 * socket: a stream or datagram connection, a stream listener or a bound
 * datagram socket. Callers that must wait (read with no data, write into a
 * full socket, connect, accept) are parked on the conn as a struct request
 * and answered from the event loop when the socket is ready. This file knows
 * nothing of FUSE: it answers through the reply_*() functions of reply.h.
 */
#ifndef VMCIFS_CONN_H
#define VMCIFS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "reply.h"

enum conn_kind {
	CONN_STREAM,		/* connected stream: /vmci/<cid>/<port> or accepted */
	CONN_DGRAM,		/* connected datagram socket: /vmci/<cid>/dgram/<port> */
	CONN_LISTEN,		/* stream listener: /vmci/listen/<port> */
	CONN_DGRAM_BOUND,	/* bound datagram socket: /vmci/listen/dgram/<port> */
};

struct conn;

/* Who opened or created it (shown in /vmci/connections, owner of listeners). */
struct opener {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/*
 * Opening. Each answers @req exactly once: reply_opened() with a new conn
 * (or the listener itself for a bound datagram socket), or reply_error().
 */
void conn_connect(struct request *req, enum conn_kind kind, unsigned int cid,
		  unsigned int port, const struct opener *who);
void conn_accept(struct request *req, struct conn *listener, bool nonblock,
		 const struct opener *who);
/* A bound datagram socket's open: takes a reference, answers at once. */
void conn_open_bound(struct request *req, struct conn *bound);

/*
 * Listeners (stream and datagram), one per port: listener_find() the one
 * on @port, or NULL; listener_create() a new one (on first use), or NULL
 * with errno set (EACCES below 1024 unless @may_bind_low, EADDRINUSE,
 * EPERM outside the guest...).
 */
struct conn *listener_find(enum conn_kind kind, unsigned int port);
struct conn *listener_create(enum conn_kind kind, unsigned int port,
			     const struct opener *who, bool may_bind_low);
/* rm: close the listener; parked accepts fail with ECONNABORTED. */
void listener_remove(struct conn *l);
/* Listener ports of @kind in ascending order, for readdir; returns count. */
size_t listener_ports(enum conn_kind kind, unsigned int *ports, size_t max);
uid_t listener_uid(const struct conn *l);
gid_t listener_gid(const struct conn *l);

/* I/O on an open conn; each answers @req exactly once, now or later. */
void conn_read(struct conn *c, struct request *req, size_t size, bool nonblock);
void conn_write(struct conn *c, struct request *req, const char *buf,
		size_t len, bool nonblock);
/* Current poll(2) mask; keeps @ph (a poll handle) to notify on change. */
unsigned int conn_poll(struct conn *c, void *ph);
/* The last close of an open file. */
void conn_release(struct conn *c);

/* A parked request was interrupted by a signal (answered later, see below). */
void conn_interrupt(void *pending);
/* Answer interrupted requests; the loop calls it after each FUSE request. */
void conn_run_deferred(void);
/* Free the conns closed since the last call (after each event batch). */
void conn_reap(void);
/* Unmount or exit: fail every parked request with @err, close every socket. */
void conn_shutdown_all(int err);

/* The text of /vmci/connections, malloc'd; *len set. */
char *conn_table(size_t *len);
/* The local CID (IOCTL_VM_SOCKETS_GET_LOCAL_CID), or -errno. */
long conn_local_cid(void);

#endif
