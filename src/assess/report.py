"""The pages the package writes itself: each area's index, and the county summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

import pandas as pd
from markupsafe import Markup

from assess import present, wording
from assess.config import period_text
from assess.context import RunContext
from assess.export import css_string, page_title
from assess.pages import score_heatmap
from assess.scoring import tie_break_text

TEMPLATES = Path(__file__).parent / "templates"


class RenderedPage(Protocol):
    """A page the run wrote: its executed notebook and its HTML, by file name."""

    notebook: str
    html: str


def _pages_environment():
    """Jinja for the pages the package writes itself, escaping every value unless marked safe."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader([TEMPLATES / "pages", TEMPLATES / "assess"]),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["css_string"] = css_string
    return environment


def _render(template: str, out: Path, **values) -> Path:
    page = _pages_environment().get_template(template).render(produced=f"{date.today():%d %B %Y}", **values)
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_index(
    run: RunContext, pages: Sequence[RenderedPage], out: Path, scored: bool = True, notes: Sequence[str] = ()
) -> Path:
    """`index.html`: the ranking first (when scored), then a link to every page, in the order given, and the data.

    `notes` are said under the pages: what the run left out and why (a page the data do not allow).
    """
    assessment = run.assessment
    period = period_text(assessment.period_start, assessment.period_end)
    links = [{"link": page.html, "title": page_title(out / page.notebook)} for page in pages]
    missing = [{"what": what, "how": how[:1].upper() + how[1:]} for what, how in assessment.local.missing()]
    if not scored:
        return _render(
            "index.html.j2",
            out,
            title=f"Quarterly monitoring: {assessment.area}",
            pages=links,
            ranking=None,
            notes=list(notes),
            area=assessment.area,
            missing=missing,
            unjudged=None,
        )
    criteria = assessment.criteria
    return _render(
        "index.html.j2",
        out,
        title=f"Strategic assessment: {assessment.area}, {period}",
        pages=links,
        notes=list(notes),
        candidates=sum(p.is_candidate for p in assessment.priorities),
        area=assessment.area,
        others=len(assessment.comparators) - 1,
        criteria_count=wording.number(len(criteria)),
        criteria_names=wording.join(wording.lower_first(c.label) for c in criteria),
        ranking=_ranking_rows(run, pages, period),
        tie_break=tie_break_text(criteria),
        missing=missing,
        unjudged=_unjudged(run),
    )


def _unjudged(run: RunContext) -> str | None:
    """The judged criteria no issue has a judgement on, in words ('community concern and added value'), or None."""
    judged = [
        c for c in run.assessment.criteria.judged if not any(c.key in j for j in run.assessment.judgements.values())
    ]
    return wording.join(wording.lower_first(c.label) for c in judged) or None


def _ranking_rows(run: RunContext, pages: Sequence[RenderedPage], period: str) -> dict:
    """The index's ranking: the issues ranked firmly, and apart from them those whose evidence is too thin."""
    assessment = run.assessment
    page_of = {p.notebook: p.html for p in pages}
    firm, provisional = [], []
    for row in run.results.ranking_table().itertuples(index=False):
        priority = assessment.priority(row.priority)
        missing = run.results.composites[row.priority].missing
        entry = {
            "rank": row.rank,
            "name": priority.title + (" (candidate)" if priority.is_candidate else ""),
            "link": page_of.get(f"{assessment.page_stem(priority.key)}.ipynb") if priority.has_page else None,
            "score": f"{row.score:.2f}",
            "interval": f"{row.rank_lower} to {row.rank_upper}",
            "top_3": f"{row.probability_top_3:.0%}",
            "certainty": wording.likelihood(row.probability_top_3),
            "evidence": f"{row.criteria_used} of {len(assessment.criteria)}",
            "missing": wording.join(wording.lower_first(assessment.criteria[c].short_label) for c in missing) or "none",
            "could_rank": f"{row.best_rank} to {row.worst_rank}" if missing else "no gaps",
        }
        (provisional if row.provisional else firm).append(entry)
    return {
        "caption": f"Ranking of the issues for {assessment.area}, {period}",
        "rows": firm,
        "provisional_caption": (
            f"Issues ranked provisionally: scored on fewer than {wording.number(assessment.rules.min_criteria)} "
            f"criteria, {assessment.area}, {period}"
        ),
        "provisional": provisional,
        "provisional_ranks": ("rank " if len(provisional) == 1 else "ranks ")
        + wording.join(str(entry["rank"]) for entry in provisional),
        "min_criteria": wording.number(assessment.rules.min_criteria),
        "draws": f"{assessment.rules.draws:,}",
        "error": f"{0.5 / assessment.rules.draws**0.5:.3f}",
    }


def write_county_summary(runs: list[RunContext], folders: dict[str, str], out: Path) -> Path:
    """`county/index.html`: every area's ranking side by side, and each criterion across areas.

    `folders` gives each area's (safe) folder name, for the links to the areas' own pages.
    """
    first = runs[0].assessment
    period = period_text(first.period_start, first.period_end)
    titles = {p.key: p.title + (" (candidate)" if p.is_candidate else "") for p in first.priorities}
    areas = [run.assessment.area for run in runs]
    ranks = pd.DataFrame(
        {run.assessment.area: run.results.ranking_table().set_index("priority")["rank"] for run in runs}
    ).reindex(list(titles))
    ranks.index = [titles[k] for k in ranks.index]
    ranking = present.Table(
        ranks.reset_index().rename(columns={"index": "Issue"}),
        f"Rank of each issue in each area (1 = highest priority), {period}",
        {},
    )
    sections = []
    for criterion in first.criteria:
        values = pd.DataFrame(
            {titles[k]: [run.results.scores[k][criterion.key] for run in runs] for k in titles},
            index=areas,
            dtype="float",
        )
        chart = score_heatmap(
            values,
            f"{criterion.label}: where each area stands",
            f"Grid of {wording.lower_first(criterion.label)} scores by area and issue",
            period,
        )
        # Tables and charts escape their own text (present.Table, charts.Chart): their HTML is safe.
        sections.append({"name": criterion.short_label, "chart": Markup(chart._repr_html_())})
    return _render(
        "county.html.j2",
        out,
        title=f"County summary: {len(areas)} areas, {period}",
        criteria_count=wording.number(len(first.criteria)),
        ranking=Markup(ranking._repr_html_()),
        sections=sections,
        areas=[{"name": a, "folder": folders[a]} for a in areas],
        navigation=False,
        # A column per area: the page takes the screen's width so the ranking fits on a desktop.
        wide=True,
    )
