// SPDX-License-Identifier: GPL-2.0-only
/*
 * conn.c: the VMCI sockets behind /vmci and the callers waiting on them.
 *
 * Every socket is non-blocking and sits in the event loop's epoll set,
 * edge-triggered, for its whole life. An operation first tries the socket
 * at once; if it would block, the caller is parked as a struct pending on
 * the conn's read or write queue (in arrival order) and answered when the
 * socket becomes ready. Nothing here ever sleeps.
 *
 * Stream writes behave like send() into a socket buffer: once the head of
 * the write queue is held here (copied, or a big one kept in its FUSE
 * request buffer), its writer is answered at once and the rest goes out as
 * the socket drains, in chunks (send_some()); at most one such write per
 * connection, the next writer waits. A later failure is reported to the
 * next write, and a released connection stays until that data is out.
 *
 * Everything runs on the event loop's single thread: no locks. Interrupts
 * (signals) take a parked request off its queue at once and answer it from
 * conn_run_deferred(), after the FUSE request that carried the interrupt,
 * because the FUSE library may be inside its own bookkeeping for that
 * request when it tells us.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/vm_sockets.h>

#include <vmci.h>

#include "conn.h"
#include "list.h"
#include "loop.h"

#define LISTEN_BACKLOG	128
/* FUSE never asks for more than max_read (1 MiB with libfuse 3.14). */
#define SCRATCH_SIZE	(1 << 20)
/* Stream sends: a quarter of the default socket buffer (256 KiB), see send_some(). */
#define STREAM_CHUNK	(64 << 10)
/* A parked write this big keeps the request buffer instead of a copy. */
#define KEEP_BUFFER_MIN	(256 << 10)

enum pending_kind { P_READ, P_WRITE, P_CONNECT, P_ACCEPT };

/* A caller waiting on a conn. */
struct pending {
	struct list link;	/* in conn->readq, conn->writeq or deferred */
	struct request *req;
	struct conn *conn;
	enum pending_kind kind;
	bool interrupted;
	size_t size;		/* read: bytes asked; write: bytes in data */
	size_t done;		/* write: bytes of data sent */
	size_t prior;		/* write: bytes sent before it was parked */
	char *data;		/* write: what is left to send: our copy, or */
	void *kept;		/* ...in this request buffer (big writes) */
	struct opener who;	/* accept: the caller, for the new conn */
};

enum conn_state { ST_CONNECTING, ST_OPEN, ST_CLOSED };

struct conn {
	struct watch w;		/* w.fd is the socket; -1 once closed */
	enum conn_kind kind;
	enum conn_state state;
	unsigned int cid, port;	/* the address dialled, or the bound port */
	struct opener who;
	struct list readq;	/* P_READ, or P_ACCEPT on a listener */
	struct list writeq;	/* P_WRITE */
	struct pending *connecting;
	void *ph;		/* newest poll handle, notified on any event */
	uint64_t rx, tx;	/* bytes received and sent */
	int refs;		/* bound datagram sockets: table + open files */
	bool listed;		/* listeners: still in the listeners table */
	bool closing;		/* released; flushing what it already accepted */
	int write_err;		/* a send of accepted data failed: later writes get it */
	struct list all;	/* in all_conns (for /vmci/connections) */
	struct list lnk;	/* in listeners */
};

static LIST(all_conns);
static LIST(listeners);
static LIST(deferred);
static LIST(dead);
static char *scratch;

static int guard(void)
{
	static int checked, result;

	if (!checked) {
		checked = 1;
		result = vmci_guest_guard();
		if (result < 0)
			vmcifs_log("vmcifs: %s", vmci_guard_message());
	}
	return result < 0 ? -EPERM : 0;
}

static void conn_ready(struct watch *w, uint32_t events);

/*
 * A conn for socket @fd, watched by the event loop (edge-triggered, for
 * good). It owns @fd: on failure @fd is closed and errno set.
 */
