"""Tests of assess.stats against published worked examples and independent implementations.

Test-only reference packages: pymannkendall (Mann-Kendall tests) and statsmodels (the
conditional test for two Poisson rates, Poisson and binomial GLMs, Benjamini-Hochberg).
"""

from __future__ import annotations

import math

import numpy as np
import pymannkendall
import pytest
import statsmodels.api as sm
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from statsmodels.stats import rates as statsmodels_rates
from statsmodels.stats.multitest import multipletests

from assess.errors import InputError
from assess.stats import (
    Rank,
    benjamini_hochberg,
    bh_cutoff,
    compare_periods,
    funnel_limits,
    funnel_position,
    mann_kendall,
    overdispersion_factor,
    poisson_ci,
    rank_among,
    rate_per_1000,
    seasonal_mann_kendall,
    share_trend,
    year_on_year,
)

counts = st.integers(min_value=0, max_value=5000)
levels = st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998])

# "A Mann-Kendall example (by hand)", Little, College of the Holy Cross (Montserrat
# project notes, MannKendallByHand.txt): S = 54, V = 14*13*33/18 - 2*1*9/18, Z = 2.9058.
HOLY_CROSS_SERIES = [12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7]


class TestPoissonCI:
    # Garwood's exact 95% limits as tabulated in the literature (e.g. the exact Poisson table
    # reproduced in Sahai & Khurshid 1993 and epitools' pois.exact documentation: x=0 -> 3.689).
    @pytest.mark.parametrize(
        ("count", "lower", "upper"),
        [
            (0, 0.0, 3.689),
            (1, 0.0253, 5.572),
            (2, 0.2422, 7.225),
            (3, 0.6187, 8.767),
            (4, 1.0899, 10.242),
            (5, 1.6235, 11.668),
            (10, 4.7954, 18.390),
            (20, 12.2165, 30.888),
        ],
    )
    def test_exact_matches_garwood_table(self, count, lower, upper):
        assert poisson_ci(count) == pytest.approx((lower, upper), abs=6e-4)

    def test_exact_matches_r_poisson_test(self):
        # R documentation example, poisson.test(137, 24.19893) (Welsh nickel workers SMR):
        # 95 percent confidence interval 4.753125 6.692709.
        lower, upper = poisson_ci(137)
        assert (lower / 24.19893, upper / 24.19893) == pytest.approx((4.753125, 6.692709), abs=1e-6)

    def test_exact_matches_desctools_horse_kick_example(self):
        # DescTools PoissonCI documentation: horse kick deaths, x = 196 in n = 280 corps-years,
        # exact 0.6054271 0.8051570.
        lower, upper = poisson_ci(196)
        assert (lower / 280, upper / 280) == pytest.approx((0.6054271, 0.8051570), abs=1e-7)

    def test_byar_worked_example(self):
        # Byar's formula (Breslow & Day 1987; PHE Technical Guide: Confidence Intervals,
        # Appendix 1) worked by hand for O = 65, z = 1.959964:
        # lower = 65 * (1 - 1/585 - 1.959964/(3*sqrt(65)))^3 = 65 * 0.917256^3 = 50.1632
        # upper = 66 * (1 - 1/594 + 1.959964/(3*sqrt(66)))^3 = 66 * 1.078731^3 = 82.8491
        assert poisson_ci(65, method="byar") == pytest.approx((50.1632, 82.8491), abs=1e-4)

    @pytest.mark.parametrize("count", [10, 11, 25, 65, 100, 389, 1045, 5000])
    def test_byar_within_two_per_mille_of_exact_from_ten(self, count):
        # PHE Technical Guide: Confidence Intervals (2018): "For 95% confidence intervals,
        # Byar's method is within 0.2% of the exact value for numerators of 10 or more."
        exact = np.array(poisson_ci(count))
        byar = np.array(poisson_ci(count, method="byar"))
        assert np.all(np.abs(byar - exact) / exact <= 0.002)

    def test_auto_is_exact_below_ten_and_byar_from_ten(self):
        # Rule of PHEindicatormethods::phe_rate (Fingertips): exact for x < 10, Byar otherwise.
        assert poisson_ci(9, method="auto") == poisson_ci(9, method="exact")
        assert poisson_ci(10, method="auto") == poisson_ci(10, method="byar")
        assert poisson_ci(9, method="auto") != poisson_ci(9, method="byar")

    def test_byar_lower_limit_is_clipped_at_zero(self):
        # 1 * (1 - 1/9 - 3.090/3)^3 < 0 at 99.8%.
        assert poisson_ci(1, level=0.998, method="byar")[0] == 0.0

    @given(count=counts, level=levels, method=st.sampled_from(["exact", "byar", "auto"]))
    def test_interval_contains_the_count(self, count, level, method):
        lower, upper = poisson_ci(count, level, method)
        assert 0 <= lower <= count < upper

    @given(count=counts, level=levels, method=st.sampled_from(["exact", "byar"]))
    def test_limits_increase_with_the_count(self, count, level, method):
        lower, upper = poisson_ci(count, level, method)
        next_lower, next_upper = poisson_ci(count + 1, level, method)
        assert next_lower >= lower and next_upper > upper

    @given(count=counts)
    def test_higher_level_gives_wider_interval(self, count):
        narrow = poisson_ci(count, 0.95)
        wide = poisson_ci(count, 0.998)
        assert wide[0] <= narrow[0] and wide[1] > narrow[1]

    @pytest.mark.parametrize(
        ("count", "level", "method"),
        [(-1, 0.95, "exact"), (math.nan, 0.95, "exact"), (3, 1.0, "exact"), (3, 0.0, "exact"), (3, 0.95, "wald")],
    )
    def test_invalid_arguments_are_refused(self, count, level, method):
        with pytest.raises(InputError):
            poisson_ci(count, level, method)


