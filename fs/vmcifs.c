// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmcifs: VMCI (AF_VSOCK) channels as files, a FUSE file system.
 *
 *   vmcifs [SOURCE] MOUNTPOINT [-f] [-d] [-o OPTIONS]
 *   mount -t fuse.vmcifs vmcifs /vmci -o allow_other
 *
 * This file holds main(), the options, the table of FUSE operations (each a
 * thin call into the namespace, namespace.c, or the listeners, listener.c)
 * and the FUSE front end handed to the connection engine (conn.c), which
 * answers requests through it. The daemon has a single thread (loop.c): no
 * operation ever waits for a socket; the engine parks the request and
 * answers it when the socket is ready.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "config.h"
#include "attrs.h"
#include "caller.h"
#include "conn.h"
#include "connector.h"
#include "hash.h"
#include "list.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "mount.h"
#include "namespace.h"
#include "quota.h"
#include "sender.h"
#include "session.h"
#include "table.h"
#include "vsock.h"

/* The engine's requests are FUSE requests. */
#define FREQ(r) ((fuse_req_t)(r))
#define EREQ(r) ((struct request *)(r))

/*
 * Open replies carry FOPEN_STREAM (no f_pos lock: a reader blocked on an fd
 * must not block a writer on the same fd), which libfuse 3.14 has no flag
 * for: send struct fuse_open_out ourselves, as fuse_reply_open() would.
 * With FOPEN_STREAM each read(2) and write(2) starts at offset 0, so an
 * offset above 0 is the rest of one call that the kernel split.
 */
#if FUSE_VERSION < FUSE_MAKE_VERSION(3, 17)
/*
 * FOPEN_NOFLUSH too: FLUSH has nothing to do here (a write returned only
 * once it was sent), and the kernel takes the inode lock for it, which a
 * parked write holds: without it any process that inherited the fd (a
 * setfattr, a sleep) would hang in exit until that write went out.
 */
#define OPEN_FLAGS (FOPEN_STREAM | FOPEN_DIRECT_IO | FOPEN_NONSEEKABLE | \
		    FOPEN_NOFLUSH)

static bool continued(off_t off)
{
	return off > 0;
}

static int reply_open(fuse_req_t req, uint64_t fh)
{
	struct fuse_open_out out = { .fh = fh, .open_flags = OPEN_FLAGS };

	return fuse_reply_buf(req, (const char *)&out, sizeof(out));
}

static void fill_attr(struct fuse_attr *a, const struct stat *st)
{
	a->ino = st->st_ino;
	a->mode = st->st_mode;
	a->nlink = st->st_nlink;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	a->size = st->st_size;
	a->blksize = st->st_blksize;
	a->atime = st->st_atime;
	a->mtime = st->st_mtime;
	a->ctime = st->st_ctime;
}

/* CREATE's reply: the entry, then the open (fuse_reply_create's layout). */
static int reply_create(fuse_req_t req, const struct fuse_entry_param *e,
			uint64_t fh)
{
	struct {
		struct fuse_entry_out entry;
		struct fuse_open_out open;
	} out;

	memset(&out, 0, sizeof(out));
	out.entry.nodeid = e->ino;
	fill_attr(&out.entry.attr, &e->attr);
	out.open.fh = fh;
	out.open.open_flags = OPEN_FLAGS;
	return fuse_reply_buf(req, (const char *)&out, sizeof(out));
}
#else
#warning "libfuse >= 3.17: open replies lose FOPEN_STREAM (see docs/vmcifs.8)"
static bool continued(off_t off)
{
	(void)off;
	return false;	/* offsets are file positions now: cannot tell */
}

static int reply_open(fuse_req_t req, uint64_t fh)
{
	struct fuse_file_info fi = { .fh = fh, .direct_io = 1, .nonseekable = 1,
				     .noflush = 1 };

	return fuse_reply_open(req, &fi);
}

static int reply_create(fuse_req_t req, const struct fuse_entry_param *e,
			uint64_t fh)
{
	struct fuse_file_info fi = { .fh = fh, .direct_io = 1, .nonseekable = 1,
				     .noflush = 1 };

	return fuse_reply_create(req, e, &fi);
}
#endif

