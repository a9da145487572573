"""Resident population per district: the ONS mid-year estimate, and the tidy table made from it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assess.data.tables import read_table, refuse_duplicates, to_number, whole_between
from assess.errors import InputError

POPULATION_COLUMNS = ["area_code", "area", "year", "population"]
MIN_POPULATION = 1_000
"""The fewest residents a district may have: the smallest (Isles of Scilly) has over 2,000, so
fewer is a figure in thousands or a typing mistake, and rates per 1,000 would explode."""
MAX_POPULATION = 100_000_000
"""The most residents a district may have: more than the whole United Kingdom."""
YEARS = (1900, 2100)
"""The first and last year an estimate may be for; outside them the year is a typing mistake."""
# The geographies that are community safety districts (lower-tier or unitary authorities).
_DISTRICT_GEOGRAPHIES = {
    "Non-metropolitan District",
    "Unitary Authority",
    "Metropolitan District",
    "London Borough",
}


def read_population(path: Path) -> pd.DataFrame:
    """Read the tidy population table `area_code, area, year, population`."""
    frame = read_table(path, POPULATION_COLUMNS)
    frame["population"] = to_number(
        frame,
        "population",
        path,
        f"a whole number of residents from {MIN_POPULATION:,} to {MAX_POPULATION:,}",
        whole_between(MIN_POPULATION, MAX_POPULATION),
    )
    frame["year"] = to_number(
        frame, "year", path, f"a year from {YEARS[0]} to {YEARS[1]}, such as 2020", whole_between(*YEARS)
    ).astype("int64")
    refuse_duplicates(frame, ["area", "year"], path, "the population of an area in a year")
    return frame[POPULATION_COLUMNS]


def population_for(population: pd.Series | pd.DataFrame, year: int) -> pd.Series:
    """Population per area from the estimate for `year` where the table holds it, else the nearest year.

    Of two years equally near, the earlier is taken (an estimate published before the
    period, as an assessment written at the time would have used). The series carries the
    year used per area in `attrs["years"]`, so every rate can say which estimate it rests on
    (see `population_estimate`).
    """
    distance = (population["year"] - year).abs()
    ordered = population.assign(_distance=distance).sort_values(["area", "_distance", "year"])
    chosen = ordered.drop_duplicates("area").set_index("area")
    series = chosen["population"].copy()
    series.attrs["years"] = {area: int(y) for area, y in chosen["year"].items()}
    return series


def population_years(population: pd.Series) -> tuple[int, ...]:
    """The distinct years of the estimates a `population_for` series uses, earliest first."""
    years = population.attrs.get("years", {})
    return tuple(sorted({years[area] for area in population.index if area in years}))


def population_estimate(population: pd.Series) -> str:
    """Which estimate the residents are, in words: 'mid-2020 estimate' (or 'mid-2019 to mid-2020 estimates')."""
    years = population_years(population)
    if not years:
        return ""
    if len(years) == 1:
        return f"mid-{years[0]} estimate"
    return f"mid-{years[0]} to mid-{years[-1]} estimates"


def read_ons_mid_year_estimate(path: Path, year: int) -> pd.DataFrame:
    """Districts of England and Wales from an ONS MYE2 persons workbook (legacy .xls).

    The header row (Code, Name, Geography, All ages, ...) sits below several lines of
    notes, so it is found rather than assumed.
    """
    raw = pd.read_excel(path, sheet_name="MYE2 - Persons", header=None, engine="calamine")
    header_rows = raw.index[raw.iloc[:, 0].astype(str).str.strip() == "Code"]
    if header_rows.empty:
        raise InputError(f"{path}: sheet 'MYE2 - Persons' has no header row starting 'Code'")
    start = header_rows[0]
    table = raw.iloc[start + 1 :].copy()
    table.columns = [str(c).strip() for c in raw.iloc[start]]
    districts = table[table["Geography"].isin(_DISTRICT_GEOGRAPHIES) & table["Code"].str[0].isin(["E", "W"])]
    return pd.DataFrame(
        {
            "area_code": districts["Code"].str.strip(),
            "area": districts["Name"].str.strip(),
            "year": year,
            "population": districts["All ages"].astype("int64"),
        }
    ).sort_values("area_code", ignore_index=True)
