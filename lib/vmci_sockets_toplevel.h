/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmci_sockets.h (installed at the top of the include directory): for
 * programs that include VMware's header by its bare name. The header is
 * <vmci/vmci_sockets.h>, where VMware's packages put theirs.
 */
#include "vmci/vmci_sockets.h"
