"""The tidy crime counts table `area_code, area, month, crime_type, count`: reading, writing, checking.

Rows are joined by their ONS district code; the name is for display, and is replaced on
reading by the reference name of the code, so "Bristol" and "Bristol, City of" are one place.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from assess.data.geography import Geography, checked_area_codes
from assess.data.police_uk import CRIME_TYPES
from assess.data.tables import (
    check_months,
    first_row,
    read_table,
    refuse_duplicates,
    refuse_spreadsheet_errors,
    to_count,
)
from assess.errors import InputError

COUNT_COLUMNS = ["area_code", "area", "month", "crime_type", "count"]


def read_counts(path: Path, geography: Geography | None = None) -> pd.DataFrame:
    """Read and check a counts table, as written by `assess ingest`.

    Parameters
    ----------
    path
        CSV with `area_code, month, crime_type, count` and optionally `area`.
    geography
        Reference whose district names replace the file's (default: the embedded one);
        a code it does not know keeps the file's name, or the code where there is none.
        A district merged before the last month of the data is counted as its successor.
    """
    frame = read_table(path, ["area_code", "month", "crime_type", "count"])
    if "area" in frame:  # optional, but a failed lookup's '#REF!' would be shown where the reference lacks the code
        refuse_spreadsheet_errors(frame, ["area"], path)
    frame["area_code"] = checked_area_codes(frame, path)
    check_months(frame, "month", path)
    check_crime_types(frame, path)
    frame["count"] = to_count(frame, "count", path)
    refuse_duplicates(frame, ["area_code", "month", "crime_type"], path, "area code, month and crime type")
    if frame.empty:
        raise InputError(f"{path}: header only, no counts")
    geography = geography or Geography.default()
    # Districts as they are at the end of the data: a predecessor's months count as its successor's,
    # so a county never holds a district and the unitary that replaced it (as `assess ingest` does).
    merged = successor_codes(frame, geography)
    if (merged != frame["area_code"]).any():
        frame = (
            frame.assign(area_code=merged, area=merged.map(geography.names))
            .groupby(["area_code", "area", "month", "crime_type"], as_index=False)["count"]
            .sum()
        )
    given = frame["area"].str.strip() if "area" in frame else frame["area_code"]
    given = given.where(given != "", frame["area_code"])
    reference = frame["area_code"].map(lambda code: geography.names.get(code))
    frame["area"] = reference.fillna(given)
    codes_per_name = frame.groupby("area")["area_code"].nunique()
    if (codes_per_name > 1).any():
        name = codes_per_name[codes_per_name > 1].index[0]
        codes = sorted(frame.loc[frame["area"] == name, "area_code"].unique())
        raise InputError(
            f"{path}: the name {name!r} is given to {' and '.join(codes)}; give each area code its own name"
        )
    return frame[COUNT_COLUMNS].reset_index(drop=True)


def check_crime_types(frame: pd.DataFrame, path: Path) -> None:
    """Every `crime_type` is one of the data.police.uk names, or an error naming the first row that is not."""
    unknown = ~frame["crime_type"].isin(CRIME_TYPES)
    if unknown.any():
        raise InputError(
            f"{path}: row {first_row(unknown)}: unknown crime type "
            f"{frame['crime_type'][unknown].iloc[0]!r}; use the data.police.uk names"
        )


def successor_codes(frame: pd.DataFrame, geography: Geography) -> pd.Series:
    """Each row's `area_code` as the district it is at the end of the data (the last `month`), so a
    predecessor's months count as its successor's, as `assess ingest` counts them."""
    return current_codes(frame["area_code"], frame["month"].max(), geography)


def current_codes(codes: pd.Series, month: str, geography: Geography) -> pd.Series:
    """Each district code as the district it is in `month` (a predecessor becomes its successor)."""
    return codes.map({code: geography.current(code, month) for code in codes.unique()})


def write_counts(counts: pd.DataFrame, path: Path) -> None:
    """Write a counts table sorted by area, month and crime type, atomically: a failed write leaves the old file."""
    write_atomically(counts[COUNT_COLUMNS].sort_values(["area", "month", "crime_type"]), path)


def write_atomically(table: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV with Unix line endings; a failed write leaves the old file and nothing half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        table.to_csv(partial, index=False, lineterminator="\n")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)  # nothing half-written is left behind
