#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# kbuild.sh KDIR OUTDIR SOURCE...: build vmci_loop.ko out of tree for meson.
# Kbuild wants the sources in its M= directory, so they are linked into
# OUTDIR (the meson build directory of kernel/) and make runs there; make's
# own dependency tracking then rebuilds only what changed.
set -eu
kdir=$1 out=$2
shift 2
mkdir -p "$out"
for f in "$@"; do
	src=$(realpath "$f")
	dst=$out/$(basename "$f")
	[ "$(readlink "$dst" 2>/dev/null)" = "$src" ] || ln -sfn "$src" "$dst"
done
exec make -s -C "$kdir" M="$(realpath "$out")" modules
