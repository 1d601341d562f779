/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * internal.h: what libvmci's source files share and do not install.
 *
 * The shared library is built with hidden symbol visibility; VMCI_EXPORT
 * marks the functions of the public headers.
 */
#ifndef VMCI_INTERNAL_H
#define VMCI_INTERNAL_H

#include <stdbool.h>

#define VMCI_EXPORT __attribute__((visibility("default")))

/*
 * True if the kernel command line in @cmdline says this is the vmcifs test
 * guest: its last "vmcifs.guest=" parameter is "vmcifs.guest=1" (the
 * kernel, too, lets a later parameter override an earlier one). Not
 * exported; the static library exposes it to the unit test.
 */
bool vmci_cmdline_is_guest(const char *cmdline);

#endif /* VMCI_INTERNAL_H */
