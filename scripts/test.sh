#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make test: every check of the series on exactly the base plus the
# committed patches/.  One line per stage, one line per check, and last
# "N passed, N failed[, N skipped]".  Exits non-zero on any failure.
#
# The per-patch builds, cross builds and sanitizer kernels are in
# make check-series (scripts/check-series.sh).
set -euo pipefail
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
rm -f "$RESULTS" "$WORK/stage-times" "$WORK/lock-wait"
touch "$RESULTS"

# The base commit is the pinned package: its message names the version
# and the tarball's sum that setup checked.
pin_check() {
	local msg
	msg=$(kgit log -1 --format=%B "$(base_rev)")
	if grep -qF "Linux $BASE_VERSION " <<<"$msg" && grep -qF "sha256 $BASE_SHA256" <<<"$msg"; then
		result PASS "setup/base-pin ($BASE_PKG $BASE_VERSION, $(kgit rev-list --count "$BASE_TAG..HEAD") patches in $(series_dirs | grep -c . || true) series)"
	else
		result FAIL "setup/base-pin (the base commit is not $BASE_PKG $BASE_VERSION, sha256 $BASE_SHA256: rm -rf linux and make setup)"
	fi
}

stage "setup: base pin" pin_check
stage "static: checkpatch, author, Signed-off-by" bash "$TOP/scripts/static.sh" checkpatch
for arch in $ARCHES; do
	stage "kunit: $arch (build, default and swiotlb=force boots)" \
		bash "$TOP/scripts/kunit.sh" "$arch"
done
for arch in $ARCHES; do
	stage "static: $arch coverage configuration, W=1 and sparse, base vs. top" \
		locked bash "$TOP/scripts/static.sh" pair "$arch" coverage
	stage "static: $arch clang-19 W=1, base vs. top" \
		locked bash "$TOP/scripts/static.sh" pair "$arch" clang
done
guests=""
for arch in $ARCHES; do
	guests="$guests $(arch_guests "$arch" | paste -sd ' ' -)"
done
# shellcheck disable=SC2086
stage "boot:$guests" bash "$TOP/scripts/boot.sh" $guests
stage "selftest: shellcheck, Python helpers, bad input to the harness" \
	bash "$TOP/scripts/selftest.sh"

summary "$start"
