"""Comparison and harm that carry information, and the population year (issue 11).

Each statistic is checked against a second implementation (brute-force Poisson sums,
scipy.stats, the normal distribution of the standard library), and each method claim by
a seeded simulation: planted outliers are found, overdispersion is not declared under
Poisson variation alone more often than the significance level allows, widened limits are
never narrower than the exact ones, and the vectorised scorers agree with the scalar ones
draw by draw.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from scipy import stats as scipy_stats

from assess import stats
from assess.config import DEFAULT_PARAMS, ScoringRules
from assess.criteria import CountCube, Setting, comparison, harm
from assess.criteria.figures import FigureDraws
from assess.data.indicators import read_indicators
from assess.data.population import population_estimate, population_for, population_years
from assess.errors import InputError
from assess.evidence import Evidence

RULES = ScoringRules()
# Kent's 13 districts: residents (mid-2020) in thousands, roughly.
KENT = np.array([132, 165, 116, 119, 113, 107, 175, 280, 121, 150, 142, 133, 118]) * 1000.0


@pytest.fixture(scope="module")
def default():
    """The embedded default's evidence, count cube and setting."""
    evidence = Evidence.load(DEFAULT_PARAMS)
    a = evidence.assessment
    cube = CountCube.build(evidence.tables.counts, a, evidence.population, evidence.tables.harm_weights)
    setting = Setting(
        a, "2022", str(evidence.tables.harm_weights["unit"].iloc[0]), evidence.tables.indicators, evidence.population
    )
    police = [p for p in a.priorities if p.has_police_data]
    return evidence, cube, setting, police


# --- funnel limits ------------------------------------------------------------------------------


def brute_force_quantile(p: float, mean: float) -> int:
    """The smallest r with P(X <= r) >= p for X ~ Poisson(mean), by summing the pmf."""
    total, r, term = 0.0, 0, math.exp(-mean)
    while True:
        total += term
        if total >= p - 1e-15:
            return r
        r += 1
        term *= mean / r


class TestLimits:
    @pytest.mark.parametrize("expected", [0.5, 4.0, 37.0, 410.0])
    def test_exact_limits_lie_on_the_step_below_the_poisson_quantile(self, expected):
        # Spiegelhalter's interpolated limit is r_p - alpha with 0 <= alpha < 1.
        population = expected * 1000 / 10
        for level in (0.95, 0.998):
            tail = (1 - level) / 2
            lower, upper = stats.funnel_bounds(10.0, population, level)
            for p, limit in ((tail, lower), (1 - tail, upper)):
                r = brute_force_quantile(p, expected)
                events = float(limit) * population / 1000
                assert max(r - 1, 0) - 1e-9 <= events <= r + 1e-9

    def test_widened_limits_are_never_narrower_than_the_exact_ones(self):
        rng = np.random.default_rng(11)
        targets = rng.uniform(0.1, 60, 3000)
        populations = rng.uniform(500, 400_000, 3000)
        phis = np.exp(rng.uniform(-1, 5, 3000))
        for level in (0.95, 0.998):
            exact = stats.funnel_bounds(targets, populations, level)
            wide = stats.funnel_bounds(targets, populations, level, phi=phis)
            assert np.all(wide[0] <= exact[0]) and np.all(wide[1] >= exact[1])

    def test_widened_limits_are_the_scaled_normal_ones_where_wider(self):
        # Large counts: the normal limits with sqrt(phi) are the wider; second route: NormalDist.
        z = NormalDist().inv_cdf(0.975)
        lower, upper = stats.funnel_bounds(40.0, 120_000.0, 0.95, phi=9.0)
        half = z * math.sqrt(9.0 * 40.0 * 1000 / 120_000)
        assert float(upper) == pytest.approx(40 + half, rel=1e-12)
        assert float(lower) == pytest.approx(40 - half, rel=1e-12)

    def test_small_counts_keep_the_exact_upper_limit(self):
        # Expected 10 events, 99.8%: the Poisson's long right tail puts the exact upper limit
        # (20.66 events) beyond 10 + 3.09 * sqrt(1.1 * 10) = 20.25, so it is kept; the lower
        # normal limit is the wider one below.
        exact = stats.funnel_bounds(10.0, 1000.0, 0.998)
        wide = stats.funnel_bounds(10.0, 1000.0, 0.998, phi=1.1)
        normal_upper = 10 + NormalDist().inv_cdf(0.999) * math.sqrt(1.1 * 10)
        assert float(exact[1]) > normal_upper
        assert float(wide[1]) == float(exact[1])
        assert float(wide[0]) == max(10 - NormalDist().inv_cdf(0.999) * math.sqrt(11), 0.0) < float(exact[0])


