"""Concern: is there significant community concern about the priority?

A judged 1-5 score with confidence and rationale (params/judgements.yaml), informed by
resident surveys, complaints and partners' views.
"""

from __future__ import annotations

from assess.config import Assessment
from assess.criteria.judged import judged_score
from assess.criteria.result import CriterionScore

CRITERION = "concern"


def score(assessment: Assessment, priority: str) -> CriterionScore:
    return judged_score(assessment, priority, CRITERION)
