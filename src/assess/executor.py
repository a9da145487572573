"""Running notebooks: papermill in worker processes, on this machine or on a Dask cluster.

Each worker process keeps one kernel and runs its notebooks in it one after another,
clearing the namespace between them. The kernel starts and imports the libraries once per
worker instead of once per notebook, and the evidence the notebooks read is memoised in it
(see `context.open_run`). This is safe because the notebooks keep no state but their
namespace; a kernel that died is replaced.

Every process ends with the run. A failure, Ctrl-C or SIGTERM in the main process stops the
workers, and each worker kills its kernel before it exits. A worker whose main process is
gone (killed with SIGKILL) kills its kernel and exits; a kernel whose worker is gone exits
by itself (ipykernel watches the parent named by JPY_PARENT_PID, which jupyter_client sets).
"""

from __future__ import annotations

import _thread
import atexit
import multiprocessing
import os
import queue
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from jupyter_client.asynchronous import AsyncKernelClient
from tqdm import tqdm

from assess import export
from assess.errors import ConfigError, NotebookError

if TYPE_CHECKING:
    from jupyter_client import AsyncKernelManager

KERNEL_NAME = "python3"
# Workers for one area's pages, unless told: more would only start kernels with nothing to run.
AREA_WORKERS = 8
# What every notebook of the workbook imports first: run in each kernel as it starts.
NOTEBOOK_IMPORTS = "import assess.context, assess.pages"
# Clearing the namespace takes well under a second; a kernel silent for this long is dead or stuck.
_CLEAR_TIMEOUT = 30
# `%reset -f` and `%cd`, without the full garbage collection `%reset` ends with (a quarter of a
# second per notebook, for cycles Python's own collector frees anyway).
_CLEAR_CODE = """\
def _assess_clear(shell=get_ipython(), folder={folder!r}):
    import os
    hook = shell.displayhook
    shell.user_ns["_oh"].clear()
    hook._, hook.__, hook.___ = "", "", ""
    full_cache, hook.do_full_cache = hook.do_full_cache, False
    try:
        shell.reset(new_session=False)
    finally:
        hook.do_full_cache = full_cache
    os.chdir(folder)
_assess_clear()
"""
# How often a worker checks that the main process is still there (seconds).
_PARENT_POLL = 0.5
# How long a stopped worker may take to kill its kernel before it is killed itself (seconds).
_STOP_GRACE = 2.0


@dataclass(frozen=True)
class NotebookTask:
    """One notebook to execute with its parameters, the folder for its outputs, and their name.

    One notebook may serve several pages (the priority notebook serves every priority), so
    each task names its own output: `<name>.ipynb` and `<name>.html` (default: the notebook's).
    """

    notebook: Path
    parameters: dict[str, str] = field(default_factory=dict)
    out: Path = Path(".")
    name: str = ""
    area: str = ""  # whose page it is, for the progress bar of a batch of areas

    @property
    def output_name(self) -> str:
        return self.name or self.notebook.stem


@dataclass(frozen=True)
class PageResult:
    """One executed notebook and its HTML page."""

    notebook: str
    html: str
    seconds: float
    out: Path


