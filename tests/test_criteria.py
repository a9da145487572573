"""The declared criteria on hand-built figures: each score, its boundaries, its evidence and reason.

The police-based criteria read `PriorityFigures`, built here directly from numpy arrays
so every number is known; the judged criteria read an `Assessment` built by hand.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess import stats
from assess.config import (
    DEFAULT_CRITERIA,
    Assessment,
    JudgementModel,
    Priority,
    ScoringRules,
    load_criteria,
)
from assess.criteria import (
    NO_DATA,
    CountCube,
    CriterionScore,
    PriorityFigures,
    Setting,
    comparison,
    harm,
    police_scores,
    score_priority,
    trend,
    volume,
)
from assess.criteria.judged import judged_score
from assess.criteria.result import score_from_bounds, score_from_change
from assess.data.indicators import INDICATOR_COLUMNS

RULES = ScoringRules()
CRITERIA = load_criteria(DEFAULT_CRITERIA)
PERIOD = "January to December 2022"
UNIT = "days of imprisonment"
MONTHS_2022 = tuple(f"2022-{m:02d}" for m in range(1, 13))
ELEVEN = tuple("ABCDEFGHIJK")


def months_ending_2022_12(n: int) -> tuple[str, ...]:
    return tuple(str(p) for p in pd.period_range(end="2022-12", periods=n, freq="M"))


def figures(**changes) -> PriorityFigures:
    """One priority's figures: 100 of 1,000 crimes, 12 flat months, two comparators."""
    base = dict(
        key="drugs",
        title="Drug offences",
        period_months=MONTHS_2022,
        history_months=MONTHS_2022,
        history=np.full(12, 10),
        county_history=np.full(12, 100),
        current=100,
        previous=None,
        area_total=1000,
        harm=50.0,
        area_harm=1000.0,
        comparators=("A", "B"),
        comparator_counts=np.array([100, 100]),
        populations=np.array([50_000.0, 50_000.0]),
        area_index=0,
    )
    if changes.get("previous") is not None and "history" not in changes:
        # Months that add up to both totals, a year apart, varying no more than rounding.
        months = len(changes.get("period_months", MONTHS_2022))
        changes["history"] = year_apart(changes.get("current", 100), changes["previous"], months)
    if "history" in changes and "history_months" not in changes:
        changes["history_months"] = months_ending_2022_12(len(changes["history"]))
    if "history" in changes and "county_history" not in changes:
        # The area is a tenth of a county that has no trend of its own.
        history = np.asarray(changes["history"], dtype=float)
        changes["county_history"] = np.full(len(history), 10 * history.mean() if len(history) else 0.0)
    base.update(changes)
    return PriorityFigures(**base)


def year_apart(current: int, previous: int, months: int) -> np.ndarray:
    """Monthly counts: `previous` over the same months a year before the period, `current` over the period."""
    lag = trend.year_lag(months)
    filler = np.full(lag - months, round((current + previous) / (2 * months)))
    return np.concatenate([even_months(previous, months), filler, even_months(current, months)]).astype(np.int64)


def even_months(total: int, months: int) -> np.ndarray:
    return total // months + (np.arange(months) < total % months)


def trend_setting(rules: ScoringRules = RULES, period: str = PERIOD) -> Setting:
    """A setting with no cut-offs: p < the rules' significance is significant."""
    a = Assessment(
        area="A", period_start="2022-01", period_end="2022-12", comparators=("A", "B"), data_dir=Path("."), rules=rules
    )
    return Setting(a, period, UNIT, pd.DataFrame(columns=INDICATOR_COLUMNS), pd.Series(dtype=float))


def score_trend(f: PriorityFigures, rules: ScoringRules = RULES, period: str = PERIOD) -> CriterionScore:
    return trend.score(f, trend_setting(rules, period))


def compared(area_count: int, other_count: int = 500, population: float = 100_000.0) -> PriorityFigures:
    """The area (index 0) against 10 similar areas of the same population."""
    counts = np.array([area_count] + [other_count] * 10)
    return figures(comparators=ELEVEN, comparator_counts=counts, populations=np.full(11, population), area_index=0)


