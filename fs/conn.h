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
 * sent is ever held by the daemon. A seqpacket message that has begun goes
 * whole despite a signal, unless its writer is being killed: then the
 * write side is shut down, which cuts it (see conn_interrupt()).
 */
#ifndef VMCIFS_CONN_H
#define VMCIFS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

enum conn_kind {
	CONN_STREAM,		/* connected stream: /vmci/<cid>/<port> or accepted */
	CONN_SEQPACKET,		/* connected seqpacket: <cid>/seqpacket/<port> or accepted */
	CONN_DGRAM,		/* connected datagram socket: /vmci/<cid>/dgram/<port> */
	CONN_LISTEN,		/* stream listener: /vmci/listen/<port> */
	CONN_LISTEN_SEQPACKET,	/* seqpacket listener: /vmci/listen/seqpacket/<port> */
	CONN_DGRAM_BOUND,	/* bound datagram socket: /vmci/listen/dgram/<port> */
};

/* How one read or write was made (conn_read, conn_write). */
enum conn_io {
	CONN_IO_NONBLOCK = 1,	/* O_NONBLOCK: EAGAIN instead of waiting */
	/*
	 * The rest of one read(2)/write(2) that the kernel split in pieces
	 * (see vmcifs.8): a read is answered at once, a message write refused.
	 */
	CONN_IO_CONTINUED = 2,
	/*
	 * On a bound datagram socket: each read gives "CID:PORT\n" (the
	 * sender) before the datagram, each write starts with the address to
	 * send to (user.vmci.headers).
	 */
	CONN_IO_ADDRESSED = 4,
};

/* The longest address line of CONN_IO_ADDRESSED: "4294967295:4294967295\n". */
#define CONN_ADDR_LINE_MAX 22

/* Sides shut down with conn_shutdown() (shutdown(2)'s SHUT_RD + 1...). */
enum conn_shut {
	CONN_SHUT_READ = 1,
	CONN_SHUT_WRITE = 2,
	CONN_SHUT_BOTH = 3,
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
	/* @err, or 0: done (a request that returns no data) */
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
	/*
	 * Is the interrupted caller of @req being killed (a fatal signal: it
	 * never returns to user space)? Asked only when the interrupt comes
	 * for a message already in the sender; true if it cannot be told.
	 */
	bool (*caller_dying)(struct request *req);
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

/* Where the sockets come from, and the calls that differ by family. */
struct conn_sockets {
	/*
	 * A blocking socket of @kind to connect (its connect timeout set), or
	 * -errno. The engine makes it non-blocking once connected.
	 */
	int (*dial_socket)(enum conn_kind kind);
	/*
	 * connect(2) of blocking socket @fd to @cid:@port: 0 or -errno. For
	 * streams and seqpacket, in a helper thread (connector.h), bounded by
	 * the connect timeout and cut by a signal (-EINTR); for datagrams, on
	 * the loop (it only names the peer).
	 */
	int (*connect)(int fd, unsigned int cid, unsigned int port);
	/* A non-blocking socket bound to @port (and listening, for listeners). */
	int (*bind)(enum conn_kind kind, unsigned int port);
	/* A bound datagram socket's next datagram and its sender: bytes or -errno. */
	ssize_t (*recv_from)(int fd, void *buf, size_t size, unsigned int *cid,
			     unsigned int *port);
	/* One datagram from bound socket @fd to @cid:@port: bytes or -errno. */
	ssize_t (*send_to)(int fd, const void *buf, size_t len, unsigned int cid,
			   unsigned int port);
	/*
	 * One whole seqpacket message on blocking socket @fd, from a helper
	 * thread (sender.h): bytes or -errno.
	 */
	ssize_t (*send_message)(int fd, const void *buf, size_t len);
	/*
	 * Would a send on connected seqpacket socket @fd fail now, room or
	 * not: 0, or the -errno it would fail with (-EPIPE: the peer shut its
	 * read side). Asked, without sending anything, when poll says there
	 * is no room: 6.1's vsock says that also to a peer that reads no more.
	 */
	int (*send_error)(int fd);
};

/* Before anything else; the loop (loop.h) must be initialized. */
int conn_init(const struct conn_frontend *fe, const struct conn_sockets *so);

/*
 * Opening. Each answers @req once: reply_opened() or reply_error().
 * A connect waits for the connection, or with @nonblock (O_NONBLOCK)
 * answers at once while it is made: reads and writes then say EAGAIN (or
 * wait, without O_NONBLOCK), poll reports writable once connected, and
 * the error of a failed connect comes on the next call.
 */
void conn_connect(struct request *req, enum conn_kind kind, unsigned int cid,
		  unsigned int port, const struct opener *who, uintptr_t cookie,
		  bool nonblock);
/*
 * An open of @listener. Blocking (@later false): accept a client, waiting
 * for one. @later (O_NONBLOCK): a handle at once that accepts on its first
 * read or write, so that opening never takes a client nobody will serve.
 */
void conn_accept(struct request *req, struct conn *listener, bool later,
		 const struct opener *who, uintptr_t cookie);
/* An open of a bound datagram socket: the socket itself, shared. */
void conn_open_bound(struct request *req, struct conn *bound, uintptr_t cookie);
/* One more open file on @c (a reopen of its node): released like the first. */
void conn_hold(struct conn *c);

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
 * @io: how the caller made it (enum conn_io).
 */
void conn_read(struct conn *c, struct request *req, size_t size, unsigned int io);
void conn_write(struct conn *c, struct request *req, const char *buf, size_t len,
		unsigned int io);
/*
 * shutdown(2) of side(s) @how (enum conn_shut) of a connection, once it is
 * connected (an O_NONBLOCK connect may still be under way) and every write
 * already handed to the engine is in the socket; then @req gets
 * reply_error(0) (done) or the error (a failed connect's). ENOTCONN for
 * sockets that are not a connection (a listener's handle that has not
 * accepted, a failed connect).
 */
void conn_shutdown(struct conn *c, struct request *req, unsigned int how);
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

/* What a conn is, for /vmci/connections and the user.vmci attributes. */
struct conn_info {
	enum conn_kind kind;
	/* "connecting", "waiting" (a listener's handle before it accepts),
	 * "listening", "bound", "established", "peer-closed" (end of file
	 * from the peer), "closed" */
	const char *state;
	int fd;			/* its socket (a waiting handle: its listener's), or -1 */
	bool dialled;		/* cid:port is the address it connected to */
	unsigned int cid, port;	/* the address dialled, or the bound port */
	unsigned int shut;	/* enum conn_shut: the sides shut down here */
	uint64_t rx, tx;	/* bytes received and sent */
	/* Listener: clients accepted; bound datagram socket: datagrams read. */
	uint64_t count;
	time_t created, last;	/* listeners: made, and the last of count */
	struct opener who;
};
void conn_get_info(const struct conn *c, struct conn_info *info);
void conn_for_each(void (*fn)(const struct conn *c, void *arg), void *arg);
/* Conns alive (for tests: nothing may leak). */
size_t conn_count(void);

#endif
