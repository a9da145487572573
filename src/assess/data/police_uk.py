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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
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
_GROUPED = {
    "force": "Falls within",
    "month": "Month",
    "lsoa_code": "LSOA code",
    "lsoa_name": "LSOA name",
    "crime_type": "Crime type",
}
_SUMMED = ["count", "longitude_e6", "latitude_e6", "points"]
_BLOCK_ROWS = 2**20
"""Records (each file's, grouped) held in small parts before they are joined into one block."""
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
    records = _Records()
    seen: dict[tuple[str, str], list[str]] = {}
    for source in found.sources:
        for force_month in records.add(_read_one(source, report, geography), geography):
            seen.setdefault(force_month, []).append(source.name)
    report.duplicate_months = {k: v for k, v in seen.items() if len(v) > 1}
    if report.duplicate_months and not allow_duplicate_months:
        (force, month), files = next(iter(sorted(report.duplicate_months.items())))
        raise InputError(
            f"{files[1]}: month {month} of {force} is also in {files[0]}; "
            "pass each force's month once (remove the duplicate file)"
        )
    report.force_months = {
        force: sorted(month for of, month in seen if of == force) for force in sorted({force for force, _ in seen})
    }
    return _in_home_districts(records, geography, report)


class _Vocabulary:
    """The distinct values of a key column (None for a missing one), numbered as first seen."""

    def __init__(self) -> None:
        self.ids: dict[str | None, int] = {}

    def numbered(self, column: pa.ChunkedArray, meaning: Callable[[str], str | None] | None = None) -> np.ndarray:
        """Each value's number (of its `meaning`, when given), adding the values not seen before."""
        encoded = pc.dictionary_encode(column.combine_chunks(), null_encoding="encode")
        values = encoded.dictionary.to_pylist()
        if meaning is not None:
            values = [meaning(value) for value in values]
        ids = np.array([self.ids.setdefault(value, len(self.ids)) for value in values], dtype=np.int32)
        return ids[encoded.indices.to_numpy(zero_copy_only=False)]

    def sorted_values(self) -> tuple[np.ndarray, np.ndarray]:
        """The values sorted (None last), and each number's rank among them.

        Keyed by ranks, records group and sort as they would by the values themselves.
        """
        values = sorted(self.ids, key=lambda value: (value is None, value))
        ranks = np.empty(len(values), dtype=np.int32)
        ranks[[self.ids[value] for value in values]] = np.arange(len(values), dtype=np.int32)
        return np.array(values, dtype=object), ranks


