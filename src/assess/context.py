"""One area's run: its evidence, the results of scoring it, and its action plan.

Pages, the workbook and the batch all start from a `RunContext`, so each is computed once
per run (and, in a notebook kernel, once per kernel while no input changes).
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path

from assess.actions import Action, StatusReturn, as_reported, load_actions, load_status_returns
from assess.cache import file_stamp
from assess.config import Assessment
from assess.criteria import check_scorers
from assess.evidence import Evidence, Tables
from assess.local import PARTNERS
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

    @property
    def input_files(self) -> list[Path]:
        """Every file the run reads: data tables, partner returns, parameter files and the area's own content."""
        assessment = self.assessment
        params = [assessment.source, assessment.priorities_file, assessment.criteria_file, *assessment.local.files]
        return list(dict.fromkeys([*self.tables.files, *(p for p in params if p is not None)]))

    def check_inputs(self) -> None:
        """Load the scorers, plan, status return, measures and last assessment now: a mistake stops a run
        before it starts."""
        check_scorers(self.assessment)
        _ = self.actions, self.status_returns, self.measures, self.previous


_OPENED: dict[tuple, tuple[RunContext, tuple]] = {}
# A worker running every area of a county sees a few areas' notebooks interleaved.
_OPENED_KEPT = 4


def open_run(params_file: str = "", area: str = "", data_dir: str = "") -> RunContext:
    """The notebooks' entry point: empty strings mean "use the default".

    Inputs are read and checked once per kernel: when the batch runs several notebooks in
    one kernel, the later ones reuse the run (and its results) while none of its inputs has
    changed since. Only inputs count: the pages a batch writes beside the parameters file
    it gives the notebooks must not make every notebook read the data again.
    """
    params = Path(params_file).resolve() if params_file else None
    folder = Path(data_dir).resolve() if data_dir else None
    key = (params, area, folder)
    if key in _OPENED:
        context, stamps = _OPENED[key]
        if _stamps(context) == stamps:
            return context
        del _OPENED[key]
    while len(_OPENED) >= _OPENED_KEPT:
        del _OPENED[next(iter(_OPENED))]
    context = RunContext.load(params_file=params, area=area or None, data_dir=folder)
    _OPENED[key] = (context, _stamps(context))
    return context


def _stamps(context: RunContext) -> tuple:
    """Size and modification time of every file the run read, of the custom scorers' sources (beside
    the criteria file), and of the folders a new input would be found in (a partner return saved there)."""
    assessment = context.assessment
    beside = Path(assessment.criteria_file).parent
    local = assessment.local.folder
    folders = [assessment.data_dir, assessment.data_dir / PARTNERS]
    if local is not None:
        folders += [local, local / PARTNERS]
    paths = [*context.input_files, *sorted(beside.glob("*.py")), *folders]
    return tuple((str(path), *file_stamp(path)) for path in paths)
