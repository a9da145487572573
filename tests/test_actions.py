"""The action plan: loading, the overdue rule at its date boundaries, the as-of date and the status return."""

from __future__ import annotations

from datetime import date

import pytest

import params_facts as facts
from assess.actions import STATUS_COLUMNS, Action, as_reported, load_actions, load_status_returns, parse_as_of
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


class TestAsOf:
    def test_defaults_to_the_last_day_of_the_period(self, assessment):
        assert (assessment.period_start, assessment.period_end) == ("2022-01", "2022-12")
        assert parse_as_of("", assessment) == date(2022, 12, 31)

    def test_today_only_when_asked(self, assessment):
        assert parse_as_of("today", assessment) == parse_as_of("Today", assessment) == date.today()

    def test_a_date(self, assessment):
        assert parse_as_of("2022-03-31", assessment) == date(2022, 3, 31)
        for text in ("31/03/2022", "20220331", "2022-W13-4", "2022-02-30"):
            with pytest.raises(ConfigError, match="--as-of: must be a date written YYYY-MM-DD or the word 'today'"):
                parse_as_of(text, assessment)

    def test_the_plan_at_the_period_end(self, assessment):
        """The 2021-22 plan's dated actions fell due by March 2022: at the period's end, 30 open ones are overdue."""
        actions = load_actions(assessment.actions_file, assessment)
        as_of = parse_as_of("", assessment)
        overdue = [a for a in actions if a.is_overdue(as_of)]
        assert len(overdue) == 30 and max(a.due for a in overdue) == date(2022, 3, 31)


HEADER = ",".join(STATUS_COLUMNS) + "\n"


class TestStatusReturn:
    plan = (action("2022-03"), Action("1.1", "asb", "Other", "CSU", "", "ongoing", "not reported", ""))

    def returns(self, tmp_path, rows: str):
        path = tmp_path / "status.csv"
        path.write_text(HEADER + rows, encoding="utf-8")
        return load_status_returns(path, self.plan)

    def test_the_latest_on_or_before_the_date_counts(self, tmp_path):
        returns = self.returns(
            tmp_path,
            "9.9,2022-01-10,not started,Planning,CSU\n"
            "9.9,2022-03-31,complete,Done,Kent Police\n"
            "9.9,2022-02-15,in progress,Under way,CSU\n",
        )
        at_end_of_march = {a.id: a for a in as_reported(self.plan, returns, date(2022, 3, 31))}
        done = at_end_of_march["9.9"]
        assert (done.status, done.latest_update, done.reported_by) == ("complete", "Done", "Kent Police")
        assert done.reported_on == date(2022, 3, 31) and not done.is_overdue(date(2022, 4, 1))
        # Not reported yet: keeps what the plan says.
        assert at_end_of_march["1.1"].status == "not reported" and at_end_of_march["1.1"].reported_on is None

    def test_a_return_after_the_date_is_ignored(self, tmp_path):
        returns = self.returns(tmp_path, "9.9,2022-02-15,in progress,Under way,CSU\n9.9,2022-04-02,complete,Done,CSU\n")
        (item, _) = as_reported(self.plan, returns, date(2022, 4, 1))
        assert item.status == "in progress" and item.is_overdue(date(2022, 4, 1))

    def test_an_empty_return(self, tmp_path):
        assert self.returns(tmp_path, "") == ()

    def test_the_embedded_return_is_empty(self, assessment):
        """The 2021-22 plan gave no statuses: Sevenoaks ships a header and nothing invented."""
        path = assessment.local.status_file
        assert path is not None and path.read_text(encoding="utf-8") == HEADER

    @pytest.mark.parametrize(
        "row, message",
        [
            ("8.8,2022-01-10,complete,x,CSU", r"row 2, field 'action': unknown action '8.8'"),
            ("9.9,10/01/2022,complete,x,CSU", r"row 2, field 'reported_on': must be a date written YYYY-MM-DD"),
            ("9.9,2022-01-10,done,x,CSU", r"row 2, field 'status': 'done' is not one of not reported, not started"),
            ("9.9,20220110,complete,x,CSU", r"row 2, field 'reported_on': must be a date written YYYY-MM-DD"),
            ("9.9,2022-01-10,complete,Going well, on track,CSU", r"row 2 has more fields than the 5 columns"),
        ],
    )
    def test_a_bad_row_is_one_line_naming_file_row_and_field(self, tmp_path, row, message):
        with pytest.raises(ConfigError, match="status.csv: " + message) as caught:
            self.returns(tmp_path, row + "\n")
        assert "\n" not in str(caught.value)

    def test_the_row_is_counted_as_a_spreadsheet_shows_it(self, tmp_path):
        with pytest.raises(ConfigError, match="row 4, field 'status'"):
            self.returns(
                tmp_path, "9.9,2022-01-10,complete,x,CSU\n1.1,2022-01-10,complete,x,CSU\n1.1,2022-01-11,,x,CSU\n"
            )

    def test_a_return_saved_in_another_encoding_is_one_line(self, tmp_path):
        path = tmp_path / "status.csv"
        path.write_bytes((HEADER + "9.9,2022-01-10,complete,Caf\u00e9 opened,CSU\n").encode("cp1252"))
        with pytest.raises(
            ConfigError, match="status.csv: not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'"
        ):
            load_status_returns(path, self.plan)

    def test_a_wrong_header(self, tmp_path):
        path = tmp_path / "status.csv"
        path.write_text("id,date,status\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="status.csv: the first row must be the columns action, reported_on"):
            load_status_returns(path, self.plan)
