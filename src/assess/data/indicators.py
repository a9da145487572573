"""Partner returns: one long table of indicators, from CSV or the spreadsheets partners send.

Columns: indicator, priority, area, period_start, period_end, value, unit, source, and
optionally lower and upper: a published rate's 95% confidence limits (as Fingertips gives
them), by which the comparison criterion compares it with other areas, and area_code: the
district's ONS code, by which the row is joined (its area is then the code's reference name,
however the return spells it). A new return is a new file in the data folder's `partners/`
folder (national returns, every area's) or in an area's own `areas/<code>/partners/`, not
new code. Spreadsheets (.xlsx,
legacy .xls) are read from their first sheet (or one named "indicators"), with
the header found wherever it sits in the first rows, since partners add titles above it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pandas as pd

from assess.data.spreadsheets import first_error_cell, read_sheets
from assess.data.tables import (
    COUNT_WORDS,
    MAX_COUNT,
    first_row,
    holds_spreadsheet_error,
    read_table,
    refuse_spreadsheet_errors,
    to_number,
    whole_between,
)
from assess.errors import InputError

INDICATOR_COLUMNS = ["indicator", "priority", "area", "period_start", "period_end", "value", "unit", "source"]
CONFIDENCE_COLUMNS = ["lower", "upper"]
"""Optional columns: the 95% confidence limits of a rate, blank where none is published."""
AREA_CODE_COLUMN = "area_code"
"""Optional column: the area's ONS code, blank for an area without one (a police division)."""
_ONS_CODE = re.compile(r"[EWSNK]\d{8}")
AreaName = Callable[[str], "str | None"]
"""The reference name of an ONS code (None, or the code itself, where the reference lacks it)."""
COUNT_UNIT = "count"
PERCENT_UNIT = "percent"
# Partners spell the same unit many ways; each is read as one, so no check or suppression of
# counts (or of percents) misses a figure because of its spelling.
_UNIT_SPELLINGS = {
    "count": COUNT_UNIT,
    "counts": COUNT_UNIT,
    "number": COUNT_UNIT,
    "numbers": COUNT_UNIT,
    "n": COUNT_UNIT,
    "percent": PERCENT_UNIT,
    "percentage": PERCENT_UNIT,
    "per cent": PERCENT_UNIT,
    "%": PERCENT_UNIT,
}
SPREADSHEET_SUFFIXES = {".xlsx", ".xls"}
READABLE_SUFFIXES = {".csv"} | SPREADSHEET_SUFFIXES
_HEADER_SEARCH_ROWS = 15
_EMPTY_OR_ERROR = "is empty or holds a spreadsheet error such as #DIV/0!; fill it in or fix the formula"


