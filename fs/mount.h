/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mount.h: the mount's life as the daemon sees it. A lazily unmounted
 * vmcifs (umount -l) keeps serving its open files until the last one is
 * closed; the kernel then ends the session and the daemon exits. Leaving
 * earlier (SIGTERM) must not unmount by path whatever now sits there.
 */
#ifndef VMCIFS_MOUNT_H
#define VMCIFS_MOUNT_H

struct fuse_session;

/* Just mounted on the absolute path @mountpoint: note which mount is ours. */
void mount_remember(const char *mountpoint);
/*
 * Leave: unmount (detach) our mount if it is still where we put it; if it
 * is gone or moved, only end the FUSE connection (its open files then get
 * ENOTCONN). Closes /dev/fuse either way, once.
 */
void mount_leave(struct fuse_session *se);

#endif