/*
 * Opens under way, by node and by request. Every open has a node of its
 * own, so a second OPEN of a node while its first is still connecting or
 * accepting comes from /proc/PID/fd/N of an O_PATH file (two threads
 * reopening it at once); it would make a second connection, and the
 * node's user.vmci attributes would speak for whichever came last. It
 * fails with EBUSY instead (vmcifs.8). The record goes when the first open
 * is answered, either way; the reopens after that share its connection.
 */
struct opening {
	struct hash_node by_node, by_req;
};

static struct hash_table openings_by_node = HASH_TABLE_INIT;
static struct hash_table openings_by_req = HASH_TABLE_INIT;

/* @req starts opening @ino: 0, EBUSY if an open of it is under way, ENOMEM. */
static int open_begin(fuse_req_t req, fuse_ino_t ino)
{
	struct opening *o;

	if (hash_find(&openings_by_node, ino))
		return EBUSY;
	o = calloc(1, sizeof(*o));
	if (!o)
		return ENOMEM;
	o->by_node.key = ino;
	o->by_req.key = (uintptr_t)req;
	if (hash_add(&openings_by_node, &o->by_node) != 0) {
		free(o);
		return ENOMEM;
	}
	if (hash_add(&openings_by_req, &o->by_req) != 0) {
		hash_del(&openings_by_node, &o->by_node);
		free(o);
		return ENOMEM;
	}
	return 0;
}

/* @req is being answered: if it was an open under way, it is no more. */
static void open_end(fuse_req_t req)
{
	struct hash_node *n;
	struct opening *o;

	if (!openings_by_req.count)
		return;
	n = hash_find(&openings_by_req, (uintptr_t)req);
	if (!n)
		return;
	o = list_entry(n, struct opening, by_req);
	hash_del(&openings_by_req, &o->by_req);
	hash_del(&openings_by_node, &o->by_node);
	free(o);
}

/* The front end of the connection engine (conn.h). */

static void fe_reply_error(struct request *req, int err)
{
	open_end(FREQ(req));
	fuse_reply_err(FREQ(req), err);
}

static void fe_reply_data(struct request *req, const void *buf, size_t len)
{
	fuse_reply_buf(FREQ(req), buf, len);
}

static void fe_reply_written(struct request *req, size_t len)
{
	fuse_reply_write(FREQ(req), len);
}

/*
 * An open's cookie names the node it opens (its user.vmci attributes speak
 * for the conn from now on): the node id of an OPEN, or for a CREATE the
 * listener it made (or found), tagged CREATE_COOKIE, whose new node comes
 * with the reply; the listener is alive still, since an accept on a
 * removed listener fails instead. A reply the kernel refuses gets no
 * release: 6.1 keeps a request that reached the daemon until its reply, so
 * that means the connection is gone. With the ring a small reply is
 * written later and its refusal is not seen here; it can only come as the
 * session ends, which closes everything.
 */
#define CREATE_COOKIE	1	/* node ids and listeners are malloc'd: even */

static bool fe_reply_opened(struct request *req, struct conn *c, uintptr_t cookie)
{
	struct fuse_entry_param e;

	open_end(FREQ(req));
	if (!(cookie & CREATE_COOKIE)) {
		if (reply_open(FREQ(req), (uintptr_t)c) != 0)
			return false;
		ns_attach((fuse_ino_t)cookie, c);
		return true;
	}
	if (ns_listener_entry((const struct listener *)(cookie & ~CREATE_COOKIE),
			      fuse_req_ctx(FREQ(req))->pid, &e) != 0) {
		fuse_reply_err(FREQ(req), ENOMEM);
		return false;
	}
	if (reply_create(FREQ(req), &e, (uintptr_t)c) == 0) {
		ns_attach(e.ino, c);
		return true;
	}
	ns_forget(e.ino, 1);
	return false;
}

static void on_interrupt(fuse_req_t req, void *pending)
{
	(void)req;
	conn_interrupt(pending);
}

static void fe_on_interrupt(struct request *req, void *pending)
{
	fuse_req_interrupt_func(FREQ(req), on_interrupt, pending);
}

