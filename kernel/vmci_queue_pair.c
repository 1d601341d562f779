// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop queue pairs: the shared memory of a VMCI stream.
 *
 * A queue pair is two ring buffers, one per direction, created by one end
 * (the side that accepts, as a VMCI host-side listener creates it) and
 * attached to by the other. Each end produces into its own ring and consumes
 * from the other end's ring. The sizes come from the socket buffer sizes the
 * two ends negotiated.
 *
 * The data path is lock free between the two ends: a ring has exactly one
 * producer and one consumer (each serialised by its own socket lock), the
 * producer publishes @tail and the consumer @head with release stores. Each
 * transfer is one copy between the ring and the user's buffer, no allocation,
 * and the peer is woken directly through its event callbacks (no work queue
 * in between). qp->lock only guards who is attached, so that an end that
 * detaches is never called back afterwards.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio.h>

#include "vmci_loop.h"

/* Protects vmci_loop_qp_list, vmci_loop_qp_nr and the resource counter. */
static DEFINE_SPINLOCK(vmci_loop_qp_list_lock);
static LIST_HEAD(vmci_loop_qp_list);
static unsigned int vmci_loop_qp_nr;
static u32 vmci_loop_qp_next_resource = VMCI_LOOP_FIRST_FREE_RESOURCE;

static u64 vmci_loop_ring_offset(const struct vmci_loop_ring *ring, u64 pos)
{
	u64 rem;

	div64_u64_rem(pos, ring->size, &rem);
	return rem;
}

static int vmci_loop_ring_init(struct vmci_loop_ring *ring, u64 size)
{
	ring->head = 0;
	ring->tail = 0;
	ring->size = size;
	ring->data = kvmalloc(size, GFP_KERNEL);
	return ring->data ? 0 : -ENOMEM;
}

/**
 * vmci_loop_qp_create - allocate a queue pair and attach its creator
 * @context: the creator's context
 * @size0: size of the ring the creator produces into
 * @size1: size of the ring the creator consumes from
 * @ops: the creator's event callbacks
 * @ctx: passed to @ops
 *
 * Return: the queue pair (its creator is end 0), or NULL without memory.
 */
struct vmci_loop_qp *vmci_loop_qp_create(u32 context, u64 size0, u64 size1,
					 const struct vmci_loop_qp_peer_ops *ops,
					 void *ctx)
{
	struct vmci_loop_qp *qp;

	qp = kzalloc(sizeof(*qp), GFP_KERNEL);
	if (!qp)
		return NULL;

	if (vmci_loop_ring_init(&qp->ring[0], size0) ||
	    vmci_loop_ring_init(&qp->ring[1], size1)) {
		kvfree(qp->ring[0].data);
		kvfree(qp->ring[1].data);
		kfree(qp);
		return NULL;
	}

	kref_init(&qp->ref);
	spin_lock_init(&qp->lock);
	qp->end[0].ops = ops;
	qp->end[0].ctx = ctx;
	qp->end[0].context = context;
	qp->end[1].context = VMCI_LOOP_INVALID_ID;
	qp->handle.context = context;

	spin_lock_bh(&vmci_loop_qp_list_lock);
	qp->handle.resource = vmci_loop_qp_next_resource++;
	if (vmci_loop_qp_next_resource == VMCI_LOOP_INVALID_ID)
		vmci_loop_qp_next_resource = VMCI_LOOP_FIRST_FREE_RESOURCE;
	list_add_tail(&qp->link, &vmci_loop_qp_list);
	vmci_loop_qp_nr++;
	spin_unlock_bh(&vmci_loop_qp_list_lock);

	vmci_loop_count(qp_created, 1);
	return qp;
}

static void vmci_loop_qp_release(struct kref *ref)
{
	struct vmci_loop_qp *qp = container_of(ref, struct vmci_loop_qp, ref);

	spin_lock_bh(&vmci_loop_qp_list_lock);
	list_del(&qp->link);
	vmci_loop_qp_nr--;
	spin_unlock_bh(&vmci_loop_qp_list_lock);

	kvfree(qp->ring[0].data);
	kvfree(qp->ring[1].data);
	kfree(qp);
	vmci_loop_count(qp_destroyed, 1);
}

/* Attach the second end (end 1) and tell the creator: the attach event. */
void vmci_loop_qp_attach(struct vmci_loop_qp *qp, u32 context,
			 const struct vmci_loop_qp_peer_ops *ops, void *ctx)
{
	struct vmci_loop_qp_end *peer = &qp->end[0];

	kref_get(&qp->ref);
	spin_lock_bh(&qp->lock);
	qp->end[1].ops = ops;
	qp->end[1].ctx = ctx;
	qp->end[1].context = context;
	if (peer->ops)
		peer->ops->attached(peer->ctx);
	spin_unlock_bh(&qp->lock);
}

/**
 * vmci_loop_qp_detach - detach one end and tell the other: the detach event
 * @qp: the queue pair; the caller's reference is dropped
 * @side: 0 or 1
 * @reset: the connection is being reset rather than closed
 *
 * Data already in the peer's consume ring stays readable: the memory lives
 * until the last end detaches.
 */
void vmci_loop_qp_detach(struct vmci_loop_qp *qp, int side, bool reset)
{
	struct vmci_loop_qp_end *peer = &qp->end[!side];

	spin_lock_bh(&qp->lock);
	qp->end[side].ops = NULL;
	qp->end[side].ctx = NULL;
	if (peer->ops)
		peer->ops->detached(peer->ctx, reset);
	spin_unlock_bh(&qp->lock);

	kref_put(&qp->ref, vmci_loop_qp_release);
}

