// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop device layer: the contexts of the software VMCI device and the
 * routing decision for a (source, destination) pair of handles.
 *
 * The device has four contexts: the hypervisor (0), the well-known context
 * (1), the host (2) and one guest (module parameter guest_cid, 3 by
 * default). Contexts 1, 2 and the guest all live in this kernel; the
 * hypervisor has no endpoints. Routing follows drivers/misc/vmw_vmci/
 * vmci_route.c with the policy of ESXi 5.1 and later: a guest may talk to the
 * host and to itself, never to another guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "vmci_loop.h"

u32 vmci_loop_guest_cid = 3;
module_param_named(guest_cid, vmci_loop_guest_cid, uint, 0444);
MODULE_PARM_DESC(guest_cid, "Context ID of the guest (> 2, default 3)");

DEFINE_PER_CPU(struct vmci_loop_stats, vmci_loop_pcpu_stats);

static bool vmci_loop_context_is_vm(u32 cid)
{
	return cid > VMCI_LOOP_HOST_CID && cid != VMCI_LOOP_INVALID_ID;
}

/* The contexts that have endpoints in this kernel. */
bool vmci_loop_context_exists(u32 cid)
{
	return cid == VMCI_LOOP_WELL_KNOWN_CID || cid == VMCI_LOOP_HOST_CID ||
	       cid == vmci_loop_guest_cid;
}

/**
 * vmci_loop_route - decide whether @src may reach @dst
 * @src: source handle; an invalid context is filled in
 * @dst: destination handle
 *
 * A source that is bound to no particular context (a socket bound to
 * VMADDR_CID_ANY) speaks as the guest when it addresses the host, and as the
 * destination context itself otherwise (local traffic), which is what a
 * real guest and a real host each see.
 *
 * Return: 0, -EINVAL for an invalid destination, -EHOSTUNREACH when the
 * destination context does not exist, is the hypervisor (which has no
 * socket endpoints), or is another guest.
 */
int vmci_loop_route(struct vmci_loop_handle *src,
		    const struct vmci_loop_handle *dst)
{
	if (dst->context == VMCI_LOOP_INVALID_ID)
		return -EINVAL;

	if (dst->context == VMCI_LOOP_HYPERVISOR_CID)
		return -EHOSTUNREACH;

	if (src->context == VMCI_LOOP_INVALID_ID) {
		if (dst->context == VMCI_LOOP_HOST_CID)
			src->context = vmci_loop_guest_cid;
		else
			src->context = dst->context;
	}

	if (!vmci_loop_context_exists(dst->context))
		return -EHOSTUNREACH;

	/* VM to VM communication is not allowed (only one VM exists here). */
	if (vmci_loop_context_is_vm(src->context) &&
	    vmci_loop_context_is_vm(dst->context) &&
	    src->context != dst->context)
		return -EHOSTUNREACH;

	return 0;
}

void vmci_loop_stats_read(struct vmci_loop_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct vmci_loop_stats *s =
			per_cpu_ptr(&vmci_loop_pcpu_stats, cpu);

		sum->stream_connects += s->stream_connects;
		sum->stream_refused += s->stream_refused;
		sum->stream_resets += s->stream_resets;
		sum->stream_bytes_sent += s->stream_bytes_sent;
		sum->stream_bytes_received += s->stream_bytes_received;
		sum->dgram_sent += s->dgram_sent;
		sum->dgram_received += s->dgram_received;
		sum->dgram_dropped += s->dgram_dropped;
		sum->dgram_no_endpoint += s->dgram_no_endpoint;
		sum->dgram_bytes_sent += s->dgram_bytes_sent;
		sum->qp_created += s->qp_created;
		sum->qp_destroyed += s->qp_destroyed;
	}
}
