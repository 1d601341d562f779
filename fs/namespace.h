/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * namespace.h: the names of /vmci and the inodes behind them.
 *
 *   /vmci/<cid>/<port>            stream connection per open
 *   /vmci/<cid>/dgram/<port>      datagram socket per open
 *   /vmci/listen/<port>           stream listener; each open accepts one
 *   /vmci/listen/dgram/<port>     bound datagram socket
 *   /vmci/host -> 2, /vmci/self -> local CID, /vmci/connections
 *
 * Directories have fixed inode numbers. Every lookup of a port gives a new
 * inode (freed on forget), so each open file has its own inode and writes
 * on different connections never queue on one inode lock.
 */
#ifndef VMCIFS_NAMESPACE_H
#define VMCIFS_NAMESPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include "conn.h"

#define INO_CONNECTIONS	4

enum node_kind {
	NODE_DIR,		/* any directory */
	NODE_LINK,		/* host, self */
	NODE_TABLE,		/* connections */
	NODE_STREAM,		/* <cid>/<port> */
	NODE_DGRAM,		/* <cid>/dgram/<port> */
	NODE_LISTEN,		/* listen/<port> */
	NODE_LISTEN_DGRAM,	/* listen/dgram/<port> */
};

/* What an inode stands for. */
struct node_info {
	enum node_kind kind;
	unsigned int cid, port;
};

/* Each returns 0 or a positive errno for the reply. */
int ns_lookup(fuse_req_t req, fuse_ino_t parent, const char *name,
	      struct fuse_entry_param *e);
void ns_forget(fuse_ino_t ino, uint64_t nlookup);
/* Exit: free what the kernel never forgot (it forgets nothing on unmount). */
void ns_destroy(void);
int ns_getattr(fuse_ino_t ino, struct stat *st, double *timeout);
int ns_info(fuse_ino_t ino, struct node_info *info);
/* The whole directory as a dirent buffer (malloc'd) for fuse_add_direntry. */
int ns_readdir(fuse_req_t req, fuse_ino_t ino, char **buf, size_t *len);
int ns_readlink(fuse_ino_t ino, char *buf, size_t size);
int ns_unlink(fuse_ino_t parent, const char *name);
/* The caller of @req, for the connections table and listener ownership. */
void ns_opener(fuse_req_t req, struct opener *who);

#endif
