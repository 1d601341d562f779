/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * namespace.h: the names of /vmci and the nodes (inodes) behind them.
 *
 *   /vmci/<cid>/<port>            stream connection per open
 *   /vmci/<cid>/dgram/<port>      datagram socket per open
 *   /vmci/listen/<port>           stream listener; each open accepts one
 *   /vmci/listen/dgram/<port>     bound datagram socket
 *   /vmci/<cid>/seqpacket/<port>  seqpacket connection per open
 *   /vmci/listen/seqpacket/<port> seqpacket listener
 *   /vmci/host -> 2, /vmci/self -> local CID, /vmci/connections
 *
 * Looking never acts: a lookup only names things. A listener's name exists
 * while that listener does (an open with O_CREAT makes one, rm removes it),
 * and its node stands for that very listener, never for a later one on the
 * same port.
 *
 * Directories have fixed inode numbers. A lookup of a port gives a node no
 * open file has (freed on forget): a new one, or the name's newest node
 * again once every open of it was released and the same thread asks that
 * had it (see reusable() in namespace.c). So each open file has a node of
 * its own and writes on different connections never queue on one inode
 * lock.
 */
#ifndef VMCIFS_NAMESPACE_H
#define VMCIFS_NAMESPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include "conn.h"
#include "listener.h"

#define INO_CONNECTIONS	4

enum node_kind {
	NODE_DIR,		/* any directory */
	NODE_LINK,		/* host, self */
	NODE_TABLE,		/* connections */
	NODE_STREAM,		/* <cid>/<port> */
	NODE_DGRAM,		/* <cid>/dgram/<port> */
	NODE_LISTEN,		/* listen/<port> */
	NODE_LISTEN_DGRAM,	/* listen/dgram/<port> */
	NODE_SEQPACKET,		/* <cid>/seqpacket/<port> */
	NODE_LISTEN_SEQPACKET,	/* listen/seqpacket/<port> */
};

/* What a node stands for. */
struct node_info {
	enum node_kind kind;
	unsigned int cid, port;
	uint64_t listener;	/* NODE_LISTEN*: that listener's id */
};

/* Each returns 0 or a positive errno for the reply. */
/* A lookup by @who (its uid, and its pid: the calling thread's). */
int ns_lookup(fuse_ino_t parent, const char *name, const struct opener *who,
	      struct fuse_entry_param *e);
/* A name that open(O_CREAT) may make a listener of: its kind and port. */
int ns_listener_name(fuse_ino_t parent, const char *name, enum conn_kind *kind,
		     unsigned int *port);
/* A new node for listener @l, as a lookup of its name by thread @tid gives. */
int ns_listener_entry(const struct listener *l, pid_t tid,
		      struct fuse_entry_param *e);
void ns_forget(fuse_ino_t ino, uint64_t nlookup);
/*
 * An OPEN of @ino by thread @tid came, before anything else is done for it:
 * 0, or ESTALE for a reference to a node handed out again whose new open
 * has not come yet (see namespace.c). And a RELEASE of one.
 */
int ns_opening(fuse_ino_t ino, pid_t tid);
void ns_released(fuse_ino_t ino);
/* Exit: free what the kernel never forgot (it forgets nothing on unmount). */
void ns_destroy(void);
int ns_getattr(fuse_ino_t ino, struct stat *st, double *timeout);
int ns_info(fuse_ino_t ino, struct node_info *info);
/* The listener a node stands for, if it still exists. */
struct listener *ns_listener(const struct node_info *info);
/* The whole directory now, as a dirent buffer (malloc'd): opendir's snapshot. */
int ns_readdir(fuse_req_t req, fuse_ino_t ino, char **buf, size_t *len);
int ns_readlink(fuse_ino_t ino, char *buf, size_t size);
/*
 * The open behind a node (user.vmci attributes arrive by node id): attach
 * once an open of it is answered (again for each reopen of the same conn),
 * detach at each release; the last detach forgets it.
 */
void ns_attach(fuse_ino_t ino, struct conn *c);
void ns_detach(fuse_ino_t ino, const struct conn *c);
/* The conn opened through @ino, or NULL (never opened, or all closed). */
struct conn *ns_conn(fuse_ino_t ino);
/* user.vmci.headers of an open listen/dgram node: 0, ENODATA, ENOTSUP. */
int ns_set_headers(fuse_ino_t ino, bool on);
bool ns_headers(fuse_ino_t ino);
/* rm by @uid: only a listener's owner may (EPERM). */
int ns_unlink(fuse_ino_t parent, const char *name, uid_t uid);

#endif
