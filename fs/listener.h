/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * listener.h: the listeners of /vmci/listen, one per (kind, port), and the
 * rules of listening (each one function here):
 *  - who may listen where: any port from 1024 up; below that only callers
 *    with CAP_NET_BIND_SERVICE in the initial user namespace (established
 *    by the caller of listener_create, see caller.h);
 *  - who owns a listener: its creator (and root). Nobody else may accept
 *    its clients or remove it;
 *  - a listener is an object, not a port: each has an id never used again,
 *    so a name looked up (or an fd kept) before a listener was removed
 *    never reaches one created later on the same port.
 * The table is a hash: lookups cost the same with 10,000 listeners.
 */
#ifndef VMCIFS_LISTENER_H
#define VMCIFS_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"

/* The ports below this need CAP_NET_BIND_SERVICE (as for any socket). */
#define LISTENER_PRIVILEGED_BELOW 1024

struct listener;

/*
 * A new listener on @port owned by @who: 0 and *@out, or an errno: EEXIST
 * (there is one), EACCES (see above), EDQUOT (@who's cap), EADDRINUSE
 * (another program listens there), EPERM (outside the test guest)...
 */
int listener_create(enum conn_kind kind, unsigned int port,
		    const struct opener *who, bool may_bind_privileged,
		    struct listener **out);
/* The listener on @port now, or NULL. */
struct listener *listener_find(enum conn_kind kind, unsigned int port);
/* That very listener if it still exists, or NULL. */
struct listener *listener_get(enum conn_kind kind, unsigned int port, uint64_t id);

uint64_t listener_id(const struct listener *l);
enum conn_kind listener_kind(const struct listener *l);
unsigned int listener_port(const struct listener *l);
uid_t listener_uid(const struct listener *l);
gid_t listener_gid(const struct listener *l);
/* Its socket, for what it can tell (conn_get_info). */
const struct conn *listener_conn(const struct listener *l);
/* The rule of ownership: may @uid accept its clients or remove it? */
bool listener_owned_by(const struct listener *l, uid_t uid);

/*
 * An open of @l by @who: 0 once @req is handed to the engine (an accept,
 * now or on the first read or write with @nonblock; or the bound datagram
 * socket), or an errno for the caller to answer (EACCES: not the owner).
 */
int listener_open(struct request *req, struct listener *l, const struct opener *who,
		  bool nonblock, uintptr_t cookie);
/* rm by @uid: 0, or EPERM if @uid does not own it. */
int listener_remove(struct listener *l, uid_t uid);

/* The ports of @kind in ascending order (malloc'd, *@n of them), or NULL. */
unsigned int *listener_ports(enum conn_kind kind, size_t *n);
size_t listener_count(void);
/* Entries compared by lookups so far (tests count them). */
uint64_t listener_probes(void);
/* Exit: close and forget every listener. */
void listener_destroy_all(void);

#endif
