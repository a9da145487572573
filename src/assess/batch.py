"""The annual batch: one area, every area of the county, or the quarterly monitoring alone.

Inputs are read and checked before any notebook starts, so bad input costs one line.
Everything is written into a hidden folder beside the destination and moved into place
only once complete, so a run that fails (or is killed) leaves earlier output as it was.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

from assess import report
from assess.actions import parse_as_of
from assess.config import PROJECT_ROOT, Assessment, data_dir_for, slug
from assess.data.counts import read_counts
from assess.errors import NotebookError
from assess.evidence import Evidence
from assess.excel import write_workbook
from assess.executor import NotebookTask, PageResult, run_tasks
from assess.monitoring import Quarter, check_quarter_end
from assess.provenance import write_manifest

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
RENDERED_DIR = PROJECT_ROOT / "rendered"
ACTION_PLAN_NOTEBOOK = "80_action_plan.ipynb"
SCORING_NOTEBOOK = "90_scoring.ipynb"
MONITORING_NOTEBOOK = "95_monitoring.ipynb"
RESOLVED_PARAMS = "assessment.yaml"
COUNTY_FOLDER = "county"


@dataclass(frozen=True)
class RunOptions:
    """How to run: where, with what, and on which machines."""

    params_file: Optional[Path] = None
    data_dir: Optional[Path] = None
    out_dir: Optional[Path] = None
    workers: Optional[int] = None
    scheduler: Optional[str] = None
    progress: bool = True
    as_of: str = ""
    quarter_end: str = ""


@dataclass(frozen=True)
class RunResult:
    """Where a run wrote its output, and what it wrote."""

    out_dir: Path
    pages: tuple[PageResult, ...]
    seconds: float

    @property
    def index(self) -> Path:
        """The page to open first: the area's index, or the county summary of an all-areas run."""
        county = self.out_dir / COUNTY_FOLDER / "index.html"
        return county if county.exists() else self.out_dir / "index.html"


@dataclass
class _AreaRun:
    """One area's assessment being prepared in its staging folder."""

    evidence: Evidence
    quarter: Quarter
    target: Path
    staging: Path
    tasks: list[NotebookTask]


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


def run_assessment(options: RunOptions, area: Optional[str] = None, monitoring_only: bool = False) -> RunResult:
    """Run the notebooks of one area's assessment (or its quarterly monitoring alone)."""
    started = time.perf_counter()
    evidence = Evidence.load(options.params_file, area, options.data_dir)
    if monitoring_only:
        quarter = check_quarter_end(options.quarter_end, evidence)
        target = options.out_dir or RENDERED_DIR / f"monitoring_{quarter.end}" / slug(evidence.assessment.area)
    else:
        target = options.out_dir or default_out_dir(evidence.assessment)
    run = _prepare(evidence, options, Path(target), monitoring_only)
    try:
        pages = run_tasks(run.tasks, options.workers, options.scheduler, options.progress)
        _finish(run, options, pages, started, monitoring_only)
        _replace_dir(run.staging, run.target)
    except BaseException:
        shutil.rmtree(run.staging, ignore_errors=True)
        raise
    return RunResult(run.target, tuple(pages), time.perf_counter() - started)


