#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make setup: install the Debian packages the harness needs, fetch the pinned
# linux-source-7.3 package from trixie-backports, check the tarball's sha256,
# make the kernel tree (one deterministic base commit, tagged "base") and
# apply each series of patches/ on its own branch.
#
# Cheap to rerun.  It never destroys commits in the kernel tree that are not
# in patches/: it refuses instead.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES="build-essential bc bison flex libelf-dev libssl-dev cpio kmod rsync
python3 python3-ply python3-git qemu-system-x86 qemu-system-arm qemu-system-data
gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-s390x-linux-gnu
gcc-powerpc64le-linux-gnu ccache sparse device-tree-compiler clang lld llvm git
perl xz-utils gdb-multiarch shellcheck"
# Linux 7.3 wants clang >= 17: clang-19 from bookworm-backports.
BACKPORT_PACKAGES="clang-19 lld-19 llvm-19"

# apt with a private configuration: its own sources list and package lists
# under $CACHE/apt, so the machine's own suites are left as they are.
#   papt SOURCES-LINE... -- apt-get arguments
papt() {
	local dir=$CACHE/apt/$1 cmd=$2
	shift 2
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	printf '%s\n' "${PAPT_SOURCES[@]}" >"$dir/sources.list"
	"$cmd" -o Dir::Etc::SourceList="$dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir" -o Dir::Cache::archives="$dir/archives" \
		-o APT::Sandbox::User=root "$@"
}