class TestRatePer1000:
    def test_rate_and_limits_are_scaled_count_limits(self):
        # Horse kick example again (DescTools): 196 events over 280 -> 700 per 1,000,
        # exact limits 605.4271 and 805.1570 per 1,000.
        estimate = rate_per_1000(196, 280, method="exact")
        assert estimate.count == 196 and estimate.population == 280
        assert estimate.rate == pytest.approx(700.0)
        assert (estimate.lower, estimate.upper) == pytest.approx((605.4271, 805.1570), abs=1e-4)

    def test_small_count_uses_exact_by_default(self):
        # 3 events in 2,000 residents: Garwood limits 0.6187 and 8.767 events -> per 1,000.
        estimate = rate_per_1000(3, 2000)
        assert estimate.rate == pytest.approx(1.5)
        assert (estimate.lower, estimate.upper) == pytest.approx((0.30934, 4.38364), abs=1e-4)

    @given(count=counts, population=st.floats(min_value=1, max_value=1e7), level=levels)
    def test_rate_lies_within_its_interval(self, count, population, level):
        estimate = rate_per_1000(count, population, level)
        assert estimate.lower <= estimate.rate <= estimate.upper

    @pytest.mark.parametrize("population", [0, -100, math.nan, math.inf])
    def test_non_positive_population_is_refused(self, population):
        with pytest.raises(InputError):
            rate_per_1000(5, population)

    def test_negative_count_is_refused(self):
        with pytest.raises(InputError):
            rate_per_1000(-1, 1000)


class TestComparePeriods:
    def test_matches_r_poisson_test_documentation_example(self):
        # R ?poisson.test: poisson.test(c(11, 6+8+7), c(800, 1083+1050+878)) gives
        # p-value = 0.07967, 95% CI 0.8584264 4.2772659, rate ratio 1.971488.
        result = compare_periods(11, 21, exposure_ratio=800 / 3011)
        assert result.p_value == pytest.approx(0.07967, abs=5e-6)
        assert result.ratio == pytest.approx(1.971488, abs=1e-6)
        assert (result.ratio_lower, result.ratio_upper) == pytest.approx((0.8584264, 4.2772659), abs=1e-7)
        assert result.significant is False

    @pytest.mark.parametrize(("current", "previous"), [(30, 15), (11, 23), (120, 95), (0, 7), (4, 0)])
    @pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
    def test_p_value_matches_statsmodels_exact_conditional_test(self, current, previous):
        reference = statsmodels_rates.test_poisson_2indep(current, 1, previous, 1, method="exact-cond")
        assert compare_periods(current, previous).p_value == pytest.approx(reference.pvalue, rel=1e-9)

    def test_unequal_periods_match_statsmodels(self):
        # Six months now against twelve before: exposure ratio 0.5.
        reference = statsmodels_rates.test_poisson_2indep(40, 6, 50, 12, method="exact-cond")
        result = compare_periods(40, 50, exposure_ratio=0.5)
        assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
        assert result.ratio == pytest.approx(1.6)

    def test_changes_and_significance(self):
        result = compare_periods(150, 100)
        assert result.change == 50
        assert result.pct_change == pytest.approx(50.0)
        assert result.ratio == pytest.approx(1.5)
        assert result.p_value < 0.05 and result.significant is True

    def test_previous_zero_has_no_ratio_or_percentage(self):
        result = compare_periods(4, 0)
        assert result.pct_change is None and result.ratio is None
        assert result.ratio_upper == math.inf
        # Clopper-Pearson lower limit for 4/4 at 95% is 0.025^(1/4) = 0.39764, odds 0.65989.
        assert result.ratio_lower == pytest.approx(0.39764 / (1 - 0.39764), abs=1e-4)

    def test_both_zero_is_no_evidence_of_change(self):
        result = compare_periods(0, 0)
        assert result.p_value == 1.0 and result.significant is False
        assert (result.ratio_lower, result.ratio_upper) == (0.0, math.inf)

    @given(current=st.integers(0, 2000), previous=st.integers(1, 2000))
    def test_ratio_lies_within_its_interval(self, current, previous):
        result = compare_periods(current, previous)
        assert result.ratio_lower <= result.ratio <= result.ratio_upper

    @given(a=st.integers(0, 2000), b=st.integers(0, 2000))
    def test_p_value_is_symmetric_for_equal_periods(self, a, b):
        assert compare_periods(a, b).p_value == pytest.approx(compare_periods(b, a).p_value, rel=1e-9)

    @pytest.mark.parametrize(
        ("current", "previous", "options"),
        [
            (-1, 5, {}),
            (5, -1, {}),
            (2.5, 5, {}),
            ("five", 5, {}),
            (5, 5, {"exposure_ratio": 0}),
            (5, 5, {"level": 1.5}),
        ],
    )
    def test_invalid_arguments_are_refused(self, current, previous, options):
        with pytest.raises(InputError):
            compare_periods(current, previous, **options)


