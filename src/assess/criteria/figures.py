"""The numbers the police-based criteria score, held as arrays so they can be resampled.

A `CountCube` is every in-scope count as one array (area x month x crime type). The
criteria read `PriorityFigures` cut from it, so the deterministic scores and each Monte
Carlo draw (a Poisson resample of the cube) go through exactly the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from assess.config import Assessment, Priority
from assess.disclosure import NOT_SENSITIVE, CountRule, Disclosure


@dataclass(frozen=True)
class PriorityFigures:
    """One priority's police-recorded figures for the assessed area and its comparators.

    Attributes
    ----------
    history_months, history
        The area's monthly counts over every calendar month from the first the data hold to
        the end of the period (at least the period itself): the series the trend test reads.
    history_held
        Per history month, whether the data hold it (None: all of them). A month missing
        from the data (a failed or withheld download) holds 0 in `history` and is never
        compared (see `trend.TrendPlan`).
    county_history
        The same months' counts summed over every comparator (the area included): the
        shared seasonal pattern a trend test on 12 months must allow for.
    current, previous
        The area's total over the period, and over the equal period before it (None when
        the data do not reach back that far).
    area_total
        All recorded crime and ASB in the area over the period.
    harm, area_harm
        Harm of the priority's offences and of all offences in the area over the period
        (counts x weights); `harm` is None when none of its crime types has a weight.
    comparator_counts, populations, area_index
        Period totals and residents of every comparator, and where the area is among them.
    rule
        Disclosure control of the priority's counts (see `assess.disclosure`).
    harm_hidden, area_total_hidden, area_harm_hidden
        Whether the priority's harm, the area's total crime and its total harm must be
        withheld: each would give a hidden count back (harm as weights x counts; the
        area's totals less the priority totals shown beside them).
    """

    key: str
    title: str
    period_months: tuple[str, ...]
    history_months: tuple[str, ...]
    history: np.ndarray
    county_history: np.ndarray
    current: int
    previous: int | None
    area_total: int
    harm: float | None
    area_harm: float
    comparators: tuple[str, ...]
    comparator_counts: np.ndarray
    populations: np.ndarray
    area_index: int
    rule: CountRule = NOT_SENSITIVE
    harm_hidden: bool = False
    area_total_hidden: bool = False
    area_harm_hidden: bool = False
    history_held: np.ndarray | None = None


@dataclass(frozen=True)
class FigureDraws:
    """One priority's police figures in many Monte Carlo draws at once: `PriorityFigures`
    with a leading draws axis on every count, for the criteria's vectorised scorers.

    Disclosure does not apply: draws are never shown, only the ranks they give.
    """

    key: str
    period_months: tuple[str, ...]
    history_months: tuple[str, ...]
    history: np.ndarray  # draws x months
    county_history: np.ndarray  # draws x months
    current: np.ndarray  # draws
    previous: np.ndarray | None  # draws, or None when the data do not reach back a full period
    area_total: np.ndarray  # draws
    harm: np.ndarray | None  # draws, or None when no crime type of the priority has a weight
    area_harm: np.ndarray  # draws
    comparator_counts: np.ndarray  # draws x comparators
    populations: np.ndarray  # comparators
    area_index: int
    history_held: np.ndarray | None = None  # months; None: every month held

    @property
    def draws(self) -> int:
        return len(self.current)


class CountCube:
    """In-scope counts as an array: comparator areas x months x crime types."""

    def __init__(
        self,
        values: np.ndarray,
        areas: tuple[str, ...],
        months: tuple[str, ...],
        crime_types: tuple[str, ...],
        assessment: Assessment,
        populations: np.ndarray,
        harm_weights: dict[str, float],
        held: np.ndarray | None = None,
    ):
        self.values = values
        self.areas = areas
        self.months = months
        self.crime_types = crime_types
        self.assessment = assessment
        self.populations = populations
        self.harm_weights = harm_weights
        self.held = np.ones(len(months), dtype=bool) if held is None else held
        self._area = areas.index(assessment.area)
        self._period_months = tuple(assessment.months)
        period = set(self._period_months)
        self._in_period = np.array([m in period for m in months])
        first = pd.Period(assessment.period_start, freq="M")
        previous = {str(first - i) for i in range(1, len(period) + 1)}
        self._in_previous = np.array([m in previous for m in months])
        self._has_previous = (self._in_previous & self.held).sum() == len(period)
        self._weights = np.array([harm_weights.get(t, np.nan) for t in crime_types])
        self.disclosure = Disclosure.of(assessment)

    @classmethod
    def build(
        cls, counts: pd.DataFrame, assessment: Assessment, population: pd.Series, harm_weights: pd.DataFrame
    ) -> CountCube:
        """From the tidy counts: the comparators, every month from the first held to the period's end."""
        areas = tuple(assessment.comparators)
        held_months = set(counts.loc[counts["area"].isin(areas), "month"])
        months = tuple(_history_months(held_months, assessment))
        crime_types = tuple(sorted(counts["crime_type"].unique()))
        scoped = counts[counts["area"].isin(areas) & counts["month"].isin(months)]
        cube = (
            scoped.groupby(["area", "month", "crime_type"])["count"]
            .sum()
            .reindex(pd.MultiIndex.from_product([areas, months, crime_types]), fill_value=0)
            .to_numpy(dtype=np.int64)
            .reshape(len(areas), len(months), len(crime_types))
        )
        weights = dict(zip(harm_weights["crime_type"], harm_weights["weight"].astype(float)))
        return cls(
            cube,
            areas,
            months,
            crime_types,
            assessment,
            population.reindex(list(areas)).to_numpy(dtype=float),
            weights,
            np.array([m in held_months for m in months]),
        )

    def with_values(self, values: np.ndarray) -> CountCube:
        """The same cube holding other counts of the same shape (one Monte Carlo draw)."""
        return CountCube(
            values,
            self.areas,
            self.months,
            self.crime_types,
            self.assessment,
            self.populations,
            self.harm_weights,
            self.held,
        )

    @cached_property
    def dispersion(self) -> np.ndarray:
        """Each crime type's quasi-Poisson dispersion phi (>= 1) of its monthly counts.

        Per crime type, the comparators' counts form an areas x months table; under the
        model that every area shares the county's seasonal pattern (independence of area
        and month), a Poisson table has Pearson's X^2 near its (areas - 1)(months - 1)
        degrees of freedom, and phi = X^2 / df (McCullagh and Nelder 1989, section 4.5).
        Monthly crime counts vary more than Poisson (repeat victims, sprees, reporting
        drives), so draws with phi > 1 are wider. Shared seasonality does not inflate phi;
        an area's own trend does, which errs towards more uncertainty, not less.
        """
        phi = np.ones(len(self.crime_types))
        for t in range(len(self.crime_types)):
            table = self.values[:, :, t].astype(float)
            # An area or month with none of the type has no cell that varies: it adds no df.
            table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
            df = (table.shape[0] - 1) * (table.shape[1] - 1)
            if df <= 0:
                continue
            expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
            x2 = (((table - expected) ** 2) / expected).sum()
            phi[t] = max(1.0, x2 / df)
        return phi

    def draw_stack(self, rng: np.random.Generator, draws: int) -> np.ndarray:
        """`draws` resamples of every count: draws x areas x months x crime types.

        Each count is drawn from a negative binomial with the observed count as its mean and
        variance phi x mean (phi: its crime type's `dispersion`), as a Poisson whose mean is
        gamma distributed; with phi = 1 it is the Poisson.
        """
        extra = np.broadcast_to(self.dispersion - 1, self.values.shape)
        means = np.broadcast_to(self.values.astype(float), (draws, *self.values.shape))
        spread = extra > 0
        shape = np.where(spread, self.values / np.where(spread, extra, 1.0), 0.0)
        gamma = rng.gamma(np.where(spread, shape, 1.0), np.where(spread, extra, 1.0), size=means.shape)
        return rng.poisson(np.where(spread & (self.values > 0), gamma, means))

    def figure_draws(self, priority: Priority, stack: np.ndarray) -> FigureDraws:
        """The priority's figures in every draw of `stack` (draws x areas x months x crime types)."""
        types = np.isin(np.array(self.crime_types), priority.crime_types)
        mine = stack[..., types].sum(axis=-1)  # draws x areas x months
        series = mine[:, self._area]
        area_period = stack[:, self._area][:, self._in_period]  # draws x months x types
        weights = np.nan_to_num(self._weights)
        has_weight = any(t in self.harm_weights for t in priority.crime_types)
        harm_types = types & ~np.isnan(self._weights)
        return FigureDraws(
            key=priority.key,
            period_months=self._period_months,
            history_months=self.months,
            history=series,
            county_history=mine.sum(axis=1),
            current=series[:, self._in_period].sum(axis=1),
            previous=series[:, self._in_previous].sum(axis=1) if self._has_previous else None,
            area_total=area_period.sum(axis=(1, 2)),
            harm=(area_period[..., harm_types] * weights[harm_types]).sum(axis=(1, 2)) if has_weight else None,
            area_harm=(area_period * weights).sum(axis=(1, 2)),
            comparator_counts=mine[:, :, self._in_period].sum(axis=2),
            populations=self.populations,
            area_index=self._area,
            history_held=self.held,
        )

    def figures(self, priority: Priority) -> PriorityFigures:
        types = np.isin(np.array(self.crime_types), priority.crime_types)
        area = self.values[self._area]
        series = area[:, types].sum(axis=1)
        period_area = area[self._in_period]
        weighted = ~np.isnan(self._weights)
        harm_types = types & weighted
        weights = np.nan_to_num(self._weights)
        # Judged by the priority's own list: a weighted type with no records has harm 0, not none.
        has_weight = any(t in self.harm_weights for t in priority.crime_types)
        area_total_hidden, area_harm_hidden, harm_hidden = self._withheld
        return PriorityFigures(
            key=priority.key,
            title=priority.title,
            period_months=self._period_months,
            history_months=self.months,
            history=series,
            county_history=self.values[:, :, types].sum(axis=(0, 2)),
            current=int(series[self._in_period].sum()),
            previous=int(series[self._in_previous].sum()) if self._has_previous else None,
            area_total=int(period_area.sum()),
            harm=float((period_area[:, harm_types] * weights[harm_types]).sum()) if has_weight else None,
            area_harm=float((period_area * weights).sum()),
            comparators=self.areas,
            comparator_counts=self.values[:, self._in_period][:, :, types].sum(axis=(1, 2)),
            populations=self.populations,
            area_index=self._area,
            rule=self.disclosure.rule(priority),
            harm_hidden=priority.key in harm_hidden,
            area_total_hidden=area_total_hidden,
            area_harm_hidden=area_harm_hidden,
            history_held=self.held,
        )

    @cached_property
    def _withheld(self) -> tuple[bool, bool, frozenset[str]]:
        """Whether the area's total crime and total harm are withheld, and whose harm is.

        A priority's total is shown unless it is small; its harm unless any of its counts
        is (distinct weights let a count be solved for from a weighted sum). What the shown
        totals leave of the area's total is the crime types no shown total covers: the
        area's total is withheld if that remainder would give a small count back, its harm
        if the remainder of the harm covers a small count at all.
        """
        by_type = self.values[self._area][self._in_period].sum(axis=0)
        types = np.array(self.crime_types)
        weighted = ~np.isnan(self._weights)
        counted = np.zeros(len(types), dtype=bool)
        harmed = np.zeros(len(types), dtype=bool)
        harm_hidden = set()
        for priority in self.assessment.priorities:
            mine = np.isin(types, priority.crime_types)
            if not mine.any():
                continue
            rule = self.disclosure.rule(priority)
            if not rule.hides(by_type[mine].sum()):
                counted |= mine
            if rule.hides_any(by_type[mine & weighted]):
                harm_hidden.add(priority.key)
            else:
                harmed |= mine & weighted
        rest, rest_harm = ~counted & (by_type > 0), weighted & ~harmed
        # The remainder's parts are small hidden totals and counts never shown: only the small ones matter.
        rule = self.disclosure.rule_for_types(types[rest])
        total_hidden = rule.hides_any(by_type[rest]) and rule.exposes(by_type[rest])
        harm_rule = self.disclosure.rule_for_types(types[rest_harm])
        return total_hidden, harm_rule.hides_any(by_type[rest_harm]), frozenset(harm_hidden)


def _history_months(held: set[str], assessment: Assessment) -> list[str]:
    """Every calendar month from the first the data hold to the period's end, gaps included."""
    first = min(held | {assessment.period_start})
    return [str(p) for p in pd.period_range(first, assessment.period_end, freq="M")]
