// SPDX-License-Identifier: GPL-2.0-only
/*
 * conn.c: the connection engine (see conn.h).
 *
 * Every socket is non-blocking and sits in the event loop's epoll set,
 * edge-triggered, for its whole life once connected; it stops listening for events while
 * nobody waits on it (see conn_hear). An operation first tries the socket
 * at once; if it would block, the caller is parked as a struct pending on
 * the conn's read or write queue (in arrival order) and answered when the
 * socket becomes ready. Nothing here ever sleeps.
 *
 * Writes are answered only once their last byte is in the socket (the data
 * of a parked write stays in its request buffer, or in a copy for small
 * ones, until then); so a closed or failed connection never owes anybody
 * anything, and release closes at once.
 *
 * A listener opened with O_NONBLOCK gives a handle that has no socket yet
 * (ST_WAITING): its first read or write accepts. Until then it holds a
 * reference to its listener and is on the listener's list of handles,
 * whose poll handles hear of every client that arrives. Stream and
 * seqpacket connects are blocking connect(2) calls in the connector's
 * threads (connector.h: a non-blocking vsock connect pins its socket, and
 * its queue pair, until the connect timeout): while one is under way
 * (ST_CONNECTING) the socket is the connector's, and not in the loop's
 * set. A connect opened with O_NONBLOCK is such a conn that nobody waits
 * for: the end of the connect serves what was parked meanwhile, or keeps
 * its error for the next call.
 *
 * Seqpacket sockets are the exception to "never blocks": a message must
 * go whole, which a non-blocking vsock send cannot promise (sender.h), so
 * their messages are sent one at a time, in arrival order, by a helper
 * thread on a socket that blocks for sends (reads still never wait:
 * MSG_DONTWAIT). A message waits on the write queue, here, until poll
 * says the peer has room (O_NONBLOCK writers get EAGAIN instead; a signal
 * takes it off the queue, unsent), and only then goes to the sender, where
 * it blocks only while the peer makes room for the rest of it. A signal
 * then changes nothing: the message goes whole and its writer is told so;
 * unless the writer is being killed, which FUSE would make wait,
 * unkillable, until the peer reads: then the write side is shut down,
 * which ends the send and cuts the message, and the write says EINTR
 * (the kernel interrupts once: a writer that caught a signal is looked at
 * again on a timer, in case it is killed later).
 * A shutdown of the writing side queues behind the writes already handed
 * over, as a P_SHUTDOWN on the write queue.
 *
 * A write waiting for room may wait for an event that never comes: a peer
 * that shut down its read side with its buffer full makes 6.1's vsock_poll
 * report nothing (no POLLOUT, POLLHUP nor POLLRDHUP; its SHUTDOWN wakes the
 * socket's waiters, which then find no event), where a send says EPIPE.
 * So while any write waits, a timer looks at each such one twice a second
 * (recheck_ready): a stream tries its send, a seqpacket message asks
 * send_error(); the writer gets EPIPE within a second.
 *
 * Everything runs on the event loop's single thread: no locks. Interrupts
 * (signals) take a parked request off its queue at once and answer it from
 * conn_run_deferred(), after the request that carried the interrupt,
 * because the front end may be inside its own bookkeeping for that request
 * when it tells us. Conns closed during an event batch are freed after it
 * (conn_reap), since an event of the same batch may still name them.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "conn.h"
#include "connector.h"
#include "list.h"
#include "loop.h"
#include "quota.h"
#include "sender.h"

/* A read never asks for more than max_read (1 MiB with libfuse 3.14). */
#define SCRATCH_SIZE	(1 << 20)
/* Stream sends: a quarter of the default socket buffer (256 KiB), see send_some(). */
#define STREAM_CHUNK	(64 << 10)
/* A parked write this big keeps the request buffer instead of a copy. */
#define KEEP_BUFFER_MIN	(256 << 10)
/* A socket's events while somebody waits on it; see conn_hear(). */
#define SOCKET_EVENTS	(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)
/* Events in a row that nobody waited for before a socket stops listening. */
#define UNHEARD_MAX	2
/*
 * How often writes waiting for room, and writers that caught a signal
 * mid-message, are looked at again (recheck_ready).
 */
#define RECHECK_NS	(500 * 1000 * 1000L)

enum pending_kind { P_READ, P_WRITE, P_CONNECT, P_ACCEPT, P_SHUTDOWN };

/* A caller waiting on a conn. */
struct pending {
	struct list link;	/* in conn->readq, conn->writeq or deferred */
	struct request *req;	/* NULL: an accept for a waiting handle (into) */
	struct conn *conn;
	enum pending_kind kind;
	bool interrupted;
	bool cut;		/* seqpacket write: its writer died mid-message */
	unsigned int io;	/* read, write: enum conn_io */
	unsigned int how;	/* shutdown: enum conn_shut */
	size_t size;		/* read: bytes asked; write: bytes in data */
	size_t done;		/* write: bytes of data sent */
	size_t prior;		/* write: bytes sent before it was parked */
	const char *data;	/* write: what is left to send: our copy, or */
	void *kept;		/* ...in this request buffer (big writes) */
	struct opener who;	/* accept: the caller, charged for the new conn */
	struct conn *into;	/* accept: for this waiting handle */
	uintptr_t cookie;	/* accept, connect: handed back with the reply */
	struct send_job job;	/* seqpacket write: its message, in the sender */
};

enum conn_state {
	ST_WAITING,		/* a listener's handle that has not accepted yet */
	ST_CONNECTING,
	ST_OPEN,
	ST_CLOSED,		/* socket closed (rm of a listener, a failed connect, stop) */
};

struct conn {
	struct watch w;		/* w.fd is the socket; -1 if none */
	enum conn_kind kind;
	enum conn_state state;
	unsigned int cid, port;	/* the address dialled, or the bound port */
	bool dialled;		/* cid:port is where it connected to */
	bool failed;		/* its connect failed: it never was a connection */
	int err;		/* a non-blocking connect's error, for the next call */
	unsigned int shut;	/* enum conn_shut: sides shut down here */
	struct opener who;	/* charged for this conn (quota.c) */
	bool charged;		/* holds (or will hold) a socket: counts for who */
	int refs;		/* open files, plus the listener table's */
	struct list readq;	/* P_READ, or P_ACCEPT on a listener */
	struct list writeq;	/* P_WRITE, P_SHUTDOWN */
	struct pending *connecting;
	struct dial *dial;	/* a stream or seqpacket connect under way */
	struct pending *sending; /* seqpacket: the head of writeq, in the sender */
	void *ph;		/* newest poll handle, notified on any event */
	uint64_t rx, tx;	/* bytes received and sent */
	uint64_t count;		/* listener: clients accepted; bound: datagrams read */
	time_t created, last;	/* listener: made, and the last of count */
	struct conn *listener;	/* ST_WAITING: where it accepts (a reference) */
	struct pending *accepting; /* ST_WAITING: its accept on listener->readq */
	struct list handles;	/* listener: its ST_WAITING handles */
	struct list hlink;	/* ST_WAITING: in listener->handles */
	struct list all;	/* in all_conns, or dead once freed */
	bool deaf;		/* watched for no events (see conn_hear) */
	bool drained;		/* a recv now would fail: see conn_read() */
	unsigned int unheard;	/* events in a row that nobody waited for */
};

