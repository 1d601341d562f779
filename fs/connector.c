// SPDX-License-Identifier: GPL-2.0-only
/*
 * connector.c: blocking connects in helper threads (see connector.h).
 *
 * Each job gets a detached thread that connects and puts the job on the
 * done list, then writes to an eventfd the loop watches; the loop runs
 * done() for each. One lock guards the lists and the thread count.
 *
 * Cutting a connect: the job is marked cut and its thread signalled, under
 * the lock and only while connect(2) has not returned, so the thread is
 * still there to take it. A thread that sees the mark first never starts
 * the connect. A signal that lands in the few instructions between that
 * check and the system call is lost, so a timer sends it again while any
 * cut job is unfinished.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "connector.h"
#include "log.h"
#include "loop.h"

/* A connect needs little stack of ours. */
#define CONNECT_STACK	(64 << 10)
/* How often a cut connect is signalled again while it has not ended. */
#define RECUT_NS	(50 * 1000 * 1000L)
/* Seconds between two log lines about the thread cap. */
#define CAP_LOG_INTERVAL	60

static int (*connect_fn)(int fd, unsigned int cid, unsigned int port);
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ended = PTHREAD_COND_INITIALIZER;	/* a job finished */
static LIST(running);
static LIST(done_list);
static unsigned int nthreads;
static unsigned int max_threads = CONNECTOR_DEFAULT_MAX;
static bool recut_armed;
static struct watch done_watch = { .fd = -1 };
static struct watch recut = { .fd = -1 };

/* The signal that cuts a connect: its handler only interrupts. */
static int cut_signal(void)
{
	return SIGRTMIN;
}

static void on_cut_signal(int sig)
{
	(void)sig;
}

static void wake_loop(void)
{
	uint64_t one = 1;

	/* Only fails if the counter is full: the loop is woken already. */
	if (write(done_watch.fd, &one, sizeof(one)) < 0)
		return;
}

static void *connect_thread(void *arg)
{
	struct connect_job *job = arg;
	sigset_t set;
	bool cut;
	int r;

	sigemptyset(&set);
	sigaddset(&set, cut_signal());
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	pthread_mutex_lock(&lock);
	cut = job->cut;
	pthread_mutex_unlock(&lock);
	r = cut ? -EINTR : connect_fn(job->fd, job->cid, job->port);
	pthread_mutex_lock(&lock);
	job->result = r;
	job->finished = true;
	list_del(&job->link);
	list_add_tail(&job->link, &done_list);
	wake_loop();
	nthreads--;
	pthread_cond_broadcast(&ended);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Signal every cut job still in connect(2); true if any is. Called locked. */
static bool signal_cut_jobs(bool all)
{
	struct list *pos, *tmp;
	bool any = false;

	list_for_each_safe(pos, tmp, &running) {
		struct connect_job *job = list_entry(pos, struct connect_job, link);

		if (all)
			job->cut = true;
		if (job->cut && !job->finished) {
			pthread_kill(job->thread, cut_signal());
			any = true;
		}
	}
	return any;
}

/* Start or stop the resend timer; starting a running one leaves it be. */
static void arm_recut(bool on)
{
	struct itimerspec its = { 0 };

	if (on == recut_armed)
		return;
	if (on)
		its.it_value.tv_nsec = its.it_interval.tv_nsec = RECUT_NS;
	if (timerfd_settime(recut.fd, 0, &its, NULL) == 0)
		recut_armed = on;
}

static void recut_ready(struct watch *w, uint32_t events)
{
	uint64_t n;
	bool any;

	(void)events;
	if (read(w->fd, &n, sizeof(n)) < 0)
		return;
	pthread_mutex_lock(&lock);
	any = signal_cut_jobs(false);
	pthread_mutex_unlock(&lock);
	if (!any)
		arm_recut(false);
}

/* The loop's side: run done() for every job whose connect has returned. */
static void run_done(void)
{
	struct list ready;

	pthread_mutex_lock(&lock);
	list_move_all(&done_list, &ready);
	pthread_mutex_unlock(&lock);
	while (!list_empty(&ready)) {
		struct connect_job *job = list_first(&ready, struct connect_job, link);

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

static void close_watch(struct watch *w)
{
	if (w->fd < 0)
		return;
	loop_del(w);
	close(w->fd);
	w->fd = -1;
}

int connector_init(int (*fn)(int fd, unsigned int cid, unsigned int port))
{
	struct sigaction sa;
	sigset_t set;

	connect_fn = fn;
	/* No SA_RESTART: the signal must end the connect with EINTR. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_cut_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(cut_signal(), &sa, NULL) < 0)
		return -1;
	/* Only connect threads take it (threads made later inherit this). */
	sigemptyset(&set);
	sigaddset(&set, cut_signal());
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	done_watch.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	done_watch.ready = done_ready;
	recut.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	recut.ready = recut_ready;
	if (done_watch.fd < 0 || loop_add(&done_watch, EPOLLIN) < 0 ||
	    recut.fd < 0 || loop_add(&recut, EPOLLIN) < 0) {
		connector_destroy();
		return -1;
	}
	return 0;
}

void connector_set_max(unsigned int max)
{
	max_threads = max ? max : UINT_MAX;
}

/* Say so when the cap refuses a connect (not for each one). Called locked. */
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
	vmcifs_log("%u connects are under way, the cap (-o max_connect_threads=%u): "
		   "refusing more (EAGAIN)", nthreads, max_threads);
}

int connector_start(struct connect_job *job)
{
	pthread_attr_t attr;
	int err;

	job->finished = false;
	job->cut = false;
	job->result = 0;
	err = pthread_attr_init(&attr);
	if (err)
		return err;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, CONNECT_STACK);
	pthread_mutex_lock(&lock);
	if (nthreads >= max_threads) {
		log_cap();
		pthread_mutex_unlock(&lock);
		pthread_attr_destroy(&attr);
		return EAGAIN;
	}
	list_add_tail(&job->link, &running);
	err = pthread_create(&job->thread, &attr, connect_thread, job);
	if (err)
		list_del(&job->link);
	else
		nthreads++;
	pthread_mutex_unlock(&lock);
	pthread_attr_destroy(&attr);
	return err;
}

void connector_cut(struct connect_job *job)
{
	pthread_mutex_lock(&lock);
	if (!job->cut && !job->finished) {
		job->cut = true;
		pthread_kill(job->thread, cut_signal());
		arm_recut(true);
	}
	pthread_mutex_unlock(&lock);
}

void connector_stop(void)
{
	pthread_mutex_lock(&lock);
	while (signal_cut_jobs(true)) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += RECUT_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&ended, &lock, &until);
	}
	/* Every connect has returned; wait for the threads to leave too. */
	while (nthreads > 0)
		pthread_cond_wait(&ended, &lock);
	pthread_mutex_unlock(&lock);
	if (recut.fd >= 0)
		arm_recut(false);
	run_done();
}

void connector_destroy(void)
{
	connector_stop();
	close_watch(&done_watch);
	close_watch(&recut);
}

unsigned int connector_threads(void)
{
	unsigned int n;

	pthread_mutex_lock(&lock);
	n = nthreads;
	pthread_mutex_unlock(&lock);
	return n;
}
