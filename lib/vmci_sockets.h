/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmci_sockets.h: VMware's VMCI Sockets API on Linux AF_VSOCK.
 *
 * Programs written to the "VMCI Sockets Programming Guide" include this
 * header, ask VMCISock_GetAFValue() for the address family and then use
 * plain BSD socket calls with struct sockaddr_vm. On Linux the family is the
 * fixed AF_VSOCK (40) and the socket option level is the same number, so
 * such programs compile and run unchanged against libvmci (-lvmci, or
 * pkg-config vmci).
 *
 * What differs from VMware's own header (see vmci_sockets(3)):
 *  - The functions live in libvmci instead of being inline: they refuse to
 *    touch AF_VSOCK outside the vmcifs test guest when libvmci was built
 *    guest-only (the default), failing with errno EPERM.
 *  - VMCISock_GetAFValue() probes with a SOCK_STREAM socket; VMware's probes
 *    with SOCK_DGRAM, which fails on every transport without datagrams.
 *  - struct sockaddr_vm and the VMADDR_* names come from <linux/vm_sockets.h>
 *    (same layout; Linux calls the first byte of svm_zero svm_flags), so
 *    both headers can be included in one translation unit, in any order.
 *  - setsockopt() and getsockopt() are macros for VMCISock_SetSockOpt() and
 *    VMCISock_GetSockOpt(), which translate VMware's SO_VMCI_* numbers at
 *    level AF_VSOCK to Linux's (most are equal; 8 is not). Define
 *    VMCI_SOCKETS_NO_SOCKOPT_WRAPPERS before including this header to keep
 *    the plain libc calls, or write (setsockopt)(...) for a single call.
 */
#ifndef _VMCI_SOCKETS_H_
#define _VMCI_SOCKETS_H_