/*
 * A stream or seqpacket connect in the connector (connector.h): the socket
 * is the job's until dial_done(), even if its conn goes first (then the
 * socket's charge stays here until it is closed).
 */
struct dial {
	struct connect_job job;
	struct conn *conn;	/* NULL once the conn is gone */
	bool charged;		/* the orphaned socket still counts for uid */
	uid_t uid;
};

static const struct conn_frontend *fe;
static const struct conn_sockets *so;
static LIST(all_conns);
static LIST(deferred);
static LIST(dead);
static size_t nconns;
static char *scratch;
static int stop_error;		/* set by conn_shutdown_all: no new sends */
/*
 * Armed while a write waits for room, or a begun message's writer has
 * caught a signal: recheck_ready().
 */
static struct watch recheck = { .fd = -1 };
static bool recheck_armed;

static void conn_ready(struct watch *w, uint32_t events);
static void conn_reap(void);
static void recheck_ready(struct watch *w, uint32_t events);

int conn_init(const struct conn_frontend *frontend, const struct conn_sockets *sockets)
{
	fe = frontend;
	so = sockets;
	stop_error = 0;
	if (sender_init(so->send_message) < 0 || connector_init(so->connect) < 0)
		return -1;
	recheck.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	recheck.ready = recheck_ready;
	recheck_armed = false;
	if (recheck.fd < 0 || loop_add(&recheck, EPOLLIN) < 0)
		return -1;
	return loop_after_batch(conn_reap);
}

static bool is_listener(enum conn_kind kind)
{
	return kind == CONN_LISTEN || kind == CONN_LISTEN_SEQPACKET;
}

/* A connection: has a peer, can be shut down. */
static bool is_connection(enum conn_kind kind)
{
	return kind == CONN_STREAM || kind == CONN_SEQPACKET || kind == CONN_DGRAM;
}

/* Each write is one message: never in pieces, never two for one write. */
static bool is_message(enum conn_kind kind)
{
	return kind == CONN_DGRAM || kind == CONN_SEQPACKET ||
	       kind == CONN_DGRAM_BOUND;
}

/* What a listener's clients are. */
static enum conn_kind accepted_kind(const struct conn *l)
{
	return l->kind == CONN_LISTEN_SEQPACKET ? CONN_SEQPACKET : CONN_STREAM;
}

/*
 * A conn without a socket yet; @charge: it is to hold one, charged to @who
 * (quota.c). NULL with *err set (EDQUOT past the cap).
 */
static struct conn *conn_alloc(enum conn_kind kind, const struct opener *who,
			       bool charge, int *err)
{
	struct conn *c;

	*err = charge ? quota_charge(who->uid) : 0;
	if (*err)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		if (charge)
			quota_uncharge(who->uid);
		*err = ENOMEM;
		return NULL;
	}
	c->charged = charge;
	c->w.fd = -1;
	c->w.ready = conn_ready;
	c->kind = kind;
	c->state = ST_OPEN;
	c->who = *who;
	c->refs = 1;
	list_init(&c->readq);
	list_init(&c->writeq);
	list_init(&c->handles);
	list_init(&c->hlink);
	list_add_tail(&c->all, &all_conns);
	nconns++;
	return c;
}

/*
 * Give @c its socket @fd, watched for good: 0, or an errno (@fd closed).
 * A seqpacket socket blocks for sends (done in the sender); the loop only
 * ever reads it with MSG_DONTWAIT.
 */
static int conn_attach(struct conn *c, int fd)
{
	int off = 0, err;

	c->w.fd = fd;
	c->deaf = false;
	c->drained = false;
	c->unheard = 0;
	if ((c->kind != CONN_SEQPACKET || ioctl(fd, FIONBIO, &off) == 0) &&
	    loop_add(&c->w, SOCKET_EVENTS) == 0)
		return 0;
	err = errno;
	c->w.fd = -1;
	close(fd);
	return err;
}

static void pending_free(struct pending *p)
{
	if (p->kept)
		fe->return_data(p->kept);
	else
		free((char *)p->data);
	free(p);
}

/* A waiting handle's accept is no longer wanted. */
static void cancel_accepting(struct conn *h)
{
	if (!h->accepting)
		return;
	list_del(&h->accepting->link);
	pending_free(h->accepting);
	h->accepting = NULL;
}

/* Answer a parked request that will not be served: @err (0: end of file). */
static void fail_pending(struct pending *p, int err)
{
	if (p->kind == P_WRITE && p->prior + p->done)
		fe->reply_written(p->req, p->prior + p->done);
	else if (err || p->kind != P_READ)
		fe->reply_error(p->req, err ? err : ECONNABORTED);
	else
		fe->reply_data(p->req, NULL, 0);
}

static void fail_handle(struct conn *h, int err);

/* Answer every request parked on @q with @err (or EOF for reads if 0). */
static void fail_queue(struct list *q, int err)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, q) {
		struct pending *p = list_entry(pos, struct pending, link);
		struct conn *h = p->into;

		list_del(&p->link);
		if (h) {
			h->accepting = NULL;
			fail_handle(h, err ? err : ECONNABORTED);
		} else {
			fail_pending(p, err);
		}
		pending_free(p);
	}
}

/* A waiting handle will never get a client: fail what waits on it. */
static void fail_handle(struct conn *h, int err)
{
	fail_queue(&h->readq, err);
	fail_queue(&h->writeq, err);
	if (h->ph) {
		fe->poll_notify(h->ph);
		h->ph = NULL;
	}
}

static void notify_poller(struct conn *c)
{
	if (c->ph) {
		fe->poll_notify(c->ph);
		c->ph = NULL;
	}
}

static void notify_handles(struct conn *l)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &l->handles)
		notify_poller(list_entry(pos, struct conn, hlink));
}

static void close_socket(struct conn *c)
{
	if (c->w.fd >= 0) {
		loop_del(&c->w);
		close(c->w.fd);
		c->w.fd = -1;
	}
	c->state = ST_CLOSED;
	notify_poller(c);
	notify_handles(c);
}

/*
 * @c goes while its connect is under way: cut the connect. Its socket is
 * closed by dial_done(), once the connect's thread has left it, and still
 * counts for its owner until then.
 */
