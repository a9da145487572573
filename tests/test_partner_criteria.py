"""Trend and comparison from partner indicators, where police data have none."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS, Priority, resolve_assessment
from assess.criteria import partner
from assess.data.counts import read_counts


@pytest.fixture(scope="module")
def assessment():
    return resolve_assessment(read_counts(DEFAULT_DATA_DIR / "counts.csv"), DEFAULT_PARAMS)


def priority(key="domestic_abuse", **indicators) -> Priority:
    return Priority(key, "Domestic abuse", "s", (), (), None, indicators=tuple(indicators.items()))


def rows(values, starts, ends, name="Referrals", area="Sevenoaks", unit="count"):
    return pd.DataFrame(
        {
            "indicator": name,
            "priority": "domestic_abuse",
            "area": area,
            "period_start": pd.to_datetime(starts),
            "period_end": pd.to_datetime(ends),
            "value": [float(v) for v in values],
            "unit": unit,
            "source": "DAVSS",
        }
    )


QUARTERS = (["2022-04-01", "2022-07-01", "2022-10-01"], ["2022-06-30", "2022-09-30", "2022-12-31"])


class TestTrend:
    def test_latest_quarter_against_the_one_before(self, assessment):
        table = rows([100, 203, 274], *QUARTERS)
        verdict = partner.trend(priority(Referrals="trend"), table, assessment)
        # 274 against 203: +35%, exact conditional test p = 0.00133
        # (statsmodels test_poisson_2indep, exact-cond, gives the same).
        assert verdict.score == 5
        assert "274 in Oct 2022 to Dec 2022 against 203 in Jul 2022 to Sep 2022" in verdict.evidence
        assert "p = 0.00133" in verdict.evidence
        assert "older" not in verdict.reason

    def test_periods_that_do_not_follow_on_are_not_compared(self, assessment):
        table = rows([203, 274], ["2022-01-01", "2022-10-01"], ["2022-03-31", "2022-12-31"])
        assert partner.trend(priority(Referrals="trend"), table, assessment) is None

    def test_unmapped_indicator_is_not_used(self, assessment):
        assert (
            partner.trend(priority(Referrals="comparison"), rows([1, 2], *[q[:2] for q in QUARTERS]), assessment)
            is None
        )

    def test_old_figures_are_said_to_be_old(self, assessment):
        table = rows([203, 274], ["2020-04-01", "2020-07-01"], ["2020-06-30", "2020-09-30"])
        verdict = partner.trend(priority(Referrals="trend"), table, assessment)
        assert "older than the assessment period" in verdict.reason
        assert "Jul 2020 to Sep 2020" in verdict.evidence

    def test_small_sensitive_counts_are_suppressed(self, assessment):
        table = rows([3, 4], ["2022-07-01", "2022-10-01"], ["2022-09-30", "2022-12-31"])
        verdict = partner.trend(priority(Referrals="trend"), table, assessment)
        assert verdict.score == 3 and verdict.evidence.count("fewer than 5") == 2
        assert " 3 " not in verdict.evidence and " 4 " not in verdict.evidence
        # Nor the change: "rose 33%" would give the counts back.
        assert "withheld" in verdict.reason and "rose" not in verdict.reason and "%" not in verdict.reason


class TestComparison:
    def test_published_rates_without_intervals_are_judged_by_the_spread(self, assessment):
        areas = list(assessment.comparators)
        # Sevenoaks given the highest of evenly spread rates: highest, but within their spread.
        values = [10.0 + i for i in range(len(areas))]
        order = [a for a in areas if a != "Sevenoaks"] + ["Sevenoaks"]
        table = pd.concat(
            [
                rows([v], ["2021-04-01"], ["2022-03-31"], name="Admissions", area=a, unit="rate per 100,000")
                for a, v in zip(order, values)
            ]
        )
        population = pd.Series(100_000.0, index=areas)
        verdict = partner.comparison_score(priority(Admissions="comparison"), table, assessment, population)
        assert verdict.score == 3 and f"rank {len(areas)} of {len(areas)}" in verdict.evidence
        assert "no confidence interval published" in verdict.evidence
        assert np.all(verdict.spread(np.random.default_rng(1), 5) == 3)

    def test_counts_go_on_the_funnel(self, assessment):
        areas = list(assessment.comparators)
        population = pd.Series(100_000.0, index=areas)
        counts = {a: 500 for a in areas}
        counts["Sevenoaks"] = 900
        counts["Dover"], counts["Thanet"] = 480, 520
        table = pd.concat(
            [rows([c], ["2022-01-01"], ["2022-12-31"], name="Reports", area=a) for a, c in counts.items()]
        )
        verdict = partner.comparison_score(priority(Reports="comparison"), table, assessment, population)
        assert verdict.score == 5 and "above the exact 99.8% limit" in verdict.evidence

    def test_too_few_areas(self, assessment):
        table = rows([5], ["2022-01-01"], ["2022-12-31"], name="Reports")
        population = pd.Series(100_000.0, index=list(assessment.comparators))
        assert partner.comparison_score(priority(Reports="comparison"), table, assessment, population) is None


def test_default_partner_scores(assessment):
    """The embedded default scores domestic abuse and safeguarding from partner figures."""
    from assess.evidence import Evidence
    from assess.results import Results

    scoring = Results(Evidence.load(DEFAULT_PARAMS))
    assert scoring.scores["domestic_abuse"]["trend"] == 5
    assert scoring.scores["safeguarding"]["trend"] == 3
    # Self-harm admissions 172.9 against a median of 168.6, no interval published: within the spread.
    assert scoring.scores["safeguarding"]["comparison"] == 3
    assert scoring.scores["doorstep_crime"]["trend"] is None
