#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""cover_letter.py OLD NEW BASELINE: carry the subject and text of the old
cover letter into the one git format-patch just made, and set its Base:
line.  Without an old cover letter, the placeholders stay for the author."""
import os
import re
import sys

old_path, new_path, base_line = sys.argv[1:4]
new = open(new_path).read()


def split(text):
    """Subject (unfolded), body text, and the generated rest."""
    head, _, body = text.partition('\n\n')
    m = re.search(r'^Subject: (\[[^\]]*\] )?(.*(?:\n .*)*)', head, re.M)
    subject = re.sub(r'\n ', ' ', m.group(2)) if m else ''
    # The generated part starts with the shortlog: "Author Name (N):".
    m = re.search(r'^\S.* \(\d+\):$', body, re.M)
    blurb = body[:m.start()] if m else body
    return subject, blurb.strip('\n'), body[len(blurb):] if m else ''


subject, blurb = '*** SUBJECT HERE ***', '*** BLURB HERE ***'
if os.path.exists(old_path):
    subject, blurb, _ = split(open(old_path).read())

lines = [l for l in blurb.split('\n') if not l.startswith('Base: Debian ')]
while lines and not lines[-1].strip():
    lines.pop()
blurb = '\n'.join(lines + ['', base_line])

head, _, body = new.partition('\n\n')
head = re.sub(r'(^Subject: \[[^\]]*\] )\*\*\* SUBJECT HERE \*\*\*',
              lambda m: m.group(1) + subject, head, flags=re.M)
m = re.search(r'^\S.* \(\d+\):$', body, re.M)
rest = body[m.start():] if m else ''
open(new_path, 'w').write(head + '\n\n' + blurb + '\n\n' + rest)
