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

# Build the environment, lint, and run every test: on SQLite, then (unit and AppTest
# tests) again on PostgreSQL when HOTSPOT_TEST_PG names a server (tools/pg_test_server.sh).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u HOTSPOT_TEST_PG $(BIN)/pytest
	@if [ -n "$$HOTSPOT_TEST_PG" ]; then \
	  echo "== the same tests on PostgreSQL =="; \
	  $(BIN)/pytest --ignore=tests/browser; \
	elif [ -n "$$HOTSPOT_REQUIRE_PG" ]; then \
	  echo "HOTSPOT_REQUIRE_PG is set but HOTSPOT_TEST_PG names no PostgreSQL server" >&2; exit 1; \
	else \
	  echo "PostgreSQL run skipped: no server (eval \"\$$(tools/pg_test_server.sh start)\" starts one)"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/hotspot_bench.py
	$(BIN)/python bench/significance_bench.py
	$(BIN)/python bench/store_bench.py
	$(BIN)/python bench/backtest_bench.py
	$(BIN)/python bench/auto_bench.py
	$(BIN)/python bench/pei_bench.py
	$(BIN)/python bench/spacetime_bench.py
	$(BIN)/python bench/ui_bench.py
	$(BIN)/python bench/national_bench.py  # PostgreSQL: $$HOTSPOT_BENCH_PG or $$HOTSPOT_TEST_PG

demo: $(STAMP)
	$(BIN)/python -m analytics demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
