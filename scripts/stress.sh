#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress: the KUnit suite dma-mapping-stress with a million mappings
# (STRESS_TOTAL) instead of make test's 36000, on the emulated pKVM guest
# of make test and make run (arm64-cc-emulate): every conversion recorded,
# every DMA address checked, one conversion in ten failing in two of the
# six cases.  The guest must then pass every check it passes in make test,
# and the six cases must have made STRESS_TOTAL mappings together.  Last
# line: "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

STRESS_TOTAL=${STRESS_TOTAL:-1000000}
start=$(date +%s)
tree_is_series ||
	die "the kernel tree is not base + patches/; run make setup"
[ -f "$KTREE/kernel/dma/stress_kunit.c" ] ||
	die "the series in patches/ has no dma-mapping-stress"

RESULTS=$WORK/stress-results
export CC_DMA_RESULTS=$RESULTS
mkdir -p "$WORK"
rm -f "$RESULTS"
touch "$RESULTS"

# The guest has one CPU, so two threads a case, and six cases.
export STRESS_TOTAL
export STRESS_MAPPINGS=$(((STRESS_TOTAL + 11) / 12))
export BOOT_TIMEOUT=${BOOT_TIMEOUT:-3600}
stage "kunit: arm64 build" bash "$TOP/scripts/kunit.sh" arm64 build
stage "boot: arm64-cc-emulate, $STRESS_MAPPINGS mappings a thread and case" \
	bash "$TOP/scripts/boot.sh" arm64-cc-emulate
summary "$start"
