/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * version_info.c: what a program learns about vSockets, as VMware's header
 * documents it: the family from VMCISock_GetAFValueFd() (released with
 * VMCISock_ReleaseAFValueFd()), this machine's context ID, the version
 * taken apart with the VMCI_SOCKETS_VERSION_* macros, and a VM's context ID
 * from its UUID (ESX only). Includes the header by its packaged name,
 * <vmci/vmci_sockets.h>. Part of the corpus of tests/lib/010 and 011.
 *
 *   version_info
 *
 * matrix: c89 gnu89 c99 gnu99 c11 gnu11 c17 gnu17
 */
#include <vmci/vmci_sockets.h>

int main(void)
{
	int vmciFd;
	int af = VMCISock_GetAFValueFd(&vmciFd);
	unsigned int ver, cid;

	if (af == -1) {
		printf("vSockets: not available (%s)\n", strerror(errno));
		return 1;
	}
	printf("vSockets: address family %d\n", af);

	cid = VMCISock_GetLocalCID();
	if (cid == VMADDR_CID_ANY)
		printf("local context: unknown (%s)\n", strerror(errno));
	else
		printf("local context: %u\n", cid);

	ver = VMCISock_Version();
	if (ver != VMCI_SOCKETS_INVALID_VERSION) {
		printf("vSockets version=%d.%d.%d\n",
		       (int)VMCI_SOCKETS_VERSION_EPOCH(ver),
		       (int)VMCI_SOCKETS_VERSION_MAJOR(ver),
		       (int)VMCI_SOCKETS_VERSION_MINOR(ver));
	}

	cid = VMCISock_Uuid2ContextId("56 4d 07 d8 cc d5 c4 0d-98 44 dc 1e 8f e0 da f3");
	if (cid == VMADDR_CID_ANY)
		printf("UUID to context: not available (%s)\n", strerror(errno));
	else
		printf("UUID to context: %u\n", cid);

	VMCISock_ReleaseAFValueFd(vmciFd);
	return 0;
}
