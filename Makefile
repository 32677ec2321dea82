# The CCE practitioner assistant. `make help` lists the targets.
# `make run` and `make test` do every set-up step themselves on a fresh machine.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
BIN     := $(VENV)/bin
PY      := $(BIN)/python
RASA    := $(BIN)/rasa
# Python 3.10 (rasa 3.6 supports no newer): the one on PATH, else pyenv's.
PYTHON310 ?= $(shell command -v python3.10 2>/dev/null || ls -d $$HOME/.pyenv/versions/3.10*/bin/python3.10 2>/dev/null | tail -n 1)

MODEL       := models/cce.tar.gz
# What the model is trained from: Rasa's own files (config.yml, domain.yml, data/),
# found by plain `rasa` commands with no flags, and the content the NLU components read.
TRAIN_INPUT := config.yml domain.yml $(shell find data content -type f -name '*.yml' 2>/dev/null) $(wildcard bot/nlp/*.py)

export TF_CPP_MIN_LOG_LEVEL ?= 2
export RASA_TELEMETRY_ENABLED ?= false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export PYTHONWARNINGS ?= ignore::DeprecationWarning

.PHONY: help install train run test test-unit lint format sync-data lock clean browser bench teams-package

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock pyproject.toml
	@if [ -z "$(PYTHON310)" ]; then echo "Python 3.10 not found. Install it (e.g. 'pyenv install 3.10') or run 'make PYTHON310=/path/to/python3.10'."; exit 1; fi
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "pip<24.1"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

install: $(VENV)/.installed ## Create .venv with Python 3.10 and the pinned dependencies

$(MODEL): $(VENV)/.installed $(TRAIN_INPUT)
	$(PY) -m bot sync-data --check
	$(RASA) train --fixed-model-name cce --out models --quiet
	@touch $@

train: $(MODEL) ## Train the model when its data or config changed

# `make run` listens on 127.0.0.1 (unless CCE_HOST says otherwise) and turns the REST
# channel on for this machine only, its token generated into var/rest.token.
run: $(MODEL) ## Set up, then start the assistant on http://localhost:5005
	CCE_ENABLE_REST=$${CCE_ENABLE_REST:-local} $(PY) -m bot serve

AXE := tests/e2e/node_modules/axe-core/axe.min.js

$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund --silent
	@touch $@

browser: $(AXE) ## Install what the browser tests need: Debian's chromium and axe-core
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(MODEL) lint browser ## Set up, then run every test (lint, data validation, pytest)
	$(RASA) data validate --fail-on-warnings
	$(PY) -m pytest

# `make bench BENCH_ARGS="--only adversarial"`: only the row of another user's turns
# under adversarial messages (bench/bench.py).
bench: $(MODEL) ## Measure ours beside a plain `rasa init` assistant (table, JSON and PNG in bench-results/)
	$(PY) bench/bench.py $(BENCH_ARGS)

teams-package: $(VENV)/.installed ## Build the Teams app package dist/cce-teams.zip (needs CCE_TEAMS_APP_ID, CCE_TEAMS_PUBLIC_URL)
	$(PY) -m bot teams-package

test-unit: $(VENV)/.installed ## Only the fast tests that need no model or server
	$(PY) -m pytest tests/unit

lint: $(VENV)/.installed ## ruff, the formatter's check and mypy
	$(BIN)/ruff check bot actions tests bench
	$(BIN)/ruff format --check bot actions tests bench
	$(BIN)/mypy

format: $(VENV)/.installed ## Format the code
	$(BIN)/ruff check --fix bot actions tests
	$(BIN)/ruff format bot actions tests

sync-data: $(VENV)/.installed ## Regenerate the guidance intents in domain.yml and data/rules/guidance.yml from the topics
	$(PY) -m bot sync-data

lock: $(VENV)/.installed ## Rewrite requirements.lock from the current .venv
	{ echo "# Pinned dependencies (pip freeze of a working Python 3.10 environment)."; \
	  echo "# Regenerate with: make lock"; \
	  $(PY) -m pip freeze --exclude-editable; } > requirements.lock

clean: ## Remove the virtual environment, models and caches
	rm -rf $(VENV) models/*.tar.gz .pytest_cache .mypy_cache .ruff_cache
