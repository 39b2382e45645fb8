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
#   arm64-cc-emulate      the emulated CC guest (cc_emulate=share): one disk
#                         behind a restricted-dma-pool, one bouncing through
#                         the shared default pool, one trusted (T=1) disk;
#                         the sharing checker watches every DMA address.
#   arm64-cc-emulate-bad-params  cc_emulate= with an unknown option and with
#                         a trusted device that does not exist: clear
#                         messages, and the guest still boots and works.
#
# A guest passes when the guest reports each disk's data verified, each disk
# image verifies on the host after QEMU exits, the pools that must carry the
# I/O have a non-zero high-water mark, bounces of the expected reason and
# memory of the expected kind (debugfs io_tlb_pools: shared or private),
# pools that must not carry I/O have none, the sharing checker (if the guest
# has it) found no violation, and the console is free of warnings.
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

# rdma_dtb NAME QEMU ARGS...: dump QEMU's device tree for the given machine
# arguments and add a restricted-dma-pool that the first virtio-mmio slot
# uses.
rdma_dtb() {
	local dtb=$WORK/guests/$1.dtb
	shift
	"$@" -M virt,dumpdtb="$dtb.base" >/dev/null 2>&1 || return 1
	dtc -q -I dtb -O dts -o "$dtb.dts" "$dtb.base" || return 1
	python3 - "$dtb.dts" <<-'PY' || return 1
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

# Did the guest count bounces for REASON in pool NAME?
pool_bounced() {
	awk -v p="$1" -v r="$2" '$1 == "CCDMA" && $2 == "bounces=" p {
		for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == r && a[2] + 0 > 0) f = 1 } }
		END { exit !f }' "$3"
}

# The sharing checker's line: checked > 0 and no violation.
# The emulated platform saw no page go back to the allocator while shared.
none_freed_shared() {
	awk '$1 == "CCDMA" && $2 == "cc" && $4 == "freed_shared=0" { f = 1 }
		END { exit !f }' "$1"
}

checker_clean() {
	awk '$1 == "CCDMA" && $2 == "check" {
		split($3, c, "="); split($4, v, "=")
		if (c[2] + 0 > 0 && v[2] == "0") f = 1 }
		END { exit !f }' "$1"
}

# run_guest NAME ARCH "KERNEL ARGS" "DISKS" -- QEMU ARGS...
# Boots the guest with one fresh 8 MiB image per disk label in DISKS (QEMU
# drive id = label) and checks what every guest must show: no timeout, the
# end marker, a clean console, and each disk's data verified in the guest
# and on the host.  The caller adds its own checks with check() and ends
# with end_guest.
run_guest() {
	local arch=$2 append=$3 disks=$4 kernel initrd d img
	local drives=()
	G_NAME=$1 G_OK=1 G_RC=0
	shift 5
	G_CONSOLE=$WORK/logs/boot-$G_NAME.console
	# BOOT_BUILD_SUFFIX=-sanitize boots the sanitizer kernel (make stress).
	case $arch in
	x86_64) kernel=$WORK/build/x86_64${BOOT_BUILD_SUFFIX-}/arch/x86/boot/bzImage ;;
	arm64) kernel=$WORK/build/arm64${BOOT_BUILD_SUFFIX-}/arch/arm64/boot/Image.gz ;;
	esac
	if [ ! -f "$kernel" ]; then
		result FAIL "boot/$G_NAME/kernel (no $kernel: the kernel build failed)"
		return 1
	fi
	if ! initrd=$(initramfs "$arch"); then
		result FAIL "boot/$G_NAME/initramfs (guest/init.c does not build)"
		return 1
	fi
	for d in $disks; do
		img=$WORK/guests/$G_NAME-$d.img
		rm -f "$img"
		truncate -s 8M "$img"
		drives+=(-drive "file=$img,if=none,format=raw,id=$d,cache=none")
	done
	log "boot: $G_NAME"
	# shellcheck disable=SC2086
	timeout -k 5 "$TIMEOUT" "$@" ${BOOT_QEMU_EXTRA:-} -kernel "$kernel" -initrd "$initrd" \
		-append "kunit.enable=0 panic=-1 $append" "${drives[@]}" \
		</dev/null >"$G_CONSOLE" 2>&1 || G_RC=$?
	tr -d '\r' <"$G_CONSOLE" >"$G_CONSOLE.tmp" && mv "$G_CONSOLE.tmp" "$G_CONSOLE"
	grep '^CCDMA ' "$G_CONSOLE" | sed 's/^/    guest: /' >&2 || true

	check no-timeout test "$G_RC" != 124 -a "$G_RC" != 137
	check reached-end grep -q '^CCDMA done' "$G_CONSOLE"
	check console-clean not grep -Eq -f "$TOP/scripts/console-errors.ere" "$G_CONSOLE"
	for d in $disks; do
		check "$d/data-verified-in-guest" grep -Eq \
			"^CCDMA disk=$d written=4194304 verified=4194304 errors=0\$" "$G_CONSOLE"
		check "$d/data-verified-on-host" python3 "$TOP/scripts/check_disk.py" \
			"$WORK/guests/$G_NAME-$d.img" "$d"
	done
}

