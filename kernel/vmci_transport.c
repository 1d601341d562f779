// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop vsock transport: AF_VSOCK sockets on the software VMCI device.
 *
 * Stream sockets are carried by queue pairs (vmci_queue_pair.c), datagram
 * sockets by VMCI datagrams (vmci_datagram.c). The transport takes all four
 * vsock slots (G2H, H2G, DGRAM, LOCAL), so every vsock socket in the kernel
 * comes here; the device's routing then decides who may talk to whom.
 *
 * Connection set-up runs in process context, on a work queue item per
 * connecting socket: with the client locked, it finds the listener, creates
 * the child socket and its queue pair and attaches the client (lock order:
 * client, listener, child; the nesting is annotated). After that no control
 * traffic exists: data, shutdown and detach are queue-pair events delivered
 * directly to the peer socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/af_vsock.h>
#include <net/sock.h>

#include "vmci_loop.h"

/* The only PBRPC port a datagram may address the hypervisor on. */
#define VMCI_LOOP_UNITY_PBRPC_REGISTER	14

/*
 * Per-socket transport state (vsk->trans).
 *
 * @qp and @side are set and cleared under the socket lock only; the peer's
 * events (vmci_loop_peer_*) run under qp->lock and touch only the fields
 * noted there.
 */
struct vmci_loop_sock {
	struct vsock_sock *vsk;
	struct vmci_loop_qp *qp;
	int side;
	bool peer_reset;		/* written by the peer's detach event */
	struct work_struct request_work;	/* the pending connect */
	struct list_head reset_link;	/* on vmci_loop_reset_list */
	struct vmci_loop_dg_endpoint dg;
	bool dg_bound;
};

static struct vsock_transport vmci_loop_transport;
static struct workqueue_struct *vmci_loop_wq;

/* Set while probing which vsock slots other transports hold. */
static bool vmci_loop_probing;

/*
 * local=0 leaves the LOCAL slot (CID 1, and the guest's own CID) to another
 * transport such as vsock_loopback, so that the two can be measured side by
 * side in one kernel.
 */
static bool vmci_loop_take_local = true;
module_param_named(local, vmci_loop_take_local, bool, 0444);
MODULE_PARM_DESC(local, "Take the vsock LOCAL slot too (default 1; 0 leaves it to vsock_loopback)");

/* debugfs knob: connection requests are lost (connects time out). */
bool vmci_loop_drop_requests;

/* vmci_loop_reset_streams() collects sockets here, under the mutex. */
static DEFINE_MUTEX(vmci_loop_reset_mutex);
static LIST_HEAD(vmci_loop_reset_list);

static inline struct vmci_loop_sock *vmci_loop_trans(struct vsock_sock *vsk)
{
	return vsk->trans;
}

/* ---- queue-pair events from the peer (qp->lock held, atomic) ---- */

static void vmci_loop_peer_attached(void *ctx)
{
}

static void vmci_loop_peer_wrote(void *ctx)
{
	struct sock *sk = ctx;

	sk->sk_data_ready(sk);
}

static void vmci_loop_peer_read(void *ctx)
{
	struct sock *sk = ctx;

	sk->sk_write_space(sk);
}

static void vmci_loop_peer_shutdown(void *ctx, int mode)
{
	struct sock *sk = ctx;
	struct vsock_sock *vsk = vsock_sk(sk);

	WRITE_ONCE(vsk->peer_shutdown, vsk->peer_shutdown | mode);
	sk->sk_state_change(sk);
}

static void vmci_loop_peer_detached(void *ctx, bool reset)
{
	struct sock *sk = ctx;
	struct vsock_sock *vsk = vsock_sk(sk);

	if (reset) {
		WRITE_ONCE(vmci_loop_trans(vsk)->peer_reset, true);
		sk->sk_err = ECONNRESET;
		sk_error_report(sk);
		return;
	}

	/* The peer closed: what it wrote stays readable, then EOF. */
	WRITE_ONCE(vsk->peer_shutdown, SHUTDOWN_MASK);
	sock_set_flag(sk, SOCK_DONE);
	sk->sk_state_change(sk);
}

