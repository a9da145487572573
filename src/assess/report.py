"""The rendered assessment: HTML pages without code, and the index that links them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Optional


import pandas as pd

from assess import present
from assess.config import period_text
from assess.evidence import Evidence
from assess.scoring import TIE_BREAK_TEXT

if TYPE_CHECKING:
    from assess.batch import PageResult
    from assess.results import Scoring

TEMPLATES = Path(__file__).parent / "templates"
# Cells that matter to the analyst or the tests but mean nothing to a partner reading HTML.
HIDDEN_CELL_TAGS = ("parameters", "injected-parameters", "nbval-check")


def export_html(executed: Path, out: Path) -> Path:
    """Export an executed notebook to HTML with no code, prompts or hidden cells."""
    # Imported here: nbformat's import is slow (seconds) and most callers never export.
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="assess", extra_template_basedirs=[str(TEMPLATES)])
    exporter.language_code = "en-GB"
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    remover = TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_CELL_TAGS), enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": _title_of(notebook["cells"])}})
    path = out / (executed.stem + ".html")
    path.write_text(body, encoding="utf-8")
    return path


def _title_of(cells: list[dict]) -> str:
    """The first heading of a notebook's cells (as stored: source a string or a list of lines)."""
    for cell in cells:
        if cell["cell_type"] == "markdown":
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            for line in source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Strategic assessment"


def _pages_environment():
    """Jinja for the pages the package writes itself, escaping every value unless marked safe."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader([TEMPLATES / "pages", TEMPLATES / "assess"]),
                       autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)


def _render(template: str, out: Path, **values) -> Path:
    page = _pages_environment().get_template(template).render(produced=f"{date.today():%d %B %Y}", **values)
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_index(evidence: Evidence, scoring: Optional["Scoring"], pages: list["PageResult"], out: Path) -> Path:
    """`index.html`: the ranking first (when scored), then a link to every page and the data behind it."""
    assessment = evidence.assessment
    period = period_text(assessment.period_start, assessment.period_end)
    links = [{"link": page.html, "title": _page_title(out / page.notebook)}
             for page in sorted(pages, key=lambda p: p.notebook)]
    if scoring is None:
        return _render("index.html.j2", out, title=f"Quarterly monitoring: {assessment.area}", pages=links,
                       ranking=None)
    return _render(
        "index.html.j2", out, title=f"Strategic assessment: {assessment.area}, {period}", pages=links,
        candidates=sum(p.is_candidate for p in assessment.priorities), others=len(assessment.comparators) - 1,
        ranking=_ranking_rows(scoring, pages, period), tie_break=TIE_BREAK_TEXT,
    )


def _ranking_rows(scoring: "Scoring", pages: list["PageResult"], period: str) -> dict:
    assessment = scoring.assessment
    page_of = {p.notebook: p.html for p in pages}
    rows = []
    for row in scoring.ranking_table().itertuples(index=False):
        priority = assessment.priority(row.priority)
        rows.append({
            "rank": row.rank,
            "name": priority.title + (" (candidate)" if priority.is_candidate else ""),
            "link": page_of.get(priority.notebook or ""),
            "score": "no data" if row.score is None or pd.isna(row.score) else f"{row.score:.2f}",
            "interval": f"{row.rank_lower} to {row.rank_upper}",
            "top_3": f"{row.probability_top_3:.0%}",
            "note": row.flag or "none",
        })
    return {"caption": f"Ranking of the issues for {assessment.area}, {period}", "rows": rows}


def _page_title(executed: Path) -> str:
    # Plain JSON is enough for the title, and spares the main process nbformat's slow import.
    return _title_of(json.loads(executed.read_text(encoding="utf-8"))["cells"])


def write_county_summary(evidences: list[Evidence], folders: dict[str, str], out: Path) -> Path:
    """`county/index.html`: every area's ranking side by side, and each criterion across areas.

    `folders` gives each area's (safe) folder name, for the links to the areas' own pages.
    """
    from markupsafe import Markup

    from assess import charts
    from assess.config import CRITERIA
    from assess.pages import CRITERION_NAMES, SCORING_SOURCE, SHORT_CRITERION_NAMES

    first = evidences[0].assessment
    period = period_text(first.period_start, first.period_end)
    titles = {p.key: p.title + (" (candidate)" if p.is_candidate else "") for p in first.priorities}
    areas = [e.assessment.area for e in evidences]
    ranks = pd.DataFrame({e.assessment.area: e.scoring.ranking_table().set_index("priority")["rank"]
                          for e in evidences}).reindex(list(titles))
    ranks.index = [titles[k] for k in ranks.index]
    ranking = present.Table(ranks.reset_index().rename(columns={"index": "Issue"}),
                            f"Rank of each issue in each area (1 = highest priority), {period}", {})
    sections = []
    for criterion in CRITERIA:
        values = pd.DataFrame({titles[k]: [e.scoring.scores[k][criterion] for e in evidences] for k in titles},
                              index=areas, dtype="float")
        labels = values.apply(lambda col: col.map(lambda v: "no data" if pd.isna(v) else f"{int(v)}"))
        alt = (f"Grid of {CRITERION_NAMES[criterion].lower()} scores by area and issue. " + "; ".join(
            f"{area}: " + ", ".join(f"{issue} {labels.loc[area, issue]}" for issue in values.columns)
            for area in values.index) + ".")
        chart = charts.annotated_heatmap(
            values, labels, f"{CRITERION_NAMES[criterion]}: where each area stands",
            f"Score 1 (least reason to prioritise) to 5 (most), {period}", SCORING_SOURCE, (1, 5),
            "Score (1-5)", alt)
        # Tables and charts escape their own text (present.Table, charts.Chart): their HTML is safe.
        sections.append({"name": SHORT_CRITERION_NAMES[criterion].replace(chr(10), " "),
                         "chart": Markup(chart._repr_html_())})
    return _render("county.html.j2", out, title=f"County summary: {len(areas)} areas, {period}",
                   ranking=Markup(ranking._repr_html_()), sections=sections,
                   areas=[{"name": a, "folder": folders[a]} for a in areas])
