"""The evidence for each priority, computed once from the tidy tables.

Everything a notebook shows or a criterion scores comes from here, so a number on a page
and the score it feeds can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from assess import stats
from assess.cache import file_stamp
from assess.config import (
    DEFAULT_DATA_DIR,
    Assessment,
    Priority,
    data_dir_for,
    month_range,
    resolve_assessment,
)
from assess.data.counts import current_codes, read_counts
from assess.data.geography import Geography
from assess.data.harm import read_harm_weights
from assess.data.indicators import partner_files, read_indicator_files
from assess.data.population import population_estimate, population_for, population_years, read_population
from assess.data.small_areas import read_lsoa_counts, read_lsoa_points
from assess.disclosure import CountRule, Disclosure
from assess.errors import InputError
from assess.local import district_name

LSOA_COUNTS_COLUMNS = ["area", "lsoa_code", "month", "crime_type", "count"]
LSOA_POINTS_COLUMNS = ["lsoa_code", "area", "longitude", "latitude", "records"]
LSOAS_COLUMNS = ["lsoa_code", "lsoa_name", "area", "imd_decile"]


def _empty(columns: list[str], types: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=types.get(c, "object")) for c in columns})


def empty_lsoa_counts() -> pd.DataFrame:
    """`Tables.lsoa_counts` of a data folder without `lsoa_counts.csv`."""
    return _empty(LSOA_COUNTS_COLUMNS, {"count": "int64"})


def empty_lsoa_points() -> pd.DataFrame:
    """`Tables.lsoa_points` of a data folder without `lsoa_points.csv`."""
    return _empty(LSOA_POINTS_COLUMNS, {"longitude": "float64", "latitude": "float64", "records": "int64"})


def empty_lsoas() -> pd.DataFrame:
    """`Tables.lsoas` before the comparators are known."""
    return _empty(LSOAS_COLUMNS, {"imd_decile": "Int64"})


@dataclass(frozen=True)
class Tables:
    """The input tables of one run, read and checked once.

    Attributes
    ----------
    lsoa_counts
        Records per LSOA (`area, lsoa_code, month, crime_type, count`, area by name as in
        `counts`); empty where the data folder has no `lsoa_counts.csv`.
    lsoa_points
        Each LSOA's mean anonymised point (`lsoa_code, area, longitude, latitude, records`);
        empty where the folder has no `lsoa_points.csv`.
    lsoas
        Every LSOA of the comparators' districts, those without records included:
        `lsoa_code, lsoa_name, area, imd_decile` (IMD 2019, 1 = most deprived 10%; NA in Wales).
    small_area_files
        The small-area files read, which `files` lists after counts, population and harm weights.
    """

    counts: pd.DataFrame
    population: pd.DataFrame
    harm_weights: pd.DataFrame
    indicators: pd.DataFrame
    files: tuple[Path, ...]
    lsoa_counts: pd.DataFrame = field(default_factory=empty_lsoa_counts)
    lsoa_points: pd.DataFrame = field(default_factory=empty_lsoa_points)
    lsoas: pd.DataFrame = field(default_factory=empty_lsoas)
    small_area_files: tuple[Path, ...] = ()
    # Partner returns read, by the files and priority keys they were read for: shared by every copy
    # `replace` makes, so an all-areas run reads the national returns once, not once per area.
    returns_read: dict[tuple, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)
    # Figures of a whole county (its LSOAs' concentration), by what they were computed from: shared
    # like `returns_read`, so every area of the county uses the figure computed for the first.
    county_figures: dict[tuple, object] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def read_folder(cls, data_dir: Path, counts: pd.DataFrame) -> Tables:
        """The tables beside `counts.csv` in a data folder that every area of a run shares.

        Harm weights fall back to the embedded default when the folder has none, so counts
        and population are enough to assess any area. The small-area tables are optional
        too: without them a page says so. Each area adds its partner returns
        (`with_partner_returns`).
        """
        population_path = data_dir / "population.csv"
        if not population_path.is_file():
            population_path = DEFAULT_DATA_DIR / "population.csv"
        harm_path = data_dir / "harm_weights.csv"
        if not harm_path.is_file():
            harm_path = DEFAULT_DATA_DIR / "harm_weights.csv"
        lsoa_counts_path, lsoa_points_path = data_dir / "lsoa_counts.csv", data_dir / "lsoa_points.csv"
        geography = Geography.default()
        return cls(
            counts=counts,
            population=read_population(population_path),
            harm_weights=read_harm_weights(harm_path),
            indicators=pd.DataFrame(),
            files=(data_dir / "counts.csv", population_path, harm_path),
            lsoa_counts=(
                _by_name(read_lsoa_counts(lsoa_counts_path, geography), counts, LSOA_COUNTS_COLUMNS)
                if lsoa_counts_path.is_file()
                else empty_lsoa_counts()
            ),
            lsoa_points=(
                _by_name(read_lsoa_points(lsoa_points_path), counts, LSOA_POINTS_COLUMNS)
                if lsoa_points_path.is_file()
                else empty_lsoa_points()
            ),
            small_area_files=tuple(p for p in (lsoa_counts_path, lsoa_points_path) if p.is_file()),
        )

    def with_partner_returns(self, data_dir: Path, assessment: Assessment) -> Tables:
        """The same counts, population and harm weights, with the partner returns this area's run may show:
        those of the data folder's `partners/` (national, every area's) and of the area's own
        `partners/` folder. Only figures of the area and its comparators are kept, and those of
        a wider area (a county, a police division) that sum districts.
        """
        national = partner_files(data_dir / "partners")
        returns = (*national, *assessment.local.partner_files)
        # Keyed by each file's size and time too: a return edited since is read again.
        read = (tuple((path, file_stamp(path)) for path in returns), tuple(p.key for p in assessment.priorities))
        if read not in self.returns_read:
            self.returns_read[read] = read_indicator_files(returns, read[1], district_name)
        indicators = self.returns_read[read]
        own = {p.name for p in assessment.local.partner_files} - {p.name for p in national}
        return replace(
            self,
            indicators=_partner_rows(indicators, assessment, own),
            lsoas=_lsoas_of(assessment, self.counts, self.lsoa_counts),
            # Counts, population and harm weights lead `files`, then the small-area tables; the area's
            # indicator mappings choose which of its returns score, so they are inputs too.
            files=(
                *self.files[:3],
                *self.small_area_files,
                *returns,
                *([assessment.local.indicators_file] if assessment.local.indicators_file else []),
            ),
        )


# The last data folder read in this process, with the size and time of each of its files: a
# kernel making every area's pages reads the folder once, not once per area.
_READ: dict[Path, tuple[tuple, Tables]] = {}
_FOLDER_FILES = ("counts.csv", "population.csv", "harm_weights.csv", "lsoa_counts.csv", "lsoa_points.csv")


def _read_folder(folder: Path) -> Tables:
    """The data folder's shared tables, read again only when one of its files has changed."""
    stamps = tuple(file_stamp(path) for name in _FOLDER_FILES for path in (folder / name, DEFAULT_DATA_DIR / name))
    if folder in _READ and _READ[folder][0] == stamps:
        return _READ[folder][1]
    tables = Tables.read_folder(folder, read_counts(folder / "counts.csv"))
    _READ.clear()
    _READ[folder] = (stamps, tables)
    return tables


