"""One progress bar for a whole batch: pages done of all, the areas finished, the page just written."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from assess.executor import NotebookTask, PageResult, _collect


def finished(task: NotebookTask) -> Future:
    future = Future()
    future.set_result(PageResult(f"{task.output_name}.ipynb", f"{task.output_name}.html", 0.1, task.out))
    return future


def test_the_bar_counts_pages_and_areas_and_results_keep_task_order(capsys):
    tasks = [
        NotebookTask(Path("priority.ipynb"), {}, Path("dover"), "10_asb", area="Dover"),
        NotebookTask(Path("90_scoring.ipynb"), {}, Path("dover"), area="Dover"),
        NotebookTask(Path("priority.ipynb"), {}, Path("swale"), "10_asb", area="Swale"),
    ]
    futures = {finished(task): i for i, task in enumerate(tasks)}
    # Finishing out of order: the last task first.
    done = sorted(futures, key=lambda f: -futures[f])
    results = _collect(done, futures, tasks, progress=True)
    assert [r.out for r in results] == [Path("dover"), Path("dover"), Path("swale")]
    shown = capsys.readouterr().err
    assert "3/3" in shown and "2 of 2 areas done" in shown and "Dover: 10_asb" in shown


def test_one_area_shows_no_count_of_areas_and_no_bar_when_asked(capsys):
    tasks = [NotebookTask(Path("90_scoring.ipynb"), {}, Path("out"), area="Dover")]
    futures = {finished(tasks[0]): 0}
    _collect(list(futures), futures, tasks, progress=True)
    shown = capsys.readouterr().err
    assert "areas done" not in shown and "Dover: 90_scoring" in shown
    _collect(list(futures), futures, tasks, progress=False)
    assert capsys.readouterr().err == ""
