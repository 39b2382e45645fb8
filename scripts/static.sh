#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the series:
#   scripts/static.sh checkpatch     checkpatch.pl --strict on every patch
#   scripts/static.sh bisect ARCH    build base and then every patch in turn
#                                    with the test kernel's configuration,
#                                    and compare W=1 + sparse warnings of the
#                                    objects the series touches, base vs. top
#   scripts/static.sh coverage ARCH  build the objects the series touches at
#                                    base and every patch with
#                                    configs/ARCH-coverage.config added (Xen,
#                                    IOMMUs, SME/SEV/TDX, pKVM guest), and
#                                    compare W=1 + sparse warnings likewise
#   scripts/static.sh clang ARCH     the same objects, coverage configuration,
#                                    LLVM=1 W=1, base vs. top
#   scripts/static.sh cross ARCH     s390 or powerpc (Debian's cross gcc): the
#                                    generic and ARCH objects the series
#                                    touches that the arch's defconfig plus
#                                    configs/ARCH-cross.config enables, W=1,
#                                    base vs. top
#
# The per-patch builds run in a worktree of the kernel tree laid out like the
# project ($WORK/bisect/linux, $WORK/bisect/.work/build/ARCH) so that ccache
# hits across it and the KUnit build.
set -eu
. "$(dirname "$0")/lib.sh"

EXCEPTIONS=$TOP/checkpatch-exceptions.txt

# Patch name without its number: stable when patches are inserted.
slug() { basename "$1" .patch | sed 's/^[0-9]*-//'; }

# Does every file that patch $1 adds have maintainers other than THE REST,
# and does it move or delete nothing?
covered() {
	local f m
	grep -Eq '^ (delete mode|rename )' "$1" && return 1
	for f in $(sed -n 's/^ create mode [0-9]* //p' "$1"); do
		m=$(cd "$KTREE" && scripts/get_maintainer.pl --no-git --no-git-fallback \
			--nol --norolestats --nor -f "$f" 2>/dev/null | grep -v 'Linus Torvalds')
		[ -n "$m" ] || return 1
	done
}

checkpatch() {
	local p s out line type ok
	for p in $(series_patches); do
		s=$(slug "$p")
		out=$(cd "$KTREE" && scripts/checkpatch.pl --strict --terse --show-types \
			--no-summary "$p" 2>&1) || true
		ok=1
		while IFS= read -r line; do
			[ -n "$line" ] || continue
			type=$(sed -n 's/.*: \(ERROR\|WARNING\|CHECK\):\([A-Z_0-9]*\):.*/\1 \2/p' <<<"$line")
			case $type in
			"WARNING FILE_PATH_CHANGES")
				# Reported for every added file.  Accepted when each
				# added file already has maintainers in MAINTAINERS.
				covered "$p" && continue ;;
			CHECK\ *)
				# Allowed only if listed, with a reason.
				grep -Eq "^$s[[:space:]]+${type#CHECK }[[:space:]]+[^[:space:]]" \
					"$EXCEPTIONS" 2>/dev/null && continue ;;
			esac
			echo "    $line" >&2
			ok=0
		done <<<"$out"
		[ $ok = 1 ] && result PASS "static/checkpatch/$s" || result FAIL "static/checkpatch/$s"
	done
	# Every patch: the series author, signed off.
	for p in $(series_patches); do
		s=$(slug "$p")
		if grep -q "^From: $SERIES_NAME <$SERIES_EMAIL>$" "$p" &&
		   grep -q "^Signed-off-by: $SERIES_NAME <$SERIES_EMAIL>$" "$p"; then
			result PASS "static/signed-off/$s"
		else
			result FAIL "static/signed-off/$s (author or Signed-off-by is not $SERIES_NAME <$SERIES_EMAIL>)"
		fi
	done
}


# The test kernel's configuration: the fragments kunit.sh gives kunit.py,
# with kernel/dma/.kunitconfig taken from the top of the series for every
# commit.  Options a commit does not know yet are dropped by olddefconfig,
# so the configuration only changes where a patch adds an option, and
# kbuild (and ccache, warmed by the KUnit build) rebuild only what that
# option touches instead of most of the kernel.
write_config() { # write_config ARCH BUILD_DIR
	local f
	for f in "$KTREE/kernel/dma/.kunitconfig" "$TOP/configs/common.config" \
		 "$TOP/configs/$1.config"; do
		if [ -f "$f" ]; then cat "$f"; fi
	done >"$2/.config"
}

