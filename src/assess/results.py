"""The results of scoring an assessment: criteria per priority, ranking, uncertainty, sensitivity.

The rules are `Assessment.rules`; `Results` is what they give on one area's evidence. It
is written as `criteria.csv` and `ranking.csv` and shown by the scoring page and, priority
by priority, by the priority pages, so the numbers always agree.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

from assess.cache import cached, input_key
from assess.cells import write_csv
from assess.config import Priority, period_text
from assess.criteria import CountCube, CriterionScore, Setting, police_scores, score_priority, scorers_fingerprint
from assess.evidence import Evidence
from assess.scoring import Composite, Swap, composite, neighbour_swaps, rank_order, ranks_without_each
from assess.uncertainty import RankUncertainty, simulate_ranks

CRITERIA_COLUMNS = ["priority", "criterion", "evidence", "score", "weight", "reason"]
RANKING_COLUMNS = [
    "rank",
    "priority",
    "title",
    "candidate",
    "score",
    "rank_lower",
    "rank_upper",
    "probability_top_3",
    "criteria_used",
    "flag",
]


class Results:
    """Criterion scores, composites and ranking for every priority and candidate of an assessment."""

    def __init__(self, evidence: Evidence):
        self.evidence = evidence
        self.assessment = evidence.assessment
        self.priorities: tuple[Priority, ...] = self.assessment.priorities
        self.weights = self.assessment.weights
        self.tie_break = self.assessment.criteria.tie_break
        self.cube = CountCube.build(
            evidence.tables.counts, self.assessment, evidence.population, evidence.tables.harm_weights
        )
        self.period = period_text(self.assessment.period_start, self.assessment.period_end)
        self.setting = Setting(
            self.assessment,
            self.period,
            str(evidence.tables.harm_weights["unit"].iloc[0]),
            evidence.tables.indicators,
            evidence.population,
        )
        self.criteria: dict[str, dict[str, CriterionScore]] = {
            p.key: score_priority(self.cube.figures(p), p, self.setting) for p in self.priorities
        }
        self.scores = {k: {c: s.score for c, s in v.items()} for k, v in self.criteria.items()}
        # The criteria the police counts decide, per priority: these are resampled; the rest
        # (judgements, partner figures filling a gap) are held fixed.
        self._resampled: dict[str, set[str]] = {
            k: {
                c
                for c, verdict in police.items()
                if self.scores[k][c] is not None and self.criteria[k][c].evidence == verdict.evidence
            }
            for k, police in self._police_verdicts().items()
        }
        self.composites: dict[str, Composite] = {k: composite(k, self.scores[k], self.weights) for k in self.scores}
        self.order: list[str] = rank_order(list(self.composites.values()), self.scores, self.tie_break)

    def title(self, key: str) -> str:
        return self.assessment.priority(key).title

    def _police_verdicts(self, cube: CountCube | None = None) -> dict[str, dict[str, CriterionScore]]:
        cube = cube or self.cube
        return {p.key: police_scores(cube.figures(p), p, self.setting) for p in self.priorities if p.has_police_data}

    def _police_scores(self, cube: CountCube) -> dict[str, dict[str, int | None]]:
        """The resampled criteria of each priority, scored from a (resampled) cube."""
        return {
            k: {c: v.score for c, v in verdicts.items() if c in self._resampled[k]}
            for k, verdicts in self._police_verdicts(cube).items()
        }

    @cached_property
    def uncertainty(self) -> RankUncertainty:
        """The Monte Carlo rank uncertainty, computed once per distinct set of inputs.

        Scores not drawn from police counts (judgements, partner figures) are held fixed.
        """
        fixed = {
            k: {c: s for c, s in scores.items() if c not in self._resampled.get(k, set())}
            for k, scores in self.scores.items()
        }
        cube = self.cube
        key = input_key(
            cube.values.tobytes(),
            cube.values.shape,
            cube.areas,
            cube.months,
            cube.crime_types,
            cube.populations.tobytes(),
            sorted(cube.harm_weights.items()),
            self.assessment.area,
            self.assessment.period_start,
            self.assessment.period_end,
            self.assessment.rules.model_dump(),
            self.weights,
            self.tie_break,
            scorers_fingerprint(self.assessment),
            [(p.key, p.crime_types) for p in self.priorities],
            fixed,
            self.order,
        )
        return cached(
            "ranks",
            key,
            lambda: simulate_ranks(
                cube, self._police_scores, fixed, self.weights, self.assessment.rules, self.order, self.tie_break
            ),
        )

    @cached_property
    def swaps(self) -> list[Swap]:
        return neighbour_swaps(self.order, self.scores, self.weights)

    def ranks_without_each(self) -> dict[str, dict[str, int]]:
        """The ranking again with each weighted criterion left out in turn."""
        return ranks_without_each(self.order, self.scores, self.weights, self.tie_break)

    def criteria_table(self) -> pd.DataFrame:
        """One row per priority and criterion: evidence, score, weight and reason."""
        total = sum(self.weights.values())
        rows = []
        for key in self.order:
            for criterion in self.assessment.criteria.keys:
                verdict = self.criteria[key][criterion]
                rows.append(
                    {
                        "priority": key,
                        "criterion": criterion,
                        "evidence": verdict.evidence,
                        "score": verdict.score,
                        "weight": round(self.weights[criterion] / total, 6),
                        "reason": verdict.reason,
                    }
                )
        table = pd.DataFrame(rows, columns=CRITERIA_COLUMNS)
        table["score"] = table["score"].astype("Int64")
        return table

    def ranking_table(self) -> pd.DataFrame:
        """One row per priority in rank order, with its score, rank interval and chance of the top 3."""
        uncertainty = self.uncertainty
        rows = []
        for rank, key in enumerate(self.order, start=1):
            item = self.composites[key]
            rows.append(
                {
                    "rank": rank,
                    "priority": key,
                    "title": self.title(key),
                    "candidate": self.assessment.priority(key).is_candidate,
                    "score": None if item.score is None else round(item.score, 4),
                    "rank_lower": uncertainty.lower[key],
                    "rank_upper": uncertainty.upper[key],
                    "probability_top_3": round(uncertainty.probability_top(key, 3), 4),
                    "criteria_used": len(item.used),
                    "flag": _flag(item),
                }
            )
        return pd.DataFrame(rows, columns=RANKING_COLUMNS)

    def write(self, out: Path) -> tuple[Path, Path]:
        """Write `criteria.csv` and `ranking.csv` into a folder."""
        criteria_path, ranking_path = out / "criteria.csv", out / "ranking.csv"
        write_csv(self.criteria_table(), criteria_path)
        write_csv(self.ranking_table(), ranking_path)
        return criteria_path, ranking_path


def _flag(item: Composite) -> str:
    if item.score is None:
        return "no criterion has data"
    if item.missing:
        return "no data for " + ", ".join(c.replace("_", " ") for c in item.missing) + "; weights renormalised"
    return ""
