#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The harness checks itself:
#   lint         scripts/*.sh and scripts/qemu-tcg pass shellcheck
#   qemu-tcg     the QEMU wrapper of kunit.py drops -accel kvm and hvf, keeps
#                -accel tcg and every other argument
#   python       the unit tests of the Python helpers (scripts/tests/), one
#                check per test
#   config       a symbol a fragment asks for that the .config lacks is named
# and bad input, on purpose: the harness must fail cleanly and say why.
#   base-sum     a base tarball whose sha256 differs from the pin: setup
#                stops, names the pin line and the versions available, and
#                leaves no kernel tree behind
#   bad-patch    a patch that does not apply: setup stops, names the patch
#                and the failing hunk, and the tree stays at the last good
#                commit
#   unexported   rerunning setup with a commit in the kernel tree that
#                patches/ lacks: it refuses and keeps the commit
#   export       two series branches export to two folders, the second
#                cover letter naming the first; a branch off the chain is
#                left out
#   guest-init   a guest/init.c that does not compile fails the guest
#   guest-hang   a guest that never finishes: a timed-out failure with the
#                console tail, not a hung make test
# Each runs on a scratch copy of the project under .work/selftest.
set -euo pipefail
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
if [ $rc != 0 ] && grep -q 'sha256 mismatch' "$d/out" && grep -q 'BASE_PIN' "$d/out" &&
	[ ! -e "$d/linux" ] && ! ls -d "$d"/linux.tmp.* >/dev/null 2>&1; then
	expect "base-sum-mismatch-refused" 0
else
	expect "base-sum-mismatch-refused" 1
fi

