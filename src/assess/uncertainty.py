"""How sure is the ranking? A seeded Monte Carlo over counts and weights.

Each draw resamples every count from a Poisson with the observed count as its mean (the
chance variation in recorded crime) and the criterion weights from a Dirichlet centred on
the chosen weights (reasonable disagreement about what matters), re-scores the police
criteria with the same functions as the published scores, and ranks again. Scores that do
not come from police counts (judgements, partner figures) are held as given. Same seed,
same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assess.config import ScoringRules
from assess.criteria.figures import CountCube
from assess.scoring import composite, rank_order

# The rank interval: the middle 90% of the ranks a priority takes across draws.
INTERVAL = (5, 95)


@dataclass(frozen=True)
class RankUncertainty:
    """Each priority's chance of each rank, and its 90% rank interval."""

    priorities: tuple[str, ...]
    probabilities: np.ndarray  # priorities x ranks (rank 1 in column 0)
    lower: dict[str, int]
    upper: dict[str, int]
    draws: int
    seed: int

    def probability_top(self, priority: str, n: int = 3) -> float:
        return float(self.probabilities[self.priorities.index(priority), :n].sum())


def simulate_ranks(
    cube: CountCube,
    police_scores: Callable[[CountCube], Mapping[str, Mapping[str, int | None]]],
    fixed: Mapping[str, Mapping[str, int | None]],
    weights: Mapping[str, float],
    rules: ScoringRules,
    priorities: Sequence[str],
    tie_break: Sequence[str] = (),
) -> RankUncertainty:
    """Rank probabilities over `rules.draws` draws seeded by `rules.seed`.

    Parameters
    ----------
    police_scores
        Scores the police-based criteria of the priorities with police data from a
        (resampled) cube.
    fixed
        The scores held as given per priority (judgements, partner figures).
    """
    rng = np.random.default_rng(rules.seed)
    active = [c for c in weights if weights[c] > 0]
    centre = np.array([weights[c] for c in active], dtype=float)
    alpha = rules.weight_concentration * centre / centre.sum()
    index = {p: i for i, p in enumerate(priorities)}
    ranks = np.zeros((rules.draws, len(priorities)), dtype=np.int64)
    for draw in range(rules.draws):
        resampled = police_scores(cube.resampled(rng))
        drawn = dict(zip(active, rng.dirichlet(alpha)))
        scores = {p: {**fixed[p], **resampled.get(p, {})} for p in priorities}
        # The criteria weighted 0 stay at 0: composite reads a weight for every criterion.
        composites = [composite(p, scores[p], {**weights, **drawn}) for p in priorities]
        for position, key in enumerate(rank_order(composites, scores, tie_break), start=1):
            ranks[draw, index[key]] = position
    n = len(priorities)
    probabilities = np.stack([(ranks == r).mean(axis=0) for r in range(1, n + 1)], axis=1)
    low, high = np.percentile(ranks, INTERVAL, axis=0, method="inverted_cdf")
    return RankUncertainty(
        priorities=tuple(priorities),
        probabilities=probabilities,
        lower={p: int(low[i]) for p, i in index.items()},
        upper={p: int(high[i]) for p, i in index.items()},
        draws=rules.draws,
        seed=rules.seed,
    )
