#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/fastpath.sh [ARCH...]: the generated code of the streaming map
# fast path, base vs. top of the series.  dma_direct_map_page() is inlined
# into dma_map_page_attrs(), so that function is disassembled from
# kernel/dma/mapping.o built at both commits with the same configuration:
# the test kernel's fragments plus CONFIG_JUMP_LABEL (as every distribution
# kernel has it, so static keys are patched jumps, not loads).
# Output: $WORK/fastpath/ARCH-{base,top}.s and instruction counts.
set -eu
. "$(dirname "$0")/lib.sh"

WT=$WORK/bisect/linux
[ -e "$WT/.git" ] || {
	kgit worktree prune
	kgit worktree add -q --detach "$WT" "$(base_rev)"
}
out=$WORK/fastpath
mkdir -p "$out"
for arch in ${*:-x86_64 arm64}; do
	case $arch in
	x86_64) mk=(ARCH=x86_64 CC="ccache gcc"); od=objdump ;;
	arm64) mk=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
		   CC="ccache aarch64-linux-gnu-gcc"); od=aarch64-linux-gnu-objdump ;;
	*) die "fastpath: x86_64 or arm64" ;;
	esac
	bdir=$WORK/bisect/.work/build/fastpath-$arch
	mkdir -p "$bdir"
	for tag in base top; do
		rev=$([ $tag = base ] && base_rev || kgit rev-parse HEAD)
		git -C "$WT" checkout -q --detach -f "$rev"
		cat "$KTREE/kernel/dma/.kunitconfig" "$TOP/configs/common.config" \
		    "$TOP/configs/$arch.config" >"$bdir/.config"
		echo CONFIG_JUMP_LABEL=y >>"$bdir/.config"
		make -C "$WT" O="$bdir" "${mk[@]}" olddefconfig >/dev/null
		make -C "$WT" O="$bdir" "${mk[@]}" -j"$(nproc)" kernel/dma/mapping.o >/dev/null
		$od -d --no-show-raw-insn -r "$bdir/kernel/dma/mapping.o" |
			awk '/<dma_map_page_attrs>:/ { f = 1 } f && /^$/ { exit } f' \
			>"$out/$arch-$tag.s"
		echo "$arch $tag: dma_map_page_attrs() has $(grep -c '^ ' "$out/$arch-$tag.s") instructions ($out/$arch-$tag.s)"
	done
done
