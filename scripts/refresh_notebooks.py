"""Keep notebooks stored as the project wants them: outputs stripped, except nbval checks.

    python scripts/refresh_notebooks.py            # strip every output but the checked cells
    python scripts/refresh_notebooks.py --execute  # re-run first, refreshing the checked outputs

Cells tagged `nbval-check` keep their output: `pytest --nbval-lax` compares it with a fresh
run (those cells also carry the `# NBVAL_CHECK_OUTPUT` marker, and are given the cell
metadata `"keep_output": true` that tells nbstripout to keep the output). The stripping itself is
nbstripout's, with the options `make lint` verifies, so that it accepts what this writes; the
execution counts of cells whose output is not kept are cleared here, as nbstripout has to keep
every count (--keep-count) for nbval to compare the kept outputs. `make strip` runs this.
"""

import argparse
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHECK_TAG = "nbval-check"
# As NBSTRIPOUT in the Makefile.
STRIP = [sys.executable, "-m", "nbstripout", "--keep-id", "--keep-count"]


def refresh(path: Path, execute: bool) -> None:
    notebook = nbformat.read(path, as_version=4)
    # The tag says which outputs are checked; nbstripout reads the metadata.
    unmarked = [
        cell
        for cell in notebook.cells
        if CHECK_TAG in cell.metadata.get("tags", []) and cell.metadata.get("keep_output") is not True
    ]
    for cell in unmarked:
        cell.metadata["keep_output"] = True
    if execute:
        NotebookClient(notebook, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    counted = [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code"
        and cell.execution_count is not None
        and cell.metadata.get("keep_output") is not True
    ]
    for cell in counted:
        cell.execution_count = None
    if execute or counted or unmarked:
        nbformat.write(notebook, path)
    subprocess.run([*STRIP, str(path)], check=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--execute", action="store_true", help="execute before stripping")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    args = parser.parse_args()
    for path in args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb")):
        refresh(path, args.execute)
        print(f"refreshed {path.name}")
