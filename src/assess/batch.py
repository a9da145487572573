"""The annual batch: execute the notebooks with papermill, export HTML, write the index.

Everything is written into a hidden folder beside the destination and moved into place
only once complete, so a run that fails (or is killed) leaves earlier output as it was.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml
from tqdm import tqdm

from assess import report
from assess.actions import parse_as_of
from assess.config import PROJECT_ROOT, Assessment, slug
from assess.errors import NotebookError
from assess.evidence import Evidence
from assess.excel import write_workbook
from assess.provenance import write_manifest
from assess.monitoring import check_quarter_end
from assess.results import Scoring

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
RENDERED_DIR = PROJECT_ROOT / "rendered"
ACTION_PLAN_NOTEBOOK = "80_action_plan.ipynb"
SCORING_NOTEBOOK = "90_scoring.ipynb"
MONITORING_NOTEBOOK = "95_monitoring.ipynb"
RESOLVED_PARAMS = "assessment.yaml"


@dataclass(frozen=True)
class PageResult:
    """One executed notebook and its HTML page."""

    notebook: str
    html: str
    seconds: float


@dataclass(frozen=True)
class RunResult:
    """Where a run wrote its output, and what it wrote."""

    out_dir: Path
    pages: tuple[PageResult, ...]
    seconds: float


def default_out_dir(assessment: Assessment) -> Path:
    return RENDERED_DIR / assessment.period_label / slug(assessment.area)


def notebooks_for(assessment: Assessment, notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """The priority notebooks the parameters name, in priority order, then the action plan,
    scoring and monitoring notebooks."""
    paths = []
    for priority in assessment.priorities:
        if priority.notebook:
            path = notebook_dir / priority.notebook
            if not path.is_file():
                raise NotebookError(
                    f"{assessment.priorities_file}: priority '{priority.key}' names notebook "
                    f"{priority.notebook}, which is not in {notebook_dir}"
                )
            paths.append(path)
    return paths + [notebook_dir / n for n in (ACTION_PLAN_NOTEBOOK, SCORING_NOTEBOOK, MONITORING_NOTEBOOK)]


def run_assessment(
    params_file: Optional[Path] = None,
    area: Optional[str] = None,
    data_dir: Optional[Path] = None,
    out_dir: Optional[Path] = None,
    workers: Optional[int] = None,
    progress: bool = True,
    as_of: str = "",
    monitoring_only: bool = False,
    quarter_end: str = "",
) -> RunResult:
    """Run the notebooks of an assessment (or its quarterly monitoring alone) and write the rendered folder.

    The inputs are read and checked before any notebook starts, so bad input costs
    nothing but one line.
    """
    started = time.perf_counter()
    evidence = Evidence.load(params_file, area, data_dir)
    assessment = evidence.assessment
    as_of_date = parse_as_of(as_of)
    quarter = check_quarter_end(quarter_end, evidence)
    evidence.check_plan()
    if monitoring_only:
        notebooks = [NOTEBOOK_DIR / MONITORING_NOTEBOOK]
        target = Path(out_dir) if out_dir else RENDERED_DIR / f"monitoring_{quarter.end}" / slug(assessment.area)
    else:
        notebooks = notebooks_for(assessment)
        target = Path(out_dir) if out_dir else default_out_dir(assessment)
    parameters = {"params_file": "", "area": "", "data_dir": "", "as_of": as_of_date.isoformat()}
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    timings: dict[str, float] = {"reading and checking inputs": time.perf_counter() - started}
    try:
        resolved = staging / RESOLVED_PARAMS
        resolved.write_text(yaml.safe_dump(assessment.to_yaml_dict(), sort_keys=False), encoding="utf-8")
        parameters["params_file"] = str(resolved)
        scoring = None
        if not monitoring_only:
            # Scored once here (the Monte Carlo result is cached for the notebooks to reuse).
            step = time.perf_counter()
            scoring = Scoring(evidence)
            scoring.write(staging)
            write_workbook(evidence, scoring, staging, as_of_date)
            timings["scoring and workbook"] = time.perf_counter() - step
        step = time.perf_counter()
        pages = _execute_all(notebooks, parameters, quarter.end, staging, workers, progress)
        timings["notebooks"] = time.perf_counter() - step
        timings.update({f"notebook {p.notebook}": p.seconds for p in pages})
        report.write_index(evidence, scoring, pages, staging)
        timings["total"] = time.perf_counter() - started
        outputs = [p for p in staging.iterdir() if p.suffix in (".csv", ".xlsx", ".html")]
        write_manifest(staging, _inputs(evidence), {**assessment.to_yaml_dict(), "as_of": as_of_date.isoformat(),
                       "quarter_end": quarter.end, "monitoring_only": monitoring_only}, timings, outputs)
        _replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return RunResult(target, tuple(pages), time.perf_counter() - started)


def _inputs(evidence: Evidence) -> list[Path]:
    """Every file the run read: data tables, partner returns and parameter files."""
    assessment = evidence.assessment
    params = [assessment.source, assessment.priorities_file, assessment.judgements_file,
              assessment.actions_file, assessment.measures_file]
    return list(evidence.tables.files) + [p for p in params if p is not None]


def _execute_all(
    notebooks: list[Path], parameters: dict[str, str], quarter_end: str, out: Path, workers: Optional[int],
    progress: bool,
) -> list[PageResult]:
    workers = max(1, min(workers or os.cpu_count() or 1, len(notebooks)))
    # spawn, not fork: the parent may hold threads (tqdm) that fork would copy mid-state.
    context = multiprocessing.get_context("spawn")
    results: dict[str, PageResult] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_quiet_kernels) as pool:
        futures = {}
        for nb in notebooks:
            own = {**parameters, "quarter_end": quarter_end} if nb.name == MONITORING_NOTEBOOK else parameters
            futures[pool.submit(execute_notebook, nb, own, out)] = nb
        with tqdm(total=len(futures), desc="notebooks", unit="nb", disable=not progress) as bar:
            for future in as_completed(futures):
                try:
                    page = future.result()
                except NotebookError:
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
                results[page.notebook] = page
                bar.update()
    return [results[nb.name] for nb in notebooks]


def _quiet_kernels() -> None:
    """Kernels inherit the worker's stderr; their start-up chatter is noise on the terminal.

    A failing cell's error reaches the user through papermill, not through this stream.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)


