// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmci_loop debugfs: what the device is doing and how to break it.
 *
 * /sys/kernel/debug/vmci_loop/
 *   stats          counters, one "name value" per line
 *   queue_pairs    the live queue pairs: handle, ends, ring sizes and fill
 *   reset          write anything: reset every stream connection, as a VM
 *                  suspend/resume or vMotion does
 *   drop_requests  1: connection requests are lost (connects time out)
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
	seq_printf(m, "guest_cid %u\n", vmci_loop_guest_cid);
	seq_printf(m, "stream_connects %llu\n", s.stream_connects);
	seq_printf(m, "stream_refused %llu\n", s.stream_refused);
	seq_printf(m, "stream_resets %llu\n", s.stream_resets);
	seq_printf(m, "stream_bytes_sent %llu\n", s.stream_bytes_sent);
	seq_printf(m, "stream_bytes_received %llu\n", s.stream_bytes_received);
	seq_printf(m, "dgram_sent %llu\n", s.dgram_sent);
	seq_printf(m, "dgram_received %llu\n", s.dgram_received);
	seq_printf(m, "dgram_dropped %llu\n", s.dgram_dropped);
	seq_printf(m, "dgram_no_endpoint %llu\n", s.dgram_no_endpoint);
	seq_printf(m, "dgram_bytes_sent %llu\n", s.dgram_bytes_sent);
	seq_printf(m, "qp_created %llu\n", s.qp_created);
	seq_printf(m, "qp_destroyed %llu\n", s.qp_destroyed);
	seq_printf(m, "qp_live %u\n", vmci_loop_qp_count());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmci_loop_stats);

static void vmci_loop_qp_show_one(struct vmci_loop_qp *qp, void *arg)
{
	struct seq_file *m = arg;
	int i;

	seq_printf(m, "%u:%u", qp->handle.context, qp->handle.resource);
	for (i = 0; i < 2; i++) {
		const struct vmci_loop_ring *r = &qp->ring[i];

		seq_printf(m, " end%d=%s ctx=%u ring=%llu used=%llu", i,
			   READ_ONCE(qp->end[i].ops) ? "attached" : "detached",
			   qp->end[i].context, r->size,
			   READ_ONCE(r->tail) - READ_ONCE(r->head));
	}
	seq_putc(m, '\n');
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
	int n = vmci_loop_reset_streams();

	pr_info("reset %d stream socket%s\n", n, n == 1 ? "" : "s");
	return count;
}

static const struct file_operations vmci_loop_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vmci_loop_reset_write,
	.llseek = noop_llseek,
};

int vmci_loop_debugfs_init(void)
{
	struct dentry *dir;

	dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);

	debugfs_create_file("stats", 0444, dir, NULL, &vmci_loop_stats_fops);
	debugfs_create_file("queue_pairs", 0444, dir, NULL,
			    &vmci_loop_qps_fops);
	debugfs_create_file("reset", 0200, dir, NULL, &vmci_loop_reset_fops);
	debugfs_create_bool("drop_requests", 0600, dir,
			    &vmci_loop_drop_requests);
	vmci_loop_debugfs_dir = dir;
	return 0;
}

void vmci_loop_debugfs_exit(void)
{
	debugfs_remove_recursive(vmci_loop_debugfs_dir);
	vmci_loop_debugfs_dir = NULL;
}
