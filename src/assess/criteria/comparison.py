"""Comparison: how the area's rate stands against the other areas of the county.

The funnel plot places the rate against limits around the comparators' overall rate
(exact Poisson, 95% and 99.8%, widened for overdispersion when set); the rank (1 = lowest
rate) is the plan's "lowest 3 in the county" measure and is reported alongside.
"""

from __future__ import annotations

import numpy as np

from assess import stats
from assess.config import ScoringRules
from assess.criteria.figures import PriorityFigures
from assess.criteria.result import CriterionScore, no_data
from assess.disclosure import SMALL_NUMBERS, WITHHELD, CountRule

CRITERION = "comparison"
SCORE_OF_POSITION = {"above 99.8%": 5, "above 95%": 4, "within": 3, "below 95%": 2, "below 99.8%": 1}
WORDS_OF_POSITION = {
    "above 99.8%": "far above the county (beyond the 99.8% funnel limit)",
    "above 95%": "above the county (beyond the 95% funnel limit)",
    "within": "in line with the county (within the funnel limits)",
    "below 95%": "below the county (under the 95% funnel limit)",
    "below 99.8%": "far below the county (under the 99.8% funnel limit)",
}


def score(figures: PriorityFigures, rules: ScoringRules, period: str) -> CriterionScore:
    """Score police-recorded counts of the priority across the comparators."""
    return score_counts(
        figures.key, figures.comparator_counts, figures.populations, figures.area_index, rules, period, figures.rule
    )


def score_counts(
    key: str,
    counts: np.ndarray,
    populations: np.ndarray,
    area_index: int,
    rules: ScoringRules,
    period: str,
    rule: CountRule,
    what: str = "",
) -> CriterionScore:
    """Score the area's rate from counts and residents of every comparator (funnel position).

    The residents are published, so a rate gives its count back: the area's rate is withheld
    when its count is. The county rate is the comparators' total over their residents and
    phi is computed from every count: with the other counts shown, either gives a hidden one
    back, so both are withheld when any count is.
    """
    if len(counts) < 2:
        return no_data(key, CRITERION, "There are no other areas to compare with.")
    if counts.sum() == 0:
        return no_data(key, CRITERION, f"Nothing of this kind was recorded in any area in {period}.")
    target = counts.sum() / populations.sum() * 1000
    phi = None
    if rules.overdispersion and len(counts) >= 3:
        estimate = stats.overdispersion_factor(counts, populations, target_rate=target)
        phi = estimate if estimate > 1 else None
    i = area_index
    position = stats.funnel_position(counts[i], populations[i], target, overdispersion=phi)
    rate = counts[i] / populations[i] * 1000
    rank = stats.rank_among(list(counts / populations), i)
    # A hidden area count is one of the counts, so it hides the county figures too.
    area_hidden, county_hidden = rule.hides(counts[i]), rule.hides_any(counts)
    if area_hidden:
        rates = f"rate per 1,000 residents and county rate {WITHHELD} ({SMALL_NUMBERS}); {len(counts)} areas compared"
    elif county_hidden:
        rates = (
            f"{rate:.2f} per 1,000 residents against a county rate {WITHHELD} ({SMALL_NUMBERS}); "
            f"{len(counts)} areas compared"
        )
    else:
        rates = f"{rate:.2f} per 1,000 residents against {target:.2f} across {len(counts)} areas"
    adjusted = (
        ""
        if not phi
        else ", limits widened for overdispersion"
        if county_hidden
        else f", limits widened for overdispersion (phi = {phi:.1f})"
    )
    return CriterionScore(
        key,
        CRITERION,
        SCORE_OF_POSITION[position],
        evidence=(
            f"{what}{rates}, {period}; {position} funnel limit{adjusted}; rank {rank.rank} of {rank.n} (1 = lowest)"
        ),
        reason=f"The area's rate is {WORDS_OF_POSITION[position]}, ranked {rank.rank} of {rank.n} from lowest.",
    )


def score_rates(key: str, rates: np.ndarray, area_index: int, unit: str, period: str, what: str) -> CriterionScore:
    """Score a rate published without its counts (no funnel is possible): the area's rank in fifths.

    Rank 1 is the lowest rate; the score is the fifth of the ranking the area falls in, so
    the highest fifth scores 5 and the lowest 1.
    """
    rank = stats.rank_among(list(rates), area_index)
    result = int(np.ceil(5 * rank.rank / rank.n))
    return CriterionScore(
        key,
        CRITERION,
        result,
        evidence=(
            f"{what}{rates[area_index]:,.1f} ({unit}) against a median of {np.median(rates):,.1f} across "
            f"{rank.n} areas, {period}; rank {rank.rank} of {rank.n} (1 = lowest)"
        ),
        reason=(
            f"The area ranks {rank.rank} of {rank.n} from lowest on this rate, in the {_fifth(result)} fifth of areas."
        ),
    )


def _fifth(score: int) -> str:
    return {1: "lowest", 2: "second", 3: "middle", 4: "fourth", 5: "highest"}[score]
