"""Trend and comparison from partner indicators, for priorities police data cannot see.

Used only where the police-based criterion has no data, and only for indicators that
`params/priorities.yaml` maps to the criterion. A figure older than the assessment period
is used but always said to be so, with its own period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from assess import stats
from assess.config import Assessment, Priority
from assess.criteria import comparison
from assess.criteria.result import CriterionScore, RunSetting, change_words, score_from_change, scores_from_change
from assess.data.indicators import CONFIDENCE_COLUMNS, COUNT_UNIT
from assess.data.population import population_estimate
from assess.disclosure import SMALL_NUMBERS, WITHHELD, Disclosure

# Two periods are "the same length" if they differ by no more than this (months vary).
_LENGTH_TOLERANCE_DAYS = 3


def period_label(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """'Oct 2019 to Sep 2020' (or one month alone)."""
    first, last = start.strftime("%b %Y"), end.strftime("%b %Y")
    return first if first == last else f"{first} to {last}"


def is_stale(end: pd.Timestamp, assessment: Assessment) -> bool:
    """True when a figure ends before the assessment period starts."""
    return end < pd.Timestamp(f"{assessment.period_start}-01")


def _stale_note(end: pd.Timestamp, assessment: Assessment) -> str:
    return " These figures are older than the assessment period." if is_stale(end, assessment) else ""


def trend(priority: Priority, setting: RunSetting, criterion: str = "trend") -> CriterionScore | None:
    """The latest period of the first usable mapped count indicator against like.

    Like is the same period a year earlier where the data hold it (a seasonal pattern then
    cancels); otherwise the period just before, and the reason says so. The test allows for
    the indicator's own dispersion (see `dispersion`); which p-values count as significant
    is decided across the run's trend tests.
    """
    assessment = setting.assessment
    indicators = setting.indicators
    rule = Disclosure.of(assessment).rule(priority)
    for name in priority.indicators_for(criterion):
        rows = indicators[
            (indicators["indicator"] == name)
            & (indicators["area"] == assessment.area)
            & (indicators["unit"] == COUNT_UNIT)
        ].sort_values("period_start")
        pair = comparable_pair(rows)
        if pair is None:
            continue
        before, latest = pair
        year_on_year = is_year_earlier(before, latest)
        phi, df, periods = dispersion(rows, latest)
        now_value, then_value = int(latest["value"]), int(before["value"])
        p_value = float(stats.two_counts_p_value(now_value, then_value, phi, df))
        significant = bool(setting.is_significant(criterion, p_value))
        change = float(stats.relative_change(now_value, then_value))
        now = period_label(latest["period_start"], latest["period_end"])
        then = period_label(before["period_start"], before["period_end"])
        verdict = "a significant change" if significant else "not a significant change"
        against = "on the same period a year earlier" if year_on_year else "on the period before"
        caveat = "" if year_on_year else _NOT_LIKE_FOR_LIKE
        if rule.hides(latest["value"]) or rule.hides(before["value"]):
            # The p-value and the change in words would each give a small count back.
            figures = (
                f"{rule.text(latest['value'])} in {now} against {rule.text(before['value'])} in {then} "
                f"(test {WITHHELD}: {SMALL_NUMBERS})"
            )
            said = f": the change {against} is {WITHHELD} ({SMALL_NUMBERS}); {verdict}"
        else:
            figures = (
                f"{latest['value']:,.0f} in {now} against {before['value']:,.0f} in {then} "
                f"({_test_words(phi, df, periods)} p = {p_value:.3g})"
            )
            pct = None if then_value == 0 else change * 100
            said = f" {change_words(now_value, then_value, pct)} {against}, {verdict}"
        return CriterionScore(
            priority.key,
            "trend",
            score_from_change(change, significant, setting.rules.large_change),
            evidence=f"{name}: {figures}; source: {latest['source']}",
            reason=f"{name}{said}.{caveat}{_stale_note(latest['period_end'], assessment)}",
            p_value=p_value,
            spread=_spread(now_value, then_value, phi, df, setting, criterion),
            stale_period=now if is_stale(latest["period_end"], assessment) else "",
        )
    return None


_NOT_LIKE_FOR_LIKE = (
    " The data hold no figure for the same period a year earlier, so a seasonal pattern may show as change."
)


def comparable_pair(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series] | None:
    """An indicator's latest period and the one it is compared with (rows of one indicator and area, in
    period order): the same period a year earlier where the data hold it, else the period of the same
    length just before; None where there is neither."""
    return _year_earlier_pair(rows) or _latest_consecutive_pair(rows)


def _year_earlier_pair(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series] | None:
    """The latest period and the period of the same length a year before it, if the data hold it."""
    if len(rows) < 2:
        return None
    latest = rows.iloc[-1]
    for _, row in rows.iloc[:-1].iterrows():
        if is_year_earlier(row, latest):
            return row, latest
    return None


def is_year_earlier(before: pd.Series, latest: pd.Series) -> bool:
    year_back = latest["period_start"] - pd.DateOffset(years=1)
    return before["period_start"] == year_back and same_length(before, latest)


def same_length(row: pd.Series, other: pd.Series) -> bool:
    length = other["period_end"] - other["period_start"]
    return abs((row["period_end"] - row["period_start"]) - length).days <= _LENGTH_TOLERANCE_DAYS


def _latest_consecutive_pair(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series] | None:
    """The latest period and the one of the same length ending the day before it starts."""
    if len(rows) < 2:
        return None
    latest = rows.iloc[-1]
    wanted_end = latest["period_start"] - pd.Timedelta(days=1)
    for _, row in rows.iloc[:-1].iterrows():
        if row["period_end"] == wanted_end and same_length(row, latest):
            return row, latest
    return None


def dispersion(rows: pd.DataFrame, latest: pd.Series) -> tuple[float, int, int]:
    """The quasi-Poisson dispersion phi of the indicator's earlier periods, its df, and how many there are.

    phi is Pearson's X2 of the periods of the latest one's length that end before it starts,
    about their mean, over its degrees of freedom (periods less 1), floored at 1 (McCullagh &
    Nelder 1989, 4.5.2). The latest period is left out: it is the one being tested, and
    would otherwise widen its own yardstick. A trend or seasonal pattern among the earlier
    periods also counts as dispersion, which errs towards "no significant change". With
    fewer than two earlier periods phi cannot be estimated and is taken as 1 (Poisson).
    """
    earlier = rows[(rows["period_end"] < latest["period_start"]) & rows.apply(same_length, axis=1, other=latest)]
    values = earlier["value"].to_numpy(dtype=float)
    periods = len(values)
    if periods < 2 or values.mean() <= 0:
        return 1.0, 0, periods
    x2 = float(((values - values.mean()) ** 2).sum() / values.mean())
    return max(1.0, x2 / (periods - 1)), periods - 1, periods


def _test_words(phi: float, df: int, periods: int) -> str:
    if phi > 1:
        return f"quasi-Poisson test, dispersion {phi:.2f} from {periods} earlier periods ({df} df),"
    if df == 0:
        return "exact test (too few earlier periods to estimate their dispersion),"
    return f"exact test ({periods} earlier periods vary no more than chance),"


def _spread(
    now: int, then: int, phi: float, df: int, setting: RunSetting, criterion: str
) -> Callable[[np.random.Generator, int], np.ndarray]:
    """Draws of the verdict's score: both counts drawn with the indicator's dispersion, the test re-run.

    Each count is negative binomial with its observed value as mean and variance phi x mean
    (Poisson where phi is 1); phi and its df are held at their estimates.
    """
    large = setting.rules.large_change

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        latest, before = _counts(rng, now, phi, n), _counts(rng, then, phi, n)
        p_value = stats.two_counts_p_value(latest, before, phi, df)
        change = stats.relative_change(latest, before)
        return scores_from_change(change, setting.is_significant(criterion, p_value), large)

    return draw


def _counts(rng: np.random.Generator, mean: float, phi: float, n: int) -> np.ndarray:
    """n counts with this mean and variance phi x mean: negative binomial with size mean / (phi - 1)."""
    if mean <= 0:
        return np.zeros(n)
    if phi <= 1:
        return rng.poisson(mean, n).astype(float)
    return rng.negative_binomial(mean / (phi - 1), 1 / phi, n).astype(float)


def comparison_score(
    priority: Priority,
    indicators: pd.DataFrame,
    assessment: Assessment,
    population: pd.Series,
    criterion: str = "comparison",
) -> CriterionScore | None:
    """The area against its comparators on the first usable mapped indicator's latest common period.

    Counts become rates per 1,000 residents on a funnel plot; published rates (no counts)
    are compared by their confidence intervals where the return gives them (columns `lower`
    and `upper`), else against the spread of the other areas. The verdict carries a sampler
    of how its score varies by chance, for the rank simulation.
    """
    comparators = list(assessment.comparators)
    for name in priority.indicators_for(criterion):
        rows = indicators[(indicators["indicator"] == name) & indicators["area"].isin(comparators)]
        for (_, end), period_rows in sorted(rows.groupby(["period_start", "period_end"]), reverse=True):
            values = period_rows.set_index("area")["value"]
            if assessment.area not in values.index or len(values) < 3:
                continue
            areas = sorted(values.index)
            verdict = _compared(priority, period_rows.set_index("area").loc[areas], areas, assessment, population)
            note = _stale_note(end, assessment)
            return replace(
                verdict,
                evidence=f"{verdict.evidence}; source: {period_rows['source'].iloc[0]}",
                reason=verdict.reason + note,
                stale_period=period_label(period_rows["period_start"].iloc[0], end) if note else "",
            )
    return None


def _compared(
    priority: Priority, rows: pd.DataFrame, areas: list[str], assessment: Assessment, population: pd.Series
) -> CriterionScore:
    """One indicator period's comparison (rows indexed by area, in `areas` order), with its spread."""
    index = areas.index(assessment.area)
    start, end = rows["period_start"].iloc[0], rows["period_end"].iloc[0]
    period = period_label(start, end)
    unit = rows["unit"].iloc[0]
    what = f"{rows['indicator'].iloc[0]}: "
    values = rows["value"].to_numpy(dtype=float)
    if unit == COUNT_UNIT:
        residents = population[areas].to_numpy(dtype=float)
        verdict = comparison.score_counts(
            priority.key,
            values,
            residents,
            index,
            assessment.rules,
            period,
            Disclosure.of(assessment).rule(priority),
            what,
            residents=population_estimate(population),
        )
        spread = comparison.count_spread(values, residents, index, assessment.rules)
    else:
        lower, upper = (rows[c].to_numpy(dtype=float) if c in rows else None for c in CONFIDENCE_COLUMNS)
        verdict = comparison.score_rates(priority.key, values, index, unit, period, what, lower, upper)
        spread = comparison.rate_spread(values, lower, upper, index)
    return replace(verdict, spread=spread) if verdict.has_data else verdict
