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
#   arm64-cc-emulate      an emulated pKVM protected guest (cc_emulate=pkvm,
#                         series 05-debug on): vda behind a restricted-dma-pool,
#                         vdb outside the trust boundary (T=0, bounced through
#                         the shared default swiotlb pool), vdc accepted into
#                         it (T=1, mapped in place); the sharing checker must
#                         find nothing and no page may be freed while shared.
# All guests also drive debugfs dma-cc/accept (CONFIG_DMA_CC_ACCEPT_DEBUG)
# on the transport device of their virtio-rng: a PCI device on x86_64, a
# platform device on arm64.
#
# A guest passes when it reports each disk's data verified, each disk
# image verifies on the host after QEMU exits, the pool that must carry the
# I/O has a non-zero high-water mark (debugfs io_tlb_used_hiwater, which
# 7.3 keeps only with swiotlb=...,track_hiwater), a pool
# that must not carry I/O has none, and the console is free of warnings.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TIMEOUT=${BOOT_TIMEOUT:-240}
mkdir -p "$WORK/guests" "$WORK/logs"

# The guests' initramfs: guest/init.c, static, as /init.  Prints its
# path; fails (with the compiler's message) when init.c does not build.
initramfs() {
	local arch=$1 cc out=$WORK/guests/initramfs-$1.cpio st rc=0
	case $arch in
	x86_64) cc=gcc ;;
	arm64) cc=aarch64-linux-gnu-gcc ;;
	*) die "no guest compiler for $arch" ;;
	esac
	st=$(mktemp -d)
	mkdir -p "$st/dev" "$st/proc" "$st/sys"
	if ! "$cc" -static -O2 -Wall -Werror -o "$st/init" "$TOP/guest/init.c" >&2 ||
	   ! mknod -m 600 "$st/dev/console" c 5 1 ||
	   ! (cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.tmp"; then
		rc=1
	fi
	rm -rf "$st"
	if [ $rc != 0 ]; then
		rm -f "$out.tmp"
		return 1
	fi
	mv "$out.tmp" "$out"
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
	# BOOT_BUILD_SUFFIX=-sanitize boots the sanitizer kernel (SANITIZE=1 scripts/kunit.sh).
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

# The guest drove debugfs dma-cc/accept on the transport device (on BUS) of
# its virtio-rng: EBUSY while a driver was bound, accepted and listed once
# unbound, back to T=0 and unlisted, bound again; a short line, an unknown
# bus, an unknown device and a bad state refused.
accepted() { # accepted BUS CONSOLE
	grep -qx "CCDMA accept bus=$1 busy=EBUSY unbound=0 listed=1 back=0 listed=0 rebound=0 bad=EINVAL,EINVAL,ENODEV,EINVAL" "$2"
}

# The stress cases mapped (or found the pool full) as often as their
# threads were told to, TOTAL times or more together.
stress_made() { # stress_made TOTAL CONSOLE
	awk -v total="$1" '
		/# dma_stress: [0-9]+ threads, [0-9]+ mappings each: / {
			sub(/.*# dma_stress: /, "")
			want = $1 * $3
			done = $6 + $8
			printf "    stress case %d: %d of %d mappings\n", ++n, done, want > "/dev/stderr"
			if (done != want) bad = 1
			sum += done
		}
		END { printf "    stress: %d mappings in %d cases\n", sum, n > "/dev/stderr"
		      exit bad || n != 6 || sum < total }' "$2"
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

end_guest() {
	if [ "$G_OK" = 0 ]; then
		echo "--- last 50 console lines of $G_NAME (qemu exit $G_RC):" >&2
		tail -50 "$G_CONSOLE" >&2
	fi
}

guest_x86_64_swiotlb_force() {
	# Not a CC guest: swiotlb=force sends every mapping through the
	# default pool.
	run_guest x86_64-swiotlb-force x86_64 "console=ttyS0 swiotlb=16384,force,track_hiwater" vda -- \
		qemu-system-x86_64 -nodefaults -m 1024 -bios qboot.rom \
		-display none -serial stdio -no-reboot \
		-device virtio-blk-pci,drive=vda,disable-legacy=on,iommu_platform=on \
		-device virtio-rng-pci,disable-legacy=on,iommu_platform=on || return 0
	check pool-swiotlb-used pool_used swiotlb "$G_CONSOLE"
	check dma-cc-accept accepted pci "$G_CONSOLE"
	end_guest
}

guest_arm64_pkvm_rdma() {
	# shellcheck disable=SC2054 # QEMU's own commas
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
	# The disk's I/O goes through its restricted pool, never through
	# the default one.
	run_guest arm64-pkvm-rdma arm64 "console=ttyAMA0 swiotlb=track_hiwater" vda -- \
		"${qemu[@]}" -M virt -dtb "$dtb" || return 0
	check pool-restricted-dma@5f000000-used pool_used restricted-dma@5f000000 "$G_CONSOLE"
	check pool-swiotlb-unused not pool_used swiotlb "$G_CONSOLE"
	check dma-cc-accept accepted platform "$G_CONSOLE"
	end_guest
}

guest_arm64_cc_emulate() {
	# Slots of the virt machine are handed out from the top, in the
	# order of the command line: vda a003e00 (the restricted pool's),
	# vdb a003c00, vdc a003a00, the rng a003800.
	# shellcheck disable=SC2054 # QEMU's own commas
	local qemu=(qemu-system-aarch64 -cpu max,pauth-impdef=on -m 512 -nodefaults
		-display none -serial stdio -no-reboot
		-global virtio-mmio.force-legacy=false
		-device virtio-blk-device,drive=vda,serial=vda,iommu_platform=on
		-device virtio-blk-device,drive=vdb,serial=vdb,iommu_platform=on
		-device virtio-blk-device,drive=vdc,serial=vdc,iommu_platform=on
		-device virtio-rng-device,iommu_platform=on)
	local dtb d nodisk=()
	for d in vda vdb vdc; do
		nodisk+=(-drive "file=/dev/null,if=none,format=raw,id=$d,file.locking=off")
	done
	if ! dtb=$(rdma_dtb arm64-cc-emulate "${qemu[@]}" "${nodisk[@]}"); then
		result FAIL "boot/arm64-cc-emulate/device-tree (could not add the restricted-dma-pool)"
		return
	fi
	# From series 5 on, the KUnit stress suite runs first, on the emulated
	# platform: its conversions are recorded and its addresses checked,
	# and the counts the guest prints at the end include them.
	# make stress sets STRESS_MAPPINGS (a thread's mappings a case) and
	# STRESS_TOTAL (the mappings all cases must make together).
	local stress=
	if [ -f "$KTREE/kernel/dma/stress_kunit.c" ]; then
		stress="kunit.enable=1 kunit.filter_glob=dma-mapping-stress"
		[ -z "${STRESS_MAPPINGS-}" ] ||
			stress="$stress swiotlb.dma_stress_mappings=$STRESS_MAPPINGS"
	fi
	run_guest arm64-cc-emulate arm64 \
		"console=ttyAMA0 swiotlb=track_hiwater cc_emulate=pkvm,t1=a003a00.virtio_mmio $stress" \
		"vda vdb vdc" -- "${qemu[@]}" -M virt -dtb "$dtb" || return 0
	if [ -n "$stress" ]; then
		check stress-suite-passed grep -Eq '(^|\] )ok 1 dma-mapping-stress$' "$G_CONSOLE"
		check stress-6-cases-passed test "$(grep -Ec '(^|\] ) +ok [1-6] T=[01], [^#]*$' "$G_CONSOLE")" = 6
		check stress-conversions-failed grep -Eq \
			'# dma_stress: .* [1-9][0-9]* conversions failed$' "$G_CONSOLE"
		[ -z "${STRESS_TOTAL-}" ] ||
			check "stress-$STRESS_TOTAL-mappings" stress_made "$STRESS_TOTAL" "$G_CONSOLE"
	fi
	check emulated grep -q 'cc_emulate: emulating a pKVM protected guest' "$G_CONSOLE"
	check vdc-trusted grep -qx 'CCDMA trusted=platform a003a00.virtio_mmio' "$G_CONSOLE"
	check pool-restricted-dma@5f000000-used pool_used restricted-dma@5f000000 "$G_CONSOLE"
	check pool-swiotlb-used pool_used swiotlb "$G_CONSOLE"
	# repeated: conversions of a page to the state it had, such as
	# sharing a page that was freed while shared and allocated again.
	check no-violations-no-page-freed-shared grep -Eqx \
		'CCDMA cc violations=0 freed_shared=0 shared_pages=[1-9][0-9]* repeated=0' \
		"$G_CONSOLE"
	check dma-cc-accept accepted platform "$G_CONSOLE"
	end_guest
}

for g in "$@"; do
	declare -F "guest_${g//-/_}" >/dev/null || die "no guest $g"
	"guest_${g//-/_}"
done