def is_one_sentence(text: str) -> bool:
    text = text.strip()
    return text.endswith(".") and "\n" not in text and re.search(r"[.!?]\s+[A-Z]", text[:-1]) is None


def assert_no_data(verdict: CriterionScore, criterion: str, *fragments: str) -> None:
    assert verdict.criterion == criterion
    assert verdict.score is None
    assert verdict.evidence == NO_DATA == "no data"
    assert not verdict.has_data
    assert is_one_sentence(verdict.reason), verdict.reason
    for fragment in fragments:
        assert fragment in verdict.reason, verdict.reason


# --- the shared rules -----------------------------------------------------------------------


class TestScoreFromBounds:
    @pytest.mark.parametrize(
        "value, expected",
        [
            (0.0, 1),
            (0.0199, 1),
            (0.02, 2),
            (0.0499, 2),
            (0.05, 3),
            (0.0999, 3),
            (0.10, 4),
            (0.1999, 4),
            (0.20, 5),
            (1.0, 5),
        ],
    )
    def test_a_value_equal_to_a_bound_reaches_its_score(self, value, expected):
        assert score_from_bounds(value, [0.02, 0.05, 0.10, 0.20]) == expected


class TestScoreFromChange:
    @pytest.mark.parametrize(
        "change, significant, expected",
        [
            (0.5, False, 3),
            (-0.5, False, 3),
            (0.2, True, 5),
            (0.19, True, 4),
            (0.01, True, 4),
            (-0.01, True, 2),
            (-0.19, True, 2),
            (-0.2, True, 1),
            (-1.0, True, 1),
            (float("inf"), True, 5),
        ],
    )
    def test_rule(self, change, significant, expected):
        assert score_from_change(change, significant, 0.2) == expected


# --- volume -----------------------------------------------------------------------------------


class TestVolume:
    @pytest.mark.parametrize(
        "current, expected",
        [
            (0, 1),
            (19, 1),
            (20, 2),
            (49, 2),
            (50, 3),
            (99, 3),
            (100, 4),
            (199, 4),
            (200, 5),
            (1000, 5),
        ],
    )
    def test_share_against_the_bounds(self, current, expected):
        verdict = volume.score(figures(current=current, area_total=1000), RULES, PERIOD)
        assert verdict.score == expected

    @pytest.mark.parametrize("current, total, expected", [(2, 100, 2), (5, 100, 3), (10, 100, 4), (20, 100, 5)])
    def test_share_exactly_on_a_bound_reaches_that_score(self, current, total, expected):
        assert current / total in RULES.volume_shares
        assert volume.score(figures(current=current, area_total=total), RULES, PERIOD).score == expected

    def test_bounds_come_from_the_scoring_model(self):
        rules = ScoringRules(volume_shares=[0.3, 0.4, 0.5, 0.6])
        assert volume.score(figures(current=250, area_total=1000), rules, PERIOD).score == 1
        assert volume.score(figures(current=400, area_total=1000), rules, PERIOD).score == 3
        assert volume.score(figures(current=600, area_total=1000), rules, PERIOD).score == 5

    def test_evidence_and_reason(self):
        verdict = volume.score(figures(current=1234, area_total=10_000), RULES, PERIOD)
        assert verdict.score == 4
        assert verdict.evidence == (
            "1,234 of 10,000 recorded crimes and ASB incidents (12.3%), January to December 2022"
        )
        assert "12.3%" in verdict.reason and "Drug offences" in verdict.reason
        assert is_one_sentence(verdict.reason)

    def test_no_crime_in_the_area_is_no_data_not_a_zero(self):
        assert_no_data(volume.score(figures(current=0, area_total=0), RULES, PERIOD), "volume", PERIOD)


# --- harm -------------------------------------------------------------------------------------


def harmed(harm_days: float, current: int = 10) -> PriorityFigures:
    """The priority's harm beside 1,000 other crimes and incidents doing 1,000 days of harm in all:
    their average is 1 day, so the severity ratio is the priority's harm per offence."""
    return figures(harm=harm_days, current=current, area_total=1000 + current, area_harm=1000.0 + harm_days)


