// SPDX-License-Identifier: GPL-2.0-only
/*
 * namespace.c: names to inodes and back for /vmci (see namespace.h).
 *
 * Inode numbers: 1-7 are the fixed nodes (root, listen, listen/dgram,
 * connections, host, self, listen/seqpacket); a CID directory is
 * TAG_CID | cid and its dgram and seqpacket subdirectories TAG_CID_DGRAM |
 * cid and TAG_CID_SEQPACKET | cid (no memory held for any). A port is a
 * struct leaf allocated per lookup, its address is the inode number (user
 * space pointers stay below 2^47, far from the tags) and it lives until the
 * kernel forgets it. Nothing here opens a socket: a listener's node names
 * the listener (by id) that existed when it was looked up or created.
 *
 * A leaf also knows the conn opened through it (ns_attach), for the
 * user.vmci attributes, which FUSE asks about by node id alone: since a
 * lookup gives a node no open is behind (a new one, or an idle one again:
 * see reusable()), a node has at most one open behind it, plus its
 * reopens through /proc/PID/fd, which share that open's conn. Which opens
 * a lookup accounts for, and what an open nothing accounts for means, is
 * ns_opening()'s rule.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include <vmci.h>

#include "hash.h"
#include "list.h"
#include "namespace.h"
#include "vsock.h"

enum {
	INO_ROOT = FUSE_ROOT_ID,
	INO_LISTEN = 2,
	INO_LISTEN_DGRAM = 3,
	/* INO_CONNECTIONS = 4 in namespace.h */
	INO_HOST = 5,
	INO_SELF = 6,
	INO_LISTEN_SEQPACKET = 7,
};
#define TAG_MASK	(0xffULL << 56)
#define TAG_CID		(0x40ULL << 56)
#define TAG_CID_DGRAM	(0x41ULL << 56)
#define TAG_CID_SEQPACKET (0x42ULL << 56)

/* Directories and links are stable; ports are looked up afresh each time. */
#define DIR_TIMEOUT	3600.0
/*
 * A connection node's attributes never change (a listener's do: its size
 * counts clients, and it loses its link when removed), so the kernel may
 * keep them: no GETATTR for the permission check of each open, nor for
 * stdio's fstat of a fresh stream.
 */
#define CONN_ATTR_TIMEOUT DIR_TIMEOUT

struct leaf {
	struct list link;	/* in leaves, so that exit can free them all */
	struct hash_node by_name; /* in names[], while the newest of its name */
	bool named;
	uint64_t nlookup;
	unsigned int opened;	/* OPENs of it since it was handed out, and */
	unsigned int released;	/* ... their RELEASEs (see reusable()) */
	uid_t asked_by;		/* the caller of the lookup that handed it out, */
	pid_t asked_tid;	/* ... its thread */
	bool ticket;		/* that lookup's own open has not come yet */
	bool reused;		/* handed out again: it had an earlier life */
	bool untracked;		/* opened through a reference no lookup accounts for */
	struct node_info info;
	uid_t uid;
	gid_t gid;
	struct conn *conn;	/* the conn opened through it, or NULL */
	unsigned int opens;	/* open files on conn through this node */
	bool headers;		/* user.vmci.headers: addressed datagrams */
};

static time_t mount_time;
static LIST(leaves);
/* The newest node of each port name, by kind (NODE_STREAM...): see reusable(). */
#define NAMED_KINDS	(NODE_LISTEN_SEQPACKET - NODE_STREAM + 1)
static struct hash_table names[NAMED_KINDS];

static bool is_leaf(fuse_ino_t ino)
{
	return ino > INO_LISTEN_SEQPACKET && !(ino & TAG_MASK);
}

static struct leaf *leaf_of(fuse_ino_t ino)
{
	return is_leaf(ino) ? (struct leaf *)(uintptr_t)ino : NULL;
}

/* Strict decimal names only: "host", "0x10", "05" and "-1" are not ports. */
static int parse_number(const char *name, bool cid, unsigned int *out)
{
	for (const char *s = name; *s; s++)
		if (!isdigit((unsigned char)*s))
			return ENOENT;
	if (!*name)
		return ENOENT;
	if ((cid ? vmci_parse_cid(name, out) : vmci_parse_port(name, out)) < 0)
		return ENOENT;
	if (*out == (cid ? VMADDR_CID_ANY : VMADDR_PORT_ANY))
		return ENOENT;
	return 0;
}

