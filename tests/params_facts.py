"""Counts the tests expect, read from the shipped parameters rather than typed.

Adding a priority, a candidate or a criterion to `params/` changes these and nothing else in
the tests. Read with plain `yaml.safe_load`, not through `assess.config`, so that a test
comparing what the package made against these facts checks the package, not itself.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

PARAMS = Path(__file__).resolve().parents[1] / "params"
# The embedded example of an area's own content: Sevenoaks's (ONS code E07000111).
EXAMPLE_AREA = "areas/E07000111"
# The pages every full run writes besides one per priority (the notebooks' file stems).
# The embedded example's ranking this year, as the Sevenoaks District CSP would see it (two of
# its issues provisional).
DEFAULT_RANKING = [
    "serious_acquisitive",
    "domestic_abuse",
    "violence",
    "asb",
    "safeguarding",
    "doorstep_crime",
    "criminal_damage",
    "shoplifting",
    "substance_misuse",
]
FURTHER_PAGES = ("80_action_plan", "90_scoring", "95_monitoring")


@cache
def _read(name: str) -> dict:
    return yaml.safe_load((PARAMS / name).read_text(encoding="utf-8"))


def _settings() -> dict:
    return _read("assessment.yaml")


def _priorities_file() -> dict:
    return _read(_settings().get("priorities_file", "priorities.yaml"))


def priorities() -> list[str]:
    """The partnership's priorities, in their order."""
    return list(_priorities_file()["priorities"])


def candidates() -> list[str]:
    """The further issues scored and ranked beside the priorities."""
    return list(_priorities_file().get("candidates") or {})


def issues() -> list[str]:
    """Everything ranked: one row each in ranking.csv and the index's ranking table."""
    return priorities() + candidates()


def criteria() -> list[str]:
    """The criteria, as criteria.yaml declares them, in its order."""
    return list(_read(_settings().get("criteria_file") or "criteria.yaml")["criteria"])


def priority_pages() -> list[str]:
    """One page per priority (file stem: tens in page order, then the key), in the priorities' order."""
    return [f"{10 * position}_{key}" for position, key in enumerate(priorities(), start=1)]


def pages() -> list[str]:
    """Every page of a full run of one area, index.html aside."""
    return priority_pages() + list(FURTHER_PAGES)


def page_count() -> int:
    return len(pages())


def comparators() -> list[str]:
    """The areas the assessed area is compared with (itself included)."""
    return list(_settings()["comparators"])


def actions() -> list[dict]:
    """The example area's action plan."""
    return list(_read(f"{EXAMPLE_AREA}/actions.yaml")["actions"])


def measures() -> list[dict]:
    """The example area's success measures."""
    return list(_read(f"{EXAMPLE_AREA}/measures.yaml")["measures"])
