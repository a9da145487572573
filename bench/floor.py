"""The issue's floor: papermill executing import-only notebooks, a fresh kernel each, exported in-process.

    python bench/floor.py FOLDER     # every floor_*.ipynb in FOLDER, into FOLDER/done/

One worker process per core, each notebook given to papermill with no kernel manager (so
papermill starts and stops a kernel of its own for it) and exported to HTML by
`assess.export.export_html`, the way `assess run` exports its pages.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def execute_and_export(notebook: Path) -> Path:
    """Execute one notebook in a new kernel, export it to HTML beside the executed copy; the HTML's path."""
    import papermill

    from assess.export import export_html

    out = notebook.parent / "done"
    executed = out / notebook.name
    papermill.execute_notebook(
        str(notebook), str(executed), cwd=str(notebook.parent), progress_bar=False, log_output=False
    )
    return export_html(executed, out)


def run_floor(folder: Path) -> list[Path]:
    """Execute and export every `floor_*.ipynb` of `folder`, os.cpu_count() at a time."""
    notebooks = sorted(folder.glob("floor_*.ipynb"))
    (folder / "done").mkdir(exist_ok=True)
    # spawn, as `assess run` starts its workers: both pay the same start-up.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context) as pool:
        return list(pool.map(execute_and_export, notebooks))


if __name__ == "__main__":
    run_floor(Path(sys.argv[1]))
