// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop events: subscriptions per context, and the delivery of the
 * events the queue-pair broker raises (QP_PEER_ATTACH, QP_PEER_DETACH,
 * QP_RESUMED) to the subscribers of the context they concern.
 *
 * As in vmw_vmci, a callback must not sleep; here it runs with its
 * context's rx_lock held, so that once vmci_loop_event_unsubscribe() has
 * returned the callback is not running and never will again (vmw_vmci frees
 * the subscription after an RCU grace period but does not wait for a
 * callback in flight).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

#include "vmci_loop.h"

/* vmw_vmci gives up after this many taken IDs in a row, and so do we. */
#define VMCI_LOOP_EVENT_MAX_ATTEMPTS	10

struct vmci_loop_sub {
	struct list_head node;		/* on ctx->subscribers[event] */
	u32 id;
	u32 event;
	vmci_event_cb callback;
	void *callback_data;
};

static atomic_t vmci_loop_event_next_id = ATOMIC_INIT(0);

/* Caller holds ctx->rx_lock. */
static struct vmci_loop_sub *__vmci_loop_event_find(struct vmci_loop_ctx *ctx,
						    u32 sub_id)
{
	struct vmci_loop_sub *s;
	int e;

	lockdep_assert_held(&ctx->rx_lock);
	for (e = 0; e < VMCI_EVENT_MAX; e++)
		list_for_each_entry(s, &ctx->subscribers[e], node)
			if (s->id == sub_id)
				return s;
	return NULL;
}

/**
 * vmci_loop_event_subscribe - call @callback on each @event in @ctx
 * @ctx: the context whose events are wanted
 * @event: a VMCI_EVENT_* that a kernel client may subscribe to
 * @callback: called in atomic context, with @callback_data
 * @callback_data: passed to @callback
 * @subscription_id: the ID to unsubscribe with
 *
 * Must not be called from a datagram or event callback.
 *
 * Return: VMCI_SUCCESS, VMCI_ERROR_INVALID_ARGS, VMCI_ERROR_NO_MEM, or
 * VMCI_ERROR_NO_RESOURCES when no subscription ID could be found.
 */
int vmci_loop_event_subscribe(struct vmci_loop_ctx *ctx, u32 event,
			      vmci_event_cb callback, void *callback_data,
			      u32 *subscription_id)
{
	struct vmci_loop_sub *sub;
	int attempts;

	if (!subscription_id || !callback || !VMCI_EVENT_VALID(event))
		return VMCI_ERROR_INVALID_ARGS;

	sub = kzalloc(sizeof(*sub), GFP_KERNEL);
	if (!sub)
		return VMCI_ERROR_NO_MEM;
	sub->event = event;
	sub->callback = callback;
	sub->callback_data = callback_data;
	sub->id = VMCI_INVALID_ID;

	spin_lock_bh(&ctx->rx_lock);
	for (attempts = 0; attempts < VMCI_LOOP_EVENT_MAX_ATTEMPTS; attempts++) {
		u32 id = atomic_inc_return(&vmci_loop_event_next_id);

		if (id != VMCI_INVALID_ID && !__vmci_loop_event_find(ctx, id)) {
			sub->id = id;
			list_add_tail(&sub->node, &ctx->subscribers[event]);
			break;
		}
	}
	spin_unlock_bh(&ctx->rx_lock);

	*subscription_id = sub->id;
	if (sub->id == VMCI_INVALID_ID) {
		kfree(sub);
		return VMCI_ERROR_NO_RESOURCES;
	}
	return VMCI_SUCCESS;
}

/**
 * vmci_loop_event_unsubscribe - end a subscription
 * @ctx: the context it was made in
 * @sub_id: its ID
 *
 * Must not be called from a datagram or event callback.
 *
 * Return: VMCI_SUCCESS or VMCI_ERROR_NOT_FOUND.
 */
int vmci_loop_event_unsubscribe(struct vmci_loop_ctx *ctx, u32 sub_id)
{
	struct vmci_loop_sub *s;

	spin_lock_bh(&ctx->rx_lock);
	s = __vmci_loop_event_find(ctx, sub_id);
	if (s)
		list_del(&s->node);
	spin_unlock_bh(&ctx->rx_lock);

	if (!s)
		return VMCI_ERROR_NOT_FOUND;
	kfree(s);
	return VMCI_SUCCESS;
}

/* Call every subscriber of @ed->event in @ctx. Process context only. */
static void vmci_loop_event_deliver(struct vmci_loop_ctx *ctx,
				    const struct vmci_event_data *ed)
{
	struct vmci_loop_sub *s;

	spin_lock_bh(&ctx->rx_lock);
	__this_cpu_inc(vmci_loop_in_callback);
	list_for_each_entry(s, &ctx->subscribers[ed->event], node)
		s->callback(s->id, ed, s->callback_data);
	__this_cpu_dec(vmci_loop_in_callback);
	spin_unlock_bh(&ctx->rx_lock);
}

/**
 * vmci_loop_event_qp - tell @ctx that its peer attached or detached
 * @ctx: the context of the end that stays
 * @event: VMCI_EVENT_QP_PEER_ATTACH or VMCI_EVENT_QP_PEER_DETACH
 * @handle: the queue pair
 * @peer_id: the context of the end that came or went
 */
void vmci_loop_event_qp(struct vmci_loop_ctx *ctx, u32 event,
			struct vmci_handle handle, u32 peer_id)
{
	struct vmci_event_data_max ev = {
		.event_data.event = event,
		.ev_data_payload.qp_payload = {
			.handle = handle,
			.peer_id = peer_id,
		},
	};

	vmci_loop_event_deliver(ctx, &ev.event_data);
}

/* Tell @ctx that its queue pairs have been resumed (after a reset). */
void vmci_loop_event_resumed(struct vmci_loop_ctx *ctx)
{
	struct vmci_event_data_max ev = {
		.event_data.event = VMCI_EVENT_QP_RESUMED,
		.ev_data_payload.context_payload.context_id = ctx->cid,
	};

	vmci_loop_event_deliver(ctx, &ev.event_data);
}

void vmci_loop_event_exit(void)
{
	struct vmci_loop_ctx *ctxs[] = { &vmci_loop_host, &vmci_loop_guest };
	int i, e;

	for (i = 0; i < ARRAY_SIZE(ctxs); i++)
		for (e = 0; e < VMCI_EVENT_MAX; e++)
			WARN_ON(!list_empty(&ctxs[i]->subscribers[e]));
}

/* ---- the API: events, as the guest ---- */

int vmci_event_subscribe(u32 event, vmci_event_cb callback,
			 void *callback_data, u32 *subid)
{
	return vmci_loop_event_subscribe(&vmci_loop_guest, event, callback,
					 callback_data, subid);
}
EXPORT_SYMBOL_GPL(vmci_event_subscribe);

int vmci_event_unsubscribe(u32 subid)
{
	return vmci_loop_event_unsubscribe(&vmci_loop_guest, subid);
}
EXPORT_SYMBOL_GPL(vmci_event_unsubscribe);