class TestMannKendall:
    def test_holy_cross_worked_example(self):
        result = mann_kendall(HOLY_CROSS_SERIES)
        assert result.method == "mann-kendall"
        assert result.n == 14
        assert result.s == 54
        assert result.var_s == pytest.approx(14 * 13 * 33 / 18 - 2 * 1 * 9 / 18)
        assert result.z == pytest.approx(2.9058, abs=1e-4)
        assert result.trend == "increasing"

    def test_matches_pymannkendall_original_test(self):
        reference = pymannkendall.original_test(HOLY_CROSS_SERIES)
        result = mann_kendall(HOLY_CROSS_SERIES)
        assert result.p_value == pytest.approx(reference.p, rel=1e-9)
        assert result.tau == pytest.approx(reference.Tau)
        assert result.slope == pytest.approx(reference.slope)
        assert result.intercept == pytest.approx(reference.intercept)

    def test_sen_interval_matches_scipy_theilslopes(self):
        # scipy.stats.theilslopes implements Sen (1968)'s interval independently
        # (slope 0.56667, interval 0.325 to 0.86667 for this series).
        reference = scipy_stats.theilslopes(HOLY_CROSS_SERIES, alpha=0.95)
        result = mann_kendall(HOLY_CROSS_SERIES)
        assert (result.slope_lower, result.slope, result.slope_upper) == pytest.approx(
            (reference.low_slope, reference.slope, reference.high_slope)
        )
        assert (result.slope_lower, result.slope_upper) == pytest.approx((0.325, 0.866667), abs=1e-6)

    @pytest.mark.parametrize("seed", range(5))
    def test_matches_pymannkendall_on_tied_noisy_series(self, seed):
        rng = np.random.default_rng(seed)
        series = np.round(rng.normal(0, 3, 30) + 0.05 * np.arange(30))
        reference = pymannkendall.original_test(series)
        result = mann_kendall(series)
        assert result.s == reference.s
        assert result.var_s == pytest.approx(reference.var_s)
        assert result.z == pytest.approx(reference.z)
        assert result.p_value == pytest.approx(reference.p, rel=1e-9)
        assert result.trend == reference.trend
        assert result.slope == pytest.approx(reference.slope)
        assert result.intercept == pytest.approx(reference.intercept)

    @given(
        start=st.floats(-1e3, 1e3),
        step=st.floats(0.01, 100),
        n=st.integers(10, 60),
    )
    def test_strictly_increasing_series_is_increasing(self, start, step, n):
        result = mann_kendall(start + step * np.arange(n))
        assert result.trend == "increasing"
        assert result.s == n * (n - 1) // 2 and result.tau == pytest.approx(1.0)

    @given(
        intercept=st.floats(-1e3, 1e3),
        slope=st.floats(-100, 100),
        n=st.integers(4, 60),
    )
    def test_sen_slope_of_a_line_is_its_slope(self, intercept, slope, n):
        result = mann_kendall(intercept + slope * np.arange(n))
        tolerance = 1e-9 * (1 + abs(intercept) + abs(slope) * n)
        assert result.slope == pytest.approx(slope, abs=tolerance)
        assert result.slope_lower == pytest.approx(slope, abs=tolerance)
        assert result.slope_upper == pytest.approx(slope, abs=tolerance)
        assert result.intercept == pytest.approx(intercept, abs=tolerance)

    @given(st.lists(st.integers(-50, 50), min_size=4, max_size=40))
    def test_reversing_the_sign_mirrors_the_result(self, values):
        up = mann_kendall(values)
        down = mann_kendall([-v for v in values])
        assert down.s == -up.s and down.z == pytest.approx(-up.z) and down.slope == pytest.approx(-up.slope)
        assert up.slope_lower <= up.slope <= up.slope_upper

    def test_constant_series_has_no_trend(self):
        result = mann_kendall([5, 5, 5, 5, 5])
        assert (result.s, result.var_s, result.z, result.p_value, result.trend) == (0, 0.0, 0.0, 1.0, "no trend")

    @pytest.mark.parametrize("series", [[1, 2, 3], [1, 2, math.nan, 4, 5], [[1, 2], [3, 4]]])
    def test_short_or_missing_series_is_refused(self, series):
        with pytest.raises(InputError):
            mann_kendall(series)


