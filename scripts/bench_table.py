#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench_table.py RAW T0DEV T1DEV SHDEV REV ROUNDS SECONDS: the make bench report.

RAW holds lines "CLOCK ROUND GUEST CCBENCH dev=.. mem=.. pages=.. threads=..
map_ns=.. unmap_ns=.. loops=.." from scripts/bench.sh.  The cost of one
mapping is map_ns + unmap_ns (dma_map_single() and dma_unmap_single(), as
the kernel's benchmark times them); each cell is the median over the rounds.
Prints Markdown: the method, one table per clock with the ratios the
targets name, and the raw numbers."""
import statistics
import sys
from collections import defaultdict

raw, t0, t1, sh, rev, rounds, secs = sys.argv[1:8]

cost = defaultdict(list)        # (clock, case, pages, threads) -> [ns]
lines = []
for line in open(raw):
    f = line.split()
    if len(f) < 4 or f[3] != 'CCBENCH' or not f[4].startswith('dev='):
        continue
    clock, rnd, guest = f[0], f[1], f[2]
    kv = dict(x.split('=', 1) for x in f[4:])
    if guest.endswith('-cc') and guest.startswith('patched'):
        case = {(t0, '0'): 'patched-cc-private', (sh, '1'): 'patched-cc-shared',
                (t1, '0'): 'patched-cc-t1'}[(kv['dev'], kv['mem'])]
    else:
        case = guest
    ns = int(kv['map_ns']) + int(kv['unmap_ns'])
    cost[(clock, case, kv['pages'], kv['threads'])].append(ns)
    lines.append('%-6s %s %-13s %-19s %2s pages %s thr  map %6s ns  unmap %6s ns  loops %s'
                 % (clock, rnd, guest, case, kv['pages'], kv['threads'],
                    kv['map_ns'], kv['unmap_ns'], kv['loops']))


def med(clock, case, pages, threads):
    v = cost.get((clock, case, pages, threads))
    return statistics.median(v) if v else None


def ratio(a, b):
    return '%.3f' % (a / b) if a and b else 'n/a'


print('# make bench: streaming mapping cost, base vs. patched (arm64, QEMU)')
print()
print('Series at project commit %s; %s rounds, %s s (guest time) per run.' % (rev, rounds, secs))
print()
print('Method: `scripts/bench.sh`.  The in-tree dma_map_benchmark (extended to')
print('report nanoseconds and to map DMA_ATTR_CC_SHARED memory) maps and unmaps')
print('one buffer per iteration on an idle virtio-mmio slot of QEMU\'s virt')
print('machine (coherent, 64-bit mask, bidirectional; DMA_ATTR_CC_SHARED on a T=0')
print('device of its own that never bounced).  Cost = average')
print('dma_map_single() + dma_unmap_single() time in ns, median over the')
print('rounds.  The four guests boot one after another in every round (same')
print('machine, -smp 2, 512 MiB, `dma_debug=off`, `swiotlb=16384`): **base-cc**')
print('= base + test infrastructure with `swiotlb=force` (what SWIOTLB_FORCE does')
print('in a 6.12 CC guest), **patched-cc** = the series as the emulated CC guest')
print('(`cc_emulate=share,nocheck`, no checker: what a real platform runs),')
print('**base-plain** / **patched-plain** = no CC, no forced bounce.  First with')
print('`-icount shift=0` (guest time counts instructions: repeatable ratios),')
print('then on the wall clock.')
print()
for clock in ('icount', 'wall'):
    print('## %s' % ('-icount shift=0' if clock == 'icount' else 'wall clock'))
    print()
    print('| size | thr | base plain | patched plain | ratio (<= 1.01) | base forced bounce '
          '| patched T=0 private | ratio (<= 1.02) | patched CC_SHARED | vs plain (<= 1.2) '
          '| bounce / CC_SHARED (>= 10 at 64K) | patched T=1 | vs plain (<= 1.2) '
          '| bounce / T=1 (>= 10 at 64K) |')
    print('|' + '---|' * 14)
    for pages in ('1', '16'):
        for threads in ('1', '2'):
            g = lambda c: med(clock, c, pages, threads)
            bp, pp = g('base-plain'), g('patched-plain')
            bc, pc = g('base-cc'), g('patched-cc-private')
            sh, t1v = g('patched-cc-shared'), g('patched-cc-t1')
            cell = lambda v: '%d' % v if v is not None else 'n/a'
            print('| %d KiB | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                int(pages) * 4, threads, cell(bp), cell(pp), ratio(pp, bp), cell(bc),
                cell(pc), ratio(pc, bc), cell(sh), ratio(sh, pp), ratio(bc, sh),
                cell(t1v), ratio(t1v, pp), ratio(bc, t1v)))
    print()
print('## Raw numbers')
print()
print('```')
for line in lines:
    print(line)
print('```')
