# SPDX-License-Identifier: GPL-2.0
import struct
import unittest

from helpers import load

cd = load('check_disk')


class CheckDisk(unittest.TestCase):
    def pattern(self, name, words=512):
        seed = cd.disk_seed(name)
        return struct.pack('<%dQ' % words, *(cd.pattern_word(i, seed) for i in range(words)))

    def test_pattern_matches(self):
        self.assertIsNone(cd.check(self.pattern('vda'), 'vda'))

    def test_other_disk_differs(self):
        self.assertEqual(cd.check(self.pattern('vdb'), 'vda'), 0)

    def test_first_difference(self):
        data = bytearray(self.pattern('vda'))
        data[100] ^= 1
        self.assertEqual(cd.check(bytes(data), 'vda'), 96)

    def test_known_values(self):
        # guest/init.c computes the same words.
        self.assertEqual(cd.disk_seed(''), 1469598103934665603)
        self.assertEqual(cd.pattern_word(0, 0), 0)


if __name__ == '__main__':
    unittest.main()