def _by_name(table: pd.DataFrame, counts: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A small-area table with its districts named as in the counts, each code first taken to the
    district it is at the end of the counts (as `read_counts` does)."""
    geography = Geography.default()
    names = dict(zip(counts["area_code"], counts["area"]))
    # Named once per district, not once per row.
    codes = pd.Series(table["area_code"].unique())
    now = current_codes(codes, counts["month"].max(), geography)
    name_of = {code: names.get(current) or geography.name(current) for code, current in zip(codes, now)}
    named = table.assign(area=table["area_code"].map(name_of))
    return named[columns].reset_index(drop=True)


def _lsoas_of(assessment: Assessment, counts: pd.DataFrame, lsoa_counts: pd.DataFrame) -> pd.DataFrame:
    """Every LSOA of the comparators' districts: the lookup's (2011 LSOAs of England, with name and
    IMD decile), and those the counts hold that it lacks (Welsh and 2021 LSOAs, named by their code)."""
    geography = Geography.default()
    lookup = geography.lsoas
    run_name = {code: area for area, code in assessment.codes.items() if area in assessment.comparators}
    # Each of the lookup's few hundred districts, not each of its ~33,000 LSOAs, is taken to its successor.
    codes = pd.Series(lookup["area_code"].unique())
    now = current_codes(codes, counts["month"].max(), geography)
    compared = {code: run_name[current] for code, current in zip(codes, now) if current in run_name}
    rows = lookup[lookup["area_code"].isin(list(compared))]
    known = rows.assign(area=rows["area_code"].map(compared))
    held = lsoa_counts[lsoa_counts["area"].isin(run_name.values())].drop_duplicates("lsoa_code")
    # By the lookup's dict: `isin` over its codes converts each one to an Arrow scalar.
    looked_up = pd.Series([code in geography.lsoa_to_code for code in held["lsoa_code"]], index=held.index, dtype=bool)
    others = held[~looked_up]
    unknown = pd.DataFrame(
        {
            "lsoa_code": others["lsoa_code"],
            "lsoa_name": others["lsoa_code"],
            "area": others["area"],
            "imd_decile": pd.Series(pd.NA, index=others.index, dtype="Int64"),
        }
    )
    frames = [frame for frame in (known[LSOAS_COLUMNS], unknown) if not frame.empty]
    if not frames:
        return empty_lsoas()
    lsoas = pd.concat(frames, ignore_index=True).astype({"imd_decile": "Int64"})
    return lsoas.sort_values(["area", "lsoa_code"], ignore_index=True)


def _partner_rows(indicators: pd.DataFrame, assessment: Assessment, own_files: set[str]) -> pd.DataFrame:
    """The partner figures this area's run may show: those of the area and its comparators, joined by
    code whatever the name's spelling ("Newcastle-upon-Tyne", an ONS code) and named as in the run;
    and a wider area's (a county, a police division) only from the area's own returns, since a
    national file's county figure is no more this area's than its neighbour's. A predecessor's
    figure is not its successor's (it covers part of it), so it is left out too.
    """
    geography = Geography.default()
    run_name = {code: area for area, code in assessment.codes.items()}

    def name_in_run(area: str) -> str | None:
        # By the reference's code for it; an area the reference lacks, by its name or code as in the counts.
        code = geography.code_for(area) or str(area).strip().upper()
        return run_name.get(code) or (area if area in assessment.codes else None)

    areas = indicators["area"].unique()
    named = indicators["area"].map({area: name_in_run(area) for area in areas})
    not_a_district = indicators["area"].map({area: geography.code_for(area) is None for area in areas})
    wider = not_a_district & indicators["file"].isin(own_files)
    kept = indicators[named.notna() | wider].copy()
    kept["area"] = named[kept.index].fillna(kept["area"])
    return kept.reset_index(drop=True)


class Evidence:
    """An assessment's parameters with its tables: the source of every figure."""

    def __init__(self, assessment: Assessment, tables: Tables):
        self.assessment = assessment
        self.tables = tables
        self._check_population()

    @classmethod
    def load(
        cls,
        params_file: Path | None = None,
        area: str | None = None,
        data_dir: Path | None = None,
        period: tuple[str, str] | None = None,
    ) -> Evidence:
        """Read the data and resolve the parameters (the period overridden if given) against them."""
        folder = data_dir_for(params_file, data_dir)
        shared = _read_folder(folder)
        assessment = resolve_assessment(shared.counts, params_file, area, data_dir, period)
        return cls(assessment, shared.with_partner_returns(folder, assessment))

    def for_area(self, area: str) -> Evidence:
        """The same inputs assessed for another area over the same period."""
        return self.for_county_of(area, (self.assessment.period_start, self.assessment.period_end))

    def for_county_of(self, area: str, period: tuple[str, str] | None) -> Evidence:
        """The same inputs assessed for an area of another county, over `period` (None: its latest year)."""
        assessment = resolve_assessment(
            self.tables.counts, self.assessment.source, area, self.assessment.data_dir, period
        )
        return Evidence(assessment, self.tables.with_partner_returns(assessment.data_dir, assessment))

    def _check_population(self) -> None:
        codes = self.assessment.codes
        missing = [a for a in self.assessment.comparators if codes[a] not in self._population_by_code.index]
        if missing:
            path = next(p for p in self.tables.files if p.name == "population.csv")
            named = ", ".join(f"{area} ({codes[area]})" for area in missing)
            raise InputError(
                f"{path}: no population for {named}; add a row per area code (area_code, area, year, population)"
            )

    @cached_property
    def _population_by_code(self) -> pd.Series:
        year = int(self.assessment.period_start[:4])
        codes = [self.assessment.codes[a] for a in self.assessment.comparators]
        return population_for(self.tables.population, year, codes)

    @cached_property
    def population(self) -> pd.Series:
        """Residents per comparator area (by name), joined by code: the estimate for the period's year, else
        the nearest year held; a successor authority without its own, its predecessors' summed."""
        by_code = self._population_by_code
        names = {code: area for area, code in self.assessment.codes.items()}
        series = by_code.rename(index=names).reindex(list(self.assessment.comparators))
        series.index.name = "area"
        series.attrs["years"] = {names[code]: year for code, year in by_code.attrs["years"].items()}
        return series

    @property
    def population_years(self) -> tuple[int, ...]:
        """The year(s) of the population estimates the rates use (one, unless areas' estimates differ)."""
        return population_years(self.population)

    @property
    def population_estimate(self) -> str:
        """The estimate the rates use, in words: 'mid-2020 estimate'."""
        return population_estimate(self.population)

    @cached_property
    def months_held(self) -> frozenset[str]:
        """The months for which the data hold any record of the compared areas."""
        return frozenset(self._counts_in_scope["month"])

    def missing_months(self, months: list[str]) -> list[str]:
        """Those of `months` the data do not hold for the compared areas (not downloaded, or withheld)."""
        return [m for m in months if m not in self.months_held]

    @cached_property
    def _counts_in_scope(self) -> pd.DataFrame:
        counts = self.tables.counts
        return counts[counts["area"].isin(self.assessment.comparators)]

    @cached_property
    def disclosure(self) -> Disclosure:
        """The run's disclosure policy: what may be shown of which counts."""
        return Disclosure.of(self.assessment)

    def for_priority(self, priority: Priority | str) -> PriorityEvidence:
        if isinstance(priority, str):
            priority = self.assessment.priority(priority)
        return PriorityEvidence(self, priority)


class PriorityEvidence:
    """The police-recorded evidence of one priority in the assessed area and its comparators."""

    def __init__(self, evidence: Evidence, priority: Priority):
        self.evidence = evidence
        self.priority = priority
        self.assessment = evidence.assessment
        counts = evidence._counts_in_scope
        self._counts = counts[counts["crime_type"].isin(priority.crime_types)]

    @property
    def has_police_data(self) -> bool:
        return self.priority.has_police_data

    @property
    def rule(self) -> CountRule:
        """Disclosure control of this priority's counts."""
        return self.evidence.disclosure.rule(self.priority)

    @property
    def previous_months(self) -> list[str]:
        """The same number of months immediately before the period."""
        months = self.assessment.months
        first = pd.Period(months[0], freq="M")
        return month_range(str(first - len(months)), str(first - 1))

    def _months_available(self, months: list[str]) -> bool:
        return not self.missing_months(months)

    def missing_months(self, months: list[str]) -> list[str]:
        return self.evidence.missing_months(months)

    def total(self, months: list[str] | None = None, area: str | None = None) -> int:
        """Recorded offences of this priority in the area over the period (or other months)."""
        months = months or self.assessment.months
        rows = self._counts[
            (self._counts["area"] == (area or self.assessment.area)) & self._counts["month"].isin(months)
        ]
        return int(rows["count"].sum())

    def previous_total(self) -> int | None:
        """The total over the previous period, or None where the data do not reach back."""
        months = self.previous_months
        return self.total(months) if self._months_available(months) else None

    def monthly(self, area: str | None = None) -> pd.DataFrame:
        """Counts per month and crime type in the period; months with no records are 0."""
        area = area or self.assessment.area
        rows = self._counts[(self._counts["area"] == area) & self._counts["month"].isin(self.assessment.months)]
        table = rows.pivot_table(index="month", columns="crime_type", values="count", aggfunc="sum")
        table = table.reindex(index=self.assessment.months, columns=list(self.priority.crime_types))
        return table.fillna(0).astype("int64")

    def monthly_hidden(self) -> pd.DataFrame:
        """Which cells of the monthly table (crime types and, with several, All) are not shown.

        The table's rows have their total in All, and its columns theirs in the breakdown
        and the headline, so both are shown totals for secondary suppression.
        """
        grid = self.monthly()
        if grid.shape[1] > 1:
            grid["All"] = grid.sum(axis=1)
        return pd.DataFrame(self.rule.grid(grid.to_numpy(), True, True), index=grid.index, columns=grid.columns)

    def breakdown(self) -> pd.DataFrame:
        """This period by crime type: count, share of the priority, and the previous period."""
        current = self.monthly().sum()
        table = pd.DataFrame({"crime_type": current.index, "count": current.to_numpy()})
        total = table["count"].sum()
        table["share"] = table["count"] / total if total else float("nan")
        previous_months = self.previous_months
        if self._months_available(previous_months):
            table["previous"] = [self._type_total(t, previous_months) for t in table["crime_type"]]
        return table

    def _type_total(self, crime_type: str, months: list[str]) -> int:
        rows = self._counts[
            (self._counts["area"] == self.assessment.area)
            & (self._counts["crime_type"] == crime_type)
            & self._counts["month"].isin(months)
        ]
        return int(rows["count"].sum())

    def rates(self) -> pd.DataFrame:
        """Every comparator's count, rate per 1,000 residents with its 95% interval, and rank.

        Rank 1 is the lowest rate, as in the plan's "lowest 3 in the county" measure. A page
        asks for it several times; it is computed once (a copy is returned each time).
        """
        return self._rates.copy()

    @cached_property
    def _rates(self) -> pd.DataFrame:
        months = self.assessment.months
        in_period = self._counts[self._counts["month"].isin(months)]
        counts = in_period.groupby("area")["count"].sum().reindex(list(self.assessment.comparators), fill_value=0)
        rows = []
        for area, count in counts.items():
            rate = stats.rate_per_1000(int(count), float(self.evidence.population[area]))
            rows.append(
                {
                    "area": area,
                    "count": int(count),
                    "population": int(self.evidence.population[area]),
                    "rate": rate.rate,
                    "lower": rate.lower,
                    "upper": rate.upper,
                }
            )
        table = pd.DataFrame(rows)
        table["rank"] = table["rate"].rank(method="min").astype("int64")
        table["is_area"] = table["area"] == self.assessment.area
        return table.sort_values(["rate", "area"], ignore_index=True)

    def area_rank(self) -> tuple[int, int]:
        """(rank, number of areas) of the assessed area, 1 = lowest rate."""
        table = self.rates()
        return int(table.loc[table["is_area"], "rank"].iloc[0]), len(table)