static void dial_orphan(struct conn *c)
{
	struct dial *d = c->dial;

	d->conn = NULL;
	d->uid = c->who.uid;
	d->charged = c->charged;
	c->charged = false;
	c->dial = NULL;
	connector_cut(&d->job);
}

/*
 * Close and unlink @c; the memory goes in conn_reap(), after the current
 * event batch (conn_ready ignores conns without a socket).
 */
static void conn_free(struct conn *c)
{
	if (c->dial)
		dial_orphan(c);
	if (c->connecting) {
		fail_pending(c->connecting, ECONNABORTED);
		list_del(&c->connecting->link);
		pending_free(c->connecting);
		c->connecting = NULL;
	}
	/* No write can be in the sender here: a writer holds its file. */
	fail_queue(&c->readq, is_listener(c->kind) ? ECONNABORTED : EBADF);
	fail_queue(&c->writeq, EBADF);
	cancel_accepting(c);
	close_socket(c);
	if (c->ph) {
		fe->poll_drop(c->ph);
		c->ph = NULL;
	}
	list_del(&c->hlink);
	list_del(&c->all);
	list_add_tail(&c->all, &dead);
	nconns--;
	if (c->charged)
		quota_uncharge(c->who.uid);
	if (c->listener) {
		struct conn *l = c->listener;

		c->listener = NULL;
		conn_release(l);
	}
}

static void conn_reap(void)
{
	while (!list_empty(&dead)) {
		struct conn *c = list_first(&dead, struct conn, all);

		list_del(&c->all);
		free(c);
	}
}

void conn_release(struct conn *c)
{
	if (--c->refs > 0)
		return;
	conn_free(c);
}

/* Hand a new conn to its opener; drop it if the opener is gone. */
static void opened(struct request *req, struct conn *c, uintptr_t cookie)
{
	if (!fe->reply_opened(req, c, cookie))
		conn_release(c);
}

/*
 * Edge-triggered events still come for every arrival of data and every
 * credit update of the peer, wanted or not: with nobody waiting on a
 * socket (a request always tries the socket itself first) each one is a
 * wakeup for nothing. So a socket whose events went unheard UNHEARD_MAX
 * times in a row is watched for none, and for all again (conn_hear) as
 * soon as somebody waits on it: a parked caller or a poll handle.
 * Re-arming reports at once what is ready already, so nothing is missed.
 */
static void conn_hear(struct conn *c)
{
	if (!c->deaf || c->w.fd < 0)
		return;
	if (loop_mod(&c->w, SOCKET_EVENTS) == 0)
		c->deaf = false;
	c->unheard = 0;
}

static bool waited_on(const struct conn *c)
{
	return is_listener(c->kind) || c->state != ST_OPEN || c->ph ||
	       c->sending || !list_empty(&c->readq) || !list_empty(&c->writeq);
}

/* An event came that nobody waited for (see conn_hear). */
static void conn_unheard(struct conn *c)
{
	if (c->deaf || ++c->unheard < UNHEARD_MAX)
		return;
	if (loop_mod(&c->w, EPOLLET) == 0)
		c->deaf = true;
}

/* Queue a caller on @q; the caller then registers on_interrupt last. */
static struct pending *park(struct conn *c, struct list *q,
			    enum pending_kind kind, struct request *req)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	conn_hear(c);
	p->req = req;
	p->conn = c;
	p->kind = kind;
	list_add_tail(&p->link, q);
	return p;
}

/* Start the recheck timer (recheck_ready) unless it runs already. */
static void arm_recheck(void)
{
	struct itimerspec its = {
		.it_value.tv_nsec = RECHECK_NS,
		.it_interval.tv_nsec = RECHECK_NS,
	};

	if (!recheck_armed && timerfd_settime(recheck.fd, 0, &its, NULL) == 0)
		recheck_armed = true;
}

static void disarm_recheck(void)
{
	struct itimerspec its = { 0 };

	if (recheck_armed && timerfd_settime(recheck.fd, 0, &its, NULL) == 0)
		recheck_armed = false;
}

/*
 * A write that waits for room on an open connection (the head of writeq,
 * not yet in the sender): one that may wait for an event that never comes.
 */
static bool waits_for_room(const struct conn *c)
{
	if (c->state != ST_OPEN || c->failed || c->sending ||
	    list_empty(&c->writeq))
		return false;
	return list_first(&c->writeq, struct pending, link)->kind == P_WRITE;
}

static void finish_connect(struct conn *c, int err);
static void dial_done(struct connect_job *job);

/*
 * Start connecting blocking socket @fd of @c in the connector: 0, or an
 * errno (@fd closed). Nothing but dial_done() touches @fd from now on.
 */
static int dial_start(struct conn *c, int fd)
{
	struct dial *d = calloc(1, sizeof(*d));
	int err = d ? 0 : ENOMEM;

	if (d) {
		d->conn = c;
		d->job.fd = fd;
		d->job.cid = c->cid;
		d->job.port = c->port;
		d->job.done = dial_done;
		err = connector_start(&d->job);
	}
	if (err) {
		free(d);
		close(fd);
		return err;
	}
	c->dial = d;
	c->state = ST_CONNECTING;
	return 0;
}

/* A connected socket @fd for @c: only seqpacket sends block (sender.h). */
static int attach_connected(struct conn *c, int fd)
{
	int on = 1;

	if (c->kind != CONN_SEQPACKET && ioctl(fd, FIONBIO, &on) < 0) {
		int err = errno;

		close(fd);
		return err;
	}
	return conn_attach(c, fd);
}

/* The connector is done with @job: the conn takes the socket, or it goes. */
static void dial_done(struct connect_job *job)
{
	struct dial *d = list_entry(job, struct dial, job);
	struct conn *c = d->conn;
	int err = -job->result, fd = job->fd;

	if (!c) {
		close(fd);
		if (d->charged)
			quota_uncharge(d->uid);
		free(d);
		return;
	}
	c->dial = NULL;
	free(d);
	if (err || stop_error) {
		/* Stopping: even a connect made just before its cut fails. */
		close(fd);
		if (stop_error)
			err = stop_error;	/* cut by conn_shutdown_all */
	} else {
		err = attach_connected(c, fd);
	}
	finish_connect(c, err);
}

