"""From criterion scores to a ranking: weighted scores, the tie-break, and weight sensitivity.

Composite score: the weighted mean of a priority's criterion scores. Weights are given for
every declared criterion, in their declared order (`Assessment.weights`), and that order
is the criteria's order here too.

Missing is not average. A criterion with no data counts as the neutral score 3 — no
evidence either way — and keeps its weight. Renormalising over the criteria a priority has
would instead fill each gap with the priority's own mean, lifting the priorities whose
evidence is thinnest (judged scores run higher than measured ones). What a gap could
hide is shown, not assumed away: `gap_bounds` gives the best and worst rank the priority
could take were its gaps any scores from 1 to 5, and the rank simulation draws each gap
from 1-5.

Tie-break (stated on every ranking): equal composite scores are ordered by the scores of
the criteria named in `tie_break` of criteria.yaml (higher first, no data counting as the
neutral 3), then by the priority's key alphabetically, so the order in which priorities
are listed never matters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assess.config import Criteria

# Two composites closer than this are equal: they differ only by floating-point rounding.
_EQUAL = 1e-9
# The score a criterion with no data counts as: the middle of the 1-5 scale.
NEUTRAL = 3
LOWEST, HIGHEST = 1, 5


@dataclass(frozen=True)
class Composite:
    """A priority's weighted score and what it rests on."""

    priority: str
    score: float
    used: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        """True when some weighted criterion had no data and counts as the neutral score."""
        return bool(self.missing)


def filled(scores: Mapping[str, int | None], weights: Mapping[str, float], gap: float = NEUTRAL) -> dict[str, float]:
    """The scores with every weighted criterion that has no data set to `gap`."""
    return {c: (gap if scores.get(c) is None else scores[c]) for c in weights}


def composite(priority: str, scores: Mapping[str, int | None], weights: Mapping[str, float]) -> Composite:
    """Weighted mean of the criterion scores, a criterion with no data counting as the neutral 3."""
    used = tuple(c for c in weights if weights[c] > 0 and scores.get(c) is not None)
    missing = tuple(c for c in weights if weights[c] > 0 and scores.get(c) is None)
    total = sum(weights[c] for c in weights if weights[c] > 0)
    values = filled(scores, weights)
    return Composite(priority, sum(weights[c] * values[c] for c in used + missing) / total, used, missing)


def tie_break_text(criteria: Criteria) -> str:
    """The tie-break in words, for every page that shows a ranking."""
    names = [criteria[key].name for key in criteria.tie_break]
    if not names:
        return "equal scores are ordered alphabetically by the priority's key"
    then = "".join(f", then {name}" for name in names[1:])
    return (
        f"equal scores are ordered by the {names[0]} score{then} (higher first), "
        "then alphabetically by the priority's key"
    )


def rank_order(
    composites: Sequence[Composite], scores: Mapping[str, Mapping[str, int | None]], tie_break: Sequence[str] = ()
) -> list[str]:
    """Priority keys from first to last by composite score, then by the `tie_break` criteria's scores."""

    def tie_key(item: Composite):
        own = scores[item.priority]
        return (*(-(NEUTRAL if own.get(c) is None else own[c]) for c in tie_break), item.priority)

    by_score = sorted(composites, key=lambda c: (-c.score, c.priority))
    # Scores within _EQUAL of the first of a run are equal (they differ only by rounding).
    order: list[str] = []
    group: list[Composite] = []
    for item in by_score:
        if group and not _same_score(group[0], item):
            order += [c.priority for c in sorted(group, key=tie_key)]
            group = []
        group.append(item)
    order += [c.priority for c in sorted(group, key=tie_key)]
    return order


def _same_score(a: Composite, b: Composite) -> bool:
    return abs(a.score - b.score) < _EQUAL


def gap_bounds(
    keys: Sequence[str],
    scores: Mapping[str, Mapping[str, int | None]],
    weights: Mapping[str, float],
    tie_break: Sequence[str] = (),
) -> dict[str, tuple[int, int]]:
    """The best and worst rank each priority could take were its own gaps any scores from 1 to 5.

    The composite rises with every gap's score, so the best rank has all of the priority's
    gaps at 5 and the worst all at 1; the other priorities keep their gaps at the neutral
    3. A priority with no gaps gets its rank twice.
    """
    bounds = {}
    for key in keys:
        ranks = []
        for gap in (HIGHEST, LOWEST):
            trial = {**scores, key: filled(scores[key], weights, gap)}
            ranks.append(_ranked(keys, trial, weights, tie_break).index(key) + 1)
        bounds[key] = (ranks[0], ranks[1])
    return bounds