static uint64_t leaf_st_ino(const struct node_info *n)
{
	/* Stable across lookups, so find(1) and ls -i see one file. */
	return (((uint64_t)n->cid << 32) | n->port) ^
	       ((uint64_t)(n->kind + 1) << 59);
}

static bool is_listener_node(enum node_kind kind)
{
	return kind == NODE_LISTEN || kind == NODE_LISTEN_DGRAM ||
	       kind == NODE_LISTEN_SEQPACKET;
}

/*
 * A listener's node tells what a listener can: vsock has no backlog length
 * to show, so the size is the clients accepted so far (datagrams read, for
 * a bound datagram socket), the mtime the last of them, the ctime when it
 * was made.
 */
static void listener_stat(const struct listener *l, struct stat *st)
{
	struct conn_info ci;

	conn_get_info(listener_conn(l), &ci);
	st->st_size = (off_t)ci.count;
	st->st_mtime = st->st_atime = ci.last;
	st->st_ctime = ci.created;
}

static void fill_stat(fuse_ino_t ino, struct stat *st)
{
	struct leaf *l = leaf_of(ino);

	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_nlink = 1;
	st->st_atime = st->st_mtime = st->st_ctime = mount_time;
	st->st_blksize = 4096;
	if (l) {
		st->st_ino = leaf_st_ino(&l->info);
		st->st_uid = l->uid;
		st->st_gid = l->gid;
		st->st_mode = S_IFREG | 0666;
		if (is_listener_node(l->info.kind)) {
			struct listener *li = ns_listener(&l->info);

			/* Its owner's; a removed listener's node is unlinked. */
			st->st_mode = S_IFREG | 0600;
			st->st_nlink = li ? 1 : 0;
			if (li)
				listener_stat(li, st);
		}
		return;
	}
	switch (ino) {
	case INO_ROOT:
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 4;
		break;
	case INO_LISTEN:
	case INO_LISTEN_DGRAM:
	case INO_LISTEN_SEQPACKET:
		st->st_mode = S_IFDIR | 01777;
		st->st_nlink = ino == INO_LISTEN ? 4 : 2;
		break;
	case INO_CONNECTIONS:
		st->st_mode = S_IFREG | 0444;
		break;
	case INO_HOST:
	case INO_SELF:
		st->st_mode = S_IFLNK | 0777;
		st->st_size = ino == INO_HOST ? 1 : 10;
		break;
	default:	/* CID directories */
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = (ino & TAG_MASK) == TAG_CID ? 4 : 2;
		break;
	}
}

static bool valid_ino(fuse_ino_t ino)
{
	return ino <= INO_LISTEN_SEQPACKET || (ino & TAG_MASK) == TAG_CID ||
	       (ino & TAG_MASK) == TAG_CID_DGRAM ||
	       (ino & TAG_MASK) == TAG_CID_SEQPACKET || is_leaf(ino);
}

static uint64_t name_key(const struct node_info *n)
{
	return ((uint64_t)n->cid << 32) | n->port;
}

static struct hash_table *names_of(enum node_kind kind)
{
	return &names[kind - NODE_STREAM];
}

static void leaf_unname(struct leaf *l)
{
	if (l->named)
		hash_del(names_of(l->info.kind), &l->by_name);
	l->named = false;
}

/*
 * The kernel keeps a name's dentry after the last close (FUSE deletes
 * stale dentries only for virtiofs) and, the entry timeout being 0, asks
 * again on the next open. Answering with a new node makes it forget that
 * one and look up once more: LOOKUP, FORGET, LOOKUP per open. So a lookup
 * gets the name's newest node back when that node is idle: every open of
 * it has been released (it was opened at least once, so the lookup that
 * handed it out is spent), and the same thread asks that had it, with
 * nothing but its own opens ever behind it (see ns_opening()). A node
 * handed out again counts as new. Never two opens at once on one node
 * (but the reopens of one open through /proc/PID/fd): the per-inode write
 * lock of direct I/O and the user.vmci attributes of an open depend on it.
 * A failed open gets no release, so its node is simply not reused.
 *
 * Why the same thread: whoever still holds a reference to the node (an
 * O_PATH file, a /proc/PID/fd link) reaches its next open through it, and
 * nothing tells the daemon of such references: an O_PATH open and a
 * reopen of it through /proc/self/fd look exactly like a plain open
 * (LOOKUP, then OPEN, from one thread). Given to its own thread only, a
 * node's next open can be reached that way only from that thread's own
 * process, which can reach that open anyway. A caller in a pid namespace
 * the daemon cannot see into has pid 0: no thread to match, no reuse.
 */
