"""The annual batch: one area, every area of the county, or the quarterly monitoring alone.

Inputs are read and checked before any notebook starts, so bad input costs one line.
Output folders are handled by `assess.outputs`: written in a hidden staging folder, locked,
swapped into place only once complete, and never replacing a folder assess did not make.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from assess import report
from assess.actions import parse_as_of
from assess.config import PROJECT_ROOT, Assessment, data_dir_for
from assess.context import RunContext
from assess.data.counts import read_counts
from assess.draft import DRAFT_FILE, draft_plan
from assess.errors import ConfigError
from assess.excel import write_workbook
from assess.executor import NotebookPool, NotebookTask, PageResult, notebook_pool
from assess.glossary import Glossary, expand_pages, write_glossary
from assess.monitoring import Quarter, check_quarter_end, quarter_to_monitor
from assess.navigation import NavLink, link_pages
from assess.outputs import MARKER, Destination, absolute, check_collection, folder_name, folder_names, inside
from assess.pages import check_own_sections
from assess.provenance import tidy_executed_notebook, write_manifest

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
RENDERED_DIR = PROJECT_ROOT / "rendered"
PRIORITY_NOTEBOOK = "priority.ipynb"
ACTION_PLAN_NOTEBOOK = "80_action_plan.ipynb"
SCORING_NOTEBOOK = "90_scoring.ipynb"
MONITORING_NOTEBOOK = "95_monitoring.ipynb"
RESOLVED_PARAMS = "assessment.yaml"
COUNTY_FOLDER = "county"


@dataclass(frozen=True)
class RunOptions:
    """How to run: where, with what, and on which machines."""

    params_file: Path | None = None
    data_dir: Path | None = None
    out_dir: Path | None = None
    workers: int | None = None
    scheduler: str | None = None
    progress: bool = True
    as_of: str = ""
    quarter_end: str = ""
    period: tuple[str, str] | None = None


@dataclass(frozen=True)
class RunResult:
    """Where a run wrote its output, and what it wrote."""

    out_dir: Path
    pages: tuple[PageResult, ...]
    seconds: float
    counties: tuple[Path, ...] = ()
    areas: int = 1

    @property
    def summary(self) -> str:
        """The last line of a run: what was written where, and how long it took."""
        pages, counties = len(self.pages), len(self.counties)
        written = f"{pages} page{'' if pages == 1 else 's'}"
        if counties:
            written += f" for {self.areas} areas and {counties} county summar{'y' if counties == 1 else 'ies'}"
        return f"wrote {written} to {self.out_dir} in {self.seconds:.1f}s"

    @property
    def index(self) -> Path:
        """The page to open first: the area's index, or the (first) county summary of an all-areas run."""
        return self.counties[0] / "index.html" if self.counties else self.out_dir / "index.html"


@dataclass
class _AreaRun:
    """One area's assessment being prepared in its staging folder."""

    context: RunContext
    quarter: Quarter | None  # None: the data do not allow monitoring; `notes` says why
    destination: Destination
    tasks: list[NotebookTask]
    page_order: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def staging(self) -> Path:
        return self.destination.staging


UNPLACED_FORCE = "other-areas"
"""The force folder of areas the reference does not place in a force (a user's own area codes)."""


def area_folder(assessment: Assessment) -> str:
    """The area's folder name: a safe slug, distinct among the areas it is compared with."""
    return folder_names(assessment.comparators)[assessment.area]


def force_folder(assessment: Assessment) -> str:
    """The force's folder name, so two forces' runs (and their county pages) never share a folder."""
    return folder_name(assessment.force) if assessment.force else UNPLACED_FORCE


def default_out_dir(assessment: Assessment) -> Path:
    """rendered/<force>/<period>/<area>/"""
    return RENDERED_DIR / force_folder(assessment) / assessment.period_label / area_folder(assessment)


def page_tasks(assessment: Assessment, parameters: dict[str, str], out: Path) -> list[NotebookTask]:
    """A page per priority, in page order, from the one priority notebook; then the action plan,
    scoring and monitoring pages."""
    own = [
        NotebookTask(NOTEBOOK_DIR / name, parameters, out)
        for name in (ACTION_PLAN_NOTEBOOK, SCORING_NOTEBOOK, MONITORING_NOTEBOOK)
    ]
    taken = {task.output_name for task in own}
    tasks = []
    for priority in assessment.pages:
        name = assessment.page_stem(priority.key)
        if name in taken:
            raise ConfigError(
                f"{assessment.priorities_file}: field 'priorities.{priority.key}': its page would be {name}, "
                "the name of one of the workbook's own pages; give the priority another key"
            )
        tasks.append(
            NotebookTask(NOTEBOOK_DIR / PRIORITY_NOTEBOOK, {**parameters, "priority": priority.key}, out, name)
        )
    return tasks + own


