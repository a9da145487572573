"""The Monte Carlo rank uncertainty: seeded, consistent, and sure where the evidence is."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats

import params_facts as facts
from assess import cache
from assess.config import DEFAULT_PARAMS, Assessment, JudgementModel, Priority, ScoringRules
from assess.criteria import CountCube
from assess.data.indicators import INDICATOR_COLUMNS
from assess.evidence import Evidence, Tables
from assess.results import Results
from assess.uncertainty import INTERVAL

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
    return pd.DataFrame(rows, columns=["area", "month", "crime_type", "count"]).assign(area_code=lambda f: f["area"])


def assessment(draws: int = 200, seed: int = 20221231) -> Assessment:
    return Assessment(
        area="A",
        period_start="2022-01",
        period_end="2022-12",
        comparators=AREAS,
        codes={a: a for a in AREAS},  # synthetic areas: their names stand for codes
        data_dir=Path("."),
        priorities=PRIORITIES,
        rules=ScoringRules(draws=draws, seed=seed),
    )


def build_cube(a: Assessment) -> CountCube:
    return CountCube.build(counts_table(), a, pd.Series(100_000.0, index=list(AREAS)), HARM_WEIGHTS)


def judgement(score: int, confidence: str = "high") -> JudgementModel:
    return JudgementModel(score=score, confidence=confidence, rationale="r.", judged_by="test")


def results(draws: int = 200, seed: int = 20221231, confidence: str = "high", counts=None, order=None) -> Results:
    """The synthetic assessment scored: judgements as FIXED, police criteria from the counts."""
    a = assessment(draws, seed)
    judgements = {
        k: {c: (judgement(v, confidence),) for c, v in scores.items() if c in ("concern", "added_value")}
        for k, scores in FIXED.items()
    }
    priorities = a.priorities if order is None else tuple(a.priority(k) for k in order)
    a = dataclasses.replace(a, judgements=judgements, priorities=priorities)
    population = pd.DataFrame({"area_code": list(AREAS), "area": list(AREAS), "year": 2020, "population": 100_000.0})
    harm = HARM_WEIGHTS.assign(unit=UNIT, source="test")
    tables = Tables(counts_table() if counts is None else counts, population, harm, EMPTY_INDICATORS, ())
    return Results(Evidence(a, tables))


EMPTY_INDICATORS = pd.DataFrame(columns=INDICATOR_COLUMNS + ["file"])


def simulate(draws: int = 200, seed: int = 20221231, **options):
    return results(draws, seed, **options).uncertainty


@pytest.fixture(autouse=True)
def no_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "CACHE_DIR", tmp_path)


@pytest.fixture(scope="module")
def result():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "CACHE_DIR", Path("/nonexistent/cache"))
        return simulate()


class TestSetUp:
    def test_observed_scores(self):
        scored = results()
        police = {k: {c: scored.scores[k][c] for c in ("trend", "volume", "harm", "comparison")} for k in FIXED}
        assert police["dominant"] == {"trend": 5, "volume": 5, "harm": 5, "comparison": 5}
        assert police["falling"]["trend"] == 1
        assert police["steady"]["comparison"] == 3 and police["close"]["comparison"] == 3
        assert set(police["partner"].values()) == {None}
        assert scored.order[0] == "dominant"


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

    def test_the_cube_is_not_changed(self):
        scored = results()
        before = scored.cube.values.copy()
        assert scored.uncertainty.draws == 200
        assert np.array_equal(scored.cube.values, before)

    def test_the_answer_does_not_depend_on_row_or_listing_order(self, result):
        shuffled = counts_table().sample(frac=1.0, random_state=3)
        again = simulate(counts=shuffled, order=list(reversed(list(FIXED))))
        for key in FIXED:
            mine, theirs = result.priorities.index(key), again.priorities.index(key)
            assert np.array_equal(result.probabilities[mine], again.probabilities[theirs]), key


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

    def test_a_partner_figure_filling_a_police_gap_is_not_resampled_from_police_counts(self, tmp_path):
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
            codes={a: a for a in areas},
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

        # Observed: volume 1, harm 1 from police data, comparison 5 from the partner count; no drug
        # offence anywhere, so no trend to test.
        assert scoring.scores["drugs"] == {
            "concern": None,
            "trend": None,
            "volume": 1,
            "harm": 1,
            "comparison": 5,
            "added_value": None,
        }
        # No data counts as the neutral 3: drugs (1, 1, 5 and three gaps) against other (2 and five gaps).
        assert scoring.composites["drugs"].score == pytest.approx(16 / 6)
        assert scoring.composites["other"].score == pytest.approx(17 / 6)
        assert scoring.order == ["other", "drugs"]
        # The comparison came from the partner count, so the simulation does not re-score it from police counts.
        drawn = {(part.priority.key, part.criterion) for part in scoring._police_draws()}
        assert drawn == {("drugs", "volume"), ("drugs", "harm")}
        uncertainty = scoring.uncertainty
        assert uncertainty.probability_top("drugs", 1) + uncertainty.probability_top("other", 1) == pytest.approx(1.0)


class TestEverySourceOfUncertainty:
    def test_dispersion_is_pearsons_chi_square_of_the_areas_by_months_table_over_its_df(self):
        rng = np.random.default_rng(5)
        # Gamma-Poisson counts with phi = 3 around a shared seasonal pattern.
        season = 1 + 0.2 * np.sin(np.arange(12) / 12 * 2 * np.pi)
        means = np.outer(rng.uniform(50, 200, len(AREAS)), season)
        burglary = rng.poisson(rng.gamma(means / 2, 2))
        counts = pd.DataFrame(
            [(a, m, "Burglary", int(burglary[i, j])) for i, a in enumerate(AREAS) for j, m in enumerate(MONTHS)],
            columns=["area", "month", "crime_type", "count"],
        )
        cube = CountCube.build(counts, assessment(), pd.Series(100_000.0, index=list(AREAS)), HARM_WEIGHTS)
        chi2, _, df, _ = scipy.stats.chi2_contingency(burglary, correction=False)
        assert cube.dispersion[0] == pytest.approx(chi2 / df, rel=1e-12)
        assert 2.0 < cube.dispersion[0] < 4.5
        # Areas with none of the type add no degrees of freedom: the estimate is unchanged by them.
        empty = pd.DataFrame([(a, m, "Burglary", 0) for a in "VWXYZ" for m in MONTHS], columns=counts.columns)
        padded = assessment()
        padded = dataclasses.replace(padded, comparators=(*AREAS, *"VWXYZ"))
        wider = CountCube.build(
            pd.concat([counts, empty]), padded, pd.Series(100_000.0, index=[*AREAS, *"VWXYZ"]), HARM_WEIGHTS
        )
        assert wider.dispersion[0] == pytest.approx(cube.dispersion[0], rel=1e-12)
        # Counts that vary less than Poisson are not called underdispersed: phi is at least 1.
        flat = build_cube(assessment())
        assert flat.dispersion[flat.crime_types.index("Shoplifting")] == 1.0

    def test_draws_have_the_observed_mean_and_phi_times_its_variance(self):
        cube = build_cube(assessment())
        phi = np.array([1.0, 2.5, 1.0, 4.0])
        cube.__dict__["dispersion"] = phi  # the cached property, set as a fitted value would be
        stack = cube.draw_stack(np.random.default_rng(11), 20_000)
        cell = cube.values[0, 0]  # area A, January: one count per crime type
        np.testing.assert_allclose(stack[:, 0, 0].mean(axis=0), cell, rtol=0.02)
        np.testing.assert_allclose(stack[:, 0, 0].var(axis=0), phi * cell, rtol=0.06)

    def test_a_lower_confidence_judgement_spreads_the_ranks_wider(self):
        def spread(u):
            return sum(u.upper[p] - u.lower[p] for p in u.priorities)

        assert spread(simulate(confidence="low")) > spread(simulate(confidence="high"))

    def test_every_vectorised_scorer_agrees_with_its_scalar_scorer_draw_by_draw(self):
        scored = results()
        stack = scored.cube.draw_stack(np.random.default_rng(3), 60)
        checked = 0
        for part in scored._police_draws():
            if part.draws is None:
                continue
            vectorised = part.draws(scored.cube.figure_draws(part.priority, stack))
            for d in range(len(stack)):
                scalar = part.police(scored.cube.with_values(stack[d]))
                if isinstance(vectorised, tuple):
                    p_values, changes = vectorised
                    assert p_values[d] == pytest.approx(scalar.p_value, rel=1e-9, abs=1e-12), part
                else:
                    expected = np.nan if scalar.score is None else scalar.score
                    np.testing.assert_equal(vectorised[d], expected, err_msg=str(part))
                checked += 1
        assert checked >= 60 * 4

    def test_the_default_draws_keep_every_published_probability_within_0_01(self, result):
        assert 0.5 / np.sqrt(ScoringRules().draws) < 0.01
        assert result.largest_error <= 0.5 / np.sqrt(result.draws) + 1e-12
        p = result.probability_top("steady", 3)
        assert result.error_top("steady", 3) == pytest.approx(np.sqrt(p * (1 - p) / 200))


@pytest.fixture(scope="module")
def default():
    """The default assessment scored with 1,000 draws, and its ranking table by priority."""
    loaded = Evidence.load(DEFAULT_PARAMS)
    quick = dataclasses.replace(loaded.assessment, rules=ScoringRules(draws=1000))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "CACHE_DIR", Path("/nonexistent/cache"))
        scored = Results(Evidence(quick, loaded.tables))
        return scored, scored.ranking_table().set_index("priority")


class TestThinEvidence:
    """The default's domestic abuse rests on 3 of its 6 criteria: it must not come out certain."""

    def test_three_of_six_is_provisional_with_its_gap_bounds(self, default):
        scored, table = default
        row = table.loc["domestic_abuse"]
        assert row["criteria_used"] == 3 and row["provisional"]
        assert row["best_rank"] < row["worst_rank"]
        assert "counted as 3, neutral" in row["flag"]

    def test_three_of_six_is_not_certain_of_first_place(self, default):
        scored, table = default
        u = scored.uncertainty
        assert u.probability_top("domestic_abuse", 1) < 0.9
        assert (u.lower["domestic_abuse"], u.upper["domestic_abuse"]) != (1, 1)
        assert table.loc["domestic_abuse", "probability_top_3"] < 0.95


def test_every_police_scored_criterion_is_resampled_trend_included(default):
    scored, _ = default
    parts = {(part.priority.key, part.criterion) for part in scored._police_draws()}
    for priority in scored.priorities:
        for key, verdict in scored.criteria[priority.key].items():
            police = verdict.p_value is not None and "source:" not in verdict.evidence
            if police:
                assert (priority.key, key) in parts, (priority.key, key)
    assert any(criterion == "trend" for _, criterion in parts)
