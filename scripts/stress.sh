#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress: what does not fit the CI budget.
#   - dma-mapping-stress with STRESS_MAPPINGS (default 1,000,000) mappings
#     per case, on the test kernel of each arch;
#   - the sanitizer kernel (configs/sanitize.config: KASAN, lockdep, atomic
#     sleep checks, kmemleak) of each arch: every KUnit run, then the boot
#     guests on it (the emulated CC guest scans for leaks at the end).
# Results go to .work/stress-results; the last line is
# "N passed, N failed[, N skipped]", as for make test.
set -eu
. "$(dirname "$0")/lib.sh"
export CC_DMA_RESULTS=$WORK/stress-results
RESULTS=$CC_DMA_RESULTS

ARCHES=${ARCHES:-x86_64 arm64}
STRESS_MAPPINGS=${STRESS_MAPPINGS:-1000000}
start=$(date +%s)

tree_is_series ||
	die "the kernel tree is not base + patches/; run make setup"
mkdir -p "$WORK"
rm -f "$RESULTS"
touch "$RESULTS"

guests=""
for arch in $ARCHES; do
	log "stress: $arch, $STRESS_MAPPINGS mappings per case"
	KUNIT_RUNS=stress KUNIT_TIMEOUT=20000 \
	STRESS_ARGS="mapping_kunit.stress_mappings=$STRESS_MAPPINGS mapping_kunit.stress_seconds=4000" \
		bash "$TOP/scripts/kunit.sh" "$arch"
	grep -h -E 'dma_kunit_stress: ([0-9]* threads|[0-9]* coherent)' "$WORK/logs/kunit-$arch-stress.console" |
		sed "s/^ *# dma_kunit_stress:/    $arch:/" >&2 || true
	log "stress: $arch sanitizer kernel"
	SANITIZE=1 KUNIT_TIMEOUT=3600 bash "$TOP/scripts/kunit.sh" "$arch"
	case $arch in
	x86_64) guests="$guests x86_64-swiotlb-force" ;;
	arm64) guests="$guests arm64-pkvm-rdma arm64-cc-emulate" ;;
	esac
done
log "stress: boot guests on the sanitizer kernels"
# shellcheck disable=SC2086
BOOT_BUILD_SUFFIX=-sanitize BOOT_TIMEOUT=900 bash "$TOP/scripts/boot.sh" $guests

summary "$start"
