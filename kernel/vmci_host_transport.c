// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop host transport: the vsock stream sockets of the host (context
 * 2), speaking the VMCI stream protocol to the guest's transport, which is
 * the distro's vmw_vsock_vmci_transport (net/vmw_vsock/vmci_transport.c).
 *
 * af_vsock gives this transport its H2G and LOCAL slots: a bind to CID 2,
 * and a connect to the guest's CID (which af_vsock sends to the LOCAL slot:
 * in one kernel, calling the guest is being the host). The stock transport
 * holds G2H and DGRAM: a connect to CID 2 is the guest calling, and every
 * datagram socket is the guest's.
 *
 * The protocol. Control packets are VMCI datagrams between resource 1 of
 * the two contexts; the data moves through a queue pair:
 *
 *	client                          listener
 *	REQUEST2 (size, protocols) -->
 *	                            <-- NEGOTIATE2 (size, protocol)
 *	creates the queue pair
 *	OFFER (handle)             -->
 *	                                attaches to it
 *	                            <-- ATTACH (handle)
 *
 * then WROTE when a ring goes from empty to not empty, READ when a full ring
 * gets space (the "queue state" notification protocol, PKT_ON_NOTIFY, the
 * only one spoken here: every transport since 2013 offers it), SHUTDOWN
 * (mode) and RST. An end that goes away detaches from the queue pair, and
 * the device tells the other end (QP_PEER_DETACH).
 *
 * The queue-state protocol leaves a reader that polls with SO_RCVLOWAT
 * asleep on a ring that is not empty: so this end announces every write
 * with WROTE, and the device tells it directly of every write and read the
 * guest does on their rings (vmci_loop_qp_set_peer_notify()).
 *
 * Where this end departs from vmci_transport.c on purpose: after a normal
 * peer close a host end still reads what the guest wrote before it left (the
 * device keeps the rings; after a reset, as on VMware, it does not); a
 * SHUTDOWN during the handshake is kept, not answered with RST; a socket
 * that goes away says so with a SHUTDOWN and leaves the pair once the
 * guest's end has left it (or at a backstop), as virtio's transport waits
 * for its peer after a close, instead of detaching when it is freed (see
 * vmci_loop_host_linger()); and a shutdown after the peer left keeps the
 * end of file (see vmci_loop_host_shutdown()).
 *
 * Context. The device calls vmci_loop_host_recv() in atomic context with the
 * host's rx_lock held, where nothing may be sent (vmci_loop.h). It wakes a
 * socket for WROTE and READ when no process holds it, and hands every other
 * packet to a work item that takes the socket lock, as the stock transport
 * does. The queue-pair detach event goes to a work item as well.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/af_vsock.h>
#include <net/sock.h>

#include "vmci_loop.h"

/* The wire format of a control packet (vmci_transport.h, which is private). */
#define VMCI_LOOP_PACKET_VERSION	1
#define VMCI_LOOP_PROTO_PKT_ON_NOTIFY	BIT(0)

enum vmci_loop_packet_type {
	VMCI_LOOP_PKT_INVALID = 0,
	VMCI_LOOP_PKT_REQUEST,
	VMCI_LOOP_PKT_NEGOTIATE,
	VMCI_LOOP_PKT_OFFER,
	VMCI_LOOP_PKT_ATTACH,
	VMCI_LOOP_PKT_WROTE,
	VMCI_LOOP_PKT_READ,
	VMCI_LOOP_PKT_RST,
	VMCI_LOOP_PKT_SHUTDOWN,
	VMCI_LOOP_PKT_WAITING_WRITE,
	VMCI_LOOP_PKT_WAITING_READ,
	VMCI_LOOP_PKT_REQUEST2,
	VMCI_LOOP_PKT_NEGOTIATE2,
	VMCI_LOOP_PKT_MAX
};

struct vmci_loop_packet {
	struct vmci_datagram dg;
	u8 version;
	u8 type;
	u16 proto;
	u32 src_port;
	u32 dst_port;
	u32 reserved;
	union {
		u64 size;
		u64 mode;
		struct vmci_handle handle;
		struct {
			u64 generation;
			u64 offset;
		} wait;
	} u;
};

/*
 * Per-socket state (vsk->trans). Everything is protected by the socket
 * lock, except what the device's callbacks use: @qp_key, which the detach
 * event reads to know its pair, and @sk, which they use under @lock and
 * which destruct() clears (a pending child is freed without release(), and
 * its pair is left from a work item, after the socket is gone).
 */
struct vmci_loop_hsock {
	spinlock_t lock;		/* guards @sk */
	struct sock *sk;
	struct vsock_sock *vsk;
	struct vmci_qp *qpair;
	struct vmci_handle qp_handle;
	u64 qp_key;			/* qp_handle as one word, or 0 */
	u64 queue_size;			/* both rings */
	u32 detach_sub_id;
	int pending_shutdown;		/* asked for during the handshake */
	struct vmci_loop_qp_charge charge;	/* until the pair takes it */
	bool guest_fresh;		/* nothing heard since our ATTACH */
	bool guest_attached;		/* seen to have taken our ATTACH */
	bool lingering;			/* closed, still on the pair: linger_work */
	bool linger_shutdown;		/* closed: SHUTDOWN sent, detach later */
	unsigned long linger_end;	/* jiffies: detach by then anyway */
	struct work_struct detach_work;
	struct work_struct cleanup_work;
	struct delayed_work linger_work;
};

/* A packet for the socket lock's holder, or, with @sk NULL, to answer. */
struct vmci_loop_host_pkt_work {
	struct work_struct work;
	struct sock *sk;
	struct vmci_loop_packet pkt;
};

static struct vsock_transport vmci_loop_host_transport;
static struct vmci_handle vmci_loop_host_control = {
	VMCI_INVALID_ID, VMCI_INVALID_ID
};

/* Set while probing which vsock slots other transports hold. */
static bool vmci_loop_host_probing;

/* debugfs knob: connection requests are lost, both ways (connects time out). */
bool vmci_loop_drop_requests;

static inline struct vmci_loop_hsock *vmci_loop_hs(struct vsock_sock *vsk)
{
	return vsk->trans;
}

static u64 vmci_loop_handle_key(struct vmci_handle h)
{
	return vmci_handle_is_invalid(h) ? 0 :
		((u64)h.context << 32) | h.resource;
}

/* The errno the stock transport gives for a VMCI error, for both ends alike. */
static int vmci_loop_host_errno(int vmci_error)
{
	switch (vmci_error) {
	case VMCI_ERROR_NO_MEM:
		return -ENOMEM;
	case VMCI_ERROR_DUPLICATE_ENTRY:
	case VMCI_ERROR_ALREADY_EXISTS:
		return -EADDRINUSE;
	case VMCI_ERROR_NO_ACCESS:
		return -EPERM;
	case VMCI_ERROR_NO_RESOURCES:
		return -ENOBUFS;
	case VMCI_ERROR_INVALID_RESOURCE:
		return -EHOSTUNREACH;
	default:
		return -EINVAL;
	}
}

/* ---- sending control packets ---- */

