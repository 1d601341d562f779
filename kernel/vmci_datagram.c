// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop datagrams: the handles of each context and the delivery of a
 * datagram from its source handle to its destination handle.
 *
 * Each context has its own table of handles, keyed by resource ID: the
 * guest's holds what the exported API creates (the stock transport's control
 * handle and one handle per datagram socket), the host's holds the host
 * transport's control handle. Both have a handle on resource 1, the channel
 * of the stream protocol, which is why they are apart. Every datagram socket
 * of this kernel is on the stock transport, so the guest's handles also
 * answer for the host context: a datagram to host resource R that no host
 * handle holds goes to the guest's handle R (the stock transport does not
 * tell the device which CID a socket bound).
 *
 * Errors are vmw_vmci's: to the host, a resource nobody holds is
 * VMCI_ERROR_INVALID_RESOURCE, as a host's vmw_vmci answers a guest; to the
 * guest, the datagram is accepted and dropped, as a host cannot see what a
 * VM has bound (counted as dgram_no_endpoint).
 *
 * A callback runs with its context's rx_lock held (see vmci_loop.h). A
 * datagram sent from inside a callback is queued and delivered from a work
 * item, as a real device would queue it: callbacks never nest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "vmci_loop.h"

struct vmci_loop_dg_entry {
	struct hlist_node node;
	struct vmci_handle handle;
	u32 priv_flags;
	vmci_datagram_recv_cb recv_cb;
	void *client_data;
};

/* A datagram sent from inside a callback, waiting for its work item. */
struct vmci_loop_dg_deferred {
	struct work_struct work;
	struct vmci_loop_ctx *to;
	u8 dg[] __aligned(8);		/* header and payload */
};

/* Deferred datagrams not yet delivered, for the exit check. */
static atomic_t vmci_loop_dg_deferred_count = ATOMIC_INIT(0);

static struct hlist_head *vmci_loop_dg_bucket(struct vmci_loop_ctx *ctx,
					      u32 resource)
{
	return &ctx->dg_table[hash_32(resource, VMCI_LOOP_DG_HASH_BITS)];
}

/* Caller holds ctx->dg_lock. */
static struct vmci_loop_dg_entry *__vmci_loop_dg_find(struct vmci_loop_ctx *ctx,
						      u32 resource)
{
	struct vmci_loop_dg_entry *e;

	lockdep_assert_held(&ctx->dg_lock);
	hlist_for_each_entry(e, vmci_loop_dg_bucket(ctx, resource), node)
		if (e->handle.resource == resource)
			return e;
	return NULL;
}

/* Caller holds ctx->dg_lock. Return: a free resource ID or VMCI_INVALID_ID. */
static u32 __vmci_loop_dg_free_rid(struct vmci_loop_ctx *ctx)
{
	u32 start = ctx->next_rid;

	lockdep_assert_held(&ctx->dg_lock);
	do {
		u32 rid = ctx->next_rid++;

		if (ctx->next_rid == VMCI_INVALID_ID)
			ctx->next_rid = VMCI_RESERVED_RESOURCE_ID_MAX + 1;
		if (!__vmci_loop_dg_find(ctx, rid))
			return rid;
	} while (ctx->next_rid != start);
	return VMCI_INVALID_ID;
}

/**
 * vmci_loop_dg_create - create a datagram handle in a context
 * @ctx: the context that will own the handle
 * @resource_id: the resource, or VMCI_INVALID_ID for a free one above 1023
 * @flags: VMCI_FLAG_ANYCID_DG_HND for a handle of no particular context
 * @priv_flags: privileges of the handle
 * @recv_cb: called for each datagram, in atomic context
 * @client_data: passed to @recv_cb
 * @out_handle: the new handle
 *
 * VMCI_FLAG_WELLKNOWN_DG_HND is refused as vmw_vmci refuses it, and so is
 * VMCI_FLAG_DG_DELAYED_CB, which no user of this device asks for.
 *
 * Return: VMCI_SUCCESS, VMCI_ERROR_INVALID_ARGS, VMCI_ERROR_NO_MEM,
 * VMCI_ERROR_ALREADY_EXISTS or VMCI_ERROR_NO_HANDLE (no free resource).
 */
int vmci_loop_dg_create(struct vmci_loop_ctx *ctx, u32 resource_id,
			u32 flags, u32 priv_flags,
			vmci_datagram_recv_cb recv_cb, void *client_data,
			struct vmci_handle *out_handle)
{
	struct vmci_loop_dg_entry *e;
	int result = VMCI_SUCCESS;

	if (!out_handle || !recv_cb || (priv_flags & ~VMCI_PRIVILEGE_ALL_FLAGS))
		return VMCI_ERROR_INVALID_ARGS;
	if (flags & (VMCI_FLAG_WELLKNOWN_DG_HND | VMCI_FLAG_DG_DELAYED_CB))
		return VMCI_ERROR_INVALID_ARGS;

	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return VMCI_ERROR_NO_MEM;
	e->priv_flags = priv_flags;
	e->recv_cb = recv_cb;
	e->client_data = client_data;

