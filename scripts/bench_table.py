#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench_table.py RAW T0DEV T1DEV REV ROUNDS SECONDS: the make bench report.

RAW holds lines "CLOCK ROUND GUEST CCBENCH dev=.. pages=.. threads=..
map_ns=.. unmap_ns=.. loops=.." from scripts/bench.sh.  The cost of one
mapping is map_ns + unmap_ns (dma_map_single() and dma_unmap_single(), as
the kernel's benchmark times them); each cell is the median over the
rounds.  Prints Markdown: the method, one table per clock with the ratios
the targets name, and the raw numbers."""
import statistics
import sys
from collections import defaultdict


def main():
    raw, t0, t1, rev, rounds, secs = sys.argv[1:7]
    cost = defaultdict(list)        # (clock, case, pages, threads) -> [ns]
    lines = []
    with open(raw) as rawf:
        raw_lines = rawf.readlines()
    for line in raw_lines:
        f = line.split()
        if len(f) < 5 or f[3] != 'CCBENCH' or not f[4].startswith('dev='):
            continue
        clock, rnd, guest = f[0], f[1], f[2]
        kv = dict(x.split('=', 1) for x in f[4:])
        case = guest
        if guest == 'patched-cc':
            case = {t0: 'patched-cc-t0', t1: 'patched-cc-t1'}[kv['dev']]
        ns = int(kv['map_ns']) + int(kv['unmap_ns'])
        cost[(clock, case, kv['pages'], kv['threads'])].append(ns)
        lines.append('%-6s %s %-13s %-14s %2s pages %s thr  map %6s ns  unmap %6s ns  loops %s'
                     % (clock, rnd, guest, case, kv['pages'], kv['threads'],
                        kv['map_ns'], kv['unmap_ns'], kv['loops']))

    def med(clock, case, pages, threads):
        v = cost.get((clock, case, pages, threads))
        return statistics.median(v) if v else None

    def ratio(a, b):
        return '%.3f' % (a / b) if a and b else 'n/a'

    def cell(v):
        return '%d' % v if v is not None else 'n/a'

    print('# make bench: streaming mapping cost, Linux 7.3 vs. the series (arm64, QEMU)')
    print()
    print('Series at project commit %s; %s rounds, %s s (guest time) per run.'
          % (rev, rounds, secs))
    print()
    print('Method: `scripts/bench.sh`.  The in-tree dma_map_benchmark (with the')
    print('series\' nanosecond report, which the base kernel gets too) maps and')
    print('unmaps one buffer per iteration on an idle virtio-mmio slot of QEMU\'s')
    print('virt machine (coherent, 64-bit mask, bidirectional).  Cost = average')
    print('dma_map_single() + dma_unmap_single() time in ns, median over the')
    print('rounds.  The four guests boot one after another in every round (-smp 2,')
    print('512 MiB, `dma_debug=off`, `swiotlb=16384`, CONFIG_JUMP_LABEL and')
    print('CONFIG_SWIOTLB_DYNAMIC in both kernels): **base-plain** / **patched-plain**')
    print('= no CC, nothing forced; **base-cc** = 7.3 with `swiotlb=force`, which is')
    print('what 7.3 does to every private buffer of a CC guest, a T=1 device\'s')
    print('included; **patched-cc** = the series as an emulated pKVM guest')
    print('(`cc_emulate=pkvm,nocheck`: no sharing checker, as on a real platform),')
    print('T=0 = a device outside the trust boundary (bounced through the shared')
    print('default pool), T=1 = an accepted device (mapped in place).')
    print()
    for clock in sorted({k[0] for k in cost}):
        print('## %s' % ('-icount shift=0' if clock == 'icount' else 'wall clock'))
        print()
        print('| size | thr | base plain | patched plain | ratio (<= 1.01) '
              '| base forced bounce | patched T=0 bounce | ratio (<= 1.02) '
              '| patched T=1 | base bounce / T=1 (>= 10 at 64 KiB) |')
        print('|' + '---|' * 10)
        for pages in ('1', '16'):
            for threads in ('1', '2'):
                def g(c):
                    return med(clock, c, pages, threads)
                bp, pp = g('base-plain'), g('patched-plain')
                bc, p0, p1 = g('base-cc'), g('patched-cc-t0'), g('patched-cc-t1')
                print('| %d KiB | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                    int(pages) * 4, threads, cell(bp), cell(pp), ratio(pp, bp),
                    cell(bc), cell(p0), ratio(p0, bc), cell(p1), ratio(bc, p1)))
        print()
    print('## Raw numbers')
    print()
    print('```')
    for line in lines:
        print(line)
    print('```')


if __name__ == '__main__':
    main()
