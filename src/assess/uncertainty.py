"""How sure is the ranking? One seeded Monte Carlo over every source of uncertainty at once.

Each draw
- resamples every police count from a negative binomial around the observed count, with
  the dispersion of its crime type's monthly counts (`CountCube.draw_stack`), and re-scores
  the police criteria with the criteria's own vectorised scorers (the tests of a criterion
  are again judged together, controlling the false discovery rate within the draw);
- draws each judged score from the spread its stated confidence (and, with several judges,
  their disagreement) gives it, and each partner-scored criterion from its own figures'
  variability (`CriterionScore.spread`);
- draws each criterion with no data from 1 to 5 with equal chance (missing is not average:
  it could be anything);
- draws the weights from a Dirichlet centred on the chosen weights (reasonable
  disagreement about what matters);
and ranks the priorities again. Draws are made in blocks, vectorised over draws and
priorities. Same seed, same answer. With n draws the Monte Carlo standard error of a
published probability p is sqrt(p(1 - p) / n), at most 0.5 / sqrt(n): 0.008 at 4,000 draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assess.config import Priority, ScoringRules
from assess.criteria.figures import CountCube, FigureDraws
from assess.criteria.result import CriterionScore, scores_from_change
from assess.scoring import HIGHEST, LOWEST
from assess.stats import bh_cutoff

# The rank interval: the middle 90% of the ranks a priority takes across draws.
INTERVAL = (5, 95)
# Draws made at once: bounds the memory of a block of resampled counts.
BLOCK = 500


@dataclass(frozen=True)
class RankUncertainty:
    """Each priority's chance of each rank, its 90% rank interval, and the Monte Carlo error."""

    priorities: tuple[str, ...]
    probabilities: np.ndarray  # priorities x ranks (rank 1 in column 0)
    lower: dict[str, int]
    upper: dict[str, int]
    draws: int
    seed: int

    def probability_top(self, priority: str, n: int = 3) -> float:
        return float(self.probabilities[self.priorities.index(priority), :n].sum())

    def error_top(self, priority: str, n: int = 3) -> float:
        """The Monte Carlo standard error of `probability_top`."""
        p = self.probability_top(priority, n)
        return float(np.sqrt(p * (1 - p) / self.draws))

    @property
    def largest_error(self) -> float:
        """The largest Monte Carlo standard error of any probability the pages show."""
        tops = np.cumsum(self.probabilities, axis=1)
        shown = np.concatenate([self.probabilities.ravel(), tops.ravel()])
        return float(np.sqrt(shown * (1 - shown) / self.draws).max())


@dataclass(frozen=True)
class PoliceDraws:
    """How one measured criterion of one priority is re-scored from resampled police counts.

    `draws` is the scorer's vectorised part: it returns scores, or for a criterion decided by
    a test, its p-values and signed changes (scored after the false discovery rate control).
    `police` is the scorer itself, called once per draw when there is no vectorised part.
    """

    priority: Priority
    criterion: str
    draws: Callable[[FigureDraws], np.ndarray | tuple[np.ndarray, np.ndarray]] | None
    police: Callable[[CountCube], CriterionScore] | None


def simulate_ranks(
    cube: CountCube,
    police: Sequence[PoliceDraws],
    verdicts: Mapping[str, Mapping[str, CriterionScore]],
    weights: Mapping[str, float],
    rules: ScoringRules,
    priorities: Sequence[str],
    tie_break: Sequence[str] = (),
) -> RankUncertainty:
    """Rank probabilities over `rules.draws` draws seeded by `rules.seed`.

    Parameters
    ----------
    police
        The criteria re-scored from resampled police counts.
    verdicts
        Every priority's published verdicts: the rest are drawn from their `spread`, or
        from 1-5 where there is no data.
    """
    rng = np.random.default_rng(rules.seed)
    criteria = list(weights)
    active = np.array([weights[c] > 0 for c in criteria])
    centre = np.array([weights[c] for c in criteria], dtype=float)[active]
    alpha = rules.weight_concentration * centre / centre.sum()
    ranks = np.zeros((rules.draws, len(priorities)), dtype=np.int64)
    for start in range(0, rules.draws, BLOCK):
        n = min(BLOCK, rules.draws - start)
        stack = cube.draw_stack(rng, n)
        scores = _drawn_scores(cube, stack, police, verdicts, criteria, priorities, rules, rng)
        # The criteria weighted 0 stay at 0: they are drawn only for the tie-break.
        drawn_weights = np.zeros((n, len(criteria)))
        drawn_weights[:, active] = rng.dirichlet(alpha, size=n)
        composites = np.einsum("dpc,dc->dp", scores, drawn_weights)
        ranks[start : start + n] = _ranks(composites, scores, criteria, priorities, tie_break)
    count = len(priorities)
    probabilities = np.stack([(ranks == r).mean(axis=0) for r in range(1, count + 1)], axis=1)
    low, high = np.percentile(ranks, INTERVAL, axis=0, method="inverted_cdf")
    return RankUncertainty(
        priorities=tuple(priorities),
        probabilities=probabilities,
        lower={p: int(low[i]) for i, p in enumerate(priorities)},
        upper={p: int(high[i]) for i, p in enumerate(priorities)},
        draws=rules.draws,
        seed=rules.seed,
    )


