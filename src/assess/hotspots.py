"""Where a priority's records fall inside a district: hotspots, concentration and repeat locations.

The unit is the LSOA (lower layer super output area), the smallest area every police record
is placed in. The inputs are plain frames shaped as `Tables.lsoa_counts` (``area, lsoa_code,
month, crime_type, count``) and `Tables.lsoas` (``lsoa_code, lsoa_name, area, imd_decile``).

Hotspots (`find_hotspots`)
    Each LSOA's count against an even spread of the district's records over its LSOAs (the
    district total divided by the number of LSOAs): the upper-tail probability of a count at
    least as high, exact Poisson (`even_spread_p_values`), with the Benjamini-Hochberg false
    discovery rate controlled across the district's LSOAs (`stats.benjamini_hochberg`). The
    null is each LSOA's own rate no higher than the district's average: the variation between
    LSOAs that the dispersion test finds is what a hotspot is, so it is not used to widen the
    test (as the comparison criterion widens its funnel between districts). Records in one LSOA
    can cluster in time (a repeat victim, one prolific offender), which Poisson noise does not
    allow for; the persistent places (several quarters in the top group) are the check on that.
    Whether the spread as a whole is more uneven than chance: the index-of-dispersion test,
    sum (O - E)^2 / E on n - 1 degrees of freedom. LSOAs hold similar numbers of residents
    (about 1,000 to 3,000), so an even spread is close to an expectation per resident; a town
    centre's records come mostly from visitors, and it stands out against either.
Concentration (`concentration`, `county_concentration`)
    The share of the records in the 10% of LSOAs with the most (the standard measure of crime
    concentration), the Gini coefficient and the Lorenz curve. Neither is 0 when records
    fall by chance on an even spread: Poisson noise alone makes some LSOAs busier than
    others, the more so the fewer records there are (a mean of 8 per LSOA gives a top-10%
    share near 17% and a Gini near 0.2, where an exactly even spread gives 10% and 0). Read
    a share against the county's, and against the dispersion test, never alone.
Repeat locations (`persistent`)
    LSOAs in the district's top 10% by count in several quarters of the period, with the
    longest run of consecutive quarters: the persistent hotspots a partnership tasks against.

Ties are broken the same way everywhere, so a table never depends on the input's row order:
more records first, then (for quarters) more records over the whole period, then the LSOA code.

Disclosure: on a sensitive priority (`CountRule.sensitive`) a count from 1 to threshold - 1 is
hidden, and so is every figure that would give it back (its share, ratio, p-value and hotspot
flag; its change on the previous year; a total, curve or share computed over it). The tables
say which (``hidden`` columns, ``*_withheld`` attributes); the page withholds them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special
from scipy import stats as scipy_stats

from assess import stats
from assess.changes import Change, p_words
from assess.config import period_text
from assess.disclosure import NOT_SENSITIVE, CountRule
from assess.errors import InputError

TOP_FRACTION = 0.1
"""The share of a district's LSOAs that make its top group (the top 10%)."""

HOTSPOT_COLUMNS = [
    "rank",
    "lsoa_code",
    "count",
    "share",
    "expected",
    "ratio",
    "p_value",
    "q_value",
    "hotspot",
    "hidden",
]
PERSISTENT_COLUMNS = ["lsoa_code", "quarters_in_top", "longest_run", "quarters"]
LSOA_COUNT_COLUMNS = ["area", "lsoa_code", "month", "crime_type", "count"]
LSOA_COLUMNS = ["lsoa_code", "area"]


# --- the tests, vectorised along the last axis (LSOAs) so a simulation can run many districts -----


@dataclass(frozen=True, eq=False)
class Dispersion:
    """The index-of-dispersion test: is the spread over LSOAs more uneven than Poisson chance?

    Arrays over the leading axes of the input (floats for one district). ``statistic`` is
    sum (O - E)^2 / E with E the mean count, ``df`` is the number of LSOAs less one, and
    ``p_value`` the upper tail of chi-square on ``df``; NaN where the district has no records.
    """

    statistic: np.ndarray | float
    df: int
    p_value: np.ndarray | float


