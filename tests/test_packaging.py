"""The two installation routes stay in step, and notebooks are stored as the project wants."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import tomllib
import yaml

from assess.config import PROJECT_ROOT


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ]", r, maxsplit=1)[0].strip().lower() for r in requirements}


def test_environment_yml_lists_every_dependency_of_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    wanted = _names(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted |= _names(extra)
    environment = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    listed = [d for d in environment["dependencies"] if isinstance(d, str)]
    listed += [d for d in environment["dependencies"] if isinstance(d, dict) for d in d.get("pip", [])]
    conda = _names(listed)
    assert wanted - conda == set()


def notebooks() -> list[Path]:
    paths = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    assert paths, "no notebook in notebooks/"
    return paths


def test_notebooks_are_stored_without_outputs_except_checked_cells():
    checked_cells = 0
    for path in notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            checked = "nbval-check" in cell.metadata.get("tags", [])
            if checked:
                checked_cells += 1
                assert "NBVAL_CHECK_OUTPUT" in cell.source and cell.outputs, f"{path.name}: checked cell has no output"
                # nbval refuses a stored output without its execution count ("unrun reference cell").
                assert cell.execution_count is not None, f"{path.name}: checked cell has no execution count"
            else:
                assert not cell.outputs and cell.execution_count is None, f"{path.name}: stored output"
    assert checked_cells, "no notebook cell is checked by nbval"


def test_every_notebook_has_a_parameters_cell():
    for path in notebooks():
        tags = [c.metadata.get("tags", []) for c in nbformat.read(path, as_version=4).cells]
        assert sum("parameters" in t for t in tags) == 1, path.name
