#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel of one arch with kunit.py and run the KUnit suites
# of kernel/dma under QEMU, once per kernel command line they need.  The
# same kernel is booted later by scripts/boot.sh.
#
#   scripts/kunit.sh ARCH		run and record results
#   scripts/kunit.sh ARCH build	build only
set -eu
. "$(dirname "$0")/lib.sh"

arch=$1
mode=${2:-run}
bdir=$WORK/build/$arch
mkdir -p "$WORK/build" "$WORK/logs"

case $arch in
x86_64)
	kargs=(--arch=x86_64 --make_options="CC=ccache gcc")
	force_arg="swiotlb=16384,force"
	;;
arm64)
	kargs=(--arch=arm64 --cross_compile=aarch64-linux-gnu-
	       --make_options="CC=ccache aarch64-linux-gnu-gcc")
	# All RAM is below 4 GiB: without a size the pool shrinks to ~1 MiB.
	force_arg="swiotlb=16384,force"
	;;
*) die "unknown arch $arch" ;;
esac
kargs+=(--build_dir="$bdir"
	--kunitconfig="$KTREE/kernel/dma/.kunitconfig"
	--kunitconfig="$TOP/configs/common.config"
	--kunitconfig="$TOP/configs/$arch.config")

kunit() { (cd "$KTREE" && python3 tools/testing/kunit/kunit.py "$@"); }

# Forget earlier results of this arch (make test starts from an empty file).
[ -f "$RESULTS" ] && sed -i "\\# kunit/$arch/#d" "$RESULTS"

log "kunit: building the $arch test kernel"
if ! kunit config "${kargs[@]}" >"$WORK/logs/kunit-$arch-build.log" 2>&1 ||
   ! kunit build "${kargs[@]}" --jobs="$(nproc)" >>"$WORK/logs/kunit-$arch-build.log" 2>&1; then
	tail -40 "$WORK/logs/kunit-$arch-build.log" >&2
	[ "$mode" = build ] && exit 1
	result FAIL "kunit/$arch/build"
	exit 0
fi
[ "$mode" = build ] && exit 0

# One boot per command line: NAME GLOB KERNEL_ARGS...
runs=(
	"default|dma-mapping-[dkc]*|"
	"forced|dma-mapping-forced|$force_arg"
)
for r in "${runs[@]}"; do
	IFS='|' read -r name glob args <<<"$r"
	json=$WORK/logs/kunit-$arch-$name.json
	logf=$WORK/logs/kunit-$arch-$name.log
	rm -f "$json"
	log "kunit: $arch, $name boot ($glob${args:+, $args})"
	rc=0
	kunit exec "${kargs[@]}" --timeout=300 --json="$json" \
		${args:+--kernel_args="$args"} "$glob" >"$logf" 2>&1 || rc=$?
	cp "$bdir/test.log" "$WORK/logs/kunit-$arch-$name.console" 2>/dev/null || true
	python3 "$TOP/scripts/kunit_results.py" "kunit/$arch/$name" "$json" "$rc" \
		"$WORK/logs/kunit-$arch-$name.console" >>"$RESULTS" || true
	grep -E '^(PASS|FAIL|SKIP) ' "$RESULTS" | grep " kunit/$arch/$name" | sed 's/^/    /' >&2
	if grep -q "^FAIL kunit/$arch/$name" "$RESULTS"; then
		echo "--- last 50 lines of $logf:" >&2
		tail -50 "$logf" >&2
	fi
done