void conn_connect(struct request *req, enum conn_kind kind, unsigned int cid,
		  unsigned int port, const struct opener *who, uintptr_t cookie,
		  bool nonblock)
{
	struct conn *c;
	int err, fd;

	c = conn_alloc(kind, who, true, &err);
	if (!c) {
		fe->reply_error(req, err);
		return;
	}
	c->cid = cid;
	c->port = port;
	c->dialled = true;
	fd = so->dial_socket(kind);
	if (fd < 0) {
		err = -fd;
	} else if (kind == CONN_DGRAM) {
		/* A datagram connect only names the peer: it never waits. */
		err = -so->connect(fd, cid, port);
		if (err)
			close(fd);
		else
			err = attach_connected(c, fd);
		if (!err) {
			opened(req, c, cookie);
			return;
		}
	} else {
		err = dial_start(c, fd);
	}
	if (err) {
		fe->reply_error(req, err);
		conn_release(c);
		return;
	}
	if (nonblock) {
		/* finish_connect() takes it from here, with nobody waiting. */
		opened(req, c, cookie);
		return;
	}
	/* Answered by finish_connect() once the connector says how it went. */
	c->connecting = park(c, &c->readq, P_CONNECT, req);
	if (!c->connecting) {
		fe->reply_error(req, ENOMEM);
		conn_release(c);
		return;
	}
	list_del(&c->connecting->link);	/* on no queue: c->connecting names it */
	c->connecting->cookie = cookie;
	fe->on_interrupt(req, c->connecting);	/* last: may free c */
}

static void serve_reads(struct conn *c);
static void serve_writes(struct conn *c);
static void serve_write_queue(struct conn *c);

/* The error of a failed connect, once; afterwards it is not connected. */
static int take_error(struct conn *c)
{
	int err = c->err ? c->err : ENOTCONN;

	c->err = 0;
	return err;
}

/*
 * A connect nobody waited for has failed: whoever waits since gets the
 * error, or else the next call does; the socket goes at once.
 */
static void connect_failed(struct conn *c, int err)
{
	c->failed = true;
	c->err = err;
	if (!list_empty(&c->readq) || !list_empty(&c->writeq)) {
		fail_queue(&c->readq, err);
		fail_queue(&c->writeq, err);
		c->err = 0;
	}
	close_socket(c);
}

/* The connect of @c has ended (@err, or 0: attached): answer whoever it concerns. */
static void finish_connect(struct conn *c, int err)
{
	struct pending *p = c->connecting;
	struct request *req;
	uintptr_t cookie;

	c->connecting = NULL;
	if (err && !p) {
		connect_failed(c, err);
		return;
	}
	if (err) {
		fe->reply_error(p->req, err);
		pending_free(p);
		conn_release(c);
		return;
	}
	c->state = ST_OPEN;
	if (!p) {
		/* O_NONBLOCK open: serve what waited for the connection. */
		serve_reads(c);
		serve_writes(c);
		notify_poller(c);
		return;
	}
	req = p->req;
	cookie = p->cookie;
	pending_free(p);
	opened(req, c, cookie);
}

/* accept(2) errors that concern one client only: try the next one. */
static bool accept_retry(int err)
{
	return err == EINTR || err == ECONNABORTED || err == EPROTO ||
	       err == ECONNRESET;
}

/* One client from @l's backlog: an fd, or -errno (-EAGAIN: none waits). */
static int accept_fd(struct conn *l)
{
	for (;;) {
		int fd = accept4(l->w.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			l->count++;
			l->last = time(NULL);
			return fd;
		}
		if (!accept_retry(errno))
			return -errno;
	}
}

/* A waiting handle got its client @fd: it is a connection from now on. */
static void handle_attach(struct conn *h, int fd)
{
	struct conn *l = h->listener;
	int err = conn_attach(h, fd);

	h->port = l->port;
	h->listener = NULL;
	list_del(&h->hlink);
	conn_release(l);
	if (err) {
		h->state = ST_CLOSED;
		fail_handle(h, err);
		return;
	}
	h->state = ST_OPEN;
	serve_reads(h);
	serve_writes(h);
	notify_poller(h);
}

/* A waiting handle is about to hold a socket: 0, or EDQUOT past the cap. */
static int handle_charge(struct conn *h)
{
	int err = h->charged ? 0 : quota_charge(h->who.uid);

	if (!err)
		h->charged = true;
	return err;
}

static void handle_uncharge(struct conn *h)
{
	if (h->charged)
		quota_uncharge(h->who.uid);
	h->charged = false;
}

/* A waiting handle's own read or write: accept now. 0, EAGAIN or an errno. */
static int handle_accept_now(struct conn *h)
{
	struct conn *l = h->listener;
	int fd, err;

	if (l->state == ST_CLOSED)
		return ECONNABORTED;
	if (!list_empty(&l->readq))
		return EAGAIN;	/* earlier openers wait for the next client */
	err = handle_charge(h);
	if (err)
		return err;	/* the client stays in the backlog */
	fd = accept_fd(l);
	if (fd < 0) {
		handle_uncharge(h);
		return -fd;
	}
	handle_attach(h, fd);
	return h->state == ST_OPEN ? 0 : ECONNABORTED;
}

/* A blocking read or write on a waiting handle: accept the next client. */
static int handle_wait(struct conn *h)
{
	struct pending *p;

	if (h->accepting)
		return 0;
	p = park(h->listener, &h->listener->readq, P_ACCEPT, NULL);
	if (!p)
		return ENOMEM;
	p->into = h;
	p->who = h->who;
	h->accepting = p;
	return 0;
}

/* Serve the accepts parked on listener @l, in arrival order. */
static void serve_accepts(struct conn *l)
{
	while (!list_empty(&l->readq)) {
		struct pending *p = list_first(&l->readq, struct pending, link);
		struct conn *nc = NULL;
		int err = 0, fd;

		/* The opener's cap first: a refused client stays in the backlog. */
		if (!p->into) {
			nc = conn_alloc(accepted_kind(l), &p->who, true, &err);
		} else {
			err = handle_charge(p->into);
		}
		if (err) {
			list_del(&p->link);
			if (p->into) {
				p->into->accepting = NULL;
				fail_handle(p->into, err);
			} else {
				fe->reply_error(p->req, err);
			}
			pending_free(p);
			continue;
		}
		fd = accept_fd(l);
		if (fd == -EAGAIN) {
			if (nc)
				conn_release(nc);
			else
				handle_uncharge(p->into);
			return;
		}
		list_del(&p->link);
		if (p->into) {
			p->into->accepting = NULL;
			if (fd < 0) {
				handle_uncharge(p->into);
				fail_handle(p->into, -fd);
			}
			else
				handle_attach(p->into, fd);
		} else if (fd < 0 || (err = conn_attach(nc, fd)) != 0) {
			fe->reply_error(p->req, fd < 0 ? -fd : err);
			conn_release(nc);
		} else {
			nc->port = l->port;
			opened(p->req, nc, p->cookie);
		}
		pending_free(p);
	}
}

