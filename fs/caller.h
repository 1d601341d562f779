/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * caller.h: who sent a FUSE request, and what the kernel would let them do
 * with a socket of their own. FUSE gives uid, gid and pid (as the daemon's
 * namespaces see them) and nothing else.
 */
#ifndef VMCIFS_CALLER_H
#define VMCIFS_CALLER_H

#include <stdbool.h>

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include "conn.h"

void caller_of(fuse_req_t req, struct opener *who);
/*
 * Would bind(2) to a port below 1024 succeed for the caller: does it have
 * CAP_NET_BIND_SERVICE in the daemon's user namespace (the initial one on
 * a normal mount), as capable() checks? Root inside a user namespace
 * (unshare -r) has its capabilities in that namespace only: no.
 */
bool caller_may_bind_privileged(fuse_req_t req);
/*
 * Is the (interrupted) caller of @req being killed? A fatal signal (SIGKILL,
 * or one whose action is the default "terminate") leaves SIGKILL pending on
 * every thread of the caller before it wakes to send the interrupt. True
 * too when the caller cannot be looked at (no /proc entry): better a cut
 * message than an unkillable process.
 */
bool caller_dying(fuse_req_t req);

#endif