class TestHarm:
    @pytest.mark.parametrize(
        "harm_days, expected",
        [
            (0.99, 1),
            (1.0, 2),
            (4.9, 2),
            (5.0, 3),
            (19.9, 3),
            (20.0, 4),
            (99.0, 4),
            (100.0, 5),
        ],
    )
    def test_severity_against_the_bounds(self, harm_days, expected):
        assert harm.score(harmed(harm_days), RULES, PERIOD, UNIT).score == expected

    def test_bounds_come_from_the_scoring_model(self):
        rules = ScoringRules(harm_severity=[0.01, 0.02, 0.03, 0.5])
        assert harm.score(harmed(0.3), rules, PERIOD, UNIT).score == 4
        assert harm.score(harmed(5.0), rules, PERIOD, UNIT).score == 5

    def test_evidence_and_reason(self):
        verdict = harm.score(harmed(50.0), RULES, PERIOD, UNIT)
        assert verdict.score == 4
        assert verdict.evidence == (
            "5.0 days of imprisonment of harm per offence against 1.0 per other crime or incident in the area "
            "(x5.00); 50 of 1,050 days of imprisonment in all, January to December 2022"
        )
        assert verdict.reason == (
            "Drug offences: an offence does 5.00 times the harm of the area's other crimes and incidents."
        )

    def test_harm_share_alone_does_not_decide_the_score(self):
        # Nearly the same share of harm (about 9%) from few grave offences or many slight ones.
        grave, slight = harmed(100.0, current=5), harmed(100.0, current=500)
        assert (harm.score(grave, RULES, PERIOD, UNIT).score, harm.score(slight, RULES, PERIOD, UNIT).score) == (5, 2)

    def test_a_priority_that_is_all_the_areas_crime_has_nothing_to_compare_with(self):
        verdict = harm.score(figures(harm=50.0, current=10, area_total=10, area_harm=50.0), RULES, PERIOD, UNIT)
        assert_no_data(verdict, "harm", "Nothing else")

    def test_other_crime_without_harm_makes_all_harm_the_prioritys(self):
        verdict = harm.score(figures(harm=50.0, current=10, area_total=30, area_harm=50.0), RULES, PERIOD, UNIT)
        assert verdict.score == 5 and "all its harm" in verdict.reason

    def test_no_harm_weight_is_no_data(self):
        assert_no_data(harm.score(figures(harm=None), RULES, PERIOD, UNIT), "harm", "harm weight")

    def test_no_weighted_crime_in_the_area_is_no_data(self):
        assert_no_data(harm.score(figures(harm=0.0, area_harm=0.0), RULES, PERIOD, UNIT), "harm", PERIOD)


# --- trend ------------------------------------------------------------------------------------


