"""Judged criteria (concern, added value, any other declared `judged`): read from judgements.yaml."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from assess.config import Assessment, Criterion, JudgementModel
from assess.criteria.result import CriterionScore, no_data

SCORES = np.arange(1, 6)


def judged_score(assessment: Assessment, priority: str, criterion: Criterion) -> CriterionScore:
    """The judged score of `criterion` for a priority, with its confidence and rationale."""
    judgement = assessment.judgements.get(priority, {}).get(criterion.key)
    if judgement is None:
        return no_data(priority, criterion.key, f"No {criterion.name} judgement is recorded for this priority.")
    probabilities = judgement_probabilities([judgement], assessment.rules.judgement_spread)
    return CriterionScore(
        priority,
        criterion.key,
        judgement.score,
        evidence=f"judged {judgement.score} of 5, {judgement.confidence} confidence, by {judgement.judged_by}",
        reason=" ".join(judgement.rationale.split()),
        spread=lambda rng, n: rng.choice(SCORES, size=n, p=probabilities).astype(float),
    )


def judgement_probabilities(judgements: Sequence[JudgementModel], spread: Mapping[str, float]) -> np.ndarray:
    """How likely each score 1-5 is, given the judgements and their stated confidence.

    Each judgement is a normal centred on its score with the standard deviation its
    confidence is given in `spread`, cut to the scores 1-5 (each score takes the density at
    it, renormalised); several judgements are pooled with equal weight, so their
    disagreement widens the result.
    """
    pooled = np.zeros(len(SCORES))
    for judgement in judgements:
        density = np.exp(-0.5 * ((SCORES - judgement.score) / spread[judgement.confidence]) ** 2)
        pooled += density / density.sum()
    return pooled / pooled.sum()
