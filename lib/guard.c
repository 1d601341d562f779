// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * guard.c: the guest guard.
 *
 * On the machines vmcifs is developed on, AF_VSOCK leads to the machine's own
 * hypervisor, which is not ours. A guest-only build of libvmci (the default,
 * VMCIFS_GUEST_ONLY=1 in config.h) therefore lets a process touch AF_VSOCK
 * only inside the vmcifs test guest, whose kernel command line carries
 * "vmcifs.guest=1" (scripts/vm puts it there). The kernel command line is
 * the one thing an ordinary process cannot fake: no environment variable or
 * file outside /proc can open the guard.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "vmci.h"

#define GUEST_PARAM "vmcifs.guest="

enum guard_state {
	GUARD_UNKNOWN = 0,	/* not decided yet */
	GUARD_OPEN,		/* in the guest, or not a guest-only build */
	GUARD_NO_CMDLINE,	/* /proc/cmdline could not be read */
	GUARD_NOT_GUEST,	/* the command line lacks vmcifs.guest=1 */
};

/* Decided once per process: the kernel command line does not change. */
static int guard_state = GUARD_UNKNOWN;

/*
 * Length of the parameter at @p: up to white space outside double quotes,
 * as the kernel splits its command line (next_arg() in kernel/params.c).
 */
static size_t param_len(const char *p)
{
	bool quoted = false;
	size_t len;

	for (len = 0; p[len]; len++) {
		if (p[len] == '"')
			quoted = !quoted;
		else if (!quoted && strchr(" \t\n", p[len]))
			break;
	}
	return len;
}

bool vmci_cmdline_is_guest(const char *cmdline)
{
	const size_t plen = strlen(GUEST_PARAM);
	const char *p = cmdline;
	bool guest = false;
	size_t len;

	for (;;) {
		p += strspn(p, " \t\n");
		len = param_len(p);
		/* Nothing left, or the rest is for init, not the kernel. */
		if (!len || (len == 2 && !strncmp(p, "--", 2)))
			break;
		if (len > plen && !strncmp(p, GUEST_PARAM, plen))
			guest = len == plen + 1 && p[plen] == '1';
		p += len;
	}
	return guest;
}

/* Read the kernel command line into @buf; false if it cannot be read. */
static bool read_cmdline(char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (got < size - 1) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return n >= 0;
}

static int decide(void)
{
	char cmdline[4096];

	if (!VMCIFS_GUEST_ONLY)
		return GUARD_OPEN;
	if (!read_cmdline(cmdline, sizeof(cmdline)))
		return GUARD_NO_CMDLINE;
	return vmci_cmdline_is_guest(cmdline) ? GUARD_OPEN : GUARD_NOT_GUEST;
}

VMCI_EXPORT int vmci_guest_guard(void)
{
	int state = __atomic_load_n(&guard_state, __ATOMIC_ACQUIRE);

	if (state == GUARD_UNKNOWN) {
		state = decide();
		__atomic_store_n(&guard_state, state, __ATOMIC_RELEASE);
	}
	return state == GUARD_OPEN ? 0 : -EPERM;
}

VMCI_EXPORT const char *vmci_guard_message(void)
{
	switch (vmci_guest_guard() ? guard_state : GUARD_OPEN) {
	case GUARD_NO_CMDLINE:
		return "refusing to use AF_VSOCK: cannot read /proc/cmdline to check for the vmcifs test guest (vmcifs.guest=1); this libvmci is built guest-only";
	case GUARD_NOT_GUEST:
		return "refusing to use AF_VSOCK outside the vmcifs test guest (no vmcifs.guest=1 on the kernel command line): here it would reach this machine's own hypervisor. Run it through scripts/vm, or build with -Dguest_only=false for a real VM";
	default:
		return VMCIFS_GUEST_ONLY ?
		       "AF_VSOCK allowed: this is the vmcifs test guest" :
		       "AF_VSOCK allowed: libvmci is built without guest_only";
	}
}
