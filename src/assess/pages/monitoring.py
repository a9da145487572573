"""The quarterly monitoring page."""

from __future__ import annotations

import pandas as pd

from assess import charts, present, wording
from assess.config import period_text
from assess.context import RunContext
from assess.disclosure import SMALL_NUMBERS, WITHHELD
from assess.monitoring import Monitoring, check_quarter_end
from assess.pages.plan import ActionPlanPage


def percent_text(change: float | None) -> str:
    """A % change as shown: signed, one decimal, or why there is none."""
    if change is None or pd.isna(change):
        return "no comparison"
    return f"{change:+.1f}%"


class MonitoringPage:
    """The quarterly monitoring page."""

    def __init__(self, run: RunContext, quarter_end: str = "", as_of: str = ""):
        self.run = run
        self.assessment = run.assessment
        self.monitoring = Monitoring(run.evidence, check_quarter_end(quarter_end, run.evidence), run.measures)
        self.plan = ActionPlanPage(run, as_of)

    @property
    def quarter(self) -> str:
        return self.monitoring.quarter.label

    def heading(self) -> present.Markdown:
        """The page's heading: what it is, for which area and quarter."""
        return present.Markdown(
            f"# Quarterly monitoring: {wording.markdown_line(self.assessment.area)}, {self.monitoring.quarter.label}"
        )

    def summary(self) -> present.Text:
        m = self.monitoring
        return present.Text(
            f"Monitoring for {self.assessment.area}, quarter {m.quarter.label}, against the previous quarter "
            f"({m.previous.label}), the same quarter a year earlier ({m.year_before.label}) and the baseline: the "
            f"rest of the assessment period ({m.baseline_label}) as a quarterly average, so the quarter is not "
            f"compared with itself. {m.reach_note} {m.significance_note}"
        )

    def counts_table(self) -> present.Table:
        table = self.monitoring.priority_counts()
        words = self.run.evidence.disclosure.words

        def against(row, name: str) -> str:
            value, p = row[name], row[f"{name}_p"]
            if value is None or pd.isna(value):
                return "not in the data"
            if row[f"{name}_hidden"]:
                return words(value)
            # The p-value and its verdict, with one count of the pair shown, would give the other back.
            if row["quarter_hidden"]:
                return f"{int(value):,} (change {WITHHELD}: {SMALL_NUMBERS})"
            # Significance is decided across the page's tests (false discovery rate), so a p under 0.05
            # may still be chance once the other comparisons are allowed for: say so beside it.
            if row[f"{name}_significant"]:
                return f"{int(value):,} (more than chance, p = {p:.2g})"
            allowed = " once the page's other comparisons are allowed for" if p < 0.05 else ""
            return f"{int(value):,} (could be chance{allowed}, p = {p:.2g})"

        def change(row, name: str) -> str:
            # A change beside a withheld count would give it back.
            if row["quarter_hidden"] or row[f"{name}_hidden"]:
                return WITHHELD
            return percent_text(row[f"{name}_change"])

        def baseline(row) -> object:
            if row["baseline_hidden"]:
                return WITHHELD
            return "none" if row["baseline"] is None or pd.isna(row["baseline"]) else row["baseline"]

        rows = [row for _, row in table.iterrows()]
        m = self.monitoring
        frame = pd.DataFrame(
            {
                "Priority": table["title"],
                f"This quarter ({m.quarter.label})": [
                    words(r["quarter"]) if r["quarter_hidden"] else r["quarter"] for r in rows
                ],
                f"Previous quarter ({m.previous.label})": [against(r, "previous") for r in rows],
                "Change on the previous quarter": [change(r, "previous") for r in rows],
                f"Same quarter a year earlier ({m.year_before.label})": [against(r, "year_before") for r in rows],
                "Change on a year earlier": [change(r, "year_before") for r in rows],
                "Baseline (quarterly average)": [baseline(r) for r in rows],
                "Change on the baseline": [change(r, "baseline") for r in rows],
            }
        )
        return present.Table(
            frame,
            f"Police-recorded offences and incidents per quarter, {self.assessment.area}",
            {
                f"This quarter ({m.quarter.label})": present.whole,
                "Baseline (quarterly average)": lambda v: v if isinstance(v, str) else f"{float(v):,.1f}",
            },
        )

    def counts_chart(self) -> charts.Chart | present.Text:
        table = self.monitoring.priority_counts()
        # A priority with a figure withheld is left out: its bars are labelled with their values.
        withheld = table[[c for c in table.columns if c.endswith("_hidden")]].any(axis=1)
        left_out = list(table.loc[withheld, "title"])
        table = table[~withheld & table["baseline"].notna()].reset_index(drop=True)
        if table.empty:
            return present.Text(
                f"The quarterly chart is withheld: every priority has figures withheld ({SMALL_NUMBERS})."
            )
        series = {"Baseline (quarterly average)": table["baseline"].astype(float)}
        if table["year_before"].notna().all():
            series["Same quarter a year earlier"] = table["year_before"]
        if table["previous"].notna().all():
            series["Previous quarter"] = table["previous"]
        series["This quarter"] = table["quarter"]
        frame = pd.DataFrame(series)
        frame.index = table["title"]
        change = table["baseline_change"].astype(float)
        biggest = table["title"][change.abs().idxmax()]
        title = f"{biggest} moved furthest from its baseline this quarter"
        subtitle = f"Recorded per quarter, {self.assessment.area}, {self.monitoring.quarter.label}"
        if left_out:
            subtitle += f"; not shown: {wording.join(left_out)} ({SMALL_NUMBERS})"
        return charts.grouped_bars(frame, title, subtitle, "Recorded per quarter")

    def partner_table(self) -> present.Table | present.Text:
        """Quarterly partner returns of the priorities police data cannot see, with their % change."""
        table = self.monitoring.partner_rows()
        if table.empty:
            return present.Text(
                "No quarterly partner return is held for the priorities police data cannot see "
                f"({wording.join(p.title for p in self.assessment.pages if not p.has_police_data) or 'none'})."
            )
        words = self.run.evidence.disclosure.words

        def shown(row, name: str) -> str:
            value = row[name]
            if value is None or pd.isna(value):
                return "not returned"
            return words(value) if row[f"{name}_hidden"] else f"{value:,.0f}"

        def change(row, name: str) -> str:
            if row["latest_hidden"] or row[f"{name}_hidden"]:
                return WITHHELD
            return percent_text(row[f"{name}_change"])

        rows = [row for _, row in table.iterrows()]
        frame = pd.DataFrame(
            {
                "Priority": table["title"],
                "Partner figure": table["indicator"],
                "Latest quarter returned": [
                    r["period"] if r["current"] else f"{r['period']} (older than the quarter monitored)" for r in rows
                ],
                "Latest": [shown(r, "latest") for r in rows],
                "Quarter before": [shown(r, "previous") for r in rows],
                "Change on the quarter before": [change(r, "previous") for r in rows],
                "Same quarter a year earlier": [shown(r, "year_before") for r in rows],
                "Change on a year earlier": [change(r, "year_before") for r in rows],
            }
        )
        sources = wording.join(sorted(set(table["source"])))
        return present.Table(
            frame,
            f"Partner returns per quarter, up to {self.monitoring.quarter.label}, {self.assessment.area} "
            f"(source: {sources})",
            {},
        )

    def measures_table(self) -> present.Table:
        """Each success measure's status this quarter, decided by the one rule (`measures.rag`), and its
        position or value in the quarters it is compared with (figures only: one status per measure)."""
        rows = []
        for now, before, year in self.monitoring.measures():

            def value(r) -> str:
                return "not in the data" if r is None else r.value

            rows.append(
                {
                    "Measure": now.title,
                    "Target": now.target,
                    "This quarter": now.value,
                    "Status this quarter": now.status.upper() if now.status != "no data" else now.status,
                    "Previous quarter": value(before),
                    "Same quarter a year earlier": value(year),
                    "Evidence": now.evidence,
                }
            )
        return present.Table(
            pd.DataFrame(rows),
            f"Success measures this quarter, {self.assessment.area}, {self.monitoring.quarter.label}",
            {},
        )

    def overdue_summary(self) -> present.Text:
        return self.plan.overdue_summary()

    @property
    def period(self) -> str:
        return period_text(self.assessment.period_start, self.assessment.period_end)
