// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * afvalue.c: VMware's VMCISock_* functions on Linux.
 *
 * VMware's header asks its driver for a dynamic address family with ioctls
 * on /dev/vsock. Linux has a fixed family, AF_VSOCK, and its /dev/vsock knows
 * only the local-CID ioctl, so these functions answer from the kernel's
 * AF_VSOCK directly. Each one passes the guest guard (guard.c) before it
 * creates a socket or opens the device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "internal.h"
#include "vmci.h"
#include "vmci_sockets.h"

/* 0 if the guard lets us use AF_VSOCK, else -1 with errno = EPERM. */
static int guarded(void)
{
	int err = vmci_guest_guard();

	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

/*
 * Is AF_VSOCK there? A SOCK_STREAM socket answers that on every transport;
 * VMware's header probes with SOCK_DGRAM, which fails (ENODEV) wherever no
 * transport has datagrams, e.g. vsock_loopback and virtio.
 */
static int probe_af_vsock(void)
{
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

VMCI_EXPORT int VMCISock_GetAFValueFd(int *outFd)
{
	if (outFd)
		*outFd = -1;
	if (guarded() || probe_af_vsock())
		return -1;
	/* Linux's family is fixed: no device descriptor to keep open. */
	return AF_VSOCK;
}

VMCI_EXPORT int VMCISock_GetAFValue(void)
{
	return VMCISock_GetAFValueFd(NULL);
}

VMCI_EXPORT void VMCISock_ReleaseAFValueFd(int fd)
{
	if (fd >= 0)
		close(fd);
}

VMCI_EXPORT unsigned int VMCISock_GetLocalCID(void)
{
	unsigned int cid = VMADDR_CID_ANY;
	int fd;

	if (guarded())
		return VMADDR_CID_ANY;
	fd = open(VMCI_SOCKETS_DEFAULT_DEVICE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return VMADDR_CID_ANY;
	if (ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid) < 0)
		cid = VMADDR_CID_ANY;
	close(fd);
	return cid;
}

VMCI_EXPORT unsigned int VMCISock_Version(void)
{
	unsigned int epoch = 0, major = 0, minor = 0;
	struct utsname u;

	if (guarded() || probe_af_vsock())
		return VMCI_SOCKETS_INVALID_VERSION;
	/* Linux's vSockets are as new as its kernel: "6.1.0-56-amd64". */
	if (uname(&u) < 0 ||
	    sscanf(u.release, "%u.%u.%u", &epoch, &major, &minor) < 2) {
		errno = ENOENT;
		return VMCI_SOCKETS_INVALID_VERSION;
	}
	if (epoch > 0xff)
		epoch = 0xff;
	if (major > 0xff)
		major = 0xff;
	if (minor > 0xffff)
		minor = 0xffff;
	return epoch << 24 | major << 16 | minor;
}

VMCI_EXPORT unsigned int VMCISock_Uuid2ContextId(const char *uuidString)
{
	if (guarded())
		return VMADDR_CID_ANY;
	/*
	 * On ESX the vsock device maps a VM's bios.uuid to its context ID;
	 * Linux keeps no such table (a hypervisor's job), so there is no
	 * answer to give.
	 */
	errno = uuidString ? EOPNOTSUPP : EINVAL;
	return VMADDR_CID_ANY;
}
