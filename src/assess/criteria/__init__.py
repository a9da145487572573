"""The criteria: each turns a priority's evidence into a 1-5 score with a reason.

Which criteria there are is declared in `params/criteria.yaml`. A measured criterion names
a scorer registered here; a judged one reads its scores from the judgements. The police
part of a scorer reads `PriorityFigures` (see figures.py), so the same code scores the
observed data and every Monte Carlo resample of it.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from assess import stats
from assess.config import Assessment, Criterion, Priority, ScoringRules
from assess.criteria import comparison, harm, partner, trend, volume
from assess.criteria.figures import CountCube, FigureDraws, PriorityFigures
from assess.criteria.judged import judged_score
from assess.criteria.result import NO_DATA, CriterionScore, no_data
from assess.data.population import population_estimate
from assess.errors import ConfigError

__all__ = [
    "check_scorers",
    "scorers_fingerprint",
    "NO_DATA",
    "SCORERS",
    "CountCube",
    "CriterionScore",
    "PriorityFigures",
    "Scorer",
    "Setting",
    "police_scores",
    "register",
    "score_all",
    "score_priority",
]


@dataclass(frozen=True)
class Setting:
    """What every scorer may read besides a priority's police figures: the run's rules and inputs."""

    assessment: Assessment
    period: str
    harm_unit: str
    indicators: pd.DataFrame
    population: pd.Series
    # Per criterion, the largest p-value that counts as significant once the false discovery
    # rate is controlled across the run's tests of that criterion; absent, p < significance.
    cutoffs: Mapping[str, float] = field(default_factory=dict)

    @property
    def rules(self) -> ScoringRules:
        return self.assessment.rules

    def is_significant(self, criterion: str, p_value):
        """Whether a p-value (or an array of them) of a test for `criterion` counts as significant."""
        if criterion in self.cutoffs:
            return np.asarray(p_value) <= self.cutoffs[criterion]
        return np.asarray(p_value) < self.rules.significance

    @cached_property
    def scorers(self) -> dict[str, Scorer]:
        """Each measured criterion's scorer, looked up once: scoring runs again for every resample."""
        return {c.key: scorer_of(c, self.assessment) for c in self.assessment.criteria if not c.is_judged}