# --- the overdispersion test --------------------------------------------------------------------


class TestOverdispersionTest:
    def test_p_value_is_the_chi_square_tail(self):
        phi = np.array([0.4, 1.0, 1.7, 3.2])
        np.testing.assert_allclose(stats.overdispersion_p_value(phi, 13), scipy_stats.chi2.sf(13 * phi, 12), rtol=1e-12)

    def test_rows_agree_with_the_scalar_factor(self):
        rng = np.random.default_rng(5)
        counts = rng.poisson(30 * KENT / 1000, size=(50, 13)).astype(float)
        targets = counts.sum(axis=1) / KENT.sum() * 1000
        rows = stats.overdispersion_factors(counts, KENT, targets)
        singles = [stats.overdispersion_factor(c, KENT, target_rate=t) for c, t in zip(counts, targets)]
        np.testing.assert_allclose(rows, singles, rtol=1e-12)

    @pytest.mark.parametrize("rate", [0.5, 5.0, 40.0])
    def test_not_declared_under_poisson_variation_more_than_the_significance_level(self, rate):
        rng = np.random.default_rng(int(rate * 10))
        counts = rng.poisson(rate * KENT / 1000, size=(4000, 13)).astype(float)
        total = counts.sum(axis=1)
        counts, total = counts[total > 0], total[total > 0]
        # As the scorer tests it (phi from the 12 areas other than the one judged), and as
        # Spiegelhalter winsorises it over all 13, which makes the test conservative.
        target = total / KENT.sum() * 1000
        others = stats.overdispersion_factors(counts[:, 1:], KENT[1:], target, comparison.WINSOR)
        winsorised = stats.overdispersion_factors(counts, KENT, target, 0.1)
        for phi, areas in ((others, 12), (winsorised, 13)):
            declared = np.mean(stats.overdispersion_p_value(phi, areas) < 0.05)
            # Nominal 5%; Monte Carlo sd about 0.35%.
            assert declared <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / len(counts))
        verdict = comparison.funnel_verdict(counts, KENT, 0, RULES)
        assert np.mean(verdict.widened) <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / len(counts))

    def test_declared_when_areas_really_differ(self):
        # Rates varying 20% between areas (gamma mixing), about 4,000 offences an area.
        rng = np.random.default_rng(3)
        rates = 30 * rng.gamma(25, 1 / 25, size=(1000, 13))
        counts = rng.poisson(rates * KENT / 1000).astype(float)
        assert np.mean(comparison.funnel_verdict(counts, KENT, 0, RULES).widened) > 0.95


# --- the comparison score -----------------------------------------------------------------------


