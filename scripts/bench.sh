#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: streaming-mapping cost, base vs. patched, on arm64 under QEMU.
#
# Two kernels with the arm64 test configuration plus CONFIG_JUMP_LABEL, each
# in a worktree of its own under $WORK/bench/:
#   base     the pinned base plus only the test-infrastructure patches (the
#            dma_map_benchmark extension and the KUnit patches that change
#            no behaviour)
#   patched  the whole series
# Four guests, each running the in-tree dma_map_benchmark (guest/bench.c)
# for 4 KiB and 64 KiB buffers and 1 and 2 threads:
#   base-cc        swiotlb=force: how a 6.12 CC guest maps (SWIOTLB_FORCE)
#   base-plain     no CC, no forced bounce
#   patched-cc     the emulated CC guest (cc_emulate=share,nocheck): private
#                  memory for a T=0 device, DMA_ATTR_CC_SHARED memory for a
#                  T=0 device, private memory for a T=1 device
#   patched-plain  no CC
# The guests are booted in turn, round after round (interleaved), first with
# QEMU's -icount (guest time counts instructions, so ratios repeat on a
# noisy host), then on the wall clock.  Then scripts/fasttrace.sh counts
# the instructions of one map and unmap per guest.  Raw lines go to
# $WORK/bench/raw.txt; scripts/bench_table.py writes the table to
# $WORK/bench/table.md (docs/benchmark.md is a copy of the latest one).
#
# BENCH_ROUNDS (default 3) and BENCH_SECONDS (default 1) size the run.
set -eu
. "$(dirname "$0")/lib.sh"

ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECONDS:-1}
TIMEOUT=${BENCH_TIMEOUT:-900}
B=$WORK/bench
# Idle virtio-mmio slots of the virt machine (no -device behind them).
T0DEV=a000000.virtio_mmio
T1DEV=a000200.virtio_mmio
# DMA_ATTR_CC_SHARED runs get a T=0 device of their own: one that never
# bounced, so that unmapping does not search the swiotlb pools (dma-direct
# does that for any device that ever bounced, base and patched alike).
SHDEV=a000400.virtio_mmio
# The test-infrastructure patches: the benchmark extension and the KUnit
# patches that change no behaviour.
INFRA='dma-mapping-benchmark-report-nanoseconds|dma-mapping-add-KUnit-tests-that-pin|swiotlb-let-KUnit-tests-give-a-device|dma-mapping-add-KUnit-tests-for-swiotlb-b'

mkdir -p "$B" "$WORK/logs"

# build_kernel NAME: build the worktree $B/NAME/linux into
# $B/NAME/.work/build/arm64 (laid out like the project, so that ccache
# hits across builds) with the test configuration plus CONFIG_JUMP_LABEL,
# as distribution kernels have it: static keys are patched jumps, the way
# the DMA layer's CC checks are meant to cost nothing.
build_kernel() {
	local wt=$B/$1/linux bdir=$B/$1/.work/build/arm64
	mkdir -p "$bdir"
	cat "$KTREE/kernel/dma/.kunitconfig" "$TOP/configs/common.config" \
	    "$TOP/configs/arm64.config" >"$bdir/.config"
	echo CONFIG_JUMP_LABEL=y >>"$bdir/.config"
	if ! { make -C "$wt" O="$bdir" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		CC="ccache aarch64-linux-gnu-gcc" olddefconfig &&
	       make -C "$wt" O="$bdir" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		CC="ccache aarch64-linux-gnu-gcc" -j"$(nproc)" Image.gz; } \
		>"$WORK/logs/bench-$1-build.log" 2>&1; then
		tail -30 "$WORK/logs/bench-$1-build.log" >&2
		die "the $1 kernel does not build"
	fi
	grep -q '^CONFIG_JUMP_LABEL=y' "$bdir/.config" || die "$1: no CONFIG_JUMP_LABEL"
}

# worktree NAME REV: a worktree of the kernel tree at REV, clean.
worktree() {
	local wt=$B/$1/linux
	if [ ! -e "$wt/.git" ]; then
		kgit worktree prune
		mkdir -p "$B/$1"
		kgit worktree add -q --detach "$wt" "$2"
	fi
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	git -C "$wt" checkout -q --detach -f "$2"
}

