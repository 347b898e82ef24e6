# One command each: `make demo` installs and runs the demo console; `make test` installs and runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

$(BIN)/dondoc: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/dondoc

demo: install
	$(BIN)/dondoc run

test: install
	$(BIN)/pytest -q

bench: install
	$(BIN)/python -m bench.throughput

catalogs: install
	$(BIN)/python -m locales.catalogs

.PHONY: install demo test bench catalogs
