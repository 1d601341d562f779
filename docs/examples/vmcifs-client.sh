#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vmcifs-client.sh CID PORT [MOUNTPOINT]: send stdin as one request, then
# print the whole answer (like `socat -t30 - VSOCK-CONNECT:CID:PORT`, with
# its half-close). The one line that does it:
#
#   exec 3<>/vmci/2/5000; cat >&3; setfattr -n user.vmci.shutdown -v write /dev/fd/3; cat <&3
#
# It prints its local address on stderr (user.vmci.local).
set -u
cid=${1:?usage: vmcifs-client.sh CID PORT [MOUNTPOINT]}
port=${2:?usage: vmcifs-client.sh CID PORT [MOUNTPOINT]}
mnt=${3:-/vmci}

exec 3<>"$mnt/$cid/$port" || exit
printf 'local %s\n' "$(getfattr --only-values -n user.vmci.local /dev/fd/3)" >&2
# A server may answer (and close) before it read everything: print its
# answer even when sending failed, and exit with the first failure.
cat >&3
sent=$?
setfattr -n user.vmci.shutdown -v write /dev/fd/3 2>/dev/null
cat <&3 && exit $sent