static struct conn *conn_new(enum conn_kind kind, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	int err;

	if (!c) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	c->w.fd = fd;
	c->w.ready = conn_ready;
	if (loop_add(&c->w, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) < 0) {
		err = errno;
		close(fd);
		free(c);
		errno = err;
		return NULL;
	}
	c->kind = kind;
	c->state = ST_OPEN;
	list_init(&c->readq);
	list_init(&c->writeq);
	list_init(&c->lnk);
	list_add_tail(&c->all, &all_conns);
	return c;
}

static void pending_free(struct pending *p)
{
	if (p->kept)
		loop_return_buffer(p->kept);
	else
		free(p->data);
	free(p);
}

/* Answer every parked request of @c with @err (or EOF for reads if 0). */
static void fail_queue(struct list *q, int err)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, q) {
		struct pending *p = list_entry(pos, struct pending, link);

		list_del(&p->link);
		if (!p->req)
			;	/* a write already answered */
		else if (p->kind == P_WRITE && p->prior + p->done)
			reply_written(p->req, p->prior + p->done);
		else if (err)
			reply_error(p->req, err);
		else
			reply_data(p->req, NULL, 0);
		pending_free(p);
	}
}

static void conn_close_socket(struct conn *c)
{
	if (c->w.fd < 0)
		return;
	loop_del(&c->w);
	close(c->w.fd);
	c->w.fd = -1;
	c->state = ST_CLOSED;
	if (c->ph) {
		poll_notify(c->ph);
		c->ph = NULL;
	}
}

/*
 * The memory goes only in conn_reap(): an event for @c may still be waiting
 * in the loop's current batch (conn_ready ignores closed conns).
 */
static void conn_free(struct conn *c)
{
	fail_queue(&c->readq, EBADF);
	fail_queue(&c->writeq, EBADF);
	conn_close_socket(c);
	list_del(&c->all);
	list_del(&c->lnk);
	list_add_tail(&c->all, &dead);
}

void conn_reap(void)
{
	while (!list_empty(&dead)) {
		struct conn *c = list_first(&dead, struct conn, all);

		list_del(&c->all);
		free(c);
	}
}

