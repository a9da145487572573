"""Quarterly monitoring: the latest quarter against the one before, the same quarter a year
earlier (where the data reach back) and the assessment's baseline, the assessment period
without the quarter monitored (a quarter is not compared with itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assess import changes, stats
from assess.config import month_range, period_text
from assess.criteria.partner import period_label
from assess.data.tables import is_month
from assess.disclosure import Disclosure
from assess.errors import ConfigError
from assess.evidence import Evidence, PriorityEvidence
from assess.measures import MeasureModel, MeasureResult, evaluate

# The quarters this quarter is compared with, by their column names.
COMPARED = ("previous", "year_before")


def percent_change(now: float | None, before: float | None) -> float | None:
    """The change from `before` to `now` as a percentage of `before`; None where it cannot be computed."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return changes.percent_change(before, now)


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
        baseline_months = self.baseline_months
        rows = []
        for priority in self.assessment.priorities:
            if not priority.has_police_data or priority.is_candidate:
                continue
            pe = self.evidence.for_priority(priority)
            now = pe.total(self.quarter.months)
            rest = pe.total(baseline_months) if baseline_months else None
            # The period's total is shown on the priority's page, so the quarter and the rest
            # of the period give each other back: either withheld withholds both.
            withheld = self._hidden(pe, self.quarter.months, now) or (
                rest is not None and self._hidden(pe, baseline_months, rest)
            )
            row = {
                "priority": priority.key,
                "title": priority.title,
                "quarter": now,
                "quarter_hidden": withheld,
            }
            for name, other in zip(COMPARED, (self.previous, self.year_before)):
                if self._covered(other):
                    before = pe.total(other.months)
                    test = stats.compare_periods(now, before)
                    row[name] = before
                    row[f"{name}_p"] = test.p_value
                    row[f"{name}_hidden"] = self._hidden(pe, other.months, before)
                else:
                    row[name] = None
                    row[f"{name}_p"] = None
                    row[f"{name}_hidden"] = False
            # The baseline: the rest of the assessment period's total per three months.
            row["baseline"] = rest * 3 / len(baseline_months) if baseline_months else None
            row["baseline_hidden"] = withheld
            for name in (*COMPARED, "baseline"):
                row[f"{name}_change"] = percent_change(now, row[name])
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

    @property
    def baseline_months(self) -> list[str]:
        """The months of the baseline: the assessment period without the quarter monitored."""
        return [m for m in self.assessment.months if m not in self.quarter.months]

    @property
    def baseline_label(self) -> str:
        """The baseline's months in words, or why there is none."""
        months = self.baseline_months
        if not months:
            return "none: the quarter is the whole assessment period"
        spans = period_text(months[0], months[-1])
        return spans if len(months) == len(month_range(months[0], months[-1])) else f"{spans}, without this quarter"

    @staticmethod
    def _hidden(pe: PriorityEvidence, months: list[str], count: int) -> bool:
        """Whether a count over some months must not be shown: small, or the total of months hidden on the page."""
        hidden = pe.monthly_hidden()
        column = hidden.columns[-1]  # All, or the only crime type
        months = [m for m in months if m in hidden.index and hidden.at[m, column]]
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

    def partner_rows(self) -> pd.DataFrame:
        """Quarterly partner returns of the priorities police data cannot see, up to this quarter's end.

        Per indicator: its latest quarter, the quarter before and the same quarter a year
        earlier (each where returned), with the % change against each, as for police counts.
        Values a disclosure rule withholds are flagged in `*_hidden`.
        """
        indicators = self.evidence.tables.indicators
        hidden = Disclosure.of(self.assessment).hidden_indicators(indicators, self.assessment.comparators)
        partner_led = {
            p.key: p.title for p in self.assessment.priorities if not p.has_police_data and not p.is_candidate
        }
        rows = indicators[
            (indicators["area"] == self.assessment.area)
            & indicators["priority"].isin(partner_led)
            & (indicators["period_end"] <= self.quarter.end_date)
        ]
        if rows.empty:  # an area with no returns of its own (its columns may then have no dates)
            return pd.DataFrame()
        # A quarterly return spans about three months; annual and one-off figures are not monitored here.
        days = (rows["period_end"] - rows["period_start"]).dt.days
        rows = rows[days.between(85, 95)]
        out = []
        for (priority, name), returns in rows.groupby(["priority", "indicator"], sort=False):
            returns = returns.sort_values("period_end")
            by_end = {end.to_period("M"): row for end, row in zip(returns["period_end"], returns.itertuples())}
            latest = returns.iloc[-1]
            last = latest["period_end"].to_period("M")
            row = {
                "priority": priority,
                "title": partner_led[priority],
                "indicator": name,
                "period": period_label(latest["period_start"], latest["period_end"]),
                # A return ending before the quarter monitored is the latest held, not this quarter's.
                "current": latest["period_end"].to_period("M") >= pd.Period(self.quarter.months[0], freq="M"),
                "latest": float(latest["value"]),
                "latest_hidden": bool(hidden[latest.name]),
                "source": latest["source"],
            }
            for column, back in zip(COMPARED, (3, 12)):
                earlier = by_end.get(last - back)
                row[column] = None if earlier is None else float(earlier.value)
                row[f"{column}_hidden"] = earlier is not None and bool(hidden[earlier.Index])
                row[f"{column}_change"] = percent_change(row["latest"], row[column])
            out.append(row)
        return pd.DataFrame(out)

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