class TestSeasonalMannKendall:
    def test_worked_example_with_two_seasons(self):
        # Worked by hand. Seasons (period 2): even steps 1, 3, 4, 8; odd steps 2, 2, 5, 6.
        # S = 6 + 5 = 11; Var S = 4*3*13/18 + (4*3*13 - 2*1*9)/18 = 8.6667 + 7.6667 = 16.3333;
        # z = 10 / sqrt(16.3333) = 2.47436, p = 0.013348; tau = 11 / 12.
        # Within-season slopes per step, sorted: 0, .5, .5, .6667, .75, .75, 1, 1, 1.1667,
        # 1.25, 1.5, 2 -> median 0.875. C = 1.96 * 4.0415 = 7.921, M1 = 2.04 -> 2nd = 0.5,
        # M2 + 1 = 10.96 -> 11th = 1.5. Intercept = median(y) 3.5 - 0.875 * 3.5 = 0.4375.
        result = seasonal_mann_kendall([1, 2, 3, 2, 4, 5, 8, 6], period=2)
        assert result.method == "seasonal mann-kendall"
        assert (result.n, result.s) == (8, 11)
        assert result.var_s == pytest.approx(16.333333, abs=1e-6)
        assert result.z == pytest.approx(2.47436, abs=1e-5)
        assert result.p_value == pytest.approx(0.013348, abs=1e-6)
        assert result.tau == pytest.approx(11 / 12)
        assert (result.slope_lower, result.slope, result.slope_upper) == pytest.approx((0.5, 0.875, 1.5))
        assert result.intercept == pytest.approx(0.4375)
        assert result.trend == "increasing"

    @pytest.mark.parametrize(("seed", "length"), [(0, 24), (1, 36), (2, 41), (3, 60), (4, 30)])
    def test_matches_pymannkendall_seasonal_test(self, seed, length):
        rng = np.random.default_rng(seed)
        months = np.arange(length)
        series = np.round(10 + 4 * np.sin(2 * np.pi * months / 12) + 0.08 * months + rng.normal(0, 2, length))
        reference = pymannkendall.seasonal_test(series, period=12)
        result = seasonal_mann_kendall(series, period=12)
        assert result.s == reference.s
        assert result.var_s == pytest.approx(reference.var_s)
        assert result.z == pytest.approx(reference.z)
        assert result.p_value == pytest.approx(reference.p, rel=1e-9)
        assert result.tau == pytest.approx(reference.Tau)
        assert result.trend == reference.trend
        # pymannkendall reports the slope per period (per year); ours is per step (per month).
        assert result.slope == pytest.approx(reference.slope / 12)
        assert result.intercept == pytest.approx(reference.intercept)

    @given(
        intercept=st.floats(-100, 100),
        slope=st.floats(-10, 10),
        years=st.integers(2, 6),
        amplitude=st.floats(0, 50),
    )
    def test_seasonal_pattern_does_not_bias_the_slope(self, intercept, slope, years, amplitude):
        months = np.arange(12 * years)
        series = intercept + slope * months + amplitude * np.cos(2 * np.pi * months / 12)
        result = seasonal_mann_kendall(series)
        tolerance = 1e-9 * (1 + abs(intercept) + amplitude + abs(slope) * months.size)
        assert result.slope == pytest.approx(slope, abs=tolerance)
        assert result.slope_lower == pytest.approx(slope, abs=tolerance)
        assert result.slope_upper == pytest.approx(slope, abs=tolerance)

    @pytest.mark.parametrize(
        ("series", "period"),
        [(list(range(23)), 12), ([1, 2, 3, 4, math.nan, 6], 2), (list(range(30)), 1), (list(range(30)), 2.5)],
    )
    def test_invalid_arguments_are_refused(self, series, period):
        with pytest.raises(InputError):
            seasonal_mann_kendall(series, period=period)


