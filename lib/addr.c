// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * addr.c: vsock addresses as text: "CID:PORT" with the names host, local,
 * hypervisor and any, parsed strictly and explained when they are wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "vmci.h"

struct name {
	const char *name;
	unsigned int value;
};

static const struct name cid_names[] = {
	{ "hypervisor", VMADDR_CID_HYPERVISOR },
	{ "local", VMADDR_CID_LOCAL },
	{ "host", VMADDR_CID_HOST },
	{ "any", VMADDR_CID_ANY },
	{ "-1", VMADDR_CID_ANY },
	{ NULL, 0 },
};

static const struct name port_names[] = {
	{ "any", VMADDR_PORT_ANY },
	{ "-1", VMADDR_PORT_ANY },
	{ NULL, 0 },
};

/*
 * A strict decimal number of at most 32 bits in the @len bytes at @s: "0",
 * "5000", not "05", "+5" or " 5".
 */
static int parse_u32(const char *s, size_t len, unsigned int *out)
{
	unsigned long long v = 0;
	size_t i;

	if (!len || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		v = v * 10 + (unsigned int)(s[i] - '0');
		if (v > 0xffffffffULL)
			return -ERANGE;
	}
	*out = (unsigned int)v;
	return 0;
}

/* A name from @names or a number, in the @len bytes at @s. */
static int parse_named(const char *s, size_t len, const struct name *names,
		       unsigned int *out)
{
	for (; names->name; names++) {
		if (strlen(names->name) == len && !strncmp(s, names->name, len)) {
			*out = names->value;
			return 0;
		}
	}
	return parse_u32(s, len, out);
}

VMCI_EXPORT int vmci_parse_cid(const char *s, unsigned int *cid)
{
	if (!s)
		return -EINVAL;
	return parse_named(s, strlen(s), cid_names, cid);
}

VMCI_EXPORT int vmci_parse_port(const char *s, unsigned int *port)
{
	if (!s)
		return -EINVAL;
	return parse_named(s, strlen(s), port_names, port);
}

/* Why @part (@len bytes, the CID or port of @whole) did not parse. */
static void explain(char *errbuf, size_t errlen, const char *whole,
		    const char *what, const char *part, size_t len, int err)
{
	if (!errbuf || !errlen)
		return;
	if (!len)
		snprintf(errbuf, errlen, "'%s': %s is missing (expected CID:PORT)",
			 whole, what);
	else if (err == -ERANGE)
		snprintf(errbuf, errlen,
			 "'%s': %s '%.*s' is too large (at most 4294967295)",
			 whole, what, (int)len, part);
	else
		snprintf(errbuf, errlen, "'%s': %s '%.*s' is not a decimal number%s",
			 whole, what, (int)len, part,
			 strcmp(what, "CID") ? "" :
			 " or a name (host, local, hypervisor, any)");
}

VMCI_EXPORT int vmci_parse_addr(const char *s, struct sockaddr_vm *svm,
				char *errbuf, size_t errlen)
{
	unsigned int cid, port;
	const char *colon;
	size_t cidlen;
	int err;

	if (!s) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "no address given (expected CID:PORT)");
		return -EINVAL;
	}
	colon = strchr(s, ':');
	if (!colon) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "'%s': expected CID:PORT", s);
		return -EINVAL;
	}
	cidlen = (size_t)(colon - s);

	err = parse_named(s, cidlen, cid_names, &cid);
	if (err) {
		explain(errbuf, errlen, s, "CID", s, cidlen, err);
		return err;
	}
	err = vmci_parse_port(colon + 1, &port);
	if (err) {
		explain(errbuf, errlen, s, "port", colon + 1, strlen(colon + 1), err);
		return err;
	}

	memset(svm, 0, sizeof(*svm));
	svm->svm_family = AF_VSOCK;
	svm->svm_cid = cid;
	svm->svm_port = port;
	return 0;
}

VMCI_EXPORT int vmci_format_addr(char *buf, size_t len, unsigned int cid,
				 unsigned int port)
{
	char c[16], p[16];

	if (cid == VMADDR_CID_ANY)
		strcpy(c, "any");
	else
		snprintf(c, sizeof(c), "%u", cid);
	if (port == VMADDR_PORT_ANY)
		strcpy(p, "any");
	else
		snprintf(p, sizeof(p), "%u", port);
	return snprintf(buf, len, "%s:%s", c, p);
}
