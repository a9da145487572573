"""What each page shows, as objects that display themselves.

Notebooks stay thin: a parameters cell, then one call per section of the page. A section's
prose comes from its template (`templates/sections/`), a priority's own words from
`priorities.yaml`, and its figures from the run context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from assess import charts, present, wording
from assess.actions import parse_as_of
from assess.config import Assessment, Criterion, JudgementModel, Priority, month_list, period_text
from assess.context import RunContext
from assess.criteria.judged import (
    DISAGREEMENT,
    disagreements,
    kept_share,
    panel_of,
    panel_range,
    panel_score,
)
from assess.criteria.partner import is_stale, period_label
from assess.disclosure import SMALL_NUMBERS, WITHHELD, CountRule
from assess.errors import ConfigError
from assess.evidence import PriorityEvidence
from assess.measures import evaluate
from assess.monitoring import Monitoring, check_quarter_end
from assess.scoring import tie_break_text


@dataclass(frozen=True)
class PrioritySection:
    """A section a priority's page may hold: whether it needs police data, and what it shows.

    `applies` says whether the page has anything for the section to show; where it has not,
    the section, heading included, is left out.
    """

    police_only: bool
    parts: Callable[[PriorityPage], tuple]
    applies: Callable[[PriorityPage], bool] = lambda page: True


# Every priority's page has these sections, one cell each of notebooks/priority.ipynb, in
# this order (a test holds the notebook to it).
STANDARD_SECTIONS = (
    "introduction",
    "key_figures",
    "monthly",
    "breakdown",
    "comparison",
    "partner_figures",
    "criteria",
    "judgements",
    "measures",
    "actions",
    "partner_evidence",
)
PRIORITY_SECTIONS: dict[str, PrioritySection] = {
    "introduction": PrioritySection(False, lambda page: ()),
    "key_figures": PrioritySection(False, lambda page: (page.headline(),)),
    "monthly": PrioritySection(True, lambda page: (page.monthly_chart(), page.monthly_table())),
    "breakdown": PrioritySection(True, lambda page: (page.breakdown_table(),)),
    "comparison": PrioritySection(True, lambda page: (page.comparison_chart(), page.comparison_table())),
    "partner_figures": PrioritySection(False, lambda page: (page.partner_figures(),)),
    "criteria": PrioritySection(False, lambda page: (page.criteria_table(),)),
    "judgements": PrioritySection(False, lambda page: page.judgement_tables(), lambda page: bool(page.panels)),
    "measures": PrioritySection(False, lambda page: (page.plan.measures_table(page.priority.key),)),
    "actions": PrioritySection(
        False, lambda page: (page.plan.overdue_summary(page.priority.key), page.plan.actions_table(page.priority.key))
    ),
    "partner_evidence": PrioritySection(False, lambda page: (page.partner_evidence(),)),
    # Sections a priority adds to its page by naming them under `sections` in priorities.yaml.
    "crime_type_positions": PrioritySection(True, lambda page: (page.crime_type_positions(),)),
}
OWN_SECTIONS = tuple(name for name in PRIORITY_SECTIONS if name not in STANDARD_SECTIONS)


def check_own_sections(run: RunContext) -> None:
    """Every section a priority adds is one the pages know, and fits its evidence: checked before a run starts."""
    for priority in run.assessment.pages:
        _check_sections(priority, run.assessment)


def _check_sections(priority: Priority, assessment: Assessment) -> None:
    where = f"{assessment.priorities_file}: field 'priorities.{priority.key}.sections'"
    for name in priority.sections:
        if name not in OWN_SECTIONS:
            raise ConfigError(f"{where}: no section {name!r}; a priority may add: {', '.join(OWN_SECTIONS)}")
        if PRIORITY_SECTIONS[name].police_only and not priority.has_police_data:
            raise ConfigError(f"{where}: {name!r} needs police crime types, and the priority has none")


class PriorityPage:
    """The sections of one priority's page."""

    def __init__(self, run: RunContext, key: str = "", as_of: str = ""):
        """The page of priority `key` (blank: the first page), with actions judged overdue as of `as_of`."""
        self.run = run
        pages = run.assessment.pages
        key = key or pages[0].key
        if key not in [p.key for p in pages]:
            run.assessment.priority(key)  # an unknown key: said as such
            raise ConfigError(
                f"{run.assessment.priorities_file}: {key!r} is a candidate, ranked but with no page; "
                f"set 'priority' to one of: {', '.join(p.key for p in pages)}"
            )
        self.evidence: PriorityEvidence = run.evidence.for_priority(key)
        self.priority = self.evidence.priority
        self.assessment = run.assessment
        _check_sections(self.priority, self.assessment)
        self.period = period_text(self.assessment.period_start, self.assessment.period_end)
        self.plan = ActionPlanPage(run, as_of)

    def section(self, name: str) -> present.Section:
        """One section of the page: its heading and prose, then what it shows; nothing where it does not apply."""
        section = PRIORITY_SECTIONS[name]
        if (section.police_only and not self.priority.has_police_data) or not section.applies(self):
            return present.Section()
        return present.Section((self._prose(name), *section.parts(self)))

    def own_sections(self) -> present.Section:
        """The sections this priority adds to its page (`sections` in priorities.yaml), in the order named."""
        return present.Section(tuple(part for name in self.priority.sections for part in self.section(name).parts))

    def _prose(self, name: str) -> present.Markdown:
        return present.Markdown(
            wording.section(
                "priority",
                name,
                title=self.priority.title,
                introduction=wording.Prose(self.priority.introduction),
                area=self.assessment.area,
                areas=len(self.assessment.comparators),
                small=CountRule(self.assessment.disclosure.threshold, True).small,
                criteria=len(self.assessment.criteria),
                police=self.priority.has_police_data,
            )
        )

    @property
    def total(self) -> int:
        """Recorded offences in the area over the period."""
        return self.evidence.total()

    @property
    def shown_total(self) -> int | str:
        """The total as it may be shown: the notebooks' checked output, kept in the executed notebook."""
        rule = self.evidence.rule
        return rule.small if rule.hides(self.total) else self.total

    def headline(self) -> present.Text:
        """The priority's key figures in one paragraph."""
        area, title = self.assessment.area, self.priority.title
        if not self.evidence.has_police_data:
            return present.Text(
                f"{title} is not visible in police street-level data: it has no crime type "
                f"there. The figures for {area} must come from partners (listed below); "
                "this page shows no numbers rather than invent them."
            )
        rate = self.evidence.rates().set_index("area").loc[area]
        rank, n = self.evidence.area_rank()
        types = wording.join(t.lower() for t in self.priority.crime_types)
        rule = self.evidence.rule
        residents = self.evidence.evidence.population_estimate
        if rule.hides(self.total):
            # The rate and its interval, times the residents, would give the total back.
            figures = f"{rule.small} {self._noun} ({types}) in {area} from {self.period}."
        else:
            figures = (
                f"{self.total:,} {self._noun} ({types}) in {area} from {self.period}: "
                f"{rate['rate']:.2f} per 1,000 residents ({residents}; 95% confidence interval "
                f"{rate['lower']:.2f} to {rate['upper']:.2f})."
            )
        text = (
            f"Police recorded {figures} Among the {n} areas compared it ranks {rank} of {n}, "
            "where 1 is the lowest rate."
        )
        previous = self.evidence.previous_total()
        if previous is None:
            earlier = self.evidence.previous_months
            missing = self.evidence.missing_months(earlier)
            if len(missing) < len(earlier):
                text += (
                    f" The data miss {month_list(missing)} of the previous {len(earlier)} months, so no "
                    "total for that period is shown (the trend compares the months held in both years)."
                )
            else:
                text += f" The data do not reach back to the previous {len(earlier)} months, so no change is shown."
        else:
            text += f" The previous period had {rule.text(previous)}."
        return present.Text(text)

    @property
    def _noun(self) -> str:
        return "incidents" if self.priority.crime_types == ("Anti-social behaviour",) else "offences"

    def monthly_chart(self) -> charts.Chart | present.Text:
        monthly = self.evidence.monthly()
        if self.evidence.monthly_hidden().to_numpy().any():
            return present.Text(
                f"The monthly chart is withheld: some months have {self.evidence.rule.small} "
                f"{self._noun}, which could identify victims on this sensitive subject."
            )
        peak = monthly.sum(axis=1)
        title = (
            f"{self.priority.title} in {self.assessment.area} peaked in "
            f"{pd.Period(peak.idxmax(), freq='M').strftime('%B %Y')} at {peak.max():,} {self._noun}"
        )
        subtitle = f"Recorded {self._noun} per month, {self.assessment.area}, {self.period}"
        return charts.monthly_chart(monthly, title, subtitle, f"Recorded {self._noun} per month")

    def monthly_table(self) -> present.Table:
        monthly = self.evidence.monthly()
        grid = monthly.copy()
        if monthly.shape[1] > 1:
            grid["All"] = monthly.sum(axis=1)
        grid = self.evidence.rule.table(grid, self.evidence.monthly_hidden())
        frame = grid.reset_index().rename(columns={"month": "Month"})
        frame["Month"] = [pd.Period(m, freq="M").strftime("%b %Y") for m in frame["Month"]]
        formats = {c: present.whole for c in frame.columns if c != "Month"}
        return present.Table(frame, f"Recorded {self._noun} per month, {self.assessment.area}, {self.period}", formats)

    def breakdown_table(self) -> present.Table:
        table = self.evidence.breakdown()
        rule = self.evidence.rule
        # Each column's total is shown in the headline.
        hidden = rule.grid([table["count"].to_numpy()], True, False)[0]
        frame = pd.DataFrame(
            {
                "Crime type": table["crime_type"],
                self._noun.capitalize(): rule.table(table["count"], hidden),
                # A share of a hidden count would give the count away.
                "Share of the priority": table["share"].astype(object).mask(hidden, WITHHELD),
            }
        )
        formats = {self._noun.capitalize(): present.whole, "Share of the priority": present.percent}
        if "previous" in table:
            previous_hidden = rule.grid([table["previous"].to_numpy()], True, False)[0]
            frame["Previous 12 months"] = rule.table(table["previous"], previous_hidden)
            formats["Previous 12 months"] = present.whole
        caption = f"{self.priority.title} by crime type, {self.assessment.area}, {self.period}"
        return present.Table(frame, caption, formats)

    def comparison_table(self) -> present.Table:
        rates = self.evidence.rates()
        rule = self.evidence.rule
        small = [rule.hides(c) for c in rates["count"]]
        rates = rates.astype({c: object for c in ("count", "rate", "lower", "upper")})
        rates.loc[small, "count"] = rule.small
        # A rate and its interval, times the residents shown beside them, would give the count back.
        rates.loc[small, ["rate", "lower", "upper"]] = WITHHELD
        frame = pd.DataFrame(
            {
                "Rank (1 = lowest rate)": rates["rank"],
                "Area": [f"{a} (assessed)" if is_area else a for a, is_area in zip(rates["area"], rates["is_area"])],
                self._noun.capitalize(): rates["count"],
                "Residents": rates["population"],
                "Rate per 1,000": rates["rate"],
                "95% interval, lower": rates["lower"],
                "95% interval, upper": rates["upper"],
            }
        )
        formats = {
            self._noun.capitalize(): present.whole,
            "Residents": present.whole,
            "Rate per 1,000": present.rate,
            "95% interval, lower": present.rate,
            "95% interval, upper": present.rate,
        }
        caption = (
            f"{self.priority.title}: rate per 1,000 residents in each area compared, {self.period} "
            f"(residents: ONS {self.evidence.evidence.population_estimate})"
        )
        return present.Table(frame, caption, formats)

    def comparison_chart(self) -> charts.Chart | present.Text:
        rates = self.evidence.rates()
        if self.evidence.rule.hides_any(rates["count"]):
            return present.Text(
                f"The comparison chart is withheld: some areas have {self.evidence.rule.small} "
                f"{self._noun}, which could identify victims on this sensitive subject."
            )
        rank, n = self.evidence.area_rank()
        position = wording.rank_words(rank, n)
        title = f"{self.assessment.area} has the {position} rate of {self.priority.title.lower()} of {n} areas"
        subtitle = f"Rate per 1,000 residents ({self.evidence.evidence.population_estimate}), {self.period}"
        source = charts.POLICE_SOURCE + "; ONS mid-year population estimates"
        return charts.rate_comparison_chart(rates, title, subtitle, source)

    def crime_type_positions(self) -> present.Table:
        """Each crime type's rate and rank among the areas: the plan's "position within the county"."""
        rule = self.evidence.rule
        rows = []
        for crime_type in self.priority.crime_types:
            alone = self.run.evidence.for_priority(replace(self.priority, crime_types=(crime_type,)))
            rate = alone.rates().set_index("area").loc[self.assessment.area]
            rank, n = alone.area_rank()
            rows.append(
                {
                    "Crime type": crime_type,
                    "count": int(rate["count"]),
                    "Rate per 1,000": rate["rate"],
                    "95% interval": f"{rate['lower']:.2f} to {rate['upper']:.2f}",
                    "Rank (1 = lowest rate)": f"{rank} of {n}",
                }
            )
        frame = pd.DataFrame(rows)
        # The counts are those of the crime-type table, withheld as there.
        hidden = rule.grid([frame["count"].to_numpy()], True, False)[0]
        frame.insert(1, self._noun.capitalize(), rule.table(frame.pop("count"), hidden))
        frame[["Rate per 1,000", "95% interval", "Rank (1 = lowest rate)"]] = (
            frame[["Rate per 1,000", "95% interval", "Rank (1 = lowest rate)"]]
            .astype(object)
            .mask(pd.Series(hidden, index=frame.index), WITHHELD, axis=0)
        )
        caption = (
            f"{self.priority.title}: each crime type's rate per 1,000 residents "
            f"({self.evidence.evidence.population_estimate}) and rank, {self.assessment.area}, {self.period}"
        )
        return present.Table(frame, caption, {self._noun.capitalize(): present.whole, "Rate per 1,000": present.rate})

    def criteria_table(self) -> present.Table:
        """This priority's score on every criterion, from the same functions as the ranking."""
        scores = self.run.results.criteria[self.priority.key]
        criteria = self.assessment.criteria
        frame = pd.DataFrame(
            {
                "Criterion": [c.label for c in criteria],
                "Score (1-5)": [scores[c.key].score for c in criteria],
                "Evidence": [scores[c.key].evidence for c in criteria],
                "Reason": [scores[c.key].reason for c in criteria],
            }
        )
        caption = f"{self.priority.title}: the {wording.number(len(criteria))} criteria, {self.period}"
        return present.Table(frame, caption, {"Score (1-5)": present.whole})

    @property
    def panels(self) -> dict[Criterion, tuple[JudgementModel, ...]]:
        """The judged criteria of this priority that more than one partner judged, with their judgements."""
        panels = {c: panel_of(self.assessment, self.priority.key, c.key) for c in self.assessment.criteria.judged}
        return {criterion: panel for criterion, panel in panels.items() if len(panel) > 1}

    def judgement_tables(self) -> tuple[present.Table, ...]:
        """Each partner's score, confidence and rationale, one table per judged criterion with several judges."""
        tables = []
        for criterion, panel in self.panels.items():
            low, high = panel_range(panel)
            frame = pd.DataFrame(
                {
                    "Partner": [j.judged_by for j in panel],
                    "Score (1-5)": [j.score for j in panel],
                    "Confidence": [j.confidence for j in panel],
                    "Rationale": [" ".join(j.rationale.split()) for j in panel],
                }
            )
            caption = (
                f"{self.priority.title}: {wording.lower_first(criterion.label)}, judged by {len(panel)} partners "
                f"(median {panel_score(panel)}, range {low} to {high})"
            )
            tables.append(present.Table(frame, caption, {"Score (1-5)": present.whole}))
        return tuple(tables)

    def partner_figures(self) -> present.Table | present.Text:
        """Every partner figure for this priority, each with its own period; old ones flagged."""
        table = self.run.tables.indicators
        rows = table[
            (table["priority"] == self.priority.key)
            & (~table["area"].isin(self.assessment.comparators) | (table["area"] == self.assessment.area))
        ]
        if rows.empty:
            return present.Text(
                f"No partner has yet returned figures on this priority for {self.assessment.area}. "
                "The partnership adds its returns to its own folder of local content (see the index)."
            )
        rows = rows.sort_values(["indicator", "period_start"])
        # Judged against the whole table: a county row is the total of districts not shown here.
        values = self.run.evidence.disclosure.indicator_values(table, self.assessment.comparators)
        frame = pd.DataFrame(
            {
                "Indicator": rows["indicator"],
                "Area": rows["area"],
                "Period": [period_label(a, b) for a, b in zip(rows["period_start"], rows["period_end"])],
                "Value": values[rows.index],
                "Unit": rows["unit"],
                "Status": [
                    "older than the assessment period" if is_stale(e, self.assessment) else "current"
                    for e in rows["period_end"]
                ],
                "Source": rows["source"],
            }
        )
        return present.Table(frame, f"{self.priority.title}: figures from partners for {self.assessment.area}", {})

    def partner_evidence(self) -> present.BulletList:
        """Which partner data the priority needs, and who holds it."""
        items = self.priority.partner_evidence or ("No partner evidence is listed for this priority.",)
        return present.BulletList(tuple(items))


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
        return present.Markdown(wording.section("scoring", "introduction", criteria=self.criteria.keys))

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
        return present.Table(frame, f"Every criterion score with its evidence, {self.period}", {"Score": present.whole})

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
            pd.DataFrame(rows, columns=["Setting", "Value"]), "Scoring settings used (params/assessment.yaml)", {}
        )