def read_indicators(
    path: Path, priorities: Iterable[str] | None = None, area_name: AreaName | None = None
) -> pd.DataFrame:
    """Read and check one partner return.

    Parameters
    ----------
    path
        A .csv, .xlsx or .xls file in the indicator format.
    priorities
        The known priority keys; any other value in the `priority` column is refused.
    area_name
        The reference name of an ONS code: a row with an `area_code` is given it as its
        area. Without it, codes are checked but areas kept as written.

    Returns
    -------
    The table with `period_start`/`period_end` as dates, `value` as float and a `file`
    column naming where each row came from.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise InputError(f"{path}: partner returns must be .csv, .xlsx or .xls files")
    if suffix == ".csv":
        frame = read_table(path, INDICATOR_COLUMNS)
        row_offset = 0
    else:
        frame, row_offset = _read_spreadsheet(path)
    if frame.empty:
        raise InputError(f"{path}: header only, no indicator rows")
    # Calamine reads an error cell as empty: in an .xlsx it was named above, in an .xls it cannot be.
    empty = _EMPTY_OR_ERROR if suffix == ".xls" else "is empty"
    frame["unit"] = frame["unit"].map(normal_unit)
    known = set(priorities) if priorities is not None else None
    return _checked(frame, path, row_offset, known, empty, area_name)


def normal_unit(unit: str) -> str:
    """A unit as the package reads it: `Count`, `number` and `N` are counts, `%` and `Percent` percents."""
    return _UNIT_SPELLINGS.get(" ".join(str(unit).split()).lower(), unit)


def partner_files(folder: Path) -> tuple[Path, ...]:
    """The partner returns in a folder: its .csv, .xlsx and .xls files (notes, hidden and lock files left out)."""
    return tuple(
        sorted(
            p
            for p in Path(folder).glob("*")
            if p.suffix.lower() in READABLE_SUFFIXES and not p.name.startswith((".", "~$")) and p.is_file()
        )
    )


def read_indicator_files(
    files: Sequence[Path], priorities: Iterable[str] | None = None, area_name: AreaName | None = None
) -> pd.DataFrame:
    """Partner returns as one table, a figure given twice refused; an empty table when there is none."""
    if not files:
        return pd.DataFrame(columns=INDICATOR_COLUMNS + ["file"])
    priorities = list(priorities) if priorities is not None else None
    tables = [read_indicators(p, priorities, area_name) for p in files]
    table = pd.concat(tables, ignore_index=True)
    paths = pd.Series([Path(p) for p, t in zip(files, tables) for _ in range(len(t))], dtype=object)
    key = ["indicator", "area", "period_start", "period_end"]
    repeated = table.duplicated(key, keep=False)
    if repeated.any():
        first = table[repeated].iloc[0]
        same = repeated & (table["indicator"] == first["indicator"]) & (table["area"] == first["area"])
        involved = sorted(set(paths[same]))
        folders = {p.parent for p in involved}
        # Files of one folder by name, as a user sees them side by side; of two folders by path.
        named = [p.name for p in involved] if len(folders) == 1 else [str(p) for p in involved]
        raise InputError(
            f"{involved[0].parent}: indicator {first['indicator']!r} for {first['area']} "
            f"{first['period_start']:%Y-%m-%d} to {first['period_end']:%Y-%m-%d} is given twice "
            f"(in {', '.join(named)}); keep one"
        )
    return table


def _read_spreadsheet(path: Path) -> tuple[pd.DataFrame, int]:
    """The indicator table of a workbook, and how many rows sit above its header row."""
    sheets = read_sheets(path)
    if not sheets:
        raise InputError(f"{path}: the workbook has no sheets")
    name = next((n for n in sheets if str(n).strip().lower() == "indicators"), next(iter(sheets)))
    raw = sheets[name]
    for row in range(min(_HEADER_SEARCH_ROWS, len(raw))):
        cells = [str(v).strip() for v in raw.iloc[row].tolist()]
        if all(c in cells for c in INDICATOR_COLUMNS):
            table = raw.iloc[row + 1 :].copy()
            table.columns = cells
            table = table[INDICATOR_COLUMNS + [c for c in (*CONFIDENCE_COLUMNS, AREA_CODE_COLUMN) if c in cells]]
            # Keep blank rows inside the table (they are errors to report) but not those after it.
            filled = table.notna().any(axis=1).to_numpy()
            last = filled.nonzero()[0].max() + 1 if filled.any() else 0
            table = table.iloc[:last].reset_index(drop=True).map(_cell_text)
            _refuse_error_cells(path, str(name), table, row, [cells.index(c) + 1 for c in INDICATOR_COLUMNS])
            refuse_spreadsheet_errors(table, INDICATOR_COLUMNS, path, row)
            return table, row
    raise InputError(
        f"{path}: sheet {name!r} has no header row with the columns {', '.join(INDICATOR_COLUMNS)} "
        f"in its first {_HEADER_SEARCH_ROWS} rows"
    )


def _refuse_error_cells(path: Path, sheet: str, table: pd.DataFrame, header_index: int, columns: list[int]) -> None:
    """Name the first error cell (#DIV/0!, ...) that calamine read as empty, if any cell is empty.

    `header_index` is the header's 0-based row in the sheet; `columns` are the 1-based sheet
    columns of INDICATOR_COLUMNS.
    """
    if not (table == "").any().any():
        return
    first = header_index + 2
    found = first_error_cell(path, sheet, range(first, first + len(table)), columns)
    if found is not None:
        row, column, error = found
        name = INDICATOR_COLUMNS[columns.index(column)]
        raise InputError(f"{path}: row {row}: column '{name}' {holds_spreadsheet_error(error)}")


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (dates as YYYY-MM-DD)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp) or hasattr(value, "strftime"):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _checked(
    frame: pd.DataFrame,
    path: Path,
    row_offset: int,
    priorities: set[str] | None,
    empty: str,
    area_name: AreaName | None,
) -> pd.DataFrame:
    def where(mask: pd.Series) -> str:
        return f"{path}: row {first_row(mask) + row_offset}"

    for column in INDICATOR_COLUMNS:
        blank = frame[column].astype(str).str.strip() == ""
        if blank.any():
            raise InputError(f"{where(blank)}: column '{column}' {empty}")
    frame = frame.copy()
    for column in ("period_start", "period_end"):
        dates = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
        if dates.isna().any():
            bad = dates.isna()
            raise InputError(
                f"{where(bad)}: column '{column}' must be a date written YYYY-MM-DD, not {frame[column][bad].iloc[0]!r}"
            )
        frame[column] = dates
    backwards = frame["period_end"] < frame["period_start"]
    if backwards.any():
        raise InputError(f"{where(backwards)}: period_end is before period_start")
    frame["value"] = to_number(frame, "value", path, "a number", row_offset=row_offset)
    bad_count = (frame["unit"] == COUNT_UNIT) & ~whole_between(0, MAX_COUNT)(frame["value"])
    if bad_count.any():
        value = frame["value"][bad_count].iloc[0]
        raise InputError(f"{where(bad_count)}: a count must be {COUNT_WORDS}, not {value:g}")
    negative = frame["value"] < 0
    if negative.any():
        raise InputError(f"{where(negative)}: column 'value' must not be negative")
    bad_percent = (frame["unit"] == PERCENT_UNIT) & (frame["value"] > 100)
    if bad_percent.any():
        raise InputError(f"{where(bad_percent)}: a percent must be between 0 and 100")
    if priorities is not None:
        unknown = ~frame["priority"].isin(priorities)
        if unknown.any():
            raise InputError(
                f"{where(unknown)}: unknown priority {frame['priority'][unknown].iloc[0]!r}; "
                f"use one of: {', '.join(sorted(priorities))}"
            )
    limits = _confidence_limits(frame, path, row_offset, where)
    if AREA_CODE_COLUMN in frame.columns:
        frame["area"] = _areas_of_codes(frame, where, area_name)
    frame["file"] = path.name
    return frame[INDICATOR_COLUMNS + limits + ["file"]]


def _areas_of_codes(frame: pd.DataFrame, where, area_name: AreaName | None) -> pd.Series:
    """Each row's area: the reference name of its ONS code, else (no code, or one the reference lacks) as written."""
    codes = frame[AREA_CODE_COLUMN].astype(str).str.strip().str.upper()
    malformed = (codes != "") & ~codes.map(lambda code: bool(_ONS_CODE.fullmatch(code)))
    if malformed.any():
        raise InputError(
            f"{where(malformed)}: column '{AREA_CODE_COLUMN}' must be an ONS code such as E07000111 (or blank), "
            f"not {frame[AREA_CODE_COLUMN][malformed].iloc[0]!r}"
        )
    if area_name is None:
        return frame["area"]
    names = codes.map(lambda code: (area_name(code) if code else None) or code)
    return names.where((codes != "") & (names != codes), frame["area"])


def _confidence_limits(frame: pd.DataFrame, path: Path, row_offset: int, where) -> list[str]:
    """Read the optional `lower` and `upper` columns in place; the names of those the return has.

    Both or neither, as numbers with lower <= value <= upper, and only for a rate: a count's
    interval comes from the Poisson distribution, not from the return.
    """
    present = [c for c in CONFIDENCE_COLUMNS if c in frame.columns]
    if not present:
        return []
    if len(present) == 1:
        raise InputError(f"{path}: column '{present[0]}' needs its partner column ('lower' and 'upper' go together)")
    blank = {c: frame[c].astype(str).str.strip() == "" for c in present}
    one_only = blank["lower"] != blank["upper"]
    if one_only.any():
        raise InputError(f"{where(one_only)}: give both 'lower' and 'upper', or leave both blank")
    given = ~blank["lower"]
    for column in present:
        numbers = frame[column].where(given, "0")
        frame[column] = to_number(frame.assign(**{column: numbers}), column, path, "a number", row_offset=row_offset)
        frame[column] = frame[column].where(given)
    on_count = given & (frame["unit"] == COUNT_UNIT)
    if on_count.any():
        raise InputError(f"{where(on_count)}: a count takes no 'lower' or 'upper'; leave them blank")
    outside = given & ~((frame["lower"] <= frame["value"]) & (frame["value"] <= frame["upper"]))
    if outside.any():
        raise InputError(f"{where(outside)}: the value must lie between 'lower' and 'upper'")
    return present
