# Common Ground — the commands everyone uses. `make help` lists them.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1:8000

.PHONY: help install demo test test-unit test-once check format bench clean

help:
	@echo "make demo    install everything, load the demo clinic, serve on http://$(HOST)"
	@echo "make test    install everything and run the whole suite (SQLite, and PostgreSQL when DATABASE_URL is set)"
	@echo "make check   ruff, mypy and the missing-migrations check"
	@echo "make format  format the code with ruff"
	@echo "make bench   the performance harness"

$(BIN)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(BIN)/.installed node_modules/.installed

var:
	@mkdir -p var

demo: system-base install var
	$(BIN)/commonground migrate --no-input -v 0
	$(BIN)/commonground collectstatic --no-input -v 0
	$(BIN)/commonground demo seed
	@echo ""
	@echo "Open http://$(HOST)/ and sign in with a demo login above. Ctrl+C stops the server."
	COMMONGROUND_SITE_URL=http://$(HOST) $(BIN)/commonground serve --bind $(HOST)

system-base:
	@scripts/system-packages.sh base

system-test:
	@scripts/system-packages.sh test

# The whole suite: unit and integration tests on SQLite (and PostgreSQL when DATABASE_URL is set),
# then the browser tests, API fuzzing and slow property tests once (on PostgreSQL when it is set).
test: system-test install var
	$(BIN)/commonground collectstatic --no-input -v 0
	scripts/run-tests.sh

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/commonground makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The performance harness (benchmarks/): builds or reuses the synthetic clinic under var/bench/, measures,
# writes var/bench/results.json and docs/benchmarks.md. On PostgreSQL when DATABASE_URL names one.
bench: install var
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) node_modules var/static
