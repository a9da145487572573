"""Processes end with the run: Ctrl-C, SIGTERM, kill -9, a dead kernel and a dead worker.

Each case runs the real command on the embedded default data and watches its processes
through /proc: the main process, its workers (multiprocessing spawn) and their kernels,
which jupyter_client starts in sessions of their own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from assess.errors import NotebookError
from assess.executor import NotebookTask, run_tasks
from assess.outputs import write_marker

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc"),
]

INTERRUPTED = "assess: interrupted; earlier output left as it was\n"
STOP_WITHIN = 5.0  # seconds from the signal to the end of the run: the product requirement
GONE_WITHIN = 3.0  # seconds for processes whose parent was killed to notice and exit


def processes() -> dict[int, int]:
    """Parent of every live process (zombies are dead: they only wait to be reaped)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name, in parentheses, may hold spaces: the fields follow its last ')'.
        state, parent = stat[stat.rindex(")") + 2 :].split()[:2]
        if state not in "ZX":
            table[int(entry.name)] = int(parent)
    return table


def descendants(root: int) -> set[int]:
    table = processes()
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in table.items() if parent in frontier} - found
        found |= frontier
    return found


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pids: set[int]) -> set[int]:
    return pids & set(processes())


def kernels(pids: set[int]) -> set[int]:
    return {pid for pid in pids if "ipykernel" in command(pid)}


def workers(pids: set[int]) -> set[int]:
    return {pid for pid in pids if "spawn_main" in command(pid)}


def kernels_started_by(worker_pids: set[int]) -> set[int]:
    """Kernels, alive and possibly orphaned, whose worker is one of these (jupyter_client's
    JPY_PARENT_PID), so that a kernel started after the last look is not missed."""
    found = set()
    for pid in processes():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(f"JPY_PARENT_PID={worker}".encode() in environ for worker in worker_pids):
            found.add(pid)
    return found


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def earlier(tmp_path) -> Path:
    """An earlier run's output folder, as a run leaves it (its marker lists its files)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<p>the earlier assessment</p>")
    (out / "ranking.csv").write_text("issue,rank\nasb,1\n")
    write_marker(out)
    return out


def start_run(out: Path) -> subprocess.Popen:
    """`assess run` in a session of its own (as a terminal's foreground job), two workers."""
    return subprocess.Popen(
        [sys.executable, "-m", "assess.cli", "run", "--out", str(out), "--as-of", "2022-12-31", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for_kernels(run: subprocess.Popen, count: int = 2, timeout: float = 60.0) -> set[int]:
    """Wait until `count` workers each run a kernel, a moment apart: the run is mid-way.

    Two looks a second apart must agree, so a kernel being replaced between notebooks (a
    worker on a loaded machine may start a fresh one) is waited out, not taken for the tree.
    """
    deadline = time.monotonic() + timeout
    previous: set[int] = set()
    while True:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the kernels did not start"
        tree = descendants(run.pid)
        if len(workers(tree)) == count and len(kernels(tree)) == count and tree == previous:
            return tree
        previous = tree if len(kernels(tree)) == count else set()
        time.sleep(1.0 if previous else 0.1)


def stop(run: subprocess.Popen, send) -> tuple[float, str]:
    """Send a signal (`send()`); the seconds until the run ended, and its stderr."""
    sent = time.monotonic()
    send()
    try:
        _, err = run.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        raise AssertionError("the run did not stop within 30 s of the signal") from None
    return time.monotonic() - sent, err


def gone_within(pids: set[int], seconds: float) -> set[int]:
    """Those of `pids` still alive after `seconds`."""
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(pids)


@pytest.mark.parametrize("how", ["Ctrl-C to the process group", "SIGTERM to the main process"])
def test_a_signal_stops_the_run_and_every_process_in_one_line(how, earlier):
    before = snapshot(earlier)
    run = start_run(earlier)
    tree = wait_for_kernels(run)
    if how.startswith("Ctrl-C"):
        seconds, err = stop(run, lambda: os.killpg(run.pid, signal.SIGINT))
    else:
        seconds, err = stop(run, lambda: os.kill(run.pid, signal.SIGTERM))
    assert run.returncode == 130 and err == INTERRUPTED, err
    assert seconds < STOP_WITHIN
    # Workers and kernels are gone by the time the run ends; the rest (multiprocessing's
    # resource tracker) once it sees the run has.
    assert not alive(workers(tree) | kernels(tree) | kernels_started_by(workers(tree)))
    assert not gone_within(tree, GONE_WITHIN)
    assert snapshot(earlier) == before
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["out"]


def test_kill_9_of_the_main_process_leaves_no_worker_or_kernel(earlier):
    before = snapshot(earlier)
    run = start_run(earlier)
    tree = wait_for_kernels(run)
    stop(run, run.kill)
    assert not gone_within(tree | kernels_started_by(workers(tree)), GONE_WITHIN)
    assert snapshot(earlier) == before


def test_a_dead_worker_is_one_line_and_takes_the_others_with_it(earlier):
    before = snapshot(earlier)
    run = start_run(earlier)
    tree = wait_for_kernels(run)
    victim = min(workers(tree))
    # jupyter_client names the connection file after -f; only the dead worker could have removed it.
    orphaned_files = [command(pid).split(" -f ")[1].strip() for pid in kernels(tree) if processes().get(pid) == victim]
    seconds, err = stop(run, lambda: os.kill(victim, signal.SIGKILL))
    for name in orphaned_files:
        Path(name).unlink(missing_ok=True)
    assert run.returncode == 2 and err.count("\n") == 1, err
    assert "a worker process died while running the notebooks" in err
    assert seconds < STOP_WITHIN
    assert not alive(workers(tree))
    # The dead worker's kernel cannot be told to stop: it sees its parent go and exits itself.
    assert not gone_within(tree | kernels_started_by(workers(tree)), GONE_WITHIN)
    assert snapshot(earlier) == before
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["out"]


def test_a_kernel_that_dies_mid_notebook_is_one_error_naming_the_cell(tmp_path):
    notebook = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    parameters = nbformat.v4.new_code_cell("size = 1")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [
        parameters,
        nbformat.v4.new_markdown_cell("# Out of memory"),
        nbformat.v4.new_code_cell("import os, signal"),
        nbformat.v4.new_code_cell("os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would"),
        nbformat.v4.new_code_cell("after = True"),
    ]
    path = tmp_path / "dies.ipynb"
    nbformat.write(notebook, path)
    out = tmp_path / "out"
    out.mkdir()
    started = time.monotonic()
    with pytest.raises(NotebookError) as raised:
        run_tasks([NotebookTask(path, {"size": "2"}, out)], workers=1, progress=False)
    assert time.monotonic() - started < 30
    assert str(raised.value) == "notebook dies.ipynb: its kernel died while running cell 4 (out of memory?)"
    assert not workers(descendants(os.getpid())) and not kernels(descendants(os.getpid()))
