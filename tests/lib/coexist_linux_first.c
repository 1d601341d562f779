// SPDX-License-Identifier: GPL-2.0-only
/*
 * coexist_linux_first.c: <linux/vm_sockets.h> and vmci.h, then
 * vmci_sockets.h, in one translation unit. Linux's header came first, so
 * its struct sockaddr_vm stays exactly (svm_flags a member, svm_zero[3]);
 * VMware's names are all there and setsockopt() is the C library's. Opens
 * no socket.
 */
#include <sys/socket.h>
#include <linux/vm_sockets.h>
#include "vmci.h"
#include "vmci_sockets.h"

#include <stddef.h>
#include <stdio.h>

#ifdef setsockopt
#error "vmci_sockets.h must leave setsockopt alone"
#endif

_Static_assert(VMCI_SOCKETS_LINUX_SOCKADDR_VM == 1, "Linux's struct, as it came first");
_Static_assert(sizeof(((struct sockaddr_vm *)0)->svm_zero) == 3 &&
	       offsetof(struct sockaddr_vm, svm_flags) == 12, "Linux's names");
_Static_assert(SO_VMCI_CONNECT_TIMEOUT == SO_VM_SOCKETS_CONNECT_TIMEOUT,
	       "VMware's connect timeout is Linux's for this time_t");

int main(void)
{
	struct sockaddr_vm addr = { .svm_family = AF_VSOCK, .svm_flags = VMADDR_FLAG_TO_HOST };
	int (*libc_setsockopt)(int, int, int, const void *, socklen_t) = setsockopt;

	printf("linux/vm_sockets.h first: Linux's sockaddr_vm, svm_flags %u, option 6 -> %d, setsockopt %s\n",
	       addr.svm_flags, SO_VMCI_CONNECT_TIMEOUT,
	       libc_setsockopt ? "is libc's" : "?");
	return 0;
}
