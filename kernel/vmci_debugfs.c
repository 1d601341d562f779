// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop debugfs: what the device is doing, and how to break it.
 *
 * /sys/kernel/debug/vmci_loop/
 *   stats          counters, one "name value" per line
 *   queue_pairs    the live queue pairs: handle, ends, ring sizes and fill
 *   reset          write anything: cut every queue pair, as a VM
 *                  suspend/resume or vMotion does (QP_PEER_DETACH to each
 *                  end, QP_RESUMED to the guest)
 *   drop_requests  1: stream connection requests are lost, both ways, so
 *                  connects time out
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>

#include "vmci_loop.h"

static struct dentry *vmci_loop_debugfs_dir;

static int vmci_loop_stats_show(struct seq_file *m, void *unused)
{
	struct vmci_loop_stats s;

	vmci_loop_stats_read(&s);
	seq_printf(m, "guest_cid %u\n", vmci_loop_guest.cid);
	seq_printf(m, "dgram_sent %llu\n", s.dgram_sent);
	seq_printf(m, "dgram_received %llu\n", s.dgram_received);
	seq_printf(m, "dgram_dropped %llu\n", s.dgram_dropped);
	seq_printf(m, "dgram_no_endpoint %llu\n", s.dgram_no_endpoint);
	seq_printf(m, "dgram_bytes_sent %llu\n", s.dgram_bytes_sent);
	seq_printf(m, "control_packets %llu\n", s.control_packets);
	seq_printf(m, "stream_connects %llu\n", s.stream_connects);
	seq_printf(m, "stream_refused %llu\n", s.stream_refused);
	seq_printf(m, "stream_lingered %llu\n", s.stream_lingered);
	seq_printf(m, "stream_pending_reset %llu\n",
		   s.stream_pending_reset);
	seq_printf(m, "stream_bytes_sent %llu\n", s.stream_bytes_sent);
	seq_printf(m, "stream_bytes_received %llu\n", s.stream_bytes_received);
	seq_printf(m, "qp_created %llu\n", s.qp_created);
	seq_printf(m, "qp_attached %llu\n", s.qp_attached);
	seq_printf(m, "qp_destroyed %llu\n", s.qp_destroyed);
	seq_printf(m, "qp_refused_memory %llu\n", s.qp_refused_memory);
	seq_printf(m, "qp_refused_user %llu\n", s.qp_refused_user);
	seq_printf(m, "qp_live %u\n", vmci_loop_qp_count());
	seq_printf(m, "qp_memory %llu\n", vmci_loop_qp_memory());
	seq_printf(m, "qp_memory_host %lld\n",
		   (long long)atomic64_read(&vmci_loop_host.qp_memory));
	seq_printf(m, "qp_memory_guest %lld\n",
		   (long long)atomic64_read(&vmci_loop_guest.qp_memory));
	seq_printf(m, "qp_memory_max %llu\n",
		   (u64)READ_ONCE(vmci_loop_qp_memory_max) << 20);
	seq_printf(m, "qp_memory_user_max %llu\n", vmci_loop_qp_user_max());
	seq_printf(m, "resets %llu\n", s.resets);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmci_loop_stats);

static void vmci_loop_show_cid(struct seq_file *m, const char *name, u32 cid)
{
	if (cid == VMCI_INVALID_ID)
		seq_printf(m, " %s=-", name);
	else
		seq_printf(m, " %s=%u", name, cid);
}

static void vmci_loop_qp_show_one(const struct vmci_loop_qp_info *qi, void *arg)
{
	struct seq_file *m = arg;

	seq_printf(m, "%u:%u", qi->handle.context, qi->handle.resource);
	vmci_loop_show_cid(m, "creator", qi->create_cid);
	vmci_loop_show_cid(m, "attacher", qi->attach_cid);
	seq_printf(m, " produce=%llu consume=%llu used=%llu/%llu%s\n",
		   qi->produce_size, qi->consume_size, qi->produce_used,
		   qi->consume_used, qi->severed ? " severed" : "");
}

static int vmci_loop_qps_show(struct seq_file *m, void *unused)
{
	vmci_loop_qp_for_each(vmci_loop_qp_show_one, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmci_loop_qps);

static ssize_t vmci_loop_reset_write(struct file *file, const char __user *buf,
				     size_t count, loff_t *ppos)
{
	unsigned int n = vmci_loop_qp_reset_all();

	pr_info("reset: %u queue pair%s cut\n", n, n == 1 ? "" : "s");
	return count;
}

static const struct file_operations vmci_loop_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vmci_loop_reset_write,
	.llseek = noop_llseek,
};

/* Observability is optional: without debugfs the device still works. */
void vmci_loop_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir(KBUILD_MODNAME, NULL);

	if (IS_ERR(dir)) {
		pr_warn("no debugfs: counters and the fault knobs are unavailable\n");
		return;
	}
	debugfs_create_file("stats", 0444, dir, NULL, &vmci_loop_stats_fops);
	debugfs_create_file("queue_pairs", 0444, dir, NULL,
			    &vmci_loop_qps_fops);
	debugfs_create_file("reset", 0200, dir, NULL, &vmci_loop_reset_fops);
	debugfs_create_bool("drop_requests", 0600, dir,
			    &vmci_loop_drop_requests);
	vmci_loop_debugfs_dir = dir;
}

void vmci_loop_debugfs_exit(void)
{
	debugfs_remove_recursive(vmci_loop_debugfs_dir);
	vmci_loop_debugfs_dir = NULL;
}