static int vmci_loop_host_send(const struct sockaddr_vm *src,
			       const struct sockaddr_vm *dst, u8 type,
			       u64 size, u16 proto, struct vmci_handle handle)
{
	struct vmci_loop_packet pkt = {
		.dg.src = vmci_make_handle(VMCI_HOST_CONTEXT_ID,
					   VMCI_LOOP_VSOCK_CONTROL_RID),
		.dg.dst = vmci_make_handle(dst->svm_cid,
					   VMCI_LOOP_VSOCK_CONTROL_RID),
		.dg.payload_size = sizeof(pkt) - sizeof(pkt.dg),
		.version = VMCI_LOOP_PACKET_VERSION,
		.type = type,
		.proto = proto,
		.src_port = src->svm_port,
		.dst_port = dst->svm_port,
	};
	int err;

	BUILD_BUG_ON(sizeof(pkt) != 56);
	if (type == VMCI_LOOP_PKT_OFFER || type == VMCI_LOOP_PKT_ATTACH)
		pkt.u.handle = handle;
	else
		pkt.u.size = size;	/* also the mode of a SHUTDOWN */

	err = vmci_loop_dg_dispatch(&pkt.dg);
	return err < 0 ? vmci_loop_host_errno(err) : 0;
}

static int vmci_loop_host_send_sk(struct sock *sk, u8 type, u64 size,
				  u16 proto, struct vmci_handle handle)
{
	struct vsock_sock *vsk = vsock_sk(sk);

	return vmci_loop_host_send(&vsk->local_addr, &vsk->remote_addr, type,
				   size, proto, handle);
}

static int vmci_loop_host_send_plain(struct sock *sk, u8 type, u64 size)
{
	return vmci_loop_host_send_sk(sk, type, size, 0, VMCI_INVALID_HANDLE);
}

/* Answer @pkt, which has no socket to go to, with a reset. */
static void vmci_loop_host_reply_reset(const struct vmci_loop_packet *pkt)
{
	struct sockaddr_vm local, remote;

	if (pkt->type == VMCI_LOOP_PKT_RST)
		return;
	vsock_addr_init(&local, pkt->dg.dst.context, pkt->dst_port);
	vsock_addr_init(&remote, pkt->dg.src.context, pkt->src_port);
	vmci_loop_host_send(&local, &remote, VMCI_LOOP_PKT_RST, 0, 0,
			    VMCI_INVALID_HANDLE);
	vmci_loop_count(stream_refused, 1);
}

/* Reset the connection of @sk that @pkt belongs to. */
static void vmci_loop_host_send_reset(struct sock *sk,
				      const struct vmci_loop_packet *pkt)
{
	struct vsock_sock *vsk = vsock_sk(sk);
	struct sockaddr_vm remote;

	if (pkt->type == VMCI_LOOP_PKT_RST)
		return;
	vsock_addr_init(&remote, pkt->dg.src.context, pkt->src_port);
	vmci_loop_host_send(&vsk->local_addr, &remote, VMCI_LOOP_PKT_RST, 0, 0,
			    VMCI_INVALID_HANDLE);
}

/* ---- the queue pair of a socket ---- */

/* Queue the detach work for the socket of @hs, unless it is going away. */
static void vmci_loop_host_queue_detach(struct vmci_loop_hsock *hs)
{
	struct sock *sk;

	spin_lock_bh(&hs->lock);
	sk = hs->sk;
	if (sk && refcount_inc_not_zero(&sk->sk_refcnt) &&
	    !queue_work(vmci_loop_wq, &hs->detach_work))
		sock_put(sk);
	spin_unlock_bh(&hs->lock);
}

static void vmci_loop_host_peer_detach_cb(u32 sub_id,
					  const struct vmci_event_data *ed,
					  void *client_data)
{
	const struct vmci_event_payload_qp *p =
		vmci_event_data_const_payload(ed);
	struct vmci_loop_hsock *hs = client_data;

	lockdep_assert_held(&vmci_loop_host.rx_lock);
	/* Every host socket hears every detach: keep only our pair's. */
	if (READ_ONCE(hs->qp_key) == vmci_loop_handle_key(p->handle))
		vmci_loop_host_queue_detach(hs);
}

/*
 * The device's own word that the guest wrote to or read from our rings,
 * on top of WROTE and READ (which the guest sends for empty and full rings
 * only). Called from the guest's send or receive path, socket unlocked:
 * the device stops calling before the queue pair is detached.
 */
static void vmci_loop_host_peer_notify(void *data, bool wrote)
{
	struct vmci_loop_hsock *hs = data;
	struct sock *sk;

	spin_lock(&hs->lock);
	sk = hs->sk;
	if (sk && wrote)
		vsock_data_ready(sk);
	else if (sk)
		sk->sk_write_space(sk);
	spin_unlock(&hs->lock);
}

/* Attach @sk to a queue pair: create it (@handle invalid) or join it. */
static int vmci_loop_host_qp_attach(struct sock *sk, struct vmci_handle handle,
				    u64 size, u32 flags)
{
	struct vsock_sock *vsk = vsock_sk(sk);
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);
	struct vmci_qp *qpair;
	u32 sub_id;
	int err;

	sock_owned_by_me(sk);
	err = vmci_loop_event_subscribe(&vmci_loop_host,
					VMCI_EVENT_QP_PEER_DETACH,
					vmci_loop_host_peer_detach_cb, hs,
					&sub_id);
	if (err < VMCI_SUCCESS)
		return vmci_loop_host_errno(err);

	err = vmci_loop_qp_alloc(&vmci_loop_host, &qpair, &handle, size, size,
				 vsk->remote_addr.svm_cid, flags,
				 VMCI_NO_PRIVILEGE_FLAGS, &hs->charge);
	if (err < VMCI_SUCCESS) {
		vmci_loop_event_unsubscribe(&vmci_loop_host, sub_id);
		vmci_loop_qp_uncharge(&hs->charge);
		return vmci_loop_host_errno(err);
	}

	hs->detach_sub_id = sub_id;
	hs->qpair = qpair;
	hs->qp_handle = handle;
	hs->queue_size = size;
	WRITE_ONCE(hs->qp_key, vmci_loop_handle_key(handle));
	vsk->buffer_size = size;
	vmci_loop_qp_set_peer_notify(qpair, vmci_loop_host_peer_notify, hs);

	/* A peer gone before qp_key was set has not been heard: look. */
	if (vmci_loop_qp_peer_gone(qpair))
		vmci_loop_host_queue_detach(hs);
	return 0;
}

/* Detach from the queue pair, if any; the peer hears of it. */
static void vmci_loop_host_qp_detach(struct vmci_loop_hsock *hs)
{
	if (hs->detach_sub_id != VMCI_INVALID_ID) {
		vmci_loop_event_unsubscribe(&vmci_loop_host, hs->detach_sub_id);
		hs->detach_sub_id = VMCI_INVALID_ID;
	}
	WRITE_ONCE(hs->qp_key, 0);
	if (hs->qpair)
		vmci_qpair_detach(&hs->qpair);
	hs->qp_handle = VMCI_INVALID_HANDLE;
}

/*
 * The peer detached (or a reset cut the pair): as vmci_transport.c's
 * handle_detach, except that after a normal close what the peer wrote
 * stays readable, and that a connection that was up ends in TCP_CLOSING,
 * not TCP_CLOSE: a connect() that our ATTACH woke but that looks only after
 * this takes TCP_CLOSE for "not yet", and waits for its timeout
 * (ETIMEDOUT). af_vsock treats the two alike everywhere else (poll, recv,
 * send), as virtio's transport and our RST have it.
 */