def run_assessment(
    options: RunOptions, area: str | None = None, monitoring_only: bool = False, pool: NotebookPool | None = None
) -> RunResult:
    """Run the notebooks of one area's assessment (or its quarterly monitoring alone).

    `pool`: workers started by the caller (`executor.notebook_pool`), warming up while this reads the inputs.
    """
    started = time.perf_counter()
    with ExitStack() as stack:
        if pool is None:
            workers = notebook_pool(options.workers, options.scheduler, options.progress, monitoring_only)
            pool = stack.enter_context(workers)
        context = RunContext.load(options.params_file, area, options.data_dir, options.period)
        if monitoring_only:
            quarter = check_quarter_end(options.quarter_end, context.evidence)
            target = (
                absolute(options.out_dir)
                if options.out_dir
                else RENDERED_DIR
                / force_folder(context.assessment)
                / f"monitoring_{quarter.end}"
                / area_folder(context.assessment)
            )
        else:
            target = absolute(options.out_dir) if options.out_dir else default_out_dir(context.assessment)
        destination = stack.enter_context(Destination(target, context.input_files))
        run = _prepare(context, options, destination, monitoring_only)
        pool.submit(run.tasks)
        pages = [page for _, page in pool.finished()]
        _finish(run, options, pages, started, monitoring_only)
        destination.commit()
    return RunResult(destination.target, tuple(pages), time.perf_counter() - started)


def run_all_areas(options: RunOptions, pool: NotebookPool | None = None) -> RunResult:
    """Assess every area of each force, then write each force's county summary beside them.

    With a parameters file, its comparators are the county. Without, every force in the
    data is assessed, each area compared within its own force. Areas are prepared one after
    another while the workers run the notebooks of those before, and each area is finished
    (scores, workbook, index) as soon as its last page is written, while later areas run.
    Each area's folder (and each county's) is swapped into place only when every area has
    finished, so a failure leaves all earlier output as it was.
    """
    started = time.perf_counter()
    with ExitStack() as stack:
        if pool is None:
            workers = notebook_pool(options.workers, options.scheduler, options.progress, one_area=False)
            pool = stack.enter_context(workers)
        counties = _counties(options)
        several = len(counties) > 1
        roots = []
        for first in counties:
            if options.out_dir:
                root = absolute(options.out_dir)
                root = inside(root, force_folder(first.assessment)) if several else root
            else:
                root = RENDERED_DIR / force_folder(first.assessment) / first.assessment.period_label
            roots.append(root)
        inputs = counties[0].input_files
        # With several forces, --out holds a folder per force; each is checked as a county's own root.
        for root in roots:
            check_collection(root, inputs)
        areas_in_all = sum(len(first.assessment.comparators) for first in counties)
        runs: dict[Path, _AreaRun] = {}  # by staging folder, where their pages are written
        pages: dict[Path, list[PageResult]] = {}
        county_pages = []

        def finish(done: Iterable[tuple[NotebookTask, PageResult]]) -> None:
            for task, page in done:
                pages[task.out].append(page)
                run = runs[task.out]
                if len(pages[task.out]) == len(run.tasks):
                    _finish(run, options, pages[task.out], started, False, county_href=f"../{COUNTY_FOLDER}/index.html")

        for first, root in zip(counties, roots):
            names = folder_names(first.assessment.comparators)
            areas = []
            for area in first.assessment.comparators:
                context = first if area == first.assessment.area else first.for_area(area)
                destination = stack.enter_context(Destination(inside(root, names[area]), inputs))
                run = _prepare(context, options, destination, monitoring_only=False)
                runs[run.staging] = run
                areas.append(run)
                pages[run.staging] = []
                pool.submit(run.tasks, areas_to_come=areas_in_all - len(runs))
                finish(pool.finished(wait=False))
            county = stack.enter_context(Destination(inside(root, COUNTY_FOLDER), inputs))
            county_pages.append((areas, names, county))
        finish(pool.finished())
        for areas, names, county in county_pages:
            report.write_county_summary([run.context for run in areas], names, county.staging)
        for run in runs.values():
            run.destination.commit()
        for _, _, county in county_pages:
            county.commit()
    out = absolute(options.out_dir) if options.out_dir and several else roots[0]
    every_page = tuple(page for staging in runs for page in pages[staging])
    summaries = tuple(root / COUNTY_FOLDER for root in roots)
    return RunResult(out, every_page, time.perf_counter() - started, summaries, areas=len(runs))


