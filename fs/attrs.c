// SPDX-License-Identifier: GPL-2.0-only
/*
 * attrs.c: the user.vmci attributes of an open file (see attrs.h), from the
 * engine's conn_info and the socket's own addresses.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "attrs.h"
#include "namespace.h"
#include "vsock.h"

#define PREFIX "user.vmci."

static const char *const names[] = {
	"type", "state", "local", "remote", "rx", "tx", "buffer_size",
	"shutdown", "headers",
};

static const char *type_name(enum conn_kind k)
{
	switch (k) {
	case CONN_STREAM: return "stream";
	case CONN_SEQPACKET: return "seqpacket";
	case CONN_DGRAM: return "dgram";
	case CONN_LISTEN: return "listen";
	case CONN_LISTEN_SEQPACKET: return "listen-seqpacket";
	case CONN_DGRAM_BOUND: return "dgram-bound";
	}
	return "?";
}

static const char *const shut_names[] = { "none", "read", "write", "both" };

static bool is_connection(enum conn_kind k)
{
	return k == CONN_STREAM || k == CONN_SEQPACKET || k == CONN_DGRAM;
}

/* The value of attribute @name (without the prefix) as text, or false. */
static bool value_of(fuse_ino_t ino, const struct conn_info *ci, const char *name,
		     char *buf, size_t size)
{
	if (!strcmp(name, "type")) {
		snprintf(buf, size, "%s", type_name(ci->kind));
	} else if (!strcmp(name, "state")) {
		snprintf(buf, size, "%s", ci->state);
	} else if (!strcmp(name, "local")) {
		vsock_addr_text(ci->fd, false, buf, size);
	} else if (!strcmp(name, "remote")) {
		if (!is_connection(ci->kind))
			return false;
		buf[0] = '-';
		if (ci->kind != CONN_DGRAM)
			vsock_addr_text(ci->fd, true, buf, size);
		if (buf[0] == '-' && ci->dialled)
			vsock_format(ci->cid, ci->port, buf, size);
	} else if (!strcmp(name, "rx")) {
		snprintf(buf, size, "%llu", (unsigned long long)ci->rx);
	} else if (!strcmp(name, "tx")) {
		snprintf(buf, size, "%llu", (unsigned long long)ci->tx);
	} else if (!strcmp(name, "buffer_size")) {
		long long n = vsock_buffer_size(ci->fd);

		if (n < 0)
			return false;
		snprintf(buf, size, "%lld", n);
	} else if (!strcmp(name, "shutdown")) {
		if (!is_connection(ci->kind))
			return false;
		snprintf(buf, size, "%s", shut_names[ci->shut & 3]);
	} else if (!strcmp(name, "headers")) {
		if (ci->kind != CONN_DGRAM_BOUND)
			return false;
		snprintf(buf, size, "%d", ns_headers(ino) ? 1 : 0);
	} else {
		return false;
	}
	return buf[0] != '-';	/* no such address (yet) */
}

size_t attrs_list(fuse_ino_t ino, char *buf, size_t size)
{
	struct conn *c = ns_conn(ino);
	struct conn_info ci;
	char value[64];
	size_t len = 0;

	if (!c)
		return 0;
	conn_get_info(c, &ci);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(PREFIX) + strlen(names[i]) + 1;

		if (!value_of(ino, &ci, names[i], value, sizeof(value)))
			continue;
		if (len + n <= size)
			snprintf(buf + len, n, PREFIX "%s", names[i]);
		len += n;
	}
	return len;
}

ssize_t attrs_get(fuse_ino_t ino, const char *name, char *buf, size_t size)
{
	struct conn *c = ns_conn(ino);
	struct conn_info ci;
	char value[64];
	size_t len;

	if (!c || strncmp(name, PREFIX, strlen(PREFIX)) != 0)
		return -ENODATA;
	conn_get_info(c, &ci);
	if (!value_of(ino, &ci, name + strlen(PREFIX), value, sizeof(value)))
		return -ENODATA;
	len = strlen(value);
	if (len <= size)
		memcpy(buf, value, len);
	return (ssize_t)len;
}

/* @value (@size bytes, a trailing newline allowed) is @word. */
static bool is_word(const char *value, size_t size, const char *word)
{
	size_t n = strlen(word);

	if (size == n + 1 && value[n] == '\n')
		size--;
	return size == n && !memcmp(value, word, n);
}

int attrs_set(struct request *req, fuse_ino_t ino, const char *name,
	      const char *value, size_t size, uid_t uid)
{
	struct conn *c = ns_conn(ino);
	struct conn_info ci;

	if (strncmp(name, PREFIX, strlen(PREFIX)) != 0)
		return ENOTSUP;
	if (!c)
		return ENODATA;
	conn_get_info(c, &ci);
	/* Steering a socket is its opener's business (and root's). */
	if (uid != ci.who.uid && uid != 0)
		return EPERM;
	name += strlen(PREFIX);
	if (!strcmp(name, "shutdown")) {
		unsigned int how = is_word(value, size, "read") ? CONN_SHUT_READ :
			is_word(value, size, "write") ? CONN_SHUT_WRITE :
			is_word(value, size, "both") ? CONN_SHUT_BOTH : 0;

		if (!how)
			return EINVAL;
		conn_shutdown(c, req, how);
		return 0;
	}
	if (!strcmp(name, "headers")) {
		bool on = is_word(value, size, "1");
		int err;

		if (!on && !is_word(value, size, "0"))
			return EINVAL;
		err = ns_set_headers(ino, on);
		return err ? err : ATTRS_DONE;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return EPERM;	/* read-only */
	return ENOTSUP;
}
