#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test kernels built by scripts/kunit.sh as guests under QEMU and
# check what they did, from the host: scripts/boot.sh GUEST...
#
# Guests:
#   x86_64-swiotlb-force  virtio-blk-pci (DMA API on), swiotlb=force: all I/O
#                         bounces through the default swiotlb pool.
#   arm64-pkvm-rdma       virtio-blk over virtio-mmio bound to a
#                         restricted-dma-pool in the device tree, the way the
#                         VMM sets up pKVM protected guests.
#
# A guest passes when the guest reports its data verified, the disk image
# verifies on the host after QEMU exits, the pool that must carry the I/O
# has a non-zero high-water mark and all its memory is of the expected kind
# (debugfs io_tlb_pools: shared or private), on arm64 the default swiotlb
# pool has no use (the I/O went through the restricted pool), and the
# console is free of warnings.
set -eu
. "$(dirname "$0")/lib.sh"

TIMEOUT=${BOOT_TIMEOUT:-240}
mkdir -p "$WORK/guests" "$WORK/logs"

initramfs() {
	local arch=$1 cc out=$WORK/guests/initramfs-$1.cpio st
	case $arch in
	x86_64) cc=gcc ;;
	arm64) cc=aarch64-linux-gnu-gcc ;;
	esac
	st=$(mktemp -d)
	mkdir -p "$st/dev" "$st/proc" "$st/sys"
	$cc -static -O2 -Wall -Werror -o "$st/init" "$TOP/guest/init.c"
	mknod -m 600 "$st/dev/console" c 5 1
	(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out"
	rm -rf "$st"
	echo "$out"
}

# Dump QEMU's device tree for the given machine arguments and add a
# restricted-dma-pool that the first virtio-mmio slot uses.
rdma_dtb() {
	local dtb=$WORK/guests/arm64-rdma.dtb
	"$@" -M virt,dumpdtb="$dtb.base" >/dev/null 2>&1
	dtc -q -I dtb -O dts -o "$dtb.dts" "$dtb.base"
	python3 - "$dtb.dts" <<-'PY'
	import re, sys
	p = sys.argv[1]
	s = open(p).read()
	pool = '''
		reserved-memory {
			#address-cells = <0x02>;
			#size-cells = <0x02>;
			ranges;

			rdma: restricted-dma@5f000000 {
				compatible = "restricted-dma-pool";
				reg = <0x00 0x5f000000 0x00 0x1000000>;
			};
		};
	'''
	# Subnodes follow the properties: add it at the end of the root node.
	end = s.rstrip().rfind('};')
	s = s[:end] + pool.lstrip('\n') + s[end:]
	# The first virtio-mmio device on the command line gets the top slot.
	s, n = re.subn(r'(virtio_mmio@a003e00 \{)', r'\1\n\t\tmemory-region = <&rdma>;', s)
	assert n == 1, 'no virtio_mmio@a003e00 node'
	open(p, 'w').write(s)
	PY
	dtc -q -I dts -O dtb -o "$dtb" "$dtb.dts"
	echo "$dtb"
}

not() { ! "$@"; }

# Did the guest report a non-zero high-water mark for pool NAME?
pool_used() {
	awk -v p="$1" '$1 == "CCDMA" && $2 == "pool=" p {
		for (i = 3; i <= NF; i++) if ($i ~ /^hiwater=/) { split($i, a, "="); if (a[2] + 0 > 0) f = 1 } }
		END { exit !f }' "$2"
}

# Are all memory pools of allocator NAME of KIND (shared/private), and is
# there at least one?
pool_kind() {
	awk -v p="$1" -v k="$2" '$1 == "CCDMA" && $2 == "poolmem=" p {
		n++; if ($4 != k) bad = 1 }
		END { exit !(n > 0 && !bad) }' "$3"
}