static void vmci_loop_host_handle_detach(struct sock *sk)
{
	struct vsock_sock *vsk = vsock_sk(sk);
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);

	sock_owned_by_me(sk);
	if (!hs->qpair || !vmci_loop_qp_peer_gone(hs->qpair))
		return;

	sock_set_flag(sk, SOCK_DONE);
	vsk->peer_shutdown = SHUTDOWN_MASK;
	if (vmci_loop_qp_severed(hs->qpair) || vsock_stream_has_data(vsk) <= 0) {
		if (sk->sk_state == TCP_SYN_SENT) {
			sk->sk_state = TCP_CLOSE;
			sk->sk_err = ECONNRESET;
			sk_error_report(sk);
			return;
		}
		sk->sk_state = sk->sk_state == TCP_ESTABLISHED ?
			       TCP_CLOSING : TCP_CLOSE;
	}
	sk->sk_state_change(sk);
}

/*
 * The guest's end left the pair of a lingering socket: leave it too, now.
 * The linger work holds a reference: take it over if the work is still
 * queued; one already running finds nothing left to do and drops its own.
 */
static void vmci_loop_host_linger_done(struct vmci_loop_hsock *hs)
{
	sock_owned_by_me(sk_vsock(hs->vsk));
	if (!hs->lingering)
		return;
	hs->lingering = false;
	vsock_remove_sock(hs->vsk);
	vmci_loop_host_qp_detach(hs);
	if (cancel_delayed_work(&hs->linger_work))
		sock_put(sk_vsock(hs->vsk));
}

static void vmci_loop_host_detach_work(struct work_struct *work)
{
	struct vmci_loop_hsock *hs =
		container_of(work, struct vmci_loop_hsock, detach_work);
	struct sock *sk = sk_vsock(hs->vsk);

	lock_sock(sk);
	/* A connect may have moved the socket to another transport since. */
	if (hs->vsk->trans == hs) {
		vmci_loop_host_handle_detach(sk);
		if (hs->qpair && vmci_loop_qp_peer_gone(hs->qpair))
			vmci_loop_host_linger_done(hs);
	}
	release_sock(sk);
	sock_put(sk);
}

/* ---- receiving control packets ---- */

/*
 * Whether @pkt comes from the peer of @sk, which is not a listener. A
 * socket that is not yet connected is found by its bound address alone, so
 * a packet for it may come from anyone: only its peer's may touch it (the
 * rest is answered with RST, as a packet for no socket is).
 */
static bool vmci_loop_host_from_peer(struct sock *sk,
				     const struct vmci_loop_packet *pkt)
{
	const struct sockaddr_vm *peer = &vsock_sk(sk)->remote_addr;

	return pkt->dg.src.context == peer->svm_cid &&
	       pkt->src_port == peer->svm_port;
}

/* The pending child of @listener that @pkt is for, with a reference. */
static struct sock *vmci_loop_host_get_pending(struct sock *listener,
					       const struct vmci_loop_packet *pkt)
{
	struct vsock_sock *vlistener = vsock_sk(listener);
	struct vsock_sock *vpending;
	struct sockaddr_vm src;

	vsock_addr_init(&src, pkt->dg.src.context, pkt->src_port);
	list_for_each_entry(vpending, &vlistener->pending_links, pending_links) {
		if (vsock_addr_equals_addr(&src, &vpending->remote_addr) &&
		    pkt->dst_port == vpending->local_addr.svm_port) {
			sock_hold(sk_vsock(vpending));
			return sk_vsock(vpending);
		}
	}
	return NULL;
}

/* A pending child got the client's OFFER: attach and say so. */
static int vmci_loop_host_recv_connecting_server(struct sock *listener,
						 struct sock *pending,
						 const struct vmci_loop_packet *pkt)
{
	struct vsock_sock *vpending = vsock_sk(pending);
	struct vmci_loop_hsock *hs = vmci_loop_hs(vpending);
	int err, skerr;

	sock_owned_by_me(pending);
	if (pkt->type == VMCI_LOOP_PKT_SHUTDOWN) {
		/* The client shut down early: keep it for when we are up. */
		vpending->peer_shutdown |= pkt->u.mode & SHUTDOWN_MASK;
		return 0;
	}
	if (pkt->type == VMCI_LOOP_PKT_RST)
		vmci_loop_count(stream_pending_reset, 1);
	if (pkt->type != VMCI_LOOP_PKT_OFFER ||
	    vmci_handle_is_invalid(pkt->u.handle)) {
		err = -EINVAL;
		skerr = EPROTO;
		goto destroy;
	}

	err = vmci_loop_host_qp_attach(pending, pkt->u.handle, hs->queue_size,
				       VMCI_QPFLAG_ATTACH_ONLY);
	if (err) {
		skerr = -err;
		goto destroy;
	}

	/* Connected before ATTACH goes: the client may answer at once. */
	pending->sk_state = TCP_ESTABLISHED;
	vsock_insert_connected(vpending);
	err = vmci_loop_host_send_sk(pending, VMCI_LOOP_PKT_ATTACH, 0, 0,
				     hs->qp_handle);
	if (err) {
		vsock_remove_connected(vpending);
		skerr = -err;
		goto destroy;
	}
	hs->guest_fresh = true;

	vsock_remove_pending(listener, pending);
	vsock_enqueue_accept(listener, pending);
	listener->sk_data_ready(listener);
	vmci_loop_count(stream_connects, 1);
	return 0;

destroy:
	vmci_loop_host_send_reset(pending, pkt);
	vmci_loop_host_qp_detach(hs);
	vmci_loop_qp_uncharge(&hs->charge);	/* now, not when it is freed */
	pending->sk_err = skerr;
	pending->sk_state = TCP_CLOSE;
	/*
	 * The reference vsock_create_connected() gave: the listener takes
	 * the child off its pending list, and af_vsock's pending work then
	 * takes it for accepted (it is neither pending nor rejected) and
	 * drops only its own, the last one.
	 */
	sock_put(pending);
	return err;
}

/*
 * The user of the guest socket at @addr, which asks for a connection: in
 * one kernel the guest's sockets are in af_vsock's tables too. False if it
 * is gone, or is not the guest's.
 */
static bool vmci_loop_host_client_uid(struct sockaddr_vm *addr,
				      uid_t *uid)
{
	struct sock *sk = vsock_find_bound_socket(addr);
	bool guest;

	if (!sk)
		return false;
	guest = READ_ONCE(vsock_sk(sk)->transport) != &vmci_loop_host_transport;
	*uid = __kuid_val(vsock_sk(sk)->owner->uid);
	sock_put(sk);
	return guest;
}

