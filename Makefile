# credgate tasks. `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/credgate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# OPA's Go engine, the tests' reference (declares Python >= 3.14, runs on 3.11; pyproject cannot say so)
	$(BIN)/pip install --quiet --ignore-requires-python opa-golib-python-bindings==0.4.4
	@touch $@

.PHONY: install
install: $(BIN)/credgate ## Create the virtual environment and install credgate with its dev tools

.PHONY: demo
demo: install ## Seed a fresh embedded database with demo data and serve the gateway on 127.0.0.1:8000
	$(BIN)/credgate demo

.PHONY: test
test: install ## Run the test suite (PostgreSQL too when CREDGATE_TEST_POSTGRES_URL is set)
	$(BIN)/pytest $(PYTEST_ARGS)

.PHONY: lint
lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ledger verifiers gateway

.PHONY: screenshots
screenshots: install ## PNGs of each portal page, desktop and phone width, in var/screenshots (needs chromium)
	$(BIN)/python -m tests.portal.screenshots var/screenshots

.PHONY: bench
bench: install ## Run the benchmarks (prints figures; takes minutes)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

.PHONY: clean
clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
