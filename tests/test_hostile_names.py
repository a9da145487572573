"""Names from data are never paths or markup: hostile district names through ingest and a county run.

Area names come from LSOA names in files anyone can edit. A police file here places records
in districts called `../../victim`, `-`, a script tag and a formula with mathtext, and a
partner return gives a figure for each (so the names reach the workbooks' Indicators sheet as
whole cells); the whole county is then assessed. Nothing outside the output folder may change, every folder name
must be a safe slug, no script may run in any page, charts must draw, and no text cell may
start a formula.
"""

from __future__ import annotations

import csv
import random
import re

import openpyxl
import pandas as pd
import pytest

from assess.cells import FORMULA_STARTS
from assess.data.police_uk import STREET_COLUMNS
from conftest import assess, street_row
from test_outputs import snapshot

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
    rows = []
    for number, area in enumerate(HOSTILE):
        for month in range(1, 13):
            for crime_type in CRIME_TYPES:
                for _ in range(generator.randint(2, 12)):
                    rows.append(
                        street_row(
                            month=f"2022-{month:02d}",
                            lsoa_code=f"W0199{number:04d}",
                            lsoa_name=f"{area} 00{number}A",
                            crime_type=crime_type,
                            force="Test Police",
                        )
                    )
    street = data / "2022-test-street.csv"
    with open(street, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(STREET_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    ingest = assess("ingest", str(street), "--out", str(data / "counts.csv"))
    assert ingest.returncode == 0, ingest.stderr
    pd.DataFrame(
        {
            "area_code": [f"W0600{i:04d}" for i in range(len(HOSTILE))],
            "area": HOSTILE,
            "year": 2020,
            "population": [90_000 + 1_000 * i for i in range(len(HOSTILE))],
        }
    ).to_csv(data / "population.csv", index=False)
    street.unlink()
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


def test_ingest_kept_the_hostile_districts_as_names(hostile_county):
    root, _, _ = hostile_county
    counts = pd.read_csv(root / "data" / "counts.csv", dtype=str, keep_default_na=False)
    assert sorted(counts["area"].unique()) == sorted(HOSTILE)


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