def poisson_glm_yoy(now: np.ndarray, before: np.ndarray) -> tuple[float, float]:
    """phi (Pearson X2 / df of "month + year") and the quasi-Poisson score statistic for year, by statsmodels."""
    months = len(now)
    y = np.concatenate([now, before]).astype(float)
    month = np.tile(np.eye(months), (2, 1))
    full = np.column_stack([month, np.repeat([1.0, 0.0], months)])
    fitted = sm.GLM(y, full, family=sm.families.Poisson()).fit(scale="X2")
    null = sm.GLM(y, month, family=sm.families.Poisson()).fit()
    score = sm.GLM(y, full, family=sm.families.Poisson()).score_test(np.r_[null.params, 0.0], k_constraints=1)[0]
    return float(fitted.scale), float(np.squeeze(score))


class TestYearOnYear:
    @pytest.mark.parametrize("seed", range(6))
    def test_dispersion_and_test_against_statsmodels_glm(self, seed):
        rng = np.random.default_rng(seed)
        season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(12) / 12)
        size = [2, 50][seed % 2]  # overdispersed, and near Poisson
        now, before = (rng.negative_binomial(size, size / (size + 30 * season)) for _ in range(2))
        result = year_on_year(now, before)
        scale, score = poisson_glm_yoy(now, before)
        assert float(result.phi) == pytest.approx(max(scale, 1.0))
        assert int(result.df) == 11
        if result.phi > 1:
            # statsmodels' score statistic assumes phi = 1: the quasi test divides it by phi.
            t = math.sqrt(score / float(result.phi))
            assert float(result.p_value) == pytest.approx(2 * scipy_stats.t.sf(t, 11))
        else:
            exact = compare_periods(int(now.sum()), int(before.sum())).p_value
            assert float(result.p_value) == pytest.approx(exact)

    @given(current=st.lists(st.integers(0, 60), min_size=1, max_size=12), data=st.data())
    def test_the_exact_branch_is_scipy_binomtest(self, current, data):
        before = data.draw(st.lists(st.integers(0, 60), min_size=len(current), max_size=len(current)))
        result = year_on_year(current, before)
        total = sum(current) + sum(before)
        if result.phi == 1 and total:
            assert float(result.p_value) == pytest.approx(scipy_stats.binomtest(sum(current), total).pvalue)

    def test_vectorised_along_leading_axes(self):
        rng = np.random.default_rng(3)
        now, before = rng.poisson(20, (5, 12)), rng.negative_binomial(3, 0.1, (5, 12))
        together = year_on_year(now, before)
        for i in range(5):
            alone = year_on_year(now[i], before[i])
            assert together.p_value[i] == pytest.approx(float(alone.p_value))
            assert together.phi[i] == pytest.approx(float(alone.phi))

    def test_none_in_both_years_is_no_change(self):
        result = year_on_year(np.zeros(12), np.zeros(12))
        assert float(result.p_value) == 1.0 and float(result.change) == 0.0

    def test_months_must_match(self):
        with pytest.raises(InputError):
            year_on_year([1, 2, 3], [1, 2])