class TestTrendYearOnYear:
    @pytest.mark.parametrize(
        "current, previous, expected",
        [
            (200, 100, 5),  # doubled: significant and large
            (1200, 1000, 5),  # +20% exactly, significant: reaches the large-change score
            (1150, 1000, 4),  # +15%, significant but under 20%
            (105, 100, 3),  # +5%, not significant
            (95, 100, 3),  # -5%, not significant
            (870, 1000, 2),  # -13%, significant but under 20%
            (50, 100, 1),  # halved: significant and large
            (0, 100, 1),
            (0, 0, 3),
            (10, 0, 5),  # from none: significant rise with no ratio
        ],
    )
    def test_scores(self, current, previous, expected):
        verdict = score_trend(figures(current=current, previous=previous), RULES, PERIOD)
        assert verdict.score == expected

    def test_significant_large_rise_evidence_and_reason(self):
        verdict = score_trend(figures(current=200, previous=100), RULES, PERIOD)
        assert verdict.score == 5
        assert verdict.evidence.startswith("200 in January to December 2022 against 100 in the previous")
        assert "rate ratio 2.00 (1.57 to 2.57)" in verdict.evidence
        assert "exact test p = 8.01e-09" in verdict.evidence
        assert verdict.reason == "Drug offences rose 100% year on year, a significant change."

    def test_no_significant_change_says_so(self):
        verdict = score_trend(figures(current=105, previous=100), RULES, PERIOD)
        assert verdict.score == 3
        assert "rate ratio 1.05" in verdict.evidence and "p = 0.78" in verdict.evidence
        assert verdict.reason == "Drug offences rose 5% year on year, not a significant change."

    def test_large_significant_fall(self):
        verdict = score_trend(figures(current=50, previous=100), RULES, PERIOD)
        assert verdict.score == 1
        assert verdict.reason == "Drug offences fell 50% year on year, a significant change."

    def test_nothing_before(self):
        verdict = score_trend(figures(current=10, previous=0), RULES, PERIOD)
        assert "undefined (none before)" in verdict.evidence
        assert is_one_sentence(verdict.reason)

    def test_large_change_comes_from_the_scoring_model(self):
        rules = ScoringRules(large_change=0.5)
        assert score_trend(figures(current=1400, previous=1000), rules, PERIOD).score == 4
        assert score_trend(figures(current=1500, previous=1000), rules, PERIOD).score == 5

    def test_significance_comes_from_the_scoring_model(self):
        # p = 0.00131: significant at 0.05, not at 0.001.
        assert score_trend(figures(current=1150, previous=1000), ScoringRules(significance=0.001), PERIOD).score == 3

    def test_evidence_names_the_length_of_a_shorter_period(self):
        six = MONTHS_2022[:6]
        verdict = score_trend(figures(period_months=six, current=200, previous=100), RULES, "January to June 2022")
        # Like with like: January to June against January to June a year earlier, not the six months before.
        assert "200 in January to June 2022 against 100 in the same months a year earlier" in verdict.evidence
        assert verdict.reason == "Drug offences rose 100% year on year, a significant change."

    def test_months_that_vary_more_than_chance_widen_the_test(self):
        # The same totals as a significant +15% (exact p = 0.0013), in months that swing widely.
        swing = np.array([0.4, 1.6] * 6)
        history = np.concatenate([np.round(1000 / 12 * swing), np.round(1150 / 12 * swing[::-1])]).astype(int)
        verdict = score_trend(figures(history=history, previous=int(history[:12].sum())))
        assert "the months vary more than chance (dispersion" in verdict.evidence
        assert "quasi-Poisson test on 11 df" in verdict.evidence
        assert verdict.score == 3 and verdict.p_value > 0.05

    def test_the_p_value_is_on_the_verdict(self):
        assert score_trend(figures(current=1150, previous=1000)).p_value == pytest.approx(0.00131, abs=1e-5)

    def test_significance_is_decided_by_the_setting(self):
        # A cut-off from false discovery rate control across the run overrides the rules' level.
        f = figures(current=1150, previous=1000)
        strict = replace(trend_setting(), cutoffs={"trend": 0.001})
        assert trend.score(f, strict).score == 3
        assert trend.score(f, replace(trend_setting(), cutoffs={"trend": 0.00131})).score == 4


def with_county(area, others) -> PriorityFigures:
    """The area's months and the county's (the area's plus the other areas')."""
    area = np.asarray(area, dtype=np.int64)
    return figures(history=area, county_history=area + np.asarray(others, dtype=np.int64))


# A seasonal swing: low in winter, high in summer, rising through the first half of the year.
SEASON = 1 + 0.4 * np.sin(2 * np.pi * (np.arange(12) - 3) / 12)


