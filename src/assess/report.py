"""The rendered assessment: HTML pages without code, and the index that links them."""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Optional


import pandas as pd

from assess import present
from assess.config import period_text, slug as slug_of
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


def write_index(evidence: Evidence, scoring: Optional["Scoring"], pages: list["PageResult"], out: Path) -> Path:
    """`index.html`: the ranking first (when scored), then a link to every page and the data behind it."""
    assessment = evidence.assessment
    period = period_text(assessment.period_start, assessment.period_end)
    links = "".join(
        f'<li><a href="{html.escape(page.html)}">{html.escape(_page_title(out / page.notebook))}</a></li>'
        for page in sorted(pages, key=lambda p: p.notebook)
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
<li><a href="assessment.xlsx">assessment.xlsx</a>: the ranking, criteria, partner figures and action plan as an Excel workbook</li>
<li><a href="manifest.json">manifest.json</a>: every input with its checksum, the parameters and package versions</li>
</ul>"""
    document = _page(title, body)
    path = out / "index.html"
    path.write_text(document, encoding="utf-8")
    return path


def _page(title: str, body: str) -> str:
    """A complete, self-contained page in the workbook's plain style."""
    return f"""<!DOCTYPE html>
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
figure {{ margin: 1rem 0; }}
img {{ max-width: 100%; height: auto; }}
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
    # Plain JSON is enough for the title, and spares the main process nbformat's slow import.
    return _title_of(json.loads(executed.read_text(encoding="utf-8"))["cells"])


def write_county_summary(evidences: list[Evidence], out: Path) -> Path:
    """`county/index.html`: every area's ranking side by side, and each criterion across areas."""
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
        name = SHORT_CRITERION_NAMES[criterion].replace(chr(10), " ")
        sections.append(f"<h3>{html.escape(name)}</h3>{chart._repr_html_()}")
    links = "".join(f'<li><a href="../{slug_of(a)}/index.html">{html.escape(a)}</a></li>' for a in areas)
    title = f"County summary: {len(areas)} areas, {period}"
    document = _page(title, f"""<h1>{html.escape(title)}</h1>
<p>Every area assessed on the same six criteria and weights. Each area's own page gives the evidence and
the uncertainty of its ranking.</p>
<h2>Rankings side by side</h2>
{ranking._repr_html_()}
<h2>Each criterion across the areas</h2>
{"".join(sections)}
<h2>Areas</h2>
<ul>{links}</ul>""")
    path = out / "index.html"
    path.write_text(document, encoding="utf-8")
    return path
