# One task runner for kg. `make demo` and `make test` each set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo lint typecheck test fuzz check bench clean screenshots corpus-views neo4j-up neo4j-down

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

test: lint typecheck  ## ruff, mypy and pytest, on the embedded store and on a real Neo4j
	$(BIN)/python scripts/neo4j_server.py run -- $(BIN)/pytest -q

fuzz: setup  ## the fuzz suite over more rounds of hostile inputs (CI runs one round)
	KG_FUZZ_ROUNDS=$(or $(ROUNDS),10) $(BIN)/pytest -q tests/test_fuzz.py

screenshots: setup  ## regenerate docs/images and the README caption from the bundled sample
	$(BIN)/python scripts/screenshots.py

CORPUS_GRAPH ?= build/corpus/graph.json

$(CORPUS_GRAPH): | setup
	mkdir -p $(dir $(CORPUS_GRAPH))
	$(BIN)/kg build ../shared/corpora/*/*.jsonl.gz -o $(CORPUS_GRAPH) --no-view --no-load --workers 2

corpus-views: $(CORPUS_GRAPH)  ## kg trends and kg digest on the whole corpora graph, with their tests
	KG_CORPUS_GRAPH=$(CORPUS_GRAPH) $(BIN)/pytest -q tests/test_corpus_views.py

bench: setup
	$(BIN)/python bench/bench_extract.py

neo4j-up: setup  ## a real Neo4j Community (Maven Central) in the background; writes build/neo4j.env
	$(BIN)/python scripts/neo4j_server.py up

neo4j-down:  ## stop the Neo4j started by neo4j-up
	@if [ -x $(BIN)/python ]; then $(BIN)/python scripts/neo4j_server.py down; fi

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache
