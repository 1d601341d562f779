// SPDX-License-Identifier: GPL-2.0-only
/*
 * coexist_linux_first.c: <linux/vm_sockets.h> and vmci.h, then
 * vmci_sockets.h, in one translation unit, with the setsockopt mapping
 * turned off. Opens no socket.
 */
#include <sys/socket.h>
#include <linux/vm_sockets.h>
#include "vmci.h"
#define VMCI_SOCKETS_NO_SOCKOPT_WRAPPERS
#include "vmci_sockets.h"

#include <stdio.h>

#ifdef setsockopt
#error "VMCI_SOCKETS_NO_SOCKOPT_WRAPPERS must leave setsockopt alone"
#endif

_Static_assert(SO_VMCI_CONNECT_TIMEOUT == SO_VM_SOCKETS_CONNECT_TIMEOUT_OLD,
	       "VMware's connect timeout is Linux's old one");

int main(void)
{
	/* The mapping is there to call explicitly. */
	printf("linux/vm_sockets.h first: option 6 -> %d, 4 -> %d, %s%d, %s%d\n",
	       VMCISock_LinuxOptName(SO_VMCI_CONNECT_TIMEOUT, sizeof(struct timeval)),
	       VMCISock_LinuxOptName(SO_VMCI_SERVICE_LABEL, sizeof(int)),
	       "8 (int) -> ", VMCISock_LinuxOptName(SO_VMCI_DISCONNECT_CAUSE, sizeof(int)),
	       "8 (timeval) -> ", VMCISock_LinuxOptName(SO_VMCI_DISCONNECT_CAUSE,
				     sizeof(struct __kernel_sock_timeval)));
	return 0;
}
