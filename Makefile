# The commands everyone runs: the README's two (run, test), and check, bench.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test check bench install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

## Serve a working instance with demo data at http://localhost:8000 (SQLite).
run: install
	$(BIN)/fedimob migrate
	$(BIN)/fedimob demo --if-empty
	$(BIN)/fedimob serve --host $(HOST) --port $(PORT)

## The whole suite (SQLite; PostgreSQL too when FEDIMOB_TEST_DATABASE_URL is set).
test: dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Lint, format, types, import contracts.
check: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Benchmarks: printed figures beside a baseline measured in the same run.
bench: dev
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info
