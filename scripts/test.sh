#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make test: every check of the series on exactly the base plus the
# committed patches/.  One line per stage, one line per check, and last
# "N passed, N failed[, N skipped]".  Exits non-zero on any failure.
set -eu
. "$(dirname "$0")/lib.sh"

ARCHES=${ARCHES:-x86_64 arm64}
start=$(date +%s)

# What is tested is what is committed.
if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 &&
   [ -n "$(git -C "$TOP" status --porcelain -- patches)" ]; then
	die "patches/ differs from what is committed; commit it (or git checkout patches/) first"
fi
tree_is_series ||
	die "the kernel tree is not base + patches/; run make setup"

mkdir -p "$WORK"
rm -f "$RESULTS" "$WORK/stage-times"
touch "$RESULTS"

# Compilations served by ccache and compiled, so far: "HITS MISSES".
ccache_counts() {
	ccache --print-stats 2>/dev/null | awk '
		$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { h += $2 }
		$1 == "cache_miss" { m += $2 }
		END { print h + 0, m + 0 }'
}

# Each stage's duration goes to the log and to $WORK/stage-times, so that
# the CI budget can be watched stage by stage; with the number of objects it
# compiled and took from ccache, which tells what it costs with an empty
# ccache (a cold run compiles them all).
stage() {
	local name=$1 rc=0 t0 h0 m0 h1 m1
	shift
	printf '== %s\n' "$name" >&2
	t0=$(date +%s)
	read -r h0 m0 < <(ccache_counts)
	"$@" || rc=$?
	[ $rc = 0 ] || result FAIL "$name (stage exited $rc)"
	read -r h1 m1 < <(ccache_counts)
	printf '%5d s  %s (compiled %d, from ccache %d)\n' $(($(date +%s) - t0)) \
		"$name" $((m1 - m0)) $((h1 - h0)) | tee -a "$WORK/stage-times" >&2
}

stage "static: checkpatch" bash "$TOP/scripts/static.sh" checkpatch
for arch in $ARCHES; do
	# The per-patch builds first: they walk from the base to the top with
	# the test kernel's configuration, so the KUnit build after them is
	# served by ccache (one cold build of each object, not two).
	stage "static: $arch per-patch builds, W=1 and sparse" \
		bash "$TOP/scripts/static.sh" bisect "$arch"
	stage "kunit: $arch" bash "$TOP/scripts/kunit.sh" "$arch"
	# The sanitizer kernel (KASAN, lockdep, atomic sleep, kmemleak): arm64
	# here, both arches in make stress.
	case " ${SANITIZE_ARCHES-arm64} " in *" $arch "*)
		stage "kunit: $arch sanitizers" env SANITIZE=1 bash "$TOP/scripts/kunit.sh" "$arch" ;;
	esac
	stage "static: $arch coverage builds (Xen, IOMMU, CC platforms)" \
		bash "$TOP/scripts/static.sh" coverage "$arch"
	stage "static: $arch clang W=1" bash "$TOP/scripts/static.sh" clang "$arch"
done
for arch in ${CROSS_ARCHES-s390 powerpc}; do
	stage "static: $arch cross build, W=1" bash "$TOP/scripts/static.sh" cross "$arch"
done
guests=""
for arch in $ARCHES; do
	case $arch in
	x86_64) guests="$guests x86_64-swiotlb-force" ;;
	arm64) guests="$guests arm64-pkvm-rdma arm64-cc-emulate arm64-cc-emulate-bad-params" ;;
	esac
done
# shellcheck disable=SC2086
stage "boot:$guests" bash "$TOP/scripts/boot.sh" $guests

stage "selftest: bad input to the harness" bash "$TOP/scripts/selftest.sh"

summary "$start"
