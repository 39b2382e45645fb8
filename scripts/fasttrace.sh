#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/fasttrace.sh: instructions executed by one dma_map_single() and
# dma_unmap_single() of dma_map_benchmark, per function, in the guests of
# make bench (run by scripts/bench.sh after the timed runs; needs its
# kernels and initramfs under $WORK/bench/).  Each guest runs with one CPU,
# stopped at boot for gdb-multiarch, which single-steps the seventh mapping
# of a 4 KiB buffer (scripts/fasttrace.py).  Instruction counts do not
# depend on the host; the slot search of a bounce does depend on which
# slots are free, so it is shown apart.
# Prints a markdown section; raw lines go to $WORK/bench/trace-NAME.txt.
set -eu
. "$(dirname "$0")/lib.sh"

B=$WORK/bench
T0DEV=a000000.virtio_mmio
T1DEV=a000200.virtio_mmio
SHDEV=a000400.virtio_mmio
SEARCH='swiotlb_search_pool_area|swiotlb_release_slots'
command -v gdb-multiarch >/dev/null || die "fasttrace: gdb-multiarch is not installed (make setup)"

# one NAME KERNEL "ARGS" DEV:MEM
one() {
	local name=$1 bdir=$B/$2/.work/build/arm64 port out=$B/trace-$1.txt qp
	port=$((20000 + RANDOM % 20000))
	qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 1 -m 512 \
		-nodefaults -display none -serial "file:$B/trace-$name.console" \
		-no-reboot -S -gdb "tcp:127.0.0.1:$port" \
		-kernel "$bdir/arch/arm64/boot/Image.gz" -initrd "$B/initramfs.cpio" \
		-append "console=ttyAMA0 kunit.enable=0 panic=-1 nokaslr dma_debug=off swiotlb=16384 $3 ccbench.seconds=3 ccbench.runs=$4:1:1" &
	qp=$!
	FASTTRACE_PORT=$port timeout 600 gdb-multiarch -q -batch -ex "file $bdir/vmlinux" \
		-x "$TOP/scripts/fasttrace.py" >"$out" 2>&1 || true
	kill $qp 2>/dev/null || true
	wait $qp 2>/dev/null || true
	grep -q '^FASTTRACE fn=dma_unmap_page_attrs total=' "$out" ||
		{ tail -20 "$out" >&2; die "fasttrace: $name: no trace"; }
	! grep -q 'error=' "$out" || die "fasttrace: $name: $(grep error= "$out")"
}

one base-plain base "" $T0DEV:0
one patched-plain patched "" $T0DEV:0
one base-cc base "swiotlb=16384,force" $T0DEV:0
one patched-cc patched "cc_emulate=share,nocheck,t1=$T1DEV" $T0DEV:0
one patched-cc-shared patched "cc_emulate=share,nocheck,t1=$T1DEV" $SHDEV:1
one patched-cc-t1 patched "cc_emulate=share,nocheck,t1=$T1DEV" $T1DEV:0

echo
echo "## Instructions per mapping (scripts/fasttrace.sh)"
echo
echo "One dma_map_single() + dma_unmap_single() of a 4 KiB buffer, single-stepped"
echo "in gdb: instructions executed, per guest; \"search\" is the swiotlb slot search"
echo "(swiotlb_search_pool_area, swiotlb_release_slots), which depends on which slots"
echo "are free and is left out of the last column."
echo
echo "| guest | map | unmap | of which search | map + unmap without search |"
echo "|---|---|---|---|---|"
for name in base-plain patched-plain base-cc patched-cc patched-cc-shared patched-cc-t1; do
	awk -v name="$name" -v search="^($SEARCH)\$" '
		/^FASTTRACE fn=/ {
			split($2, f, "="); fn = f[2]
			if ($3 ~ /^total=/) { split($3, t, "="); tot[fn] = t[2] }
			else { split($3, c, "="); split($4, n, "=")
			       if (c[2] ~ search) s += n[2] }
		}
		END {
			m = tot["dma_map_page_attrs"]; u = tot["dma_unmap_page_attrs"]
			printf "| %s | %d | %d | %d | %d |\n", name, m, u, s, m + u - s
		}' "$B/trace-$name.txt"
done
echo
echo "Per function (map, then unmap):"
echo
echo '```'
for name in base-plain patched-plain base-cc patched-cc; do
	awk -v name="$name" '/^FASTTRACE fn=/ && $3 ~ /^callee=/ {
		split($2, f, "="); split($3, c, "="); split($4, n, "=")
		line[f[2]] = line[f[2]] sprintf(" %s %s", c[2], n[2]) }
		END { printf "%-14s map:%s\n%-14s unmap:%s\n", name, line["dma_map_page_attrs"], "", line["dma_unmap_page_attrs"] }' \
		"$B/trace-$name.txt"
done
echo '```'
