/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * conn.h: the connection engine, the sockets behind the files of /vmci. A
 * struct conn is one socket: a stream or datagram connection, a stream
 * listener or a bound datagram socket (or an open of a listener that has
 * not accepted yet). Callers that must wait (read with no data, write into
 * a full socket, connect, accept) are parked on the conn and answered from
 * the event loop when the socket is ready.
 *
 * The engine knows neither FUSE nor vsock: it answers callers through a
 * struct conn_frontend and makes its sockets through a struct conn_sockets,
 * both handed to conn_init(). The daemon hands it FUSE replies and AF_VSOCK
 * (vmcifs.c, vsock.c); the unit tests fake replies and use AF_UNIX.
 *
 * What a write means: a write is answered once all its bytes are in the
 * socket, or with what send(2) would have said (the bytes that went in
 * before an error or a signal, or the error). Nothing a writer was told is
 * sent is ever held by the daemon.
 */
#ifndef VMCIFS_CONN_H
#define VMCIFS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum conn_kind {
	CONN_STREAM,		/* connected stream: /vmci/<cid>/<port> or accepted */
	CONN_DGRAM,		/* connected datagram socket: /vmci/<cid>/dgram/<port> */
	CONN_LISTEN,		/* stream listener: /vmci/listen/<port> */
	CONN_DGRAM_BOUND,	/* bound datagram socket: /vmci/listen/dgram/<port> */
};

/* Who opened or created it: charged for it, shown in /vmci/connections. */
struct opener {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

struct request;		/* the front end's: the engine only hands it back */
struct conn;

/*
 * How the engine answers. Every request handed to the engine gets exactly
 * one reply_*() call, now or later.
 */
struct conn_frontend {
	void (*reply_error)(struct request *req, int err);
	void (*reply_data)(struct request *req, const void *buf, size_t len);
	void (*reply_written)(struct request *req, size_t len);
	/*
	 * The open of @req made @c (its handle until conn_release()); @cookie
	 * is the one the open was started with. False if the caller is gone:
	 * no release will come, and the engine drops @c itself.
	 */
	bool (*reply_opened)(struct request *req, struct conn *c, uintptr_t cookie);
	/* Call conn_interrupt(@pending) when the caller of @req gets a signal
	 * (maybe at once). The engine registers it last: it may free things. */
	void (*on_interrupt)(struct request *req, void *pending);
	/* Poll handles: wake the poller (and forget the handle), or just forget it. */
	void (*poll_notify)(void *ph);
	void (*poll_drop)(void *ph);
	/*
	 * The data of the write being handled must outlive the handler: a
	 * token for return_data(), or NULL and the engine copies the data.
	 */
	void *(*keep_data)(const void *data);
	void (*return_data)(void *token);
};

/* Where the sockets come from. Both return a non-blocking fd or -errno. */
struct conn_sockets {
	/* Connected to @cid:@port, or still connecting (*@in_progress set). */
	int (*connect)(enum conn_kind kind, unsigned int cid, unsigned int port,
		       bool *in_progress);
	/* Bound to @port; listening too for CONN_LISTEN. */
	int (*bind)(enum conn_kind kind, unsigned int port);
};

/* Before anything else; the loop (loop.h) must be initialized. */
int conn_init(const struct conn_frontend *fe, const struct conn_sockets *so);

/* Opening. Each answers @req once: reply_opened() or reply_error(). */
void conn_connect(struct request *req, enum conn_kind kind, unsigned int cid,
		  unsigned int port, const struct opener *who, uintptr_t cookie);
/*
 * An open of @listener. Blocking (@later false): accept a client, waiting
 * for one. @later (O_NONBLOCK): a handle at once that accepts on its first
 * read or write, so that opening never takes a client nobody will serve.
 */
void conn_accept(struct request *req, struct conn *listener, bool later,
		 const struct opener *who, uintptr_t cookie);
/* An open of a bound datagram socket: the socket itself, shared. */
void conn_open_bound(struct request *req, struct conn *bound, uintptr_t cookie);

/*
 * A listening (CONN_LISTEN) or bound (CONN_DGRAM_BOUND) socket on @port,
 * charged to @who, with one reference (the caller's); NULL with errno set
 * (EDQUOT, EADDRINUSE, ...). Who may listen where is listener.c's rule.
 */
struct conn *conn_listen(enum conn_kind kind, unsigned int port,
			 const struct opener *who);
/*
 * Close a listening socket now (rm): waiting accepts and handles fail with
 * ECONNABORTED, readers of a bound datagram socket see end of file. The
 * conn itself lives until its last reference is released.
 */
void conn_close(struct conn *c);

/*
 * I/O on an open conn; each answers @req exactly once, now or later.
 * @continued: this request carries the rest of one read(2)/write(2) that
 * the kernel split in pieces (see vmcifs.8: a read is answered at once
 * then, a datagram write refused).
 */
void conn_read(struct conn *c, struct request *req, size_t size, bool continued,
	       bool nonblock);
void conn_write(struct conn *c, struct request *req, const char *buf, size_t len,
		bool continued, bool nonblock);
/* Current poll(2) mask; keeps @ph (a poll handle, or NULL) to notify on change. */
unsigned int conn_poll(struct conn *c, void *ph);
/* Drop a reference: the last close of an open file, or the listener table's. */
void conn_release(struct conn *c);

/* The caller of a parked request got a signal (see on_interrupt). */
void conn_interrupt(void *pending);
/* Answer the interrupted requests: after each request the front end handles. */
void conn_run_deferred(void);
/* Stopping: fail every parked request with @err, close every socket. */
void conn_shutdown_all(int err);
/* Exit: free every conn (after conn_shutdown_all). */
void conn_destroy_all(void);

/* What a conn is, for /vmci/connections. */
struct conn_info {
	enum conn_kind kind;
	const char *state;	/* "established", "listening", "waiting", ... */
	int fd;			/* the socket, or -1 */
	unsigned int cid, port;	/* the address dialled, or the bound port */
	uint64_t rx, tx;	/* bytes received and sent */
	struct opener who;
};
void conn_get_info(const struct conn *c, struct conn_info *info);
void conn_for_each(void (*fn)(const struct conn *c, void *arg), void *arg);
/* Conns alive (for tests: nothing may leak). */
size_t conn_count(void);

#endif
