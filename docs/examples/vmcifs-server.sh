#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vmcifs-server.sh PORT [MOUNTPOINT]: a concurrent request/response server
# in bash over vmcifs(8), like `socat VSOCK-LISTEN:PORT,fork EXEC:handler`.
# Each client gets a handler of its own, in parallel: it learns the
# client's address (user.vmci.remote), reads the request to EOF (the
# client shuts down its write side) and answers; the connection ends when
# the handler closes it. Only Debian's bash and attr are needed.
#
# Access control by CID, as vsock servers do it: set ALLOW_CID=2 to serve
# only the host.
set -u
port=${1:?usage: vmcifs-server.sh PORT [MOUNTPOINT]}
mnt=${2:-/vmci}
listener=$mnt/listen/$port

# One connection on fd 3: answer it, then close it.
handler() {
	local peer request
	peer=$(getfattr --only-values -n user.vmci.remote /proc/self/fd/3) || return
	if [ -n "${ALLOW_CID:-}" ] && [ "${peer%%:*}" != "$ALLOW_CID" ]; then
		printf 'refused: %s\n' "$peer" >&3
		return
	fi
	request=$(cat <&3)	# to the client's EOF
	printf 'hello %s, you sent %d bytes\n' "$peer" "${#request}" >&3
	printf '%s: %d bytes\n' "$peer" "${#request}" >&2
}

touch "$listener" || exit	# make the listener; rm removes it
trap 'rm -f "$listener"; exit' INT TERM
# Each open accepts one client (it waits for one): hand it to a handler
# in the background, close our copy and accept the next at once.
while exec 3<>"$listener"; do
	handler &
	exec 3>&-
done
