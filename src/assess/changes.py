"""Year on year: a pair of figures (previous, current), their change, and whether it is more than chance.

The priority pages state each police and partner figure's change with `Change`, so the size
of a change and the test behind it are worded one way there. The test suits
the kind of figure:

counts
    The exact conditional test of two Poisson counts (`stats.compare_periods`: the current
    count out of both is binomial, allowing for periods of different length), or, for
    monthly counts paired month by month, the year-on-year test of the trend criterion
    (`stats.year_on_year`, quasi-Poisson where the months vary more than chance), so a page
    and the criterion it sits beside never disagree.
anything else
    Not tested, and said so: a rate or a percentage without its counts (no partner return
    gives them yet), hours of work, money. Their change is stated, never called more or less than chance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from assess import stats
from assess.data.indicators import COUNT_UNIT, PERCENT_UNIT
from assess.errors import InputError

Kind = Literal["count", "rate", "proportion", "other"]

ALPHA = 0.05
"""The level at which a change is called more than chance on the pages."""


@dataclass(frozen=True)
class Change:
    """A figure against its earlier value: the change, its size and its test.

    Attributes
    ----------
    previous, current
        The two figures, in the unit of the figure.
    previous_period, current_period
        Their periods in words ('Oct 2018 to Sep 2019'); blank where the context says it.
    unit
        The figure's unit ('count', 'percent', 'rate per 1,000 residents', 'hours').
    kind
        How the figure was tested: count, rate, proportion, or other (not tested).
    p_value
        The two-sided p-value of the test; None where the figure cannot be tested.
    test
        The test in words ('exact test of two counts'), or why there is none.
    withheld
        True where a figure of the pair is a small count on a sensitive subject: the change,
        its size and its test would each give it back, so none of them is said.
    """

    previous: float
    current: float
    previous_period: str = ""
    current_period: str = ""
    unit: str = "count"
    kind: Kind = "count"
    p_value: float | None = None
    test: str = ""
    withheld: bool = False

    @classmethod
    def of_counts(
        cls,
        previous: int,
        current: int,
        previous_period: str = "",
        current_period: str = "",
        exposure_ratio: float = 1.0,
        dispersion: float = 1.0,
        df: int = 0,
    ) -> Change:
        """Two counts, tested as Poisson rates: exact conditional test.

        `exposure_ratio` is the current period's length (or residents) over the previous
        one's. Where the figure is known to vary more than Poisson counts (`dispersion` > 1,
        estimated on `df` degrees of freedom, equal exposures only), the quasi-Poisson test
        of `stats.two_counts_p_value` is used instead.
        """
        if dispersion > 1:
            if exposure_ratio != 1:
                raise InputError("a dispersion is allowed for only between periods of equal length")
            p_value = float(stats.two_counts_p_value(current, previous, dispersion, df))
            test = f"test allowing for the figure's own variation (dispersion {dispersion:.2f})"
        else:
            p_value = stats.compare_periods(current, previous, exposure_ratio=exposure_ratio).p_value
            test = "exact test of two counts"
            if exposure_ratio != 1:
                test += ", allowing for periods of different length"
        return cls(previous, current, previous_period, current_period, "count", "count", p_value, test)

    @classmethod
    def of_months(
        cls,
        previous: Sequence[int],
        current: Sequence[int],
        previous_period: str = "",
        current_period: str = "",
    ) -> Change:
        """Monthly counts paired month by month (the same months a year earlier): the trend criterion's test."""
        test = stats.year_on_year(list(current), list(previous))
        if test.quasi:
            words = (
                f"year-on-year test allowing for months that vary more than chance (dispersion {float(test.phi):.2f})"
            )
        else:
            words = "exact test of two counts"
        return cls(
            int(test.before),
            int(test.current),
            previous_period,
            current_period,
            "count",
            "count",
            float(test.p_value),
            words,
        )

    @classmethod
    def untested(
        cls,
        previous: float,
        current: float,
        unit: str,
        reason: str,
        previous_period: str = "",
        current_period: str = "",
    ) -> Change:
        """A pair whose change can be stated but not tested, with the reason in words."""
        return cls(previous, current, previous_period, current_period, unit, "other", None, reason)

    def hidden(self) -> Change:
        """The same pair with its change withheld (a small count on a sensitive subject)."""
        return replace(self, withheld=True)

    @property
    def absolute(self) -> float:
        """Current less previous."""
        return self.current - self.previous

    @property
    def percent(self) -> float | None:
        """The change as a percentage of the previous figure; None when that was 0."""
        return percent_change(self.previous, self.current)

    @property
    def significant(self) -> bool | None:
        """Whether the change is more than chance at `ALPHA`; None where untested or withheld."""
        if self.withheld or self.p_value is None:
            return None
        return self.p_value < ALPHA

    def size_words(self) -> str:
        """'down 34%', 'up 3%', 'no change', 'up from none'; a percentage for percentages is in points."""
        if self.current == self.previous:
            return "no change"
        direction = "up" if self.current > self.previous else "down"
        if self.unit == PERCENT_UNIT:
            return f"{direction} {abs(self.absolute):.1f} percentage points"
        if self.percent is None:
            return f"{direction} from none"
        size = abs(self.percent)
        return f"{direction} {size:.0f}%" if size >= 0.5 else f"{direction} less than 1%"

    def chance_words(self) -> str:
        """'more than chance (p < 0.001)', 'could be chance (p = 0.41)', or why it is not tested."""
        if self.p_value is None:
            return f"not tested ({self.test})" if self.test else "not tested"
        said = "more than chance" if self.significant else "could be chance"
        return f"{said} ({p_words(self.p_value)})"

    def words(self, figures: bool = True) -> str:
        """The change in words: 'down 34% (743 to 493), more than chance (p < 0.001)'.

        `figures` adds the pair in brackets (leave it out where they stand beside the words).
        A withheld change says only that it is withheld.
        """
        if self.withheld:
            return "change withheld: small numbers on a sensitive subject"
        pair = f" ({self._figure(self.previous)} to {self._figure(self.current)})" if figures else ""
        return f"{self.size_words()}{pair}, {self.chance_words()}"

    def _figure(self, value: float) -> str:
        return format_value(value, self.unit)


def percent_change(previous: float, current: float) -> float | None:
    """`current` against `previous` as a percentage change; None when `previous` is 0."""
    return None if previous == 0 else 100 * (current - previous) / previous


def p_words(p_value: float) -> str:
    """'p < 0.001' for a tiny p-value, else 'p = 0.03' to two significant figures."""
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2g}"


def format_value(value: float, unit: str) -> str:
    """A figure as its unit is read: counts and whole hours '4,683', percentages '12.3%', rates '0.42'.

    Rates have two decimals, or one from 100 up (a standardised rate per 100,000 such as
    535.0 has no second decimal worth reading).
    """
    if unit == PERCENT_UNIT:
        return f"{value:.1f}%"
    if "rate" in unit:
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.1f}"
    if unit == COUNT_UNIT or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"
