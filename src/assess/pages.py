"""What a priority notebook shows, as objects that display themselves.

Notebooks stay thin: a parameters cell, then one call per section of the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd

from assess import charts, present
from assess.evidence import Evidence, PriorityEvidence


def open_evidence(params_file: str = "", area: str = "", data_dir: str = "") -> Evidence:
    """The notebooks' entry point: empty strings mean "use the default"."""
    return Evidence.load(
        params_file=Path(params_file) if params_file else None,
        area=area or None,
        data_dir=Path(data_dir) if data_dir else None,
    )


def period_text(start: str, end: str) -> str:
    """'2022-01', '2022-12' -> 'January to December 2022'."""
    first, last = pd.Period(start, freq="M"), pd.Period(end, freq="M")
    if first.year == last.year:
        return f"{first.strftime('%B')} to {last.strftime('%B %Y')}"
    return f"{first.strftime('%B %Y')} to {last.strftime('%B %Y')}"


class PriorityPage:
    """The sections of one priority's page."""

    def __init__(self, evidence: Evidence, key: str):
        self.evidence: PriorityEvidence = evidence.for_priority(key)
        self.priority = self.evidence.priority
        self.assessment = evidence.assessment
        self.period = period_text(self.assessment.period_start, self.assessment.period_end)

    @property
    def total(self) -> int:
        """Recorded offences in the area over the period."""
        return self.evidence.total()

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
        types = _join(t.lower() for t in self.priority.crime_types)
        text = (
            f"Police recorded {self.total:,} {self._noun} ({types}) in {area} from {self.period}: "
            f"{rate['rate']:.2f} per 1,000 residents (95% confidence interval "
            f"{rate['lower']:.2f} to {rate['upper']:.2f}). Among the {n} areas compared it ranks "
            f"{rank} of {n}, where 1 is the lowest rate."
        )
        previous = self.evidence.previous_total()
        if previous is None:
            text += " The data do not reach back to the previous 12 months, so no year-on-year change is shown."
        else:
            text += f" The previous period had {previous:,}."
        return present.Text(text)

    @property
    def _noun(self) -> str:
        return "incidents" if self.priority.crime_types == ("Anti-social behaviour",) else "offences"

    def monthly_chart(self) -> charts.Chart:
        monthly = self.evidence.monthly()
        peak = monthly.sum(axis=1)
        title = (f"{self.priority.title} in {self.assessment.area} peaked in "
                 f"{pd.Period(peak.idxmax(), freq='M').strftime('%B %Y')} at {peak.max():,} {self._noun}")
        subtitle = f"Recorded {self._noun} per month, {self.assessment.area}, {self.period}"
        return charts.monthly_chart(monthly, title, subtitle, f"Recorded {self._noun} per month")

    def monthly_table(self) -> present.Table:
        monthly = self.evidence.monthly()
        frame = monthly.reset_index().rename(columns={"month": "Month"})
        frame["Month"] = [pd.Period(m, freq="M").strftime("%b %Y") for m in frame["Month"]]
        if monthly.shape[1] > 1:
            frame["All"] = monthly.sum(axis=1).to_numpy()
        formats = {c: present.whole for c in frame.columns if c != "Month"}
        return present.Table(frame, f"Recorded {self._noun} per month, {self.assessment.area}, {self.period}", formats)

    def breakdown_table(self) -> present.Table:
        table = self.evidence.breakdown()
        frame = pd.DataFrame({
            "Crime type": table["crime_type"],
            self._noun.capitalize(): table["count"],
            "Share of the priority": table["share"],
        })
        formats = {self._noun.capitalize(): present.whole, "Share of the priority": present.percent}
        if "previous" in table:
            frame["Previous 12 months"] = table["previous"]
            formats["Previous 12 months"] = present.whole
        caption = f"{self.priority.title} by crime type, {self.assessment.area}, {self.period}"
        return present.Table(frame, caption, formats)

    def comparison_table(self) -> present.Table:
        rates = self.evidence.rates()
        frame = pd.DataFrame({
            "Rank (1 = lowest rate)": rates["rank"],
            "Area": [f"{a} (assessed)" if is_area else a for a, is_area in zip(rates["area"], rates["is_area"])],
            self._noun.capitalize(): rates["count"],
            "Residents": rates["population"],
            "Rate per 1,000": rates["rate"],
            "95% interval, lower": rates["lower"],
            "95% interval, upper": rates["upper"],
        })
        formats = {self._noun.capitalize(): present.whole, "Residents": present.whole, "Rate per 1,000": present.rate,
                   "95% interval, lower": present.rate, "95% interval, upper": present.rate}
        caption = (f"{self.priority.title}: rate per 1,000 residents in each area compared, {self.period} "
                   "(residents: ONS mid-year estimate)")
        return present.Table(frame, caption, formats)

    def comparison_chart(self) -> charts.Chart:
        rates = self.evidence.rates()
        rank, n = self.evidence.area_rank()
        title = f"{self.assessment.area} has the {_rank_words(rank, n)} rate of {self.priority.title.lower()} of {n} areas"
        subtitle = f"Rate per 1,000 residents, {self.period}"
        source = charts.POLICE_SOURCE + "; ONS mid-year population estimates"
        return charts.rate_comparison_chart(rates, title, subtitle, source)

    def partner_evidence(self) -> present.BulletList:
        """Which partner data the priority needs, and who holds it."""
        items = self.priority.partner_evidence or ("No partner evidence is listed for this priority.",)
        return present.BulletList(tuple(items))


def _join(words) -> str:
    """'a', 'b', 'c' -> 'a, b and c'."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _rank_words(rank: int, n: int) -> str:
    """1 -> 'lowest', n -> 'highest', else '3rd lowest' or '3rd highest', whichever is nearer."""
    if rank == 1:
        return "lowest"
    if rank == n:
        return "highest"
    from_top = n - rank + 1
    if rank <= from_top:
        return f"{_ordinal(rank)} lowest"
    return f"{_ordinal(from_top)} highest"


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