static const struct vmci_loop_qp_peer_ops vmci_loop_qp_ops = {
	.attached = vmci_loop_peer_attached,
	.wrote = vmci_loop_peer_wrote,
	.read = vmci_loop_peer_read,
	.shutdown = vmci_loop_peer_shutdown,
	.detached = vmci_loop_peer_detached,
};

/* Detach this socket from its queue pair; the socket lock is held. */
static void vmci_loop_stream_detach(struct vsock_sock *vsk, bool reset)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);

	if (!t->qp)
		return;
	vmci_loop_qp_detach(t->qp, t->side, reset);
	t->qp = NULL;
}

/* ---- socket life cycle ---- */

static void vmci_loop_request_work(struct work_struct *work);

static int vmci_loop_sock_init(struct vsock_sock *vsk, struct vsock_sock *psk)
{
	struct vmci_loop_sock *t;

	if (READ_ONCE(vmci_loop_probing))
		return -ENODEV;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;

	t->vsk = vsk;
	INIT_WORK(&t->request_work, vmci_loop_request_work);
	INIT_LIST_HEAD(&t->reset_link);
	INIT_HLIST_NODE(&t->dg.node);
	vsk->trans = t;
	return 0;
}

static int vmci_loop_cancel_pkt(struct vsock_sock *vsk)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);

	/* The work item holds a socket reference while it is queued. */
	if (t && cancel_work(&t->request_work))
		sock_put(sk_vsock(vsk));
	return 0;
}

static void vmci_loop_sock_release(struct vsock_sock *vsk)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);

	vmci_loop_cancel_pkt(vsk);
	if (t->dg_bound) {
		vmci_loop_dg_destroy_handle(&t->dg);
		t->dg_bound = false;
	}
	vmci_loop_stream_detach(vsk, false);
	vsock_remove_sock(vsk);
}

static void vmci_loop_sock_destruct(struct vsock_sock *vsk)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);

	if (!t)
		return;
	if (t->dg_bound)
		vmci_loop_dg_destroy_handle(&t->dg);
	vmci_loop_stream_detach(vsk, false);
	kfree(t);
	vsk->trans = NULL;
}

/* ---- connection set-up ---- */

/*
 * The buffer size both ends use, negotiated as VMCI negotiates it: the
 * listener takes the client's proposal when it is within its own limits and
 * otherwise answers with its own size, which the client must accept.
 */
static int vmci_loop_negotiate(struct vsock_sock *client,
			       struct vsock_sock *listener, u64 *size)
{
	u64 s = client->buffer_size;

	if (s < listener->buffer_min_size || s > listener->buffer_max_size)
		s = listener->buffer_size;
	if (s < client->buffer_min_size || s > client->buffer_max_size)
		return -EINVAL;
	*size = clamp_t(u64, s, VMCI_LOOP_MIN_QP_SIZE, VMCI_LOOP_MAX_QP_SIZE);
	return 0;
}

/*
 * Create the accepting end: a child of @listener with a new queue pair.
 * Called with the client and the listener locked.
 */
static struct sock *vmci_loop_create_child(struct sock *listener,
					   const struct vmci_loop_handle *local,
					   const struct vmci_loop_handle *remote,
					   u64 size)
{
	struct vsock_sock *vchild;
	struct vmci_loop_sock *t;
	struct sock *child;

	child = vsock_create_connected(listener);
	if (!child)
		return ERR_PTR(-ENOMEM);

	lock_sock_nested(child, SINGLE_DEPTH_NESTING + 1);
	vchild = vsock_sk(child);
	vsock_addr_init(&vchild->local_addr, local->context, local->resource);
	vsock_addr_init(&vchild->remote_addr, remote->context, remote->resource);

	/*
	 * The child belongs to this transport, which carries its connection,
	 * whatever vsock_assign_transport() would pick from the remote CID:
	 * with local=0 the guest's own CID maps to the LOCAL slot's holder.
	 * This is what it does for its pick: a module reference, then init().
	 */
	if (!try_module_get(THIS_MODULE))
		goto err;
	if (vmci_loop_sock_init(vchild, vsock_sk(listener))) {
		module_put(THIS_MODULE);
		goto err;
	}
	vchild->transport = &vmci_loop_transport;

	t = vmci_loop_trans(vchild);
	t->qp = vmci_loop_qp_create(local->context, size, size,
				    &vmci_loop_qp_ops, child);
	if (!t->qp)
		goto err;
	t->side = 0;
	vchild->buffer_size = size;
	child->sk_state = TCP_ESTABLISHED;
	vsock_insert_connected(vchild);
	vsock_enqueue_accept(listener, child);
	sk_acceptq_added(listener);
	release_sock(child);
	return child;

err:
	release_sock(child);
	sock_put(child);
	return ERR_PTR(-ECONNRESET);
}

