"""Comparison: how the area's rate stands against the other areas of the county.

The funnel plot places the rate against limits around the comparators' overall rate
(exact Poisson, 95% and 99.8%, widened for overdispersion when set); the rank (1 = lowest
rate) is the plan's "lowest 3 in the county" measure and is reported alongside.
"""

from __future__ import annotations

from assess import stats
from assess.config import ScoringModel
from assess.criteria.figures import PriorityFigures
from assess.criteria.result import CriterionScore, no_data

CRITERION = "comparison"
SCORE_OF_POSITION = {"above 99.8%": 5, "above 95%": 4, "within": 3, "below 95%": 2, "below 99.8%": 1}
WORDS_OF_POSITION = {
    "above 99.8%": "far above the county (beyond the 99.8% funnel limit)",
    "above 95%": "above the county (beyond the 95% funnel limit)",
    "within": "in line with the county (within the funnel limits)",
    "below 95%": "below the county (under the 95% funnel limit)",
    "below 99.8%": "far below the county (under the 99.8% funnel limit)",
}


def score(figures: PriorityFigures, rules: ScoringModel, period: str) -> CriterionScore:
    counts, populations = figures.comparator_counts, figures.populations
    if len(counts) < 2:
        return no_data(figures.key, CRITERION, "There are no other areas to compare with.")
    if counts.sum() == 0:
        return no_data(figures.key, CRITERION, f"No offences of this kind were recorded in any area in {period}.")
    target = counts.sum() / populations.sum() * 1000
    phi = None
    if rules.overdispersion and len(counts) >= 3:
        estimate = stats.overdispersion_factor(counts, populations, target_rate=target)
        phi = estimate if estimate > 1 else None
    i = figures.area_index
    position = stats.funnel_position(counts[i], populations[i], target, overdispersion=phi)
    rate = counts[i] / populations[i] * 1000
    rank = stats.rank_among(list(counts / populations), i)
    adjusted = f", limits widened for overdispersion (phi = {phi:.1f})" if phi else ""
    return CriterionScore(
        figures.key, CRITERION, SCORE_OF_POSITION[position],
        evidence=(f"{rate:.2f} per 1,000 residents against {target:.2f} across {len(counts)} areas, {period}; "
                  f"{position} funnel limit{adjusted}; rank {rank.rank} of {rank.n} (1 = lowest)"),
        reason=f"The area's rate is {WORDS_OF_POSITION[position]}, ranked {rank.rank} of {rank.n} from lowest.",
    )
