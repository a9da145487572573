"""Parameters: `params/assessment.yaml` and the files it names (priorities, criteria, judgements), validated on load.

The files are checked in two steps. Their shape (known keys, right types) is checked by
pydantic models; their meaning against the data (the area exists, the period is covered)
by `resolve_assessment`, once the counts are read. Either way a mistake is one line
naming the file, the field and what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from assess.data.geography import Geography
from assess.data.police_uk import CRIME_TYPES
from assess.data.tables import is_month
from assess.errors import ConfigError
from assess.local import LocalContent, local_content, read_local_indicators
from assess.params_file import load_yaml
from assess.paths import (  # noqa: F401  (re-exported: where the defaults live)
    DEFAULT_AREAS_DIR,
    DEFAULT_CRITERIA,
    DEFAULT_DATA_DIR,
    DEFAULT_PARAMS,
    DEFAULT_PRIORITIES,
    PROJECT_ROOT,
)


def known_crime_types(value: list[str]) -> list[str]:
    """A pydantic validator: every name is one of the data.police.uk crime types."""
    for crime_type in value:
        if crime_type not in CRIME_TYPES:
            raise ValueError(f"unknown crime type {crime_type!r}; use one of: {', '.join(CRIME_TYPES)}")
    return value


def refuse_old_key(key: str, message: str):
    """A model validator for a setting an earlier version took: its use is refused with `message`."""

    def refuse(cls, data: Any) -> Any:
        if isinstance(data, dict) and key in data:
            raise ValueError(message)
        return data

    return classmethod(refuse)


class StrictModel(BaseModel):
    """A parameters model: unknown keys are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PeriodModel(StrictModel):
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _month(cls, value: str) -> str:
        if not is_month(value):
            raise ValueError(f"must be a month written YYYY-MM, not {value!r}")
        return value


def _ascending_shares(value: list[float]) -> list[float]:
    if len(value) != 4 or any(not 0 < v < 1 for v in value) or value != sorted(value):
        raise ValueError("give four rising shares between 0 and 1, the lower bounds of scores 2, 3, 4 and 5")
    return value


def _ascending_ratios(value: list[float]) -> list[float]:
    if len(value) != 4 or any(not 0 < v < 1e6 for v in value) or value != sorted(value) or len(set(value)) < 4:
        raise ValueError("give four rising positive ratios, the lower bounds of scores 2, 3, 4 and 5")
    return value


JUDGEMENT_SPREAD = {"high": 0.5, "medium": 0.75, "low": 1.1}


class ScoringRules(StrictModel):
    """How evidence becomes 1-5 scores, and how scores become a ranking (`scoring` in the file).

    `weights` gives each criterion's relative weight (renormalised to sum to 1); a
    criterion left out weighs 1, a key that is not a declared criterion is refused.

    `volume_shares` are the lower bounds of scores 2, 3, 4 and 5 for the priority's share
    of all recorded crime in the area; `harm_severity` those for its harm per offence over
    the harm per crime or incident of the rest of the area's crime (1 = as harmful).
    `large_change` is the year-on-year (or annualised trend) change that earns the
    extreme scores when it is also significant.
    """

    weights: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(default_factory=dict)
    significance: float = Field(default=0.05, gt=0, lt=1)
    large_change: float = Field(default=0.20, gt=0)
    volume_shares: list[float] = Field(default_factory=lambda: [0.02, 0.05, 0.10, 0.20])
    harm_severity: list[float] = Field(default_factory=lambda: [0.1, 0.5, 2.0, 10.0])
    overdispersion: bool = True
    # 4,000 draws keep the Monte Carlo error of any published probability under 0.008.
    draws: int = Field(default=4000, ge=100, le=100_000)
    seed: int = 20221231
    weight_concentration: float = Field(default=60.0, gt=0)
    # A priority scored on fewer criteria than this is provisional: set apart from the firm ranking.
    min_criteria: int = Field(default=4, ge=1)
    # How far a judged score may be out, by its stated confidence: the standard deviation of
    # the normal its draws in the rank simulation come from (see criteria/judged.py).
    judgement_spread: dict[Literal["low", "medium", "high"], Annotated[float, Field(gt=0, le=5)]] = Field(
        default_factory=lambda: dict(JUDGEMENT_SPREAD)
    )

    _shares = field_validator("volume_shares")(_ascending_shares)
    _ratios = field_validator("harm_severity")(_ascending_ratios)
    _harm_moved = model_validator(mode="before")(
        refuse_old_key(
            "harm_shares",
            "'harm_shares' is no longer used: harm now scores severity; give 'harm_severity', four rising "
            "ratios of harm per offence to that of the area's other crime (default [0.1, 0.5, 2, 10])",
        )
    )

    @field_validator("judgement_spread")
    @classmethod
    def _every_confidence(cls, spread: dict[str, float]) -> dict[str, float]:
        """A confidence left out keeps its default spread; higher confidence cannot spread wider."""
        spread = {**JUDGEMENT_SPREAD, **spread}
        if not spread["high"] <= spread["medium"] <= spread["low"]:
            raise ValueError(
                "high confidence must spread no wider than medium, and medium no wider than low "
                f"(got high {spread['high']:g}, medium {spread['medium']:g}, low {spread['low']:g})"
            )
        return spread


