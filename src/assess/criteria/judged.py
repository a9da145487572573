"""Judged criteria (concern, added value, any other declared `judged`): read from judgements.yaml."""

from __future__ import annotations

from assess.config import Assessment, Criterion
from assess.criteria.result import CriterionScore, no_data


def judged_score(assessment: Assessment, priority: str, criterion: Criterion) -> CriterionScore:
    """The judged score of `criterion` for a priority, with its confidence and rationale."""
    judgement = assessment.judgements.get(priority, {}).get(criterion.key)
    if judgement is None:
        return no_data(priority, criterion.key, f"No {criterion.name} judgement is recorded for this priority.")
    return CriterionScore(
        priority,
        criterion.key,
        judgement.score,
        evidence=f"judged {judgement.score} of 5, {judgement.confidence} confidence, by {judgement.judged_by}",
        reason=" ".join(judgement.rationale.split()),
    )
