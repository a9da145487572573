"""The statistics of the assessment: rates with confidence intervals, period comparisons,
trend tests, false discovery rate control, funnel plot limits and ranks among comparator areas.

Pure functions on numbers and arrays. Every invalid argument raises `InputError` with a
one-line message, so the CLI can report it like any other data mistake.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

# scipy.special's distribution functions are used where scipy.stats' would do: same values,
# a fraction of the call overhead, which matters inside the Monte Carlo.
from assess.errors import InputError

CIMethod = Literal["exact", "byar", "auto"]
Trend = Literal["increasing", "decreasing", "no trend"]
TrendMethod = Literal["mann-kendall", "seasonal mann-kendall"]

# Counts at or above this use Byar's approximation under method="auto", as Fingertips does.
BYAR_FROM_COUNT = 10
# Fewest observations for a (non-seasonal) Mann-Kendall test.
MIN_TREND_LENGTH = 4


@dataclass(frozen=True)
class RateEstimate:
    """A crude rate per 1,000 residents with its confidence interval."""

    count: float
    population: float
    rate: float
    lower: float
    upper: float


@dataclass(frozen=True)
class PeriodComparison:
    """The current period's count against the previous one, tested as a ratio of Poisson rates."""

    current: int
    previous: int
    change: int
    pct_change: float | None
    ratio: float | None
    ratio_lower: float
    ratio_upper: float
    p_value: float
    significant: bool


@dataclass(frozen=True)
class TrendResult:
    """A Mann-Kendall trend test with Sen's slope (per observation step) and its interval."""

    method: TrendMethod
    n: int
    s: int
    var_s: float
    z: float
    p_value: float
    tau: float
    trend: Trend
    slope: float
    slope_lower: float
    slope_upper: float
    intercept: float


@dataclass(frozen=True, eq=False)
class FunnelLimits:
    """Funnel plot control limits (rates per `per` residents), one array per level."""

    target_rate: float
    per: float
    populations: np.ndarray
    lower: dict[float, np.ndarray]
    upper: dict[float, np.ndarray]
    phi: float | None


@dataclass(frozen=True)
class Rank:
    """An area's place among its comparators: 1 is the lowest value, out of n."""

    rank: int
    n: int

    @property
    def words(self) -> str:
        """The place stated one way on every page: '10 of 13 (1 = lowest rate)'."""
        return f"{self.rank} of {self.n} (1 = lowest rate)"


# --- confidence intervals for counts and rates ------------------------------------------------


def poisson_ci(count: float, level: float = 0.95, method: CIMethod = "exact") -> tuple[float, float]:
    """Confidence interval (lower, upper) for the mean of a Poisson count.

    ``"exact"`` is Garwood's interval from chi-square quantiles (lower is 0 when the count is
    0). ``"byar"`` is Byar's approximation (Breslow & Day 1987), the method of the PHE/OHID
    Technical Guide on confidence intervals; it is poor for small counts, so a negative lower
    limit is clipped to 0. ``"auto"`` follows Fingertips (PHEindicatormethods ``phe_rate``):
    exact below 10 events, Byar from 10 on, so the workbook reproduces published figures.
    """
    _check_level(level)
    if not math.isfinite(count) or count < 0:
        raise InputError(f"a count must be a non-negative number, not {count}")
    if method == "auto":
        method = "exact" if count < BYAR_FROM_COUNT else "byar"
    tail = (1 - level) / 2
    if method == "exact":
        lower = 0.0 if count == 0 else special.chdtri(2 * count, 1 - tail) / 2
        upper = special.chdtri(2 * count + 2, tail) / 2
        return float(lower), float(upper)
    if method == "byar":
        z = special.ndtri(1 - tail)
        lower = 0.0 if count == 0 else count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
        above = count + 1
        upper = above * (1 - 1 / (9 * above) + z / (3 * math.sqrt(above))) ** 3
        return max(0.0, float(lower)), float(upper)
    raise InputError(f"unknown confidence interval method {method!r}: use 'exact', 'byar' or 'auto'")