class DisclosureModel(StrictModel):
    """Small counts on sensitive subjects are shown as "fewer than N" so no victim can be singled out."""

    threshold: int = Field(default=5, ge=2, le=100)
    sensitive_crime_types: list[str] = Field(default_factory=lambda: ["Violence and sexual offences"])

    _known = field_validator("sensitive_crime_types")(known_crime_types)

    _moved = model_validator(mode="before")(
        refuse_old_key(
            "sensitive_priorities",
            "'sensitive_priorities' has moved: mark each sensitive priority with 'sensitive: true' in priorities.yaml",
        )
    )


class AssessmentModel(StrictModel):
    """The shape of `assessment.yaml`."""

    area: str
    period: PeriodModel | None = None
    comparators: list[str] | None = None
    data_dir: str = "../data"
    priorities_file: str = "priorities.yaml"
    # None: criteria.yaml beside this file if there is one, else the standard criteria.
    criteria_file: str | None = None
    # Each area's own judgements, actions, measures and partner returns: areas_dir/<ONS code>/.
    areas_dir: str = "areas"
    scoring: ScoringRules = Field(default_factory=ScoringRules)
    disclosure: DisclosureModel = Field(default_factory=DisclosureModel)

    _judgements_moved, _actions_moved, _measures_moved = (
        model_validator(mode="before")(
            refuse_old_key(
                f"{what}_file",
                f"'{what}_file' is no longer used: each area has its own; move the file to "
                f"areas/<area code>/{what}.yaml beside this file (`assess init AREA` starts the folder)",
            )
        )
        for what in ("judgements", "actions", "measures")
    )


class CriterionModel(StrictModel):
    """One criterion in `criteria.yaml`."""

    label: str = Field(min_length=1)
    short_label: str = Field(min_length=1)
    kind: Literal["measured", "judged"]
    scorer: str | None = None
    method: str = ""

    @model_validator(mode="after")
    def _scorer_for_measured(self) -> CriterionModel:
        if self.kind == "measured" and not self.scorer:
            raise ValueError("a measured criterion names its 'scorer'")
        if self.kind == "judged" and (self.scorer or self.method):
            raise ValueError(
                "a judged criterion has no 'scorer' or 'method': its scores are in judgements.yaml, "
                "and the scoring page describes judged criteria together"
            )
        return self


class CriteriaModel(StrictModel):
    """The shape of `criteria.yaml`."""

    criteria: dict[str, CriterionModel]
    tie_break: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Criterion:
    """A criterion every priority is scored on, as declared in `criteria.yaml`."""

    key: str
    label: str
    short_label: str
    kind: str
    scorer: str | None = None
    method: str = ""

    @property
    def is_judged(self) -> bool:
        return self.kind == "judged"

    @property
    def name(self) -> str:
        """Its name inside a sentence: 'added value'."""
        return self.key.replace("_", " ")


@dataclass(frozen=True)
class Criteria:
    """The declared criteria in page order, and the criteria that break ties."""

    items: tuple[Criterion, ...]
    tie_break: tuple[str, ...]

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.items)

    @property
    def judged(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.items if c.is_judged)

    def __getitem__(self, key: str) -> Criterion:
        for criterion in self.items:
            if criterion.key == key:
                return criterion
        raise KeyError(key)


