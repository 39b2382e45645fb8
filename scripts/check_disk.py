#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check_disk.py IMAGE NAME: does IMAGE hold the pattern guest/init.c writes
on the disk the guest calls NAME?  Exit 0 if the whole region matches."""
import struct
import sys

REGION = 4 << 20
M = (1 << 64) - 1


def pattern_word(index, seed):
    z = (index * 0x9e3779b97f4a7c15 + seed) & M
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    return z ^ (z >> 31)


def disk_seed(name):
    seed = 1469598103934665603
    for c in name.encode():
        seed = ((seed ^ c) * 1099511628211) & M
    return seed


def check(data, name):
    """None if DATA is the pattern of NAME, else the first bad offset."""
    seed = disk_seed(name)
    words = struct.unpack('<%dQ' % (len(data) // 8), data)
    for i, w in enumerate(words):
        if w != pattern_word(i, seed):
            return i * 8
    return None


def main(argv):
    image, name = argv[1], argv[2]
    with open(image, 'rb') as f:
        data = f.read(REGION)
    if len(data) != REGION:
        sys.exit('%s: shorter than the %d-byte region' % (image, REGION))
    bad = check(data, name)
    if bad is not None:
        sys.exit('%s: first difference at byte %d' % (image, bad))
    print('%s: %d bytes match the pattern of %s' % (image, REGION, name))


if __name__ == '__main__':
    main(sys.argv)
