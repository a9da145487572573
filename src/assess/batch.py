"""The annual batch: one area, every area of the county, or the quarterly monitoring alone.

Inputs are read and checked before any notebook starts, so bad input costs one line.
Output folders are handled by `assess.outputs`: written in a hidden staging folder, locked,
swapped into place only once complete, and never replacing a folder assess did not make.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

from assess import report
from assess.actions import parse_as_of
from assess.config import PROJECT_ROOT, Assessment, data_dir_for
from assess.data.counts import read_counts
from assess.errors import NotebookError
from assess.evidence import Evidence
from assess.excel import write_workbook
from assess.executor import NotebookTask, PageResult, run_tasks
from assess.monitoring import Quarter, check_quarter_end
from assess.outputs import MARKER, Destination, absolute, check_collection, folder_names, inside
from assess.provenance import tidy_executed_notebook, write_manifest

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
    destination: Destination
    tasks: list[NotebookTask]

    @property
    def staging(self) -> Path:
        return self.destination.staging


def area_folder(assessment: Assessment) -> str:
    """The area's folder name: a safe slug, distinct among the areas it is compared with."""
    return folder_names(assessment.comparators)[assessment.area]


def default_out_dir(assessment: Assessment) -> Path:
    return RENDERED_DIR / assessment.period_label / area_folder(assessment)


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
        target = (absolute(options.out_dir) if options.out_dir
                  else RENDERED_DIR / f"monitoring_{quarter.end}" / area_folder(evidence.assessment))
    else:
        target = absolute(options.out_dir) if options.out_dir else default_out_dir(evidence.assessment)
    with Destination(target, _inputs(evidence)) as destination:
        run = _prepare(evidence, options, destination, monitoring_only)
        pages = run_tasks(run.tasks, options.workers, options.scheduler, options.progress)
        _finish(run, options, pages, started, monitoring_only)
        destination.commit()
    return RunResult(destination.target, tuple(pages), time.perf_counter() - started)


def run_all_areas(options: RunOptions) -> RunResult:
    """Assess every comparator area, then write a county summary beside them.

    All areas' notebooks go to one pool, so the workers stay busy from the first area to
    the last. Each area's folder (and the county's) is swapped into place only when every
    area has finished, so a failure leaves all earlier output as it was.
    """
    started = time.perf_counter()
    # Without a parameters file there is no named area: start from the first in the data.
    area = None if options.params_file else read_counts(data_dir_for(None, options.data_dir) / "counts.csv")["area"].min()
    first = Evidence.load(options.params_file, area, options.data_dir)
    root = absolute(options.out_dir) if options.out_dir else RENDERED_DIR / first.assessment.period_label
    inputs = _inputs(first)
    check_collection(root, inputs)
    names = folder_names(first.assessment.comparators)
    with ExitStack() as stack:
        runs = []
        for area in first.assessment.comparators:
            evidence = first if area == first.assessment.area else first.for_area(area)
            destination = stack.enter_context(Destination(inside(root, names[area]), inputs))
            runs.append(_prepare(evidence, options, destination, monitoring_only=False))
        county = stack.enter_context(Destination(inside(root, COUNTY_FOLDER), inputs))
        tasks = [task for run in runs for task in run.tasks]
        pages = run_tasks(tasks, options.workers, options.scheduler, options.progress)
        for run in runs:
            own = [p for p in pages if p.out == run.destination.staging]
            _finish(run, options, own, started, monitoring_only=False)
        report.write_county_summary([run.evidence for run in runs], names, county.staging)
        for run in runs:
            run.destination.commit()
        county.commit()
    return RunResult(root, tuple(pages), time.perf_counter() - started)


def _prepare(evidence: Evidence, options: RunOptions, destination: Destination, monitoring_only: bool) -> _AreaRun:
    """Check everything the run needs, score the area, and list its notebook tasks."""
    assessment = evidence.assessment
    as_of = parse_as_of(options.as_of)
    quarter = check_quarter_end(options.quarter_end, evidence)
    evidence.check_plan()
    notebooks = [NOTEBOOK_DIR / MONITORING_NOTEBOOK] if monitoring_only else notebooks_for(assessment)
    staging = destination.staging
    resolved = staging / RESOLVED_PARAMS
    resolved.write_text(yaml.safe_dump(assessment.to_yaml_dict(), sort_keys=False), encoding="utf-8")
    # Relative to the notebook's own folder, so each kept notebook re-runs where it lies.
    parameters = {"params_file": resolved.name, "area": "", "data_dir": "", "as_of": as_of.isoformat()}
    tasks = [NotebookTask(nb, {**parameters, "quarter_end": quarter.end} if nb.name == MONITORING_NOTEBOOK
                          else parameters, staging) for nb in notebooks]
    # The scoring notebook runs the Monte Carlo, the longest task: start it first so the
    # other workers fill in around it instead of waiting for it at the end.
    tasks.sort(key=lambda task: task.notebook.name != SCORING_NOTEBOOK)
    return _AreaRun(evidence, quarter, destination, tasks)


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
    for page in pages:
        tidy_executed_notebook(run.staging / page.notebook)
    timings = {"total": time.perf_counter() - started, **{f"notebook {p.notebook}": p.seconds for p in pages}}
    outputs = [p for p in run.staging.rglob("*") if p.is_file() and p.name not in (MARKER, "manifest.json")]
    parameters = {**assessment.to_yaml_dict(), "as_of": parse_as_of(options.as_of).isoformat(),
                  "quarter_end": run.quarter.end, "monitoring_only": monitoring_only}
    write_manifest(run.staging, _inputs(run.evidence), parameters, timings, outputs)


def _inputs(evidence: Evidence) -> list[Path]:
    """Every file the run read: data tables, partner returns and parameter files."""
    assessment = evidence.assessment
    params = [assessment.source, assessment.priorities_file, assessment.judgements_file,
              assessment.actions_file, assessment.measures_file]
    return list(evidence.tables.files) + [p for p in params if p is not None]
