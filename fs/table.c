// SPDX-License-Identifier: GPL-2.0-only
/*
 * table.c: /vmci/connections (see table.h), from the engine's conn_info.
 */
#include <stdio.h>
#include <stdlib.h>

#include "conn.h"
#include "table.h"
#include "vsock.h"

static const char *kind_name(enum conn_kind k)
{
	switch (k) {
	case CONN_STREAM: return "stream";
	case CONN_SEQPACKET: return "seqpacket";
	case CONN_DGRAM: return "dgram";
	case CONN_LISTEN: return "listen";
	case CONN_LISTEN_SEQPACKET: return "seq-listen";
	case CONN_DGRAM_BOUND: return "dgram-listen";
	}
	return "?";
}

static void table_row(const struct conn *c, void *arg)
{
	FILE *f = arg;
	struct conn_info ci;
	char local[32], remote[32];

	conn_get_info(c, &ci);
	vsock_addr_text(ci.fd, false, local, sizeof(local));
	if (ci.kind == CONN_LISTEN || ci.kind == CONN_LISTEN_SEQPACKET ||
	    ci.kind == CONN_DGRAM_BOUND || ci.fd < 0)
		snprintf(remote, sizeof(remote), "-");
	else if (ci.kind == CONN_DGRAM)
		vsock_format(ci.cid, ci.port, remote, sizeof(remote));
	else
		vsock_addr_text(ci.fd, true, remote, sizeof(remote));
	if (remote[0] == '-' && ci.dialled)
		vsock_format(ci.cid, ci.port, remote, sizeof(remote));
	fprintf(f, "%-12s %-22s %-22s %-11s %12llu %12llu %7d\n",
		kind_name(ci.kind), local, remote, ci.state,
		(unsigned long long)ci.rx, (unsigned long long)ci.tx, (int)ci.who.pid);
}

char *table_text(size_t *lenp)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "%-12s %-22s %-22s %-11s %12s %12s %7s\n", "type", "local",
		"remote", "state", "rx", "tx", "pid");
	conn_for_each(table_row, f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	*lenp = len;
	return text;
}
