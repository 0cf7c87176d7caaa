# The two commands of the quick start: `make start` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: start test lint typecheck unit bench coverage-doc clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the project's metadata changed; the package itself is editable.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

start: $(STAMP)
	$(BIN)/pocketcloud start $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench

coverage-doc: $(STAMP)
	$(BIN)/pocketcloud coverage --markdown > docs/coverage.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
