# One task runner for kg. `make demo` and `make test` each set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo lint typecheck test fuzz check bench clean screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install kg with its dev tools

demo: setup  ## the main job on the bundled sample
	mkdir -p build
	$(BIN)/kg build examples/*.txt -o build/graph.json --view build/graph.html

lint: setup
	$(BIN)/ruff check kg tests bench scripts
	$(BIN)/ruff format --check kg tests bench scripts

typecheck: setup
	$(BIN)/mypy

test: lint typecheck  ## ruff, mypy and pytest
	$(BIN)/pytest -q

fuzz: setup  ## the fuzz suite over more rounds of hostile inputs (CI runs one round)
	KG_FUZZ_ROUNDS=$(or $(ROUNDS),10) $(BIN)/pytest -q tests/test_fuzz.py

screenshots: setup  ## regenerate docs/images and the README caption from the bundled sample
	$(BIN)/python scripts/screenshots.py

bench: setup
	$(BIN)/python bench/bench_extract.py

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache
