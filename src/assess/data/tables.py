"""Reading the workbook's small tidy CSV tables, refusing bad input with one clear line.

Every message names the file, the row (as a spreadsheet would number it: the header
is row 1) or the column, and what to fix. Numbers that cannot be right (beyond the
limits below, not finite, or a spreadsheet's error value) are refused here, so every
reader applies the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from assess.errors import InputError

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

MAX_COUNT = 10**9
"""The largest count one cell may hold: a district records thousands of crimes a month, so a
billion is a typing or export mistake, and every accepted count fits a 64-bit integer."""
COUNT_WORDS = f"a whole number 0 or more (at most {MAX_COUNT:,})"
MAX_LINE_BYTES = 2**20
"""The longest line a CSV may have (1 MB). Parsers hold a whole line in memory before they can
split it, so a file without line breaks (binary data, a damaged download) is refused first."""
MAX_TABLE_BYTES = 100 * 2**20
"""The largest tidy table read (100 MB): a national counts table is about 15 MB, and pandas
needs several times a file's size in memory."""
SPREADSHEET_ERRORS = frozenset(
    {
        "#DIV/0!",
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
    }
)
"""The error values Excel shows (and writes into a CSV) where a formula failed."""
_SHOWN_CHARS = 40


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
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise InputError(
            f"{path}: the file is larger than the {MAX_TABLE_BYTES // 2**20} MB a table may be; is it the right file?"
        )
    check_line_lengths(path)
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark that would stick to the first name.
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
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
    refuse_spreadsheet_errors(frame, required, path)
    return frame


def check_line_lengths(path: Path, limit: int = MAX_LINE_BYTES) -> None:
    """Refuse a file with a line longer than `limit` bytes, reading it a block at a time."""
    line, length = 1, 0
    with open(path, "rb") as handle:
        while block := handle.read(limit):
            if block.endswith(b"\r"):
                block += handle.read(1)  # so a CRLF split between blocks counts as one line break
            *ended, unended = re.split(rb"\r\n|\r|\n", block)
            for piece in ended:
                if length + len(piece) > limit:
                    raise line_too_long(path, line, limit)
                line, length = line + 1, 0
            length += len(unended)
            if length > limit:
                raise line_too_long(path, line, limit)


def read_first_line(path: Path, limit: int = MAX_LINE_BYTES) -> bytes:
    """The first line of a file (a header), reading no more than `limit` bytes of it."""
    with open(path, "rb") as handle:
        first = handle.readline(limit + 1)
    if len(first.rstrip(b"\r\n")) > limit:
        raise line_too_long(path, 1, limit)
    return first


def line_too_long(path: Path, line: int, limit: int) -> InputError:
    """The error for a line beyond `limit` bytes."""
    return InputError(f"{path}: line {line} is longer than {limit / 2**20:g} MB; not a CSV table")


def refuse_spreadsheet_errors(frame: pd.DataFrame, columns: Iterable[str], path: Path, row_offset: int = 0) -> None:
    """Refuse the first cell holding a spreadsheet error value such as #DIV/0!, naming it."""
    columns = list(columns)
    errors = frame[columns].apply(lambda cells: cells.astype(str).str.strip().str.upper().isin(SPREADSHEET_ERRORS))
    hit = errors.any(axis=1)
    if hit.any():
        row = first_row(hit)
        column = columns[int(errors.iloc[row - 2].to_numpy().argmax())]
        code = str(frame[column].iloc[row - 2]).strip().upper()
        raise InputError(f"{path}: row {row + row_offset}: column '{column}' {holds_spreadsheet_error(code)}")


def holds_spreadsheet_error(code: str) -> str:
    """The end of the message for a cell holding a spreadsheet error value."""
    return f"holds the spreadsheet error {code}; fix the formula and save again"


def whole_between(low: float, high: float) -> Callable[[pd.Series], pd.Series]:
    """A test, for `to_number`, that values are whole numbers from `low` to `high`."""
    return lambda values: (values >= low) & (values <= high) & (values % 1 == 0)


def to_number(
    frame: pd.DataFrame,
    column: str,
    path: Path,
    what: str,
    valid: Callable[[pd.Series], pd.Series] | None = None,
    row_offset: int = 0,
) -> pd.Series:
    """A column of finite numbers passing `valid`, or an error naming the first row that is not.

    Parameters
    ----------
    what
        What a value must be, in words, for the message (e.g. "a number above 0").
    valid
        Which parsed values are acceptable; infinities, NaN and overflow (1e999) never are.
    row_offset
        Rows above the header, for a spreadsheet whose table starts below row 1.
    """
    values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    ok = np.isfinite(values)
    if valid is not None:
        ok &= valid(values)
    bad = ~ok
    if bad.any():
        text = str(frame[column][bad].iloc[0])
        infinite = bool(np.isinf(values[bad].iloc[0]))
        raise InputError(
            f"{path}: row {first_row(bad) + row_offset}: column '{column}' must be {what}, "
            f"not {shown(text)}{' (not a finite number)' if infinite else ''}"
        )
    return values


def to_count(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """A column of whole numbers from 0 to `MAX_COUNT`, or an error naming the first bad row."""
    return to_number(frame, column, path, COUNT_WORDS, whole_between(0, MAX_COUNT)).astype("int64")


def to_positive_number(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """A column of finite numbers above zero, or an error naming the first bad row."""
    return to_number(frame, column, path, "a number above 0", lambda values: values > 0)


def shown(text: str) -> str:
    """A value quoted for a message, cut short so a hostile cell cannot flood the line."""
    return repr(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "...")


def check_months(frame: pd.DataFrame, column: str, path: Path) -> None:
    """Every value is a real month written YYYY-MM."""
    bad = ~frame[column].str.match(_MONTH)
    if bad.any():
        value = frame[column][bad].iloc[0]
        raise InputError(
            f"{path}: row {first_row(bad)}: column '{column}' must be a month written YYYY-MM, not {value!r}"
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
