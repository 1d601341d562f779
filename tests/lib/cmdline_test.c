// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmdline_test.c: how the guest guard reads the kernel command line
 * (__vmci_cmdline_is_guest(), private to vmci_sockets.h, which libvmci's
 * vmci_guest_guard() shares). Opens no socket; tests/lib/009 runs it on the
 * host, tests/lib/007 in the guest.
 */
#include <stdbool.h>
#include <stdio.h>

#include "vmci_sockets.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct cmdline_case {
	const char *cmdline;
	bool guest;
};

static const struct cmdline_case cases[] = {
	{ "vmcifs.guest=1", true },
	{ "console=ttyS0 quiet vmcifs.guest=1 vmcifs.init=/x", true },
	{ "console=ttyS0 vmcifs.guest=1\n", true },
	{ "a\tvmcifs.guest=1\tb", true },
	{ "", false },
	{ "console=ttyS0 quiet", false },
	{ "vmcifs.guest=0", false },
	{ "vmcifs.guest=10", false },
	{ "vmcifs.guest=", false },
	{ "vmcifs.guest", false },
	{ "xvmcifs.guest=1", false },
	{ "vmcifs.guest=1x", false },
	{ "vmcifs.guest=1 vmcifs.guest=0", false },	/* the last one counts */
	{ "vmcifs.guest=0 vmcifs.guest=1", true },
	{ "quiet -- vmcifs.guest=1", false },		/* init's, not the kernel's */
	{ "x=\"a vmcifs.guest=1 b\"", false },		/* inside a quoted value */
	{ "x=\"a b\" vmcifs.guest=1", true },
	{ "vmcifs.guest=\"1\"", false },
};

int main(void)
{
	int failures = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bool got = __vmci_cmdline_is_guest(cases[i].cmdline);
		bool ok = got == cases[i].guest;
		const char *p;

		printf("[");
		for (p = cases[i].cmdline; *p; p++) {
			if (*p == '\n')
				fputs("\\n", stdout);
			else if (*p == '\t')
				fputs("\\t", stdout);
			else
				putchar(*p);
		}
		printf("]: %s%s\n", got ? "guest" : "not guest", ok ? "" : "  FAIL");
		failures += !ok;
	}
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
