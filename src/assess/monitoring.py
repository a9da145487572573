"""Quarterly monitoring: the latest quarter against the one before, the same quarter a year
earlier (where the data reach back) and the assessment's baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assess import stats
from assess.config import month_range
from assess.data.tables import is_month
from assess.errors import ConfigError
from assess.evidence import Evidence, PriorityEvidence
from assess.measures import MeasureModel, MeasureResult, evaluate

# The quarters this quarter is compared with, by their column names.
COMPARED = ("previous", "year_before")


@dataclass(frozen=True)
class Quarter:
    """Three months ending at `end` (YYYY-MM)."""

    end: str

    @property
    def months(self) -> list[str]:
        last = pd.Period(self.end, freq="M")
        return month_range(str(last - 2), self.end)

    def shifted(self, quarters: int) -> Quarter:
        return Quarter(str(pd.Period(self.end, freq="M") - 3 * quarters))

    @property
    def label(self) -> str:
        first, last = pd.Period(self.months[0], freq="M"), pd.Period(self.end, freq="M")
        return f"{first.strftime('%b' if first.year == last.year else '%b %Y')} to {last.strftime('%b %Y')}"

    @property
    def end_date(self) -> pd.Timestamp:
        return pd.Period(self.end, freq="M").end_time.normalize()


def check_quarter_end(text: str, evidence: Evidence) -> Quarter:
    """The quarter ending in a month the data cover (default: the assessment period's end)."""
    end = text or evidence.assessment.period_end
    if not is_month(end):
        raise ConfigError(f"--quarter-end: must be a month written YYYY-MM, not {end!r}")
    quarter = Quarter(end)
    missing = evidence.missing_months(quarter.months)
    if missing:
        have = sorted(evidence.months_held)
        where = "--quarter-end" if text else f"the quarter ending with the assessment period ({quarter.label})"
        raise ConfigError(
            f"{where}: the data have no counts for {', '.join(missing)} (they cover {have[0]} to {have[-1]}); "
            "give --quarter-end YYYY-MM, the last month of a quarter the data hold"
        )
    return quarter


def quarter_to_monitor(text: str, evidence: Evidence) -> tuple[Quarter | None, str]:
    """The quarter the annual run monitors, or None with the reason when the data do not allow one.

    A quarter the user named must be in the data (`check_quarter_end`); the default, the
    period's last three months, is skipped, not refused, when the period is shorter than a
    quarter: the assessment does not depend on it.
    """
    if text:
        return check_quarter_end(text, evidence), ""
    quarter = Quarter(evidence.assessment.period_end)
    missing = evidence.missing_months(quarter.months)
    if not missing:
        return quarter, ""
    return None, (
        f"Quarterly monitoring is not included: the data hold no counts for {', '.join(missing)}, "
        f"so the quarter {quarter.label} cannot be monitored. Run it for a quarter the data hold with "
        "assess run --monitoring --quarter-end YYYY-MM."
    )


class Monitoring:
    """The monitoring figures for one quarter."""

    def __init__(self, evidence: Evidence, quarter: Quarter, measures: Sequence[MeasureModel] = ()):
        self.evidence = evidence
        self.success_measures = tuple(measures)
        self.assessment = evidence.assessment
        self.quarter = quarter
        self.previous = quarter.shifted(1)
        self.year_before = quarter.shifted(4)
        self._months = evidence.months_held

    def _covered(self, quarter: Quarter) -> bool:
        return set(quarter.months) <= self._months

    def priority_counts(self) -> pd.DataFrame:
        """Per priority with police data: this quarter, the comparisons, and whether changes are significant.

        `*_hidden` says which figures must not be shown (see `assess.disclosure`): a small
        quarter, a quarter that would give back a month hidden on the priority's page (it is
        their total), and the baseline of a small period total (it is that total over 4).
        """
        baseline_months = self.assessment.months
        rows = []
        for priority in self.assessment.priorities:
            if not priority.has_police_data or priority.is_candidate:
                continue
            pe = self.evidence.for_priority(priority)
            now = pe.total(self.quarter.months)
            row = {
                "priority": priority.key,
                "title": priority.title,
                "quarter": now,
                "quarter_hidden": self._hidden(pe, self.quarter, now),
            }
            for name, other in zip(COMPARED, (self.previous, self.year_before)):
                if self._covered(other):
                    before = pe.total(other.months)
                    test = stats.compare_periods(now, before)
                    row[name] = before
                    row[f"{name}_p"] = test.p_value
                    row[f"{name}_hidden"] = self._hidden(pe, other, before)
                else:
                    row[name] = None
                    row[f"{name}_p"] = None
                    row[f"{name}_hidden"] = False
            # The baseline is the assessment period's quarterly average (its total per three months).
            total = pe.total(baseline_months)
            row["baseline"] = total * 3 / len(baseline_months)
            row["baseline_hidden"] = pe.rule.hides(total)
            rows.append(row)
        return self._with_significance(pd.DataFrame(rows))

    def _with_significance(self, table: pd.DataFrame) -> pd.DataFrame:
        """Which changes are significant: the page's tests as one family, false discovery rate at the rules' level.

        Every change the page shows (each priority against the previous quarter and the same
        quarter a year earlier) is one test; Benjamini-Hochberg (1995) at the assessment's
        significance level keeps the expected share of false alarms among those flagged at
        that level, however many tests the page holds.
        """
        columns = [f"{name}_p" for name in COMPARED if f"{name}_p" in table]
        p_values = table[columns].to_numpy(dtype=float) if columns else np.empty((len(table), 0))
        cutoff = float(stats.bh_cutoff(p_values.ravel(), self.assessment.rules.significance)) if p_values.size else 0
        for name in COMPARED:
            column = table.get(f"{name}_p")
            table[f"{name}_significant"] = (
                column.astype(float).le(cutoff) if column is not None else pd.Series(False, index=table.index)
            )
        return table

    @property
    def significance_note(self) -> str:
        """How the page decides which changes are significant, said plainly."""
        level = self.assessment.rules.significance
        return (
            "Each change is tested with the exact test for two counts; which count as significant is decided "
            f"across all the changes on this page, keeping the expected share of false alarms among them to at most "
            f"{level:.0%} (Benjamini-Hochberg false discovery rate control)."
        )

    @staticmethod
    def _hidden(pe: PriorityEvidence, quarter: Quarter, count: int) -> bool:
        """Whether a quarter's count must not be shown: small, or the total of months hidden on the page."""
        hidden = pe.monthly_hidden()
        column = hidden.columns[-1]  # All, or the only crime type
        months = [m for m in quarter.months if m in hidden.index and hidden.at[m, column]]
        monthly = pe.monthly()
        return pe.rule.hides(count) or pe.rule.exposes(monthly.loc[months].sum(axis=1))

    def measures(self) -> list[tuple[MeasureResult, MeasureResult | None, MeasureResult | None]]:
        """Each success measure this quarter, the quarter before and the same quarter a year earlier."""
        results = []
        tables = self.evidence.tables
        for measure in self.success_measures:

            def at(quarter: Quarter, measure: MeasureModel = measure) -> MeasureResult | None:
                if measure.kind.startswith("indicator"):
                    return evaluate(
                        measure,
                        self.assessment,
                        tables.counts,
                        self.evidence.population,
                        tables.indicators,
                        quarter.months,
                        up_to=quarter.end_date,
                    )
                if not self._covered(quarter):
                    return None
                return evaluate(
                    measure, self.assessment, tables.counts, self.evidence.population, tables.indicators, quarter.months
                )

            results.append((at(self.quarter), at(self.previous), at(self.year_before)))
        return results

    @property
    def reach_note(self) -> str:
        """What the data allow to be compared, said plainly."""
        notes = []
        if not self._covered(self.previous):
            notes.append(f"the data do not reach back to the previous quarter ({self.previous.label})")
        if not self._covered(self.year_before):
            notes.append(
                f"the data do not reach back to the same quarter a year earlier ({self.year_before.label}), "
                "so no year-on-year comparison is shown"
            )
        text = "; ".join(notes)
        return (text[0].upper() + text[1:] + ".") if notes else "All comparisons are available."
