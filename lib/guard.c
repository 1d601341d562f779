// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * guard.c: the guest guard as libvmci's API (vmci.h), for the vmcifs daemon
 * and the test tools.
 *
 * The guard itself lives in vmci_sockets.h, whose inline VMCISock_*
 * functions must refuse AF_VSOCK outside the vmcifs test guest with no
 * library behind them; this file only exports its answer, so that the
 * daemon, the tools and programs of VMware's API all decide the same way,
 * from the same configured setting (meson option guest_only).
 */
#include <errno.h>

#include "internal.h"
#include "vmci.h"
#include "vmci_sockets.h"

VMCI_EXPORT int vmci_guest_guard(void)
{
	return __vmci_guard_state() == __VMCI_GUARD_OPEN ? 0 : -EPERM;
}

VMCI_EXPORT const char *vmci_guard_message(void)
{
	return __vmci_guard_message(__vmci_guard_state());
}
