"""Volume: does the priority make up a large share of recorded crime in the area?"""

from __future__ import annotations

from assess.config import ScoringModel
from assess.criteria.figures import PriorityFigures
from assess.criteria.result import CriterionScore, no_data, score_from_bounds

CRITERION = "volume"


def score(figures: PriorityFigures, rules: ScoringModel, period: str) -> CriterionScore:
    """Score the share of all recorded crime and ASB in the area (bounds: `volume_shares`)."""
    if figures.area_total == 0:
        return no_data(figures.key, CRITERION, f"No crime was recorded in the area in {period}.")
    share = figures.current / figures.area_total
    return CriterionScore(
        figures.key, CRITERION, score_from_bounds(share, rules.volume_shares),
        evidence=f"{figures.current:,} of {figures.area_total:,} recorded crimes and ASB incidents ({share:.1%}), {period}",
        reason=f"{figures.title} made up {share:.1%} of all recorded crime and ASB in the area.",
    )
