#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make export: regenerate patches/ (or $EXPORT_DIR) with git format-patch
# from the kernel tree's commits on top of the base.  The cover letter's
# subject and text are carried over from the existing cover letter; its
# "Base:" line is rewritten to name the pinned Debian package.
set -eu
. "$(dirname "$0")/lib.sh"

out=${EXPORT_DIR:-$TOP/patches}
base=$(base_rev) || die "no kernel tree yet: run make setup"
[ -z "$(kgit status --porcelain --untracked-files=no)" ] ||
	die "the kernel tree has uncommitted changes: commit them first"
n=$(kgit rev-list --count "$base..HEAD")
[ "$n" -gt 0 ] || die "no commits on top of the base to export"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Blank context lines without their trailing space: checkpatch run on a
# committed patch file (git-tracked, so read as a source file) flags them.
kgit -c diff.suppressBlankEmpty=true format-patch -q --cover-letter \
	--zero-commit --no-signature \
	--base="$base" -o "$tmp" "$base..HEAD"
python3 "$TOP/scripts/cover_letter.py" "$TOP/patches/0000-cover-letter.patch" \
	"$tmp/0000-cover-letter.patch" \
	"Base: Debian $BASE_PKG $BASE_VERSION (tarball sha256 $BASE_SHA256)."

mkdir -p "$out"
rm -f "$out"/*.patch
cp "$tmp"/*.patch "$out"/
log "exported $n patches and a cover letter to $out"
