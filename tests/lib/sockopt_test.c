// SPDX-License-Identifier: GPL-2.0-only
/*
 * sockopt_test.c: VMware's SO_VMCI_* options through unchanged
 * setsockopt()/getsockopt() calls, which are the C library's own
 * (vmci_sockets.h gives each name the number Linux has for that option),
 * each read back and checked against Linux's name for the option. Run in
 * the vmcifs guest only (tests/lib/004).
 *
 * Prints one line per check (the golden output); a line ending in FAIL
 * makes the exit status non-zero.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/time_types.h>	/* struct __kernel_sock_timeval */

#include "vmci.h"
#include "vmci_sockets.h"

static int failures;
static int afVMCI, fd;

static void check(int ok, const char *what, const char *detail)
{
	printf("%s: %s", what, detail);
	printf("%s\n", ok ? "" : "  FAIL");
	failures += !ok;
}

/* Linux's value of a buffer option, asked without the mapping. */
static unsigned long long raw_u64(int linux_opt)
{
	unsigned long long v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, AF_VSOCK, linux_opt, &v, &len))
		return ~0ULL;
	return v;
}

static void buffer_option(const char *name, int opt, int linux_opt,
			  unsigned long long val)
{
	unsigned long long got = 0;
	socklen_t len = sizeof(got);
	char detail[96];
	int ok;

	ok = setsockopt(fd, afVMCI, opt, &val, sizeof(val)) == 0 &&
	     getsockopt(fd, afVMCI, opt, &got, &len) == 0 &&
	     len == sizeof(got) && got == val && raw_u64(linux_opt) == val;
	snprintf(detail, sizeof(detail), "set %llu, read back %llu", val, got);
	check(ok, name, detail);
}

/* An option Linux lacks: set and get must fail with ENOPROTOOPT. */
static void missing_option(const char *name, int opt)
{
	int val = 0, set_errno, get_errno, set_rc, get_rc;
	char detail[96];
	socklen_t len = sizeof(val);

	errno = 0;
	set_rc = setsockopt(fd, afVMCI, opt, &val, sizeof(val));
	set_errno = errno;
	errno = 0;
	get_rc = getsockopt(fd, afVMCI, opt, &val, &len);
	get_errno = errno;
	snprintf(detail, sizeof(detail), "set %s, get %s",
		 set_rc ? strerror(set_errno) : "ok",
		 get_rc ? strerror(get_errno) : "ok");
	check(set_rc == -1 && set_errno == ENOPROTOOPT && get_rc == -1 &&
	      get_errno == ENOPROTOOPT, name, detail);
}

static void connect_timeout(void)
{
	struct timeval tv = { 3, 500000 }, got = { 0, 0 };
	struct __kernel_sock_timeval ktv = { 0, 0 };
	socklen_t len = sizeof(got);
	char detail[96];
	int ok;

	ok = setsockopt(fd, afVMCI, SO_VMCI_CONNECT_TIMEOUT, &tv, sizeof(tv)) == 0 &&
	     getsockopt(fd, afVMCI, SO_VMCI_CONNECT_TIMEOUT, &got, &len) == 0 &&
	     got.tv_sec == 3 && got.tv_usec == 500000;
	snprintf(detail, sizeof(detail), "set 3.500000 s, read back %ld.%06ld s",
		 (long)got.tv_sec, (long)got.tv_usec);
	check(ok, "SO_VMCI_CONNECT_TIMEOUT", detail);

	/* Linux's own name for this time_t sees the same timeout. */
	memset(&got, 0, sizeof(got));
	len = sizeof(got);
	ok = getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &got, &len) == 0 &&
	     got.tv_sec == 3 && got.tv_usec == 500000;
	check(ok, "SO_VM_SOCKETS_CONNECT_TIMEOUT", ok ? "3.500000 s" : strerror(errno));

	/*
	 * Linux's 8 is SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW (VMware's is the
	 * disconnect cause, which has another number here): untouched.
	 */
	len = sizeof(ktv);
	ok = getsockopt(fd, afVMCI, SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW, &ktv, &len) == 0 &&
	     ktv.tv_sec == 3 && ktv.tv_usec == 500000;
	check(ok, "SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW", ok ? "3.500000 s" : strerror(errno));
}

int main(void)
{
	struct timeval rcv = { 1, 0 };
	char line[96];
	int n, val;
	socklen_t len;

	if (vmci_guest_guard()) {
		fprintf(stderr, "sockopt_test: %s\n", vmci_guard_message());
		return 77;
	}
	afVMCI = VMCISock_GetAFValue();
	fd = afVMCI == -1 ? -1 : socket(afVMCI, SOCK_STREAM, 0);
	if (fd == -1) {
		perror("sockopt_test: AF_VSOCK stream socket");
		return 1;
	}

	/* The numbers the kernel sees: Linux's, or one Linux does not use. */
	n = snprintf(line, sizeof(line), "SO_VMCI_* numbers:");
	for (val = 0; val <= 8; val++) {
		static const int opts[] = {
			SO_VMCI_BUFFER_SIZE, SO_VMCI_BUFFER_MIN_SIZE,
			SO_VMCI_BUFFER_MAX_SIZE, SO_VMCI_PEER_HOST_VM_ID,
			SO_VMCI_SERVICE_LABEL, SO_VMCI_TRUSTED,
			SO_VMCI_CONNECT_TIMEOUT, SO_VMCI_NONBLOCK_TXRX,
			SO_VMCI_DISCONNECT_CAUSE,
		};
		n += snprintf(line + n, sizeof(line) - n, " %#x", opts[val]);
	}
	printf("%s\n", line);
	check(SO_VMCI_CONNECT_TIMEOUT == SO_VM_SOCKETS_CONNECT_TIMEOUT,
	      "SO_VMCI_CONNECT_TIMEOUT", "Linux's name for this time_t");

	/* Max first: the size is clamped between min and max. */
	buffer_option("SO_VMCI_BUFFER_MAX_SIZE", SO_VMCI_BUFFER_MAX_SIZE,
		      SO_VM_SOCKETS_BUFFER_MAX_SIZE, 1048576);
	buffer_option("SO_VMCI_BUFFER_MIN_SIZE", SO_VMCI_BUFFER_MIN_SIZE,
		      SO_VM_SOCKETS_BUFFER_MIN_SIZE, 8192);
	buffer_option("SO_VMCI_BUFFER_SIZE", SO_VMCI_BUFFER_SIZE,
		      SO_VM_SOCKETS_BUFFER_SIZE, 524288);
	connect_timeout();

	missing_option("SO_VMCI_PEER_HOST_VM_ID", SO_VMCI_PEER_HOST_VM_ID);
	missing_option("SO_VMCI_SERVICE_LABEL", SO_VMCI_SERVICE_LABEL);
	missing_option("SO_VMCI_TRUSTED", SO_VMCI_TRUSTED);
	missing_option("SO_VMCI_NONBLOCK_TXRX", SO_VMCI_NONBLOCK_TXRX);
	missing_option("SO_VMCI_DISCONNECT_CAUSE", SO_VMCI_DISCONNECT_CAUSE);

	/* Other levels are the C library's as ever. */
	len = sizeof(rcv);
	n = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof(rcv)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, &len) == 0 &&
	    rcv.tv_sec == 1 && rcv.tv_usec == 0;
	check(n, "SOL_SOCKET SO_RCVTIMEO", "set and read back");

	close(fd);
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
