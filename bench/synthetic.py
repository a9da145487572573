"""Synthetic national data in the real formats, for the benchmark.

`write_national_year`: data.police.uk street-level files. Every force area of England and
Wales (from data/districts.csv), twelve months, rows spread over each force's districts with
realistic LSOA names ("<district> NNNX"), crime types, Crime IDs (64 hex characters, empty
for ASB) and outcomes, written with pyarrow.

`write_national_counts`: the counts table `assess ingest` writes (`counts.csv`), for every
district of England and Wales that existed in the year, at Kent's rates per resident.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from assess.config import DEFAULT_DATA_DIR
from assess.data.counts import write_counts
from assess.data.geography import Geography
from assess.data.police_uk import CRIME_TYPES, STREET_COLUMNS

OUTCOMES = [
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Status update unavailable",
    "",
]


def write_national_year(folder: Path, rows: int, year: int = 2022, seed: int = 1) -> list[Path]:
    """Write one file per force and month, `rows` records in all; returns the paths."""
    rng = np.random.default_rng(seed)
    districts = pd.read_csv(DEFAULT_DATA_DIR / "districts.csv")
    forces = sorted(districts["force"].unique())
    per_file = max(1, rows // (len(forces) * 12))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for force in forces:
        names = districts.loc[districts["force"] == force, "area"].to_numpy()
        offsets = districts.index[districts["force"] == force].to_numpy()
        for month in range(1, 13):
            n = per_file
            which = rng.integers(0, len(names), n)
            district = names[which]
            lsoa_number = rng.integers(1, 40, n)
            letter_index = rng.integers(0, 5, n)
            letter = np.array(list("ABCDE"))[letter_index]
            # One code per LSOA name, as in the real files (about 66,000 nationally).
            code = 900000 + offsets[which] * 200 + lsoa_number * 5 + letter_index
            crime_type = np.array(CRIME_TYPES)[rng.integers(0, len(CRIME_TYPES), n)]
            is_asb = crime_type == "Anti-social behaviour"
            ids = rng.integers(0, 2**63, (n, 4), dtype=np.int64)
            crime_id = np.array([f"{a:016x}{b:016x}{c:016x}{d:016x}" for a, b, c, d in ids])
            crime_id[is_asb] = ""
            lsoa_name = np.char.add(
                np.char.add(district.astype(str), " "), np.char.add(np.char.zfill(lsoa_number.astype(str), 3), letter)
            )
            table = pa.table(
                {
                    "Crime ID": crime_id,
                    "Month": np.full(n, f"{year}-{month:02d}"),
                    "Reported by": np.full(n, f"{force} Police"),
                    "Falls within": np.full(n, f"{force} Police"),
                    "Longitude": np.round(rng.uniform(-3, 1, n), 6).astype(str),
                    "Latitude": np.round(rng.uniform(50.5, 54, n), 6).astype(str),
                    "Location": np.full(n, "On or near High Street"),
                    "LSOA code": np.char.add("E01", code.astype(str)),  # above every real LSOA code
                    "LSOA name": lsoa_name,
                    "Crime type": crime_type,
                    "Last outcome category": np.where(is_asb, "", np.array(OUTCOMES)[rng.integers(0, 5, n)]),
                    "Context": np.full(n, ""),
                }
            )
            assert table.column_names == list(STREET_COLUMNS)
            path = folder / f"{year}-{month:02d}-{force.lower().replace(' ', '-')}-street.csv"
            pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
            paths.append(path)
    return paths


def districts_of_year(year: int, forces: int | None = None) -> pd.DataFrame:
    """The districts (`area_code, area, force`) that existed throughout `year`, of the first `forces`
    forces by name (all when None): no predecessor merged away by then, no successor made after it."""
    geography = Geography.default()
    districts = pd.read_csv(DEFAULT_DATA_DIR / "districts.csv")
    later = {c.successor for c in geography.changes.values() if c.effective > f"{year}-12-31"}
    alive = districts["area_code"].map(lambda code: geography.current(code, f"{year}-12") == code and code not in later)
    districts = districts[alive]
    if forces is not None:
        districts = districts[districts["force"].isin(sorted(districts["force"].unique())[:forces])]
    return districts[["area_code", "area", "force"]].reset_index(drop=True)


def kent_rates(year: int) -> pd.DataFrame:
    """Kent's crimes per resident in each month of `year` and crime type (`month, crime_type, rate`),
    from the embedded counts and the latest population estimate up to that year."""
    counts = pd.read_csv(DEFAULT_DATA_DIR / "counts.csv", dtype={"area_code": str})
    counts = counts[counts["month"].str.startswith(f"{year}-")]
    residents = latest_population(year).reindex(counts["area_code"].unique()).sum()
    totals = counts.groupby(["month", "crime_type"], as_index=False)["count"].sum()
    return totals.assign(rate=totals["count"] / residents)[["month", "crime_type", "rate"]]


def latest_population(year: int) -> pd.Series:
    """Each district's residents in its latest embedded estimate up to `year`, by code."""
    population = pd.read_csv(DEFAULT_DATA_DIR / "population.csv", dtype={"area_code": str})
    latest = population[population["year"] <= year].sort_values("year").groupby("area_code").last()
    return latest["population"]


def write_national_counts(folder: Path, year: int = 2022, seed: int = 1, forces: int | None = None) -> Path:
    """Write `counts.csv` in `folder`: every district of `year` x its 12 months x the 14 crime types.

    Each count is a Poisson draw around Kent's rate per resident for that month and crime
    type times the district's own population, so the districts differ as real ones do in
    volume and by chance in mix and trend. Seeded: the same arguments write the same file.

    Parameters
    ----------
    folder
        Data folder to write into (made if missing); `assess run --data-dir folder` reads it.
    forces
        Only the first `forces` police force areas by name (all 43 when None), for a quick check.

    Returns
    -------
    The path of the counts table.
    """
    rng = np.random.default_rng(seed)
    districts = districts_of_year(year, forces)
    population = latest_population(year).reindex(districts["area_code"])
    if population.isna().any():
        raise ValueError(f"no population estimate up to {year} for {', '.join(population.index[population.isna()])}")
    rates = kent_rates(year)
    assert sorted(rates["crime_type"].unique()) == sorted(CRIME_TYPES) and rates["month"].nunique() == 12
    grid = districts.merge(rates, how="cross")
    expected = grid["rate"].to_numpy() * population.reindex(grid["area_code"]).to_numpy()
    counts = grid.assign(count=rng.poisson(expected))
    path = Path(folder) / "counts.csv"
    write_counts(counts, path)
    return path
