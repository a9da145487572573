"""The pages the package writes itself: each area's index, and the county summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

import pandas as pd
from markupsafe import Markup

from assess import present, wording
from assess.config import Assessment, period_text
from assess.context import RunContext
from assess.export import css_string
from assess.pages import ActionPlanPage, score_heatmap
from assess.scoring import tie_break_text

TEMPLATES = Path(__file__).parent / "templates"


class RenderedPage(Protocol):
    """A page the run wrote: its executed notebook and its HTML, by file name."""

    notebook: str
    html: str


def pages_environment():
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
    page = pages_environment().get_template(template).render(produced=f"{date.today():%d %B %Y}", **values)
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_index(
    run: RunContext,
    pages: Sequence[RenderedPage],
    out: Path,
    as_of: date,
    scored: bool = True,
    notes: Sequence[str] = (),
) -> Path:
    """`index.html`: the executive summary (when scored), then a link to every page and the data.

    The summary answers a board's four questions from this page alone: what are our
    priorities, how sure are we, what changed since the last assessment, and what is late.
    `notes` are said under the pages: what the run left out and why (a page the data do not allow).
    """
    assessment = run.assessment
    period = period_text(assessment.period_start, assessment.period_end)
    links = [{"link": page.html, "title": page_label(assessment, Path(page.notebook).stem)} for page in pages]
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
    ranking = _ranking_rows(run, pages, period)
    plan = ActionPlanPage(run, as_of.isoformat())
    thin = _thin_evidence(run)
    changes = _changes(run)
    measures = _measures_at_a_glance(plan)
    late, late_sentence = _late_actions(run, plan)
    area = assessment.area
    return _render(
        "index.html.j2",
        out,
        title=f"Strategic assessment: {area}, {period}",
        pages=links,
        notes=list(notes),
        candidates=sum(p.is_candidate for p in assessment.priorities),
        area=area,
        others=len(assessment.comparators) - 1,
        criteria_count=wording.number(len(criteria)),
        criteria_names=wording.join(wording.lower_first(c.label) for c in criteria),
        ranking=ranking,
        summary=_summary(ranking, thin, changes, measures, late_sentence),
        thin=_table(thin, f"Issues with thin or old evidence, {area}"),
        previous=run.previous,
        changes=_table(changes, f"Rank in {run.previous.name} and now, {area}" if run.previous else ""),
        measures=_table(measures, f"Success measures at a glance, {area} (GREEN met, AMBER close, RED missed)"),
        late=_table(late, f"Actions by priority, as of {plan.as_of:%d %B %Y}"),
        late_sentence=late_sentence,
        tie_break=tie_break_text(criteria),
        missing=missing,
        unjudged=_unjudged(run),
    )


def _table(frame: pd.DataFrame, caption: str) -> Markup | str:
    """A summary table as HTML (present.Table escapes its own text), or nothing where it has no rows."""
    return Markup(present.Table(frame, caption, {})._repr_html_()) if len(frame) else ""


# The workbook's own pages: their short name (navigation, where links must fit a phone) and their
# name in the index's list of pages.
OWN_PAGE_LABELS = {
    "80_action_plan": ("Action plan", "Action plan and success measures"),
    "90_scoring": ("Ranking", "Ranking the priorities: scores, certainty and what would change the order"),
    "95_monitoring": ("Monitoring", "Quarterly monitoring"),
}


def page_label(assessment: Assessment, stem: str, short: bool = False) -> str:
    """A page's name: a priority's (short) title, or the name of one of the workbook's own pages."""
    for priority in assessment.pages:
        if stem == assessment.page_stem(priority.key):
            return priority.short_title if short else priority.title
    return OWN_PAGE_LABELS[stem][0 if short else 1]


def _unjudged(run: RunContext) -> str | None:
    """The judged criteria no issue has a judgement on, in words ('community concern and added value'), or None."""
    judged = [
        c for c in run.assessment.criteria.judged if not any(c.key in j for j in run.assessment.judgements.values())
    ]
    return wording.join(wording.lower_first(c.label) for c in judged) or None


def _issue_name(run: RunContext, key: str) -> str:
    priority = run.assessment.priority(key)
    return priority.title + (" (candidate)" if priority.is_candidate else "")


def _summary(ranking: dict, thin: pd.DataFrame, changes: pd.DataFrame, measures: pd.DataFrame, late: str) -> dict:
    """The four answers a board needs, a sentence or two each."""
    provisional = {row["rank"] for row in ranking["provisional"]}
    top = sorted(ranking["rows"] + ranking["provisional"], key=lambda row: row["rank"])[:3]
    priorities = "; ".join(
        f"{row['rank']}. {row['name']}" + (" (provisional: too little evidence)" if row["rank"] in provisional else "")
        for row in top
    )
    sure = "; ".join(f"{row['name']}: {row['certainty']} to stay in the top 3 ({row['top_3']})" for row in top) + "."
    if len(thin):
        sure += f" {wording.number(len(thin), capital=True)} issues rest on thin or old evidence (listed below)."
    if not len(changes):
        changed = "The last assessment's order is not recorded for this area, so no change can be shown."
    else:
        moves = changes[changes["Change"].str.startswith(("rose", "fell"))]
        words = [f"{issue} {move}" for issue, move in zip(moves["Issue"], moves["Change"])]
        new = changes[changes["Change"] == "new issue"]
        words += [f"{issue}, not ranked then, is {now} now" for issue, now in zip(new["Issue"], new.iloc[:, 2])][:2]
        changed = (
            "Among the last plan's priorities: " + "; ".join(words) + "."
            if words
            else "The last plan's priorities keep their order among themselves."
        )
    counts = measures["Status"].value_counts() if len(measures) else pd.Series(dtype=int)
    glance = ", ".join(f"{counts[s]} {s}" for s in ("GREEN", "AMBER", "RED", "no data") if s in counts)
    return {
        "Our priorities": f"Ranked first by the criteria: {priorities}.",
        "How sure we are": sure,
        "What changed": changed,
        "What is late": f"{late} " + (f"Success measures: {glance}." if glance else "No success measures are set."),
    }