# Must the configuration be written again to build commit $2 in a build
# directory that last built commit $1 (empty: nothing yet)?  Only when a
# Kconfig file differs: writing it anyway makes olddefconfig and kbuild's
# syncconfig regenerate include/config and redo "prepare", which costs
# more than compiling what most patches change.
config_stale() { # config_stale PREV-COMMIT COMMIT
	[ -n "$1" ] || return 0
	kgit diff --name-only "$1" "$2" -- '*Kconfig*' | grep -q .
}

# modpost's warnings in a build log (section mismatches), without offsets.
modpost_warnings() {
	sed -n 's/^WARNING: modpost: //p' | sed -E 's/\+0x[0-9a-f]+//g' | sort -u || true
}

# The test kernel's configuration plus the coverage fragment.
write_coverage_config() { # write_coverage_config ARCH BUILD_DIR
	write_config "$1" "$2"
	cat "$TOP/configs/$1-coverage.config" >>"$2/.config"
}

# The .c files the series touches, as objects, that exist in the worktree
# and belong to ARCH (nothing under another architecture's arch/ directory).
touched_objects() { # touched_objects ARCH
	local f dir
	case $1 in x86_64) dir=arch/x86/ ;; *) dir=arch/$1/ ;; esac
	for f in $(kgit diff --name-only "$(base_rev)..HEAD" -- '*.c'); do
		# User space (tools/) is not built by kbuild.
		case $f in tools/*) continue ;; esac
		case $f in arch/*) [ "${f#"$dir"}" != "$f" ] || continue ;; esac
		# Drivers of one architecture's platforms, outside arch/.
		case $f in drivers/virt/coco/pkvm-guest/*) [ "$1" = arm64 ] || continue ;; esac
		[ -f "$WT/$f" ] && echo "${f%.c}.o"
	done
	return 0
}

coverage() {
	local arch=$1 bdir base top c n=0 name log objs fails=() nobj=0 prev= todo full=1
	WT=$WORK/bisect/linux
	bdir=$WORK/bisect/.work/build/cov-$arch
	base=$(base_rev)
	top=$(kgit rev-parse HEAD)
	[ -e "$WT/.git" ] || die "run 'static.sh bisect $arch' first"
	mkdir -p "$bdir"
	for c in $base $(kgit rev-list --reverse "$base..HEAD"); do
		name=$( [ "$c" = "$base" ] && echo base || printf '%04d-%s' "$n" \
			"$(kgit log -1 --format=%f "$c" | cut -c1-52)")
		log "static: $arch coverage build at $name"
		git -C "$WT" checkout -q --detach -f "$c"
		log=$WORK/logs/coverage-$arch-$name.log
		: >"$log"
		if config_stale "$prev" "$c"; then
			write_coverage_config "$arch" "$bdir"
			kmake "$arch" "$bdir" olddefconfig >"$log" 2>&1 || fails+=("$name")
		fi
		mapfile -t objs < <(touched_objects "$arch")
		[ "$c" = "$top" ] && nobj=${#objs[@]}
		# Only the objects that depend on what this commit changes (see
		# bisect); all of them at the base, the top, after a failure or
		# a configuration change.
		todo=("${objs[@]}")
		if [ "$full" = 0 ] && [ "$c" != "$top" ] && [ ${#objs[@]} -gt 0 ]; then
			mapfile -t todo < <(changed_objects "$prev" "$c" "$bdir" "${objs[@]}")
			[ "${todo[0]-}" != FULL ] || todo=("${objs[@]}")
		fi
		prev=$c
		full=0
		if [ ${#todo[@]} = 0 ]; then
			echo "kbuild: no object depends on the change" >>"$log"
		elif ! kmake "$arch" "$bdir" "${todo[@]}" >>"$log" 2>&1; then
			tail -20 "$log" >&2
			fails+=("$name")
			full=1
		fi
		if [ "$c" = "$base" ] || [ "$c" = "$top" ]; then
			warnings "$arch" "$bdir" "${objs[@]}" \
				>"$WORK/logs/coverage-warnings-$arch-$([ "$c" = "$base" ] && echo base || echo top)"
		fi
		n=$((n + 1))
	done
	if [ ${#fails[@]} = 0 ]; then
		result PASS "static/coverage-build/$arch ($n commits, $nobj objects)"
	else
		result FAIL "static/coverage-build/$arch (failed at: ${fails[*]})"
	fi
	no_new_warnings "static/coverage-w1-sparse/$arch" "$WORK/logs/coverage-warnings-$arch" "$nobj"
}

kmake() { # kmake ARCH BUILD_DIR TARGETS...
	local arch=$1 bdir=$2
	shift 2
	case $arch in
	x86_64) make -C "$WT" O="$bdir" ARCH=x86_64 CC="ccache gcc" -j"$(nproc)" "$@" ;;
	arm64) make -C "$WT" O="$bdir" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		CC="ccache aarch64-linux-gnu-gcc" -j"$(nproc)" "$@" ;;
	esac
}

# W=1 and sparse warnings of OBJS, one per line, without line numbers.
warnings() { # warnings ARCH BUILD_DIR OBJS...
	local arch=$1 bdir=$2
	shift 2
	[ $# -gt 0 ] || return 0
	kmake "$arch" "$bdir" W=1 C=2 "$@" 2>&1 >/dev/null | only_warnings
}

# Compiler and sparse diagnostics of a build log, without line numbers
# (which move between base and top), sorted.
only_warnings() {
	grep -E '^[^ ]+:[0-9]+:([0-9]+:)? (warning|error):' |
		sed -E 's/^([^:]+):[0-9]+:([0-9]+:)? /\1: /' | sort || true
}

# PASS if PREFIX-top holds no diagnostic that PREFIX-base lacks.
no_new_warnings() { # no_new_warnings CHECK-NAME PREFIX NR-OBJECTS
	local new
	new=$(comm -13 "$2-base" "$2-top")
	if [ -z "$new" ]; then
		result PASS "$1 ($3 objects)"
	else
		echo "$new" | sed 's/^/    new: /' >&2
		result FAIL "$1"
	fi
}

# What commit $2 changes, for a build directory that last built commit $1:
# "FULL" when kbuild must decide (a configuration, Makefile or prepare-stage
# change, or nothing built yet), else the objects to compile again (may be
# none).  Extra arguments restrict the answer to those objects.
changed_objects() { # changed_objects PREV COMMIT BUILD_DIR [OBJECTS...]
	local prev=$1 c=$2 bdir=$3
	shift 3
	if [ -z "$prev" ] || config_stale "$prev" "$c"; then
		echo FULL
		return
	fi
	kgit diff --name-only "$prev" "$c" |
		python3 "$TOP/scripts/affected.py" "$bdir" "$WT" "$@"
}

bisect() {
	local arch=$1 base bdir commits c n=0 objs=() f o name log top target prev=
	local mp todo full
	WT=$WORK/bisect/linux
	bdir=$WORK/bisect/.work/build/$arch
	base=$(base_rev)
	mkdir -p "$WORK/bisect" "$bdir" "$WORK/logs"
	if [ ! -e "$WT/.git" ]; then
		log "static: making the worktree for per-patch builds"
		kgit worktree prune
		kgit worktree add -q --detach "$WT" "$base"
	fi
	# Objects the series touches and this configuration builds.
	for f in $(kgit diff --name-only "$base..HEAD" -- '*.c'); do
		case $f in tools/*) continue ;; esac
		objs+=("${f%.c}.o")
	done
	# From the base forward, a patch at a time.  The configuration is the
	# KUnit kernel's, so the top's objects land in ccache on the way and
	# the KUnit build that follows (make test runs this stage first) is
	# served from there.
	#
	# The base is built whole (vmlinux.o, modpost).  For each patch the
	# objects whose recorded dependencies (kbuild's .cmd files) include a
	# file the patch changes are compiled as single targets: exactly what
	# make would compile, without walking the tree and relinking vmlinux.o
	# each time.  A patch that changes a Makefile, Kconfig file or what the
	# prepare stage generates is left to make (vmlinux.o and modpost).
	# The top is built and linked whole, so the image the KUnit run and
	# the guests boot has passed modpost too.
	commits="$base $(kgit rev-list --reverse "$base..HEAD")"
	top=$(kgit rev-parse HEAD)
	mp=$WORK/logs/modpost-$arch
	full=1
	for c in $commits; do
		name=$( [ "$c" = "$base" ] && echo base || printf '%04d-%s' "$n" \
			"$(kgit log -1 --format=%f "$c" | cut -c1-52)")
		log "static: $arch build at $name"
		git -C "$WT" checkout -q --detach -f "$c"
		log=$WORK/logs/bisect-$arch-$name.log
		: >"$log"
		if [ -z "$prev" ] || config_stale "$prev" "$c"; then
			write_config "$arch" "$bdir"
			kmake "$arch" "$bdir" olddefconfig >"$log" 2>&1 || true
		fi
		# After a failed build kbuild decides again.
		[ "$full" = 1 ] && todo=FULL || todo=$(changed_objects "$prev" "$c" "$bdir")
		prev=$c
		target=vmlinux_o
		[ "$c" != "$top" ] || { target=all; todo=FULL; }
		full=0
		if [ "$todo" = FULL ]; then
			echo "kbuild: make $target" >>"$log"
			kmake "$arch" "$bdir" "$target" >>"$log" 2>&1 || full=1
		elif [ -n "$todo" ]; then
			# shellcheck disable=SC2086
			echo "kbuild: the objects that depend on the change:" $todo >>"$log"
			# shellcheck disable=SC2086
			kmake "$arch" "$bdir" $todo >>"$log" 2>&1 || full=1
		else
			echo "kbuild: no object of this configuration depends on the change" >>"$log"
		fi
		if [ "$full" = 0 ]; then
			[ "$c" = "$base" ] || result PASS "static/build/$arch/$name"
		else
			tail -30 "$log" >&2
			result FAIL "static/build/$arch/$name"
		fi
		# modpost runs on vmlinux.o whenever it is relinked: no section
		# mismatch that the base does not have.
		modpost_warnings <"$log" >"$mp-now"
		if [ "$c" = "$base" ]; then
			mv "$mp-now" "$mp-base"
		elif comm -13 "$mp-base" "$mp-now" | grep -q .; then
			comm -13 "$mp-base" "$mp-now" | sed 's/^/    modpost: /' >&2
			result FAIL "static/modpost/$arch/$name"
		fi
		# Warnings at base and at the top of the series.
		if [ "$c" = "$base" ] || [ "$c" = "$top" ]; then
			local built=()
			for o in "${objs[@]}"; do
				[ -f "$bdir/$o" ] && built+=("$o")
			done
			warnings "$arch" "$bdir" "${built[@]}" >"$WORK/logs/warnings-$arch-$([ "$c" = "$base" ] && echo base || echo top)"
			# Leave the objects built without W=1 for the next step.
			kmake "$arch" "$bdir" "$target" >/dev/null 2>&1 || true
		fi
		n=$((n + 1))
	done
	no_new_warnings "static/w1-sparse/$arch" "$WORK/logs/warnings-$arch" "${#objs[@]}"
}

# clang: the objects the series touches build with LLVM=1 W=1, with no
# warning that the base does not have.  Uses the bisect worktree.
clang_check() {
	local arch=$1 bdir base c tag built
	WT=$WORK/bisect/linux
	bdir=$WORK/bisect/.work/build/clang-$arch
	base=$(base_rev)
	[ -e "$WT/.git" ] || die "run 'static.sh bisect $arch' first"
	mkdir -p "$bdir"
	for c in "$base" "$(kgit rev-parse HEAD)"; do
		tag=$([ "$c" = "$base" ] && echo base || echo top)
		git -C "$WT" checkout -q --detach -f "$c"
		write_coverage_config "$arch" "$bdir"
		mapfile -t built < <(touched_objects "$arch")
		(
			cd "$WT"
			make O="$bdir" ARCH="$arch" LLVM=1 CC="ccache clang" olddefconfig
			make O="$bdir" ARCH="$arch" LLVM=1 CC="ccache clang" -j"$(nproc)" prepare
		) >"$WORK/logs/clang-$arch-$tag.log" 2>&1 || {
			tail -20 "$WORK/logs/clang-$arch-$tag.log" >&2
			result FAIL "static/clang/$arch (prepare failed at $tag)"
			return
		}
		[ ${#built[@]} -gt 0 ] || { : >"$WORK/logs/clang-warnings-$arch-$tag"; continue; }
		(cd "$WT" && make O="$bdir" ARCH="$arch" LLVM=1 CC="ccache clang" W=1 \
			-j"$(nproc)" "${built[@]}") >>"$WORK/logs/clang-$arch-$tag.log" 2>&1 || {
			if [ "$tag" = top ]; then
				tail -20 "$WORK/logs/clang-$arch-$tag.log" >&2
				result FAIL "static/clang/$arch (build failed)"
				return
			fi
		}
		only_warnings <"$WORK/logs/clang-$arch-$tag.log" >"$WORK/logs/clang-warnings-$arch-$tag"
	done
	no_new_warnings "static/clang-w1/$arch" "$WORK/logs/clang-warnings-$arch" "${#built[@]}"
}

# Architectures that neither the KUnit kernels nor the guests cover: build
# what the series touches with their defconfig and the CC platform enabled.
cross_make() { # cross_make ARCH BUILD_DIR TARGETS...
	local arch=$1 bdir=$2 cc
	shift 2
	case $arch in
	s390) cc=s390x-linux-gnu- ;;
	powerpc) cc=powerpc64le-linux-gnu- ;;
	*) die "no cross compiler for $arch" ;;
	esac
	make -C "$WT" O="$bdir" ARCH="$arch" CROSS_COMPILE=$cc \
		CC="ccache ${cc}gcc" -j"$(nproc)" "$@"
}

# W=1 for those of OBJS that the configuration built; sets built=().
cross_w1() { # cross_w1 ARCH BUILD_DIR OBJS...
	local arch=$1 bdir=$2 o
	shift 2
	built=()
	for o in "$@"; do
		[ -f "$bdir/$o" ] && built+=("$o")
	done
	[ ${#built[@]} = 0 ] || cross_make "$arch" "$bdir" W=1 "${built[@]}"
}

cross() {
	local arch=$1 bdir base c tag built=() defconfig log f objs dirs
	WT=$WORK/bisect/linux
	bdir=$WORK/bisect/.work/build/cross-$arch
	base=$(base_rev)
	case $arch in
	s390) defconfig=defconfig ;;
	powerpc) defconfig=ppc64le_defconfig ;;
	*) die "cross: s390 or powerpc" ;;
	esac
	[ -e "$WT/.git" ] || die "run 'static.sh bisect x86_64' first"
	mkdir -p "$bdir"
	for c in "$base" "$(kgit rev-parse HEAD)"; do
		tag=$([ "$c" = "$base" ] && echo base || echo top)
		log "static: $arch cross build at $tag"
		git -C "$WT" checkout -q --detach -f "$c"
		# Generic code and this arch only: drivers for other platforms
		# (Xen, pKVM, arm64 IOMMUs) are covered by the other builds.
		# Only what this configuration enables (kernel/dma/debug.c needs
		# DMA_API_DEBUG, which the defconfigs do not set): build the
		# directories of the touched files, then the touched objects
		# that exist again with W=1.
		objs=()
		for f in $(touched_objects "$arch"); do
			case $f in kernel/*|drivers/base/*|arch/$arch/*) objs+=("$f") ;; esac
		done
		mapfile -t dirs < <(for f in "${objs[@]}"; do echo "${f%/*}/"; done | sort -u)
		log=$WORK/logs/cross-$arch-$tag.log
		if ! cross_make "$arch" "$bdir" "$defconfig" >"$log" 2>&1 ||
		   ! (cd "$WT" && scripts/kconfig/merge_config.sh -m -O "$bdir" \
			"$bdir/.config" "$TOP/configs/$arch-cross.config") >>"$log" 2>&1 ||
		   ! cross_make "$arch" "$bdir" olddefconfig >>"$log" 2>&1 ||
		   ! cross_make "$arch" "$bdir" prepare >>"$log" 2>&1 ||
		   ! cross_make "$arch" "$bdir" "${dirs[@]}" >>"$log" 2>&1 ||
		   ! cross_w1 "$arch" "$bdir" "${objs[@]}" >>"$log" 2>&1; then
			tail -20 "$log" >&2
			[ "$tag" = base ] && continue
			result FAIL "static/cross/$arch (build failed at $tag)"
			return
		fi
		only_warnings <"$log" >"$WORK/logs/cross-warnings-$arch-$tag"
		if [ "$tag" = top ]; then
			while IFS= read -r f; do
				grep -q "^$f=y" "$bdir/.config" || {
					result FAIL "static/cross/$arch ($f is not set)"
					return
				}
			done < <(grep -o '^CONFIG_[A-Z0-9_]*' "$TOP/configs/$arch-cross.config")
		fi
	done
	result PASS "static/cross/$arch (${#built[@]} objects)"
	no_new_warnings "static/cross-w1/$arch" "$WORK/logs/cross-warnings-$arch" "${#built[@]}"
}

case $1 in
checkpatch) checkpatch ;;
cross) cross "$2" ;;
bisect) bisect "$2" ;;
coverage) coverage "$2" ;;
clang) clang_check "$2" ;;
*) die "usage: $0 checkpatch | bisect ARCH | coverage ARCH | clang ARCH | cross ARCH" ;;
esac
