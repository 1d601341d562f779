/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attrs.h: the user.vmci extended attributes of an open file, which tell
 * and steer the socket behind it (getfattr/setfattr on /proc/self/fd/N):
 *
 *   user.vmci.type         stream, seqpacket, dgram, listen, ...
 *   user.vmci.state        established, peer-closed, connecting, ...
 *   user.vmci.local        CID:PORT of the socket (getsockname)
 *   user.vmci.remote       CID:PORT of the peer (getpeername; the address
 *                          dialled while connecting, or of a datagram node)
 *   user.vmci.rx, tx       bytes received and sent so far
 *   user.vmci.buffer_size  the socket's buffer (SO_VM_SOCKETS_BUFFER_SIZE)
 *   user.vmci.shutdown     none, read, write, both; set to read, write or
 *                          both: shutdown(2) that side, after every write
 *                          already made on that connection
 *   user.vmci.headers      listen/dgram nodes: 0, or 1 for reads that give
 *                          "CID:PORT\n" and then one datagram, and writes
 *                          that take "CID:PORT\n" and then the payload
 *
 * FUSE asks by node id alone; the namespace knows which conn was opened
 * through a node (ns_conn). A node with nothing open has no attributes.
 */
#ifndef VMCIFS_ATTRS_H
#define VMCIFS_ATTRS_H

#include <stddef.h>
#include <sys/types.h>

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include "conn.h"

/* The names that @ino has now, each NUL-terminated, as listxattr gives. */
size_t attrs_list(fuse_ino_t ino, char *buf, size_t size);
/* The value of @name: its length (all of it, even past @size) or -errno. */
ssize_t attrs_get(fuse_ino_t ino, const char *name, char *buf, size_t size);
/*
 * Set @name to @value for the caller @uid: 0 once @req is handed to the
 * engine (which answers it), ATTRS_DONE when done at once, or an errno to
 * answer.
 */
#define ATTRS_DONE (-1)
int attrs_set(struct request *req, fuse_ino_t ino, const char *name,
	      const char *value, size_t size, uid_t uid);

#endif
