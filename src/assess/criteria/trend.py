"""Trend: is the priority rising?

Only like months are compared, so a seasonal pattern cannot pass for a trend. Where the
data reach back to the same months a year earlier, the period's count is compared with
theirs (exact conditional test, or its quasi-Poisson form where the months vary more than
Poisson counts would). With 12 to 23 months and no year before, the test is of a steady
rise or fall in the area's share of the county's counts, a share the county's seasonal
pattern does not move. With fewer months there is no test. Which p-values count as
significant is decided across the run's trend tests (`Setting.is_significant`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assess import stats
from assess.config import month_list
from assess.criteria.figures import FigureDraws, PriorityFigures
from assess.criteria.result import CriterionScore, RunSetting, change_words, no_data, score_from_change
from assess.disclosure import SMALL_NUMBERS, WITHHELD

CRITERION = "trend"


def score(figures: PriorityFigures, setting: RunSetting) -> CriterionScore:
    """The trend verdict on one priority's figures (see the module's docstring for the method)."""
    plan = TrendPlan.of(figures.period_months, figures.history_months, figures.history_held)
    if plan.pairs is not None:
        return _year_on_year(figures, setting, plan)
    if plan.run < stats.MIN_SHARE_MONTHS:
        return no_data(
            figures.key,
            CRITERION,
            f"Too few months ({plan.run}) to test a trend that seasonality cannot fool: "
            f"that needs the same months a year earlier or {stats.MIN_SHARE_MONTHS} months in a row"
            f"{plan.gap_words()}.",
        )
    return _share_of_county(figures, setting, plan.run)


def draws(fd: FigureDraws, setting: RunSetting) -> tuple[np.ndarray, np.ndarray]:
    """Per Monte Carlo draw, the trend test's p-value and the signed change it scores (NaN: no test).

    The same tests as `score`, on every draw at once; the change is the year-on-year change
    or the share's yearly change, as a fraction.
    """
    plan = TrendPlan.of(fd.period_months, fd.history_months, fd.history_held)
    if plan.pairs is not None:
        test = stats.year_on_year(*plan.matched(fd.history))
        return test.p_value, test.change
    if plan.run < stats.MIN_SHARE_MONTHS:
        empty = np.full(fd.draws, np.nan)
        return empty, empty.copy()
    test = stats.share_trend(fd.history[..., -plan.run :], fd.county_history[..., -plan.run :])
    return test.p_value, test.yearly_change


MIN_PAIRED_SHARE = 0.75
"""Year on year needs at least this share of the period's months with their month a year earlier
in the data; with fewer the comparison would rest on a different part of the year."""


@dataclass(frozen=True)
class TrendPlan:
    """Which test the months allow: year on year over the months held in both years, else the
    share-of-county test over the unbroken run of months ending with the period.

    Attributes
    ----------
    lag
        How far back like months lie (`year_lag`).
    pairs
        Per month of the period, whether it and its month `lag` earlier are both in the data;
        None where year on year is not possible.
    run
        The number of months held in a row up to the period's end.
    missing
        Months inside the history that the data do not hold (a failed or withheld download).
    """

    period_months: tuple[str, ...]
    history_months: tuple[str, ...]
    lag: int
    pairs: np.ndarray | None
    run: int
    missing: tuple[str, ...]

    @classmethod
    def of(cls, period_months, history_months, held: np.ndarray | None) -> TrendPlan:
        months, length = len(period_months), len(history_months)
        held = np.ones(length, dtype=bool) if held is None else np.asarray(held, dtype=bool)
        lag = year_lag(months)
        missing = tuple(m for m, h in zip(history_months, held) if not h)
        breaks = np.flatnonzero(~held)
        run = length - (breaks[-1] + 1 if len(breaks) else 0)
        pairs = None
        if length >= months + lag:
            both = held[length - months :] & held[length - months - lag : length - lag]
            if both.sum() >= math.ceil(MIN_PAIRED_SHARE * months):
                pairs = both
        return cls(tuple(period_months), tuple(history_months), lag, pairs, int(run), missing)

    def matched(self, history: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The period's months and the same months a year earlier (last axis), both held."""
        now, then = matched_months(np.asarray(history), len(self.period_months), self.lag)
        return now[..., self.pairs], then[..., self.pairs]

    @property
    def left_out(self) -> tuple[str, ...]:
        """Months of the period not compared because their month a year earlier is missing."""
        if self.pairs is None:
            return ()
        return tuple(m for m, paired in zip(self.period_months, self.pairs) if not paired)

    def gap_words(self) -> str:
        """'; the data miss 2022-01' where months are missing inside the history, else ''."""
        if not self.missing:
            return ""
        return f"; the data miss {month_list(self.missing)}"

    def compared_words(self, period: str, earlier: str) -> tuple[str, str]:
        """The period and the months it is compared with, in words, naming any month left out.

        ('March 2022 to February 2023 without 2023-01', 'the same months a year earlier (2022-01 is
        missing from the data)') where a month's pair is missing; the words given otherwise.
        """
        if not self.left_out:
            return period, earlier
        missing = [m for m in self.missing if m not in self.period_months]
        verb = "is" if len(missing) == 1 else "are"
        return (
            f"{period} without {month_list(self.left_out)}",
            f"the same months {_years(self.lag)} earlier ({month_list(missing)} {verb} missing from the data)",
        )


