"""The action plan: partners' actions per priority, their status as partners report it, and
overdue ones flagged as of a date (by default the last day of the assessment period).

Partners report progress in a status return (`status.csv` in the area's folder), separate
from the plan: one row per report, so an action's history stays; the latest report on or
before the as-of date is the action's status for that run.
"""

from __future__ import annotations

import calendar
import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field, field_validator

from assess.config import Assessment, StrictModel, parse_model
from assess.errors import ConfigError
from assess.params_file import load_yaml

ONGOING = "ongoing"
STATUSES = ("not reported", "not started", "in progress", "complete", "cancelled")
# Actions in these states cannot be overdue.
CLOSED = {"complete", "cancelled"}
STATUS_COLUMNS = ("action", "reported_on", "status", "update", "reported_by")
TODAY = "today"
_DUE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ActionModel(StrictModel):
    id: str
    priority: str
    action: str
    lead: str
    partners: str = ""
    by_when: str
    status: Literal[STATUSES] = "not reported"
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
    reported_on: date | None = None
    reported_by: str = ""

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


def parse_as_of(text: str, assessment: Assessment) -> date:
    """The date actions are judged at: the last day of the assessment period for an empty string,
    today for the word 'today', else a date written YYYY-MM-DD."""
    if not text:
        end = pd.Period(assessment.period_end, freq="M")
        return end.end_time.date()
    if text.strip().lower() == TODAY:
        return date.today()
    try:
        return _iso_date(text)
    except ValueError:
        raise ConfigError(f"--as-of: must be a date written YYYY-MM-DD or the word 'today', not {text!r}") from None


def _iso_date(text: str) -> date:
    """A date written YYYY-MM-DD and nothing else (fromisoformat alone also takes 20221231 or 2022-W52-7)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return date.fromisoformat(text)


@dataclass(frozen=True)
class StatusReturn:
    """One report of an action's progress, as a partner gave it."""

    action: str
    reported_on: date
    status: str
    update: str
    reported_by: str


def load_status_returns(path: Path, actions: Sequence[Action]) -> tuple[StatusReturn, ...]:
    """The rows of a status return, each naming an action of the plan, a date and a known status."""
    known = {a.id for a in actions}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = tuple(name.strip() for name in reader.fieldnames or ())
            if header != STATUS_COLUMNS:
                raise ConfigError(f"{path}: the first row must be the columns {', '.join(STATUS_COLUMNS)}")
            returns = []
            # Row numbers as a spreadsheet shows them: the header is row 1.
            for number, row in enumerate(reader, start=2):
                if None in row:  # more fields than columns: an update with an unquoted comma
                    raise ConfigError(
                        f"{path}: row {number} has more fields than the {len(STATUS_COLUMNS)} columns; "
                        "put text that holds a comma in double quotes"
                    )
                returns.append(_status_row(path, number, {k.strip(): (v or "").strip() for k, v in row.items()}, known))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'") from None
    return tuple(returns)


def _status_row(path: Path, number: int, row: dict[str, str], known: set[str]) -> StatusReturn:
    where = f"{path}: row {number}"
    if row["action"] not in known:
        raise ConfigError(
            f"{where}, field 'action': unknown action {row['action']!r}; give the id of an action of the plan"
        )
    try:
        reported_on = _iso_date(row["reported_on"])
    except ValueError:
        raise ConfigError(
            f"{where}, field 'reported_on': must be a date written YYYY-MM-DD, not {row['reported_on']!r}"
        ) from None
    if row["status"] not in STATUSES:
        raise ConfigError(f"{where}, field 'status': {row['status']!r} is not one of {', '.join(STATUSES)}")
    return StatusReturn(row["action"], reported_on, row["status"], row["update"], row["reported_by"])


def as_reported(actions: Sequence[Action], returns: Sequence[StatusReturn], as_of: date) -> tuple[Action, ...]:
    """The actions with the status of their latest return on or before `as_of`.

    A return dated after `as_of` is ignored for this date; of two on the same day the later
    row counts. An action with no return keeps the status the plan gives it.
    """
    latest: dict[str, StatusReturn] = {}
    for item in returns:
        if item.reported_on <= as_of and (
            item.action not in latest or item.reported_on >= latest[item.action].reported_on
        ):
            latest[item.action] = item
    return tuple(
        replace(a, status=r.status, latest_update=r.update, reported_on=r.reported_on, reported_by=r.reported_by)
        if (r := latest.get(a.id))
        else a
        for a in actions
    )