/* Connect @vsk (locked, TCP_SYN_SENT) to its remote address. */
static int vmci_loop_handshake(struct vsock_sock *vsk)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);
	struct sock *sk = sk_vsock(vsk);
	struct vmci_loop_handle src, dst;
	struct sockaddr_vm addr;
	struct sock *listener, *child;
	u64 size;
	int err;

	src.context = vsk->local_addr.svm_cid;
	src.resource = vsk->local_addr.svm_port;
	dst.context = vsk->remote_addr.svm_cid;
	dst.resource = vsk->remote_addr.svm_port;
	err = vmci_loop_route(&src, &dst);
	if (err)
		return err;

	vsock_addr_init(&addr, dst.context, dst.resource);
	listener = vsock_find_bound_socket(&addr);
	if (!listener)
		return -ECONNRESET;	/* nobody there: a reset */
	/*
	 * Only a listener is locked under the client's lock. A socket that
	 * listens never connects again, so two connecting sockets never take
	 * each other's locks in opposite orders.
	 */
	if (listener == sk || READ_ONCE(listener->sk_state) != TCP_LISTEN) {
		sock_put(listener);
		return -ECONNRESET;
	}

	lock_sock_nested(listener, SINGLE_DEPTH_NESTING);
	err = -ECONNRESET;
	if (listener->sk_state != TCP_LISTEN ||
	    listener->sk_type != sk->sk_type ||
	    listener->sk_shutdown == SHUTDOWN_MASK ||
	    sk_acceptq_is_full(listener))
		goto out;

	err = vmci_loop_negotiate(vsk, vsock_sk(listener), &size);
	if (err)
		goto out;

	child = vmci_loop_create_child(listener, &dst, &src, size);
	if (IS_ERR(child)) {
		err = PTR_ERR(child);
		goto out;
	}

	/* The client attaches to the queue pair: the connection is up. */
	t->qp = vmci_loop_trans(vsock_sk(child))->qp;
	t->side = 1;
	vmci_loop_qp_attach(t->qp, src.context, &vmci_loop_qp_ops, sk);
	vsk->buffer_size = size;
	vsk->local_addr.svm_cid = src.context;
	sk->sk_state = TCP_ESTABLISHED;
	sk->sk_socket->state = SS_CONNECTED;
	vsock_insert_connected(vsk);
	sk->sk_state_change(sk);
	listener->sk_data_ready(listener);
	vmci_loop_count(stream_connects, 1);
	err = 0;
out:
	release_sock(listener);
	sock_put(listener);
	return err;
}

static void vmci_loop_request_work(struct work_struct *work)
{
	struct vmci_loop_sock *t =
		container_of(work, struct vmci_loop_sock, request_work);
	struct vsock_sock *vsk = t->vsk;
	struct sock *sk = sk_vsock(vsk);
	int err;

	lock_sock(sk);
	/* Timed out, closed or interrupted meanwhile: nothing to answer. */
	if (sk->sk_state != TCP_SYN_SENT || sock_flag(sk, SOCK_DEAD))
		goto out;
	/* Fault injection: the request is lost, the client times out. */
	if (READ_ONCE(vmci_loop_drop_requests))
		goto out;

	err = vmci_loop_handshake(vsk);
	if (err) {
		vmci_loop_count(stream_refused, 1);
		sk->sk_state = TCP_CLOSE;
		sk->sk_err = -err;
		sk_error_report(sk);
	}
out:
	release_sock(sk);
	sock_put(sk);
}

