"""Another force's real download, as a partnership outside Kent would bring it: Northumbria Police,
33 gzipped months (2020-05 to 2023-02) with 2022-01 genuinely missing, five metropolitan
boroughs and a unitary authority.

The ingest and the resolution of the assessment are fast and run in the unit layer; one full
run of Gateshead reads its pages as a Gateshead board member would.
"""

from __future__ import annotations

import gzip
import re

import pandas as pd
import pytest

from assess.batch import RunOptions, _counties, default_out_dir
from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS, resolve_assessment
from assess.data.counts import read_counts, write_counts
from assess.data.geography import Geography
from assess.data.indicators import INDICATOR_COLUMNS
from assess.data.police_uk import ingest_street_files, read_street_files
from assess.data.population import population_for, read_population
from assess.data.small_areas import write_lsoa_counts, write_lsoa_points
from assess.errors import ConfigError
from assess.evidence import Evidence
from conftest import SHARED_DATA, assess, street_row

NORTHUMBRIA_DIR = SHARED_DATA / "police-uk" / "northumbria"
NORTHUMBRIA = {
    "E08000037": "Gateshead",
    "E08000021": "Newcastle upon Tyne",
    "E08000022": "North Tyneside",
    "E06000057": "Northumberland",
    "E08000023": "South Tyneside",
    "E08000024": "Sunderland",
}
# Words of the embedded Sevenoaks example that must never reach another force's pages.
FOREIGN = re.compile(r"Sevenoaks|Kent|DAVSS|West Kent|Medway|Tonbridge|Shepway")


@pytest.fixture(scope="module")
def northumbria(tmp_path_factory):
    """A data folder holding only the tables ingested from the 33 real files (population is the default's)."""
    folder = tmp_path_factory.mktemp("northumbria")
    ingested = ingest_street_files([NORTHUMBRIA_DIR], Geography.default())
    write_counts(ingested.counts, folder / "counts.csv")
    write_lsoa_counts(ingested.lsoa_counts, folder / "lsoa_counts.csv")
    write_lsoa_points(ingested.lsoa_points, folder / "lsoa_points.csv")
    return folder, ingested.report


