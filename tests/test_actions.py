"""The action plan: loading, and the overdue rule at its date boundaries."""

from __future__ import annotations

from datetime import date

import pytest

import params_facts as facts
from assess.actions import Action, load_actions, parse_as_of
from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS, resolve_assessment
from assess.data.counts import read_counts
from assess.errors import ConfigError


@pytest.fixture(scope="module")
def assessment():
    return resolve_assessment(read_counts(DEFAULT_DATA_DIR / "counts.csv"), DEFAULT_PARAMS)


def action(by_when="2022-03", status="not reported") -> Action:
    return Action("9.9", "asb", "Do something", "CSU", "", by_when, status, "")


class TestOverdue:
    def test_due_at_the_end_of_its_month(self):
        assert action("2022-02").due == date(2022, 2, 28)
        assert action("2024-02").due == date(2024, 2, 29)

    def test_not_overdue_on_the_last_day(self):
        assert not action().is_overdue(date(2022, 3, 31))

    def test_overdue_the_day_after(self):
        assert action().is_overdue(date(2022, 4, 1))

    def test_complete_or_cancelled_is_never_overdue(self):
        assert not action(status="complete").is_overdue(date(2030, 1, 1))
        assert not action(status="cancelled").is_overdue(date(2030, 1, 1))

    @pytest.mark.parametrize("status", ["not reported", "not started", "in progress"])
    def test_open_statuses_can_be_overdue(self, status):
        assert action(status=status).is_overdue(date(2022, 4, 1))

    def test_ongoing_is_never_overdue(self):
        assert action("ongoing").due is None and not action("ongoing").is_overdue(date(2099, 1, 1))


class TestLoad:
    def test_the_plan_actions(self, assessment):
        actions = load_actions(assessment.actions_file, assessment)
        assert len(actions) == len(facts.actions())
        by_id = {a.id: a for a in actions}
        assert by_id["1.5"].lead == "Kent Police" and by_id["1.5"].due == date(2021, 12, 31)
        assert by_id["6.2"].due == date(2020, 9, 30)
        assert sum(a.is_overdue(date(2022, 12, 31)) for a in actions) == 30

    def write(self, tmp_path, text):
        path = tmp_path / "actions.yaml"
        path.write_text(text)
        return path

    def test_bad_deadline(self, tmp_path, assessment):
        path = self.write(tmp_path, "actions:\n  - {id: '1', priority: asb, action: a, lead: b, by_when: March 2022}\n")
        with pytest.raises(ConfigError, match=r"field 'actions.0.by_when'.*YYYY-MM or 'ongoing'"):
            load_actions(path, assessment)

    def test_unknown_status(self, tmp_path, assessment):
        path = self.write(
            tmp_path, "actions:\n  - {id: '1', priority: asb, action: a, lead: b, by_when: ongoing, status: done}\n"
        )
        with pytest.raises(ConfigError, match="field 'actions.0.status'"):
            load_actions(path, assessment)

    def test_unknown_priority(self, tmp_path, assessment):
        path = self.write(tmp_path, "actions:\n  - {id: '1', priority: fraud, action: a, lead: b, by_when: ongoing}\n")
        with pytest.raises(ConfigError, match="unknown priority 'fraud'"):
            load_actions(path, assessment)

    def test_duplicate_id(self, tmp_path, assessment):
        item = "  - {id: '1', priority: asb, action: a, lead: b, by_when: ongoing}\n"
        with pytest.raises(ConfigError, match="listed twice"):
            load_actions(self.write(tmp_path, "actions:\n" + item + item), assessment)

    def test_as_of(self):
        assert parse_as_of("2022-03-31") == date(2022, 3, 31)
        assert parse_as_of("") == date.today()
        with pytest.raises(ConfigError, match="--as-of"):
            parse_as_of("31/03/2022")
