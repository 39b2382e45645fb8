#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the series (base + every series of patches/):
#   static.sh checkpatch        checkpatch.pl --strict on every patch; one
#                               author for the whole series, and each patch
#                               signed off by that author
#   static.sh pair ARCH KIND    the objects the series touches, built at the
#                               base and at the top, no new warning:
#                                 coverage  gcc, W=1 and sparse (C=2), the
#                                           test configuration plus
#                                           configs/ARCH-coverage.config
#                                 clang     clang-19, W=1, same configuration
#                                 cross     s390 or powerpc: defconfig plus
#                                           configs/ARCH-cross.config, W=1
#   static.sh bisect ARCH       build the base and then every patch in turn
#                               with the test kernel's configuration
#   static.sh bisect-coverage ARCH  the same with the coverage configuration,
#                               the touched objects only
#
# Everything builds in a worktree of the kernel tree laid out like the
# project ($WORK/bisect/linux, $WORK/bisect/.work/build/NAME), so that
# ccache hits across it and the KUnit builds.  Every configuration is
# assembled and checked by config_assemble (lib.sh): a symbol a fragment
# asks for that the final .config lacks is a failure naming it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

EXCEPTIONS=$TOP/checkpatch-exceptions.txt
WT=$WORK/bisect/linux
mkdir -p "$WORK/logs"
tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT

# Patch name without its number: stable when patches are inserted.
slug() { basename "$1" .patch | sed 's/^[0-9]*-//'; }

# Does every file that patch $1 adds have maintainers other than THE REST,
# and does it move or delete nothing?
covered() {
	local f m
	if grep -Eq '^ (delete mode|rename )' "$1"; then return 1; fi
	while read -r f; do
		m=$(cd "$KTREE" && { scripts/get_maintainer.pl --no-git --no-git-fallback \
			--nol --norolestats --nor -f "$f" 2>/dev/null || true; } |
			{ grep -v 'Linus Torvalds' || true; })
		[ -n "$m" ] || return 1
	done < <(sed -n 's/^ create mode [0-9]* //p' "$1")
}

# The author of a patch file: its From: header, unfolded and decoded.
patch_author() {
	python3 - "$1" <<-'PY'
	import email, email.header, sys
	with open(sys.argv[1], errors='replace') as f:
	    msg = email.message_from_file(f)
	h = msg.get('From', '')
	print(' '.join(str(email.header.make_header(email.header.decode_header(h))).split()))
	PY
}

checkpatch() {
	local p s out line type ok authors author
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
				if covered "$p"; then continue; fi ;;
			CHECK\ *)
				# Allowed only if listed, with a reason.
				if grep -Eq "^${s}[[:space:]]+${type#CHECK }[[:space:]]+[^[:space:]]" \
					"$EXCEPTIONS" 2>/dev/null; then continue; fi ;;
			esac
			echo "    $line" >&2
			ok=0
		done <<<"$out"
		if [ $ok = 1 ]; then
			result PASS "static/checkpatch/$s"
		else
			result FAIL "static/checkpatch/$s"
		fi
	done
	# One author for every patch of every series, who signs each off.
	authors=$(for p in $(series_patches); do patch_author "$p"; done | sort -u)
	if [ "$(grep -c . <<<"$authors")" -gt 1 ]; then
		printf '    author: %s\n' "$authors" >&2
		result FAIL "static/one-author (the patches have $(grep -c . <<<"$authors") authors)"
	elif [ -n "$authors" ]; then
		result PASS "static/one-author ($authors)"
	fi
	author=$(head -n 1 <<<"$authors")
	for p in $(series_patches); do
		s=$(slug "$p")
		if grep -qxF "Signed-off-by: $author" "$p"; then
			result PASS "static/signed-off/$s"
		else
			result FAIL "static/signed-off/$s (no Signed-off-by: $author)"
		fi
	done
}

# Put the worktree at commit $1 (made on first use).
wt_checkout() {
	if [ ! -e "$WT/.git" ]; then
		log "static: making the worktree $WT"
		mkdir -p "$(dirname "$WT")"
		kgit worktree prune
		kgit worktree add -q --detach "$WT" "$(base_rev)"
	fi
	git -C "$WT" checkout -q --detach -f "$1"
}

