"""Comparison: how the area's rate stands against the other areas of the county.

Counts go on a funnel plot around the comparators' overall rate (Spiegelhalter 2005). The
score counts two pieces of evidence, in the direction of the difference:

- the rate lies beyond the exact Poisson 99.8% limit: it differs from the county's rate by
  more than chance would (the question Fingertips asks of an area against England);
- the rate lies beyond the 95% limit widened for overdispersion: it is unusual even among
  areas that differ from one another. The limits are widened only where the other areas are
  shown to vary more than chance (Spiegelhalter's chi-square test of phi, at the run's
  significance level) and never made narrower than the exact Poisson limits.

Both: 5 (1 below); one: 4 (2); neither: 3. Without shown overdispersion the widened limit is
the exact 95% one, and this is the familiar funnel: beyond 99.8% 5/1, beyond 95% 4/2.

A rate published without its counts is compared by its own confidence interval (see
`score_rates`). The rank (1 = lowest rate) is the plan's "lowest 3 in the county" measure
and is reported alongside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assess import stats
from assess.config import ScoringRules
from assess.criteria.figures import FigureDraws, PriorityFigures
from assess.criteria.result import CriterionScore, no_data
from assess.disclosure import SMALL_NUMBERS, WITHHELD, CountRule

CRITERION = "comparison"
# Beyond this exact Poisson limit the area's rate differs from the county's by more than chance.
CHANCE_LEVEL = 0.998
# Beyond this limit, widened where the other areas vary more than chance, the area is unusual among them.
SPREAD_LEVEL = 0.95
PER = 1000
# phi is estimated from the other areas, not the one judged (a cross-validatory check, as
# Ohlssen, Sharples & Spiegelhalter 2007 recommend for finding unusual providers), and not
# winsorised. Measured by simulation with 13 areas (tests/test_comparison_harm.py):
# Spiegelhalter's (2005) 10% winsorising of every area biased phi low where areas really
# differ, so an ordinary area fell beyond the widened 95% limit 9% of the time, and made the
# chi-square test declare overdispersion under chance alone 0.7% of the time, not 5%; the
# plain estimate from every area let an outlying area widen its own limits and hide. Left
# out and unwinsorised: 6.6% and 5.5%, with a rate 1.5 times the others' found 76% of the time.
WINSOR = 0.0
_Z_95 = 1.959963984540054
_Z_998 = 3.090232306167813


@dataclass(frozen=True)
class FunnelVerdict:
    """The funnel's verdict on the area for each row of a counts array (one row per draw).

    `chance` and `spread` are +1 (above), -1 (below) or 0 (within) for the exact 99.8% limit
    and the (widened) 95% limit; `phi` and `phi_p` are NaN where phi was not estimated;
    `score` is NaN where nothing was recorded in any area.
    """

    target: np.ndarray
    rate: np.ndarray
    phi: np.ndarray
    phi_p: np.ndarray
    widened: np.ndarray
    chance: np.ndarray
    spread: np.ndarray
    score: np.ndarray


def funnel_verdict(counts: np.ndarray, populations: np.ndarray, area_index: int, rules: ScoringRules) -> FunnelVerdict:
    """Decide every row of `counts` (rows x areas) at once: the scalar and vectorised scorers share this."""
    counts = np.asarray(counts, dtype=float)
    total = counts.sum(axis=1)
    recorded = total > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        target = np.where(recorded, total / populations.sum() * PER, np.nan)
        phi = np.full(len(counts), np.nan)
        if rules.overdispersion and counts.shape[1] >= 3 and recorded.any():
            others = np.delete(counts[recorded], area_index, axis=1)
            phi[recorded] = stats.overdispersion_factors(
                others, np.delete(populations, area_index), target[recorded], WINSOR, PER
            )
        phi_p = stats.overdispersion_p_value(phi, counts.shape[1] - 1)
        widened = phi_p < rules.significance
        population = populations[area_index]
        rate = counts[:, area_index] / population * PER
        safe = np.where(recorded, target, 1.0)
        chance_low, chance_high = stats.funnel_bounds(safe, population, CHANCE_LEVEL, PER)
        spread_low, spread_high = stats.funnel_bounds(safe, population, SPREAD_LEVEL, PER, np.where(widened, phi, 1.0))
    chance = (rate > chance_high).astype(int) - (rate < chance_low)
    spread = (rate > spread_high).astype(int) - (rate < spread_low)
    score = np.where(recorded, 3.0 + chance + spread, np.nan)
    return FunnelVerdict(target, rate, phi, phi_p, widened, chance, spread, score)


def draws(fd: FigureDraws, setting) -> np.ndarray:
    """The police comparison score of every draw (NaN where nothing was recorded anywhere)."""
    if fd.comparator_counts.shape[1] < 2:
        return np.full(fd.draws, np.nan)
    return funnel_verdict(fd.comparator_counts, fd.populations, fd.area_index, setting.rules).score


def score(figures: PriorityFigures, rules: ScoringRules, period: str, residents: str = "") -> CriterionScore:
    """Score police-recorded counts of the priority across the comparators.

    `residents` says which population estimate the rates use (e.g. "mid-2020 estimate").
    """
    return score_counts(
        figures.key,
        figures.comparator_counts,
        figures.populations,
        figures.area_index,
        rules,
        period,
        figures.rule,
        residents=residents,
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
    residents: str = "",
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
    verdict = funnel_verdict(np.asarray(counts)[None, :], populations, area_index, rules)
    chance, spread, widened = int(verdict.chance[0]), int(verdict.spread[0]), bool(verdict.widened[0])
    target, rate = float(verdict.target[0]), float(verdict.rate[0])
    i = area_index
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
    of_residents = f" (residents: {residents})" if residents else ""
    limits = _limits_text(float(verdict.phi[0]), float(verdict.phi_p[0]), widened, rules, county_hidden)
    return CriterionScore(
        key,
        CRITERION,
        int(verdict.score[0]),
        evidence=(
            f"{what}{rates}, {period}{of_residents}; {_position_text(chance, spread, widened)}; {limits}; "
            f"rank {rank.words}"
        ),
        reason=(f"The area's rate is {_reason_text(chance, spread, widened)}, ranked {rank.words}."),
    )


def _side(sign: int) -> str:
    return "above" if sign > 0 else "below"


def _position_text(chance: int, spread: int, widened: bool) -> str:
    """Where the rate lies against each limit, e.g. 'below 99.8% exact limit; within 95% widened limits'."""
    if not widened:
        if chance:
            return f"{_side(chance)} 99.8% funnel limit"
        return f"{_side(spread)} 95% funnel limit" if spread else "within funnel limits"
    exact = f"{_side(chance)} the exact 99.8% limit" if chance else "within the exact 99.8% limits"
    wide = f"{_side(spread)} the widened 95% limit" if spread else "within the widened 95% limits"
    return f"{exact}, {wide}"


def _limits_text(phi: float, phi_p: float, widened: bool, rules: ScoringRules, hidden: bool) -> str:
    """How the limits were set: exact, or widened and why."""
    if np.isnan(phi):
        return "exact Poisson limits" + ("" if rules.overdispersion else " (overdispersion not allowed for)")
    test = f"phi {WITHHELD}" if hidden else f"phi = {phi:.1f}, {_p_text(phi_p)}"
    if widened:
        return f"widened as the other areas vary more than chance ({test})"
    return f"exact Poisson limits, as the other areas are not shown to vary more than chance ({test})"


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _reason_text(chance: int, spread: int, widened: bool) -> str:
    """The position in words for the reason sentence."""
    if not chance and not spread:
        return "in line with the county (within the funnel limits)"
    if not widened:
        if chance:
            return f"far {_side(chance)} the county (beyond the 99.8% funnel limit)"
        return f"{_side(spread)} the county (beyond the 95% funnel limit)"
    if chance and spread:
        return (
            f"far {_side(chance)} the county: beyond chance (the exact 99.8% limit) and beyond the spread "
            "of the areas (the 95% limit widened for overdispersion)"
        )
    if chance:
        return (
            f"{_side(chance)} the county by more than chance (beyond the exact 99.8% limit) but within the spread "
            "of the areas (the 95% limit widened for overdispersion)"
        )
    return f"{_side(spread)} the 95% limit widened for overdispersion, though within the exact 99.8% limit"


def count_spread(counts: np.ndarray, populations: np.ndarray, area_index: int, rules: ScoringRules):
    """A sampler of scores for counts drawn again as Poisson with the observed counts as means."""

    def sample(rng: np.random.Generator, n: int) -> np.ndarray:
        drawn = rng.poisson(np.asarray(counts, dtype=float), size=(n, len(counts)))
        return funnel_verdict(drawn, populations, area_index, rules).score

    return sample


# --- published rates ----------------------------------------------------------------------------


def rate_scores(values: np.ndarray, lower: np.ndarray, upper: np.ndarray, area_index: int) -> np.ndarray:
    """Scores for each row of published rates (rows x areas) with their 95% limits, Fingertips-style.

    The benchmark is the comparators' median rate. The area's 95% interval wholly above it
    is higher (4), wholly below lower (2), else similar (3); its 99.8% interval, stretched
    from the 95% one on each side by z(0.999) / z(0.975), wholly above or below scores 5 or 1.
    """
    benchmark = np.median(values, axis=1)
    value, low, high = values[:, area_index], lower[:, area_index], upper[:, area_index]
    stretch = _Z_998 / _Z_95
    low_998, high_998 = value - (value - low) * stretch, value + (high - value) * stretch
    higher = (low > benchmark).astype(int) + (low_998 > benchmark)
    lower_ = (high < benchmark).astype(int) + (high_998 < benchmark)
    return 3.0 + higher - lower_


def spread_scores(values: np.ndarray, area_index: int) -> np.ndarray:
    """Scores for rates published with no interval: is the area unusual among the others?

    With no measure of a value's own chance variation, the other areas' spread is the only
    yardstick: z = (value - median of the others) / (1.4826 x their median absolute
    deviation), a robust estimate of the between-area standard deviation (Spiegelhalter's
    2005 additive random-effects funnel, its within-area variance folded into the spread).
    |z| beyond 1.96 scores 4 or 2, beyond 3.09 scores 5 or 1; NaN where the others do not vary.
    """
    others = np.delete(values, area_index, axis=1)
    centre = np.median(others, axis=1)
    scale = 1.4826 * np.median(np.abs(others - centre[:, None]), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (values[:, area_index] - centre) / scale
    result = 3.0 + (z > _Z_95) + (z > _Z_998) - (z < -_Z_95) - (z < -_Z_998)
    return np.where(scale > 0, result, np.nan)


def score_rates(
    key: str,
    rates: np.ndarray,
    area_index: int,
    unit: str,
    period: str,
    what: str,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
) -> CriterionScore:
    """Score a rate published without its counts, by its own 95% confidence interval where given.

    With the interval: Fingertips' comparison against the comparators' median (`rate_scores`).
    Without one, a rate cannot be told from chance: the area is judged against the spread of
    the other areas instead (`spread_scores`), and the evidence says so.
    """
    rank = stats.rank_among(list(rates), area_index)
    i = area_index
    given = lower is not None and upper is not None and np.isfinite(lower[i]) and np.isfinite(upper[i])
    benchmark = np.median(rates)
    if given:
        bounds = _filled(rates, lower), _filled(rates, upper)
        result = rate_scores(rates[None, :], bounds[0][None, :], bounds[1][None, :], i)[0]
        how = f"95% confidence interval {lower[i]:,.1f} to {upper[i]:,.1f}"
        words = _RATE_WORDS[int(result)]
    else:
        result = spread_scores(rates[None, :], i)[0]
        if np.isnan(result):
            return no_data(
                key, CRITERION, f"{what}every other area has the same value, so there is no spread to judge by."
            )
        how = "no confidence interval published, so judged against the spread of the other areas"
        words = _SPREAD_WORDS[int(result)]
    return CriterionScore(
        key,
        CRITERION,
        int(result),
        evidence=(
            f"{what}{rates[i]:,.1f} ({unit}; {how}) against a median of {benchmark:,.1f} across {rank.n} areas, "
            f"{period}; rank {rank.words}"
        ),
        reason=f"The area's rate is {words}, ranked {rank.words}.",
    )


_RATE_WORDS = {
    5: "higher than the areas' median beyond its 99.8% confidence interval",
    4: "higher than the areas' median (its 95% confidence interval lies wholly above it)",
    3: "similar to the areas' median (its 95% confidence interval includes it)",
    2: "lower than the areas' median (its 95% confidence interval lies wholly below it)",
    1: "lower than the areas' median beyond its 99.8% confidence interval",
}
_SPREAD_WORDS = {
    5: "far above the other areas (beyond 99.8% of their spread)",
    4: "above the other areas (beyond 95% of their spread)",
    3: "within the spread of the other areas",
    2: "below the other areas (beyond 95% of their spread)",
    1: "far below the other areas (beyond 99.8% of their spread)",
}


def _filled(rates: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Limits with the value itself where an area has none (only the area's own interval is used)."""
    return np.where(np.isfinite(limits), limits, rates)


def rate_spread(rates: np.ndarray, lower: np.ndarray | None, upper: np.ndarray | None, area_index: int):
    """A sampler of scores for published rates drawn again within their confidence intervals.

    Each area with an interval has its rate drawn from a normal whose sd is the interval's
    width over 2 x 1.96, and keeps the interval's distances from the rate; an area without
    one is held at its value. With no interval for the area the score cannot vary by a
    chance no one has measured: the sampler returns the score itself.
    """
    i = area_index
    given = lower is not None and upper is not None and np.isfinite(lower[i]) and np.isfinite(upper[i])
    if not given:
        fixed = spread_scores(rates[None, :], i)[0]
        return lambda rng, n: np.full(n, fixed)
    low, high = _filled(rates, lower), _filled(rates, upper)
    sd = (high - low) / (2 * _Z_95)

    def sample(rng: np.random.Generator, n: int) -> np.ndarray:
        drawn = rates + sd * rng.standard_normal((n, len(rates)))
        return rate_scores(drawn, drawn - (rates - low), drawn + (high - rates), i)

    return sample
