// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmcisock_test.c: every VMCISock_* function of vmci_sockets.h, and the
 * guard in front of them. Run in the vmcifs guest only (tests/lib/003, 007).
 *
 *   vmcisock_test LOCAL_CID     all functions work; the local CID is this
 *   vmcisock_test --refused     outside the guest: all refuse with EPERM
 *
 * Prints one line per check (the golden output); a line ending in FAIL
 * makes the exit status non-zero. Details go to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "vmci.h"
#include "vmci_sockets.h"

static int failures;

static void check(int ok, const char *what)
{
	printf("%s%s\n", what, ok ? "" : "  FAIL");
	failures += !ok;
}

/* The kernel release as VMCISock_Version() encodes it. */
static unsigned int kernel_version(void)
{
	unsigned int a = 0, b = 0, c = 0;
	struct utsname u;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	return a << 24 | b << 16 | c;
}

/* The local CID straight from Linux's /dev/vsock. */
static unsigned int ioctl_local_cid(void)
{
	unsigned int cid = VMADDR_CID_ANY;
	int fd = open("/dev/vsock", O_RDONLY);

	if (fd >= 0) {
		if (ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid) < 0)
			cid = VMADDR_CID_ANY;
		close(fd);
	}
	return cid;
}

static void test_working(unsigned int want_cid)
{
	int af, fd, outfd = 12345, pipefd[2];
	unsigned int v, cid;
	char line[128];

	check(vmci_guest_guard() == 0, "vmci_guest_guard: 0 (in the guest)");
	fprintf(stderr, "guard message: %s\n", vmci_guard_message());

	errno = 0;
	af = VMCISock_GetAFValue();
	snprintf(line, sizeof(line), "VMCISock_GetAFValue: %d", af);
	check(af == AF_VSOCK, line);

	af = VMCISock_GetAFValueFd(&outfd);
	snprintf(line, sizeof(line), "VMCISock_GetAFValueFd: %d, outFd %d", af, outfd);
	check(af == AF_VSOCK && outfd == -1, line);
	check(VMCISock_GetAFValueFd(NULL) == AF_VSOCK, "VMCISock_GetAFValueFd(NULL): AF_VSOCK");

	/* The value works as a family: a stream socket, whatever the transport. */
	fd = socket(af, SOCK_STREAM, 0);
	check(fd >= 0, "socket(afVMCI, SOCK_STREAM, 0): ok");
	if (fd >= 0)
		close(fd);
	fd = socket(af, SOCK_DGRAM, 0);
	fprintf(stderr, "socket(afVMCI, SOCK_DGRAM, 0): %s (depends on the transport)\n",
		fd >= 0 ? "ok" : strerror(errno));
	if (fd >= 0)
		close(fd);

	VMCISock_ReleaseAFValueFd(outfd);
	VMCISock_ReleaseAFValueFd(-1);
	if (pipe(pipefd) == 0) {
		VMCISock_ReleaseAFValueFd(pipefd[0]);
		check(fcntl(pipefd[0], F_GETFD) == -1 && errno == EBADF,
		      "VMCISock_ReleaseAFValueFd: closes the descriptor");
		close(pipefd[1]);
	}

	cid = VMCISock_GetLocalCID();
	fprintf(stderr, "VMCISock_GetLocalCID: %u (expected %u, /dev/vsock says %u)\n",
		cid, want_cid, ioctl_local_cid());
	check(cid == want_cid && cid == ioctl_local_cid(),
	      "VMCISock_GetLocalCID: the local CID");

	v = VMCISock_Version();
	fprintf(stderr, "VMCISock_Version: %u.%u.%u\n", VMCI_SOCKETS_VERSION_EPOCH(v),
		VMCI_SOCKETS_VERSION_MAJOR(v), VMCI_SOCKETS_VERSION_MINOR(v));
	check(v != VMCI_SOCKETS_INVALID_VERSION && v == kernel_version(),
	      "VMCISock_Version: the kernel release");

	errno = 0;
	cid = VMCISock_Uuid2ContextId("56 4d 07 d8 cc d5 c4 0d-98 44 dc 1e 8f e0 da f3");
	check(cid == VMADDR_CID_ANY && errno == EOPNOTSUPP,
	      "VMCISock_Uuid2ContextId: VMADDR_CID_ANY, EOPNOTSUPP");
	errno = 0;
	cid = VMCISock_Uuid2ContextId(NULL);
	check(cid == VMADDR_CID_ANY && errno == EINVAL,
	      "VMCISock_Uuid2ContextId(NULL): VMADDR_CID_ANY, EINVAL");
}

static void test_refused(void)
{
	int outfd = 12345;
	unsigned int v;

	check(vmci_guest_guard() == -EPERM, "vmci_guest_guard: -EPERM");
	printf("message: %s\n", vmci_guard_message());

	errno = 0;
	check(VMCISock_GetAFValue() == -1 && errno == EPERM,
	      "VMCISock_GetAFValue: -1, EPERM");
	errno = 0;
	check(VMCISock_GetAFValueFd(&outfd) == -1 && errno == EPERM && outfd == -1,
	      "VMCISock_GetAFValueFd: -1, EPERM, outFd -1");
	errno = 0;
	check(VMCISock_GetLocalCID() == VMADDR_CID_ANY && errno == EPERM,
	      "VMCISock_GetLocalCID: VMADDR_CID_ANY, EPERM");
	errno = 0;
	v = VMCISock_Version();
	check(v == VMCI_SOCKETS_INVALID_VERSION && errno == EPERM,
	      "VMCISock_Version: VMCI_SOCKETS_INVALID_VERSION, EPERM");
	errno = 0;
	check(VMCISock_Uuid2ContextId("x") == VMADDR_CID_ANY && errno == EPERM,
	      "VMCISock_Uuid2ContextId: VMADDR_CID_ANY, EPERM");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: vmcisock_test LOCAL_CID | --refused\n");
		return 2;
	}
	if (!strcmp(argv[1], "--refused")) {
		test_refused();
	} else {
		/* Never touch AF_VSOCK where the guard says no. */
		if (vmci_guest_guard()) {
			fprintf(stderr, "vmcisock_test: %s\n", vmci_guard_message());
			return 77;
		}
		test_working((unsigned int)strtoul(argv[1], NULL, 10));
	}
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
