"""Judged criteria (concern, added value, any other declared `judged`): read from judgements.yaml.

Each priority's judged criterion has a panel of judgements, one per partner (a single judge
is a panel of one). The published score is the panel's lower median; the rank simulation
draws the lower median of a panel of as many partners whose views come from the pooled
judgements (`panel_draws`), so that their disagreement, and each one's stated confidence,
widens the ranks around the score the panel gave.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from assess.config import Assessment, Criterion, JudgementModel
from assess.criteria.result import CriterionScore, no_data

SCORES = np.arange(1, 6)
# A panel whose scores span this many points or more is shown as one where partners disagree.
DISAGREEMENT = 2


def panel_of(assessment: Assessment, priority: str, criterion: str) -> tuple[JudgementModel, ...]:
    """The judgements recorded for a priority on a judged criterion, one per partner (none: empty)."""
    return assessment.judgements.get(priority, {}).get(criterion, ())


def panel_score(panel: Sequence[JudgementModel]) -> int:
    """The panel's score: the median of the partners' scores, the lower of the two middle ones for an even panel.

    Scores are ordinal, so the median is their centre (Stevens 1946, "On the theory of scales
    of measurement"), and a score between two points (3.5) is not one the scale has. Of the two
    middle scores of an even panel the lower is taken because it keeps one reading for any
    panel: the score is the highest k that more than half the partners gave k or more to
    (a strict majority). A panel split 2, 2, 5, 5 scores 2, not 5: a divided panel does not
    raise a priority; its disagreement shows in the rank simulation and on the pages instead.
    """
    scores = sorted(j.score for j in panel)
    return scores[(len(scores) - 1) // 2]


def judged_score(assessment: Assessment, priority: str, criterion: Criterion) -> CriterionScore:
    """The judged score of `criterion` for a priority: its panel's median, with who judged it and why."""
    panel = panel_of(assessment, priority, criterion.key)
    if not panel:
        return no_data(priority, criterion.key, f"No {criterion.name} judgement is recorded for this priority.")
    pooled = judgement_probabilities(panel, assessment.rules.judgement_spread)
    score = panel_score(panel)
    return CriterionScore(
        priority,
        criterion.key,
        score,
        evidence=panel_evidence(panel, score),
        reason=panel_reason(panel),
        spread=lambda rng, n: panel_draws(pooled, len(panel), rng, n),
    )


def panel_draws(pooled: np.ndarray, size: int, rng: np.random.Generator, n: int) -> np.ndarray:
    """n scores a panel like this one could have given: the lower median of `size` views drawn from the pool.

    Each view is one partner's judgement, the partner picked at random and the score drawn by
    that partner's confidence: so every view is drawn from the pooled probabilities, and the
    panel's score is the same statistic as the published one (a parametric bootstrap, Efron
    and Tibshirani 1993, ch. 6). One judge gives that judge's own spread; a divided panel
    gives a wider one.
    """
    views = rng.choice(SCORES, size=(n, size), p=pooled)
    return np.sort(views, axis=1)[:, (size - 1) // 2].astype(float)


def panel_evidence(panel: Sequence[JudgementModel], score: int) -> str:
    """The evidence in words: 'judged 4 of 5, medium confidence, by X' for one judge;
    'median 4 of 5 from 5 partners (range 2 to 5)' for a panel."""
    if len(panel) == 1:
        (judgement,) = panel
        return f"judged {judgement.score} of 5, {judgement.confidence} confidence, by {judgement.judged_by}"
    low, high = panel_range(panel)
    agreement = f"all scored {low}" if low == high else f"range {low} to {high}"
    return f"median {score} of 5 from {len(panel)} partners ({agreement})"


def panel_reason(panel: Sequence[JudgementModel]) -> str:
    """The rationale, on one line; for a panel, each partner's score and rationale in turn."""
    if len(panel) == 1:
        return _one_line(panel[0].rationale)
    return " ".join(f"{j.judged_by} gave {j.score}: {_sentence(j.rationale)}" for j in panel)


def panel_range(panel: Sequence[JudgementModel]) -> tuple[int, int]:
    """The lowest and highest score of the panel."""
    scores = [j.score for j in panel]
    return min(scores), max(scores)


def disagreements(assessment: Assessment) -> Iterator[tuple[str, Criterion, tuple[JudgementModel, ...]]]:
    """Each priority and judged criterion whose partners' scores span DISAGREEMENT points or more, in page order."""
    for priority in assessment.priorities:
        for criterion in assessment.criteria.judged:
            panel = panel_of(assessment, priority.key, criterion.key)
            low, high = panel_range(panel) if panel else (0, 0)
            if high - low >= DISAGREEMENT:
                yield priority.key, criterion, panel


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _sentence(text: str) -> str:
    """Text on one line ending as a sentence does, so that rationales can follow one another."""
    text = _one_line(text)
    return text if text.endswith((".", "!", "?")) else text + "."


def judgement_probabilities(judgements: Sequence[JudgementModel], spread: Mapping[str, float]) -> np.ndarray:
    """How likely each score 1-5 is, given a panel's judgements and their stated confidence.

    Each judgement is a normal centred on its score with the standard deviation its
    confidence is given in `spread`, cut to the scores 1-5 (each score takes the density at
    it, renormalised). The judgements are pooled with equal weight, one partner one vote:
    the linear opinion pool (Stone 1961, "The opinion pool"; Clemen and Winkler 1999,
    "Combining probability distributions from experts in risk analysis"), a mixture whose
    spread holds both each partner's uncertainty and their disagreement, so a split panel
    draws more widely than a unanimous one. Returns the five probabilities, summing to 1.
    """
    pooled = np.zeros(len(SCORES))
    for judgement in judgements:
        density = np.exp(-0.5 * ((SCORES - judgement.score) / spread[judgement.confidence]) ** 2)
        pooled += density / density.sum()
    return pooled / pooled.sum()


def kept_share(spread: Mapping[str, float], confidence: str) -> float:
    """How often a mid-scale judgement of this confidence is drawn as the score given."""
    middle = JudgementModel(score=3, confidence=confidence, rationale="-", judged_by="-")
    return float(judgement_probabilities([middle], spread)[list(SCORES).index(3)])
