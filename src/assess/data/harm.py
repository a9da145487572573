"""Harm weights per crime type: how much harm one offence of each type does."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assess.data.police_uk import CRIME_TYPES
from assess.data.tables import first_row, read_table, refuse_duplicates, to_positive_number
from assess.errors import InputError

HARM_COLUMNS = ["crime_type", "weight", "unit", "source"]


def read_harm_weights(path: Path) -> pd.DataFrame:
    """Read `crime_type, weight, unit, source`; every crime type known, one unit throughout."""
    frame = read_table(path, HARM_COLUMNS)
    frame["weight"] = to_positive_number(frame, "weight", path)
    unknown = ~frame["crime_type"].isin(CRIME_TYPES)
    if unknown.any():
        raise InputError(
            f"{path}: row {first_row(unknown)}: unknown crime type {frame['crime_type'][unknown].iloc[0]!r}; "
            "use the data.police.uk names"
        )
    if frame["unit"].nunique() > 1:
        raise InputError(f"{path}: column 'unit' must be the same on every row, found {sorted(frame['unit'].unique())}")
    refuse_duplicates(frame, ["crime_type"], path, "crime type")
    return frame[HARM_COLUMNS]