class JudgementModel(StrictModel):
    """A judged 1-5 score of one priority on one judged criterion."""

    score: int = Field(ge=1, le=5)
    confidence: Literal["low", "medium", "high"]
    rationale: str
    judged_by: str

    @field_validator("rationale", "judged_by")
    @classmethod
    def _said(cls, value: str) -> str:
        """A score is traceable only with its reason and who gave it."""
        if not value.strip():
            raise ValueError("must not be blank")
        return value


def partner_name(judged_by: str) -> str:
    """Who judged, as compared for repeats: 'Kent  Police' and 'kent police' are one partner."""
    return " ".join(judged_by.split()).casefold()


def _as_panel(value: Any) -> Any:
    """One judgement (a mapping) is a panel of one; a list is a panel of partners."""
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise ValueError(
            "give one judgement (score, confidence, rationale, judged_by) or a list of them, one per partner"
        )
    if not value:
        raise ValueError("list at least one judgement, or leave the criterion out")
    return value


def _one_judgement_per_partner(panel: tuple[JudgementModel, ...]) -> tuple[JudgementModel, ...]:
    seen: set[str] = set()
    for judgement in panel:
        name = partner_name(judgement.judged_by)
        if name in seen:
            raise ValueError(f"{judgement.judged_by!r} judges this twice; keep one judgement per partner")
        seen.add(name)
    return panel


# The judgements of one priority on one judged criterion, one per partner, in the order given.
Panel = Annotated[tuple[JudgementModel, ...], BeforeValidator(_as_panel), AfterValidator(_one_judgement_per_partner)]


class JudgementsModel(StrictModel):
    """The shape of `judgements.yaml`: per priority and judged criterion, one judgement or a list, one per partner."""

    judgements: dict[str, dict[str, Panel]]


class PriorityModel(StrictModel):
    """One priority or candidate issue in `priorities.yaml`."""

    title: str = Field(min_length=1)
    short_title: str | None = None
    summary: str
    introduction: str | None = None
    crime_types: list[str] = Field(default_factory=list)
    partner_evidence: list[str] = Field(default_factory=list)
    indicators: dict[str, str] = Field(default_factory=dict)
    sensitive: bool = False
    sections: list[str] = Field(default_factory=list)

    _known = field_validator("crime_types")(known_crime_types)

    _removed = model_validator(mode="before")(
        refuse_old_key(
            "notebook",
            "'notebook' is no longer used: every priority's page comes from notebooks/priority.ipynb. "
            "Remove it, and mark each sensitive priority 'sensitive: true' "
            "(before, domestic_abuse and safeguarding were sensitive by default)",
        )
    )


class PrioritiesModel(StrictModel):
    """The shape of `priorities.yaml`."""

    priorities: dict[str, PriorityModel]
    candidates: dict[str, PriorityModel] = Field(default_factory=dict)


@dataclass(frozen=True)
class Priority:
    """A priority (or a candidate issue) and the evidence it draws on."""

    key: str
    title: str
    summary: str
    crime_types: tuple[str, ...]
    partner_evidence: tuple[str, ...]
    is_candidate: bool = False
    indicators: tuple[tuple[str, str], ...] = ()
    sensitive: bool = False
    introduction: str = ""
    short_title: str = ""
    sections: tuple[str, ...] = ()

    @property
    def has_police_data(self) -> bool:
        return bool(self.crime_types)

    @property
    def has_page(self) -> bool:
        """Priorities have a page each; candidates are ranked beside them but have none."""
        return not self.is_candidate

    def indicators_for(self, criterion: str) -> list[str]:
        """Partner indicators mapped to a criterion, in the order listed."""
        return [name for name, mapped in self.indicators if mapped == criterion]


