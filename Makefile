# Installing Framescope (the player and the C ABI for C and Python):
# `make install PREFIX=/usr/local` (DESTDIR honoured).
# Building and testing go through scripts/setup.sh (see README).
PREFIX ?= /usr/local
BIN ?= target/release/framescope

.PHONY: install
install:
	bash scripts/install.sh "$(PREFIX)" "$(BIN)"
