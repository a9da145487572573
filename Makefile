# One entry point for everything: each target sets up the virtual environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup setup-browser assessment lint strip test test-fast lab bench clean

setup: $(STAMP)

# Reinstall whenever the dependency list changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --editable '.[test,lab]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (assess)" >/dev/null
	touch $(STAMP)

assessment: setup
	$(BIN)/assess run

# The accessibility tests drive Debian's Chromium (headless); install it once if missing.
setup-browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

# Lint and format (ruff, configured in pyproject.toml), and notebooks stored without outputs
# (nbstripout): a cell whose metadata has "keep_output": true keeps its output and, with
# --keep-count, its execution count, without which nbval does not compare the output.
# Cell ids are kept: they are stable, and renumbering them would only churn the diffs.
LINT_PATHS := src tests bench scripts notebooks
NOTEBOOKS := notebooks/*.ipynb
NBSTRIPOUT := $(BIN)/nbstripout --keep-id --keep-count

lint: setup
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	@$(NBSTRIPOUT) --verify $(NOTEBOOKS) || { echo "notebooks carry outputs or run metadata: run make strip"; exit 1; }

# Strip the notebooks in place, as they are to be committed: $(NBSTRIPOUT), and the execution
# counts of the cells whose output is not kept (the script's STRIP is the same command).
strip: setup
	$(BIN)/python scripts/refresh_notebooks.py

# Everything: lint, every test and the notebooks through nbval.
test: setup lint setup-browser
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider

# The unit layer alone: no notebook, no end-to-end run of the CLI, no browser.
test-fast: setup
	$(BIN)/python -m pytest -m "not e2e" -p no:cacheprovider

# JupyterLab on the notebooks. PORT (default 8888) and IP (default 127.0.0.1: this machine only;
# 0.0.0.0 to reach a container's lab from its host) say where it listens; NO_BROWSER=1 prints its
# link instead of opening a browser (a container or a remote machine has none); LAB_ARGS passes
# any other option of `jupyter lab`. Run as root (as in most containers), it adds --allow-root,
# without which JupyterLab refuses to start.
PORT ?= 8888
IP ?= 127.0.0.1
NO_BROWSER ?=
LAB_ARGS ?=
LAB_BROWSER = $(if $(filter-out 0,$(NO_BROWSER)),--no-browser)
LAB_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup
	$(BIN)/jupyter lab notebooks/ --port=$(PORT) --ip=$(IP) $(LAB_BROWSER) $(LAB_ROOT) $(LAB_ARGS)

bench: setup
	$(BIN)/python bench/run_bench.py

clean:
	rm -rf $(VENV) rendered/*/
