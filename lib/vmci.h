/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmci.h: libvmci's own API: vsock addresses as text, and the guard that
 * keeps vmcifs programs off AF_VSOCK outside the vmcifs test guest.
 *
 * VMware's VMCI Sockets API is in <vmci_sockets.h>; see vmci_sockets(3).
 */
#ifndef VMCI_H
#define VMCI_H

#include <stddef.h>
#include <sys/socket.h>		/* before linux/vm_sockets.h: struct sockaddr */
#include <linux/vm_sockets.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Names: "host" = 2, "local" = 1, "hypervisor" = 0, "any" or "-1" =
 * VMADDR_CID_ANY (ports: "any"/"-1" = VMADDR_PORT_ANY). Numbers are strict
 * decimal: no sign (except the "-1" ANY spelling), no leading zeros (except
 * "0" itself), no spaces, no hex, at most 4294967295.
 * Return 0, or -EINVAL (not a number or name) / -ERANGE (too large).
 */
int vmci_parse_cid(const char *s, unsigned int *cid);
int vmci_parse_port(const char *s, unsigned int *port);

/*
 * "CID:PORT" (each part as above) into a zeroed sockaddr_vm with
 * svm_family = AF_VSOCK. On error returns -EINVAL/-ERANGE, leaves *svm
 * alone and, if errbuf, writes a sentence a person can read, e.g.
 * "'2:70000x': port '70000x' is not a decimal number" or
 * "'foo': expected CID:PORT".
 */
int vmci_parse_addr(const char *s, struct sockaddr_vm *svm, char *errbuf,
		    size_t errlen);

/* "2:5000", "any:any" style; returns snprintf's result. */
int vmci_format_addr(char *buf, size_t len, unsigned int cid,
		     unsigned int port);

/*
 * The guard: returns 0 if this process may touch AF_VSOCK; -EPERM if the
 * library was built guest-only (VMCIFS_GUEST_ONLY=1, the default) and the
 * kernel command line lacks "vmcifs.guest=1". Every libvmci function that
 * would create an AF_VSOCK socket calls it first (failing with errno=EPERM),
 * and so do the vmcifs daemon before its first socket and every test tool.
 * vmci_guard_message() returns the sentence to print in that case.
 */
int vmci_guest_guard(void);
const char *vmci_guard_message(void);

#ifdef __cplusplus
}
#endif

#endif /* VMCI_H */