def run_all_areas(options: RunOptions) -> RunResult:
    """Assess every comparator area, then write a county summary beside them.

    All areas' notebooks go to one pool, so the workers stay busy from the first area to
    the last.
    """
    started = time.perf_counter()
    # Without a parameters file there is no named area: start from the first in the data.
    area = None if options.params_file else read_counts(data_dir_for(None, options.data_dir) / "counts.csv")["area"].min()
    first = Evidence.load(options.params_file, area, options.data_dir)
    root = Path(options.out_dir) if options.out_dir else RENDERED_DIR / first.assessment.period_label
    runs = []
    try:
        for area in first.assessment.comparators:
            evidence = first if area == first.assessment.area else first.for_area(area)
            runs.append(_prepare(evidence, options, root / slug(area), monitoring_only=False))
        tasks = [task for run in runs for task in run.tasks]
        pages = run_tasks(tasks, options.workers, options.scheduler, options.progress)
        for run in runs:
            own = [p for p in pages if p.out == run.staging]
            _finish(run, options, own, started, monitoring_only=False)
        county_staging = root / f".{COUNTY_FOLDER}.partial-{os.getpid()}"
        county_staging.mkdir(parents=True)
        report.write_county_summary([run.evidence for run in runs], county_staging)
        for run in runs:
            _replace_dir(run.staging, run.target)
        _replace_dir(county_staging, root / COUNTY_FOLDER)
    except BaseException:
        for run in runs:
            shutil.rmtree(run.staging, ignore_errors=True)
        shutil.rmtree(root / f".{COUNTY_FOLDER}.partial-{os.getpid()}", ignore_errors=True)
        raise
    return RunResult(root, tuple(pages), time.perf_counter() - started)


def _prepare(evidence: Evidence, options: RunOptions, target: Path, monitoring_only: bool) -> _AreaRun:
    """Check everything the run needs, score the area, and list its notebook tasks."""
    assessment = evidence.assessment
    as_of = parse_as_of(options.as_of)
    quarter = check_quarter_end(options.quarter_end, evidence)
    evidence.check_plan()
    notebooks = [NOTEBOOK_DIR / MONITORING_NOTEBOOK] if monitoring_only else notebooks_for(assessment)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    resolved = staging / RESOLVED_PARAMS
    resolved.write_text(yaml.safe_dump(assessment.to_yaml_dict(), sort_keys=False), encoding="utf-8")
    parameters = {"params_file": str(resolved), "area": "", "data_dir": "", "as_of": as_of.isoformat()}
    tasks = [NotebookTask(nb, {**parameters, "quarter_end": quarter.end} if nb.name == MONITORING_NOTEBOOK
                          else parameters, staging) for nb in notebooks]
    # The scoring notebook runs the Monte Carlo, the longest task: start it first so the
    # other workers fill in around it instead of waiting for it at the end.
    tasks.sort(key=lambda task: task.notebook.name != SCORING_NOTEBOOK)
    return _AreaRun(evidence, quarter, target, staging, tasks)


def _finish(run: _AreaRun, options: RunOptions, pages: list[PageResult], started: float,
            monitoring_only: bool) -> None:
    """Write the scores, workbook, index and manifest of a finished area.

    The scoring notebook has already run the Monte Carlo in a worker; its result comes
    from the on-disk cache here (keyed by every input), so it is not computed twice.
    """
    assessment = run.evidence.assessment
    if not monitoring_only:
        run.evidence.scoring.write(run.staging)
        write_workbook(run.evidence, run.evidence.scoring, run.staging, parse_as_of(options.as_of))
    report.write_index(run.evidence, None if monitoring_only else run.evidence.scoring, pages, run.staging)
    timings = {"total": time.perf_counter() - started, **{f"notebook {p.notebook}": p.seconds for p in pages}}
    outputs = [p for p in run.staging.iterdir() if p.suffix in (".csv", ".xlsx", ".html")]
    parameters = {**assessment.to_yaml_dict(), "as_of": parse_as_of(options.as_of).isoformat(),
                  "quarter_end": run.quarter.end, "monitoring_only": monitoring_only}
    write_manifest(run.staging, _inputs(run.evidence), parameters, timings, outputs)


def _inputs(evidence: Evidence) -> list[Path]:
    """Every file the run read: data tables, partner returns and parameter files."""
    assessment = evidence.assessment
    params = [assessment.source, assessment.priorities_file, assessment.judgements_file,
              assessment.actions_file, assessment.measures_file]
    return list(evidence.tables.files) + [p for p in params if p is not None]


def _replace_dir(staging: Path, target: Path) -> None:
    """Swap the finished folder into place; the old one is removed only after the swap."""
    backup = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        target.rename(backup)
    staging.rename(target)
    shutil.rmtree(backup, ignore_errors=True)
