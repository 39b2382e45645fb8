#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Which objects of a kbuild build directory must be compiled again when
the source files given on stdin (paths relative to the source tree, one a
line, as "git diff --name-only" prints them) change?

  affected.py BUILD_DIR SOURCE_DIR [OBJECT...]

Reads the dependency lists kbuild (fixdep) keeps in the .*.o.cmd files of
BUILD_DIR and prints the objects whose dependencies include a changed file,
one a line, relative to BUILD_DIR: exactly what "make" would compile again
for those changes.  With OBJECT arguments only those objects are
considered, and an object that has no .cmd file yet (a file the commit
adds) is printed when its source file changed.

Prints "FULL" instead when the answer needs kbuild itself: a Makefile,
Kbuild or Kconfig file changed (a new source file comes with one), a file
was removed that a Makefile may still name, a changed file feeds the
"prepare" stage (asm-offsets, linker scripts, host programs), or no .cmd
file exists (nothing built yet).
Changes under Documentation/ and tools/ (not built by kbuild) are ignored.
"""
import os
import re
import sys


def cmd_files(bdir, objects):
    if objects:
        for o in objects:
            d, b = os.path.split(o)
            yield o, os.path.join(bdir, d, "." + b + ".cmd")
        return
    for root, _, files in os.walk(bdir):
        for f in files:
            if f.startswith(".") and f.endswith(".cmd"):
                rel = os.path.relpath(os.path.join(root, f[1:-4]), bdir)
                yield rel, os.path.join(root, f)


DEP = re.compile(r"^\s+(\S+)\s*\\?$")
SRC = re.compile(r"^source_\S+ := (\S+)$")


def deps_of(path, bdir, srcdir):
    """Source-tree-relative dependencies recorded in one .cmd file."""
    out = set()
    with open(path, errors="replace") as f:
        for line in f:
            m = DEP.match(line) or SRC.match(line)
            if not m:
                continue
            p = m.group(1)
            if p.startswith("$(wildcard"):
                continue
            # Absolute, or relative to the build directory: kbuild writes
            # either, depending on how srctree was given.
            p = os.path.normpath(os.path.join(bdir, p))
            if p.startswith(srcdir + "/"):
                out.add(p[len(srcdir) + 1:])
    return out


def main():
    bdir, srcdir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    objects = sys.argv[3:]
    changed = [line.strip() for line in sys.stdin if line.strip()]
    changed = [c for c in changed
               if not c.startswith(("Documentation/", "tools/"))]
    for c in changed:
        base = os.path.basename(c)
        if base in ("Makefile", "Kbuild") or base.startswith("Kconfig") \
           or c.startswith("scripts/") or base.endswith(".lds.S"):
            print("FULL")
            return
        if not os.path.exists(os.path.join(srcdir, c)) and not objects:
            print("FULL")           # removed: a Makefile may still name it
            return
    if not changed:
        return
    changed = set(changed)
    hit, seen = [], 0
    for obj, cmd in cmd_files(bdir, objects):
        if not os.path.exists(cmd):
            src = os.path.splitext(obj)[0] + ".c"
            if src in changed:
                hit.append(obj)
            continue
        seen += 1
        d = deps_of(cmd, bdir, srcdir)
        if not d & changed:
            continue
        # Anything but a kernel object (asm-offsets.s of the prepare
        # stage, linker scripts, host programs): kbuild must regenerate
        # what depends on it.
        if not obj.endswith(".o") or obj.startswith("scripts/"):
            print("FULL")
            return
        hit.append(obj)
    if not seen and not objects:
        print("FULL")
        return
    for o in sorted(hit):
        print(o)


if __name__ == "__main__":
    main()
