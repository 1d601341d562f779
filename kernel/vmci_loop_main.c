// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop: a software VMCI device and a vsock transport on it, so that one
 * Linux kernel is both a VMCI guest (context guest_cid) and its host
 * (context 2), stream and datagram alike, with no hypervisor.
 *
 * This file loads and unloads the layers in order; see vmci_loop.h for the
 * map of the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/vm_sockets.h>

#include "vmci_loop.h"

static int __init vmci_loop_init(void)
{
	int err;

	if (vmci_loop_guest_cid <= VMCI_LOOP_HOST_CID ||
	    vmci_loop_guest_cid == VMADDR_CID_ANY) {
		pr_err("guest_cid=%u is not a guest context: use 3 or more\n",
		       vmci_loop_guest_cid);
		return -EINVAL;
	}

	err = vmci_loop_dg_init();
	if (err)
		return err;

	err = vmci_loop_transport_init();
	if (err)
		goto err_dg;

	/* Observability is optional: a kernel without debugfs still works. */
	if (vmci_loop_debugfs_init())
		pr_warn("no debugfs: counters and the reset knob are unavailable\n");

	pr_info("VMCI device up: guest context %u, host context %u\n",
		vmci_loop_guest_cid, VMCI_LOOP_HOST_CID);
	return 0;

err_dg:
	vmci_loop_dg_exit();
	return err;
}

static void __exit vmci_loop_exit(void)
{
	vmci_loop_debugfs_exit();
	/* Every socket holds a module reference: none is left by now. */
	vmci_loop_transport_exit();
	vmci_loop_dg_exit();
	WARN_ON(vmci_loop_qp_count());
}

module_init(vmci_loop_init);
module_exit(vmci_loop_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Software VMCI device with a vsock transport (guest and host in one kernel)");
MODULE_VERSION("0.1.0");
