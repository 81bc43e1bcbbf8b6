# The two commands a newcomer needs (see README.md):
#   make site   set up, then build the site from the content shipped in content/
#   make test   set up, then run the whole test suite
# Everything is installed into .venv/, so nothing needs to be installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Debian packages the tests use: Chromium for the browser tests, curl and jq for the API
# page's example. Installing them needs root (as in CI) or sudo; each package is named as its program.
TOOLS := /usr/bin/chromium /usr/bin/curl /usr/bin/jq
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site test setup clean bench

$(BIN)/atlas: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/atlas

/usr/bin/%:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $*

# content/ -> build/docs/ -> site/, failing on any warning.
site: setup
	$(BIN)/atlas build --strict

test: setup $(TOOLS)
	$(BIN)/pytest

# Benchmarks on synthetic corpora of 1,000 and 10,000 papers (not part of the tests); each
# script's docstring says what it measures. Takes several minutes.
bench: setup /usr/bin/chromium
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/build_bench.py
	$(BIN)/python bench/serve_bench.py
	$(BIN)/python bench/search_bench.py
	$(BIN)/python bench/ingest_bench.py

clean:
	rm -rf build site $(VENV)