check() { # check NAME COMMAND...: PASS if COMMAND succeeds
	local what=$1
	shift
	if "$@"; then
		result PASS "boot/$G_NAME/$what"
	else
		result FAIL "boot/$G_NAME/$what"
		G_OK=0
	fi
}

# check_pool POOL KIND: POOL carried I/O and all its memory is of KIND.
check_pool() {
	check "pool-$1-used" pool_used "$1" "$G_CONSOLE"
	check "pool-$1-$2" pool_kind "$1" "$2" "$G_CONSOLE"
}

end_guest() {
	if [ "$G_OK" = 0 ]; then
		echo "--- last 50 console lines of $G_NAME (qemu exit $G_RC):" >&2
		tail -50 "$G_CONSOLE" >&2
	fi
}

guest_x86_64_swiotlb_force() {
	# Not a CC guest: the default pool is never converted, so it is
	# private, and it still serves every device.
	run_guest x86_64-swiotlb-force x86_64 "console=ttyS0 swiotlb=16384,force" vda -- \
		qemu-system-x86_64 -nodefaults -m 1024 -bios qboot.rom \
		-display none -serial stdio -no-reboot \
		-device virtio-blk-pci,drive=vda,disable-legacy=on,iommu_platform=on \
		-device virtio-rng-pci,disable-legacy=on,iommu_platform=on || return 0
	check_pool swiotlb private
	check pool-swiotlb-forced-bounces pool_bounced swiotlb forced "$G_CONSOLE"
	end_guest
}

guest_arm64_pkvm_rdma() {
	local qemu=(qemu-system-aarch64 -cpu max,pauth-impdef=on -m 512 -nodefaults
		-display none -serial stdio -no-reboot
		-global virtio-mmio.force-legacy=false
		-device virtio-blk-device,drive=vda,iommu_platform=on
		-device virtio-rng-device,iommu_platform=on)
	local dtb
	# dumpdtb needs the same devices, but not the drive's backing file.
	if ! dtb=$(rdma_dtb arm64-pkvm-rdma "${qemu[@]}" -drive "file=/dev/null,if=none,format=raw,id=vda"); then
		result FAIL "boot/arm64-pkvm-rdma/device-tree (could not add the restricted-dma-pool)"
		return
	fi
	# The restricted pool is shared whenever sharing succeeds, even on a
	# platform that does not report memory encryption (the pKVM case).
	run_guest arm64-pkvm-rdma arm64 "console=ttyAMA0" vda -- \
		"${qemu[@]}" -M virt -dtb "$dtb" || return 0
	check_pool restricted-dma@5f000000 shared
	check pool-swiotlb-unused not pool_used swiotlb "$G_CONSOLE"
	end_guest
}

