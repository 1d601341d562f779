/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hash.h: an intrusive hash table with 64-bit keys and chaining, grown as it
 * fills (at most one entry per bucket on average), so a lookup costs a
 * couple of comparisons however many entries there are. It holds listeners
 * by (kind, port) and users by uid. No locks: the daemon has one thread.
 */
#ifndef VMCIFS_HASH_H
#define VMCIFS_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash_node {
	struct hash_node *next;
	uint64_t key;
};

struct hash_table {
	struct hash_node **buckets;
	size_t nbuckets;	/* a power of two, or 0 before the first add */
	size_t count;
	uint64_t probes;	/* entries compared by hash_find, for tests */
};

#define HASH_TABLE_INIT { NULL, 0, 0, 0 }

/* The entry with @key, or NULL. */
struct hash_node *hash_find(struct hash_table *t, uint64_t key);
/* Add @n under n->key (keys must be unique): 0, or -ENOMEM. */
int hash_add(struct hash_table *t, struct hash_node *n);
void hash_del(struct hash_table *t, struct hash_node *n);
/* Call @fn on every entry (it may delete that entry). */
void hash_for_each(struct hash_table *t, void (*fn)(struct hash_node *n, void *arg),
		   void *arg);
/* Free the buckets (the entries are the caller's). */
void hash_free(struct hash_table *t);

#endif
