# Every target sets up .venv first (Python >= 3.12, the exact versions of requirements.lock).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
EXTRAS := dev experiments ray slurm viz

.PHONY: run test test-fast fuzz bench lint format setup clean viz browser lock

run: $(READY)  ## the main job: the silo, each lever, all and the aligned company, 3 safety factors x 7 seeds, then the report
	$(BIN)/spsim -m +experiment=compare_policies

viz: $(READY)  ## the live workshop app (dashboard, play mode, facilitator view) on http://127.0.0.1:8765
	$(BIN)/spsim-viz

test: $(READY) browser  ## the whole test suite (installs Debian's chromium for the browser tests where it can)
	$(BIN)/pytest -n 2 --dist loadgroup

test-fast: $(READY)  ## the suite without the slow tests
	$(BIN)/pytest -n 2 --dist loadgroup -m "not slow"

fuzz: $(READY)  ## the bounds property test at length: 2,000 configs drawn from the declared bounds (a few minutes)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/test_bounds.py -k within -s -q -p no:cacheprovider

bench: $(READY)  ## speed and memory figures -> results/bench/latest.json
	$(BIN)/python -m experiments.bench

lint: $(READY)  ## ruff (lint + format) and mypy
	$(BIN)/ruff check sim tests experiments
	$(BIN)/ruff format --check sim tests experiments
	$(BIN)/mypy

format: $(READY)
	$(BIN)/ruff format sim tests experiments
	$(BIN)/ruff check --fix sim tests experiments

setup: $(READY)

browser:  ## Debian's chromium, which the browser tests drive (no download by Playwright)
	@bash .ci/install-browser

$(READY): pyproject.toml requirements.lock .ci/bootstrap
	@bash .ci/bootstrap $(VENV)
	@touch $(READY)

lock: $(READY)  ## regenerate requirements.lock from pyproject.toml (uv, from PyPI), then run make setup
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python $(BIN)/python $(EXTRAS:%=--extra %) -c .ci/lock-floors.txt --upgrade \
		--custom-compile-command "make lock" -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
