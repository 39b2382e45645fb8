#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: build the patched test kernels (the KUnit kernels) and boot the
# guests, printing what they show and the harness's verdict on each.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mapfile -t guests < <(arch_guests x86_64; arch_guests arm64)
mkdir -p "$WORK"
rm -f "$RESULTS"
touch "$RESULTS"
bash "$TOP/scripts/kunit.sh" x86_64 build
bash "$TOP/scripts/kunit.sh" arm64 build
bash "$TOP/scripts/boot.sh" "${guests[@]}"
echo
for g in "${guests[@]}"; do
	if grep -q "^FAIL boot/$g/" "$RESULTS"; then
		echo "$g: FAIL"
	else
		echo "$g: PASS"
	fi
done
! grep -q '^FAIL ' "$RESULTS"
