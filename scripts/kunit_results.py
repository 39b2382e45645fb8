#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn kunit.py's JSON report into the harness's result lines.

usage: kunit_results.py PREFIX JSON RC CONSOLE [EXPECTED-ERE-FILE]

Every leaf test case becomes one line, PASS, FAIL or SKIP (skipped cases
carry kunit's reason).  A run that produced no report, no test case or
exited non-zero without a failing case is a failure of the run itself; so
are kernel warnings, oopses or sanitizer reports in the console log.
"""
import json
import os
import re
import sys

prefix, path, rc, console = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
# Optional: a file with one ERE of console lines this run provokes on
# purpose (the misuse suite's reports); they do not fail console-clean.
expected = None
if len(sys.argv) > 5:
    with open(sys.argv[5]) as f:
        expected = re.compile(f.read().strip())
out = []


def walk(node, names):
    cases = node.get('test_cases', [])
    groups = node.get('sub_groups', [])
    for g in groups:
        walk(g, names + [g['name']])
    for c in cases:
        status = c.get('status', 'ERROR')
        word = {'PASS': 'PASS', 'SKIP': 'SKIP'}.get(status, 'FAIL')
        name = '.'.join(names[1:] + [c['name']]).replace(' ', '_')
        line = '%s %s/%s' % (word, prefix, name)
        if word == 'SKIP':
            line += ' (%s)' % skip_reasons.get((names[-1], c['name']), 'skipped')
        out.append((word, line))


# kunit.py's JSON has no skip reasons: take them from the KTAP lines, keyed
# by (parent, name) since parameters of different cases share names.  The
# parent is the innermost "# Subtest:" opened at a smaller indentation.
skip_reasons = {}
try:
    with open(console, errors='replace') as f:
        subtests = {}
        for l in f:
            l = re.sub(r'^\[[0-9:]+\] ', '', l.rstrip('\n'))
            indent = len(l) - len(l.lstrip(' '))
            m = re.match(r'\s*# Subtest: (.+)', l)
            if m:
                subtests[indent] = m.group(1).strip()
                for k in [k for k in subtests if k > indent]:
                    del subtests[k]
                continue
            m = re.match(r'\s*ok \d+ (.+?) # SKIP ?(.*)', l)
            if m:
                outer = [k for k in subtests if k <= indent]
                parent = subtests[max(outer)] if outer else ''
                skip_reasons[(parent, m.group(1).strip())] = \
                    m.group(2).strip() or 'skipped'
except OSError:
    pass

try:
    with open(path) as f:
        walk(json.load(f), ['root'])
except (OSError, ValueError) as e:
    out.append(('FAIL', 'FAIL %s (no KUnit report: %s)' % (prefix, e)))

if not any(w in ('PASS', 'FAIL') for w, _ in out):
    out.append(('FAIL', 'FAIL %s (no test case ran)' % prefix))
elif rc != 0 and not any(w == 'FAIL' for w, _ in out):
    out.append(('FAIL', 'FAIL %s (kunit.py exited %d)' % (prefix, rc)))

# The same list boot.sh checks guest consoles against.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       'console-errors.ere')) as f:
    bad = re.compile(f.read().strip())
try:
    with open(console, errors='replace') as f:
        hits = [l.rstrip() for l in f if bad.search(l) and
                not (expected and expected.search(l))]
except OSError:
    hits = ['no console log']
if hits:
    out.append(('FAIL', 'FAIL %s/console-clean (%s)' % (prefix, hits[0][:200])))
else:
    out.append(('PASS', 'PASS %s/console-clean' % prefix))

for _, line in out:
    print(line)
