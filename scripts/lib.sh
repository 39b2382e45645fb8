# SPDX-License-Identifier: GPL-2.0
# Common settings and helpers for the harness scripts.  Sourced, not run.

# Debian's tools first: checkpatch's helpers need Debian's python3 modules.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../base.conf
. "$TOP/base.conf"
BASE_VERSION=${BASE_PIN%% *}
BASE_SHA256=${BASE_PIN##* }
BASE_PKG=linux-source-7.3
# The suite that ships it; fetched through a private apt configuration, the
# machine's own sources stay as they are.
BASE_SUITE=trixie-backports
BASE_MIRROR=http://deb.debian.org/debian

KTREE=$TOP/linux			# the kernel tree, a git repo of its own
WORK=$TOP/.work				# all other state of this checkout
# Survives fresh clones on the same machine: downloaded .deb, ccache.
CACHE=${CC_DMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cc-dma}

# The one author identity of the series; also used for the base commit.
SERIES_NAME="CC DMA Series"
SERIES_EMAIL="cc-dma-series@example.org"
BASE_DATE="2025-01-01T00:00:00Z"
BASE_TAG=base

export CCACHE_DIR=$CACHE/ccache
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export CCACHE_COMPILERCHECK=content

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# git in the kernel tree with the series identity, so commits made by the
# harness (base commit, git am) are the same on every machine.
kgit() {
	GIT_AUTHOR_NAME="$SERIES_NAME" GIT_AUTHOR_EMAIL="$SERIES_EMAIL" \
	GIT_COMMITTER_NAME="$SERIES_NAME" GIT_COMMITTER_EMAIL="$SERIES_EMAIL" \
		git -C "$KTREE" -c core.autocrlf=false -c advice.detachedHead=false "$@"
}

base_rev() { kgit rev-parse -q --verify "refs/tags/$BASE_TAG^{commit}"; }

# patches/ holds several series, one folder each (NN-name/), applied in
# the order of their names; each is a branch of the same name in the kernel
# tree, on top of the one before (the first on the base).
series_dirs() {
	local d
	for d in "$TOP"/patches/[0-9][0-9]-*/; do
		[ -d "$d" ] && basename "$d"
	done
}
series_patches() { # [SERIES]
	local d
	for d in ${1:-$(series_dirs)}; do
		ls "$TOP/patches/$d"/[0-9]*.patch 2>/dev/null | grep -v '/0000-cover-letter' || true
	done
}
top_series() { series_dirs | tail -n 1; }

# The tree after each patch of patches/, applied on the base in a scratch
# index (no checkout), one hash a line; "none" from a patch that does not
# apply.  Trees, not patch ids: export writes blank context lines without
# their space, and git patch-id stops reading a hunk at such a line.
patch_trees() {
	local idx p
	idx=$(mktemp "${TMPDIR:-/tmp}/cc-dma-index.XXXXXX")
	GIT_INDEX_FILE=$idx kgit read-tree "$BASE_TAG"
	for p in $(series_patches); do
		if GIT_INDEX_FILE=$idx kgit apply --cached "$p" 2>/dev/null; then
			GIT_INDEX_FILE=$idx kgit write-tree
		else
			echo none
			break
		fi
	done
	rm -f "$idx"
}

# The tree of each commit on top of the base, one hash a line.
commit_trees() {
	local c
	for c in $(kgit rev-list --reverse "$BASE_TAG..HEAD"); do
		kgit rev-parse "$c^{tree}"
	done
}

# Is the kernel tree exactly the base plus patches/?
tree_is_series() { [ "$(commit_trees)" = "$(patch_trees)" ]; }

# Commits in the kernel tree that patches/ does not hold: the tree's
# commits must be the series, or a first part of it.
unexported_commits() {
	local want c i=0
	want=$(patch_trees)
	for c in $(kgit rev-list --reverse "$BASE_TAG..HEAD"); do
		i=$((i + 1))
		if [ "$(sed -n "${i}p" <<<"$want")" != "$(kgit rev-parse "$c^{tree}")" ]; then
			kgit log --reverse --format='%h %s' "$c^..HEAD"
			return
		fi
	done
}

# Results of make test: one line per check, "PASS|FAIL|SKIP <stage> <name>".
# (make stress keeps its own: CC_DMA_RESULTS.)
RESULTS=${CC_DMA_RESULTS:-$WORK/results}
result() {
	mkdir -p "$WORK"
	printf '%s %s\n' "$1" "$2" >>"$RESULTS"
	printf '    %s %s\n' "$1" "$2" >&2
}

# The tally at the end of make test and make stress: failures listed, and
# last "N passed, N failed[, N skipped]".  Returns non-zero on a failure.
summary() { # summary START-SECONDS
	local passed failed skipped
	passed=$(grep -c '^PASS ' "$RESULTS" || true)
	failed=$(grep -c '^FAIL ' "$RESULTS" || true)
	skipped=$(grep -c '^SKIP ' "$RESULTS" || true)
	echo "== done in $(( ($(date +%s) - $1) / 60 )) min; results in $RESULTS" >&2
	if [ "$failed" -gt 0 ]; then
		echo "failed:" >&2
		grep '^FAIL ' "$RESULTS" | sed 's/^/  /' >&2
	fi
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" = 0 ]
}