# The .c files the series touches, as objects, that exist in the worktree
# and may belong to ARCH (nothing under another architecture's arch/);
# files included by another .c file are not objects of their own.
touched_objects() { # touched_objects ARCH
	local f dir
	case $1 in x86_64) dir=arch/x86/ ;; *) dir=arch/$1/ ;; esac
	for f in $(kgit diff --name-only "$(base_rev)..HEAD" -- '*.c'); do
		# User space and host programs.
		case $f in tools/*|scripts/*|samples/*|Documentation/*) continue ;; esac
		case $f in arch/*) [ "${f#"$dir"}" != "$f" ] || continue ;; esac
		# Drivers of one architecture's platforms, outside arch/.
		case $f in drivers/virt/coco/pkvm-guest/*) [ "$1" = arm64 ] || continue ;; esac
		[ -f "$WT/$f" ] || continue
		# A file that another file of its directory includes (a KUnit
		# suite compiled into the unit it tests) is built with it.
		grep -qsF "#include \"${f##*/}\"" "$WT/${f%/*}"/*.c && continue
		echo "${f%.c}.o"
	done
}

# Compiler and sparse diagnostics of a build log, without line numbers
# (which move between base and top), sorted.
only_warnings() {
	{ grep -E '^[^ ]+:[0-9]+:([0-9]+:)? (warning|error):' || true; } |
		sed -E 's/^([^:]+):[0-9]+:([0-9]+:)? /\1: /' | sort
}

# PASS if PREFIX-top holds no diagnostic that PREFIX-base lacks.
no_new_warnings() { # no_new_warnings CHECK-NAME PREFIX NR-OBJECTS
	local new
	new=$(comm -13 "$2-base" "$2-top")
	if [ -z "$new" ]; then
		result PASS "$1 ($3 objects)"
	else
		printf '    new: %s\n' "$new" >&2
		result FAIL "$1 ($(grep -c . <<<"$new") new)"
	fi
}

# The touched objects of ARCH at base and top, built in a configuration of
# KIND, and their warnings compared.  The directories of the touched files
# are built first, so that only what the configuration enables is checked;
# then those objects again with W=1 (and sparse for gcc).
pair() { # pair ARCH KIND
	local arch=$1 kind=$2 bdir rev c objs built dirs flags=(W=1) lg o n=0
	local frags base=() wl=$WORK/logs/$kind-warnings-$arch
	case $kind in
	coverage) toolchain "$arch" gcc; flags+=(C=2) ;;
	clang) toolchain "$arch" clang ;;
	cross) toolchain "$arch" gcc ;;
	*) die "pair: coverage, clang or cross" ;;
	esac
	bdir=$WORK/bisect/.work/build/$kind-$arch
	for rev in base top; do
		c=$(base_rev)
		[ $rev = base ] || c=$(kgit rev-parse HEAD)
		log "static: $arch $kind build at $rev"
		wt_checkout "$c"
		lg=$WORK/logs/$kind-$arch-$rev.log
		: >"$lg"
		if [ "$kind" = cross ]; then
			frags=("$TOP/configs/$arch-cross.config")
			mkdir -p "$bdir"
			case $arch in
			s390) o=defconfig ;;
			powerpc) o=ppc64le_defconfig ;;
			*) die "cross: s390 or powerpc" ;;
			esac
			rm -f "$bdir/.config"
			kmake "$WT" "$bdir" "$o" >>"$lg" 2>&1 || true
			cp "$bdir/.config" "$bdir/defconfig.base" 2>/dev/null || : >"$bdir/defconfig.base"
			base=(--base "$bdir/defconfig.base")
		else
			mapfile -t frags < <(test_fragments "$WT" "$arch" "$TOP/configs/$arch-coverage.config")
		fi
		if ! config_assemble "$WT" "$bdir" "${base[@]}" "${frags[@]}"; then
			result FAIL "static/$kind/$arch/config-$rev ($(cat "$bdir/config.err"))"
			return 0
		fi
		mapfile -t objs < <(touched_objects "$arch")
		if [ "$kind" = cross ]; then
			mapfile -t objs < <(printf '%s\n' "${objs[@]}" |
				grep -E "^(kernel|lib|mm|drivers/base|arch/$arch)/" || true)
		fi
		mapfile -t dirs < <(for o in "${objs[@]}"; do echo "${o%/*}/"; done | sort -u)
		if ! kmake "$WT" "$bdir" prepare >>"$lg" 2>&1 ||
		   { [ ${#dirs[@]} = 0 ] || ! kmake "$WT" "$bdir" "${dirs[@]}" >>"$lg" 2>&1; }; then
			tail -20 "$lg" >&2
			result FAIL "static/$kind-build/$arch (build failed at $rev, $lg)"
			return 0
		fi
		built=()
		for o in "${objs[@]}"; do
			if [ -f "$bdir/$o" ]; then built+=("$o"); fi
		done
		: >"$lg.w"
		if [ ${#built[@]} -gt 0 ] &&
		   ! kmake "$WT" "$bdir" "${flags[@]}" "${built[@]}" >"$lg.w" 2>&1; then
			tail -20 "$lg.w" >&2
			result FAIL "static/$kind-build/$arch (W=1 build failed at $rev)"
			return 0
		fi
		if grep -q 'specified, but .* is not available or not up to date' "$lg.w"; then
			result FAIL "static/$kind-build/$arch (sparse did not run: $(grep -m1 'specified, but' "$lg.w" | sed 's/.*: //'))"
			return 0
		fi
		only_warnings <"$lg.w" >"$wl-$rev"
		cat "$lg.w" >>"$lg"
		n=${#built[@]}
	done
	result PASS "static/$kind-build/$arch ($n objects)"
	no_new_warnings "static/$kind-w1/$arch" "$wl" "$n"
}

# modpost's warnings in a build log (section mismatches), without offsets.
modpost_warnings() {
	{ sed -n 's/^WARNING: modpost: //p' || true; } | sed -E 's/\+0x[0-9a-f]+//g' | sort -u
}

# Must the configuration be assembled again to build commit $2 in a build
# directory that last built commit $1 (empty: nothing yet)?  Only when a
# Kconfig file or the kunitconfig differs: assembling it anyway makes
# kbuild regenerate include/config and redo "prepare", which costs more
# than compiling what most patches change.
config_stale() { # config_stale PREV-COMMIT COMMIT
	[ -n "$1" ] || return 0
	kgit diff --name-only "$1" "$2" -- '*Kconfig*' 'kernel/dma/.kunitconfig' | grep -q .
}

# What commit $2 changes, for a build directory that last built commit $1:
# "FULL" when kbuild must decide (a configuration, Makefile or prepare-stage
# change, or nothing built yet), else the objects to compile again (may be
# none).  Extra arguments restrict the answer to those objects.  Fails
# when scripts/affected.py fails: that is never "nothing to build".
changed_objects() { # changed_objects PREV COMMIT BUILD_DIR [OBJECTS...]
	local prev=$1 c=$2 bdir=$3
	shift 3
	if [ -z "$prev" ] || config_stale "$prev" "$c"; then
		echo FULL
		return
	fi
	kgit diff --name-only "$prev" "$c" >"$tmpd/changed"
	python3 "$TOP/scripts/affected.py" "$bdir" "$WT" "$@" <"$tmpd/changed"
}

# Name of commit C, the N-th on top of the base, for logs and results.
commit_name() { # commit_name C N
	if [ "$1" = "$(base_rev)" ]; then
		echo base
	else
		printf '%04d-%s' "$2" "$(kgit log -1 --format=%f "$1" | cut -c1-52)"
	fi
}

# From the base forward, a patch at a time, with the test kernel's
# configuration (checked at each commit that changes a Kconfig file).
# The base is built whole (vmlinux.o, modpost).  For each patch the
# objects whose recorded dependencies (kbuild's .cmd files) include a file
# the patch changes are compiled as single targets (scripts/affected.py):
# exactly what make would compile, without walking the tree and relinking
# vmlinux.o each time.  A patch that changes a Makefile, Kconfig file or
# what the prepare stage generates is left to make (vmlinux.o and
# modpost).  The top is built and linked whole.
bisect() { # bisect ARCH
	local arch=$1 base bdir c n=0 name lg top target prev='' todo full=1 mp frags
	toolchain "$arch"
	bdir=$WORK/bisect/.work/build/$arch
	base=$(base_rev)
	top=$(kgit rev-parse HEAD)
	mp=$WORK/logs/modpost-$arch
	for c in $base $(kgit rev-list --reverse "$base..HEAD"); do
		name=$(commit_name "$c" "$n")
		log "static: $arch build at $name"
		wt_checkout "$c"
		lg=$WORK/logs/bisect-$arch-$name.log
		: >"$lg"
		if config_stale "$prev" "$c"; then
			mapfile -t frags < <(test_fragments "$WT" "$arch")
			if ! config_assemble "$WT" "$bdir" "${frags[@]}"; then
				result FAIL "static/build/$arch/$name/config ($(cat "$bdir/config.err"))"
				full=1
			fi
		fi
		# After a failed build kbuild decides again.
		todo=FULL
		if [ "$full" = 0 ] && ! todo=$(changed_objects "$prev" "$c" "$bdir"); then
			result FAIL "static/build/$arch/$name (scripts/affected.py failed)"
			todo=FULL
		fi
		prev=$c
		target=vmlinux_o
		if [ "$c" = "$top" ]; then target=all; todo=FULL; fi
		full=0
		if [ "$todo" = FULL ]; then
			echo "kbuild: make $target" >>"$lg"
			kmake "$WT" "$bdir" "$target" >>"$lg" 2>&1 || full=1
		elif [ -n "$todo" ]; then
			# shellcheck disable=SC2086
			echo "kbuild: the objects that depend on the change:" $todo >>"$lg"
			# shellcheck disable=SC2086
			kmake "$WT" "$bdir" $todo >>"$lg" 2>&1 || full=1
		else
			echo "kbuild: no object of this configuration depends on the change" >>"$lg"
		fi
		if [ "$full" = 0 ]; then
			[ "$c" = "$base" ] || result PASS "static/build/$arch/$name"
		else
			tail -30 "$lg" >&2
			result FAIL "static/build/$arch/$name"
		fi
		# modpost runs on vmlinux.o whenever it is relinked: no section
		# mismatch that the base does not have.
		modpost_warnings <"$lg" >"$mp-now"
		if [ "$c" = "$base" ]; then
			mv "$mp-now" "$mp-base"
		elif comm -13 "$mp-base" "$mp-now" | grep -q .; then
			comm -13 "$mp-base" "$mp-now" | sed 's/^/    modpost: /' >&2
			result FAIL "static/modpost/$arch/$name"
		fi
		n=$((n + 1))
	done
}

# An object whose Kconfig symbol is off in this configuration cannot be
# built on its own (kernel/dma/coherent.o without DMA_DECLARE_COHERENT):
# build the objects' directories instead, where kbuild builds only what
# the configuration has.
kmake_dirs() { # kmake_dirs BUILD_DIR OBJECT...
	local bdir=$1 dirs
	shift
	mapfile -t dirs < <(printf '%s\n' "$@" | sed 's|/[^/]*$|/|' | sort -u)
	echo "kbuild: building the directories ${dirs[*]} instead"
	kmake "$WT" "$bdir" "${dirs[@]}"
}

# The touched objects with the coverage configuration at every patch: those
# that depend on what the patch changes (all of them at the base, the top,
# after a failure or a configuration change).
bisect_coverage() { # bisect_coverage ARCH
	local arch=$1 bdir base top c n=0 name lg objs todo fails=() prev='' full=1 frags
	toolchain "$arch"
	bdir=$WORK/bisect/.work/build/bcov-$arch
	base=$(base_rev)
	top=$(kgit rev-parse HEAD)
	for c in $base $(kgit rev-list --reverse "$base..HEAD"); do
		name=$(commit_name "$c" "$n")
		log "static: $arch coverage build at $name"
		wt_checkout "$c"
		lg=$WORK/logs/bcov-$arch-$name.log
		: >"$lg"
		if config_stale "$prev" "$c"; then
			mapfile -t frags < <(test_fragments "$WT" "$arch" "$TOP/configs/$arch-coverage.config")
			if ! config_assemble "$WT" "$bdir" "${frags[@]}" ||
			   ! kmake "$WT" "$bdir" prepare >>"$lg" 2>&1; then
				fails+=("$name(config: $(cat "$bdir/config.err" 2>/dev/null || echo prepare))")
			fi
			full=1
		fi
		mapfile -t objs < <(touched_objects "$arch")
		todo=("${objs[@]}")
		if [ "$full" = 0 ] && [ "$c" != "$top" ] && [ ${#objs[@]} -gt 0 ]; then
			if ! changed_objects "$prev" "$c" "$bdir" "${objs[@]}" >"$tmpd/todo"; then
				fails+=("$name(affected.py failed)")
				echo FULL >"$tmpd/todo"
			fi
			mapfile -t todo <"$tmpd/todo"
			[ "${todo[0]-}" != FULL ] || todo=("${objs[@]}")
		fi
		prev=$c
		full=0
		if [ ${#todo[@]} = 0 ]; then
			echo "kbuild: no object depends on the change" >>"$lg"
		elif ! kmake "$WT" "$bdir" "${todo[@]}" >>"$lg" 2>&1 &&
		     ! kmake_dirs "$bdir" "${todo[@]}" >>"$lg" 2>&1; then
			tail -20 "$lg" >&2
			fails+=("$name")
			full=1
		fi
		n=$((n + 1))
	done
	if [ ${#fails[@]} = 0 ]; then
		result PASS "static/bisect-coverage/$arch ($n commits)"
	else
		result FAIL "static/bisect-coverage/$arch (failed at: ${fails[*]})"
	fi
}

case ${1-} in
checkpatch) checkpatch ;;
pair) pair "$2" "$3" ;;
bisect) bisect "$2" ;;
bisect-coverage) bisect_coverage "$2" ;;
*) die "usage: $0 checkpatch | pair ARCH coverage|clang|cross | bisect ARCH | bisect-coverage ARCH" ;;
esac
