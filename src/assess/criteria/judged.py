"""The shared reading of judged scores (concern, added value) from judgements.yaml."""

from __future__ import annotations

from assess.config import Assessment
from assess.criteria.result import CriterionScore, no_data


def judged_score(assessment: Assessment, priority: str, criterion: str) -> CriterionScore:
    """The judged score of `criterion` for a priority, with its confidence and rationale."""
    judgements = assessment.judgements.get(priority)
    judgement = getattr(judgements, criterion) if judgements else None
    if judgement is None:
        label = criterion.replace("_", " ")
        return no_data(priority, criterion, f"No {label} judgement is recorded for this priority.")
    return CriterionScore(
        priority, criterion, judgement.score,
        evidence=f"judged {judgement.score} of 5, {judgement.confidence} confidence, by {judgement.judged_by}",
        reason=" ".join(judgement.rationale.split()),
    )
