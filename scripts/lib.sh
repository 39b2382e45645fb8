# SPDX-License-Identifier: GPL-2.0
# Common settings and helpers for the harness scripts.  Sourced, not run.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are used by the scripts

# Debian's tools first: checkpatch's helpers need Debian's python3 modules.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../base.conf
. "$TOP/base.conf"
BASE_VERSION=${BASE_PIN%% *}
BASE_SHA256=${BASE_PIN##* }
BASE_PKG=linux-source-7.3
# The suite that ships it; fetched through a private apt configuration, the
# machine's own sources stay as they are.
BASE_SUITE=trixie-backports
BASE_MIRROR=http://deb.debian.org/debian

KTREE=$TOP/linux			# the kernel tree, a git repo of its own
WORK=$TOP/.work				# all other state of this checkout
# Survives fresh clones on the same machine: downloaded .deb, ccache.
CACHE=${CC_DMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cc-dma}

# The identity of the harness's own commits in the kernel tree (the base
# commit, git am): fixed, so that the base hash is the same on every
# machine.  The series' author is whoever the user's git config says.
HARNESS_NAME="CC DMA Series"
HARNESS_EMAIL="cc-dma-series@example.org"
BASE_DATE="2025-01-01T00:00:00Z"
BASE_TAG=base

export CCACHE_DIR=$CACHE/ccache
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export CCACHE_COMPILERCHECK=content

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# git in the kernel tree with the harness identity, so commits made by the
# harness (base commit, git am) are the same on every machine.  git am
# keeps each patch's author.
kgit() {
	GIT_AUTHOR_NAME="$HARNESS_NAME" GIT_AUTHOR_EMAIL="$HARNESS_EMAIL" \
	GIT_COMMITTER_NAME="$HARNESS_NAME" GIT_COMMITTER_EMAIL="$HARNESS_EMAIL" \
		git -C "$KTREE" -c core.autocrlf=false -c advice.detachedHead=false "$@"
}

# git in the kernel tree as the user: export and mailing.
ugit() { git -C "$KTREE" -c core.autocrlf=false "$@"; }

base_rev() { kgit rev-parse -q --verify "refs/tags/$BASE_TAG^{commit}"; }

# patches/ holds several series, one folder each (NN-name/), applied in
# the order of their names; each is a branch of the same name in the kernel
# tree, on top of the one before (the first on the base).
series_dirs() {
	local d
	for d in "$TOP"/patches/[0-9][0-9]-*/; do
		[ -d "$d" ] && basename "$d"
	done
}
series_patches() { # [SERIES]
	local d p
	for d in ${1:-$(series_dirs)}; do
		for p in "$TOP/patches/$d"/[0-9]*.patch; do
			[ -f "$p" ] || continue
			case $p in */0000-cover-letter.patch) ;; *) echo "$p" ;; esac
		done
	done
}
top_series() { series_dirs | tail -n 1; }

# The tree after each patch of patches/, applied on the base in a scratch
# index (no checkout), one hash a line; "none" from a patch that does not
# apply.  Trees, not patch ids: export writes blank context lines without
# their space, and git patch-id stops reading a hunk at such a line.
patch_trees() {
	local idx p
	idx=$(mktemp "${TMPDIR:-/tmp}/cc-dma-index.XXXXXX")
	GIT_INDEX_FILE=$idx kgit read-tree "$BASE_TAG"
	for p in $(series_patches); do
		if GIT_INDEX_FILE=$idx kgit apply --cached "$p" 2>/dev/null; then
			GIT_INDEX_FILE=$idx kgit write-tree
		else
			echo none
			break
		fi
	done
	rm -f "$idx"
	return 0
}

# The tree of each commit on top of the base, one hash a line.
commit_trees() {
	local c
	for c in $(kgit rev-list --reverse "$BASE_TAG..HEAD"); do
		kgit rev-parse "$c^{tree}"
	done
}

# Is the kernel tree exactly the base plus patches/?
tree_is_series() { [ "$(commit_trees)" = "$(patch_trees)" ]; }

# Commits in the kernel tree that patches/ does not hold: the tree's
# commits must be the series, or a first part of it.
unexported_commits() {
	local want c i=0
	want=$(patch_trees)
	for c in $(kgit rev-list --reverse "$BASE_TAG..HEAD"); do
		i=$((i + 1))
		if [ "$(sed -n "${i}p" <<<"$want")" != "$(kgit rev-parse "$c^{tree}")" ]; then
			kgit log --reverse --format='%h %s' "$c^..HEAD"
			return
		fi
	done
}