static bool fe_caller_dying(struct request *req)
{
	return caller_dying(FREQ(req));
}

static void fe_poll_notify(void *ph)
{
	fuse_lowlevel_notify_poll(ph);
	fuse_pollhandle_destroy(ph);
}

static void fe_poll_drop(void *ph)
{
	fuse_pollhandle_destroy(ph);
}

static const struct conn_frontend fuse_frontend = {
	.reply_error	= fe_reply_error,
	.reply_data	= fe_reply_data,
	.reply_written	= fe_reply_written,
	.reply_opened	= fe_reply_opened,
	.on_interrupt	= fe_on_interrupt,
	.caller_dying	= fe_caller_dying,
	.poll_notify	= fe_poll_notify,
	.poll_drop	= fe_poll_drop,
	.keep_data	= session_keep_buffer,
	.return_data	= session_return_buffer,
};

/* The operations. */

/* An open /vmci/connections, or a directory: a snapshot taken at open. */
struct snapshot {
	char *text;
	size_t len;
};

static void vmcifs_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* Off: session.c's ring reads /dev/fuse through libfuse's read hook. */
	conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
			FUSE_CAP_SPLICE_MOVE);
}

static void vmcifs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	struct opener who;
	int err;

	caller_of(req, &who);
	err = ns_lookup(parent, name, &who, &e);
	if (err)
		fuse_reply_err(req, err);
	else if (fuse_reply_entry(req, &e) != 0)
		ns_forget(e.ino, 1);
}

static void vmcifs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	ns_forget(ino, nlookup);
	fuse_reply_none(req);
}

static void vmcifs_forget_multi(fuse_req_t req, size_t count,
				struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		ns_forget(forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void vmcifs_getattr(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	struct stat st;
	double timeout;
	int err = ns_getattr(ino, &st, &timeout);

	(void)fi;
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_attr(req, &st, timeout);
}

/*
 * Truncation to 0 and times mean nothing here: accept them so that > and
 * touch work. Modes and owners are the socket rules': no chmod, no chown.
 */
static void vmcifs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
			   int to_set, struct fuse_file_info *fi)
{
	if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	if ((to_set & FUSE_SET_ATTR_SIZE) && attr->st_size != 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	vmcifs_getattr(req, ino, fi);
}

static void vmcifs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[32];
	int err = ns_readlink(ino, buf, sizeof(buf));

	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_readlink(req, buf);
}

/* Answer a read at @off of at most @size bytes from a snapshot. */
static void reply_slice(fuse_req_t req, const struct snapshot *s, off_t off,
			size_t size)
{
	if (off < 0 || (size_t)off >= s->len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, s->text + off,
			       s->len - off < size ? s->len - off : size);
}

static void reply_snapshot(fuse_req_t req, struct snapshot *s, bool dir)
{
	struct fuse_file_info fi = { .fh = (uintptr_t)s, .direct_io = !dir };

	if (fuse_reply_open(req, &fi) != 0) {
		free(s->text);
		free(s);
	}
}

/*
 * A directory is listed from a snapshot taken at opendir, so that a
 * listing is whole and consistent however many calls it takes.
 */
static void vmcifs_opendir(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	int err = s ? ns_readdir(req, ino, &s->text, &s->len) : ENOMEM;

	(void)fi;
	if (err) {
		free(s);
		fuse_reply_err(req, err);
		return;
	}
	reply_snapshot(req, s, true);
}

static void vmcifs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, struct fuse_file_info *fi)
{
	(void)ino;
	reply_slice(req, (struct snapshot *)(uintptr_t)fi->fh, off, size);
}

static void vmcifs_releasedir(fuse_req_t req, fuse_ino_t ino,
			      struct fuse_file_info *fi)
{
	struct snapshot *s = (struct snapshot *)(uintptr_t)fi->fh;

	(void)ino;
	free(s->text);
	free(s);
	fuse_reply_err(req, 0);
}

static void vmcifs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct opener who;

	caller_of(req, &who);
	fuse_reply_err(req, ns_unlink(parent, name, who.uid));
}

