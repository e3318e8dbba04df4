# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Extra pip arguments for torch, e.g. a CPU wheel index on machines whose default index serves CUDA.
TORCH_PIP_ARGS ?=

# Models load from local folders only; nothing downloads weights at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup lint format typecheck migrations pytest pytest-fast demo clean-db help

help:
	@echo "make run   - set up, start the embedded database, load demo data, serve on :8000"
	@echo "make test  - set up, lint, type-check, check migrations, run the whole test suite"

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first and pinned, so no resolver ever picks a multi-GB CUDA build for it.
	$(BIN)/python -m pip install --quiet torch==2.13.0 $(TORCH_PIP_ARGS)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/tabashir up

demo: setup
	$(BIN)/tabashir demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup
	$(BIN)/mypy

migrations: setup
	$(BIN)/tabashir db upgrade
	$(BIN)/tabashir db check

pytest: setup
	$(BIN)/pytest

pytest-fast: setup
	$(BIN)/pytest -m "not slow"

test: lint typecheck migrations pytest

clean-db:
	rm -rf var/pg