@dataclass(frozen=True)
class Assessment:
    """Everything a run needs to know, resolved against the data.

    Attributes
    ----------
    area
        The district being assessed, by its reference name (the name its code has in data/districts.csv).
    area_code
        Its ONS code, by which its population, partner returns and local content are found.
    force
        The police force area it lies in (its "county"), or "" where the reference does not know it.
    codes
        The ONS code of every comparator, by name: what population and partner returns join on.
    period_start, period_end
        First and last month of the assessment period (YYYY-MM).
    comparators
        Areas compared with, the assessed area included.
    data_dir
        Folder holding counts.csv, population.csv and the other tables.
    priorities
        The priorities, in the order the file lists them, then the candidate issues.
    criteria
        The criteria every priority is scored on, as declared in criteria.yaml.
    rules
        How evidence becomes scores and scores a ranking (`scoring` in the file).
    judgements
        Per priority and judged criterion, the panel of judgements: one per partner, in the
        order judgements.yaml gives them (a single judgement is a panel of one).
    local
        The area's own content: its judgements, actions, measures and partner returns.
    source
        The parameters file, or None when built from defaults.
    """

    area: str
    period_start: str
    period_end: str
    comparators: tuple[str, ...]
    data_dir: Path
    area_code: str = ""
    force: str = ""
    codes: dict[str, str] = field(default_factory=dict)
    priorities: tuple[Priority, ...] = field(default_factory=tuple)
    priorities_file: Path = DEFAULT_PRIORITIES
    criteria: Criteria = field(default_factory=lambda: load_criteria(DEFAULT_CRITERIA))
    criteria_file: Path = DEFAULT_CRITERIA
    rules: ScoringRules = field(default_factory=ScoringRules)
    disclosure: DisclosureModel = field(default_factory=DisclosureModel)
    judgements: dict[str, dict[str, tuple[JudgementModel, ...]]] = field(default_factory=dict)
    local: LocalContent = field(default_factory=lambda: LocalContent("", DEFAULT_AREAS_DIR))
    source: Path | None = None

    @property
    def judgements_file(self) -> Path | None:
        return self.local.judgements_file

    @property
    def actions_file(self) -> Path | None:
        return self.local.actions_file

    @property
    def measures_file(self) -> Path | None:
        return self.local.measures_file

    @property
    def months(self) -> list[str]:
        return month_range(self.period_start, self.period_end)

    @property
    def period_label(self) -> str:
        return f"{self.period_start}_to_{self.period_end}"

    def priority(self, key: str) -> Priority:
        for priority in self.priorities:
            if priority.key == key:
                return priority
        raise ConfigError(
            f"{self.priorities_file}: no priority or candidate {key!r}; "
            f"known: {', '.join(p.key for p in self.priorities)}"
        )

    @property
    def pages(self) -> tuple[Priority, ...]:
        """The priorities with a page of their own, in page order."""
        return tuple(p for p in self.priorities if p.has_page)

    def page_stem(self, key: str) -> str:
        """The file name (without suffix) of a priority's page: '10_serious_acquisitive' for the first."""
        keys = [p.key for p in self.pages]
        if key not in keys:
            raise ConfigError(
                f"{self.priorities_file}: {key!r} has no page; pages: {', '.join(keys)} (candidates have none)"
            )
        return f"{10 * (keys.index(key) + 1)}_{key}"

    def to_yaml_dict(self) -> dict[str, Any]:
        """The resolved parameters, written beside a run so each notebook sees the same ones."""
        return {
            "area": self.area,
            "period": {"start": self.period_start, "end": self.period_end},
            "comparators": list(self.comparators),
            "data_dir": str(self.data_dir),
            "priorities_file": str(self.priorities_file),
            "criteria_file": str(self.criteria_file),
            "areas_dir": str(self.local.areas_dir),
            "scoring": {**self.rules.model_dump(), "weights": self.weights},
            "disclosure": self.disclosure.model_dump(),
        }

    @property
    def weights(self) -> dict[str, float]:
        """Every criterion's weight as given (not yet renormalised), in criteria order; 1 if not given."""
        return {key: float(self.rules.weights.get(key, 1.0)) for key in self.criteria.keys}