class TestShareTrend:
    @pytest.mark.parametrize("seed", range(6))
    def test_the_parts_against_statsmodels_binomial_glm(self, seed):
        rng = np.random.default_rng(seed)
        months = 12 + 2 * seed
        t = np.arange(months, dtype=float)
        others = rng.negative_binomial(3, 3 / (3 + 300), months)
        area = rng.negative_binomial(2 + 20 * (seed % 2), 0.1, months) + np.round(0.5 * t * (seed % 3)).astype(int)
        county = area + others
        result = share_trend(area, county)
        endog = np.column_stack([area, county - area]).astype(float)
        null = sm.GLM(endog, np.ones((months, 1)), family=sm.families.Binomial()).fit()
        full = sm.GLM(endog, sm.add_constant(t), family=sm.families.Binomial())
        # Cochran-Armitage is the logistic slope's score test; Armitage's partition leaves the rest for phi.
        trend_x2 = float(np.squeeze(full.score_test(np.r_[null.params, 0.0], k_constraints=1)[0]))
        assert float(result.z) ** 2 * float(result.phi) == pytest.approx(trend_x2)
        departure = (null.pearson_chi2 - trend_x2) / (months - 2)
        assert float(result.phi) == pytest.approx(max(departure, 1.0))
        reference = scipy_stats.t(months - 2) if departure > 1 else scipy_stats.norm
        assert float(result.p_value) == pytest.approx(2 * reference.sf(abs(float(result.z))))
        assert np.sign(float(result.z)) == np.sign(full.fit().params[1])

    def test_the_size_is_armitage_s_weighted_least_squares_slope(self):
        area = np.array([10, 12, 11, 14, 15, 13, 17, 18, 16, 20, 21, 22])
        county = area + np.array([300, 280, 310, 290, 300, 320, 300, 290, 310, 300, 305, 295])
        result = share_trend(area, county)
        fit = sm.WLS(area / county, sm.add_constant(np.arange(12.0)), weights=county).fit()
        assert float(result.yearly_change) == pytest.approx(12 * fit.params[1] / (area.sum() / county.sum()))

    def test_a_shared_seasonal_pattern_is_no_trend(self):
        season = 1 + 0.5 * np.sin(2 * np.pi * np.arange(12) / 12)
        result = share_trend(np.round(40 * season), np.round(400 * season))
        assert float(result.p_value) > 0.9

    def test_nothing_to_test_is_nan(self):
        result = share_trend(np.stack([np.arange(12), np.zeros(12)]), np.stack([np.arange(12), np.zeros(12)]))
        assert not result.tested.any() and np.isnan(result.p_value).all()

    def test_the_area_within_the_county(self):
        with pytest.raises(InputError, match="county must include the area"):
            share_trend([5, 6], [4, 10])


class TestBenjaminiHochberg:
    @given(st.lists(st.floats(0, 1) | st.just(math.nan), min_size=1, max_size=30), st.sampled_from([0.01, 0.05, 0.2]))
    def test_against_statsmodels_multipletests(self, p_values, rate):
        p = np.array(p_values)
        tested = ~np.isnan(p)
        adjusted = benjamini_hochberg(p)
        assert np.isnan(adjusted[~tested]).all()
        cutoff = float(bh_cutoff(p, rate))
        if tested.any():
            rejected, reference, _, _ = multipletests(p[tested], alpha=rate, method="fdr_bh")
            assert adjusted[tested] == pytest.approx(reference)
            assert list(p[tested] <= cutoff) == list(rejected)
        else:
            assert cutoff == 0.0

    def test_vectorised_along_the_last_axis(self):
        p = np.random.default_rng(0).uniform(0, 0.1, (4, 9))
        p[1, 3] = np.nan
        cutoffs = bh_cutoff(p, 0.05)
        adjusted = benjamini_hochberg(p)
        for row in range(4):
            assert cutoffs[row] == float(bh_cutoff(p[row], 0.05))
            assert np.array_equal(adjusted[row], benjamini_hochberg(p[row]), equal_nan=True)

    def test_worked_example(self):
        # Benjamini & Hochberg (1995), section 4: 15 p-values, q = 0.05, the four smallest rejected.
        p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719,
             0.6528, 0.7590, 1.0]  # fmt: skip
        assert float(bh_cutoff(p, 0.05)) == 0.0095

    def test_p_values_are_checked(self):
        with pytest.raises(InputError):
            benjamini_hochberg([0.5, 1.5])


