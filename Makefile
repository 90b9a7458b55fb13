# Two commands for a fresh machine (Python 3.11+):
#   make serve   build the seed archive and serve it on http://127.0.0.1:8000 with live reload
#   make test    run every test (browser tests need Debian's chromium; `bash .ci/run` installs it)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SEEDS  ?= ../shared/seeds

.PHONY: serve test build import check bench bench-dry clean

$(BIN)/papers: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# the bench extra: Pagefind (pagefind[bin]) for the search comparison
$(VENV)/.bench-installed: $(BIN)/papers pyproject.toml
	if $(BIN)/pip install -q -e '.[test,bench]'; then touch $@; else \
	  echo "pagefind[bin] could not be installed: the benchmark reports the Pagefind comparison as not run"; fi

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

serve: $(BIN)/papers
	$(BIN)/papers serve --watch

build: $(BIN)/papers
	$(BIN)/papers build

import: $(BIN)/papers
	$(BIN)/papers import --year 2025 $(SEEDS)/*.txt

check: $(BIN)/papers
	$(BIN)/papers check

test: $(BIN)/papers node_modules/.installed
	$(BIN)/python -m pytest -n 2 -q

# The benchmark (1k and 10k with Hugo, 100k ours only; 22 minutes in the README's run, 62 on a slow day; Pagefind at 100k
# included): writes bench/results.md and the table in README.md from this one run, with our search against
# Pagefind's per query (the `bench` extra installs pagefind[bin]; without it the report says so).
# `make bench SIZES=1k,10k` for the smaller sizes; `make bench-dry` checks every step of all three sizes on
# 200-paper corpora in a few minutes.
SIZES ?= 1k,10k,100k

bench: $(BIN)/papers $(VENV)/.bench-installed node_modules/.installed
	$(BIN)/python bench/run.py --sizes $(SIZES) --pairs 5 --repeat 3 --edits 5 --readme README.md

bench-dry: $(BIN)/papers $(VENV)/.bench-installed node_modules/.installed
	$(BIN)/python bench/run.py --sizes $(SIZES) --dry-run

clean:
	rm -rf site site.* .papers-cache build dist *.egg-info