class TestTrendShareOfCounty:
    def test_strong_steady_rise_is_5(self):
        verdict = score_trend(with_county(10 + 2 * np.arange(12), np.full(12, 300)))
        assert verdict.score == 5
        assert verdict.evidence.startswith("share-of-county trend test (Cochran-Armitage) over 12 months (2022-01")
        assert "the area's share of the county's count 6.5%" in verdict.evidence
        assert verdict.reason.startswith("Drug offences shows a significant rise in its share of the county's count")

    def test_strong_steady_fall_is_1(self):
        verdict = score_trend(with_county((10 + 2 * np.arange(12))[::-1], np.full(12, 300)))
        assert verdict.score == 1
        assert "significant fall" in verdict.reason

    def test_a_seasonal_swing_shared_with_the_county_is_no_trend(self):
        # Plain Mann-Kendall on the area's months alone calls this swing a significant rise.
        area = np.round(40 * SEASON).astype(int)
        assert stats.mann_kendall(area[:9]).p_value < 0.05
        verdict = score_trend(with_county(area, 9 * area))
        assert verdict.score == 3 and verdict.p_value == pytest.approx(1.0)
        assert verdict.reason == (
            "Drug offences shows no significant trend in its share of the county's count over 12 months (+0% a year)."
        )

    def test_a_rise_across_the_county_is_not_the_area_rising(self):
        rise = 1 + 0.05 * np.arange(12)
        verdict = score_trend(with_county(np.round(30 * rise), np.round(300 * rise)))
        assert verdict.score == 3

    def test_months_that_vary_more_than_chance_are_allowed_for(self):
        area = np.array([20, 35, 18, 40, 22, 38, 25, 45, 24, 44, 27, 48])
        verdict = score_trend(with_county(area, np.full(12, 400)))
        assert "dispersion" in verdict.evidence
        plain = stats.share_trend(area, area + 400)
        assert verdict.p_value == pytest.approx(float(plain.p_value)) and plain.phi > 1

    def test_too_few_months_is_no_data(self):
        assert_no_data(score_trend(figures(history=np.arange(11))), "trend", "(11)", "12 months")

    def test_a_county_with_none_elsewhere_is_no_data(self):
        assert_no_data(score_trend(with_county(np.arange(12), np.zeros(12))), "trend", "other areas")

    def test_none_in_the_area_is_no_trend(self):
        verdict = score_trend(with_county(np.zeros(12), np.full(12, 50)))
        assert verdict.score == 3 and verdict.p_value == 1.0


# --- comparison -------------------------------------------------------------------------------


class TestComparison:
    def test_far_higher_rate_than_ten_similar_areas_is_5(self):
        verdict = comparison.score(compared(1000), RULES, PERIOD)
        assert verdict.score == 5
        assert verdict.evidence.startswith("10.00 per 1,000 residents against 5.45 across 11 areas")
        assert "above the exact 99.8% limit, above the widened 95% limit" in verdict.evidence
        assert "phi = 3.8, p < 0.001" in verdict.evidence
        assert "rank 11 of 11" in verdict.evidence
        assert verdict.reason == (
            "The area's rate is far above the county: beyond chance (the exact 99.8% limit) and beyond the spread "
            "of the areas (the 95% limit widened for overdispersion), ranked 11 of 11 (1 = lowest rate)."
        )

    def test_rate_in_line_is_3(self):
        verdict = comparison.score(compared(500), RULES, PERIOD)
        assert verdict.score == 3
        assert verdict.evidence.startswith("5.00 per 1,000 residents against 5.00 across 11 areas")
        assert "within" in verdict.reason

    def test_rate_near_the_others_is_3(self):
        assert comparison.score(compared(520), RULES, PERIOD).score == 3
        assert comparison.score(compared(480), RULES, PERIOD).score == 3

    def test_far_lower_rate_is_1(self):
        verdict = comparison.score(compared(200), RULES, PERIOD)
        assert verdict.score == 1
        assert "rank 1 of 11" in verdict.evidence

    def test_between_the_limits_without_overdispersion(self):
        # Poisson limits around 5.05 per 1,000 (expected 505): 560 lies beyond the 95% limit
        # (about 549) but inside the 99.8% one (about 575); 440 mirrors it below.
        rules = ScoringRules(overdispersion=False)
        assert comparison.score(compared(560), rules, PERIOD).score == 4
        assert comparison.score(compared(445), rules, PERIOD).score == 2

    def test_overdispersion_widens_the_limits(self):
        # Areas that vary far more than chance: with phi estimated, a moderately high area
        # is higher than the county beyond chance (4) but within the spread of the areas;
        # with pure Poisson limits it is far above (5).
        counts = np.array([700, 300, 400, 500, 600, 700, 350, 450, 550, 650, 500])
        f = figures(comparators=ELEVEN, comparator_counts=counts, populations=np.full(11, 100_000.0))
        verdict = comparison.score(f, RULES, PERIOD)
        assert verdict.score == 4 and "within the widened 95% limits" in verdict.evidence
        assert comparison.score(f, ScoringRules(overdispersion=False), PERIOD).score == 5

    def test_no_other_area_is_no_data(self):
        f = figures(comparators=("A",), comparator_counts=np.array([10]), populations=np.array([1000.0]))
        assert_no_data(comparison.score(f, RULES, PERIOD), "comparison", "no other areas")

    def test_nothing_recorded_anywhere_is_no_data(self):
        assert_no_data(comparison.score(compared(0, 0), RULES, PERIOD), "comparison", PERIOD)


