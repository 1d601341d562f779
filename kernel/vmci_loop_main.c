// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop: a VMCI device in software, with the host's vsock transport on
 * it, so that one Linux kernel is a VMware guest (the distro's
 * vmw_vsock_vmci_transport, unchanged) and its host at once.
 *
 * This file loads and unloads the layers in order, and refuses to load
 * where a real VMCI device exists; see vmci_loop.h for the map.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vm_sockets.h>
#include <linux/workqueue.h>

#include "vmci_loop.h"

#define VMCI_LOOP_PCI_DEVICE_ID_VMCI	0x0740	/* vmw_vmci's */

static unsigned int vmci_loop_guest_cid = 3;
module_param_named(guest_cid, vmci_loop_guest_cid, uint, 0444);
MODULE_PARM_DESC(guest_cid, "Context ID of the guest (3 or more, default 3)");

/*
 * For the tests of the refusal below only: no VM under QEMU has the
 * VMware device, so this makes the check see one.
 */
static bool vmci_loop_assume_hardware;
module_param_named(assume_vmci_hardware, vmci_loop_assume_hardware, bool,
		   0400);
MODULE_PARM_DESC(assume_vmci_hardware,
		 "Test only: act as if a VMware VMCI device were present (and refuse to load)");

/*
 * On a VMware VM the real device is there and vmw_vmci drives it; loading
 * this module instead would take VMCI away from the VM. (With vmw_vmci
 * loaded the kernel refuses this module anyway: the same symbols.)
 */
static int vmci_loop_check_no_hardware(void)
{
	struct pci_dev *pdev;

	pdev = pci_get_device(PCI_VENDOR_ID_VMWARE,
			      VMCI_LOOP_PCI_DEVICE_ID_VMCI, NULL);
	if (!pdev && !vmci_loop_assume_hardware)
		return 0;

	pr_err("this machine has a VMware VMCI device (PCI 15ad:0740%s%s): it is a VMware VM and its VMCI is vmw_vmci's; vmci_loop stays out of its way\n",
	       pdev ? " at " : ", assumed by assume_vmci_hardware=1",
	       pdev ? pci_name(pdev) : "");
	pci_dev_put(pdev);
	return -EBUSY;
}

static int __init vmci_loop_init(void)
{
	int err;

	if (vmci_loop_guest_cid <= VMADDR_CID_HOST ||
	    vmci_loop_guest_cid == VMADDR_CID_ANY) {
		pr_err("guest_cid=%u is not a guest context: use 3 or more\n",
		       vmci_loop_guest_cid);
		return -EINVAL;
	}
	err = vmci_loop_check_no_hardware();
	if (err)
		return err;

	vmci_loop_contexts_init(vmci_loop_guest_cid);
	vmci_loop_wq = alloc_workqueue("vmci_loop", 0, 0);
	if (!vmci_loop_wq)
		return -ENOMEM;

	err = vmci_loop_host_transport_init();
	if (err) {
		destroy_workqueue(vmci_loop_wq);
		return err;
	}

	vmci_loop_debugfs_init();
	pr_info("VMCI device up: guest context %u, host context %u; load vmw_vsock_vmci_transport for the guest's sockets\n",
		vmci_loop_guest_cid, VMADDR_CID_HOST);
	return 0;
}

/*
 * The stock transport imports our symbols and every host socket holds a
 * module reference: by now there are no users left.
 */
static void __exit vmci_loop_exit(void)
{
	vmci_loop_debugfs_exit();
	vmci_loop_host_transport_exit();
	destroy_workqueue(vmci_loop_wq);
	vmci_loop_dg_exit();
	vmci_loop_event_exit();
	WARN_ON(vmci_loop_qp_count());
}

module_init(vmci_loop_init);
module_exit(vmci_loop_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VMCI device in software: the distro's VMCI socket transport as the guest, and its host, in one kernel");
MODULE_VERSION("0.2.0");
