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

BAD_ERE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       'console-errors.ere')


def skip_reasons(lines):
    """kunit.py's JSON has no skip reasons: take them from the KTAP lines,
    keyed by (parent, name) since parameters of different cases share
    names.  The parent is the innermost "# Subtest:" opened at a smaller
    indentation."""
    reasons, subtests = {}, {}
    for l in lines:
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
            reasons[(parent, m.group(1).strip())] = m.group(2).strip() or 'skipped'
    return reasons


def case_lines(report, prefix, reasons):
    """(word, line) for every leaf case of kunit.py's JSON report."""
    out = []

    def walk(node, names):
        for g in node.get('sub_groups', []):
            walk(g, names + [g['name']])
        for c in node.get('test_cases', []):
            word = {'PASS': 'PASS', 'SKIP': 'SKIP'}.get(c.get('status', 'ERROR'), 'FAIL')
            name = '.'.join(names[1:] + [c['name']]).replace(' ', '_')
            line = '%s %s/%s' % (word, prefix, name)
            if word == 'SKIP':
                line += ' (%s)' % reasons.get((names[-1], c['name']), 'skipped')
            out.append((word, line))

    walk(report, ['root'])
    return out


def results(prefix, path, rc, console_lines, bad, expected=None):
    """All result lines of one run."""
    reasons = skip_reasons(console_lines or [])
    try:
        with open(path) as f:
            out = case_lines(json.load(f), prefix, reasons)
    except (OSError, ValueError) as e:
        out = [('FAIL', 'FAIL %s (no KUnit report: %s)' % (prefix, e))]
    if not any(w in ('PASS', 'FAIL') for w, _ in out):
        out.append(('FAIL', 'FAIL %s (no test case ran)' % prefix))
    elif rc != 0 and not any(w == 'FAIL' for w, _ in out):
        out.append(('FAIL', 'FAIL %s (kunit.py exited %d)' % (prefix, rc)))
    if console_lines is None:
        hits = ['no console log']
    else:
        hits = [l.rstrip() for l in console_lines if bad.search(l) and
                not (expected and expected.search(l))]
    if hits:
        out.append(('FAIL', 'FAIL %s/console-clean (%s)' % (prefix, hits[0][:200])))
    else:
        out.append(('PASS', 'PASS %s/console-clean' % prefix))
    return [line for _, line in out]


def main(argv):
    prefix, path, rc, console = argv[1], argv[2], int(argv[3]), argv[4]
    # Optional: a file with one ERE of console lines this run provokes on
    # purpose; they do not fail console-clean.
    expected = None
    if len(argv) > 5:
        with open(argv[5]) as f:
            expected = re.compile(f.read().strip())
    with open(BAD_ERE) as f:
        bad = re.compile(f.read().strip())
    try:
        with open(console, errors='replace') as f:
            lines = f.readlines()
    except OSError:
        lines = None
    for line in results(prefix, path, rc, lines, bad, expected):
        print(line)


if __name__ == '__main__':
    main(sys.argv)