def parse_model(model: type[BaseModel], data: Any, path: Path) -> BaseModel:
    """Validate parsed YAML against a model; the first problem becomes one line."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown setting; check its spelling against the documented keys"
        raise ConfigError(f"{path}: field '{where}': {message}") from None


# A key names files and page anchors, so it is a plain identifier.
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _check_key(key: str, path: Path, where: str) -> None:
    if not _KEY.fullmatch(key):
        raise ConfigError(
            f"{path}: field '{where}': a key is lower-case letters, digits and '_', "
            f"starting with a letter (at most 40), not {key!r}"
        )


def load_priorities(path: Path) -> tuple[Priority, ...]:
    """The priorities then the candidate issues of a `priorities.yaml`."""
    model = parse_model(PrioritiesModel, load_yaml(path), path)
    if not model.priorities:
        raise ConfigError(f"{path}: field 'priorities': list at least one priority")
    result = []
    for is_candidate, group in ((False, model.priorities), (True, model.candidates)):
        for key, item in group.items():
            where = f"{'candidates' if is_candidate else 'priorities'}.{key}"
            _check_key(key, path, where)
            if is_candidate and key in model.priorities:
                raise ConfigError(f"{path}: field '{where}': already listed as a priority")
            if is_candidate and (item.introduction or item.sections):
                raise ConfigError(
                    f"{path}: field '{where}': a candidate has no page, so no 'introduction' or 'sections'; "
                    "list it under 'priorities' to give it one"
                )
            result.append(
                Priority(
                    key=key,
                    title=item.title,
                    summary=item.summary,
                    crime_types=tuple(item.crime_types),
                    partner_evidence=tuple(item.partner_evidence),
                    is_candidate=is_candidate,
                    indicators=tuple(item.indicators.items()),
                    sensitive=item.sensitive,
                    introduction=_paragraphs(item.introduction or item.summary),
                    short_title=item.short_title or item.title,
                    sections=tuple(item.sections),
                )
            )
    return tuple(result)


def _paragraphs(text: str) -> str:
    """Prose as typed in YAML, each paragraph on one line (a blank line between paragraphs)."""
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip())


def load_criteria(path: Path) -> Criteria:
    """The criteria of a `criteria.yaml`, in the order listed."""
    model = parse_model(CriteriaModel, load_yaml(path), path)
    if not model.criteria:
        raise ConfigError(f"{path}: field 'criteria': list at least one criterion")
    for key in model.criteria:
        _check_key(key, path, f"criteria.{key}")
    for key in model.tie_break:
        if key not in model.criteria:
            raise ConfigError(f"{path}: field 'tie_break': {key!r} is not a criterion listed above")
    items = tuple(
        Criterion(key, c.label, c.short_label, c.kind, c.scorer, " ".join(c.method.split()))
        for key, c in model.criteria.items()
    )
    return Criteria(items, tuple(model.tie_break))


def load_judgements(
    path: Path, priorities: tuple[Priority, ...], criteria: Criteria
) -> dict[str, dict[str, tuple[JudgementModel, ...]]]:
    """The judgements per priority and judged criterion, one per partner; every key must be declared."""
    model = parse_model(JudgementsModel, load_yaml(path), path)
    known = {p.key for p in priorities}
    judged = [c.key for c in criteria.judged]
    for key, given in model.judgements.items():
        if key not in known:
            raise ConfigError(f"{path}: field 'judgements.{key}': unknown priority; known: {', '.join(sorted(known))}")
        for criterion in given:
            if criterion not in judged:
                raise ConfigError(
                    f"{path}: field 'judgements.{key}.{criterion}': not a judged criterion; "
                    f"judged criteria: {', '.join(judged) or 'none'}"
                )
    return dict(model.judgements)


def with_own_indicators(priorities: tuple[Priority, ...], local: LocalContent, criteria: Criteria):
    """The priorities with the area's own partner indicators mapped beside the national ones (priorities.yaml's)."""
    if local.indicators_file is None:
        return priorities
    path = local.indicators_file
    own = read_local_indicators(path, [p.key for p in priorities], [c.key for c in criteria if not c.is_judged])
    merged = []
    for priority in priorities:
        added = own.get(priority.key, ())
        twice = [name for name, _ in added if name in dict(priority.indicators)]
        if twice:
            raise ConfigError(
                f"{path}: field 'indicators.{priority.key}.{twice[0]}': already mapped in priorities.yaml; map it once"
            )
        merged.append(replace(priority, indicators=priority.indicators + added))
    return tuple(merged)


def criteria_file_for(params_file: Path, model: AssessmentModel) -> Path:
    """The criteria a parameters file names; naming none, criteria.yaml beside it, else the standard criteria."""
    path = (params_file.parent / (model.criteria_file or "criteria.yaml")).resolve()
    if model.criteria_file is None and not path.is_file():
        return DEFAULT_CRITERIA
    return path


def _check_weights(rules: ScoringRules, criteria: Criteria, where: str) -> None:
    """Weights name declared criteria, some criterion weighs, and a firm rank is possible.

    Which criteria a priority's partner indicators may inform depends on their scorers: that
    is checked where the scorers are (`criteria.check_scorers`).
    """
    for key in rules.weights:
        if key not in criteria.keys:
            raise ConfigError(
                f"{where}: field 'scoring.weights.{key}': not a criterion; criteria: {', '.join(criteria.keys)}"
            )
    if sum(rules.weights.get(key, 1.0) for key in criteria.keys) <= 0:
        raise ConfigError(f"{where}: field 'scoring.weights': at least one criterion needs a weight above 0")
    weighted = sum(rules.weights.get(key, 1.0) > 0 for key in criteria.keys)
    if rules.min_criteria > weighted:
        raise ConfigError(
            f"{where}: field 'scoring.min_criteria': {rules.min_criteria} is more than the {weighted} weighted "
            "criteria, so no issue could be ranked firmly; lower it"
        )


def period_text(start: str, end: str) -> str:
    """'2022-01', '2022-12' -> 'January to December 2022'."""
    first, last = pd.Period(start, freq="M"), pd.Period(end, freq="M")
    if first == last:
        return last.strftime("%B %Y")
    if first.year == last.year:
        return f"{first.strftime('%B')} to {last.strftime('%B %Y')}"
    return f"{first.strftime('%B %Y')} to {last.strftime('%B %Y')}"


def month_range(start: str, end: str) -> list[str]:
    """Every month from start to end inclusive, as YYYY-MM."""
    return [str(p) for p in pd.period_range(start, end, freq="M")]


def areas_dir_for(params_file: Path | None) -> Path:
    """The folder of the areas' own content a parameters file names (none given: the project's)."""
    if params_file is None:
        return DEFAULT_AREAS_DIR
    path = Path(params_file).resolve()
    model = parse_model(AssessmentModel, load_yaml(path), path)
    return (path.parent / model.areas_dir).resolve()


def data_dir_for(params_file: Path | None, data_dir: Path | None) -> Path:
    """The data folder a run reads: the one given, else the parameters file's, else the default."""
    if data_dir:
        return Path(data_dir).resolve()
    if params_file is None:
        return DEFAULT_DATA_DIR
    path = Path(params_file).resolve()
    model = parse_model(AssessmentModel, load_yaml(path), path)
    return (path.parent / model.data_dir).resolve()


