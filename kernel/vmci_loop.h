/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmci_loop: a VMCI device in software, so that one Linux kernel is both a
 * VMware guest and its host.
 *
 * The device holds two VMCI contexts: the host (context 2) and one guest
 * (module parameter guest_cid). The guest is what a VMware VM has: the
 * distro's own vmw_vsock_vmci_transport loads on the device API this module
 * exports (the 21 functions of <linux/vmw_vmci_api.h> it imports) and serves
 * the guest's sockets, unchanged. The host side is this module's own vsock
 * transport, which speaks the VMCI stream protocol to the stock transport.
 *
 *   vmci_device.c          contexts, routing, the vsock callback, counters
 *   vmci_datagram.c        datagram handles per context and their delivery
 *   vmci_event.c           event subscriptions per context and delivery
 *   vmci_queue_pair.c      the queue-pair broker, the rings, the cap on
 *                          their memory, and the reset of every pair
 *   vmci_host_transport.c  the host's vsock transport (H2G and LOCAL)
 *   vmci_debugfs.c         counters, queue pairs and the fault knobs
 *   vmci_loop_main.c       module init/exit, the real-hardware refusal
 *
 * Where one kernel holding both ends forces a departure from VMware's
 * device, it is on purpose (see README.md, "One kernel, two roles"): the
 * vsock callback is only ever told "guest"; the exported API is the guest's;
 * a datagram whose source is bound to no context speaks as the host when it
 * goes to the guest and as the guest otherwise; and the guest's datagram
 * handles answer for the host context too (every datagram socket of this
 * kernel is on the stock transport).
 *
 * This header stays light on purpose: the files that export the API must see
 * the types of its prototypes as drivers/misc/vmw_vmci sees them, or the
 * symbol CRCs differ from those the stock transport was built against.
 */
#ifndef VMCI_LOOP_H
#define VMCI_LOOP_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vmw_vmci_defs.h>
#include <linux/vmw_vmci_api.h>

/* The resource every VMCI socket transport sends its control packets on. */
#define VMCI_LOOP_VSOCK_CONTROL_RID	1

#define VMCI_LOOP_DG_HASH_BITS		7

/*
 * One context of the device: the host or the guest.
 *
 * @rx_lock serialises what the context receives, datagrams and events
 * alike, as the one interrupt tasklet of a VMCI guest does: every callback
 * into the context runs with it held and bottom halves disabled (the stock
 * transport relies on that: it builds some replies in one static packet).
 * It also guards @subscribers. Contexts take each other's rx_lock only in
 * the order guest, then host: a host-side callback never sends.
 *
 * @dg_lock guards @dg_table and @next_rid; it nests inside rx_lock.
 */
struct vmci_loop_ctx {
	u32 cid;
	const char *name;
	u32 priv_flags;
	spinlock_t rx_lock;		/* see above */
	struct list_head subscribers[VMCI_EVENT_MAX];
	spinlock_t dg_lock;		/* see above */
	struct hlist_head dg_table[1 << VMCI_LOOP_DG_HASH_BITS];
	u32 next_rid;
	atomic64_t qp_memory;		/* bytes of the queue pairs it created */
};

/* ---- vmci_device.c ---- */

extern struct vmci_loop_ctx vmci_loop_host;
extern struct vmci_loop_ctx vmci_loop_guest;

/* The module's work queue: deferred datagrams, the host's control work. */
extern struct workqueue_struct *vmci_loop_wq;

/*
 * Callbacks into a context running on this CPU: 0 or 1, since they never
 * nest (a datagram sent from inside one is deferred). Read and written with
 * bottom halves disabled.
 */
DECLARE_PER_CPU(unsigned int, vmci_loop_in_callback);

void vmci_loop_contexts_init(u32 guest_cid);
struct vmci_loop_ctx *vmci_loop_ctx_by_cid(u32 cid);
struct vmci_loop_ctx *vmci_loop_route(struct vmci_handle *src,
				      const struct vmci_handle *dst,
				      int *result);

/*
 * Counters, per CPU so that the data path never bounces a shared cache line.
 * Summed by vmci_loop_stats_read() for debugfs.
 */
