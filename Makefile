# The README's two commands: `make run` and `make test`. Each sets up what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT ?= 8000

.PHONY: run test lint typecheck unit bench system-deps clean docs docs-serve dist audit

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)
	$(BIN)/footchain serve --port $(PORT)

system-deps:
	bash scripts/system-deps

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) system-deps
	$(BIN)/pytest

test: lint typecheck unit

# Known vulnerabilities of the installed dependencies (PyPI's advisory data through pip-audit). --strict
# fails when a package cannot be audited, e.g. without network access to the advisory service: a
# dependency that was not checked is never reported as clean. Not part of `make test`, because CI's
# machine cannot reach the advisory service (docs/security.md, V14.2.1).
audit: $(STAMP)
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off

# The documentation site (MkDocs Material), built strictly: a broken link or reference fails it.
docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir build/site

docs-serve: $(STAMP)
	$(BIN)/mkdocs serve

# The release files: sdist and wheel in dist/ (an isolated build), checked by twine.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*

bench: $(STAMP)
	$(BIN)/python benchmarks/cli_speed.py
	$(BIN)/python benchmarks/assess_speed.py
	$(BIN)/python benchmarks/engine_versus.py --against 3607ec3  # the engine before issue 13's red-flag rules
	$(BIN)/python benchmarks/footprint_speed.py
	$(BIN)/python benchmarks/gait_events_accuracy.py
	$(BIN)/python benchmarks/gait_moticon_accuracy.py
	$(BIN)/python benchmarks/gait_speed.py
	$(BIN)/python benchmarks/batch_scaling.py
	$(BIN)/python benchmarks/insole_matching_speed.py
	$(BIN)/python benchmarks/web_load.py
	$(BIN)/python benchmarks/clinic_load.py

clean:
	rm -rf $(VENV) out build dist test-artifacts .pytest_cache .mypy_cache .ruff_cache
