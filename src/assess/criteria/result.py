"""What every criterion returns for a priority: evidence, a 1-5 score and a reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

NO_DATA = "no data"


class RunSetting(Protocol):
    """What a scorer reads of the run's `criteria.Setting`, named here so a scorer need not import the package."""

    assessment: Any
    period: str
    indicators: Any

    @property
    def rules(self) -> Any: ...

    def is_significant(self, criterion: str, p_value: Any) -> Any: ...


@dataclass(frozen=True)
class CriterionScore:
    """One criterion's verdict on one priority.

    Attributes
    ----------
    criterion
        The key of a criterion declared in criteria.yaml.
    score
        1 (least reason to prioritise) to 5 (most), or None: no data, never a silent zero.
    evidence
        The numbers behind the score, with their period.
    reason
        One plain-English sentence saying why this score.
    p_value
        The p-value of the test the score rests on, if any: the tests of one criterion across
        the run's priorities are one family, and which count as significant is decided across
        the family (see `Setting.is_significant`).
    spread
        How the score varies by chance, for the rank simulation: draws n scores (NaN where
        a draw has no score). None for police-scored criteria (their counts are resampled
        instead) and for a verdict with no data (the simulation draws 1-5 for it).
    stale_period
        The period of the partner figures the score rests on when they end before the
        assessment period starts ("" otherwise), so the summary can warn of old evidence.
    """

    priority: str
    criterion: str
    score: int | None
    evidence: str
    reason: str
    p_value: float | None = None
    spread: Callable[[np.random.Generator, int], np.ndarray] | None = field(default=None, compare=False, repr=False)
    stale_period: str = ""

    @property
    def has_data(self) -> bool:
        return self.score is not None


def no_data(priority: str, criterion: str, why: str) -> CriterionScore:
    """The verdict where the evidence is missing: said, not scored."""
    return CriterionScore(priority, criterion, None, NO_DATA, why)


def score_from_bounds(value: float, bounds: list[float]) -> int:
    """1 plus the number of lower bounds (of scores 2..5) that `value` reaches."""
    return 1 + sum(value >= bound for bound in bounds)


def change_words(now: float, before: float, pct_change: float | None) -> str:
    """A change in words: 'rose 12%', 'fell 5%', 'held steady' (no size when there was none before)."""
    if now == before:
        return "held steady"
    size = "" if pct_change is None else f" {abs(pct_change):.0f}%"
    return ("rose" if now > before else "fell") + size


def score_from_change(change: float, significant: bool, large: float) -> int:
    """5/4 for a significant large/small rise, 1/2 for a fall, 3 for no significant change."""
    if not significant:
        return 3
    if change >= large:
        return 5
    if change > 0:
        return 4
    if change <= -large:
        return 1
    return 2


def scores_from_change(change: np.ndarray, significant: np.ndarray, large: float) -> np.ndarray:
    """`score_from_change` on arrays (e.g. one per Monte Carlo draw); NaN where the change is NaN (no test)."""
    change = np.asarray(change, dtype=float)
    significant = np.asarray(significant, dtype=bool)
    scores = np.select(
        [~significant, change >= large, change > 0, change <= -large],
        [3.0, 5.0, 4.0, 1.0],
        default=2.0,
    )
    return np.where(np.isnan(change), np.nan, scores)
