"""The last strategic assessment's order of priorities, so the index can say what changed.

A partnership writes it once a year in its own folder (`previous.yaml`): what it calls that
assessment, the months of data it used, and its priorities highest first. The plan's order is
all most partnerships publish (not its scores), so the comparison is of ranks: where each
issue stood then, where it stands now, and what drives its score now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, field_validator

from assess.config import Assessment, StrictModel, parse_model, period_text
from assess.errors import ConfigError
from assess.params_file import load_yaml

_PERIOD = re.compile(r"^(\d{4}-(?:0[1-9]|1[0-2])):(\d{4}-(?:0[1-9]|1[0-2]))$")


class PreviousModel(StrictModel):
    name: str = Field(min_length=1)
    data_period: str
    priorities: list[str] = Field(min_length=1)

    @field_validator("data_period")
    @classmethod
    def _period(cls, value: str) -> str:
        match = _PERIOD.match(value)
        if not match or match.group(1) > match.group(2):
            raise ValueError(f"must be START:END, each YYYY-MM, START not after END, not {value!r}")
        return value


@dataclass(frozen=True)
class PreviousAssessment:
    """The last assessment: its name ('the 2021-22 action plan'), data period in words, and order of keys."""

    name: str
    period: str
    order: tuple[str, ...]

    def rank(self, key: str) -> int | None:
        """The issue's place in the last assessment (1 = first priority), None where it was not a priority."""
        return self.order.index(key) + 1 if key in self.order else None


def load_previous(path: Path, assessment: Assessment) -> PreviousAssessment:
    """Read an area's `previous.yaml`; a key the priorities do not know, or one named twice, is refused in one line."""
    model = parse_model(PreviousModel, load_yaml(path), path)
    known = {p.key for p in assessment.priorities}
    for i, key in enumerate(model.priorities):
        where = f"{path}: field 'priorities[{i}]'"
        if key not in known:
            raise ConfigError(f"{where}: unknown priority {key!r}; known: {', '.join(sorted(known))}")
        if key in model.priorities[:i]:
            raise ConfigError(f"{where}: {key!r} is named twice; give each priority once, highest first")
    start, end = model.data_period.split(":")
    return PreviousAssessment(model.name, period_text(start, end), tuple(model.priorities))
