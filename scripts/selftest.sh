#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input, on purpose: the harness must fail cleanly and say why.
#   base-sum     a base tarball whose sha256 differs from the pin: setup
#                stops, names the pin line and the versions available, and
#                leaves no kernel tree behind
#   bad-patch    a patch that does not apply: setup stops, names the patch
#                and the failing hunk, and the tree stays at the last good
#                commit
#   unexported   rerunning setup with a commit in the kernel tree that
#                patches/ lacks: it refuses and keeps the commit
#   guest-hang   a guest that never finishes: a timed-out failure with the
#                console tail, not a hung make test
# Each runs on a scratch copy of the project under .work/selftest.
set -eu
. "$(dirname "$0")/lib.sh"

S=$WORK/selftest
rm -rf "$S"
mkdir -p "$S"

# A scratch project: the scripts and configs, with its own state dirs.
scratch() {
	local d=$S/$1
	mkdir -p "$d"
	cp -r "$TOP/scripts" "$TOP/configs" "$TOP/guest" "$TOP/base.conf" "$d/"
	mkdir -p "$d/patches"
	echo "$d"
}

expect() { # expect NAME CONDITION-EXIT-CODE
	if [ "$2" = 0 ]; then result PASS "selftest/$1"; else result FAIL "selftest/$1"; fi
}

# base-sum: the real package, a wrong pin.
d=$(scratch base-sum)
sed -i "s/ [0-9a-f]\{64\}\"/ $(printf '0%.0s' $(seq 64))\"/" "$d/base.conf"
mkdir -p "$S/cache/debs"
ln -sf "$CACHE/debs/"*.deb "$S/cache/debs/" 2>/dev/null || true
rc=0
CC_DMA_CACHE=$S/cache bash "$d/scripts/setup.sh" >"$d/out" 2>&1 || rc=$?
[ $rc != 0 ] && grep -q 'sha256 mismatch' "$d/out" && grep -q 'BASE_PIN' "$d/out" &&
	[ ! -e "$d/linux" ] && ! ls -d "$d"/linux.tmp.* >/dev/null 2>&1
expect "base-sum-mismatch-refused" $?

# bad-patch: patch 1 of the series is good, patch 2 is not.
d=$(scratch bad-patch)
git clone -q --shared "$KTREE" "$d/linux"
git -C "$d/linux" fetch -q "$KTREE" "refs/tags/$BASE_TAG:refs/tags/$BASE_TAG"
git -C "$d/linux" checkout -q -B series "$BASE_TAG"
first=$(series_patches | head -n 1)
if [ -n "$first" ]; then
	cp "$first" "$d/patches/"
	# The same change again, with a context line that matches nothing.
	python3 - "$first" "$d/patches/0002-broken.patch" <<-'PY'
	import re, sys
	s = open(sys.argv[1]).read()
	s = re.sub(r'^Subject: .*$', 'Subject: [PATCH] broken on purpose', s, 1, re.M)
	s = re.sub(r'^(@@ .*\n)((?:[-+].*\n)*) (.*)$', r'\1\2 no such line', s, 1, re.M)
	open(sys.argv[2], 'w').write(s)
	PY
	rc=0
	CC_DMA_CACHE=$S/cache bash "$d/scripts/setup.sh" >"$d/out" 2>&1 || rc=$?
	good=$(git -C "$d/linux" rev-parse 'HEAD^{tree}')
	idx=$S/bad-patch.index
	GIT_INDEX_FILE=$idx git -C "$d/linux" read-tree "$BASE_TAG"
	GIT_INDEX_FILE=$idx git -C "$d/linux" apply --cached "$first"
	want=$(GIT_INDEX_FILE=$idx git -C "$d/linux" write-tree)
	[ $rc != 0 ] && grep -q '0002-broken.patch does not apply' "$d/out" &&
		grep -q '^error: ' "$d/out" &&
		[ "$good" = "$want" ] &&
		[ ! -d "$d/linux/.git/rebase-apply" ]
	expect "bad-patch-stops-at-last-good" $?

	# unexported: a commit that patches/ lacks survives a rerun.
	rm -f "$d/patches/0002-broken.patch"
	echo '/* scratch */' >>"$d/linux/README"
	git -C "$d/linux" commit -q -a -m "not exported"
	rc=0
	CC_DMA_CACHE=$S/cache bash "$d/scripts/setup.sh" >"$d/out2" 2>&1 || rc=$?
	[ $rc != 0 ] && grep -q 'not exported' "$d/out2" &&
		[ "$(git -C "$d/linux" log -1 --format=%s)" = "not exported" ]
	expect "unexported-commit-kept" $?
else
	result FAIL "selftest/bad-patch (the series has no patch to start from)"
fi

# guest-hang: QEMU started paused never finishes.
d=$(scratch guest-hang)
mkdir -p "$d/.work"
ln -s "$WORK/build" "$d/.work/build"
rc=0
BOOT_TIMEOUT=15 BOOT_QEMU_EXTRA=-S bash "$d/scripts/boot.sh" x86_64-swiotlb-force \
	>"$d/out" 2>&1 || rc=$?
grep -q '^FAIL boot/x86_64-swiotlb-force/no-timeout' "$d/.work/results" &&
	grep -q 'last 50 console lines' "$d/out"
expect "guest-hang-times-out" $?