void conn_accept(struct request *req, struct conn *l, bool later,
		 const struct opener *who, uintptr_t cookie)
{
	struct pending *p;
	struct conn *c;
	int err, fd;

	if (l->state == ST_CLOSED) {
		fe->reply_error(req, ENOENT);
		return;
	}
	if (later) {
		/* No socket until it accepts: charged then (handle_charge). */
		c = conn_alloc(accepted_kind(l), who, false, &err);
		if (!c) {
			fe->reply_error(req, err);
			return;
		}
		c->state = ST_WAITING;
		c->port = l->port;
		c->listener = l;
		l->refs++;
		list_add_tail(&c->hlink, &l->handles);
		opened(req, c, cookie);
		return;
	}
	if (list_empty(&l->readq)) {
		c = conn_alloc(accepted_kind(l), who, true, &err);
		if (!c) {
			fe->reply_error(req, err);
			return;
		}
		fd = accept_fd(l);
		if (fd >= 0) {
			err = conn_attach(c, fd);
			if (err) {
				fe->reply_error(req, err);
				conn_release(c);
				return;
			}
			c->port = l->port;
			opened(req, c, cookie);
			return;
		}
		conn_release(c);
		if (fd != -EAGAIN) {
			fe->reply_error(req, -fd);
			return;
		}
	}
	p = park(l, &l->readq, P_ACCEPT, req);
	if (!p) {
		fe->reply_error(req, ENOMEM);
		return;
	}
	p->who = *who;
	p->cookie = cookie;
	fe->on_interrupt(req, p);
}

void conn_open_bound(struct request *req, struct conn *bound, uintptr_t cookie)
{
	if (bound->state == ST_CLOSED) {
		fe->reply_error(req, ENOENT);
		return;
	}
	bound->refs++;
	opened(req, bound, cookie);
}

void conn_hold(struct conn *c)
{
	c->refs++;
}

struct conn *conn_listen(enum conn_kind kind, unsigned int port,
			 const struct opener *who)
{
	struct conn *l;
	int err, fd;

	l = conn_alloc(kind, who, true, &err);
	if (!l) {
		errno = err;
		return NULL;
	}
	l->port = port;
	l->created = l->last = time(NULL);
	fd = so->bind(kind, port);
	if (fd < 0 || (err = conn_attach(l, fd)) != 0) {
		err = fd < 0 ? -fd : err;
		conn_release(l);
		errno = err;
		return NULL;
	}
	return l;
}

void conn_close(struct conn *c)
{
	/* Waiting accepts fail; waiting datagram readers see end of file. */
	fail_queue(&c->readq, is_listener(c->kind) ? ECONNABORTED : 0);
	close_socket(c);
	/* Handles with nothing parked learn it on their next call. */
}

/* The address line of CONN_IO_ADDRESSED: "CID:PORT\n", its length. */
static int addr_line(char *buf, size_t size, unsigned int cid, unsigned int port)
{
	return snprintf(buf, size, "%u:%u\n", cid, port);
}

/* One strict decimal number up to 4294967295 at *@s, ending at @end. */
static bool parse_u32(const char **s, char end, unsigned int *out)
{
	unsigned long long v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9' || (*p == '0' && p[1] != end))
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > 0xffffffffULL)
			return false;
	}
	if (*p != end)
		return false;
	*out = (unsigned int)v;
	*s = p + 1;
	return true;
}

/*
 * The address line at the start of an addressed write: its length and
 * the address, or 0 if there is none ("CID:PORT\n", decimal).
 */
static size_t parse_addr_line(const char *data, size_t len, unsigned int *cid,
			      unsigned int *port)
{
	char line[CONN_ADDR_LINE_MAX + 1];
	const char *s = line;
	const char *nl = memchr(data, '\n', len < CONN_ADDR_LINE_MAX ? len : CONN_ADDR_LINE_MAX);

	if (!nl)
		return 0;
	memcpy(line, data, nl - data + 1);
	line[nl - data + 1] = 0;
	if (!parse_u32(&s, ':', cid) || !parse_u32(&s, '\n', port))
		return 0;
	return nl - data + 1;
}

/*
 * One recv: bytes, at *@data, or -errno. @addressed: a datagram with its
 * sender's address line in front, cut to @size in all.
 */
static ssize_t recv_some(struct conn *c, size_t size, bool addressed,
			 const char **data)
{
	char line[CONN_ADDR_LINE_MAX + 1], *payload;
	unsigned int cid, port;
	ssize_t n;
	int hlen = 0;

	if (!scratch) {
		scratch = malloc(CONN_ADDR_LINE_MAX + SCRATCH_SIZE);
		if (!scratch)
			return -ENOMEM;
	}
	payload = scratch + CONN_ADDR_LINE_MAX;
	*data = payload;
	if (c->w.fd < 0)
		return 0;	/* a removed bound socket: end of file */
	if (size > SCRATCH_SIZE)
		size = SCRATCH_SIZE;
	if (!addressed) {
		n = recv(c->w.fd, payload, size, MSG_DONTWAIT);
		if (n < 0)
			n = -errno;
	} else {
		n = so->recv_from(c->w.fd, payload, size, &cid, &port);
	}
	if (n == -EAGAIN)
		c->drained = true;
	if (n < 0)
		return n;
	if (addressed) {
		hlen = addr_line(line, sizeof(line), cid, port);
		if ((size_t)n > size - hlen)
			n = size - hlen;	/* the rest of it is dropped */
		*data = payload - hlen;
		memcpy(payload - hlen, line, hlen);
	}
	c->rx += n;
	if (c->kind == CONN_DGRAM_BOUND) {
		c->count++;
		c->last = time(NULL);
	}
	return n + hlen;
}

/*
 * The rest of a read(2) the kernel split: the first part came back full.
 * Answer at once with what is there, even nothing, so that the caller gets
 * what was available; a message read never takes a second message.
 */
static void read_continued(struct conn *c, struct request *req, size_t size)
{
	struct pollfd pfd = { .fd = c->w.fd, .events = POLLIN };
	const char *data = "";
	ssize_t n = 0;

	/* An error stays for the next read(2): this one has data to return. */
	if (c->kind == CONN_STREAM && c->w.fd >= 0 && list_empty(&c->readq) &&
	    poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN) &&
	    !(pfd.revents & POLLERR))
		n = recv_some(c, size, false, &data);
	fe->reply_data(req, data, n > 0 ? n : 0);
}

/*
 * A waiting handle's read or write: accept first. True if the caller is
 * answered (error, EAGAIN) or parked (with @park_q); false to go on.
 */
static bool handle_first_io(struct conn *h, struct request *req, bool nonblock)
{
	int err = handle_accept_now(h);

	if (!err)
		return false;
	if (err != EAGAIN || nonblock) {
		fe->reply_error(req, err);
		return true;
	}
	err = handle_wait(h);
	if (err) {
		fe->reply_error(req, err);
		return true;
	}
	return false;	/* parks below: no socket yet means "would block" */
}

