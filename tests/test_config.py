"""Parameters are validated on load: each mistake is one line naming the file and field."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

import params_facts as facts
from assess.config import (
    DEFAULT_AREAS_DIR,
    DEFAULT_CRITERIA,
    DEFAULT_DATA_DIR,
    DEFAULT_PARAMS,
    DEFAULT_PRIORITIES,
    load_priorities,
    period_text,
    resolve_assessment,
    slug,
)
from assess.data.counts import read_counts
from assess.errors import ConfigError


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return read_counts(DEFAULT_DATA_DIR / "counts.csv")


def write_params(tmp_path: Path, **changes) -> Path:
    """The default assessment.yaml with some settings changed (None removes one)."""
    settings = yaml.safe_load(DEFAULT_PARAMS.read_text())
    settings["data_dir"] = str(DEFAULT_DATA_DIR)
    settings["priorities_file"] = str(DEFAULT_PRIORITIES)
    settings["criteria_file"] = str(DEFAULT_CRITERIA)
    settings["areas_dir"] = str(DEFAULT_AREAS_DIR)
    for key, value in changes.items():
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    path = tmp_path / "assessment.yaml"
    path.write_text(yaml.safe_dump(settings))
    return path


def refused(counts, path, *fragments):
    with pytest.raises(ConfigError) as caught:
        resolve_assessment(counts, path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    for fragment in fragments:
        assert fragment in message, message


class TestDefaults:
    def test_the_embedded_default(self, counts):
        assessment = resolve_assessment(counts, DEFAULT_PARAMS)
        assert assessment.area == "Sevenoaks"
        assert (assessment.period_start, assessment.period_end) == ("2022-01", "2022-12")
        assert sorted(assessment.comparators) == sorted(facts.comparators())
        # Priorities in their order, then the candidates, as priorities.yaml lists them.
        assert [p.key for p in assessment.priorities if not p.is_candidate] == facts.priorities()
        assert [p.key for p in assessment.priorities if p.is_candidate] == facts.candidates()
        assert facts.priorities() and facts.candidates()

    def test_area_alone_compares_every_area_over_the_latest_year(self, counts):
        assessment = resolve_assessment(counts, None, area="dover")
        assert assessment.area == "Dover"
        assert assessment.comparators == tuple(sorted(counts["area"].unique()))
        assert (assessment.period_start, assessment.period_end) == ("2022-01", "2022-12")

    def test_latest_twelve_months_of_a_longer_series(self):
        months = [str(p) for p in pd.period_range("2020-06", "2022-09", freq="M")]
        counts = pd.DataFrame({"area_code": "A", "area": "A", "month": months, "crime_type": "Drugs", "count": 1})
        assessment = resolve_assessment(counts, None, area="A")
        assert (assessment.period_start, assessment.period_end) == ("2021-10", "2022-09")

    def test_a_gap_in_the_latest_year_is_refused_with_a_complete_year_to_choose(self):
        months = [str(p) for p in pd.period_range("2020-05", "2022-06", freq="M") if str(p) != "2022-01"]
        counts = pd.DataFrame({"area_code": "A", "area": "A", "month": months, "crime_type": "Drugs", "count": 1})
        with pytest.raises(ConfigError) as caught:
            resolve_assessment(counts, None, area="A")
        message = str(caught.value)
        assert "the latest 12 months in the data (2021-07 to 2022-06)" in message
        assert "no counts for 2022-01" in message and "missing 2022-01" in message
        assert "--period 2021-01:2021-12" in message  # the latest 12 months without the gap
        chosen = resolve_assessment(counts, None, area="A", period=("2021-01", "2021-12"))
        assert (chosen.period_start, chosen.period_end) == ("2021-01", "2021-12")

    def test_a_period_in_words(self):
        assert period_text("2022-05", "2022-05") == "May 2022"
        assert period_text("2022-01", "2022-12") == "January to December 2022"
        assert period_text("2022-03", "2023-02") == "March 2022 to February 2023"

    def test_a_period_given_overrides_the_file(self, counts):
        assessment = resolve_assessment(counts, DEFAULT_PARAMS, period=("2022-04", "2022-09"))
        assert (assessment.period_start, assessment.period_end) == ("2022-04", "2022-09")
        with pytest.raises(ConfigError, match=r"^--period: the data have no counts for 2023-01"):
            resolve_assessment(counts, DEFAULT_PARAMS, period=("2022-07", "2023-01"))

    def test_area_is_matched_whatever_its_case_or_hyphens(self, counts):
        assert resolve_assessment(counts, None, area="tunbridge-wells").area == "Tunbridge Wells"
        assert slug("Folkestone and Hythe") == "folkestone-and-hythe"

    def test_comparators_always_include_the_area(self, counts, tmp_path):
        path = write_params(tmp_path, comparators=["Dover", "Thanet"])
        assert resolve_assessment(counts, path).comparators == ("Dover", "Sevenoaks", "Thanet")


class TestRefused:
    def test_unknown_key(self, counts, tmp_path):
        refused(counts, write_params(tmp_path, colour="blue"), "field 'colour'", "unknown setting")

    def test_wrong_type(self, counts, tmp_path):
        refused(counts, write_params(tmp_path, comparators="Dover"), "field 'comparators'", "list")

    def test_unknown_area(self, counts, tmp_path):
        refused(counts, write_params(tmp_path, area="Atlantis"), "field 'area'", "'Atlantis'", "Sevenoaks")

    def test_unknown_comparator(self, counts, tmp_path):
        refused(counts, write_params(tmp_path, comparators=["Dover", "Narnia"]), "field 'comparators'", "'Narnia'")

    def test_impossible_month(self, counts, tmp_path):
        path = write_params(tmp_path, period={"start": "2022-00", "end": "2022-12"})
        refused(counts, path, "field 'period.start'", "YYYY-MM")

    def test_period_the_data_do_not_cover(self, counts, tmp_path):
        path = write_params(tmp_path, period={"start": "2021-07", "end": "2022-06"})
        refused(counts, path, "field 'period'", "2021-07 to 2021-12", "they cover 2022-01 to 2022-12")

    def test_period_backwards(self, counts, tmp_path):
        path = write_params(tmp_path, period={"start": "2022-12", "end": "2022-01"})
        refused(counts, path, "field 'period'", "after")

    def test_missing_area(self, counts, tmp_path):
        refused(counts, write_params(tmp_path, area=None), "field 'area'", "required")

    def test_invalid_yaml(self, counts, tmp_path):
        path = tmp_path / "bad.yaml"
        path.write_text("area: Sevenoaks\nperiod: [2022-01\n")
        refused(counts, path, "invalid YAML", "line")

    def test_not_a_mapping(self, counts, tmp_path):
        path = tmp_path / "list.yaml"
        path.write_text("- Sevenoaks\n")
        refused(counts, path, "mapping")

    def test_missing_file(self, counts, tmp_path):
        refused(counts, tmp_path / "nope.yaml", "file not found")

    @pytest.mark.parametrize("what", ["judgements", "actions", "measures"])
    def test_a_file_for_every_area_is_refused(self, counts, tmp_path, what):
        """Before, one judgements (actions, measures) file served every area: it is each area's own now."""
        path = write_params(tmp_path, **{f"{what}_file": f"{what}.yaml"})
        refused(
            counts, path, "field '(top level)'", f"'{what}_file' is no longer used", f"areas/<area code>/{what}.yaml"
        )

    def test_no_area_and_no_params(self, counts):
        with pytest.raises(ConfigError, match="no area given"):
            resolve_assessment(counts, None)


