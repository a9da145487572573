"""The rendered assessment: HTML pages without code, and the index that links them."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from assess.evidence import Evidence

if TYPE_CHECKING:
    from assess.batch import PageResult

# Cells that matter to the analyst or the tests but mean nothing to a partner reading HTML.
HIDDEN_CELL_TAGS = ("parameters", "injected-parameters", "nbval-check")


def export_html(executed: Path, out: Path) -> Path:
    """Export an executed notebook to HTML with no code, prompts or hidden cells."""
    notebook = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="lab")
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


def write_index(evidence: Evidence, pages: list["PageResult"], out: Path) -> Path:
    """`index.html`: what the assessment covers, and a link to each priority's page."""
    from assess.pages import period_text

    assessment = evidence.assessment
    period = period_text(assessment.period_start, assessment.period_end)
    by_notebook = {p.notebook: p for p in pages}
    rows = []
    for priority in assessment.priorities:
        page = by_notebook.get(priority.notebook or "")
        if page is None:
            continue
        if priority.has_police_data:
            figure = f"{evidence.for_priority(priority).total():,}"
        else:
            figure = "partner data"
        rows.append(
            f'<tr><td><a href="{html.escape(page.html)}">{html.escape(priority.title)}</a></td>'
            f"<td>{html.escape(figure)}</td><td>{html.escape(priority.summary)}</td></tr>"
        )
    title = f"Strategic assessment: {assessment.area}, {period}"
    document = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; color: #0b0c0c; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
caption {{ text-align: left; font-weight: bold; padding: 0.5rem 0; }}
th, td {{ border-bottom: 1px solid #b1b4b6; padding: 0.4rem; text-align: left; vertical-align: top; }}
a {{ color: #1d70b8; }}
</style>
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
<p>The {len(rows)} priorities of the Community Safety Partnership, assessed with police recorded crime
for {html.escape(assessment.area)} and the {len(assessment.comparators)} areas it is compared with.
Each page shows the evidence for one priority.</p>
<table>
<caption>Priorities and police-recorded offences or incidents, {html.escape(period)}</caption>
<thead><tr><th scope="col">Priority</th><th scope="col">Police-recorded, {html.escape(period)}</th><th scope="col">What it covers</th></tr></thead>
<tbody>
{''.join(rows)}
</tbody>
</table>
<p>Produced {date.today():%d %B %Y} from data.police.uk street-level crime and ONS mid-year population
estimates (Open Government Licence v3.0).</p>
</main>
</body>
</html>
"""
    path = out / "index.html"
    path.write_text(document, encoding="utf-8")
    return path