/* No socket to use yet: a waiting handle, or a connect under way. */
static bool not_yet(const struct conn *c)
{
	return c->state == ST_WAITING || c->state == ST_CONNECTING;
}

void conn_read(struct conn *c, struct request *req, size_t size, unsigned int io)
{
	bool addressed = (io & CONN_IO_ADDRESSED) && c->kind == CONN_DGRAM_BOUND;
	struct pending *p;

	if (c->state == ST_WAITING &&
	    handle_first_io(c, req, io & CONN_IO_NONBLOCK))
		return;
	if (c->failed) {
		fe->reply_error(req, take_error(c));
		return;
	}
	if (addressed && size < CONN_ADDR_LINE_MAX) {
		/* No room for the sender: nothing is taken from the socket. */
		fe->reply_error(req, EINVAL);
		return;
	}
	if ((io & CONN_IO_CONTINUED) && !not_yet(c)) {
		read_continued(c, req, size);
		return;
	}
	/*
	 * Try the socket first, unless the read may wait and the socket's
	 * last recv found nothing with no read event since (edge-triggered:
	 * data that arrives after that recv brings one, see conn_ready, and
	 * serves the parked read): then the recv would only fail again. Not
	 * while deaf (no event comes then), nor for O_NONBLOCK (the event may
	 * be on its way still: its EAGAIN must be the socket's own).
	 */
	if (!not_yet(c) && list_empty(&c->readq) &&
	    (!c->drained || c->deaf || (io & CONN_IO_NONBLOCK))) {
		const char *data;
		ssize_t n = recv_some(c, size, addressed, &data);

		if (n >= 0) {
			fe->reply_data(req, data, n);
			return;
		}
		if (n != -EAGAIN) {
			fe->reply_error(req, -n);
			return;
		}
	}
	if (io & CONN_IO_NONBLOCK) {
		fe->reply_error(req, EAGAIN);
		return;
	}
	p = park(c, &c->readq, P_READ, req);
	if (!p) {
		fe->reply_error(req, ENOMEM);
		return;
	}
	p->size = size;
	p->io = io;
	fe->on_interrupt(req, p);
}

static void serve_reads(struct conn *c)
{
	if (is_listener(c->kind)) {
		serve_accepts(c);
		return;
	}
	while (!list_empty(&c->readq)) {
		struct pending *p = list_first(&c->readq, struct pending, link);
		bool addressed = (p->io & CONN_IO_ADDRESSED) && c->kind == CONN_DGRAM_BOUND;
		const char *data;
		ssize_t n = recv_some(c, p->size, addressed, &data);

		if (n == -EAGAIN)
			return;
		list_del(&p->link);
		if (n >= 0)
			fe->reply_data(p->req, data, n);
		else
			fe->reply_error(p->req, -n);
		pending_free(p);
	}
}

/* One addressed datagram: the address line, then the payload. */
static ssize_t send_addressed(struct conn *c, const char *data, size_t len)
{
	unsigned int cid, port;
	size_t hlen = parse_addr_line(data, len, &cid, &port);
	ssize_t n;

	if (!hlen)
		return -EDESTADDRREQ;
	n = so->send_to(c->w.fd, data + hlen, len - hlen, cid, port);
	if (n < 0)
		return n;
	c->tx += n;
	return len;
}

/*
 * Send what the socket takes now: bytes sent, or -errno (-EAGAIN: none).
 * Streams go in chunks of a quarter of the socket buffer: the peer is woken
 * by each one and copies it out while we copy in the next, where one send
 * the size of the buffer would have it wait for all of it, then us wait
 * for it to drain. Each datagram is one send.
 */
