// SPDX-License-Identifier: GPL-2.0-only
/*
 * mount.c: see mount.h. Our mount is known by its mount ID in
 * /proc/self/mountinfo (reading it asks nothing of our own file system,
 * which could not answer while the daemon is leaving).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include "mount.h"

static char mount_path[PATH_MAX];
static char mount_id[24];

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = 0;
}

/*
 * The ID of the newest FUSE mount on @path into @id (if @id), or with @id
 * NULL whether mount @want is still mounted on @path.
 */
static bool scan_mountinfo(const char *path, const char *want, char *id, size_t idlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	bool found = false;

	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0) {
		char mid[24], parent[24], devno[32], root[PATH_MAX], mnt[PATH_MAX];
		char *sep, fstype[64];

		if (sscanf(line, "%23s %23s %31s %4095s %4095s", mid, parent,
			   devno, root, mnt) != 5)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1 ||
		    strncmp(fstype, "fuse", 4) != 0)
			continue;
		unescape(mnt);
		if (strcmp(mnt, path) != 0)
			continue;
		if (want && strcmp(mid, want) == 0) {
			found = true;
			break;
		}
		if (id) {
			snprintf(id, idlen, "%s", mid);
			found = true;	/* keep going: the newest one wins */
		}
	}
	free(line);
	fclose(f);
	return found;
}

void mount_remember(const char *mountpoint)
{
	snprintf(mount_path, sizeof(mount_path), "%s", mountpoint);
	if (!scan_mountinfo(mount_path, NULL, mount_id, sizeof(mount_id)))
		mount_id[0] = 0;
}

/*
 * libfuse's unmount first polls /dev/fuse: POLLERR means "already gone",
 * and it only closes the fd. So to end the connection without unmounting
 * by path, put in its place a pipe end without a reader (which polls
 * POLLERR): dup2() closes /dev/fuse, ending the connection, and libfuse
 * then closes the pipe end and frees what it holds.
 */
static bool end_connection_only(struct fuse_session *se)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return false;
	close(p[0]);
	dup2(p[1], fuse_session_fd(se));
	close(p[1]);
	return true;
}

void mount_leave(struct fuse_session *se)
{
	if (mount_id[0] && scan_mountinfo(mount_path, mount_id, NULL, 0)) {
		fuse_session_unmount(se);
		return;
	}
	if (end_connection_only(se))
		fuse_session_unmount(se);
	/* else fuse_session_destroy() closes /dev/fuse: never unmount by path */
}