# lint: shellcheck of the scripts, with the project's .shellcheckrc.
out=$(cd "$TOP" && shellcheck -x scripts/*.sh scripts/qemu-tcg 2>&1) && rc=0 || rc=$?
[ $rc = 0 ] || printf '%s\n' "$out" | head -40 >&2
expect "shellcheck" $rc

# qemu-tcg: what reaches QEMU when kunit.py asks for KVM first.
mkdir -p "$S/qemu/real" "$S/qemu/bin"
printf '#!/bin/sh\necho "$@"\n' >"$S/qemu/real/qemu-system-x86_64"
chmod +x "$S/qemu/real/qemu-system-x86_64"
ln -sf "$TOP/scripts/qemu-tcg" "$S/qemu/bin/qemu-system-x86_64"
out=$(QEMU_TCG_REAL_DIR=$S/qemu/real "$S/qemu/bin/qemu-system-x86_64" -m 1024 \
	-accel kvm -accel hvf -accel tcg -append 'a b' 2>&1) && rc=0 || rc=$?
if [ $rc = 0 ] && [ "$out" = "-m 1024 -accel tcg -append a b" ]; then
	expect "qemu-tcg-drops-kvm" 0
else
	printf '    qemu-tcg passed: %s\n' "$out" >&2
	expect "qemu-tcg-drops-kvm" 1
fi

# python: one check per unit test.
rc=0
(cd "$TOP/scripts/tests" && python3 -m unittest -v) >"$S/unittest.log" 2>&1 || rc=$?
sed -nE 's/^(test[^ ]*) \(([^)]*)\) \.\.\. (.*)$/\2 \3/p' "$S/unittest.log" |
while read -r name verdict; do
	case $verdict in
	ok) result PASS "selftest/python/$name" ;;
	skipped*) result SKIP "selftest/python/$name ($verdict)" ;;
	*) result FAIL "selftest/python/$name ($verdict)" ;;
	esac
done
if grep -q '^Ran [1-9]' "$S/unittest.log"; then
	expect "python-tests-ran" 0
else
	expect "python-tests-ran" 1
fi
[ $rc = 0 ] || { tail -30 "$S/unittest.log" >&2; result FAIL "selftest/python (unittest exited $rc)"; }

# config: config_missing names what the .config lacks.
printf 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=m\nCONFIG_D=y\n' >"$S/frag"
printf 'CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=m\n' >"$S/config"
if [ "$(config_missing "$S/config" "$S/frag" | cut -d' ' -f1 | paste -sd ' ' -)" = "CONFIG_B=n CONFIG_D=y" ]; then
	expect "config-missing-named" 0
else
	expect "config-missing-named" 1
fi

# A scratch kernel tree: a clone of the base.
ktree() { # ktree DIR
	git clone -q --shared "$KTREE" "$1/linux"
	git -C "$1/linux" fetch -q "$KTREE" "refs/tags/$BASE_TAG:refs/tags/$BASE_TAG"
	git -C "$1/linux" checkout -q -B series "$BASE_TAG"
	git -C "$1/linux" for-each-ref --format='%(refname:short)' refs/heads/ |
		{ grep -vx series || true; } | xargs -r git -C "$1/linux" branch -q -D
	git -C "$1/linux" config user.name "Self Test"
	git -C "$1/linux" config user.email "selftest@example.org"
}

# bad-patch: patch 1 of series 01-a is good, patch 2 is not.
d=$(scratch bad-patch)
ktree "$d"
echo '/* selftest */' >>"$d/linux/README"
git -C "$d/linux" commit -q -a -s -m "README: a line for the selftest"
mkdir -p "$d/patches/01-a"
git -C "$d/linux" format-patch -q -o "$d/patches/01-a" -1
first=$(ls "$d"/patches/01-a/0001-*.patch)
git -C "$d/linux" reset -q --hard "$BASE_TAG"
# The same change again, with a context line that matches nothing.
python3 - "$first" "$d/patches/01-a/0002-broken.patch" <<-'PY'
import re, sys
s = open(sys.argv[1]).read()
s = re.sub(r'^Subject: .*$', 'Subject: [PATCH] broken on purpose', s, count=1, flags=re.M)
s = re.sub(r'^(@@ .*\n)((?:[-+].*\n)*) (.*)$', r'\1\2 no such line', s, count=1, flags=re.M)
open(sys.argv[2], 'w').write(s)
PY
rc=0
CC_DMA_CACHE=$S/cache bash "$d/scripts/setup.sh" >"$d/out" 2>&1 || rc=$?
good=$(git -C "$d/linux" rev-parse 'HEAD^{tree}')
idx=$S/bad-patch.index
GIT_INDEX_FILE=$idx git -C "$d/linux" read-tree "$BASE_TAG"
GIT_INDEX_FILE=$idx git -C "$d/linux" apply --cached "$first"
want=$(GIT_INDEX_FILE=$idx git -C "$d/linux" write-tree)
rm -f "$idx"
if [ $rc != 0 ] && grep -q '0002-broken.patch does not apply' "$d/out" &&
	grep -q '^error: ' "$d/out" &&
	[ "$good" = "$want" ] &&
	[ ! -d "$d/linux/.git/rebase-apply" ]; then
	expect "bad-patch-stops-at-last-good" 0
else
	expect "bad-patch-stops-at-last-good" 1
fi

# unexported: a commit that patches/ lacks survives a rerun.
rm -f "$d/patches/01-a/0002-broken.patch"
echo '/* scratch */' >>"$d/linux/README"
git -C "$d/linux" commit -q -a -m "not exported"
rc=0
CC_DMA_CACHE=$S/cache bash "$d/scripts/setup.sh" >"$d/out2" 2>&1 || rc=$?
if [ $rc != 0 ] && grep -q 'not exported' "$d/out2" &&
	[ "$(git -C "$d/linux" log -1 --format=%s)" = "not exported" ]; then
	expect "unexported-commit-kept" 0
else
	expect "unexported-commit-kept" 1
fi

# export: 01-a and 02-b export to two folders; 03-off, not on top of
# 02-b, is left out.
d=$(scratch export)
ktree "$d"
git -C "$d/linux" checkout -q -b 01-a "$BASE_TAG"
echo '/* a */' >>"$d/linux/README"
git -C "$d/linux" commit -q -a -s -m "README: a"
git -C "$d/linux" checkout -q -b 02-b
echo '/* b */' >>"$d/linux/README"
git -C "$d/linux" commit -q -a -s -m "README: b"
git -C "$d/linux" branch -q 03-off "$BASE_TAG"
rc=0
EXPORT_DIR=$d/out bash "$d/scripts/export.sh" >"$d/log" 2>&1 || rc=$?
if [ $rc = 0 ] && [ -f "$d/out/01-a/0001-README-a.patch" ] &&
	[ -f "$d/out/02-b/0001-README-b.patch" ] && [ ! -e "$d/out/03-off" ] &&
	grep -q '^Base: Debian .*, after the series 01-a\.$' "$d/out/02-b/0000-cover-letter.patch" &&
	grep -q '^Base: Debian .*)\.$' "$d/out/01-a/0000-cover-letter.patch" &&
	grep -q '^From: Self Test <selftest@example.org>$' "$d/out/02-b/0000-cover-letter.patch" &&
	grep -q '03-off is not on top of 02-b' "$d/log"; then
	expect "export-one-folder-per-series" 0
else
	expect "export-one-folder-per-series" 1
fi

# guest-init: a guest/init.c that does not compile fails the guest.
d=$(scratch guest-init)
mkdir -p "$d/.work"
ln -s "$WORK/build" "$d/.work/build"
echo 'this is not C;' >>"$d/guest/init.c"
rc=0
bash "$d/scripts/boot.sh" x86_64-swiotlb-force >"$d/out" 2>&1 || rc=$?
if grep -q '^FAIL boot/x86_64-swiotlb-force/\(initramfs\|kernel\)' "$d/.work/results" &&
	! grep -q '^PASS ' "$d/.work/results"; then
	expect "guest-init-compile-error-fails" 0
else
	expect "guest-init-compile-error-fails" 1
fi

# guest-hang: QEMU started paused never finishes.
d=$(scratch guest-hang)
mkdir -p "$d/.work"
ln -s "$WORK/build" "$d/.work/build"
rc=0
BOOT_TIMEOUT=15 BOOT_QEMU_EXTRA=-S bash "$d/scripts/boot.sh" x86_64-swiotlb-force \
	>"$d/out" 2>&1 || rc=$?
if grep -q '^FAIL boot/x86_64-swiotlb-force/no-timeout' "$d/.work/results" &&
	grep -q 'last 50 console lines' "$d/out"; then
	expect "guest-hang-times-out" 0
else
	expect "guest-hang-times-out" 1
fi
