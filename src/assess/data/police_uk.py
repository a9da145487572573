"""Read data.police.uk street-level crime of any force and any months into tidy counts by ONS code.

Each file (plain, gzipped, in a zip archive or a folder: see `downloads`) is streamed with
pyarrow in blocks and reduced at once to counts per (force, month, LSOA, crime type), with
the sums of the records' anonymised coordinates, so what is held follows the number of
LSOAs, not the number of rows.

The home force of a record is its `Falls within` (via forces.csv); a record in a district
of another force is left out and reported. Each force's districts are those of the last
month ingested for it, so a series spanning a reorganisation is the successor throughout.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from assess.data.downloads import Source, find_sources
from assess.data.geography import Geography
from assess.data.tables import MAX_LINE_BYTES
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
_KEYS = ["Month", "Falls within", "LSOA code", "LSOA name", "Crime type"]
_KEPT = [*_KEYS, "Longitude", "Latitude"]
_MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
_DECIMAL_PATTERN = r"^-?\d{1,3}(\.\d+)?$"
_GROUPED = ["force", "month", "lsoa_code", "lsoa_name", "crime_type"]
_SUMMED = ["count", "longitude_e6", "latitude_e6", "points"]
MIN_POINT_RECORDS = 10
"""An LSOA's mean point is kept only over this many records with coordinates, so it is never one record's."""
LSOA_COUNT_COLUMNS = ["area_code", "lsoa_code", "month", "crime_type", "count"]
LSOA_POINT_COLUMNS = ["lsoa_code", "area_code", "longitude", "latitude", "records"]

NOT_PLACED_NO_LSOA = "no LSOA code or name"
NOT_PLACED_UNKNOWN_LSOA = "LSOA unknown to the lookup and its name names no district"
NOT_PLACED_OTHER_FORCE = "in a district of another force"
PLACED_NO_LSOA_CODE = "placed in a district by the LSOA name alone (no LSOA code)"
TERRITORIAL_FORCES = "the workbook covers the 43 territorial police forces of England and Wales (data/forces.csv)"


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
    outside_areas
        Per force, records left out per district code of another force.
    duplicate_months
        (force, month) pairs seen in more than one file, with the files.
    force_months
        Per force, the months it has records for, in order.
    merged
        Per force, successor code -> predecessor codes whose records it took over.
    names
        Reference name of every district code the report mentions.
    skipped
        Files passed over by kind ("outcomes", "stop-and-search").
    placed_without_lsoa_code
        Records placed in a district (so in the district counts) that carry no LSOA code,
        so are in no LSOA's counts.
    """

    rows_read: dict[str, int] = field(default_factory=dict)
    months: dict[str, list[str]] = field(default_factory=dict)
    not_placed: Counter = field(default_factory=Counter)
    outside_areas: dict[str, Counter] = field(default_factory=dict)
    duplicate_months: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    force_months: dict[str, list[str]] = field(default_factory=dict)
    merged: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)
    placed_without_lsoa_code: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows_read.values())

    @property
    def forces(self) -> set[str]:
        """Forces whose records were read."""
        return set(self.force_months)

    @property
    def gaps(self) -> dict[str, list[str]]:
        """Per force, every month missing between its first and last."""
        return {force: _missing(months) for force, months in self.force_months.items()}

    def summary_lines(self) -> list[str]:
        """A short plain-text data-quality summary."""
        placed = self.total_rows - sum(self.not_placed.values())
        lines = [
            f"files read: {len(self.rows_read)}; records read: {self.total_rows:,}; "
            f"placed in a district of their force: {placed:,}",
        ]
        if self.skipped:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.skipped.items()))
            lines.append(f"files skipped (not street-level crime): {kinds}")
        for reason, count in sorted((r, n) for r, n in self.not_placed.items() if n):
            lines.append(f"not placed, {reason}: {count:,}")
        lines.append(
            f"{PLACED_NO_LSOA_CODE}: {self.placed_without_lsoa_code:,} (in the district counts, in no LSOA's counts)"
        )
        for force, months in sorted(self.force_months.items()):
            span = f"{months[0]} to {months[-1]}, {len(months)} of {len(months) + len(self.gaps[force])} months"
            missing = self.gaps[force]
            lines.append(f"{force}: {span}; missing {', '.join(missing) if missing else 'none'}")
            outside = self.outside_areas.get(force)
            if outside:
                listed = ", ".join(f"{self._named(code)} {n:,}" for code, n in outside.most_common())
                lines.append(f"  left out, in districts of other forces: {listed}")
            for successor, predecessors in sorted(self.merged.get(force, {}).items()):
                merged = ", ".join(self._named(code) for code in predecessors)
                lines.append(f"  {self._named(successor)} throughout: its predecessors {merged} merged into it")
        for name, months in self.months.items():
            span = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]} ({len(months)} months)"
            lines.append(f"{name}: {self.rows_read[name]:,} records, {span}")
        if self.duplicate_months:
            for (force, month), files in sorted(self.duplicate_months.items()):
                lines.append(f"duplicate month {month} for {force} in: {', '.join(files)}")
        else:
            lines.append("duplicate months across files: none")
        return lines

    def _named(self, code: str) -> str:
        return f"{self.names.get(code, code)} ({code})"


