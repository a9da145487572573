"""One area's run: its evidence, the results of scoring it, and its action plan.

Pages, the workbook and the batch all start from a `RunContext`, so each is computed once
per run (and, in a notebook kernel, once per kernel while no input changes).
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path

from assess.actions import Action, StatusReturn, as_reported, load_actions, load_status_returns
from assess.config import DEFAULT_PARAMS, Assessment, areas_dir_for, data_dir_for
from assess.criteria import check_scorers
from assess.evidence import Evidence, Tables
from assess.measures import MeasureModel, load_measures
from assess.previous import PreviousAssessment, load_previous
from assess.results import Results


class RunContext:
    """Everything one area's pages are made from."""

    def __init__(self, evidence: Evidence):
        self.evidence = evidence

    @classmethod
    def load(
        cls,
        params_file: Path | None = None,
        area: str | None = None,
        data_dir: Path | None = None,
        period: tuple[str, str] | None = None,
    ) -> RunContext:
        """Read the data and resolve the parameters against them."""
        return cls(Evidence.load(params_file, area, data_dir, period))

    def for_area(self, area: str) -> RunContext:
        """The same inputs assessed for another area, without reading them again."""
        return RunContext(self.evidence.for_area(area))

    def for_county_of(self, area: str, period: tuple[str, str] | None) -> RunContext:
        """The same inputs assessed for an area of another county (see `Evidence.for_county_of`)."""
        return RunContext(self.evidence.for_county_of(area, period))

    @property
    def assessment(self) -> Assessment:
        return self.evidence.assessment

    @property
    def tables(self) -> Tables:
        return self.evidence.tables

    @cached_property
    def results(self) -> Results:
        """The criteria and the ranking, computed once for this evidence."""
        return Results(self.evidence)

    @cached_property
    def actions(self) -> tuple[Action, ...]:
        """The area's action plan (empty until the area has an actions file)."""
        path = self.assessment.actions_file
        return load_actions(path, self.assessment) if path else ()

    @cached_property
    def status_returns(self) -> tuple[StatusReturn, ...]:
        """Partners' reports on the actions (empty until the area has a status return)."""
        path = self.assessment.local.status_file
        return load_status_returns(path, self.actions) if path else ()

    def actions_as_of(self, as_of: date) -> tuple[Action, ...]:
        """The actions with the status partners last reported on or before `as_of`."""
        return as_reported(self.actions, self.status_returns, as_of)

    @cached_property
    def measures(self) -> tuple[MeasureModel, ...]:
        """The area's success measures (empty until the area has a measures file)."""
        path = self.assessment.measures_file
        return load_measures(path, self.assessment) if path else ()

    @cached_property
    def previous(self) -> PreviousAssessment | None:
        """The last assessment's order of priorities, where the area has written it."""
        path = self.assessment.local.previous_file
        return load_previous(path, self.assessment) if path else None

    def check_inputs(self) -> None:
        """Load the scorers, plan, status return, measures and last assessment now: a mistake stops a run
        before it starts."""
        check_scorers(self.assessment)
        _ = self.actions, self.status_returns, self.measures, self.previous


_OPENED: dict[tuple, RunContext] = {}
# A worker running every area of a county sees a few areas' notebooks interleaved.
_OPENED_KEPT = 4


def open_run(params_file: str = "", area: str = "", data_dir: str = "") -> RunContext:
    """The notebooks' entry point: empty strings mean "use the default".

    Inputs are read and checked once per kernel: when the batch runs several notebooks in
    one kernel, the later ones reuse the run (and its results) while no input file has
    changed since.
    """
    params = Path(params_file).resolve() if params_file else None
    folder = Path(data_dir).resolve() if data_dir else None
    key = (params, area, folder, _fingerprint(params, folder))
    if key not in _OPENED:
        while len(_OPENED) >= _OPENED_KEPT:
            del _OPENED[next(iter(_OPENED))]
        _OPENED[key] = RunContext.load(params_file=params, area=area or None, data_dir=folder)
    return _OPENED[key]


def _fingerprint(params: Path | None, data_dir: Path | None) -> tuple:
    """Size and modification time of every file a run may read, to notice any change."""
    folders = {(params or DEFAULT_PARAMS).parent, data_dir_for(params, data_dir), areas_dir_for(params)}
    stamps = []
    for folder in sorted(folders):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                stamps.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)
