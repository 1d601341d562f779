// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuse_floor: the cheapest FUSE file there can be, a benchmark anchor for
 * scripts/bench-fs. It mounts one file, MOUNTPOINT/echo, opened like a
 * /vmci node (direct I/O, not seekable); a write is answered at once and a
 * read returns at once what the last write left. No socket, no peer, one
 * thread in a blocking read of /dev/fuse (libfuse's plain loop). A 1-byte
 * write and read on it costs what any FUSE ping-pong costs before a single
 * byte has reached a socket:
 *
 *   fuse_floor MOUNTPOINT            (stays in the foreground; umount ends it)
 */
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ECHO_INO	2
static char last[4096];
static size_t last_len;

static void fill_attr(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = ino == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0666;
	st->st_nlink = ino == FUSE_ROOT_ID ? 2 : 1;
}

static void floor_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { .ino = ECHO_INO };

	if (parent != FUSE_ROOT_ID || strcmp(name, "echo") != 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_attr(ECHO_INO, &e.attr);
	fuse_reply_entry(req, &e);
}

static void floor_getattr(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	fill_attr(ino, &st);
	fuse_reply_attr(req, &st, 0);
}

static void floor_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	fi->direct_io = 1;
	fi->nonseekable = 1;
	fuse_reply_open(req, fi);
}

static void floor_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	(void)ino;
	(void)off;
	(void)fi;
	fuse_reply_buf(req, last, size < last_len ? size : last_len);
}

static void floor_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
			size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)ino;
	(void)off;
	(void)fi;
	last_len = size < sizeof(last) ? size : sizeof(last);
	memcpy(last, buf, last_len);
	fuse_reply_write(req, size);
}

static const struct fuse_lowlevel_ops floor_ops = {
	.lookup = floor_lookup,
	.getattr = floor_getattr,
	.open = floor_open,
	.read = floor_read,
	.write = floor_write,
};

int main(int argc, char **argv)
{
	char *args_v[] = { argv[0], NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, args_v);
	struct fuse_session *se;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: fuse_floor MOUNTPOINT\n");
		return 2;
	}
	se = fuse_session_new(&args, &floor_ops, sizeof(floor_ops), NULL);
	if (!se || fuse_session_mount(se, argv[1]) != 0)
		return 1;
	err = fuse_session_loop(se);
	fuse_session_unmount(se);
	fuse_session_destroy(se);
	return err ? 1 : 0;
}
