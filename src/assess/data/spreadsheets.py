"""Opening the spreadsheets partners send, without trusting them.

A workbook is checked before calamine opens it: its size on disk, and for .xlsx (a zip
archive) how far its parts unpack, so a tiny file that unpacks to gigabytes (a "zip bomb")
is refused in a moment and in little memory. Calamine reads a cell holding an error value
(#DIV/0!, #N/A, ...) as empty; for .xlsx the error is found again with openpyxl, so the
message can name it.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import openpyxl
import pandas as pd

from assess.errors import InputError

MAX_SPREADSHEET_BYTES = 20 * 2**20
"""The largest workbook read (20 MB): a partner return is a few hundred rows."""
MAX_UNPACKED_BYTES = 100 * 2**20
"""How far the parts of an .xlsx may unpack in all (100 MB): about 200,000 rows of eight columns."""
MAX_PACKING_RATIO = 100
"""How many times a part may shrink when zipped; real workbooks shrink 5 to 20 times, zip bombs 1,000."""
_RATIO_CHECKED_FROM = 2**20  # small parts (styles, a blank sheet) may shrink far and do no harm
_BLOCK = 2**20
# What a damaged or unusual archive raises while it is listed or unpacked.
_BROKEN_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
    zlib.error,
)


def read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a checked .xlsx or .xls as a frame of raw cells (no header row)."""
    check_spreadsheet(path)
    try:
        return pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="calamine")
    except Exception as exc:  # calamine raises its own types for every kind of broken file
        raise InputError(f"{path}: not a readable spreadsheet ({type(exc).__name__}); save it again as .xlsx") from None


def check_spreadsheet(path: Path) -> None:
    """Refuse a workbook too large on disk or, for .xlsx, one that unpacks too far."""
    if path.stat().st_size > MAX_SPREADSHEET_BYTES:
        raise InputError(
            f"{path}: the file is larger than the {MAX_SPREADSHEET_BYTES // 2**20} MB a partner return "
            "may be; send only the indicator rows"
        )
    if path.suffix.lower() == ".xlsx":
        _check_unpacked_sizes(path)


def _check_unpacked_sizes(path: Path) -> None:
    """Refuse an .xlsx whose parts unpack too far: first by the sizes the archive declares, then by
    unpacking it a block at a time (a part that unpacks to more than it declares fails its checksum)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            _check_declared_sizes(path, parts)
            for part in parts:
                with archive.open(part) as member:
                    while member.read(_BLOCK):
                        pass
    except _BROKEN_ZIP as exc:
        raise InputError(f"{path}: not a readable spreadsheet ({type(exc).__name__}); save it again as .xlsx") from None


def _check_declared_sizes(path: Path, parts: list[zipfile.ZipInfo]) -> None:
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise InputError(
            f"{path}: unpacks to more than the {MAX_UNPACKED_BYTES // 2**20} MB a workbook may; not a partner return"
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_CHECKED_FROM and ratio > MAX_PACKING_RATIO:
            raise InputError(
                f"{path}: part {part.filename!r} shrank {ratio:,.0f} times when zipped, "
                f"more than the {MAX_PACKING_RATIO} a real workbook may; not a partner return"
            )


def first_error_cell(path: Path, sheet: str, rows: range, columns: Sequence[int]) -> tuple[int, int, str] | None:
    """The first cell of an .xlsx, within `rows` and `columns` (1-based), holding an error value.

    Returns
    -------
    (row, column, error) such as (7, 6, "#DIV/0!"), or None when there is none (or the
    file is not an .xlsx, or openpyxl cannot read it: the caller then reports the cell empty).
    """
    if path.suffix.lower() != ".xlsx" or not rows:
        return None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return _first_error(
                book[sheet].iter_rows(min_row=rows.start, max_row=rows.stop - 1, max_col=max(columns)),
                rows.start,
                columns,
            )
        finally:
            book.close()
    except Exception:  # calamine read the file; if openpyxl cannot, only the error's name is lost
        return None


def _first_error(cells: Iterable[tuple], first_row: int, columns: Sequence[int]) -> tuple[int, int, str] | None:
    """The first of openpyxl's cells, row by row, whose type is error ("e")."""
    for row, values in enumerate(cells, start=first_row):
        for column in columns:
            cell = values[column - 1] if column <= len(values) else None
            if cell is not None and cell.data_type == "e":
                return row, column, str(cell.value)
    return None