def rate_per_1000(count: float, population: float, level: float = 0.95, method: CIMethod = "auto") -> RateEstimate:
    """Crude rate per 1,000 residents, its interval being the count's Poisson interval scaled."""
    if not math.isfinite(population) or population <= 0:
        raise InputError(f"a population must be a positive number, not {population}")
    lower, upper = poisson_ci(count, level, method)
    scale = 1000 / population
    return RateEstimate(count, population, count * scale, lower * scale, upper * scale)


# --- comparing two periods --------------------------------------------------------------------


def compare_periods(current: int, previous: int, level: float = 0.95, exposure_ratio: float = 1.0) -> PeriodComparison:
    """Test whether the current period's rate differs from the previous one's.

    Conditional on the total n = current + previous, the current count is
    Binomial(n, p0) under equal rates, with p0 = e1 / (e1 + e2) where ``exposure_ratio`` is
    e1 / e2 (e.g. 6/12 when the current period is half as long). The two-sided p-value is the
    exact binomial test's (as R's ``poisson.test``); the rate ratio's interval is the
    Clopper-Pearson interval for p mapped through p / (1 - p) / exposure_ratio. ``ratio`` and
    ``pct_change`` are None when the previous count is 0 (the upper limit is then infinite).
    """
    _check_level(level)
    current = _check_whole_count(current, "current")
    previous = _check_whole_count(previous, "previous")
    if not math.isfinite(exposure_ratio) or exposure_ratio <= 0:
        raise InputError(f"the exposure ratio must be a positive number, not {exposure_ratio}")
    total = current + previous
    if total == 0:
        p_value, ratio_lower, ratio_upper = 1.0, 0.0, math.inf
    else:
        p_value = float(stats.binomtest(current, total, exposure_ratio / (1 + exposure_ratio)).pvalue)
        low, high = _clopper_pearson(current, total, level)
        ratio_lower = _odds(low) / exposure_ratio
        ratio_upper = _odds(high) / exposure_ratio
    return PeriodComparison(
        current=current,
        previous=previous,
        change=current - previous,
        pct_change=None if previous == 0 else 100 * (current - previous) / previous,
        ratio=None if previous == 0 else current / previous / exposure_ratio,
        ratio_lower=ratio_lower,
        ratio_upper=ratio_upper,
        p_value=p_value,
        significant=p_value < 1 - level,
    )


