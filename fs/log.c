// SPDX-License-Identifier: GPL-2.0-only
/*
 * log.c: see log.h. glibc's syslog(3) sends on a blocking socket: with the
 * log daemon stuck, one call would freeze every file of the mount. So this
 * speaks the syslog datagram protocol (RFC 3164: "<PRI>TIMESTAMP TAG: MSG")
 * to /dev/log itself, with MSG_DONTWAIT, and drops what does not fit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* At most LOG_BURST lines per LOG_WINDOW seconds. */
#define LOG_BURST	20
#define LOG_WINDOW	60
/* LOG_DAEMON | LOG_WARNING */
#define LOG_PRIORITY	(3 * 8 + 4)

static bool use_syslog;
static int log_fd = -1;
static time_t window_start;
static unsigned int in_window, dropped;

void log_use_syslog(void)
{
	use_syslog = true;
}

static int syslog_socket(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };

	if (log_fd >= 0)
		return log_fd;
	log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (log_fd < 0)
		return -1;
	if (connect(log_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(log_fd);
		log_fd = -1;
	}
	return log_fd;
}

/* Send one line; false if it would block or nobody listens. */
static bool syslog_send(const char *msg)
{
	char line[1024], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int len;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	len = snprintf(line, sizeof(line), "<%d>%s vmcifs[%d]: %s", LOG_PRIORITY,
		       stamp, (int)getpid(), msg);
	if (len >= (int)sizeof(line))
		len = sizeof(line) - 1;
	for (int attempt = 0; attempt < 2; attempt++) {
		int fd = syslog_socket();

		if (fd < 0)
			return false;
		if (send(fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return true;
		if (errno == EAGAIN)
			return false;
		/* The log daemon restarted: connect again, once. */
		close(log_fd);
		log_fd = -1;
	}
	return false;
}

/* The burst limit: false if this line must be dropped. */
static bool within_limit(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec - window_start >= LOG_WINDOW) {
		window_start = ts.tv_sec;
		in_window = 0;
	}
	return in_window++ < LOG_BURST;
}

void vmcifs_log(const char *fmt, ...)
{
	char msg[768], full[900];
	va_list ap;

	if (!within_limit()) {
		dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (dropped)
		snprintf(full, sizeof(full), "%s (%u earlier messages dropped)", msg,
			 dropped);
	else
		snprintf(full, sizeof(full), "%s", msg);
	if (use_syslog) {
		if (syslog_send(full))
			dropped = 0;
		else
			dropped++;
		return;
	}
	fprintf(stderr, "vmcifs: %s\n", full);
	dropped = 0;
}
