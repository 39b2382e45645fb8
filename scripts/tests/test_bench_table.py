# SPDX-License-Identifier: GPL-2.0
import contextlib
import io
import os
import sys
import tempfile
import unittest

from helpers import load

bt = load('bench_table')

T0, T1 = 'a000000.virtio_mmio', 'a000200.virtio_mmio'


def line(clock, rnd, guest, dev, pages, threads, map_ns, unmap_ns):
    return ('%s %s %s CCBENCH dev=%s pages=%s threads=%s map_ns=%d unmap_ns=%d loops=1000\n'
            % (clock, rnd, guest, dev, pages, threads, map_ns, unmap_ns))


class BenchTable(unittest.TestCase):
    def table(self, lines):
        with tempfile.NamedTemporaryFile('w', delete=False) as f:
            f.writelines(lines)
        out = io.StringIO()
        argv = sys.argv
        sys.argv = ['bench_table.py', f.name, T0, T1, 'abc1234', '3', '1']
        try:
            with contextlib.redirect_stdout(out):
                bt.main()
        finally:
            sys.argv = argv
            os.unlink(f.name)
        return out.getvalue()

    def row(self, text, size, threads):
        for r in text.splitlines():
            if r.startswith('| %s | %s |' % (size, threads)):
                return [c.strip() for c in r.strip('|').split('|')]
        self.fail('no row %s %s' % (size, threads))

    def test_medians_and_ratios(self):
        lines = []
        # base plain 400, 410, 900 (median 410); patched plain 400+10 once
        for rnd, ns in (('1', 400), ('2', 410), ('3', 900)):
            lines.append(line('icount', rnd, 'base-plain', T0, 1, 1, ns - 100, 100))
            lines.append(line('icount', rnd, 'patched-plain', T0, 1, 1, ns - 90, 100))
            lines.append(line('icount', rnd, 'base-cc', T0, 1, 1, 4000, 1000))
            lines.append(line('icount', rnd, 'patched-cc', T0, 1, 1, 4050, 1050))
            lines.append(line('icount', rnd, 'patched-cc', T1, 1, 1, 300, 200))
        r = self.row(self.table(lines), '4 KiB', '1')
        self.assertEqual(r[2:5], ['410', '420', '1.024'])
        self.assertEqual(r[5:8], ['5000', '5100', '1.020'])
        self.assertEqual(r[8:10], ['500', '10.000'])

    def test_missing_cells(self):
        r = self.row(self.table([line('icount', '1', 'base-plain', T0, 16, 2, 800, 200)]),
                     '64 KiB', '2')
        self.assertEqual(r[2:5], ['1000', 'n/a', 'n/a'])

    def test_other_lines_ignored(self):
        text = self.table(['icount 1 base-plain CCBENCH done\n', 'garbage\n'])
        self.assertNotIn('| 4 KiB |', text)


if __name__ == '__main__':
    unittest.main()
