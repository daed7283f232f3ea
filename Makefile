# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test lint format bench demo clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

# Build the environment, create the demo store if it is empty, serve on 127.0.0.1.
run: $(STAMP)
	$(BIN)/python -m analytics demo --if-empty
	$(BIN)/python -m ui.serve --server.address $(HOST) --server.port $(PORT)

# Build the environment, lint, and run every test.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/hotspot_bench.py
	$(BIN)/python bench/store_bench.py
	$(BIN)/python bench/backtest_bench.py
	$(BIN)/python bench/auto_bench.py
	$(BIN)/python bench/ui_bench.py

demo: $(STAMP)
	$(BIN)/python -m analytics demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
