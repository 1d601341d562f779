#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Extract checkpatch.pl and the data files it reads from Debian's
# linux-source tarball into the build tree (for tests/style/001).
#   extract-checkpatch.sh TARBALL OUTPUT(.../checkpatch.pl)
set -e
out=$(dirname "$2")
tmp=$(mktemp -d "$out/.extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$1" -C "$tmp" --strip-components=2 \
	linux-source-6.1/scripts/checkpatch.pl \
	linux-source-6.1/scripts/spelling.txt \
	linux-source-6.1/scripts/const_structs.checkpatch
mv "$tmp/spelling.txt" "$tmp/const_structs.checkpatch" "$out/"
mv "$tmp/checkpatch.pl" "$2"