/* A connection request for @listener: make a pending child, negotiate. */
static void vmci_loop_host_recv_request(struct sock *listener,
					const struct vmci_loop_packet *pkt)
{
	struct vsock_sock *vpending;
	struct vmci_loop_hsock *hs;
	struct sock *pending;
	uid_t uid;
	u64 size;

	sock_owned_by_me(listener);
	if (pkt->type != VMCI_LOOP_PKT_REQUEST2 || !pkt->u.size ||
	    !(pkt->proto & VMCI_LOOP_PROTO_PKT_ON_NOTIFY) ||
	    sk_acceptq_is_full(listener)) {
		vmci_loop_host_reply_reset(pkt);
		return;
	}

	pending = vsock_create_connected(listener);
	if (!pending) {
		vmci_loop_host_reply_reset(pkt);
		return;
	}
	vpending = vsock_sk(pending);
	vsock_addr_init(&vpending->local_addr, pkt->dg.dst.context,
			pkt->dst_port);
	vsock_addr_init(&vpending->remote_addr, pkt->dg.src.context,
			pkt->src_port);

	/* af_vsock picks LOCAL for the guest's CID: this transport. */
	if (vsock_assign_transport(vpending, vsock_sk(listener)) ||
	    vpending->transport != &vmci_loop_host_transport) {
		vmci_loop_host_reply_reset(pkt);
		sock_put(pending);
		return;
	}
	hs = vmci_loop_hs(vpending);

	/* The client's size if it suits us, else ours, as VMCI does. */
	size = pkt->u.size;
	if (size < vpending->buffer_min_size ||
	    size > vpending->buffer_max_size)
		size = vpending->buffer_size;

	/*
	 * The client's user pays for the pair it is about to create. Over
	 * its share it gets a reset (ECONNRESET): the stock transport has no
	 * other answer to a refused request.
	 */
	if (!vmci_loop_host_client_uid(&vpending->remote_addr, &uid) ||
	    vmci_loop_qp_charge(&hs->charge, uid, 2 * size) < VMCI_SUCCESS) {
		vmci_loop_host_reply_reset(pkt);
		sock_put(pending);
		return;
	}

	if (vmci_loop_host_send_sk(pending, VMCI_LOOP_PKT_NEGOTIATE2, size,
				   VMCI_LOOP_PROTO_PKT_ON_NOTIFY,
				   VMCI_INVALID_HANDLE)) {
		vmci_loop_host_reply_reset(pkt);
		sock_put(pending);
		return;
	}

	vsock_add_pending(listener, pending);
	sk_acceptq_added(listener);
	pending->sk_state = TCP_SYN_SENT;
	hs->queue_size = size;
	vpending->buffer_size = size;

	/*
	 * If the client never finishes, af_vsock's pending work drops the
	 * child; it holds a reference to both sockets until it runs.
	 */
	vpending->listener = listener;
	sock_hold(listener);
	sock_hold(pending);
	schedule_delayed_work(&vpending->pending_work, HZ);
}

static void vmci_loop_host_recv_listen(struct sock *listener,
				       const struct vmci_loop_packet *pkt)
{
	struct sock *pending;
	int err;

	sock_owned_by_me(listener);
	/*
	 * Closed while this packet waited for the lock: __vsock_release() has
	 * flushed the accept queue, so a child queued now would never be
	 * freed (nor its pair, nor the module). As if nobody listened; the
	 * pending children go with af_vsock's pending work.
	 */
	if (sock_flag(listener, SOCK_DEAD) ||
	    listener->sk_shutdown == SHUTDOWN_MASK) {
		vmci_loop_host_reply_reset(pkt);
		return;
	}

	pending = vmci_loop_host_get_pending(listener, pkt);
	if (pending) {
		lock_sock_nested(pending, SINGLE_DEPTH_NESTING);
		if (pending->sk_state == TCP_SYN_SENT &&
		    vsock_sk(pending)->transport == &vmci_loop_host_transport) {
			err = vmci_loop_host_recv_connecting_server(listener,
								    pending,
								    pkt);
		} else {
			vmci_loop_host_send_reset(pending, pkt);
			err = -EINVAL;
		}
		if (err < 0) {
			vsock_remove_pending(listener, pending);
			sk_acceptq_removed(listener);
		}
		release_sock(pending);
		sock_put(pending);
		return;
	}

	if (pkt->type == VMCI_LOOP_PKT_REQUEST ||
	    pkt->type == VMCI_LOOP_PKT_REQUEST2) {
		if (READ_ONCE(vmci_loop_drop_requests))
			return;
		vmci_loop_host_recv_request(listener, pkt);
		return;
	}
	vmci_loop_host_reply_reset(pkt);
}

/* The client's side of the handshake: NEGOTIATE2, then ATTACH. */
static void vmci_loop_host_recv_connecting_client(struct sock *sk,
						  const struct vmci_loop_packet *pkt)
{
	struct vsock_sock *vsk = vsock_sk(sk);
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);
	int skerr, err;

	sock_owned_by_me(sk);
	switch (pkt->type) {
	case VMCI_LOOP_PKT_NEGOTIATE2:
		if (!pkt->u.size || hs->qpair ||
		    pkt->dg.src.context != vsk->remote_addr.svm_cid ||
		    pkt->src_port != vsk->remote_addr.svm_port ||
		    pkt->proto != VMCI_LOOP_PROTO_PKT_ON_NOTIFY) {
			skerr = EPROTO;
			goto destroy;
		}
		if (pkt->u.size < vsk->buffer_min_size ||
		    pkt->u.size > vsk->buffer_max_size) {
			skerr = EINVAL;
			goto destroy;
		}
		/* Our user asked for the connection: its share pays. */
		err = vmci_loop_qp_charge(&hs->charge,
					  __kuid_val(vsk->owner->uid),
					  2 * pkt->u.size);
		err = err < VMCI_SUCCESS ? vmci_loop_host_errno(err) :
			vmci_loop_host_qp_attach(sk, VMCI_INVALID_HANDLE,
						 pkt->u.size, 0);
		if (!err)
			err = vmci_loop_host_send_sk(sk, VMCI_LOOP_PKT_OFFER, 0,
						     0, hs->qp_handle);
		if (err) {
			skerr = -err;
			goto destroy;
		}
		return;

	case VMCI_LOOP_PKT_ATTACH:
		if (!hs->qpair ||
		    !vmci_handle_is_equal(pkt->u.handle, hs->qp_handle)) {
			skerr = EPROTO;
			goto destroy;
		}
		sk->sk_state = TCP_ESTABLISHED;
		sk->sk_socket->state = SS_CONNECTED;
		vsock_insert_connected(vsk);
		if (hs->pending_shutdown)
			vmci_loop_host_send_plain(sk, VMCI_LOOP_PKT_SHUTDOWN,
						  hs->pending_shutdown);
		hs->pending_shutdown = 0;
		sk->sk_state_change(sk);
		vmci_loop_count(stream_connects, 1);
		return;

	case VMCI_LOOP_PKT_RST:
		skerr = ECONNRESET;
		goto destroy;

	/*
	 * The guest's server may write, or shut down, as soon as it has
	 * attached: our packet work items run in parallel, so that can come
	 * before its ATTACH. The ring is looked at once connected.
	 */
	case VMCI_LOOP_PKT_WROTE:
	case VMCI_LOOP_PKT_READ:
	case VMCI_LOOP_PKT_WAITING_READ:
	case VMCI_LOOP_PKT_WAITING_WRITE:
		if (!hs->qpair) {
			skerr = EPROTO;
			goto destroy;
		}
		return;
	case VMCI_LOOP_PKT_SHUTDOWN:
		if (!hs->qpair) {
			skerr = EPROTO;
			goto destroy;
		}
		vsk->peer_shutdown |= pkt->u.mode & SHUTDOWN_MASK;
		return;

	default:
		/* INVALID (a peer without REQUEST2), or out of turn. */
		skerr = EPROTO;
		goto destroy;
	}

destroy:
	vmci_loop_host_send_reset(sk, pkt);
	vmci_loop_host_qp_detach(hs);
	sk->sk_state = TCP_CLOSE;
	sk->sk_err = skerr;
	sk_error_report(sk);
}