# --- judged criteria --------------------------------------------------------------------------


def priority(key="drugs", crime_types=("Drugs",)) -> Priority:
    return Priority(key=key, title=key.title(), summary="s", crime_types=tuple(crime_types), partner_evidence=())


def assessment(judgements=None, priorities=()) -> Assessment:
    return Assessment(
        area="A",
        period_start="2022-01",
        period_end="2022-12",
        comparators=("A", "B"),
        data_dir=Path("."),
        priorities=tuple(priorities),
        judgements=judgements or {},
    )


JUDGED = {
    "drugs": {
        "concern": (
            JudgementModel(
                score=4,
                confidence="high",
                rationale="Residents raised drug dealing\n  at every ward   panel.",
                judged_by="CSP board, March 2023",
            ),
        )
    }
}


def judged(a: Assessment, priority_key: str, criterion: str) -> CriterionScore:
    return judged_score(a, priority_key, CRITERIA[criterion])


class TestJudged:
    def test_a_recorded_judgement(self):
        verdict = judged(assessment(JUDGED), "drugs", "concern")
        assert verdict.score == 4
        assert verdict.evidence == "judged 4 of 5, high confidence, by CSP board, March 2023"
        assert verdict.reason == "Residents raised drug dealing at every ward panel."

    def test_the_other_judged_criterion_missing_is_no_data(self):
        assert_no_data(judged(assessment(JUDGED), "drugs", "added_value"), "added_value", "added value judgement")

    def test_without_judgements_both_are_no_data(self):
        assert_no_data(judged(assessment(), "drugs", "concern"), "concern", "concern judgement")
        assert_no_data(judged(assessment(), "drugs", "added_value"), "added_value")

    def test_a_judgement_for_another_priority_does_not_leak(self):
        assert judged(assessment(JUDGED), "asb", "concern").score is None


# --- every criterion together ------------------------------------------------------------------


NO_INDICATORS = pd.DataFrame(columns=INDICATOR_COLUMNS + ["file"])


def score_all(f: PriorityFigures, p: Priority, a: Assessment) -> dict[str, CriterionScore]:
    """score_priority with no partner indicators."""
    return score_priority(f, p, setting(f, a))


def setting(f: PriorityFigures, a: Assessment) -> Setting:
    return Setting(a, PERIOD, UNIT, NO_INDICATORS, pd.Series(f.populations, index=list(f.comparators)))


