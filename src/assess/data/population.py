"""Resident population per district: the ONS mid-year estimate, and the tidy table made from it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from assess.data.geography import Geography, checked_area_codes
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
    """Read the tidy population table `area_code, area, year, population`, keyed by code.

    A code twice in one year is refused; names are for display and need match nothing.
    """
    frame = read_table(path, POPULATION_COLUMNS)
    frame["area_code"] = checked_area_codes(frame, path)
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
    refuse_duplicates(frame, ["area_code", "year"], path, "the population of an area code in a year")
    return frame[POPULATION_COLUMNS]


def population_for(
    population: pd.DataFrame,
    year: int,
    codes: Iterable[str] | None = None,
    geography: Geography | None = None,
) -> pd.Series:
    """Population per area code from the estimate for `year` where the table holds it, else the nearest year.

    Of two years equally near, the earlier is taken (an estimate published before the
    period, as an assessment written at the time would have used). A successor authority
    without its own estimate in a year has the sum of its predecessors' estimates of that
    year, where every predecessor has one; the same rule then picks the year (so a 2019
    assessment of North Northamptonshire sums its four districts' mid-2019 estimates). The series
    carries the year used per code in `attrs["years"]`, so every rate can say which
    estimate it rests on (see `population_estimate`).

    Parameters
    ----------
    population
        The tidy table (`read_population`).
    year
        The year wanted.
    codes
        The area codes wanted (default: every code in the table); a code with no estimate
        of its own or of its predecessors is left out of the series.
    geography
        Reference of which districts merged into which (default: the embedded one).
    """
    held = population[["area_code", "year", "population"]]
    codes = list(dict.fromkeys(held["area_code"])) if codes is None else list(codes)
    geography = geography or Geography.default()
    successors = [code for code in codes if geography.predecessors(code)]
    if successors:
        sums = [_sum_of_predecessors(held, code, geography) for code in successors]
        own = set(zip(held["area_code"], held["year"]))
        sums = [s[[(c, y) not in own for c, y in zip(s["area_code"], s["year"])]] for s in sums]
        held = pd.concat([held, *sums], ignore_index=True)
    held = held[held["area_code"].isin(codes)]
    distance = (held["year"] - year).abs()
    ordered = held.assign(_distance=distance).sort_values(["area_code", "_distance", "year"])
    chosen = ordered.drop_duplicates("area_code").set_index("area_code")
    series = chosen["population"].reindex([code for code in codes if code in chosen.index]).copy()
    series.index.name = "area_code"
    series.attrs["years"] = {code: int(chosen.at[code, "year"]) for code in series.index}
    return series


def _sum_of_predecessors(held: pd.DataFrame, code: str, geography: Geography) -> pd.DataFrame:
    """Estimates of a successor as the sums of its predecessors', in years where each has one.

    A predecessor without an estimate of its own in a year is itself the sum of its predecessors'.
    """
    direct = [p for p, change in geography.changes.items() if change.successor == code]
    rows = [held[held["area_code"] == p] for p in direct]
    for p, own in zip(direct, rows.copy()):
        older = _sum_of_predecessors(held, p, geography) if geography.predecessors(p) else held.iloc[:0]
        rows.append(older[~older["year"].isin(own["year"])])
    rows = pd.concat(rows, ignore_index=True)
    complete = rows.groupby("year")["area_code"].nunique() == len(direct)
    years = complete[complete].index
    sums = rows[rows["year"].isin(years)].groupby("year", as_index=False)["population"].sum()
    return sums.assign(area_code=code)[["area_code", "year", "population"]]


def population_years(population: pd.Series) -> tuple[int, ...]:
    """The distinct years of the estimates a `population_for` series uses, earliest first."""
    years = population.attrs.get("years", {})
    return tuple(sorted({years[code] for code in population.index if code in years}))


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
    # mid-2019 footnotes the column as "Geography1"; mid-2020 writes "Geography".
    table.columns = ["Geography" if str(c).startswith("Geography") else str(c).strip() for c in raw.iloc[start]]
    districts = table[table["Geography"].isin(_DISTRICT_GEOGRAPHIES) & table["Code"].str[0].isin(["E", "W"])]
    return pd.DataFrame(
        {
            "area_code": districts["Code"].str.strip(),
            "area": districts["Name"].str.strip(),
            "year": year,
            "population": districts["All ages"].astype("int64"),
        }
    ).sort_values("area_code", ignore_index=True)
