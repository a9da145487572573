"""Disclosure control: no small count on a sensitive subject can be read from what a run publishes.

One policy, `Disclosure` (the parameters' `disclosure:`), and its rule for one subject's
counts, `CountRule`, decide for every consumer (the priority pages, the criteria and so
criteria.csv, the scoring page and the workbook, the success measures, the monitoring page,
the partner figures) whether a count may be shown and how it is worded.

Primary suppression
    On a sensitive subject (a priority listed as sensitive or drawing on a sensitive crime
    type, and the partner figures of such a priority), a count from 1 to threshold - 1 is
    shown as "fewer than <threshold>". Zero is shown: it identifies no one. Partner units
    are normalised when the returns are read (`Count`, `number` are counts), so no spelling
    escapes.
Derived figures
    Anything computed from a hidden count could be solved for it, so it is not shown either:
    shares, rates and their intervals, rate ratios, percentage changes and the words of a
    change ("rose", "held steady"), p-values, means and slopes, the county rate and the
    overdispersion factor (computed from every area's count), and harm. Harm (counts x
    published weights) is withheld whenever it covers a hidden count, even inside a sum:
    distinct weights let the counts be solved for.
Secondary suppression
    A total shown over hidden counts gives back what its shown parts leave. That is safe
    only when at least two parts are hidden and one of them is not small: a lone hidden part
    is the total less the shown ones, and small parts alone are pinned by their bounds (two
    summing to 2 are both 1). In a table the smallest other part above the threshold is
    withheld too (shown as "withheld", not "fewer than": it is not small); a total over
    parts shown elsewhere (a quarter over months, the county over its areas, the area's
    crime over the priorities, a county row over its districts) is withheld itself.
Scores
    Criterion scores (1-5) stay. The ranking needs them, and withholding one would not hide
    it: the composite score and the other criteria's scores give it back. A score only
    places a figure in a band: volume and harm bands are shares of all the area's crime or
    harm, which span many counts in any district; trend and comparison scores say whether a
    change or a rate is significant, which a count below the threshold seldom is. A score
    can narrow a hidden count only where a band's edge falls between 1 and threshold - 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assess.changes import format_value
from assess.config import Assessment, DisclosureModel, Priority
from assess.data.indicators import COUNT_UNIT

WITHHELD = "withheld"
SMALL_NUMBERS = "small numbers on a sensitive subject"


def exposed(hidden: Iterable[float], threshold: int) -> bool:
    """Whether a shown total would give back one of these hidden (suppressed) parts.

    Zeros are left out: a hidden zero protects nothing.
    """
    parts = [float(p) for p in hidden if p > 0]
    if not parts:
        return False
    return len(parts) == 1 or all(p < threshold for p in parts)


def suppress_grid(values, threshold: int, row_totals: bool, column_totals: bool) -> np.ndarray:
    """Cells of a table of counts (all on a sensitive subject) to hide.

    The small cells, then, until stable: in any row (column) whose total is shown and whose
    hidden cells are `exposed`, the smallest other cell above the threshold is hidden too
    (the smallest other non-zero cell when none is above it). A small total is shown as
    "fewer than": when threshold - 1 hidden cells lie under it, each at least 1, they are
    all 1, so a zero beside them is hidden too (it is fewer than the threshold as well).
    """
    grid = np.asarray(values, dtype=float)
    hidden = (grid > 0) & (grid < threshold)
    changed = True
    while changed:
        changed = False
        for axis, shown in ((1, row_totals), (0, column_totals)):
            if not shown:
                continue
            # Views: marking a line marks the grid.
            lines, cells = (hidden, grid) if axis == 1 else (hidden.T, grid.T)
            for i in range(lines.shape[0]):
                if 0 < cells[i].sum() < threshold:
                    pinned = (lines[i] & (cells[i] > 0)).sum() == threshold - 1
                    if not pinned or (lines[i] & (cells[i] == 0)).any():
                        continue
                    pick = np.where(~lines[i], 0.0, np.inf)
                elif exposed(cells[i][lines[i]], threshold):
                    others = np.where(~lines[i] & (cells[i] > 0), cells[i], np.inf)
                    above = np.where(others > threshold, others, np.inf)
                    pick = above if np.isfinite(above).any() else others
                else:
                    continue
                if np.isfinite(pick).any():
                    lines[i, int(np.argmin(pick))] = True
                    changed = True
    return hidden


@dataclass(frozen=True)
class CountRule:
    """Disclosure control of one subject's counts: what may be shown, and how it is worded."""

    threshold: int
    sensitive: bool

    @property
    def small(self) -> str:
        """The words a hidden small count is shown as."""
        return f"fewer than {self.threshold}"

    def hides(self, count: float) -> bool:
        """True for a count that must not be shown: small (1 to threshold - 1) on a sensitive subject."""
        return self.sensitive and 0 < count < self.threshold

    def hides_any(self, counts: Iterable[float]) -> bool:
        """True when any of these counts is hidden, and so any figure computed from all of them."""
        return any(self.hides(c) for c in counts)

    def text(self, count: float) -> str:
        """A count as it may be shown."""
        return self.small if self.hides(count) else f"{count:,.0f}"

    def exposes(self, hidden: Iterable[float]) -> bool:
        """Whether a total shown over these suppressed parts would give one of them back."""
        return self.sensitive and exposed(hidden, self.threshold)

    def grid(self, values, row_totals: bool, column_totals: bool) -> np.ndarray:
        """Which cells of a table of counts to hide, with secondary suppression along shown totals."""
        if not self.sensitive:
            return np.zeros(np.shape(values), dtype=bool)
        return suppress_grid(values, self.threshold, row_totals, column_totals)

    def words(self, count: float) -> str:
        """How a hidden cell is shown: below the threshold as "fewer than", any other as withheld."""
        return self.small if count < self.threshold else WITHHELD

    def table(self, counts: pd.DataFrame | pd.Series, hidden) -> pd.DataFrame | pd.Series:
        """Counts (a table or a column) as they may be shown, the hidden ones in words."""
        return counts.astype(object).mask(np.asarray(hidden, dtype=bool), counts.map(self.words))


