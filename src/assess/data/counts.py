"""The tidy crime counts table `area, month, crime_type, count`: reading, writing, checking."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from assess.data.police_uk import CRIME_TYPES
from assess.data.tables import check_months, first_row, read_table, refuse_duplicates, to_count
from assess.errors import InputError

COUNT_COLUMNS = ["area", "month", "crime_type", "count"]


def read_counts(path: Path) -> pd.DataFrame:
    """Read and check a counts table, as written by `assess ingest`."""
    frame = read_table(path, COUNT_COLUMNS)
    check_months(frame, "month", path)
    unknown = ~frame["crime_type"].isin(CRIME_TYPES)
    if unknown.any():
        raise InputError(
            f"{path}: row {first_row(unknown)}: unknown crime type "
            f"{frame['crime_type'][unknown].iloc[0]!r}; use the data.police.uk names"
        )
    frame["count"] = to_count(frame, "count", path)
    refuse_duplicates(frame, ["area", "month", "crime_type"], path, "area, month and crime type")
    if frame.empty:
        raise InputError(f"{path}: header only, no counts")
    return frame[COUNT_COLUMNS]


def write_counts(counts: pd.DataFrame, path: Path) -> None:
    """Write a counts table atomically: a failed write leaves any earlier file as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        counts[COUNT_COLUMNS].to_csv(partial, index=False, lineterminator="\n")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)  # nothing half-written is left behind