static void vmci_loop_host_recv_connected(struct sock *sk,
					  const struct vmci_loop_packet *pkt)
{
	struct vsock_sock *vsk = vsock_sk(sk);

	/* The guest uses the connection: its connect() is behind it. */
	vmci_loop_hs(vsk)->guest_fresh = false;
	switch (pkt->type) {
	case VMCI_LOOP_PKT_SHUTDOWN:
		if (pkt->u.mode & SHUTDOWN_MASK) {
			vsk->peer_shutdown |= pkt->u.mode & SHUTDOWN_MASK;
			sk->sk_state_change(sk);
		}
		break;
	case VMCI_LOOP_PKT_RST:
		/* Like a clean shutdown: what has arrived stays readable. */
		sock_set_flag(sk, SOCK_DONE);
		vsk->peer_shutdown = SHUTDOWN_MASK;
		if (vsock_stream_has_data(vsk) <= 0)
			sk->sk_state = TCP_CLOSING;
		sk->sk_state_change(sk);
		break;
	case VMCI_LOOP_PKT_WROTE:
		vsock_data_ready(sk);
		break;
	case VMCI_LOOP_PKT_READ:
		sk->sk_write_space(sk);
		break;
	default:
		break;
	}
}

/*
 * A packet from the peer of a closed socket. One that lingers is still on
 * the pair, and what the guest sent before it heard our SHUTDOWN (a WROTE
 * for the bytes we read, its own SHUTDOWN) is no error: a RST would end
 * its connection (TCP_CLOSING), and a shutdown() after that clears the
 * SOCK_DONE the RST set, so its recv() says ENOTCONN. A reset from the
 * guest ends the wait.
 */
static void vmci_loop_host_recv_closed(struct sock *sk,
				       const struct vmci_loop_packet *pkt)
{
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsock_sk(sk));

	if (!hs->lingering) {
		vmci_loop_host_reply_reset(pkt);
		return;
	}
	hs->guest_fresh = false;
	switch (pkt->type) {
	case VMCI_LOOP_PKT_WROTE:
	case VMCI_LOOP_PKT_READ:
	case VMCI_LOOP_PKT_SHUTDOWN:
	case VMCI_LOOP_PKT_WAITING_WRITE:
	case VMCI_LOOP_PKT_WAITING_READ:
		break;
	case VMCI_LOOP_PKT_RST:
		vmci_loop_host_linger_done(hs);
		break;
	default:
		/*
		 * A new connection from the guest's port (its end closed, its
		 * detach not yet here): refused at once, not left to time out.
		 */
		vmci_loop_host_linger_done(hs);
		vmci_loop_host_reply_reset(pkt);
		break;
	}
}

static void vmci_loop_host_pkt_work(struct work_struct *work)
{
	struct vmci_loop_host_pkt_work *w =
		container_of(work, struct vmci_loop_host_pkt_work, work);
	const struct vmci_loop_packet *pkt = &w->pkt;
	struct sock *sk = w->sk;

	if (!sk) {
		vmci_loop_host_reply_reset(pkt);
		kfree(w);
		return;
	}

	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN)
		vmci_loop_host_recv_listen(sk, pkt);
	else if (vsock_sk(sk)->transport != &vmci_loop_host_transport ||
		 !vmci_loop_host_from_peer(sk, pkt))
		vmci_loop_host_reply_reset(pkt);	/* not ours */
	else if (sock_flag(sk, SOCK_DEAD))
		vmci_loop_host_recv_closed(sk, pkt);
	else if (sk->sk_state == TCP_SYN_SENT)
		vmci_loop_host_recv_connecting_client(sk, pkt);
	else if (sk->sk_state == TCP_ESTABLISHED)
		vmci_loop_host_recv_connected(sk, pkt);
	else
		vmci_loop_host_send_reset(sk, pkt);
	release_sock(sk);

	sock_put(sk);
	kfree(w);
}

/*
 * A listener bound to VMADDR_CID_ANY is bound to the guest's CID once the
 * guest's transport has served a connection on it: vmci_transport.c sets
 * the local CID of the socket a packet finds to the packet's destination
 * ("the local context ID may be out of date"). So a listener at the guest's
 * CID takes connections to the host too; one bound there on purpose cannot
 * be told apart from it.
 */
static struct sock *vmci_loop_host_find_listener(u32 port)
{
	struct sockaddr_vm addr;
	struct sock *sk;

	vsock_addr_init(&addr, vmci_loop_guest.cid, port);
	sk = vsock_find_bound_socket(&addr);
	if (sk && READ_ONCE(sk->sk_state) != TCP_LISTEN) {
		sock_put(sk);
		sk = NULL;
	}
	return sk;
}

/*
 * The host's control handle: every packet from the guest. Atomic context,
 * the host's rx_lock held: wake for WROTE/READ, queue everything else.
 */
static int vmci_loop_host_recv(void *client_data, struct vmci_datagram *dg)
{
	struct vmci_loop_packet *pkt = (struct vmci_loop_packet *)dg;
	struct vmci_loop_host_pkt_work *w;
	struct sockaddr_vm src, dst;
	bool done = false;
	struct sock *sk;

	lockdep_assert_held(&vmci_loop_host.rx_lock);
	if (VMCI_DG_SIZE(dg) < sizeof(*pkt))
		return VMCI_ERROR_INVALID_ARGS;
	/* Only the guest's transport talks on the guest's resource 1. */
	if (dg->src.context != vmci_loop_guest.cid ||
	    dg->src.resource != VMCI_LOOP_VSOCK_CONTROL_RID)
		return VMCI_ERROR_NO_ACCESS;
	if (pkt->type >= VMCI_LOOP_PKT_MAX)
		return VMCI_ERROR_INVALID_ARGS;

	vsock_addr_init(&src, dg->src.context, pkt->src_port);
	vsock_addr_init(&dst, dg->dst.context, pkt->dst_port);
	sk = vsock_find_connected_socket(&src, &dst);
	if (!sk)
		sk = vsock_find_bound_socket(&dst);
	if (!sk)
		sk = vmci_loop_host_find_listener(pkt->dst_port);

	if (sk && (pkt->type == VMCI_LOOP_PKT_WROTE ||
		   pkt->type == VMCI_LOOP_PKT_READ)) {
		bh_lock_sock(sk);
		if (!sock_owned_by_user(sk) &&
		    sk->sk_state == TCP_ESTABLISHED &&
		    vsock_sk(sk)->transport == &vmci_loop_host_transport &&
		    vmci_loop_host_from_peer(sk, pkt)) {
			vmci_loop_host_recv_connected(sk, pkt);
			done = true;
		}
		bh_unlock_sock(sk);
	}
	if (done) {
		sock_put(sk);
		return VMCI_SUCCESS;
	}
	/* Nobody to answer a reset to; a sender learns of the rest by RST. */
	if (!sk && pkt->type == VMCI_LOOP_PKT_RST)
		return VMCI_SUCCESS;

	w = kmalloc(sizeof(*w), GFP_ATOMIC);
	if (!w) {
		if (sk)
			sock_put(sk);
		return VMCI_ERROR_NO_MEM;
	}
	w->sk = sk;	/* our reference, or NULL: answer with RST */
	memcpy(&w->pkt, pkt, sizeof(w->pkt));
	INIT_WORK(&w->work, vmci_loop_host_pkt_work);
	queue_work(vmci_loop_wq, &w->work);
	return VMCI_SUCCESS;
}

/* ---- socket life cycle ---- */

