"""Executed notebooks as partner pages: the analyst's cells stay in JupyterLab."""

from __future__ import annotations

import nbformat

from assess.export import css_string, export_html


def test_cells_tagged_analyst_are_left_out_of_the_page(tmp_path):
    cells = [
        nbformat.v4.new_markdown_cell("# Burglary in Sevenoaks"),
        nbformat.v4.new_markdown_cell("To change it edit params/priorities.yaml", metadata={"tags": ["analyst"]}),
        nbformat.v4.new_markdown_cell("What partners read"),
    ]
    notebook = tmp_path / "10_burglary.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), notebook)
    page = export_html(notebook, tmp_path).read_text(encoding="utf-8")
    assert "What partners read" in page
    assert "params/priorities.yaml" not in page


def test_pages_carry_both_navigation_placeholders(tmp_path):
    notebook = tmp_path / "page.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title")]), notebook)
    page = export_html(notebook, tmp_path).read_text(encoding="utf-8")
    main = page[page.index("<main>") : page.index("</main>")]
    assert main.count('class="assess-nav"') == 2
    assert 'aria-label="Pages of this assessment"' in main
    assert 'aria-label="Pages of this assessment, end of page"' in main


def test_a_title_in_the_printed_header_cannot_end_its_css_string_or_style():
    plain = "Anti-social behaviour: Sevenoaks, 2022 (draft)"
    assert css_string(plain) == plain
    escaped = css_string('Q&A "x" </style> \\ é')
    assert escaped == "Q\\000026A \\000022x\\000022 \\00003c\\00002fstyle\\00003e \\00005c é"
    assert not set(escaped) & set("\"<>&'\n")