class TestScorePriority:
    def test_every_declared_criterion_in_order(self):
        p = priority()
        scores = score_all(compared(1000), p, assessment(JUDGED, [p]))
        assert tuple(scores) == CRITERIA.keys
        assert {c: v.score for c, v in scores.items()} == {
            "concern": 4,
            "trend": 3,
            "volume": 4,
            "harm": 2,  # 0.5 days per offence against 0.95 per other crime: severity 0.47
            "comparison": 5,
            "added_value": None,
        }
        for criterion, verdict in scores.items():
            assert verdict.criterion == criterion and verdict.priority == "drugs"
            assert is_one_sentence(verdict.reason), (criterion, verdict.reason)

    def test_priority_without_crime_types_has_no_police_scores(self):
        p = priority(crime_types=())
        scores = score_all(figures(), p, assessment(JUDGED, [p]))
        for criterion in ("trend", "volume", "harm", "comparison"):
            assert_no_data(scores[criterion], criterion, "partners")
            assert scores[criterion].score != 0
        assert scores["concern"].score == 4

    def test_police_scores_follow_the_scoring_model(self):
        p = priority()
        strict = Assessment(
            area="A",
            period_start="2022-01",
            period_end="2022-12",
            comparators=("A", "B"),
            data_dir=Path("."),
            priorities=(p,),
            rules=ScoringRules(volume_shares=[0.2, 0.3, 0.4, 0.5]),
        )
        f = figures()
        assert police_scores(f, p, setting(f, strict))["volume"].score == 1
        assert police_scores(f, p, setting(f, assessment(priorities=[p])))["volume"].score == 4

    def test_evidence_contains_the_numbers(self):
        p = priority()
        f = figures(current=1234, previous=1000, area_total=10_000, harm=2447.0, area_harm=24_470.0)
        scores = police_scores(f, p, setting(f, assessment(priorities=[p])))
        assert "1,234" in scores["trend"].evidence and "1,000" in scores["trend"].evidence
        assert "1,234 of 10,000" in scores["volume"].evidence
        assert "2,447 of 24,470" in scores["harm"].evidence
        assert "per 1,000 residents" in scores["comparison"].evidence


# --- figures cut from a count cube ------------------------------------------------------------


