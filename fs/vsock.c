// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock.c: AF_VSOCK for the connection engine (see vsock.h). Every socket
 * is made here, after libvmci's guard (vmci_guest_guard): built for the
 * test guest, the daemon opens no vsock socket anywhere else. Errors are
 * returned, not logged: they are the caller's (EADDRINUSE, ECONNREFUSED)
 * and a log line per failed call would let any user flood the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/vm_sockets.h>

#include <vmci.h>

#include "log.h"
#include "vsock.h"

#define LISTEN_BACKLOG	128

static int guard(void)
{
	static int checked, result;

	if (!checked) {
		checked = 1;
		result = vmci_guest_guard();
		if (result < 0)
			vmcifs_log("%s", vmci_guard_message());
	}
	return result < 0 ? -EPERM : 0;
}

static struct timeval connect_timeout;	/* 0: the transport's default */

void vsock_set_connect_timeout(double seconds)
{
	/* To the nearest microsecond (truncating made 1.001 s 1.000999 s). */
	long long us = (long long)(seconds * 1e6 + 0.5);

	connect_timeout.tv_sec = (time_t)(us / 1000000);
	connect_timeout.tv_usec = (suseconds_t)(us % 1000000);
}

static int socket_type(enum conn_kind kind)
{
	switch (kind) {
	case CONN_STREAM:
	case CONN_LISTEN:
		return SOCK_STREAM;
	case CONN_SEQPACKET:
	case CONN_LISTEN_SEQPACKET:
		return SOCK_SEQPACKET;
	case CONN_DGRAM:
	case CONN_DGRAM_BOUND:
		break;
	}
	return SOCK_DGRAM;
}

/* Listeners and datagram sockets never block; a socket to dial does (connector.h). */
static int new_socket(enum conn_kind kind, int flags)
{
	int type = socket_type(kind);
	int err = guard(), fd;

	if (err)
		return err;
	fd = socket(AF_VSOCK, type | flags | SOCK_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

/*
 * Blocking: a non-blocking vsock connect keeps a reference on its socket
 * until the connect timeout, and VMCI frees the queue pair only with the
 * socket (connector.h).
 */
static int vsock_dial_socket(enum conn_kind kind)
{
	int fd = new_socket(kind, 0), err;

	if (fd < 0)
		return fd;
	/* It bounds the blocking connect (the default: 2 s). */
	if ((connect_timeout.tv_sec || connect_timeout.tv_usec) &&
	    kind != CONN_DGRAM &&
	    setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &connect_timeout,
		       sizeof(connect_timeout)) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

static int vsock_connect(int fd, unsigned int cid, unsigned int port)
{
	struct sockaddr_vm svm = {
		.svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port,
	};

	return connect(fd, (struct sockaddr *)&svm, sizeof(svm)) == 0 ? 0 : -errno;
}

static int vsock_bind(enum conn_kind kind, unsigned int port)
{
	struct sockaddr_vm svm = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = port,
	};
	int fd = new_socket(kind, SOCK_NONBLOCK), err;

	if (fd < 0)
		return fd;
	if (bind(fd, (struct sockaddr *)&svm, sizeof(svm)) == 0 &&
	    (socket_type(kind) == SOCK_DGRAM || listen(fd, LISTEN_BACKLOG) == 0))
		return fd;
	err = errno;
	close(fd);
	return -err;
}

static ssize_t vsock_recv_from(int fd, void *buf, size_t size, unsigned int *cid,
			       unsigned int *port)
{
	struct sockaddr_vm svm = { 0 };
	socklen_t len = sizeof(svm);
	ssize_t n = recvfrom(fd, buf, size, MSG_DONTWAIT, (struct sockaddr *)&svm, &len);

	if (n < 0)
		return -errno;
	*cid = svm.svm_cid;
	*port = svm.svm_port;
	return n;
}

static ssize_t vsock_send_to(int fd, const void *buf, size_t len, unsigned int cid,
			     unsigned int port)
{
	struct sockaddr_vm svm = {
		.svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port,
	};
	ssize_t n = sendto(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL,
			   (struct sockaddr *)&svm, sizeof(svm));

	return n < 0 ? -errno : n;
}

/* Blocking, in a sender thread: the message goes whole or not at all. */
static ssize_t vsock_send_message(int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

	return n < 0 ? -errno : n;
}

/*
 * A zero-length send sends nothing on vsock (6.1's
 * vsock_connectible_sendmsg checks both sides' shutdowns, then loops while
 * bytes are left: none) and says EPIPE once the peer shut its read side.
 */
static int vsock_send_error(int fd)
{
	if (send(fd, NULL, 0, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

const struct conn_sockets vsock_sockets = {
	.dial_socket = vsock_dial_socket,
	.connect = vsock_connect,
	.bind = vsock_bind,
	.recv_from = vsock_recv_from,
	.send_to = vsock_send_to,
	.send_message = vsock_send_message,
	.send_error = vsock_send_error,
};

int vsock_drop_trust(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const unsigned int word = CAP_NET_ADMIN / 32;
	const __u32 bit = 1U << (CAP_NET_ADMIN % 32);

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	/* Out of the bounding set first: that needs CAP_SETPCAP, dropped by
	 * nothing here; EPERM without it (then it was not ours to give). */
	if (prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0) < 0 && errno != EPERM &&
	    errno != EINVAL)
		return -errno;
	data[word].effective &= ~bit;
	data[word].permitted &= ~bit;
	data[word].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

long vsock_local_cid(void)
{
	unsigned int cid = VMADDR_CID_ANY;
	int fd, err = guard();

	if (err)
		return err;
	fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	close(fd);
	/* Only a local (loopback) transport: this context is CID 1. */
	return cid == VMADDR_CID_ANY ? VMADDR_CID_LOCAL : cid;
}

void vsock_format(unsigned int cid, unsigned int port, char *buf, size_t size)
{
	vmci_format_addr(buf, size, cid, port);
}

void vsock_addr_text(int fd, bool peer, char *buf, size_t size)
{
	struct sockaddr_vm svm;
	socklen_t len = sizeof(svm);
	int r = fd < 0 ? -1 : peer ? getpeername(fd, (struct sockaddr *)&svm, &len) :
		getsockname(fd, (struct sockaddr *)&svm, &len);

	if (r < 0 || svm.svm_family != AF_VSOCK) {
		snprintf(buf, size, "-");
		return;
	}
	/*
	 * A connected socket bound to VMADDR_CID_ANY (vsock_loopback leaves it
	 * so) speaks from this context's CID: show the one its peer sees.
	 */
	if (!peer && svm.svm_cid == VMADDR_CID_ANY) {
		struct sockaddr_vm other;
		socklen_t olen = sizeof(other);
		long cid;

		if (getpeername(fd, (struct sockaddr *)&other, &olen) == 0 &&
		    (cid = vsock_local_cid()) >= 0)
			svm.svm_cid = (unsigned int)cid;
	}
	vmci_format_addr(buf, size, svm.svm_cid, svm.svm_port);
}

long long vsock_buffer_size(int fd)
{
	unsigned long long size;
	socklen_t len = sizeof(size);

	if (fd < 0 || getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &size, &len) < 0)
		return -1;
	return (long long)size;
}
