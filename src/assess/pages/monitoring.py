"""The quarterly monitoring page."""

from __future__ import annotations

import pandas as pd

from assess import charts, present, wording
from assess.config import period_text
from assess.context import RunContext
from assess.disclosure import SMALL_NUMBERS, WITHHELD
from assess.monitoring import Monitoring, check_quarter_end
from assess.pages.plan import ActionPlanPage


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

    def summary(self) -> present.Text:
        m = self.monitoring
        return present.Text(
            f"Monitoring for {self.assessment.area}, quarter {m.quarter.label}, against the previous quarter "
            f"({m.previous.label}), the same quarter a year earlier ({m.year_before.label}) and the baseline of the "
            f"assessment ({period_text(self.assessment.period_start, self.assessment.period_end)}, as a quarterly "
            f"average). {m.reach_note} {m.significance_note}"
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
            flag = "significant change" if row[f"{name}_significant"] else "not significant"
            return f"{int(value):,} ({flag}, p = {p:.2g})"

        rows = [row for _, row in table.iterrows()]
        frame = pd.DataFrame(
            {
                "Priority": table["title"],
                f"This quarter ({self.monitoring.quarter.label})": [
                    words(r["quarter"]) if r["quarter_hidden"] else r["quarter"] for r in rows
                ],
                f"Previous quarter ({self.monitoring.previous.label})": [against(r, "previous") for r in rows],
                f"Same quarter a year earlier ({self.monitoring.year_before.label})": [
                    against(r, "year_before") for r in rows
                ],
                "Baseline (quarterly average)": [WITHHELD if r["baseline_hidden"] else r["baseline"] for r in rows],
            }
        )
        return present.Table(
            frame,
            f"Police-recorded offences and incidents per quarter, {self.assessment.area}",
            {
                f"This quarter ({self.monitoring.quarter.label})": present.whole,
                "Baseline (quarterly average)": lambda v: v if isinstance(v, str) else f"{float(v):,.1f}",
            },
        )

    def counts_chart(self) -> charts.Chart | present.Text:
        table = self.monitoring.priority_counts()
        # A priority with a figure withheld is left out: its bars are labelled with their values.
        withheld = table[[c for c in table.columns if c.endswith("_hidden")]].any(axis=1)
        left_out = list(table.loc[withheld, "title"])
        table = table[~withheld].reset_index(drop=True)
        if table.empty:
            return present.Text(
                f"The quarterly chart is withheld: every priority has figures withheld ({SMALL_NUMBERS})."
            )
        series = {"Baseline (quarterly average)": table["baseline"]}
        if table["year_before"].notna().all():
            series["Same quarter a year earlier"] = table["year_before"]
        if table["previous"].notna().all():
            series["Previous quarter"] = table["previous"]
        series["This quarter"] = table["quarter"]
        frame = pd.DataFrame(series)
        frame.index = table["title"]
        change = table["quarter"] / table["baseline"] - 1
        biggest = table["title"][change.abs().idxmax()]
        title = f"{biggest} moved furthest from its baseline this quarter"
        subtitle = f"Recorded per quarter, {self.assessment.area}, {self.monitoring.quarter.label}"
        if left_out:
            subtitle += f"; not shown: {wording.join(left_out)} ({SMALL_NUMBERS})"
        return charts.grouped_bars(frame, title, subtitle, "Recorded per quarter")

    def measures_table(self) -> present.Table:
        rows = []
        for now, before, year in self.monitoring.measures():

            def status(r):
                if r is None:
                    return "not in the data"
                return r.status if r.value == r.status else f"{r.value} ({r.status})"

            rows.append(
                {
                    "Measure": now.title,
                    "Target": now.target,
                    "This quarter": status(now),
                    "Previous quarter": status(before),
                    "Same quarter a year earlier": status(year),
                }
            )
        return present.Table(pd.DataFrame(rows), f"Success measures by quarter, {self.assessment.area}", {})

    def overdue_summary(self) -> present.Text:
        return self.plan.overdue_summary()