def _actions_frame(actions, as_of) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "No.": [a.id for a in actions],
            "Action": [a.action for a in actions],
            "Lead": [a.lead for a in actions],
            "Other partners": [a.partners or "none named" for a in actions],
            "By when": [a.due_text for a in actions],
            "Status": [a.status for a in actions],
            "Latest update": [a.latest_update or "none" for a in actions],
            "Overdue": ["OVERDUE" if a.is_overdue(as_of) else "no" for a in actions],
        }
    )


def _measures_frame(results) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Measure": [r.title for r in results],
            "Target": [r.target for r in results],
            "Period": [r.period or "none" for r in results],
            "Position or value": [r.value for r in results],
            "Status": [r.status.upper() if r.status in ("green", "amber", "red") else r.status for r in results],
            "Evidence": [r.evidence for r in results],
        }
    )


class ActionPlanPage:
    """Success measures with their status, and the action plan with overdue actions flagged."""

    def __init__(self, run: RunContext, as_of: str = ""):
        self.run = run
        self.assessment = run.assessment
        self.as_of = parse_as_of(as_of)
        self.period = period_text(self.assessment.period_start, self.assessment.period_end)

    def measure_results(self, priority: str | None = None, all_priorities: bool = True):
        tables = self.run.tables
        return [
            evaluate(
                m,
                self.assessment,
                tables.counts,
                self.run.evidence.population,
                tables.indicators,
                self.assessment.months,
            )
            for m in self.run.measures
            if all_priorities or m.priority == priority
        ]

    def measures_table(self, priority: str | None = None) -> present.Table | present.Text:
        results = self.measure_results(priority, all_priorities=priority is None)
        if not results:
            return present.Text("The action plan sets no success measure for this priority.")
        return present.Table(_measures_frame(results), f"Success measures, {self.assessment.area}, {self.period}", {})

    def overdue_summary(self, priority: str | None = None) -> present.Text:
        actions = [a for a in self.run.actions if priority is None or a.priority == priority]
        overdue = [a for a in actions if a.is_overdue(self.as_of)]
        ongoing = sum(a.due is None for a in actions)
        return present.Text(
            f"{len(actions)} actions; {len(overdue)} overdue as of {self.as_of:%d %B %Y} (due before that date and "
            f"not reported complete); {ongoing} ongoing with no end date."
            + (" Overdue: " + ", ".join(a.id for a in overdue) + "." if overdue else "")
        )

    def actions_table(self, priority: str | None = None) -> present.Table | present.Text:
        actions = [a for a in self.run.actions if priority is None or a.priority == priority]
        if not actions:
            return present.Text("The action plan lists no actions for this priority.")
        title = self.assessment.priority(priority).title if priority else "All priorities"
        return present.Table(
            _actions_frame(actions, self.as_of), f"Action plan: {title}, as of {self.as_of:%d %B %Y}", {}
        )


