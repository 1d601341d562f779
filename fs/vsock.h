/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsock.h: the engine's sockets on AF_VSOCK (a struct conn_sockets), made
 * only where libvmci's guest guard allows, and what else the daemon asks
 * of vsock: the local CID, addresses as text.
 */
#ifndef VMCIFS_VSOCK_H
#define VMCIFS_VSOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"

extern const struct conn_sockets vsock_sockets;

/*
 * Give up CAP_NET_ADMIN for good, before the first socket: af_vsock marks a
 * socket "trusted" when its creator holds it (and VMCI lets trusted sockets
 * reach restricted VMs), and this daemon makes every user's sockets. 0 or
 * -errno.
 */
int vsock_drop_trust(void);
/* -o connect_timeout: for every connect from now on (0: the transport's). */
void vsock_set_connect_timeout(double seconds);
/* The local CID (IOCTL_VM_SOCKETS_GET_LOCAL_CID), or -errno. */
long vsock_local_cid(void);
/* "CID:PORT" of socket @fd's own (or, @peer, its peer's) address, or "-". */
void vsock_addr_text(int fd, bool peer, char *buf, size_t size);
/* Socket @fd's buffer size (SO_VM_SOCKETS_BUFFER_SIZE), or -1. */
long long vsock_buffer_size(int fd);
/* "CID:PORT" */
void vsock_format(unsigned int cid, unsigned int port, char *buf, size_t size);

#endif
