#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""cover_letter.py OLD NEW BASELINE: carry the subject and text of the old
cover letter into the one git format-patch just made, and set its Base:
line (any line of the text starting with "Base: " is replaced by
BASELINE).  Without an old cover letter, the placeholders stay for the
author."""
import os
import re
import sys

PLACEHOLDER_SUBJECT = '*** SUBJECT HERE ***'
PLACEHOLDER_BLURB = '*** BLURB HERE ***'
# The generated part starts with the shortlog: "Author Name (N):".
SHORTLOG = re.compile(r'^\S.* \(\d+\):$', re.M)


def split(text):
    """Subject (unfolded), body text, and the generated rest."""
    head, _, body = text.partition('\n\n')
    m = re.search(r'^Subject: (\[[^\]]*\] )?(.*(?:\n .*)*)', head, re.M)
    subject = re.sub(r'\n ', ' ', m.group(2)) if m else ''
    m = SHORTLOG.search(body)
    blurb = body[:m.start()] if m else body
    return subject, blurb.strip('\n'), body[len(blurb):] if m else ''


def merge(old, new, base_line):
    """The new cover letter with OLD's subject and text (or None)."""
    subject, blurb = PLACEHOLDER_SUBJECT, PLACEHOLDER_BLURB
    if old is not None:
        subject, blurb, _ = split(old)
    lines = [l for l in blurb.split('\n') if not l.startswith('Base: ')]
    while lines and not lines[-1].strip():
        lines.pop()
    blurb = '\n'.join(lines + ['', base_line])
    head, _, body = new.partition('\n\n')
    head = re.sub(r'(^Subject: \[[^\]]*\] )\*\*\* SUBJECT HERE \*\*\*',
                  lambda m: m.group(1) + subject, head, flags=re.M)
    m = SHORTLOG.search(body)
    rest = body[m.start():] if m else ''
    return head + '\n\n' + blurb + '\n\n' + rest


def main(argv):
    old_path, new_path, base_line = argv[1:4]
    old = None
    if os.path.exists(old_path):
        with open(old_path) as f:
            old = f.read()
    with open(new_path) as f:
        new = f.read()
    with open(new_path, 'w') as f:
        f.write(merge(old, new, base_line))


if __name__ == '__main__':
    main(sys.argv)
