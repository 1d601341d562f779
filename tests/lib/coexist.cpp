// SPDX-License-Identifier: GPL-2.0-only
/*
 * coexist.cpp: vmci_sockets.h and vmci.h from C++, with
 * <linux/vm_sockets.h>, calling into libvmci (C linkage) and through the
 * setsockopt mapping. Only vmci_format_addr runs: no socket is opened.
 */
#include <cstdio>

#include "vmci_sockets.h"
#include <linux/vm_sockets.h>
#include "vmci.h"

static_assert(sizeof(sockaddr_vm) == sizeof(sockaddr), "sockaddr_vm layout");

// Referenced, not called: they must link with C linkage.
int (*volatile get_af)(void) = VMCISock_GetAFValue;
unsigned int (*volatile get_cid)(void) = VMCISock_GetLocalCID;
int (*volatile set_opt)(int, int, int, const void *, socklen_t) = VMCISock_SetSockOpt;

int main()
{
	char buf[32];

	vmci_format_addr(buf, sizeof(buf), VMADDR_CID_HOST, 5000);
	std::printf("C++: %s, %s\n", buf, get_af && get_cid && set_opt ? "links" : "?");
	return 0;
}