class TestFunnelLimits:
    def test_worked_example_expected_count_of_one(self):
        # Worked by hand: target 10 per 1,000 in 100 residents -> theta = 1.
        # Poisson(1) CDF: F(2) = 0.919699, F(3) = 0.981012, F(4) = 0.996340, F(5) = 0.999406.
        # Upper 95% (p = 0.975): r_p = 3, alpha = (0.981012 - 0.975) / (0.981012 - 0.919699)
        # = 0.098053 -> 2.901947 events = 29.0195 per 1,000.
        # Upper 99.8% (p = 0.999): r_p = 5, alpha = 0.000406 / 0.003066 = 0.132374 -> 48.6763.
        # Lower limits: r_p = 0, alpha > 0 -> negative, clipped to 0.
        limits = funnel_limits(10, [100])
        assert limits.upper[0.95][0] == pytest.approx(29.0195, abs=1e-3)
        assert limits.upper[0.998][0] == pytest.approx(48.6763, abs=1e-3)
        assert limits.lower[0.95][0] == 0.0 and limits.lower[0.998][0] == 0.0
        assert limits.phi is None

    def test_tiny_expected_count_puts_any_event_above_the_upper_limit(self):
        # theta = 0.01: P(Y >= 1) = 0.00995 < 0.025, and the interpolated 97.5% point
        # (0 - 0.015) is clipped to 0, so one event is above the 95% limit, though the
        # upper limit then lies below the target. The 99.8% point is 1 - 0.0960 = 0.904 events.
        limits = funnel_limits(1, [10])
        assert limits.upper[0.95][0] == 0.0
        assert limits.upper[0.998][0] == pytest.approx(90.4, abs=0.05)

    @pytest.mark.parametrize("expected", [3.7, 12.0, 55.5, 240.0])
    def test_interpolation_is_linear_in_the_poisson_cdf(self, expected):
        # Independent route: tabulate the Poisson CDF from its definition and invert the
        # piecewise-linear CDF through the points (r, F(r)) with numpy.interp.
        support = np.arange(0, int(expected * 3 + 50))
        log_pmf = support * math.log(expected) - expected - np.array([math.lgamma(k + 1) for k in support])
        cdf = np.cumsum(np.exp(log_pmf))
        per, population = 1000, expected * 1000 / 25
        limits = funnel_limits(25, [population], levels=(0.95, 0.998), per=per)
        for level in (0.95, 0.998):
            for p, limit in (((1 - level) / 2, limits.lower), ((1 + level) / 2, limits.upper)):
                events = max(float(np.interp(p, np.concatenate([[0.0], cdf]), np.concatenate([[-1], support]))), 0.0)
                assert limit[level][0] == pytest.approx(events / population * per, rel=1e-7)

    def test_large_populations_approach_the_normal_limits(self):
        # Spiegelhalter (2005): for large theta the Poisson limits approach
        # target +/- z_p * sqrt(target * per / population).
        limits = funnel_limits(20, [5e6])
        half_width = 1.959964 * math.sqrt(20 * 1000 / 5e6)
        assert limits.upper[0.95][0] == pytest.approx(20 + half_width, rel=1e-4)
        assert limits.lower[0.95][0] == pytest.approx(20 - half_width, rel=1e-4)

    def test_overdispersed_limits_are_scaled_normal_limits(self):
        # phi = 4 doubles the normal half-width: 10 +/- 1.959964 * sqrt(4 * 10 * 1000 / 10000).
        limits = funnel_limits(10, [10000], overdispersion=4)
        assert limits.phi == 4
        assert limits.upper[0.95][0] == pytest.approx(10 + 1.959964 * 2, abs=1e-5)
        assert limits.lower[0.95][0] == pytest.approx(10 - 1.959964 * 2, abs=1e-5)
        assert limits.upper[0.998][0] == pytest.approx(10 + 3.090232 * 2, abs=1e-5)

    def test_overdispersion_at_most_one_keeps_the_exact_limits(self):
        exact = funnel_limits(10, [100, 10000])
        unchanged = funnel_limits(10, [100, 10000], overdispersion=0.8)
        assert unchanged.phi is None
        np.testing.assert_array_equal(unchanged.upper[0.95], exact.upper[0.95])

    @given(
        target=st.floats(0.1, 500),
        expected_counts=st.lists(st.floats(0.05, 1e5), min_size=1, max_size=20),
    )
    def test_outer_band_contains_inner_band_around_the_target(self, target, expected_counts):
        limits = funnel_limits(target, [count * 1000 / target for count in expected_counts])
        assert np.all(limits.lower[0.998] <= limits.lower[0.95])
        assert np.all(limits.lower[0.95] <= target)
        assert np.all(target <= limits.upper[0.95])
        assert np.all(limits.upper[0.95] <= limits.upper[0.998])

    @pytest.mark.parametrize(
        ("target", "populations", "options"),
        [
            (0, [100], {}),
            (10, [0, 100], {}),
            (10, [], {}),
            (10, [100], {"levels": (0.95, 1.2)}),
            (10, [100], {"overdispersion": -1}),
            (10, [100], {"per": 0}),
        ],
    )
    def test_invalid_arguments_are_refused(self, target, populations, options):
        with pytest.raises(InputError):
            funnel_limits(target, populations, **options)