def _counties(options: RunOptions) -> list[RunContext]:
    """A first run context per county: the parameters file's, or one per force in the data."""
    if options.params_file:
        return [RunContext.load(options.params_file, None, options.data_dir, options.period)]
    counts = read_counts(data_dir_for(None, options.data_dir) / "counts.csv")
    first = RunContext.load(None, counts["area"].min(), options.data_dir, options.period)
    contexts, placed = [first], set(first.assessment.comparators)
    for area in sorted(counts["area"].unique()):
        if area not in placed:
            context = first.for_county_of(area, options.period)
            contexts.append(context)
            placed |= set(context.assessment.comparators)
    return contexts


def _prepare(context: RunContext, options: RunOptions, destination: Destination, monitoring_only: bool) -> _AreaRun:
    """Check everything the run needs, score the area, and list its notebook tasks in page order."""
    assessment = context.assessment
    as_of = parse_as_of(options.as_of, assessment)
    if monitoring_only:
        quarter, skipped = check_quarter_end(options.quarter_end, context.evidence), ""
    else:
        quarter, skipped = quarter_to_monitor(options.quarter_end, context.evidence)
    context.check_inputs()
    check_own_sections(context)
    Glossary.load(assessment)  # a mistake in the area's glossary stops the run before any notebook starts
    staging = destination.staging
    resolved = staging / RESOLVED_PARAMS
    resolved.write_text(yaml.safe_dump(assessment.to_yaml_dict(), sort_keys=False), encoding="utf-8")
    # Relative to the notebook's own folder, so each kept notebook re-runs where it lies.
    parameters = {"params_file": resolved.name, "area": "", "data_dir": "", "as_of": as_of.isoformat()}
    monitoring = (
        NotebookTask(NOTEBOOK_DIR / MONITORING_NOTEBOOK, {**parameters, "quarter_end": quarter.end}, staging)
        if quarter
        else None
    )
    tasks = (
        [monitoring]
        if monitoring_only
        else [
            monitoring if task.notebook.name == MONITORING_NOTEBOOK else task
            for task in page_tasks(assessment, parameters, staging)
        ]
    )
    tasks = [replace(task, area=assessment.area) for task in tasks if task is not None]
    page_order = tuple(task.output_name for task in tasks)
    # The scoring notebook runs the Monte Carlo, the longest task: start it first so the
    # other workers fill in around it instead of waiting for it at the end.
    tasks.sort(key=lambda task: task.notebook.name != SCORING_NOTEBOOK)
    return _AreaRun(context, quarter, destination, tasks, page_order, (skipped,) if skipped else ())


def _finish(
    run: _AreaRun,
    options: RunOptions,
    pages: list[PageResult],
    started: float,
    monitoring_only: bool,
    county_href: str | None = None,
) -> None:
    """Write the scores, workbook, draft of next year's plan, index and manifest of a finished area,
    and link its pages.

    `county_href` is the county summary relative to the area's folder, in an all-areas run.

    The scoring notebook has already run the Monte Carlo in a worker; its result comes
    from the on-disk cache here (keyed by every input), so it is not computed twice.
    """
    assessment = run.context.assessment
    as_of = parse_as_of(options.as_of, assessment)
    if not monitoring_only:
        run.context.results.write(run.staging)
        write_workbook(run.context, run.staging, as_of, options.quarter_end)
        draft = draft_plan(run.context.results.ranking_table(), run.context.actions_as_of(as_of), assessment)
        (run.staging / DRAFT_FILE).write_text(draft.to_yaml(), encoding="utf-8")
    # Pages in the order of their tasks (page order), whatever order they finished in.
    pages = sorted(pages, key=lambda page: run.page_order.index(Path(page.notebook).stem))
    report.write_index(run.context, pages, run.staging, as_of, scored=not monitoring_only, notes=run.notes)
    glossary = Glossary.load(assessment)
    write_glossary(run.context, run.staging, glossary)
    link_pages(run.staging, _nav_links(assessment, pages), county_href)
    expand_pages(run.staging, glossary)
    for page in pages:
        tidy_executed_notebook(run.staging / page.notebook)
    timings = {"total": time.perf_counter() - started, **{f"notebook {p.notebook}": p.seconds for p in pages}}
    outputs = [p for p in run.staging.rglob("*") if p.is_file() and p.name not in (MARKER, "manifest.json")]
    parameters = {
        **assessment.to_yaml_dict(),
        "as_of": as_of.isoformat(),
        "quarter_end": run.quarter.end if run.quarter else None,
        "monitoring_only": monitoring_only,
    }
    write_manifest(run.staging, run.context.input_files, parameters, timings, outputs)


def _nav_links(assessment: Assessment, pages: list[PageResult]) -> list[NavLink]:
    """The pages in page order, each with its short label: a priority's short title, or the own page's name."""
    return [NavLink(page.html, report.page_label(assessment, Path(page.notebook).stem, short=True)) for page in pages]