class TestComparisonScore:
    def test_planted_outlier_among_null_areas_is_found(self):
        # Twelve areas at 10 per 1,000 by Poisson alone, the area at 14: far above (5).
        rng = np.random.default_rng(17)
        means = 10 * KENT / 1000
        means[0] *= 1.4
        counts = rng.poisson(means, size=(2000, 13))
        scores = comparison.funnel_verdict(counts, KENT, 0, RULES).score
        assert np.mean(scores == 5) > 0.95

    def test_null_area_among_null_areas_scores_3_nearly_always(self):
        # Beyond the exact 95% limit by chance: about 5%, split between 4 and 2; 5 or 1 about 0.2%.
        rng = np.random.default_rng(19)
        counts = rng.poisson(10 * KENT / 1000, size=(4000, 13))
        scores = comparison.funnel_verdict(counts, KENT, 0, RULES).score
        assert np.mean(scores != 3) < 0.065
        assert np.mean((scores == 5) | (scores == 1)) < 0.006

    def test_moderate_outlier_among_areas_that_differ_is_mostly_found(self):
        # 1.5 times the county rate where areas vary 20%: 2.5 sd out; found 76% of the time.
        rng = np.random.default_rng(23)
        rates = 30 * rng.gamma(25, 1 / 25, size=(2000, 13))
        rates[:, 0] = 45
        verdict = comparison.funnel_verdict(rng.poisson(rates * KENT / 1000), KENT, 0, RULES)
        assert np.mean(verdict.score == 5) > 0.7

    def test_planted_outlier_among_areas_that_differ_is_found(self):
        # Areas whose rates vary 20% (sd) around 30 per 1,000; the area at 2x the county rate.
        rng = np.random.default_rng(23)
        rates = 30 * rng.gamma(25, 1 / 25, size=(1000, 13))
        rates[:, 0] = 60
        counts = rng.poisson(rates * KENT / 1000)
        verdict = comparison.funnel_verdict(counts, KENT, 0, RULES)
        assert np.mean(verdict.widened) > 0.9
        assert np.mean(verdict.score == 5) > 0.9

    def test_an_ordinary_area_among_areas_that_differ_is_rarely_called_unusual(self):
        rng = np.random.default_rng(29)
        rates = 30 * rng.gamma(25, 1 / 25, size=(2000, 13))
        counts = rng.poisson(rates * KENT / 1000)
        verdict = comparison.funnel_verdict(counts, KENT, 0, RULES)
        # Against the widened 95% limit the area is "unusual" about 5% of the time (measured:
        # 6.6%, phi being estimated from 12 areas), not the majority a Poisson-only funnel gives.
        assert np.mean(verdict.spread != 0) < 0.08
        assert np.mean(verdict.chance != 0) > 0.5

    def test_default_police_issues_no_longer_nearly_all_3(self, default):
        _, cube, setting, police = default
        scores = {p.key: comparison.score(cube.figures(p), setting.rules, "2022").score for p in police}
        assert sum(s != 3 for s in scores.values()) >= 5
        assert scores["violence"] == 2 and scores["asb"] == 1 and scores["serious_acquisitive"] == 4

    def test_evidence_names_the_population_estimate_and_the_test(self, default):
        _, cube, setting, police = default
        violence = next(p for p in police if p.key == "violence")
        verdict = comparison.score(cube.figures(violence), setting.rules, "2022", "mid-2020 estimate")
        assert "(residents: mid-2020 estimate)" in verdict.evidence
        assert "widened as the other areas vary more than chance (phi = " in verdict.evidence


# --- vectorised = scalar ------------------------------------------------------------------------


def scalar_scores(cube: CountCube, stack: np.ndarray, priority, setting: Setting, scorer) -> np.ndarray:
    """Each draw scored by the scalar scorer on figures cut the ordinary way."""
    out = []
    for values in stack:
        drawn = CountCube(
            values,
            cube.areas,
            cube.months,
            cube.crime_types,
            cube.assessment,
            cube.populations,
            cube.harm_weights,
        )
        verdict = scorer(drawn.figures(priority))
        out.append(np.nan if verdict.score is None else verdict.score)
    return np.array(out)


