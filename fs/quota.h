/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quota.h: the per-user cap on sockets held through the mount (mount option
 * max_sockets, 1,024 by default). Every connection, listener and bound
 * datagram socket is charged to the user who made it; past the cap that
 * user gets EDQUOT and a log line names them, while every other user goes
 * on as before. uid 0 has no cap.
 */
#ifndef VMCIFS_QUOTA_H
#define VMCIFS_QUOTA_H

#include <sys/types.h>

#define QUOTA_DEFAULT_MAX 1024

/* The cap for every uid but 0 (0: none). */
void quota_set_max(unsigned int max);
unsigned int quota_max(void);
/* Charge one socket to @uid: 0, or EDQUOT past the cap (logged). */
int quota_charge(uid_t uid);
void quota_uncharge(uid_t uid);
/* Sockets @uid holds now. */
unsigned int quota_held(uid_t uid);
/* Exit: forget every user. */
void quota_destroy(void);

#endif