@dataclass(frozen=True)
class Ingested:
    """The tables an ingest makes, and its report.

    Attributes
    ----------
    counts
        Per district: `area_code, area, month, crime_type, count`, sorted by area, month and crime type.
    lsoa_counts
        The same records per LSOA: `area_code, lsoa_code, month, crime_type, count`, sorted by those
        columns; the records placed without an LSOA code are in `counts` only.
    lsoa_points
        Per LSOA with at least `MIN_POINT_RECORDS` records with coordinates, the mean of their
        anonymised points over every month read: `lsoa_code, area_code, longitude, latitude, records`.
    report
        What was read, each force's months and gaps, and what could not be placed.
    """

    counts: pd.DataFrame
    lsoa_counts: pd.DataFrame
    lsoa_points: pd.DataFrame
    report: IngestReport


def read_street_files(
    paths: Sequence[Path], geography: Geography, allow_duplicate_months: bool = False
) -> tuple[pd.DataFrame, IngestReport]:
    """The district counts and the report of `ingest_street_files`, for readers needing no LSOA detail."""
    ingested = ingest_street_files(paths, geography, allow_duplicate_months)
    return ingested.counts, ingested.report


def ingest_street_files(paths: Sequence[Path], geography: Geography, allow_duplicate_months: bool = False) -> Ingested:
    """Read street-level files into counts per district and per LSOA, and each LSOA's mean point.

    Parameters
    ----------
    paths
        data.police.uk `*-street.csv` files (plain or `.gz`), zip archives as served,
        or folders of them; any force, any months.
    geography
        The reference tables: LSOA lookup, district names and aliases, forces, changes.
    allow_duplicate_months
        A force's month appearing in two files is an error unless this is set, since it
        would count those records twice.
    """
    if not paths:
        raise InputError("no street-level files given; pass files, zip archives or folders of *-street.csv")
    found = find_sources(paths)
    report = IngestReport(skipped=found.skipped)
    parts = []
    seen: dict[tuple[str, str], list[str]] = {}
    for source in found.sources:
        part = _read_one(source, report, geography)
        for force, month in part[["force", "month"]].drop_duplicates().itertuples(index=False):
            seen.setdefault((force, month), []).append(source.name)
        parts.append(part)
    report.duplicate_months = {k: v for k, v in seen.items() if len(v) > 1}
    if report.duplicate_months and not allow_duplicate_months:
        (force, month), files = next(iter(sorted(report.duplicate_months.items())))
        raise InputError(
            f"{files[1]}: month {month} of {force} is also in {files[0]}; "
            "pass each force's month once (remove the duplicate file)"
        )
    records = _summed(pd.concat(parts, ignore_index=True))
    report.force_months = {
        force: sorted(months) for force, months in records.groupby("force")["month"].unique().items()
    }
    return _in_home_districts(records, geography, report)


def _summed(records: pd.DataFrame) -> pd.DataFrame:
    """Counts and coordinate sums added up per force, month, LSOA and crime type."""
    return records.groupby(_GROUPED, dropna=False)[_SUMMED].sum().reset_index()


def _read_one(source: Source, report: IngestReport, geography: Geography) -> pd.DataFrame:
    """One file, checked as it streams, reduced to counts per force, month, LSOA and crime type."""
    header = _read_header(source)
    missing = [c for c in STREET_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"{source.label}: not a data.police.uk street-level file: missing column(s) {', '.join(missing)}"
        )
    parts, rows = [], 0
    reader = None
    with source.native() as handle:
        try:
            reader = pacsv.open_csv(
                handle,
                # Our own reading of the header names the columns, so "Crime ID, Month, ..." (spaces after
                # the commas), a byte-order mark or quoted names still match the names we keep.
                read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=MAX_LINE_BYTES),
                convert_options=pacsv.ConvertOptions(
                    include_columns=_KEPT,
                    column_types={c: pa.string() for c in _KEPT},
                    strings_can_be_null=True,
                ),
            )
            for batch in reader:
                parts.append(_checked_block(batch, rows, source, geography))
                rows += batch.num_rows
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise InputError(f"{source.label}: {_arrow_message(exc)}") from None
        finally:
            # Stop its read-ahead thread now: left running past a refusal, it can abort the interpreter at exit.
            if reader is not None:
                reader.close()
    report.rows_read[source.name] = rows
    if rows == 0:
        raise InputError(f"{source.label}: header only, no records")
    grouped = _summed(pd.concat(parts, ignore_index=True))
    report.months[source.name] = sorted(grouped["month"].unique())
    return grouped


