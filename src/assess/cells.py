"""Text written into CSV files and spreadsheet cells: shown as typed, never run as a formula.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula, so text a partner typed, or a name read from a police
file, could run a formula in a partner's Excel (`=HYPERLINK(...)`, `=cmd|...`). Every text
cell the workbook writes goes through `inert`, which prefixes such text with an apostrophe,
the usual defence; numbers are left as numbers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """Text that could start a formula, prefixed with an apostrophe; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the table with every text cell (and column name) made inert."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(inert)
    safe.columns = [inert(str(c)) for c in safe.columns]
    return safe


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table as CSV with inert text, UTF-8 and Unix line ends (so re-runs are byte-identical)."""
    inert_frame(frame).to_csv(path, index=False, lineterminator="\n")
    return path