# The series branches of the kernel tree, in order: every branch named
# NN-name that sits on top of the one before it (the first on the base).
# A branch that does not is named on stderr and left out, with the ones
# after it.
series_chain() {
	local b prev=$BASE_TAG
	for b in $(kgit for-each-ref --format='%(refname:short)' \
		   'refs/heads/[0-9][0-9]-*' | LC_ALL=C sort); do
		if ! kgit merge-base --is-ancestor "$prev" "$b"; then
			log "branch $b is not on top of $prev: left out (rebase it on $prev)"
			return 0
		fi
		echo "$b"
		prev=$b
	done
}

# sparse for C=1/C=2 when the system's is too old for the kernel (setup).
SPARSE=$CACHE/bin/sparse

# Builds take the lock file named by CC_DMA_BUILD_LOCK, when it is set, so
# that two checkouts on one machine never build at the same time.  The
# seconds spent waiting for it are added up in $WORK/lock-wait.
locked() {
	local t0=$SECONDS fd rc=0
	if [ -z "${CC_DMA_BUILD_LOCK-}" ]; then
		"$@"
		return
	fi
	exec {fd}>>"$CC_DMA_BUILD_LOCK"
	flock "$fd"
	mkdir -p "$WORK"
	echo $((SECONDS - t0)) >>"$WORK/lock-wait"
	"$@" || rc=$?
	flock -u "$fd"
	exec {fd}>&-
	return $rc
}

lock_waited() { awk '{ s += $1 } END { print s + 0 }' "$WORK/lock-wait" 2>/dev/null || echo 0; }

# Per-arch toolchain: sets KMAKE, the make variables of every kernel build
# of the harness (KUnit kernels, static checks, per-patch builds).
#   toolchain ARCH [gcc|clang]
# clang is clang-19 (bookworm-backports): LLVM=-19 names every LLVM tool
# with that suffix, no cross compiler needed.
toolchain() {
	local arch=$1 cc=${2:-gcc} cross=
	case $arch in
	x86_64) ;;
	arm64) cross=aarch64-linux-gnu- ;;
	s390) cross=s390x-linux-gnu- ;;
	powerpc) cross=powerpc64le-linux-gnu- ;;
	*) die "no toolchain for arch $arch" ;;
	esac
	case $cc in
	gcc)
		KMAKE=(ARCH="$arch" CC="ccache ${cross}gcc" HOSTCC="ccache gcc")
		[ -z "$cross" ] || KMAKE+=(CROSS_COMPILE="$cross")
		[ ! -x "$SPARSE" ] || KMAKE+=(CHECK="$SPARSE")
		;;
	clang)
		KMAKE=(ARCH="$arch" LLVM=-19 CC="ccache clang-19" HOSTCC="ccache clang-19")
		;;
	*) die "no compiler $cc" ;;
	esac
}

# make in source tree SRC, build directory BDIR, with KMAKE.
kmake() { # kmake SRC BDIR TARGET...
	local src=$1 bdir=$2
	shift 2
	make -C "$src" O="$bdir" "${KMAKE[@]}" -j"$(nproc)" "$@"
}

# The kconfig fragments of a test kernel of ARCH for source tree SRC:
# kernel/dma/.kunitconfig when the tree has one, the common and the arch
# fragment.  Extra fragments follow (coverage, sanitizers).
test_fragments() { # test_fragments SRC ARCH [FRAGMENT...]
	local src=$1 arch=$2
	shift 2
	if [ -f "$src/kernel/dma/.kunitconfig" ]; then echo "$src/kernel/dma/.kunitconfig"; fi
	echo "$TOP/configs/common.config"
	echo "$TOP/configs/$arch.config"
	# The emulated CC guest, from the series that adds it on.
	if [ "$arch" = arm64 ] && has_cc_emulate "$src"; then
		echo "$TOP/configs/arm64-cc-emulate.config"
	fi
	if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi
}

# Does the tree SRC have the emulated pKVM guest (cc_emulate=)?
has_cc_emulate() {
	grep -qs '^config ARM_PKVM_GUEST_EMULATE$' "$1/drivers/virt/coco/pkvm-guest/Kconfig"
}

# The boot guests of ARCH for the kernel tree.
arch_guests() { # arch_guests ARCH
	case $1 in
	x86_64) echo x86_64-swiotlb-force ;;
	arm64)
		echo arm64-pkvm-rdma
		if has_cc_emulate "$KTREE"; then echo arm64-cc-emulate; fi ;;
	esac
}