/*
 * How long a closed socket keeps its queue pair for the guest's end: the
 * guest's close (or, for a child, its connect) ends the wait sooner.
 */
#define VMCI_LOOP_LINGER_MAX	(5 * HZ)

/*
 * The state of the guest's end of @vsk, or TCP_CLOSE once it is gone. Both
 * ends are sockets of this kernel: the guest's is in af_vsock's connected
 * table once connected (an accepted child, when we made the connection, is
 * only there), and in its bound table at the port we know it by while it
 * connects to us.
 */
static int vmci_loop_host_guest_state(struct vsock_sock *vsk)
{
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);
	struct vsock_sock *vguest;
	struct sock *guest;
	int state = TCP_CLOSE;

	sock_owned_by_me(sk_vsock(vsk));
	if (!hs->qpair || vmci_loop_qp_peer_gone(hs->qpair))
		return TCP_CLOSE;
	guest = vsock_find_connected_socket(&vsk->local_addr, &vsk->remote_addr);
	if (!guest)
		guest = vsock_find_bound_socket(&vsk->remote_addr);
	if (!guest)
		return TCP_CLOSE;
	vguest = vsock_sk(guest);
	if (vguest->transport != &vmci_loop_host_transport &&
	    vsock_addr_equals_addr(&vguest->remote_addr, &vsk->local_addr))
		state = READ_ONCE(guest->sk_state);
	sock_put(guest);
	return state;
}

/*
 * Whether the guest's end of @vsk has not yet taken our ATTACH: it would
 * take a WROTE for a protocol error (EPROTO). The stock transport takes the
 * ATTACH in a work item; on VMware the host is another machine and the
 * ATTACH is taken long before anything else of ours comes.
 */
static bool vmci_loop_host_guest_connecting(struct vsock_sock *vsk)
{
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);

	if (!hs->guest_fresh || hs->guest_attached)
		return false;
	if (vmci_loop_host_guest_state(vsk) == TCP_SYN_SENT)
		return true;
	hs->guest_attached = true;	/* once past, never again */
	return false;
}

/*
 * Whether a closed socket must keep its queue pair for now, because the
 * guest's end is still on it; if so, say the close to the guest with a
 * SHUTDOWN once it can take one.
 *
 * A detach is how the stock transport learns of a close, and it ends the
 * guest's connection at once: TCP_CLOSE (TCP_SYN_SENT: ECONNRESET) with
 * SOCK_DONE, which makes recv() return 0. But af_vsock's shutdown() clears
 * SOCK_DONE, so a guest that sends, then shuts down its writing side, then
 * reads (nc -N, socat, a request/response client) gets ENOTCONN from that
 * read whenever our close came first: on one CPU, a reader that takes the
 * line and closes usually runs first. And a connect() that our ATTACH
 * made TCP_ESTABLISHED, but that looks only after a detach made it
 * TCP_CLOSE, waits for its timeout (ETIMEDOUT).
 *
 * A SHUTDOWN instead gives the guest its end of file and leaves it
 * TCP_ESTABLISHED (sends fail with EPIPE), whatever it does next; the pair
 * is left when the guest's end leaves it (its detach, see detach_work), or
 * at the backstop, as virtio's transport, after sending its SHUTDOWN at
 * close, waits for the peer's reset up to VSOCK_CLOSE_TIMEOUT.
 */
static bool vmci_loop_host_linger(struct vmci_loop_hsock *hs)
{
	struct sock *sk = sk_vsock(hs->vsk);

	sock_owned_by_me(sk);
	if (!time_before(jiffies, hs->linger_end))
		return false;
	switch (vmci_loop_host_guest_state(hs->vsk)) {
	case TCP_SYN_SENT:
		/* Not yet our ATTACH: a SHUTDOWN now would be EPROTO. */
		return hs->guest_fresh;
	case TCP_ESTABLISHED:
		/*
		 * A guest writer stopped by a full ring would not hear a
		 * SHUTDOWN through poll(POLLOUT): 6.1's vsock_poll gives an
		 * established socket EPOLLOUT only for room, which nobody
		 * makes now. The detach makes it TCP_CLOSE: EPOLLOUT, EPIPE.
		 */
		if (hs->qpair && vmci_qpair_consume_free_space(hs->qpair) <= 0)
			return false;
		if (!hs->linger_shutdown &&
		    vmci_loop_host_send_plain(sk, VMCI_LOOP_PKT_SHUTDOWN,
					      SHUTDOWN_MASK))
			return false;
		hs->linger_shutdown = true;
		return true;
	default:
		return false;	/* the guest's end is gone, or reset */
	}
}

/*
 * Look again soon while the guest connects; once it is told, its detach
 * ends the wait (detach_work), so only the backstop is left to look at.
 */
static void vmci_loop_host_linger_again(struct vmci_loop_hsock *hs)
{
	unsigned long left = hs->linger_end - jiffies;

	queue_delayed_work(vmci_loop_wq, &hs->linger_work,
			   hs->linger_shutdown ? left + 1 : 1);
}

/* A closed socket that lingers: look again, or leave. */
static void vmci_loop_host_linger_work(struct work_struct *work)
{
	struct vmci_loop_hsock *hs =
		container_of(to_delayed_work(work), struct vmci_loop_hsock,
			     linger_work);
	struct sock *sk = sk_vsock(hs->vsk);

	lock_sock(sk);
	if (hs->lingering && vmci_loop_host_linger(hs)) {
		vmci_loop_host_linger_again(hs);
		release_sock(sk);
		return;		/* the reference goes with the work */
	}
	hs->lingering = false;
	vsock_remove_sock(hs->vsk);
	vmci_loop_host_qp_detach(hs);
	release_sock(sk);
	sock_put(sk);
}

static void vmci_loop_host_cleanup_work(struct work_struct *work)
{
	struct vmci_loop_hsock *hs =
		container_of(work, struct vmci_loop_hsock, cleanup_work);

	/*
	 * The socket is gone (or has another transport): a detach work still
	 * queued holds a reference to it, which goes with the work.
	 */
	if (cancel_work_sync(&hs->detach_work))
		sock_put(sk_vsock(hs->vsk));
	if (cancel_delayed_work_sync(&hs->linger_work))
		sock_put(sk_vsock(hs->vsk));
	vmci_loop_host_qp_detach(hs);
	vmci_loop_qp_uncharge(&hs->charge);	/* a pair never made */
	kfree(hs);
}

static int vmci_loop_host_init(struct vsock_sock *vsk, struct vsock_sock *psk)
{
	struct vmci_loop_hsock *hs;

	if (READ_ONCE(vmci_loop_host_probing))
		return -ENODEV;
	hs = kzalloc(sizeof(*hs), GFP_KERNEL);
	if (!hs)
		return -ENOMEM;
	spin_lock_init(&hs->lock);
	hs->sk = sk_vsock(vsk);
	hs->vsk = vsk;
	hs->qp_handle = VMCI_INVALID_HANDLE;
	hs->detach_sub_id = VMCI_INVALID_ID;
	INIT_WORK(&hs->detach_work, vmci_loop_host_detach_work);
	INIT_WORK(&hs->cleanup_work, vmci_loop_host_cleanup_work);
	INIT_DELAYED_WORK(&hs->linger_work, vmci_loop_host_linger_work);
	vsk->trans = hs;
	return 0;
}

