# SPDX-License-Identifier: GPL-2.0
import unittest

from helpers import load

cl = load('cover_letter')

NEW = '''From 0000 Mon Sep 17 00:00:00 2001
From: A U Thor <a@example.org>
Subject: [PATCH 0/2] *** SUBJECT HERE ***

*** BLURB HERE ***

A U Thor (2):
  one
  two

 kernel/dma/swiotlb.c | 1 +

base-commit: 1234
'''

OLD = '''From 0000 Mon Sep 17 00:00:00 2001
From: A U Thor <a@example.org>
Subject: [PATCH 0/1] dma: fix the
 bounce path

Text of the series.

Changes since v1:
- one

Base: Debian linux-source-7.3 old (tarball sha256 0).

A U Thor (1):
  one
'''


class CoverLetter(unittest.TestCase):
    def test_keeps_subject_and_text(self):
        out = cl.merge(OLD, NEW, 'Base: new.')
        self.assertIn('Subject: [PATCH 0/2] dma: fix the bounce path\n', out)
        self.assertIn('Text of the series.\n\nChanges since v1:\n- one\n\nBase: new.\n', out)
        self.assertNotIn('sha256 0', out)
        self.assertIn('A U Thor (2):\n', out)
        self.assertIn('base-commit: 1234', out)

    def test_without_old_keeps_placeholders(self):
        out = cl.merge(None, NEW, 'Base: new, after the series 01-fixes.')
        self.assertIn('*** SUBJECT HERE ***', out)
        self.assertIn('*** BLURB HERE ***\n\nBase: new, after the series 01-fixes.\n', out)

    def test_base_line_is_not_repeated(self):
        once = cl.merge(OLD, NEW, 'Base: new.')
        twice = cl.merge(once, NEW, 'Base: new.')
        self.assertEqual(once, twice)


if __name__ == '__main__':
    unittest.main()
