"""Harm: how serious the priority's offences are, one by one, against the rest of the area's crime.

Harm is counts x harm weights (by default Crime Harm Index days of imprisonment; Sherman,
Neyroud & Neyroud 2016). The criterion scores severity: the priority's harm per recorded
offence over the harm per recorded crime or incident of everything else in the area,
unweighted incidents (anti-social behaviour) counting no harm on both sides. Volume already
scores how many offences there are; severity is what harm adds, and it does not move with
volume: the rest of the area, not an average the priority itself dominates, is the yardstick.
The share of harm follows from the two (share = v r / (v r + 1 - v) for volume share v and
severity r), so scoring both does not score one fact twice. A priority whose crime types
have no weight has no harm figure.
"""

from __future__ import annotations

import numpy as np

from assess.config import ScoringRules
from assess.criteria.figures import FigureDraws, PriorityFigures
from assess.criteria.result import CriterionScore, no_data, score_from_bounds
from assess.disclosure import SMALL_NUMBERS, WITHHELD

CRITERION = "harm"


def severity(harm, current, area_harm, area_total):
    """Harm per offence of the priority over harm per crime or incident in the rest of the area.

    Arrays or numbers. Infinite where the rest of the area's crime carries no harm at all;
    NaN where undefined: no offences of the priority, nothing else recorded in the area, or
    no harm in the area. The rest's harm is clipped at 0 against rounding.
    """
    harm, current = np.asarray(harm, dtype=float), np.asarray(current, dtype=float)
    area_harm, area_total = np.asarray(area_harm, dtype=float), np.asarray(area_total, dtype=float)
    rest_total, rest_harm = area_total - current, np.maximum(area_harm - harm, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = harm * rest_total / (current * rest_harm)
    defined = (current > 0) & (rest_total > 0) & (area_harm > 0) & ~np.isnan(ratio)
    return np.where(defined, ratio, np.nan)


def draws(fd: FigureDraws, setting) -> np.ndarray:
    """The harm score of every draw (NaN where a draw has no severity)."""
    if fd.harm is None:
        return np.full(fd.draws, np.nan)
    ratio = severity(fd.harm, fd.current, fd.area_harm, fd.area_total)
    bounds = np.asarray(setting.rules.harm_severity)
    scores = 1.0 + (ratio[:, None] >= bounds[None, :]).sum(axis=1)
    none_recorded = (fd.current == 0) & (fd.area_harm > 0)
    return np.where(none_recorded, 1.0, np.where(np.isnan(ratio), np.nan, scores))


def score(figures: PriorityFigures, rules: ScoringRules, period: str, unit: str) -> CriterionScore:
    """Score the severity ratio (bounds: `harm_severity`)."""
    if figures.harm is None:
        return no_data(
            figures.key,
            CRITERION,
            "None of the priority's crime types has a harm weight, so its harm cannot be measured.",
        )
    if figures.current == 0:
        # Nothing recorded did no recorded harm: the lowest score, as volume gives it, not a gap.
        return CriterionScore(
            figures.key,
            CRITERION,
            1,
            evidence=f"no offences recorded in the area, {period}",
            reason=f"{figures.title}: none was recorded in the area, so it did no recorded harm.",
        )
    if figures.area_total == figures.current:
        return no_data(figures.key, CRITERION, f"Nothing else was recorded in the area in {period} to compare with.")
    ratio = float(severity(figures.harm, figures.current, figures.area_harm, figures.area_total))
    if np.isnan(ratio):
        return no_data(figures.key, CRITERION, f"No weighted crime was recorded in the area in {period}.")
    result = score_from_bounds(ratio, rules.harm_severity)
    per_offence = figures.harm / figures.current
    per_incident = max(figures.area_harm - figures.harm, 0.0) / (figures.area_total - figures.current)
    # Harm per offence beside the count gives the harm back, and that a hidden count; the
    # area's average beside its total gives the area's harm back.
    hidden = figures.harm_hidden or figures.rule.hides(figures.current)
    area_hidden = figures.area_harm_hidden or figures.area_total_hidden
    withheld = f"{WITHHELD} ({SMALL_NUMBERS})"
    if hidden or area_hidden:
        mine = f"harm per offence {withheld}" if hidden else f"{per_offence:,.1f} {unit} of harm per offence"
        theirs = (
            f"the area's total harm and the harm per other crime or incident {withheld}"
            if area_hidden
            else f"{per_incident:,.1f} {unit} per other crime or incident in the area"
        )
        return CriterionScore(
            figures.key,
            CRITERION,
            result,
            evidence=f"{mine}; {theirs}, {period}",
            reason=f"{figures.title}: how harmful an offence is against the area's other crime is {withheld}.",
        )
    return CriterionScore(
        figures.key,
        CRITERION,
        result,
        evidence=(
            f"{per_offence:,.1f} {unit} of harm per offence against {per_incident:,.1f} per other crime or "
            f"incident in the area (x{ratio:.2f}); {figures.harm:,.0f} of {figures.area_harm:,.0f} {unit} in all, "
            f"{period}"
        ),
        reason=_reason(figures.title, ratio),
    )


def _reason(title: str, ratio: float) -> str:
    """The severity in one sentence: '2.17 times', 'less than a hundredth of' where two decimals show 0."""
    if np.isinf(ratio):
        return f"{title}: the area's other crimes and incidents carry no harm weight, so all its harm is this."
    times = f"{ratio:.2f} times" if ratio >= 0.005 else "less than a hundredth of"
    return f"{title}: an offence does {times} the harm of the area's other crimes and incidents."
