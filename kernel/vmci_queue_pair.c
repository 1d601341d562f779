// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop queue pairs: the broker that pairs a creating end with an
 * attaching end, the two rings they share, and what a reset does to them.
 *
 * A queue pair is two rings: the creator produces into one and consumes from
 * the other, the attacher the reverse. As in VMCI a ring of N bytes holds at
 * most N - 1 (a full ring and an empty one must differ) and its offsets run
 * from 0 to N - 1. Each ring has one producer and one consumer, each of
 * which serialises its own calls (the vsock transports do, under their
 * socket locks): the producer alone writes the tail, the consumer alone the
 * head, and each reads the other's with acquire semantics. No lock is taken
 * on the data path.
 *
 * The broker follows drivers/misc/vmw_vmci/vmci_queue_pair.c: the same
 * checks and error codes for create and attach, a QP_PEER_ATTACH event to
 * the creator when the attacher comes, a QP_PEER_DETACH event to the end
 * that stays when the other detaches. The creator's context is charged for
 * the memory of both rings; the total is capped by qp_memory_mb. Its
 * default is VMCI_MAX_GUEST_QP_MEMORY (128 MiB), which vmw_vmci enforces
 * on one pair and from which it derives a context's pair count: the
 * device applies it to all pairs together, so that no user can pin an
 * unbounded amount of kernel memory through connects.
 *
 * In one kernel every context is shared by all local users, so a pair is
 * also charged to the user who made the connection (the client's uid; the
 * host transport knows both ends' sockets): one user may hold at most
 * qp_user_percent of the cap, and cannot take it all from the others.
 * Root is exempt: it sets the cap, and its services (the vmcifs daemon)
 * connect for everyone.
 *
 * vmci_loop_qp_reset_all() does what a VM suspend/resume does to every queue
 * pair: each end still attached is told its peer detached (QP_PEER_DETACH)
 * and the guest is told its queue pairs were resumed (QP_RESUMED). The rings
 * stay readable for whoever still holds them; nothing can be written to
 * them, and nobody can attach to them any more.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/vmw_vmci_defs.h>
#include <linux/vmw_vmci_api.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <linux/vmalloc.h>
#include <linux/skbuff.h>
#include <linux/hashtable.h>

#include "vmci_loop.h"

/*
 * The include list above is vmw_vmci's vmci_queue_pair.c's on purpose: the
 * CRCs of vmci_qpair_enquev/dequev/peekv cover struct msghdr as this file
 * sees it, and must equal those the stock transport was built against.
 */

#define VMCI_LOOP_QP_HASH_BITS 8

unsigned long vmci_loop_qp_memory_max = VMCI_MAX_GUEST_QP_MEMORY >> 20;
module_param_named(qp_memory_mb, vmci_loop_qp_memory_max, ulong, 0644);
MODULE_PARM_DESC(qp_memory_mb,
		 "Cap on the memory of all queue pairs together, in MiB (default 128, VMCI_MAX_GUEST_QP_MEMORY)");

unsigned int vmci_loop_qp_user_percent = 25;
module_param_named(qp_user_percent, vmci_loop_qp_user_percent, uint, 0644);
MODULE_PARM_DESC(qp_user_percent,
		 "Share of qp_memory_mb one user (uid) may hold, in percent; root is exempt (default 25)");

/* One ring of a queue pair. */
struct vmci_loop_queue {
	u64 size;
	u64 tail;	/* next byte to write, written by the producer only */
	u64 head;	/* next byte to read, written by the consumer only */
	u8 *data;
};

/*
 * A queue pair in the broker. Everything but the rings' offsets is
 * protected by vmci_loop_qp_mutex; @severed is also read locklessly.
 */
struct vmci_loop_qp_entry {
	struct hlist_node node;			/* in vmci_loop_qp_table */
	struct vmci_handle handle;
	u32 peer;				/* as the creator gave it */
	u32 flags;
	struct vmci_loop_ctx *create_ctx;	/* NULL once it detached */
	struct vmci_loop_ctx *attach_ctx;	/* NULL before and after */
	struct vmci_loop_ctx *owner;		/* charged for the memory */
	bool attached;				/* an attacher came */
	bool severed;				/* cut by a reset */
	u64 memory;
	struct vmci_loop_qp_charge charge;	/* on a user's share, or none */
	struct vmci_loop_queue q[2];		/* q[0]: the creator's produce */
	/*
	 * The ends (0: creator), for the peer notifications; changed and
	 * called under @notify_lock. @notify_ends counts the ends that want
	 * them, so that a pair without any takes no lock.
	 */
	spinlock_t notify_lock;
	struct vmci_qp *end[2];
	atomic_t notify_ends;
};

/* One end's view of a queue pair: what the API calls struct vmci_qp. */
struct vmci_qp {
	struct vmci_loop_qp_entry *entry;
	struct vmci_loop_queue *produce_q;
	struct vmci_loop_queue *consume_q;
	struct vmci_loop_ctx *ctx;
	bool creator;
	void (*peer_notify)(void *data, bool wrote);
	void *notify_data;
};

/* What one user holds of its share: in vmci_loop_qp_users while not 0. */
struct vmci_loop_qp_user {
	struct hlist_node node;
	uid_t uid;
	u64 bytes;
};

static DEFINE_MUTEX(vmci_loop_qp_mutex);	/* also guards the users */
static DEFINE_HASHTABLE(vmci_loop_qp_table, VMCI_LOOP_QP_HASH_BITS);
static DEFINE_HASHTABLE(vmci_loop_qp_users, VMCI_LOOP_QP_HASH_BITS);
static unsigned int vmci_loop_qp_live;
static u32 vmci_loop_qp_next_rid = VMCI_RESERVED_RESOURCE_ID_MAX + 1;
static atomic64_t vmci_loop_qp_total = ATOMIC64_INIT(0);

/* vmw_vmci's limit on one queue pair (both rings), NO_RESOURCES above. */
static bool vmci_loop_qp_sizes_valid(u64 produce_size, u64 consume_size)
{
	u64 sum = produce_size + consume_size;

	return sum >= max(produce_size, consume_size) &&
	       sum <= VMCI_MAX_GUEST_QP_MEMORY;
}

/* ---- rings ---- */

/* Bytes in @q, or VMCI_ERROR_INVALID_SIZE for offsets outside it. */
static s64 vmci_loop_q_used(const struct vmci_loop_queue *q)
{
	u64 tail, head;

	/* Pairs with the release of each in enqueue (tail), dequeue (head). */
	tail = smp_load_acquire(&q->tail);
	/* And the head: the consumer is done with what it has freed. */
	head = smp_load_acquire(&q->head);
	if (tail >= q->size || head >= q->size)
		return VMCI_ERROR_INVALID_SIZE;
	return tail >= head ? tail - head : q->size - (head - tail);
}

static s64 vmci_loop_q_free(const struct vmci_loop_queue *q)
{
	s64 used = vmci_loop_q_used(q);

	return used < 0 ? used : q->size - used - 1;
}

/* Tell the other end of @qp, if it asked to know, that we wrote or read. */
static void vmci_loop_qp_notify_peer(const struct vmci_qp *qp, bool wrote)
{
	struct vmci_loop_qp_entry *e = qp->entry;
	struct vmci_qp *peer;

	/* Any context; the peer's notification runs under notify_lock. */
	if (!atomic_read(&e->notify_ends))
		return;
	spin_lock_bh(&e->notify_lock);
	peer = e->end[qp->creator ? 1 : 0];
	if (peer && peer->peer_notify)
		peer->peer_notify(peer->notify_data, wrote);
	spin_unlock_bh(&e->notify_lock);
}

static ssize_t vmci_loop_q_enqueue(const struct vmci_qp *qp,
				   struct iov_iter *from)
{
	struct vmci_loop_queue *q = qp->produce_q;
	size_t n, first;
	s64 space;
	u64 tail;

	if (READ_ONCE(qp->entry->severed))
		return VMCI_ERROR_QUEUEPAIR_NOTATTACHED;
	space = vmci_loop_q_free(q);
	if (space == 0)
		return VMCI_ERROR_QUEUEPAIR_NOSPACE;
	if (space < 0)
		return space;

	n = min_t(u64, space, iov_iter_count(from));
	tail = q->tail;
	first = min_t(u64, n, q->size - tail);
	if (!copy_from_iter_full(q->data + tail, first, from) ||
	    !copy_from_iter_full(q->data, n - first, from))
		return VMCI_ERROR_INVALID_ARGS;

	tail += n;
	if (tail >= q->size)
		tail -= q->size;
	/* The bytes are in place before the consumer can see the tail. */
	smp_store_release(&q->tail, tail);
	vmci_loop_qp_notify_peer(qp, true);
	return n;
}

static ssize_t vmci_loop_q_dequeue(const struct vmci_qp *qp,
				   struct iov_iter *to, bool consume)
{
	struct vmci_loop_queue *q = qp->consume_q;
	size_t n, first;
	s64 ready;
	u64 head;

	ready = vmci_loop_q_used(q);
	if (ready == 0)
		return VMCI_ERROR_QUEUEPAIR_NODATA;
	if (ready < 0)
		return ready;

	n = min_t(u64, ready, iov_iter_count(to));
	head = q->head;
	first = min_t(u64, n, q->size - head);
	if (copy_to_iter(q->data + head, first, to) != first ||
	    copy_to_iter(q->data, n - first, to) != n - first)
		return VMCI_ERROR_INVALID_ARGS;

	if (consume) {
		head += n;
		if (head >= q->size)
			head -= q->size;
		/* Done reading before the producer may reuse the space. */
		smp_store_release(&q->head, head);
		vmci_loop_qp_notify_peer(qp, false);
	}
	return n;
}

static void vmci_loop_q_free_data(struct vmci_loop_queue *q)
{
	vfree(q->data);
	q->data = NULL;
}

static int vmci_loop_q_alloc(struct vmci_loop_queue *q, u64 size)
{
	q->size = size;
	q->head = 0;
	q->tail = 0;
	q->data = NULL;
	if (!size)
		return 0;
	q->data = __vmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	return q->data ? 0 : -ENOMEM;
}

/* ---- users' shares ---- */

/* The most one user may hold, in bytes. */
u64 vmci_loop_qp_user_max(void)
{
	u64 cap = (u64)READ_ONCE(vmci_loop_qp_memory_max) << 20;

	return div_u64(cap * min(READ_ONCE(vmci_loop_qp_user_percent), 100U),
		       100);
}

static struct vmci_loop_qp_user *__vmci_loop_qp_user(uid_t uid)
{
	struct vmci_loop_qp_user *u;

	lockdep_assert_held(&vmci_loop_qp_mutex);
	hash_for_each_possible(vmci_loop_qp_users, u, node, uid)
		if (u->uid == uid)
			return u;
	return NULL;
}

static void __vmci_loop_qp_uncharge(struct vmci_loop_qp_charge *c)
{
	struct vmci_loop_qp_user *u;

	lockdep_assert_held(&vmci_loop_qp_mutex);
	if (!c->bytes)
		return;
	u = __vmci_loop_qp_user(c->uid);
	if (!WARN_ON_ONCE(!u || u->bytes < c->bytes)) {
		u->bytes -= c->bytes;
		if (!u->bytes) {
			hash_del(&u->node);
			kfree(u);
		}
	}
	c->bytes = 0;
}

/**
 * vmci_loop_qp_charge - charge @bytes of ring memory to the share of @uid
 * @c: the charge to fill; must hold nothing
 * @uid: the user (a kuid_t's value); root is not charged
 * @bytes: both rings of the pair to come
 *
 * Return: VMCI_SUCCESS, or VMCI_ERROR_NO_MEM over the user's share.
 */
int vmci_loop_qp_charge(struct vmci_loop_qp_charge *c, uid_t uid, u64 bytes)
{
	u64 max = vmci_loop_qp_user_max();
	struct vmci_loop_qp_user *u;
	int result = VMCI_SUCCESS;

	/* A pair over 128 MiB is never made: the device says ENOBUFS. */
	if (WARN_ON_ONCE(c->bytes) || uid == 0 || !bytes ||
	    !vmci_loop_qp_sizes_valid(bytes / 2, bytes - bytes / 2))
		return VMCI_SUCCESS;

	mutex_lock(&vmci_loop_qp_mutex);
	u = __vmci_loop_qp_user(uid);
	/*
	 * Nor one over the cap, which is refused with ENOMEM when it is
	 * made: charged, it is not refused here (for the same errno).
	 */
	if ((u ? u->bytes : 0) + bytes > max &&
	    atomic64_read(&vmci_loop_qp_total) + bytes <=
	    (u64)READ_ONCE(vmci_loop_qp_memory_max) << 20) {
		vmci_loop_count(qp_refused_user, 1);
		pr_warn_ratelimited("queue pair of %llu bytes refused: uid %u holds %llu of its %llu bytes (qp_user_percent)\n",
				    bytes, uid, u ? u->bytes : 0, max);
		result = VMCI_ERROR_NO_MEM;
		goto out;
	}
	if (!u) {
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (!u) {
			result = VMCI_ERROR_NO_MEM;
			goto out;
		}
		u->uid = uid;
		hash_add(vmci_loop_qp_users, &u->node, uid);
	}
	u->bytes += bytes;
	c->uid = uid;
	c->bytes = bytes;
out:
	mutex_unlock(&vmci_loop_qp_mutex);
	return result;
}

/* Give back what @c holds, if anything. */
void vmci_loop_qp_uncharge(struct vmci_loop_qp_charge *c)
{
	if (!c->bytes)
		return;
	mutex_lock(&vmci_loop_qp_mutex);
	__vmci_loop_qp_uncharge(c);
	mutex_unlock(&vmci_loop_qp_mutex);
}

/* ---- the broker ---- */

static struct vmci_loop_qp_entry *
__vmci_loop_qp_find(struct vmci_handle handle)
{
	struct vmci_loop_qp_entry *e;

	lockdep_assert_held(&vmci_loop_qp_mutex);
	hash_for_each_possible(vmci_loop_qp_table, e, node, handle.resource)
		if (vmci_handle_is_equal(e->handle, handle))
			return e;
	return NULL;
}

/* A handle of @ctx that no queue pair has. */
static struct vmci_handle __vmci_loop_qp_new_handle(struct vmci_loop_ctx *ctx)
{
	struct vmci_handle h;

	lockdep_assert_held(&vmci_loop_qp_mutex);
	do {
		h = vmci_make_handle(ctx->cid, vmci_loop_qp_next_rid++);
		if (vmci_loop_qp_next_rid == VMCI_INVALID_ID)
			vmci_loop_qp_next_rid = VMCI_RESERVED_RESOURCE_ID_MAX + 1;
	} while (__vmci_loop_qp_find(h));
	return h;
}

static void __vmci_loop_qp_free(struct vmci_loop_qp_entry *e)
{
	lockdep_assert_held(&vmci_loop_qp_mutex);
	hash_del(&e->node);
	vmci_loop_qp_live--;
	atomic64_sub(e->memory, &e->owner->qp_memory);
	atomic64_sub(e->memory, &vmci_loop_qp_total);
	__vmci_loop_qp_uncharge(&e->charge);
	vmci_loop_q_free_data(&e->q[0]);
	vmci_loop_q_free_data(&e->q[1]);
	kfree(e);
	vmci_loop_count(qp_destroyed, 1);
}

static bool vmci_loop_cid_is_vm(u32 cid)
{
	return VMCI_CONTEXT_IS_VM(cid);
}

static int __vmci_loop_qp_create(struct vmci_loop_ctx *ctx, struct vmci_qp *qp,
				 struct vmci_handle handle, u64 produce_size,
				 u64 consume_size, u32 peer, u32 flags)
{
	bool is_local = flags & VMCI_QPFLAG_LOCAL;
	struct vmci_loop_qp_entry *e;
	u64 bytes = produce_size + consume_size;
	u64 cap = (u64)READ_ONCE(vmci_loop_qp_memory_max) << 20;

	lockdep_assert_held(&vmci_loop_qp_mutex);
	if (flags & VMCI_QPFLAG_ATTACH_ONLY)
		return VMCI_ERROR_NOT_FOUND;
	if (!vmci_handle_is_invalid(handle) && handle.context != ctx->cid &&
	    handle.context != peer)
		return VMCI_ERROR_NO_ACCESS;
	if (is_local) {
		if (peer != VMCI_INVALID_ID && peer != ctx->cid)
			return VMCI_ERROR_NO_ACCESS;
	} else if (vmci_loop_cid_is_vm(ctx->cid) && vmci_loop_cid_is_vm(peer)) {
		return VMCI_ERROR_DST_UNREACHABLE;
	}

	if (atomic64_read(&vmci_loop_qp_total) + bytes > cap) {
		vmci_loop_count(qp_refused_memory, 1);
		pr_warn_ratelimited("queue pair of %llu bytes refused: %llu of the %lu MiB of qp_memory_mb in use\n",
				    bytes, atomic64_read(&vmci_loop_qp_total),
				    READ_ONCE(vmci_loop_qp_memory_max));
		return VMCI_ERROR_NO_MEM;
	}

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return VMCI_ERROR_NO_MEM;
	if (vmci_loop_q_alloc(&e->q[0], produce_size) ||
	    vmci_loop_q_alloc(&e->q[1], consume_size)) {
		vmci_loop_q_free_data(&e->q[0]);
		vmci_loop_q_free_data(&e->q[1]);
		kfree(e);
		return VMCI_ERROR_NO_MEM;
	}

	spin_lock_init(&e->notify_lock);
	e->end[0] = qp;
	e->handle = vmci_handle_is_invalid(handle) ?
		__vmci_loop_qp_new_handle(ctx) : handle;
	e->peer = peer;
	e->flags = flags;
	e->create_ctx = ctx;
	e->owner = ctx;
	e->memory = bytes;
	atomic64_add(bytes, &ctx->qp_memory);
	atomic64_add(bytes, &vmci_loop_qp_total);
	hash_add(vmci_loop_qp_table, &e->node, e->handle.resource);
	vmci_loop_qp_live++;
	vmci_loop_count(qp_created, 1);

	qp->entry = e;
	qp->produce_q = &e->q[0];
	qp->consume_q = &e->q[1];
	qp->creator = true;
	return VMCI_SUCCESS;
}

static int __vmci_loop_qp_attach(struct vmci_loop_ctx *ctx, struct vmci_qp *qp,
				 struct vmci_loop_qp_entry *e, u64 produce_size,
				 u64 consume_size, u32 flags)
{
	lockdep_assert_held(&vmci_loop_qp_mutex);
	if (e->severed || !e->create_ctx || e->attached)
		return VMCI_ERROR_UNAVAILABLE;
	if (flags & VMCI_QPFLAG_LOCAL) {
		if (!(e->flags & VMCI_QPFLAG_LOCAL) || ctx != e->create_ctx)
			return VMCI_ERROR_INVALID_ARGS;
	} else if (ctx == e->create_ctx) {
		return VMCI_ERROR_ALREADY_EXISTS;
	}
	if (ctx != e->create_ctx && vmci_loop_cid_is_vm(ctx->cid) &&
	    vmci_loop_cid_is_vm(e->create_ctx->cid))
		return VMCI_ERROR_DST_UNREACHABLE;
	if (e->peer != VMCI_INVALID_ID && e->peer != ctx->cid)
		return VMCI_ERROR_NO_ACCESS;
	if ((e->flags & ~VMCI_QP_ASYMM) != (flags & ~VMCI_QP_ASYMM_PEER))
		return VMCI_ERROR_QUEUEPAIR_MISMATCH;
	/* The attacher produces into the creator's consume ring. */
	if (e->q[1].size != produce_size || e->q[0].size != consume_size)
		return VMCI_ERROR_QUEUEPAIR_MISMATCH;

	spin_lock_bh(&e->notify_lock);
	e->end[1] = qp;
	spin_unlock_bh(&e->notify_lock);
	e->attach_ctx = ctx;
	e->attached = true;
	vmci_loop_count(qp_attached, 1);

	qp->entry = e;
	qp->produce_q = &e->q[1];
	qp->consume_q = &e->q[0];
	qp->creator = false;

	vmci_loop_event_qp(e->create_ctx, VMCI_EVENT_QP_PEER_ATTACH, e->handle,
			   ctx->cid);
	return VMCI_SUCCESS;
}

/**
 * vmci_loop_qp_alloc - create a queue pair, or attach to one
 * @ctx: the context of the caller
 * @qpair: the caller's end, on success
 * @handle: the pair to attach to, or VMCI_INVALID_HANDLE to create one;
 *	    the pair's handle on success
 * @produce_qsize: bytes of the ring the caller writes
 * @consume_qsize: bytes of the ring the caller reads
 * @peer: the only context that may attach, or VMCI_INVALID_ID for any
 * @flags: VMCI_QPFLAG_ATTACH_ONLY to fail rather than create;
 *	   VMCI_QPFLAG_LOCAL for a pair within one context
 * @priv_flags: VMCI_PRIVILEGE_FLAG_TRUSTED, which a guest may not ask for
 * @charge: NULL, or a charge on a user's share that the pair takes over
 *	    on success (it then holds nothing)
 *
 * Return: VMCI_SUCCESS, or as vmw_vmci: VMCI_ERROR_INVALID_ARGS,
 * VMCI_ERROR_NO_RESOURCES (one pair over 128 MiB), VMCI_ERROR_NO_ACCESS,
 * VMCI_ERROR_NOT_FOUND, VMCI_ERROR_ALREADY_EXISTS, VMCI_ERROR_UNAVAILABLE,
 * VMCI_ERROR_DST_UNREACHABLE, VMCI_ERROR_QUEUEPAIR_MISMATCH, and
 * VMCI_ERROR_NO_MEM, also when qp_memory_mb would be exceeded.
 */
int vmci_loop_qp_alloc(struct vmci_loop_ctx *ctx, struct vmci_qp **qpair,
		       struct vmci_handle *handle, u64 produce_qsize,
		       u64 consume_qsize, u32 peer, u32 flags, u32 priv_flags,
		       struct vmci_loop_qp_charge *charge)
{
	struct vmci_loop_qp_entry *e = NULL;
	struct vmci_qp *qp;
	int result;

	if (!qpair || !handle || (!produce_qsize && !consume_qsize))
		return VMCI_ERROR_INVALID_ARGS;
	if (!vmci_loop_qp_sizes_valid(produce_qsize, consume_qsize))
		return VMCI_ERROR_NO_RESOURCES;
	if ((flags & ~VMCI_QP_ALL_FLAGS) ||
	    (flags & (VMCI_QPFLAG_NONBLOCK | VMCI_QPFLAG_PINNED)) ||
	    (priv_flags & ~VMCI_PRIVILEGE_ALL_FLAGS))
		return VMCI_ERROR_INVALID_ARGS;
	/* As in a VMware guest: only a host endpoint may be trusted. */
	if (ctx != &vmci_loop_host && priv_flags != VMCI_NO_PRIVILEGE_FLAGS)
		return VMCI_ERROR_NO_ACCESS;

	qp = kzalloc(sizeof(*qp), GFP_KERNEL);
	if (!qp)
		return VMCI_ERROR_NO_MEM;
	qp->ctx = ctx;

	mutex_lock(&vmci_loop_qp_mutex);
	if (handle->resource != VMCI_INVALID_ID)
		e = __vmci_loop_qp_find(*handle);
	if (e)
		result = __vmci_loop_qp_attach(ctx, qp, e, produce_qsize,
					       consume_qsize, flags);
	else
		result = __vmci_loop_qp_create(ctx, qp, *handle, produce_qsize,
					       consume_qsize, peer, flags);
	if (result == VMCI_SUCCESS) {
		*handle = qp->entry->handle;
		/* Made or joined, the pair holds the charge from now on. */
		if (charge && charge->bytes) {
			__vmci_loop_qp_uncharge(&qp->entry->charge);
			qp->entry->charge = *charge;
			charge->bytes = 0;
		}
	}
	mutex_unlock(&vmci_loop_qp_mutex);

	if (result != VMCI_SUCCESS) {
		kfree(qp);
		return result;
	}
	*qpair = qp;
	return VMCI_SUCCESS;
}

/* Detach @qp from its pair, tell the other end, free what nobody holds. */
static int vmci_loop_qp_detach(struct vmci_qp *qp)
{
	struct vmci_loop_qp_entry *e = qp->entry;
	struct vmci_loop_ctx *other;

	/* No notification for this end runs once it is off the pair. */
	spin_lock_bh(&e->notify_lock);
	e->end[qp->creator ? 0 : 1] = NULL;
	if (qp->peer_notify)
		atomic_dec(&e->notify_ends);
	spin_unlock_bh(&e->notify_lock);

	mutex_lock(&vmci_loop_qp_mutex);
	if (qp->creator) {
		e->create_ctx = NULL;
		other = e->attach_ctx;
	} else {
		e->attach_ctx = NULL;
		other = e->create_ctx;
	}
	/*
	 * Also after a reset: an end that was between attaching and knowing
	 * its handle then has not heard (the handlers do not mind twice).
	 */
	if (other)
		vmci_loop_event_qp(other, VMCI_EVENT_QP_PEER_DETACH, e->handle,
				   qp->ctx->cid);
	if (!e->create_ctx && !e->attach_ctx)
		__vmci_loop_qp_free(e);
	mutex_unlock(&vmci_loop_qp_mutex);

	kfree(qp);
	return VMCI_SUCCESS;
}

/**
 * vmci_loop_qp_reset_all - cut every queue pair, as a VM suspend/resume does
 *
 * Return: how many queue pairs were cut.
 */
unsigned int vmci_loop_qp_reset_all(void)
{
	struct vmci_loop_qp_entry *e;
	unsigned int n = 0;
	int bkt;

	mutex_lock(&vmci_loop_qp_mutex);
	hash_for_each(vmci_loop_qp_table, bkt, e, node) {
		if (e->severed)
			continue;
		WRITE_ONCE(e->severed, true);
		n++;
		if (e->create_ctx)
			vmci_loop_event_qp(e->create_ctx,
					   VMCI_EVENT_QP_PEER_DETACH, e->handle,
					   e->attach_ctx ? e->attach_ctx->cid :
					   e->peer);
		if (e->attach_ctx)
			vmci_loop_event_qp(e->attach_ctx,
					   VMCI_EVENT_QP_PEER_DETACH, e->handle,
					   e->owner->cid);
	}
	vmci_loop_event_resumed(&vmci_loop_guest);
	mutex_unlock(&vmci_loop_qp_mutex);

	vmci_loop_count(resets, n);
	return n;
}

/**
 * vmci_loop_qp_set_peer_notify - hear of every write and read of the peer
 * @qp: this end
 * @fn: called after each write (@wrote true) or read the other end makes on
 *	the rings, in its context, with a spinlock held and bottom halves off
 * @data: passed to @fn
 *
 * Once vmci_qpair_detach() has returned for @qp, @fn is not called again.
 */
void vmci_loop_qp_set_peer_notify(struct vmci_qp *qp,
				  void (*fn)(void *data, bool wrote), void *data)
{
	struct vmci_loop_qp_entry *e = qp->entry;

	spin_lock_bh(&e->notify_lock);
	if (!qp->peer_notify)
		atomic_inc(&e->notify_ends);
	qp->peer_notify = fn;
	qp->notify_data = data;
	spin_unlock_bh(&e->notify_lock);
}

/* Whether the other end of @qp came and went, or a reset cut the pair. */
bool vmci_loop_qp_peer_gone(const struct vmci_qp *qp)
{
	const struct vmci_loop_qp_entry *e = qp->entry;
	bool gone;

	mutex_lock(&vmci_loop_qp_mutex);
	gone = e->severed ||
		(e->attached && !(qp->creator ? e->attach_ctx : e->create_ctx));
	mutex_unlock(&vmci_loop_qp_mutex);
	return gone;
}

bool vmci_loop_qp_severed(const struct vmci_qp *qp)
{
	return READ_ONCE(qp->entry->severed);
}

unsigned int vmci_loop_qp_count(void)
{
	return READ_ONCE(vmci_loop_qp_live);
}

u64 vmci_loop_qp_memory(void)
{
	return atomic64_read(&vmci_loop_qp_total);
}

void vmci_loop_qp_for_each(void (*fn)(const struct vmci_loop_qp_info *qi,
				      void *arg),
			   void *arg)
{
	struct vmci_loop_qp_entry *e;
	struct vmci_loop_qp_info qi;
	int bkt;

	mutex_lock(&vmci_loop_qp_mutex);
	hash_for_each(vmci_loop_qp_table, bkt, e, node) {
		qi.handle = e->handle;
		qi.create_cid = e->create_ctx ? e->create_ctx->cid :
			VMCI_INVALID_ID;
		qi.attach_cid = e->attach_ctx ? e->attach_ctx->cid :
			VMCI_INVALID_ID;
		qi.produce_size = e->q[0].size;
		qi.consume_size = e->q[1].size;
		qi.produce_used = max_t(s64, vmci_loop_q_used(&e->q[0]), 0);
		qi.consume_used = max_t(s64, vmci_loop_q_used(&e->q[1]), 0);
		qi.severed = e->severed;
		fn(&qi, arg);
	}
	mutex_unlock(&vmci_loop_qp_mutex);
}

/* ---- the API: queue pairs ---- */

int vmci_qpair_alloc(struct vmci_qp **qpair, struct vmci_handle *handle,
		     u64 produce_qsize, u64 consume_qsize, u32 peer, u32 flags,
		     u32 priv_flags)
{
	return vmci_loop_qp_alloc(&vmci_loop_guest, qpair, handle,
				  produce_qsize, consume_qsize, peer, flags,
				  priv_flags, NULL);
}
EXPORT_SYMBOL_GPL(vmci_qpair_alloc);

int vmci_qpair_detach(struct vmci_qp **qpair)
{
	int result;

	if (!qpair || !*qpair)
		return VMCI_ERROR_INVALID_ARGS;
	result = vmci_loop_qp_detach(*qpair);
	*qpair = NULL;
	return result;
}
EXPORT_SYMBOL_GPL(vmci_qpair_detach);

/* Offsets in the ring @q: this end's own one and the peer's. */
static int vmci_loop_q_indexes(const struct vmci_loop_queue *q,
			       u64 *tail, u64 *head)
{
	/* Pairs with the release of each in enqueue (tail) and dequeue (head). */
	u64 t = smp_load_acquire(&q->tail), h = smp_load_acquire(&q->head);

	if (t >= q->size || h >= q->size)
		return VMCI_ERROR_INVALID_SIZE;
	if (tail)
		*tail = t;
	if (head)
		*head = h;
	return VMCI_SUCCESS;
}

int vmci_qpair_get_produce_indexes(const struct vmci_qp *qpair,
				   u64 *producer_tail, u64 *consumer_head)
{
	if (!qpair)
		return VMCI_ERROR_INVALID_ARGS;
	return vmci_loop_q_indexes(qpair->produce_q, producer_tail,
				   consumer_head);
}
EXPORT_SYMBOL_GPL(vmci_qpair_get_produce_indexes);

int vmci_qpair_get_consume_indexes(const struct vmci_qp *qpair,
				   u64 *consumer_tail, u64 *producer_head)
{
	if (!qpair)
		return VMCI_ERROR_INVALID_ARGS;
	return vmci_loop_q_indexes(qpair->consume_q, consumer_tail,
				   producer_head);
}
EXPORT_SYMBOL_GPL(vmci_qpair_get_consume_indexes);

s64 vmci_qpair_produce_free_space(const struct vmci_qp *qpair)
{
	if (!qpair)
		return VMCI_ERROR_INVALID_ARGS;
	return vmci_loop_q_free(qpair->produce_q);
}
EXPORT_SYMBOL_GPL(vmci_qpair_produce_free_space);

s64 vmci_qpair_produce_buf_ready(const struct vmci_qp *qpair)
{
	if (!qpair)
		return VMCI_ERROR_INVALID_ARGS;
	return vmci_loop_q_used(qpair->produce_q);
}
EXPORT_SYMBOL_GPL(vmci_qpair_produce_buf_ready);

s64 vmci_qpair_consume_free_space(const struct vmci_qp *qpair)
{
	if (!qpair)
		return VMCI_ERROR_INVALID_ARGS;
	return vmci_loop_q_free(qpair->consume_q);
}
EXPORT_SYMBOL_GPL(vmci_qpair_consume_free_space);

s64 vmci_qpair_consume_buf_ready(const struct vmci_qp *qpair)
{
	if (!qpair)
		return VMCI_ERROR_INVALID_ARGS;
	return vmci_loop_q_used(qpair->consume_q);
}
EXPORT_SYMBOL_GPL(vmci_qpair_consume_buf_ready);

ssize_t vmci_qpair_enquev(struct vmci_qp *qpair, struct msghdr *msg,
			  size_t iov_size, int mode)
{
	if (!qpair)
		return VMCI_ERROR_INVALID_ARGS;
	return vmci_loop_q_enqueue(qpair, &msg->msg_iter);
}
EXPORT_SYMBOL_GPL(vmci_qpair_enquev);

ssize_t vmci_qpair_dequev(struct vmci_qp *qpair, struct msghdr *msg,
			  size_t iov_size, int mode)
{
	if (!qpair)
		return VMCI_ERROR_INVALID_ARGS;
	return vmci_loop_q_dequeue(qpair, &msg->msg_iter, true);
}
EXPORT_SYMBOL_GPL(vmci_qpair_dequev);

ssize_t vmci_qpair_peekv(struct vmci_qp *qpair, struct msghdr *msg,
			 size_t iov_size, int mode)
{
	if (!qpair)
		return VMCI_ERROR_INVALID_ARGS;
	return vmci_loop_q_dequeue(qpair, &msg->msg_iter, false);
}
EXPORT_SYMBOL_GPL(vmci_qpair_peekv);
