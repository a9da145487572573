"""Harm: how much of the area's total crime harm the priority accounts for.

Harm is counts x harm weights (by default Crime Harm Index days of imprisonment). A
priority whose crime types have no weight (anti-social behaviour) has no harm figure.
"""

from __future__ import annotations

from assess.config import ScoringRules
from assess.criteria.figures import PriorityFigures
from assess.criteria.result import CriterionScore, no_data, score_from_bounds
from assess.disclosure import SMALL_NUMBERS, WITHHELD

CRITERION = "harm"


def score(figures: PriorityFigures, rules: ScoringRules, period: str, unit: str) -> CriterionScore:
    """Score the share of all harm in the area (bounds: `harm_shares`)."""
    if figures.harm is None:
        return no_data(
            figures.key,
            CRITERION,
            "None of the priority's crime types has a harm weight, so its harm cannot be measured.",
        )
    if figures.area_harm == 0:
        return no_data(figures.key, CRITERION, f"No weighted crime was recorded in the area in {period}.")
    share = figures.harm / figures.area_harm
    result = score_from_bounds(share, rules.harm_shares)
    if figures.harm_hidden or figures.area_harm_hidden:
        if not figures.harm_hidden:
            shown = f"{figures.harm:,.0f} {unit} of harm; the area's total and the share {WITHHELD} ({SMALL_NUMBERS})"
        elif figures.area_harm_hidden:
            shown = f"harm, the area's total and the share {WITHHELD} ({SMALL_NUMBERS})"
        else:
            shown = f"harm and share {WITHHELD} ({SMALL_NUMBERS}); {figures.area_harm:,.0f} {unit} of harm in the area"
        return CriterionScore(
            figures.key,
            CRITERION,
            result,
            evidence=f"{shown}, {period}",
            reason=(
                f"{figures.title}: the share of the recorded crime harm in the area is {WITHHELD} ({SMALL_NUMBERS})."
            ),
        )
    return CriterionScore(
        figures.key,
        CRITERION,
        result,
        evidence=f"{figures.harm:,.0f} of {figures.area_harm:,.0f} {unit} of harm ({share:.1%}), {period}",
        reason=f"{figures.title} caused {share:.1%} of the recorded crime harm in the area.",
    )