static ssize_t send_some(struct conn *c, const char *data, size_t len,
			 bool addressed)
{
	size_t sent = 0;

	if (addressed)
		return send_addressed(c, data, len);
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

/* Park the unsent rest (@len - @sent bytes of @buf) of a blocking write. */
static struct pending *park_write(struct conn *c, struct request *req,
				  const char *buf, size_t len, size_t sent,
				  unsigned int io)
{
	/*
	 * Big writes keep the request's buffer, small ones a copy (a whole
	 * buffer each would cost too much memory).
	 */
	void *kept = len - sent >= KEEP_BUFFER_MIN ? fe->keep_data(buf) : NULL;
	char *copy = kept ? NULL : malloc(len - sent ? len - sent : 1);
	struct pending *p;

	if (!kept && !copy) {
		if (sent)
			fe->reply_written(req, sent);
		else
			fe->reply_error(req, ENOMEM);
		return NULL;
	}
	if (copy)
		memcpy(copy, buf + sent, len - sent);
	p = park(c, &c->writeq, P_WRITE, req);
	if (!p) {
		if (kept)
			fe->return_data(kept);
		free(copy);
		if (sent)
			fe->reply_written(req, sent);
		else
			fe->reply_error(req, ENOMEM);
		return NULL;
	}
	p->data = copy ? copy : buf + sent;
	p->kept = kept;
	p->size = len - sent;
	p->prior = sent;
	p->io = io;
	fe->on_interrupt(req, p);
	return p;
}

static void message_sent(struct send_job *job);

/*
 * Room in a seqpacket socket for the start of a message (vsock tells no
 * more), or an error or hang-up that the send will report. A write side
 * shut down here is never writable for vsock's poll: the send says EPIPE;
 * nor is a peer's that has shut down its read side: send_error() tells.
 */
static bool message_may_start(const struct conn *c)
{
	struct pollfd pfd = { .fd = c->w.fd, .events = POLLOUT };

	return (c->shut & CONN_SHUT_WRITE) || poll(&pfd, 1, 0) != 0 ||
	       so->send_error(c->w.fd) != 0;
}

/* Hand the message of seqpacket write @p (the head of writeq) to the sender. */
static void start_message(struct conn *c, struct pending *p)
{
	p->job.fd = c->w.fd;
	p->job.data = p->data;
	p->job.len = p->size;
	p->job.done = message_sent;
	c->sending = p;
	sender_start(&p->job);
}

/* The sender is done with the message of @job: answer its writer. */
static void message_sent(struct send_job *job)
{
	struct pending *p = list_entry(job, struct pending, job);
	struct conn *c = p->conn;
	ssize_t n = job->result;

	c->sending = NULL;
	list_del(&p->link);
	if (n > 0)
		c->tx += n;
	if (n == (ssize_t)p->size)
		fe->reply_written(p->req, p->size);	/* it went, whole */
	else if (p->cut)
		fe->reply_error(p->req, EINTR);
	else if (stop_error)
		fe->reply_error(p->req, stop_error);
	else
		fe->reply_error(p->req, n < 0 ? (int)-n : EIO);
	pending_free(p);
	if (!stop_error && c->state == ST_OPEN)
		serve_writes(c);
	notify_poller(c);
}

void conn_write(struct conn *c, struct request *req, const char *buf, size_t len,
		unsigned int io)
{
	bool addressed = (io & CONN_IO_ADDRESSED) && c->kind == CONN_DGRAM_BOUND;
	bool nonblock = io & CONN_IO_NONBLOCK;
	ssize_t n = 0;

	if (c->kind == CONN_DGRAM_BOUND && !addressed) {
		fe->reply_error(req, EDESTADDRREQ);
		return;
	}
	if (is_message(c->kind) && (io & CONN_IO_CONTINUED)) {
		/* The rest of a split write would be a second message. */
		fe->reply_error(req, EMSGSIZE);
		return;
	}
	if (c->state == ST_WAITING && handle_first_io(c, req, nonblock))
		return;
	if (c->failed) {
		fe->reply_error(req, take_error(c));
		return;
	}
	if (c->state == ST_CLOSED) {
		fe->reply_error(req, EPIPE);
		return;
	}
	if (c->kind == CONN_SEQPACKET) {
		/* Messages go one at a time, through the sender. */
		if (nonblock && (not_yet(c) || !list_empty(&c->writeq) ||
				 !message_may_start(c))) {
			fe->reply_error(req, EAGAIN);
			return;
		}
		if (park_write(c, req, buf, len, 0, io) && c->state == ST_OPEN)
			serve_writes(c);
		return;
	}
	if (c->state == ST_OPEN && list_empty(&c->writeq)) {
		n = send_some(c, buf, len, addressed);
		if (n < 0 && n != -EAGAIN) {
			fe->reply_error(req, -n);
			return;
		}
		if (n < 0)
			n = 0;
		if ((size_t)n == len) {
			fe->reply_written(req, len);
			return;
		}
	}
	if (nonblock) {
		/* What a non-blocking send says: what went in, or EAGAIN. */
		if (n > 0)
			fe->reply_written(req, n);
		else
			fe->reply_error(req, EAGAIN);
		return;
	}
	if (park_write(c, req, buf, len, n, io))
		arm_recheck();	/* in case no event ever comes (see above) */
}

static int shutdown_now(struct conn *c, unsigned int how)
{
	int mode = how == CONN_SHUT_READ ? SHUT_RD :
		how == CONN_SHUT_WRITE ? SHUT_WR : SHUT_RDWR;
	int err = shutdown(c->w.fd, mode) == 0 ? 0 : errno;

	if (!err)
		c->shut |= how;
	c->drained = false;	/* a read now sees end of file */
	if (how & CONN_SHUT_READ)
		serve_reads(c);		/* waiting readers see end of file */
	notify_poller(c);
	return err;
}

void conn_shutdown(struct conn *c, struct request *req, unsigned int how)
{
	struct pending *p;

	bool connecting = c->state == ST_CONNECTING;

	if (!is_connection(c->kind) || (c->state != ST_OPEN && !connecting) ||
	    c->failed) {
		fe->reply_error(req, ENOTCONN);
		return;
	}
	/* While an O_NONBLOCK connect is made, every side waits for it too. */
	if (!connecting && (!(how & CONN_SHUT_WRITE) || list_empty(&c->writeq))) {
		fe->reply_error(req, shutdown_now(c, how));
		return;
	}
	/* After the connect and the writes already here: serve_writes(). */
	p = park(c, &c->writeq, P_SHUTDOWN, req);
	if (!p) {
		fe->reply_error(req, ENOMEM);
		return;
	}
	p->how = how;
	fe->on_interrupt(req, p);
}

static void serve_writes(struct conn *c)
{
	serve_write_queue(c);
	if (waits_for_room(c))
		arm_recheck();	/* in case no event ever comes (see the top) */
}

static void serve_write_queue(struct conn *c)
{
	while (!list_empty(&c->writeq) && !c->sending) {
		struct pending *p = list_first(&c->writeq, struct pending, link);
		ssize_t n;

		if (p->kind == P_SHUTDOWN) {
			list_del(&p->link);
			fe->reply_error(p->req, shutdown_now(c, p->how));
			pending_free(p);
			continue;
		}
		if (c->kind == CONN_SEQPACKET) {
			/* No room: the next EPOLLOUT comes back here. */
			if (!stop_error && message_may_start(c))
				start_message(c, p);
			return;
		}
		n = send_some(c, p->data + p->done, p->size - p->done,
			      p->io & CONN_IO_ADDRESSED);
		if (n == -EAGAIN)
			return;
		if (n < 0) {
			list_del(&p->link);
			fail_pending(p, -n);
			pending_free(p);
			continue;
		}
		p->done += n;
		if (p->done < p->size)
			return;
		list_del(&p->link);
		fe->reply_written(p->req, p->prior + p->size);
		pending_free(p);
	}
}

static void conn_ready(struct watch *w, uint32_t events)
{
	struct conn *c = list_entry(w, struct conn, w);

	if (c->w.fd < 0)
		return;		/* closed earlier in this batch */
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->drained = false;
	if (!waited_on(c)) {
		conn_unheard(c);
		return;
	}
	c->unheard = 0;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		serve_reads(c);
	if (!is_listener(c->kind) && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
		serve_writes(c);
	notify_poller(c);
	if (is_listener(c->kind))
		notify_handles(c);
}

static void keep_poll_handle(struct conn *c, void *ph)
{
	if (!ph)
		return;
	conn_hear(c);
	if (c->ph)
		fe->poll_drop(c->ph);
	c->ph = ph;
}

unsigned int conn_poll(struct conn *c, void *ph)
{
	struct pollfd pfd = { .events = POLLIN | POLLOUT | POLLRDHUP | POLLPRI };

	if (c->state == ST_WAITING) {
		/* Ready once a client waits: a read or write would accept it. */
		struct conn *l = c->listener;

		keep_poll_handle(c, ph);
		if (l->state == ST_CLOSED)
			return POLLERR | POLLHUP;
		pfd.fd = l->w.fd;
		pfd.events = POLLIN;
		if (list_empty(&l->readq) && poll(&pfd, 1, 0) == 1 &&
		    (pfd.revents & POLLIN))
			return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
		return 0;
	}
	if (c->state == ST_CONNECTING) {
		keep_poll_handle(c, ph);	/* writable once connected */
		return 0;
	}
	if (c->failed) {
		if (ph)
			fe->poll_drop(ph);
		/* Every call returns at once now, the first with the error. */
		return POLLIN | POLLOUT | POLLERR | POLLHUP;
	}
	if (c->w.fd < 0) {
		if (ph)
			fe->poll_drop(ph);
		return POLLIN | POLLHUP;	/* removed bound socket: EOF */
	}
	pfd.fd = c->w.fd;
	if (poll(&pfd, 1, 0) < 0)
		pfd.revents = POLLERR;
	if (pfd.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR))
		c->drained = false;	/* a read after this poll must try */
	/* Parked writes go first: not writable until they are in. */
	if (!list_empty(&c->writeq))
		pfd.revents &= ~(POLLOUT | POLLWRNORM);
	keep_poll_handle(c, ph);
	return pfd.revents;
}

/*
 * An interrupt for seqpacket write @p, whose message has begun. Part of a
 * message cannot be taken back, so a caught signal changes nothing: it
 * goes whole. But a writer that is being killed would wait for that,
 * unkillable (FUSE waits for the answer to a request the daemon holds),
 * until the peer makes room, perhaps never: then end the send the way
 * 6.1's own seqpacket send ends on a signal, by cutting the message. A
 * shutdown of the write side wakes the blocked send (EPIPE); the peer's
 * transport never delivers the part without its end, and sees end of
 * file; later writes on the connection fail with EPIPE. True if cut.
 */
static bool cut_if_dying(struct conn *c, struct pending *p)
{
	if (!fe->caller_dying(p->req))
		return false;
	p->cut = true;
	if (shutdown(c->w.fd, SHUT_WR) == 0)
		c->shut |= CONN_SHUT_WRITE;
	return true;
}

/*
 * The kernel interrupts a request once: a writer that caught a signal
 * while its message was being sent and is killed later sends no second
 * interrupt. And a write waiting for room may never get an event (see the
 * top). So look at both again, twice a second, while any is left: one
 * /proc read for each such writer, one send (or send_error) for each
 * waiting write; a write that fails now is answered with that error.
 */
static void recheck_ready(struct watch *w, uint32_t events)
{
	struct list *pos, *tmp;
	uint64_t n;
	bool wanted = false;

	(void)events;
	if (read(w->fd, &n, sizeof(n)) < 0)
		return;
	list_for_each_safe(pos, tmp, &all_conns) {
		struct conn *c = list_entry(pos, struct conn, all);
		struct pending *p = c->sending;

		if (p && p->interrupted && !p->cut && !cut_if_dying(c, p))
			wanted = true;
		if (waits_for_room(c)) {
			serve_write_queue(c);
			notify_poller(c);
			wanted |= waits_for_room(c);
		}
	}
	if (!wanted)
		disarm_recheck();
}

void conn_interrupt(void *pending)
{
	struct pending *p = pending;
	struct conn *c = p->conn;

	if (p->interrupted)
		return;
	p->interrupted = true;
	if (c->sending == p) {
		if (!cut_if_dying(c, p))
			arm_recheck();
		return;	/* message_sent() answers */
	}
	if (p->kind == P_CONNECT) {
		c->connecting = NULL;
		conn_release(c);
	} else {
		list_del(&p->link);
	}
	list_add_tail(&p->link, &deferred);
	p->conn = NULL;
	/* A waiting handle whose callers all left needs no client. */
	if (c->state == ST_WAITING && list_empty(&c->readq) &&
	    list_empty(&c->writeq))
		cancel_accepting(c);
}

void conn_run_deferred(void)
{
	while (!list_empty(&deferred)) {
		struct pending *p = list_first(&deferred, struct pending, link);

		list_del(&p->link);
		fail_pending(p, EINTR);
		pending_free(p);
	}
}

void conn_shutdown_all(int err)
{
	struct list *pos, *tmp;

	stop_error = err;
	conn_run_deferred();
	/* Messages in the sender end first (each then answered with @err). */
	list_for_each_safe(pos, tmp, &all_conns) {
		struct conn *c = list_entry(pos, struct conn, all);

		if (c->sending)
			shutdown(c->w.fd, SHUT_RDWR);
	}
	sender_stop();
	/* Connects under way are cut; each then fails with @err. */
	connector_stop();
	list_for_each_safe(pos, tmp, &all_conns) {
		struct conn *c = list_entry(pos, struct conn, all);

		if (c->connecting) {
			fe->reply_error(c->connecting->req, err);
			pending_free(c->connecting);
			c->connecting = NULL;
		}
		fail_queue(&c->readq, err);
		fail_queue(&c->writeq, err);
		close_socket(c);
	}
}

void conn_destroy_all(void)
{
	conn_shutdown_all(ECONNABORTED);
	while (!list_empty(&all_conns)) {
		struct conn *c = list_first(&all_conns, struct conn, all);

		c->listener = NULL;	/* freed in this same walk */
		c->refs = 1;
		conn_release(c);
	}
	conn_reap();
	sender_destroy();
	connector_destroy();
	if (recheck.fd >= 0) {
		loop_del(&recheck);
		close(recheck.fd);
	}
	recheck.fd = -1;
	recheck_armed = false;
	free(scratch);
	scratch = NULL;
}

static const char *state_name(const struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct pollfd pfd = { .fd = c->w.fd, .events = POLLRDHUP };

	switch (c->state) {
	case ST_WAITING: return "waiting";
	case ST_CONNECTING: return "connecting";
	case ST_CLOSED: return "closed";
	case ST_OPEN: break;
	}
	if (is_listener(c->kind))
		return "listening";
	if (c->kind == CONN_DGRAM_BOUND)
		return "bound";
	if (c->kind != CONN_DGRAM &&
	    getpeername(c->w.fd, (struct sockaddr *)&ss, &len) < 0)
		return "closed";
	if (poll(&pfd, 1, 0) == 1) {
		if (pfd.revents & POLLHUP)
			return "closed";	/* nothing more either way */
		/* Our own read shutdown looks the same: not the peer's doing. */
		if ((pfd.revents & POLLRDHUP) && !(c->shut & CONN_SHUT_READ))
			return "peer-closed";
	}
	return "established";
}

void conn_get_info(const struct conn *c, struct conn_info *info)
{
	info->kind = c->kind;
	info->state = state_name(c);
	info->fd = c->state == ST_WAITING ? c->listener->w.fd :
		c->dial ? c->dial->job.fd : c->w.fd;
	info->dialled = c->dialled;
	info->cid = c->cid;
	info->port = c->port;
	info->shut = c->shut;
	info->rx = c->rx;
	info->tx = c->tx;
	info->count = c->count;
	info->created = c->created;
	info->last = c->last;
	info->who = c->who;
}

void conn_for_each(void (*fn)(const struct conn *c, void *arg), void *arg)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &all_conns)
		fn(list_entry(pos, struct conn, all), arg);
}

size_t conn_count(void)
{
	return nconns;
}