	spin_lock_bh(&ctx->dg_lock);
	if (resource_id == VMCI_INVALID_ID) {
		resource_id = __vmci_loop_dg_free_rid(ctx);
		if (resource_id == VMCI_INVALID_ID)
			result = VMCI_ERROR_NO_HANDLE;
	} else if (__vmci_loop_dg_find(ctx, resource_id)) {
		result = VMCI_ERROR_ALREADY_EXISTS;
	}
	if (result == VMCI_SUCCESS) {
		e->handle = vmci_make_handle(flags & VMCI_FLAG_ANYCID_DG_HND ?
					     VMCI_INVALID_ID : ctx->cid,
					     resource_id);
		hlist_add_head(&e->node, vmci_loop_dg_bucket(ctx, resource_id));
		*out_handle = e->handle;
	}
	spin_unlock_bh(&ctx->dg_lock);

	if (result != VMCI_SUCCESS)
		kfree(e);
	return result;
}

/**
 * vmci_loop_dg_destroy - destroy a datagram handle
 * @ctx: the context that owns it
 * @handle: the handle, as vmci_loop_dg_create() gave it
 *
 * When this returns, its callback is not running and will not run again.
 * Must not be called from a datagram or event callback.
 *
 * Return: VMCI_SUCCESS or VMCI_ERROR_NOT_FOUND.
 */
int vmci_loop_dg_destroy(struct vmci_loop_ctx *ctx, struct vmci_handle handle)
{
	struct vmci_loop_dg_entry *e;

	spin_lock_bh(&ctx->dg_lock);
	e = __vmci_loop_dg_find(ctx, handle.resource);
	if (e && vmci_handle_is_equal(e->handle, handle))
		hlist_del(&e->node);
	else
		e = NULL;
	spin_unlock_bh(&ctx->dg_lock);
	if (!e)
		return VMCI_ERROR_NOT_FOUND;

	/* A delivery that found it holds rx_lock until its callback is done. */
	spin_lock_bh(&ctx->rx_lock);
	spin_unlock_bh(&ctx->rx_lock);
	kfree(e);
	return VMCI_SUCCESS;
}

/* Whether @from holds the source handle @src (see the file comment). */
static bool vmci_loop_dg_holds(struct vmci_loop_ctx *from,
			       struct vmci_handle src)
{
	bool found;

	spin_lock_bh(&from->dg_lock);
	found = __vmci_loop_dg_find(from, src.resource);
	spin_unlock_bh(&from->dg_lock);
	if (!found && from == &vmci_loop_host)
		return vmci_loop_dg_holds(&vmci_loop_guest, src);
	return found;
}

static void vmci_loop_dg_deferred_work(struct work_struct *work);

/* Queue @dg for delivery from a work item; called in atomic context. */
static int vmci_loop_dg_defer(struct vmci_loop_ctx *to,
			      const struct vmci_datagram *dg)
{
	struct vmci_loop_dg_deferred *d;

	d = kmalloc(sizeof(*d) + VMCI_DG_SIZE(dg), GFP_ATOMIC);
	if (!d)
		return VMCI_ERROR_NO_MEM;
	d->to = to;
	memcpy(d->dg, dg, VMCI_DG_SIZE(dg));
	INIT_WORK(&d->work, vmci_loop_dg_deferred_work);
	atomic_inc(&vmci_loop_dg_deferred_count);
	queue_work(vmci_loop_wq, &d->work);
	return VMCI_SUCCESS;
}

/*
 * Hand @dg to the handle that holds its destination resource in @to (or,
 * for the host, in the guest), with that context's rx_lock held.
 */
static int vmci_loop_dg_deliver(struct vmci_loop_ctx *to,
				struct vmci_datagram *dg)
{
	bool control = dg->src.resource == VMCI_LOOP_VSOCK_CONTROL_RID ||
		       dg->dst.resource == VMCI_LOOP_VSOCK_CONTROL_RID;
	struct vmci_loop_ctx *holder = to;
	struct vmci_loop_dg_entry *e;
	int ret;

	local_bh_disable();
	if (__this_cpu_read(vmci_loop_in_callback)) {
		local_bh_enable();
		return vmci_loop_dg_defer(to, dg);
	}
	for (;;) {
		spin_lock(&holder->rx_lock);
		spin_lock(&holder->dg_lock);
		e = __vmci_loop_dg_find(holder, dg->dst.resource);
		spin_unlock(&holder->dg_lock);
		if (e || holder != &vmci_loop_host)
			break;
		spin_unlock(&holder->rx_lock);
		holder = &vmci_loop_guest;
	}

	if (!e) {
		spin_unlock(&holder->rx_lock);
		local_bh_enable();
		if (to == &vmci_loop_host)
			return VMCI_ERROR_INVALID_RESOURCE;
		if (!control)
			vmci_loop_count(dgram_no_endpoint, 1);
		return VMCI_SUCCESS;
	}

