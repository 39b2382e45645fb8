# SPDX-License-Identifier: GPL-2.0
#
# gdb-multiarch -batch -ex "file VMLINUX" -x scripts/fasttrace.py
#
# Attached to a benchmark guest started with -S -gdb (scripts/fasttrace.sh),
# waits for dma_map_benchmark's thread, lets it map and unmap a few times,
# then single-steps one dma_map_page_attrs() and the following
# dma_unmap_page_attrs() to their return and prints how many instructions
# each function on the way executed:
#   FASTTRACE fn=FUNCTION total=N
#   FASTTRACE fn=FUNCTION callee=NAME n=N
# QEMU's gdbstub steps with interrupts and timers masked, so nothing else
# runs in between.  FASTTRACE_PORT is the gdbstub's TCP port.
import collections
import os

import gdb

SKIP = 5		# warm-up mappings before the traced one
LIMIT = 20000		# an unmap or map that long is a bug, not a trace


def function_at(pc):
    block = gdb.block_for_pc(pc)
    while block is not None and block.function is None:
        block = block.superblock
    if block is not None:
        return block.function.name
    sym = gdb.execute("info symbol 0x%x" % pc, to_string=True).split()
    return sym[0] if sym else hex(pc)


def trace(func):
    gdb.execute("break *%s" % func)
    for _ in range(SKIP + 1):
        gdb.execute("continue")
    gdb.execute("delete")
    # At the first instruction, LR holds the return address; a kernel text
    # address with its pointer authentication code stripped has all top
    # bits set.
    ret = (int(gdb.parse_and_eval("$x30")) | 0xffff000000000000) & (2**64 - 1)
    counts = collections.Counter()
    n = 0
    while n < LIMIT:
        pc = int(gdb.parse_and_eval("$pc")) & (2**64 - 1)
        if pc == ret:
            break
        counts[function_at(pc)] += 1
        n += 1
        gdb.execute("stepi", to_string=True)
    else:
        print("FASTTRACE fn=%s error=no-return-after-%d" % (func, LIMIT))
    print("FASTTRACE fn=%s total=%d" % (func, n))
    for callee, c in counts.most_common():
        print("FASTTRACE fn=%s callee=%s n=%d" % (func, callee, c))


gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote :%s" % os.environ["FASTTRACE_PORT"])
gdb.execute("break map_benchmark_thread")
gdb.execute("continue")
gdb.execute("delete")
trace("dma_map_page_attrs")
trace("dma_unmap_page_attrs")
gdb.execute("kill")
