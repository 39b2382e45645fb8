# SPDX-License-Identifier: GPL-2.0
# The user's verbs; each calls one script in scripts/.  All state lives in
# the git-ignored linux/ (the kernel tree) and .work/ (builds, logs, guests).

.PHONY: all setup run test stress bench export clean help

all: help

help:
	@echo "make run     set up, build the patched kernels, boot the QEMU guests"
	@echo "make test    set up and run every test on base + committed patches/"
	@echo "make stress  1,000,000-mapping stress and sanitizer kernels (long)"
	@echo "make bench   benchmark streaming mappings, base vs. patched (arm64)"
	@echo "make export  regenerate patches/ from the kernel tree (EXPORT_DIR=dir)"
	@echo "make setup   install packages, make the kernel tree, apply patches/"
	@echo "make clean   remove .work/ (builds and logs; not the kernel tree)"

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

test: setup
	@bash scripts/test.sh

stress: setup
	@bash scripts/stress.sh

bench: setup
	@bash scripts/bench.sh

export:
	@bash scripts/export.sh

clean:
	rm -rf .work
