"""The index as the executive summary: a board answers its four questions from it alone."""

from __future__ import annotations

import re
from datetime import date

import pytest

from assess.context import RunContext
from assess.errors import ConfigError
from assess.previous import load_previous
from params_facts import PARAMS


@pytest.fixture(scope="module")
def sevenoaks() -> RunContext:
    return RunContext.load(PARAMS / "assessment.yaml", None)


@pytest.fixture(scope="module")
def summary(sevenoaks, tmp_path_factory) -> str:
    from assess.report import write_index

    page = write_index(sevenoaks, [], tmp_path_factory.mktemp("index"), date(2022, 12, 31)).read_text()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_summary_answers_the_four_questions(summary, sevenoaks):
    for question in ("Our priorities", "How sure we are", "What changed", "What is late"):
        assert question in summary
    first = sevenoaks.assessment.priority(sevenoaks.results.order[0]).title
    assert f"1. {first}" in summary
    assert "30 of 47 actions are overdue as of 31 December 2022" in summary


def test_what_changed_compares_the_last_plans_priorities_among_themselves(summary, sevenoaks):
    """The 2021-22 plan ranked six priorities; candidates ranked among them now must not push them down."""
    previous = sevenoaks.previous
    now = [key for key in sevenoaks.results.order if previous.rank(key)]
    for key in previous.order:
        then, later = previous.rank(key), now.index(key) + 1
        title = sevenoaks.assessment.priority(key).title
        if then != later:
            assert f"{title} {'rose' if later < then else 'fell'} from {then} to {later}" in summary
    # Computed independently: domestic abuse and ASB swapped; the others kept their place.
    assert now == ["serious_acquisitive", "domestic_abuse", "asb", "safeguarding", "doorstep_crime", "substance_misuse"]
    assert "Substance misuse fell" not in summary and "new issue" in summary


def test_thin_and_old_evidence_is_set_apart(summary):
    assert "Evidence to strengthen" in summary
    assert "trend on figures for Oct 2019 to Sep 2020" in summary  # safeguarding's trend, older than the period


@pytest.mark.parametrize(
    "text, message",
    [
        ("name: x\ndata_period: 2019-10:2020-09\npriorities: [nowhere]\n", r"priorities\[0\]'.*unknown priority"),
        ("name: x\ndata_period: 2019-10:2020-09\npriorities: [asb, asb]\n", r"priorities\[1\]'.*named twice"),
        ("name: x\ndata_period: 2020-09:2019-10\npriorities: [asb]\n", r"data_period'.*START:END"),
    ],
)
def test_a_bad_previous_file_is_one_line(sevenoaks, tmp_path, text, message):
    path = tmp_path / "previous.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_previous(path, sevenoaks.assessment)
    assert "\n" not in str(caught.value)
