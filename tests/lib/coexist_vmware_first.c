// SPDX-License-Identifier: GPL-2.0-only
/*
 * coexist_vmware_first.c: vmci_sockets.h, then <linux/vm_sockets.h> and
 * vmci.h, in one translation unit. That it compiles is most of the test;
 * the static assertions pin VMware's numbers, names and layout, and Linux's
 * where they agree. Opens no socket (meson test runs it on the host,
 * tests/lib/008 from the installed headers in the guest).
 */
#include "vmci_sockets.h"
#include <linux/vm_sockets.h>
#include "vmci.h"

#include <stddef.h>
#include <stdio.h>

_Static_assert(SO_VMCI_BUFFER_SIZE == 0 && SO_VMCI_BUFFER_MIN_SIZE == 1 &&
	       SO_VMCI_BUFFER_MAX_SIZE == 2 && SO_VMCI_PEER_HOST_VM_ID == 3 &&
	       SO_VMCI_SERVICE_LABEL == 4 && SO_VMCI_TRUSTED == 5 &&
	       SO_VMCI_NONBLOCK_TXRX == 7, "VMware's option numbers");
_Static_assert(SO_VMCI_BUFFER_SIZE == SO_VM_SOCKETS_BUFFER_SIZE &&
	       SO_VMCI_BUFFER_MIN_SIZE == SO_VM_SOCKETS_BUFFER_MIN_SIZE &&
	       SO_VMCI_BUFFER_MAX_SIZE == SO_VM_SOCKETS_BUFFER_MAX_SIZE &&
	       SO_VMCI_CONNECT_TIMEOUT == SO_VM_SOCKETS_CONNECT_TIMEOUT,
	       "each option has Linux's number");
_Static_assert(SO_VMCI_DISCONNECT_CAUSE != SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW &&
	       SO_VMCI_DISCONNECT_CAUSE != SO_VM_SOCKETS_CONNECT_TIMEOUT_OLD,
	       "VMware's disconnect cause is not one of Linux's options");
_Static_assert(VMCI_SOCKETS_GET_LOCAL_CID == IOCTL_VM_SOCKETS_GET_LOCAL_CID,
	       "VMware's local-CID ioctl is Linux's");
_Static_assert(VMADDR_CID_ANY == 0xffffffffU && VMADDR_PORT_ANY == 0xffffffffU &&
	       VMADDR_CID_HYPERVISOR == 0 && VMADDR_CID_LOCAL == 1 &&
	       VMADDR_CID_HOST == 2, "address names");
_Static_assert(VMCI_SOCKETS_LINUX_SOCKADDR_VM == 0, "VMware's names, as it came first");
_Static_assert(sizeof(struct sockaddr_vm) == sizeof(struct sockaddr) &&
	       offsetof(struct sockaddr_vm, svm_port) == 4 &&
	       offsetof(struct sockaddr_vm, svm_cid) == 8 &&
	       offsetof(struct sockaddr_vm, svm_zero) == 12 &&
	       sizeof(((struct sockaddr_vm *)0)->svm_zero) == 4,
	       "sockaddr_vm has VMware's layout and names");
_Static_assert(offsetof(struct sockaddr_vm, svm_flags) == 12 &&
	       sizeof(((struct sockaddr_vm *)0)->svm_flags) == 1,
	       "and Linux's svm_flags, at offset 12");

/*
 * A program's own identifiers named svm_flags stay its own: the header's
 * svm_flags is a member, not a macro (one for svm_zero[0] made this member
 * a zero-length array, and writing it overwrote next, without a warning).
 */
struct own_flags {
	unsigned int svm_flags;
	unsigned int next;
};

static int own_names_kept(void)
{
	volatile struct own_flags own;

	own.next = 7;
	own.svm_flags = 0;
	return sizeof own == 2 * sizeof(unsigned int) && own.next == 7;
}

int main(void)
{
	/* The guide's way of filling an address compiles unchanged. */
	struct sockaddr_vm addr = {0};

	addr.svm_family = AF_VSOCK;
	addr.svm_cid = VMADDR_CID_ANY;
	addr.svm_port = VMADDR_PORT_ANY;
	addr.svm_flags = VMADDR_FLAG_TO_HOST;
	printf("vmci_sockets.h first: sockaddr_vm %zu bytes, svm_zero %zu, svm_flags is svm_zero[0]: %s, ioctl %d\n",
	       sizeof(addr), sizeof(addr.svm_zero),
	       addr.svm_zero[0] == VMADDR_FLAG_TO_HOST ? "yes" : "no",
	       VMCI_SOCKETS_GET_LOCAL_CID);
	printf("vmci_sockets.h first: a program's own svm_flags names stay its own: %s\n",
	       own_names_kept() ? "yes" : "no");
	return addr.svm_port == VMADDR_PORT_ANY ? 0 : 1;
}