def year_lag(period_months: int) -> int:
    """How far back like months lie: a year, or the whole years that cover a longer period."""
    return 12 * max(1, math.ceil(period_months / 12))


def matched_months(history: np.ndarray, months: int, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """The period's months (last axis) and the same months `lag` months earlier."""
    end = history.shape[-1]
    return history[..., end - months :], history[..., end - months - lag : end - lag]


def _year_on_year(figures: PriorityFigures, setting: RunSetting, plan: TrendPlan) -> CriterionScore:
    rules = setting.rules
    months, lag = len(figures.period_months), plan.lag
    test = stats.year_on_year(*plan.matched(figures.history))
    current, previous = int(test.current), int(test.before)
    p_value = float(test.p_value)
    significant = bool(setting.is_significant(CRITERION, p_value))
    result = score_from_change(float(test.change), significant, rules.large_change)
    verdict = "a significant change" if significant else "not a significant change"
    period, earlier = plan.compared_words(setting.period, earlier_words(months, lag))
    rule = figures.rule
    if rule.hides(current) or rule.hides(previous):
        # The ratio, the p-value and the change in words would each give a small count back.
        return CriterionScore(
            figures.key,
            CRITERION,
            result,
            evidence=(
                f"{rule.text(current)} in {period} against {rule.text(previous)} in {earlier}; "
                f"rate ratio and test {WITHHELD} ({SMALL_NUMBERS})"
            ),
            reason=f"{figures.title}: the change {_against(lag)} is {WITHHELD} ({SMALL_NUMBERS}); {verdict}.",
            p_value=p_value,
        )
    comparison = stats.compare_periods(current, previous, level=1 - rules.significance)
    pct = comparison.pct_change
    return CriterionScore(
        figures.key,
        CRITERION,
        result,
        evidence=(
            f"{current:,} in {period} against {previous:,} in {earlier}; "
            f"rate ratio {_ratio(comparison, bool(test.quasi))}, {_test_words(test)} p = {p_value:.3g}"
        ),
        reason=f"{figures.title} {change_words(current, previous, pct)} {_against(lag)}, {verdict}.",
        p_value=p_value,
    )


def earlier_words(months: int, lag: int) -> str:
    """The months a period is compared with: 'the previous 12 months', 'the same months a year earlier'."""
    if months == lag:
        return f"the previous {months} months"
    return f"the same months {_years(lag)} earlier"


def _against(lag: int) -> str:
    return "year on year" if lag == 12 else f"on the same months {_years(lag)} earlier"


def _years(lag: int) -> str:
    return "a year" if lag == 12 else f"{lag // 12} years"


def _ratio(test: stats.PeriodComparison, quasi: bool) -> str:
    if test.ratio is None:
        return "undefined (none before)"
    if quasi:
        # The exact interval would be too narrow for months that vary more than chance.
        return f"{test.ratio:.2f}"
    return f"{test.ratio:.2f} ({test.ratio_lower:.2f} to {test.ratio_upper:.2f})"


def _test_words(test: stats.YearOnYear) -> str:
    if test.quasi:
        return (
            f"the months vary more than chance (dispersion {float(test.phi):.2f}), "
            f"quasi-Poisson test on {int(test.df)} df"
        )
    return "exact test"


def _share_of_county(figures: PriorityFigures, setting: RunSetting, run: int) -> CriterionScore:
    series = np.asarray(figures.history)[-run:]
    test = stats.share_trend(series, np.asarray(figures.county_history)[-run:])
    length = len(series)
    span = f"{length} months ({figures.history_months[-run]} to {figures.history_months[-1]})"
    if not bool(test.tested):
        return no_data(
            figures.key,
            CRITERION,
            f"No trend test over {length} months: the other areas of the county record too little "
            "of it to show the seasonal pattern the area's months must be read against.",
        )
    p_value = float(test.p_value)
    yearly = float(test.yearly_change)
    significant = bool(setting.is_significant(CRITERION, p_value))
    # The direction is the test statistic's: a tiny fitted change is still a rise or a fall.
    change = yearly if yearly != 0 else math.copysign(1e-12, float(test.z))
    result = score_from_change(change, significant, setting.rules.large_change)
    if significant:
        verdict = f"a significant {'rise' if test.z > 0 else 'fall'}"
    else:
        verdict = "no significant trend"
    method = "share-of-county trend test (Cochran-Armitage"
    method += f", dispersion {float(test.phi):.2f})" if test.phi > 1 else ")"
    if figures.rule.hides_any(series):
        # The share, its change and the p-value would give small months back.
        return CriterionScore(
            figures.key,
            CRITERION,
            result,
            evidence=f"{method} over {span}: statistics {WITHHELD} ({SMALL_NUMBERS})",
            reason=f"{figures.title} shows {verdict} in its share of the county's count over {length} months.",
            p_value=p_value,
        )
    return CriterionScore(
        figures.key,
        CRITERION,
        result,
        evidence=(
            f"{method} over {span}: the area's share of the county's count {float(test.share):.1%}, "
            f"changing {_percent(yearly)} of itself a year, p = {p_value:.3g}"
        ),
        reason=(
            f"{figures.title} shows {verdict} in its share of the county's count over {length} months "
            f"({_percent(yearly)} a year)."
        ),
        p_value=p_value,
    )


def _percent(change: float) -> str:
    """A signed whole percentage; a change that rounds to none is +0%, not -0%."""
    rounded = round(change, 2)
    return f"{(rounded if rounded != 0 else 0.0):+.0%}"