#include <errno.h>
#include <sys/ioctl.h>
#include <sys/socket.h>		/* before linux/vm_sockets.h: struct sockaddr */
#include <sys/time.h>		/* struct timeval, time_t */
#include <linux/time_types.h>	/* struct __kernel_sock_timeval */
#include <linux/vm_sockets.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Socket options, VMware's numbers. Use them with the AF value as the level:
 * setsockopt(fd, afVMCI, SO_VMCI_BUFFER_SIZE, &ull, sizeof(ull)).
 *
 *   SO_VMCI_BUFFER_SIZE      0  = SO_VM_SOCKETS_BUFFER_SIZE (unsigned long long)
 *   SO_VMCI_BUFFER_MIN_SIZE  1  = SO_VM_SOCKETS_BUFFER_MIN_SIZE
 *   SO_VMCI_BUFFER_MAX_SIZE  2  = SO_VM_SOCKETS_BUFFER_MAX_SIZE
 *   SO_VMCI_PEER_HOST_VM_ID  3  = SO_VM_SOCKETS_PEER_HOST_VM_ID (Linux: ENOPROTOOPT)
 *   SO_VMCI_SERVICE_LABEL    4    ESX only, none on Linux: ENOPROTOOPT
 *   SO_VMCI_TRUSTED          5  = SO_VM_SOCKETS_TRUSTED (Linux: ENOPROTOOPT)
 *   SO_VMCI_CONNECT_TIMEOUT  6  = SO_VM_SOCKETS_CONNECT_TIMEOUT (struct timeval;
 *                                 _OLD or _NEW as this program's time_t needs)
 *   SO_VMCI_NONBLOCK_TXRX    7  = SO_VM_SOCKETS_NONBLOCK_TXRX (Linux: ENOPROTOOPT)
 *   SO_VMCI_DISCONNECT_CAUSE 8    ESX only, none on Linux: ENOPROTOOPT (Linux's
 *                                 own 8 is SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW)
 */
#define SO_VMCI_BUFFER_SIZE		0
#define SO_VMCI_BUFFER_MIN_SIZE		1
#define SO_VMCI_BUFFER_MAX_SIZE		2
#define SO_VMCI_PEER_HOST_VM_ID		3
#define SO_VMCI_SERVICE_LABEL		4
#define SO_VMCI_TRUSTED			5
#define SO_VMCI_CONNECT_TIMEOUT		6
#define SO_VMCI_NONBLOCK_TXRX		7
#define SO_VMCI_DISCONNECT_CAUSE	8

/* Values of SO_VMCI_DISCONNECT_CAUSE on ESX (never returned on Linux). */
#define VMCI_SOCKETS_DISCONNECT_REGULAR	0
#define VMCI_SOCKETS_DISCONNECT_VMOTION	1

/* Older uapi headers lack these; the values are fixed by the kernel ABI. */
#ifndef SO_VM_SOCKETS_CONNECT_TIMEOUT_OLD
#define SO_VM_SOCKETS_CONNECT_TIMEOUT_OLD 6
#endif
#ifndef SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW
#define SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW 8
#endif
#ifndef SO_VM_SOCKETS_CONNECT_TIMEOUT
#define SO_VM_SOCKETS_CONNECT_TIMEOUT SO_VM_SOCKETS_CONNECT_TIMEOUT_OLD
#endif

/* Addresses. <linux/vm_sockets.h> defines them all in recent kernels. */
#ifndef VMADDR_CID_ANY
#define VMADDR_CID_ANY		((unsigned int)-1)
#endif
#ifndef VMADDR_PORT_ANY
#define VMADDR_PORT_ANY		((unsigned int)-1)
#endif
#ifndef VMADDR_CID_HYPERVISOR
#define VMADDR_CID_HYPERVISOR	0
#endif
#ifndef VMADDR_CID_LOCAL
#define VMADDR_CID_LOCAL	1	/* VMADDR_CID_RESERVED before Linux 5.6 */
#endif
#ifndef VMADDR_CID_HOST
#define VMADDR_CID_HOST		2
#endif

/* Versions, as returned by VMCISock_Version(). */
#define VMCI_SOCKETS_INVALID_VERSION	((unsigned int)-1)
#define VMCI_SOCKETS_VERSION_EPOCH(_v)	(((_v) & 0xFF000000) >> 24)
#define VMCI_SOCKETS_VERSION_MAJOR(_v)	(((_v) & 0x00FF0000) >> 16)
#define VMCI_SOCKETS_VERSION_MINOR(_v)	(((_v) & 0x0000FFFF))

/*
 * VMware's ioctls on its device (Linux numbers). Linux's vsock device
 * (/dev/vsock) implements only GET_LOCAL_CID, which has the same number as
 * IOCTL_VM_SOCKETS_GET_LOCAL_CID, _IO(7, 0xb9) = 1977; the others fail with
 * ENOTTY. The libvmci functions below answer them without ioctls.
 */
#define VMCI_SOCKETS_DEFAULT_DEVICE	"/dev/vsock"
#define VMCI_SOCKETS_VERSION		1972
#define VMCI_SOCKETS_GET_AF_VALUE	1976
#define VMCI_SOCKETS_GET_LOCAL_CID	1977
#define VMCI_SOCKETS_UUID_2_CID		1991
#define IOCTL_VMCI_SOCKETS_VERSION		VMCI_SOCKETS_VERSION
#define IOCTL_VMCI_SOCKETS_GET_AF_VALUE		VMCI_SOCKETS_GET_AF_VALUE
#define IOCTL_VMCI_SOCKETS_GET_LOCAL_CID	VMCI_SOCKETS_GET_LOCAL_CID
#define IOCTL_VMCI_SOCKETS_UUID_2_CID		VMCI_SOCKETS_UUID_2_CID
#ifndef IOCTL_VM_SOCKETS_GET_LOCAL_CID
#define IOCTL_VM_SOCKETS_GET_LOCAL_CID	_IO(7, 0xb9)
#endif

/* Argument of VMCI_SOCKETS_UUID_2_CID on ESX. */
struct uuid_2_cid {
	unsigned int u2c_context_id;
	unsigned int u2c_pad;
	char u2c_uuid_string[128];
};

/*
 * The address family for socket(2) and the level for setsockopt(2):
 * AF_VSOCK, or -1 with errno set (EPERM outside the vmcifs guest in a
 * guest-only build; the socket(2) error when the kernel has no vsock).
 * outFd, if not NULL, receives -1: Linux needs no open device to keep the
 * family registered; pass it to VMCISock_ReleaseAFValueFd() all the same.
 */
int VMCISock_GetAFValue(void);
int VMCISock_GetAFValueFd(int *outFd);
void VMCISock_ReleaseAFValueFd(int fd);

/* This machine's context ID (from /dev/vsock), or VMADDR_CID_ANY. */
unsigned int VMCISock_GetLocalCID(void);

/*
 * Linux has no vSockets version: this returns the running kernel's release
 * as epoch.major.minor (6.1.0 -> 0x06010000) when AF_VSOCK works, else
 * VMCI_SOCKETS_INVALID_VERSION with errno set.
 */
unsigned int VMCISock_Version(void);

/*
 * ESX only: Linux has no service mapping a VM's UUID to its context ID.
 * Always VMADDR_CID_ANY, with errno EOPNOTSUPP (EINVAL for a NULL uuid,
 * EPERM outside the guest).
 */
unsigned int VMCISock_Uuid2ContextId(const char *uuidString);

/*
 * The Linux option name for a VMware option name at level AF_VSOCK, or -1
 * when Linux has no such option. optlen tells VMware's 8
 * (SO_VMCI_DISCONNECT_CAUSE, an int) from Linux's 8
 * (SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW, a 16-byte struct __kernel_sock_timeval)
 * so that code written for either header works in one translation unit.
 * Inline so that the connect timeout follows the caller's time_t
 * (__inline__: a keyword in every C and C++ dialect, unlike inline in C89).
 */
static __inline__ int VMCISock_LinuxOptName(int optname, socklen_t optlen)
{
	switch (optname) {
	case SO_VMCI_BUFFER_SIZE:
		return SO_VM_SOCKETS_BUFFER_SIZE;
	case SO_VMCI_BUFFER_MIN_SIZE:
		return SO_VM_SOCKETS_BUFFER_MIN_SIZE;
	case SO_VMCI_BUFFER_MAX_SIZE:
		return SO_VM_SOCKETS_BUFFER_MAX_SIZE;
	case SO_VMCI_CONNECT_TIMEOUT:
		return SO_VM_SOCKETS_CONNECT_TIMEOUT;
	case SO_VMCI_PEER_HOST_VM_ID:
	case SO_VMCI_TRUSTED:
	case SO_VMCI_NONBLOCK_TXRX:
		return optname;		/* same name and number in Linux */
	case SO_VMCI_SERVICE_LABEL:
		return -1;
	case SO_VMCI_DISCONNECT_CAUSE:
		if (optlen == sizeof(struct __kernel_sock_timeval))
			return SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW;
		return -1;
	default:
		return optname;
	}
}

/* setsockopt(2) that understands VMware's option names at level AF_VSOCK. */
static __inline__ int VMCISock_SetSockOpt(int fd, int level, int optname,
					  const void *optval, socklen_t optlen)
{
	if (level == AF_VSOCK) {
		optname = VMCISock_LinuxOptName(optname, optlen);
		if (optname < 0) {
			errno = ENOPROTOOPT;
			return -1;
		}
	}
	return (setsockopt)(fd, level, optname, optval, optlen);
}

/* getsockopt(2) that understands VMware's option names at level AF_VSOCK. */
static __inline__ int VMCISock_GetSockOpt(int fd, int level, int optname,
					  void *optval, socklen_t *optlen)
{
	if (level == AF_VSOCK) {
		optname = VMCISock_LinuxOptName(optname, optlen ? *optlen : 0);
		if (optname < 0) {
			errno = ENOPROTOOPT;
			return -1;
		}
	}
	return (getsockopt)(fd, level, optname, optval, optlen);
}

#ifndef VMCI_SOCKETS_NO_SOCKOPT_WRAPPERS
#define setsockopt(fd, level, optname, optval, optlen) \
	VMCISock_SetSockOpt((fd), (level), (optname), (optval), (optlen))
#define getsockopt(fd, level, optname, optval, optlen) \
	VMCISock_GetSockOpt((fd), (level), (optname), (optval), (optlen))
#endif

#ifdef __cplusplus
}
#endif

#endif /* _VMCI_SOCKETS_H_ */
