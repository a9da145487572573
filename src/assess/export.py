"""Executed notebooks to HTML pages: no code, no prompts, none of the cells kept for the analyst.

Kept apart from the pages the package writes itself (report.py) so a worker exporting a
page imports nbconvert and nothing else of the package.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
# Cells that matter to the analyst or the tests but mean nothing to a partner reading HTML:
# a cell tagged "analyst" (notes on how to change the page) shows in JupyterLab only.
HIDDEN_CELL_TAGS = ("parameters", "injected-parameters", "nbval-check", "analyst")


def export_html(executed: Path, out: Path) -> Path:
    """Export an executed notebook to HTML with no code, prompts or hidden cells."""
    # Imported here: nbformat's import is slow (seconds) and most callers never export.
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    # A section that does not apply to this page shows nothing: its empty cell would leave a gap.
    notebook.cells = [c for c in notebook.cells if c.cell_type != "code" or c.outputs]
    body, _ = _exporter().from_notebook_node(notebook, resources={"metadata": {"name": title_of(notebook["cells"])}})
    path = out / (executed.stem + ".html")
    path.write_text(body, encoding="utf-8")
    return path


@cache
def _exporter():
    """One exporter per process: each new one compiles its templates again, which costs more than the export."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="assess", extra_template_basedirs=[str(TEMPLATES)], filters={"css_string": css_string}
    )
    exporter.language_code = "en-GB"
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    remover = TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_CELL_TAGS), enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    return exporter


def css_string(text: str) -> str:
    """Text as the inside of a CSS string ("..."), for the printed page's running header.

    Every character but letters, digits, spaces and plain punctuation is written as a CSS
    escape, so no title can end the string or the <style> element it sits in.
    """
    return "".join(c if c.isalnum() or c in " ,.:;-()" else f"\\{ord(c):06x}" for c in text)


def title_of(cells: list[dict]) -> str:
    """The first top-level heading of a notebook, in a Markdown cell or a Markdown output.

    Cells as stored have their source (and output text) as a string or a list of lines.
    """

    def text(value) -> str:
        return value if isinstance(value, str) else "".join(value)

    for cell in cells:
        if cell["cell_type"] == "markdown":
            sources = [text(cell["source"])]
        else:
            sources = [
                text(o["data"]["text/markdown"])
                for o in cell.get("outputs", [])
                if "text/markdown" in o.get("data", {})
            ]
        for source in sources:
            for line in source.splitlines():
                if line.startswith("# "):
                    return _plain(line[2:].strip())
    return "Strategic assessment"


def _plain(markdown: str) -> str:
    """A heading's text as read: Markdown escapes and HTML entities undone (the page escapes it once)."""
    return html.unescape(re.sub(r"\\(.)", r"\1", markdown))
