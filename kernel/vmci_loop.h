/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmci_loop: a software VMCI device with a vsock transport on top.
 *
 * One kernel plays both ends of a VMware VMCI channel: the guest (context
 * guest_cid, 3 by default) and its host (context 2). The layers, one file
 * each:
 *
 *   vmci_device.c      contexts, routing (after drivers/misc/vmw_vmci/
 *                      vmci_route.c) and the statistics counters
 *   vmci_datagram.c    datagram endpoints addressed by handle
 *   vmci_queue_pair.c  queue pairs: two ring buffers shared by the two ends
 *                      of a stream, with attach/detach events
 *   vmci_transport.c   the vsock transport (struct vsock_transport) on top
 *   vmci_debugfs.c     counters, live queue pairs and the fault knobs
 *   vmci_loop_main.c   module init/exit and transport registration
 */
#ifndef VMCI_LOOP_H
#define VMCI_LOOP_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>

#define VMCI_LOOP_HYPERVISOR_CID	0
#define VMCI_LOOP_WELL_KNOWN_CID	1
#define VMCI_LOOP_HOST_CID		2
#define VMCI_LOOP_INVALID_ID		U32_MAX

/* The VMCI datagram limits: a 24-byte header and at most 17 pages in all. */
#define VMCI_LOOP_DG_HEADER_SIZE	24
#define VMCI_LOOP_MAX_DG_SIZE		(17 * 4096)
#define VMCI_LOOP_MAX_DG_PAYLOAD	(VMCI_LOOP_MAX_DG_SIZE - \
					 VMCI_LOOP_DG_HEADER_SIZE)

/* Resource IDs 0-1023 are reserved, as VMCI reserves them. */
#define VMCI_LOOP_FIRST_FREE_RESOURCE	1024

/* Largest queue-pair ring we agree to allocate for one direction. */
#define VMCI_LOOP_MAX_QP_SIZE		(64ULL << 20)
#define VMCI_LOOP_MIN_QP_SIZE		128ULL

struct vmci_loop_handle {
	u32 context;
	u32 resource;
};

/* ---- vmci_device.c ---- */

extern u32 vmci_loop_guest_cid;

bool vmci_loop_context_exists(u32 cid);
int vmci_loop_route(struct vmci_loop_handle *src,
		    const struct vmci_loop_handle *dst);

/*
 * Counters, per CPU so that the data path never bounces a shared cache line.
 * Summed by vmci_loop_stats_read() for debugfs.
 */
struct vmci_loop_stats {
	u64 stream_connects;		/* connections established */
	u64 stream_refused;		/* requests answered with a reset */
	u64 stream_resets;		/* connections reset by the knob */
	u64 stream_bytes_sent;
	u64 stream_bytes_received;
	u64 dgram_sent;			/* accepted for delivery */
	u64 dgram_received;		/* queued on a receiving socket */
	u64 dgram_dropped;		/* receiver's buffer full */
	u64 dgram_no_endpoint;		/* nobody bound to the destination */
	u64 dgram_bytes_sent;
	u64 qp_created;
	u64 qp_destroyed;
};

DECLARE_PER_CPU(struct vmci_loop_stats, vmci_loop_pcpu_stats);

#define vmci_loop_count(field, n) \
	this_cpu_add(vmci_loop_pcpu_stats.field, (n))

void vmci_loop_stats_read(struct vmci_loop_stats *sum);

/* ---- vmci_datagram.c ---- */

/*
 * A datagram endpoint: what a bound datagram socket registers. @deliver is
 * called with the endpoint table lock held (atomic context): it must queue or
 * free the skb and not sleep. The skb's control block holds the source.
 */
struct vmci_loop_dg_endpoint {
	struct vmci_loop_handle handle;	/* context may be INVALID = any */
	struct hlist_node node;
	int (*deliver)(struct vmci_loop_dg_endpoint *ep, struct sk_buff *skb);
};

struct vmci_loop_dg_cb {
	struct vmci_loop_handle src;
};

#define VMCI_LOOP_DG_CB(skb) ((struct vmci_loop_dg_cb *)((skb)->cb))

int vmci_loop_dg_create_handle(struct vmci_loop_dg_endpoint *ep,
			       u32 context, u32 resource);
void vmci_loop_dg_destroy_handle(struct vmci_loop_dg_endpoint *ep);
int vmci_loop_dg_send(struct vmci_loop_handle *src,
		      const struct vmci_loop_handle *dst, struct sk_buff *skb);
int vmci_loop_dg_init(void);
void vmci_loop_dg_exit(void);

/* ---- vmci_queue_pair.c ---- */

/*
 * One direction of a queue pair. @tail is written only by the producer and
 * @head only by the consumer, each under its own socket lock; the other side
 * reads them with acquire semantics. Both count bytes since creation.
 */
struct vmci_loop_ring {
	u64 head;
	u64 tail;
	u64 size;
	u8 *data;
};

/* Events delivered to one end about the other end, under qp->lock. */
struct vmci_loop_qp_peer_ops {
	void (*attached)(void *ctx);
	void (*wrote)(void *ctx);	/* data arrived in our consume ring */
	void (*read)(void *ctx);	/* space freed in our produce ring */
	void (*shutdown)(void *ctx, int mode);
	void (*detached)(void *ctx, bool reset);
};

struct vmci_loop_qp_end {
	const struct vmci_loop_qp_peer_ops *ops;
	void *ctx;
	u32 context;
};

struct vmci_loop_qp {
	struct vmci_loop_handle handle;
	struct kref ref;
	/* Protects end[] (who is attached) and serialises event delivery. */
	spinlock_t lock;
	struct vmci_loop_qp_end end[2];	/* 0: creator, 1: attacher */
	struct vmci_loop_ring ring[2];	/* ring[i] is produced by end i */
	struct list_head link;		/* on the device's queue-pair list */
};

struct vmci_loop_qp *vmci_loop_qp_create(u32 context, u64 size0, u64 size1,
					 const struct vmci_loop_qp_peer_ops *ops,
					 void *ctx);
void vmci_loop_qp_attach(struct vmci_loop_qp *qp, u32 context,
			 const struct vmci_loop_qp_peer_ops *ops, void *ctx);
void vmci_loop_qp_detach(struct vmci_loop_qp *qp, int side, bool reset);
void vmci_loop_qp_signal_shutdown(struct vmci_loop_qp *qp, int side, int mode);
ssize_t vmci_loop_qp_enqueue(struct vmci_loop_qp *qp, int side,
			     struct iov_iter *from, size_t len);
ssize_t vmci_loop_qp_dequeue(struct vmci_loop_qp *qp, int side,
			     struct iov_iter *to, size_t len, bool peek);
u64 vmci_loop_qp_ready(struct vmci_loop_qp *qp, int side);
u64 vmci_loop_qp_free_space(struct vmci_loop_qp *qp, int side);
void vmci_loop_qp_for_each(void (*fn)(struct vmci_loop_qp *qp, void *arg),
			   void *arg);
unsigned int vmci_loop_qp_count(void);

/* ---- vmci_transport.c ---- */

int vmci_loop_transport_init(void);
void vmci_loop_transport_exit(void);
int vmci_loop_reset_streams(void);
extern bool vmci_loop_drop_requests;

/* ---- vmci_debugfs.c ---- */

int vmci_loop_debugfs_init(void);
void vmci_loop_debugfs_exit(void);

#endif /* VMCI_LOOP_H */
