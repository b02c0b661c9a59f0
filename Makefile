# imr-bot: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint migrate demo install clean playground-deps

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## make run: the bot on http://127.0.0.1:3978/api/messages and, when node and npm are present,
## Microsoft 365 Agents Playground on http://127.0.0.1:56150, with a demo people directory.
run: $(STAMP)
	@bash scripts/run.sh

## make test: the whole suite, on SQLite and PostgreSQL.
test: $(STAMP)
	@$(PY) -m ruff check imr_bot dialogs tests scripts
	@$(PY) -m pytest -q

lint: $(STAMP)
	@$(PY) -m ruff check imr_bot dialogs tests scripts

migrate: $(STAMP)
	@$(VENV)/bin/imr-bot migrate

clean:
	rm -rf $(VENV) var node_modules
