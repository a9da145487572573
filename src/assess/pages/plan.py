"""The action plan page: success measures with their status, the actions as partners last
reported them, and a draft of next year's plan."""

from __future__ import annotations

import pandas as pd

from assess import present, wording
from assess.actions import parse_as_of
from assess.config import period_text
from assess.context import RunContext
from assess.draft import Draft, draft_plan
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
            "Reported": [
                f"{a.reported_on:%d %B %Y} by {a.reported_by or 'no one named'}" if a.reported_on else "no return"
                for a in actions
            ],
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
    """Success measures with their status, the action plan with overdue actions flagged, and a draft for next year.

    `as_of` is the date the plan is judged at: blank for the last day of the assessment
    period, "today", or a date written YYYY-MM-DD.
    """

    def __init__(self, run: RunContext, as_of: str = ""):
        self.run = run
        self.assessment = run.assessment
        self.as_of = parse_as_of(as_of, self.assessment)
        self.actions = run.actions_as_of(self.as_of)
        self.period = period_text(self.assessment.period_start, self.assessment.period_end)

    @property
    def as_of_text(self) -> str:
        """The date the plan is judged at, saying when it is the end of the assessment period."""
        end = parse_as_of("", self.assessment)
        return f"{self.as_of:%d %B %Y}" + (", the end of the assessment period" if self.as_of == end else "")

    def heading(self) -> present.Markdown:
        """The page's heading: what it is, for which area and period."""
        return present.Markdown(
            f"# Action plan and success measures: {wording.markdown_line(self.assessment.area)}, {self.period}"
        )

    def measure_results(self, priority: str | None = None, all_priorities: bool = True):
        """Each success measure over the assessment period, partner figures up to the as-of date."""
        tables = self.run.tables
        return [
            evaluate(
                m,
                self.assessment,
                tables.counts,
                self.run.evidence.population,
                tables.indicators,
                self.assessment.months,
                up_to=pd.Timestamp(self.as_of),
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
        actions = [a for a in self.actions if priority is None or a.priority == priority]
        overdue = [a for a in actions if a.is_overdue(self.as_of)]
        ongoing = sum(a.due is None for a in actions)
        reported = sum(a.reported_on is not None for a in actions)
        return present.Text(
            f"{len(actions)} actions; {len(overdue)} overdue as of {self.as_of_text} (due before that date and "
            f"not reported complete or cancelled); {ongoing} ongoing with no end date; "
            + (
                f"{reported} with a status reported by partners."
                if reported
                else "partners have reported no status yet, so each shows as not reported."
            )
            + (" Overdue: " + ", ".join(a.id for a in overdue) + "." if overdue else "")
        )

    def actions_table(self, priority: str | None = None) -> present.Table | present.Text:
        actions = [a for a in self.actions if priority is None or a.priority == priority]
        if not actions:
            return present.Text("The action plan lists no actions for this priority.")
        title = self.assessment.priority(priority).title if priority else "All priorities"
        return present.Table(
            _actions_frame(actions, self.as_of), f"Action plan: {title}, as of {self.as_of:%d %B %Y}", {}
        )

    def draft(self) -> Draft:
        """Next year's draft plan from this year's ranking."""
        return draft_plan(self.run.results.ranking_table(), self.actions, self.assessment)

    def draft_section(self) -> present.Markdown:
        """The draft, clearly marked as one: proposed priorities, those needing evidence, the skeleton of actions."""
        draft = self.draft()
        text = wording.markdown_line

        def ids(priority) -> str:
            return text(", ".join(a.id for a in priority.carried))

        lines = [
            f"## {draft.heading}",
            "",
            f"**DRAFT.** Proposed from this assessment's ranking ({self.period}); nothing here is agreed. "
            f"The partnership decides the priorities and writes the actions; the draft is also saved beside "
            "these pages as a file in the action plan's format, ready to edit.",
            "",
            "**Proposed priorities**, highest ranked first (only issues whose rank rests on enough evidence):",
            "",
        ]
        for p in draft.proposed:
            carried = (
                f"carry over {len(p.carried)} open action{'s' if len(p.carried) != 1 else ''} ({ids(p)})"
                if p.carried
                else "no action yet: one to be written"
            )
            lines.append(
                f"- **{text(p.title)}**: ranked {p.rank} of {draft.issues}, "
                f"chance of the top 3 {p.chance_top_3:.0%}; {carried}."
            )
        if draft.needs_evidence:
            lines += ["", "**Needs evidence before deciding** (ranked among them, but on too few criteria):", ""]
            lines += [
                f"- {text(p.title)}: ranked {p.rank} of {draft.issues} provisionally"
                + (f"; open actions {ids(p)}" if p.carried else "")
                + "."
                for p in draft.needs_evidence
            ]
        if draft.dropped:
            names = wording.join(f"{text(p.title)} (ranked {p.rank} of {draft.issues})" for p in draft.dropped)
            lines += ["", f"Not proposed again from the current plan: {names}."]
        return present.Markdown("\n".join(lines))
