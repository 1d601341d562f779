/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * every_name.c: every name VMware's vmci_sockets.h gives a Linux program,
 * used the way such a program uses it, with the values VMware's header
 * gives them pinned at compile time where Linux agrees. At run time (in the
 * guest) it fills struct sockaddr_vm in each way VMware's code does (memset
 * of the whole, = {0}, and field by field with memset(svm_zero, 0, sizeof
 * svm_zero) over stack garbage) and binds each; and it asks for the ESX-only
 * options, which Linux lacks. Part of the corpus of tests/lib/010 and 011.
 *
 *   every_name
 *
 * matrix: c89 gnu89 c99 gnu99 c11 gnu11 c17 gnu17
 */
#include <stddef.h>

#include "vmci_sockets.h"

/* C89's static assertion: an array of size -1 does not compile. */
#define PIN(name, cond) typedef char pin_##name[(cond) ? 1 : -1]

PIN(buffer_size, SO_VMCI_BUFFER_SIZE == 0);
PIN(buffer_min_size, SO_VMCI_BUFFER_MIN_SIZE == 1);
PIN(buffer_max_size, SO_VMCI_BUFFER_MAX_SIZE == 2);
PIN(peer_host_vm_id, SO_VMCI_PEER_HOST_VM_ID == 3);
PIN(service_label, SO_VMCI_SERVICE_LABEL == 4);
PIN(trusted, SO_VMCI_TRUSTED == 5);
PIN(connect_timeout, SO_VMCI_CONNECT_TIMEOUT == 6);	/* x86_64: 64-bit time_t */
PIN(nonblock_txrx, SO_VMCI_NONBLOCK_TXRX == 7);
PIN(disconnect, VMCI_SOCKETS_DISCONNECT_REGULAR == 0 &&
		VMCI_SOCKETS_DISCONNECT_VMOTION == 1);
PIN(cid_any, VMADDR_CID_ANY == 0xFFFFFFFFU && VMADDR_PORT_ANY == 0xFFFFFFFFU);
PIN(invalid_version, VMCI_SOCKETS_INVALID_VERSION == 0xFFFFFFFFU);
PIN(version, VMCI_SOCKETS_VERSION_EPOCH(0x01020003U) == 1 &&
	     VMCI_SOCKETS_VERSION_MAJOR(0x01020003U) == 2 &&
	     VMCI_SOCKETS_VERSION_MINOR(0x01020003U) == 3);
PIN(ioctls, VMCI_SOCKETS_VERSION == 1972 && VMCI_SOCKETS_GET_AF_VALUE == 1976 &&
	    VMCI_SOCKETS_GET_LOCAL_CID == 1977 && VMCI_SOCKETS_UUID_2_CID == 1991);
PIN(sockaddr_vm, sizeof(struct sockaddr_vm) == sizeof(struct sockaddr) &&
		 offsetof(struct sockaddr_vm, svm_family) == 0 &&
		 offsetof(struct sockaddr_vm, svm_reserved1) == 2 &&
		 offsetof(struct sockaddr_vm, svm_port) == 4 &&
		 offsetof(struct sockaddr_vm, svm_cid) == 8 &&
		 offsetof(struct sockaddr_vm, svm_zero) == 12 &&
		 sizeof(((struct sockaddr_vm *)0)->svm_zero) == 4);
PIN(uuid_2_cid, sizeof(struct uuid_2_cid) == 136 &&
		offsetof(struct uuid_2_cid, u2c_uuid_string) == 8);

static const char *devices[] = {
	VMCI_SOCKETS_DEFAULT_DEVICE, VMCI_SOCKETS_CLASSIC_ESX_DEVICE
};

static int failures;

static void check(int ok, const char *what)
{
	printf("%s%s\n", what, ok ? "" : "  FAIL");
	failures += !ok;
}

