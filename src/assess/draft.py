"""A draft of next year's plan from this year's ranking, for the partnership to edit.

It proposes as many priorities as the current plan has (at least 3): the issues ranked
highest whose rank is firm. Issues ranked among them on too few criteria are set apart as
needing evidence before the partnership decides. Each proposed priority gets the actions of
the current plan not yet complete or cancelled, with their ids (so partners' status returns
keep applying), or one placeholder where it has none. The draft is written in the format of
`actions.yaml`, so the partnership can copy it into its folder and edit it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import yaml

from assess.actions import CLOSED, Action
from assess.config import Assessment, period_text

MIN_PRIORITIES = 3
DRAFT_FILE = "draft_actions.yaml"
PLACEHOLDER_LEAD = "to be agreed"


@dataclass(frozen=True)
class DraftPriority:
    """An issue the draft names: its rank this year, chance of the top 3 and carried-over actions."""

    key: str
    title: str
    rank: int
    chance_top_3: float
    carried: tuple[Action, ...]


@dataclass(frozen=True)
class Draft:
    """The draft plan for the period after the assessment's.

    Attributes
    ----------
    period
        The coming period in words, e.g. "January to December 2023".
    proposed
        The priorities proposed, in rank order.
    needs_evidence
        Issues ranked among them on too few criteria: not proposed until the evidence is in.
    dropped
        Priorities of the current plan that are not proposed again, with their open actions.
    actions
        The draft's actions: carried-over ones, and a placeholder for a priority with none.
    issues
        How many issues the ranking holds (ranks are "n of issues").
    """

    period: str
    proposed: tuple[DraftPriority, ...]
    needs_evidence: tuple[DraftPriority, ...]
    dropped: tuple[DraftPriority, ...]
    actions: tuple[Action, ...]
    issues: int

    @property
    def heading(self) -> str:
        return f"Draft plan for {self.period}: for the partnership to edit"

    def to_yaml(self) -> str:
        """The draft in the format of actions.yaml, with a header saying it is a draft."""
        lines = [
            f"# DRAFT action plan for {self.period}, proposed by the strategic assessment from its ranking.",
            "# It is for the partnership to edit: nothing here is agreed. Carried-over actions keep their id",
            "# (partners' status returns still apply) and their old deadline: set a new one.",
            "# Placeholders ('To be written') mark a proposed priority with no action yet.",
        ]
        if self.needs_evidence:
            lines.append("# Needs evidence before deciding (ranked on too few criteria; not proposed yet):")
            lines += [f"#   {p.key} ({p.title}){_open_ids(p)}" for p in self.needs_evidence]
        if self.dropped:
            lines.append("# Priorities of the current plan not proposed again:")
            lines += [f"#   {p.key} ({p.title}){_open_ids(p)}" for p in self.dropped]
        items = [
            {
                "id": a.id,
                "priority": a.priority,
                "action": a.action,
                "lead": a.lead,
                "partners": a.partners,
                "by_when": a.by_when,
            }
            for a in self.actions
        ]
        body = yaml.safe_dump({"actions": items}, sort_keys=False, allow_unicode=True, width=100)
        return "\n".join(lines) + "\n" + body


def _open_ids(priority: DraftPriority) -> str:
    return f"; open actions {', '.join(a.id for a in priority.carried)}" if priority.carried else ""


def next_period(assessment: Assessment) -> tuple[str, str]:
    """The period after the assessment's, of the same length: (first month, last month)."""
    length = len(assessment.months)
    end = pd.Period(assessment.period_end, freq="M")
    return str(end + 1), str(end + length)


def draft_plan(ranking: pd.DataFrame, actions: Sequence[Action], assessment: Assessment) -> Draft:
    """The draft plan for the coming period.

    Parameters
    ----------
    ranking
        `Results.ranking_table()`: rank order, with `priority`, `title`, `rank`,
        `probability_top_3` and `provisional`.
    actions
        The current plan's actions, with the status partners last reported.
    assessment
        The assessment, for the current plan's priorities and the period.
    """
    current = [p.key for p in assessment.pages]
    wanted = max(len(current), MIN_PRIORITIES)
    ranking = ranking.sort_values("rank")

    def item(row) -> DraftPriority:
        carried = tuple(a for a in actions if a.priority == row.priority and a.status not in CLOSED)
        return DraftPriority(row.priority, row.title, int(row.rank), float(row.probability_top_3), carried)

    firm = [item(row) for row in ranking.itertuples() if not row.provisional]
    proposed = firm[:wanted]
    cut = proposed[-1].rank if proposed else 0
    needs = [item(row) for row in ranking.itertuples() if row.provisional and row.rank <= cut]
    named = {p.key for p in proposed} | {p.key for p in needs}
    dropped = [item(row) for row in ranking.itertuples() if row.priority in current and row.priority not in named]
    start, end = next_period(assessment)
    draft_actions: list[Action] = []
    for priority in proposed:
        draft_actions += priority.carried or [_placeholder(priority, end)]
    return Draft(
        period_text(start, end), tuple(proposed), tuple(needs), tuple(dropped), tuple(draft_actions), len(ranking)
    )


def _placeholder(priority: DraftPriority, end: str) -> Action:
    """One action still to be written for a proposed priority with none, due by the period's end."""
    return Action(
        id=f"{priority.key}-1",
        priority=priority.key,
        action=f"To be written: what the partnership will do about {priority.title.lower()}",
        lead=PLACEHOLDER_LEAD,
        partners="",
        by_when=end,
        status="not reported",
        latest_update="",
    )
