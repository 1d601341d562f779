// SPDX-License-Identifier: GPL-2.0-only
/*
 * fs_many: many connections through one vmcifs mount at once, each with a
 * reader blocked in read(), while the daemon's thread count is watched.
 *
 *   fs_many CONNECT_PATH ACCEPT_PATH N DAEMON_PID
 *
 * Opens CONNECT_PATH (e.g. /vmci/1/5000) N times, accepting each through
 * ACCEPT_PATH (/vmci/listen/5000); starts a thread blocked in read() on
 * every connecting end; checks that all N are asleep and the daemon still
 * has the thread count it had before; then writes one byte into each
 * accepted end and checks every reader got exactly that byte.
 * Only file operations: the sockets are the daemon's.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

struct reader {
	pthread_t thread;
	int fd;
	pid_t tid;
	char got;
	ssize_t n;
};

static int count_tasks(int pid)
{
	char cmd[64];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls /proc/%d/task | wc -l", pid);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static char task_state(pid_t tid)
{
	char path[64], buf[512], *s;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	s = strrchr(buf, ')');
	return s && s[1] ? s[2] : '?';
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	r->tid = (pid_t)syscall(SYS_gettid);
	r->n = read(r->fd, &r->got, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 65536, 65536 };
	struct reader *rs;
	pthread_attr_t attr;
	int *afd, n, dpid, before, during, after, asleep = 0, ok = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: fs_many CONNECT_PATH ACCEPT_PATH N DAEMON_PID\n");
		return 2;
	}
	n = atoi(argv[3]);
	dpid = atoi(argv[4]);
	setrlimit(RLIMIT_NOFILE, &rl);
	rs = calloc(n, sizeof(*rs));
	afd = calloc(n, sizeof(*afd));
	before = count_tasks(dpid);
	for (int i = 0; i < n; i++) {
		rs[i].fd = open(argv[1], O_RDWR);
		if (rs[i].fd < 0) {
			printf("open %s #%d: %s\n", argv[1], i, strerror(errno));
			return 1;
		}
		afd[i] = open(argv[2], O_RDWR);
		if (afd[i] < 0) {
			printf("open %s #%d: %s\n", argv[2], i, strerror(errno));
			return 1;
		}
	}
	printf("opened %d connections\n", n);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < n; i++) {
		if (pthread_create(&rs[i].thread, &attr, reader_main, &rs[i])) {
			printf("thread %d: cannot create\n", i);
			return 1;
		}
	}
	/* Wait (up to 60 s) until every reader sleeps in read(). */
	for (int t = 0; t < 600 && asleep < n; t++) {
		usleep(100000);
		asleep = 0;
		for (int i = 0; i < n; i++)
			if (rs[i].tid && task_state(rs[i].tid) == 'S' && rs[i].n == 0 &&
			    !rs[i].got)
				asleep++;
	}
	during = count_tasks(dpid);
	printf("readers blocked: %s\n", asleep == n ? "all" : "not all");
	if (asleep != n)
		fprintf(stderr, "only %d of %d readers asleep\n", asleep, n);
	for (int i = 0; i < n; i++) {
		char c = (char)('a' + i % 26);

		if (write(afd[i], &c, 1) != 1) {
			printf("write #%d: %s\n", i, strerror(errno));
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {
		pthread_join(rs[i].thread, NULL);
		if (rs[i].n == 1 && rs[i].got == (char)('a' + i % 26))
			ok++;
	}
	for (int i = 0; i < n; i++) {
		close(rs[i].fd);
		close(afd[i]);
	}
	after = count_tasks(dpid);
	printf("readers that got their byte: %s\n", ok == n ? "all" : "not all");
	fprintf(stderr, "daemon threads: before %d, during %d, after %d\n",
		before, during, after);
	printf("daemon thread count constant: %s\n",
	       before > 0 && before == during && during == after ? "yes" : "no");
	return ok == n ? 0 : 1;
}
