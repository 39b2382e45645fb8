#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel of one arch with kunit.py and run the KUnit suites
# of kernel/dma under QEMU, once per kernel command line they need.  The
# same kernel is booted later by scripts/boot.sh.
#
#   scripts/kunit.sh ARCH		run and record results
#   scripts/kunit.sh ARCH build	build only
#
# SANITIZE=1 builds and runs a second kernel with configs/sanitize.config
# (KASAN, lockdep, atomic-sleep checks, kmemleak) in its own build
# directory; its results are kunit/ARCH-sanitize/...  KUNIT_RUNS="a b"
# picks runs by name, STRESS_ARGS passes arguments to the stress run (e.g.
# mapping_kunit.stress_mappings=1000000), KUNIT_TIMEOUT is per run.
set -eu
. "$(dirname "$0")/lib.sh"

arch=$1
mode=${2:-run}
tag=$arch
[ -z "${SANITIZE-}" ] || tag=$arch-sanitize
bdir=$WORK/build/$tag
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
[ -z "${SANITIZE-}" ] || kargs+=(--kunitconfig="$TOP/configs/sanitize.config")

kunit() { (cd "$KTREE" && python3 tools/testing/kunit/kunit.py "$@"); }

# Forget earlier results of this arch (make test starts from an empty file).
[ -f "$RESULTS" ] && sed -i "\\# kunit/$tag/#d" "$RESULTS"

log "kunit: building the $tag test kernel"
if ! kunit config "${kargs[@]}" >"$WORK/logs/kunit-$tag-build.log" 2>&1 ||
   ! kunit build "${kargs[@]}" --jobs="$(nproc)" >>"$WORK/logs/kunit-$tag-build.log" 2>&1; then
	tail -40 "$WORK/logs/kunit-$tag-build.log" >&2
	[ "$mode" = build ] && exit 1
	result FAIL "kunit/$tag/build"
	exit 0
fi
[ "$mode" = build ] && exit 0

# One boot per command line: NAME GLOB KERNEL_ARGS...
# name|suites|kernel arguments|QEMU arguments|console lines the run expects
# The misuse suite provokes reports of the DMA API debug layer and swiotlb
# on purpose (its cases check that they are made); the stress suite wants
# two CPUs.  Any other warning in a console fails the run.
runs=(
	"default|dma-mapping-[dkc]*|||"
	"misuse|dma-mapping-misuse|||$TOP/scripts/console-expected-misuse.ere"
	"stress|dma-mapping-stress|${STRESS_ARGS-}|-smp 2|"
	"forced|dma-mapping-forced|$force_arg||"
)
[ -z "${KUNIT_RUNS-}" ] || mapfile -t runs < <(printf '%s\n' "${runs[@]}" | grep -E "^(${KUNIT_RUNS// /|})\|")
for r in "${runs[@]}"; do
	IFS='|' read -r name glob args qargs expected <<<"$r"
	json=$WORK/logs/kunit-$tag-$name.json
	logf=$WORK/logs/kunit-$tag-$name.log
	rm -f "$json"
	log "kunit: $tag, $name boot ($glob${args:+, $args})"
	rc=0
	kunit exec "${kargs[@]}" --timeout="${KUNIT_TIMEOUT:-300}" --json="$json" \
		${args:+--kernel_args="$args"} ${qargs:+--qemu_args="$qargs"} \
		"$glob" >"$logf" 2>&1 || rc=$?
	cp "$bdir/test.log" "$WORK/logs/kunit-$tag-$name.console" 2>/dev/null || true
	python3 "$TOP/scripts/kunit_results.py" "kunit/$tag/$name" "$json" "$rc" \
		"$WORK/logs/kunit-$tag-$name.console" $expected >>"$RESULTS" || true
	grep -E '^(PASS|FAIL|SKIP) ' "$RESULTS" | grep " kunit/$tag/$name" | sed 's/^/    /' >&2
	if grep -q "^FAIL kunit/$tag/$name" "$RESULTS"; then
		echo "--- last 50 lines of $logf:" >&2
		tail -50 "$logf" >&2
	fi
done
