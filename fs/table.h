/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * table.h: the text of /vmci/connections, one line per socket, like
 * /proc/net/tcp: type, local and remote address, state, bytes received and
 * sent, the opener's pid.
 */
#ifndef VMCIFS_TABLE_H
#define VMCIFS_TABLE_H

#include <stddef.h>

/* The table now, malloc'd (*len bytes), or NULL. */
char *table_text(size_t *len);

#endif
