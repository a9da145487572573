"""Success measures: each kind's status on known inputs."""

from __future__ import annotations

import pandas as pd
import pytest

import params_facts as facts
from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS, resolve_assessment
from assess.data.counts import read_counts
from assess.data.indicators import INDICATOR_COLUMNS
from assess.measures import AMBER, GREEN, NO_DATA, RED, MeasureModel, evaluate, load_measures, rag

AREAS = [f"Area {c}" for c in "ABCDEFGH"]


def counts_for(rates_by_month: dict[str, list[int]]) -> pd.DataFrame:
    """Burglary counts per area (in AREAS order) per month."""
    rows = [
        {"area_code": a, "area": a, "month": m, "crime_type": "Burglary", "count": c}
        for m, values in rates_by_month.items()
        for a, c in zip(AREAS, values)
    ]
    return pd.DataFrame(rows)


@pytest.fixture
def setting():
    months = {"2022-01": [10, 20, 30, 40, 50, 60, 70, 80], "2022-02": [10, 20, 30, 40, 50, 60, 70, 80]}
    counts = counts_for(months)
    assessment = resolve_assessment(counts, None, area="Area D")
    population = pd.Series(1000.0, index=AREAS)
    return assessment, counts, population


def measure(**fields) -> MeasureModel:
    base = dict(
        id="m", title="Burglary", target="t", kind="lowest_rank", crime_types=["Burglary"], lowest=3, amber_margin=2
    )
    return MeasureModel(**{**base, **fields})


def status(m, setting, months, indicators=None, area=None):
    assessment, counts, population = setting
    if area:
        assessment = resolve_assessment(counts, None, area=area)
    indicators = indicators if indicators is not None else pd.DataFrame(columns=INDICATOR_COLUMNS)
    return evaluate(m, assessment, counts, population, indicators, months)


class TestLowestRank:
    @pytest.mark.parametrize(
        "area, rank, expected", [("Area C", 3, GREEN), ("Area D", 4, AMBER), ("Area E", 5, AMBER), ("Area F", 6, RED)]
    )
    def test_boundaries(self, setting, area, rank, expected):
        result = status(measure(), setting, ["2022-01"], area=area)
        assert result.value == f"{rank} of 8 (1 = lowest rate)" and result.status == expected

    def test_months_not_in_the_data(self, setting):
        assert status(measure(), setting, ["2021-12"]).status == NO_DATA


class TestRankImproves:
    """A change in position is judged against the same months a year earlier, whatever the window."""

    @pytest.fixture
    def two_years(self, setting):
        assessment, counts, population = setting
        a_year_earlier = counts_for({"2021-02": [10, 20, 30, 40, 50, 60, 70, 80]})
        return assessment, pd.concat([a_year_earlier, counts], ignore_index=True), population

    def test_better_same_worse(self, two_years):
        assessment, counts, population = two_years
        m = measure(kind="rank_improves")

        def in_2022(count):
            moved = counts.copy()
            moved.loc[(moved["month"] == "2022-02") & (moved["area"] == "Area D"), "count"] = count
            return evaluate(m, assessment, moved, population, pd.DataFrame(), ["2022-02"])

        # Area D ranks 4 in February 2021.
        better = in_2022(1)
        assert (better.value, better.status, better.reference) == ("1 of 8 (1 = lowest rate)", GREEN, 4)
        assert "against 4 of 8 a year earlier (February 2021)" in better.evidence
        assert in_2022(40).status == AMBER
        assert in_2022(999).status == RED

    def test_the_month_before_is_not_the_reference(self, setting):
        """January and February 2022 are both in the data; February is not judged against January."""
        result = status(measure(kind="rank_improves"), setting, ["2022-02"])
        assert result.status == NO_DATA and "do not reach back to the same months a year earlier" in result.evidence


class TestOneRule:
    """`rag` is the one rule: each kind's boundaries, and no data without a figure."""

    def test_lowest_rank(self):
        m = measure()
        assert [rag(m, r) for r in (3, 4, 5, 6)] == [GREEN, AMBER, AMBER, RED]

    def test_lower_is_better(self):
        for kind in ("rank_improves", "indicator_falls"):
            m = measure(kind=kind, indicator="x")
            assert [rag(m, v, 5) for v in (4, 5, 6)] == [GREEN, AMBER, RED]
            assert rag(m, 4, None) == NO_DATA

    def test_at_least(self):
        m = measure(kind="indicator_at_least", indicator="x", target_value=100, amber_margin=20, crime_types=[])
        assert [rag(m, v) for v in (100, 80, 79)] == [GREEN, AMBER, RED]

    def test_no_figure(self):
        assert rag(measure(), None) == NO_DATA


class TestIndicators:
    def indicators(self, values):
        starts = ["2022-01-01", "2022-04-01", "2022-07-01"][: len(values)]
        ends = ["2022-03-31", "2022-06-30", "2022-09-30"][: len(values)]
        return pd.DataFrame(
            {
                "indicator": "Repeat victims",
                "priority": "domestic_abuse",
                "area": "Area D",
                "period_start": pd.to_datetime(starts),
                "period_end": pd.to_datetime(ends),
                "value": values,
                "unit": "percent",
                "source": "MARAC",
            }
        )

    @pytest.mark.parametrize("values, expected", [([30.0, 25.0], GREEN), ([30.0, 30.0], AMBER), ([25.0, 30.0], RED)])
    def test_falls(self, setting, values, expected):
        m = measure(kind="indicator_falls", indicator="Repeat victims", crime_types=[])
        assert status(m, setting, [], self.indicators(values)).status == expected

    @pytest.mark.parametrize("value, expected", [(100.0, GREEN), (85.0, AMBER), (80.0, AMBER), (79.0, RED)])
    def test_at_least(self, setting, value, expected):
        m = measure(
            kind="indicator_at_least", indicator="Repeat victims", target_value=100, amber_margin=20, crime_types=[]
        )
        assert status(m, setting, [], self.indicators([value])).status == expected

    def test_missing_indicator_says_what_it_needs(self, setting):
        m = measure(kind="indicator_falls", indicator="Nothing", needs="a MARAC return", crime_types=[])
        result = status(m, setting, [], self.indicators([1.0]))
        assert result.status == NO_DATA and "a MARAC return" in result.evidence


def test_the_plan_measures_on_the_default():
    counts = read_counts(DEFAULT_DATA_DIR / "counts.csv")
    assessment = resolve_assessment(counts, DEFAULT_PARAMS)
    measures = {m.id: m for m in load_measures(assessment.measures_file, assessment)}
    assert len(measures) == len(facts.measures())
    population = pd.read_csv(DEFAULT_DATA_DIR / "population.csv").query("year == 2020").set_index("area_code")
    population = population["population"].rename(index={c: a for a, c in assessment.codes.items()})
    population = population.reindex(list(assessment.comparators)).astype(float)
    asb = evaluate(measures["asb_position"], assessment, counts, population, pd.DataFrame(), assessment.months)
    # Independent check: Sevenoaks's ASB rate is the lowest of the Kent areas in 2022.
    asb_rates = counts[counts["crime_type"] == "Anti-social behaviour"].groupby("area")["count"].sum() / population
    assert asb_rates.idxmin() == "Sevenoaks"
    assert (asb.value, asb.status) == (f"1 of {len(facts.comparators())} (1 = lowest rate)", GREEN)
