// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmcifs: VMCI (AF_VSOCK) channels as files, a FUSE file system.
 *
 *   vmcifs [SOURCE] MOUNTPOINT [-f] [-d] [-o OPTIONS]
 *   mount -t fuse.vmcifs vmcifs /vmci -o allow_other
 *
 * This file holds main(), the options and the table of FUSE operations,
 * each a thin call into the namespace (namespace.c: names and inodes) or
 * the connections (conn.c: sockets and waiting callers). The daemon has a
 * single thread (loop.c): no operation ever waits for a socket; it parks
 * the request and the event loop answers it when the socket is ready.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "config.h"
#include "conn.h"
#include "loop.h"
#include "namespace.h"

static bool log_to_syslog;

void vmcifs_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (log_to_syslog) {
		vsyslog(LOG_WARNING, fmt, ap);
	} else {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

/* reply.h: how conn.c answers a parked request. */
#define FREQ(r) ((fuse_req_t)(r))

void reply_error(struct request *req, int err)
{
	fuse_reply_err(FREQ(req), err);
}

void reply_data(struct request *req, const void *buf, size_t len)
{
	fuse_reply_buf(FREQ(req), buf, len);
}

void reply_written(struct request *req, size_t len)
{
	fuse_reply_write(FREQ(req), len);
}

/*
 * Open replies carry FOPEN_STREAM (no f_pos lock: a reader blocked on an fd
 * must not block a writer on the same fd), which libfuse 3.14 has no flag
 * for: send struct fuse_open_out ourselves, as fuse_reply_open() would.
 */
static int reply_open_flags(fuse_req_t req, uint64_t fh)
{
#if FUSE_VERSION < FUSE_MAKE_VERSION(3, 17)
	struct fuse_open_out out = {
		.fh = fh,
		.open_flags = FOPEN_STREAM | FOPEN_DIRECT_IO | FOPEN_NONSEEKABLE,
	};

	return fuse_reply_buf(req, (const char *)&out, sizeof(out));
#else
#warning "libfuse >= 3.17: open replies lose FOPEN_STREAM (see docs/vmcifs.8)"
	struct fuse_file_info fi = { .fh = fh, .direct_io = 1,
				     .nonseekable = 1 };

	return fuse_reply_open(req, &fi);
#endif
}

void reply_opened(struct request *req, struct conn *c)
{
	/* -ENOENT: the open was cancelled, no release will come for it. */
	if (reply_open_flags(FREQ(req), (uintptr_t)c) == -ENOENT)
		conn_release(c);
}

static void on_interrupt(fuse_req_t req, void *pending)
{
	(void)req;
	conn_interrupt(pending);
}

void request_on_interrupt(struct request *req, void *pending)
{
	fuse_req_interrupt_func(FREQ(req), on_interrupt, pending);
}

void poll_notify(void *ph)
{
	fuse_lowlevel_notify_poll(ph);
	fuse_pollhandle_destroy(ph);
}

void poll_drop(void *ph)
{
	fuse_pollhandle_destroy(ph);
}

/* The operations. */

/* An open /vmci/connections: a snapshot of the table taken at open. */
struct table {
	char *text;
	size_t len;
};

static void vmcifs_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
			FUSE_CAP_SPLICE_MOVE);
}

static void vmcifs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	int err = ns_lookup(req, parent, name, &e);

	if (err)
		fuse_reply_err(req, err);
	else if (fuse_reply_entry(req, &e) == -ENOENT)
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

/* Truncation and times mean nothing here: accept them so > and >> work. */
static void vmcifs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
			   int to_set, struct fuse_file_info *fi)
{
	(void)attr;
	(void)to_set;
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

/* Answer a read at @off of at most @size bytes from @buf (@len bytes). */
static void reply_slice(fuse_req_t req, const char *buf, size_t len, off_t off,
			size_t size)
{
	if (off < 0 || (size_t)off >= len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, buf + off, len - off < size ? len - off : size);
}

static void vmcifs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, struct fuse_file_info *fi)
{
	char *buf = NULL;
	size_t len = 0;
	int err = ns_readdir(req, ino, &buf, &len);

	(void)fi;
	if (err)
		fuse_reply_err(req, err);
	else
		reply_slice(req, buf, len, off, size);
	free(buf);
}

static void vmcifs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, ns_unlink(parent, name));
}

/* Only names the lookup rejected reach create: they name nothing. */
static void vmcifs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
			  mode_t mode, struct fuse_file_info *fi)
{
	(void)parent;
	(void)name;
	(void)mode;
	(void)fi;
	fuse_reply_err(req, ENOENT);
}

