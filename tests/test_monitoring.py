"""Quarterly monitoring on the embedded default."""

from __future__ import annotations

import pandas as pd
import pytest

from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS
from assess.errors import ConfigError
from assess.evidence import Evidence
from assess.monitoring import Monitoring, Quarter, check_quarter_end, quarter_to_monitor


@pytest.fixture(scope="module")
def evidence():
    return Evidence.load(DEFAULT_PARAMS)


def test_quarter_arithmetic():
    quarter = Quarter("2022-12")
    assert quarter.months == ["2022-10", "2022-11", "2022-12"]
    assert quarter.shifted(1).end == "2022-09" and quarter.shifted(4).end == "2021-12"
    assert quarter.label == "Oct to Dec 2022"


def test_counts_against_an_independent_sum(evidence):
    table = Monitoring(evidence, Quarter("2022-12")).priority_counts().set_index("priority")
    counts = pd.read_csv(DEFAULT_DATA_DIR / "counts.csv")
    sac = counts[(counts["area"] == "Sevenoaks") & counts["crime_type"].isin(["Burglary", "Robbery", "Vehicle crime"])]
    q4 = sac[sac["month"] >= "2022-10"]["count"].sum()
    q3 = sac[(sac["month"] >= "2022-07") & (sac["month"] <= "2022-09")]["count"].sum()
    assert table.loc["serious_acquisitive", "quarter"] == q4 == 391
    assert table.loc["serious_acquisitive", "previous"] == q3 == 336
    assert table.loc["serious_acquisitive", "baseline"] == pytest.approx(sac["count"].sum() / 4)
    # No data for October to December 2021: said, not invented.
    assert table["year_before"].isna().all()


def test_the_missing_year_is_said(evidence):
    note = Monitoring(evidence, Quarter("2022-12")).reach_note
    assert "same quarter a year earlier (Oct to Dec 2021)" in note


def test_a_default_quarter_the_data_lack_is_skipped_with_a_note_not_refused():
    short = Evidence.load(DEFAULT_PARAMS, period=("2022-01", "2022-02"))
    quarter, note = quarter_to_monitor("", short)
    assert quarter is None
    assert "no counts for 2021-12, so the quarter Dec 2021 to Feb 2022 cannot" in note and "--quarter-end" in note
    with pytest.raises(ConfigError, match="the quarter ending with the assessment period .* give --quarter-end"):
        check_quarter_end("", short)  # --monitoring asks for it: then it is an error
    assert quarter_to_monitor("2022-06", short) == (Quarter("2022-06"), "")


def test_quarter_outside_the_data(evidence):
    with pytest.raises(ConfigError, match="no counts for 2023-01"):
        check_quarter_end("2023-03", evidence)
    with pytest.raises(ConfigError, match="YYYY-MM"):
        check_quarter_end("Q4 2022", evidence)