# run_guest NAME ARCH "KERNEL ARGS" POOL=KIND [UNUSED-POOL] -- QEMU ARGS...
# POOL must carry the guest's I/O and all its memory must be of KIND;
# UNUSED-POOL, if given, must carry none.
run_guest() {
	local name=$1 arch=$2 append=$3 pool=${4%=*} kind=${4##*=} unused=
	local kernel initrd img console rc
	shift 4
	[ "$1" = -- ] || { unused=$1; shift; }
	shift
	console=$WORK/logs/boot-$name.console
	img=$WORK/guests/$name-vda.img
	case $arch in
	x86_64) kernel=$WORK/build/x86_64/arch/x86/boot/bzImage ;;
	arm64) kernel=$WORK/build/arm64/arch/arm64/boot/Image.gz ;;
	esac
	if [ ! -f "$kernel" ]; then
		result FAIL "boot/$name/kernel (no $kernel: the kernel build failed)"
		return
	fi
	if ! initrd=$(initramfs "$arch"); then
		result FAIL "boot/$name/initramfs (guest/init.c does not build)"
		return
	fi
	rm -f "$img"
	truncate -s 8M "$img"
	log "boot: $name"
	rc=0
	# shellcheck disable=SC2086
	timeout -k 5 "$TIMEOUT" "$@" ${BOOT_QEMU_EXTRA:-} -kernel "$kernel" -initrd "$initrd" \
		-append "kunit.enable=0 panic=-1 $append" \
		-drive "file=$img,if=none,format=raw,id=vda,cache=none" \
		</dev/null >"$console" 2>&1 || rc=$?
	tr -d '\r' <"$console" >"$console.tmp" && mv "$console.tmp" "$console"
	grep '^CCDMA ' "$console" | sed 's/^/    guest: /' >&2 || true

	local ok=1
	check() { # check NAME COMMAND...: PASS if COMMAND succeeds
		local what=$1
		shift
		if "$@"; then
			result PASS "boot/$name/$what"
		else
			result FAIL "boot/$name/$what"
			ok=0
		fi
	}
	check no-timeout test "$rc" != 124 -a "$rc" != 137
	check reached-end grep -q '^CCDMA done' "$console"
	check console-clean not grep -Eq -f "$TOP/scripts/console-errors.ere" "$console"
	check data-verified-in-guest grep -Eq \
		'^CCDMA disk=vda written=4194304 verified=4194304 errors=0$' "$console"
	check data-verified-on-host python3 "$TOP/scripts/check_disk.py" "$img" vda
	check "pool-$pool-used" pool_used "$pool" "$console"
	check "pool-$pool-$kind" pool_kind "$pool" "$kind" "$console"
	[ -z "$unused" ] || check "pool-$unused-unused" not pool_used "$unused" "$console"
	if [ $ok = 0 ]; then
		echo "--- last 50 console lines of $name (qemu exit $rc):" >&2
		tail -50 "$console" >&2
	fi
}

guest_x86_64_swiotlb_force() {
	# Not a CC guest: the default pool is never converted, so it is
	# private, and it still serves every device.
	run_guest x86_64-swiotlb-force x86_64 "console=ttyS0 swiotlb=16384,force" swiotlb=private -- \
		qemu-system-x86_64 -nodefaults -m 1024 -bios qboot.rom \
		-display none -serial stdio -no-reboot \
		-device virtio-blk-pci,drive=vda,disable-legacy=on,iommu_platform=on \
		-device virtio-rng-pci,disable-legacy=on,iommu_platform=on
}

guest_arm64_pkvm_rdma() {
	local qemu=(qemu-system-aarch64 -cpu max,pauth-impdef=on -m 512 -nodefaults
		-display none -serial stdio -no-reboot
		-global virtio-mmio.force-legacy=false
		-device virtio-blk-device,drive=vda,iommu_platform=on
		-device virtio-rng-device,iommu_platform=on)
	local dtb
	# dumpdtb needs the same devices, but not the drive's backing file.
	if ! dtb=$(rdma_dtb "${qemu[@]}" -drive "file=/dev/null,if=none,format=raw,id=vda"); then
		result FAIL "boot/arm64-pkvm-rdma/device-tree (could not add the restricted-dma-pool)"
		return
	fi
	# The restricted pool is shared whenever sharing succeeds, even on a
	# platform that does not report memory encryption (the pKVM case).
	run_guest arm64-pkvm-rdma arm64 "console=ttyAMA0" restricted-dma@5f000000=shared swiotlb -- \
		"${qemu[@]}" -M virt -dtb "$dtb"
}

for g in "$@"; do
	"guest_${g//-/_}"
done
