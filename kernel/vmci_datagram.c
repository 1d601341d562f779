// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop datagrams: endpoints addressed by handle (context, resource) and
 * the delivery of one datagram from a source handle to a destination handle.
 *
 * An endpoint bound to a context receives what is sent to that context; an
 * endpoint created with an invalid context (a socket bound to
 * VMADDR_CID_ANY) receives what is sent to any local context. A resource ID
 * is owned by one endpoint unless the two are bound to two different
 * specific contexts.
 *
 * The sender builds the skb (the one copy from user space), the device
 * routes it and hands it to the endpoint's deliver() under the table lock,
 * so an endpoint that has been destroyed never receives anything.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/hashtable.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>

#include "vmci_loop.h"

#define VMCI_LOOP_DG_HASH_BITS 8
#define VMCI_LOOP_DG_AUTOBIND_TRIES 65536

/* Protects vmci_loop_dg_table and vmci_loop_dg_next_resource. */
static DEFINE_SPINLOCK(vmci_loop_dg_lock);
static DEFINE_HASHTABLE(vmci_loop_dg_table, VMCI_LOOP_DG_HASH_BITS);
static u32 vmci_loop_dg_next_resource = VMCI_LOOP_FIRST_FREE_RESOURCE;

static bool vmci_loop_dg_contexts_overlap(u32 a, u32 b)
{
	return a == b || a == VMCI_LOOP_INVALID_ID || b == VMCI_LOOP_INVALID_ID;
}

/* Caller holds vmci_loop_dg_lock. */
static struct vmci_loop_dg_endpoint *
__vmci_loop_dg_find(u32 context, u32 resource)
{
	struct vmci_loop_dg_endpoint *ep;

	hash_for_each_possible(vmci_loop_dg_table, ep, node, resource) {
		if (ep->handle.resource == resource &&
		    vmci_loop_dg_contexts_overlap(ep->handle.context, context))
			return ep;
	}
	return NULL;
}

/**
 * vmci_loop_dg_create_handle - register a datagram endpoint
 * @ep: the endpoint, with @deliver set
 * @context: a local context, or VMCI_LOOP_INVALID_ID for any
 * @resource: the resource ID, or VMCI_LOOP_INVALID_ID to pick a free one
 *	      from 1024 up
 *
 * Return: 0, -EADDRINUSE, or -EADDRNOTAVAIL when no resource ID is free.
 */
int vmci_loop_dg_create_handle(struct vmci_loop_dg_endpoint *ep,
			       u32 context, u32 resource)
{
	int err = 0;

	spin_lock_bh(&vmci_loop_dg_lock);
	if (resource == VMCI_LOOP_INVALID_ID) {
		u32 tries;

		for (tries = 0; tries < VMCI_LOOP_DG_AUTOBIND_TRIES; tries++) {
			u32 r = vmci_loop_dg_next_resource++;

			if (vmci_loop_dg_next_resource == VMCI_LOOP_INVALID_ID)
				vmci_loop_dg_next_resource =
					VMCI_LOOP_FIRST_FREE_RESOURCE;
			if (!__vmci_loop_dg_find(context, r)) {
				resource = r;
				break;
			}
		}
		if (resource == VMCI_LOOP_INVALID_ID)
			err = -EADDRNOTAVAIL;
	} else if (__vmci_loop_dg_find(context, resource)) {
		err = -EADDRINUSE;
	}

	if (!err) {
		ep->handle.context = context;
		ep->handle.resource = resource;
		hash_add(vmci_loop_dg_table, &ep->node, resource);
	}
	spin_unlock_bh(&vmci_loop_dg_lock);
	return err;
}

void vmci_loop_dg_destroy_handle(struct vmci_loop_dg_endpoint *ep)
{
	spin_lock_bh(&vmci_loop_dg_lock);
	if (!hlist_unhashed(&ep->node))
		hash_del(&ep->node);
	spin_unlock_bh(&vmci_loop_dg_lock);
}

/**
 * vmci_loop_dg_send - route and deliver one datagram
 * @src: source handle; an invalid context is resolved by routing
 * @dst: destination handle
 * @skb: the payload; consumed in every case
 *
 * A datagram for a handle nobody owns is dropped silently (a guest cannot
 * know what the host has bound) and counted.
 *
 * Return: the payload size, or a negative errno from routing.
 */
int vmci_loop_dg_send(struct vmci_loop_handle *src,
		      const struct vmci_loop_handle *dst, struct sk_buff *skb)
{
	struct vmci_loop_dg_endpoint *ep;
	int len = skb->len;
	int err;

	if (len > VMCI_LOOP_MAX_DG_PAYLOAD) {
		kfree_skb(skb);
		return -EMSGSIZE;
	}

	err = vmci_loop_route(src, dst);
	if (err) {
		kfree_skb(skb);
		return err;
	}

	VMCI_LOOP_DG_CB(skb)->src = *src;
	vmci_loop_count(dgram_sent, 1);
	vmci_loop_count(dgram_bytes_sent, len);

	spin_lock_bh(&vmci_loop_dg_lock);
	ep = __vmci_loop_dg_find(dst->context, dst->resource);
	if (!ep) {
		spin_unlock_bh(&vmci_loop_dg_lock);
		vmci_loop_count(dgram_no_endpoint, 1);
		kfree_skb(skb);
		return len;
	}
	if (ep->deliver(ep, skb))
		vmci_loop_count(dgram_dropped, 1);
	else
		vmci_loop_count(dgram_received, 1);
	spin_unlock_bh(&vmci_loop_dg_lock);

	return len;
}

int vmci_loop_dg_init(void)
{
	hash_init(vmci_loop_dg_table);
	return 0;
}

void vmci_loop_dg_exit(void)
{
	WARN_ON(!hash_empty(vmci_loop_dg_table));
}
