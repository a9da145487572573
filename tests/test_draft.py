"""The draft of next year's plan: which issues it proposes, which it sets apart, and its file."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from assess.actions import load_actions
from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS, resolve_assessment
from assess.data.counts import read_counts
from assess.draft import DRAFT_FILE, MIN_PRIORITIES, draft_plan, next_period
from params_facts import DEFAULT_RANKING


@pytest.fixture(scope="module")
def assessment():
    return resolve_assessment(read_counts(DEFAULT_DATA_DIR / "counts.csv"), DEFAULT_PARAMS)


@pytest.fixture(scope="module")
def actions(assessment):
    return load_actions(assessment.actions_file, assessment)


def ranking(assessment, order: list[str], provisional: set[str] = frozenset()) -> pd.DataFrame:
    """A ranking table in `order`, as Results.ranking_table() gives it (the columns the draft reads)."""
    return pd.DataFrame(
        {
            "rank": range(1, len(order) + 1),
            "priority": order,
            "title": [assessment.priority(k).title for k in order],
            "probability_top_3": [0.9 - 0.1 * i for i in range(len(order))],
            "provisional": [k in provisional for k in order],
        }
    )


PROVISIONAL = {"domestic_abuse", "doorstep_crime"}


def test_proposes_as_many_firm_issues_as_the_plan_has_priorities(assessment, actions):
    draft = draft_plan(ranking(assessment, DEFAULT_RANKING, PROVISIONAL), actions, assessment)
    assert len(assessment.pages) == 6
    assert [p.key for p in draft.proposed] == [
        "serious_acquisitive",
        "violence",
        "asb",
        "safeguarding",
        "criminal_damage",
        "shoplifting",
    ]
    # Ranked among them on too few criteria: set apart, not proposed.
    assert [p.key for p in draft.needs_evidence] == ["domestic_abuse", "doorstep_crime"]
    assert [p.key for p in draft.dropped] == ["substance_misuse"]
    assert draft.period == "January to December 2023" and next_period(assessment) == ("2023-01", "2023-12")
    assert draft.heading == "Draft plan for January to December 2023: for the partnership to edit"


def test_carries_over_open_actions_with_their_ids_and_a_placeholder_where_none(assessment, actions):
    done = {"1.1": "complete", "1.3": "cancelled", "1.4": "in progress"}
    reported = tuple(replace(a, status=done.get(a.id, a.status)) for a in actions)
    draft = draft_plan(ranking(assessment, DEFAULT_RANKING, PROVISIONAL), reported, assessment)
    by_key = {p.key: p for p in draft.proposed}
    assert [a.id for a in by_key["serious_acquisitive"].carried] == ["1.2", "1.4", "1.5", "1.6", "1.7"]
    # Violence is a candidate with no action in the current plan: one placeholder, due at the period's end.
    violence = [a for a in draft.actions if a.priority == "violence"]
    assert len(violence) == 1 and violence[0].action.startswith("To be written") and violence[0].by_when == "2023-12"
    assert not by_key["violence"].carried


def test_at_least_three_priorities(assessment, actions):
    few = resolve_assessment(read_counts(DEFAULT_DATA_DIR / "counts.csv"), DEFAULT_PARAMS)
    one_page = replace(
        few, priorities=tuple(p if p.key == "asb" else replace(p, is_candidate=True) for p in few.priorities)
    )
    assert len(one_page.pages) == 1
    draft = draft_plan(ranking(one_page, DEFAULT_RANKING, PROVISIONAL), (), one_page)
    assert len(draft.proposed) == MIN_PRIORITIES


def test_the_draft_file_loads_as_an_action_plan(tmp_path, assessment, actions):
    draft = draft_plan(ranking(assessment, DEFAULT_RANKING, PROVISIONAL), actions, assessment)
    path = tmp_path / DRAFT_FILE
    path.write_text(draft.to_yaml(), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# DRAFT action plan for January to December 2023")
    assert "#   domestic_abuse (Domestic abuse); open actions 3.1, 3.2" in text
    loaded = load_actions(path, assessment)
    assert [a.id for a in loaded] == [a.id for a in draft.actions]
    assert {a.priority for a in loaded} == {p.key for p in draft.proposed}
    # Carried over as written in the plan, statuses left to the status return.
    original = {a.id: a for a in actions}
    assert all(a.action == original[a.id].action for a in loaded if a.id in original)
    assert all(a.status == "not reported" for a in loaded)
