# The commands everyone runs: the README's two (run, test), and check, bench.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test check bench install dev browser-deps clean i18n

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

## What the browser tests (tests/browser) need besides .venv: Debian's Chromium, installed
## with apt-get if missing (sudo unless root), and axe-core from npm (tests/browser/node_modules).
SUDO   := $(if $(filter 0,$(shell id -u)),,sudo)
AXE    := tests/browser/node_modules/axe-core/axe.min.js

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

browser-deps: $(AXE)
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@/usr/bin/chromium --version 2>/dev/null

## Serve a working instance with demo data at http://localhost:8000 (SQLite).
run: install
	$(BIN)/fedimob migrate
	$(BIN)/fedimob demo --if-empty
	$(BIN)/fedimob serve --host $(HOST) --port $(PORT)

## The whole suite (SQLite; PostgreSQL too when FEDIMOB_TEST_DATABASE_URL is set). The browser
## tests skip, saying why, until `make browser-deps` has run (on CI they fail instead).
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

## Extract translatable strings and merge them into web/translations/*/messages.po.
i18n: dev
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header \
		-o web/translations/messages.pot .
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations \
		--ignore-obsolete --width=100

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info