/* A socket cannot change its port, and nothing else here has a name to make. */
static void vmcifs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			  fuse_ino_t newparent, const char *newname,
			  unsigned int flags)
{
	(void)parent;
	(void)name;
	(void)newparent;
	(void)newname;
	(void)flags;
	fuse_reply_err(req, EPERM);
}

static void vmcifs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
			const char *newname)
{
	(void)ino;
	(void)newparent;
	(void)newname;
	fuse_reply_err(req, EPERM);
}

static void vmcifs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
			 mode_t mode, dev_t rdev)
{
	(void)parent;
	(void)name;
	(void)mode;
	(void)rdev;
	fuse_reply_err(req, EPERM);
}

static void vmcifs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
			 mode_t mode)
{
	(void)parent;
	(void)name;
	(void)mode;
	fuse_reply_err(req, EPERM);
}

static void vmcifs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent;
	(void)name;
	fuse_reply_err(req, EPERM);
}

static void vmcifs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
			   const char *name)
{
	(void)link;
	(void)parent;
	(void)name;
	fuse_reply_err(req, EPERM);
}

/*
 * open(O_CREAT) of a name the lookup did not find: under listen/ and
 * listen/dgram/ that makes the listener and opens it. The kernel holds the
 * directory's lock, exclusively, until CREATE is answered: waiting here
 * for a client would stop every lookup in listen/, anybody's. So the open
 * is always answered at once, with a handle that accepts on its first read
 * or write (which wait, unless O_NONBLOCK); a new listener has no client
 * to accept yet anyway.
 */
static void vmcifs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
			  mode_t mode, struct fuse_file_info *fi)
{
	struct listener *l;
	struct opener who;
	enum conn_kind kind;
	unsigned int port;
	int err = ns_listener_name(parent, name, &kind, &port);

	(void)mode;	/* a listener is its owner's: always 0600 */
	if (err) {
		fuse_reply_err(req, err == EPERM ? ENOENT : err);
		return;
	}
	caller_of(req, &who);
	l = listener_find(kind, port);
	if (l && (fi->flags & O_EXCL)) {
		fuse_reply_err(req, EEXIST);
		return;
	}
	if (!l) {
		bool privileged = port < LISTENER_PRIVILEGED_BELOW &&
			caller_may_bind_privileged(req);

		err = listener_create(kind, port, &who, privileged, &l);
		if (err) {
			fuse_reply_err(req, err);
			return;
		}
	}
	err = listener_open(EREQ(req), l, &who, true, (uintptr_t)l | CREATE_COOKIE);
	if (err)
		fuse_reply_err(req, err);
}

static void open_table(fuse_req_t req)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (s)
		s->text = table_text(&s->len);
	if (!s || !s->text) {
		free(s);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	reply_snapshot(req, s, false);
}

/*
 * An open of a node that has an open file already can only come through
 * /proc/PID/fd/N or /dev/fd/N (a lookup never hands out a node with an
 * open behind it): it is a second file on the same connection, never a
 * new connection nor another accept. Its opener's (or root's): another user who may open
 * that link still gets no share of the socket.
 */
static void reopen(fuse_req_t req, fuse_ino_t ino, struct conn *c,
		   const struct opener *who)
{
	struct conn_info ci;

	conn_get_info(c, &ci);
	if (who->uid != ci.who.uid && who->uid != 0) {
		fuse_reply_err(req, EACCES);
		return;
	}
	conn_hold(c);
	if (reply_open(req, (uintptr_t)c) != 0) {
		conn_release(c);
		return;
	}
	ns_attach(ino, c);
}

