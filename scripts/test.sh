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

# Each stage's duration goes to the log and to $WORK/stage-times, so that
# the CI budget can be watched stage by stage.
stage() {
	local name=$1 rc=0 t0
	shift
	printf '== %s\n' "$name" >&2
	t0=$(date +%s)
	"$@" || rc=$?
	[ $rc = 0 ] || result FAIL "$name (stage exited $rc)"
	printf '%5d s  %s\n' $(($(date +%s) - t0)) "$name" | tee -a "$WORK/stage-times" >&2
}

stage "static: checkpatch" bash "$TOP/scripts/static.sh" checkpatch
for arch in $ARCHES; do
	stage "kunit: $arch" bash "$TOP/scripts/kunit.sh" "$arch"
	# The sanitizer kernel (KASAN, lockdep, atomic sleep, kmemleak): arm64
	# here, both arches in make stress.
	case " ${SANITIZE_ARCHES-arm64} " in *" $arch "*)
		stage "kunit: $arch sanitizers" env SANITIZE=1 bash "$TOP/scripts/kunit.sh" "$arch" ;;
	esac
	stage "static: $arch per-patch builds, W=1 and sparse" \
		bash "$TOP/scripts/static.sh" bisect "$arch"
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
