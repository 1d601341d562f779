// SPDX-License-Identifier: GPL-2.0-only
/*
 * sender.c: blocking sends in helper threads (see sender.h).
 *
 * Jobs go from the loop's thread to a queue that is never longer than the
 * idle helpers woken for it (sender_start starts a thread otherwise); a
 * helper takes one, sends, and puts it on the done list, then writes to an
 * eventfd the loop watches; the loop runs done() for each. One lock guards
 * the queue, the done list and the thread counts. A helper that finds
 * nothing to do waits a while, then leaves unless it is one of the few kept
 * idle. No more than max_threads are alive at once (sender.h).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "sender.h"

/* Helpers kept waiting for work, and how long the others wait. */
#define KEEP_IDLE	2
#define IDLE_SECONDS	10
/* A send needs little stack of ours: the kernel copies on its own. */
#define HELPER_STACK	(64 << 10)
/* The cap's log line comes at most this often (seconds). */
#define CAP_LOG_INTERVAL 60

static ssize_t (*send_fn)(int fd, const void *buf, size_t len);
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;	/* queue or stopping */
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;	/* a job or helper ended */
static LIST(queue);
static LIST(done_list);
static unsigned int nthreads, nidle, nqueued, nsending;
static unsigned int max_threads = SENDER_DEFAULT_MAX;
static bool stopping;
static struct watch done_watch = { .fd = -1 };

static void wake_loop(void)
{
	uint64_t one = 1;

	/* Only fails if the counter is full: the loop is woken already. */
	if (write(done_watch.fd, &one, sizeof(one)) < 0)
		return;
}

static void finish(struct send_job *job, ssize_t result)
{
	job->result = result;
	list_add_tail(&job->link, &done_list);
}

/* Wait for work; false when this helper should leave. Called locked. */
static bool wait_for_work(void)
{
	while (list_empty(&queue)) {
		struct timespec until;
		int r;

		if (stopping)
			return false;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += IDLE_SECONDS;
		nidle++;
		r = pthread_cond_timedwait(&work, &lock, &until);
		nidle--;
		if (r == ETIMEDOUT && list_empty(&queue) && nidle >= KEEP_IDLE)
			return false;
	}
	return true;
}

static void *helper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (wait_for_work()) {
		struct send_job *job = list_first(&queue, struct send_job, link);
		ssize_t n;

		list_del(&job->link);
		nqueued--;
		nsending++;
		pthread_mutex_unlock(&lock);
		n = send_fn(job->fd, job->data, job->len);
		pthread_mutex_lock(&lock);
		nsending--;
		finish(job, n);
		wake_loop();
		pthread_cond_broadcast(&idle);
	}
	nthreads--;
	pthread_cond_broadcast(&idle);
	pthread_mutex_unlock(&lock);
	return NULL;
}

void sender_set_max(unsigned int max)
{
	max_threads = max ? max : UINT_MAX;
}

/* Say so when the cap refuses a message (not for each one). */
static void log_cap(void)
{
	static time_t logged_at;
	static bool logged;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (logged && now.tv_sec - logged_at < CAP_LOG_INTERVAL)
		return;
	logged = true;
	logged_at = now.tv_sec;
	vmcifs_log("%u seqpacket messages are being sent, the cap (-o max_send_threads=%u): "
		   "refusing more (EAGAIN)", nsending, max_threads);
}

/*
 * A helper for each queued job: wake an idle one, or start one, so that no
 * job waits behind another connection's blocked send (up to max_threads:
 * sender.h). Called locked; false if no thread could be had for the
 * newest job.
 */
static bool enough_helpers(void)
{
	pthread_attr_t attr;
	pthread_t t;
	bool ok;

	/* Each woken helper takes one job: idle ones not yet claimed. */
	if (nqueued <= nidle) {
		pthread_cond_signal(&work);
		return true;
	}
	if (nthreads >= max_threads) {
		log_cap();
		return false;
	}
	if (pthread_attr_init(&attr) != 0)
		return false;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, HELPER_STACK);
	ok = pthread_create(&t, &attr, helper, NULL) == 0;
	pthread_attr_destroy(&attr);
	if (ok)
		nthreads++;
	return ok;
}

/* The loop's side: run done() for every job that has ended. */
static void run_done(void)
{
	struct list ready;

	pthread_mutex_lock(&lock);
	list_move_all(&done_list, &ready);	/* done() may start new jobs */
	pthread_mutex_unlock(&lock);
	while (!list_empty(&ready)) {
		struct send_job *job = list_first(&ready, struct send_job, link);

		list_del(&job->link);
		job->done(job);
	}
}

static void done_ready(struct watch *w, uint32_t events)
{
	uint64_t n;

	(void)events;
	if (read(w->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	run_done();
}

int sender_init(ssize_t (*send_message)(int fd, const void *buf, size_t len))
{
	send_fn = send_message;
	done_watch.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	done_watch.ready = done_ready;
	if (done_watch.fd < 0)
		return -1;
	if (loop_add(&done_watch, EPOLLIN) < 0) {
		close(done_watch.fd);
		done_watch.fd = -1;
		return -1;
	}
	return 0;
}

void sender_start(struct send_job *job)
{
	pthread_mutex_lock(&lock);
	list_add_tail(&job->link, &queue);
	nqueued++;
	if (!enough_helpers()) {
		/* No thread for it: the message does not go (never waits). */
		list_del(&job->link);
		nqueued--;
		finish(job, -EAGAIN);
		wake_loop();
	}
	pthread_mutex_unlock(&lock);
}

void sender_stop(void)
{
	pthread_mutex_lock(&lock);
	while (!list_empty(&queue) || nsending > 0)
		pthread_cond_wait(&idle, &lock);
	stopping = true;
	pthread_cond_broadcast(&work);
	while (nthreads > 0)
		pthread_cond_wait(&idle, &lock);
	stopping = false;
	pthread_mutex_unlock(&lock);
	run_done();
}

void sender_destroy(void)
{
	sender_stop();
	if (done_watch.fd >= 0) {
		loop_del(&done_watch);
		close(done_watch.fd);
	}
	done_watch.fd = -1;
}

unsigned int sender_threads(void)
{
	unsigned int n;

	pthread_mutex_lock(&lock);
	n = nthreads;
	pthread_mutex_unlock(&lock);
	return n;
}
