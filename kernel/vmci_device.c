// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop device: the contexts, the routing of a datagram between them,
 * and the part of the VMCI API that describes contexts.
 *
 * Contexts, as in VMCI: the hypervisor (0) has no endpoints here; 1 is the
 * well-known context, which has none either; the host is 2; the guest is
 * guest_cid. Both the host and the guest live in this kernel. The API this
 * file exports is the guest's view, as vmw_vmci gives it inside a VMware VM:
 * the context ID is the guest's, the vsock callback says "guest", and the
 * guest cannot see other contexts' privileges or owners.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "vmci_loop.h"

DEFINE_PER_CPU(struct vmci_loop_stats, vmci_loop_pcpu_stats);
DEFINE_PER_CPU(unsigned int, vmci_loop_in_callback);

struct workqueue_struct *vmci_loop_wq;

struct vmci_loop_ctx vmci_loop_host;
struct vmci_loop_ctx vmci_loop_guest;

/* The contexts' receive locks nest (guest, then host): two lock classes. */
static struct lock_class_key vmci_loop_host_rx_key;
static struct lock_class_key vmci_loop_guest_rx_key;

static void vmci_loop_ctx_init(struct vmci_loop_ctx *ctx, u32 cid,
			       const char *name, struct lock_class_key *key)
{
	int i;

	memset(ctx, 0, sizeof(*ctx));
	ctx->cid = cid;
	ctx->name = name;
	ctx->priv_flags = VMCI_NO_PRIVILEGE_FLAGS;
	spin_lock_init(&ctx->rx_lock);
	lockdep_set_class_and_name(&ctx->rx_lock, key, name);
	for (i = 0; i < VMCI_EVENT_MAX; i++)
		INIT_LIST_HEAD(&ctx->subscribers[i]);
	spin_lock_init(&ctx->dg_lock);
	for (i = 0; i < ARRAY_SIZE(ctx->dg_table); i++)
		INIT_HLIST_HEAD(&ctx->dg_table[i]);
	ctx->next_rid = VMCI_RESERVED_RESOURCE_ID_MAX + 1;
	atomic64_set(&ctx->qp_memory, 0);
}

void vmci_loop_contexts_init(u32 guest_cid)
{
	vmci_loop_ctx_init(&vmci_loop_host, VMCI_HOST_CONTEXT_ID, "host",
			   &vmci_loop_host_rx_key);
	vmci_loop_ctx_init(&vmci_loop_guest, guest_cid, "guest",
			   &vmci_loop_guest_rx_key);
}

/* The context of this device with ID @cid, or NULL. */
struct vmci_loop_ctx *vmci_loop_ctx_by_cid(u32 cid)
{
	if (cid == VMCI_HOST_CONTEXT_ID)
		return &vmci_loop_host;
	if (cid == vmci_loop_guest.cid)
		return &vmci_loop_guest;
	return NULL;
}

/**
 * vmci_loop_route - which context sends a datagram from @src to @dst
 * @src: the source handle; a source bound to no context gets one here
 * @dst: the destination handle
 * @result: set to VMCI_SUCCESS, or to the VMCI error when there is no route
 *
 * A source bound to a context speaks as that context. One bound to none
 * (VMCI_INVALID_ID, a socket bound to VMADDR_CID_ANY) speaks as the host
 * when the datagram goes to the guest and as the guest otherwise: in one
 * kernel the roles come from the direction. The destination must be the
 * host or the guest: the hypervisor and the well-known context have no
 * endpoints here, and there is no other VM (VMCI has refused VM-to-VM
 * traffic since ESXi 5.1 anyway).
 *
 * Return: the sending context, or NULL.
 */
struct vmci_loop_ctx *vmci_loop_route(struct vmci_handle *src,
				      const struct vmci_handle *dst,
				      int *result)
{
	struct vmci_loop_ctx *from;

	*result = VMCI_SUCCESS;
	if (dst->context == VMCI_INVALID_ID) {
		*result = VMCI_ERROR_INVALID_ARGS;
		return NULL;
	}
	if (!vmci_loop_ctx_by_cid(dst->context)) {
		*result = VMCI_ERROR_DST_UNREACHABLE;
		return NULL;
	}

	if (src->context == VMCI_INVALID_ID) {
		from = dst->context == vmci_loop_guest.cid ?
			&vmci_loop_host : &vmci_loop_guest;
		src->context = from->cid;
		return from;
	}

	from = vmci_loop_ctx_by_cid(src->context);
	if (!from)
		*result = VMCI_ERROR_NO_HANDLE;
	return from;
}

/* ---- the API: contexts ---- */

/*
 * vmci_get_context_id() - the caller's context: always the guest's, since
 * every user of the exported API is the guest (the host transport of this
 * module names its context itself).
 */
u32 vmci_get_context_id(void)
{
	return vmci_loop_guest.cid;
}
EXPORT_SYMBOL_GPL(vmci_get_context_id);

/*
 * vmci_is_context_owner() - whether @uid owns the VM of @context_id. Only a
 * VMCI host knows who runs a VM; inside a guest, as here, the answer is no.
 */
bool vmci_is_context_owner(u32 context_id, kuid_t uid)
{
	return false;
}
EXPORT_SYMBOL_GPL(vmci_is_context_owner);

/*
 * vmci_context_get_priv_flags() - the privileges of a context. The device's
 * contexts are unrestricted; any other context is unknown to a guest, which
 * gets VMCI_NO_PRIVILEGE_FLAGS for it as from vmw_vmci in a VM.
 */
u32 vmci_context_get_priv_flags(u32 context_id)
{
	struct vmci_loop_ctx *ctx = vmci_loop_ctx_by_cid(context_id);

	return ctx ? ctx->priv_flags : VMCI_NO_PRIVILEGE_FLAGS;
}
EXPORT_SYMBOL_GPL(vmci_context_get_priv_flags);

/* Protects vmci_loop_vsock_cb. */
static DEFINE_MUTEX(vmci_loop_vsock_mutex);
static vmci_vsock_cb vmci_loop_vsock_cb;

/*
 * vmci_register_vsock_callback() - the vsock transport asks to be told
 * which personality the device has. This device is a guest, and only that:
 * the callback is called once, at once, with is_host = false (the host
 * personality is this module's own transport).
 *
 * Return: 0, or -EBUSY when a callback is already registered.
 */
int vmci_register_vsock_callback(vmci_vsock_cb callback)
{
	int err = 0;

	mutex_lock(&vmci_loop_vsock_mutex);
	if (callback && vmci_loop_vsock_cb) {
		err = -EBUSY;
	} else {
		vmci_loop_vsock_cb = callback;
		if (callback)
			callback(false);
	}
	mutex_unlock(&vmci_loop_vsock_mutex);
	return err;
}
EXPORT_SYMBOL_GPL(vmci_register_vsock_callback);

void vmci_loop_stats_read(struct vmci_loop_stats *sum)
{
	const size_t n = sizeof(*sum) / sizeof(u64);
	int cpu;
	size_t i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const u64 *s = (const u64 *)per_cpu_ptr(&vmci_loop_pcpu_stats,
							 cpu);
		u64 *d = (u64 *)sum;

		for (i = 0; i < n; i++)
			d[i] += s[i];
	}
}