static bool reusable(const struct leaf *l, const struct node_info *want,
		     const struct opener *who)
{
	return l->opened > 0 && l->opened == l->released && !l->conn &&
	       !l->ticket && !l->untracked && l->asked_by == who->uid &&
	       who->pid > 0 && l->asked_tid == who->pid &&
	       l->info.listener == want->listener;
}

/* A node for the name @info, asked for by @who: its idle newest one, or new. */
static int name_leaf(const struct node_info *info, const struct opener *who,
		     fuse_ino_t *ino)
{
	struct hash_table *t = names_of(info->kind);
	struct hash_node *h = hash_find(t, name_key(info));
	struct leaf *l = h ? list_entry(h, struct leaf, by_name) : NULL;

	if (l && reusable(l, info, who)) {
		l->nlookup++;
		l->opened = l->released = 0;
		l->ticket = true;
		l->reused = true;
		*ino = (fuse_ino_t)(uintptr_t)l;
		return 0;
	}
	if (l)
		leaf_unname(l);
	l = calloc(1, sizeof(*l));
	if (!l)
		return ENOMEM;
	l->nlookup = 1;
	l->info = *info;
	l->asked_by = who->uid;
	l->asked_tid = who->pid;
	l->ticket = true;
	l->by_name.key = name_key(info);
	l->named = hash_add(t, &l->by_name) == 0;
	list_add_tail(&l->link, &leaves);
	*ino = (fuse_ino_t)(uintptr_t)l;
	return 0;
}

static int new_leaf(enum node_kind kind, unsigned int cid, unsigned int port,
		    const struct opener *who, fuse_ino_t *ino)
{
	struct node_info info = { .kind = kind, .cid = cid, .port = port };

	return name_leaf(&info, who, ino);
}

static enum conn_kind conn_kind_of(enum node_kind kind)
{
	return kind == NODE_LISTEN ? CONN_LISTEN :
		kind == NODE_LISTEN_SEQPACKET ? CONN_LISTEN_SEQPACKET : CONN_DGRAM_BOUND;
}

static enum node_kind node_kind_of(enum conn_kind kind)
{
	return kind == CONN_LISTEN ? NODE_LISTEN :
		kind == CONN_LISTEN_SEQPACKET ? NODE_LISTEN_SEQPACKET : NODE_LISTEN_DGRAM;
}

struct listener *ns_listener(const struct node_info *info)
{
	if (!is_listener_node(info->kind))
		return NULL;
	return listener_get(conn_kind_of(info->kind), info->port, info->listener);
}

/* A node for listener @l, asked for by @who; its owner's, for that listener only. */
static int listener_leaf(const struct listener *l, enum node_kind kind,
			 unsigned int port, const struct opener *who, fuse_ino_t *ino)
{
	struct node_info info = { .kind = kind, .cid = VMADDR_CID_ANY,
				  .port = port, .listener = listener_id(l) };
	int err = name_leaf(&info, who, ino);
	struct leaf *leaf;

	if (err)
		return err;
	leaf = leaf_of(*ino);
	leaf->uid = listener_uid(l);
	leaf->gid = listener_gid(l);
	return 0;
}

/* Looking never acts: a missing listener is ENOENT, not created. */
static int lookup_listener(enum conn_kind kind, const char *name,
			   const struct opener *who, fuse_ino_t *ino)
{
	unsigned int port;
	struct listener *l;
	int err = parse_number(name, false, &port);

	if (err)
		return err;
	l = listener_find(kind, port);
	if (!l)
		return ENOENT;
	return listener_leaf(l, node_kind_of(kind), port, who, ino);
}