/* Bind a stream socket to any:any through @addr, as filled by the caller. */
static int binds(int af, struct sockaddr_vm *addr)
{
	int fd = socket(af, SOCK_STREAM, 0), ok;

	ok = fd != -1 && bind(fd, (struct sockaddr *)addr, sizeof *addr) == 0;
	if (!ok)
		fprintf(stderr, "every_name: bind: %s\n", strerror(errno));
	if (fd != -1)
		close(fd);
	return ok;
}

static void fill(struct sockaddr_vm *addr, int af)
{
	addr->svm_family = af;
	addr->svm_cid = VMADDR_CID_ANY;
	addr->svm_port = VMADDR_PORT_ANY;
}

static void addresses(int af)
{
	struct sockaddr_vm zeroed = {0};
	struct sockaddr_vm cleared, by_field;

	fill(&zeroed, af);
	check(binds(af, &zeroed), "sockaddr_vm = {0}: binds");

	memset(&cleared, 0xa5, sizeof cleared);
	memset(&cleared, 0, sizeof cleared);
	fill(&cleared, af);
	check(binds(af, &cleared), "memset(&addr, 0, sizeof addr): binds");

	/* VMware's layout, field by field over garbage. */
	memset(&by_field, 0xa5, sizeof by_field);
	fill(&by_field, af);
	by_field.svm_reserved1 = 0;
	memset(by_field.svm_zero, 0, sizeof by_field.svm_zero);
	check(binds(af, &by_field), "fields, then memset(svm_zero, 0, sizeof svm_zero): binds");
}

/* The options Linux lacks: ENOPROTOOPT, not some other option. */
static void esx_options(int af)
{
	int fd = socket(af, SOCK_STREAM, 0);
	int names[5], i, val;
	socklen_t len;
	char label[64];
	int ok = 1;

	names[0] = SO_VMCI_PEER_HOST_VM_ID;
	names[1] = SO_VMCI_SERVICE_LABEL;
	names[2] = SO_VMCI_TRUSTED;
	names[3] = SO_VMCI_NONBLOCK_TXRX;
	names[4] = SO_VMCI_DISCONNECT_CAUSE;
	for (i = 0; i < 5; i++) {
		len = names[i] == SO_VMCI_SERVICE_LABEL ? sizeof label : sizeof val;
		errno = 0;
		if (getsockopt(fd, af, names[i], names[i] == SO_VMCI_SERVICE_LABEL ?
			       (void *)label : (void *)&val, &len) != -1 ||
		    errno != ENOPROTOOPT) {
			fprintf(stderr, "every_name: option %d: %s\n", names[i],
				strerror(errno));
			ok = 0;
		}
	}
	check(ok, "ESX-only options: ENOPROTOOPT");
	close(fd);
}

int main(void)
{
	struct uuid_2_cid io;
	int vmciFd, af;

	memset(&io, 0, sizeof io);
	io.u2c_context_id = VMADDR_CID_ANY;
	strncpy(io.u2c_uuid_string, "56 4d 07 d8", sizeof io.u2c_uuid_string);
	printf("devices: %s %s\n", devices[0], devices[1]);

	af = VMCISock_GetAFValueFd(&vmciFd);
	if (af == -1) {
		perror("VMCISock_GetAFValueFd");
		return 1;
	}
	addresses(af);
	esx_options(af);
	check(VMCISock_Uuid2ContextId(io.u2c_uuid_string) == io.u2c_context_id,
	      "VMCISock_Uuid2ContextId: VMADDR_CID_ANY");
	check(VMCISock_GetLocalCID() != VMADDR_CID_ANY, "VMCISock_GetLocalCID: a CID");
	check(VMCISock_Version() != VMCI_SOCKETS_INVALID_VERSION, "VMCISock_Version: valid");
	check(VMCISock_GetAFValue() == af, "VMCISock_GetAFValue: the same family");
	VMCISock_ReleaseAFValueFd(vmciFd);
	printf("%d failures\n", failures);
	return failures != 0;
}