# The emulated CC guest (cc_emulate=share): three virtio-blk disks over
# virtio-mmio, named by their serial numbers.  "rdma" (first on the command
# line: the top slot, a003e00) is bound to a restricted-dma-pool as under
# pKVM; "swiotlb" (a003c00) has none and bounces through the default pool,
# which the guest shares; "trusted" (a003a00) is accepted into the trust
# boundary (T=1) and maps in place.  The sharing checker must have checked
# DMA addresses and found no violation.
guest_arm64_cc_emulate() {
	local qemu=(qemu-system-aarch64 -cpu max,pauth-impdef=on -m 512 -nodefaults
		-display none -serial stdio -no-reboot
		-global virtio-mmio.force-legacy=false
		-device virtio-blk-device,drive=rdma,serial=rdma,iommu_platform=on
		-device virtio-blk-device,drive=swiotlb,serial=swiotlb,iommu_platform=on
		-device virtio-blk-device,drive=trusted,serial=trusted,iommu_platform=on)
	local dtb d nodisks=()
	for d in rdma swiotlb trusted; do
		nodisks+=(-drive "if=none,driver=null-co,id=$d")
	done
	if ! dtb=$(rdma_dtb arm64-cc-emulate "${qemu[@]}" "${nodisks[@]}"); then
		result FAIL "boot/arm64-cc-emulate/device-tree (could not add the restricted-dma-pool)"
		return
	fi
	run_guest arm64-cc-emulate arm64 \
		"console=ttyAMA0 cc_emulate=share,t1=a003a00.virtio_mmio" \
		"rdma swiotlb trusted" -- "${qemu[@]}" -M virt -dtb "$dtb" || return 0
	check emulated grep -q 'cc_emulate: emulating a confidential computing guest' "$G_CONSOLE"
	check trusted-device-t1 grep -q 'a003a00.virtio_mmio: DMA: now inside the trust boundary' "$G_CONSOLE"
	check_pool restricted-dma@5f000000 shared
	check pool-restricted-forced-bounces pool_bounced restricted-dma@5f000000 forced "$G_CONSOLE"
	check_pool swiotlb shared
	check pool-swiotlb-cc-private-bounces pool_bounced swiotlb cc-private "$G_CONSOLE"
	check checker-no-violation checker_clean "$G_CONSOLE"
	check no-page-freed-while-shared none_freed_shared "$G_CONSOLE"
	end_guest
}

# Bad cc_emulate= values: a clear message each, and a guest that still
# boots and does its I/O.  An unknown option disables the emulation; a
# trusted device that never appears is named at the end of boot.
guest_arm64_cc_emulate_bad_params() {
	local qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -m 512
		-nodefaults -display none -serial stdio -no-reboot
		-global virtio-mmio.force-legacy=false
		-device virtio-blk-device,drive=vda,iommu_platform=on)
	run_guest arm64-cc-emulate-bad-option arm64 "console=ttyAMA0 cc_emulate=share,bogus" vda -- \
		"${qemu[@]}" || return 0
	check message grep -q "cc_emulate: unknown option 'bogus'" "$G_CONSOLE"
	check not-emulating grep -q 'cc_emulate: not emulating' "$G_CONSOLE"
	end_guest
	run_guest arm64-cc-emulate-no-such-t1 arm64 "console=ttyAMA0 cc_emulate=share,t1=nosuch.virtio_mmio" vda -- \
		"${qemu[@]}" || return 0
	check message grep -q "cc_emulate: no device named 'nosuch.virtio_mmio' to make trusted" "$G_CONSOLE"
	check emulated grep -q 'cc_emulate: emulating a confidential computing guest' "$G_CONSOLE"
	check checker-no-violation checker_clean "$G_CONSOLE"
	end_guest
}

for g in "$@"; do
	"guest_${g//-/_}"
done
