"""Names from data are never paths or markup: hostile district names through a county run.

Area names are the reference names of ONS codes, but a code the reference does not know
keeps the name its counts file gives it, and counts and partner files are anyone's to edit.
A counts file here names districts `../../victim`, `-`, a script tag and a formula with
mathtext, under codes the reference lacks, and a partner return gives a figure for each (so
the names reach the workbooks' Indicators sheet as whole cells); the whole county is then
assessed. Nothing outside the output folder may change, every folder name must be a safe
slug, no script may run in any page, charts must draw, and no text cell may start a formula.
"""

from __future__ import annotations

import random
import re

import openpyxl
import pandas as pd
import pytest

from assess.cells import FORMULA_STARTS
from assess.data.counts import read_counts
from assess.data.geography import Geography
from conftest import assess, snapshot

pytestmark = pytest.mark.e2e

HOSTILE = ["../../victim", "-", 'x"><script>window.__pwned=1</script>', '=HYPERLINK("x") $x^2$ costs $5']
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CRIME_TYPES = [
    "Anti-social behaviour",
    "Burglary",
    "Vehicle crime",
    "Violence and sexual offences",
    "Shoplifting",
    "Criminal damage and arson",
    "Drugs",
    "Robbery",
]


@pytest.fixture(scope="module")
def hostile_county(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-names")
    data, out = root / "data", root / "work" / "out"
    data.mkdir()
    (root / "work").mkdir()
    (root / "victim").mkdir()
    (root / "victim" / "case-notes.txt").write_text("must survive")
    generator = random.Random(20221231)
    codes = [f"E0799999{number}" for number in range(len(HOSTILE))]  # district codes the reference lacks
    assert not any(code in Geography.default().names for code in codes)
    rows = [
        {
            "area_code": code,
            "area": area,
            "month": f"2022-{month:02d}",
            "crime_type": crime_type,
            "count": generator.randint(2, 12),
        }
        for code, area in zip(codes, HOSTILE)
        for month in range(1, 13)
        for crime_type in CRIME_TYPES
    ]
    pd.DataFrame(rows).to_csv(data / "counts.csv", index=False)
    pd.DataFrame(
        {
            "area_code": codes,
            "area": HOSTILE,
            "year": 2020,
            "population": [90_000 + 1_000 * i for i in range(len(HOSTILE))],
        }
    ).to_csv(data / "population.csv", index=False)
    (data / "partners").mkdir()
    pd.DataFrame(
        {
            "indicator": "Fly-tipping reports",
            "priority": "asb",
            "area": HOSTILE,
            "period_start": "2022-01-01",
            "period_end": "2022-12-31",
            "value": [10 + i for i in range(len(HOSTILE))],
            "unit": "count",
            "source": "Council return",
        }
    ).to_csv(data / "partners" / "flytipping.csv", index=False)
    before = snapshot(root)
    result = assess("run", "--data-dir", str(data), "--all-areas", "--out", str(out), "--as-of", "2022-12-31")
    assert result.returncode == 0, result.stderr
    return root, out, before


def test_the_counts_reader_kept_the_hostile_districts_as_names(hostile_county):
    root, _, _ = hostile_county
    assert sorted(read_counts(root / "data" / "counts.csv")["area"].unique()) == sorted(HOSTILE)


def test_nothing_outside_the_output_folder_changed(hostile_county):
    root, out, before = hostile_county
    after = {k: v for k, v in snapshot(root).items() if not k.startswith("work/out")}
    assert after == {k: v for k, v in before.items() if not k.startswith("work/out")}
    assert (root / "victim" / "case-notes.txt").read_text() == "must survive"
    assert sorted(p.name for p in (root / "work").iterdir()) == ["out"]


def test_every_folder_is_a_safe_slug_with_its_pages(hostile_county):
    _, out, _ = hostile_county
    folders = sorted(p.name for p in out.iterdir())
    assert len(folders) == len(HOSTILE) + 1 and "county" in folders
    assert all(SAFE_NAME.match(name) for name in folders), folders
    for folder in folders:
        assert (out / folder / "index.html").is_file()


def test_no_script_runs_and_names_show_as_typed(hostile_county):
    from test_browser import OfflineBrowser, sync_playwright

    _, out, _ = hostile_county
    indexes = sorted(out.glob("*/index.html"))
    assert len(indexes) == len(HOSTILE) + 1  # every area and the county
    pages = indexes + sorted(out.glob("*/9*.html")) + sorted(out.glob("*/1*.html"))
    with sync_playwright() as playwright:
        browser = OfflineBrowser(playwright)
        page = browser.page()
        for path in pages:
            page.goto(path.as_uri())
            assert page.evaluate("window.__pwned") is None, path
            assert page.evaluate("document.querySelectorAll('script').length") == 0, path
        page.goto((out / "county" / "index.html").as_uri())
        text = page.inner_text("body")
        links = page.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
        alts = " ".join(page.evaluate("[...document.querySelectorAll('img')].map(i => i.alt)"))
        browser.browser.close()
    assert browser.requested == []
    for name in HOSTILE:
        assert name in text and name in alts
    areas = [link for link in links if link.startswith("../")]
    assert len(areas) == len(HOSTILE)
    for link in areas:
        assert (out / "county" / link).resolve().is_file() and out in (out / "county" / link).resolve().parents


def test_no_text_cell_starts_a_formula(hostile_county):
    _, out, _ = hostile_county
    books = sorted(out.glob("*/assessment.xlsx"))
    assert len(books) == len(HOSTILE)
    formulas = [name for name in HOSTILE if name.startswith(FORMULA_STARTS)]
    assert formulas  # `-` and `=HYPERLINK(...)`
    for book_path in books:
        book = openpyxl.load_workbook(book_path)
        texts = [c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        assert not [c.value for c in texts if c.value.startswith(FORMULA_STARTS)], book_path
        # The names that start like a formula are there, in the partner figures, as inert text.
        assert {"'" + name for name in formulas} <= {c.value for c in texts}, book_path
    tables = sorted(out.glob("*/criteria.csv")) + sorted(out.glob("*/ranking.csv"))
    assert len(tables) == 2 * len(HOSTILE)
    for table_path in tables:
        table = pd.read_csv(table_path, dtype=str, keep_default_na=False)
        cells = [v for column in table.columns for v in table[column]]
        assert not [v for v in cells if v.startswith(FORMULA_STARTS)], table_path