static void vmcifs_open(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi)
{
	struct node_info n;
	struct listener *l;
	struct opener who;
	struct conn *c = ns_conn(ino);
	int err = ns_info(ino, &n);

	caller_of(req, &who);
	if (!err)
		err = ns_opening(ino, who.pid);
	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	if (c) {
		reopen(req, ino, c, &who);
		return;
	}
	if (n.kind != NODE_TABLE && (err = open_begin(req, ino)) != 0) {
		fuse_reply_err(req, err);
		return;
	}
	switch (n.kind) {
	case NODE_TABLE:
		open_table(req);
		break;
	case NODE_STREAM:
		conn_connect(EREQ(req), CONN_STREAM, n.cid, n.port, &who, ino,
			     fi->flags & O_NONBLOCK);
		break;
	case NODE_SEQPACKET:
		conn_connect(EREQ(req), CONN_SEQPACKET, n.cid, n.port, &who, ino,
			     fi->flags & O_NONBLOCK);
		break;
	case NODE_DGRAM:
		conn_connect(EREQ(req), CONN_DGRAM, n.cid, n.port, &who, ino, false);
		break;
	case NODE_LISTEN:
	case NODE_LISTEN_DGRAM:
	case NODE_LISTEN_SEQPACKET:
		/* That very listener: a stale node never reaches a newer one. */
		l = ns_listener(&n);
		err = l ? listener_open(EREQ(req), l, &who, fi->flags & O_NONBLOCK, ino) :
			ENOENT;
		if (err)
			fe_reply_error(EREQ(req), err);
		break;
	default:
		fe_reply_error(EREQ(req), EISDIR);
		break;
	}
}

/* How this read or write was made (enum conn_io). */
static unsigned int io_flags(fuse_ino_t ino, off_t off, const struct fuse_file_info *fi)
{
	return (fi->flags & O_NONBLOCK ? CONN_IO_NONBLOCK : 0) |
	       (continued(off) ? CONN_IO_CONTINUED : 0) |
	       (ns_headers(ino) ? CONN_IO_ADDRESSED : 0);
}

static void vmcifs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	if (ino == INO_CONNECTIONS) {
		reply_slice(req, (struct snapshot *)(uintptr_t)fi->fh, off, size);
		return;
	}
	conn_read((struct conn *)(uintptr_t)fi->fh, EREQ(req), size,
		  io_flags(ino, off, fi));
}

static void vmcifs_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
			 size_t size, off_t off, struct fuse_file_info *fi)
{
	if (ino == INO_CONNECTIONS) {
		fuse_reply_err(req, EBADF);
		return;
	}
	conn_write((struct conn *)(uintptr_t)fi->fh, EREQ(req), buf, size,
		   io_flags(ino, off, fi));
}

static void vmcifs_poll(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
	if (ino == INO_CONNECTIONS) {
		if (ph)
			fuse_pollhandle_destroy(ph);
		fuse_reply_poll(req, POLLIN | POLLRDNORM);
		return;
	}
	fuse_reply_poll(req, conn_poll((struct conn *)(uintptr_t)fi->fh, ph));
}

/* Nothing to wait for at close: a write returned only once it was sent. */
static void vmcifs_flush(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

static void vmcifs_release(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	if (ino == INO_CONNECTIONS) {
		struct snapshot *s = (struct snapshot *)(uintptr_t)fi->fh;

		free(s->text);
		free(s);
	} else {
		ns_detach(ino, (struct conn *)(uintptr_t)fi->fh);
		conn_release((struct conn *)(uintptr_t)fi->fh);
		ns_released(ino);
	}
	fuse_reply_err(req, 0);
}

/* The user.vmci attributes (attrs.h); nothing else has any. */
static void reply_xattr(fuse_req_t req, const char *buf, ssize_t len, size_t size)
{
	if (len < 0)
		fuse_reply_err(req, (int)-len);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)len);
	else if ((size_t)len > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, buf, (size_t)len);
}

static void vmcifs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			    size_t size)
{
	char buf[128];

	reply_xattr(req, buf, attrs_get(ino, name, buf, sizeof(buf)), size);
}

static void vmcifs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	char buf[512];

	reply_xattr(req, buf, (ssize_t)attrs_list(ino, buf, sizeof(buf)), size);
}

static void vmcifs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			    const char *value, size_t size, int flags)
{
	struct opener who;
	int err;

	(void)flags;
	caller_of(req, &who);
	err = attrs_set(EREQ(req), ino, name, value, size, who.uid);
	if (err)
		fuse_reply_err(req, err == ATTRS_DONE ? 0 : err);
}

static void vmcifs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	(void)ino;
	fuse_reply_err(req, strncmp(name, "user.vmci.", 10) == 0 ? EPERM : ENODATA);
}

