# Installing Framescope: `make install PREFIX=/usr/local` (DESTDIR honoured).
# Building and testing go through scripts/setup.sh (see README).
PREFIX ?= /usr/local
BIN ?= target/release/framescope

.PHONY: install
install:
	bash scripts/install.sh "$(PREFIX)" "$(BIN)"
