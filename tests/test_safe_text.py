"""Text typed by partners is shown as typed and never runs, in the pages and the workbook."""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd
import pytest
import yaml

from assess.cells import FORMULA_STARTS
from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS
from conftest import assess
from params_facts import EXAMPLE_AREA

pytestmark = pytest.mark.e2e

PAYLOADS = [
    "<script>window.__pwned = 1; alert(1)</script>",
    '<img src=x onerror="window.__pwned = 2; alert(2)">',
    '"><svg onload="window.__pwned = 3">',
    '=HYPERLINK("http://example.invalid", "click")',
]
MARKDOWN_PAYLOADS = [
    "[click](javascript:window.__pwned=4)",
    "![x](http://example.invalid/pixel.png)",
    "<http://example.invalid>",
]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """A run whose partner returns, actions, judgements and an issue's title carry markup, script and formulas."""
    root = tmp_path_factory.mktemp("hostile")
    data, params = root / "data", root / "params"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    shutil.copytree(DEFAULT_PARAMS.parent, params)
    rows = [
        {
            "indicator": f"Referrals {p}",
            "priority": "domestic_abuse",
            "area": "Sevenoaks",
            "period_start": "2022-01-01",
            "period_end": "2022-12-31",
            "value": 10 + i,
            "unit": "count",
            "source": f"Return {p}",
        }
        for i, p in enumerate(PAYLOADS)
    ]
    pd.DataFrame(rows).to_csv(data / "partners" / "hostile.csv", index=False)
    actions = yaml.safe_load((params / EXAMPLE_AREA / "actions.yaml").read_text())
    actions["actions"].append(
        {
            "id": "9.1",
            "priority": "asb",
            "action": PAYLOADS[0],
            "lead": PAYLOADS[1],
            "partners": PAYLOADS[2],
            "by_when": "2022-06",
            "latest_update": PAYLOADS[3],
        }
    )
    (params / EXAMPLE_AREA / "actions.yaml").write_text(yaml.safe_dump(actions))
    judgements = yaml.safe_load((params / EXAMPLE_AREA / "judgements.yaml").read_text())
    # Formula first: a rationale that starts like one must reach criteria.csv as inert text.
    judgements["judgements"]["asb"]["concern"]["rationale"] = " ".join(PAYLOADS[3:] + PAYLOADS[:3])
    (params / EXAMPLE_AREA / "judgements.yaml").write_text(yaml.safe_dump(judgements))
    # A title that starts like a formula: titles are what ranking.csv and the Ranking sheet carry as text.
    priorities = yaml.safe_load((params / "priorities.yaml").read_text())
    candidate = next(iter(priorities["candidates"].values()))
    candidate["title"] = PAYLOADS[3]
    # A page's own words are Markdown from params: links, images and markup in them stay text.
    priorities["priorities"]["asb"]["title"] = "ASB " + MARKDOWN_PAYLOADS[0]
    priorities["priorities"]["asb"]["introduction"] = " ".join(PAYLOADS[:3] + MARKDOWN_PAYLOADS)
    (params / "priorities.yaml").write_text(yaml.safe_dump(priorities, sort_keys=False))
    settings = yaml.safe_load((params / "assessment.yaml").read_text())
    settings["data_dir"] = str(data)
    settings["scoring"]["draws"] = 200  # the ranking's uncertainty is not what this checks: fewer draws, a quicker run
    (params / "assessment.yaml").write_text(yaml.safe_dump(settings))
    out = root / "out"
    result = assess("run", "--params", str(params / "assessment.yaml"), "--out", str(out), "--as-of", "2022-12-31")
    assert result.returncode == 0, result.stderr
    return out


def test_nothing_runs_and_text_shows_as_typed(hostile_run):
    from test_browser import OfflineBrowser, sync_playwright

    with sync_playwright() as playwright:
        browser = OfflineBrowser(playwright)
        page = browser.page()
        for name, must_show in [
            ("30_domestic_abuse.html", PAYLOADS),
            ("20_asb.html", PAYLOADS + MARKDOWN_PAYLOADS),
            ("80_action_plan.html", PAYLOADS),
            ("90_scoring.html", [PAYLOADS[0]]),
        ]:
            page.goto((hostile_run / name).as_uri())
            assert page.evaluate("window.__pwned") is None, name
            assert page.evaluate("document.querySelectorAll('svg[onload], img[onerror], script').length") == 0, name
            links = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
            assert not [link for link in links if ":" in link and not link.startswith("#")], (name, links)
            # Folded tables hold text too (the criteria's reasons): open them, as a reader would.
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            text = page.inner_text("body")
            for payload in must_show:
                assert payload in text, f"{name}: {payload!r} not shown as typed"
        browser.browser.close()
    assert browser.requested == []


def test_formula_text_is_inert_in_every_sheet_and_csv(hostile_run):
    """Text that starts like a formula is prefixed with an apostrophe and stored as text, everywhere."""
    book = openpyxl.load_workbook(hostile_run / "assessment.xlsx")
    texts = [c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    inert = "'" + PAYLOADS[3]
    # The formula reaches the workbook where it was typed (an action's update, a judged rationale,
    # an issue's title), as text: the checks below are over cells that hold it.
    sheets = {c.parent.title for c in texts if c.value.startswith(inert)}
    assert {"Actions", "Criteria", "Ranking"} <= sheets, sheets
    assert all(c.data_type == "s" for c in texts)
    assert not [c.value for c in texts if c.value.startswith(FORMULA_STARTS)]
    for name in ("criteria.csv", "ranking.csv"):
        table = pd.read_csv(hostile_run / name, dtype=str, keep_default_na=False)
        cells = [v for column in table.columns for v in table[column]] + list(table.columns)
        assert any(v.startswith(inert) for v in cells), f"{name}: the payload should reach it, as text"
        assert not [v for v in cells if v.startswith(FORMULA_STARTS)], name
    reasons = pd.read_csv(hostile_run / "criteria.csv", dtype=str)["reason"]
    assert reasons.str.startswith("'" + PAYLOADS[3]).any()  # the judged rationale, kept as text