static const struct fuse_lowlevel_ops vmcifs_ops = {
	.init		= vmcifs_init,
	.lookup		= vmcifs_lookup,
	.forget		= vmcifs_forget,
	.forget_multi	= vmcifs_forget_multi,
	.getattr	= vmcifs_getattr,
	.setattr	= vmcifs_setattr,
	.readlink	= vmcifs_readlink,
	.mknod		= vmcifs_mknod,
	.mkdir		= vmcifs_mkdir,
	.unlink		= vmcifs_unlink,
	.rmdir		= vmcifs_rmdir,
	.symlink	= vmcifs_symlink,
	.rename		= vmcifs_rename,
	.link		= vmcifs_link,
	.create		= vmcifs_create,
	.open		= vmcifs_open,
	.read		= vmcifs_read,
	.write		= vmcifs_write,
	.poll		= vmcifs_poll,
	.flush		= vmcifs_flush,
	.release	= vmcifs_release,
	.getxattr	= vmcifs_getxattr,
	.listxattr	= vmcifs_listxattr,
	.setxattr	= vmcifs_setxattr,
	.removexattr	= vmcifs_removexattr,
	.opendir	= vmcifs_opendir,
	.readdir	= vmcifs_readdir,
	.releasedir	= vmcifs_releasedir,
};

/* Options */

struct options {
	int foreground;
	int debug;
	int show_version;
	int show_help;
	unsigned int max_sockets;
	unsigned int max_send_threads;
	unsigned int max_connect_threads;
	char *io_uring;		/* "0", "1", "auto"; NULL: auto */
	char *connect_timeout;
	const char *nonopt[2];
	int nonopts;
};