@dataclass
class _Records:
    """Every file's counts and coordinate sums per force, month, LSOA code and name, and crime type.

    The keys are held as numbers into a vocabulary per column, so millions of grouped
    rows cost a few bytes a key rather than a string each.
    """

    vocabularies: dict[str, _Vocabulary] = field(default_factory=lambda: {key: _Vocabulary() for key in _GROUPED})
    blocks: list[dict[str, np.ndarray]] = field(default_factory=list)
    parts: list[dict[str, np.ndarray]] = field(default_factory=list)

    def add(self, grouped: pa.Table, geography: Geography) -> list[tuple[str, str]]:
        """Keep one file's grouped records; returns the file's (force, month) pairs."""
        part = {
            key: self.vocabularies[key].numbered(
                grouped[column], geography.force_of_falls_within if key == "force" else None
            )
            for key, column in _GROUPED.items()
        }
        # Copied out of pyarrow's memory, so the pool does not hold each file's table around them.
        part.update({column: grouped[column].to_numpy().copy() for column in _SUMMED})
        self.parts.append(part)
        # Files' parts are small allocations, whose memory, once freed, only other small ones reuse:
        # joined into blocks as they come, they are freed while the next files' parts can use it.
        if sum(len(part["count"]) for part in self.parts) >= _BLOCK_ROWS:
            self.blocks.append(_joined(self.parts, [*_GROUPED, *_SUMMED]))
        pairs = grouped.group_by(["Falls within", "Month"]).aggregate([])
        return list(
            dict.fromkeys(
                (geography.force_of_falls_within(falls_within), month)
                for falls_within, month in zip(*pairs.to_pydict().values(), strict=True)
            )
        )

    def columns(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """All records, keyed by each value's rank in its sorted vocabulary, and those sorted values.

        The blocks are let go a column at a time, so the records are never held twice over.
        """
        self.blocks.append(_joined(self.parts, [*_GROUPED, *_SUMMED]))
        columns = _joined(self.blocks, [*_GROUPED, *_SUMMED])
        values = {}
        for key in _GROUPED:
            values[key], ranks = self.vocabularies[key].sorted_values()
            columns[key] = ranks[columns[key]]
        return columns, values


def _joined(parts: list[dict[str, np.ndarray]], columns: list[str]) -> dict[str, np.ndarray]:
    """The parts' columns each joined end to end, letting the parts go a column at a time."""
    joined = {column: np.concatenate([part.pop(column) for part in parts]) for column in columns}
    parts.clear()
    return joined


def _read_one(source: Source, report: IngestReport, geography: Geography) -> pa.Table:
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
    grouped = _summed(pa.concat_tables(parts), [(column, "sum") for column in _SUMMED])
    report.months[source.name] = sorted(pc.unique(grouped["Month"]).to_pylist())
    return grouped


def _summed(table: pa.Table, aggregates: list[tuple]) -> pa.Table:
    """The records of `table` aggregated per key, the aggregates named as `_SUMMED`."""
    grouped = table.group_by(_KEYS).aggregate(aggregates)
    names = [f"{column}_{how}" if column else how for column, how in aggregates]
    return pa.table({**{key: grouped[key] for key in _KEYS}, **{s: grouped[n] for s, n in zip(_SUMMED, names)}})


def _checked_block(batch: pa.RecordBatch, offset: int, source: Source, geography: Geography) -> pa.Table:
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
        what = f"a {column.lower()} in decimal degrees or empty"
        try:
            degrees = pc.cast(text, pa.float64())
        except pa.ArrowInvalid:  # only then look for the row that is not a number, to name it
            is_decimal = pc.match_substring_regex(text, _DECIMAL_PATTERN)
            _check_column(source, table, column, pc.or_kleene(pc.is_null(text), is_decimal), what, offset)
            raise
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
    return _summed(keyed, [([], "count_all"), ("longitude_e6", "sum"), ("latitude_e6", "sum"), ("points", "sum")])


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


def _in_home_districts(records: _Records, geography: Geography, report: IngestReport) -> Ingested:
    """Counts per district and LSOA of each record's own force, in the districts of that force's last month.

    Each distinct LSOA (code and name) is placed once, and each force's district once; the
    records carry them by number. Grouped by their keys' ranks, the tables come out in the
    order of the codes, months and crime types themselves.
    """
    frame, values = records.columns()
    names = len(values["lsoa_name"])
    lsoas, lsoa_keys = pd.factorize(frame["lsoa_code"].astype(np.int64) * names + frame["lsoa_name"])
    lsoa_codes, lsoa_names = values["lsoa_code"][lsoa_keys // names], values["lsoa_name"][lsoa_keys % names]
    placed = geography.place(pd.Series(lsoa_codes, dtype="str"), pd.Series(lsoa_names, dtype="str"))
    per_lsoa = pd.Series(frame["count"], copy=False).groupby(lsoas).sum().to_numpy()
    no_lsoa = pd.isna(lsoa_codes) & pd.isna(lsoa_names)
    report.not_placed[NOT_PLACED_NO_LSOA] += int(per_lsoa[no_lsoa].sum())
    report.not_placed[NOT_PLACED_UNKNOWN_LSOA] += int(per_lsoa[placed.isna().to_numpy() & ~no_lsoa].sum())

    # Each record's force and district placed in, as one number; -1 where it was not placed.
    district_of_lsoa, districts = pd.factorize(placed)
    placed_in = district_of_lsoa[lsoas]
    del lsoas
    pairs = np.where(placed_in >= 0, frame["force"].astype(np.int64) * len(districts) + placed_in, -1)
    del placed_in
    per_pair = pd.Series(frame["count"], copy=False).groupby(pairs).sum()
    last_month = {force: months[-1] for force, months in report.force_months.items()}
    found = {
        pair: (values["force"][pair // len(districts)], districts[pair % len(districts)])
        for pair in per_pair.index[per_pair.index >= 0]
    }
    area_of = {pair: geography.current(code, last_month[force]) for pair, (force, code) in found.items()}
    home = {pair for pair, (force, _) in found.items() if geography.force(area_of[pair]) == force}

    outside = Counter()
    for pair in found.keys() - home:
        outside[found[pair][0], area_of[pair]] += int(per_pair[pair])
    report.not_placed[NOT_PLACED_OTHER_FORCE] += sum(outside.values())
    for (force, area), count in sorted(outside.items()):
        report.outside_areas.setdefault(force, Counter())[area] = count
    merged: dict[tuple[str, str], set[str]] = {}
    for pair in home:
        (force, code), successor = found[pair], area_of[pair]
        if code != successor:
            merged.setdefault((force, successor), set()).add(code)
    for (force, successor), codes in sorted(merged.items()):
        report.merged.setdefault(force, {})[successor] = tuple(sorted(codes))
    report.names = {code: geography.name(code) for code in {*area_of.values(), *(code for _, code in found.values())}}

    # Each record's district as its rank among the districts' codes; -1 where not placed or of another
    # force (the last entry of `rank_of`, which `pairs` of -1 index, stays -1).
    values["area_code"] = np.array(sorted(set(area_of.values())), dtype=object)
    rank = {code: i for i, code in enumerate(values["area_code"])}
    rank_of = np.full(len(values["force"]) * len(districts) + 1, -1, dtype=np.int32)
    for pair in home:
        rank_of[pair] = rank[area_of[pair]]
    frame["area_code"] = rank_of[pairs]
    del pairs

    # None sorts last among the LSOA codes; -1 ranks nothing when every record has a code.
    no_lsoa_code = len(values["lsoa_code"]) - 1 if values["lsoa_code"][-1] is None else -1
    counts = _decoded(_summed_by(frame, ["area_code", "month", "crime_type"], ["count"], no_lsoa_code), values)
    counts.insert(1, "area", counts["area_code"].map(geography.name))
    points = _summed_by(frame, ["lsoa_code", "area_code"], ["longitude_e6", "latitude_e6", "points"], no_lsoa_code)
    lsoa_counts = _summed_by(frame, LSOA_COUNT_COLUMNS[:-1], ["count"], no_lsoa_code)
    del frame  # the records go before the per-LSOA counts are spelt out, the largest table made
    report.placed_without_lsoa_code = int(counts["count"].sum() - lsoa_counts["count"].sum())
    return Ingested(
        counts=counts.sort_values(["area", "month", "crime_type"], ignore_index=True),
        lsoa_counts=_decoded(lsoa_counts, values),
        lsoa_points=_mean_points(_decoded(points, values)),
        report=report,
    )


def _summed_by(frame: dict[str, np.ndarray], keys: list[str], columns: list[str], no_lsoa_code: int) -> pd.DataFrame:
    """The `columns` summed per `keys` (ranks), in the keys' order, over the records placed in a district.

    Sorted by the keys and summed between the group starts, which holds a few bytes a record
    where a pandas group-by of four keys holds a hundred. Records not placed (district -1), or
    with no LSOA code (rank `no_lsoa_code`) where that is a key, are grouped with the rest and
    their groups dropped after, which spares a copy of the records.
    """
    order = np.lexsort([frame[key] for key in reversed(keys)])
    starts = np.zeros(len(order), dtype=bool)
    starts[0] = True
    for key in keys:
        ranks = frame[key][order]
        starts[1:] |= ranks[1:] != ranks[:-1]
    del ranks
    starts = np.flatnonzero(starts)
    sums = pd.DataFrame({key: frame[key][order[starts]] for key in keys})
    for column in columns:
        sums[column] = np.add.reduceat(frame[column][order], starts)
    kept = sums["area_code"] >= 0
    if "lsoa_code" in keys:
        kept &= sums["lsoa_code"] != no_lsoa_code
    return sums[kept].reset_index(drop=True)


def _decoded(ranked: pd.DataFrame, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """The key columns of `ranked` as the text they rank."""
    return ranked.assign(
        **{key: pd.Series(values[key][ranked[key].to_numpy()], dtype="str") for key in ranked if key in values}
    )


def _mean_points(sums: pd.DataFrame) -> pd.DataFrame:
    """Each LSOA's mean point over all its records with coordinates, where there are enough of them."""
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