log "bench: the base kernel (base + test infrastructure)"
worktree base "$(base_rev)"
infra=()
for p in $(series_patches); do
	if basename "$p" | grep -Eq "^[0-9]{4}-($INFRA)"; then infra+=("$p"); fi
done
[ ${#infra[@]} = 4 ] || die "expected 4 test-infrastructure patches, found ${#infra[@]}"
GIT_COMMITTER_NAME="$SERIES_NAME" GIT_COMMITTER_EMAIL="$SERIES_EMAIL" \
	git -C "$B/base/linux" am -q "${infra[@]}" ||
	die "the test-infrastructure patches do not apply to the base"
build_kernel base
BASE=$B/base/.work/build/arm64/arch/arm64/boot/Image.gz

log "bench: the patched kernel (the whole series)"
worktree patched "$(kgit rev-parse HEAD)"
build_kernel patched
PATCHED=$B/patched/.work/build/arm64/arch/arm64/boot/Image.gz

log "bench: guest programs"
st=$(mktemp -d)
mkdir -p "$st/proc" "$st/sys" "$st/dev"
aarch64-linux-gnu-gcc -static -O2 -Wall -Werror -o "$st/init" "$TOP/guest/bench.c"
# The tool of the patched tree; the base kernel has the same ioctl layout.
aarch64-linux-gnu-gcc -static -O2 -idirafter "$KTREE/include" -o "$st/dma_map_benchmark" \
	"$KTREE/tools/testing/selftests/dma/dma_map_benchmark.c"
mknod -m 600 "$st/dev/console" c 5 1
(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$B/initramfs.cpio"
rm -rf "$st"

runs() { # runs DEV:MEM ... -> the run list for both sizes and thread counts
	local dm out=()
	for dm in "$@"; do
		for g in 1 16; do
			for t in 1 2; do out+=("${dm%%:*}:${dm##*:}:$g:$t"); done
		done
	done
	local IFS=,
	echo "${out[*]}"
}

# guest CLOCK ROUND NAME KERNEL "ARGS" RUNS
guest() {
	local clock=$1 round=$2 name=$3 kernel=$4 args=$5 runs=$6 icount=() console
	[ "$clock" = icount ] && icount=(-icount shift=0)
	console=$B/$clock-$round-$name.console
	log "bench: $clock round $round: $name"
	timeout -k 5 "$TIMEOUT" qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on \
		-smp 2 -m 512 -nodefaults -display none -serial stdio -no-reboot \
		"${icount[@]}" -kernel "$kernel" -initrd "$B/initramfs.cpio" \
		-append "console=ttyAMA0 kunit.enable=0 panic=-1 dma_debug=off swiotlb=16384 $args ccbench.seconds=$SECS ccbench.runs=$runs" \
		</dev/null >"$console" 2>&1 || true
	tr -d '\r' <"$console" | grep '^CCBENCH ' | sed "s/^/$clock $round $name /" >>"$B/raw.txt"
	grep -q '^CCBENCH done' "$console" || { tail -30 "$console" >&2; die "$name did not finish (console: $console)"; }
	! grep -q 'CCBENCH error' "$console" || { grep 'CCBENCH error' "$console" >&2; die "$name: a run failed"; }
}

rm -f "$B/raw.txt"
for clock in ${BENCH_CLOCKS:-icount wall}; do
	for round in $(seq 1 "$ROUNDS"); do
		guest $clock "$round" base-cc "$BASE" "swiotlb=16384,force" "$(runs $T0DEV:0)"
		guest $clock "$round" patched-cc "$PATCHED" \
			"cc_emulate=share,nocheck,t1=$T1DEV" "$(runs $T0DEV:0 $SHDEV:1 $T1DEV:0)"
		guest $clock "$round" base-plain "$BASE" "" "$(runs $T0DEV:0)"
		guest $clock "$round" patched-plain "$PATCHED" "" "$(runs $T0DEV:0)"
	done
done

python3 "$TOP/scripts/bench_table.py" "$B/raw.txt" "$T0DEV" "$T1DEV" "$SHDEV" \
	"$(git -C "$TOP" rev-parse --short HEAD)" "$ROUNDS" "$SECS" >"$B/table.md"
log "bench: instruction traces (scripts/fasttrace.sh)"
bash "$TOP/scripts/fasttrace.sh" >>"$B/table.md"
cat "$B/table.md"
echo "(raw numbers: $B/raw.txt; copy the table to docs/benchmark.md to publish it)" >&2