def resolve_assessment(
    counts: pd.DataFrame,
    params_file: Path | None = None,
    area: str | None = None,
    data_dir: Path | None = None,
    period: tuple[str, str] | None = None,
) -> Assessment:
    """Read the parameters (or defaults) and check them against the counts table.

    With no parameters file, the area must be given, comparators are every area in the
    counts and the period is the latest 12 months in the data. `period` (first and last
    month) overrides the file's. Every month of the period must be in the data: a gap is
    refused here, before anything runs, with the months to choose instead.
    """
    if params_file is not None:
        path = Path(params_file).resolve()
        model = parse_model(AssessmentModel, load_yaml(path), path)
        base = path.parent
        chosen_data_dir = Path(data_dir).resolve() if data_dir else (base / model.data_dir).resolve()
        priorities_path = (base / model.priorities_file).resolve()
        criteria_path = criteria_file_for(path, model)
        areas_dir = (base / model.areas_dir).resolve()
        scoring, disclosure = model.scoring, model.disclosure
        wanted_area = area or model.area
        model_period = model.period
        comparators = model.comparators
    else:
        path = None
        if not area:
            raise ConfigError("no area given: pass --area NAME (or a parameters file with 'area')")
        chosen_data_dir = Path(data_dir).resolve() if data_dir else DEFAULT_DATA_DIR
        priorities_path, criteria_path = DEFAULT_PRIORITIES, DEFAULT_CRITERIA
        areas_dir = DEFAULT_AREAS_DIR
        scoring, disclosure = ScoringRules(), DisclosureModel()
        wanted_area, model_period, comparators = area, None, None
    where = str(path) if path else "--area"

    code_of = dict(counts[["area", "area_code"]].drop_duplicates().itertuples(index=False))
    geography = Geography.default()
    canonical = _canonical_area(wanted_area, code_of, geography, f"{where}: field 'area'")
    force = geography.force(code_of[canonical]) or ""
    if comparators is None:
        # The county is the area's force: its districts in the data (or, for areas the reference
        # does not place, every such area in the data).
        comparator_list = sorted(a for a, code in code_of.items() if (geography.force(code) or "") == force)
    else:
        comparator_list = [
            _canonical_area(name, code_of, geography, f"{where}: field 'comparators'") for name in comparators
        ]
        twice = sorted({name for name in comparator_list if comparator_list.count(name) > 1})
        if twice:
            raise ConfigError(f"{where}: field 'comparators': {twice[0]!r} is listed twice; list each area once")
        listed_forces = {geography.force(code_of[name]) or "" for name in comparator_list}
        if canonical not in comparator_list and listed_forces and force not in listed_forces:
            # Its pages would compare it with another force's districts, as if they were its county.
            raise ConfigError(
                f"{where}: field 'comparators': {canonical} ({force or 'no known force'}) is not among them, and they "
                f"are districts of {_and_list(sorted(f or 'no known force' for f in listed_forces))}; list its own "
                "force's districts, or leave out --params to compare it within its force"
            )
        if canonical not in comparator_list:
            comparator_list.append(canonical)

    months_in_data = sorted(counts.loc[counts["area"].isin(comparator_list), "month"].unique())
    if period is not None:
        start, end = period
        where_period = "--period"
    elif model_period is not None:
        start, end = model_period.start, model_period.end
        where_period = f"{where}: field 'period'"
    else:
        end = months_in_data[-1]
        start = max(str(pd.Period(end, freq="M") - 11), months_in_data[0])
        where_period = f"the latest 12 months in the data ({start} to {end})"
    if start > end:
        raise ConfigError(f"{where_period}: start {start} is after end {end}")
    missing = sorted(set(month_range(start, end)) - set(months_in_data))
    if missing:
        raise ConfigError(f"{where_period}: {_gap_advice(missing, months_in_data, len(month_range(start, end)))}")
    criteria = load_criteria(criteria_path)
    local = local_content(areas_dir, code_of[canonical], path)
    priorities = with_own_indicators(load_priorities(priorities_path), local, criteria)
    _check_weights(scoring, criteria, where)
    return Assessment(
        area=canonical,
        area_code=code_of[canonical],
        force=force,
        codes={area: code_of[area] for area in comparator_list},
        period_start=start,
        period_end=end,
        comparators=tuple(sorted(comparator_list)),
        data_dir=chosen_data_dir,
        priorities=priorities,
        priorities_file=priorities_path,
        criteria=criteria,
        criteria_file=criteria_path,
        rules=scoring,
        disclosure=disclosure,
        judgements=load_judgements(local.judgements_file, priorities, criteria) if local.judgements_file else {},
        local=local,
        source=path,
    )


