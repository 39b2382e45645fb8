#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-series: the long checks that make test leaves out.
#   - every patch builds, on x86_64 and arm64, with the test kernel's
#     configuration (scripts/static.sh bisect), and the objects the series
#     touches build at every patch with the coverage configuration;
#   - s390 and ppc64le cross builds, base vs. top, W=1;
#   - the sanitizer KUnit kernels (configs/sanitize.config: KASAN, lockdep,
#     atomic-sleep checks, kmemleak) of both arches.
# Results go to .work/check-series-results, stage times to
# .work/check-series-times; the last line is
# "N passed, N failed[, N skipped]", as for make test.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export CC_DMA_RESULTS=$WORK/check-series-results
RESULTS=$CC_DMA_RESULTS

ARCHES=${ARCHES:-x86_64 arm64}
start=$(date +%s)

tree_is_series ||
	die "the kernel tree is not base + patches/; run make setup"
mkdir -p "$WORK"
rm -f "$RESULTS" "$WORK/stage-times" "$WORK/lock-wait"
touch "$RESULTS"

for arch in $ARCHES; do
	stage "series: $arch per-patch builds" \
		locked bash "$TOP/scripts/static.sh" bisect "$arch"
	stage "series: $arch per-patch coverage builds" \
		locked bash "$TOP/scripts/static.sh" bisect-coverage "$arch"
done
for arch in ${CROSS_ARCHES-s390 powerpc}; do
	stage "series: $arch cross build, W=1, base vs. top" \
		locked bash "$TOP/scripts/static.sh" pair "$arch" cross
done
for arch in $ARCHES; do
	stage "series: $arch sanitizer KUnit kernel" \
		env SANITIZE=1 KUNIT_TIMEOUT=1800 bash "$TOP/scripts/kunit.sh" "$arch"
done
mv "$WORK/stage-times" "$WORK/check-series-times"

summary "$start"