static double attr_timeout(fuse_ino_t ino)
{
	struct leaf *l = leaf_of(ino);

	if (!l)
		return DIR_TIMEOUT;
	return is_listener_node(l->info.kind) ? 0.0 : CONN_ATTR_TIMEOUT;
}

static void fill_entry(fuse_ino_t ino, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = ino;
	fill_stat(ino, &e->attr);
	e->attr_timeout = attr_timeout(ino);
	if (!is_leaf(ino))
		e->entry_timeout = DIR_TIMEOUT;
}

int ns_listener_name(fuse_ino_t parent, const char *name, enum conn_kind *kind,
		     unsigned int *port)
{
	if (parent == INO_LISTEN && strcmp(name, "dgram") != 0 &&
	    strcmp(name, "seqpacket") != 0)
		*kind = CONN_LISTEN;
	else if (parent == INO_LISTEN_DGRAM)
		*kind = CONN_DGRAM_BOUND;
	else if (parent == INO_LISTEN_SEQPACKET)
		*kind = CONN_LISTEN_SEQPACKET;
	else
		return valid_ino(parent) ? EPERM : ENOENT;
	return parse_number(name, false, port);
}

int ns_listener_entry(const struct listener *l, pid_t tid,
		      struct fuse_entry_param *e)
{
	enum node_kind kind = node_kind_of(listener_kind(l));
	struct opener who = { .pid = tid, .uid = listener_uid(l) };
	fuse_ino_t ino;
	int err = listener_leaf(l, kind, listener_port(l), &who, &ino);

	if (!err) {
		struct leaf *leaf = leaf_of(ino);

		leaf->opened = 1;	/* the CREATE opens it: its lookup's open */
		leaf->ticket = false;
		fill_entry(ino, e);
	}
	return err;
}

int ns_lookup(fuse_ino_t parent, const char *name, const struct opener *who,
	      struct fuse_entry_param *e)
{
	fuse_ino_t ino = 0;
	unsigned int n;
	int err = 0;

	if (!mount_time)
		mount_time = time(NULL);
	if (parent == INO_ROOT) {
		if (strcmp(name, "listen") == 0)
			ino = INO_LISTEN;
		else if (strcmp(name, "connections") == 0)
			ino = INO_CONNECTIONS;
		else if (strcmp(name, "host") == 0)
			ino = INO_HOST;
		else if (strcmp(name, "self") == 0)
			ino = INO_SELF;
		else if (!parse_number(name, true, &n))
			ino = TAG_CID | n;
		else
			err = ENOENT;
	} else if ((parent & TAG_MASK) == TAG_CID) {
		if (strcmp(name, "dgram") == 0)
			ino = TAG_CID_DGRAM | (parent & ~TAG_MASK);
		else if (strcmp(name, "seqpacket") == 0)
			ino = TAG_CID_SEQPACKET | (parent & ~TAG_MASK);
		else if (!parse_number(name, false, &n))
			err = new_leaf(NODE_STREAM, parent & ~TAG_MASK, n, who, &ino);
		else
			err = ENOENT;
	} else if ((parent & TAG_MASK) == TAG_CID_DGRAM) {
		err = parse_number(name, false, &n);
		if (!err)
			err = new_leaf(NODE_DGRAM, parent & ~TAG_MASK, n, who, &ino);
	} else if ((parent & TAG_MASK) == TAG_CID_SEQPACKET) {
		err = parse_number(name, false, &n);
		if (!err)
			err = new_leaf(NODE_SEQPACKET, parent & ~TAG_MASK, n, who, &ino);
	} else if (parent == INO_LISTEN) {
		if (strcmp(name, "dgram") == 0)
			ino = INO_LISTEN_DGRAM;
		else if (strcmp(name, "seqpacket") == 0)
			ino = INO_LISTEN_SEQPACKET;
		else
			err = lookup_listener(CONN_LISTEN, name, who, &ino);
	} else if (parent == INO_LISTEN_DGRAM) {
		err = lookup_listener(CONN_DGRAM_BOUND, name, who, &ino);
	} else if (parent == INO_LISTEN_SEQPACKET) {
		err = lookup_listener(CONN_LISTEN_SEQPACKET, name, who, &ino);
	} else {
		err = valid_ino(parent) ? ENOTDIR : ENOENT;
	}
	if (err)
		return err;
	fill_entry(ino, e);
	return 0;
}

