// SPDX-License-Identifier: GPL-2.0-only
/*
 * guard_host_test.c: outside the vmcifs guest, every VMCISock_* function of
 * vmci_sockets.h (inline, in this very file) and libvmci's vmci_guest_guard()
 * refuse with EPERM before they touch AF_VSOCK.
 *
 * Meant for the development host, where AF_VSOCK must never be used, so the
 * test cannot rely on the guard it tests: it is linked with socket, open
 * and ioctl wrapped (-Wl,--wrap), which catches the header's calls and the
 * static libvmci's alike. The wrappers never reach the kernel for AF_VSOCK or
 * /dev/vsock; they count the attempts, which must be zero. Exits 77
 * (skipped) inside the guest and when the header is not guest-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "vmci.h"
#include "vmci_sockets.h"

static int attempts;

int __real_open(const char *path, int flags, ...);
int __wrap_socket(int domain, int type, int protocol);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __wrap_ioctl(int fd, unsigned long request, ...);

int __wrap_socket(int domain, int type, int protocol)
{
	(void)type;
	(void)protocol;
	fprintf(stderr, "guard_host_test: socket(%d) attempted\n", domain);
	attempts++;
	errno = EACCES;
	return -1;
}

/* Let the guard read /proc/cmdline; nothing else. */
static int wrapped_open(const char *path, int flags, va_list ap)
{
	if (!strcmp(path, "/proc/cmdline"))
		return __real_open(path, flags, va_arg(ap, int));
	fprintf(stderr, "guard_host_test: open(%s) attempted\n", path);
	attempts++;
	errno = EACCES;
	return -1;
}

int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	int ret;

	va_start(ap, flags);
	ret = wrapped_open(path, flags, ap);
	va_end(ap);
	return ret;
}

int __wrap_open64(const char *path, int flags, ...)
{
	va_list ap;
	int ret;

	va_start(ap, flags);
	ret = wrapped_open(path, flags, ap);
	va_end(ap);
	return ret;
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	fprintf(stderr, "guard_host_test: ioctl(%d, %lu) attempted\n", fd, request);
	attempts++;
	errno = EACCES;
	return -1;
}

int main(void)
{
	int failures = 0, outfd = 5;

	if (!VMCI_SOCKETS_GUEST_ONLY) {
		printf("skipped: vmci_sockets.h is configured without guest_only\n");
		return 77;
	}
	if (vmci_guest_guard() == 0) {
		printf("skipped: this is the vmcifs guest (tests/lib/007 covers it there)\n");
		return 77;
	}
	printf("guard: %s\n", vmci_guard_message());
	failures += vmci_guest_guard() != -EPERM;

	errno = 0;
	failures += !(VMCISock_GetAFValue() == -1 && errno == EPERM);
	errno = 0;
	failures += !(VMCISock_GetAFValueFd(&outfd) == -1 && errno == EPERM && outfd == -1);
	errno = 0;
	failures += !(VMCISock_GetLocalCID() == VMADDR_CID_ANY && errno == EPERM);
	errno = 0;
	failures += !(VMCISock_Version() == VMCI_SOCKETS_INVALID_VERSION && errno == EPERM);
	errno = 0;
	failures += !(VMCISock_Uuid2ContextId("x") == VMADDR_CID_ANY && errno == EPERM);

	/* Twice: the answer is kept, and says no again. */
	errno = 0;
	failures += !(VMCISock_GetAFValue() == -1 && errno == EPERM);

	printf("%d wrong results, %d AF_VSOCK attempts\n", failures, attempts);
	return failures || attempts ? 1 : 0;
}
