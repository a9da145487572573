"""The action plan page: success measures with their status, and the actions."""

from __future__ import annotations

import pandas as pd

from assess import present
from assess.actions import parse_as_of
from assess.config import period_text
from assess.context import RunContext
from assess.measures import evaluate


def _actions_frame(actions, as_of) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "No.": [a.id for a in actions],
            "Action": [a.action for a in actions],
            "Lead": [a.lead for a in actions],
            "Other partners": [a.partners or "none named" for a in actions],
            "By when": [a.due_text for a in actions],
            "Status": [a.status for a in actions],
            "Latest update": [a.latest_update or "none" for a in actions],
            "Overdue": ["OVERDUE" if a.is_overdue(as_of) else "no" for a in actions],
        }
    )


def _measures_frame(results) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Measure": [r.title for r in results],
            "Target": [r.target for r in results],
            "Period": [r.period or "none" for r in results],
            "Position or value": [r.value for r in results],
            "Status": [r.status.upper() if r.status in ("green", "amber", "red") else r.status for r in results],
            "Evidence": [r.evidence for r in results],
        }
    )


class ActionPlanPage:
    """Success measures with their status, and the action plan with overdue actions flagged."""

    def __init__(self, run: RunContext, as_of: str = ""):
        self.run = run
        self.assessment = run.assessment
        self.as_of = parse_as_of(as_of)
        self.period = period_text(self.assessment.period_start, self.assessment.period_end)

    def measure_results(self, priority: str | None = None, all_priorities: bool = True):
        tables = self.run.tables
        return [
            evaluate(
                m,
                self.assessment,
                tables.counts,
                self.run.evidence.population,
                tables.indicators,
                self.assessment.months,
            )
            for m in self.run.measures
            if all_priorities or m.priority == priority
        ]

    def measures_table(self, priority: str | None = None) -> present.Table | present.Text:
        results = self.measure_results(priority, all_priorities=priority is None)
        if not results:
            return present.Text("The action plan sets no success measure for this priority.")
        return present.Table(_measures_frame(results), f"Success measures, {self.assessment.area}, {self.period}", {})

    def overdue_summary(self, priority: str | None = None) -> present.Text:
        actions = [a for a in self.run.actions if priority is None or a.priority == priority]
        overdue = [a for a in actions if a.is_overdue(self.as_of)]
        ongoing = sum(a.due is None for a in actions)
        return present.Text(
            f"{len(actions)} actions; {len(overdue)} overdue as of {self.as_of:%d %B %Y} (due before that date and "
            f"not reported complete); {ongoing} ongoing with no end date."
            + (" Overdue: " + ", ".join(a.id for a in overdue) + "." if overdue else "")
        )

    def actions_table(self, priority: str | None = None) -> present.Table | present.Text:
        actions = [a for a in self.run.actions if priority is None or a.priority == priority]
        if not actions:
            return present.Text("The action plan lists no actions for this priority.")
        title = self.assessment.priority(priority).title if priority else "All priorities"
        return present.Table(
            _actions_frame(actions, self.as_of), f"Action plan: {title}, as of {self.as_of:%d %B %Y}", {}
        )
