# imr-bot: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint migrate install clean node package cards templates bench soak

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# node packages (the Playground and the manifest schemas), when npm is present
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $(NODE_STAMP); \
	 else echo "npm not found: the Playground and the manifest schema check are skipped"; fi

node: $(NODE_STAMP)

## make package: the Teams app package (var/imr-bot-teams-app.zip); MicrosoftAppId and IMR_PUBLIC_URL set it up
package: $(STAMP)
	@$(PY) scripts/package.py

## make run: the bot on http://127.0.0.1:3978/api/messages and, when node and npm are present,
## Microsoft 365 Agents Playground on http://127.0.0.1:56150, with a demo people directory.
run: $(STAMP) node
	@bash scripts/run.sh

## make test: the whole suite, on SQLite and PostgreSQL.
test: $(STAMP) node
	@$(PY) -m ruff check imr_bot dialogs tests scripts bench
	@$(PY) -m pytest -q

lint: $(STAMP)
	@$(PY) -m ruff check imr_bot dialogs tests scripts bench

migrate: $(STAMP)
	@$(VENV)/bin/imr-bot migrate

## make cards: every card rendered with sample data to docs/cards/*.png (headless Chromium)
cards: $(STAMP) node
	@$(PY) scripts/cards.py
	@node scripts/render_cards.js

## make templates: every built-in Word template, blank and filled in, rendered with LibreOffice
## to docs/templates/*.png (needs libreoffice-writer-nogui and poppler-utils)
templates: $(STAMP)
	@$(PY) scripts/render_templates.py

## make bench: the benchmarks, written to docs/benchmarks.md (IMR_BENCH_QUICK=1 for a short run;
## .venv/bin/python bench/run.py --report writes the page again from the last run's figures)
bench: $(STAMP)
	@$(PY) bench/run.py

## make soak: the long fault tests (10,000 generated malformed inputs, 20 kill -9 cycles)
soak: $(STAMP)
	@IMR_FUZZ_EXAMPLES=10000 IMR_KILL_CYCLES=20 $(PY) -m pytest -q -s tests/faults

clean:
	rm -rf $(VENV) var node_modules
