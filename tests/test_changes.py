"""Year on year: `Change` against independent references, under a null and with a planted fall."""

import numpy as np
import pytest

from assess import changes
from assess.changes import Change
from assess.errors import InputError


class TestCounts:
    def test_the_plans_burglary_pair(self):
        change = Change.of_counts(743, 493, "Oct 2018 to Sep 2019", "Oct 2019 to Sep 2020")
        assert change.absolute == -250
        assert change.percent == pytest.approx(-33.647, abs=1e-3)
        assert change.words() == "down 34% (743 to 493), more than chance (p < 0.001)"

    def test_a_small_rise_could_be_chance(self):
        assert Change.of_counts(100, 103).words() == "up 3% (100 to 103), could be chance (p = 0.89)"

    def test_against_a_hand_computed_exact_test(self):
        # 7 of 10 events in the current of two equal periods: P(X >= 7 | n = 10, p = 1/2) = 176/1024,
        # twice that (the binomial is symmetric).
        assert Change.of_counts(3, 7).p_value == pytest.approx(2 * 176 / 1024)

    @pytest.mark.filterwarnings("ignore:divide by zero")  # statsmodels' ratio of a rise from none
    @pytest.mark.parametrize(
        ("previous", "current", "ratio"), [(743, 493, 1.0), (40, 30, 0.5), (12, 30, 1.5), (0, 4, 1)]
    )
    def test_against_statsmodels(self, previous, current, ratio):
        rates = pytest.importorskip("statsmodels.stats.rates")
        expected = rates.test_poisson_2indep(current, ratio, previous, 1, method="exact-cond").pvalue
        assert Change.of_counts(previous, current, exposure_ratio=ratio).p_value == pytest.approx(expected, rel=1e-9)

    def test_a_dispersed_figure_is_tested_more_cautiously(self):
        exact, quasi = Change.of_counts(234, 274), Change.of_counts(234, 274, dispersion=3.0, df=3)
        assert quasi.p_value > exact.p_value
        assert "dispersion 3.00" in quasi.test
        with pytest.raises(InputError, match="equal length"):
            Change.of_counts(234, 274, exposure_ratio=0.5, dispersion=3.0, df=3)

    def test_monthly_pairs_give_the_trend_criterions_test(self):
        from assess import stats

        now, then = [30, 25, 40, 22], [45, 20, 60, 30]
        change = Change.of_months(then, now)
        assert (change.previous, change.current) == (155, 117)
        assert change.p_value == pytest.approx(float(stats.year_on_year(now, then).p_value))


class TestEdges:
    def test_from_none(self):
        change = Change.of_counts(0, 12)
        assert change.percent is None and change.absolute == 12
        assert change.words().startswith("up from none (0 to 12), more than chance")

    def test_none_in_both(self):
        change = Change.of_counts(0, 0)
        assert change.p_value == 1.0 and change.words() == "no change (0 to 0), could be chance (p = 1)"

    def test_a_withheld_change_says_nothing_of_its_size_or_test(self):
        change = Change.of_counts(3, 40).hidden()
        assert change.significant is None
        said = change.words()
        assert said == "change withheld: small numbers on a sensitive subject"
        assert not any(text in said for text in ("3", "40", "up", "p ="))

    def test_untested_is_said(self):
        change = Change.untested(
            535.0, 601.0, "standardised rate per 100,000", "a standardised rate without its counts"
        )
        assert change.significant is None
        assert change.words() == "up 12% (535.0 to 601.0), not tested (a standardised rate without its counts)"

    def test_percentages_change_in_points(self):
        change = Change.untested(12.0, 15.5, "percent", "no denominators")
        assert change.words(figures=False) == "up 3.5 percentage points, not tested (no denominators)"


class TestSimulation:
    """The exact test's error rate under a null and its power against a fall the plan would care about."""

    def flagged(self, previous_mean: float, current_mean: float, rng: np.random.Generator, n: int = 2000) -> float:
        before, after = rng.poisson(previous_mean, n), rng.poisson(current_mean, n)
        return float(np.mean([Change.of_counts(int(b), int(a)).significant for b, a in zip(before, after)]))

    def test_under_the_null_about_five_percent_are_flagged(self):
        rate = self.flagged(200, 200, np.random.default_rng(13))
        # The exact test is conservative: at most 5%, and not far under it at counts this size.
        assert 0.025 <= rate <= 0.055

    def test_a_planted_thirty_percent_fall_is_flagged_most_of_the_time(self):
        # About 200 a year, as the plan's smaller crime types: the normal approximation's power is 0.89.
        assert self.flagged(200, 140, np.random.default_rng(14)) >= 0.85
        # At the size of its burglary count, nearly always.
        assert self.flagged(700, 490, np.random.default_rng(16), n=500) == 1.0

    def test_at_small_counts_the_same_fall_is_often_missed(self):
        assert self.flagged(10, 7, np.random.default_rng(15)) < 0.3


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (4683.0, "hours", "4,683"),
        (4683, "count", "4,683"),
        (12.34, "percent", "12.3%"),
        (0.4234, "rate per 1,000 residents", "0.42"),
        (535.0, "standardised rate per 100,000", "535.0"),
        (2.25, "pounds", "2.2"),
    ],
)
def test_values_are_formatted_by_unit(value, unit, shown):
    assert changes.format_value(value, unit) == shown
