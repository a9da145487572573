"""The package's structure: imports go one way, down the layers, and never round in a circle.

data -> evidence -> criteria -> scoring (results) -> run context -> pages -> report ->
executor -> batch -> cli. A module may import from its own layer or any layer below it.
Imports inside functions and under TYPE_CHECKING count too: they are dependencies all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import assess

PACKAGE = Path(assess.__file__).parent

# Each module's layer, lowest first. A package (data, criteria) is one layer.
LAYERS = [
    {"errors", "paths", "params_file", "cells", "stats", "changes", "cache", "data", "local"},
    {"config"},
    {"disclosure", "evidence"},
    {"criteria"},
    {"scoring", "uncertainty"},
    {"results", "hotspots"},
    {"actions", "measures", "monitoring", "previous", "draft"},
    {"context"},
    {"present", "charts", "sparkline", "wording"},
    {"pages"},
    {"report", "glossary", "excel", "export", "provenance", "outputs", "scoring_sheet", "starter", "navigation"},
    {"executor"},
    {"batch"},
    {"cli"},
]
LAYER_OF = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str = "") -> set[str]:
    """Every assess module a source file (module `name`) imports, wherever the import statement is."""
    found = set()
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("assess")}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: from . import x, from ..config import y
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([module] if module else []))
            if not module.startswith("assess"):
                continue
            for alias in node.names:
                # `from assess import charts` imports the module assess.charts.
                candidate = f"{module}.{alias.name}"
                found.add(candidate if candidate in MODULES else module)
    return found


MODULES = {module_name(p) for p in PACKAGE.rglob("*.py")}
GRAPH = {module_name(p): imports_of(p) - {module_name(p)} for p in PACKAGE.rglob("*.py")}


def top(module: str) -> str:
    """assess.criteria.trend -> criteria; assess -> the package itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "assess"


def test_every_module_has_a_layer():
    missing = sorted({top(m) for m in MODULES} - set(LAYER_OF) - {"assess"})
    assert not missing, f"give these modules a layer in LAYERS: {missing}"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_only_its_own_layer_or_below(module):
    if top(module) == "assess":
        return
    upward = [m for m in GRAPH[module] if top(m) != "assess" and LAYER_OF[top(m)] > LAYER_OF[top(module)]]
    assert not upward, f"{module} imports from a higher layer: {upward}"


def test_no_import_cycles():
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for other in sorted(GRAPH.get(module, ())):
            if state.get(other) == "open":
                cycle = path[path.index(other) :] + [other]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if other not in state:
                visit(other)
        path.pop()
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_the_graph_holds_the_known_imports(tmp_path):
    """The graph is read correctly: known edges are present, relative imports resolved."""
    assert "assess.context" in GRAPH["assess.pages.priority"]
    assert "assess.criteria.trend" in GRAPH["assess.criteria"]
    assert LAYER_OF[top("assess.pages")] > LAYER_OF[top("assess.context")] > LAYER_OF[top("assess.results")]
    probe = tmp_path / "probe.py"
    probe.write_text("from . import trend\nfrom ..config import Assessment\nfrom .. import pages\n")
    assert imports_of(probe, "assess.criteria.probe") == {"assess.criteria.trend", "assess.config", "assess.pages"}
