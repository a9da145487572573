"""The action plan: partners' actions per priority, with overdue ones flagged as of a date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from assess.config import Assessment, StrictModel, parse_model
from assess.errors import ConfigError
from assess.params_file import load_yaml

ONGOING = "ongoing"
# Actions in these states cannot be overdue.
CLOSED = {"complete", "cancelled"}
_DUE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ActionModel(StrictModel):
    id: str
    priority: str
    action: str
    lead: str
    partners: str = ""
    by_when: str
    status: Literal["not reported", "not started", "in progress", "complete", "cancelled"] = "not reported"
    latest_update: str = ""

    @field_validator("by_when")
    @classmethod
    def _due(cls, value: str) -> str:
        if value != ONGOING and not _DUE.match(value):
            raise ValueError(f"must be a month written YYYY-MM or 'ongoing', not {value!r}")
        return value


class ActionsModel(StrictModel):
    actions: list[ActionModel] = Field(default_factory=list)


@dataclass(frozen=True)
class Action:
    """One action of the plan."""

    id: str
    priority: str
    action: str
    lead: str
    partners: str
    by_when: str
    status: str
    latest_update: str

    @property
    def due(self) -> date | None:
        """The last day of the month it is due in; None for ongoing actions."""
        if self.by_when == ONGOING:
            return None
        year, month = map(int, self.by_when.split("-"))
        return date(year, month, calendar.monthrange(year, month)[1])

    def is_overdue(self, as_of: date) -> bool:
        """Due before `as_of` and neither complete nor cancelled (due on the day is not overdue)."""
        due = self.due
        return due is not None and due < as_of and self.status not in CLOSED

    @property
    def due_text(self) -> str:
        return "ongoing" if self.due is None else self.due.strftime("%B %Y")


def load_actions(path: Path, assessment: Assessment) -> tuple[Action, ...]:
    """The actions of `actions.yaml`, each naming a known priority, ids unique."""
    model = parse_model(ActionsModel, load_yaml(path), path)
    known = {p.key for p in assessment.priorities}
    seen: set[str] = set()
    actions = []
    for number, item in enumerate(model.actions):
        if item.priority not in known:
            raise ConfigError(f"{path}: field 'actions.{number}.priority': unknown priority {item.priority!r}")
        if item.id in seen:
            raise ConfigError(f"{path}: field 'actions.{number}.id': action {item.id!r} is listed twice")
        seen.add(item.id)
        actions.append(Action(**item.model_dump()))
    return tuple(actions)


def parse_as_of(text: str) -> date:
    """A date written YYYY-MM-DD, or today for an empty string."""
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--as-of: must be a date written YYYY-MM-DD, not {text!r}") from None