def _checked_block(batch: pa.RecordBatch, offset: int, source: Source, geography: Geography) -> pd.DataFrame:
    """One block of records checked (rows numbered from the file's start), counted and its points summed.

    Coordinates are summed as whole micro-degrees (data.police.uk gives six decimals), so the
    sums, and the means written from them, do not depend on the order records are added in.
    """
    # `Month, "Burglary"`: after a comma and a space pyarrow keeps the spaces, and the quotes with them.
    table = pa.table({c: pc.utf8_trim(batch.column(c), characters=' \t"') for c in _KEPT})
    _check_column(
        source,
        table,
        "Month",
        pc.match_substring_regex(table["Month"], _MONTH_PATTERN),
        "a month written YYYY-MM",
        offset,
    )
    _check_column(
        source,
        table,
        "Crime type",
        pc.is_in(table["Crime type"], pa.array(CRIME_TYPES)),
        "one of the 14 data.police.uk crime types",
        offset,
    )
    named = pc.unique(table["Falls within"]).to_pylist()
    known = [name for name in named if name and geography.force_of_falls_within(name)]
    _check_column(
        source,
        table,
        "Falls within",
        pc.is_in(table["Falls within"], pa.array(known, pa.string())),
        f"a police force of England and Wales; {TERRITORIAL_FORCES}",
        offset,
    )
    points = {}
    for column, limit in (("Longitude", 180), ("Latitude", 90)):
        text = pc.if_else(pc.equal(table[column], ""), pa.scalar(None, pa.string()), table[column])
        is_decimal = pc.match_substring_regex(text, _DECIMAL_PATTERN)
        what = f"a {column.lower()} in decimal degrees or empty"
        _check_column(source, table, column, pc.or_kleene(pc.is_null(text), is_decimal), what, offset)
        degrees = pc.cast(text, pa.float64())
        _check_column(
            source,
            table,
            column,
            pc.or_kleene(pc.is_null(degrees), pc.less_equal(pc.abs(degrees), limit)),
            what,
            offset,
        )
        points[column] = pc.cast(pc.round(pc.multiply(degrees, 1e6)), pa.int64())
    # A record counts as having a point only with both coordinates.
    has_point = pc.and_(pc.is_valid(points["Longitude"]), pc.is_valid(points["Latitude"]))
    keyed = pa.table(
        {
            **{c: table[c] for c in _KEYS},
            "longitude_e6": pc.if_else(has_point, points["Longitude"], 0),
            "latitude_e6": pc.if_else(has_point, points["Latitude"], 0),
            "points": pc.cast(has_point, pa.int64()),
        }
    )
    aggregates = [([], "count_all"), ("longitude_e6", "sum"), ("latitude_e6", "sum"), ("points", "sum")]
    grouped = keyed.group_by(_KEYS).aggregate(aggregates).to_pandas()
    grouped["Falls within"] = grouped["Falls within"].map(geography.force_of_falls_within)
    return grouped.rename(
        columns={
            "Falls within": "force",
            "Month": "month",
            "LSOA code": "lsoa_code",
            "LSOA name": "lsoa_name",
            "Crime type": "crime_type",
            "count_all": "count",
            "longitude_e6_sum": "longitude_e6",
            "latitude_e6_sum": "latitude_e6",
            "points_sum": "points",
        }
    )[[*_GROUPED, *_SUMMED]]


def _read_header(source: Source) -> list[str]:
    """The column names of a street-level file, without a byte-order mark, quotes or surrounding spaces."""
    with source.open() as handle:
        first = _first_line(handle, source)
    if not first.strip():
        raise InputError(f"{source.label}: the file is empty; expected a data.police.uk street-level CSV")
    try:
        text = first.decode("utf-8-sig")
        names = next(csv.reader([text.rstrip("\r\n")], skipinitialspace=True), [])
    except UnicodeDecodeError:
        raise InputError(f"{source.label}: not UTF-8 text; expected a data.police.uk street-level CSV") from None
    except csv.Error as exc:  # a name longer than the csv module allows
        raise InputError(
            f"{source.label}: line 1 is not a header row ({exc}); expected a data.police.uk street-level CSV"
        ) from None
    return [name.strip() for name in names]


