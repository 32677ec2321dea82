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

.PHONY: help install train run test test-unit lint format sync-data rules lock clean browser deploy-tools bench bench-deploy teams-package

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

# requirements.lock is what the assistant runs on (the image installs only that);
# requirements-dev.lock adds the test and lint tools. `make lock` writes both.
$(VENV)/.installed: requirements.lock requirements-dev.lock pyproject.toml
	@if [ -z "$(PYTHON310)" ]; then echo "Python 3.10 not found. Install it (e.g. 'pyenv install 3.10') or run 'make PYTHON310=/path/to/python3.10'."; exit 1; fi
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON310)..."; $(PYTHON310) -m venv $(VENV); }
	@echo "Installing the pinned dependencies into $(VENV) (requirements.lock and requirements-dev.lock: a few minutes on a fresh machine, longer with no pip cache)..."
	$(PY) -m pip install --quiet --disable-pip-version-check "pip<24.1"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@echo "Installed."
	@touch $@

install: $(VENV)/.installed ## Create .venv with Python 3.10 and the pinned dependencies

# `python -m bot train` is also what the image's build runs (deploy/Dockerfile).
$(MODEL): $(VENV)/.installed $(TRAIN_INPUT)
	$(PY) -m bot train
	@touch $@

train: $(MODEL) ## Train the model when its data or config changed

# `make run` listens on 127.0.0.1 (unless CCE_HOST says otherwise) and turns the REST
# channel on for this machine only, its token generated into var/rest.token.
run: $(MODEL) ## Set up, then start the assistant on http://localhost:5005
	CCE_ENABLE_REST=$${CCE_ENABLE_REST:-local} $(PY) -m bot serve

AXE := tests/e2e/node_modules/axe-core/axe.min.js

$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@echo "Installing axe-core for the browser tests (npm ci in tests/e2e)..."
	cd tests/e2e && npm ci --no-audit --no-fund --silent
	@touch $@

browser: $(AXE) ## Install what the browser tests need: Debian's chromium and axe-core
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# nginx: the deploy smoke test's proxy; docker-compose: renders deploy/docker-compose.yml
# (it runs no container); bubblewrap: runs the built image's server on a read-only root.
deploy-tools: ## Install what the deploy tests use, where missing: Debian's nginx, docker-compose and bubblewrap
	@missing=""; \
	{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 || missing="$$missing nginx"; \
	command -v docker-compose >/dev/null 2>&1 || missing="$$missing docker-compose"; \
	command -v bwrap >/dev/null 2>&1 || missing="$$missing bubblewrap"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian's$$missing for the deploy tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test: $(MODEL) lint browser deploy-tools ## Set up, then run every test (lint, data validation, pytest)
	@echo "Validating the training data (rasa data validate)..."
	$(RASA) data validate --fail-on-warnings
	$(PY) -m pytest

# `make bench BENCH_ARGS="--only adversarial"`: only the row of another user's turns
# under adversarial messages (bench/bench.py).
bench: $(MODEL) ## Measure ours beside a plain `rasa init` assistant (table, JSON and PNG in bench-results/)
	$(PY) bench/bench.py $(BENCH_ARGS)

bench-deploy: $(MODEL) deploy-tools ## Turns per second through nginx (shipped config) with one instance and with two (bench-results/deploy_throughput.json)
	$(PY) bench/deploy_throughput.py

teams-package: $(VENV)/.installed ## Build the Teams app package dist/cce-teams.zip (needs CCE_TEAMS_APP_ID, CCE_TEAMS_PUBLIC_URL)
	$(PY) -m bot teams-package

test-unit: $(VENV)/.installed ## Only the fast tests that need no model or server
	$(PY) -m pytest tests/unit

lint: $(VENV)/.installed ## ruff, the formatter's check and mypy
	$(BIN)/ruff check bot actions tests bench research scripts
	$(BIN)/ruff format --check bot actions tests bench research scripts
	$(BIN)/mypy

format: $(VENV)/.installed ## Format the code
	$(BIN)/ruff check --fix bot actions tests bench research scripts
	$(BIN)/ruff format bot actions tests bench research scripts

sync-data: $(VENV)/.installed ## Regenerate the guidance intents in domain.yml and data/rules/guidance.yml from the topics
	$(PY) -m bot sync-data

rules: $(VENV)/.installed ## Write the check's rules as a sign-off table to docs/decision-rules.md
	$(PY) -m bot rules --write

lock: $(VENV)/.installed ## Rewrite requirements.lock (runtime) and requirements-dev.lock (dev tools) from the current .venv
	$(PY) scripts/lock.py

clean: ## Remove the virtual environment, models and caches
	rm -rf $(VENV) models/*.tar.gz .pytest_cache .mypy_cache .ruff_cache
