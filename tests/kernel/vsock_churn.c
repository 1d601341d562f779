// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsock_churn: many short stream connects that end early (guest only).
 *
 *   vsock_churn abandon CID PORT COUNT
 *	COUNT blocking connects to CID:PORT, each given up part way: a
 *	SIGALRM 0-4 ms after it starts (a different delay each time) cuts
 *	the connect (EINTR), and the socket is closed at once. The handshake
 *	is left at every stage: before the listener heard of it, while it
 *	negotiates, just after.
 *   vsock_churn connect CID PORT COUNT TIMEOUT_MS
 *	COUNT blocking connects, one after the other, each with a connect
 *	timeout of TIMEOUT_MS; a connected socket is closed at once.
 *   vsock_churn bind CID PORT COUNT LOCAL_PORT
 *	As connect (default timeout), each socket bound to LOCAL_PORT first.
 *   vsock_churn close CID PORT COUNT
 *	COUNT non-blocking connects, each closed 0-4 ms after it started,
 *	whether or not it is still connecting ("closed" counts them). No
 *	test runs it: on Debian's 6.1 vmw_vsock_vmci_transport an ATTACH
 *	that comes after such a close oopses the guest (docs/vmci_loop.4).
 *
 * Prints how the connects ended, one "outcome count" line each, sorted
 * ("connected", "interrupted" or the errno's name). Exit status 0 unless
 * the program itself failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define MAX_OUTCOMES 32

static struct {
	const char *name;
	unsigned long count;
} outcomes[MAX_OUTCOMES];

static void count(const char *name)
{
	int i;

	for (i = 0; i < MAX_OUTCOMES && outcomes[i].name; i++)
		if (!strcmp(outcomes[i].name, name))
			break;
	if (i == MAX_OUTCOMES)
		i--;		/* cannot happen: few errnos come */
	outcomes[i].name = name;
	outcomes[i].count++;
}

static int by_name(const void *a, const void *b)
{
	const typeof(outcomes[0]) *x = a, *y = b;

	if (!x->name || !y->name)
		return !x->name - !y->name;
	return strcmp(x->name, y->name);
}

static const char *outcome(int err)
{
	switch (err) {
	case 0: return "connected";
	case EINTR: return "interrupted";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECONNRESET: return "ECONNRESET";
	case EPROTO: return "EPROTO";
	case ENOMEM: return "ENOMEM";
	case EINVAL: return "EINVAL";
	default: return strerror(err);
	}
}

static void on_alarm(int sig)
{
	(void)sig;	/* only there to cut connect() short */
}

static int vsock(long timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, timeout_ms % 1000 * 1000 };
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (fd < 0 || (timeout_ms &&
		       setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT,
				  &tv, sizeof(tv)))) {
		perror("vsock_churn: socket/setsockopt");
		exit(1);
	}
	return fd;
}

static int connect_to(int fd, const struct sockaddr_vm *sa)
{
	return connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ? errno : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK };
	struct sigaction act = { .sa_handler = on_alarm };	/* no SA_RESTART */
	unsigned long i, n;
	long timeout_ms = 0;
	struct sockaddr_vm local = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY
	};
	int abandon, closing, binding;

	if (access("/run/vmcifs-guest", F_OK)) {
		fprintf(stderr, "vsock_churn: not inside the vmcifs test guest: refusing to open AF_VSOCK sockets\n");
		return 77;
	}
	abandon = argc == 5 && !strcmp(argv[1], "abandon");
	closing = argc == 5 && !strcmp(argv[1], "close");
	binding = argc == 6 && !strcmp(argv[1], "bind");
	if (!abandon && !closing && !binding &&
	    !(argc == 6 && !strcmp(argv[1], "connect"))) {
		fprintf(stderr, "usage: vsock_churn abandon|close CID PORT COUNT\n"
			"       vsock_churn connect CID PORT COUNT TIMEOUT_MS\n"
			"       vsock_churn bind CID PORT COUNT LOCAL_PORT\n");
		return 2;
	}
	sa.svm_cid = strtoul(argv[2], NULL, 0);
	sa.svm_port = strtoul(argv[3], NULL, 0);
	n = strtoul(argv[4], NULL, 0);
	if (binding)
		local.svm_port = strtoul(argv[5], NULL, 0);
	else if (!abandon && !closing)
		timeout_ms = strtol(argv[5], NULL, 0);
	sigaction(SIGALRM, &act, NULL);

	for (i = 0; i < n; i++) {
		int fd = vsock(timeout_ms);

		if (abandon) {
			/* 0 to 4 ms in 97 us steps, in a scattered order. */
			struct itimerval it = {
				.it_value.tv_usec = 1 + (i * 37 % 41) * 97,
			};

			setitimer(ITIMER_REAL, &it, NULL);
			count(outcome(connect_to(fd, &sa)));
			memset(&it, 0, sizeof(it));
			setitimer(ITIMER_REAL, &it, NULL);
		} else if (closing) {
			struct timespec ts = { 0, (i * 37 % 41) * 97000 };

			fcntl(fd, F_SETFL, O_NONBLOCK);
			connect_to(fd, &sa);
			nanosleep(&ts, NULL);
			count("closed");
		} else if (binding && bind(fd, (struct sockaddr *)&local,
					   sizeof(local))) {
			count(errno == EADDRINUSE ? "bind: EADDRINUSE" :
			      "bind failed");
		} else {
			count(outcome(connect_to(fd, &sa)));
		}
		close(fd);
	}

	qsort(outcomes, MAX_OUTCOMES, sizeof(outcomes[0]), by_name);
	for (i = 0; i < MAX_OUTCOMES && outcomes[i].name; i++)
		printf("%s %lu\n", outcomes[i].name, outcomes[i].count);
	return 0;
}
