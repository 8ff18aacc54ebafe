# minutebook: `make demo` runs the main job on the sample corpus; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOME_DIR ?= .minutebook-demo

.PHONY: demo test lint install install-test clean bench bench-smoke

# setuptools calls its ext-modules table (pyproject.toml: the reader's C glyph loop and the
# NER's BLAS bridge) experimental at every build; the pin in pyproject.toml holds it, so the
# notice is noise.
QUIET_BUILD := PYTHONWARNINGS='ignore:`[tool.setuptools.ext-modules]`'

$(BIN)/minutebook: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(QUIET_BUILD) $(BIN)/pip install --quiet -e .
	touch $@

install: $(BIN)/minutebook

install-test: install
	$(QUIET_BUILD) $(BIN)/pip install --quiet -e ".[test]"

demo: install
	$(BIN)/minutebook --db $(HOME_DIR) ingest corpus/pdf
	@echo; echo '$$ minutebook search reoffending --year 2011..2014'
	$(BIN)/minutebook --db $(HOME_DIR) search reoffending --year 2011..2014 --limit 5
	@echo; echo '$$ minutebook search "integrated offender management" --type minutes'
	$(BIN)/minutebook --db $(HOME_DIR) search '"integrated offender management"' --type minutes --limit 5
	@echo; echo '$$ minutebook search --kind resolution prevent'
	$(BIN)/minutebook --db $(HOME_DIR) search prevent --kind resolution --limit 5
	$(BIN)/minutebook --db $(HOME_DIR) stats

lint: install-test
	$(BIN)/ruff check ingest index search tests corpus/render.py
	$(BIN)/mypy

test: install-test lint
	$(BIN)/python -m pytest -q

# Benchmark (see docs/PERFORMANCE.md): medians of 5 runs with baselines side by side.
bench: install-test
	$(BIN)/python -m tests.bench.run --docs 100 --store-docs 1000 --passages-sizes 10000,100000,1000000 \
		--runs 5 --large-build-runs 1 --out bench-out

bench-smoke: install-test
	$(BIN)/python -m tests.bench.run --smoke --out bench-out/smoke

clean:
	rm -rf $(VENV) $(HOME_DIR) bench-out
