#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: streaming-mapping cost, Linux 7.3 vs. the series, arm64 under
# QEMU.  Not part of make test: it takes two kernel builds and 12 boots.
#
# Two kernels with the arm64 test configuration plus CONFIG_JUMP_LABEL (as
# distribution kernels have it), each in a worktree of its own under
# $WORK/bench/:
#   base     the pinned 7.3 base plus only the benchmark's nanosecond
#            report (a patch of series 05-debug; the base reports 100 ns
#            units, too coarse for 1 % ratios)
#   patched  every series of patches/ (the emulated pKVM guest included)
# Four guests, each running the in-tree dma_map_benchmark (guest/bench.c)
# on idle virtio-mmio slots for 4 KiB and 64 KiB buffers, 1 and 2 threads:
#   base-plain     7.3, no CC, nothing forced
#   patched-plain  the series, no CC
#   base-cc        7.3 with swiotlb=force: every mapping bounces, as 7.3
#                  bounces a T=0 device's private memory in a CC guest and
#                  a T=1 device's (which it cannot tell apart)
#   patched-cc     the series as an emulated pKVM guest (cc_emulate=pkvm,
#                  nocheck: no sharing checker, as on a real platform): a
#                  T=0 device (bounced through the shared default pool) and
#                  a T=1 device (mapped in place)
# Every round boots the four in turn (interleaved), with QEMU's -icount
# shift=0 (guest time counts instructions: ratios repeat on a busy host)
# and then, if BENCH_CLOCKS says so, on the wall clock.  Raw lines go to
# $WORK/bench/raw.txt, the table (scripts/bench_table.py) to
# $WORK/bench/table.md; docs/benchmark.md is a copy of a published run.
#
# BENCH_ROUNDS (default 3), BENCH_SECONDS (default 1), BENCH_CLOCKS
# (default "icount") size the run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECONDS:-1}
TIMEOUT=${BENCH_TIMEOUT:-900}
B=$WORK/bench
# Idle virtio-mmio slots of the virt machine (no -device behind them).
T0DEV=a000000.virtio_mmio
T1DEV=a000200.virtio_mmio
# The only patch the base kernel gets.
NSPATCH='dma-mapping-benchmark-report-nanoseconds'

mkdir -p "$B" "$WORK/logs"
toolchain arm64

# build_kernel NAME: build the worktree $B/NAME/linux into
# $B/NAME/.work/build/arm64, laid out like the project so that ccache
# (CCACHE_BASEDIR) hits the objects of the test kernels' builds.
build_kernel() {
	local wt=$B/$1/linux bdir=$B/$1/.work/build/arm64
	mkdir -p "$bdir"
	if ! { mapfile -t frags < <(test_fragments "$wt" arm64) &&
	       config_assemble "$wt" "$bdir" "${frags[@]}" "$TOP/configs/bench.config" &&
	       kmake "$wt" "$bdir" Image.gz; } >"$WORK/logs/bench-$1-build.log" 2>&1; then
		tail -30 "$WORK/logs/bench-$1-build.log" >&2
		die "the $1 kernel does not build"
	fi
}

# worktree NAME REV: a clean worktree of the kernel tree at REV.
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

log "bench: the base kernel (7.3 + the nanosecond report)"
worktree base "$(base_rev)"
nsp=$(series_patches | grep -E "/[0-9]{4}-$NSPATCH" || true)
[ "$(grep -c . <<<"$nsp")" = 1 ] || die "no single patch $NSPATCH in patches/"
kgit -C "$B/base/linux" am -q "$nsp" || die "$NSPATCH does not apply to the base"
build_kernel base
BASE=$B/base/.work/build/arm64/arch/arm64/boot/Image.gz

log "bench: the patched kernel (every series)"
worktree patched "$(kgit rev-parse HEAD)"
has_cc_emulate "$B/patched/linux" || die "the series has no emulated CC guest"
build_kernel patched
PATCHED=$B/patched/.work/build/arm64/arch/arm64/boot/Image.gz

log "bench: guest programs"
st=$(mktemp -d)
mkdir -p "$st/proc" "$st/sys" "$st/dev"
aarch64-linux-gnu-gcc -static -O2 -Wall -Werror -o "$st/init" "$TOP/guest/bench.c"
# The patched tree's tool; the base kernel has the same ioctl layout.
aarch64-linux-gnu-gcc -static -O2 -idirafter "$B/patched/linux/include/uapi" \
	-o "$st/dma_map_benchmark" "$B/patched/linux/tools/dma/dma_map_benchmark.c"
mknod -m 600 "$st/dev/console" c 5 1
(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$B/initramfs.cpio"
rm -rf "$st"

runs() { # runs DEV... -> the run list for both sizes and thread counts
	local d g t out=()
	for d in "$@"; do
		for g in 1 16; do
			for t in 1 2; do out+=("$d:$g:$t"); done
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
for clock in ${BENCH_CLOCKS:-icount}; do
	for round in $(seq 1 "$ROUNDS"); do
		guest "$clock" "$round" base-plain "$BASE" "" "$(runs $T0DEV)"
		guest "$clock" "$round" patched-plain "$PATCHED" "" "$(runs $T0DEV)"
		guest "$clock" "$round" base-cc "$BASE" "swiotlb=16384,force" "$(runs $T0DEV)"
		guest "$clock" "$round" patched-cc "$PATCHED" \
			"cc_emulate=pkvm,nocheck,t1=$T1DEV" "$(runs $T0DEV $T1DEV)"
	done
done

python3 "$TOP/scripts/bench_table.py" "$B/raw.txt" "$T0DEV" "$T1DEV" \
	"$(git -C "$TOP" rev-parse --short HEAD)" "$ROUNDS" "$SECS" >"$B/table.md"
cat "$B/table.md"
echo "(raw numbers: $B/raw.txt; copy the table to docs/benchmark.md to publish it)" >&2