def even_spread_p_values(counts: ArrayLike) -> np.ndarray:
    """Each count's upper-tail exact Poisson p-value against its district's mean count (last axis).

    P(X >= k) for X ~ Poisson(mean), so a count of 0 has p-value 1. The mean is estimated from
    the same counts (conditional on the total the counts are multinomial, which the Poisson
    tail approximates well with a hundred LSOAs or so).
    """
    values = _count_array(counts)
    mean = values.mean(axis=-1, keepdims=True)
    return scipy_stats.poisson.sf(values - 1, mean)


def dispersion_test(counts: ArrayLike) -> Dispersion:
    """The index-of-dispersion (chi-square) test of the counts along the last axis against their mean."""
    values = _count_array(counts)
    lsoas = values.shape[-1]
    if lsoas < 2:
        raise InputError("the dispersion test needs at least two LSOAs")
    mean = values.mean(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(mean > 0, ((values - mean[..., None]) ** 2).sum(axis=-1) / mean, np.nan)
    df = lsoas - 1
    p_value = special.chdtrc(df, statistic)
    if values.ndim == 1:
        return Dispersion(float(statistic), df, float(p_value))
    return Dispersion(statistic, df, p_value)


# --- hotspots -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Hotspots:
    """A district's LSOAs against an even spread: the busiest as a table, and the overall test.

    Attributes
    ----------
    table
        The `top` LSOAs with the most records, busiest first (ties by LSOA code):
        ``rank, lsoa_code, count, share`` (of the district's records), ``expected`` (the even
        spread's count), ``ratio`` (count / expected), ``p_value`` (exact Poisson, upper tail),
        ``q_value`` (Benjamini-Hochberg adjusted), ``hotspot`` (q_value <= alpha) and
        ``hidden`` (a small count on a sensitive subject: its count, share, ratio, p- and
        q-value and hotspot flag are all withheld). With previous counts also ``previous``,
        ``previous_hidden`` and ``change`` (a `changes.Change`, withheld where either count is hidden).
    total
        The district's records over its LSOAs.
    lsoas
        The number of LSOAs in the district, those with no records included.
    expected
        The even spread's count per LSOA: total / lsoas.
    hotspots
        How many LSOAs are hotspots, in the table or not (flagged LSOAs are always the busiest,
        so the table holds all of them when there are no more than `top`).
    dispersion
        The index-of-dispersion test; None for a district with no records.
    alpha
        The false discovery rate controlled across the district's LSOAs.
    total_withheld
        True when the total would give back a hidden count (the LSOAs the table does not show
        include hidden ones that are `CountRule.exposes`-d): then the total, the expectation,
        and every row's share, ratio, p- and q-value (each gives back the total beside its
        count) are withheld too.
    """

    table: pd.DataFrame
    total: int
    lsoas: int
    expected: float
    hotspots: int
    dispersion: Dispersion | None
    alpha: float
    total_withheld: bool

    def dispersion_words(self) -> str:
        """'more uneven than chance (p < 0.001)', 'could be chance (p = 0.41)', or why there is no test."""
        if self.dispersion is None:
            return "not tested: no records"
        if self.total_withheld:
            return "withheld: small numbers on a sensitive subject"
        p_value = float(self.dispersion.p_value)
        said = "more uneven than chance" if p_value < self.alpha else "could be chance"
        return f"{said} ({p_words(p_value)})"


def find_hotspots(
    counts: pd.Series,
    previous: pd.Series | None = None,
    alpha: float = 0.05,
    top: int = 10,
    rule: CountRule = NOT_SENSITIVE,
) -> Hotspots:
    """Test each LSOA's count against an even spread over the district; list the busiest.

    Parameters
    ----------
    counts
        Records per LSOA of one district (`district_counts`: index ``lsoa_code``, zeros included).
    previous
        The same LSOAs' records over the same months a year earlier, or None where the data
        do not reach back a year.
    alpha
        The false discovery rate held across the district's LSOAs.
    top
        How many LSOAs the table lists.
    rule
        The disclosure rule of the priority's counts.

    Returns
    -------
    Hotspots
    """
    values = _checked_counts(counts, "the LSOA counts")
    if not 0 < alpha < 1:
        raise InputError(f"the hotspots' false discovery rate must be between 0 and 1, not {alpha}")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InputError(f"the number of hotspots listed must be a whole number of at least 1, not {top!r}")
    lsoas, total = len(values), int(values.sum())
    expected = total / lsoas
    every = pd.DataFrame({"lsoa_code": values.index.astype(str), "count": values.to_numpy()})
    every["p_value"] = even_spread_p_values(every["count"].to_numpy())
    every["q_value"] = stats.benjamini_hochberg(every["p_value"].to_numpy())
    every = _busiest_first(every)
    table = every.head(top).copy()
    table["rank"] = np.arange(1, len(table) + 1)
    table["share"] = table["count"] / total if total else np.nan
    table["expected"] = expected
    table["ratio"] = table["count"] / expected if total else np.nan
    table["hotspot"] = table["q_value"] <= alpha
    table["hidden"] = _hidden_with_complement(table["count"], every["count"].iloc[top:], rule)
    table = table[HOTSPOT_COLUMNS]
    if previous is not None:
        table = _with_previous(table, values, previous, rule)
    not_shown = pd.concat([table.loc[table["hidden"], "count"], every["count"].iloc[top:]])
    return Hotspots(
        table=table.reset_index(drop=True),
        total=total,
        lsoas=lsoas,
        expected=expected,
        hotspots=int((every["q_value"] <= alpha).sum()),
        dispersion=dispersion_test(every["count"].to_numpy()) if total and lsoas > 1 else None,
        alpha=alpha,
        total_withheld=rule.hides(total) or rule.exposes(not_shown),
    )


def _hidden_with_complement(listed: pd.Series, rest: pd.Series, rule: CountRule) -> pd.Series:
    """Which listed counts to hide: the small ones, then the smallest shown ones until what is not shown
    no longer gives a hidden count back.

    The district's total is published (the page's key figures), so total minus the counts shown is
    the sum of those not shown; where that sum would expose a small count, more are hidden
    (secondary suppression, as `disclosure.suppress_grid` does along a table's totals).
    """
    hidden = listed.map(rule.hides).astype(bool)
    while rule.exposes(pd.concat([listed[hidden], rest])):
        shown = listed[~hidden & (listed > 0)]  # a hidden zero protects nothing
        if shown.empty:
            break
        hidden[shown.index[shown.to_numpy().argmin()]] = True
    return hidden


def _with_previous(table: pd.DataFrame, values: pd.Series, previous: pd.Series, rule: CountRule) -> pd.DataFrame:
    """The table with each LSOA's count a year earlier and the change, tested as two Poisson counts."""
    before = _checked_counts(previous, "the previous year's LSOA counts")
    missing = values.index.difference(before.index)
    if len(missing):
        raise InputError(
            f"the previous year's LSOA counts have no count for LSOA {missing[0]}: "
            "give both periods over the same LSOAs (district_counts, zeros included)"
        )
    table = table.copy()
    table["previous"] = before.reindex(table["lsoa_code"]).to_numpy()
    table["previous_hidden"] = table["previous"].map(rule.hides).astype(bool)
    changes = []
    for earlier, now, hidden in zip(table["previous"], table["count"], table["hidden"] | table["previous_hidden"]):
        change = Change.of_counts(int(earlier), int(now))
        changes.append(change.hidden() if hidden else change)
    table["change"] = changes
    return table


# --- concentration ------------------------------------------------------------------------------


def top_group_size(lsoas: int, fraction: float) -> int:
    """How many LSOAs make the top `fraction`: rounded up, after rounding away float error (70 x 0.1
    is 7.000000000000001, which would round up to 8)."""
    return math.ceil(round(lsoas * fraction, 9))


@dataclass(frozen=True, eq=False)
class Concentration:
    """How much of an area's records the busiest LSOAs hold.

    Attributes
    ----------
    lsoas, total
        The number of LSOAs (zeros included) and their records.
    top_lsoas
        The size of the top group: the top `fraction` of LSOAs, rounded up (ceil(n / 10)).
    top_share
        The share (0 to 1) of the records in the top group; None when there are no records.
    gini
        The Gini coefficient of the counts over LSOAs: 0 for an exactly even spread, (n - 1) / n
        for every record in one LSOA; None when there are no records. Poisson chance alone
        makes it more than 0 (see the module's note).
    lorenz
        The Lorenz curve: ``lsoa_share`` (the quietest LSOAs' share of LSOAs) against
        ``record_share`` (their share of the records), from (0, 0) to (1, 1), one point per LSOA.
    top_share_withheld
        The top group holds a hidden count: its share, with the total, gives back their sum.
    curve_withheld
        Some LSOA's count is hidden: the Gini and the Lorenz curve, computed from every
        count, are withheld (the curve's steps are the counts themselves).
    """

    lsoas: int
    total: int
    top_lsoas: int
    top_share: float | None
    gini: float | None
    lorenz: pd.DataFrame
    top_share_withheld: bool
    curve_withheld: bool


def concentration(counts: pd.Series, fraction: float = TOP_FRACTION, rule: CountRule = NOT_SENSITIVE) -> Concentration:
    """The share of records in the top `fraction` of LSOAs, the Gini coefficient and the Lorenz curve.

    Parameters
    ----------
    counts
        Records per LSOA (zeros included): one district's (`district_counts`) or a county's.
    fraction
        The share of LSOAs in the top group (0.1: the top 10%, rounded up to whole LSOAs).
    rule
        The disclosure rule of the priority's counts.
    """
    values = np.sort(_checked_counts(counts, "the LSOA counts").to_numpy())
    if not 0 < fraction <= 1:
        raise InputError(f"the top group's share of LSOAs must be above 0 and at most 1, not {fraction}")
    lsoas, total = len(values), int(values.sum())
    # Rounded first: 70 * 0.1 is 7.000000000000001 in floating point, which would round up to 8.
    top_lsoas = top_group_size(lsoas, fraction)
    top_group = values[::-1][:top_lsoas]
    if total:
        cumulative = np.concatenate([[0.0], np.cumsum(values) / total])
        ranks = np.arange(1, lsoas + 1)
        gini = float(((2 * ranks - lsoas - 1) * values).sum() / (lsoas * total))
        top_share = float(top_group.sum() / total)
        lorenz = pd.DataFrame({"lsoa_share": np.arange(lsoas + 1) / lsoas, "record_share": cumulative})
    else:
        gini, top_share = None, None
        lorenz = pd.DataFrame({"lsoa_share": pd.Series(dtype=float), "record_share": pd.Series(dtype=float)})
    return Concentration(
        lsoas=lsoas,
        total=total,
        top_lsoas=top_lsoas,
        top_share=top_share,
        gini=gini,
        lorenz=lorenz,
        top_share_withheld=rule.hides_any(top_group),
        curve_withheld=rule.hides_any(values),
    )


def county_concentration(
    lsoa_counts: pd.DataFrame,
    lsoas: pd.DataFrame,
    comparators: Sequence[str],
    crime_types: Iterable[str],
    months: Iterable[str],
    fraction: float = TOP_FRACTION,
    rule: CountRule = NOT_SENSITIVE,
) -> Concentration:
    """`concentration` over every LSOA of the comparator districts (the county) taken together."""
    crime_types, months = list(crime_types), list(months)
    _require_columns(lsoa_counts, LSOA_COUNT_COLUMNS, "the LSOA counts")
    # The county's rows picked once, so each district's are found among them, not among every area's.
    in_county = lsoa_counts[
        lsoa_counts["area"].isin(list(comparators))
        & lsoa_counts["crime_type"].isin(crime_types)
        & lsoa_counts["month"].isin(months)
    ]
    pooled = pd.concat([district_counts(in_county, lsoas, area, crime_types, months) for area in comparators])
    return concentration(pooled, fraction, rule)


# --- counts per LSOA ------------------------------------------------------------------------------


def district_counts(
    lsoa_counts: pd.DataFrame,
    lsoas: pd.DataFrame,
    area: str,
    crime_types: Iterable[str],
    months: Iterable[str],
) -> pd.Series:
    """Records of these crime types and months in each LSOA of a district, zeros included.

    Parameters
    ----------
    lsoa_counts
        Counts shaped as `Tables.lsoa_counts`: ``area, lsoa_code, month, crime_type, count``.
    lsoas
        Every LSOA of the district and its name, shaped as `Tables.lsoas` (``lsoa_code, area``
        at least).
    area
        The district, by name as in ``area``.
    crime_types, months
        The priority's crime types and the period's months (``YYYY-MM``).

    Returns
    -------
    pd.Series
        Counts (int64) named ``count``, indexed by ``lsoa_code`` in code order.
    """
    rows, codes = _district_rows(lsoa_counts, lsoas, area, crime_types, months)
    summed = rows.groupby("lsoa_code")["count"].sum()
    return summed.reindex(codes, fill_value=0).astype("int64").rename("count").rename_axis("lsoa_code")


def _district_lsoas(lsoas: pd.DataFrame, area: str) -> pd.Index:
    _require_columns(lsoas, LSOA_COLUMNS, "the LSOA lookup")
    codes = pd.Index(sorted(lsoas.loc[lsoas["area"] == area, "lsoa_code"].astype(str).unique()), name="lsoa_code")
    if codes.empty:
        raise InputError(f"the LSOA lookup has no LSOAs of {area}: re-run `assess ingest` to write lsoa_lookup.csv")
    return codes


def _district_rows(
    lsoa_counts: pd.DataFrame, lsoas: pd.DataFrame, area: str, crime_types: Iterable[str], months: Iterable[str]
) -> tuple[pd.DataFrame, pd.Index]:
    """The district's rows of the LSOA counts for these crime types and months, every LSOA one of its own,
    and the district's LSOA codes (`_district_lsoas`)."""
    _require_columns(lsoa_counts, LSOA_COUNT_COLUMNS, "the LSOA counts")
    rows = lsoa_counts[
        (lsoa_counts["area"] == area)
        & lsoa_counts["crime_type"].isin(list(crime_types))
        & lsoa_counts["month"].isin(list(months))
    ]
    codes = _district_lsoas(lsoas, area)
    strangers = pd.Index(rows["lsoa_code"].unique()).difference(codes)
    if len(strangers):
        raise InputError(
            f"lsoa_counts.csv: {area} has records in LSOA {strangers[0]}, which the LSOA lookup does not "
            f"place in {area}; re-run `assess ingest` so both come from the same lookup"
        )
    return rows, codes


# --- repeat locations ---------------------------------------------------------------------------


def persistent(
    lsoa_counts: pd.DataFrame,
    lsoas: pd.DataFrame,
    area: str,
    crime_types: Iterable[str],
    months: Iterable[str],
    share: float = TOP_FRACTION,
    min_quarters: int = 3,
) -> pd.DataFrame:
    """LSOAs in the district's top group in at least `min_quarters` quarters of the period.

    The period's months are cut into quarters counted back from its last month (a period
    whose length is not a whole number of quarters leaves out its earliest one or two
    months). Each quarter's top group is the ceil(`share` x LSOAs) LSOAs with the most
    records in the quarter; an LSOA with none is never in it. Ties at the edge of the group
    go to the LSOA with more records over the whole period, then to the lower LSOA code, so
    the group is always the same size and the same LSOAs.

    Returns
    -------
    pd.DataFrame
        ``lsoa_code, quarters_in_top, longest_run`` (the most consecutive quarters in the top
        group) and ``quarters`` (a tuple of the quarters in words, 'January to March 2022'),
        most quarters first, then the longest run, then most records, then code. Empty when
        none qualifies (or the period has fewer than `min_quarters` quarters).
    """
    if isinstance(min_quarters, bool) or not isinstance(min_quarters, int) or min_quarters < 1:
        raise InputError(f"a persistent hotspot's quarters must be a whole number of at least 1, not {min_quarters!r}")
    if not 0 < share <= 1:
        raise InputError(f"the top group's share of LSOAs must be above 0 and at most 1, not {share}")
    crime_types, months = list(crime_types), sorted(set(months))
    rows, codes = _district_rows(lsoa_counts, lsoas, area, crime_types, months)
    whole = months[len(months) % 3 :]
    quarters = [whole[i : i + 3] for i in range(0, len(whole), 3)]
    grid = (
        rows.pivot_table(index="lsoa_code", columns="month", values="count", aggfunc="sum", fill_value=0)
        .reindex(index=codes, columns=whole, fill_value=0)
        .astype("int64")
    )
    period_total = grid.sum(axis=1)
    group_size = top_group_size(len(codes), share)
    in_top = pd.DataFrame(False, index=codes, columns=range(len(quarters)))
    for q, quarter in enumerate(quarters):
        frame = pd.DataFrame({"count": grid[quarter].sum(axis=1), "period_total": period_total})
        ordered = frame[frame["count"] > 0].sort_values(
            ["count", "period_total"], ascending=False, kind="mergesort"
        )  # codes are in order already, and a stable sort keeps it for the last tie-break
        in_top.loc[ordered.index[:group_size], q] = True
    listed = pd.DataFrame(
        {
            "lsoa_code": codes,
            "quarters_in_top": in_top.sum(axis=1).to_numpy(),
            "longest_run": [_longest_run(flags) for flags in in_top.to_numpy()],
            "quarters": [
                tuple(period_text(quarters[q][0], quarters[q][-1]) for q in np.flatnonzero(flags))
                for flags in in_top.to_numpy()
            ],
            "period_total": period_total.to_numpy(),
        }
    )
    listed = listed[listed["quarters_in_top"] >= min_quarters]
    listed = listed.sort_values(
        ["quarters_in_top", "longest_run", "period_total", "lsoa_code"],
        ascending=[False, False, False, True],
        kind="mergesort",
    )
    return listed[PERSISTENT_COLUMNS].reset_index(drop=True)


def _longest_run(flags: np.ndarray) -> int:
    """The most consecutive True values."""
    longest = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        longest = max(longest, run)
    return longest


# --- checks ----------------------------------------------------------------------------------------


def _busiest_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by count, most first; ties by LSOA code."""
    return frame.sort_values(["count", "lsoa_code"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def _checked_counts(counts: pd.Series, name: str) -> pd.Series:
    if not isinstance(counts, pd.Series) or counts.empty:
        raise InputError(f"{name} must be a non-empty series of counts indexed by LSOA code")
    if counts.index.has_duplicates:
        raise InputError(f"{name} list LSOA {counts.index[counts.index.duplicated()][0]} twice")
    values = pd.to_numeric(counts, errors="coerce")
    bad = values.isna() | (values < 0) | (values % 1 != 0)
    if bad.any():
        raise InputError(
            f"{name}: LSOA {values.index[bad][0]} has {str(counts[bad].iloc[0])!r}, not a whole number of at least 0"
        )
    return values.astype("int64")


def _count_array(counts: ArrayLike) -> np.ndarray:
    values = np.asarray(counts, dtype=float)
    if values.ndim == 0 or values.shape[-1] == 0:
        raise InputError("the LSOA counts must be a non-empty list of counts")
    if not (np.isfinite(values) & (values >= 0)).all():
        raise InputError("the LSOA counts must all be non-negative numbers")
    return values


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{name} lack the column(s) {', '.join(missing)}: re-run `assess ingest`")
