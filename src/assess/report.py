"""The rendered assessment: HTML pages without code, and the index that links them."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

import pandas as pd

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
    notebook = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="assess", extra_template_basedirs=[str(TEMPLATES)])
    exporter.language_code = "en-GB"
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    remover = TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_CELL_TAGS), enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": _title_of(notebook)}})
    path = out / (executed.stem + ".html")
    path.write_text(body, encoding="utf-8")
    return path


def _title_of(notebook: nbformat.NotebookNode) -> str:
    """The first heading of the notebook, used as the page title."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Strategic assessment"


def write_index(evidence: Evidence, scoring: Optional["Scoring"], pages: list["PageResult"], out: Path) -> Path:
    """`index.html`: the ranking first (when scored), then a link to every page and the data behind it."""
    assessment = evidence.assessment
    period = period_text(assessment.period_start, assessment.period_end)
    links = "".join(
        f'<li><a href="{html.escape(page.html)}">{html.escape(_page_title(out / page.notebook))}</a></li>'
        for page in pages
    )
    if scoring is None:
        title = f"Quarterly monitoring: {assessment.area}"
        body = f"<h1>{html.escape(title)}</h1>\n<ul>{links}</ul>"
    else:
        title = f"Strategic assessment: {assessment.area}, {period}"
        body = f"""<h1>{html.escape(title)}</h1>
<p>The Community Safety Partnership's priorities and {sum(p.is_candidate for p in assessment.priorities)} further
candidate issues, ranked by the six criteria of the strategic assessment: community concern, trend, volume, harm,
comparison with the other {len(assessment.comparators) - 1} areas, and whether the partnership can add value.
The rank interval shows how far each rank could move by chance and with reasonable changes to the weights.</p>
<h2>Ranking</h2>
{_ranking_table(scoring, pages, period)}
<p>Ties are broken as follows: {html.escape(TIE_BREAK_TEXT)}.</p>
<h2>Pages</h2>
<ul>{links}</ul>
<h2>Data</h2>
<ul>
<li><a href="criteria.csv">criteria.csv</a>: every criterion score with its evidence, weight and reason</li>
<li><a href="ranking.csv">ranking.csv</a>: the ranking with scores, rank intervals and chance of the top 3</li>
</ul>"""
    document = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; max-width: 64rem; margin: 1rem auto; padding: 0 1rem; color: #0b0c0c; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
caption {{ text-align: left; font-weight: bold; padding: 0.5rem 0; }}
th, td {{ border-bottom: 1px solid #b1b4b6; padding: 0.4rem; text-align: left; vertical-align: top; }}
a {{ color: #1d70b8; }}
.assess-table-region {{ overflow-x: auto; max-width: 100%; }}
.assess-table-region:focus {{ outline: 3px solid #ffdd00; }}
@media print {{ .assess-table-region {{ overflow: visible; }} a {{ color: #0b0c0c; }} }}
</style>
</head>
<body>
<main>
{body}
<p>Produced {date.today():%d %B %Y} from data.police.uk street-level crime and ONS mid-year population
estimates (Open Government Licence v3.0), Crime Harm Index weights, partner returns and the partnership's
judgements.</p>
</main>
</body>
</html>
"""
    path = out / "index.html"
    path.write_text(document, encoding="utf-8")
    return path


def _ranking_table(scoring: "Scoring", pages: list["PageResult"], period: str) -> str:
    assessment = scoring.assessment
    page_of = {p.notebook: p.html for p in pages}
    rows = []
    for row in scoring.ranking_table().itertuples(index=False):
        priority = assessment.priority(row.priority)
        name = html.escape(priority.title + (" (candidate)" if priority.is_candidate else ""))
        link = page_of.get(priority.notebook or "")
        cell = f'<a href="{html.escape(link)}">{name}</a>' if link else name
        score = "no data" if row.score is None or pd.isna(row.score) else f"{row.score:.2f}"
        rows.append(
            f"<tr><td>{row.rank}</td><td>{cell}</td><td>{score}</td>"
            f"<td>{row.rank_lower} to {row.rank_upper}</td><td>{row.probability_top_3:.0%}</td>"
            f"<td>{html.escape(row.flag or 'none')}</td></tr>"
        )
    caption = html.escape(f"Ranking of the issues for {assessment.area}, {period}")
    return f"""<div class="assess-table-region" role="region" tabindex="0" aria-label="{caption}"><table>
<caption>{caption}</caption>
<thead><tr><th scope="col">Rank</th><th scope="col">Issue</th><th scope="col">Score (1-5)</th>
<th scope="col">90% rank interval</th><th scope="col">Chance of the top 3</th><th scope="col">Note</th></tr></thead>
<tbody>
{"".join(rows)}
</tbody>
</table></div>"""


def _page_title(executed: Path) -> str:
    return _title_of(nbformat.read(executed, as_version=4))