/* Called from anywhere, even atomic context: the cleanup is a work item. */
static void vmci_loop_host_destruct(struct vsock_sock *vsk)
{
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);

	if (!hs)
		return;
	/* The device's callbacks may still come until the work has run. */
	spin_lock_bh(&hs->lock);
	hs->sk = NULL;
	spin_unlock_bh(&hs->lock);
	vsk->trans = NULL;
	queue_work(vmci_loop_wq, &hs->cleanup_work);
}

/*
 * close(), or a connect that moves to another transport: leave the pair, at
 * once unless the guest's end may still be in connect() (see above). The
 * close is immediate for the program either way; a lingering socket holds
 * itself (and so the module) until it has left.
 */
static void vmci_loop_host_release(struct vsock_sock *vsk)
{
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);
	struct sock *sk = sk_vsock(vsk);

	sock_owned_by_me(sk);
	hs->linger_end = jiffies + VMCI_LOOP_LINGER_MAX;
	if (vmci_loop_host_linger(hs)) {
		/* In the tables still: the guest's packets must find it. */
		vmci_loop_count(stream_lingered, 1);
		hs->lingering = true;
		sock_hold(sk);
		vmci_loop_host_linger_again(hs);
		return;
	}
	vsock_remove_sock(vsk);
	vmci_loop_host_qp_detach(hs);
}

/*
 * Whether the guest may be sent a connection request for @addr: a port
 * that listens, or that nobody holds (the guest answers RST). The stock
 * transport hands a packet for any other socket bound there to that socket
 * without asking who sent it: a request fails a connect in flight with
 * EPROTO (vmci_transport_recv_connecting_client()). A VMware host cannot
 * see the guest's sockets; in one kernel the host can, and protects them.
 * Not atomically: af_vsock's table lock is its own, so a guest socket that
 * binds @addr between this look and the send (its own connect, which
 * fails) can still take the request.
 */
static bool vmci_loop_host_may_call(struct sockaddr_vm *addr)
{
	struct sock *sk = vsock_find_bound_socket(addr);
	bool listens;

	if (!sk)
		return true;
	listens = READ_ONCE(sk->sk_state) == TCP_LISTEN;
	sock_put(sk);
	return listens;
}

static int vmci_loop_host_connect(struct vsock_sock *vsk)
{
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);
	struct sock *sk = sk_vsock(vsk);
	int err;

	sock_owned_by_me(sk);
	/* The host transport speaks for context 2 only. */
	if (vsk->local_addr.svm_cid == VMADDR_CID_ANY)
		vsk->local_addr.svm_cid = VMADDR_CID_HOST;
	else if (vsk->local_addr.svm_cid != VMADDR_CID_HOST)
		return -EADDRNOTAVAIL;

	/* A connect again after a timeout starts from nothing. */
	vmci_loop_host_qp_detach(hs);
	hs->pending_shutdown = 0;

	if (!vmci_loop_host_may_call(&vsk->remote_addr)) {
		sk->sk_state = TCP_CLOSE;
		return -ECONNRESET;	/* what the guest would answer */
	}
	if (READ_ONCE(vmci_loop_drop_requests))
		return 0;
	err = vmci_loop_host_send_sk(sk, VMCI_LOOP_PKT_REQUEST2,
				     vsk->buffer_size,
				     VMCI_LOOP_PROTO_PKT_ON_NOTIFY,
				     VMCI_INVALID_HANDLE);
	if (err)
		sk->sk_state = TCP_CLOSE;
	return err;
}

static int vmci_loop_host_shutdown(struct vsock_sock *vsk, int mode)
{
	struct sock *sk = sk_vsock(vsk);

	sock_owned_by_me(sk);
	/* Not connected yet: say it once the connection is up. */
	if (sk->sk_state == TCP_SYN_SENT) {
		vmci_loop_hs(vsk)->pending_shutdown |= mode;
		return 0;
	}
	/*
	 * The peer has left (its detach or RST ended the connection), and
	 * af_vsock has just cleared SOCK_DONE: recv() would say ENOTCONN
	 * for the end of file the peer gave. Keep it; nobody is there to
	 * tell. (The stock transport's guest end loses it here: so our
	 * close lingers, see vmci_loop_host_linger().)
	 */
	if (sk->sk_state != TCP_ESTABLISHED &&
	    vsk->peer_shutdown == SHUTDOWN_MASK) {
		sock_set_flag(sk, SOCK_DONE);
		return 0;
	}
	return vmci_loop_host_send_plain(sk, VMCI_LOOP_PKT_SHUTDOWN, mode);
}

/*
 * ---- the data path ----
 *
 * Under the socket lock, except has_data and has_space: the device's peer
 * notification asks for them through vsock_data_ready() without it.
 */

static ssize_t vmci_loop_host_stream_dequeue(struct vsock_sock *vsk,
					     struct msghdr *msg, size_t len,
					     int flags)
{
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);
	ssize_t n;

	sock_owned_by_me(sk_vsock(vsk));
	if (flags & MSG_PEEK)
		return vmci_qpair_peekv(hs->qpair, msg, len, 0);
	n = vmci_qpair_dequev(hs->qpair, msg, len, 0);
	if (n > 0)
		vmci_loop_count(stream_bytes_received, n);
	return n;
}

static ssize_t vmci_loop_host_stream_enqueue(struct vsock_sock *vsk,
					     struct msghdr *msg, size_t len)
{
	ssize_t n;

	sock_owned_by_me(sk_vsock(vsk));
	n = vmci_qpair_enquev(vmci_loop_hs(vsk)->qpair, msg, len, 0);
	if (n > 0)
		vmci_loop_count(stream_bytes_sent, n);
	return n;
}

static s64 vmci_loop_host_stream_has_data(struct vsock_sock *vsk)
{
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);

	return hs->qpair ? vmci_qpair_consume_buf_ready(hs->qpair) : 0;
}

static s64 vmci_loop_host_stream_has_space(struct vsock_sock *vsk)
{
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);

	return hs->qpair ? vmci_qpair_produce_free_space(hs->qpair) : 0;
}

static u64 vmci_loop_host_stream_rcvhiwat(struct vsock_sock *vsk)
{
	return vmci_loop_hs(vsk)->queue_size;
}

static bool vmci_loop_host_stream_is_active(struct vsock_sock *vsk)
{
	return vmci_loop_hs(vsk)->qpair;
}

/* The hypervisor, the well-known context and the host have no sockets. */
static bool vmci_loop_host_stream_allow(u32 cid, u32 port)
{
	return cid > VMADDR_CID_HOST && cid != VMADDR_CID_ANY;
}

static int vmci_loop_host_notify_poll_in(struct vsock_sock *vsk, size_t target,
					 bool *data_ready_now)
{
	*data_ready_now = vsock_stream_has_data(vsk) >= target;
	return 0;
}

static int vmci_loop_host_notify_poll_out(struct vsock_sock *vsk, size_t target,
					  bool *space_available_now)
{
	*space_available_now = vsock_stream_has_space(vsk) > 0;
	return 0;
}

static int vmci_loop_host_notify_recv_nop(struct vsock_sock *vsk, size_t target,
					  struct vsock_transport_recv_notify_data *d)
{
	return 0;
}

/* The peer blocks only on a full ring: reading from one must wake it. */
static int
vmci_loop_host_notify_recv_post_dequeue(struct vsock_sock *vsk, size_t target,
					ssize_t copied, bool data_read,
					struct vsock_transport_recv_notify_data *d)
{
	struct vmci_loop_hsock *hs = vmci_loop_hs(vsk);