def _canonical_area(name: str, code_of: dict[str, str], geography: Geography, where: str) -> str:
    """The area as named in the data, given by name (whatever its case, spaces and hyphens), by ONS
    code, or by another spelling the reference knows ("Bristol" for "Bristol, City of")."""
    wanted = slug(name)
    for candidate in sorted(code_of):
        if slug(candidate) == wanted:
            return candidate
    code = geography.code_for(name)
    for candidate, candidate_code in code_of.items():
        if code is not None and candidate_code == code:
            return candidate
    known = ", ".join(f"{a} ({code_of[a]})" for a in sorted(code_of))
    raise ConfigError(f"{where}: unknown area {name!r}; the data have: {known}")


def slug(name: str) -> str:
    """A file-name form of an area: 'Tunbridge Wells' -> 'tunbridge-wells'."""
    return "-".join(name.lower().replace("-", " ").split())


def _and_list(words: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def month_list(months: Sequence[str]) -> str:
    """Months in words for a sentence: '2022-01', '2022-01 and 2022-02', or '5 months (2022-01 to 2022-05)'."""
    months = list(months)
    if len(months) <= 3:
        return _and_list(months)
    return f"{len(months)} months ({months[0]} to {months[-1]})"


def _gap_advice(missing: list[str], held: list[str], length: int) -> str:
    """Why a period cannot be assessed, and the latest period of the same length that can."""
    text = f"the data have no counts for {_describe_months(missing)}"
    if not held:
        return text + "; the data hold no months for these areas"
    text += f"; they cover {held[0]} to {held[-1]}"
    gaps = sorted(set(month_range(held[0], held[-1])) - set(held))
    text += f", missing {month_list(gaps)}" if gaps else ""
    have = set(held)
    for end in reversed(held):
        months = month_range(str(pd.Period(end, freq="M") - (length - 1)), end)
        if set(months) <= have:
            span = f"{months[0]}:{months[-1]}"
            return text + f"; choose a period with every month, such as {months[0]} to {months[-1]} (--period {span})"
    return text + f"; no {length} months in a row are complete: add the missing months' files and ingest again"


def _describe_months(months: list[str]) -> str:
    return months[0] if len(months) == 1 else f"{len(months)} months ({months[0]} to {months[-1]})"