class TestVectorised:
    @pytest.mark.parametrize("scale", [1.0, 0.01])
    def test_draws_agree_with_the_scalar_scorers(self, default, scale):
        # Realistic figures (the default's) and sparse ones (a hundredth of them: zeros, ties).
        _, cube, setting, police = default
        rng = np.random.default_rng(int(1 / scale))
        stack = rng.poisson(cube.values * scale, size=(60, *cube.values.shape))
        for p in police:
            fd = cube.figure_draws(p, stack)
            pairs = (
                (comparison.draws(fd, setting), lambda f: comparison.score(f, setting.rules, "2022")),
                (harm.draws(fd, setting), lambda f: harm.score(f, setting.rules, "2022", "days")),
            )
            for fast, slow in pairs:
                np.testing.assert_array_equal(fast, scalar_scores(cube, stack, p, setting, slow), err_msg=p.key)

    def test_no_harm_weight_gives_no_scores(self):
        fd = FigureDraws(
            key="asb",
            period_months=(),
            history_months=(),
            history=np.zeros((3, 12)),
            county_history=np.zeros((3, 12)),
            current=np.array([5, 6, 7]),
            previous=None,
            area_total=np.array([50, 50, 50]),
            harm=None,
            area_harm=np.array([10.0, 10.0, 10.0]),
            comparator_counts=np.array([[5, 6], [6, 6], [7, 6]]),
            populations=np.array([1000.0, 1000.0]),
            area_index=0,
        )
        setting = type("S", (), {"rules": RULES})()
        assert np.isnan(harm.draws(fd, setting)).all()
        assert not np.isnan(comparison.draws(fd, setting)).any()


# --- harm scores severity, not volume -----------------------------------------------------------


class TestHarmSeverity:
    def test_default_harm_is_not_a_function_of_volume_share(self, default):
        _, cube, setting, police = default
        rows = []
        for p in police:
            f = cube.figures(p)
            if f.harm is None:
                continue
            verdict = harm.score(f, setting.rules, "2022", "days")
            rows.append((p.key, f.current / f.area_total, f.harm / f.area_harm, verdict.score))
        table = pd.DataFrame(rows, columns=["key", "volume_share", "harm_share", "score"]).set_index("key")
        assert table["score"].to_dict() == {
            "serious_acquisitive": 3,
            "substance_misuse": 1,
            "violence": 4,
            "criminal_damage": 2,
            "shoplifting": 1,
        }
        # Criminal damage has twice shoplifting's volume share and scores higher on harm, but
        # only because each offence is more harmful: the score follows harm per offence.
        severity = table["harm_share"] / table["volume_share"]
        assert list(table.sort_values("score").index[-2:]) == list(severity.sort_values().index[-2:])

    def test_ratio_is_harm_per_offence_over_the_area_average(self):
        # 600 days from 3 offences against 400 days from the 97 other crimes and incidents.
        assert float(harm.severity(600.0, 3, 1000.0, 100)) == pytest.approx((600 / 3) / (400 / 97))
        assert np.isnan(harm.severity(0.0, 0, 1000.0, 100))
        assert np.isnan(harm.severity(0.0, 1, 0.0, 100))
        assert np.isnan(harm.severity(5.0, 100, 5.0, 100))  # nothing else recorded
        assert np.isinf(harm.severity(5.0, 10, 5.0, 100))  # the rest carries no harm

    def test_severity_does_not_move_with_volume(self):
        # The same offences, twice as many of them: the share of harm rises, severity does not.
        once = float(harm.severity(200.0, 2, 1200.0, 102))
        twice = float(harm.severity(400.0, 4, 1400.0, 104))
        assert once == pytest.approx(twice)

    def test_old_setting_is_refused_with_what_replaced_it(self):
        with pytest.raises(ValidationError, match="'harm_shares' is no longer used.*'harm_severity'"):
            ScoringRules(harm_shares=[0.02, 0.05, 0.1, 0.2])

    def test_bounds_must_rise(self):
        with pytest.raises(ValidationError, match="four rising positive ratios"):
            ScoringRules(harm_severity=[2, 1, 3, 4])


