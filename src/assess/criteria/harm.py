"""Harm: how serious the priority's offences are, one by one, against the area's average.

Harm is counts x harm weights (by default Crime Harm Index days of imprisonment). The
criterion scores severity: the priority's harm per recorded offence over the area's harm
per recorded crime or incident, unweighted incidents (anti-social behaviour) counting no
harm in both. Volume already scores how many offences there are; severity is what harm
adds. Since harm share = volume share x severity ratio, log-spaced bounds make the volume
and harm scores add up roughly as the share of harm would, without scoring one fact twice
(the weights: Sherman, Neyroud & Neyroud 2016, the Cambridge Crime Harm Index). A priority
whose crime types have no weight has no harm figure.
"""

from __future__ import annotations

import numpy as np

from assess.config import ScoringRules
from assess.criteria.figures import FigureDraws, PriorityFigures
from assess.criteria.result import CriterionScore, no_data, score_from_bounds
from assess.disclosure import SMALL_NUMBERS, WITHHELD

CRITERION = "harm"


def severity(harm, current, area_harm, area_total):
    """Harm per offence of the priority over harm per crime or incident in the area (arrays or numbers).

    NaN where either is undefined: no offences of the priority, or no harm in the area.
    """
    harm, current = np.asarray(harm, dtype=float), np.asarray(current, dtype=float)
    area_harm, area_total = np.asarray(area_harm, dtype=float), np.asarray(area_total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = harm * area_total / (current * area_harm)
    return np.where((current > 0) & (area_harm > 0) & (area_total > 0) & np.isfinite(ratio), ratio, np.nan)


def draws(fd: FigureDraws, setting) -> np.ndarray:
    """The harm score of every draw (NaN where a draw has no severity)."""
    if fd.harm is None:
        return np.full(fd.draws, np.nan)
    ratio = severity(fd.harm, fd.current, fd.area_harm, fd.area_total)
    bounds = np.asarray(setting.rules.harm_severity)
    scores = 1.0 + (ratio[:, None] >= bounds[None, :]).sum(axis=1)
    return np.where(np.isnan(ratio), np.nan, scores)


def score(figures: PriorityFigures, rules: ScoringRules, period: str, unit: str) -> CriterionScore:
    """Score the severity ratio (bounds: `harm_severity`)."""
    if figures.harm is None:
        return no_data(
            figures.key,
            CRITERION,
            "None of the priority's crime types has a harm weight, so its harm cannot be measured.",
        )
    if figures.current == 0:
        return no_data(figures.key, CRITERION, f"None of the priority's offences was recorded in the area in {period}.")
    ratio = float(severity(figures.harm, figures.current, figures.area_harm, figures.area_total))
    if np.isnan(ratio):
        return no_data(figures.key, CRITERION, f"No weighted crime was recorded in the area in {period}.")
    result = score_from_bounds(ratio, rules.harm_severity)
    per_offence = figures.harm / figures.current
    per_incident = figures.area_harm / figures.area_total
    # Harm per offence beside the count gives the harm back, and that a hidden count; the
    # area's average beside its total gives the area's harm back.
    hidden = figures.harm_hidden or figures.rule.hides(figures.current)
    area_hidden = figures.area_harm_hidden or figures.area_total_hidden
    withheld = f"{WITHHELD} ({SMALL_NUMBERS})"
    if hidden or area_hidden:
        mine = f"harm per offence {withheld}" if hidden else f"{per_offence:,.1f} {unit} of harm per offence"
        theirs = (
            f"the area's total harm and its average per crime or incident {withheld}"
            if area_hidden
            else f"{per_incident:,.1f} {unit} per crime or incident in the area"
        )
        return CriterionScore(
            figures.key,
            CRITERION,
            result,
            evidence=f"{mine}; {theirs}, {period}",
            reason=f"{figures.title}: how harmful an offence is against the area's average is {withheld}.",
        )
    return CriterionScore(
        figures.key,
        CRITERION,
        result,
        evidence=(
            f"{per_offence:,.1f} {unit} of harm per offence against {per_incident:,.1f} per crime or incident "
            f"in the area (x{ratio:.2f}); {figures.harm:,.0f} of {figures.area_harm:,.0f} {unit} in all, {period}"
        ),
        reason=f"{figures.title}: an offence does {_times(ratio)} the harm of the area's average crime or incident.",
    )


def _times(ratio: float) -> str:
    """A ratio in words: '2.17 times', or 'less than a hundredth of' where two decimals would show 0."""
    return f"{ratio:.2f} times" if ratio >= 0.005 else "less than a hundredth of"
