// SPDX-License-Identifier: GPL-2.0-only
/*
 * quota.c: per-user socket counts (see quota.h), in a hash by uid. A user's
 * entry exists while they hold a socket. The log line for a user at the cap
 * is written at most once a minute per user, so that a user hammering at
 * the cap cannot flood the log (log.c caps the total as well).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "hash.h"
#include "log.h"
#include "quota.h"

#define QUOTA_LOG_INTERVAL 60

struct user {
	struct hash_node node;	/* key: uid */
	unsigned int held;
	bool logged;
	time_t logged_at;	/* CLOCK_MONOTONIC seconds */
};

static struct hash_table users = HASH_TABLE_INIT;
static unsigned int max_per_user = QUOTA_DEFAULT_MAX;

void quota_set_max(unsigned int max)
{
	max_per_user = max;
}

unsigned int quota_max(void)
{
	return max_per_user;
}

static struct user *user_of(uid_t uid)
{
	struct hash_node *n = hash_find(&users, uid);

	return n ? (struct user *)n : NULL;
}

static void log_refusal(struct user *u, uid_t uid)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (u->logged && now.tv_sec - u->logged_at < QUOTA_LOG_INTERVAL)
		return;
	u->logged = true;
	u->logged_at = now.tv_sec;
	vmcifs_log("user %u holds %u sockets, its cap (-o max_sockets=%u): refusing more (EDQUOT)",
		   (unsigned int)uid, u->held, max_per_user);
}

int quota_charge(uid_t uid)
{
	struct user *u = user_of(uid);

	if (!u) {
		u = calloc(1, sizeof(*u));
		if (!u)
			return ENOMEM;
		u->node.key = uid;
		if (hash_add(&users, &u->node) < 0) {
			free(u);
			return ENOMEM;
		}
	}
	if (uid != 0 && max_per_user && u->held >= max_per_user) {
		log_refusal(u, uid);
		return EDQUOT;
	}
	u->held++;
	return 0;
}

void quota_uncharge(uid_t uid)
{
	struct user *u = user_of(uid);

	if (!u || !u->held)
		return;
	if (--u->held == 0) {
		hash_del(&users, &u->node);
		free(u);
	}
}

unsigned int quota_held(uid_t uid)
{
	struct user *u = user_of(uid);

	return u ? u->held : 0;
}

static void free_user(struct hash_node *n, void *arg)
{
	(void)arg;
	free(n);
}

void quota_destroy(void)
{
	hash_for_each(&users, free_user, NULL);
	hash_free(&users);
}
