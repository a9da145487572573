"""Volume: does the priority make up a large share of recorded crime in the area?"""

from __future__ import annotations

import numpy as np

from assess.config import ScoringRules
from assess.criteria.figures import FigureDraws, PriorityFigures
from assess.criteria.result import CriterionScore, no_data, score_from_bounds
from assess.disclosure import SMALL_NUMBERS, WITHHELD

CRITERION = "volume"


def score(figures: PriorityFigures, rules: ScoringRules, period: str) -> CriterionScore:
    """Score the share of all recorded crime and ASB in the area (bounds: `volume_shares`)."""
    if figures.area_total == 0:
        return no_data(figures.key, CRITERION, f"No crime was recorded in the area in {period}.")
    share = figures.current / figures.area_total
    result = score_from_bounds(share, rules.volume_shares)
    if figures.rule.hides(figures.current) or figures.area_total_hidden:
        # A share of a hidden count gives it back; so does the area's total, less the priorities shown beside it.
        total, withheld = (
            ("the area's", "total and share") if figures.area_total_hidden else (f"{figures.area_total:,}", "share")
        )
        return CriterionScore(
            figures.key,
            CRITERION,
            result,
            evidence=(
                f"{figures.rule.text(figures.current)} of {total} recorded crimes and ASB incidents "
                f"({withheld} {WITHHELD}: {SMALL_NUMBERS}), {period}"
            ),
            reason=(
                f"{figures.title}: the share of all recorded crime and ASB in the area is {WITHHELD} ({SMALL_NUMBERS})."
            ),
        )
    return CriterionScore(
        figures.key,
        CRITERION,
        result,
        evidence=(
            f"{figures.current:,} of {figures.area_total:,} recorded crimes and ASB incidents ({share:.1%}), {period}"
        ),
        reason=f"{figures.title} made up {share:.1%} of all recorded crime and ASB in the area.",
    )


def draws(figures: FigureDraws, rules: ScoringRules) -> np.ndarray:
    """`score` of every draw at once (NaN where a draw has no crime in the area)."""
    total = figures.area_total
    share = figures.current / np.where(total > 0, total, 1)
    scores = 1 + (share[:, None] >= np.asarray(rules.volume_shares)[None, :]).sum(axis=1)
    return np.where(total > 0, scores, np.nan)
