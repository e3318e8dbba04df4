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

.PHONY: run test setup lint format typecheck migrations pytest pytest-fast demo clean-db help chromium

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

# The console's browser tests drive Debian's Chromium (Playwright never downloads a browser).
# A fresh CI machine runs as root: install it there; elsewhere say why those tests will skip.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "note: no /usr/bin/chromium (apt-get install chromium): browser tests will skip"; \
	  fi; \
	fi

pytest: setup chromium
	$(BIN)/pytest

pytest-fast: setup
	$(BIN)/pytest -m "not slow"

test: lint typecheck migrations pytest

clean-db:
	rm -rf var/pg
