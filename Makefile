# Two commands matter: `make run` (set up, build the demo data on first run, start the app)
# and `make test` (set up, run every test). Both need only Python 3.11 on the machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test setup setup-dev chromium lint docs demo bench bench-import bench-volume bench-agents bench-review screenshots clean

$(BIN)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(BIN)/.dev: requirements-dev.txt $(BIN)/.runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(BIN)/.runtime
setup-dev: $(BIN)/.dev

## Start the dashboard on http://127.0.0.1:$(PORT) (builds the demo database on first run).
run: setup
	$(BIN)/python -m csm demo --if-missing
	$(BIN)/python -m csm.ui.serve --server.port $(PORT)

## Run the whole suite: lint, doctests, unit tests, AppTest page tests, browser tests.
test: setup-dev chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Browser tests use Debian's Chromium (never a downloaded browser). Installed when missing and
# we are root; otherwise the browser tests skip with a message (outside CI).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else \
	    echo "chromium not found and cannot install it: browser tests will be skipped"; \
	  fi; \
	fi

lint: setup-dev
	$(BIN)/ruff check .

## Regenerate docs/kpis.md and docs/data-model.md from the catalogue and the schema.
docs: setup
	$(BIN)/python -m csm docs

## Rebuild the demo database from scratch.
demo: setup
	$(BIN)/python -m csm demo

## Benchmarks (minutes; writes docs/performance.md).
bench: setup-dev
	$(BIN)/python -m bench.overview

bench-import: setup-dev
	$(BIN)/python -m bench.importer

bench-volume: setup-dev
	$(BIN)/python -m bench.volume

## Time the Agents page at 1M and 10M contacts (after `make bench`); writes docs/performance.md.
bench-agents: setup-dev
	$(BIN)/python -m bench.agents

bench-review: setup-dev
	$(BIN)/python -m bench.review

## Screenshots of every page at 1440 px, from the configured database, into ./screenshots/.
screenshots: setup-dev chromium
	$(BIN)/python -m tests.browser.server screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