static int vmci_loop_connect(struct vsock_sock *vsk)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);
	struct sock *sk = sk_vsock(vsk);
	struct vmci_loop_handle src = {
		.context = vsk->local_addr.svm_cid,
		.resource = vsk->local_addr.svm_port,
	};
	struct vmci_loop_handle dst = {
		.context = vsk->remote_addr.svm_cid,
		.resource = vsk->remote_addr.svm_port,
	};
	int err;

	/* Refuse unreachable contexts at once, as VMCI fails the send. */
	err = vmci_loop_route(&src, &dst);
	if (err) {
		sk->sk_state = TCP_CLOSE;
		return err;
	}

	/* A reconnect after a failure may find the old item still queued. */
	if (t->qp)
		vmci_loop_stream_detach(vsk, false);
	t->peer_reset = false;

	sock_hold(sk);
	if (!queue_work(vmci_loop_wq, &t->request_work))
		sock_put(sk);
	return 0;
}

static int vmci_loop_shutdown(struct vsock_sock *vsk, int mode)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);

	if (t->qp)
		vmci_loop_qp_signal_shutdown(t->qp, t->side, mode);
	return 0;
}

/* ---- stream data ---- */

static bool vmci_loop_stream_usable(struct vmci_loop_sock *t)
{
	return t->qp && !READ_ONCE(t->peer_reset);
}

static ssize_t vmci_loop_stream_dequeue(struct vsock_sock *vsk,
					struct msghdr *msg, size_t len,
					int flags)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);
	ssize_t n;

	if (!vmci_loop_stream_usable(t))
		return 0;
	n = vmci_loop_qp_dequeue(t->qp, t->side, &msg->msg_iter, len,
				 flags & MSG_PEEK);
	if (n > 0 && !(flags & MSG_PEEK))
		vmci_loop_count(stream_bytes_received, n);
	return n;
}

static ssize_t vmci_loop_stream_enqueue(struct vsock_sock *vsk,
					struct msghdr *msg, size_t len)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);
	ssize_t n;

	if (!vmci_loop_stream_usable(t))
		return -ECONNRESET;
	n = vmci_loop_qp_enqueue(t->qp, t->side, &msg->msg_iter, len);
	if (n > 0)
		vmci_loop_count(stream_bytes_sent, n);
	return n;
}

static s64 vmci_loop_stream_has_data(struct vsock_sock *vsk)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);

	return vmci_loop_stream_usable(t) ?
		vmci_loop_qp_ready(t->qp, t->side) : 0;
}

static s64 vmci_loop_stream_has_space(struct vsock_sock *vsk)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);

	return vmci_loop_stream_usable(t) ?
		vmci_loop_qp_free_space(t->qp, t->side) : 0;
}

static u64 vmci_loop_stream_rcvhiwat(struct vsock_sock *vsk)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);

	return t->qp ? t->qp->ring[!t->side].size : vsk->buffer_size;
}

static bool vmci_loop_stream_is_active(struct vsock_sock *vsk)
{
	return vmci_loop_trans(vsk)->qp;
}

static bool vmci_loop_stream_allow(u32 cid, u32 port)
{
	/* The hypervisor has no socket endpoints. */
	return cid != VMCI_LOOP_HYPERVISOR_CID;
}

static bool vmci_loop_seqpacket_allow(u32 remote_cid)
{
	/* VMCI has no sequenced packets. */
	return false;
}

/* ---- notifications: the queue-pair events do the waking ---- */

static int vmci_loop_notify_poll_in(struct vsock_sock *vsk, size_t target,
				    bool *data_ready_now)
{
	*data_ready_now = vmci_loop_stream_has_data(vsk) >= target;
	return 0;
}

static int vmci_loop_notify_poll_out(struct vsock_sock *vsk, size_t target,
				     bool *space_avail_now)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);

	/* A writer facing a gone or reset peer must wake up to fail. */
	*space_avail_now = vmci_loop_stream_has_space(vsk) > 0 ||
			   (READ_ONCE(vsk->peer_shutdown) & RCV_SHUTDOWN) ||
			   !vmci_loop_stream_usable(t);
	return 0;
}