class MonitoringPage:
    """The quarterly monitoring page."""

    def __init__(self, run: RunContext, quarter_end: str = "", as_of: str = ""):
        self.run = run
        self.assessment = run.assessment
        self.monitoring = Monitoring(run.evidence, check_quarter_end(quarter_end, run.evidence), run.measures)
        self.plan = ActionPlanPage(run, as_of)

    @property
    def quarter(self) -> str:
        return self.monitoring.quarter.label

    def summary(self) -> present.Text:
        m = self.monitoring
        return present.Text(
            f"Monitoring for {self.assessment.area}, quarter {m.quarter.label}, against the previous quarter "
            f"({m.previous.label}), the same quarter a year earlier ({m.year_before.label}) and the baseline of the "
            f"assessment ({period_text(self.assessment.period_start, self.assessment.period_end)}, as a quarterly "
            f"average). {m.reach_note} {m.significance_note}"
        )

    def counts_table(self) -> present.Table:
        table = self.monitoring.priority_counts()
        words = self.run.evidence.disclosure.words

        def against(row, name: str) -> str:
            value, p = row[name], row[f"{name}_p"]
            if value is None or pd.isna(value):
                return "not in the data"
            if row[f"{name}_hidden"]:
                return words(value)
            # The p-value and its verdict, with one count of the pair shown, would give the other back.
            if row["quarter_hidden"]:
                return f"{int(value):,} (change {WITHHELD}: {SMALL_NUMBERS})"
            flag = "significant change" if row[f"{name}_significant"] else "not significant"
            return f"{int(value):,} ({flag}, p = {p:.2g})"

        rows = [row for _, row in table.iterrows()]
        frame = pd.DataFrame(
            {
                "Priority": table["title"],
                f"This quarter ({self.monitoring.quarter.label})": [
                    words(r["quarter"]) if r["quarter_hidden"] else r["quarter"] for r in rows
                ],
                f"Previous quarter ({self.monitoring.previous.label})": [against(r, "previous") for r in rows],
                f"Same quarter a year earlier ({self.monitoring.year_before.label})": [
                    against(r, "year_before") for r in rows
                ],
                "Baseline (quarterly average)": [WITHHELD if r["baseline_hidden"] else r["baseline"] for r in rows],
            }
        )
        return present.Table(
            frame,
            f"Police-recorded offences and incidents per quarter, {self.assessment.area}",
            {
                f"This quarter ({self.monitoring.quarter.label})": present.whole,
                "Baseline (quarterly average)": lambda v: v if isinstance(v, str) else f"{float(v):,.1f}",
            },
        )

    def counts_chart(self) -> charts.Chart | present.Text:
        table = self.monitoring.priority_counts()
        # A priority with a figure withheld is left out: its bars are labelled with their values.
        withheld = table[[c for c in table.columns if c.endswith("_hidden")]].any(axis=1)
        left_out = list(table.loc[withheld, "title"])
        table = table[~withheld].reset_index(drop=True)
        if table.empty:
            return present.Text(
                f"The quarterly chart is withheld: every priority has figures withheld ({SMALL_NUMBERS})."
            )
        series = {"Baseline (quarterly average)": table["baseline"]}
        if table["year_before"].notna().all():
            series["Same quarter a year earlier"] = table["year_before"]
        if table["previous"].notna().all():
            series["Previous quarter"] = table["previous"]
        series["This quarter"] = table["quarter"]
        frame = pd.DataFrame(series)
        frame.index = table["title"]
        change = table["quarter"] / table["baseline"] - 1
        biggest = table["title"][change.abs().idxmax()]
        title = f"{biggest} moved furthest from its baseline this quarter"
        subtitle = f"Recorded per quarter, {self.assessment.area}, {self.monitoring.quarter.label}"
        if left_out:
            subtitle += f"; not shown: {wording.join(left_out)} ({SMALL_NUMBERS})"
        return charts.grouped_bars(frame, title, subtitle, "Recorded per quarter")

    def measures_table(self) -> present.Table:
        rows = []
        for now, before, year in self.monitoring.measures():

            def status(r):
                if r is None:
                    return "not in the data"
                return r.status if r.value == r.status else f"{r.value} ({r.status})"

            rows.append(
                {
                    "Measure": now.title,
                    "Target": now.target,
                    "This quarter": status(now),
                    "Previous quarter": status(before),
                    "Same quarter a year earlier": status(year),
                }
            )
        return present.Table(pd.DataFrame(rows), f"Success measures by quarter, {self.assessment.area}", {})

    def overdue_summary(self) -> present.Text:
        return self.plan.overdue_summary()
