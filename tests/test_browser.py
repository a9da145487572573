"""The rendered pages as partners see them, in headless Chromium with the network blocked.

Each page must pass axe-core with no serious or critical violation, request nothing from
the network, stay under 1 MB, read at phone width and print. Needs Debian's chromium
(`make setup-browser`); set ASSESS_SKIP_BROWSER=1 to skip where it cannot be installed.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import params_facts as facts

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if os.environ.get("ASSESS_SKIP_BROWSER") == "1":
    pytest.skip("browser tests skipped by ASSESS_SKIP_BROWSER=1", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_WIDTH = 375


class OfflineBrowser:
    """Chromium that refuses every request leaving the machine and records it."""

    def __init__(self, playwright):
        if not Path(CHROMIUM).exists():
            pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make setup-browser`")
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.requested: list[str] = []

    def page(self, width: int = 1280):
        page = self.browser.new_page(viewport={"width": width, "height": 900})
        page.route("**/*", self._gate)
        page.on("dialog", lambda dialog: (self.requested.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        return page

    def _gate(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.requested.append(url)
            route.abort()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        offline = OfflineBrowser(playwright)
        yield offline
        offline.browser.close()


def pages_of(run) -> list[Path]:
    """Every page of the run, index.html included: never an empty list to check nothing over."""
    result, out = run
    assert result.returncode == 0, result.stderr
    pages = sorted(out.glob("*.html"))
    assert len(pages) == facts.page_count() + 1, [p.name for p in pages]
    return pages


class TestEveryPage:
    def test_axe_finds_no_serious_or_critical_violation(self, browser, default_run):
        axe = Axe()
        page = browser.page()
        checked = 0
        for path in pages_of(default_run):
            page.goto(path.as_uri())
            violations = axe.run(page).response["violations"]
            serious = [(v["id"], v["nodes"][0]["target"]) for v in violations if v["impact"] in ("serious", "critical")]
            assert serious == [], f"{path.name}: {serious}"
            checked += 1
        assert checked == facts.page_count() + 1  # and index.html
        assert browser.requested == []

    def test_pages_are_self_contained_and_small(self, default_run):
        for path in pages_of(default_run):
            assert path.stat().st_size < 1_000_000, path.name
            text = path.read_text(encoding="utf-8")
            assert "<script" not in text, path.name
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path.name
            assert '<html lang="en-GB">' in text or '<html lang="en-GB"' in text, path.name

    def test_structure_alt_text_captions_and_headings(self, browser, default_run):
        page = browser.page()
        for path in pages_of(default_run):
            page.goto(path.as_uri())
            assert page.evaluate("[...document.images].every(i => (i.alt || '').length > 20)"), path.name
            assert page.evaluate(
                "[...document.querySelectorAll('table')].every(t => t.caption && t.caption.textContent.trim()"
                " && t.tHead && t.tHead.rows.length === 1)"
            ), path.name
            levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4')].map(h => +h.tagName[1])")
            assert levels[0] == 1 and levels.count(1) == 1, path.name
            assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"{path.name}: {levels}"

    def test_readable_at_phone_width(self, browser, default_run):
        page = browser.page(width=PHONE_WIDTH)
        for path in pages_of(default_run):
            page.goto(path.as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE_WIDTH + 1, f"{path.name} is {width}px wide at {PHONE_WIDTH}px"

    def test_prints(self, browser, default_run):
        page = browser.page()
        path = default_run[1] / "90_scoring.html"
        page.goto(path.as_uri())
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
        assert page.evaluate("getComputedStyle(document.querySelector('.assess-table-region')).overflowX") == "visible"
