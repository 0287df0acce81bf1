# The two commands of the README: `make demo` runs the pipeline, `make test`
# runs the tests. Both create the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

USERS ?= 2000
SEED ?= 42

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/chat-analytics run --users $(USERS) --seed $(SEED) $(if $(RESET),--reset)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check chat_analytics tests benchmarks
	$(BIN)/sqlfluff lint dbt_project/models

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs
