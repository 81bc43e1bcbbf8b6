# The two commands a newcomer needs (see README.md):
#   make site   set up, then build the site from the content shipped in content/
#   make test   set up, then run the whole test suite
# Everything is installed into .venv/, so nothing needs to be installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: site test setup clean

$(BIN)/atlas: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/atlas

# Until `atlas build` lands, this checks that content/papers/ is exactly what the
# shipped digests give (nothing would be written), and stops there.
site: setup
	$(BIN)/atlas ingest --dry-run content/digests
	@echo "site: content/ checked; the site build (atlas build) is not implemented yet"

test: setup
	$(BIN)/pytest

clean:
	rm -rf build site $(VENV)