def _thin_evidence(run: RunContext) -> pd.DataFrame:
    """Issues whose rank rests on few criteria, or on partner figures older than the period."""
    results = run.results
    criteria = run.assessment.criteria
    rows = []
    for rank, key in enumerate(results.order, start=1):
        missing = results.composites[key].missing
        stale = [
            f"{wording.lower_first(criteria[c].short_label)} on figures for {verdict.stale_period}"
            for c, verdict in results.criteria[key].items()
            if verdict.stale_period
        ]
        if missing or stale:
            rows.append(
                {
                    "Rank": rank,
                    "Issue": _issue_name(run, key),
                    "Criteria with data": f"{len(results.composites[key].used)} of {len(criteria)}",
                    "No data for": wording.join(wording.lower_first(criteria[c].short_label) for c in missing)
                    or "none",
                    "Older figures": wording.join(stale) or "none",
                }
            )
    return pd.DataFrame(rows)


def _changes(run: RunContext) -> pd.DataFrame:
    """Each issue's place in the last assessment against now, with what drives its score now.

    The last plan ranked only its own priorities, so they are ranked among themselves now too
    (a candidate ranked above them would otherwise seem to push them down); issues it did not
    rank are listed as new, with their place among every issue scored now.
    """
    previous = run.previous
    if previous is None:
        return pd.DataFrame()
    order = run.results.order
    kept = [key for key in order if previous.rank(key)]
    rows = []
    for key in order:
        then = previous.rank(key)
        if then is None:
            move = "new issue"
            then_text, now_text = "not ranked", f"{order.index(key) + 1} of {len(order)} (all issues)"
        else:
            now = kept.index(key) + 1
            move = "same place" if then == now else f"{'rose' if now < then else 'fell'} from {then} to {now}"
            then_text, now_text = f"{then} of {len(previous.order)}", f"{now} of {len(kept)}"
        rows.append(
            {
                "Issue": _issue_name(run, key),
                f"Rank in {previous.name}": then_text,
                "Rank now among the same priorities": now_text,
                "Change": move,
                "What drives its score now": _drivers(run, key),
            }
        )
    return pd.DataFrame(rows)


def _drivers(run: RunContext, key: str) -> str:
    """What puts an issue where it is now: its high and low criterion scores, and its gaps."""
    criteria = run.assessment.criteria
    scores = run.results.scores[key]

    def named(test) -> str:
        shown = [(c, s) for c, s in scores.items() if s is not None and test(s)]
        return wording.join(f"{wording.lower_first(criteria[c].short_label)} {s}" for c, s in shown)

    parts = []
    if high := named(lambda s: s >= 4):
        parts.append(f"high on {high}")
    if low := named(lambda s: s <= 2):
        parts.append(f"low on {low}")
    if gaps := run.results.composites[key].missing:
        parts.append("no data for " + wording.join(wording.lower_first(criteria[c].short_label) for c in gaps))
    return "; ".join(parts) or "3 on every criterion"


def _measures_at_a_glance(plan: ActionPlanPage) -> pd.DataFrame:
    """Every success measure's status and value."""
    return pd.DataFrame(
        [
            {
                "Measure": r.title,
                "Status": r.status.upper() if r.status in ("green", "amber", "red") else r.status,
                "Position or value": r.value,
            }
            for r in plan.measure_results()
        ]
    )


def _late_actions(run: RunContext, plan: ActionPlanPage) -> tuple[pd.DataFrame, str]:
    """Overdue actions as of the plan's date per priority, and the count in a sentence."""
    as_of = plan.as_of
    actions = run.actions_as_of(as_of)
    rows = []
    for priority in run.assessment.priorities:
        own = [a for a in actions if a.priority == priority.key]
        if own:
            late = [a.id for a in own if a.is_overdue(as_of)]
            rows.append(
                {
                    "Priority": priority.title,
                    "Actions": len(own),
                    "Overdue": len(late),
                    "Overdue actions": ", ".join(late) or "none",
                }
            )
    if not actions:
        return pd.DataFrame(), "No action plan is recorded for this area yet."
    overdue = sum(a.is_overdue(as_of) for a in actions)
    sentence = (
        f"{overdue} of {len(actions)} actions are overdue as of {as_of:%d %B %Y} "
        "(due before that date and not reported complete or cancelled)."
    )
    later = sum(r.reported_on > as_of for r in run.status_returns)
    if later:
        sentence += (
            f" {wording.number(later, capital=True)} status report{'' if later == 1 else 's'} dated after "
            f"{as_of:%d %B %Y} {'is' if later == 1 else 'are'} not counted here; run with --as-of today to count "
            f"{'it' if later == 1 else 'them'}."
        )
    return pd.DataFrame(rows), sentence


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
