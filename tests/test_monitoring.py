"""Quarterly monitoring on the embedded default."""

from __future__ import annotations

import pandas as pd
import pytest

from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS
from assess.context import RunContext
from assess.errors import ConfigError
from assess.evidence import Evidence
from assess.measures import evaluate
from assess.monitoring import Monitoring, Quarter, check_quarter_end, percent_change, quarter_to_monitor
from assess.pages import ActionPlanPage, MonitoringPage


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
    # The baseline is the rest of the period, January to September, per quarter: not the quarter itself.
    rest = sac[sac["month"] <= "2022-09"]["count"].sum()
    assert sac["count"].sum() == 1282 and rest == 891
    assert table.loc["serious_acquisitive", "baseline"] == rest / 3 == 297.0
    assert table.loc["serious_acquisitive", "baseline_change"] == pytest.approx((391 - 297) / 297 * 100)
    assert table.loc["serious_acquisitive", "previous_change"] == pytest.approx((391 - 336) / 336 * 100)
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


def test_the_baseline_leaves_out_the_quarter_monitored(evidence):
    """Monitoring the third quarter: the baseline is the other nine months, per three (months by hand)."""
    table = Monitoring(evidence, Quarter("2022-09")).priority_counts().set_index("priority")
    counts = pd.read_csv(DEFAULT_DATA_DIR / "counts.csv")
    sac = counts[(counts["area"] == "Sevenoaks") & counts["crime_type"].isin(["Burglary", "Robbery", "Vehicle crime"])]
    monthly = sac.groupby("month")["count"].sum()
    others = [m for m in monthly.index if m not in ("2022-07", "2022-08", "2022-09")]
    assert len(others) == 9
    assert table.loc["serious_acquisitive", "baseline"] == pytest.approx(monthly[others].sum() / 3)
    assert Monitoring(evidence, Quarter("2022-09")).baseline_label == "January to December 2022, without this quarter"


def test_a_quarter_that_is_the_whole_period_has_no_baseline():
    short = Evidence.load(DEFAULT_PARAMS, period=("2022-10", "2022-12"))
    monitoring = Monitoring(short, Quarter("2022-12"))
    assert monitoring.priority_counts()["baseline"].isna().all()
    assert monitoring.baseline_label.startswith("none")


def test_percent_change():
    assert percent_change(120, 100) == pytest.approx(20.0)
    assert percent_change(75, 100) == pytest.approx(-25.0)
    assert percent_change(5, 0) is None and percent_change(5, None) is None


def test_partner_returns_of_priorities_police_data_cannot_see(evidence):
    rows = Monitoring(evidence, Quarter("2022-12")).partner_rows().set_index("indicator")
    assert set(rows["priority"]) == {"domestic_abuse"}
    referrals = rows.loc["DAVSS referrals"]
    # DAVSS's last quarterly return is July to September 2020: 274 referrals, 203 the quarter before.
    assert referrals["period"] == "Jul 2020 to Sep 2020" and (referrals["latest"], referrals["previous"]) == (274, 203)
    assert referrals["previous_change"] == pytest.approx((274 - 203) / 203 * 100)
    # No return a year before (Jul to Sep 2019): said, not invented.
    assert referrals["year_before"] is None and referrals["year_before_change"] is None


def test_a_partner_return_after_the_quarter_is_not_monitored(evidence):
    rows = Monitoring(evidence, Quarter("2020-06")).partner_rows().set_index("indicator")
    assert rows.loc["DAVSS referrals", "latest"] == 203 and rows.loc["DAVSS referrals", "previous"] == 204


@pytest.fixture(scope="module")
def one_quarter():
    """An assessment of one quarter, October to December 2022: the annual and the quarterly view coincide."""
    return RunContext(Evidence.load(DEFAULT_PARAMS, period=("2022-10", "2022-12")))


def test_the_plan_page_monitoring_and_evaluate_agree(one_quarter):
    run = one_quarter
    plan = {r.id: (r.value, r.status) for r in ActionPlanPage(run).measure_results()}
    monitoring = MonitoringPage(run, "2022-12").monitoring
    quarterly = {now.id: (now.value, now.status) for now, _, _ in monitoring.measures()}
    direct = {
        m.id: evaluate(
            m,
            run.assessment,
            run.tables.counts,
            run.evidence.population,
            run.tables.indicators,
            monitoring.quarter.months,
            up_to=monitoring.quarter.end_date,
        )
        for m in run.measures
    }
    assert plan == quarterly == {k: (r.value, r.status) for k, r in direct.items()}
    # The rank that showed amber on one page and red on another: one status, with its reason.
    burglary = direct["burglary_vehicle_position"]
    assert burglary.value == "11 of 13 (1 = lowest rate)" and burglary.status == "no data"
    assert "same months a year earlier (October to December 2021)" in burglary.evidence


def test_one_status_per_measure_on_the_monitoring_page(evidence):
    page = MonitoringPage(RunContext(evidence), "2022-12")
    table = page.measures_table().frame
    assert "Status this quarter" in table and not any(
        "(amber)" in str(v) or "(red)" in str(v) for v in table.values.ravel()
    )
