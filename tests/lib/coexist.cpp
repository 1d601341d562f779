// SPDX-License-Identifier: GPL-2.0-only
/*
 * coexist.cpp: vmci_sockets.h and vmci.h from C++, with
 * <linux/vm_sockets.h>: the inline VMCISock_* functions, libvmci's C
 * functions (C linkage), and a class with a setsockopt member of its own
 * arity, which the header must leave alone. Only vmci_format_addr runs: no
 * socket is opened.
 */
#include <cstdio>

#include "vmci_sockets.h"
#include <linux/vm_sockets.h>
#include "vmci.h"

static_assert(sizeof(sockaddr_vm) == sizeof(sockaddr), "sockaddr_vm layout");

// Referenced, not called.
int (*volatile get_af)(void) = VMCISock_GetAFValue;
unsigned int (*volatile get_cid)(void) = VMCISock_GetLocalCID;
int (*volatile libc_setsockopt)(int, int, int, const void *, socklen_t) = ::setsockopt;

struct options {
	int last = -1;
	int setsockopt(int option, const void *, size_t) { return last = option; }
};

int main()
{
	char buf[32];
	options o;

	vmci_format_addr(buf, sizeof(buf), VMADDR_CID_HOST, 5000);
	o.setsockopt(SO_VMCI_BUFFER_SIZE, buf, 1);
	std::printf("C++: %s, member setsockopt %d, %s\n", buf, o.last,
		    get_af && get_cid && libc_setsockopt ? "links" : "?");
	return 0;
}