static int vmci_loop_notify_recv(struct vsock_sock *vsk, size_t target,
				 struct vsock_transport_recv_notify_data *data)
{
	return 0;
}

static int vmci_loop_notify_recv_post_dequeue(struct vsock_sock *vsk,
					      size_t target, ssize_t copied,
					      bool data_read,
					      struct vsock_transport_recv_notify_data *data)
{
	return 0;
}

static int vmci_loop_notify_send(struct vsock_sock *vsk,
				 struct vsock_transport_send_notify_data *data)
{
	return 0;
}

static int vmci_loop_notify_send_post_enqueue(struct vsock_sock *vsk,
					      ssize_t written,
					      struct vsock_transport_send_notify_data *data)
{
	return 0;
}

static void vmci_loop_notify_buffer_size(struct vsock_sock *vsk, u64 *val)
{
	*val = clamp_t(u64, *val, VMCI_LOOP_MIN_QP_SIZE, VMCI_LOOP_MAX_QP_SIZE);
}

/* ---- datagrams ---- */

/* Queue a routed datagram on the socket (endpoint table lock held). */
static int vmci_loop_dg_deliver(struct vmci_loop_dg_endpoint *ep,
				struct sk_buff *skb)
{
	struct vmci_loop_sock *t = container_of(ep, struct vmci_loop_sock, dg);
	int err;

	err = sock_queue_rcv_skb(sk_vsock(t->vsk), skb);
	if (err)
		kfree_skb(skb);
	return err;
}

static int vmci_loop_dgram_bind(struct vsock_sock *vsk,
				struct sockaddr_vm *addr)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsk);
	int err;

	if (addr->svm_port != VMADDR_PORT_ANY &&
	    addr->svm_port <= LAST_RESERVED_PORT &&
	    !capable(CAP_NET_BIND_SERVICE))
		return -EACCES;

	t->dg.deliver = vmci_loop_dg_deliver;
	err = vmci_loop_dg_create_handle(&t->dg, addr->svm_cid,
					 addr->svm_port);
	if (err)
		return err;
	t->dg_bound = true;
	vsock_addr_init(&vsk->local_addr, addr->svm_cid,
			t->dg.handle.resource);
	return 0;
}

static int vmci_loop_dgram_enqueue(struct vsock_sock *vsk,
				   struct sockaddr_vm *remote,
				   struct msghdr *msg, size_t len)
{
	struct sock *sk = sk_vsock(vsk);
	struct vmci_loop_handle src = {
		.context = vsk->local_addr.svm_cid,
		.resource = vsk->local_addr.svm_port,
	};
	struct vmci_loop_handle dst = {
		.context = remote->svm_cid,
		.resource = remote->svm_port,
	};
	unsigned long data_len = 0;
	struct sk_buff *skb;
	int err;

	if (len > VMCI_LOOP_MAX_DG_PAYLOAD)
		return -EMSGSIZE;

	/* Large datagrams go in page fragments, as AF_UNIX does. */
	if (len > SKB_MAX_ALLOC)
		data_len = PAGE_ALIGN(len - SKB_MAX_ALLOC);
	skb = sock_alloc_send_pskb(sk, len - data_len, data_len,
				   msg->msg_flags & MSG_DONTWAIT, &err,
				   PAGE_ALLOC_COSTLY_ORDER);
	if (!skb)
		return err;
	skb_put(skb, len - data_len);
	skb->data_len = data_len;
	skb->len = len;
	err = skb_copy_datagram_from_iter(skb, 0, &msg->msg_iter, len);
	if (err) {
		kfree_skb(skb);
		return err;
	}

	return vmci_loop_dg_send(&src, &dst, skb);
}

static int vmci_loop_dgram_dequeue(struct vsock_sock *vsk,
				   struct msghdr *msg, size_t len, int flags)
{
	struct sock *sk = sk_vsock(vsk);
	struct sk_buff *skb;
	size_t copy;
	int err = 0;

	if (flags & (MSG_OOB | MSG_ERRQUEUE))
		return -EOPNOTSUPP;

	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;

