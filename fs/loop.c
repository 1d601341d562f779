// SPDX-License-Identifier: GPL-2.0-only
/*
 * loop.c: the event loop. One thread, one epoll set holding
 *  - /dev/fuse (level-triggered, non-blocking): each request is read with
 *    fuse_session_receive_buf() and handled with fuse_session_process_buf();
 *    handlers never wait, they park the request on a conn instead;
 *  - every socket (edge-triggered, see conn.c);
 *  - a signalfd for SIGINT, SIGTERM and SIGHUP: stop and unmount;
 *  - /proc/self/mountinfo, which turns readable-with-error on any change of
 *    the mount table: if our mount is gone (umount -l, fusermount -uz) while
 *    files are still open, the callers waiting on it get ENOTCONN at once
 *    instead of waiting forever on a file system nobody can reach.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include "conn.h"
#include "loop.h"

#define MAX_EVENTS	64
/* FUSE requests handled per wakeup before the sockets get a turn. */
#define FUSE_BATCH	32

static int epfd = -1;
static bool stopping, unmounted;

int loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? -errno : 0;
}

int loop_add(struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

void loop_del(struct watch *w)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

void loop_stop(void)
{
	stopping = true;
}

/* /dev/fuse */
static struct fuse_session *session;
static struct fuse_buf fbuf;

/*
 * Request buffers (each the size of the largest request, about 1 MiB). A
 * big write that cannot go out at once keeps its data where FUSE put it
 * instead of copying it (loop_keep_request_data); the buffer comes back
 * with loop_return_buffer() once sent. A few are kept for reuse, so that
 * a bulk stream neither mallocs nor faults in fresh pages per request.
 */
#define SPARE_BUFFERS	4
static void *spare[SPARE_BUFFERS];
static int nspare;

void *loop_keep_request_data(const void *data)
{
	const char *base = fbuf.mem;

	if (!base || (const char *)data < base ||
	    (const char *)data >= base + fbuf.size)
		return NULL;
	fbuf.mem = NULL;
	return (void *)base;
}

void loop_return_buffer(void *buf)
{
	if (nspare < SPARE_BUFFERS)
		spare[nspare++] = buf;
	else
		free(buf);
}

static void fuse_ready(struct watch *w, uint32_t events)
{
	(void)w;
	(void)events;
	for (int i = 0; i < FUSE_BATCH && !stopping; i++) {
		int res;

		if (!fbuf.mem && nspare)
			fbuf.mem = spare[--nspare];
		res = fuse_session_receive_buf(session, &fbuf);

		if (res == -EINTR || res == -ENOENT)
			continue;	/* ENOENT: the request was interrupted */
		if (res == -EAGAIN)
			return;
		if (res <= 0) {
			/* 0: unmounted or aborted; <0: already reported */
			stopping = true;
			return;
		}
		fuse_session_process_buf(session, &fbuf);
		conn_run_deferred();
		if (fuse_session_exited(session))
			stopping = true;
	}
}

/* Signals */
static void signal_ready(struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si))
		stopping = true;
}

/* Unmount detection through /proc/self/mountinfo. */
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
 * Find @mountpoint's newest FUSE mount in mountinfo; copy its mount ID into
 * @id (if not NULL). With @id NULL, look for mount_id instead. Returns true
 * if found.
 */
static bool scan_mountinfo(int fd, const char *mountpoint, char *id, size_t idlen)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	int dfd = dup(fd);

	if (dfd < 0)
		return true;	/* cannot tell: assume still mounted */
	lseek(dfd, 0, SEEK_SET);
	f = fdopen(dfd, "r");
	if (!f) {
		close(dfd);
		return true;
	}
	while (getline(&line, &cap, f) > 0) {
		char mid[24], parent[24], devno[32], root[PATH_MAX], mnt[PATH_MAX];
		char *sep, fstype[64];

		if (sscanf(line, "%23s %23s %31s %4095s %4095s", mid, parent,
			   devno, root, mnt) != 5)
			continue;
		if (!id) {
			if (strcmp(mid, mount_id) == 0) {
				found = true;
				break;
			}
			continue;
		}
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1 ||
		    strncmp(fstype, "fuse", 4) != 0)
			continue;
		unescape(mnt);
		if (strcmp(mnt, mountpoint) == 0) {
			snprintf(id, idlen, "%s", mid);
			found = true;	/* keep going: the newest one wins */
		}
	}
	free(line);
	fclose(f);
	return found;
}

static void mounts_ready(struct watch *w, uint32_t events)
{
	(void)events;
	if (mount_id[0] && !scan_mountinfo(w->fd, NULL, NULL, 0)) {
		conn_shutdown_all(ENOTCONN);
		stopping = unmounted = true;
	}
}

int loop_run(struct fuse_session *se, const char *mountpoint)
{
	struct watch fuse_w = { .ready = fuse_ready };
	struct watch sig_w = { .ready = signal_ready };
	struct watch mnt_w = { .ready = mounts_ready };
	struct epoll_event events[MAX_EVENTS];
	sigset_t mask;

	session = se;
	fuse_w.fd = fuse_session_fd(se);
	fcntl(fuse_w.fd, F_SETFL, fcntl(fuse_w.fd, F_GETFL) | O_NONBLOCK);
	if (loop_add(&fuse_w, EPOLLIN) < 0)
		return -errno;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sig_w.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sig_w.fd < 0 || loop_add(&sig_w, EPOLLIN) < 0)
		return -errno;

	mnt_w.fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (mnt_w.fd >= 0 &&
	    scan_mountinfo(mnt_w.fd, mountpoint, mount_id, sizeof(mount_id)))
		loop_add(&mnt_w, EPOLLPRI | EPOLLERR);

	while (!stopping && !fuse_session_exited(se)) {
		int n = epoll_wait(epfd, events, MAX_EVENTS, -1);

		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n && !stopping; i++) {
			struct watch *w = events[i].data.ptr;

			w->ready(w, events[i].events);
		}
		conn_run_deferred();
		conn_reap();
	}
	free(fbuf.mem);
	fbuf.mem = NULL;
	while (nspare)
		free(spare[--nspare]);
	if (mnt_w.fd >= 0)
		close(mnt_w.fd);
	close(sig_w.fd);
	return unmounted;
}
