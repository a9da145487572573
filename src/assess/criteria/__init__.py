"""The six criteria: each turns a priority's evidence into a 1-5 score with a reason.

`score_priority` runs all six on one priority. The police-based criteria read
`PriorityFigures` (see figures.py), so the same code scores the observed data and every
Monte Carlo resample of it.
"""

from __future__ import annotations

import pandas as pd

from assess.config import CRITERIA, Assessment, Priority
from assess.criteria import added_value, comparison, concern, harm, partner, trend, volume
from assess.criteria.figures import CountCube, PriorityFigures
from assess.criteria.result import NO_DATA, CriterionScore, no_data

__all__ = ["CRITERIA", "NO_DATA", "CountCube", "CriterionScore", "PriorityFigures", "score_priority",
           "police_scores"]

POLICE_CRITERIA = ("trend", "volume", "harm", "comparison")


def police_scores(figures: PriorityFigures, priority: Priority, assessment: Assessment,
                  period: str, harm_unit: str) -> dict[str, CriterionScore]:
    """Trend, volume, harm and comparison from police-recorded figures."""
    if not priority.has_police_data:
        why = "Police street-level data do not record this; the evidence must come from partners."
        return {c: no_data(priority.key, c, why) for c in POLICE_CRITERIA}
    rules = assessment.scoring
    return {
        "trend": trend.score(figures, rules, period),
        "volume": volume.score(figures, rules, period),
        "harm": harm.score(figures, rules, period, harm_unit),
        "comparison": comparison.score(figures, rules, period),
    }


def score_priority(figures: PriorityFigures, priority: Priority, assessment: Assessment,
                   period: str, harm_unit: str, indicators: pd.DataFrame,
                   population: pd.Series) -> dict[str, CriterionScore]:
    """All six criteria for one priority, in the order of CRITERIA.

    Where police data give no trend or comparison, a mapped partner indicator does.
    """
    scores = police_scores(figures, priority, assessment, period, harm_unit)
    if not scores["trend"].has_data:
        scores["trend"] = partner.trend(priority, indicators, assessment) or scores["trend"]
    if not scores["comparison"].has_data:
        scores["comparison"] = (partner.comparison_score(priority, indicators, assessment, population)
                                or scores["comparison"])
    scores["concern"] = concern.score(assessment, priority.key)
    scores["added_value"] = added_value.score(assessment, priority.key)
    return {c: scores[c] for c in CRITERIA}