	copy = skb->len;
	if (copy > len) {
		copy = len;
		msg->msg_flags |= MSG_TRUNC;
	}
	err = skb_copy_datagram_msg(skb, 0, msg, copy);
	if (err)
		goto out;

	if (msg->msg_name) {
		DECLARE_SOCKADDR(struct sockaddr_vm *, vm_addr, msg->msg_name);

		vsock_addr_init(vm_addr, VMCI_LOOP_DG_CB(skb)->src.context,
				VMCI_LOOP_DG_CB(skb)->src.resource);
		msg->msg_namelen = sizeof(*vm_addr);
	}
	/* With MSG_TRUNC the caller learns the real size, as with UDP. */
	err = (flags & MSG_TRUNC) ? skb->len : copy;
out:
	skb_free_datagram(sk, skb);
	return err;
}

static bool vmci_loop_dgram_allow(u32 cid, u32 port)
{
	if (cid == VMCI_LOOP_HYPERVISOR_CID)
		return port == VMCI_LOOP_UNITY_PBRPC_REGISTER;
	return true;
}

static u32 vmci_loop_get_local_cid(void)
{
	return vmci_loop_guest_cid;
}

static struct vsock_transport vmci_loop_transport = {
	.module = THIS_MODULE,

	.init = vmci_loop_sock_init,
	.destruct = vmci_loop_sock_destruct,
	.release = vmci_loop_sock_release,
	.cancel_pkt = vmci_loop_cancel_pkt,
	.connect = vmci_loop_connect,
	.shutdown = vmci_loop_shutdown,

	.dgram_bind = vmci_loop_dgram_bind,
	.dgram_dequeue = vmci_loop_dgram_dequeue,
	.dgram_enqueue = vmci_loop_dgram_enqueue,
	.dgram_allow = vmci_loop_dgram_allow,

	.stream_dequeue = vmci_loop_stream_dequeue,
	.stream_enqueue = vmci_loop_stream_enqueue,
	.stream_has_data = vmci_loop_stream_has_data,
	.stream_has_space = vmci_loop_stream_has_space,
	.stream_rcvhiwat = vmci_loop_stream_rcvhiwat,
	.stream_is_active = vmci_loop_stream_is_active,
	.stream_allow = vmci_loop_stream_allow,

	.seqpacket_allow = vmci_loop_seqpacket_allow,

	.notify_poll_in = vmci_loop_notify_poll_in,
	.notify_poll_out = vmci_loop_notify_poll_out,
	.notify_recv_init = vmci_loop_notify_recv,
	.notify_recv_pre_block = vmci_loop_notify_recv,
	.notify_recv_pre_dequeue = vmci_loop_notify_recv,
	.notify_recv_post_dequeue = vmci_loop_notify_recv_post_dequeue,
	.notify_send_init = vmci_loop_notify_send,
	.notify_send_pre_block = vmci_loop_notify_send,
	.notify_send_pre_enqueue = vmci_loop_notify_send,
	.notify_send_post_enqueue = vmci_loop_notify_send_post_enqueue,
	.notify_buffer_size = vmci_loop_notify_buffer_size,

	.get_local_cid = vmci_loop_get_local_cid,
};

/* ---- the reset knob ---- */

/* Called under vsock_table_lock: only collect. */
static void vmci_loop_collect(struct sock *sk)
{
	struct vmci_loop_sock *t = vmci_loop_trans(vsock_sk(sk));

	if (t && list_empty(&t->reset_link)) {
		sock_hold(sk);
		list_add_tail(&t->reset_link, &vmci_loop_reset_list);
	}
}

/**
 * vmci_loop_reset_streams - drop every stream connection
 *
 * What a VM suspend/resume or vMotion does to VMCI sockets: both ends of
 * every connection see ECONNRESET. Listeners and datagram sockets are not
 * connected and survive.
 *
 * Return: the number of socket ends reset.
 */
