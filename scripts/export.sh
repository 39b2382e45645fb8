#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make export: write each series of the kernel tree into its folder of
# patches/ (or of $EXPORT_DIR) with git format-patch.
#
# The series are the branches named NN-name in the kernel tree, in the
# order of their names, each on top of the one before (the first on the
# base): series_chain in lib.sh.  Series NN-name is the commits
# <previous branch, or the base>..NN-name, written to NN-name/ with a cover
# letter of its own.  A new branch is a new series: git -C linux checkout
# -b 03-name (on top of the last one), commit, make export.
#
# The cover letter's subject and text are carried over from the one in
# patches/NN-name/; its "Base:" line is rewritten to name the pinned
# Debian package and, after the first series, the series it applies after.
# The patches carry their authors; the cover letter is from the user's
# git identity (git config user.name and user.email).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${EXPORT_DIR:-$TOP/patches}
baserev=$(base_rev) || die "no kernel tree yet: run make setup"
[ -z "$(kgit status --porcelain --untracked-files=no)" ] ||
	die "the kernel tree has uncommitted changes: commit them first"
mapfile -t chain < <(series_chain)
[ ${#chain[@]} -gt 0 ] ||
	die "no series branch in the kernel tree: start one with 'git -C linux checkout -b 01-name'"
for d in $(series_dirs); do
	printf '%s\n' "${chain[@]}" | grep -qxF "$d" ||
		die "patches/$d has no branch $d in the kernel tree's chain of series (${chain[*]})"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prev=$BASE_TAG
after=
total=0
for b in "${chain[@]}"; do
	n=$(kgit rev-list --count "$prev..$b")
	if [ "$n" = 0 ]; then
		log "series $b has no commit on top of $prev yet: not exported"
		continue
	fi
	mkdir -p "$tmp/$b"
	# Blank context lines without their trailing space: checkpatch run
	# on a committed patch file (git-tracked, so read as a source file)
	# flags them.
	ugit -c diff.suppressBlankEmpty=true format-patch -q --cover-letter \
		--zero-commit --no-signature --base="$baserev" -o "$tmp/$b" "$prev..$b"
	line="Base: Debian $BASE_PKG $BASE_VERSION (tarball sha256 $BASE_SHA256)"
	if [ -n "$after" ]; then
		line="$line, after the series $after."
	else
		line="$line."
	fi
	python3 "$TOP/scripts/cover_letter.py" "$TOP/patches/$b/0000-cover-letter.patch" \
		"$tmp/$b/0000-cover-letter.patch" "$line"
	log "series $b: $n patches and a cover letter"
	total=$((total + n))
	prev=$b
	after=$b
done

mkdir -p "$out"
for d in "$tmp"/*/; do
	[ -d "$d" ] || continue
	rm -rf "${out:?}/$(basename "$d")"
	cp -r "$d" "$out/"
done
log "exported $total patches to $out"