install_packages() {
	local missing=() p
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing Debian packages: ${missing[*]}"
	[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >"$CACHE/apt.log" 2>&1 ||
		{ tail -20 "$CACHE/apt.log"; die "apt-get install failed"; }
}

install_backports() {
	local missing=() p
	for p in $BACKPORT_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing from bookworm-backports: ${missing[*]}"
	PAPT_SOURCES=("deb $BASE_MIRROR bookworm main"
		      "deb $BASE_MIRROR bookworm-backports main")
	{ papt bookworm-backports apt-get update -qq &&
	  DEBIAN_FRONTEND=noninteractive papt bookworm-backports apt-get install \
		-y -qq --no-install-recommends -t bookworm-backports "${missing[@]}"
	} >"$CACHE/apt-backports.log" 2>&1 ||
		{ tail -20 "$CACHE/apt-backports.log"; die "installing ${missing[*]} failed"; }
}

# The tarball of the pinned package, checked.  Prints its path.
fetch_base() {
	local deb="$CACHE/debs/${BASE_PKG}_${BASE_VERSION//:/%3a}_all.deb"
	local tarball="$CACHE/$BASE_PKG-$BASE_VERSION.tar.xz" sum avail

	if [ -f "$tarball" ] && [ "$(sha256sum <"$tarball" | cut -d' ' -f1)" = "$BASE_SHA256" ]; then
		echo "$tarball"
		return
	fi
	mkdir -p "$CACHE/debs"
	if [ ! -f "$deb" ]; then
		log "downloading $BASE_PKG=$BASE_VERSION from $BASE_SUITE"
		PAPT_SOURCES=("deb $BASE_MIRROR $BASE_SUITE main")
		if ! { papt "$BASE_SUITE" apt-get update -qq &&
		       (cd "$CACHE/debs" && papt "$BASE_SUITE" apt-get download -q "$BASE_PKG=$BASE_VERSION")
		     } >"$CACHE/download.log" 2>&1; then
			avail=$(papt "$BASE_SUITE" apt-cache madison "$BASE_PKG" 2>/dev/null |
				awk -F'|' '{gsub(/ /,"",$2); print "  " $2}')
			[ -n "$avail" ] || avail="  none found in $BASE_SUITE"
			cat "$CACHE/download.log" >&2
			die "$BASE_PKG $BASE_VERSION is not in $BASE_SUITE.
Versions available:
$avail
To re-pin, change the one line BASE_PIN=\"<version> <sha256 of /usr/src/$BASE_PKG.tar.xz>\"
in base.conf, then run make test and commit it as its own change."
		fi
	fi
	rm -f "$tarball.tmp"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO -f - "./usr/src/$BASE_PKG.tar.xz" >"$tarball.tmp" ||
		die "$deb holds no usr/src/$BASE_PKG.tar.xz (corrupt download? delete it and rerun)"
	sum=$(sha256sum <"$tarball.tmp" | cut -d' ' -f1)
	if [ "$sum" != "$BASE_SHA256" ]; then
		rm -f "$tarball.tmp" "$deb"
		die "sha256 mismatch for $BASE_PKG $BASE_VERSION:
  expected $BASE_SHA256
  got      $sum
The download was deleted; rerun to fetch it again.  If the archive really
ships a different tarball under this version, re-pinning is a deliberate
change of the one line BASE_PIN in base.conf."
	fi
	mv "$tarball.tmp" "$tarball"
	echo "$tarball"
}

# Unpack into a temporary directory, commit, and move into place: an
# interrupted or failed run leaves no half-made tree behind.
make_base_tree() {
	local tarball=$1 tmp="$TOP/linux.tmp.$$"
	log "unpacking $(basename "$tarball")"
	rm -rf "$TOP"/linux.tmp.*
	mkdir -p "$tmp"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1 --no-same-owner
	# Debian appends a block that ignores everything at the top level;
	# cut it so that new files show up in git status as they do upstream.
	# The block is "#", "# Debian packaging: ...", ..., "/*", "!/debian/".
	python3 - "$tmp/.gitignore" <<-'PY'
	import sys
	p = sys.argv[1]
	lines = open(p).read().split('\n')
	i = next(i for i, l in enumerate(lines) if l.startswith('# Debian packaging'))
	if i > 0 and lines[i - 1] == '#':
	    i -= 1
	open(p, 'w').write('\n'.join(lines[:i]).rstrip('\n') + '\n')
	PY
	log "making the base commit"
	base_commit "$tmp"
	mv "$tmp" "$KTREE"
	log "base commit $(base_rev)"
}

# The base commit, tagged, in a new repository in DIR.
base_commit() { # base_commit DIR
	local KTREE=$1
	kgit init -q -b series
	# No identity of its own: commits made by hand carry the user's
	# (git config user.name and user.email).
	kgit config core.fileMode true
	kgit add -f -A
	GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
		kgit commit -q -m "Linux $BASE_VERSION (Debian $BASE_PKG)" \
		-m "Unpacked from /usr/src/$BASE_PKG.tar.xz, sha256 $BASE_SHA256." \
		-m "The catch-all .gitignore block Debian appends is removed."
	kgit tag "$BASE_TAG"
}

# Bring the tree to base + patches/, refusing to drop unexported work.
apply_series() {
	local p d prev n=0 unexp
	[ -z "$(kgit status --porcelain --untracked-files=no)" ] ||
		die "the kernel tree has uncommitted changes; commit (and make export) or discard them first"
	[ -d "$KTREE/.git/rebase-apply" ] &&
		die "a git am is in progress in $KTREE: finish it (git am --continue) or abort it (git am --abort)"
	unexp=$(unexported_commits)
	[ -z "$unexp" ] || die "the kernel tree holds commits that patches/ does not:
$unexp
Run 'make export' and commit patches/, or drop them yourself.  Nothing was changed."
	if tree_is_series; then
		log "kernel tree is base + patches/ ($(kgit rev-list --count "$BASE_TAG..HEAD") patches)"
		return 0
	fi
	log "applying patches/ on top of base"
	prev=$BASE_TAG
	for d in $(series_dirs); do
		kgit checkout -q -B "$d" "$prev"
		for p in $(series_patches "$d"); do
			n=$((n + 1))
			if ! kgit am -q --keep-cr "$p" >"$WORK/am.log" 2>&1; then
				cat "$WORK/am.log" >&2
				kgit am --abort >/dev/null 2>&1 || true
				die "patch $d/$(basename "$p") does not apply (failing hunk above);
the kernel tree stays at the last good commit: $(kgit log -1 --format='%h %s')"
			fi
		done
		prev=$d
	done
	[ "$prev" != "$BASE_TAG" ] || kgit checkout -q -B series "$BASE_TAG"
	log "applied $n patches"
}

# Linux 7.3's sparse check (C=2) wants a sparse that knows
# __typeof_unqual__ (scripts/checker-valid.sh); Debian 12's 0.6.4 does not,
# and kbuild then skips sparse with only a warning.  Build the one of
# Debian unstable from its source package into $SPARSE (lib.sh), once per
# machine.
install_sparse() {
	local src dir
	[ -x "$SPARSE" ] && return 0
	"$KTREE/scripts/checker-valid.sh" sparse -m64 2>/dev/null | grep -qx 1 && return 0
	log "building sparse from Debian unstable's source package (the system's is too old)"
	src=$CACHE/sparse-src
	rm -rf "$src"
	mkdir -p "$src"
	PAPT_SOURCES=("deb-src $BASE_MIRROR sid main")
	{ papt sid-src apt-get update -qq &&
	  (cd "$src" && papt sid-src apt-get source --download-only -q sparse) &&
	  tar -xzf "$src"/sparse_*.orig.tar.gz -C "$src"
	} >"$CACHE/sparse.log" 2>&1 || { tail -20 "$CACHE/sparse.log"; die "fetching sparse's source failed"; }
	dir=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'sparse*' | head -n 1)
	make -C "$dir" -j"$(nproc)" sparse HAVE_LLVM=no HAVE_SQLITE=no HAVE_GTK=no \
		>>"$CACHE/sparse.log" 2>&1 || { tail -20 "$CACHE/sparse.log"; die "building sparse failed"; }
	"$KTREE/scripts/checker-valid.sh" "$dir/sparse" -m64 | grep -qx 1 ||
		die "sparse from $dir does not pass the kernel's scripts/checker-valid.sh"
	mkdir -p "$(dirname "$SPARSE")"
	cp "$dir/sparse" "$SPARSE"
	rm -rf "$src"
}

mkdir -p "$WORK" "$CACHE"
install_packages
install_backports
if ! base_rev >/dev/null 2>&1; then
	[ -e "$KTREE" ] && die "$KTREE exists but is not a kernel tree made by this harness; move it away"
	tarball=$(fetch_base) || exit 1
	make_base_tree "$tarball"
fi
install_sparse
apply_series