def execute_notebook(notebook: Path, parameters: dict[str, str], out: Path) -> PageResult:
    """Execute one notebook with papermill and export it to HTML without code."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    executed = out / notebook.name
    try:
        papermill.execute_notebook(
            str(notebook), str(executed),
            parameters=parameters,
            cwd=str(notebook.parent), progress_bar=False, log_output=False,
        )
    except PapermillExecutionError as exc:
        cell = _source_cell_number(executed, exc.cell_index)
        raise NotebookError(
            f"notebook {notebook.name} failed in cell {cell}: {exc.ename}: {exc.evalue}"
        ) from None
    html_path = report.export_html(executed, out)
    return PageResult(notebook.name, html_path.name, time.perf_counter() - started)


def _source_cell_number(executed: Path, index: int) -> int:
    """Number (from 1) of a failing cell in the notebook as the analyst sees it.

    papermill inserts an injected-parameters cell, shifting later cells by one.
    """
    import nbformat

    cells = nbformat.read(executed, as_version=4).cells[: index + 1]
    return sum("injected-parameters" not in c.metadata.get("tags", []) for c in cells)


def _replace_dir(staging: Path, target: Path) -> None:
    """Swap the finished folder into place; the old one is removed only after the swap."""
    backup = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        target.rename(backup)
    staging.rename(target)
    shutil.rmtree(backup, ignore_errors=True)