def _drawn_scores(
    cube: CountCube,
    stack: np.ndarray,
    police: Sequence[PoliceDraws],
    verdicts: Mapping[str, Mapping[str, CriterionScore]],
    criteria: Sequence[str],
    priorities: Sequence[str],
    rules: ScoringRules,
    rng: np.random.Generator,
) -> np.ndarray:
    """Every priority's score on every criterion in each draw: draws x priorities x criteria."""
    n = len(stack)
    scores = np.full((n, len(priorities), len(criteria)), np.nan)
    where = {p: i for i, p in enumerate(priorities)}
    column = {c: j for j, c in enumerate(criteria)}
    tests: dict[str, list[tuple[int, np.ndarray, np.ndarray]]] = {}
    figures: dict[str, FigureDraws] = {}
    for part in police:
        if part.criterion not in column:
            continue
        i, j = where[part.priority.key], column[part.criterion]
        if part.draws is None:
            scores[:, i, j] = [_score(part.police(cube.with_values(values))) for values in stack]
            continue
        if part.priority.key not in figures:
            figures[part.priority.key] = cube.figure_draws(part.priority, stack)
        result = part.draws(figures[part.priority.key])
        if isinstance(result, tuple):
            tests.setdefault(part.criterion, []).append((i, *result))
        else:
            scores[:, i, j] = result
    for criterion, family in tests.items():
        resampled = {priorities[i] for i, _, _ in family}
        held = [
            verdicts[key][criterion].p_value
            for key in priorities
            if key not in resampled and verdicts[key][criterion].p_value is not None
        ]
        _score_tests(scores[:, :, column[criterion]], family, held, rules)
    drawn = {(part.priority.key, part.criterion) for part in police}
    for key in priorities:
        for criterion in criteria:
            if (key, criterion) in drawn:
                continue
            verdict = verdicts[key][criterion]
            if verdict.spread is not None:
                scores[:, where[key], column[criterion]] = verdict.spread(rng, n)
            elif verdict.score is not None:
                scores[:, where[key], column[criterion]] = verdict.score
    # No data, in the verdict or in a draw: any score from 1 to 5 is as likely.
    gaps = np.isnan(scores)
    scores[gaps] = rng.integers(LOWEST, HIGHEST + 1, size=int(gaps.sum()))
    return scores


def _score(verdict: CriterionScore) -> float:
    return np.nan if verdict.score is None else float(verdict.score)


def _score_tests(
    column: np.ndarray, family: list[tuple[int, np.ndarray, np.ndarray]], held: Sequence[float], rules: ScoringRules
) -> None:
    """Score one criterion's resampled tests, judging each draw's tests together as the published scores are.

    The family is the resampled tests plus the published p-values of the criterion's
    verdicts that are not resampled (partner figures), held as observed.
    """
    p_values = np.stack([p for _, p, _ in family], axis=1)  # draws x tests
    every = np.concatenate([p_values, np.broadcast_to(np.asarray(held, dtype=float), (len(p_values), len(held)))], 1)
    cutoff = bh_cutoff(every, rules.significance)  # per draw
    significant = p_values <= cutoff[:, None]
    for k, (i, p, change) in enumerate(family):
        column[:, i] = np.where(np.isnan(p), np.nan, scores_from_change(change, significant[:, k], rules.large_change))


def _ranks(
    composites: np.ndarray,
    scores: np.ndarray,
    criteria: Sequence[str],
    priorities: Sequence[str],
    tie_break: Sequence[str],
) -> np.ndarray:
    """Each draw's rank of each priority (1 = first), with the published ranking's tie-break."""
    alphabetical = np.argsort(np.argsort(np.array(priorities)))
    keys = [np.broadcast_to(alphabetical, composites.shape)]
    for criterion in reversed(tie_break):
        keys.append(-scores[:, :, criteria.index(criterion)])
    # Composites equal but for floating-point rounding are equal.
    keys.append(-np.round(composites, 9))
    order = np.lexsort(keys, axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, len(priorities) + 1)[None, :], axis=-1)
    return ranks