class NotebookPool:
    """Processes that run notebooks, on this machine or on a Dask cluster, and the batch's progress bar.

    The workers start when the pool is entered, each starting its kernel and running
    `warm_up` in it (the notebooks' imports), while the main process reads and checks the
    inputs. Tasks are added as they are ready (`submit`) and pages come back as they finish
    (`finished`), so one area's pages can be finished while other areas' notebooks run.
    Leaving the pool on an error, Ctrl-C or SIGTERM stops every worker and kernel at once.

    Parameters
    ----------
    workers
        Worker processes on this machine (default: one per core).
    scheduler
        Address of a Dask distributed scheduler (e.g. tcp://10.0.0.5:8786) to run on a
        cluster instead; its workers need this package installed and the same paths.
    """

    def __init__(
        self, workers: int | None = None, scheduler: str | None = None, progress: bool = True, warm_up: str = ""
    ):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.scheduler = scheduler
        self.progress = progress
        self.warm_up = warm_up
        self._done: queue.Queue = queue.Queue()
        self._tasks: dict[object, NotebookTask] = {}
        self._pending = 0
        self._areas: Counter = Counter()
        self._areas_in_all = 0  # the areas submitted and those still to come
        self._bar: tqdm | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._died = False  # a worker died: the main thread was interrupted to stop the run
        self._client = None
        self._warming: list = []

    def __enter__(self) -> NotebookPool:
        try:
            self._start()
        except BaseException:
            # A Ctrl-C while the workers start: stop those already started, as on any later error.
            self.__exit__(*sys.exc_info())
            raise
        return self

    def _start(self) -> None:
        if self.scheduler:
            self._client = _dask_client(self.scheduler)
            workers = list(self._client.scheduler_info()["workers"])
            # Kept: Dask forgets a task whose future nobody holds.
            self._warming = [
                self._client.submit(warm_kernel, self.warm_up, workers=[address], pure=False)
                for address in (workers if self.warm_up else ())
            ]
            return
        # spawn, not fork: the parent may hold threads (tqdm) that fork would copy mid-state.
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )
        # One warm-up call per worker: each call starts a worker while none is idle.
        with _sigint_blocked():
            for _ in range(self.workers if self.warm_up else 0):
                self._pool.submit(warm_kernel, self.warm_up)
        # Only the main thread can be interrupted: a pool used from another thread waits for `finished`.
        if threading.current_thread() is threading.main_thread():
            self._watcher = threading.Thread(target=self._watch_workers, name="assess-watch-workers", daemon=True)
            self._watcher.start()

    def _watch_workers(self) -> None:
        """Interrupt the main thread as soon as a worker dies, whatever it is doing then (reading the
        inputs, preparing the next area), so the run stops at once; `__exit__` says why.

        Under the lock, and only while the pool is not closing: once the main thread has seen the
        failure itself (or is leaving the pool), an interrupt would land in its clean-up.
        """
        while not self._closing.wait(_PARENT_POLL):
            if any(process.exitcode is not None for process in list((self._pool._processes or {}).values())):
                with self._lock:
                    if self._closing.is_set():
                        return
                    self._closing.set()
                    self._died = True
                    _thread.interrupt_main()
                return

    def _close(self) -> None:
        """No interrupt from the watcher from now on (see `_watch_workers`)."""
        with self._lock:
            self._closing.set()

    def submit(self, tasks: Iterable[NotebookTask], areas_to_come: int = 0) -> None:
        """Add one area's tasks; `areas_to_come`: how many more areas will follow, each with as many (for the bar)."""
        tasks = list(tasks)
        with _sigint_blocked():
            for task in tasks:
                if self._client is not None:
                    # pure=False: a notebook run has effects (its files), so equal arguments are not one result.
                    future = self._client.submit(execute_notebook, task, pure=False)
                else:
                    try:
                        future = self._pool.submit(execute_notebook, task)
                    except BrokenProcessPool:
                        self._close()
                        raise _worker_died() from None
                self._track(future, task)
        self._areas_in_all = len(self._areas) + areas_to_come
        bar = self._progress_bar()
        bar.total = bar.n + self._pending + areas_to_come * len(tasks)
        bar.refresh()

    def _track(self, future, task: NotebookTask) -> None:
        self._tasks[future] = task
        self._areas[task.area] += 1
        self._pending += 1
        future.add_done_callback(self._done.put)

    def finished(self, wait: bool = True) -> Iterator[tuple[NotebookTask, PageResult]]:
        """The tasks that have finished, with their pages: every task submitted (wait), or those done by now.

        A failed notebook raises its error here (`NotebookError`).
        """
        while self._pending:
            try:
                future = self._done.get(timeout=0.2 if wait else 0)
            except queue.Empty:
                if wait:
                    continue  # a short wait, so that Ctrl-C is not held up
                return
            self._pending -= 1
            task = self._tasks.pop(future)
            try:
                page = future.result()
            except BrokenProcessPool:
                self._close()
                raise _worker_died() from None
            except BaseException:
                self._close()  # a failed notebook: the run stops here, with no interrupt to come
                raise
            self._areas[task.area] -= 1
            self._show(task)
            yield task, page

    def _progress_bar(self) -> tqdm:
        if self._bar is None:
            self._bar = tqdm(total=0, desc="pages", unit="page", disable=not self.progress)
        return self._bar

    def _show(self, task: NotebookTask) -> None:
        """One bar for the batch: pages done of all, elapsed and remaining time, areas done, the page written."""
        bar = self._progress_bar()
        areas = max(self._areas_in_all, len(self._areas))
        done = sum(left == 0 for left in self._areas.values())
        count = f"{done} of {areas} areas done; " if areas > 1 else ""
        bar.set_postfix_str(f"{count}{task.area + ': ' if task.area else ''}{task.output_name}", refresh=False)
        bar.update()

    def __exit__(self, kind, error, trace) -> None:
        self._close()
        if self._watcher is not None:
            self._watcher.join()  # before the workers are stopped: their exit is no news then
        if self._bar is not None:
            self._bar.close()
        if self._client is not None:
            if error is not None:
                self._client.cancel(list(self._tasks))
            self._client.close()
        elif self._pool is not None:
            if error is None:
                self._pool.shutdown()  # the workers exit, and kill their kernels as they do
            else:
                # A failed notebook, Ctrl-C or SIGTERM: the other notebooks' output would be discarded.
                _stop_now(self._pool)
                if self._died and isinstance(error, KeyboardInterrupt):
                    raise _worker_died() from None


