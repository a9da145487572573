# One entry point for everything: each target sets up the virtual environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup assessment test lab bench clean

setup: $(STAMP)

# Reinstall whenever the dependency list changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --editable '.[test,lab]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (assess)" >/dev/null
	touch $(STAMP)

assessment: setup
	$(BIN)/assess run

test: setup
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider

lab: setup
	$(BIN)/jupyter lab notebooks/

bench: setup
	$(BIN)/python bench/run_bench.py

clean:
	rm -rf $(VENV) rendered/*/