class TestPriorities:
    def write(self, tmp_path, text: str) -> Path:
        path = tmp_path / "priorities.yaml"
        path.write_text(text)
        return path

    def test_unknown_crime_type(self, tmp_path):
        path = self.write(
            tmp_path, "priorities:\n  fraud:\n    title: Fraud\n    summary: s\n    crime_types: [Fraud]\n"
        )
        with pytest.raises(ConfigError, match=r"field 'priorities.fraud.crime_types'.*unknown crime type 'Fraud'"):
            load_priorities(path)

    def test_candidate_may_not_repeat_a_priority(self, tmp_path):
        path = self.write(
            tmp_path, "priorities:\n  asb: {title: A, summary: s}\ncandidates:\n  asb: {title: A, summary: s}\n"
        )
        with pytest.raises(ConfigError, match="already listed as a priority"):
            load_priorities(path)

    def test_new_candidate_needs_no_code(self, tmp_path):
        path = self.write(
            tmp_path,
            "priorities:\n  asb: {title: ASB, summary: s, crime_types: [Anti-social behaviour]}\n"
            "candidates:\n  bikes: {title: Bicycle theft, summary: s, crime_types: [Bicycle theft]}\n",
        )
        keys = [(p.key, p.is_candidate) for p in load_priorities(path)]
        assert keys == [("asb", False), ("bikes", True)]
