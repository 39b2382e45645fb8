# SPDX-License-Identifier: GPL-2.0
# The user's verbs; each calls one script in scripts/.  All state lives in
# the git-ignored linux/ (the kernel tree) and .work/ (builds, logs, guests).

.PHONY: all setup run test check-series bench stress export clean help

all: help

help:
	@echo "make run           set up, build the patched kernels, boot the QEMU guests"
	@echo "make test          set up and run the tests of base + committed patches/"
	@echo "make check-series  per-patch builds, cross builds, sanitizer kernels (long)"
	@echo "make bench         mapping cost, 7.3 vs. the series, arm64 under QEMU (long)"
	@echo "make stress        a million mappings on the emulated CC guest (long)"
	@echo "make export        write each series branch to its folder of patches/ (EXPORT_DIR=dir)"
	@echo "make setup         install packages, make the kernel tree, apply patches/"
	@echo "make clean         remove .work/ (builds and logs; not the kernel tree)"

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

test: setup
	@bash scripts/test.sh

check-series: setup
	@bash scripts/check-series.sh

bench: setup
	@bash scripts/bench.sh

stress: setup
	@bash scripts/stress.sh

export:
	@bash scripts/export.sh

clean:
	rm -rf .work