	sock_owned_by_me(sk_vsock(vsk));
	if (!data_read || copied <= 0 || (vsk->peer_shutdown & RCV_SHUTDOWN))
		return 0;
	smp_mb();	/* our head is visible before we look at the space */
	if (vmci_qpair_consume_free_space(hs->qpair) != copied)
		return 0;
	return vmci_loop_host_send_plain(sk_vsock(vsk), VMCI_LOOP_PKT_READ, 0);
}

static int vmci_loop_host_notify_send_nop(struct vsock_sock *vsk,
					  struct vsock_transport_send_notify_data *d)
{
	return 0;
}

/*
 * Every write is announced, not only the one that fills an empty ring as the
 * queue-state protocol has it: a reader polling with SO_RCVLOWAT sleeps on a
 * ring that is not empty, and only a WROTE makes it look again.
 */
static int
vmci_loop_host_notify_send_post_enqueue(struct vsock_sock *vsk, ssize_t written,
					struct vsock_transport_send_notify_data *d)
{
	sock_owned_by_me(sk_vsock(vsk));
	if (written <= 0 || (vsk->peer_shutdown & RCV_SHUTDOWN))
		return 0;
	/*
	 * A guest still connecting would take a WROTE for a protocol error
	 * (EPROTO); it looks at the ring once connected.
	 */
	if (vmci_loop_host_guest_connecting(vsk))
		return 0;
	return vmci_loop_host_send_plain(sk_vsock(vsk), VMCI_LOOP_PKT_WROTE, 0);
}

/* ---- datagrams are the guest transport's (it holds the DGRAM slot) ---- */

static int vmci_loop_host_dgram_bind(struct vsock_sock *vsk,
				     struct sockaddr_vm *addr)
{
	return -EOPNOTSUPP;
}

static int vmci_loop_host_dgram_dequeue(struct vsock_sock *vsk,
					struct msghdr *msg, size_t len,
					int flags)
{
	return -EOPNOTSUPP;
}

static int vmci_loop_host_dgram_enqueue(struct vsock_sock *vsk,
					struct sockaddr_vm *remote,
					struct msghdr *msg, size_t len)
{
	return -EOPNOTSUPP;
}

static bool vmci_loop_host_dgram_allow(u32 cid, u32 port)
{
	return false;
}

static u32 vmci_loop_host_get_local_cid(void)
{
	return VMADDR_CID_HOST;
}

static struct vsock_transport vmci_loop_host_transport = {
	.module = THIS_MODULE,
	.init = vmci_loop_host_init,
	.destruct = vmci_loop_host_destruct,
	.release = vmci_loop_host_release,
	.connect = vmci_loop_host_connect,
	.dgram_bind = vmci_loop_host_dgram_bind,
	.dgram_dequeue = vmci_loop_host_dgram_dequeue,
	.dgram_enqueue = vmci_loop_host_dgram_enqueue,
	.dgram_allow = vmci_loop_host_dgram_allow,
	.stream_dequeue = vmci_loop_host_stream_dequeue,
	.stream_enqueue = vmci_loop_host_stream_enqueue,
	.stream_has_data = vmci_loop_host_stream_has_data,
	.stream_has_space = vmci_loop_host_stream_has_space,
	.stream_rcvhiwat = vmci_loop_host_stream_rcvhiwat,
	.stream_is_active = vmci_loop_host_stream_is_active,
	.stream_allow = vmci_loop_host_stream_allow,
	.notify_poll_in = vmci_loop_host_notify_poll_in,
	.notify_poll_out = vmci_loop_host_notify_poll_out,
	.notify_recv_init = vmci_loop_host_notify_recv_nop,
	.notify_recv_pre_block = vmci_loop_host_notify_recv_nop,
	.notify_recv_pre_dequeue = vmci_loop_host_notify_recv_nop,
	.notify_recv_post_dequeue = vmci_loop_host_notify_recv_post_dequeue,
	.notify_send_init = vmci_loop_host_notify_send_nop,
	.notify_send_pre_block = vmci_loop_host_notify_send_nop,
	.notify_send_pre_enqueue = vmci_loop_host_notify_send_nop,
	.notify_send_post_enqueue = vmci_loop_host_notify_send_post_enqueue,
	.shutdown = vmci_loop_host_shutdown,
	.get_local_cid = vmci_loop_host_get_local_cid,
};

/* ---- registration ---- */

/*
 * Name the module behind a vsock slot: a kernel socket gets the slot's
 * transport assigned the way af_vsock assigns it, and says whose it is.
 */
static void vmci_loop_host_slot_holder(u32 cid, char *name, size_t len)
{
	struct vsock_sock *vsk;
	struct socket *sock;

	strscpy(name, "another transport", len);
	if (sock_create_kern(&init_net, AF_VSOCK, SOCK_STREAM, 0, &sock))
		return;
	vsk = vsock_sk(sock->sk);
	lock_sock(sock->sk);
	vsk->remote_addr.svm_cid = cid;
	vsock_assign_transport(vsk, NULL);
	release_sock(sock->sk);
	if (vsk->transport)
		strscpy(name, module_name(vsk->transport->module), len);
	sock_release(sock);
}

static void vmci_loop_host_explain_busy(void)
{
	static const struct {
		int feature;
		const char *slot;
		u32 cid;
	} slots[] = {
		{ VSOCK_TRANSPORT_F_H2G, "host-to-guest (H2G)", 0x7fffffff },
		{ VSOCK_TRANSPORT_F_LOCAL, "local (LOCAL)", VMADDR_CID_LOCAL },
	};
	char name[MODULE_NAME_LEN];
	int i;

	WRITE_ONCE(vmci_loop_host_probing, true);
	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		if (!vsock_core_register(&vmci_loop_host_transport,
					 slots[i].feature)) {
			vsock_core_unregister(&vmci_loop_host_transport);
			continue;
		}
		vmci_loop_host_slot_holder(slots[i].cid, name, sizeof(name));
		pr_err("the vsock %s slot is held by %s: unload it first ('rmmod %s'), then load vmci_loop again\n",
		       slots[i].slot, name, name);
	}
	WRITE_ONCE(vmci_loop_host_probing, false);
}

int vmci_loop_host_transport_init(void)
{
	int err;

	err = vmci_loop_dg_create(&vmci_loop_host, VMCI_LOOP_VSOCK_CONTROL_RID,
				  0, VMCI_PRIVILEGE_FLAG_TRUSTED,
				  vmci_loop_host_recv, NULL,
				  &vmci_loop_host_control);
	if (err < VMCI_SUCCESS) {
		pr_err("cannot create the host's control handle (%d)\n", err);
		return -ENOMEM;
	}

	err = vsock_core_register(&vmci_loop_host_transport,
				  VSOCK_TRANSPORT_F_H2G |
				  VSOCK_TRANSPORT_F_LOCAL);
	if (err) {
		if (err == -EBUSY)
			vmci_loop_host_explain_busy();
		else
			pr_err("cannot register the vsock transport: %d\n",
			       err);
		vmci_loop_dg_destroy(&vmci_loop_host, vmci_loop_host_control);
		return err;
	}
	return 0;
}

/* Every socket held a module reference: none is left by now. */
void vmci_loop_host_transport_exit(void)
{
	vsock_core_unregister(&vmci_loop_host_transport);
	vmci_loop_dg_destroy(&vmci_loop_host, vmci_loop_host_control);
}
