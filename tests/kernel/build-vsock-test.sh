#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# build-vsock-test.sh TARBALL OUT: build the kernel's own vsock test suite
# (tools/testing/vsock/vsock_test) from the Debian linux-source tarball.
# Only tools/testing/vsock and tools/include are extracted, into a scratch
# directory next to OUT; meson reruns this only when the output is missing.
set -eu
tarball=$1 out=$2
work=$out.src
rm -rf "$work"
mkdir -p "$work"
top=$(tar -tJf "$tarball" | head -n 1 | cut -d/ -f1)
tar -xJf "$tarball" -C "$work" --wildcards \
	"$top/tools/testing/vsock/*" "$top/tools/include/*"
make -s -C "$work/$top/tools/testing/vsock" vsock_test
cp "$work/$top/tools/testing/vsock/vsock_test" "$out"
rm -rf "$work"