def independent_month_totals() -> dict[str, int]:
    """Records per month straight from the gzipped files, without the package."""
    totals = {}
    for path in sorted(NORTHUMBRIA_DIR.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            frame = pd.read_csv(handle, usecols=["Month", "LSOA code"], dtype=str)
        for month, n in frame["Month"].value_counts().items():
            totals[month] = totals.get(month, 0) + int(n)
    return totals


def test_the_gap_and_the_months_are_reported(northumbria):
    _, report = northumbria
    assert report.gaps == {"Northumbria": ["2022-01"]}
    assert any(
        "Northumbria: 2020-05 to 2023-02, 33 of 34 months; missing 2022-01" in line for line in report.summary_lines()
    )


def test_the_six_districts_by_code_and_every_record_accounted_for(northumbria):
    folder, report = northumbria
    counts = read_counts(folder / "counts.csv")
    assert dict(counts[["area_code", "area"]].drop_duplicates().itertuples(index=False)) == NORTHUMBRIA
    expected = independent_month_totals()
    assert report.total_rows == sum(expected.values()) == 524_070
    placed = counts.groupby("month")["count"].sum()
    left_out = sum(report.not_placed.values())
    assert int(placed.sum()) + left_out == report.total_rows
    assert "2022-01" not in placed.index and len(placed) == 33


def test_an_area_is_compared_within_its_own_force_over_the_latest_year(northumbria):
    folder, _ = northumbria
    evidence = Evidence.load(None, "gateshead", folder)
    a = evidence.assessment
    assert (a.area, a.area_code, a.force) == ("Gateshead", "E08000037", "Northumbria")
    assert set(a.comparators) == set(NORTHUMBRIA.values())
    assert (a.period_start, a.period_end) == ("2022-03", "2023-02")
    # Joined by code: the mid-2020 estimates of the six districts.
    assert evidence.population["Gateshead"] == 201_950 and evidence.population_estimate == "mid-2020 estimate"
    # Given by code, the same area.
    assert Evidence.load(None, "E08000037", folder).assessment.area == "Gateshead"
    assert default_out_dir(a).parts[-3:] == ("northumbria", "2022-03_to_2023-02", "gateshead")


def test_year_on_year_compares_the_months_held_in_both_years(northumbria):
    folder, _ = northumbria
    results = Evidence.load(None, "Sunderland", folder)
    from assess.results import Results

    trend = Results(results).criteria_table().query("priority == 'serious_acquisitive' and criterion == 'trend'")
    evidence = trend["evidence"].iloc[0]
    assert "March 2022 to February 2023 without 2023-01" in evidence
    assert "the same months a year earlier (2022-01 is missing from the data)" in evidence
    # Checked by hand against the tidy table: the 11 paired months of each year.
    counts = read_counts(folder / "counts.csv")
    types = ["Burglary", "Robbery", "Vehicle crime"]
    mine = counts[(counts["area"] == "Sunderland") & counts["crime_type"].isin(types)]
    now = [str(p) for p in pd.period_range("2022-03", "2023-02", freq="M") if str(p) != "2023-01"]
    then = [str(pd.Period(m, freq="M") - 12) for m in now]
    current = int(mine[mine["month"].isin(now)]["count"].sum())
    before = int(mine[mine["month"].isin(then)]["count"].sum())
    assert evidence.startswith(f"{current:,} in March 2022 to February 2023 without 2023-01 against {before:,} in")


def test_a_period_across_the_gap_is_refused_before_anything_runs(northumbria):
    folder, _ = northumbria
    counts = read_counts(folder / "counts.csv")
    with pytest.raises(ConfigError) as caught:
        resolve_assessment(counts, None, "Gateshead", folder, period=("2021-07", "2022-06"))
    message = str(caught.value)
    assert message.startswith("--period: the data have no counts for 2022-01")
    assert "--period 2022-03:2023-02" in message  # the latest complete 12 months


def test_two_forces_in_one_data_folder_stay_apart(northumbria, tmp_path):
    folder, _ = northumbria
    kent = read_counts(DEFAULT_DATA_DIR / "counts.csv")
    both = pd.concat([read_counts(folder / "counts.csv"), kent], ignore_index=True)
    write_counts(both, tmp_path / "counts.csv")
    counties = _counties(RunOptions(data_dir=tmp_path))
    forces = {c.assessment.force: set(c.assessment.comparators) for c in counties}
    assert forces["Northumbria"] == set(NORTHUMBRIA.values())
    assert len(forces["Kent"]) == 13 and "Sevenoaks" in forces["Kent"]
    assert {c.assessment.period_label for c in counties} == {"2022-03_to_2023-02", "2022-01_to_2022-12"}


@pytest.mark.e2e
def test_gateshead_pages_carry_no_other_areas_words(northumbria, tmp_path):
    folder, _ = northumbria
    out = tmp_path / "gateshead"
    result = assess("run", "--data-dir", str(folder), "--area", "Gateshead", "--out", str(out))
    assert result.returncode == 0, result.stderr
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 11  # index, six priorities, action plan, scoring, monitoring, glossary
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found = FOREIGN.search(text)
        assert found is None, f"{page.name} says {found.group(0)!r}"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "assess init E08000037" in index
    assert "Gateshead is compared with the other 5 areas" in index


# --- every district of every territorial force ------------------------------------------------


def every_force_files(write_street, month: str) -> list:
    """One street file per force: a record in every district the LSOAs of its area lie in (England by
    the LSOA lookup, whose districts are 2019's; Wales by LSOA names), and one in another force's."""
    geography = Geography.default()
    forces = pd.read_csv(DEFAULT_DATA_DIR / "forces.csv", dtype=str)
    lookup = pd.read_csv(DEFAULT_DATA_DIR / "lsoa_lookup.csv", dtype=str).drop_duplicates("area_code")
    lsoas = [(row.area_code, row.lsoa_code, row.lsoa_name) for row in lookup.itertuples(index=False)]
    welsh = [code for code in geography.forces if code.startswith("W")]
    lsoas += [(code, f"W0199{i:04d}", f"{geography.name(code)} 001A") for i, code in enumerate(welsh)]
    files = []
    for force in forces.itertuples(index=False):
        own = [lsoa for lsoa in lsoas if geography.force(lsoa[0]) == force.force]
        other = next(lsoa for lsoa in lsoas if geography.force(lsoa[0]) != force.force)
        rows = [
            street_row(month=month, lsoa_code=code, lsoa_name=name, force=force.falls_within.split("|")[-1])
            for _, code, name in [*own, other]
        ]
        files.append(write_street(f"{month}-{force.police_uk_id}-street.csv", rows))
    return files


def districts_of_force(geography: Geography, force: str, month: str) -> tuple[str, ...]:
    """The codes of a force's districts as they were in a month: a successor from its first day, its
    predecessors until then (from the reference's tables, independently of ingest)."""
    created = {}
    for change in geography.changes.values():
        created[change.successor] = min(created.get(change.successor, change.effective), change.effective)
    candidates = set(geography.forces) | set(geography.changes)
    return tuple(
        sorted(
            code
            for code in candidates
            if geography.force(code) == force
            and geography.current(code, month) == code
            and created.get(code, "") <= f"{month}-01"
        )
    )


@pytest.mark.parametrize("month", ["2022-06", "2024-01"])
def test_every_district_of_every_force_is_placed_compared_and_has_residents(write_street, month):
    geography = Geography.default()
    counts, report = read_street_files(every_force_files(write_street, month), geography)
    forces = pd.read_csv(DEFAULT_DATA_DIR / "forces.csv", dtype=str)["force"]
    assert len(forces) == 43 and report.forces == set(forces)
    assert +report.not_placed == {"in a district of another force": 43}
    # Districts as they were in the month: 2023's unitaries after April 2023, their predecessors before.
    expected = {code for force in forces for code in districts_of_force(geography, force, month)}
    assert set(counts["area_code"]) == expected
    assert ("E06000063" in expected) == (month >= "2023-04") and ("E07000026" in expected) == (month < "2023-04")
    population = read_population(DEFAULT_DATA_DIR / "population.csv")
    residents = population_for(population, int(month[:4]), sorted(expected))
    assert set(residents.index) == expected and (residents > 1_000).all()
    # Each district compared with its own force's, whatever the other forces in the table.
    for force in ("Cumbria", "Dorset", "Dyfed-Powys", "Metropolitan Police"):
        codes = districts_of_force(geography, force, month)
        area = counts.loc[counts["area_code"] == codes[0], "area"].iloc[0]
        assessment = resolve_assessment(counts, None, area)
        assert assessment.force == force and set(assessment.codes.values()) == set(codes)


def test_partner_figures_join_by_code_and_no_other_places_figure_is_kept(northumbria, tmp_path):
    folder, _ = northumbria
    data = tmp_path / "data"
    data.mkdir()
    (data / "counts.csv").write_bytes((folder / "counts.csv").read_bytes())
    (data / "partners").mkdir()
    year = ("2022-04-01", "2023-03-31")
    rows = [
        ("Admissions", "substance_misuse", "GATESHEAD", *year, 310, "count", "NHS"),  # a name in capitals
        ("Admissions", "substance_misuse", "Newcastle-upon-Tyne", *year, 620, "count", "NHS"),  # hyphens
        ("Admissions", "substance_misuse", "E08000024", *year, 400, "count", "NHS"),  # Sunderland, by code
        ("Admissions", "substance_misuse", "Kent", *year, 9000, "count", "Kent Police / DAVSS"),  # a county
        ("Admissions", "substance_misuse", "Sevenoaks", *year, 80, "count", "NHS"),  # another force's district
        ("Admissions", "substance_misuse", "Sevenoaks DC", *year, 81, "count", "NHS"),  # an unknown place
    ]
    pd.DataFrame(rows, columns=INDICATOR_COLUMNS).to_csv(data / "partners" / "admissions.csv", index=False)
    table = Evidence.load(None, "Gateshead", data).tables.indicators
    assert dict(zip(table["area"], table["value"])) == {
        "Gateshead": 310,
        "Newcastle upon Tyne": 620,
        "Sunderland": 400,
    }


def test_a_table_of_districts_before_and_after_a_merger_counts_them_as_the_successor(tmp_path):
    # Northamptonshire: seven districts to March 2021, two unitaries from April 2021.
    old = {
        "E07000150": 5,
        "E07000151": 6,
        "E07000152": 7,
        "E07000153": 8,
        "E07000154": 9,
        "E07000155": 10,
        "E07000156": 11,
    }
    rows = [(code, "2021-03", "Burglary", n) for code, n in old.items()]
    rows += [("E06000061", "2021-04", "Burglary", 100), ("E06000062", "2021-04", "Burglary", 200)]
    pd.DataFrame(rows, columns=["area_code", "month", "crime_type", "count"]).to_csv(
        tmp_path / "counts.csv", index=False
    )
    counts = read_counts(tmp_path / "counts.csv")
    march = counts[counts["month"] == "2021-03"].set_index("area")["count"].to_dict()
    # North: Corby, East Northamptonshire, Kettering, Wellingborough.
    # West: Daventry, Northampton, South Northamptonshire.
    assert march == {"North Northamptonshire": 5 + 7 + 8 + 11, "West Northamptonshire": 6 + 9 + 10}
    assessment = resolve_assessment(counts, None, "north northamptonshire", period=("2021-04", "2021-04"))
    assert assessment.comparators == ("North Northamptonshire", "West Northamptonshire")


def test_an_area_of_another_force_is_not_compared_with_the_files_county(northumbria):
    folder, _ = northumbria
    counts = pd.concat([read_counts(folder / "counts.csv"), read_counts(DEFAULT_DATA_DIR / "counts.csv")])
    with pytest.raises(
        ConfigError, match=r"Gateshead \(Northumbria\) is not among them, and they are districts of Kent"
    ):
        resolve_assessment(counts, DEFAULT_PARAMS, "Gateshead", period=("2022-03", "2022-12"))


def test_hotspots_on_real_data_compare_each_neighbourhood_with_a_year_earlier(northumbria):
    """Gateshead, May to December 2021 against the same months of 2020: each top LSOA's pair, summed
    independently from the ingested small-area table, with its change."""
    from assess.context import RunContext
    from assess.pages import PriorityPage

    folder, _ = northumbria
    run = RunContext.load(None, "Gateshead", folder, ("2021-05", "2021-12"))
    table = PriorityPage(run, "serious_acquisitive").hotspot_table().frame
    lsoa = pd.read_csv(folder / "lsoa_counts.csv")
    types = run.assessment.priority("serious_acquisitive").crime_types
    months = lsoa["month"].str[5:].between("05", "12")
    mine = lsoa[(lsoa["area_code"] == run.assessment.area_code) & lsoa["crime_type"].isin(types) & months]
    by_year = mine.assign(year=mine["month"].str[:4]).groupby(["year", "lsoa_code"])["count"].sum()
    names = Geography.default().lsoas.set_index("lsoa_code")["lsoa_name"]
    first = table.iloc[0]
    code = names[names == first.iloc[1]].index[0]
    assert int(str(first["Offences"]).replace(",", "")) == by_year["2021"][code]
    assert int(str(first["A year earlier"]).replace(",", "")) == by_year["2020"].get(code, 0)
    assert first["Change"].startswith(("up", "down", "no change"))