enum { KEY_DEBUG, KEY_NONE };

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt vmcifs_opts[] = {
	OPT("-f", foreground),
	OPT("-V", show_version),
	OPT("--version", show_version),
	OPT("-h", show_help),
	OPT("--help", show_help),
	{ "max_sockets=%u", offsetof(struct options, max_sockets), 0 },
	{ "max_send_threads=%u", offsetof(struct options, max_send_threads), 0 },
	{ "max_connect_threads=%u", offsetof(struct options, max_connect_threads), 0 },
	{ "connect_timeout=%s", offsetof(struct options, connect_timeout), 0 },
	{ "io_uring=%s", offsetof(struct options, io_uring), 0 },
	FUSE_OPT_KEY("-d", KEY_DEBUG),
	FUSE_OPT_KEY("debug", KEY_DEBUG),
	FUSE_OPT_KEY("-s", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_END
};

static int opt_proc(void *data, const char *arg, int key,
		    struct fuse_args *outargs)
{
	struct options *o = data;

	(void)outargs;
	switch (key) {
	case KEY_DEBUG:
		o->debug = 1;
		o->foreground = 1;
		return 1;	/* libfuse prints every request too */
	case FUSE_OPT_KEY_NONOPT:
		if (o->nonopts >= 2) {
			fprintf(stderr, "vmcifs: too many arguments: '%s'\n", arg);
			return -1;
		}
		o->nonopt[o->nonopts++] = arg;
		return 0;
	default:
		return 1;
	}
}

static void usage(const char *prog)
{
	printf("usage: %s [SOURCE] MOUNTPOINT [OPTIONS]\n"
	       "\n"
	       "VMCI (AF_VSOCK) channels as files:\n"
	       "  MOUNTPOINT/<cid>/<port>          each open is a stream connection\n"
	       "  MOUNTPOINT/listen/<port>         stream listener (made by open with O_CREAT,\n"
	       "                                   e.g. touch; removed by rm): each open accepts one\n"
	       "  MOUNTPOINT/<cid>/dgram/<port>    each open is a datagram socket\n"
	       "  MOUNTPOINT/listen/dgram/<port>   bound datagram socket (made and removed alike)\n"
	       "  MOUNTPOINT/host, self, connections\n"
	       "\n"
	       "Options:\n"
	       "  -f                 stay in the foreground\n"
	       "  -d, -o debug       debug output (implies -f)\n"
	       "  -V, --version      print the version\n"
	       "  -h, --help         this text\n"
	       "  -o allow_other     let other users use the mount (socket rules apply;\n"
	       "                     default_permissions is always on)\n"
	       "  -o max_sockets=N   sockets each user but root may hold through the mount\n"
	       "                     (default %u; 0: no cap); past it, EDQUOT\n"
	       "  -o max_send_threads=N\n"
	       "                     threads sending seqpacket messages, mount-wide\n"
	       "                     (default %u; 0: no cap); past it, EAGAIN\n"
	       "  -o max_connect_threads=N\n"
	       "                     connects under way (a thread each), mount-wide\n"
	       "                     (default %u; 0: no cap); past it, open fails EAGAIN\n"
	       "  -o connect_timeout=SECONDS\n"
	       "                     how long a connect may take (0.000001 to 86400;\n"
	       "                     default: the transport's, 2 s for VMCI); then ETIMEDOUT\n"
	       "  -o io_uring=0|1|auto\n"
	       "                     wait for requests in an io_uring where the kernel\n"
	       "                     allows one (1), in epoll (0), or in the ring only\n"
	       "                     when the daemon may run on more than one CPU (auto,\n"
	       "                     the default)\n"
	       "  -o OPT[,OPT...]    other FUSE mount options (below)\n"
	       "\n"
	       "fstab:  vmcifs  /vmci  fuse.vmcifs  allow_other  0 0\n"
	       "See vmcifs(8).\n\n", prog, QUOTA_DEFAULT_MAX, SENDER_DEFAULT_MAX,
	       CONNECTOR_DEFAULT_MAX);
	fuse_lowlevel_help();
}

/*
 * Every connection is a socket in this one process: lift the soft limit on
 * open files to the hard one, and the hard one to the system's if we may.
 */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	unsigned long nr_open = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");

	if (f) {
		if (fscanf(f, "%lu", &nr_open) != 1)
			nr_open = 0;
		fclose(f);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (nr_open > rl.rlim_max) {
		struct rlimit want = { nr_open, nr_open };

		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			return;
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* SIGINT, SIGTERM, SIGHUP: stop, fail what waits, unmount. */
static sigset_t stop_signals;

static void signal_ready(struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si))
		loop_stop();
}

/*
 * Blocked from the start of main(), before the mount exists: a signal that
 * comes before the loop runs waits for it (signalfd) instead of killing
 * the daemon and leaving a dead mount behind.
 */
static void block_stop_signals(void)
{
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void after_request(void)
{
	conn_run_deferred();
}

/* Serve @se until a signal or the end of the session; -1 if it cannot start. */
static int serve(struct fuse_session *se, bool use_ring)
{
	static struct watch sig_watch = { .ready = signal_ready };
	int ret;

	if (loop_init(use_ring) < 0 || conn_init(&fuse_frontend, &vsock_sockets) < 0 ||
	    session_start(se, after_request) < 0) {
		vmcifs_log("cannot start the event loop: %s", strerror(errno));
		return -1;
	}
	sig_watch.fd = signalfd(-1, &stop_signals, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sig_watch.fd < 0 || loop_add(&sig_watch, EPOLLIN) < 0) {
		vmcifs_log("cannot watch signals: %s", strerror(errno));
		return -1;
	}
	if (use_ring && !session_in_ring()) {
		int err = loop_ring_status();

		vmcifs_log("no io_uring here (%s%s): waiting in epoll",
			   err ? "io_uring_setup: " : "libfuse's I/O hooks refused",
			   err ? strerror(-err) : "");
	}
	ret = loop_run();
	/* Whoever still waits gets a clear error now, not a hang. */
	conn_shutdown_all(ECONNABORTED);
	session_stop();
	close(sig_watch.fd);
	return ret < 0 ? -1 : 0;
}

/*
 * -o io_uring: 1 or 0, or auto (NULL): the ring only where the daemon may
 * run on more than one CPU. On one CPU the epoll loop never sleeps between
 * a reply and the next request (the caller runs in between and queues it),
 * so it already makes 6 system calls per 1-byte round trip, and the ring's
 * own work per request (a read tried, a poll armed, task work) is all cost:
 * 1.4-2.1x the guest CPU per round trip in scripts/bench-fs on one vCPU.
 * -1: not a value.
 */
static int ring_wanted(const char *arg)
{
	cpu_set_t cpus;

	if (arg && !strcmp(arg, "0"))
		return 0;
	if (arg && !strcmp(arg, "1"))
		return 1;
	if (arg && strcmp(arg, "auto"))
		return -1;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) != 0)
		return 1;
	return CPU_COUNT(&cpus) > 1;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct options o = { .max_sockets = QUOTA_DEFAULT_MAX,
			     .max_send_threads = SENDER_DEFAULT_MAX,
			     .max_connect_threads = CONNECTOR_DEFAULT_MAX };
	struct fuse_session *se;
	const char *source, *mountpoint;
	char fsopts[256], realmnt[PATH_MAX];
	int ret = 1, err, use_ring;

	block_stop_signals();
	if (fuse_opt_parse(&args, &o, vmcifs_opts, opt_proc) < 0)
		return 2;
	if (o.show_help) {
		usage(argv[0]);
		ret = 0;
		goto out_args;
	}
	if (o.show_version) {
		printf("vmcifs %s (libfuse %s)\n", VMCIFS_VERSION,
		       fuse_pkgversion());
		ret = 0;
		goto out_args;
	}
	if (o.nonopts == 0) {
		fprintf(stderr, "vmcifs: no mount point given (see vmcifs -h)\n");
		ret = 2;
		goto out_args;
	}
	source = o.nonopts == 2 ? o.nonopt[0] : "vmcifs";
	mountpoint = o.nonopt[o.nonopts - 1];
	if (strchr(source, ',') || strlen(source) > 100) {
		fprintf(stderr, "vmcifs: bad source name '%s'\n", source);
		ret = 2;
		goto out_args;
	}
	use_ring = ring_wanted(o.io_uring);
	if (use_ring < 0) {
		fprintf(stderr, "vmcifs: bad io_uring '%s' (0, 1 or auto)\n", o.io_uring);
		ret = 2;
		goto out_args;
	}
	quota_set_max(o.max_sockets);
	sender_set_max(o.max_send_threads);
	connector_set_max(o.max_connect_threads);
	if (o.connect_timeout) {
		char *end;
		double t = strtod(o.connect_timeout, &end);

		/*
		 * vsock keeps a timeout in jiffies: a day is plenty. It takes
		 * microseconds, and 0 means its default: refuse less than one.
		 */
		if (end == o.connect_timeout || *end || !(t >= 1e-6) || t > 86400) {
			fprintf(stderr, "vmcifs: bad connect_timeout '%s' "
				"(seconds from 0.000001 to 86400)\n", o.connect_timeout);
			ret = 2;
			goto out_args;
		}
		vsock_set_connect_timeout(t);
	}
	/* Ours first: the caller's own -o options come later and win. */
	snprintf(fsopts, sizeof(fsopts),
		 "-odefault_permissions,fsname=%s,subtype=vmcifs", source);
	fuse_opt_insert_arg(&args, 1, fsopts);

	/* Now: after fuse_daemonize() the working directory is "/". */
	if (!realpath(mountpoint, realmnt))
		snprintf(realmnt, sizeof(realmnt), "%s", mountpoint);

	se = fuse_session_new(&args, &vmcifs_ops, sizeof(vmcifs_ops), NULL);
	if (!se)
		goto out_args;
	if (fuse_session_mount(se, mountpoint) != 0)
		goto out_session;
	mount_remember(realmnt);
	if (fuse_daemonize(o.foreground) != 0) {
		fuse_session_unmount(se);
		goto out_session;
	}
	if (!o.foreground)
		log_use_syslog();
	raise_fd_limit();
	err = vsock_drop_trust();
	if (err < 0)
		vmcifs_log("cannot give up CAP_NET_ADMIN (every socket would be trusted): %s",
			   strerror(-err));
	else
		ret = serve(se, use_ring) < 0;
	mount_leave(se);
	listener_destroy_all();
	conn_destroy_all();
	hash_free(&openings_by_node);
	hash_free(&openings_by_req);
	quota_destroy();
	ns_destroy();
	loop_destroy();
out_session:
	fuse_session_destroy(se);
out_args:
	free(o.connect_timeout);
	free(o.io_uring);
	fuse_opt_free_args(&args);
	return ret;
}