@dataclass(frozen=True)
class Swap:
    """The smallest change to one criterion's weight that would swap two neighbours."""

    higher: str
    lower: str
    criterion: str | None
    weight_from: float | None
    weight_to: float | None

    def sentence(self, titles: Mapping[str, str]) -> str:
        if self.criterion is None:
            return f"No change to a single weight would put {titles[self.lower]} above {titles[self.higher]}."
        if abs(self.weight_to - self.weight_from) < _EQUAL:
            return (
                f"{titles[self.higher]} and {titles[self.lower]} have equal scores; "
                f"the tie-break puts {titles[self.higher]} first."
            )
        verb = "Raising" if self.weight_to > self.weight_from else "Lowering"
        return (
            f"{verb} the weight of {self.criterion.replace('_', ' ')} from {self.weight_from:.2f} "
            f"to {max(self.weight_to, 0.0) + 0.0:.2f} would put {titles[self.lower]} level with or above "
            f"{titles[self.higher]}."
        )


def neighbour_swaps(
    order: Sequence[str], scores: Mapping[str, Mapping[str, int | None]], weights: Mapping[str, float]
) -> list[Swap]:
    """For each pair of neighbours in the ranking, the smallest single-weight change that swaps them.

    Weights are those given (before renormalising); a weight may fall to 0 but not below.
    The change is found exactly: with one weight w varied, each composite is a ratio of
    linear functions of w, so the crossing solves a quadratic.
    """
    swaps = []
    for higher, lower in zip(order, order[1:]):
        best: tuple[float, str, float] | None = None
        for criterion in weights:
            for w in _crossings(scores[higher], scores[lower], weights, criterion):
                change = abs(w - weights.get(criterion, 0))
                if best is None or change < best[0]:
                    best = (change, criterion, w)
        if best is None:
            swaps.append(Swap(higher, lower, None, None, None))
        else:
            _, criterion, w = best
            swaps.append(Swap(higher, lower, criterion, float(weights.get(criterion, 0)), float(w)))
    return swaps


def _crossings(
    a: Mapping[str, int | None], b: Mapping[str, int | None], weights: Mapping[str, float], criterion: str
) -> list[float]:
    """Weights w >= 0 for `criterion` at which the composites of a and b are equal."""

    def parts(scores):
        # composite(w) = (num + w*s) / (den + w), other weights fixed; no data counts as neutral.
        values = filled(scores, {**weights, criterion: 1.0})
        others = [c for c in weights if c != criterion and weights[c] > 0]
        num = sum(weights[c] * values[c] for c in others)
        den = sum(weights[c] for c in others)
        return num, den, values[criterion], 1.0

    na, da, sa, pa = parts(a)
    nb, db, sb, pb = parts(b)
    # (na + w sa)(db + w pb) - (nb + w sb)(da + w pa) = 0  ->  q2 w^2 + q1 w + q0 = 0
    q2 = sa * pb - sb * pa
    q1 = na * pb + sa * db - nb * pa - sb * da
    q0 = na * db - nb * da
    if abs(q2) < _EQUAL:
        roots = [] if abs(q1) < _EQUAL else [-q0 / q1]
    else:
        disc = q1 * q1 - 4 * q2 * q0
        roots = [] if disc < 0 else [(-q1 + sign * np.sqrt(disc)) / (2 * q2) for sign in (1, -1)]
    valid = []
    for w in roots:
        if w < 0 or not np.isfinite(w):
            continue
        if (da + w * pa) <= 0 or (db + w * pb) <= 0:
            continue
        valid.append(float(w))
    return valid


def ranks_without_each(
    keys: Sequence[str],
    scores: Mapping[str, Mapping[str, int | None]],
    weights: Mapping[str, float],
    tie_break: Sequence[str] = (),
) -> dict[str, dict[str, int]]:
    """The ranking again with each weighted criterion left out in turn: {criterion: {priority: rank}}."""
    result = {}
    for criterion in weights:
        if weights[criterion] <= 0:
            continue
        reduced = {**weights, criterion: 0.0}
        if sum(reduced.values()) <= 0:
            continue
        order = _ranked(keys, scores, reduced, tie_break)
        result[criterion] = {key: position for position, key in enumerate(order, start=1)}
    return result


def _ranked(
    keys: Sequence[str],
    scores: Mapping[str, Mapping[str, int | None]],
    weights: Mapping[str, float],
    tie_break: Sequence[str],
) -> list[str]:
    """The keys in rank order under these scores and weights."""
    return rank_order([composite(k, scores[k], weights) for k in keys], scores, tie_break)
