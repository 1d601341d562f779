/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.h: messages a person will read. They go to standard error, or to the
 * system log once the daemon runs in the background, and never block the
 * event loop: the system log is written through a non-blocking socket, and
 * a burst of messages is cut short (the next message that gets through
 * says how many were dropped).
 */
#ifndef VMCIFS_LOG_H
#define VMCIFS_LOG_H

/* From now on, write to the system log (/dev/log) instead of stderr. */
void log_use_syslog(void);
/* One line, "vmcifs: " in front on stderr; printf-style. */
void vmcifs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
