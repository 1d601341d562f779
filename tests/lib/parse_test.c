// SPDX-License-Identifier: GPL-2.0-only
/*
 * parse_test.c: libvmci's address parsing and formatting, good and bad
 * input. Needs no socket, so meson test runs it on the host too; tests/lib/001
 * runs it in the guest and compares its output with the golden file.
 *
 * Prints one line per case; a case whose result is not the expected one is
 * marked FAIL and makes the exit status non-zero.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmci.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ANY 0xffffffffU

struct num_case {
	const char *in;
	int err;		/* expected return */
	unsigned int val;	/* expected value if err == 0 */
};

static const struct num_case cid_cases[] = {
	{ "0", 0, 0 }, { "1", 0, 1 }, { "2", 0, 2 }, { "3", 0, 3 },
	{ "host", 0, 2 }, { "local", 0, 1 }, { "hypervisor", 0, 0 },
	{ "any", 0, ANY }, { "-1", 0, ANY },
	{ "4294967295", 0, ANY }, { "4294967294", 0, 4294967294U },
	{ "4294967296", -ERANGE, 0 }, { "99999999999999999999999", -ERANGE, 0 },
	{ "", -EINVAL, 0 }, { "01", -EINVAL, 0 }, { "00", -EINVAL, 0 },
	{ "+2", -EINVAL, 0 }, { "-2", -EINVAL, 0 }, { "0x2", -EINVAL, 0 },
	{ " 2", -EINVAL, 0 }, { "2 ", -EINVAL, 0 }, { "HOST", -EINVAL, 0 },
	{ "hostx", -EINVAL, 0 }, { "2a", -EINVAL, 0 }, { "1.5", -EINVAL, 0 },
};

static const struct num_case port_cases[] = {
	{ "0", 0, 0 }, { "5000", 0, 5000 }, { "any", 0, ANY }, { "-1", 0, ANY },
	{ "4294967295", 0, ANY }, { "4294967296", -ERANGE, 0 },
	{ "host", -EINVAL, 0 }, { "", -EINVAL, 0 }, { "05000", -EINVAL, 0 },
	{ "5000x", -EINVAL, 0 }, { "-5000", -EINVAL, 0 },
};

struct addr_case {
	const char *in;
	int err;
	unsigned int cid, port;
};

static const struct addr_case addr_cases[] = {
	{ "2:5000", 0, 2, 5000 }, { "host:5000", 0, 2, 5000 },
	{ "local:1024", 0, 1, 1024 }, { "any:any", 0, ANY, ANY },
	{ "-1:-1", 0, ANY, ANY }, { "hypervisor:0", 0, 0, 0 },
	{ "3:4294967295", 0, 3, ANY },
	{ "2:70000x", -EINVAL, 0, 0 }, { "foo", -EINVAL, 0, 0 },
	{ "", -EINVAL, 0, 0 }, { ":5000", -EINVAL, 0, 0 }, { "2:", -EINVAL, 0, 0 },
	{ "foo:1", -EINVAL, 0, 0 }, { "2:5000:1", -EINVAL, 0, 0 },
	{ "2:99999999999", -ERANGE, 0, 0 }, { "4294967296:1", -ERANGE, 0, 0 },
	{ "0x2:1", -EINVAL, 0, 0 }, { " 2:1", -EINVAL, 0, 0 },
	{ "2:1 ", -EINVAL, 0, 0 }, { "host:local", -EINVAL, 0, 0 },
	{ "123456789012345678901234567890123456789012345678901234567890123456789:1",
	  -ERANGE, 0, 0 },
};

static int failures;

static const char *errname(int err)
{
	switch (err) {
	case 0: return "0";
	case -EINVAL: return "-EINVAL";
	case -ERANGE: return "-ERANGE";
	default: return "unexpected";
	}
}

static void check_num(const char *what, int (*parse)(const char *, unsigned int *),
		      const struct num_case *c)
{
	unsigned int v = 12345;
	int err = parse(c->in, &v);
	int ok = err == c->err && (err || v == c->val);

	if (err)
		printf("%s '%s': %s%s\n", what, c->in, errname(err), ok ? "" : "  FAIL");
	else
		printf("%s '%s': %u%s\n", what, c->in, v, ok ? "" : "  FAIL");
	failures += !ok;
}

static void check_addr(const struct addr_case *c)
{
	struct sockaddr_vm svm;
	char msg[256] = "";
	int err, ok;

	memset(&svm, 0xa5, sizeof(svm));
	err = vmci_parse_addr(c->in, &svm, msg, sizeof(msg));
	ok = err == c->err;
	if (!err) {
		struct sockaddr_vm want = { .svm_family = AF_VSOCK };

		want.svm_cid = c->cid;
		want.svm_port = c->port;
		/* The rest of the address must be zeroed. */
		ok = ok && !memcmp(&svm, &want, sizeof(svm));
		printf("addr '%s': family %u cid %u port %u%s\n", c->in,
		       svm.svm_family, svm.svm_cid, svm.svm_port, ok ? "" : "  FAIL");
	} else {
		printf("addr '%s': %s: %s%s\n", c->in, errname(err), msg,
		       ok && *msg ? "" : "  FAIL");
		ok = ok && *msg;
	}
	failures += !ok;
}

static void check_format(unsigned int cid, unsigned int port, const char *want)
{
	char buf[32];
	int n = vmci_format_addr(buf, sizeof(buf), cid, port);
	int ok = !strcmp(buf, want) && n == (int)strlen(want);

	printf("format %u %u: '%s' (%d)%s\n", cid, port, buf, n, ok ? "" : "  FAIL");
	failures += !ok;
}

int main(void)
{
	char small[4], msg[8];
	struct sockaddr_vm svm;
	unsigned int v;
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(cid_cases); i++)
		check_num("cid", vmci_parse_cid, &cid_cases[i]);
	for (i = 0; i < ARRAY_SIZE(port_cases); i++)
		check_num("port", vmci_parse_port, &port_cases[i]);
	for (i = 0; i < ARRAY_SIZE(addr_cases); i++)
		check_addr(&addr_cases[i]);

	check_format(2, 5000, "2:5000");
	check_format(ANY, ANY, "any:any");
	check_format(0, 0, "0:0");
	check_format(1, ANY, "1:any");
	check_format(4294967294U, 4294967294U, "4294967294:4294967294");

	/* Truncation: snprintf's contract, never an overflow. */
	n = vmci_format_addr(small, sizeof(small), 2, 5000);
	printf("format into 4 bytes: '%s' (%d)%s\n", small, n,
	       !strcmp(small, "2:5") && n == 6 ? "" : "  FAIL");
	failures += !(!strcmp(small, "2:5") && n == 6);

	/* NULL input and no error buffer, short error buffer. */
	n = vmci_parse_addr(NULL, &svm, NULL, 0);
	printf("addr NULL: %s%s\n", errname(n), n == -EINVAL ? "" : "  FAIL");
	failures += n != -EINVAL;
	n = vmci_parse_addr("bad", &svm, msg, sizeof(msg));
	printf("addr 'bad' into 8 bytes: %s: '%s'%s\n", errname(n), msg,
	       n == -EINVAL && strlen(msg) == 7 ? "" : "  FAIL");
	failures += !(n == -EINVAL && strlen(msg) == 7);
	n = vmci_parse_cid(NULL, &v);
	printf("cid NULL: %s%s\n", errname(n), n == -EINVAL ? "" : "  FAIL");
	failures += n != -EINVAL;

	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
