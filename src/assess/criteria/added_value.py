"""Added value: can the partnership add value to what its members already do?

A judged 1-5 score with confidence and rationale (params/judgements.yaml).
"""

from __future__ import annotations

from assess.config import Assessment
from assess.criteria.judged import judged_score
from assess.criteria.result import CriterionScore

CRITERION = "added_value"


def score(assessment: Assessment, priority: str) -> CriterionScore:
    return judged_score(assessment, priority, CRITERION)