def notebook_pool(
    workers: int | None, scheduler: str | None, progress: bool, one_notebook: bool = False, one_area: bool = True
) -> NotebookPool:
    """Workers for the workbook's notebooks, their kernels warmed with its imports.

    Unless told how many: one per core, and for one area's pages at most `AREA_WORKERS`
    (an area has about ten pages; each worker's kernel costs a few hundred MB); one for a
    single notebook.
    """
    if one_notebook:
        workers = 1
    elif workers is None and one_area:
        workers = min(os.cpu_count() or 1, AREA_WORKERS)
    return NotebookPool(workers, scheduler, progress, warm_up=NOTEBOOK_IMPORTS)


def run_tasks(
    tasks: list[NotebookTask], workers: int | None = None, scheduler: str | None = None, progress: bool = True
) -> list[PageResult]:
    """Execute every task, in parallel, and return their results in task order (see `NotebookPool`)."""
    if not tasks:
        return []
    order = {id(task): i for i, task in enumerate(tasks)}
    results: list[PageResult | None] = [None] * len(tasks)
    with NotebookPool(min(workers or os.cpu_count() or 1, len(tasks)), scheduler, progress) as pool:
        pool.submit(tasks)
        for task, page in pool.finished():
            results[order[id(task)]] = page
    return [r for r in results if r is not None]


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Start workers with Ctrl-C blocked, as they inherit this thread's signal mask.

    Until its initializer ignores SIGINT, a worker would die of a Ctrl-C with a traceback
    on the terminal; the main process stops the workers itself. A Ctrl-C meanwhile is not
    lost: another thread takes it, or it waits for this one, and Python handles it in the
    main thread either way.
    """
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _worker_died() -> NotebookError:
    return NotebookError(
        "a worker process died while running the notebooks (out of memory?); try again with fewer --workers"
    )


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Stop every worker at once, and their kernels with them.

    The pool has no public way to stop running tasks before Python 3.14, so its workers
    are sent SIGTERM, on which each kills its kernel and exits (see `_start_worker`). One
    that has not exited after a grace period is killed; its kernel then notices and exits.
    """
    processes = list((pool._processes or {}).values())
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + _STOP_GRACE
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _dask_client(scheduler: str):
    """A client of the Dask scheduler at `scheduler`; one line if it cannot be reached.

    A refused TCP connection is told at once: Dask itself would retry until its timeout.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError("--scheduler needs Dask distributed: pip install 'assess[cluster]'") from None
    try:
        address = urlsplit(scheduler)
        if address.scheme == "tcp" and address.hostname and address.port:
            socket.create_connection((address.hostname, address.port), timeout=10).close()
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"--scheduler: cannot reach a Dask scheduler at {scheduler} ({exc})") from None


_KERNEL: AsyncKernelManager | None = None  # this worker process's kernel manager


def _start_worker(parent: int) -> None:
    """Make a pool worker, and its kernel, end with the run (the pool's initializer).

    The main process decides when to stop, so a Ctrl-C reaching the worker too is ignored;
    SIGTERM, the main process's way of stopping it, kills the kernel before the worker exits.
    A daemon thread does the same once the main process `parent` is gone.
    """
    _without_iri_checks()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Unblocked (see `_sigint_blocked`) so that kernels do not inherit the block.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGTERM, _end_worker)
    threading.Thread(target=_watch_parent, args=(parent,), name="assess-watch-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    """End this worker once its parent has gone: the worker is then re-parented."""
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL)
    _end_worker()


def _end_worker(*_signal_args: object) -> None:
    """Kill the kernel, then exit at once: a stopped worker has nothing left to finish."""
    _kill_kernel()
    os._exit(128 + signal.SIGTERM)


def _kill_kernel() -> None:
    """Kill this worker's kernel and whatever it started, and remove its connection file.

    Called only as the worker exits, from a signal handler, a thread or atexit: it takes no
    lock the interrupted code may hold (`Popen.wait` would), so it reaps with `os.waitpid`.
    """
    process = getattr(getattr(_KERNEL, "provisioner", None), "process", None)
    if process is not None and process.returncode is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # jupyter_client starts it in its own session
            os.waitpid(process.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass  # already gone, or reaped by the thread polling it
    if _KERNEL is not None:
        _KERNEL.cleanup_connection_file()


def _worker_kernel(cwd: Path) -> AsyncKernelManager:
    """This worker's kernel, started on first use (or after it died), namespace cleared otherwise.

    The kernel works in `cwd` (the notebook's output folder), as Jupyter's would for the kept
    notebook, so paths the notebook is given relative to it (its parameters file) resolve the
    same in the batch and when an analyst re-runs the kept notebook.

    The manager is asynchronous because nbclient's check that the kernel is alive runs beside
    the cell on one event loop: a blocking client's wait for output holds that loop, so a
    kernel that died mid-cell (killed, out of memory) would be waited for forever.
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    global _KERNEL
    if _KERNEL is None:
        _quiet_stderr()
        atexit.register(_kill_kernel)  # a worker the pool shuts down exits normally
    else:
        if _clear(_KERNEL, cwd):
            return _KERNEL
        run_sync(_KERNEL.shutdown_kernel)(now=True)  # reaps it and removes its connection file
    _KERNEL = AsyncKernelManager(kernel_name=KERNEL_NAME, client_class=f"{__name__}.ReadyClient")
    run_sync(_KERNEL.start_kernel)(cwd=str(cwd))
    return _KERNEL


def _clear(kernel: AsyncKernelManager, cwd: Path) -> bool:
    """Empty the kernel's namespace and move it to `cwd`; False if it died or did not answer."""
    return _run_quietly(kernel, _CLEAR_CODE.format(folder=str(cwd)))


def _run_quietly(kernel: AsyncKernelManager, code: str) -> bool:
    """Run code in the kernel, outside its history; False if the kernel died or did not answer.

    The reply is awaited a second at a time, checking in between that the kernel lives,
    so a kernel that died since its last notebook is replaced at once. The request waits in
    the shell channel's queue until the kernel takes it, so there is no need to wait for the
    kernel to be ready first (`wait_for_ready` would also idle 0.2 s draining its output).
    """
    client = kernel.blocking_client()
    client.start_channels()
    try:
        request = client.execute(code, store_history=False)
        deadline = time.monotonic() + _CLEAR_TIMEOUT
        while client.is_alive() and time.monotonic() < deadline:
            try:
                if client.get_shell_msg(timeout=1)["parent_header"].get("msg_id") == request:
                    return True
            except queue.Empty:
                pass
        return False
    finally:
        client.stop_channels()


class ReadyClient(AsyncKernelClient):
    """A kernel client that is ready as soon as the kernel has answered, with no fixed wait.

    jupyter_client's own `wait_for_ready` ends by draining the output channel until it has
    been quiet for 0.2 s, which idles every notebook of a batch that long. This one asks
    for the kernel's info and is ready once the reply has come and the output channel has
    carried the kernel's "idle" for that very request: then the channel is connected and
    nothing of the request is left in it. Until both have come it asks again, as
    jupyter_client does, and a kernel that has died or stays silent past `timeout` is an error.
    """

    # Clients open in this process. nbclient opens one per notebook and, as it does not own
    # the kernel, never closes it: each would go on receiving every later notebook's output.
    opened: ClassVar[list[ReadyClient]] = []

    def start_channels(self, *args, **kwargs) -> None:
        super().start_channels(*args, **kwargs)
        ReadyClient.opened.append(self)

    @classmethod
    def close_all(cls) -> None:
        """Close every client this process opened (the notebook they served has ended)."""
        while cls.opened:
            cls.opened.pop().stop_channels()

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while time.monotonic() < deadline:
            request = self.kernel_info()
            if await self._answered(request, min(1.0, max(0.0, deadline - time.monotonic()))):
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
        raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    async def _answered(self, request: str, wait: float) -> bool:
        """Whether the reply to `request` and its idle status both came within `wait` seconds."""
        until = time.monotonic() + wait
        replied = idle = False
        while not (replied and idle) and time.monotonic() < until:
            left = max(0.0, until - time.monotonic())
            try:
                if not replied:
                    message = await self.get_shell_msg(timeout=left)
                    if message["parent_header"].get("msg_id") == request:
                        replied = True
                        self._handle_kernel_info_reply(message)
                else:
                    message = await self.get_iopub_msg(timeout=left)
                    idle = (
                        message["parent_header"].get("msg_id") == request
                        and message["msg_type"] == "status"
                        and message["content"].get("execution_state") == "idle"
                    )
            except queue.Empty:
                return False
        return replied and idle


def warm_kernel(code: str) -> None:
    """Start this worker's kernel and run `code` in it (the notebooks' imports) before its first notebook.

    Only time is at stake: a kernel that fails here is started again by the first notebook,
    which then reports the failure.
    """
    import papermill  # noqa: F401  (every notebook of this worker needs it: imported while the kernel starts)

    # Started in a neutral folder: the notebooks' folders come with them (see `_clear`).
    _run_quietly(_worker_kernel(Path(tempfile.gettempdir())), code)


def _quiet_stderr() -> None:
    """Kernels inherit the worker's stderr; their start-up chatter is noise on the terminal.

    A failing cell's error reaches the user through papermill, not through this stream.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)


def execute_notebook(task: NotebookTask) -> PageResult:
    """Execute one notebook with papermill in this worker's kernel and export it to HTML."""
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    executed = task.out / f"{task.output_name}.ipynb"
    kernel = _worker_kernel(task.out)
    # nbclient's hooks tell the notebook as run and the last cell sent to the kernel, so a
    # failure names the cell even when the kernel died before the notebook could be saved.
    seen: dict = {}
    try:
        papermill.execute_notebook(
            str(task.notebook),
            str(executed),
            parameters=task.parameters,
            km=kernel,
            cwd=str(task.notebook.parent),
            progress_bar=False,
            log_output=False,
            # Saving after every cell rewrites the whole notebook, images and all: save once at the end.
            request_save_on_cell_execute=False,
            autosave_cell_every=0,
            on_notebook_start=lambda notebook: seen.update(cells=notebook.cells),
            on_cell_execute=lambda cell, cell_index: seen.update(index=cell_index),
        )
    except PapermillExecutionError as exc:
        cell = _source_cell_number(seen["cells"], exc.cell_index)
        raise NotebookError(f"notebook {_described(task)} failed in cell {cell}: {exc.ename}: {exc.evalue}") from None
    except DeadKernelError:
        cell = _source_cell_number(seen["cells"], seen["index"])
        raise NotebookError(
            f"notebook {_described(task)}: its kernel died while running cell {cell} (out of memory?)"
        ) from None
    finally:
        ReadyClient.close_all()
    html_path = export.export_html(executed, task.out)
    return PageResult(executed.name, html_path.name, time.perf_counter() - started, task.out)


def _without_iri_checks() -> None:
    """Keep jsonschema from building its IRI grammar, which costs a second in every worker.

    jsonschema builds it on import when rfc3987-syntax is installed (JupyterLab brings it),
    and nbformat imports jsonschema; no field of the notebook format is an IRI, so the
    check is never used. A module set to None in sys.modules is one Python will not import.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def _described(task: NotebookTask) -> str:
    """The notebook, and the page it was making when that is not its own name."""
    if task.output_name == task.notebook.stem:
        return task.notebook.name
    return f"{task.notebook.name} (page {task.output_name})"


def _source_cell_number(cells: list, index: int) -> int:
    """Number (from 1) of the cell at `index` in the notebook as the analyst sees it.

    papermill inserts an injected-parameters cell, shifting later cells by one.
    """
    return sum("injected-parameters" not in c.metadata.get("tags", []) for c in cells[: index + 1])