NOT_SENSITIVE = CountRule(threshold=DisclosureModel().threshold, sensitive=False)
"""A rule that hides nothing: counts that are not on a sensitive subject."""


@dataclass(frozen=True)
class Disclosure:
    """A run's disclosure policy: the threshold, and which priorities and crime types are sensitive."""

    threshold: int
    sensitive_keys: frozenset[str]
    sensitive_types: frozenset[str]

    @classmethod
    def of(cls, assessment: Assessment) -> Disclosure:
        rules = assessment.disclosure
        listed = {p.key for p in assessment.priorities if p.sensitive}
        keys = {
            p.key
            for p in assessment.priorities
            if p.key in listed or any(t in rules.sensitive_crime_types for t in p.crime_types)
        }
        # A priority listed as sensitive makes its crime types sensitive wherever they are counted.
        types = set(rules.sensitive_crime_types) | {
            t for p in assessment.priorities if p.key in listed for t in p.crime_types
        }
        return cls(rules.threshold, frozenset(keys), frozenset(types))

    def is_sensitive(self, priority: Priority | str) -> bool:
        key = priority if isinstance(priority, str) else priority.key
        return key in self.sensitive_keys

    def rule(self, priority: Priority | str) -> CountRule:
        """The rule for a priority's counts (police or partner)."""
        return CountRule(self.threshold, self.is_sensitive(priority))

    def words(self, count: float) -> str:
        """How a hidden figure is shown (see `CountRule.words`)."""
        return CountRule(self.threshold, True).words(count)

    def rule_for_types(self, crime_types: Iterable[str]) -> CountRule:
        """The rule for a count over crime types: sensitive if any of them is."""
        return CountRule(self.threshold, any(t in self.sensitive_types for t in crime_types))

    def hidden_indicators(self, indicators: pd.DataFrame, comparators: Sequence[str]) -> pd.Series:
        """Which partner figures must not be shown (True), aligned with the table's rows.

        A small count of a sensitive priority, and a figure for an area outside the
        comparators (a county, a police division) that would give one back as the total of
        the comparators' figures for the same indicator and period.
        """
        hidden = pd.Series(False, index=indicators.index)
        counts = indicators[indicators["unit"] == COUNT_UNIT]
        # A priority's rule hides a count only where the priority is sensitive (`rule`, `CountRule.hides`).
        sensitive = counts["priority"].isin(self.sensitive_keys)
        small = sensitive & (counts["value"] > 0) & (counts["value"] < self.threshold)
        hidden[small.index[small]] = True
        inside = counts["area"].isin(comparators)
        # Only a figure outside the comparators, of a sensitive priority, can give a hidden one back;
        # every such figure's rule is the same, and it is exposed by the hidden figures of its group.
        outside = counts[~inside & sensitive]
        if outside.empty:
            return hidden
        group = ["indicator", "period_start", "period_end"]
        parts = counts[inside & small]
        parts = parts[pd.MultiIndex.from_frame(parts[group]).isin(pd.MultiIndex.from_frame(outside[group]))]
        rule = CountRule(self.threshold, True)
        exposing = parts.groupby(group)["value"].agg(rule.exposes).astype(bool)
        given_back = pd.MultiIndex.from_frame(outside[group]).isin(exposing.index[exposing])
        hidden[outside.index[given_back]] = True
        return hidden

    def indicator_values(self, indicators: pd.DataFrame, comparators: Sequence[str]) -> pd.Series:
        """Partner figures as they may be shown: as their unit is read (`format_value`), hidden ones in words."""
        hidden = self.hidden_indicators(indicators, comparators)
        return pd.Series(
            [
                self.words(v) if h else format_value(v, unit)
                for v, unit, h in zip(indicators["value"], indicators["unit"], hidden)
            ],
            index=indicators.index,
            dtype=object,
        )
