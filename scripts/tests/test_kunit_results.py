# SPDX-License-Identifier: GPL-2.0
import json
import os
import re
import tempfile
import unittest

from helpers import load

kr = load('kunit_results')
BAD = re.compile(open(kr.BAD_ERE).read().strip())

REPORT = {'name': 'root', 'sub_groups': [{
    'name': 'dma-mapping-x', 'sub_groups': [], 'test_cases': [
        {'name': 'maps', 'status': 'PASS'},
        {'name': 'non coherent', 'status': 'SKIP'},
        {'name': 'unmaps', 'status': 'FAIL'}]}], 'test_cases': []}

CONSOLE = '''[12:00:00]     # Subtest: dma-mapping-x
[12:00:00]     ok 1 maps
[12:00:00]     ok 2 non coherent # SKIP every device is coherent
'''.splitlines(True)


class KunitResults(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.json = os.path.join(self.tmp.name, 'r.json')
        with open(self.json, 'w') as f:
            json.dump(REPORT, f)

    def tearDown(self):
        self.tmp.cleanup()

    def test_cases_and_skip_reason(self):
        out = kr.results('kunit/x', self.json, 1, CONSOLE, BAD)
        self.assertEqual(out, [
            'PASS kunit/x/dma-mapping-x.maps',
            'SKIP kunit/x/dma-mapping-x.non_coherent (every device is coherent)',
            'FAIL kunit/x/dma-mapping-x.unmaps',
            'PASS kunit/x/console-clean'])

    def test_no_report_fails(self):
        out = kr.results('kunit/x', self.json + '.none', 0, CONSOLE, BAD)
        self.assertTrue(out[0].startswith('FAIL kunit/x (no KUnit report'))

    def test_exit_code_without_failing_case_fails(self):
        with open(self.json, 'w') as f:
            json.dump({'name': 'root', 'test_cases': [{'name': 'a', 'status': 'PASS'}]}, f)
        out = kr.results('kunit/x', self.json, 1, CONSOLE, BAD)
        self.assertIn('FAIL kunit/x (kunit.py exited 1)', out)

    def test_only_skips_is_no_case_ran(self):
        with open(self.json, 'w') as f:
            json.dump({'name': 'root', 'test_cases': [{'name': 'a', 'status': 'SKIP'}]}, f)
        out = kr.results('kunit/x', self.json, 0, CONSOLE, BAD)
        self.assertIn('FAIL kunit/x (no test case ran)', out)

    def test_warning_in_console_fails(self):
        out = kr.results('kunit/x', self.json, 1,
                         CONSOLE + ['[12:00:01] WARNING: CPU: 0 PID: 1 at x\n'], BAD)
        self.assertTrue(out[-1].startswith('FAIL kunit/x/console-clean ('))
        self.assertIn('WARNING: CPU', out[-1])


if __name__ == '__main__':
    unittest.main()
