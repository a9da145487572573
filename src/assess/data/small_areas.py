"""The small-area tables an ingest writes beside `counts.csv`: records per LSOA, and each LSOA's mean point.

`lsoa_counts.csv` (`area_code, lsoa_code, month, crime_type, count`) holds the records of
`counts.csv` per LSOA, but for those placed by their LSOA name alone. `lsoa_points.csv`
(`lsoa_code, area_code, longitude, latitude, records`) holds the mean of an LSOA's
anonymised points over every month ingested, only where at least `MIN_POINT_RECORDS`
records have coordinates, so no row is one record's point.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assess.data.counts import check_crime_types, successor_codes, write_atomically
from assess.data.geography import Geography, checked_area_codes, checked_codes
from assess.data.police_uk import LSOA_COUNT_COLUMNS, LSOA_POINT_COLUMNS, MIN_POINT_RECORDS
from assess.data.tables import check_months, first_row, read_table, refuse_duplicates, to_count, to_number
from assess.errors import InputError

LSOA_CODE_PATTERN = r"^[EW]01\d{6}$"
"""An ONS LSOA code: E01 in England, W01 in Wales (2011 and 2021 codes alike)."""


def write_lsoa_counts(lsoa_counts: pd.DataFrame, path: Path) -> None:
    """Write the per-LSOA counts sorted by area code, LSOA code, month and crime type, atomically."""
    write_atomically(lsoa_counts[LSOA_COUNT_COLUMNS].sort_values(LSOA_COUNT_COLUMNS[:-1]), path)


def write_lsoa_points(lsoa_points: pd.DataFrame, path: Path) -> None:
    """Write the LSOAs' mean points (six decimals) sorted by LSOA and area code, atomically."""
    points = lsoa_points[LSOA_POINT_COLUMNS].sort_values(["lsoa_code", "area_code"])
    write_atomically(
        points.assign(
            longitude=points["longitude"].map("{:.6f}".format), latitude=points["latitude"].map("{:.6f}".format)
        ),
        path,
    )


def read_lsoa_counts(path: Path, geography: Geography) -> pd.DataFrame:
    """Read and check a per-LSOA counts table, as written by `assess ingest`.

    Parameters
    ----------
    path
        CSV with `area_code, lsoa_code, month, crime_type, count`.
    geography
        Reference whose district changes apply: a district merged before the last month of
        the data is counted as its successor, as `read_counts` does.

    Returns
    -------
    pd.DataFrame
        `area_code, lsoa_code, month, crime_type, count`, codes upper-cased; empty when the
        file has a header only (no record carried an LSOA code).
    """
    frame = read_table(path, LSOA_COUNT_COLUMNS)
    frame["area_code"] = checked_area_codes(frame, path)
    frame["lsoa_code"] = _checked_lsoa_codes(frame, path)
    check_months(frame, "month", path)
    check_crime_types(frame, path)
    frame["count"] = to_count(frame, "count", path)
    refuse_duplicates(frame, LSOA_COUNT_COLUMNS[:-1], path, "area code, LSOA code, month and crime type")
    if frame.empty:
        return frame[LSOA_COUNT_COLUMNS].astype({"count": "int64"})
    merged = successor_codes(frame, geography)
    if (merged != frame["area_code"]).any():
        frame = frame.assign(area_code=merged).groupby(LSOA_COUNT_COLUMNS[:-1], as_index=False)["count"].sum()
    return frame[LSOA_COUNT_COLUMNS].reset_index(drop=True)


def read_lsoa_points(path: Path) -> pd.DataFrame:
    """Read and check the LSOAs' mean points, as written by `assess ingest`.

    Returns
    -------
    pd.DataFrame
        `lsoa_code, area_code, longitude, latitude, records`; a row of fewer than
        `MIN_POINT_RECORDS` records is refused, since its point could be one record's.
    """
    frame = read_table(path, LSOA_POINT_COLUMNS)
    frame["area_code"] = checked_area_codes(frame, path)
    frame["lsoa_code"] = _checked_lsoa_codes(frame, path)
    for column, limit in (("longitude", 180), ("latitude", 90)):
        what = f"a {column} in decimal degrees (-{limit} to {limit})"
        frame[column] = to_number(frame, column, path, what, lambda values, limit=limit: values.abs() <= limit)
    frame["records"] = to_count(frame, "records", path)
    few = frame["records"] < MIN_POINT_RECORDS
    if few.any():
        raise InputError(
            f"{path}: row {first_row(few)}: 'records' is {frame['records'][few].iloc[0]}; a mean point needs "
            f"at least {MIN_POINT_RECORDS} records (fewer could show one record's location): remove the row"
        )
    refuse_duplicates(frame, ["lsoa_code"], path, "LSOA code")
    return frame[LSOA_POINT_COLUMNS].reset_index(drop=True)


def _checked_lsoa_codes(frame: pd.DataFrame, path: Path) -> pd.Series:
    """The `lsoa_code` column trimmed and upper-cased; one line for the first that is not an LSOA code."""
    return checked_codes(frame, "lsoa_code", LSOA_CODE_PATTERN, "an ONS LSOA code such as E01024445", path)
