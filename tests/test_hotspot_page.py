"""The hotspot section of a priority's page: the map, the concentration, the top neighbourhoods,
the persistent places; small counts withheld on a sensitive priority; one line without the tables.

Built from a `RunContext` on the embedded default (no notebooks run).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from assess import charts, present, wording
from assess.config import DEFAULT_PARAMS
from assess.context import RunContext
from assess.evidence import Evidence, empty_lsoa_counts
from assess.pages import PRIORITY_SECTIONS, STANDARD_SECTIONS, PriorityPage
from conftest import sensitive_asb_in_small_numbers

TOP_COLUMNS = ["Rank", "Neighbourhood", "Deprivation", "Offences", "Share", "Expected", "Hotspot"]


@pytest.fixture(scope="module")
def run() -> RunContext:
    return RunContext.load(DEFAULT_PARAMS)


@pytest.fixture(scope="module")
def section(run) -> present.Section:
    return PriorityPage(run, "serious_acquisitive").section("hotspots")


def test_the_section_follows_the_comparison_on_police_pages_only(run):
    assert STANDARD_SECTIONS[STANDARD_SECTIONS.index("comparison") + 1] == "hotspots"
    assert PRIORITY_SECTIONS["hotspots"].police_only
    partner_only = next(p for p in run.assessment.pages if not p.has_police_data)
    assert not PriorityPage(run, partner_only.key).section("hotspots")


def test_heading_map_words_and_tables_in_order(section):
    heading, chart, concentration, flagged, top, persistent = section.parts
    assert heading.text.lstrip().startswith("## Where it concentrates") and "Benjamini-Hochberg" in heading.text
    assert isinstance(chart, charts.Chart) and "Sevenoaks" in chart.title
    assert re.match(r"In Sevenoaks, \d+% of the offences were in its top 10% of neighbourhoods", concentration.text)
    assert re.search(r"against \d+% across the 13 areas compared\. Gini coefficient 0\.\d\d", concentration.text)
    assert "of the 75 neighbourhoods had more offences than an even spread would give" in flagged.text
    assert isinstance(top, present.Table) and isinstance(persistent, (present.Table, present.Text))


def test_the_top_table_names_deprivation_and_flags_hotspots(run, section):
    top = section.parts[4]
    frame = top.frame
    assert list(frame.columns) == TOP_COLUMNS  # one year of data: no change on a year earlier
    assert len(frame) == 10 and top.collapsed
    assert list(frame["Rank"]) == list(range(1, 11))
    assert frame["Offences"].is_monotonic_decreasing
    names = set(run.tables.lsoas.loc[run.tables.lsoas["area"] == "Sevenoaks", "lsoa_name"])
    assert set(frame["Neighbourhood"]) <= names
    assert all(re.fullmatch(r"\d+ \(among the \d+% (most|least) deprived\)", d) for d in frame["Deprivation"])
    assert set(frame["Hotspot"]) <= {"yes", "no"}
    # The hotspots named in words and ringed on the map are the table's "yes" rows.
    flagged = list(frame.loc[frame["Hotspot"] == "yes", "Neighbourhood"])
    assert all(name in section.parts[3].text for name in flagged)
    assert (
        f"{len(flagged)} hotspots ringed" in section.parts[1].alt
        or f"{len(flagged)} hotspot ringed" in section.parts[1].alt
    )


@pytest.mark.parametrize(
    ("decile", "words"),
    [
        (1, "1 (among the 10% most deprived)"),
        (2, "2 (among the 20% most deprived)"),
        (10, "10 (among the 10% least deprived)"),
        (None, None),
    ],
)
def test_deciles_in_words(decile, words):
    assert wording.decile_words(decile) == words


@pytest.fixture(scope="module")
def small(run) -> PriorityPage:
    """Anti-social behaviour made sensitive, with Sevenoaks' neighbourhoods holding 0 to 3 incidents each."""
    return PriorityPage(sensitive_asb_in_small_numbers(run, busy=30), "asb")


def test_small_counts_are_withheld_on_a_sensitive_priority(small):
    top = small.hotspot_table().frame
    counts = top["Incidents"]
    hidden = counts == "fewer than 5"
    assert hidden.any()
    assert not any(isinstance(v, int) and 0 < v < 5 for v in counts)
    assert (top.loc[hidden, "Share"] == "withheld").all()
    assert (top.loc[hidden, "Hotspot"] == "withheld").all()
    chart = small.hotspot_map()
    assert chart.subtitle.endswith("neighbourhoods whose counts are withheld are left off")
    # Neither a total nor a hexagon's figure is said where counts are left off.
    assert " incidents in " not in chart.alt
    words = small._concentration_words(small.where)
    assert "withheld" in words and "Gini coefficient 0" not in words


def test_an_area_without_small_area_tables_gets_one_line(run):
    bare = RunContext(Evidence(run.assessment, replace(run.tables, lsoa_counts=empty_lsoa_counts())))
    (heading, line) = PriorityPage(bare, "serious_acquisitive").section("hotspots").parts
    assert isinstance(line, present.Text)
    assert "lsoa_counts.csv" in line.text and "`assess ingest`" in line.text


def test_the_section_renders_as_html(section):
    markup = "".join(p._repr_html_() for p in section.parts[1:])
    assert markup.count("<picture>") == 1 and "<details" in markup


def test_persistent_places_fit_a_phone_as_a_table(section):
    persistent = section.parts[5]
    assert list(persistent.frame.columns) == ["Neighbourhood", "In the top 10%", "Quarters"]
    assert len(persistent.frame.columns) < present.Table.STACK_FROM_COLUMNS
    assert all(re.fullmatch(r"[34] of 4 quarters \([1-4] in a row\)", t) for t in persistent.frame["In the top 10%"])
    assert all("January" not in q for q in persistent.frame["Quarters"])
