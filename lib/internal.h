/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * internal.h: what libvmci's source files share and do not install.
 *
 * The shared library is built with hidden symbol visibility; VMCI_EXPORT
 * marks the functions of the public header vmci.h.
 */
#ifndef VMCI_INTERNAL_H
#define VMCI_INTERNAL_H

#define VMCI_EXPORT __attribute__((visibility("default")))

#endif /* VMCI_INTERNAL_H */