class TestOverdispersionFactor:
    # Worked by hand: eleven areas of 1,000 residents, target 10 per 1,000 -> E = 10,
    # z = (count - 10) / sqrt(10). The 10% and 90% quantiles of eleven z-scores (linear
    # interpolation, R type 7) are the 2nd and 10th, so the deviations -6 and +15 are pulled in
    # to -4 and +6: squares 16+16+4+1+0+0+1+4+16+36+36 = 130, sum z^2 = 13, phi = 13/11.
    COUNTS = [4, 6, 8, 9, 10, 10, 11, 12, 14, 16, 25]
    POPULATIONS = [1000] * 11

    def test_worked_example(self):
        phi = overdispersion_factor(self.COUNTS, self.POPULATIONS, target_rate=10)
        assert phi == pytest.approx(13 / 11)

    def test_without_winsorising_is_the_mean_squared_z(self):
        # Raw squares: 36+16+4+1+0+0+1+4+16+36+225 = 339 -> phi = 33.9 / 11.
        phi = overdispersion_factor(self.COUNTS, self.POPULATIONS, target_rate=10, winsor=0)
        assert phi == pytest.approx(33.9 / 11)

    def test_target_defaults_to_the_pooled_rate(self):
        pooled = sum(self.COUNTS) / sum(self.POPULATIONS) * 1000
        assert overdispersion_factor(self.COUNTS, self.POPULATIONS) == pytest.approx(
            overdispersion_factor(self.COUNTS, self.POPULATIONS, target_rate=pooled)
        )

    def test_poisson_data_are_not_overdispersed(self):
        rng = np.random.default_rng(2005)
        populations = rng.integers(20_000, 300_000, 400)
        counts = rng.poisson(15 * populations / 1000)
        assert overdispersion_factor(counts, populations, target_rate=15) == pytest.approx(0.75, abs=0.15)

    @pytest.mark.parametrize(
        ("counts", "populations", "options"),
        [([1, 2], [100], {}), ([-1, 2], [100, 100], {}), ([1, 2], [100, 0], {}), ([1, 2], [100, 100], {"winsor": 0.5})],
    )
    def test_invalid_arguments_are_refused(self, counts, populations, options):
        with pytest.raises(InputError):
            overdispersion_factor(counts, populations, **options)


class TestFunnelPosition:
    # Limits from TestFunnelLimits' worked example (theta = 1): upper 95% 29.02, 99.8% 48.68
    # per 1,000; and for theta = 100 (10,000 residents): lower 95% 8.037, 99.8% 7.007.
    @pytest.mark.parametrize(
        ("count", "population", "band"),
        [
            (5, 100, "above 99.8%"),
            (3, 100, "above 95%"),
            (2, 100, "within"),
            (100, 10000, "within"),
            (75, 10000, "below 95%"),
            (60, 10000, "below 99.8%"),
        ],
    )
    def test_bands(self, count, population, band):
        assert funnel_position(count, population, 10) == band

    def test_overdispersion_widens_the_funnel(self):
        # 13.5 per 1,000 is above the Poisson 99.8% limit 13.18 but within 10 +/- 1.96 * 2.
        assert funnel_position(135, 10000, 10) == "above 99.8%"
        assert funnel_position(135, 10000, 10, overdispersion=4) == "within"

    def test_band_names_follow_the_levels(self):
        # theta = 1: the 99% upper limit is 39.13 per 1,000 (r_p = 4, alpha = 0.0874).
        assert funnel_position(3, 100, 10, levels=(0.9, 0.99)) == "above 90%"
        assert funnel_position(5, 100, 10, levels=(0.9, 0.99)) == "above 99%"

    @pytest.mark.parametrize(("count", "levels"), [(-1, (0.95, 0.998)), (2, (0.95,)), (2, (0.9, 0.95, 0.99))])
    def test_invalid_arguments_are_refused(self, count, levels):
        with pytest.raises(InputError):
            funnel_position(count, 100, 10, levels=levels)


class TestRankAmong:
    def test_mapping_with_ties_uses_competition_ranks(self):
        rates = {"Adur": 40.0, "Arun": 55.5, "Crawley": 55.5, "Worthing": 70.1, "Horsham": 30.2}
        assert rank_among(rates, "Horsham") == Rank(rank=1, n=5)
        assert rank_among(rates, "Crawley").rank == 3
        assert rank_among(rates, "Arun").rank == 3
        assert rank_among(rates, "Worthing").rank == 5

    def test_sequence_and_index(self):
        assert rank_among([3.0, 1.0, 2.0], 0) == Rank(rank=3, n=3)

    @given(
        st.lists(st.integers(0, 20), min_size=1, max_size=30).flatmap(
            lambda values: st.tuples(st.just(values), st.integers(0, len(values) - 1), st.permutations(values))
        )
    )
    def test_matches_scipy_min_rank_and_ignores_order(self, case):
        values, index, shuffled = case
        result = rank_among(values, index)
        assert result.rank == int(scipy_stats.rankdata(values, method="min")[index])
        assert result.n == len(values)
        assert rank_among(shuffled, shuffled.index(values[index])).rank == result.rank

    @pytest.mark.parametrize(
        ("values", "area"),
        [({"A": 1.0}, "B"), ([1.0, 2.0], 2), ([1.0, 2.0], -1), ([1.0, math.nan], 0), ([], 0)],
    )
    def test_unknown_area_or_missing_values_are_refused(self, values, area):
        with pytest.raises(InputError):
            rank_among(values, area)