static void open_table(fuse_req_t req)
{
	struct table *t = calloc(1, sizeof(*t));

	if (t)
		t->text = conn_table(&t->len);
	if (!t || !t->text) {
		free(t);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	struct fuse_file_info fi = { .fh = (uintptr_t)t, .direct_io = 1 };

	if (fuse_reply_open(req, &fi) == -ENOENT) {
		free(t->text);
		free(t);
	}
}

static void vmcifs_open(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi)
{
	bool nonblock = fi->flags & O_NONBLOCK;
	struct node_info n;
	struct opener who;
	struct conn *l;
	int err = ns_info(ino, &n);

	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	ns_opener(req, &who);
	switch (n.kind) {
	case NODE_TABLE:
		open_table(req);
		break;
	case NODE_STREAM:
		conn_connect((struct request *)req, CONN_STREAM, n.cid, n.port,
			     &who);
		break;
	case NODE_DGRAM:
		conn_connect((struct request *)req, CONN_DGRAM, n.cid, n.port,
			     &who);
		break;
	case NODE_LISTEN:
		l = listener_find(CONN_LISTEN, n.port);
		if (!l)
			fuse_reply_err(req, ENOENT);
		else
			conn_accept((struct request *)req, l, nonblock, &who);
		break;
	case NODE_LISTEN_DGRAM:
		l = listener_find(CONN_DGRAM_BOUND, n.port);
		if (!l)
			fuse_reply_err(req, ENOENT);
		else
			conn_open_bound((struct request *)req, l);
		break;
	default:
		fuse_reply_err(req, EISDIR);
		break;
	}
}

static void vmcifs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	if (ino == INO_CONNECTIONS) {
		struct table *t = (struct table *)(uintptr_t)fi->fh;

		reply_slice(req, t->text, t->len, off, size);
		return;
	}
	conn_read((struct conn *)(uintptr_t)fi->fh, (struct request *)req,
		  size, fi->flags & O_NONBLOCK);
}

static void vmcifs_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
			 size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)off;
	if (ino == INO_CONNECTIONS) {
		fuse_reply_err(req, EBADF);
		return;
	}
	conn_write((struct conn *)(uintptr_t)fi->fh, (struct request *)req,
		   buf, size, fi->flags & O_NONBLOCK);
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
		struct table *t = (struct table *)(uintptr_t)fi->fh;

		free(t->text);
		free(t);
	} else {
		conn_release((struct conn *)(uintptr_t)fi->fh);
	}
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops vmcifs_ops = {
	.init		= vmcifs_init,
	.lookup		= vmcifs_lookup,
	.forget		= vmcifs_forget,
	.forget_multi	= vmcifs_forget_multi,
	.getattr	= vmcifs_getattr,
	.setattr	= vmcifs_setattr,
	.readlink	= vmcifs_readlink,
	.readdir	= vmcifs_readdir,
	.unlink		= vmcifs_unlink,
	.create		= vmcifs_create,
	.open		= vmcifs_open,
	.read		= vmcifs_read,
	.write		= vmcifs_write,
	.poll		= vmcifs_poll,
	.flush		= vmcifs_flush,
	.release	= vmcifs_release,
};

/* Options */

struct options {
	int foreground;
	int debug;
	int show_version;
	int show_help;
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
	       "  MOUNTPOINT/<cid>/dgram/<port>    each open is a datagram socket\n"
	       "  MOUNTPOINT/listen/<port>         stream listener: each open accepts one\n"
	       "  MOUNTPOINT/listen/dgram/<port>   bound datagram socket\n"
	       "  MOUNTPOINT/host, self, connections\n"
	       "\n"
	       "Options:\n"
	       "  -f                 stay in the foreground\n"
	       "  -d, -o debug       debug output (implies -f)\n"
	       "  -V, --version      print the version\n"
	       "  -h, --help         this text\n"
	       "  -o allow_other     let other users use the mount (socket rules apply;\n"
	       "                     default_permissions is always on)\n"
	       "  -o OPT[,OPT...]    other FUSE mount options (below)\n"
	       "\n"
	       "fstab:  vmcifs  /vmci  fuse.vmcifs  allow_other  0 0\n"
	       "See vmcifs(8).\n\n", prog);
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

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct options o = { 0 };
	struct fuse_session *se;
	const char *source, *mountpoint;
	char fsopts[256], realmnt[PATH_MAX];
	int ret = 1;

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
	if (fuse_daemonize(o.foreground) != 0)
		goto out_unmount;
	if (!o.foreground) {
		openlog("vmcifs", LOG_PID, LOG_DAEMON);
		log_to_syslog = true;
	}
	raise_fd_limit();
	if (loop_init() < 0) {
		vmcifs_log("vmcifs: epoll: %s", strerror(errno));
		goto out_unmount;
	}
	ret = loop_run(se, realmnt);
	/* Whoever still waits gets an error now, not a hang. */
	conn_shutdown_all(ENOTCONN);
	ns_destroy();
	if (ret == 1) {
		/*
		 * Already unmounted (maybe lazily, with files still open):
		 * closing /dev/fuse aborts the connection, and unmounting by
		 * path could hit whatever is mounted there now.
		 */
		close(fuse_session_fd(se));
		ret = 0;
		goto out_session;
	}
	ret = ret < 0;
out_unmount:
	fuse_session_unmount(se);
out_session:
	fuse_session_destroy(se);
out_args:
	fuse_opt_free_args(&args);
	return ret;
}