	__this_cpu_inc(vmci_loop_in_callback);
	ret = e->recv_cb(e->client_data, dg);
	__this_cpu_dec(vmci_loop_in_callback);
	spin_unlock(&holder->rx_lock);
	local_bh_enable();

	if (ret < VMCI_SUCCESS) {
		if (!control)
			vmci_loop_count(dgram_dropped, 1);
		/* Only a host destination answers synchronously. */
		return to == &vmci_loop_host ? ret : VMCI_SUCCESS;
	}
	if (!control)
		vmci_loop_count(dgram_received, 1);
	return VMCI_SUCCESS;
}

static void vmci_loop_dg_deferred_work(struct work_struct *work)
{
	struct vmci_loop_dg_deferred *d =
		container_of(work, struct vmci_loop_dg_deferred, work);

	vmci_loop_dg_deliver(d->to, (struct vmci_datagram *)d->dg);
	kfree(d);
	atomic_dec(&vmci_loop_dg_deferred_count);
}

/**
 * vmci_loop_dg_dispatch - route and deliver one datagram
 * @dg: header and payload; a source of no context is filled in
 *
 * Return: the size of the datagram with its header, as vmw_vmci returns
 * it, or a VMCI error: VMCI_ERROR_INVALID_ARGS (too big, no destination),
 * VMCI_ERROR_DST_UNREACHABLE (not the host or the guest),
 * VMCI_ERROR_NO_HANDLE (the source handle is nobody's),
 * VMCI_ERROR_INVALID_RESOURCE (nobody holds the host resource), or what the
 * destination's callback returned for a host destination.
 */
int vmci_loop_dg_dispatch(struct vmci_datagram *dg)
{
	struct vmci_loop_ctx *from, *to;
	size_t size;
	int result;

	BUILD_BUG_ON(sizeof(struct vmci_datagram) != 24);
	if (dg->payload_size > VMCI_MAX_DG_SIZE ||
	    VMCI_DG_SIZE(dg) > VMCI_MAX_DG_SIZE)
		return VMCI_ERROR_INVALID_ARGS;

	from = vmci_loop_route(&dg->src, &dg->dst, &result);
	if (!from)
		return result;
	if (!vmci_loop_dg_holds(from, dg->src))
		return VMCI_ERROR_NO_HANDLE;
	to = vmci_loop_ctx_by_cid(dg->dst.context);

	size = VMCI_DG_SIZE(dg);
	if (dg->src.resource == VMCI_LOOP_VSOCK_CONTROL_RID ||
	    dg->dst.resource == VMCI_LOOP_VSOCK_CONTROL_RID) {
		vmci_loop_count(control_packets, 1);
	} else {
		vmci_loop_count(dgram_sent, 1);
		vmci_loop_count(dgram_bytes_sent, dg->payload_size);
	}

	result = vmci_loop_dg_deliver(to, dg);
	return result < VMCI_SUCCESS ? result : (int)size;
}

void vmci_loop_dg_exit(void)
{
	struct vmci_loop_ctx *ctxs[] = { &vmci_loop_host, &vmci_loop_guest };
	int i, b;

	/* vmci_loop_wq has been drained by now. */
	WARN_ON(atomic_read(&vmci_loop_dg_deferred_count));
	for (i = 0; i < ARRAY_SIZE(ctxs); i++)
		for (b = 0; b < ARRAY_SIZE(ctxs[i]->dg_table); b++)
			WARN_ON(!hlist_empty(&ctxs[i]->dg_table[b]));
}

/* ---- the API: datagrams, as the guest ---- */

int vmci_datagram_create_handle_priv(u32 resource_id, u32 flags, u32 priv_flags,
				     vmci_datagram_recv_cb recv_cb,
				     void *client_data,
				     struct vmci_handle *out_handle)
{
	return vmci_loop_dg_create(&vmci_loop_guest, resource_id, flags,
				   priv_flags, recv_cb, client_data,
				   out_handle);
}
EXPORT_SYMBOL_GPL(vmci_datagram_create_handle_priv);

int vmci_datagram_create_handle(u32 resource_id, u32 flags,
				vmci_datagram_recv_cb recv_cb,
				void *client_data,
				struct vmci_handle *out_handle)
{
	return vmci_loop_dg_create(&vmci_loop_guest, resource_id, flags,
				   VMCI_DEFAULT_PROC_PRIVILEGE_FLAGS, recv_cb,
				   client_data, out_handle);
}
EXPORT_SYMBOL_GPL(vmci_datagram_create_handle);

int vmci_datagram_destroy_handle(struct vmci_handle handle)
{
	return vmci_loop_dg_destroy(&vmci_loop_guest, handle);
}
EXPORT_SYMBOL_GPL(vmci_datagram_destroy_handle);

int vmci_datagram_send(struct vmci_datagram *msg)
{
	if (!msg)
		return VMCI_ERROR_INVALID_ARGS;
	return vmci_loop_dg_dispatch(msg);
}
EXPORT_SYMBOL_GPL(vmci_datagram_send);