# --- published rates ------------------------------------------------------------------------------


def score_rate(value, low, high, others):
    rates = np.array([value, *others])
    lower = np.array([low, *[np.nan] * len(others)])
    upper = np.array([high, *[np.nan] * len(others)])
    return comparison.score_rates("k", rates, 0, "rate per 100,000", "2022", "", lower, upper)


class TestPublishedRates:
    OTHERS = [95.0, 98.0, 100.0, 100.0, 102.0, 105.0]  # median with the area: 100 or above

    @pytest.mark.parametrize(
        ("value", "low", "high", "expected"),
        [
            (100.0, 90.0, 110.0, 3),  # interval includes the median
            (112.0, 101.0, 123.0, 4),  # wholly above at 95%, not at 99.8% (112 - 11 * 1.58 < 101)
            (140.0, 130.0, 150.0, 5),  # wholly above even stretched to 99.8%
            (88.0, 80.0, 96.0, 2),
            (60.0, 55.0, 65.0, 1),
        ],
    )
    def test_fingertips_style_bands(self, value, low, high, expected):
        verdict = score_rate(value, low, high, self.OTHERS)
        assert verdict.score == expected
        assert "95% confidence interval" in verdict.evidence

    def test_bands_agree_with_the_normal_test(self):
        # Second route: for a symmetric interval, wholly above at level L is z > z_L with
        # z = (value - benchmark) / sd, sd = half-width / z(0.975), from scipy.
        rng = np.random.default_rng(31)
        z95, z998 = scipy_stats.norm.ppf(0.975), scipy_stats.norm.ppf(0.999)
        for _ in range(500):
            value, sd = rng.uniform(70, 130), rng.uniform(1, 15)
            verdict = score_rate(value, value - z95 * sd, value + z95 * sd, self.OTHERS)
            benchmark = np.median([value, *self.OTHERS])
            z = (value - benchmark) / sd
            expected = 3 + (z > z95) + (z > z998) - (z < -z95) - (z < -z998)
            assert verdict.score == expected

    def test_spread_draws_the_rate_within_its_interval(self):
        # value 110, interval 100-120 against a benchmark held at 100: score 4 or more when the
        # drawn value exceeds 110 (P = 0.5), 5 when it exceeds 100 + 10 * z998 / z95.
        rates = np.array([110.0, 100.0, 100.0, 100.0])
        lower = np.array([100.0, np.nan, np.nan, np.nan])
        upper = np.array([120.0, np.nan, np.nan, np.nan])
        draws = comparison.rate_spread(rates, lower, upper, 0)(np.random.default_rng(37), 40_000)
        sd = 20 / (2 * scipy_stats.norm.ppf(0.975))
        five = scipy_stats.norm.sf(100 + 10 * scipy_stats.norm.ppf(0.999) / scipy_stats.norm.ppf(0.975), 110, sd)
        assert np.mean(draws >= 4) == pytest.approx(0.5, abs=0.01)
        assert np.mean(draws == 5) == pytest.approx(five, abs=0.01)

    def test_without_an_interval_an_outlier_among_the_others_is_found(self):
        others = np.array([168.0, 150.0, 181.0, 162.0, 175.0, 158.0, 171.0, 166.0, 149.0, 190.0, 160.0, 173.0])
        high = comparison.score_rates("k", np.array([400.0, *others]), 0, "rate", "2022", "")
        usual = comparison.score_rates("k", np.array([172.9, *others]), 0, "rate", "2022", "")
        assert (high.score, usual.score) == (5, 3)
        assert "no confidence interval published" in usual.evidence

    def test_count_spread_is_seeded_poisson(self):
        sample = comparison.count_spread(np.array([900.0, 500, 500, 500]), np.full(4, 100_000.0), 0, RULES)
        first, again = sample(np.random.default_rng(2), 100), sample(np.random.default_rng(2), 100)
        np.testing.assert_array_equal(first, again)
        assert np.all(first == 5)