# The symbols the fragments ask for (the last value of each wins, as in
# merge_config.sh) that CONFIG does not have, one a line: "CONFIG_X=y (the
# .config has ...)".  "# CONFIG_X is not set" asks for n.
config_missing() { # config_missing CONFIG FRAGMENT...
	local cfg=$1
	shift
	awk -v cfg="$cfg" '
	function want(s, v) { if (!(s in w)) o[++n] = s; w[s] = v }
	FILENAME != cfg && /^CONFIG_[A-Za-z0-9_]+=/ {
		i = index($0, "="); want(substr($0, 1, i - 1), substr($0, i + 1)); next }
	FILENAME != cfg && /^# CONFIG_[A-Za-z0-9_]+ is not set$/ { want($2, "n"); next }
	FILENAME == cfg && /^CONFIG_[A-Za-z0-9_]+=/ {
		i = index($0, "="); h[substr($0, 1, i - 1)] = substr($0, i + 1) }
	END {
		for (j = 1; j <= n; j++) {
			s = o[j]; v = (s in h) ? h[s] : "n"
			if (w[s] != v)
				printf "%s=%s (the .config has %s)\n", s, w[s],
					(s in h) ? s "=" h[s] : "it unset"
		}
	}' "$@" "$cfg"
}

# Assemble BDIR/.config from fragments with merge_config.sh, complete it
# with olddefconfig (KMAKE must be set) and check that every symbol the
# fragments ask for is there.  --base FILE starts from FILE (a defconfig),
# whose symbols are not checked.  On failure BDIR/config.err holds the
# reason on one line.
config_assemble() { # config_assemble SRC BDIR [--base FILE] FRAGMENT...
	local src=$1 bdir=$2 base=() missing
	shift 2
	if [ "${1-}" = --base ]; then
		base=("$2")
		shift 2
	fi
	mkdir -p "$bdir"
	rm -f "$bdir/config.err"
	if ! (cd "$src" && scripts/kconfig/merge_config.sh -m -O "$bdir" \
		"${base[@]}" "$@") >"$bdir/config.log" 2>&1 ||
	   ! kmake "$src" "$bdir" olddefconfig >>"$bdir/config.log" 2>&1; then
		echo "merge_config.sh or olddefconfig failed, see $bdir/config.log" >"$bdir/config.err"
		return 1
	fi
	missing=$(config_missing "$bdir/.config" "$@")
	if [ -n "$missing" ]; then
		echo "requested but not in .config: $(echo "$missing" | paste -sd ';' -)" >"$bdir/config.err"
		printf '    config: %s\n' "$missing" >&2
		return 1
	fi
}

# Results of make test: one line per check, "PASS|FAIL|SKIP <stage> <name>".
# (make check-series keeps its own: CC_DMA_RESULTS.)
RESULTS=${CC_DMA_RESULTS:-$WORK/results}
result() {
	mkdir -p "$WORK"
	printf '%s %s\n' "$1" "$2" >>"$RESULTS"
	printf '    %s %s\n' "$1" "$2" >&2
}

# Compilations served by ccache and compiled, so far: "HITS MISSES".
ccache_counts() {
	ccache --print-stats 2>/dev/null | awk '
		$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { h += $2 }
		$1 == "cache_miss" { m += $2 }
		END { print h + 0, m + 0 }'
}

# Run one stage: a line with its name, a FAIL if it exits non-zero, and its
# duration (with the compilations it made and took from ccache, which tell
# what it costs with an empty ccache) in the log and in $WORK/stage-times.
stage() { # stage NAME COMMAND...
	local name=$1 rc=0 t0 h0 m0 h1 m1 w0 w waited=''
	shift
	printf '== %s\n' "$name" >&2
	t0=$(date +%s)
	w0=$(lock_waited)
	read -r h0 m0 < <(ccache_counts)
	"$@" || rc=$?
	[ $rc = 0 ] || result FAIL "$name (stage exited $rc)"
	read -r h1 m1 < <(ccache_counts)
	w=$(($(lock_waited) - w0))
	[ "$w" = 0 ] || waited="; and $w s waiting for the build lock"
	printf '%5d s  %s (compiled %d, from ccache %d%s)\n' $(($(date +%s) - t0 - w)) \
		"$name" $((m1 - m0)) $((h1 - h0)) "$waited" |
		tee -a "$WORK/stage-times" >&2
}

# The tally at the end of make test and make check-series: failures listed, and
# last "N passed, N failed[, N skipped]".  Returns non-zero on a failure.
summary() { # summary START-SECONDS
	local passed failed skipped
	passed=$(grep -c '^PASS ' "$RESULTS" || true)
	failed=$(grep -c '^FAIL ' "$RESULTS" || true)
	skipped=$(grep -c '^SKIP ' "$RESULTS" || true)
	echo "== done in $(( ($(date +%s) - $1) / 60 )) min; results in $RESULTS" >&2
	if [ "$failed" -gt 0 ]; then
		echo "failed:" >&2
		grep '^FAIL ' "$RESULTS" | sed 's/^/  /' >&2
	fi
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" = 0 ]
}
