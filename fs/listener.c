// SPDX-License-Identifier: GPL-2.0-only
/*
 * listener.c: the listener table and the rules of listening (listener.h).
 * A struct listener holds the engine's listening conn (one reference) for
 * as long as it is in the table; rm closes the socket and drops that
 * reference, and the conn goes once no open handle holds it.
 */
#include <errno.h>
#include <stdlib.h>

#include "hash.h"
#include "listener.h"

struct listener {
	struct hash_node node;	/* key: kind << 32 | port */
	uint64_t id;
	enum conn_kind kind;
	unsigned int port;
	struct opener owner;
	struct conn *sock;
};

static struct hash_table table = HASH_TABLE_INIT;
static uint64_t last_id;

static uint64_t key_of(enum conn_kind kind, unsigned int port)
{
	return (uint64_t)kind << 32 | port;
}

struct listener *listener_find(enum conn_kind kind, unsigned int port)
{
	return (struct listener *)hash_find(&table, key_of(kind, port));
}

struct listener *listener_get(enum conn_kind kind, unsigned int port, uint64_t id)
{
	struct listener *l = listener_find(kind, port);

	return l && l->id == id ? l : NULL;
}

/* Who may listen where: the kernel's own rule for bind(2). */
static int may_listen(unsigned int port, bool may_bind_privileged)
{
	return port < LISTENER_PRIVILEGED_BELOW && !may_bind_privileged ? EACCES : 0;
}

int listener_create(enum conn_kind kind, unsigned int port,
		    const struct opener *who, bool may_bind_privileged,
		    struct listener **out)
{
	struct listener *l;
	int err = may_listen(port, may_bind_privileged);

	if (err)
		return err;
	if (listener_find(kind, port))
		return EEXIST;
	l = calloc(1, sizeof(*l));
	if (!l)
		return ENOMEM;
	l->sock = conn_listen(kind, port, who);
	if (!l->sock) {
		err = errno;
		free(l);
		return err;
	}
	l->node.key = key_of(kind, port);
	if (hash_add(&table, &l->node) < 0) {
		conn_close(l->sock);
		conn_release(l->sock);
		free(l);
		return ENOMEM;
	}
	l->id = ++last_id;
	l->kind = kind;
	l->port = port;
	l->owner = *who;
	*out = l;
	return 0;
}

uint64_t listener_id(const struct listener *l)
{
	return l->id;
}

enum conn_kind listener_kind(const struct listener *l)
{
	return l->kind;
}

unsigned int listener_port(const struct listener *l)
{
	return l->port;
}

uid_t listener_uid(const struct listener *l)
{
	return l->owner.uid;
}

gid_t listener_gid(const struct listener *l)
{
	return l->owner.gid;
}

const struct conn *listener_conn(const struct listener *l)
{
	return l->sock;
}

/*
 * Who owns a listener: the user who created it. Root may too, as root may
 * take over any socket (ptrace, pidfd_getfd); root inside a user namespace
 * is not uid 0 here (FUSE gives uids as the daemon's namespace sees them).
 */
bool listener_owned_by(const struct listener *l, uid_t uid)
{
	return uid == l->owner.uid || uid == 0;
}

int listener_open(struct request *req, struct listener *l, const struct opener *who,
		  bool nonblock, uintptr_t cookie)
{
	if (!listener_owned_by(l, who->uid))
		return EACCES;
	if (l->kind == CONN_DGRAM_BOUND)
		conn_open_bound(req, l->sock, cookie);
	else
		conn_accept(req, l->sock, nonblock, who, cookie);
	return 0;
}

static void forget(struct listener *l)
{
	hash_del(&table, &l->node);
	conn_close(l->sock);
	conn_release(l->sock);
	free(l);
}

int listener_remove(struct listener *l, uid_t uid)
{
	if (!listener_owned_by(l, uid))
		return EPERM;
	forget(l);
	return 0;
}

struct port_list {
	enum conn_kind kind;
	unsigned int *ports;
	size_t n;
};

static void collect_port(struct hash_node *n, void *arg)
{
	struct listener *l = (struct listener *)n;
	struct port_list *pl = arg;

	if (l->kind == pl->kind)
		pl->ports[pl->n++] = l->port;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

unsigned int *listener_ports(enum conn_kind kind, size_t *n)
{
	struct port_list pl = { .kind = kind };

	pl.ports = malloc((table.count + 1) * sizeof(*pl.ports));
	if (!pl.ports)
		return NULL;
	hash_for_each(&table, collect_port, &pl);
	qsort(pl.ports, pl.n, sizeof(*pl.ports), cmp_uint);
	*n = pl.n;
	return pl.ports;
}

size_t listener_count(void)
{
	return table.count;
}

uint64_t listener_probes(void)
{
	return table.probes;
}

static void forget_node(struct hash_node *n, void *arg)
{
	(void)arg;
	forget((struct listener *)n);
}

void listener_destroy_all(void)
{
	hash_for_each(&table, forget_node, NULL);
	hash_free(&table);
}