def cube_counts(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area", "month", "crime_type", "count"])


HARM_WEIGHTS = pd.DataFrame({"crime_type": ["Burglary", "Drugs", "Robbery"], "weight": [244.68, 3.66, 365.0]})


class TestCountCubeFigures:
    def test_figures_from_tidy_counts(self):
        months = [str(p) for p in pd.period_range("2021-01", "2022-12", freq="M")]
        rows = []
        for month in months:
            rows += [
                ("A", month, "Burglary", 10),
                ("A", month, "Anti-social behaviour", 30),
                ("B", month, "Burglary", 5),
                ("B", month, "Anti-social behaviour", 20),
            ]
        rows.append(("A", "2022-06", "Drugs", 7))
        p = priority("sa", ("Burglary", "Drugs"))
        a = assessment(priorities=[p])
        cube = CountCube.build(cube_counts(rows), a, pd.Series({"A": 1000.0, "B": 2000.0}), HARM_WEIGHTS)
        f = cube.figures(p)
        assert f.history_months == tuple(months)
        assert f.current == 127 and f.previous == 120
        assert f.area_total == 12 * 40 + 7
        assert f.harm == pytest.approx(120 * 244.68 + 7 * 3.66)
        assert f.area_harm == pytest.approx(f.harm)  # ASB has no weight
        assert list(f.comparator_counts) == [127, 60]
        assert list(f.populations) == [1000.0, 2000.0]
        asb = cube.figures(priority("asb", ("Anti-social behaviour",)))
        assert asb.harm is None and asb.current == 360
        assert harm.score(asb, RULES, PERIOD, UNIT).score is None

    def test_no_previous_period_when_the_data_start_with_it(self):
        rows = [("A", m, "Drugs", 1) for m in MONTHS_2022] + [("B", m, "Drugs", 1) for m in MONTHS_2022]
        p = priority()
        cube = CountCube.build(
            cube_counts(rows), assessment(priorities=[p]), pd.Series({"A": 1000.0, "B": 1000.0}), HARM_WEIGHTS
        )
        f = cube.figures(p)
        assert f.previous is None and len(f.history) == 12
        assert score_trend(f).evidence.startswith("share-of-county trend test (Cochran-Armitage) over 12 months")

    def test_weighted_crime_type_with_no_records_is_a_1_not_no_data(self):
        rows = [(a, m, "Burglary", 5) for a in "AB" for m in MONTHS_2022]
        p = priority("robbery", ("Robbery",))  # Robbery has a weight but no records anywhere
        cube = CountCube.build(
            cube_counts(rows), assessment(priorities=[p]), pd.Series({"A": 1000.0, "B": 1000.0}), HARM_WEIGHTS
        )
        f = cube.figures(p)
        assert volume.score(f, RULES, PERIOD).score == 1
        assert f.harm == 0.0
        # Harm per offence is undefined with no offences, but none did no recorded harm: 1.
        verdict = harm.score(f, RULES, PERIOD, UNIT)
        assert verdict.score == 1 and "none was recorded" in verdict.reason


# --- properties -------------------------------------------------------------------------------

whole = st.integers(min_value=0, max_value=10**6)


class TestProperties:
    @given(current=whole, other=whole, more=whole)
    def test_more_of_the_priority_never_lowers_the_volume_score(self, current, other, more):
        if current + other == 0:
            return
        before = volume.score(figures(current=current, area_total=current + other), RULES, PERIOD).score
        after = volume.score(figures(current=current + more, area_total=current + more + other), RULES, PERIOD).score
        assert after >= before

    @given(own=st.floats(0, 1e7), other=st.floats(0, 1e7), more=st.floats(0, 1e7))
    def test_more_harm_of_the_priority_never_lowers_the_harm_score(self, own, other, more):
        if own + other == 0:
            return
        before = harm.score(figures(harm=own, area_harm=own + other), RULES, PERIOD, UNIT).score
        after = harm.score(figures(harm=own + more, area_harm=own + more + other), RULES, PERIOD, UNIT).score
        # Severity h * T / (c * (h + o)) rises with h; a ratio on a bound may round either side of it.
        ratio = float(harm.severity(own, 100, own + other, 1000))
        if np.isnan(ratio):
            return
        on_bound = any(abs(ratio - b) <= 1e-9 * b for b in RULES.harm_severity)
        assert after >= before or on_bound

    @given(
        current=whole,
        previous=st.none() | whole,
        area_total=whole,
        history=st.lists(st.integers(0, 500), min_size=0, max_size=30),
    )
    @settings(max_examples=150, deadline=None)
    def test_trend_and_volume_scores_are_1_to_5_or_none(self, current, previous, area_total, history):
        f = figures(
            current=current, previous=previous, area_total=area_total, history=np.array(history, dtype=np.int64)
        )
        for verdict in (score_trend(f), volume.score(f, RULES, PERIOD)):
            assert verdict.score is None or verdict.score in (1, 2, 3, 4, 5)
            assert (verdict.score is None) == (verdict.evidence == NO_DATA)

    @given(
        data=st.lists(st.tuples(st.integers(0, 5000), st.floats(1_000, 500_000)), min_size=1, max_size=12),
        index=st.integers(0, 11),
        overdispersion=st.booleans(),
    )
    @settings(max_examples=150, deadline=None)
    def test_comparison_scores_are_1_to_5_or_none(self, data, index, overdispersion):
        counts = np.array([c for c, _ in data])
        populations = np.array([p for _, p in data])
        f = figures(
            comparators=tuple(f"area{i}" for i in range(len(data))),
            comparator_counts=counts,
            populations=populations,
            area_index=index % len(data),
        )
        verdict = comparison.score(f, ScoringRules(overdispersion=overdispersion), PERIOD)
        assert verdict.score is None or verdict.score in (1, 2, 3, 4, 5)
        assert (verdict.score is None) == (len(data) < 2 or counts.sum() == 0)

    @given(own=st.none() | st.floats(0, 1e7), area=st.floats(0, 1e7))
    def test_harm_scores_are_1_to_5_or_none(self, own, area):
        if own is not None and own > area:
            own, area = area, own
        verdict = harm.score(figures(harm=own, area_harm=area), RULES, PERIOD, UNIT)
        assert verdict.score is None or verdict.score in (1, 2, 3, 4, 5)
        assert (verdict.score is None) == (own is None or area == 0)
