"""The results of scoring an assessment: criteria per priority, ranking, uncertainty, sensitivity.

The rules are `Assessment.rules`; `Results` is what they give on one area's evidence. It
is written as `criteria.csv` and `ranking.csv` and shown by the scoring page and, priority
by priority, by the priority pages, so the numbers always agree.
"""

from __future__ import annotations

from functools import cached_property, partial
from pathlib import Path

import pandas as pd

from assess.cache import cached, input_key
from assess.cells import write_csv
from assess.config import Priority, period_text
from assess.criteria import CountCube, CriterionScore, Setting, police_scores, score_all, scorers_fingerprint
from assess.evidence import Evidence
from assess.scoring import Composite, Swap, composite, gap_bounds, neighbour_swaps, rank_order, ranks_without_each
from assess.uncertainty import PoliceDraws, RankUncertainty, simulate_ranks

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
    "probability_error",
    "criteria_used",
    "provisional",
    "best_rank",
    "worst_rank",
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
        setting = Setting(
            self.assessment,
            self.period,
            str(evidence.tables.harm_weights["unit"].iloc[0]),
            evidence.tables.indicators,
            evidence.population,
        )
        self.criteria, self.setting = score_all(self.cube, setting)
        self.scores = {k: {c: s.score for c, s in v.items()} for k, v in self.criteria.items()}
        self.composites: dict[str, Composite] = {k: composite(k, self.scores[k], self.weights) for k in self.scores}
        self.order: list[str] = rank_order(list(self.composites.values()), self.scores, self.tie_break)

    def title(self, key: str) -> str:
        return self.assessment.priority(key).title

    def is_provisional(self, key: str) -> bool:
        """True when the priority is scored on fewer criteria than `min_criteria`: its rank is not firm."""
        return len(self.composites[key].used) < self.assessment.rules.min_criteria

    @cached_property
    def gap_bounds(self) -> dict[str, tuple[int, int]]:
        """The best and worst rank each priority's gaps allow (its missing criteria anywhere from 1 to 5)."""
        return gap_bounds(self.order, self.scores, self.weights, self.tie_break)

    def _police_draws(self) -> list[PoliceDraws]:
        """The published verdicts that police counts decide: these are re-scored from resampled counts.

        A criterion filled from a partner indicator (police data had none) is drawn from the
        partner figures' own spread instead.
        """
        parts = []
        setting = self.setting
        for priority in self.priorities:
            if not priority.has_police_data:
                continue
            police = police_scores(self.cube.figures(priority), priority, setting)
            for key, verdict in police.items():
                published = self.criteria[priority.key][key]
                # A partner figure filling the gap has its own evidence; a police verdict's is the
                # same text, with at most the note on the family of tests added after it.
                if verdict.score is None or not published.evidence.startswith(verdict.evidence):
                    continue
                scorer = setting.scorers[key]
                parts.append(
                    PoliceDraws(
                        priority,
                        key,
                        draws=partial(scorer.draws, setting=setting) if scorer.draws else None,
                        police=partial(_police_verdict, priority=priority, key=key, setting=setting),
                    )
                )
        return parts

    @cached_property
    def uncertainty(self) -> RankUncertainty:
        """The Monte Carlo rank uncertainty, computed once per distinct set of inputs."""
        cube = self.cube
        indicators = self.evidence.tables.indicators
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
            # The weights as they apply: a parameters file may leave them to the criteria's defaults,
            # which the batch's resolved copy writes out; the same weights must find the same draws.
            self.assessment.rules.model_dump(exclude={"weights"}),
            self.weights,
            self.tie_break,
            scorers_fingerprint(self.assessment),
            [(p.key, p.crime_types, p.indicators) for p in self.priorities],
            repr(sorted(self.assessment.judgements.items())),
            pd.util.hash_pandas_object(indicators, index=False).to_numpy().tobytes(),
            self.scores,
            self.order,
        )
        return cached(
            "ranks",
            key,
            lambda: simulate_ranks(
                cube,
                self._police_draws(),
                self.criteria,
                self.weights,
                self.assessment.rules,
                self.order,
                self.tie_break,
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
                    "score": round(item.score, 4),
                    "rank_lower": uncertainty.lower[key],
                    "rank_upper": uncertainty.upper[key],
                    "probability_top_3": round(uncertainty.probability_top(key, 3), 4),
                    "probability_error": round(uncertainty.error_top(key, 3), 4),
                    "criteria_used": len(item.used),
                    "provisional": self.is_provisional(key),
                    "best_rank": self.gap_bounds[key][0],
                    "worst_rank": self.gap_bounds[key][1],
                    "flag": _flag(item, self.gap_bounds[key]),
                }
            )
        return pd.DataFrame(rows, columns=RANKING_COLUMNS)

    def write(self, out: Path) -> tuple[Path, Path]:
        """Write `criteria.csv` and `ranking.csv` into a folder."""
        criteria_path, ranking_path = out / "criteria.csv", out / "ranking.csv"
        write_csv(self.criteria_table(), criteria_path)
        write_csv(self.ranking_table(), ranking_path)
        return criteria_path, ranking_path


def _police_verdict(cube: CountCube, priority: Priority, key: str, setting: Setting) -> CriterionScore:
    return police_scores(cube.figures(priority), priority, setting)[key]


def _flag(item: Composite, bounds: tuple[int, int]) -> str:
    if not item.missing:
        return ""
    gaps = ", ".join(c.replace("_", " ") for c in item.missing)
    best, worst = bounds
    return f"no data for {gaps} (counted as 3, neutral); were they anywhere from 1 to 5 it could rank {best} to {worst}"