void vmci_loop_qp_signal_shutdown(struct vmci_loop_qp *qp, int side, int mode)
{
	struct vmci_loop_qp_end *peer = &qp->end[!side];

	spin_lock_bh(&qp->lock);
	if (peer->ops)
		peer->ops->shutdown(peer->ctx, mode);
	spin_unlock_bh(&qp->lock);
}

/**
 * vmci_loop_qp_enqueue - copy user data into this end's produce ring
 * @qp: the queue pair
 * @side: this end
 * @from: the user's data
 * @len: at most this many bytes
 *
 * Return: bytes queued (0 when the ring is full) or -EFAULT.
 */
ssize_t vmci_loop_qp_enqueue(struct vmci_loop_qp *qp, int side,
			     struct iov_iter *from, size_t len)
{
	struct vmci_loop_ring *ring = &qp->ring[side];
	struct vmci_loop_qp_end *peer = &qp->end[!side];
	u64 tail = ring->tail;
	size_t n, first;
	u64 head, off;

	/* Pairs with the consumer's release of head: its reads are done. */
	head = smp_load_acquire(&ring->head);

	n = min_t(u64, len, ring->size - (tail - head));
	if (!n)
		return 0;

	off = vmci_loop_ring_offset(ring, tail);
	first = min_t(u64, n, ring->size - off);
	if (copy_from_iter(ring->data + off, first, from) != first)
		return -EFAULT;
	if (n > first && copy_from_iter(ring->data, n - first, from) !=
			 n - first)
		return -EFAULT;

	/* Publish the data, then wake the reader directly. */
	smp_store_release(&ring->tail, tail + n);

	spin_lock_bh(&qp->lock);
	if (peer->ops)
		peer->ops->wrote(peer->ctx);
	spin_unlock_bh(&qp->lock);

	return n;
}

/**
 * vmci_loop_qp_dequeue - copy data out of this end's consume ring
 * @qp: the queue pair
 * @side: this end
 * @to: the user's buffer
 * @len: at most this many bytes
 * @peek: leave the data in the ring
 *
 * Return: bytes copied or -EFAULT.
 */
ssize_t vmci_loop_qp_dequeue(struct vmci_loop_qp *qp, int side,
			     struct iov_iter *to, size_t len, bool peek)
{
	struct vmci_loop_ring *ring = &qp->ring[!side];
	struct vmci_loop_qp_end *peer = &qp->end[!side];
	u64 head = ring->head;
	size_t n, first;
	u64 tail, off;

	/* Pairs with the producer's release of tail: its data is there. */
	tail = smp_load_acquire(&ring->tail);

	n = min_t(u64, len, tail - head);
	if (!n)
		return 0;

	off = vmci_loop_ring_offset(ring, head);
	first = min_t(u64, n, ring->size - off);
	if (copy_to_iter(ring->data + off, first, to) != first)
		return -EFAULT;
	if (n > first && copy_to_iter(ring->data, n - first, to) != n - first)
		return -EFAULT;

	if (peek)
		return n;

	/* Free the space. */
	smp_store_release(&ring->head, head + n);

	/*
	 * A writer only ever waits for a full ring, so wake it only if the
	 * ring was full before this read: a wake-up per read would bounce the
	 * peer (which shares one wait queue for reading and writing) out of
	 * its own recv() on every message. The full barrier pairs with the
	 * one in the waiting writer's set_current_state(): either it sees the
	 * new head, or this sees its tail.
	 */
	smp_mb();
	if (READ_ONCE(ring->tail) - head < ring->size)
		return n;

	spin_lock_bh(&qp->lock);
	if (peer->ops)
		peer->ops->read(peer->ctx);
	spin_unlock_bh(&qp->lock);

	return n;
}

/* Bytes waiting in this end's consume ring. */
u64 vmci_loop_qp_ready(struct vmci_loop_qp *qp, int side)
{
	struct vmci_loop_ring *ring = &qp->ring[!side];

	/* Acquire pairs with the producer's release of tail. */
	return smp_load_acquire(&ring->tail) - READ_ONCE(ring->head);
}

/* Free bytes in this end's produce ring. */
u64 vmci_loop_qp_free_space(struct vmci_loop_qp *qp, int side)
{
	struct vmci_loop_ring *ring = &qp->ring[side];
	u64 head;

	/*
	 * A writer about to wait: the full barrier pairs with the one in
	 * vmci_loop_qp_dequeue() (our tail store is seen, or its head is).
	 */
	smp_mb();
	head = READ_ONCE(ring->head);
	return ring->size - (READ_ONCE(ring->tail) - head);
}

/* Walk the live queue pairs (for debugfs); @fn must not sleep. */
void vmci_loop_qp_for_each(void (*fn)(struct vmci_loop_qp *qp, void *arg),
			   void *arg)
{
	struct vmci_loop_qp *qp;

	spin_lock_bh(&vmci_loop_qp_list_lock);
	list_for_each_entry(qp, &vmci_loop_qp_list, link)
		fn(qp, arg);
	spin_unlock_bh(&vmci_loop_qp_list_lock);
}

unsigned int vmci_loop_qp_count(void)
{
	unsigned int n;

	spin_lock_bh(&vmci_loop_qp_list_lock);
	n = vmci_loop_qp_nr;
	spin_unlock_bh(&vmci_loop_qp_list_lock);
	return n;
}
