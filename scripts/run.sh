#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: build the patched test kernels and boot the guests, printing
# what they show and the harness's verdict on each.
set -eu
. "$(dirname "$0")/lib.sh"

rm -f "$RESULTS"
bash "$TOP/scripts/kunit.sh" x86_64 build
bash "$TOP/scripts/kunit.sh" arm64 build
bash "$TOP/scripts/boot.sh" x86_64-swiotlb-force arm64-pkvm-rdma arm64-cc-emulate
echo
for g in x86_64-swiotlb-force arm64-pkvm-rdma arm64-cc-emulate; do
	if grep -q "^FAIL boot/$g/" "$RESULTS"; then
		echo "$g: FAIL"
	else
		echo "$g: PASS"
	fi
done
! grep -q '^FAIL ' "$RESULTS"
