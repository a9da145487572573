"""Read data.police.uk street-level crime CSVs of any force and any months into tidy counts.

Each file is read with pyarrow and reduced at once to counts per (force, month, district,
crime type), so what is held between files follows the number of districts, not the
number of rows: a national year of about 6 million rows is read in well under a
minute and a few hundred megabytes.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from assess.data.geography import Geography
from assess.data.tables import MAX_LINE_BYTES, read_first_line
from assess.errors import InputError

STREET_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
_KEPT = ["Month", "Falls within", "LSOA code", "LSOA name", "Crime type"]
_MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# A district outside the reference list is kept only if it holds at least this share of a
# force's placed records: real districts hold thousands, stray names a handful.
_MIN_SHARE_UNLISTED = 0.005

NOT_PLACED_NO_LSOA = "no LSOA code or name"
NOT_PLACED_OTHER_FORCE = "in a district of another force"
NOT_PLACED_UNLISTED = "district not in the reference list and too few records to be real"


@dataclass
class IngestReport:
    """What an ingest read, and what it could not place.

    Attributes
    ----------
    rows_read
        Records read per file.
    months
        Months found per file.
    not_placed
        Records left out, by reason.
    duplicate_months
        (force, month) pairs seen in more than one file, with the files.
    forces
        Force names ("Falls within") seen.
    """

    rows_read: dict[str, int] = field(default_factory=dict)
    months: dict[str, list[str]] = field(default_factory=dict)
    not_placed: Counter = field(default_factory=Counter)
    outside_areas: Counter = field(default_factory=Counter)
    duplicate_months: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    forces: set[str] = field(default_factory=set)

    @property
    def total_rows(self) -> int:
        return sum(self.rows_read.values())

    def summary_lines(self) -> list[str]:
        """A short plain-text data-quality summary."""
        placed = self.total_rows - sum(self.not_placed.values())
        lines = [
            f"files read: {len(self.rows_read)}; records read: {self.total_rows:,}; placed in a district: {placed:,}",
        ]
        for reason, count in sorted(self.not_placed.items()):
            lines.append(f"not placed, {reason}: {count:,}")
        if self.outside_areas:
            top = ", ".join(f"{a} {n}" for a, n in self.outside_areas.most_common(5))
            lines.append(f"  districts outside the force area (largest): {top}")
        for name, months in self.months.items():
            span = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]} ({len(months)} months)"
            lines.append(f"{name}: {self.rows_read[name]:,} records, {span}")
        if self.duplicate_months:
            for (force, month), files in sorted(self.duplicate_months.items()):
                lines.append(f"duplicate month {month} for {force} in: {', '.join(files)}")
        else:
            lines.append("duplicate months across files: none")
        return lines


def read_street_files(
    paths: Sequence[Path], geography: Geography, allow_duplicate_months: bool = False
) -> tuple[pd.DataFrame, IngestReport]:
    """Read street-level files into counts per area, month and crime type.

    Parameters
    ----------
    paths
        data.police.uk `*-street.csv` files, any force, any months.
    geography
        LSOA lookup, district aliases and district -> force reference.
    allow_duplicate_months
        A force's month appearing in two files is an error unless this is set, since it
        would count those records twice.

    Returns
    -------
    counts
        Columns `area, month, crime_type, count`, sorted.
    report
        What was read and what could not be placed.
    """
    if not paths:
        raise InputError("no street-level files given; pass one or more *-street.csv files")
    report = IngestReport()
    parts = []
    seen: dict[tuple[str, str], list[str]] = {}
    for path in paths:
        part = _read_one(Path(path), report, geography)
        for force, month in part[["force", "month"]].drop_duplicates().itertuples(index=False):
            seen.setdefault((force, month), []).append(Path(path).name)
        parts.append(part)
    report.duplicate_months = {k: v for k, v in seen.items() if len(v) > 1}
    if report.duplicate_months and not allow_duplicate_months:
        (force, month), files = next(iter(sorted(report.duplicate_months.items())))
        raise InputError(
            f"{files[1]}: month {month} of {force} is also in {files[0]}; "
            "pass each force's month once (remove the duplicate file)"
        )
    placed = (
        pd.concat(parts, ignore_index=True)
        .groupby(["force", "month", "area", "crime_type"], dropna=False)["count"]
        .sum()
        .reset_index()
    )
    return _inside_forces(placed, geography, report), report


def _read_one(path: Path, report: IngestReport, geography: Geography) -> pd.DataFrame:
    """One file, checked, reduced to counts per force, month, district and crime type."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty; expected a data.police.uk street-level CSV")
    header = _read_header(path)
    missing = [c for c in STREET_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path}: not a data.police.uk street-level file: missing column(s) {', '.join(missing)}")
    try:
        table = pacsv.read_csv(
            path,
            # Our own reading of the header names the columns, so "Crime ID, Month, ..." (spaces after
            # the commas), a byte-order mark or quoted names still match the names we keep.
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=MAX_LINE_BYTES),
            convert_options=pacsv.ConvertOptions(
                include_columns=_KEPT,
                column_types={c: pa.string() for c in _KEPT},
                strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: {_arrow_message(exc)}") from None
    # `Month, "Burglary"`: after a comma and a space pyarrow keeps the spaces, and the quotes with them.
    table = pa.table({c: pc.utf8_trim(table[c], characters=' \t"') for c in _KEPT})
    report.rows_read[path.name] = table.num_rows
    if table.num_rows == 0:
        raise InputError(f"{path}: header only, no records")
    _check_column(
        path, table, "Month", pc.match_substring_regex(table["Month"], _MONTH_PATTERN), "a month written YYYY-MM"
    )
    _check_column(
        path,
        table,
        "Crime type",
        pc.is_in(table["Crime type"], pa.array(CRIME_TYPES)),
        "one of the 14 data.police.uk crime types",
    )
    report.months[path.name] = sorted(pc.unique(table["Month"]).to_pylist())
    report.forces.update(v for v in pc.unique(table["Falls within"]).to_pylist() if v)
    grouped = table.group_by(_KEPT, use_threads=True).aggregate([([], "count_all")]).to_pandas()
    grouped["area"] = geography.place(grouped["LSOA code"], grouped["LSOA name"])
    no_lsoa = grouped["area"].isna() | (grouped["area"] == "")
    report.not_placed[NOT_PLACED_NO_LSOA] += int(grouped.loc[no_lsoa, "count_all"].sum())
    return (
        grouped[~no_lsoa]
        .groupby(["Falls within", "Month", "area", "Crime type"], dropna=False)["count_all"]
        .sum()
        .reset_index()
        .rename(columns={"Falls within": "force", "Month": "month", "Crime type": "crime_type", "count_all": "count"})
    )


def _read_header(path: Path) -> list[str]:
    """The column names of a street-level file, without a byte-order mark, quotes or surrounding spaces."""
    try:
        text = read_first_line(path).decode("utf-8-sig")
        names = next(csv.reader([text.rstrip("\r\n")], skipinitialspace=True), [])
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; expected a data.police.uk street-level CSV") from None
    except csv.Error as exc:  # a name longer than the csv module allows
        raise InputError(
            f"{path}: line 1 is not a header row ({exc}); expected a data.police.uk street-level CSV"
        ) from None
    return [name.strip() for name in names]


def _check_column(path: Path, table: pa.Table, column: str, ok: pa.ChunkedArray, what: str) -> None:
    ok = pc.fill_null(ok, False)
    if pc.all(ok).as_py():
        return
    first_bad = pc.index(ok, False).as_py()
    value = table[column][first_bad].as_py()
    raise InputError(f"{path}: row {first_bad + 2}: '{column}' must be {what}, not {value!r}")


def _arrow_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "Expected" in text and "columns" in text:
        return f"a row has the wrong number of columns, the file may be truncated ({text})"
    if "UTF8" in text or "utf-8" in text.lower():
        return "not UTF-8 text; expected a data.police.uk street-level CSV"
    if "straddling" in text:  # a row that does not fit in one block of the reader
        return f"a row is longer than {MAX_LINE_BYTES / 2**20:g} MB; not a data.police.uk street-level CSV"
    return text


def _inside_forces(placed: pd.DataFrame, geography: Geography, report: IngestReport) -> pd.DataFrame:
    """Keep each force's records in its own districts, as counts per area, month and crime type."""
    frame = placed.copy()
    frame["area_force"] = geography.force_of(frame["area"])
    keep = pd.Series(False, index=frame.index)
    for rows in frame.groupby("force", dropna=False).groups.values():
        keep |= _inside_force(frame.loc[rows], report)
    kept = frame[keep]
    return (
        kept.groupby(["area", "month", "crime_type"])["count"]
        .sum()
        .reset_index()
        .sort_values(["area", "month", "crime_type"], ignore_index=True)
    )


def _inside_force(rows: pd.DataFrame, report: IngestReport) -> pd.Series:
    """Which of one force's records lie in its own districts.

    The force's own area is the reference force that most of its records fall in, so no
    table of force names is needed.
    """
    by_force = rows.groupby("area_force")["count"].sum()
    if by_force.empty:
        home = None
    else:
        home = by_force.idxmax()
    in_home = rows["area_force"] == home
    other_force = rows["area_force"].notna() & ~in_home
    unlisted = rows["area_force"].isna()
    area_sizes = rows[unlisted].groupby("area")["count"].sum()
    large = area_sizes[area_sizes >= _MIN_SHARE_UNLISTED * rows["count"].sum()].index
    unlisted_kept = unlisted & rows["area"].isin(large)
    dropped_unlisted = unlisted & ~unlisted_kept

    report.not_placed[NOT_PLACED_OTHER_FORCE] += int(rows.loc[other_force, "count"].sum())
    report.not_placed[NOT_PLACED_UNLISTED] += int(rows.loc[dropped_unlisted, "count"].sum())
    outside = rows[other_force | dropped_unlisted].groupby("area")["count"].sum()
    report.outside_areas.update(outside.to_dict())
    return (in_home | unlisted_kept).fillna(False)
