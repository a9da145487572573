"""Trend: is the priority rising?

Year on year where the data reach back a full period (exact conditional test for the
ratio of two Poisson counts); otherwise the monthly series (Mann-Kendall, seasonal when
there are 24 months or more, with Sen's slope annualised as a share of the mean).
"""

from __future__ import annotations

import math

from assess import stats
from assess.config import ScoringRules
from assess.criteria.figures import PriorityFigures
from assess.criteria.result import CriterionScore, change_words, no_data, score_from_change
from assess.disclosure import SMALL_NUMBERS, WITHHELD

CRITERION = "trend"


def score(figures: PriorityFigures, rules: ScoringRules, period: str) -> CriterionScore:
    if figures.previous is not None:
        return _year_on_year(figures, rules, period)
    if len(figures.history) < stats.MIN_TREND_LENGTH:
        return no_data(figures.key, CRITERION, f"Too few months ({len(figures.history)}) to test a trend.")
    return _monthly_trend(figures, rules)


def _year_on_year(figures: PriorityFigures, rules: ScoringRules, period: str) -> CriterionScore:
    test = stats.compare_periods(figures.current, figures.previous, level=1 - rules.significance)
    change = test.pct_change / 100 if test.pct_change is not None else float("inf")
    if figures.current == figures.previous == 0:
        change = 0.0
    result = score_from_change(change, test.significant, rules.large_change)
    verdict = "a significant change" if test.significant else "not a significant change"
    months = len(figures.period_months)
    rule = figures.rule
    if rule.hides(figures.current) or rule.hides(figures.previous):
        # The ratio, the p-value and the change in words would each give a small count back.
        return CriterionScore(
            figures.key,
            CRITERION,
            result,
            evidence=(
                f"{rule.text(figures.current)} in {period} against {rule.text(figures.previous)} in the "
                f"previous {months} months; rate ratio and exact test {WITHHELD} ({SMALL_NUMBERS})"
            ),
            reason=f"{figures.title}: the change {_against(months)} is {WITHHELD} ({SMALL_NUMBERS}); {verdict}.",
        )
    return CriterionScore(
        figures.key,
        CRITERION,
        result,
        evidence=(
            f"{figures.current:,} in {period} against {figures.previous:,} in the previous {months} months; "
            f"rate ratio {_ratio(test)}, exact test p = {test.p_value:.3g}"
        ),
        reason=(
            f"{figures.title} {change_words(figures.current, figures.previous, test.pct_change)} "
            f"{_against(months)}, {verdict}."
        ),
    )


def _against(months: int) -> str:
    return "year on year" if months == 12 else f"on the previous {months} months"


def _ratio(test: stats.PeriodComparison) -> str:
    if test.ratio is None:
        return "undefined (none before)"
    return f"{test.ratio:.2f} ({test.ratio_lower:.2f} to {test.ratio_upper:.2f})"


def _monthly_trend(figures: PriorityFigures, rules: ScoringRules) -> CriterionScore:
    series = figures.history
    test = stats.trend_test(series, alpha=rules.significance)
    mean = float(series.mean())
    yearly = test.slope * 12 / mean if mean > 0 else 0.0
    significant = test.p_value < rules.significance
    months = f"{figures.history_months[0]} to {figures.history_months[-1]}"
    # The direction is Kendall's S, not the slope: Sen's slope can be 0 under a significant trend
    # of mostly tied values, which is still a (small) rise or fall.
    change = yearly if yearly != 0 else math.copysign(1e-12, test.s)
    if significant:
        verdict = f"a significant {'rise' if test.s > 0 else 'fall'}"
    else:
        verdict = "no significant trend"
    if figures.rule.hides_any(series):
        # S, the slope and the monthly mean (times the months, the total) would give small months back.
        return CriterionScore(
            figures.key,
            CRITERION,
            score_from_change(change, significant, rules.large_change),
            evidence=f"{test.method} over {len(series)} months ({months}): statistics {WITHHELD} ({SMALL_NUMBERS})",
            reason=f"{figures.title} shows {verdict} over {len(series)} months.",
        )
    return CriterionScore(
        figures.key,
        CRITERION,
        score_from_change(change, significant, rules.large_change),
        evidence=(
            f"{test.method} over {len(series)} months ({months}): S = {test.s}, p = {test.p_value:.3g}; "
            f"Sen's slope {test.slope:+.2f} a month ({yearly:+.0%} a year of the monthly mean {mean:.1f})"
        ),
        reason=f"{figures.title} shows {verdict} over {len(series)} months ({yearly:+.0%} a year).",
    )
