"""The Monte Carlo rank uncertainty: seeded, consistent, and sure where the evidence is."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import params_facts as facts
from assess import cache
from assess.config import DEFAULT_PARAMS, Assessment, JudgementModel, Priority, ScoringRules
from assess.criteria import CountCube, Setting, police_scores
from assess.data.indicators import INDICATOR_COLUMNS
from assess.evidence import Evidence, Tables
from assess.results import Results
from assess.scoring import composite, rank_order
from assess.uncertainty import INTERVAL, simulate_ranks

AREAS = tuple("ABCDEFGHIJK")
# One year only, so the trend is the (fast) monthly Mann-Kendall test, not the exact
# year-on-year test, whose confidence interval costs milliseconds in every draw.
MONTHS = tuple(str(p) for p in pd.period_range("2022-01", "2022-12", freq="M"))
PERIOD = "January to December 2022"
UNIT = "days of imprisonment"
HARM_WEIGHTS = pd.DataFrame(
    {"crime_type": ["Burglary", "Drugs", "Shoplifting", "Vehicle crime"], "weight": [244.68, 3.66, 1.0, 5.0]}
)


def priority(key: str, *crime_types: str) -> Priority:
    return Priority(key=key, title=key.title(), summary="s", crime_types=crime_types, partner_evidence=())


PRIORITIES = (
    priority("dominant", "Burglary"),  # area A: rising steeply, far above the others, most of its crime
    priority("steady", "Shoplifting"),  # in line with the others, flat
    priority("close", "Vehicle crime"),  # in line, flat: competes with steady
    priority("falling", "Drugs"),  # falling steadily
    priority("partner"),  # no police data: judged scores only
)
FIXED = {
    "dominant": {"concern": 5, "added_value": 5},
    "steady": {"concern": 3, "added_value": 3},
    "close": {"concern": 3, "added_value": 3},
    "falling": {"concern": 2, "added_value": 4},
    "partner": {"concern": 3, "added_value": 4, "trend": None, "volume": None, "harm": None, "comparison": None},
}


def monthly(area: str, month: str, crime_type: str) -> int:
    i = MONTHS.index(month)
    if crime_type == "Burglary":
        return 100 + 30 * i if area == "A" else 100
    if crime_type == "Drugs":
        return 40 - 2 * i if area == "A" else 30
    if crime_type == "Shoplifting":
        return 40
    return 38  # Vehicle crime


def counts_table() -> pd.DataFrame:
    rows = [
        (a, m, t, monthly(a, m, t))
        for a in AREAS
        for m in MONTHS
        for t in ("Burglary", "Drugs", "Shoplifting", "Vehicle crime")
    ]
    return pd.DataFrame(rows, columns=["area", "month", "crime_type", "count"])


def assessment(draws: int = 200, seed: int = 20221231) -> Assessment:
    return Assessment(
        area="A",
        period_start="2022-01",
        period_end="2022-12",
        comparators=AREAS,
        data_dir=Path("."),
        priorities=PRIORITIES,
        rules=ScoringRules(draws=draws, seed=seed),
    )


def build_cube(a: Assessment) -> CountCube:
    return CountCube.build(counts_table(), a, pd.Series(100_000.0, index=list(AREAS)), HARM_WEIGHTS)


def scorer(a: Assessment):
    def score(cube: CountCube) -> dict:
        setting = Setting(a, PERIOD, UNIT, pd.DataFrame(columns=INDICATOR_COLUMNS), pd.Series(dtype=float))
        return {
            p.key: {c: v.score for c, v in police_scores(cube.figures(p), p, setting).items()}
            for p in a.priorities
            if p.has_police_data
        }

    return score


def observed_order(a: Assessment, cube: CountCube) -> list[str]:
    scores = {k: {**FIXED[k], **scorer(a)(cube).get(k, {})} for k in FIXED}
    return rank_order([composite(k, scores[k], a.weights) for k in FIXED], scores, a.criteria.tie_break)


def simulate(draws: int = 200, seed: int = 20221231, cube=None):
    a = assessment(draws, seed)
    cube = build_cube(a) if cube is None else cube
    return simulate_ranks(cube, scorer(a), FIXED, a.weights, a.rules, observed_order(a, cube), a.criteria.tie_break)


@pytest.fixture(scope="module")
def simulated():
    """The cube a simulation read, and its result."""
    cube = build_cube(assessment())
    return cube, simulate(cube=cube)


@pytest.fixture(scope="module")
def result(simulated):
    return simulated[1]


class TestSetUp:
    def test_observed_scores(self):
        a = assessment()
        scores = scorer(a)(build_cube(a))
        assert scores["dominant"] == {"trend": 5, "volume": 5, "harm": 5, "comparison": 5}
        assert scores["falling"]["trend"] == 1
        assert scores["steady"]["comparison"] == 3 and scores["close"]["comparison"] == 3
        assert "partner" not in scores
        assert observed_order(a, build_cube(a))[0] == "dominant"


class TestSimulateRanks:
    def test_same_seed_same_answer(self, result):
        again = simulate()
        assert np.array_equal(again.probabilities, result.probabilities)
        assert again.lower == result.lower and again.upper == result.upper
        assert again.priorities == result.priorities
        assert (again.draws, again.seed) == (200, 20221231)

    def test_another_seed_another_sample(self, result):
        other = simulate(seed=7)
        assert other.seed == 7
        assert not np.array_equal(other.probabilities, result.probabilities)

    def test_shape_and_sums(self, result):
        n = len(FIXED)
        assert result.probabilities.shape == (n, n)
        assert set(result.priorities) == set(FIXED)
        # Every draw gives each priority one rank and each rank one priority.
        np.testing.assert_allclose(result.probabilities.sum(axis=1), np.ones(n), rtol=0, atol=1e-12)
        np.testing.assert_allclose(result.probabilities.sum(axis=0), np.ones(n), rtol=0, atol=1e-12)
        # Each probability is a whole number of the 200 draws.
        np.testing.assert_allclose(result.probabilities * 200, np.round(result.probabilities * 200), atol=1e-9)

    def test_dominant_priority_is_always_first(self, result):
        assert result.probabilities[result.priorities.index("dominant"), 0] == 1.0
        assert (result.lower["dominant"], result.upper["dominant"]) == (1, 1)
        assert result.probability_top("dominant", 1) == 1.0
        others = [i for i, p in enumerate(result.priorities) if p != "dominant"]
        assert result.probabilities[others, 0].sum() == 0.0

    def test_intervals_are_ordered_and_in_range(self, result):
        for p in result.priorities:
            assert 1 <= result.lower[p] <= result.upper[p] <= len(result.priorities)
            # The rank interval holds at least the middle 90% of draws.
            row = result.probabilities[result.priorities.index(p)]
            inside = row[result.lower[p] - 1 : result.upper[p]].sum()
            assert inside >= (INTERVAL[1] - INTERVAL[0]) / 100 - 1e-12

    def test_there_is_real_uncertainty_below_the_top(self, result):
        # steady and close have near-identical evidence: each takes more than one rank.
        for p in ("steady", "close"):
            row = result.probabilities[result.priorities.index(p)]
            assert (row > 0).sum() >= 2, (p, row)
        assert result.probability_top("steady", 5) == 1.0

    def test_the_cube_is_not_changed(self, simulated):
        cube, _ = simulated
        assert np.array_equal(cube.values, build_cube(assessment()).values)


class TestScoringUncertainty:
    """The default assessment's ranking table reads the same simulation, through the cache."""

    def test_the_default_assessment(self, tmp_path, monkeypatch):
        monkeypatch.setattr(cache, "CACHE_DIR", tmp_path)
        loaded = Evidence.load(DEFAULT_PARAMS)
        quick = dataclasses.replace(loaded.assessment, rules=ScoringRules(draws=100))
        scoring = Results(Evidence(quick, loaded.tables))
        result = scoring.uncertainty
        assert result.draws == 100 and result.priorities == tuple(scoring.order)
        assert sorted(scoring.order) == sorted(facts.issues())
        assert len(list(tmp_path.glob("ranks-*.pickle"))) == 1
        n = len(scoring.order)
        np.testing.assert_allclose(result.probabilities.sum(axis=0), np.ones(n), atol=1e-12)
        np.testing.assert_allclose(result.probabilities.sum(axis=1), np.ones(n), atol=1e-12)

        table = scoring.ranking_table()
        assert list(table["priority"]) == scoring.order
        assert (table["rank_lower"] <= table["rank_upper"]).all()
        for row in table.itertuples():
            assert row.rank_lower == result.lower[row.priority]
            assert row.probability_top_3 == pytest.approx(result.probability_top(row.priority, 3), abs=1e-4)

        # A second Results of the same inputs reads the cached result: equal, not recomputed.
        again = Results(Evidence(quick, loaded.tables)).uncertainty
        assert np.array_equal(again.probabilities, result.probabilities)
        assert len(list(tmp_path.glob("ranks-*.pickle"))) == 1

    def test_a_partner_figure_filling_a_police_gap_is_held_in_every_draw(self, tmp_path, monkeypatch):
        monkeypatch.setattr(cache, "CACHE_DIR", tmp_path)
        areas = ("A", "B", "C", "D", "E")
        months = [f"2022-{m:02d}" for m in range(1, 13)]
        # No drug offences anywhere, so the police comparison has no data; some burglary.
        counts = pd.DataFrame(
            [(a, m, t, 0 if t == "Drugs" else 20) for a in areas for m in months for t in ("Drugs", "Burglary")],
            columns=["area", "month", "crime_type", "count"],
        )
        # A partner count mapped to the comparison: area A far above the rest.
        indicators = pd.DataFrame(
            [
                {
                    "indicator": "Drug admissions",
                    "priority": "drugs",
                    "area": a,
                    "period_start": pd.Timestamp("2022-01-01"),
                    "period_end": pd.Timestamp("2022-12-31"),
                    "value": 500.0 if a == "A" else 100.0,
                    "unit": "count",
                    "source": "public health",
                    "file": "x.csv",
                }
                for a in areas
            ],
            columns=INDICATOR_COLUMNS + ["file"],
        )
        drugs = Priority(
            key="drugs",
            title="Drugs",
            summary="s",
            crime_types=("Drugs",),
            partner_evidence=(),
            indicators=(("Drug admissions", "comparison"),),
        )
        other = Priority(key="other", title="Other", summary="s", crime_types=(), partner_evidence=())
        judged = JudgementModel(score=2, confidence="low", rationale="r.", judged_by="test")
        a = Assessment(
            area="A",
            period_start="2022-01",
            period_end="2022-12",
            comparators=areas,
            data_dir=tmp_path,
            priorities=(drugs, other),
            rules=ScoringRules(draws=100),
            judgements={"other": {"concern": (judged,)}},
        )
        population = pd.DataFrame(
            {"area_code": list(areas), "area": list(areas), "year": 2020, "population": 100_000.0}
        )
        harm_weights = pd.DataFrame(
            {
                "crime_type": ["Burglary", "Drugs"],
                "weight": [244.68, 3.66],
                "unit": "days of imprisonment",
                "source": "test",
            }
        )
        scoring = Results(Evidence(a, Tables(counts, population, harm_weights, indicators, ())))

        # Observed: trend 3, volume 1, harm 1 from police data, comparison 5 from the partner count.
        assert scoring.scores["drugs"] == {
            "concern": None,
            "trend": 3,
            "volume": 1,
            "harm": 1,
            "comparison": 5,
            "added_value": None,
        }
        assert scoring.composites["drugs"].score == 2.5 and scoring.composites["other"].score == 2.0
        assert scoring.order == ["drugs", "other"]
        # Zero counts resample to zero, so every draw has the same police scores; with the
        # partner comparison held, drugs (mean of 3, 1, 1, 5 under resampled weights) stays
        # above other (2) in nearly every draw. Dropped, it averages 3, 1, 1 and falls below.
        assert scoring.uncertainty.probability_top("drugs", 1) > 0.9