def _clopper_pearson(successes: int, trials: int, level: float) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval for a binomial proportion, from beta quantiles.

    The same interval as scipy's ``binomtest(...).proportion_ci(method="exact")``, without
    its root-finding, which is slow inside the Monte Carlo.
    """
    tail = (1 - level) / 2
    low = 0.0 if successes == 0 else float(special.betaincinv(successes, trials - successes + 1, tail))
    high = 1.0 if successes == trials else float(special.betaincinv(successes + 1, trials - successes, 1 - tail))
    return low, high


def _odds(p: float) -> float:
    return math.inf if p >= 1 else float(p / (1 - p))


# --- trend tests ------------------------------------------------------------------------------


def mann_kendall(series: ArrayLike, alpha: float = 0.05) -> TrendResult:
    """Mann-Kendall test for a monotonic trend, with Sen's slope.

    Var(S) has the tie correction; z has the continuity correction and a normal
    approximation (two-sided p-value), as in Gilbert (1987) ch. 16. ``tau`` is S over the
    number of pairs. Sen's slope is the median pairwise slope per observation step, with the
    rank-based interval of Sen (1968) at confidence 1 - alpha. The intercept is
    median(y) - slope * median(t), time t counted in steps from 0 at the first observation.
    Needs at least 4 values; the normal approximation is rough below about 10.
    """
    _check_alpha(alpha)
    values = _check_series(series, MIN_TREND_LENGTH, f"at least {MIN_TREND_LENGTH} values")
    s, var_s, slopes = _kendall_parts(values, np.arange(len(values)))
    pairs = len(values) * (len(values) - 1) / 2
    return _trend_result("mann-kendall", values, s, var_s, s / pairs, slopes, alpha)


def seasonal_mann_kendall(series: ArrayLike, period: int = 12, alpha: float = 0.05) -> TrendResult:
    """Hirsch-Slack seasonal Mann-Kendall test, with the seasonal Sen's slope.

    Observation i belongs to season i mod ``period``. S and Var(S) (tie-corrected) are summed
    over seasons with no covariance between seasons, so serial dependence across seasons is
    ignored. The slope is the median of all within-season pairwise slopes, expressed per
    observation step (per month for monthly data, i.e. the yearly change / 12) so it compares
    with `mann_kendall`'s; its interval uses the summed Var(S) (Hirsch et al. 1982). ``tau`` is
    S over the number of within-season pairs. Needs at least two full periods.
    """
    _check_alpha(alpha)
    if isinstance(period, bool) or not isinstance(period, (int, np.integer)) or period < 2:
        raise InputError(f"the season period must be a whole number of at least 2, not {period}")
    values = _check_series(series, 2 * period, f"at least two periods ({2 * period} values)")
    steps = np.arange(len(values))
    s, var_s, pairs, slopes = 0, 0.0, 0, []
    for season in range(period):
        in_season = steps % period == season
        season_s, season_var, season_slopes = _kendall_parts(values[in_season], steps[in_season])
        s += season_s
        var_s += season_var
        pairs += len(season_slopes)
        slopes.append(season_slopes)
    return _trend_result("seasonal mann-kendall", values, s, var_s, s / pairs, np.concatenate(slopes), alpha)


def _kendall_parts(values: np.ndarray, times: np.ndarray) -> tuple[int, float, np.ndarray]:
    """S, its tie-corrected variance, and the pairwise slopes of values over times."""
    n = len(values)
    later, earlier = np.triu_indices(n, k=1)[::-1]
    differences = values[later] - values[earlier]
    s = int(np.sign(differences).sum())
    _, tie_sizes = np.unique(values, return_counts=True)
    var_s = (n * (n - 1) * (2 * n + 5) - np.sum(tie_sizes * (tie_sizes - 1) * (2 * tie_sizes + 5))) / 18
    return s, float(var_s), differences / (times[later] - times[earlier])


def _trend_result(
    method: TrendMethod,
    values: np.ndarray,
    s: int,
    var_s: float,
    tau: float,
    slopes: np.ndarray,
    alpha: float,
) -> TrendResult:
    z = (s - np.sign(s)) / math.sqrt(var_s) if var_s > 0 else 0.0
    p_value = float(2 * special.ndtr(-abs(z)))
    trend: Trend = "no trend"
    if p_value < alpha:
        trend = "increasing" if z > 0 else "decreasing"
    slope = float(np.median(slopes))
    slope_lower, slope_upper = _sen_interval(np.sort(slopes), var_s, alpha)
    intercept = float(np.median(values) - slope * (len(values) - 1) / 2)
    return TrendResult(
        method=method,
        n=len(values),
        s=s,
        var_s=var_s,
        z=float(z),
        p_value=p_value,
        tau=float(tau),
        trend=trend,
        slope=slope,
        slope_lower=slope_lower,
        slope_upper=slope_upper,
        intercept=intercept,
    )


def _sen_interval(sorted_slopes: np.ndarray, var_s: float, alpha: float) -> tuple[float, float]:
    """Sen's (1968) interval: the M1-th and (M2+1)-th smallest slopes, to the nearest rank.

    C = z(1 - alpha/2) * sqrt(Var S), M1 = (N - C) / 2, M2 = (N + C) / 2 (Gilbert 1987, 16.5).
    """
    count = len(sorted_slopes)
    spread = special.ndtri(1 - alpha / 2) * math.sqrt(var_s)
    lower_rank = int(round((count - spread) / 2))
    upper_rank = int(round((count + spread) / 2)) + 1
    lower_index = min(max(lower_rank - 1, 0), count - 1)
    upper_index = min(max(upper_rank - 1, 0), count - 1)
    return float(sorted_slopes[lower_index]), float(sorted_slopes[upper_index])


# --- trend tests that seasonality cannot fool ---------------------------------------------------
#
# Vectorised along the last axis (months or tests), so one call serves a single series and every
# Monte Carlo draw of it. A monthly series' trend is only tested against like months: the same
# months a year earlier, or the area's share of a county that shares its seasonal pattern.


@dataclass(frozen=True, eq=False)
class YearOnYear:
    """The period's count against the same months a year earlier, allowing for overdispersion.

    Arrays over the leading axes of the input. ``phi`` is the dispersion (1 when the months
    vary no more than Poisson counts would), ``df`` its degrees of freedom, ``quasi`` where
    the quasi-Poisson test was used instead of the exact one.
    """

    current: np.ndarray
    before: np.ndarray
    phi: np.ndarray
    df: np.ndarray
    p_value: np.ndarray

    @property
    def quasi(self) -> np.ndarray:
        return self.phi > 1

    @property
    def change(self) -> np.ndarray:
        return relative_change(self.current, self.before)


def relative_change(current: ArrayLike, before: ArrayLike) -> np.ndarray:
    """(current - before) / before: +inf for a rise from none, 0 for none in both."""
    now, then = np.asarray(current, dtype=float), np.asarray(before, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (now - then) / then
    return np.where(now == then, 0.0, change)


def year_on_year(current: ArrayLike, before: ArrayLike) -> YearOnYear:
    """Test whether a period's count differs from the same months' a year earlier.

    ``current`` and ``before`` are monthly counts (last axis), month matched to month, so a
    seasonal pattern shared by both years cancels. The dispersion phi is Pearson's X2 of the
    months x years table about the Poisson model "month + year" (the independence model of
    the table, so its fit is closed-form) over its degrees of freedom (months with a count,
    less 1), floored at 1: the quasi-Poisson dispersion of McCullagh & Nelder (1989, Generalized
    Linear Models, 2nd ed., section 4.5.2). Where phi is 1 the counts are taken as Poisson and
    the test is the exact conditional test of `compare_periods` (two-sided binomial test of
    the current total out of both, p0 = 1/2: the binomial is symmetric, so the p-value is
    twice the smaller tail). Where phi > 1 it is the quasi-Poisson score test,
    z = (C - B) / sqrt(phi (C + B)), referred to Student's t with the dispersion's degrees of
    freedom (the F test of Venables & Ripley 2002, Modern Applied Statistics with S, 7.5).
    """
    now = _check_count_array_nd(current, "current months")
    then = _check_count_array_nd(before, "months a year earlier")
    if now.shape != then.shape:
        raise InputError(f"got {now.shape[-1]} months against {then.shape[-1]} a year earlier")
    big_c, big_b = now.sum(axis=-1), then.sum(axis=-1)
    total = big_c + big_b
    rows = now + then
    with np.errstate(divide="ignore", invalid="ignore"):
        expected_c = rows * (big_c / total)[..., None]
        # Pearson X2 of a 2 x k table: both cells of a month carry the same squared residual.
        x2_terms = (now - expected_c) ** 2 * total[..., None] ** 2 / (rows * (big_c * big_b)[..., None])
    x2 = np.where((rows > 0) & ((big_c * big_b) > 0)[..., None], x2_terms, 0.0).sum(axis=-1)
    df = np.count_nonzero(rows, axis=-1) - 1
    phi = np.where(df > 0, np.maximum(x2 / np.maximum(df, 1), 1.0), 1.0)
    return YearOnYear(big_c, big_b, phi, df, two_counts_p_value(big_c, big_b, phi, df))


def two_counts_p_value(current: ArrayLike, before: ArrayLike, phi: ArrayLike = 1.0, df: ArrayLike = 1) -> np.ndarray:
    """Two-sided p-value for equal means of two counts over equal exposures, with dispersion phi.

    Where phi <= 1: the exact conditional test (binomial, p0 = 1/2, twice the smaller tail, as
    `compare_periods` and R's poisson.test). Where phi > 1: the quasi-Poisson score test
    z = (C - B) / sqrt(phi (C + B)) against Student's t on ``df`` degrees of freedom, those of
    phi's estimate (McCullagh & Nelder 1989, 4.5.2; Venables & Ripley 2002, 7.5). Vectorised.
    """
    big_c, big_b = np.asarray(current, dtype=float), np.asarray(before, dtype=float)
    phi, df = np.asarray(phi, dtype=float), np.asarray(df, dtype=float)
    total = big_c + big_b
    trials = total.astype(np.int64)
    exact = np.minimum(1.0, 2 * np.minimum(special.bdtr(big_c, trials, 0.5), special.bdtrc(big_c - 1, trials, 0.5)))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.nan_to_num((big_c - big_b) / np.sqrt(phi * total))
    quasi = 2 * special.stdtr(np.maximum(df, 1), -np.abs(z))
    return np.where(total == 0, 1.0, np.where(phi > 1, quasi, exact))


@dataclass(frozen=True, eq=False)
class ShareTrend:
    """A trend in the area's share of the county's counts, arrays over the leading axes.

    ``tested`` is False where there is nothing to test (no county counts, an area that is the
    whole county, counts in fewer than 3 months); there ``p_value`` and ``yearly_change`` are
    NaN. ``yearly_change`` is the fitted change in the share over a year as a fraction of the
    average share (e.g. 0.3: the area's share rises by 30% of itself a year).
    """

    share: np.ndarray
    yearly_change: np.ndarray
    phi: np.ndarray
    df: np.ndarray
    z: np.ndarray
    p_value: np.ndarray
    tested: np.ndarray


# The fewest months a share-of-county trend is tested on: one full seasonal cycle.
MIN_SHARE_MONTHS = 12


def share_trend(area: ArrayLike, county: ArrayLike, steps_per_year: int = 12) -> ShareTrend:
    """Test for a steady rise or fall in the area's share of the county's monthly counts.

    The county's counts include the area's; a seasonal pattern (or any month-to-month swing)
    shared by the area and the county changes both, not the share, so it cannot pass for a
    trend. Each month the area's count a_t is taken as binomial out of the county's N_t.
    The test is the Cochran-Armitage test for a linear trend in proportions (Armitage 1955,
    Biometrics 11:375-386; the score test for the slope of a logistic regression on time,
    Agresti 2002, Categorical Data Analysis, 5.3.5), with an allowance for overdispersion:
    Armitage's partition splits Pearson's X2 of the shares about their mean (k - 1 degrees of
    freedom, k months with county counts) into the trend's X2 (1 df) and the departure from a
    linear trend (k - 2 df), and phi = departure / (k - 2), floored at 1 (quasi-binomial,
    McCullagh & Nelder 1989, 4.5). z = U / sqrt(phi Var U); where phi is 1 it is referred to
    the normal, where phi > 1 to Student's t with k - 2 df (Venables & Ripley 2002, 7.5).
    The size is Armitage's least-squares slope of the share on time (weights N_t), times
    ``steps_per_year``, over the average share.
    """
    a = _check_count_array_nd(area, "area months")
    n = _check_count_array_nd(county, "county months")
    if a.shape != n.shape:
        raise InputError(f"got {a.shape[-1]} area months against {n.shape[-1]} county months")
    if (a > n).any():
        raise InputError("the area's count exceeds the county's in some month (the county must include the area)")
    t = np.arange(a.shape[-1], dtype=float)
    total_a, total_n = a.sum(axis=-1), n.sum(axis=-1)
    months = np.count_nonzero(n, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = total_a / total_n
        t_bar = (n * t).sum(axis=-1) / total_n
        centred = t - t_bar[..., None]
        sxx = (n * centred**2).sum(axis=-1)
        u = (a * centred).sum(axis=-1)
        spread = share * (1 - share)
        x2_total = np.where(n > 0, (a - n * share[..., None]) ** 2 / n, 0.0).sum(axis=-1) / spread
        x2_trend = u**2 / (spread * sxx)
        df = months - 2
        phi = np.where(df > 0, np.maximum((x2_total - x2_trend) / np.maximum(df, 1), 1.0), 1.0)
        z = u / np.sqrt(phi * spread * sxx)
        yearly = steps_per_year * (u / sxx) / share
    tested = (total_n > 0) & (share < 1) & (months >= 3) & (sxx > 0)
    none_in_area = tested & (total_a == 0)
    z = np.where(none_in_area, 0.0, z)
    normal = 2 * special.ndtr(-np.abs(np.nan_to_num(z)))
    student = 2 * special.stdtr(np.maximum(df, 1), -np.abs(np.nan_to_num(z)))
    p_value = np.where(tested, np.where(phi > 1, student, normal), np.nan)
    yearly = np.where(none_in_area, 0.0, np.where(tested, yearly, np.nan))
    return ShareTrend(share, yearly, np.where(tested, phi, np.nan), df, z, p_value, tested)


# --- multiple testing -------------------------------------------------------------------------


def benjamini_hochberg(p_values: ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values along the last axis (NaN: no test, left out).

    Benjamini & Hochberg (1995), JRSS B 57:289-300: with the m p-values sorted,
    p_(i) m / i made monotone from the largest down and capped at 1. A test is rejected at
    false discovery rate q when its adjusted p-value is at most q.
    """
    p = _check_p_values(p_values)
    order = np.argsort(p, axis=-1)  # NaN sort last
    ordered = np.take_along_axis(p, order, axis=-1)
    m = np.count_nonzero(~np.isnan(p), axis=-1)[..., None]
    ranks = np.arange(1, p.shape[-1] + 1)
    scaled = np.where(np.isnan(ordered), np.inf, ordered * m / ranks)
    monotone = np.minimum.accumulate(scaled[..., ::-1], axis=-1)[..., ::-1]
    adjusted = np.empty_like(p)
    np.put_along_axis(adjusted, order, np.minimum(monotone, 1.0), axis=-1)
    return np.where(np.isnan(p), np.nan, adjusted)


def bh_cutoff(p_values: ArrayLike, rate: float) -> np.ndarray:
    """The largest p-value Benjamini-Hochberg rejects at false discovery rate ``rate``, along the last axis.

    A test of the family is significant exactly when its p-value is at most the cut-off (ties
    included). 0 when none is rejected: no p-value of such a family is 0, since a p-value of
    0 is always rejected. NaN entries are no test and do not count towards m.
    """
    _check_alpha(rate)
    p = _check_p_values(p_values)
    ordered = np.sort(p, axis=-1)
    m = np.count_nonzero(~np.isnan(p), axis=-1)[..., None]
    ranks = np.arange(1, p.shape[-1] + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rejected = ordered <= ranks * rate / m
    # Sorted ascending, so the largest rejected value is the value at the largest rejected rank.
    return np.where(rejected, ordered, 0.0).max(axis=-1, initial=0.0)


# --- funnel plots -----------------------------------------------------------------------------


def funnel_limits(
    target_rate: float,
    populations: ArrayLike,
    levels: Sequence[float] = (0.95, 0.998),
    per: float = 1000,
    overdispersion: float | None = None,
) -> FunnelLimits:
    """Funnel plot control limits for rates per ``per`` residents (Spiegelhalter 2005).

    The exact limits are Poisson quantiles around the expected count theta = target_rate *
    population / per, made smooth by Spiegelhalter's interpolation: with r_p the smallest r
    such that F(r) >= p, alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1)) and the limit is
    (r_p - alpha) / population * per (clipped at 0; so for a tiny expected count, below
    -ln(1 - tail), the upper limit is 0 and any event lies above it). With an overdispersion
    factor phi > 1 the distance from the target is scaled by sqrt(phi) in the normal
    approximation (the multiplicative model of section 3): target_rate +/- z_p * sqrt(phi *
    target_rate * per / population); where that is narrower than the exact limit (small
    counts, where the Poisson is skewed) the exact limit is kept, so widening never narrows.
    """
    if not math.isfinite(target_rate) or target_rate <= 0:
        raise InputError(f"the target rate must be a positive number, not {target_rate}")
    if not math.isfinite(per) or per <= 0:
        raise InputError(f"'per' must be a positive number, not {per}")
    sizes = _check_positive_array(populations, "populations")
    for level in levels:
        _check_level(level)
    if overdispersion is not None and not (math.isfinite(overdispersion) and overdispersion > 0):
        raise InputError(f"the overdispersion factor must be a positive number, not {overdispersion}")
    phi = overdispersion if overdispersion is not None and overdispersion > 1 else None
    bounds = {level: funnel_bounds(target_rate, sizes, level, per, phi) for level in levels}
    return FunnelLimits(
        target_rate, per, sizes, {k: b[0] for k, b in bounds.items()}, {k: b[1] for k, b in bounds.items()}, phi
    )


def funnel_bounds(
    target_rate: ArrayLike, population: ArrayLike, level: float, per: float = 1000, phi: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The (lower, upper) limits of `funnel_limits` at one level, broadcast over its arguments.

    Target rates, populations and phi may be arrays of one shape (e.g. one per Monte Carlo
    draw); a phi that is NaN or at most 1 gives the exact limits. Arguments are not checked:
    this is the inner part `funnel_limits` and the vectorised scorers share.
    """
    tail = (1 - level) / 2
    target, size = np.asarray(target_rate, dtype=float), np.asarray(population, dtype=float)
    expected = target * size / per
    lower = _interpolated_poisson_quantile(tail, expected) / size * per
    upper = _interpolated_poisson_quantile(1 - tail, expected) / size * per
    if phi is None:
        return lower, upper
    scale = np.where(np.asarray(phi, dtype=float) > 1, phi, np.nan)  # NaN: not widened
    half_width = special.ndtri(1 - tail) * np.sqrt(scale * target * per / size)
    widened = np.isfinite(half_width)
    lower = np.where(widened, np.minimum(lower, np.maximum(target - half_width, 0.0)), lower)
    upper = np.where(widened, np.maximum(upper, target + half_width), upper)
    return lower, upper


def _interpolated_poisson_quantile(p: float, mean: np.ndarray) -> np.ndarray:
    quantile = stats.poisson.ppf(p, mean)
    at = special.pdtr(quantile, mean)
    below = np.where(quantile >= 1, special.pdtr(np.maximum(quantile - 1, 0), mean), 0.0)
    return np.maximum(quantile - (at - p) / (at - below), 0.0)


def overdispersion_factor(
    counts: ArrayLike,
    populations: ArrayLike,
    target_rate: float | None = None,
    winsor: float = 0.1,
    per: float = 1000,
) -> float:
    """Spiegelhalter's (2005) multiplicative overdispersion factor phi.

    z_i = (count_i - E_i) / sqrt(E_i) with E_i = target_rate * population_i / per (the
    target defaults to the pooled rate); the z-scores below the ``winsor`` and above the
    1 - ``winsor`` quantiles (linear interpolation, R's type 7) are pulled in to those
    quantiles, and phi = mean(z_w ** 2). phi near 1 means the areas vary no more than chance.
    """
    observed = _check_count_array(counts, "counts")
    sizes = _check_positive_array(populations, "populations")
    if observed.shape != sizes.shape:
        raise InputError(f"got {observed.size} counts but {sizes.size} populations")
    if not 0 <= winsor < 0.5:
        raise InputError(f"the winsorising fraction must be in [0, 0.5), not {winsor}")
    if target_rate is None:
        target_rate = observed.sum() / sizes.sum() * per
    if not math.isfinite(target_rate) or target_rate <= 0:
        raise InputError(f"the target rate must be a positive number, not {target_rate}")
    return float(overdispersion_factors(observed[None, :], sizes, np.array([target_rate]), winsor, per)[0])


def overdispersion_factors(
    counts: np.ndarray, populations: np.ndarray, target_rates: np.ndarray, winsor: float = 0.1, per: float = 1000
) -> np.ndarray:
    """`overdispersion_factor` for each row of `counts` (draws x areas) around its own target rate.

    Arguments are not checked (target rates must be positive): the vectorised scorers call it
    on Monte Carlo draws.
    """
    expected = target_rates[:, None] * populations[None, :] / per
    z = (counts - expected) / np.sqrt(expected)
    low, high = np.quantile(z, [winsor, 1 - winsor], axis=1)
    return np.mean(np.clip(z, low[:, None], high[:, None]) ** 2, axis=1)


def overdispersion_p_value(phi: ArrayLike, areas: int) -> np.ndarray:
    """The p-value of Spiegelhalter's (2005, section 3.2) test that `areas` areas vary more than chance.

    `phi` is their mean squared z-score. Under Poisson variation alone n * phi is roughly
    chi-square on n - 1 degrees of freedom (one is spent on the target rate estimated from
    the data). With a winsorised phi the test is conservative: pulling in the extreme
    z-scores lowers phi.
    """
    return special.chdtrc(areas - 1, areas * np.asarray(phi, dtype=float))


def funnel_position(
    count: float,
    population: float,
    target_rate: float,
    levels: tuple[float, float] = (0.95, 0.998),
    per: float = 1000,
    overdispersion: float | None = None,
) -> str:
    """Which band of the funnel an area's rate falls in.

    One of "above 99.8%", "above 95%", "within", "below 95%", "below 99.8%" (named after
    ``levels``). A rate exactly on a limit counts as inside it.
    """
    if len(levels) != 2:
        raise InputError(f"a funnel position needs two levels (inner, outer), not {levels}")
    inner, outer = sorted(levels)
    if not math.isfinite(count) or count < 0:
        raise InputError(f"a count must be a non-negative number, not {count}")
    limits = funnel_limits(target_rate, [population], (inner, outer), per, overdispersion)
    rate = count / population * per
    for level in (outer, inner):
        if rate > limits.upper[level][0]:
            return f"above {_percent(level)}"
        if rate < limits.lower[level][0]:
            return f"below {_percent(level)}"
    return "within"


def _percent(level: float) -> str:
    return f"{level * 100:g}%"


# --- ranks ------------------------------------------------------------------------------------


def rank_among(values: Mapping[str, float] | Sequence[float], area: str | int) -> Rank:
    """The area's rank among comparators, 1 being the lowest value.

    ``values`` is a mapping of area name to value (``area`` a name) or a sequence (``area``
    an index). Ties share the best place ("competition" ranking: 1, 2, 2, 4).
    """
    if isinstance(values, Mapping):
        if area not in values:
            raise InputError(f"area {area!r} is not among the comparators")
        own = values[area]
        numbers = np.asarray(list(values.values()), dtype=float)
    else:
        numbers = np.asarray(values, dtype=float)
        if isinstance(area, bool) or not isinstance(area, (int, np.integer)) or not 0 <= area < len(numbers):
            raise InputError(f"area index {area!r} is outside the {len(numbers)} comparators")
        own = numbers[area]
    if not np.isfinite(numbers).all():
        raise InputError("comparator values must all be numbers (no NaN or infinity)")
    return Rank(rank=int(np.sum(numbers < own)) + 1, n=len(numbers))


# --- argument checks --------------------------------------------------------------------------


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise InputError(f"a confidence level must be between 0 and 1, not {level}")


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise InputError(f"a significance level must be between 0 and 1, not {alpha}")


def _check_whole_count(count: int, name: str) -> int:
    try:
        whole = not isinstance(count, bool) and float(count).is_integer() and count >= 0
    except (TypeError, ValueError):
        whole = False
    if not whole:
        raise InputError(f"the {name} count must be a whole number of at least 0, not {count!r}")
    return int(count)


def _check_series(series: ArrayLike, minimum: int, needed: str) -> np.ndarray:
    values = np.asarray(series, dtype=float)
    if values.ndim != 1:
        raise InputError("a trend test needs a one-dimensional series")
    if not np.isfinite(values).all():
        raise InputError("a trend series must not contain missing (NaN) or infinite values")
    if len(values) < minimum:
        raise InputError(f"a trend test needs {needed}, got {len(values)}")
    return values


def _check_count_array_nd(values: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim == 0 or array.shape[-1] == 0:
        raise InputError(f"{name} must be a non-empty list of counts")
    if not (np.isfinite(array) & (array >= 0)).all():
        raise InputError(f"{name} must all be non-negative numbers")
    return array


def _check_p_values(values: ArrayLike) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if ((array < 0) | (array > 1)).any():
        raise InputError("p-values must lie between 0 and 1 (NaN for no test)")
    return array


def _check_positive_array(values: ArrayLike, name: str) -> np.ndarray:
    return _check_array(values, name, zero_allowed=False)


def _check_count_array(values: ArrayLike, name: str) -> np.ndarray:
    return _check_array(values, name, zero_allowed=True)


def _check_array(values: ArrayLike, name: str, zero_allowed: bool) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim != 1 or array.size == 0:
        raise InputError(f"{name} must be a non-empty list of numbers")
    in_range = array >= 0 if zero_allowed else array > 0
    if not (np.isfinite(array) & in_range).all():
        raise InputError(f"{name} must all be {'non-negative' if zero_allowed else 'positive'} numbers")
    return array
