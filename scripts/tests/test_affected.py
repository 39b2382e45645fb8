# SPDX-License-Identifier: GPL-2.0
import io
import os
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

from helpers import SCRIPTS, load

affected = load('affected')


class Affected(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.src = os.path.join(self.tmp.name, 'linux')
        self.bdir = os.path.join(self.tmp.name, 'build')
        for d in ('kernel/dma', 'include/linux'):
            os.makedirs(os.path.join(self.src, d))
            os.makedirs(os.path.join(self.bdir, d))
        for f in ('kernel/dma/swiotlb.c', 'kernel/dma/direct.c',
                  'include/linux/swiotlb.h'):
            open(os.path.join(self.src, f), 'w').close()
        self.cmd('kernel/dma/swiotlb.o', ['kernel/dma/swiotlb.c',
                                          'include/linux/swiotlb.h'])
        self.cmd('kernel/dma/direct.o', ['kernel/dma/direct.c'])

    def tearDown(self):
        self.tmp.cleanup()

    def cmd(self, obj, deps):
        d, b = os.path.split(obj)
        with open(os.path.join(self.bdir, d, '.' + b + '.cmd'), 'w') as f:
            f.write('source_%s := %s\n' % (obj, os.path.join(self.src, deps[0])))
            f.write('deps_%s := \\\n' % obj)
            for p in deps:
                f.write('  %s \\\n' % os.path.join(self.src, p))
            f.write('  $(wildcard include/config/FOO) \\\n\n')

    def run_main(self, changed, objects=()):
        argv = ['affected.py', self.bdir, self.src] + list(objects)
        out = io.StringIO()
        old = sys.argv, sys.stdin
        sys.argv, sys.stdin = argv, io.StringIO(''.join(c + '\n' for c in changed))
        try:
            with redirect_stdout(out):
                affected.main()
        finally:
            sys.argv, sys.stdin = old
        return out.getvalue().split()

    def test_header_change_hits_its_users(self):
        self.assertEqual(self.run_main(['include/linux/swiotlb.h']),
                         ['kernel/dma/swiotlb.o'])

    def test_source_change_hits_its_object(self):
        self.assertEqual(self.run_main(['kernel/dma/direct.c']),
                         ['kernel/dma/direct.o'])

    def test_makefile_change_is_full(self):
        self.assertEqual(self.run_main(['kernel/dma/Makefile']), ['FULL'])

    def test_documentation_only_is_nothing(self):
        self.assertEqual(self.run_main(['Documentation/core-api/dma-api.rst']), [])

    def test_nothing_built_is_full(self):
        self.bdir = os.path.join(self.tmp.name, 'empty')
        os.makedirs(self.bdir)
        self.assertEqual(self.run_main(['kernel/dma/direct.c']), ['FULL'])

    def test_new_object_of_the_list(self):
        open(os.path.join(self.src, 'kernel/dma/new.c'), 'w').close()
        self.assertEqual(self.run_main(['kernel/dma/new.c'], ['kernel/dma/new.o']),
                         ['kernel/dma/new.o'])

    def test_crash_exits_non_zero(self):
        # A crash must not read as "no object depends on the change".
        r = subprocess.run([sys.executable, os.path.join(SCRIPTS, 'affected.py')],
                           input='kernel/dma/direct.c\n', capture_output=True,
                           text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, '')


if __name__ == '__main__':
    unittest.main()