static int new_socket(enum conn_kind kind)
{
	int type = (kind == CONN_STREAM || kind == CONN_LISTEN) ?
		SOCK_STREAM : SOCK_DGRAM;
	int err = guard();

	if (err)
		return err;
	int fd = socket(AF_VSOCK, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

/* Queue a caller on @q; the caller then calls request_on_interrupt() last. */
static struct pending *park(struct conn *c, struct list *q,
			    enum pending_kind kind, struct request *req)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->req = req;
	p->conn = c;
	p->kind = kind;
	list_add_tail(&p->link, q);
	return p;
}

void conn_connect(struct request *req, enum conn_kind kind, unsigned int cid,
		  unsigned int port, const struct opener *who)
{
	struct sockaddr_vm svm = {
		.svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port,
	};
	struct conn *c;
	int fd = new_socket(kind);

	if (fd < 0) {
		reply_error(req, -fd);
		return;
	}
	c = conn_new(kind, fd);
	if (!c) {
		reply_error(req, errno);
		return;
	}
	c->cid = cid;
	c->port = port;
	c->who = *who;
	if (connect(fd, (struct sockaddr *)&svm, sizeof(svm)) == 0) {
		reply_opened(req, c);
		return;
	}
	if (errno != EINPROGRESS)
		goto fail;
	/* Parked on readq, which stays idle until the connect completes. */
	c->state = ST_CONNECTING;
	c->connecting = park(c, &c->readq, P_CONNECT, req);
	if (!c->connecting) {
		errno = ENOMEM;
		goto fail;
	}
	request_on_interrupt(req, c->connecting);	/* last: may free c */
	return;
fail:
	reply_error(req, errno);
	conn_free(c);
}

/* The connect finished (or not yet): answer the open. False if @c is gone. */
static bool finish_connect(struct conn *c)
{
	struct pending *p = c->connecting;
	struct sockaddr_vm svm;
	socklen_t len = sizeof(svm);
	int err = 0;
	socklen_t elen = sizeof(err);

	if (getsockopt(c->w.fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		err = errno;
	if (!err && getpeername(c->w.fd, (struct sockaddr *)&svm, &len) < 0) {
		if (errno == ENOTCONN)
			return true;	/* still connecting */
		err = errno;
	}
	c->connecting = NULL;
	list_del(&p->link);
	if (err) {
		reply_error(p->req, err);
		pending_free(p);
		conn_free(c);
		return false;
	}
	c->state = ST_OPEN;
	struct request *req = p->req;

	pending_free(p);
	reply_opened(req, c);	/* may release c if the caller is gone */
	return false;
}

static struct conn *accept_one(struct conn *l, const struct opener *who)
{
	int fd = accept4(l->w.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct conn *c;

	if (fd < 0)
		return NULL;
	c = conn_new(CONN_STREAM, fd);
	if (!c)
		return NULL;
	c->port = l->port;
	c->who = *who;
	return c;
}

void conn_accept(struct request *req, struct conn *l, bool nonblock,
		 const struct opener *who)
{
	struct pending *p;
	struct conn *c;

	if (l->state == ST_CLOSED) {
		reply_error(req, ENOENT);
		return;
	}
	if (list_empty(&l->readq)) {
		c = accept_one(l, who);
		if (c) {
			reply_opened(req, c);
			return;
		}
		if (errno != EAGAIN) {
			reply_error(req, errno);
			return;
		}
	}
	if (nonblock) {
		reply_error(req, EAGAIN);
		return;
	}
	p = park(l, &l->readq, P_ACCEPT, req);
	if (!p) {
		reply_error(req, ENOMEM);
		return;
	}
	p->who = *who;
	request_on_interrupt(req, p);
}

void conn_open_bound(struct request *req, struct conn *bound)
{
	bound->refs++;
	reply_opened(req, bound);
}

struct conn *listener_find(enum conn_kind kind, unsigned int port)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &listeners) {
		struct conn *l = list_entry(pos, struct conn, lnk);

		if (l->kind == kind && l->port == port)
			return l;
	}
	return NULL;
}

struct conn *listener_create(enum conn_kind kind, unsigned int port,
			     const struct opener *who, bool may_bind_low)
{
	struct sockaddr_vm svm = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};
	struct conn *l;
	int fd, err;

	if (port < 1024 && !may_bind_low) {
		errno = EACCES;
		return NULL;
	}
	fd = new_socket(kind);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	if (bind(fd, (struct sockaddr *)&svm, sizeof(svm)) < 0 ||
	    (kind == CONN_LISTEN && listen(fd, LISTEN_BACKLOG) < 0)) {
		err = errno;
		vmcifs_log("vmcifs: listen on port %u: %s", port, strerror(err));
		close(fd);
		errno = err;
		return NULL;
	}
	l = conn_new(kind, fd);
	if (!l)
		return NULL;
	l->port = port;
	l->who = *who;
	l->refs = 1;
	l->listed = true;
	list_add_tail(&l->lnk, &listeners);
	return l;
}

void listener_remove(struct conn *l)
{
	if (!l->listed)
		return;
	l->listed = false;
	list_del(&l->lnk);
	/* Waiting accepts fail; waiting datagram readers see end of file. */
	fail_queue(&l->readq, l->kind == CONN_LISTEN ? ECONNABORTED : 0);
	conn_close_socket(l);
	if (--l->refs <= 0)
		conn_free(l);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

size_t listener_ports(enum conn_kind kind, unsigned int *ports, size_t max)
{
	struct list *pos, *tmp;
	size_t n = 0;

	list_for_each_safe(pos, tmp, &listeners) {
		struct conn *l = list_entry(pos, struct conn, lnk);

		if (l->kind == kind && n < max)
			ports[n++] = l->port;
	}
	qsort(ports, n, sizeof(*ports), cmp_uint);
	return n;
}

uid_t listener_uid(const struct conn *l)
{
	return l->who.uid;
}

gid_t listener_gid(const struct conn *l)
{
	return l->who.gid;
}

/* One recv into the scratch buffer; returns bytes or -errno. */
static ssize_t recv_some(struct conn *c, size_t size)
{
	ssize_t n;

	if (c->w.fd < 0)
		return 0;	/* a removed listener: end of file */
	if (!scratch) {
		scratch = malloc(SCRATCH_SIZE);
		if (!scratch)
			return -ENOMEM;
	}
	if (size > SCRATCH_SIZE)
		size = SCRATCH_SIZE;
	n = recv(c->w.fd, scratch, size, 0);
	if (n < 0)
		return -errno;
	c->rx += n;
	return n;
}

void conn_read(struct conn *c, struct request *req, size_t size, bool nonblock)
{
	if (list_empty(&c->readq)) {
		ssize_t n = recv_some(c, size);

		if (n >= 0) {
			reply_data(req, scratch, n);
			return;
		}
		if (n != -EAGAIN) {
			reply_error(req, -n);
			return;
		}
	}
	if (nonblock) {
		reply_error(req, EAGAIN);
		return;
	}
	struct pending *p = park(c, &c->readq, P_READ, req);

	if (!p) {
		reply_error(req, ENOMEM);
		return;
	}
	p->size = size;
	request_on_interrupt(req, p);
}

static void serve_reads(struct conn *c)
{
	while (!list_empty(&c->readq)) {
		struct pending *p = list_first(&c->readq, struct pending, link);

		if (p->kind == P_ACCEPT) {
			struct conn *nc = accept_one(c, &p->who);

			if (!nc && errno == EAGAIN)
				return;
			list_del(&p->link);
			if (nc)
				reply_opened(p->req, nc);
			else
				reply_error(p->req, errno);
			pending_free(p);
			continue;
		}
		ssize_t n = recv_some(c, p->size);

		if (n == -EAGAIN)
			return;
		list_del(&p->link);
		if (n >= 0)
			reply_data(p->req, scratch, n);
		else
			reply_error(p->req, -n);
		pending_free(p);
	}
}

/* The head write has its data here: answer its writer now (stream only). */
static void ack_head(struct conn *c)
{
	struct pending *p;

	if (c->kind != CONN_STREAM || list_empty(&c->writeq))
		return;
	p = list_first(&c->writeq, struct pending, link);
	if (p->req) {
		reply_written(p->req, p->prior + p->size);
		p->req = NULL;
	}
}

/*
 * Send what the socket takes now: bytes sent, or -errno (-EAGAIN: none).
 * Streams go in chunks of a quarter of the socket buffer: the peer is woken
 * by each one and copies it out while we copy in the next, where one send
 * the size of the buffer would have it wait for all of it, then us wait
 * for it to drain. Each datagram is one send.
 */
static ssize_t send_some(struct conn *c, const char *data, size_t len)
{
	size_t sent = 0;

	do {
		size_t chunk = c->kind == CONN_STREAM && len - sent > STREAM_CHUNK ?
			STREAM_CHUNK : len - sent;
		ssize_t n = send(c->w.fd, data + sent, chunk, MSG_NOSIGNAL);

		if (n < 0) {
			if (sent)
				break;	/* the error comes again next time */
			return -errno;
		}
		sent += n;
		c->tx += n;
		if ((size_t)n < chunk)
			break;
	} while (sent < len);
	return sent;
}

void conn_write(struct conn *c, struct request *req, const char *buf,
		size_t len, bool nonblock)
{
	ssize_t n = 0;

	if (c->kind == CONN_DGRAM_BOUND) {
		reply_error(req, EDESTADDRREQ);
		return;
	}
	if (c->w.fd < 0) {
		reply_error(req, EPIPE);
		return;
	}
	if (c->write_err) {
		reply_error(req, c->write_err);
		return;
	}
	if (list_empty(&c->writeq)) {
		n = send_some(c, buf, len);
		if (n < 0 && n != -EAGAIN) {
			reply_error(req, -n);
			return;
		}
		if (n < 0)
			n = 0;
		if ((size_t)n == len) {
			reply_written(req, len);
			return;
		}
	}
	if (nonblock) {
		if (n > 0)
			reply_written(req, n);
		else
			reply_error(req, EAGAIN);
		return;
	}
	/*
	 * Keep the rest: big writes keep the request's buffer, small ones a
	 * copy (a whole buffer each would cost too much memory).
	 */
	void *kept = len - n >= KEEP_BUFFER_MIN ? loop_keep_request_data(buf) : NULL;
	char *copy = kept ? (char *)buf + n : malloc(len - n);
	struct pending *p;

	if (!copy) {
		if (n > 0)
			reply_written(req, n);
		else
			reply_error(req, ENOMEM);
		return;
	}
	if (!kept)
		memcpy(copy, buf + n, len - n);
	p = park(c, &c->writeq, P_WRITE, req);
	if (!p) {
		if (kept)
			loop_return_buffer(kept);
		else
			free(copy);
		reply_error(req, ENOMEM);
		return;
	}
	p->data = copy;
	p->kept = kept;
	p->size = len - n;
	p->prior = n;
	if (list_first(&c->writeq, struct pending, link) == p) {
		ack_head(c);	/* the copy is ours now: like a socket buffer */
		return;
	}
	request_on_interrupt(req, p);
}

static void serve_writes(struct conn *c)
{
	while (!list_empty(&c->writeq)) {
		struct pending *p = list_first(&c->writeq, struct pending, link);
		ssize_t n = send_some(c, p->data + p->done, p->size - p->done);

		if (n == -EAGAIN)
			break;
		if (n < 0) {
			int err = -n;

			list_del(&p->link);
			if (!p->req)
				c->write_err = err;	/* already answered */
			else if (p->prior + p->done)
				reply_written(p->req, p->prior + p->done);
			else
				reply_error(p->req, c->write_err ? c->write_err : err);
			pending_free(p);
			continue;
		}
		p->done += n;
		if (p->done == p->size) {
			list_del(&p->link);
			if (p->req)
				reply_written(p->req, p->prior + p->size);
			pending_free(p);
		}
	}
	ack_head(c);
	if (c->closing && (list_empty(&c->writeq) || c->write_err))
		conn_free(c);
}

static void conn_ready(struct watch *w, uint32_t events)
{
	struct conn *c = list_entry(w, struct conn, w);

	if (c->w.fd < 0)
		return;		/* closed earlier in this batch */
	if (c->connecting) {
		if (!finish_connect(c))
			return;
		if (c->connecting)
			return;
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		serve_reads(c);
	if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		serve_writes(c);
	if (c->ph) {
		poll_notify(c->ph);
		c->ph = NULL;
	}
}

unsigned int conn_poll(struct conn *c, void *ph)
{
	struct pollfd pfd = {
		.fd = c->w.fd,
		.events = POLLIN | POLLOUT | POLLRDHUP | POLLPRI,
	};
	unsigned int revents;

	if (c->w.fd < 0) {
		if (ph)
			poll_drop(ph);
		return POLLIN | POLLHUP;	/* removed listener: EOF */
	}
	if (poll(&pfd, 1, 0) < 0)
		pfd.revents = POLLERR;
	revents = pfd.revents;
	/* Our own queued writes go first: not writable until they are out. */
	if (!list_empty(&c->writeq))
		revents &= ~(POLLOUT | POLLWRNORM);
	if (ph) {
		if (c->ph)
			poll_drop(c->ph);
		c->ph = ph;
	}
	return revents;
}

void conn_release(struct conn *c)
{
	if (c->kind == CONN_DGRAM_BOUND || c->kind == CONN_LISTEN) {
		if (--c->refs <= 0)
			conn_free(c);
		return;
	}
	/* Data its writers were told is sent: send it, then close. */
	if (!list_empty(&c->writeq) && c->w.fd >= 0 && !c->write_err) {
		c->closing = true;
		fail_queue(&c->readq, EBADF);
		if (c->ph) {
			poll_drop(c->ph);
			c->ph = NULL;
		}
		return;
	}
	conn_free(c);
}

void conn_interrupt(void *pending)
{
	struct pending *p = pending;
	struct conn *c = p->conn;

	if (p->interrupted)
		return;
	p->interrupted = true;
	list_del(&p->link);
	list_add_tail(&p->link, &deferred);
	if (p->kind == P_CONNECT) {
		c->connecting = NULL;
		conn_free(c);
	}
	p->conn = NULL;
}

void conn_run_deferred(void)
{
	while (!list_empty(&deferred)) {
		struct pending *p = list_first(&deferred, struct pending, link);

		list_del(&p->link);
		if (p->kind == P_WRITE && p->prior + p->done)
			reply_written(p->req, p->prior + p->done);
		else
			reply_error(p->req, EINTR);
		pending_free(p);
	}
}

void conn_shutdown_all(int err)
{
	struct list *pos, *tmp;

	conn_run_deferred();
	list_for_each_safe(pos, tmp, &all_conns) {
		struct conn *c = list_entry(pos, struct conn, all);

		if (c->connecting) {
			struct pending *p = c->connecting;

			c->connecting = NULL;
			list_del(&p->link);
			reply_error(p->req, err);
			pending_free(p);
		}
		fail_queue(&c->readq, err);
		fail_queue(&c->writeq, err);
		conn_close_socket(c);
	}
}

static const char *kind_name(enum conn_kind k)
{
	switch (k) {
	case CONN_STREAM: return "stream";
	case CONN_DGRAM: return "dgram";
	case CONN_LISTEN: return "listen";
	case CONN_DGRAM_BOUND: return "dgram-listen";
	}
	return "?";
}

static const char *state_name(const struct conn *c)
{
	struct sockaddr_vm svm;
	socklen_t len = sizeof(svm);
	struct pollfd pfd = { .fd = c->w.fd, .events = POLLRDHUP };

	if (c->state == ST_CLOSED)
		return "closed";
	if (c->closing)
		return "closing";
	if (c->state == ST_CONNECTING)
		return "connecting";
	if (c->kind == CONN_LISTEN)
		return "listening";
	if (c->kind == CONN_DGRAM_BOUND)
		return "bound";
	if (c->kind == CONN_STREAM &&
	    getpeername(c->w.fd, (struct sockaddr *)&svm, &len) < 0)
		return "closed";
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLRDHUP | POLLHUP)))
		return "peer-closed";
	return "established";
}

