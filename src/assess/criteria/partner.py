"""Trend and comparison from partner indicators, for priorities police data cannot see.

Used only where the police-based criterion has no data, and only for indicators that
`params/priorities.yaml` maps to the criterion. A figure older than the assessment period
is used but always said to be so, with its own period.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from assess import stats
from assess.config import Assessment, Priority
from assess.criteria import comparison
from assess.criteria.result import CriterionScore, change_words, score_from_change
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


def trend(
    priority: Priority, indicators: pd.DataFrame, assessment: Assessment, criterion: str = "trend"
) -> CriterionScore | None:
    """The latest period of the first usable mapped count indicator against the period before it."""
    rules = assessment.rules
    rule = Disclosure.of(assessment).rule(priority)
    for name in priority.indicators_for(criterion):
        rows = indicators[
            (indicators["indicator"] == name)
            & (indicators["area"] == assessment.area)
            & (indicators["unit"] == COUNT_UNIT)
        ].sort_values("period_start")
        pair = _latest_consecutive_pair(rows)
        if pair is None:
            continue
        before, latest = pair
        test = stats.compare_periods(int(latest["value"]), int(before["value"]), level=1 - rules.significance)
        change = test.pct_change / 100 if test.pct_change is not None else (0.0 if latest["value"] == 0 else np.inf)
        now = period_label(latest["period_start"], latest["period_end"])
        then = period_label(before["period_start"], before["period_end"])
        verdict = "a significant change" if test.significant else "not a significant change"
        if rule.hides(latest["value"]) or rule.hides(before["value"]):
            # The p-value and the change in words would each give a small count back.
            figures = (
                f"{rule.text(latest['value'])} in {now} against {rule.text(before['value'])} in {then} "
                f"(exact test {WITHHELD}: {SMALL_NUMBERS})"
            )
            said = f": the change on the period before is {WITHHELD} ({SMALL_NUMBERS}); {verdict}"
        else:
            figures = (
                f"{latest['value']:,.0f} in {now} against {before['value']:,.0f} in {then} "
                f"(exact test p = {test.p_value:.3g})"
            )
            said = f" {change_words(latest['value'], before['value'], test.pct_change)} on the period before, {verdict}"
        return CriterionScore(
            priority.key,
            "trend",
            score_from_change(change, test.significant, rules.large_change),
            evidence=f"{name}: {figures}; source: {latest['source']}",
            reason=f"{name}{said}.{_stale_note(latest['period_end'], assessment)}",
        )
    return None


def _latest_consecutive_pair(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series] | None:
    """The latest period and the one of the same length ending the day before it starts."""
    if len(rows) < 2:
        return None
    latest = rows.iloc[-1]
    length = latest["period_end"] - latest["period_start"]
    wanted_end = latest["period_start"] - pd.Timedelta(days=1)
    for _, row in rows.iloc[:-1].iterrows():
        same_length = abs((row["period_end"] - row["period_start"]) - length).days <= _LENGTH_TOLERANCE_DAYS
        if row["period_end"] == wanted_end and same_length:
            return row, latest
    return None


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