class TestIntervalColumns:
    HEADER = "indicator,priority,area,period_start,period_end,value,unit,source"

    def write(self, tmp_path, header, *rows):
        path = tmp_path / "rates.csv"
        path.write_text("\n".join([header, *rows]) + "\n")
        return path

    def test_limits_are_read_and_blank_where_none(self, tmp_path):
        path = self.write(
            tmp_path,
            self.HEADER + ",lower,upper",
            "Admissions,asb,Dover,2021-04-01,2022-03-31,120.5,rate per 100,PHE,110.2,131.0",
            "Admissions,asb,Thanet,2021-04-01,2022-03-31,99.0,rate per 100,PHE,,",
        )
        table = read_indicators(path)
        assert table["lower"].iloc[0] == 110.2 and np.isnan(table["upper"].iloc[1])

    @pytest.mark.parametrize(
        ("row", "message"),
        [
            ("Admissions,asb,Dover,2021-04-01,2022-03-31,120.5,rate,PHE,110.2,", "give both 'lower' and 'upper'"),
            ("Admissions,asb,Dover,2021-04-01,2022-03-31,120.5,rate,PHE,125,131", "must lie between"),
            ("Admissions,asb,Dover,2021-04-01,2022-03-31,120,count,PHE,110,131", "a count takes no 'lower'"),
            ("Admissions,asb,Dover,2021-04-01,2022-03-31,120.5,rate,PHE,low,131", "column 'lower' must be a number"),
        ],
    )
    def test_bad_limits_are_refused_in_one_line(self, tmp_path, row, message):
        path = self.write(tmp_path, self.HEADER + ",lower,upper", row)
        with pytest.raises(InputError, match=message) as caught:
            read_indicators(path)
        assert str(path) in str(caught.value) and "\n" not in str(caught.value)

    def test_one_limit_column_alone_is_refused(self, tmp_path):
        path = self.write(tmp_path, self.HEADER + ",lower", "Admissions,asb,Dover,2021-04-01,2022-03-31,1,rate,PHE,1")
        with pytest.raises(InputError, match="'lower' needs its partner column"):
            read_indicators(path)


# --- the population year ----------------------------------------------------------------------------


class TestPopulationYear:
    TABLE = pd.DataFrame(
        {
            "area_code": ["a", "a", "a", "b", "c"],
            "area": ["A", "A", "A", "B", "C"],
            "year": [2019, 2021, 2023, 2020, 2015],
            "population": [100_000, 110_000, 120_000, 50_000, 70_000],
        }
    )

    def test_the_period_year_where_held_else_the_nearest_earlier_on_a_tie(self):
        chosen = population_for(self.TABLE, 2021)  # by area code
        assert chosen.to_dict() == {"a": 110_000, "b": 50_000, "c": 70_000}
        assert population_for(self.TABLE, 2022)["a"] == 110_000  # 2021 and 2023 equally near
        assert population_for(self.TABLE, 2030)["a"] == 120_000
        assert population_for(self.TABLE, 2000)["a"] == 100_000

    def test_the_years_used_are_said(self):
        assert population_years(population_for(self.TABLE, 2021)) == (2015, 2020, 2021)
        assert population_estimate(population_for(self.TABLE, 2021)) == "mid-2015 to mid-2021 estimates"
        one = population_for(self.TABLE[self.TABLE["area"] == "A"], 2020)
        assert population_estimate(one) == "mid-2019 estimate"

    def test_the_years_survive_choosing_areas(self):
        chosen = population_for(self.TABLE, 2021).reindex(["b", "a"])
        assert population_years(chosen) == (2020, 2021)

    def test_the_default_says_mid_2020_for_2022(self, default):
        evidence, *_ = default
        assert evidence.population_years == (2020,)
        assert evidence.population_estimate == "mid-2020 estimate"
