#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel of one arch with kunit.py and run the DMA KUnit
# suites under QEMU, once per kernel command line they need.  The same
# kernel is booted later by scripts/boot.sh.
#
#   scripts/kunit.sh ARCH		build, run, record results
#   scripts/kunit.sh ARCH build	build only
#
# Configuration: kernel/dma/.kunitconfig when the tree has one, then
# configs/common.config and configs/ARCH.config (SANITIZE=1 adds
# configs/sanitize.config and builds in a directory of its own; results
# are then kunit/ARCH-sanitize/...).  Every symbol they ask for must be in
# the final .config.
#
# Boots:
#   default  every suite named dma-mapping* but dma-mapping-forced*
#   forced   dma-mapping-forced*, with swiotlb=16384,force
# The suites are listed from the kernel first (kunit.py --list_suites); a
# boot whose suites the tree does not have is a SKIP with that reason.
# KUNIT_TIMEOUT is per boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$1
mode=${2:-run}
tag=$arch
[ -z "${SANITIZE-}" ] || tag=$arch-sanitize
bdir=$WORK/build/$tag
mkdir -p "$WORK/build" "$WORK/logs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

toolchain "$arch"
extra=()
[ -z "${SANITIZE-}" ] || extra=("$TOP/configs/sanitize.config")
mapfile -t frags < <(test_fragments "$KTREE" "$arch" "${extra[@]}")
kargs=(--arch="$arch" --build_dir="$bdir")
for v in "${KMAKE[@]}"; do
	kargs+=(--make_options="$v")
done
for f in "${frags[@]}"; do
	kargs+=(--kunitconfig="$f")
done
# arm64: a PCI device behind an IOMMU, with no driver, for the dma-iommu
# rows of dma-mapping-decisions.  x86_64 has none: its IOMMUs are
# described by ACPI, which the test kernel leaves out.
[ "$arch" != arm64 ] ||
	kargs+=(--qemu_args="-device virtio-iommu-pci -device pci-testdev")

KUNITPY=$KTREE/tools/testing/kunit/kunit.py
# kunit.py starts QEMU with -accel kvm first; scripts/qemu-tcg runs it
# under TCG only (nested KVM can hang the test kernel).
qbin=$WORK/qemu-bin
mkdir -p "$qbin"
ln -sf "$TOP/scripts/qemu-tcg" "$qbin/qemu-system-x86_64"
ln -sf "$TOP/scripts/qemu-tcg" "$qbin/qemu-system-aarch64"
kunit() { PATH=$qbin:$PATH python3 "$KUNITPY" "$@" </dev/null; }

# Forget earlier results of this arch (make test starts from an empty file).
[ ! -f "$RESULTS" ] || sed -i "\\# kunit/$tag/#d" "$RESULTS"

blog=$WORK/logs/kunit-$tag-build.log
log "kunit: building the $tag test kernel"
ok=1
locked python3 "$KUNITPY" config "${kargs[@]}" >"$blog" 2>&1 </dev/null || ok=0
missing=$(config_missing "$bdir/.config" "${frags[@]}" 2>/dev/null || true)
if [ -n "$missing" ]; then
	printf '    config: %s\n' "$missing" >&2
	[ "$mode" = build ] && exit 1
	result FAIL "kunit/$tag/config (requested but not in .config: $(echo "$missing" | cut -d' ' -f1 | paste -sd ' ' -))"
	exit 0
fi
if [ $ok = 0 ] || ! locked python3 "$KUNITPY" build \
		"${kargs[@]}" --jobs="$(nproc)" >>"$blog" 2>&1 </dev/null; then
	tail -40 "$blog" >&2
	[ "$mode" = build ] && exit 1
	result FAIL "kunit/$tag/build"
	exit 0
fi
[ "$mode" = run ] || exit 0

# Suites of the kernel, one a line.
if ! kunit exec "${kargs[@]}" --timeout="${KUNIT_TIMEOUT:-300}" --list_suites \
		'dma-mapping*' >"$tmp/list" 2>"$WORK/logs/kunit-$tag-list.log"; then
	cat "$tmp/list" >>"$WORK/logs/kunit-$tag-list.log"
	tail -20 "$WORK/logs/kunit-$tag-list.log" >&2
	result FAIL "kunit/$tag/list-suites (the kernel did not list its suites)"
	exit 0
fi
grep -E '^dma-mapping[^[:space:]]*$' "$tmp/list" | sort -u >"$tmp/suites" || true

# name|suites (ERE)|kernel arguments|what the run is, for a SKIP
runs=(
	"default|^dma-mapping|^dma-mapping-forced||dma-mapping* (but dma-mapping-forced*)"
	"forced|^dma-mapping-forced|^$|swiotlb=16384,force|dma-mapping-forced*"
)
for r in "${runs[@]}"; do
	IFS='|' read -r name want unwanted args what <<<"$r"
	grep -E "$want" "$tmp/suites" | grep -Ev "$unwanted" >"$tmp/$name" || true
	if [ ! -s "$tmp/$name" ]; then
		result SKIP "kunit/$tag/$name (no suite $what in this tree)"
		continue
	fi
	# kunit.py takes one glob a boot: the whole family when it is all
	# this run wants, else one boot per suite.
	if cmp -s "$tmp/$name" "$tmp/suites"; then
		globs=('dma-mapping*')
	else
		mapfile -t globs <"$tmp/$name"
	fi
	i=0
	for glob in "${globs[@]}"; do
		i=$((i + 1))
		prefix=kunit/$tag/$name
		[ ${#globs[@]} = 1 ] || prefix=$prefix/$glob
		stem=$WORK/logs/kunit-$tag-$name-$i
		rm -f "$stem.json"
		log "kunit: $tag, $name boot ($glob${args:+, $args})"
		rc=0
		kunit exec "${kargs[@]}" --timeout="${KUNIT_TIMEOUT:-300}" --json="$stem.json" \
			${args:+--kernel_args="$args"} "$glob" >"$stem.log" 2>&1 || rc=$?
		cp "$bdir/test.log" "$stem.console" 2>/dev/null || : >"$stem.console"
		python3 "$TOP/scripts/kunit_results.py" "$prefix" "$stem.json" "$rc" \
			"$stem.console" >"$tmp/res" || echo "FAIL $prefix (kunit_results.py failed)" >>"$tmp/res"
		cat "$tmp/res" >>"$RESULTS"
		sed 's/^/    /' "$tmp/res" >&2
		if grep -q '^FAIL ' "$tmp/res"; then
			echo "--- last 50 lines of $stem.log:" >&2
			tail -50 "$stem.log" >&2
		fi
	done
done
