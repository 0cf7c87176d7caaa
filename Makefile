# The two commands of the quick start: `make start` and `make test`.
# The interpreter .venv is made from: the distribution's /usr/bin/python3 when it is 3.11 or later and can
# make a venv, else whatever `python3` is. Debian's is built with PGO and LTO, which pyenv's default build
# is not: the same server spent 6-8% less CPU per SQS call and 7-14% less per S3 PUT on it (bench/RESULTS.md).
# `make PYTHON=...` chooses another; delete .venv to change the interpreter of an existing one.
SYSTEM_PYTHON := /usr/bin/python3
PYTHON ?= $(shell $(SYSTEM_PYTHON) -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' \
	>/dev/null 2>&1 && echo $(SYSTEM_PYTHON) || echo python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The JavaScript SDK clients the S3/SQS/Lambda/IAM/Logs client tests drive (tests/js); npm writes this file on install.
JS_STAMP := tests/js/node_modules/.package-lock.json
# The AWS SDK for JavaScript v3 the nodejs18.x+ Lambda runtimes include (AWS's /var/runtime/node_modules).
NODE_SDK_STAMP := lambda-sdk/node/node_modules/.package-lock.json

.PHONY: start test lint typecheck unit bench coverage-doc clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the project's metadata changed; the package itself is editable.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench,lambda]'
	touch $(STAMP)

$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/js --no-audit --no-fund; \
	else echo "npm not found: tests that drive the JavaScript SDK will be skipped"; fi

$(NODE_SDK_STAMP): lambda-sdk/node/package.json lambda-sdk/node/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix lambda-sdk/node --no-audit --no-fund; \
	else echo "npm not found: Node.js Lambda functions will have no AWS SDK for JavaScript (and its tests are skipped)"; fi

start: $(STAMP) $(NODE_SDK_STAMP)
	$(BIN)/pocketcloud start $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Two pytest workers (pytest-xdist), each with its own pocketcloud server; a test file stays on one
# worker, so its module fixtures are made once. Most of a test's time is one side waiting on the
# other (client, server, Lambda runtimes), so two workers take about half the wall time even on
# two cores. PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= 2

unit: $(STAMP) $(JS_STAMP) $(NODE_SDK_STAMP)
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench

coverage-doc: $(STAMP)
	$(BIN)/pocketcloud coverage --markdown > docs/coverage.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/js/node_modules lambda-sdk/node/node_modules
