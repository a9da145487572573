"""The partner figures of a priority's page: one compact row per indicator, on the real embedded returns."""

import pandas as pd
import pytest

from assess.config import DEFAULT_PARAMS
from assess.context import RunContext
from assess.data.indicators import INDICATOR_COLUMNS
from assess.evidence import Evidence
from assess.pages.priority import PriorityPage
from assess.sparkline import Sparkline


@pytest.fixture(scope="module")
def run():
    return RunContext.load(DEFAULT_PARAMS)


def figures(run, key):
    table, sources = PriorityPage(run, key).partner_figures()
    return table, sources


def test_one_row_per_indicator(run):
    table, _ = figures(run, "domestic_abuse")
    returned = run.tables.indicators
    davss = returned[(returned["priority"] == "domestic_abuse")]
    assert len(davss) == 28 and len(table.frame) == davss["indicator"].nunique() == 10
    assert table.frame["Indicator"].is_unique
    # West Kent's figure is not the assessed area's: the area is said.
    assert dict(zip(table.frame["Indicator"], table.frame["Area"]))["Stalking victims supported by PAS"] == "West Kent"


def test_the_burglary_pair_and_its_change(run):
    frame = figures(run, "serious_acquisitive")[0].frame.set_index("Indicator")
    row = frame.loc["Residential burglaries"]
    assert (row["Latest"], row["Period"]) == ("493", "Oct 2019 to Sep 2020")
    assert row["Compared with"] == "743 (Oct 2018 to Sep 2019)"
    assert row["Change"] == "down 34%, more than chance (p < 0.001)"
    # Only the assessed area's figures: no area column.
    assert "Area" not in frame.columns


def test_quarters_against_the_quarter_before_with_the_criterions_dispersion(run):
    row = figures(run, "domestic_abuse")[0].frame.set_index("Indicator").loc["DAVSS referrals"]
    assert row["Compared with"] == "203 (Apr 2020 to Jun 2020)"
    assert row["Change"].startswith("up 35%, could be chance")
    assert row["Periods held"] == 4


def test_source_and_staleness_said_once(run):
    table, sources = figures(run, "domestic_abuse")
    assert "Source" not in table.frame.columns and "Status" not in table.frame.columns
    assert sources.items == (
        "Source: DAVSS quarterly return (Sevenoaks District CSP Action Plan 2021-22): "
        "figures for Oct 2019 to Sep 2020, older than the assessment period.",
        "Source: Protection Against Stalking (Sevenoaks District CSP Action Plan 2021-22): "
        "figures for Oct 2019 to Sep 2020, older than the assessment period.",
    )


def test_values_formatted_by_unit(run):
    table, _ = figures(run, "domestic_abuse")
    html = table._repr_html_()
    assert "4,683.0" not in html and "6,257" in html
    alcohol = (
        figures(run, "substance_misuse")[0].frame.set_index("Indicator").loc["Alcohol-related hospital admissions"]
    )
    assert (
        alcohol["Latest"] == "516.0" and alcohol["Change"] == "up 11%, not tested (a rate returned without its count)"
    )


def test_the_sparkline_says_its_figures_and_holds_no_text(run):
    table, _ = figures(run, "substance_misuse")
    line = table.frame.set_index("Indicator").loc["Alcohol-related hospital admissions", "Series"]
    assert isinstance(line, Sparkline)
    assert line.label == (
        "10 periods: first 455.0 (Apr 2008 to Mar 2009), last 516.0 (Apr 2017 to Mar 2018), "
        "lowest 436.0 (Apr 2013 to Mar 2014), highest 516.0 (Apr 2017 to Mar 2018)"
    )
    svg = line.__html__()
    assert svg.startswith('<svg class="assess-sparkline" role="img" aria-label="10 periods: first 455.0')
    assert "<text" not in svg
    assert svg in table._repr_html_()
    # Higher values are drawn higher: the last point (the highest) at the top.
    assert line.points()[-1][1] == min(y for _, y in line.points())


def partner_returns(tmp_path, rows) -> RunContext:
    from tests.test_disclosure import data_folder

    folder = data_folder(tmp_path, {(a, "Burglary"): [9] * 24 for a in ("Sevenoaks", "Dover", "Thanet")})
    (folder / "partners").mkdir()
    pd.DataFrame(rows, columns=INDICATOR_COLUMNS).to_csv(folder / "partners" / "return.csv", index=False)
    return RunContext(Evidence.load(None, "Sevenoaks", folder))


def test_a_small_sensitive_count_hides_its_change_and_its_sparkline(tmp_path):
    quarters = [("2022-01-01", "2022-03-31"), ("2022-04-01", "2022-06-30"), ("2022-07-01", "2022-09-30")]
    rows = [
        ("Referrals", "domestic_abuse", "Sevenoaks", *q, v, "count", "Refuge") for q, v in zip(quarters, (30, 3, 40))
    ]
    rows += [("Calls", "domestic_abuse", "Sevenoaks", *q, v, "count", "Refuge") for q, v in zip(quarters, (30, 38, 40))]
    frame = PriorityPage(partner_returns(tmp_path, rows), "domestic_abuse").partner_figures()[0].frame
    referrals = frame.set_index("Indicator").loc["Referrals"]
    assert referrals["Latest"] == "40" and referrals["Compared with"] == "fewer than 5 (Apr 2022 to Jun 2022)"
    assert referrals["Change"] == "change withheld: small numbers on a sensitive subject"
    assert referrals["Series"] == "withheld (small numbers on a sensitive subject)"
    calls = frame.set_index("Indicator").loc["Calls"]
    assert calls["Change"].startswith("up 5%, could be chance") and isinstance(calls["Series"], Sparkline)
