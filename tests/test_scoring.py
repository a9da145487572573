"""From criterion scores to a ranking: composites, the tie-break and weight sensitivity."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.config import DEFAULT_CRITERIA, load_criteria
from assess.scoring import (
    Composite,
    Swap,
    composite,
    gap_bounds,
    neighbour_swaps,
    rank_order,
    ranks_without_each,
    tie_break_text,
)

DECLARED = load_criteria(DEFAULT_CRITERIA)
CRITERIA = DECLARED.keys
TIE_BREAK = DECLARED.tie_break

EQUAL_WEIGHTS = {c: 1.0 for c in CRITERIA}


def scores_of(**given) -> dict:
    """Every declared criterion, None unless given."""
    return {c: given.get(c) for c in CRITERIA}


def ranked(scores: dict, weights=EQUAL_WEIGHTS) -> list[str]:
    return rank_order([composite(k, v, weights) for k, v in scores.items()], scores, TIE_BREAK)


class TestComposite:
    def test_weighted_mean_by_hand(self):
        scores = scores_of(concern=4, trend=3, volume=2, harm=5, comparison=1, added_value=3)
        weights = {"concern": 2, "trend": 1, "volume": 1, "harm": 1, "comparison": 0.5, "added_value": 0.5}
        result = composite("p", scores, weights)
        # (2*4 + 3 + 2 + 5 + 0.5*1 + 0.5*3) / 6 = 20 / 6
        assert result.score == pytest.approx(20 / 6, abs=1e-12)
        assert result.used == CRITERIA and result.missing == () and not result.flagged

    def test_equal_weights_are_the_plain_mean(self):
        scores = scores_of(concern=5, trend=4, volume=1, harm=2, comparison=3, added_value=3)
        assert composite("p", scores, EQUAL_WEIGHTS).score == pytest.approx(3.0, abs=1e-12)

    def test_a_missing_criterion_counts_as_neutral_and_keeps_its_weight(self):
        # Renormalising would give 4.5, the priority's own mean: its gaps would be filled with its best scores.
        result = composite("p", scores_of(concern=4, added_value=5), EQUAL_WEIGHTS)
        assert result.score == pytest.approx((4 + 5 + 4 * 3) / 6, abs=1e-12)
        assert result.used == ("concern", "added_value")
        assert result.missing == ("trend", "volume", "harm", "comparison")
        assert result.flagged

    def test_a_gap_weighs_what_its_criterion_weighs(self):
        weights = {**EQUAL_WEIGHTS, "concern": 3.0}
        result = composite("p", scores_of(trend=1), weights)
        assert result.score == pytest.approx((3 * 3 + 1 + 4 * 3) / 8, abs=1e-12)

    def test_no_criterion_with_data_is_neutral(self):
        result = composite("p", scores_of(), EQUAL_WEIGHTS)
        assert result.score == 3.0
        assert result.used == () and result.missing == CRITERIA

    def test_zero_weight_criteria_are_ignored(self):
        weights = {**EQUAL_WEIGHTS, "harm": 0.0, "volume": 0.0}
        result = composite("p", scores_of(concern=2, trend=2, volume=5, harm=5, comparison=2), weights)
        assert result.score == pytest.approx((2 + 2 + 2 + 3) / 4, abs=1e-12)
        assert "harm" not in result.used and "volume" not in result.used
        assert result.missing == ("added_value",)  # weighted but no data; zero-weight harm is not missing

    def test_a_criterion_absent_from_the_weights_counts_as_zero_weight(self):
        result = composite("p", scores_of(concern=1, trend=5), {"concern": 1.0})
        assert result.score == 1.0 and result.used == ("concern",)


TIES = {
    # Every one of these but "mike" has a composite of exactly 3 (aardvark: no data, all neutral).
    "mike": scores_of(concern=4, trend=4, volume=4, harm=4, comparison=4, added_value=4),
    "zulu": scores_of(concern=3, trend=1, volume=3, harm=5, comparison=3, added_value=3),
    "yankee": scores_of(concern=3, trend=5, volume=1, harm=3, comparison=3, added_value=3),
    "xray": scores_of(concern=1, trend=4, volume=5, harm=3, comparison=2, added_value=3),
    "charlie": scores_of(concern=3, trend=4, volume=2, harm=3, comparison=3, added_value=3),
    "alpha": scores_of(concern=3, trend=4, volume=2, harm=3, comparison=3, added_value=3),
    "bravo": scores_of(concern=3, trend=4, volume=2, harm=3, comparison=3, added_value=3),
    "whiskey": scores_of(concern=5, trend=1, volume=1, harm=None, comparison=5, added_value=3),
    "aardvark": scores_of(),
}


class TestRankOrder:
    def test_tie_break_is_harm_then_trend_then_volume_then_key(self):
        assert TIE_BREAK == ("harm", "trend", "volume")
        assert tie_break_text(DECLARED) == (
            "equal scores are ordered by the harm score, then trend, then volume "
            "(higher first), then alphabetically by the priority's key"
        )
        composites = {k: composite(k, v, EQUAL_WEIGHTS).score for k, v in TIES.items()}
        assert composites["mike"] == 4.0
        assert all(composites[k] == pytest.approx(3.0) for k in TIES if k != "mike")
        # No data counts as the neutral 3 in the tie-break too: aardvark's trend 3 is above whiskey's 1.
        assert ranked(TIES) == ["mike", "zulu", "yankee", "xray", "alpha", "bravo", "charlie", "aardvark", "whiskey"]

    def test_no_data_at_all_ranks_as_neutral_not_last(self):
        scores = {"a_none": scores_of(), "b_low": scores_of(concern=1)}
        assert ranked(scores) == ["a_none", "b_low"]

    def test_higher_composite_wins_over_every_tie_break(self):
        scores = {"a": scores_of(concern=5, harm=1), "b": scores_of(concern=4, harm=5)}
        # a: 3.0; b: 4.5
        assert ranked(scores) == ["b", "a"]

    def test_floating_point_noise_does_not_beat_the_tie_break(self):
        scores = {"a": scores_of(harm=1), "b": scores_of(harm=5)}
        items = [Composite("a", 3.0 + 4e-16, (), ()), Composite("b", 3.0, (), ())]
        assert rank_order(items, scores, TIE_BREAK) == ["b", "a"]

    def test_noise_across_a_rounding_boundary_does_not_beat_the_tie_break(self):
        high = 2.0000000005
        low = math.nextafter(high, 0)  # one ulp below: the same score for any practical purpose
        scores = {"a": scores_of(harm=1), "b": scores_of(harm=5)}
        items = [Composite("a", high, (), ()), Composite("b", low, (), ())]
        assert rank_order(items, scores, TIE_BREAK) == ["b", "a"]

    @given(st.permutations(list(TIES)))
    def test_listing_order_never_matters_for_the_ties(self, keys):
        items = [composite(k, TIES[k], EQUAL_WEIGHTS) for k in keys]
        assert rank_order(items, TIES, TIE_BREAK) == ranked(TIES)


score_values = st.none() | st.integers(1, 5)
score_sets = st.fixed_dictionaries({c: score_values for c in CRITERIA})
# Weights as a partnership would set them: 0 (left out) or a real number of sensible size.
weight_values = st.sampled_from([0.0, 0.5, 1.0, 2.0]) | st.floats(0.01, 10)
weight_sets = st.fixed_dictionaries({c: weight_values for c in CRITERIA}).filter(lambda w: sum(w.values()) > 0)


@st.composite
def assessments(draw, min_size=2, max_size=7):
    keys = draw(
        st.lists(st.text("abcdefgh", min_size=1, max_size=4), min_size=min_size, max_size=max_size, unique=True)
    )
    return {k: draw(score_sets) for k in keys}, draw(weight_sets)


class TestRankOrderProperties:
    @given(data=assessments(), shuffle=st.randoms(use_true_random=False))
    @settings(max_examples=200, deadline=None)
    def test_listing_order_never_changes_the_ranking(self, data, shuffle):
        scores, weights = data
        keys = list(scores)
        expected = rank_order([composite(k, scores[k], weights) for k in keys], scores, TIE_BREAK)
        shuffle.shuffle(keys)
        assert rank_order([composite(k, scores[k], weights) for k in keys], scores, TIE_BREAK) == expected

    @given(data=assessments())
    @settings(max_examples=200, deadline=None)
    def test_composites_never_rise_down_the_ranking(self, data):
        scores, weights = data
        order = ranked(scores, weights)
        values = [composite(k, scores[k], weights).score for k in order]
        present = [v for v in values if v is not None]
        assert values[: len(present)] == present  # every None at the end
        assert all(a >= b - 1e-9 for a, b in zip(present, present[1:]))
        assert all(1 - 1e-9 <= v <= 5 + 1e-9 for v in present)


class TestNeighbourSwaps:
    def test_by_hand(self):
        scores = {"a": scores_of(concern=5, trend=1), "b": scores_of(concern=1, trend=4)}
        order = ranked(scores)  # a: 3.0, b: 2.5
        assert order == ["a", "b"]
        # concern weight w: (5w + 1) = (w + 4) at w = 0.75 (a change of 0.25);
        # trend weight w: (5 + w) = (1 + 4w) at w = 4/3 (a change of 1/3).
        (swap,) = neighbour_swaps(order, scores, EQUAL_WEIGHTS)
        assert (swap.higher, swap.lower, swap.criterion) == ("a", "b", "concern")
        assert swap.weight_from == 1.0
        assert swap.weight_to == pytest.approx(0.75, abs=1e-12)
        assert swap.sentence({"a": "Alpha", "b": "Bravo"}) == (
            "Lowering the weight of concern from 1.00 to 0.75 would put Bravo level with or above Alpha."
        )

    def test_no_single_weight_can_swap_a_dominating_pair(self):
        scores = {"a": scores_of(**{c: 5 for c in CRITERIA}), "b": scores_of(**{c: 1 for c in CRITERIA})}
        (swap,) = neighbour_swaps(["a", "b"], scores, EQUAL_WEIGHTS)
        assert swap == Swap("a", "b", None, None, None)
        assert swap.sentence({"a": "A", "b": "B"}) == "No change to a single weight would put B above A."

    def test_one_swap_per_neighbouring_pair(self):
        order = ranked(TIES)
        swaps = neighbour_swaps(order, TIES, EQUAL_WEIGHTS)
        assert [(s.higher, s.lower) for s in swaps] == list(zip(order, order[1:]))

    def test_tied_neighbours_need_no_change(self):
        scores = {"a": scores_of(concern=5, harm=3), "b": scores_of(concern=3, harm=5)}
        order = ranked(scores)
        assert order == ["b", "a"]  # tied at 4, harm breaks the tie
        (swap,) = neighbour_swaps(order, scores, EQUAL_WEIGHTS)
        assert swap.weight_to == pytest.approx(swap.weight_from, abs=1e-12)
        assert "have equal scores" in swap.sentence({"a": "A", "b": "B"})

    def test_a_zero_weight_may_be_raised(self):
        weights = {**EQUAL_WEIGHTS, "harm": 0.0}
        scores = {"a": scores_of(concern=4, harm=1), "b": scores_of(concern=3, harm=5)}
        (swap,) = neighbour_swaps(ranked(scores, weights), scores, weights)
        # (4 + w) / (1 + w) = (3 + 5w) / (1 + w) at w = 0.25
        assert (swap.criterion, swap.weight_from) == ("harm", 0.0)
        assert swap.weight_to == pytest.approx(0.25, abs=1e-12)

    @given(data=assessments())
    @settings(max_examples=300, deadline=None)
    def test_every_swap_makes_the_two_composites_equal(self, data):
        scores, weights = data
        order = ranked(scores, weights)
        for swap in neighbour_swaps(order, scores, weights):
            if swap.criterion is None:
                continue
            assert swap.weight_from == weights[swap.criterion]
            assert swap.weight_to >= 0
            changed = {**weights, swap.criterion: swap.weight_to}
            higher = composite(swap.higher, scores[swap.higher], changed).score
            lower = composite(swap.lower, scores[swap.lower], changed).score
            assert higher is not None and lower is not None
            assert abs(higher - lower) < 1e-9


class TestRanksWithoutEach:
    SCORES = {
        "p1": scores_of(concern=5, trend=1, volume=1, harm=1, comparison=1, added_value=5),
        "p2": scores_of(concern=2, trend=2, volume=2, harm=2, comparison=2, added_value=2),
        "p3": scores_of(concern=1, trend=3, volume=3, harm=3, comparison=3, added_value=1),
    }

    def test_by_hand(self):
        # All six: p1 and p3 tie at 14/6 (p3 has the higher harm), p2 is 2.
        assert ranked(self.SCORES) == ["p3", "p1", "p2"]
        result = ranks_without_each(list(self.SCORES), self.SCORES, EQUAL_WEIGHTS, TIE_BREAK)
        assert set(result) == set(CRITERIA)
        # Without concern (or added value): p1 9/5, p2 2, p3 13/5.
        assert result["concern"] == {"p3": 1, "p2": 2, "p1": 3}
        assert result["added_value"] == {"p3": 1, "p2": 2, "p1": 3}
        # Without any police criterion: p1 13/5, p2 2, p3 11/5.
        for criterion in ("trend", "volume", "harm", "comparison"):
            assert result[criterion] == {"p1": 1, "p3": 2, "p2": 3}, criterion

    def test_zero_weight_criteria_are_not_left_out_again(self):
        weights = {**EQUAL_WEIGHTS, "volume": 0.0, "comparison": 0.0}
        result = ranks_without_each(list(self.SCORES), self.SCORES, weights, TIE_BREAK)
        assert set(result) == {"concern", "trend", "harm", "added_value"}
        # Without trend, from concern, harm and added value: p1 11/3, p2 2, p3 5/3.
        assert result["trend"] == {"p1": 1, "p2": 2, "p3": 3}

    def test_a_single_weighted_criterion_cannot_be_left_out(self):
        weights = {c: (1.0 if c == "concern" else 0.0) for c in CRITERIA}
        assert ranks_without_each(list(self.SCORES), self.SCORES, weights, TIE_BREAK) == {}


class TestGapBounds:
    """The best and worst rank a priority's gaps allow, checked against trying every filling."""

    def brute_force(self, scores: dict, key: str) -> tuple[int, int]:
        gaps = [c for c in CRITERIA if scores[key][c] is None]
        ranks = []
        for values in itertools.product(range(1, 6), repeat=len(gaps)):
            trial = {**scores, key: {**scores[key], **dict(zip(gaps, values))}}
            neutral = {k: {c: (3 if v is None else v) for c, v in s.items()} for k, s in trial.items()}
            ranks.append(ranked(neutral).index(key) + 1)
        return min(ranks), max(ranks)

    @pytest.mark.parametrize("key", ["thin", "full", "one_gap"])
    def test_against_every_filling(self, key):
        scores = {
            "thin": scores_of(concern=4, trend=5, added_value=5),  # three gaps
            "full": scores_of(concern=3, trend=4, volume=4, harm=4, comparison=3, added_value=4),
            "one_gap": scores_of(concern=4, trend=3, volume=4, comparison=2, added_value=5),
            "low": scores_of(concern=2, trend=2, volume=2, harm=1, comparison=3, added_value=2),
            "mid": scores_of(concern=3, trend=3, volume=3, harm=3, comparison=4, added_value=3),
        }
        bounds = gap_bounds(list(scores), scores, EQUAL_WEIGHTS, TIE_BREAK)
        assert bounds[key] == self.brute_force(scores, key)

    def test_a_priority_without_gaps_has_its_own_rank_twice(self):
        scores = {"a": scores_of(**dict.fromkeys(CRITERIA, 4)), "b": scores_of(**dict.fromkeys(CRITERIA, 2))}
        assert gap_bounds(["a", "b"], scores, EQUAL_WEIGHTS, TIE_BREAK) == {"a": (1, 1), "b": (2, 2)}
