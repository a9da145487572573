"""Reading the workbook's small tidy CSV tables, refusing bad input with one clear line.

Every message names the file, the row (as a spreadsheet would number it: the header
is row 1) or the column, and what to fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import pandas as pd

from assess.errors import InputError

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def read_table(path: Path, required: Iterable[str]) -> pd.DataFrame:
    """Read a CSV of strings and check that the required columns are present.

    Parameters
    ----------
    path
        The CSV file.
    required
        Column names the file must have; others are kept.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV") from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty; it needs a header row and data") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: not a readable CSV ({_first_line(exc)})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; "
            f"found {', '.join(repr(c) for c in frame.columns) or 'none'}"
        )
    for column in required:
        blank = frame[column].str.strip() == ""
        if blank.any():
            raise InputError(f"{path}: row {first_row(blank)}: column '{column}' is empty")
    return frame


def to_count(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """A column of whole non-negative numbers, or an error naming the first bad row."""
    numbers = pd.to_numeric(frame[column], errors="coerce")
    bad = numbers.isna() | (numbers < 0) | (numbers % 1 != 0)
    if bad.any():
        value = frame[column][bad].iloc[0]
        raise InputError(
            f"{path}: row {first_row(bad)}: column '{column}' must be a whole number 0 or more, "
            f"not {value!r}"
        )
    return numbers.astype("int64")


def to_positive_number(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """A column of numbers above zero, or an error naming the first bad row."""
    numbers = pd.to_numeric(frame[column], errors="coerce")
    bad = numbers.isna() | ~(numbers > 0)
    if bad.any():
        value = frame[column][bad].iloc[0]
        raise InputError(
            f"{path}: row {first_row(bad)}: column '{column}' must be a number above 0, not {value!r}"
        )
    return numbers.astype("float64")


def check_months(frame: pd.DataFrame, column: str, path: Path) -> None:
    """Every value is a real month written YYYY-MM."""
    bad = ~frame[column].str.match(_MONTH)
    if bad.any():
        value = frame[column][bad].iloc[0]
        raise InputError(
            f"{path}: row {first_row(bad)}: column '{column}' must be a month written YYYY-MM, "
            f"not {value!r}"
        )


def is_month(text: str) -> bool:
    """True for a real month written YYYY-MM."""
    return bool(_MONTH.match(text))


def first_row(mask: pd.Series) -> int:
    """Spreadsheet row number (header = 1) of the first True in a mask over a default-indexed frame."""
    return int(mask.to_numpy().argmax()) + 2


def refuse_duplicates(frame: pd.DataFrame, key: list[str], path: Path, what: str) -> None:
    """One row per key, or an error naming the first repeat."""
    dup = frame.duplicated(key)
    if dup.any():
        values = ", ".join(str(frame[c][dup].iloc[0]) for c in key)
        raise InputError(f"{path}: row {first_row(dup)}: {what} ({values}) appears twice; keep one row")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
