"""The scoring page: the criteria matrix, the ranking, its uncertainty and sensitivity."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from assess import charts, present, wording
from assess.config import period_text
from assess.context import RunContext
from assess.criteria.judged import (
    DISAGREEMENT,
    disagreements,
    kept_share,
    panel_range,
    panel_score,
)
from assess.scoring import tie_break_text


def _spread_words(spread: Mapping[str, float]) -> list[str]:
    """How likely a judged 3 is to be drawn as 3, by confidence: the spread in words."""
    return [
        f"{confidence} confidence keeps the score {kept_share(spread, confidence):.0%} of the time"
        for confidence in ("high", "medium", "low")
    ]


def _chance(p: float) -> str:
    """A probability as a cell label: blank for never, '<1%' rather than a misleading '0%'."""
    if p == 0:
        return ""
    return "<1%" if p < 0.01 else f"{p:.0%}"


SCORING_SOURCE = "Sources: data.police.uk; ONS population estimates; Crime Harm Index; partnership judgements"


def score_heatmap(values: pd.DataFrame, title: str, alt_lead: str, period: str) -> charts.Chart:
    """A grid of 1-5 scores (NaN: no data), each cell labelled, with alt text reading it row by row."""
    labels = values.apply(lambda col: col.map(lambda v: "no data" if pd.isna(v) else f"{int(v)}"))
    alt = (
        f"{alt_lead}. "
        + "; ".join(f"{row}: " + ", ".join(f"{c} {labels.loc[row, c]}" for c in values.columns) for row in values.index)
        + "."
    )
    subtitle = f"Score 1 (least reason to prioritise) to 5 (most), {period}"
    return charts.annotated_heatmap(values, labels, title, subtitle, SCORING_SOURCE, (1, 5), "Score (1-5)", alt)


class ScoringPage:
    """The sections of the scoring page: matrix, ranking, uncertainty and sensitivity."""

    def __init__(self, run: RunContext):
        self.results = run.results
        self.assessment = run.assessment
        self.criteria = self.assessment.criteria
        self.period = period_text(self.assessment.period_start, self.assessment.period_end)

    def introduction(self) -> present.Markdown:
        return present.Markdown(
            wording.section(
                "scoring", "introduction", criteria=self.criteria.keys, area=self.assessment.area, period=self.period
            )
        )

    def methodology(self) -> present.Markdown:
        """How each declared criterion is scored, and how scores make the ranking."""
        judged = [c.label if i == 0 else wording.lower_first(c.label) for i, c in enumerate(self.criteria.judged)]
        partner_only = [wording.lower_first(p.short_title) for p in self.assessment.pages if not p.has_police_data]
        return present.Markdown(
            wording.section(
                "scoring",
                "methodology",
                criteria=self.criteria.keys,
                judged=judged,
                methods=[wording.Prose(c.method) for c in self.criteria if c.method],
                partner_only=partner_only,
                min_criteria=self.assessment.rules.min_criteria,
                draws=self.assessment.rules.draws,
                spread_words=_spread_words(self.assessment.rules.judgement_spread),
                error=0.5 / self.assessment.rules.draws**0.5,
            )
        )

    @property
    def order(self) -> list[str]:
        return self.results.order

    def _title(self, key: str) -> str:
        priority = self.assessment.priority(key)
        return f"{priority.title} (candidate)" if priority.is_candidate else priority.title

    def summary(self) -> present.Text:
        ranking = self.results.ranking_table()
        firm = ranking[~ranking["provisional"]]
        provisional = ranking[ranking["provisional"]]
        text = (
            f"{len(ranking)} issues were scored for {self.assessment.area} on {self._criteria_words} criteria, "
            f"{self.period}. "
        )
        if len(firm):
            top = firm.iloc[0]
            text += (
                f"Of those with enough evidence to rank firmly, {top['title']} ranks highest with {top['score']:.2f} "
                f"of 5 (90% rank interval {top['rank_lower']} to {top['rank_upper']}; "
                f"{wording.likelihood(top['probability_top_3'])} to be in the top 3). "
            )
        if len(provisional):
            names = wording.join(provisional["title"])
            text += (
                f"{names} {'rest' if len(provisional) > 1 else 'rests'} on fewer than "
                f"{wording.number(self.assessment.rules.min_criteria)} criteria, so "
                f"{'their ranks are' if len(provisional) > 1 else 'its rank is'} provisional (see the notes)."
            )
        return present.Text(text)

    @property
    def _criteria_words(self) -> str:
        return wording.number(len(self.criteria))

    def ranking_table(self) -> present.Table:
        ranking = self.results.ranking_table()
        frame = pd.DataFrame(
            {
                "Rank": ranking["rank"],
                "Issue": [self._title(k) for k in ranking["priority"]],
                "Score (1-5)": ranking["score"],
                "90% rank interval": [f"{a} to {b}" for a, b in zip(ranking["rank_lower"], ranking["rank_upper"])],
                "Chance of the top 3": ranking["probability_top_3"],
                "Criteria with data": [
                    f"{n} of {len(self.criteria)}" + (" (provisional)" if provisional else "")
                    for n, provisional in zip(ranking["criteria_used"], ranking["provisional"])
                ],
                "Could rank, gaps 1-5": [
                    f"{best} to {worst}" if best != worst else "no gaps"
                    for best, worst in zip(ranking["best_rank"], ranking["worst_rank"])
                ],
                "Note": [self._gaps(k) for k in ranking["priority"]],
            }
        )
        return present.Table(
            frame,
            f"Ranking of the priorities and candidate issues, {self.assessment.area}, {self.period}",
            {"Score (1-5)": lambda v: f"{float(v):.2f}", "Chance of the top 3": present.percent},
        )

    def _gaps(self, key: str) -> str:
        missing = self.results.composites[key].missing
        if not missing:
            return "none"
        names = wording.join(wording.lower_first(self.criteria[c].short_label) for c in missing)
        return f"no data for {names} (counted as 3, neutral)"

    def ranking_chart(self) -> charts.Chart:
        ranking = self.results.ranking_table()
        first = ranking.iloc[0]["title"]
        return charts.rank_interval_chart(
            ranking,
            f"{first} ranks first for {self.assessment.area}",
            f"Rank with 90% interval from {self.results.uncertainty.draws:,} resamples, {self.period}",
            SCORING_SOURCE,
        )

    def criteria_heatmap(self) -> charts.Chart:
        values = pd.DataFrame(
            [[self.results.scores[k][c] for c in self.criteria.keys] for k in self.order],
            index=[self._title(k) for k in self.order],
            columns=[c.short_label for c in self.criteria],
            dtype="float",
        )
        title = f"How each issue scores on the {self._criteria_words} criteria, {self.assessment.area}"
        return score_heatmap(values, title, "Grid of criterion scores", self.period)

    def criteria_table(self) -> present.Table:
        table = self.results.criteria_table()
        frame = pd.DataFrame(
            {
                "Issue": [self._title(k) for k in table["priority"]],
                "Criterion": [self.criteria[c].label for c in table["criterion"]],
                "Score": table["score"].astype("float"),
                "Evidence": table["evidence"],
                "Reason": table["reason"],
            }
        )
        caption = f"Every criterion score with its evidence, {self.period}"
        return present.Table(frame, caption, {"Score": present.whole}, collapsed=True)

    def disagreements(self) -> present.Section:
        """Where partners disagree: the judged scores whose partners are DISAGREEMENT points or more apart."""
        prose = present.Markdown(wording.section("scoring", "disagreements", points=DISAGREEMENT))
        split = list(disagreements(self.assessment))
        if split:
            frame = pd.DataFrame(
                {
                    "Issue": [self._title(key) for key, _, _ in split],
                    "Criterion": [criterion.label for _, criterion, _ in split],
                    "Partners": [len(panel) for _, _, panel in split],
                    "Range of scores": ["{} to {}".format(*panel_range(panel)) for _, _, panel in split],
                    "Scores given": [
                        ", ".join(str(j.score) for j in sorted(panel, key=lambda j: j.score)) for _, _, panel in split
                    ],
                    "Score used (median)": [panel_score(panel) for _, _, panel in split],
                }
            )
            caption = f"Judged scores on which partners are {wording.number(DISAGREEMENT)} points or more apart"
            return present.Section((prose, present.Table(frame, caption, {})))
        panels = [panel for by_criterion in self.assessment.judgements.values() for panel in by_criterion.values()]
        if any(len(panel) > 1 for panel in panels):
            agreement = (
                "The partners agree: on every judged score, their scores are within "
                f"{wording.number(DISAGREEMENT - 1)} point of each other."
            )
        else:
            agreement = (
                "Each judged score was recorded by one judge, so there is no disagreement to show. Several "
                "partners can each record theirs: the command assess scoring-sheet writes the sheet they fill in "
                "at a scoring workshop."
            )
        return present.Section((prose, present.Text(agreement)))

    def probability_heatmap(self) -> charts.Chart:
        uncertainty = self.results.uncertainty
        n = len(uncertainty.priorities)
        values = pd.DataFrame(
            uncertainty.probabilities,
            index=[self._title(k) for k in uncertainty.priorities],
            columns=[str(r) for r in range(1, n + 1)],
        )
        labels = values.apply(lambda col: col.map(_chance))
        alt = (
            "Grid of the chance of each rank. "
            + "; ".join(
                f"{row}: "
                + ", ".join(f"rank {c} {values.loc[row, c]:.0%}" for c in values.columns if values.loc[row, c] >= 0.05)
                for row in values.index
            )
            + "."
        )
        return charts.annotated_heatmap(
            values,
            labels,
            "How sure is each rank?",
            f"Chance of each rank over {uncertainty.draws:,} draws of counts, judgements, gaps and weights",
            SCORING_SOURCE,
            (0, 1),
            "Chance",
            alt,
            columns_label="Rank",
        )

    def sensitivity_table(self) -> present.Table:
        without = self.results.ranks_without_each()
        frame = pd.DataFrame({"Issue": [self._title(k) for k in self.order], "Rank": range(1, len(self.order) + 1)})
        for criterion, ranks in without.items():
            frame[f"Without {wording.lower_first(self.criteria[criterion].label)}"] = [ranks[k] for k in self.order]
        return present.Table(frame, "Rank of each issue when one criterion is left out", {})

    def swaps(self) -> present.BulletList:
        titles = {p.key: self._title(p.key) for p in self.assessment.priorities}
        return present.BulletList(tuple(s.sentence(titles) for s in self.results.swaps))

    def rules_table(self) -> present.Table:
        rules = self.assessment.rules
        total = sum(self.results.weights.values())
        rows = [
            (
                "Weights",
                ", ".join(
                    f"{wording.lower_first(self.criteria[c].label)} {w / total:.0%}"
                    for c, w in self.results.weights.items()
                ),
            ),
            ("Significance level", f"{rules.significance:g}"),
            ("Large change (scores 1 and 5)", f"{rules.large_change:.0%}"),
            ("Volume: share of crime for scores 2, 3, 4, 5", ", ".join(f"{v:.0%}" for v in rules.volume_shares)),
            (
                "Harm: harm per offence over that of the area's other crime, for scores 2, 3, 4, 5",
                ", ".join(f"{v:g}" for v in rules.harm_severity),
            ),
            (
                "Funnel limits widened for overdispersion",
                "where shown at the significance level" if rules.overdispersion else "no",
            ),
            ("Resamples, seed, weight concentration", f"{rules.draws:,}, {rules.seed}, {rules.weight_concentration:g}"),
            ("Tie-break", tie_break_text(self.criteria)),
        ]
        return present.Table(
            pd.DataFrame(rows, columns=["Setting", "Value"]), "Scoring settings used in this assessment", {}
        )
