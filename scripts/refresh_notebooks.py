"""Keep notebooks stored as the project wants them: outputs stripped, except nbval checks.

    python scripts/refresh_notebooks.py            # strip every output but the checked cells
    python scripts/refresh_notebooks.py --execute  # re-run first, refreshing the checked outputs

Cells tagged `nbval-check` keep their output: `pytest --nbval-lax` compares it with a fresh
run (those cells also carry the `# NBVAL_CHECK_OUTPUT` marker).
"""

import argparse
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHECK_TAG = "nbval-check"


def refresh(path: Path, execute: bool) -> None:
    notebook = nbformat.read(path, as_version=4)
    if execute:
        NotebookClient(notebook, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if CHECK_TAG in cell.metadata.get("tags", []):
            continue
        cell.outputs = []
        cell.execution_count = None
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--execute", action="store_true", help="execute before stripping")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    args = parser.parse_args()
    for path in args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb")):
        refresh(path, args.execute)
        print(f"refreshed {path.name}")
