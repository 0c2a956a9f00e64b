# kehoach: `make demo` runs the pipeline on samples/, `make test` runs the test suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export OMP_THREAD_LIMIT := 1

.PHONY: setup system-deps test-deps demo test bench model samples plans schema clean

setup: system-deps $(STAMP)

system-deps:
	@bash scripts/install-system-deps.sh

test-deps:
	@bash scripts/install-system-deps.sh --test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(BIN)/kehoach ingest samples --out out

test: test-deps setup
	$(BIN)/python -m pytest -q

bench: setup
	@# ocrmypdf only for the speed comparison (kehoach vs ocrmypdf on the same scan)
	$(BIN)/pip install -q ocrmypdf || echo "ocrmypdf could not be installed: that figure is skipped"
	$(BIN)/kehoach bench all
	$(BIN)/kehoach bench generality --out build/plans --jobs 2

# generated plans of other layouts (bench/plans): gold records, PDF, scan, old OCR text
plans: setup
	$(BIN)/python -m kehoach.bench.plans.build --out build/plans --jobs 2

samples: setup
	$(BIN)/python samples/build_samples.py

schema: setup
	$(BIN)/kehoach schema > schema/document.schema.json
	$(BIN)/kehoach schema --error > schema/error.schema.json

model: setup
	$(BIN)/python scripts/train_restore.py

clean:
	rm -rf $(VENV) out .pytest_cache
