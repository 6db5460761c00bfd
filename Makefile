# Søknadsportalen. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test test-fast bench lint typecheck distributed asyncapi clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	SP_PORT=$(PORT) $(PY) -m embedded

test: $(STAMP)
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q tests/unit

bench: $(STAMP)
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy shared services

distributed: $(STAMP)
	$(PY) scripts/run_distributed.py

asyncapi: $(STAMP)
	$(PY) -m shared.events.asyncapi > docs/asyncapi.json

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