void ns_forget(fuse_ino_t ino, uint64_t nlookup)
{
	struct leaf *l = leaf_of(ino);

	if (!l)
		return;
	l->nlookup -= nlookup;
	if (l->nlookup == 0) {
		leaf_unname(l);
		list_del(&l->link);
		free(l);
	}
}

/*
 * What a lookup accounts for: the one open that follows it in the same
 * thread (its ticket), and reopens of that open from that thread. Any
 * other open reached the node through a reference the daemon cannot see
 * (an O_PATH file, a /proc/PID/fd link, perhaps held since an earlier
 * life of the node): the node is never handed out again (untracked), and
 * the open goes on as it would have before nodes were reused (a
 * connection of its own if none is behind the node, else a reopen of
 * it); but between a reuse and its thread's open, such a reference would
 * take that open's place (its connection, or EBUSY for the open itself):
 * it gets ESTALE instead.
 */
int ns_opening(fuse_ino_t ino, pid_t tid)
{
	struct leaf *l = leaf_of(ino);

	if (!l)
		return 0;
	if (l->ticket && tid == l->asked_tid) {
		l->ticket = false;
	} else if (!l->conn || tid != l->asked_tid) {
		l->untracked = true;
		if (l->ticket && l->reused)
			return ESTALE;
		l->ticket = false;
	}
	l->opened++;
	return 0;
}

void ns_released(fuse_ino_t ino)
{
	struct leaf *l = leaf_of(ino);

	if (l)
		l->released++;
}

void ns_destroy(void)
{
	while (!list_empty(&leaves)) {
		struct leaf *l = list_first(&leaves, struct leaf, link);

		list_del(&l->link);
		free(l);
	}
	for (size_t i = 0; i < NAMED_KINDS; i++)
		hash_free(&names[i]);
}

int ns_getattr(fuse_ino_t ino, struct stat *st, double *timeout)
{
	if (!valid_ino(ino))
		return ENOENT;
	if (!mount_time)
		mount_time = time(NULL);
	fill_stat(ino, st);
	*timeout = attr_timeout(ino);
	return 0;
}

int ns_info(fuse_ino_t ino, struct node_info *info)
{
	struct leaf *l = leaf_of(ino);

	memset(info, 0, sizeof(*info));
	if (l) {
		*info = l->info;
		return 0;
	}
	if (!valid_ino(ino))
		return ENOENT;
	if (ino == INO_CONNECTIONS)
		info->kind = NODE_TABLE;
	else if (ino == INO_HOST || ino == INO_SELF)
		info->kind = NODE_LINK;
	else
		info->kind = NODE_DIR;
	return 0;
}

struct dirbuf {
	fuse_req_t req;
	char *buf;
	size_t len, cap;
	int err;
};

static void dir_add(struct dirbuf *d, const char *name, fuse_ino_t ino,
		    mode_t type)
{
	struct stat st = { .st_ino = ino, .st_mode = type };
	size_t need = fuse_add_direntry(d->req, NULL, 0, name, NULL, 0);

	if (d->err)
		return;
	if (d->len + need > d->cap) {
		size_t cap = (d->cap + need) * 2;
		char *b = realloc(d->buf, cap);

		if (!b) {
			d->err = ENOMEM;
			return;
		}
		d->buf = b;
		d->cap = cap;
	}
	fuse_add_direntry(d->req, d->buf + d->len, need, name, &st,
			  d->len + need);
	d->len += need;
}

static void dir_add_ports(struct dirbuf *d, enum conn_kind kind,
			  enum node_kind nkind)
{
	size_t n;
	unsigned int *ports = listener_ports(kind, &n);
	char name[16];

	if (!ports) {
		d->err = ENOMEM;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct node_info info = { .kind = nkind, .port = ports[i],
					  .cid = VMADDR_CID_ANY };

		snprintf(name, sizeof(name), "%u", ports[i]);
		dir_add(d, name, leaf_st_ino(&info), S_IFREG);
	}
	free(ports);
}