def _first_line(handle: BinaryIO, source: Source) -> bytes:
    """The first line, reading no more than MAX_LINE_BYTES of it."""
    first = handle.readline(MAX_LINE_BYTES + 1)
    if len(first.rstrip(b"\r\n")) > MAX_LINE_BYTES:
        raise InputError(f"{source.label}: line 1 is longer than {MAX_LINE_BYTES / 2**20:g} MB; not a CSV table")
    return first


def _check_column(source: Source, table: pa.Table, column: str, ok: pa.ChunkedArray, what: str, offset: int) -> None:
    ok = pc.fill_null(ok, False)
    if pc.all(ok).as_py():
        return
    first_bad = pc.index(ok, False).as_py()
    value = table[column][first_bad].as_py()
    raise InputError(f"{source.label}: row {offset + first_bad + 2}: '{column}' must be {what}, not {value!r}")


def _arrow_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "Expected" in text and "columns" in text:
        return f"a row has the wrong number of columns, the file may be truncated ({text})"
    if "UTF8" in text or "utf-8" in text.lower():
        return "not UTF-8 text; expected a data.police.uk street-level CSV"
    if "straddling" in text:  # a row that does not fit in one block of the reader
        return f"a row is longer than {MAX_LINE_BYTES / 2**20:g} MB; not a data.police.uk street-level CSV"
    return text


def _in_home_districts(records: pd.DataFrame, geography: Geography, report: IngestReport) -> Ingested:
    """Counts per district and LSOA of each record's own force, in the districts of that force's last month."""
    frame = records.copy()
    frame["placed"] = geography.place(frame["lsoa_code"], frame["lsoa_name"])
    no_lsoa = frame["lsoa_code"].isna() & frame["lsoa_name"].isna()
    report.not_placed[NOT_PLACED_NO_LSOA] += int(frame.loc[no_lsoa, "count"].sum())
    unknown = frame["placed"].isna() & ~no_lsoa
    report.not_placed[NOT_PLACED_UNKNOWN_LSOA] += int(frame.loc[unknown, "count"].sum())
    frame = frame[frame["placed"].notna()]

    last_month = {force: months[-1] for force, months in report.force_months.items()}
    pairs = frame[["force", "placed"]].drop_duplicates()
    current = {
        (force, code): geography.current(code, last_month[force]) for force, code in pairs.itertuples(index=False)
    }
    frame["area_code"] = [current[pair] for pair in zip(frame["force"], frame["placed"])]
    home = frame["area_code"].map(geography.force) == frame["force"]

    away = frame[~home]
    report.not_placed[NOT_PLACED_OTHER_FORCE] += int(away["count"].sum())
    for force, rows in away.groupby("force"):
        report.outside_areas[force] = Counter(rows.groupby("area_code")["count"].sum().to_dict())
    kept = frame[home]
    merged = kept.loc[kept["placed"] != kept["area_code"], ["force", "area_code", "placed"]].drop_duplicates()
    for (force, successor), rows in merged.groupby(["force", "area_code"]):
        report.merged.setdefault(force, {})[successor] = tuple(sorted(rows["placed"]))
    mentioned = set(frame["area_code"]) | set(frame["placed"])
    report.names = {code: geography.name(code) for code in mentioned}

    counts = kept.groupby(["area_code", "month", "crime_type"])["count"].sum().reset_index()
    counts.insert(1, "area", counts["area_code"].map(geography.name))
    with_code = kept[kept["lsoa_code"].notna()]
    report.placed_without_lsoa_code = int(kept["count"].sum() - with_code["count"].sum())
    return Ingested(
        counts=counts.sort_values(["area", "month", "crime_type"], ignore_index=True),
        lsoa_counts=with_code.groupby(LSOA_COUNT_COLUMNS[:-1])["count"].sum().reset_index(),
        lsoa_points=_mean_points(with_code),
        report=report,
    )


def _mean_points(records: pd.DataFrame) -> pd.DataFrame:
    """Each LSOA's mean point over all its records with coordinates, where there are enough of them."""
    sums = records.groupby(["lsoa_code", "area_code"])[["longitude_e6", "latitude_e6", "points"]].sum().reset_index()
    sums = sums[sums["points"] >= MIN_POINT_RECORDS]
    return pd.DataFrame(
        {
            "lsoa_code": sums["lsoa_code"],
            "area_code": sums["area_code"],
            "longitude": (sums["longitude_e6"] / sums["points"] / 1e6).round(6),
            "latitude": (sums["latitude_e6"] / sums["points"] / 1e6).round(6),
            "records": sums["points"],
        }
    ).reset_index(drop=True)


def _missing(months: list[str]) -> list[str]:
    """Months between the first and last of `months` (sorted YYYY-MM) that it lacks."""
    every = pd.period_range(months[0], months[-1], freq="M").strftime("%Y-%m")
    return [month for month in every if month not in set(months)]
