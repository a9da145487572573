"""Running notebooks: papermill in worker processes, on this machine or on a Dask cluster.

Each worker process keeps one kernel and runs its notebooks in it one after another,
clearing the namespace between them. The kernel starts and imports the libraries once per
worker instead of once per notebook, and the evidence the notebooks read is memoised in it
(see `pages.open_evidence`). This is safe because the notebooks keep no state but their
namespace; a kernel that died is replaced.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shlex
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from tqdm import tqdm

from assess import report
from assess.errors import ConfigError, NotebookError

KERNEL_NAME = "python3"
_STARTUP_TIMEOUT = 120


@dataclass(frozen=True)
class NotebookTask:
    """One notebook to execute with its parameters, and the folder for its outputs."""

    notebook: Path
    parameters: dict[str, str] = field(default_factory=dict)
    out: Path = Path(".")


@dataclass(frozen=True)
class PageResult:
    """One executed notebook and its HTML page."""

    notebook: str
    html: str
    seconds: float
    out: Path


def run_tasks(tasks: list[NotebookTask], workers: Optional[int] = None, scheduler: Optional[str] = None,
              progress: bool = True) -> list[PageResult]:
    """Execute every task, in parallel, and return their results in task order.

    Parameters
    ----------
    workers
        Worker processes on this machine (default: one per core).
    scheduler
        Address of a Dask distributed scheduler (e.g. tcp://10.0.0.5:8786) to run on a
        cluster instead; its workers need this package installed and the same paths.
    """
    if not tasks:
        return []
    if scheduler:
        return _run_on_dask(tasks, scheduler, progress)
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    # spawn, not fork: the parent may hold threads (tqdm) that fork would copy mid-state.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(execute_notebook, task): i for i, task in enumerate(tasks)}
        try:
            return _collect(as_completed(futures), futures, len(tasks), progress)
        except NotebookError:
            _stop_now(pool)
            raise
        except BrokenProcessPool:
            raise NotebookError("a worker process died while running the notebooks (out of memory?); "
                                "try again with fewer --workers") from None


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Stop the other notebooks at once: the run has failed and their output would be discarded.

    The pool has no public way to stop running tasks before Python 3.14, so its workers
    are terminated; their kernels notice their parent has gone and exit too.
    """
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _run_on_dask(tasks: list[NotebookTask], scheduler: str, progress: bool) -> list[PageResult]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise ConfigError("--scheduler needs Dask distributed: pip install 'assess[cluster]'") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"--scheduler: cannot reach a Dask scheduler at {scheduler} ({exc})") from None
    with client:
        # pure=False: a notebook run has effects (its files), so equal arguments are not one result.
        futures = {client.submit(execute_notebook, task, pure=False): i for i, task in enumerate(tasks)}
        try:
            return _collect(dask_completed(list(futures)), futures, len(tasks), progress)
        except NotebookError:
            client.cancel(list(futures))
            raise


def _collect(done: Iterable, index: dict, total: int, progress: bool) -> list[PageResult]:
    results: list[Optional[PageResult]] = [None] * total
    with tqdm(total=total, desc="notebooks", unit="nb", disable=not progress) as bar:
        for future in done:
            results[index[future]] = future.result()
            bar.update()
    return [r for r in results if r is not None]


_KERNEL = None  # this worker process's kernel manager


def _worker_kernel(cwd: Path):
    """This worker's kernel, started on first use (or after it died), namespace cleared otherwise.

    The kernel works in `cwd` (the notebook's output folder), as Jupyter's would for the kept
    notebook, so paths the notebook is given relative to it (its parameters file) resolve the
    same in the batch and when an analyst re-runs the kept notebook.
    """
    from jupyter_client import KernelManager

    global _KERNEL
    if _KERNEL is not None and _KERNEL.is_alive():
        client = _KERNEL.blocking_client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=_STARTUP_TIMEOUT)
            client.execute_interactive(f"%reset -f\n%cd -q {shlex.quote(str(cwd))}", store_history=False,
                                       timeout=_STARTUP_TIMEOUT)
        finally:
            client.stop_channels()
        return _KERNEL
    _quiet_stderr()
    _KERNEL = KernelManager(kernel_name=KERNEL_NAME)
    _KERNEL.start_kernel(cwd=str(cwd))
    atexit.register(_KERNEL.shutdown_kernel, now=True)
    return _KERNEL


def _quiet_stderr() -> None:
    """Kernels inherit the worker's stderr; their start-up chatter is noise on the terminal.

    A failing cell's error reaches the user through papermill, not through this stream.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)


def execute_notebook(task: NotebookTask) -> PageResult:
    """Execute one notebook with papermill in this worker's kernel and export it to HTML."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    executed = task.out / task.notebook.name
    kernel = _worker_kernel(task.out)
    try:
        papermill.execute_notebook(
            str(task.notebook), str(executed), parameters=task.parameters, km=kernel,
            cwd=str(task.notebook.parent), progress_bar=False, log_output=False,
            # Saving after every cell rewrites the whole notebook, images and all: save once at the end.
            request_save_on_cell_execute=False, autosave_cell_every=0,
        )
    except PapermillExecutionError as exc:
        cell = _source_cell_number(executed, exc.cell_index)
        raise NotebookError(
            f"notebook {task.notebook.name} failed in cell {cell}: {exc.ename}: {exc.evalue}"
        ) from None
    html_path = report.export_html(executed, task.out)
    return PageResult(task.notebook.name, html_path.name, time.perf_counter() - started, task.out)


def _source_cell_number(executed: Path, index: int) -> int:
    """Number (from 1) of a failing cell in the notebook as the analyst sees it.

    papermill inserts an injected-parameters cell, shifting later cells by one.
    """
    import nbformat

    cells = nbformat.read(executed, as_version=4).cells[: index + 1]
    return sum("injected-parameters" not in c.metadata.get("tags", []) for c in cells)