int ns_readdir(fuse_req_t req, fuse_ino_t ino, char **buf, size_t *len)
{
	struct dirbuf d = { .req = req };

	if (!valid_ino(ino))
		return ENOENT;
	if (is_leaf(ino) || ino == INO_CONNECTIONS || ino == INO_HOST ||
	    ino == INO_SELF)
		return ENOTDIR;
	dir_add(&d, ".", ino, S_IFDIR);
	dir_add(&d, "..", ino == INO_LISTEN_DGRAM || ino == INO_LISTEN_SEQPACKET ?
		INO_LISTEN : (ino & TAG_MASK) == TAG_CID_DGRAM ||
		(ino & TAG_MASK) == TAG_CID_SEQPACKET ? TAG_CID | (ino & ~TAG_MASK) :
		INO_ROOT, S_IFDIR);
	if (ino == INO_ROOT) {
		dir_add(&d, "connections", INO_CONNECTIONS, S_IFREG);
		dir_add(&d, "host", INO_HOST, S_IFLNK);
		dir_add(&d, "listen", INO_LISTEN, S_IFDIR);
		dir_add(&d, "self", INO_SELF, S_IFLNK);
	} else if (ino == INO_LISTEN) {
		dir_add(&d, "dgram", INO_LISTEN_DGRAM, S_IFDIR);
		dir_add(&d, "seqpacket", INO_LISTEN_SEQPACKET, S_IFDIR);
		dir_add_ports(&d, CONN_LISTEN, NODE_LISTEN);
	} else if (ino == INO_LISTEN_DGRAM) {
		dir_add_ports(&d, CONN_DGRAM_BOUND, NODE_LISTEN_DGRAM);
	} else if (ino == INO_LISTEN_SEQPACKET) {
		dir_add_ports(&d, CONN_LISTEN_SEQPACKET, NODE_LISTEN_SEQPACKET);
	} else if ((ino & TAG_MASK) == TAG_CID) {
		dir_add(&d, "dgram", TAG_CID_DGRAM | (ino & ~TAG_MASK), S_IFDIR);
		dir_add(&d, "seqpacket", TAG_CID_SEQPACKET | (ino & ~TAG_MASK), S_IFDIR);
	}
	if (d.err) {
		free(d.buf);
		return d.err;
	}
	*buf = d.buf;
	*len = d.len;
	return 0;
}

int ns_readlink(fuse_ino_t ino, char *buf, size_t size)
{
	long cid;

	if (ino == INO_HOST) {
		snprintf(buf, size, "%u", VMADDR_CID_HOST);
		return 0;
	}
	if (ino != INO_SELF)
		return EINVAL;
	cid = vsock_local_cid();
	if (cid < 0)
		return (int)-cid;
	snprintf(buf, size, "%ld", cid);
	return 0;
}

int ns_unlink(fuse_ino_t parent, const char *name, uid_t uid)
{
	enum conn_kind kind;
	unsigned int port;
	struct listener *l;
	int err = ns_listener_name(parent, name, &kind, &port);

	if (err)
		return err;
	l = listener_find(kind, port);
	if (!l)
		return ENOENT;
	return listener_remove(l, uid);
}

void ns_attach(fuse_ino_t ino, struct conn *c)
{
	struct leaf *l = leaf_of(ino);

	if (!l)
		return;
	if (l->conn != c) {
		l->conn = c;
		l->opens = 0;
		l->headers = false;
	}
	l->opens++;
}

void ns_detach(fuse_ino_t ino, const struct conn *c)
{
	struct leaf *l = leaf_of(ino);

	if (l && l->conn == c && --l->opens == 0) {
		l->conn = NULL;
		l->headers = false;
	}
}

struct conn *ns_conn(fuse_ino_t ino)
{
	struct leaf *l = leaf_of(ino);

	return l ? l->conn : NULL;
}

bool ns_headers(fuse_ino_t ino)
{
	struct leaf *l = leaf_of(ino);

	return l && l->conn && l->headers;
}

int ns_set_headers(fuse_ino_t ino, bool on)
{
	struct leaf *l = leaf_of(ino);

	if (!l || !l->conn)
		return ENODATA;
	if (l->info.kind != NODE_LISTEN_DGRAM)
		return ENOTSUP;
	l->headers = on;
	return 0;
}
