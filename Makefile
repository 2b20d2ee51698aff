# topiclens: `make run` fits the bundled sample corpus, `make test` runs the tests.
# Each target installs what it needs first (torch pinned to the CPU build).
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip
SAMPLE ?= data/debian_sample.jsonl.gz
OUT ?= runs/debian_sample
export TOPICLENS_THREADS ?=

.PHONY: install run test test-all lint bench

install: .install-stamp

.install-stamp: pyproject.toml
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	touch $@

run: install
	topiclens fit $(SAMPLE) --out $(OUT)

test: install
	TOPICLENS_THREADS=1 $(PYTHON) -m pytest -m "not slow" -q

test-all: install
	TOPICLENS_THREADS=1 $(PYTHON) -m pytest -q

lint: install
	ruff check src tests bench

bench: install
	$(PIP) install --quiet -e '.[dev,bench]'
	$(PYTHON) bench/bench_fit.py