struct vmci_loop_stats {
	u64 dgram_sent;		/* accepted for delivery */
	u64 dgram_received;	/* handed to a datagram handle */
	u64 dgram_dropped;	/* refused by the handle's callback */
	u64 dgram_no_endpoint;	/* to a guest resource nobody holds */
	u64 dgram_bytes_sent;
	u64 control_packets;	/* stream control packets (resource 1) */
	u64 qp_created;
	u64 qp_attached;
	u64 qp_destroyed;
	u64 qp_refused_memory;	/* allocations over the memory cap */
	u64 qp_refused_user;	/* connections over a user's share */
	u64 stream_connects;	/* host-side connections established */
	u64 stream_refused;	/* requests the host side answered with RST */
	u64 stream_lingered;	/* closes that kept the pair for the guest */
	u64 stream_pending_reset;	/* requests the guest reset before ATTACH */
	u64 stream_bytes_sent;	/* by the host side */
	u64 stream_bytes_received;
	u64 resets;		/* queue pairs cut by the reset knob */
};

DECLARE_PER_CPU(struct vmci_loop_stats, vmci_loop_pcpu_stats);

#define vmci_loop_count(field, n) \
	this_cpu_add(vmci_loop_pcpu_stats.field, (n))

void vmci_loop_stats_read(struct vmci_loop_stats *sum);

/* ---- vmci_datagram.c ---- */

int vmci_loop_dg_create(struct vmci_loop_ctx *ctx, u32 resource_id,
			u32 flags, u32 priv_flags,
			vmci_datagram_recv_cb recv_cb, void *client_data,
			struct vmci_handle *out_handle);
int vmci_loop_dg_destroy(struct vmci_loop_ctx *ctx,
			 struct vmci_handle handle);
int vmci_loop_dg_dispatch(struct vmci_datagram *dg);
void vmci_loop_dg_exit(void);

/* ---- vmci_event.c ---- */

int vmci_loop_event_subscribe(struct vmci_loop_ctx *ctx, u32 event,
			      vmci_event_cb callback, void *callback_data,
			      u32 *subscription_id);
int vmci_loop_event_unsubscribe(struct vmci_loop_ctx *ctx, u32 sub_id);
void vmci_loop_event_qp(struct vmci_loop_ctx *ctx, u32 event,
			struct vmci_handle handle, u32 peer_id);
void vmci_loop_event_resumed(struct vmci_loop_ctx *ctx);
void vmci_loop_event_exit(void);

/* ---- vmci_queue_pair.c ---- */

extern unsigned long vmci_loop_qp_memory_max;
extern unsigned int vmci_loop_qp_user_percent;

/*
 * Ring memory charged to a user's share (qp_user_percent of qp_memory_mb):
 * held by a host socket from the negotiation on, then by its queue pair,
 * until the pair is freed. @uid is a kuid_t's value (the header stays
 * light, see above); @bytes is 0 when nothing is held.
 */
struct vmci_loop_qp_charge {
	uid_t uid;
	u64 bytes;
};

int vmci_loop_qp_charge(struct vmci_loop_qp_charge *c, uid_t uid, u64 bytes);
void vmci_loop_qp_uncharge(struct vmci_loop_qp_charge *c);
u64 vmci_loop_qp_user_max(void);
int vmci_loop_qp_alloc(struct vmci_loop_ctx *ctx, struct vmci_qp **qpair,
		       struct vmci_handle *handle, u64 produce_qsize,
		       u64 consume_qsize, u32 peer, u32 flags, u32 priv_flags,
		       struct vmci_loop_qp_charge *charge);
void vmci_loop_qp_set_peer_notify(struct vmci_qp *qp,
				  void (*fn)(void *data, bool wrote), void *data);
bool vmci_loop_qp_peer_gone(const struct vmci_qp *qp);
bool vmci_loop_qp_severed(const struct vmci_qp *qp);
unsigned int vmci_loop_qp_reset_all(void);
unsigned int vmci_loop_qp_count(void);
u64 vmci_loop_qp_memory(void);

/* One line of debugfs's queue_pairs file, for each live pair. */
struct vmci_loop_qp_info {
	struct vmci_handle handle;
	u32 create_cid;		/* VMCI_INVALID_ID once detached */
	u32 attach_cid;
	u64 produce_size;	/* as the creator sees it */
	u64 consume_size;
	u64 produce_used;
	u64 consume_used;
	bool severed;
};

void vmci_loop_qp_for_each(void (*fn)(const struct vmci_loop_qp_info *qi,
				      void *arg),
			   void *arg);

/* ---- vmci_host_transport.c ---- */

extern bool vmci_loop_drop_requests;

int vmci_loop_host_transport_init(void);
void vmci_loop_host_transport_exit(void);

/* ---- vmci_debugfs.c ---- */

void vmci_loop_debugfs_init(void);
void vmci_loop_debugfs_exit(void);

#endif /* VMCI_LOOP_H */
