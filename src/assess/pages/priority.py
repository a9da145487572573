"""A priority's page: its sections, police figures, partner figures, criteria and plan."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

import pandas as pd

from assess import charts, hotspots, present, wording
from assess.changes import Change, format_value
from assess.config import Assessment, Criterion, JudgementModel, Priority, month_list, period_text
from assess.context import RunContext
from assess.criteria.judged import (
    panel_of,
    panel_range,
    panel_score,
)
from assess.criteria.partner import comparable_pair, dispersion, is_stale, period_label, same_length
from assess.criteria.trend import TrendPlan, earlier_words
from assess.data.indicators import COUNT_UNIT, PERCENT_UNIT
from assess.disclosure import SMALL_NUMBERS, WITHHELD, CountRule
from assess.errors import ConfigError
from assess.evidence import PriorityEvidence
from assess.pages.plan import ActionPlanPage
from assess.sparkline import Sparkline
from assess.stats import Rank


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
    "hotspots",
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
    "hotspots": PrioritySection(True, lambda page: page.hotspot_parts()),
    "partner_figures": PrioritySection(False, lambda page: page.partner_figures()),
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


def short_months(text: str) -> str:
    """Month names shortened: 'January to March 2022' -> 'Jan to Mar 2022'."""
    for full, short in zip(calendar.month_name[1:], calendar.month_abbr[1:]):
        text = text.replace(full, short)
    return text


@dataclass(frozen=True)
class Where:
    """Where a priority's records are in the area (see `PriorityPage.where`)."""

    counts: pd.Series
    found: hotspots.Hotspots
    concentration: hotspots.Concentration
    county: hotspots.Concentration
    persistent: pd.DataFrame
    quarters: int  # whole quarters in the period
    names: pd.Series
    deciles: pd.Series

    def name(self, code: str) -> str:
        return str(self.names.get(code, code))

    def decile(self, code: str) -> float | None:
        value = self.deciles.get(code)
        return None if value is None or pd.isna(value) else float(value)


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
                period=self.period,
                rank=self.rank,
                issues=len(self.run.results.order),
                provisional=self.run.results.is_provisional(self.priority.key),
                introduction=wording.Prose(self.priority.introduction),
                area=self.assessment.area,
                areas=len(self.assessment.comparators),
                small=CountRule(self.assessment.disclosure.threshold, True).small,
                criteria=len(self.assessment.criteria),
                police=self.priority.has_police_data,
            )
        )

    @property
    def rank(self) -> int:
        """The priority's place in the ranking, 1 the highest priority (the point ranking, not the simulation)."""
        return self.run.results.order.index(self.priority.key) + 1

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
                f"there, so every figure for {area} on this page comes from partners' returns, with "
                "its own period and source; where none is returned the page says so rather than invent one."
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
        text = f"Police recorded {figures} Among the {n} areas compared it ranks {Rank(rank, n).words}."
        plan = self._trend_plan
        if plan.pairs is None:
            earlier = self.evidence.previous_months
            missing = self.evidence.missing_months(earlier)
            if len(missing) < len(earlier):
                text += (
                    f" The data miss {month_list(missing)} of the previous {len(earlier)} months, too many "
                    "to compare the same months a year earlier, so no change is shown."
                )
            else:
                text += f" The data do not reach back to the previous {len(earlier)} months, so no change is shown."
        else:
            change = self._police_change(self.priority)
            period, earlier = plan.compared_words(self.period, earlier_words(len(plan.period_months), plan.lag))
            then = f"{earlier[0].upper()}{earlier[1:]} had {rule.text(change.previous)}"
            if plan.left_out and not change.withheld:
                then += f" against {rule.text(change.current)} in {period}"
            text += f" {then}: {change.words(figures=False)}."
        return present.Text(text)

    @cached_property
    def _trend_plan(self) -> TrendPlan:
        """The months the trend criterion compares: the page pairs the same ones, so the two agree."""
        figures = self.run.results.cube.figures(self.priority)
        return TrendPlan.of(figures.period_months, figures.history_months, figures.history_held)

    def _police_change(self, priority: Priority) -> Change:
        """The priority's (or one crime type's) count against the same months a year earlier, as the trend
        criterion pairs them; withheld where either total is a small count on a sensitive subject."""
        now, then = self._trend_plan.matched(self.run.results.cube.figures(priority).history)
        change = Change.of_months(then, now)
        rule = self.evidence.rule
        # Where months are left out, the compared total is the period's less them: it would give back
        # any of them that the monthly table hides.
        gives_back = bool(self._trend_plan.left_out) and bool(self.evidence.monthly_hidden().to_numpy().any())
        return change.hidden() if rule.hides(change.current) or rule.hides(change.previous) or gives_back else change

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
        caption = f"Recorded {self._noun} per month, {self.assessment.area}, {self.period}"
        # The chart above says it at a glance; the table is the detail behind it.
        return present.Table(frame, caption, formats, collapsed=True)

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
        if self._trend_plan.pairs is not None:
            # Each type's count against the same months as the headline and the trend criterion compare.
            types = [self._police_change(replace(self.priority, crime_types=(t,))) for t in table["crime_type"]]
            previous = pd.Series([c.previous for c in types], index=table.index)
            # The previous column's total is shown in the headline.
            previous_hidden = rule.grid([previous.to_numpy()], True, False)[0]
            frame["Same months a year earlier"] = rule.table(previous, previous_hidden)
            # Where a month is left out, the change is of the months held in both years: its pair is said.
            frame["Change"] = [
                (c.hidden() if hidden[i] or previous_hidden[i] else c).words(figures=bool(self._trend_plan.left_out))
                for i, c in enumerate(types)
            ]
            formats["Same months a year earlier"] = present.whole
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
        return present.Table(frame, caption, formats, collapsed=True)

    def comparison_chart(self) -> charts.Chart | present.Text:
        rates = self.evidence.rates()
        if self.evidence.rule.hides_any(rates["count"]):
            return present.Text(
                f"The comparison chart is withheld: some areas have {self.evidence.rule.small} "
                f"{self._noun}, which could identify victims on this sensitive subject."
            )
        rank, n = self.evidence.area_rank()
        title = (
            f"{self.assessment.area} ranks {Rank(rank, n).words} for "
            f"{wording.lower_first(self.priority.title)} among {n} areas"
        )
        subtitle = f"Rate per 1,000 residents ({self.evidence.evidence.population_estimate}), {self.period}"
        source = charts.POLICE_SOURCE + "; ONS mid-year population estimates"
        return charts.rate_comparison_chart(rates, title, subtitle, source)

    @cached_property
    def where(self) -> Where | None:
        """Where the priority's records are in the area: its LSOAs' counts, hotspots, concentration and
        persistent places; None where the data folder holds no small-area counts for the area."""
        tables, rule = self.run.tables, self.evidence.rule
        area, types, months = self.assessment.area, list(self.priority.crime_types), self.assessment.months
        held = tables.lsoa_counts.loc[tables.lsoa_counts["area"] == area, "month"]
        # Counts by neighbourhood for other months than the period's would mislead: said, not shown.
        if not set(months) <= set(held.unique()):
            return None
        counts = hotspots.district_counts(tables.lsoa_counts, tables.lsoas, area, types, months)
        earlier = self._year_earlier_months()
        previous = None
        if earlier is not None:
            previous = hotspots.district_counts(tables.lsoa_counts, tables.lsoas, area, types, earlier)
        return Where(
            counts=counts,
            found=hotspots.find_hotspots(counts, previous, alpha=self.assessment.rules.significance, rule=rule),
            concentration=hotspots.concentration(counts, rule=rule),
            county=self._county_concentration(),
            persistent=self._persistent(counts),
            quarters=len(months) // 3,
            names=tables.lsoas.set_index("lsoa_code")["lsoa_name"],
            deciles=tables.lsoas.set_index("lsoa_code")["imd_decile"],
        )

    def _persistent(self, counts: pd.Series) -> pd.DataFrame:
        """The persistent places; on a sensitive subject, none whose count over the period is hidden (being in
        the top group quarter after quarter would narrow it)."""
        tables, rule = self.run.tables, self.evidence.rule
        found = hotspots.persistent(
            tables.lsoa_counts,
            tables.lsoas,
            self.assessment.area,
            list(self.priority.crime_types),
            self.assessment.months,
        )
        if not rule.sensitive:
            return found
        return found[[not rule.hides(counts.get(code, 0)) for code in found["lsoa_code"]]].reset_index(drop=True)

    def _year_earlier_months(self) -> list[str] | None:
        """The period's months a year earlier, where the small-area counts hold every one of them."""
        months = [str(pd.Period(m, freq="M") - 12) for m in self.assessment.months]
        held = set(self.run.tables.lsoa_counts["month"].unique())
        return months if held.issuperset(months) else None

    def _county_concentration(self) -> hotspots.Concentration:
        """The county's concentration of the priority's records: the same for each of its areas, so
        computed for the first and kept with the run's tables."""
        tables, rule = self.run.tables, self.evidence.rule
        comparators, types = tuple(self.assessment.comparators), tuple(self.priority.crime_types)
        key = ("concentration", comparators, types, tuple(self.assessment.months), rule)
        if key not in tables.county_figures:
            tables.county_figures[key] = hotspots.county_concentration(
                tables.lsoa_counts, tables.lsoas, comparators, types, self.assessment.months, rule=rule
            )
        return tables.county_figures[key]

    def hotspot_parts(self) -> tuple:
        """The hotspot section: the map, how concentrated, the top neighbourhoods, and the persistent ones."""
        where = self.where
        if where is None:
            return (
                present.Text(
                    f"The data folder holds no counts by neighbourhood (lsoa_counts.csv) for {self.assessment.area} "
                    f"over {self.period}, so where the priority concentrates cannot be shown: run `assess ingest` "
                    "on the police downloads again to add them."
                ),
            )
        return (
            self.hotspot_map(),
            present.Text(self._concentration_words(where)),
            present.Text(self._hotspot_words(where)),
            self.hotspot_table(),
            self.persistent_table(),
        )

    def _ringed(self) -> pd.DataFrame:
        """The hotspots the map rings: rank, lsoa_code, lsoa_name."""
        where = self.where
        table = where.found.table
        flagged = table[table["hotspot"] & ~table["hidden"]]
        return flagged[["rank", "lsoa_code"]].assign(lsoa_name=[where.name(c) for c in flagged["lsoa_code"]])

    def hotspot_map(self) -> charts.Chart | present.Text:
        points = self.run.tables.lsoa_points
        points = points[points["area"] == self.assessment.area]
        if points.empty:
            return present.Text(
                f"No map: no neighbourhood of {self.assessment.area} has enough records with a location "
                "to place it without pointing at a single record."
            )
        points = points.assign(lsoa_name=[self.where.name(c) for c in points["lsoa_code"]])
        ringed, area = self._ringed(), self.assessment.area
        what = wording.lower_first(self.priority.title)
        if ringed.empty:
            title = f"No neighbourhood of {area} stands out for {what}"
        else:
            listed = wording.join(ringed["lsoa_name"].iloc[:3])
            more = f" and {len(ringed) - 3} more" if len(ringed) > 3 else ""
            title = f"{what.capitalize()} in {area} gathers in {listed}{more}"
        subtitle = (
            f"Recorded {self._noun} per hexagon, {area}, {self.period}; numbered rings mark the hotspots, "
            "as ranked in the table below"
        )
        rule = self.evidence.rule
        counts, left_off = self.where.counts, set()
        if rule.sensitive:
            # A hexagon's sum beside the table's shown counts could give a hidden one back: hidden
            # neighbourhoods (small, or withheld beside them) are left off the map altogether.
            table = self.where.found.table
            left_off = set(table.loc[table["hidden"], "lsoa_code"]) | {c for c, n in counts.items() if rule.hides(n)}
        return charts.hotspot_map(
            points,
            counts,
            ringed,
            title,
            subtitle,
            noun=self._noun,
            threshold=rule.threshold if rule.sensitive else 0,
            left_off=sorted(left_off),
        )

    def _concentration_words(self, where: Where) -> str:
        own, county, noun = where.concentration, where.county, self._noun
        # A share or curve over the top group, beside the table's shown counts, could give back a count
        # the table withholds: with any withheld, both are withheld.
        if where.found.table["hidden"].any():
            own = replace(own, top_share_withheld=True, curve_withheld=True)
        if own.top_share is None:
            return f"No {noun} were recorded in {self.assessment.area}'s neighbourhoods over the period."
        if own.top_share_withheld:
            share = f"In {self.assessment.area}, the share of the {noun} in its top 10% of neighbourhoods is withheld"
        else:
            share = (
                f"In {self.assessment.area}, {own.top_share:.0%} of the {noun} were in its top 10% of neighbourhoods"
            )
        county_share = (
            "withheld" if county.top_share_withheld or county.top_share is None else f"{county.top_share:.0%}"
        )
        text = (
            f"{share} (the {wording.number(own.top_lsoas)} of its {own.lsoas} LSOAs with the most), against "
            f"{county_share} across the {len(self.assessment.comparators)} areas compared"
        )
        if own.curve_withheld:
            return text + "; the Gini coefficient is withheld: small numbers on a sensitive subject."
        county_gini = "withheld" if county.curve_withheld or county.gini is None else f"{county.gini:.2f}"
        return (
            f"{text}. Gini coefficient {own.gini:.2f} (0 = spread evenly over the neighbourhoods, 1 = all in one), "
            f"against {county_gini} across the areas compared. Overall, the spread is "
            f"{where.found.dispersion_words()}."
        )

    def _hotspot_words(self, where: Where) -> str:
        ringed = self._ringed()
        n, noun = where.found.lsoas, self._noun
        if ringed.empty:
            return (
                f"No neighbourhood had more {noun} than an even spread over the {n} neighbourhoods would give, "
                "by more than chance."
            )
        names = wording.join(ringed["lsoa_name"])
        count = wording.number(len(ringed), capital=True)
        return (
            f"{count} of the {n} neighbourhoods had more {noun} than an even spread would give, "
            f"by more than chance: {names}."
        )

    def hotspot_table(self) -> present.Table:
        """The neighbourhoods with the most records, with their deprivation, share, expectation and change."""
        frame = self.hotspot_rows()
        rule, noun = self.evidence.rule, self._noun.capitalize()
        shown = pd.DataFrame(
            {
                # Short names: on a phone each stands beside its value in a card.
                "Rank": frame["rank"],
                "Neighbourhood": frame["lsoa_name"],
                "Deprivation": [wording.decile_words(d) for d in frame["imd_decile"]],
                noun: rule.table(frame["count"], frame["hidden"]),
                "Share": frame["share"].astype(object).mask(frame["figures_hidden"], WITHHELD),
                "Expected": frame["expected"].astype(object).mask(frame["figures_hidden"], WITHHELD),
                "Hotspot": [
                    WITHHELD if h else ("yes" if f else "no") for h, f in zip(frame["hidden"], frame["hotspot"])
                ],
            }
        )
        formats = {noun: present.whole, "Share": present.percent, "Expected": present.rate}
        if "previous" in frame:
            shown["A year earlier"] = rule.table(frame["previous"], frame["previous_hidden"])
            shown["Change"] = [c.words(figures=False) for c in frame["change"]]
            formats["A year earlier"] = present.whole
        caption = (
            f"{self.priority.title}: the {wording.number(len(frame))} neighbourhoods (LSOAs) of "
            f"{self.assessment.area} with the most {self._noun}, {self.period}: deprivation decile (IMD 2019), "
            f"share of the area's {self._noun}, and the count expected if they were spread evenly"
        )
        return present.Table(shown, caption, formats, collapsed=len(shown) > 5)

    def hotspot_rows(self) -> pd.DataFrame:
        """The top neighbourhoods' figures (`hotspots.Hotspots.table`) with their names and deprivation
        deciles, and `figures_hidden`: the share and expectation are withheld (with the count, or the total)."""
        where = self.where
        table = where.found.table
        return table.assign(
            lsoa_name=[where.name(c) for c in table["lsoa_code"]],
            imd_decile=[where.decile(c) for c in table["lsoa_code"]],
            figures_hidden=table["hidden"] | where.found.total_withheld,
        )

    def persistent_table(self) -> present.Table | present.Text:
        """The neighbourhoods in the area's top 10% quarter after quarter: the places to task against."""
        where = self.where
        table = where.persistent
        if table.empty:
            return present.Text(
                f"No neighbourhood was among {self.assessment.area}'s top 10% for {self._noun} in three or more "
                f"quarters of {self.period}: none persists."
            )
        quarters = where.quarters
        # Three columns: narrow enough to stay a table on a phone.
        frame = pd.DataFrame(
            {
                "Neighbourhood": [where.name(c) for c in table["lsoa_code"]],
                "In the top 10%": [
                    f"{n} of {quarters} quarters ({run} in a row)"
                    for n, run in zip(table["quarters_in_top"], table["longest_run"])
                ],
                "Quarters": ["; ".join(map(short_months, q)) for q in table["quarters"]],
            }
        )
        caption = (
            f"{self.priority.title}: persistent places, the neighbourhoods of {self.assessment.area} in its "
            f"top 10% in three or more quarters, {self.period}"
        )
        return present.Table(frame, caption, {}, collapsed=len(frame) > 5)

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

    def partner_figures(self) -> tuple[present.Table | present.Text, ...]:
        """The partners' figures for this priority, one row per indicator (and area): latest first.

        Each row has the latest value and its period, the value it is compared with (the same
        period a year earlier, else the period of the same length before: as the partner
        trend criterion pairs them) with the `Change`, a sparkline of the periods of the
        latest one's length, and how many periods the data hold. Sources and how current
        they are are said once, under the table.
        """
        table = self.run.tables.indicators
        rows = table[
            (table["priority"] == self.priority.key)
            & (~table["area"].isin(self.assessment.comparators) | (table["area"] == self.assessment.area))
        ]
        if rows.empty:
            return (
                present.Text(
                    f"No partner has yet returned figures on this priority for {self.assessment.area}. "
                    "The partnership adds its returns to its own folder of local content (see the index)."
                ),
            )
        # Judged against the whole table: a county row is the total of districts not shown here.
        disclosure = self.run.evidence.disclosure
        values = disclosure.indicator_values(table, self.assessment.comparators)
        hidden = disclosure.hidden_indicators(table, self.assessment.comparators)
        series = [
            group.sort_values("period_start")
            for _, group in sorted(rows.groupby(["indicator", "area"], sort=False), key=lambda g: g[1].index[0])
        ]
        frame = pd.DataFrame([self._partner_row(s, values, hidden) for s in series])
        if (frame["Area"] == self.assessment.area).all():
            frame = frame.drop(columns="Area")
        caption = f"{self.priority.title}: figures from partners for {self.assessment.area}, latest first"
        return present.Table(frame, caption, {}), present.BulletList(self._partner_sources(rows))

    def _partner_row(self, rows: pd.DataFrame, values: pd.Series, hidden: pd.Series) -> dict[str, object]:
        """One indicator's row of the partner figures (see `partner_figures`)."""
        latest = rows.iloc[-1]
        unit = latest["unit"]
        row: dict[str, object] = {
            "Indicator": latest["indicator"],
            "Area": latest["area"],
            "Latest": values[latest.name],
            "Period": period_label(latest["period_start"], latest["period_end"]),
            "Unit": unit,
            "Compared with": "none held",
            "Change": "no earlier figure",
        }
        pair = comparable_pair(rows)
        if pair is not None:
            before = pair[0]
            row["Compared with"] = (
                f"{values[before.name]} ({period_label(before['period_start'], before['period_end'])})"
            )
            change = self._partner_change(rows, before, latest)
            row["Change"] = (change.hidden() if hidden[[before.name, latest.name]].any() else change).words(
                figures=False
            )
        # The series drawn: periods as long as the latest, so a year is never drawn among quarters.
        alike = rows[rows.apply(same_length, axis=1, other=latest)]
        if hidden[alike.index].any():
            # The line's shape would place a small count among the others.
            row["Series"] = f"{WITHHELD} ({SMALL_NUMBERS})"
        elif len(alike) > 1:
            labels = [period_label(a, b) for a, b in zip(alike["period_start"], alike["period_end"])]
            row["Series"] = Sparkline(
                tuple(alike["value"].astype(float)), tuple(labels), lambda v: format_value(v, unit)
            )
        else:
            row["Series"] = "one period"
        row["Periods held"] = len(rows)
        return row

    @staticmethod
    def _partner_change(rows: pd.DataFrame, before: pd.Series, latest: pd.Series) -> Change:
        """The change from `before` to `latest`, tested as the partner trend criterion tests a count."""
        unit = latest["unit"]
        then, now = (period_label(r["period_start"], r["period_end"]) for r in (before, latest))
        if unit == COUNT_UNIT:
            phi, df, _ = dispersion(rows, latest)
            return Change.of_counts(int(before["value"]), int(latest["value"]), then, now, dispersion=phi, df=df)
        if unit == PERCENT_UNIT:
            reason = "a percentage returned without its denominator"
        elif "rate" in unit:
            reason = "a rate returned without its count"
        else:
            reason = f"{unit}, not a count of events"
        return Change.untested(float(before["value"]), float(latest["value"]), unit, reason, then, now)

    def _partner_sources(self, rows: pd.DataFrame) -> tuple[str, ...]:
        """Each source once, with the span of its figures and whether they are older than the assessment."""
        said = []
        for source, figures in rows.groupby("source", sort=False):
            first, last = figures["period_start"].min(), figures["period_end"].max()
            stale = ", older than the assessment period" if is_stale(last, self.assessment) else ""
            said.append(f"Source: {source}: figures for {period_label(first, last)}{stale}.")
        return tuple(said)

    def partner_evidence(self) -> present.BulletList:
        """Which partner data the priority needs, and who holds it."""
        items = self.priority.partner_evidence or ("No partner evidence is listed for this priority.",)
        return present.BulletList(tuple(items))
