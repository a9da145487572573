"""One progress bar for a whole batch: pages done of all, the areas finished, the page just written."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from assess.executor import NotebookPool, NotebookTask, PageResult


def finished(task: NotebookTask) -> Future:
    future = Future()
    future.set_result(PageResult(f"{task.output_name}.ipynb", f"{task.output_name}.html", 0.1, task.out))
    return future


def tracked(pool: NotebookPool, tasks: list[NotebookTask], order: list[int]) -> None:
    """The tasks as if submitted, finishing in `order`."""
    for i in order:
        pool._track(finished(tasks[i]), tasks[i])


def test_the_bar_counts_pages_and_areas_as_they_finish(capsys):
    tasks = [
        NotebookTask(Path("priority.ipynb"), {}, Path("dover"), "10_asb", area="Dover"),
        NotebookTask(Path("90_scoring.ipynb"), {}, Path("dover"), area="Dover"),
        NotebookTask(Path("priority.ipynb"), {}, Path("swale"), "10_asb", area="Swale"),
    ]
    pool = NotebookPool(progress=True)
    tracked(pool, tasks, [2, 0, 1])  # out of order: the last task first
    pool._progress_bar().total = len(tasks)
    seen = [task for task, _ in pool.finished()]
    pool.__exit__(None, None, None)
    assert seen == [tasks[2], tasks[0], tasks[1]]
    shown = capsys.readouterr().err
    assert "3/3" in shown and "2 of 2 areas done; Dover: 90_scoring" in shown


def test_pages_done_by_now_come_without_waiting_for_the_rest():
    tasks = [NotebookTask(Path("90_scoring.ipynb"), {}, Path(name), area=name) for name in ("Dover", "Swale")]
    pool = NotebookPool(progress=False)
    pool._track(finished(tasks[0]), tasks[0])
    pool._track(Future(), tasks[1])  # still running
    assert [task for task, _ in pool.finished(wait=False)] == [tasks[0]]
    assert list(pool.finished(wait=False)) == []


def test_one_area_shows_no_count_of_areas_and_no_bar_when_asked(capsys):
    task = NotebookTask(Path("90_scoring.ipynb"), {}, Path("out"), area="Dover")
    pool = NotebookPool(progress=True)
    pool._track(finished(task), task)
    list(pool.finished())
    pool.__exit__(None, None, None)
    shown = capsys.readouterr().err
    assert "areas done" not in shown and "Dover: 90_scoring" in shown
    quiet = NotebookPool(progress=False)
    quiet._track(finished(task), task)
    list(quiet.finished())
    assert capsys.readouterr().err == ""


class Finishing:
    """Stands in for the process pool: every task is finished as soon as it is submitted."""

    def submit(self, function, task):
        return finished(task)

    def shutdown(self):
        pass


def test_the_total_counts_the_areas_still_to_come_and_is_exact_at_the_last(capsys):
    pool = NotebookPool(progress=True)
    pool._pool = Finishing()
    first = [NotebookTask(Path(f"{i}.ipynb"), {}, Path("dover"), area="Dover") for i in range(2)]
    pool.submit(first, areas_to_come=2)  # two more areas of about as many pages
    assert pool._progress_bar().total == 6
    assert len(list(pool.finished())) == 2
    # The last area has one page more than the first (monitoring could not be dropped there).
    last = [NotebookTask(Path(f"{i}.ipynb"), {}, Path("swale"), area="Swale") for i in range(3)]
    pool.submit(last, areas_to_come=0)
    assert pool._progress_bar().total == 5
    list(pool.finished())
    pool.__exit__(None, None, None)
    assert "5/5" in capsys.readouterr().err