PoliceScore = Callable[[PriorityFigures, Setting], CriterionScore]
PartnerScore = Callable[[Priority, Setting, str], CriterionScore | None]
DrawScore = Callable[[FigureDraws, Setting], np.ndarray | tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Scorer:
    """How a measured criterion is scored.

    `police` scores it from police-recorded figures; `partner`, if given, scores it from a
    partner indicator the priority maps to the criterion, where police data have none.
    `draws` scores many Monte Carlo draws of the police figures at once (an array of scores,
    NaN where a draw has none; or, for a criterion decided by a test, its p-values and signed
    changes, which the simulation judges across the family) and must agree with `police`
    draw by draw; without it the
    simulation calls `police` once per draw, which is slower. `source` is a custom scorer's
    file, for the cache key: edit it and the simulation runs again.
    """

    police: PoliceScore | None = None
    partner: PartnerScore | None = None
    draws: DrawScore | None = None
    source: bytes = b""


SCORERS: dict[str, Scorer] = {}


def register(
    name: str, police: PoliceScore | None = None, partner: PartnerScore | None = None, draws: DrawScore | None = None
) -> Scorer:
    """Make a scorer available to `criteria.yaml` under `name`."""
    if police is None and partner is None:
        raise ValueError(f"scorer {name!r} needs a police or a partner part")
    if draws is not None and police is None:
        raise ValueError(f"scorer {name!r} scores draws of police figures but has no police part")
    SCORERS[name] = Scorer(police, partner, draws)
    return SCORERS[name]


register(
    "trend", police=trend.score, partner=lambda priority, s, key: partner.trend(priority, s, key), draws=trend.draws
)
register(
    "volume",
    police=lambda figures, s: volume.score(figures, s.rules, s.period),
    draws=lambda figures, setting: volume.draws(figures, setting.rules),
)
register("harm", police=lambda figures, s: harm.score(figures, s.rules, s.period, s.harm_unit), draws=harm.draws)
register(
    "comparison",
    police=lambda figures, s: comparison.score(figures, s.rules, s.period, population_estimate(s.population)),
    draws=comparison.draws,
    partner=lambda priority, s, key: partner.comparison_score(priority, s.indicators, s.assessment, s.population, key),
)


def scorer_of(criterion: Criterion, assessment: Assessment) -> Scorer:
    """The scorer a measured criterion names: a registered one, or `module:function` of the partnership's own.

    The module is a file `module.py` beside criteria.yaml, else one on the Python path. The
    function takes a priority's `PriorityFigures` and the `Setting` and returns a
    `CriterionScore`; it is re-run on every Monte Carlo resample like the built-in ones.
    """
    name = criterion.scorer or ""
    where = f"{assessment.criteria_file}: field 'criteria.{criterion.key}.scorer'"
    if name in SCORERS:
        return SCORERS[name]
    module_name, _, function_name = name.partition(":")
    if not module_name or not function_name:
        raise ConfigError(
            f"{where}: no scorer {name!r}; use one of {', '.join(sorted(SCORERS))} or 'module:function' of your own"
        )
    beside = Path(assessment.criteria_file).parent / f"{module_name}.py"
    source = beside.read_bytes() if beside.is_file() else b""
    # Registered by file and content, not by name: two params folders may each have a
    # scorers.py, and an edited file is loaded afresh.
    digest = hashlib.sha256(source).hexdigest()[:16]
    registered = f"{beside.resolve()}#{digest}:{function_name}" if beside.is_file() else name
    if registered in SCORERS:
        return SCORERS[registered]
    try:
        module = _load_file(beside, digest) if beside.is_file() else importlib.import_module(module_name)
        function = getattr(module, function_name)
    except Exception as exc:  # the partnership's own code: any failure to load it is a parameters mistake
        message = " ".join(str(exc).split())
        raise ConfigError(f"{where}: cannot load {name!r} ({type(exc).__name__}: {message})") from None
    if not callable(function):
        raise ConfigError(f"{where}: {name!r} is not a function")
    SCORERS[registered] = Scorer(police=function, source=source)
    return SCORERS[registered]


def _load_file(path: Path, digest: str):
    """A module from its file, under a name of its own so it cannot shadow or be shadowed by another."""
    place = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(f"assess_scorer_{place}_{digest}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_scorers(assessment: Assessment) -> None:
    """Every measured criterion's scorer loads, and every partner indicator maps to a criterion it can score."""
    partner_criteria = [
        c.key for c in assessment.criteria if not c.is_judged and scorer_of(c, assessment).partner is not None
    ]
    for priority in assessment.priorities:
        group = "candidates" if priority.is_candidate else "priorities"
        for indicator, key in priority.indicators:
            if key not in partner_criteria:
                raise ConfigError(
                    f"{assessment.priorities_file}: field '{group}.{priority.key}.indicators.{indicator}': "
                    f"{key!r} is not scored from partner indicators; use one of: {', '.join(partner_criteria)}"
                )


def scorers_fingerprint(assessment: Assessment) -> tuple:
    """What the scores depend on besides the data: each criterion's scorer, and a custom one's source."""
    return tuple(
        (c.key, c.kind, c.scorer, b"" if c.is_judged else scorer_of(c, assessment).source) for c in assessment.criteria
    )


def _as(key: str, verdict: CriterionScore) -> CriterionScore:
    """The verdict filed under the criterion's declared key (a scorer may serve several)."""
    return verdict if verdict.criterion == key else replace(verdict, criterion=key)


def police_scores(figures: PriorityFigures, priority: Priority, setting: Setting) -> dict[str, CriterionScore]:
    """The measured criteria that police-recorded figures decide, for one priority."""
    scores = {}
    for criterion in setting.assessment.criteria:
        if criterion.is_judged:
            continue
        scorer = setting.scorers[criterion.key]
        if scorer.police is None:
            continue
        if not priority.has_police_data:
            why = "Police street-level data do not record this; the evidence must come from partners."
            scores[criterion.key] = no_data(priority.key, criterion.key, why)
        else:
            scores[criterion.key] = _as(criterion.key, scorer.police(figures, setting))
    return scores


def score_all(cube: CountCube, setting: Setting) -> tuple[dict[str, dict[str, CriterionScore]], Setting]:
    """Every priority's verdicts, each criterion's tests judged together; and the setting that judged them.

    A criterion decided by a test (trend) is tested once per priority; a family of tests
    finds some "significant" changes by chance alone, so which count as significant is
    decided across the family, controlling the false discovery rate at the significance
    level (Benjamini and Hochberg 1995): the priorities are scored once to collect the
    p-values, then again with the cut-off they give.
    """
    first = {p.key: score_priority(cube.figures(p), p, setting) for p in setting.assessment.priorities}
    families: dict[str, list[float]] = {}
    for verdicts in first.values():
        for key, verdict in verdicts.items():
            if verdict.p_value is not None:
                families.setdefault(key, []).append(verdict.p_value)
    if not families:
        return first, setting
    cutoffs = {
        key: float(stats.bh_cutoff(np.array(p_values), setting.rules.significance))
        for key, p_values in families.items()
    }
    judged = replace(setting, cutoffs=cutoffs)
    scored = {p.key: score_priority(cube.figures(p), p, judged) for p in setting.assessment.priorities}
    rate = f"{setting.rules.significance:.0%}"
    for verdicts in scored.values():
        for key, verdict in verdicts.items():
            if verdict.p_value is not None:
                # Said beside the p-value: a p under the level may still not count, and why.
                note = (
                    f"; judged with the {len(families[key])} {setting.assessment.criteria[key].name} tests of this "
                    f"assessment at a {rate} false discovery rate (Benjamini-Hochberg)"
                )
                verdicts[key] = replace(verdict, evidence=verdict.evidence + note)
    return scored, judged


def score_priority(figures: PriorityFigures, priority: Priority, setting: Setting) -> dict[str, CriterionScore]:
    """Every criterion for one priority, in the declared order.

    Where police data give no score, a partner indicator mapped to the criterion does.
    """
    assessment = setting.assessment
    scores = police_scores(figures, priority, setting)
    for criterion in assessment.criteria:
        key = criterion.key
        if criterion.is_judged:
            scores[key] = judged_score(assessment, priority.key, criterion)
            continue
        verdict = scores.get(key)
        if verdict is None or not verdict.has_data:
            scorer = setting.scorers[key]
            fallback = scorer.partner(priority, setting, key) if scorer.partner else None
            if fallback is not None:
                verdict = _as(key, fallback)
            elif verdict is None:
                verdict = no_data(priority.key, key, f"No evidence for {criterion.name} is in the data.")
        scores[key] = verdict
    return {c.key: scores[c.key] for c in assessment.criteria}
