// SPDX-License-Identifier: GPL-2.0-only
/*
 * hash.c: the intrusive hash table of hash.h.
 */
#include <errno.h>
#include <stdlib.h>

#include "hash.h"

#define MIN_BUCKETS 64

/* Fibonacci hashing: the top bits of key * 2^64/phi spread ports well. */
static size_t bucket_of(const struct hash_table *t, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (t->nbuckets - 1);
}

struct hash_node *hash_find(struct hash_table *t, uint64_t key)
{
	struct hash_node *n;

	if (!t->nbuckets)
		return NULL;
	for (n = t->buckets[bucket_of(t, key)]; n; n = n->next) {
		t->probes++;
		if (n->key == key)
			return n;
	}
	return NULL;
}

static int grow(struct hash_table *t)
{
	size_t nb = t->nbuckets ? t->nbuckets * 2 : MIN_BUCKETS;
	struct hash_node **b = calloc(nb, sizeof(*b));
	struct hash_table bigger = { .buckets = b, .nbuckets = nb };

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct hash_node *n = t->buckets[i], *next;

		for (; n; n = next) {
			size_t k = bucket_of(&bigger, n->key);

			next = n->next;
			n->next = b[k];
			b[k] = n;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
	return 0;
}

int hash_add(struct hash_table *t, struct hash_node *n)
{
	size_t k;

	if (t->count >= t->nbuckets && grow(t) < 0 && !t->nbuckets)
		return -ENOMEM;	/* a failed grow of a used table just chains more */
	k = bucket_of(t, n->key);
	n->next = t->buckets[k];
	t->buckets[k] = n;
	t->count++;
	return 0;
}

void hash_del(struct hash_table *t, struct hash_node *n)
{
	struct hash_node **p;

	if (!t->nbuckets)
		return;
	for (p = &t->buckets[bucket_of(t, n->key)]; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			n->next = NULL;
			t->count--;
			return;
		}
	}
}

void hash_for_each(struct hash_table *t, void (*fn)(struct hash_node *n, void *arg),
		   void *arg)
{
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct hash_node *n = t->buckets[i], *next;

		for (; n; n = next) {
			next = n->next;
			fn(n, arg);
		}
	}
}

void hash_free(struct hash_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = 0;
	t->count = 0;
}