int vmci_loop_reset_streams(void)
{
	struct vmci_loop_sock *t, *tmp;
	int n = 0;

	mutex_lock(&vmci_loop_reset_mutex);
	vsock_for_each_connected_socket(&vmci_loop_transport,
					vmci_loop_collect);
	list_for_each_entry_safe(t, tmp, &vmci_loop_reset_list, reset_link) {
		struct sock *sk = sk_vsock(t->vsk);

		list_del_init(&t->reset_link);
		lock_sock(sk);
		if (t->qp) {
			vmci_loop_stream_detach(t->vsk, true);
			sk->sk_err = ECONNRESET;
			sk_error_report(sk);
			n++;
		}
		release_sock(sk);
		sock_put(sk);
	}
	mutex_unlock(&vmci_loop_reset_mutex);

	vmci_loop_count(stream_resets, n);
	return n;
}

/* ---- registration ---- */

/*
 * Name the module behind a vsock slot: a kernel socket gets the slot's
 * transport assigned the way af_vsock assigns it, and says whose it is.
 */
static void vmci_loop_slot_holder(int type, u32 cid, char *name, size_t len)
{
	struct socket *sock;
	struct vsock_sock *vsk;

	strscpy(name, "another transport", len);
	if (sock_create_kern(&init_net, AF_VSOCK, type, 0, &sock))
		return;
	vsk = vsock_sk(sock->sk);
	if (type != SOCK_DGRAM) {
		lock_sock(sock->sk);
		vsk->remote_addr.svm_cid = cid;
		vsock_assign_transport(vsk, NULL);
		release_sock(sock->sk);
	}
	if (vsk->transport)
		strscpy(name, module_name(vsk->transport->module), len);
	sock_release(sock);
}

static void vmci_loop_explain_busy(void)
{
	static const struct {
		int feature;
		const char *slot;
		int type;
		u32 cid;
	} slots[] = {
		{ VSOCK_TRANSPORT_F_G2H, "guest-to-host (G2H)", SOCK_STREAM,
		  VMCI_LOOP_HOST_CID },
		{ VSOCK_TRANSPORT_F_H2G, "host-to-guest (H2G)", SOCK_STREAM,
		  0x7fffffff },
		{ VSOCK_TRANSPORT_F_DGRAM, "datagram (DGRAM)", SOCK_DGRAM, 0 },
		{ VSOCK_TRANSPORT_F_LOCAL, "local (LOCAL)", SOCK_STREAM,
		  VMADDR_CID_LOCAL },
	};
	char name[MODULE_NAME_LEN];
	int i;

	WRITE_ONCE(vmci_loop_probing, true);
	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		if (slots[i].feature == VSOCK_TRANSPORT_F_LOCAL &&
		    !vmci_loop_take_local)
			continue;
		if (!vsock_core_register(&vmci_loop_transport,
					 slots[i].feature)) {
			vsock_core_unregister(&vmci_loop_transport);
			continue;
		}
		vmci_loop_slot_holder(slots[i].type, slots[i].cid, name,
				      sizeof(name));
		pr_err("the vsock %s slot is held by %s: unload it first ('rmmod %s'), then load vmci_loop again\n",
		       slots[i].slot, name, name);
		if (slots[i].feature == VSOCK_TRANSPORT_F_LOCAL)
			pr_err("(or load vmci_loop with local=0 to leave CID 1 and the local CIDs to %s)\n",
			       name);
	}
	WRITE_ONCE(vmci_loop_probing, false);
}

int vmci_loop_transport_init(void)
{
	int features = VSOCK_TRANSPORT_F_G2H | VSOCK_TRANSPORT_F_H2G |
		       VSOCK_TRANSPORT_F_DGRAM;
	int err;

	if (vmci_loop_take_local)
		features |= VSOCK_TRANSPORT_F_LOCAL;

	vmci_loop_wq = alloc_workqueue("vmci_loop", 0, 0);
	if (!vmci_loop_wq)
		return -ENOMEM;

	err = vsock_core_register(&vmci_loop_transport, features);
	if (err) {
		if (err == -EBUSY)
			vmci_loop_explain_busy();
		else
			pr_err("cannot register the vsock transport: %d\n",
			       err);
		destroy_workqueue(vmci_loop_wq);
		return err;
	}
	return 0;
}

void vmci_loop_transport_exit(void)
{
	vsock_core_unregister(&vmci_loop_transport);
	destroy_workqueue(vmci_loop_wq);
}
