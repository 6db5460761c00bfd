# Søknadsportalen. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# The exact versions of every dependency (runtime + dev), with hashes; `make lock` regenerates them.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
UV_VERSION := 0.13.9
LOCK_FLAGS := --python-version 3.11 --python-platform linux --generate-hashes --quiet \
	--custom-compile-command "make lock"
# The npm validators the tests run our output through: two FHIR validators and the official AsyncAPI parser (pinned by package-lock.json).
NODE_VALIDATORS := tests/support/node_validatorer
NODE_STAMP := $(NODE_VALIDATORS)/node_modules/.installed
# Tests that need no server, browser or spawned process (markers set in tests/conftest.py).
FAST := not postgres and not rabbitmq and not browser and not e2e
# pytest-xdist workers the tests are spread over, whole modules each (tests/conftest.py): most of the
# time a test waits on a server, the broker or the browser. `make test TEST_WORKERS=0` runs them all in
# one process.
TEST_WORKERS ?= 2

.PHONY: run test test-fast bench lint typecheck distributed asyncapi lock reset clean

# From the lock (hashes checked), then the project itself without touching the dependencies; its
# build uses the locked setuptools (no build isolation, nothing else downloaded). -qq: a first run
# prints one line and errors, nothing else, before the banner of `make run`.
$(STAMP): pyproject.toml $(DEV_LOCK)
	@echo "Installerer avhengighetene i $(VENV) fra $(DEV_LOCK) …"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -qq --disable-pip-version-check --require-hashes -r $(DEV_LOCK)
	@$(PY) -m pip install -qq --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

$(NODE_STAMP): $(NODE_VALIDATORS)/package-lock.json
	@cd $(NODE_VALIDATORS) && npm ci --no-audit --no-fund --silent
	@touch $(NODE_STAMP)

run: $(STAMP)
	@SP_PORT=$(PORT) $(PY) -m embedded

test: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS)

test-fast: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS) -m "$(FAST)"

# `make bench ONLY="spine fest"` runs only those benchmarks (module names in bench/__main__.py).
bench: $(STAMP)
	$(PY) -m bench $(ONLY)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

distributed: $(STAMP)
	$(PY) scripts/run_distributed.py

asyncapi: $(STAMP)
	$(PY) -m integrasjon.asyncapi > docs/asyncapi.json

# Re-resolve the locks after a change of pyproject.toml's dependencies. Existing pins are kept where
# they still fit; `make lock LOCK_UPGRADE=--upgrade` (or `--upgrade-package NAME`) moves them on.
# The runtime lock is constrained by the dev lock, so both pin the same versions.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev $(LOCK_FLAGS) $(LOCK_UPGRADE) -o $(DEV_LOCK)
	$(VENV)/bin/uv pip compile pyproject.toml -c $(DEV_LOCK) $(LOCK_FLAGS) -o $(LOCK)

# Deletes the embedded default's databases and logs: the next `make run` seeds fresh demo data.
reset:
	rm -rf data

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
