"""Proof by simulation that the trend criterion is not fooled by seasonality, and that it agrees draw by draw.

Seeded and vectorised: each simulation scores thousands of series at once through
`trend.draws`, which a test here shows agrees with the scalar scorer `trend.score`.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from assess import stats
from assess.criteria import trend
from assess.criteria.figures import FigureDraws
from assess.criteria.result import score_from_change, scores_from_change
from test_criteria import MONTHS_2022, figures, months_ending_2022_12, trend_setting

SERIES = 4000
LEVEL = 0.05
# Three binomial standard errors above the nominal rate for 4,000 series, plus half a point: with
# overdispersed months the dispersion is estimated from 10-11 df and floored at 1, which costs up
# to about 0.5 points of excess (measured 4.3%-5.8% at phi = 2.5 over several seeds).
TOLERANCE = 3 * np.sqrt(LEVEL * (1 - LEVEL) / SERIES) + 0.005


def draws_of(history: np.ndarray, county: np.ndarray, period_months=MONTHS_2022) -> FigureDraws:
    """FigureDraws holding only what the trend criterion reads."""
    count = len(history)
    return FigureDraws(
        key="drugs",
        period_months=tuple(period_months),
        history_months=months_ending_2022_12(history.shape[1]),
        history=history,
        county_history=county,
        current=history[:, -len(period_months) :].sum(axis=1),
        previous=None,
        area_total=np.zeros(count),
        harm=None,
        area_harm=np.zeros(count),
        comparator_counts=np.zeros((count, 2)),
        populations=np.ones(2),
        area_index=0,
    )


def counts(rng: np.random.Generator, mean: np.ndarray, phi: float) -> np.ndarray:
    """Poisson counts (phi 1) or negative binomial with variance phi x mean."""
    if phi == 1:
        return rng.poisson(mean)
    return rng.negative_binomial(mean / (phi - 1), 1 / phi)


def seasonal_series(rng, months: int, swing: float, phi: float, area_mean=20.0, others_mean=400.0, rise=0.0):
    """SERIES areas and counties sharing a sinusoidal season (random phase); the area alone rises by `rise` a year."""
    phase = rng.uniform(0, 2 * np.pi, (SERIES, 1))
    t = np.arange(months)
    season = 1 + swing * np.sin(2 * np.pi * t / 12 + phase)
    growth = (1 + rise) ** ((t - (months - 12)) / 11).clip(0)  # the rise over the last 12 months
    area = counts(rng, area_mean * season * growth, phi)
    others = counts(rng, others_mean * season, phi)
    return area, area + others


def departures(area: np.ndarray, county: np.ndarray) -> float:
    """How often the trend criterion scores other than 3 at the nominal level (no family correction)."""
    p_value, change = trend.draws(draws_of(area, county), trend_setting())
    scores = scores_from_change(change, p_value < LEVEL, 0.2)
    return float(np.mean(scores != 3))


def plain_mann_kendall_departures(area: np.ndarray) -> float:
    """The old criterion on 12 months: plain Mann-Kendall (continuity-corrected normal), vectorised."""
    later, earlier = np.triu_indices(area.shape[1], k=1)[::-1]
    s = np.sign(area[:, later] - area[:, earlier]).sum(axis=1)
    n = area.shape[1]
    var = n * (n - 1) * (2 * n + 5) / 18  # ties ignored: a little generous to the old test
    z = (s - np.sign(s)) / np.sqrt(var)
    return float(np.mean(2 * special.ndtr(-np.abs(z)) < LEVEL))


# --- the null: a seasonal swing, no trend ----------------------------------------------------


@pytest.mark.parametrize("months", [12, 24])
@pytest.mark.parametrize("swing", [0.1, 0.2])
@pytest.mark.parametrize("phi", [1.0, 2.5])
def test_a_seasonal_swing_is_not_called_a_trend(months, swing, phi):
    rng = np.random.default_rng(int(1000 * swing + 10 * phi + months))
    area, county = seasonal_series(rng, months, swing, phi)
    rate = departures(area, county)
    print(f"null: {months} months, swing {swing:.0%}, phi {phi}: departs from 3 in {rate:.2%}")
    assert rate <= LEVEL + TOLERANCE


def test_the_old_criterion_fails_the_same_null():
    rng = np.random.default_rng(5)
    rates = {}
    for swing in (0.1, 0.2):
        area, county = seasonal_series(rng, 12, swing, 1.0, area_mean=300.0, others_mean=6000.0)
        rates[swing] = (plain_mann_kendall_departures(area), departures(area, county))
    print("plain Mann-Kendall against the share-of-county test on 12 months:", rates)
    assert rates[0.1][0] > 0.15 and rates[0.2][0] > 0.25
    assert all(new <= LEVEL + TOLERANCE for _, new in rates.values())


# --- planted rises are found --------------------------------------------------------------------


@pytest.mark.parametrize(
    # 24 months: the rise is planted over the last 12 only, so the year-on-year change is about +14%.
    "months, phi, power",
    [(12, 1.0, 0.6), (12, 2.5, 0.28), (24, 1.0, 0.7), (24, 2.5, 0.4)],
)
def test_a_planted_rise_in_the_area_is_found(months, phi, power):
    rng = np.random.default_rng(int(7 * months + phi))
    area, county = seasonal_series(rng, months, 0.2, phi, area_mean=100.0, others_mean=2000.0, rise=0.3)
    p_value, change = trend.draws(draws_of(area, county), trend_setting())
    scores = scores_from_change(change, p_value < LEVEL, 0.2)
    found = float(np.mean(scores >= 4))
    print(f"rise +30%: {months} months, phi {phi}: scored 4 or 5 in {found:.1%}, a fall in {np.mean(scores <= 2):.2%}")
    assert found >= power
    assert np.mean(scores <= 2) < 0.01


# --- the vectorised draws are the scalar scorer --------------------------------------------------


@pytest.mark.parametrize(
    "months, shape",
    [(12, "flat"), (12, "rising"), (12, "sparse"), (18, "rising"), (24, "flat"), (24, "rising"), (33, "sparse")],
)
def test_draws_agree_with_the_scalar_scorer(months, shape):
    rng = np.random.default_rng(months)
    count = 100
    base = {"flat": 30.0, "rising": 20.0, "sparse": 1.5}[shape]
    growth = np.linspace(1, 1.6 if shape == "rising" else 1, months)
    area = rng.negative_binomial(4, 4 / (4 + base * growth), (count, months))
    county = area + rng.poisson(10 * base, (count, months))
    setting = trend_setting()
    p_value, change = trend.draws(draws_of(area, county), setting)
    for i in range(count):
        verdict = trend.score(figures(history=area[i], county_history=county[i]), setting)
        if verdict.score is None:
            assert np.isnan(p_value[i]) and np.isnan(change[i])
            continue
        assert p_value[i] == pytest.approx(verdict.p_value, rel=1e-12, abs=1e-15)
        significant = setting.is_significant("trend", p_value[i])
        assert score_from_change(change[i], significant, 0.2) == verdict.score


def test_too_few_months_draw_nothing():
    p_value, change = trend.draws(draws_of(np.ones((5, 11)), np.full((5, 11), 9.0)), trend_setting())
    assert np.isnan(p_value).all() and np.isnan(change).all()


def test_the_draws_are_fast():
    import time

    rng = np.random.default_rng(0)
    priorities = [draws_of(rng.poisson(30, (4000, 12)), rng.poisson(30, (4000, 12)) + 300) for _ in range(8)]
    start = time.perf_counter()
    p_values = np.stack([trend.draws(fd, trend_setting())[0] for fd in priorities], axis=-1)
    stats.bh_cutoff(p_values, LEVEL)
    assert time.perf_counter() - start < 0.5


def test_scores_from_change_is_score_from_change():
    change = np.array([-1.0, -0.2, -0.1, 0.0, 0.1, 0.2, 1.0, np.inf, np.nan])
    for significant in (True, False):
        scores = scores_from_change(change, np.full(len(change), significant), 0.2)
        expected = [score_from_change(c, significant, 0.2) for c in change[:-1]]
        assert scores[:-1].tolist() == expected and np.isnan(scores[-1])


# --- the false discovery rate ------------------------------------------------------------------


def test_benjamini_hochberg_controls_the_false_discovery_rate_under_a_global_null():
    # 4,000 runs of 20 trend tests, none with a trend: any rejection is a false discovery, and
    # under the global null the false discovery rate is the chance of any rejection.
    rng = np.random.default_rng(11)
    tests = 20
    area, county = seasonal_series(rng, 12 * tests, 0.2, 1.0)  # reshaped into 20 twelve-month tests per run
    area, county = area.reshape(SERIES * tests, 12), county.reshape(SERIES * tests, 12)
    p_value, _ = trend.draws(draws_of(area, county), trend_setting())
    p_value = p_value.reshape(SERIES, tests)
    cutoff = stats.bh_cutoff(p_value, LEVEL)
    any_rejected = float(np.mean((p_value <= cutoff[:, None]).any(axis=1)))
    uncorrected = float(np.mean((p_value < LEVEL).any(axis=1)))
    print(f"global null, 20 tests: some test flagged in {any_rejected:.2%} with BH, {uncorrected:.1%} without")
    assert any_rejected <= LEVEL + TOLERANCE
    assert uncorrected > 0.4


def test_benjamini_hochberg_with_true_trends_keeps_the_false_share_down():
    # Half of 20 tests with a planted +50% rise: the share of flagged tests that are false stays under 5%.
    rng = np.random.default_rng(12)
    tests, true = 20, 10
    runs = 1000
    rise = np.repeat(np.r_[np.full(true, 0.5), np.zeros(tests - true)][None], runs, axis=0).ravel()
    t = np.arange(12)
    season = 1 + 0.2 * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 2 * np.pi, (runs * tests, 1)))
    area = rng.poisson(40 * season * (1 + rise[:, None]) ** (t / 11))
    county = area + rng.poisson(400 * season)
    p_value, _ = trend.draws(draws_of(area, county), trend_setting())
    p_value = p_value.reshape(runs, tests)
    flagged = p_value <= stats.bh_cutoff(p_value, LEVEL)[:, None]
    false = flagged[:, true:].sum(axis=1)
    fdr = float(np.mean(false / np.maximum(flagged.sum(axis=1), 1)))
    print(f"10 of 20 rising: false discovery rate {fdr:.2%}, true trends found {flagged[:, :true].mean():.1%}")
    assert fdr <= LEVEL


# --- order does not matter ----------------------------------------------------------------------


def test_results_do_not_depend_on_the_order_of_the_series():
    rng = np.random.default_rng(3)
    area, county = seasonal_series(rng, 12, 0.2, 2.0)
    order = rng.permutation(SERIES)
    p_value, change = trend.draws(draws_of(area, county), trend_setting())
    shuffled_p, shuffled_change = trend.draws(draws_of(area[order], county[order]), trend_setting())
    assert np.array_equal(p_value[order], shuffled_p, equal_nan=True)
    assert np.array_equal(change[order], shuffled_change, equal_nan=True)
    family = p_value[:20]
    assert stats.bh_cutoff(family, LEVEL) == stats.bh_cutoff(family[::-1], LEVEL)
    adjusted = stats.benjamini_hochberg(family)
    assert np.array_equal(stats.benjamini_hochberg(family[::-1]), adjusted[::-1])


# --- months missing from the data (a failed or withheld download) -------------------------------


def held_without(months: int, *gaps: int) -> np.ndarray:
    held = np.ones(months, dtype=bool)
    held[list(gaps)] = False
    return held


def test_year_on_year_leaves_out_the_pair_of_a_missing_month():
    # 24 months ending 2022-12; 2021-03 missing (index 2), so 2022-03 is compared with nothing.
    rng = np.random.default_rng(3)
    area = rng.poisson(40, 24)
    area[2] = 0
    held = held_without(24, 2)
    verdict = trend.score(figures(history=area, history_held=held), trend_setting())
    keep = np.arange(12) != 2
    expected = stats.year_on_year(area[12:][keep], area[:12][keep])  # computed apart from the plan
    assert verdict.p_value == pytest.approx(float(expected.p_value), rel=1e-12)
    assert verdict.evidence.startswith(
        f"{int(expected.current):,} in January to December 2022 without 2022-03 against {int(expected.before):,} "
        "in the same months a year earlier (2021-03 is missing from the data)"
    )


def test_too_few_paired_months_fall_back_to_the_unbroken_run():
    # Four of the year before missing: year on year would rest on 8 months; the last 19 are unbroken.
    rng = np.random.default_rng(4)
    area = rng.poisson(40, 24)
    county = area + rng.poisson(400, 24)
    held = held_without(24, 1, 2, 3, 4)
    verdict = trend.score(figures(history=area, county_history=county, history_held=held), trend_setting())
    assert "share-of-county" in verdict.evidence and "19 months (2021-06 to 2022-12)" in verdict.evidence
    expected = stats.share_trend(area[5:], county[5:])
    assert verdict.p_value == pytest.approx(float(expected.p_value), rel=1e-12)


def test_a_gap_leaving_too_short_a_run_says_which_month_is_missing():
    area = np.full(14, 30)
    verdict = trend.score(figures(history=area, history_held=held_without(14, 5)), trend_setting())
    assert verdict.score is None
    assert "(8)" in verdict.reason and "the data miss 2022-04" in verdict.reason


@pytest.mark.parametrize("gaps", [(2,), (0, 11), (13,), (1, 2, 3, 4)])
def test_draws_with_gaps_agree_with_the_scalar_scorer(gaps):
    rng = np.random.default_rng(sum(gaps))
    count, months = 60, 24
    area = rng.negative_binomial(4, 4 / (4 + 25 * np.linspace(1, 1.4, months)), (count, months))
    county = area + rng.poisson(250, (count, months))
    held = held_without(months, *gaps)
    area[:, ~held], county[:, ~held] = 0, 0
    setting = trend_setting()
    fd = draws_of(area, county)
    fd = FigureDraws(**{**fd.__dict__, "history_held": held})
    p_value, change = trend.draws(fd, setting)
    for i in range(count):
        verdict = trend.score(figures(history=area[i], county_history=county[i], history_held=held), setting)
        assert p_value[i] == pytest.approx(verdict.p_value, rel=1e-12, abs=1e-15)
        assert score_from_change(change[i], setting.is_significant("trend", p_value[i]), 0.2) == verdict.score


def test_a_missing_month_neither_makes_nor_hides_a_trend():
    # Null: a seasonal swing and no trend, the year before missing one month: the level holds.
    rng = np.random.default_rng(11)
    area, county = seasonal_series(rng, 24, 0.2, 1.0)
    held = held_without(24, 0)
    area[:, 0], county[:, 0] = 0, 0
    fd = FigureDraws(**{**draws_of(area, county).__dict__, "history_held": held})
    p_value, change = trend.draws(fd, trend_setting())
    null_rate = float(np.mean(scores_from_change(change, p_value < LEVEL, 0.2) != 3))
    # Planted +30% over the last year: still found about as often as with every month held.
    area, county = seasonal_series(rng, 24, 0.2, 1.0, area_mean=100.0, others_mean=2000.0, rise=0.3)
    area[:, 0], county[:, 0] = 0, 0
    fd = FigureDraws(**{**draws_of(area, county).__dict__, "history_held": held})
    p_value, change = trend.draws(fd, trend_setting())
    found = float(np.mean(scores_from_change(change, p_value < LEVEL, 0.2) >= 4))
    print(f"one month missing: null departs {null_rate:.2%}; planted rise found {found:.1%}")
    assert null_rate <= LEVEL + TOLERANCE
    assert found >= 0.65
