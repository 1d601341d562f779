// SPDX-License-Identifier: GPL-2.0-only
/*
 * caller.c: see caller.h. The capability check reads /proc/PID/status and
 * /proc/PID/ns/user through one directory fd, so both describe the same
 * task. The pid cannot be reused meanwhile: a task whose request the
 * daemon has read cannot exit until it is answered (FUSE waits for the
 * reply even on SIGKILL).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caller.h"

#define CAP_NET_BIND_SERVICE_BIT 10
/* Signal N is bit N - 1 of the masks in /proc/PID/status. */
#define SIGKILL_MASK (1ULL << (9 - 1))

void caller_of(fuse_req_t req, struct opener *who)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	who->pid = ctx->pid;
	who->uid = ctx->uid;
	who->gid = ctx->gid;
}

static bool cap_effective(int dirfd, int bit)
{
	char line[256];
	unsigned long long caps = 0;
	bool found = false;
	int fd = openat(dirfd, "status", O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "re");

	if (!f) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &caps) == 1;
	fclose(f);
	return found && (caps & (1ULL << bit));
}

static bool same_user_namespace(int dirfd)
{
	struct stat theirs, ours;

	return fstatat(dirfd, "ns/user", &theirs, 0) == 0 &&
	       stat("/proc/self/ns/user", &ours) == 0 &&
	       theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

bool caller_may_bind_privileged(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	char path[32];
	bool ok;
	int dirfd;

	if (ctx->pid <= 0)
		return false;	/* in a pid namespace we cannot see into */
	snprintf(path, sizeof(path), "/proc/%d", (int)ctx->pid);
	dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return false;
	ok = same_user_namespace(dirfd) &&
	     cap_effective(dirfd, CAP_NET_BIND_SERVICE_BIT);
	close(dirfd);
	return ok;
}

/*
 * The pid FUSE gives is the calling thread's: /proc/TID/status shows that
 * thread's pending signals (SigPnd) and its process's (ShdPnd).
 */
bool caller_dying(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	unsigned long long mask;
	char path[32], line[256];
	bool dying = false;
	int found = 0;
	FILE *f;

	if (ctx->pid <= 0)
		return true;	/* in a pid namespace we cannot see into */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)ctx->pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	while (found < 2 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "SigPnd: %llx", &mask) == 1 ||
		    sscanf(line, "ShdPnd: %llx", &mask) == 1) {
			found++;
			dying = dying || (mask & SIGKILL_MASK);
		}
	}
	fclose(f);
	return dying || found < 2;
}