static void addr_text(int fd, bool peer, char *buf, size_t size)
{
	struct sockaddr_vm svm;
	socklen_t len = sizeof(svm);
	int r = peer ? getpeername(fd, (struct sockaddr *)&svm, &len) :
		getsockname(fd, (struct sockaddr *)&svm, &len);

	if (fd < 0 || r < 0)
		snprintf(buf, size, "-");
	else
		vmci_format_addr(buf, size, svm.svm_cid, svm.svm_port);
}

char *conn_table(size_t *lenp)
{
	struct list *pos, *tmp;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "%-12s %-22s %-22s %-11s %12s %12s %7s\n", "type", "local",
		"remote", "state", "rx", "tx", "pid");
	list_for_each_safe(pos, tmp, &all_conns) {
		struct conn *c = list_entry(pos, struct conn, all);
		char local[32], remote[32];

		addr_text(c->w.fd, false, local, sizeof(local));
		if (c->kind == CONN_LISTEN || c->kind == CONN_DGRAM_BOUND)
			snprintf(remote, sizeof(remote), "-");
		else if (c->kind == CONN_DGRAM || c->state == ST_CONNECTING)
			vmci_format_addr(remote, sizeof(remote), c->cid, c->port);
		else
			addr_text(c->w.fd, true, remote, sizeof(remote));
		fprintf(f, "%-12s %-22s %-22s %-11s %12llu %12llu %7d\n",
			kind_name(c->kind), local, remote, state_name(c),
			(unsigned long long)c->rx, (unsigned long long)c->tx,
			(int)c->who.pid);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	*lenp = len;
	return text;
}

long conn_local_cid(void)
{
	unsigned int cid = VMADDR_CID_ANY;
	int fd, err = guard();

	if (err)
		return err;
	fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	close(fd);
	/* Only a local (loopback) transport: this context is CID 1. */
	return cid == VMADDR_CID_ANY ? VMADDR_CID_LOCAL : cid;
}
